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
use rules::authz::staff::StaffRole;
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
    /// The accepted log is damaged somewhere other than an unfinished last append. Nothing
    /// was cut or rewritten: the file is as it was found.
    #[error(
        "the accepted log {path} is damaged at byte offset {offset} ({reason}); the center did not start and left \
         the file unchanged. What to do: copy the data folder aside, then restore it from a backup, or set up a \
         fresh center and ingest the kiosks' logs again (they are the signed originals); bytes {offset} and later \
         may hold acknowledged entries, do not cut them"
    )]
    Damaged { path: String, offset: u64, reason: String },
    /// The PostgreSQL database is not set up, or the server's role could rewrite the log.
    #[error(transparent)]
    Postgres(crate::pg_store::PgSetupError),
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
    /// Districts the kiosk serves besides its own (cross-district registrations), added by
    /// a center administrator.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_serves: Vec<String>,
    /// The clock floor of every entry after the kiosk's accepted head: the latest contact
    /// (ack or snapshot over a signed request) the center issued whose kiosk head was at or
    /// below the accepted head.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_floor: Option<Instant>,
    /// Later contacts, each with the kiosk's own log head when it asked: an entry after that
    /// head was written after the contact.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
}

/// One answer the center gave a kiosk's signed request (an ack or a snapshot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub at: Instant,
    /// The last sequence number of the kiosk's log when it sent the request (signed by it).
    pub head: u64,
}

/// A center staff account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CenterOperator {
    pub login: String,
    pub name: String,
    pub role: StaffRole,
    /// Districts a reviewer or distributor works for (`rules::authz::staff`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub districts: Vec<String>,
    /// argon2id PHC string.
    pub password_hash: String,
    pub created_at: Instant,
    #[serde(default)]
    pub disabled: bool,
}

/// A signed-in staff session. The token itself is never stored: only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionRecord {
    /// Hex SHA-256 of the session token.
    pub token_hash: String,
    pub login: String,
    pub created_at: Instant,
    pub expires_at: Instant,
    /// The console's anti-forgery token for this session's forms.
    pub csrf: String,
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
    /// Writes a kiosk record without waiting for the disk: it is durable with the next
    /// commit or sync, and may be lost in a crash before that (used for contacts, which
    /// only narrow the clock window).
    fn note_kiosk(&mut self, kiosk: &KioskRecord) -> Result<(), StoreError>;
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
    /// Staff sessions (a restart keeps staff signed in until their sessions expire).
    fn sessions(&self) -> Result<Vec<SessionRecord>, StoreError>;
    fn put_session(&mut self, session: &SessionRecord) -> Result<(), StoreError>;
    fn remove_session(&mut self, token_hash: &str) -> Result<(), StoreError>;

    // ----- several servers on one store (PostgreSQL); a store one process owns needs none -----

    /// Whether other servers may write to this store at the same time.
    fn shared(&self) -> bool {
        false
    }
    /// Where a shared store is (for the servers' other shared state, such as nonces).
    fn shared_url(&self) -> Option<&str> {
        None
    }
    /// Visits the log records after position `after` (0: from the start) in order; returns
    /// the position of the last one (or `after`). Positions only grow.
    fn read_log_after(
        &self,
        after: u64,
        visit: &mut dyn FnMut(LogRecord) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let mut position = 0u64;
        self.read_log(&mut |record| {
            position += 1;
            if position > after { visit(record) } else { Ok(()) }
        })?;
        Ok(position.max(after))
    }
    /// Changes whenever another server changed kiosks, accounts, sessions, reviews or quarantine.
    fn generation(&self) -> Result<u64, StoreError> {
        Ok(0)
    }
    /// Waits until no other server writes (held until [`CenterStore::unlock_writes`]).
    fn lock_writes(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    fn unlock_writes(&mut self) {}
    /// Whether this server leads the scheduled work (at most one server does; the lead
    /// moves when the leader dies).
    fn try_lead(&mut self) -> bool {
        true
    }
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
    sessions: sled::Tree,
    /// Size and modification time of each file at the last sync: unchanged files are not synced again.
    synced: std::collections::HashMap<PathBuf, (u64, Option<std::time::SystemTime>)>,
    /// Held for the store's life, released last (fields drop in order): one process per folder.
    _folder_lock: std::fs::File,
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_stdvec(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, StoreError> {
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
            sessions: db.open_tree("sessions")?,
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
/// every append.
///
/// Opening cuts only what an interrupted append can leave at the end of the file, and only
/// after copying it aside (`accepted.log.cut-<offset>`, synced): a record cut short by the
/// end of the file (header or payload), or a run of zero bytes. Anything else that does not
/// read back (a whole record whose CRC fails, a record that does not decode, a zero length
/// followed by data, a length field past the end of the file with whole records behind it)
/// is [`StoreError::Damaged`]: the store does not open and the file is left as it is.
#[derive(Debug)]
struct AcceptedLog {
    path: PathBuf,
    file: std::fs::File,
    /// Length of the durable records.
    len: u64,
    /// A failed append could not be undone: no more appends until the log is opened again.
    broken: bool,
}

/// No record is longer than this (a kiosk entry is at most `MAX_ENTRY_BYTES` plus its
/// frame, signature and the record's few other fields).
const MAX_RECORD_BYTES: usize = changelog::MAX_ENTRY_BYTES as usize + 64 * 1024;

/// Where the whole records of the log end: at the end of the file, or where an interrupted
/// append starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LogEnd {
    Clean,
    /// Bytes from `at` on are an unfinished append (never acknowledged).
    Torn {
        at: usize,
    },
}

/// Damage found in the log: byte offset of the bad record and what is wrong with it.
type LogDamage = (usize, String);

/// Frames the log: every whole record's payload range, and how the file ends; or the
/// first damage.
fn frame_log(bytes: &[u8]) -> Result<(Vec<std::ops::Range<usize>>, LogEnd), LogDamage> {
    let mut frames = Vec::new();
    let mut at = 0usize;
    while at < bytes.len() {
        let Some(header) = bytes.get(at..at + 8) else {
            // A header cut short by the end of the file.
            return Ok((frames, LogEnd::Torn { at }));
        };
        let len = u32::from_le_bytes(header[..4].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_le_bytes(header[4..].try_into().expect("4 bytes"));
        if len == 0 {
            // No record is empty: zeros from here to the end are an interrupted append
            // (the file grew before its data reached the disk); anything else is damage.
            if bytes[at..].iter().all(|b| *b == 0) {
                return Ok((frames, LogEnd::Torn { at }));
            }
            return Err((at, "a record of length 0 followed by non-zero bytes".into()));
        }
        let end = at.saturating_add(8).saturating_add(len);
        let Some(payload) = bytes.get(at + 8..end) else {
            // Cut short by the end of the file: an interrupted append, unless whole
            // records lie behind it (then the length field itself is damaged).
            if let Some(reason) = whole_record_behind(bytes, at, len, crc) {
                return Err((at, reason));
            }
            return Ok((frames, LogEnd::Torn { at }));
        };
        if crc32fast::hash(payload) != crc {
            return Err((at, format!("the CRC of a whole record of {len} bytes does not match")));
        }
        frames.push(at + 8..end);
        at = end;
    }
    Ok((frames, LogEnd::Clean))
}

/// Whether the bytes after a record header at `at` whose length `len` reaches past the end
/// of the file hold whole records, which an interrupted append cannot leave (it writes
/// records in order, so nothing after a record cut short can be whole): the record itself
/// with a shorter length, or a later record.
fn whole_record_behind(bytes: &[u8], at: usize, len: usize, crc: u32) -> Option<String> {
    let rest = &bytes[at + 8..];
    let mut hasher = crc32fast::Hasher::new();
    for (i, byte) in rest.iter().take(MAX_RECORD_BYTES).enumerate() {
        hasher.update(std::slice::from_ref(byte));
        if hasher.clone().finalize() == crc && decode::<LogRecord>(&rest[..=i]).is_ok() {
            return Some(format!(
                "the length field says {len} bytes, past the end of the file, but the record is whole with {} bytes \
                 (a damaged length field)",
                i + 1
            ));
        }
    }
    for p in at + 1..bytes.len().saturating_sub(8) {
        let len = u32::from_le_bytes(bytes[p..p + 4].try_into().expect("4 bytes")) as usize;
        if len == 0 || len > MAX_RECORD_BYTES {
            continue;
        }
        let Some(payload) = bytes.get(p + 8..p + 8 + len) else { continue };
        // A record starts with its variant tag (0 or 1): a cheap filter before the CRC.
        if payload[0] > 1 {
            continue;
        }
        let crc = u32::from_le_bytes(bytes[p + 4..p + 8].try_into().expect("4 bytes"));
        if crc32fast::hash(payload) == crc && decode::<LogRecord>(payload).is_ok() {
            return Some(format!(
                "the length field says {len} bytes, past the end of the file, but a whole record follows at byte {p}"
            ));
        }
    }
    None
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
        let bytes = std::fs::read(path).map_err(io)?;
        // Every record must decode too: the file is checked whole before anything is cut.
        let good = log.frames(&bytes, &mut |_| Ok(()))?;
        if good < bytes.len() {
            log.keep_aside(&bytes[good..], good)?;
            log.file.set_len(good as u64).map_err(io)?;
            log.file.sync_all().map_err(io)?;
        }
        log.len = good as u64;
        Ok(log)
    }

    fn damaged(&self, (offset, reason): LogDamage) -> StoreError {
        StoreError::Damaged { path: self.path.display().to_string(), offset: offset as u64, reason }
    }

    /// Visits every record of `bytes`, decoded; returns the length of the whole records
    /// (what follows is an interrupted append), or the damage.
    fn frames(
        &self,
        bytes: &[u8],
        visit: &mut dyn FnMut(LogRecord) -> Result<(), StoreError>,
    ) -> Result<usize, StoreError> {
        let (frames, end) = frame_log(bytes).map_err(|d| self.damaged(d))?;
        for range in frames {
            let record = decode::<LogRecord>(&bytes[range.clone()])
                .map_err(|e| self.damaged((range.start - 8, format!("a record does not decode: {e}"))))?;
            visit(record)?;
        }
        Ok(match end {
            LogEnd::Clean => bytes.len(),
            LogEnd::Torn { at } => at,
        })
    }

    /// Copies the bytes of an interrupted append to `accepted.log.cut-<offset>` (a new
    /// file, synced, its name synced) before they are cut.
    fn keep_aside(&self, tail: &[u8], offset: usize) -> Result<PathBuf, StoreError> {
        use std::io::Write;
        let dir = self.path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let name = self.path.file_name().and_then(|n| n.to_str()).unwrap_or("accepted.log");
        let io = |path: &Path| {
            let path = path.display().to_string();
            move |source| StoreError::Io { path: path.clone(), source }
        };
        for n in 0u32.. {
            let aside = if n == 0 {
                dir.join(format!("{name}.cut-{offset}"))
            } else {
                dir.join(format!("{name}.cut-{offset}-{n}"))
            };
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = match options.open(&aside) {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io(&aside)(e)),
            };
            file.write_all(tail).and_then(|()| file.sync_all()).map_err(io(&aside))?;
            std::fs::File::open(&dir).and_then(|d| d.sync_all()).map_err(io(&dir))?;
            return Ok(aside);
        }
        unreachable!("some name is free")
    }

    fn read(&self, visit: &mut dyn FnMut(LogRecord) -> Result<(), StoreError>) -> Result<(), StoreError> {
        let bytes = std::fs::read(&self.path)
            .map_err(|source| StoreError::Io { path: self.path.display().to_string(), source })?;
        let len = usize::try_from(self.len).unwrap_or(usize::MAX).min(bytes.len());
        self.frames(&bytes[..len], visit)?;
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

    fn note_kiosk(&mut self, kiosk: &KioskRecord) -> Result<(), StoreError> {
        self.kiosks.insert(kiosk.id.as_bytes(), encode_json(kiosk)?)?;
        Ok(())
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

    fn sessions(&self) -> Result<Vec<SessionRecord>, StoreError> {
        self.sessions.iter().values().map(|v| decode_json(&v?)).collect()
    }

    fn put_session(&mut self, session: &SessionRecord) -> Result<(), StoreError> {
        self.sessions.insert(session.token_hash.as_bytes(), encode_json(session)?)?;
        self.sync()
    }

    fn remove_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        self.sessions.remove(token_hash.as_bytes())?;
        self.sync()
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
    fn a_torn_tail_of_the_accepted_log_is_kept_aside_then_cut_on_open() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut store = SledStore::open(dir.path()).expect("open");
        store.commit(&Commit { log: vec![record(1), record(2)], quarantine: vec![] }).expect("commit");
        drop(store);
        // A crash in the middle of the next append.
        let path = dir.path().join("accepted.log");
        let mut bytes = std::fs::read(&path).expect("read");
        let whole = bytes.len();
        let torn = [60, 0, 0, 0, 1, 2, 3, 4, 9, 9];
        bytes.extend_from_slice(&torn);
        std::fs::write(&path, &bytes).expect("write");
        let mut store = SledStore::open(dir.path()).expect("reopen");
        assert_eq!(read_all(&store), vec![record(1), record(2)]);
        assert_eq!(std::fs::metadata(&path).expect("meta").len(), whole as u64);
        let aside = dir.path().join(format!("accepted.log.cut-{whole}"));
        assert_eq!(std::fs::read(&aside).expect("kept aside"), torn);
        store.commit(&Commit { log: vec![record(3)], quarantine: vec![] }).expect("commit");
        drop(store);
        let store = SledStore::open(dir.path()).expect("reopen");
        assert_eq!(read_all(&store), vec![record(1), record(2), record(3)]);
    }

    /// A log of `n` records and the offset of each.
    fn log_of(dir: &Path, n: u64) -> (PathBuf, Vec<u8>, Vec<usize>) {
        let mut store = SledStore::open(dir).expect("open");
        store.commit(&Commit { log: (1..=n).map(record).collect(), quarantine: vec![] }).expect("commit");
        drop(store);
        let path = dir.join("accepted.log");
        let bytes = std::fs::read(&path).expect("read");
        let (frames, end) = frame_log(&bytes).expect("clean");
        assert_eq!(end, LogEnd::Clean);
        (path, bytes, frames.iter().map(|r| r.start - 8).collect())
    }

    fn refused_at(dir: &Path, offset: usize) -> String {
        let e = SledStore::open(dir).expect_err("a damaged log is refused");
        match &e {
            StoreError::Damaged { offset: at, .. } => assert_eq!(*at, offset as u64, "{e}"),
            other => panic!("not Damaged: {other}"),
        }
        let text = e.to_string();
        assert!(text.contains(&format!("offset {offset}")) && text.contains("backup"), "{text}");
        text
    }

    fn no_cut_files(dir: &Path) {
        for item in std::fs::read_dir(dir).expect("dir") {
            let name = item.expect("item").file_name();
            assert!(!name.to_string_lossy().contains(".cut-"), "{name:?}");
        }
    }

    #[test]
    fn a_flipped_byte_anywhere_but_the_tail_refuses_to_open_and_changes_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, bytes, offsets) = log_of(dir.path(), 5);
        // A payload byte, a CRC byte and a length byte (to a smaller length) of record 3,
        // and a payload byte of the last record.
        for (at, record) in [(offsets[2] + 20, 2), (offsets[2] + 5, 2), (offsets[2], 2), (offsets[4] + 30, 4)] {
            let mut bad = bytes.clone();
            bad[at] ^= 0x01;
            std::fs::write(&path, &bad).expect("write");
            refused_at(dir.path(), offsets[record]);
            assert_eq!(std::fs::read(&path).expect("read"), bad, "byte-identical");
            no_cut_files(dir.path());
        }
    }

    #[test]
    fn a_length_field_past_the_end_with_whole_records_behind_it_is_damage_not_a_torn_tail() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, bytes, offsets) = log_of(dir.path(), 5);
        for record in [2usize, 4] {
            // The length of a middle record, and of the last one, made to reach past the end.
            let mut bad = bytes.clone();
            bad[offsets[record] + 2] = 0x01;
            std::fs::write(&path, &bad).expect("write");
            let text = refused_at(dir.path(), offsets[record]);
            assert!(text.contains("length field"), "{text}");
            assert_eq!(std::fs::read(&path).expect("read"), bad);
            no_cut_files(dir.path());
        }
    }

    #[test]
    fn a_zero_length_record_before_data_and_an_undecodable_record_are_damage() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, bytes, offsets) = log_of(dir.path(), 3);
        let mut zeros_then_data = bytes.clone();
        zeros_then_data.extend_from_slice(&[0; 100]);
        zeros_then_data.extend_from_slice(&bytes[offsets[1]..]);
        std::fs::write(&path, &zeros_then_data).expect("write");
        let text = refused_at(dir.path(), bytes.len());
        assert!(text.contains("length 0"), "{text}");
        assert_eq!(std::fs::read(&path).expect("read"), zeros_then_data);
        // A record with a good CRC whose payload is not a log record (variant 7).
        let mut undecodable = bytes.clone();
        let payload = [7u8, 1, 2, 3];
        undecodable.extend_from_slice(&4u32.to_le_bytes());
        undecodable.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        undecodable.extend_from_slice(&payload);
        undecodable.extend_from_slice(&[60, 0, 0]);
        std::fs::write(&path, &undecodable).expect("write");
        let text = refused_at(dir.path(), bytes.len());
        assert!(text.contains("does not decode"), "{text}");
        assert_eq!(std::fs::read(&path).expect("read"), undecodable);
        no_cut_files(dir.path());
    }

    #[test]
    fn trailing_zeros_and_a_partial_header_are_kept_aside_and_cut() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (path, bytes, _) = log_of(dir.path(), 3);
        for (n, tail) in [vec![0u8; 4096], vec![0u8; 3], vec![0x2a, 0, 0]].into_iter().enumerate() {
            let mut grown = bytes.clone();
            grown.extend_from_slice(&tail);
            std::fs::write(&path, &grown).expect("write");
            let store = SledStore::open(dir.path()).expect("opens");
            assert_eq!(read_all(&store), vec![record(1), record(2), record(3)]);
            drop(store);
            assert_eq!(std::fs::read(&path).expect("read"), bytes);
            let name = if n == 0 {
                format!("accepted.log.cut-{}", bytes.len())
            } else {
                format!("accepted.log.cut-{}-{n}", bytes.len())
            };
            assert_eq!(std::fs::read(dir.path().join(name)).expect("kept aside"), tail);
        }
    }
}
