//! The center's durable store, behind [`CenterStore`] so that a national deployment can put
//! it on `PostgreSQL` later. The default is [`SledStore`], an embedded sled database.
//!
//! What is stored is the truth; everything else (the rules state, heads, kiosk operators,
//! the reviewer queue) is rebuilt from it on start:
//! - the accepted log: every accepted kiosk entry with its receipt time, epoch and
//!   effective time, and every center entry, in acceptance order;
//! - the kiosk registry and the center's operators;
//! - quarantine notes (with the raw entries) and review decisions.
//!
//! Durability: a write returns only after the data is on disk. The accepted log is an
//! append-only file, `fdatasync`ed after each append (group commit: one append per batch of
//! uploads). The rest lives in sled; sled's `flush()` alone is not power-safe on Linux (it
//! only calls `sync_file_range`), so [`SledStore`] flushes and then `fdatasync`s the files of
//! the database directory that changed and `fsync`s directories that got new files.

use std::path::{Path, PathBuf};

use changelog::sync::{ClockFlag, QuarantineNote};
use rules::Instant;
use rules::command::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store: {0}")]
    Db(String),
    #[error("store file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("store record is damaged: {0}")]
    Corrupt(String),
    #[error("the data folder {path} is in use by another kezek-center process")]
    Locked { path: String },
}

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Db(e.to_string())
    }
}

/// A registered kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KioskRecord {
    pub id: String,
    pub district: String,
    /// The key registered by an administrator (hex); rotations are in the log.
    pub public_key: String,
    pub registered_at: Instant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Instant>,
}

/// A center account (reviewer or admin).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CenterOperator {
    pub login: String,
    pub name: String,
    pub role: Role,
    /// argon2id PHC string.
    pub password_hash: String,
    pub created_at: Instant,
    #[serde(default)]
    pub disabled: bool,
}

/// One record of the accepted log (postcard-encoded: no field may be skipped when serialized).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogRecord {
    /// A kiosk entry, accepted after every check of the change log.
    Kiosk {
        kiosk: String,
        seq: u64,
        /// The framed entry as received: `u32 LE length | body | signature`.
        entry: Vec<u8>,
        received_at: Instant,
        /// Number of center entries in the log when it was received.
        epoch: u64,
        /// Kiosk time clamped into its window, never earlier than the kiosk's previous entry.
        effective: Instant,
        flag: Option<ClockFlag>,
    },
    /// A center entry (distribution, tick, review decision), signed by the center key.
    Center { seq: u64, entry: Vec<u8> },
}

/// A quarantined entry with its note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuarantineRecord {
    pub note: QuarantineNote,
    /// The framed entry, hex (kept for investigation).
    pub entry: Option<String>,
}

/// A reviewer's decision on a review item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewDecision {
    pub item: String,
    /// `upheld` or `overruled`.
    pub decision: String,
    pub reviewer: String,
    pub at: Instant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What one ingest or center command writes, all durable before the call returns.
#[derive(Debug, Clone, Default)]
pub struct Commit {
    pub log: Vec<LogRecord>,
    pub quarantine: Vec<QuarantineRecord>,
}

/// Persistence of the center. Every mutating call is durable when it returns.
pub trait CenterStore: Send {
    fn kiosks(&self) -> Result<Vec<KioskRecord>, StoreError>;
    fn put_kiosk(&mut self, kiosk: &KioskRecord) -> Result<(), StoreError>;
    fn operators(&self) -> Result<Vec<CenterOperator>, StoreError>;
    fn put_operator(&mut self, operator: &CenterOperator) -> Result<(), StoreError>;
    /// Visits the accepted log in acceptance order.
    fn read_log(&self, visit: &mut dyn FnMut(LogRecord) -> Result<(), StoreError>) -> Result<(), StoreError>;
    /// Appends log records and quarantine notes atomically enough: the log part is one batch;
    /// a quarantine note lost to a crash is recreated when the kiosk resends.
    fn commit(&mut self, commit: &Commit) -> Result<(), StoreError>;
    /// Quarantine notes ordered by kiosk and sequence (a note for the same entry bytes is kept once).
    fn quarantine(&self) -> Result<Vec<QuarantineRecord>, StoreError>;
    fn put_review(&mut self, decision: &ReviewDecision) -> Result<(), StoreError>;
    fn reviews(&self) -> Result<Vec<ReviewDecision>, StoreError>;
}

/// The embedded default store.
#[derive(Debug)]
pub struct SledStore {
    path: PathBuf,
    db: sled::Db,
    log: AcceptedLog,
    kiosks: sled::Tree,
    operators: sled::Tree,
    quarantine: sled::Tree,
    reviews: sled::Tree,
    /// Size and modification time of each file at the last sync: unchanged files are not synced again.
    synced: std::collections::HashMap<PathBuf, (u64, Option<std::time::SystemTime>)>,
    /// Held for the store's life, released last (fields drop in order): one process per folder.
    _folder_lock: std::fs::File,
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_stdvec(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Small records (registry, operators, notes) are JSON: readable and tolerant of new fields.
fn encode_json<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn decode_json<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl SledStore {
    /// Opens (or creates) the store in directory `path`: the accepted log `accepted.log`
    /// and the sled database `sled/`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let io = |source| StoreError::Io { path: path.display().to_string(), source };
        std::fs::create_dir_all(path).map_err(io)?;
        // Taken before anything is read: opening the log may cut back a torn tail, which
        // must never happen under a running server.
        let folder_lock = changelog::lock_folder(&path.join("lock"), changelog::FOLDER_LOCK_WAIT)
            .map_err(io)?
            .ok_or_else(|| StoreError::Locked { path: path.display().to_string() })?;
        let log = AcceptedLog::open(&path.join("accepted.log"))?;
        let sled_path = path.join("sled");
        remove_unfinished_snapshots(&sled_path)?;
        // No background flusher thread: every write is flushed and synced by us, and the
        // center stays on the cores it is given.
        let db = sled::Config::new().path(&sled_path).flush_every_ms(None).open()?;
        Ok(SledStore {
            path: sled_path,
            kiosks: db.open_tree("kiosks")?,
            operators: db.open_tree("operators")?,
            quarantine: db.open_tree("quarantine")?,
            reviews: db.open_tree("reviews")?,
            log,
            db,
            synced: std::collections::HashMap::new(),
            _folder_lock: folder_lock,
        })
    }

    /// Flushes sled, then fdatasyncs its files that changed since the last sync, and fsyncs
    /// a directory when its list of files changed.
    fn sync(&mut self) -> Result<(), StoreError> {
        let mut seen = std::collections::HashMap::new();
        let synced =
            self.db.flush().map_err(StoreError::from).and_then(|_| sync_changed(&self.path, &self.synced, &mut seen));
        if synced.is_err() {
            // sled's drop syncs its file once more and panics when that fails (a disk that
            // stays full): after a failed sync the database is never dropped.
            std::mem::forget(self.db.clone());
        }
        synced?;
        self.synced = seen;
        Ok(())
    }
}

impl Drop for SledStore {
    /// sled's own drop syncs once more and panics when that fails: a failed sync here
    /// keeps it from running (see [`SledStore::sync`]).
    fn drop(&mut self) {
        let _ = self.sync();
    }
}

/// Removes sled snapshot files that were never finished. sled writes `snap.N.generating`,
/// syncs it and renames it to `snap.N`; a crash or a full disk before the rename leaves the
/// file behind, and sled 0.34 would read it as the newest snapshot and refuse to open
/// ("corrupted data"). Without it, sled uses the previous snapshot and its log.
fn remove_unfinished_snapshots(sled_path: &Path) -> Result<(), StoreError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| StoreError::Io { path: path.clone(), source }
    };
    let items = match std::fs::read_dir(sled_path) {
        Ok(items) => items,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(sled_path)(e)),
    };
    for item in items {
        let path = item.map_err(io(sled_path))?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            std::fs::remove_file(&path).map_err(io(&path))?;
        }
    }
    Ok(())
}

/// `fdatasync` every file below `dir` and `fsync` every directory (new files' names).
pub fn sync_tree(dir: &Path) -> Result<(), StoreError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| StoreError::Io { path: path.clone(), source }
    };
    for item in std::fs::read_dir(dir).map_err(io(dir))? {
        let item = item.map_err(io(dir))?;
        let path = item.path();
        let kind = item.file_type().map_err(io(&path))?;
        if kind.is_dir() {
            sync_tree(&path)?;
        } else if kind.is_file() {
            std::fs::File::open(&path).and_then(|f| f.sync_data()).map_err(io(&path))?;
        }
    }
    std::fs::File::open(dir).and_then(|f| f.sync_all()).map_err(io(dir))
}

/// The accepted log: an append-only file of records
/// `u32 LE length | u32 LE CRC-32 of the payload | postcard(LogRecord)`, `fdatasync`ed after
/// every append. A torn record at the end (a crash during a write that was never
/// acknowledged) is cut off when the file is opened.
#[derive(Debug)]
struct AcceptedLog {
    path: PathBuf,
    file: std::fs::File,
    /// Length of the durable records.
    len: u64,
    /// A failed append could not be undone: no more appends until the log is opened again.
    broken: bool,
}

impl AcceptedLog {
    fn open(path: &Path) -> Result<Self, StoreError> {
        let io = |source| StoreError::Io { path: path.display().to_string(), source };
        let existed = path.exists();
        let file = std::fs::OpenOptions::new().read(true).append(true).create(true).open(path).map_err(io)?;
        if !existed {
            file.sync_all().map_err(io)?;
            if let Some(dir) = path.parent() {
                std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(io)?;
            }
        }
        let mut log = AcceptedLog { path: path.to_owned(), file, len: 0, broken: false };
        let good = log.scan(&mut |_| Ok(()))?;
        let len = log.file.metadata().map_err(io)?.len();
        if good < len {
            log.file.set_len(good).map_err(io)?;
            log.file.sync_all().map_err(io)?;
        }
        log.len = good;
        Ok(log)
    }

    /// Visits every whole record; returns the length of the good prefix.
    fn scan(&self, visit: &mut dyn FnMut(&[u8]) -> Result<(), StoreError>) -> Result<u64, StoreError> {
        let bytes = std::fs::read(&self.path)
            .map_err(|source| StoreError::Io { path: self.path.display().to_string(), source })?;
        let mut at = 0usize;
        while let Some(header) = bytes.get(at..at + 8) {
            let len = u32::from_le_bytes(header[..4].try_into().expect("4 bytes")) as usize;
            let crc = u32::from_le_bytes(header[4..].try_into().expect("4 bytes"));
            let Some(payload) = bytes.get(at + 8..at + 8 + len) else { break };
            if crc32fast::hash(payload) != crc {
                break;
            }
            visit(payload)?;
            at += 8 + len;
        }
        Ok(at as u64)
    }

    fn read(&self, visit: &mut dyn FnMut(LogRecord) -> Result<(), StoreError>) -> Result<(), StoreError> {
        self.scan(&mut |payload| visit(decode(payload)?))?;
        Ok(())
    }

    fn append(&mut self, records: &[LogRecord]) -> Result<(), StoreError> {
        use std::io::Write;
        if records.is_empty() {
            return Ok(());
        }
        let mut out = Vec::new();
        for record in records {
            let payload = encode(record)?;
            out.extend_from_slice(
                &u32::try_from(payload.len())
                    .map_err(|_| StoreError::Corrupt("record too large".into()))?
                    .to_le_bytes(),
            );
            out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
            out.extend_from_slice(&payload);
        }
        let io = |source| StoreError::Io { path: self.path.display().to_string(), source };
        if self.broken {
            return Err(StoreError::Corrupt(format!(
                "{}: a failed write could not be undone; open the store again",
                self.path.display()
            )));
        }
        if let Err(e) = self.file.write_all(&out).and_then(|()| self.file.sync_data()) {
            // Undo what may have reached the file: records that were not acknowledged must
            // not be read back on open (a resend would store them twice), and a torn record
            // must not sit before the next append (the open would cut the log there).
            if self.file.set_len(self.len).and_then(|()| self.file.sync_data()).is_err() {
                self.broken = true;
            }
            return Err(io(e));
        }
        self.len += out.len() as u64;
        Ok(())
    }
}

type FileState = (u64, Option<std::time::SystemTime>);

/// Syncs files below `dir` whose size or modification time differs from `before`; fsyncs a
/// directory when a file or directory in it is new. Fills `seen` with what is there now.
fn sync_changed(
    dir: &Path,
    before: &std::collections::HashMap<PathBuf, FileState>,
    seen: &mut std::collections::HashMap<PathBuf, FileState>,
) -> Result<(), StoreError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| StoreError::Io { path: path.clone(), source }
    };
    let mut new_names = !before.contains_key(dir);
    seen.insert(dir.to_owned(), (0, None));
    for item in std::fs::read_dir(dir).map_err(io(dir))? {
        let item = item.map_err(io(dir))?;
        let path = item.path();
        let meta = item.metadata().map_err(io(&path))?;
        if meta.is_dir() {
            new_names |= !before.contains_key(&path);
            sync_changed(&path, before, seen)?;
        } else if meta.is_file() {
            let state = (meta.len(), meta.modified().ok());
            // sled's data file is always synced: a same-size rewrite within one mtime tick
            // must not be missed.
            let always = path.file_name().is_some_and(|n| n == "db");
            match before.get(&path) {
                Some(old) if *old == state && !always => {}
                old => {
                    new_names |= old.is_none();
                    std::fs::File::open(&path).and_then(|f| f.sync_data()).map_err(io(&path))?;
                }
            }
            seen.insert(path, state);
        }
    }
    if new_names {
        std::fs::File::open(dir).and_then(|f| f.sync_all()).map_err(io(dir))?;
    }
    Ok(())
}

impl CenterStore for SledStore {
    fn kiosks(&self) -> Result<Vec<KioskRecord>, StoreError> {
        self.kiosks.iter().values().map(|v| decode_json(&v?)).collect()
    }

    fn put_kiosk(&mut self, kiosk: &KioskRecord) -> Result<(), StoreError> {
        self.kiosks.insert(kiosk.id.as_bytes(), encode_json(kiosk)?)?;
        self.sync()
    }

    fn operators(&self) -> Result<Vec<CenterOperator>, StoreError> {
        self.operators.iter().values().map(|v| decode_json(&v?)).collect()
    }

    fn put_operator(&mut self, operator: &CenterOperator) -> Result<(), StoreError> {
        self.operators.insert(operator.login.as_bytes(), encode_json(operator)?)?;
        self.sync()
    }

    fn read_log(&self, visit: &mut dyn FnMut(LogRecord) -> Result<(), StoreError>) -> Result<(), StoreError> {
        self.log.read(visit)
    }

    fn commit(&mut self, commit: &Commit) -> Result<(), StoreError> {
        if commit.log.is_empty() && commit.quarantine.is_empty() {
            return Ok(());
        }
        let mut quarantined = false;
        for q in &commit.quarantine {
            let mut key = q.note.kiosk.as_bytes().to_vec();
            key.push(0);
            key.extend_from_slice(&q.note.seq.to_be_bytes());
            key.extend_from_slice(q.note.entry_hash.as_deref().unwrap_or(&q.note.code).as_bytes());
            if !self.quarantine.contains_key(&key)? {
                self.quarantine.insert(key, encode_json(q)?)?;
                quarantined = true;
            }
        }
        if quarantined {
            self.sync()?;
        }
        self.log.append(&commit.log)
    }

    fn quarantine(&self) -> Result<Vec<QuarantineRecord>, StoreError> {
        self.quarantine.iter().values().map(|v| decode_json(&v?)).collect()
    }

    fn put_review(&mut self, decision: &ReviewDecision) -> Result<(), StoreError> {
        self.reviews.insert(decision.item.as_bytes(), encode_json(decision)?)?;
        self.sync()
    }

    fn reviews(&self) -> Result<Vec<ReviewDecision>, StoreError> {
        self.reviews.iter().values().map(|v| decode_json(&v?)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: u64) -> LogRecord {
        LogRecord::Center { seq, entry: vec![7; 40] }
    }

    fn read_all(store: &SledStore) -> Vec<LogRecord> {
        let mut out = Vec::new();
        store
            .read_log(&mut |r| {
                out.push(r);
                Ok(())
            })
            .expect("read");
        out
    }

    #[test]
    fn a_folder_in_use_is_refused_and_its_accepted_log_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = SledStore::open(dir.path()).expect("open");
        store.commit(&Commit { log: vec![record(1)], quarantine: vec![] }).expect("commit");
        // An append in progress under the running store: a second opener must not cut it.
        let path = dir.path().join("accepted.log");
        let mut bytes = std::fs::read(&path).expect("read");
        bytes.extend_from_slice(&[60, 0, 0, 0, 1, 2]);
        std::fs::write(&path, &bytes).expect("write");
        let second = SledStore::open(dir.path()).expect_err("the folder is in use");
        assert!(matches!(second, StoreError::Locked { .. }), "{second}");
        assert_eq!(std::fs::read(&path).expect("read"), bytes);
    }

    #[test]
    fn a_torn_tail_of_the_accepted_log_is_cut_off_on_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = SledStore::open(dir.path()).expect("open");
        store.commit(&Commit { log: vec![record(1), record(2)], quarantine: vec![] }).expect("commit");
        drop(store);
        // A crash in the middle of the next append.
        let path = dir.path().join("accepted.log");
        let mut bytes = std::fs::read(&path).expect("read");
        let whole = bytes.len();
        bytes.extend_from_slice(&[60, 0, 0, 0, 1, 2, 3, 4, 9, 9]);
        std::fs::write(&path, &bytes).expect("write");
        let mut store = SledStore::open(dir.path()).expect("reopen");
        assert_eq!(read_all(&store), vec![record(1), record(2)]);
        assert_eq!(std::fs::metadata(&path).expect("meta").len(), whole as u64);
        store.commit(&Commit { log: vec![record(3)], quarantine: vec![] }).expect("commit");
        drop(store);
        let store = SledStore::open(dir.path()).expect("reopen");
        assert_eq!(read_all(&store), vec![record(1), record(2), record(3)]);
    }
}
