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
//! Durability: a write returns only after the data is on disk. sled's `flush()` alone is
//! not power-safe on Linux (it only calls `sync_file_range`), so [`SledStore`] flushes and
//! then `fdatasync`s every file of the database directory and `fsync`s the directories.

use std::path::{Path, PathBuf};

use changelog::sync::{ClockFlag, QuarantineNote};
use rules::command::Role;
use rules::Instant;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store: {0}")]
    Db(String),
    #[error("store file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("store record is damaged: {0}")]
    Corrupt(String),
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
    log: sled::Tree,
    kiosks: sled::Tree,
    operators: sled::Tree,
    quarantine: sled::Tree,
    reviews: sled::Tree,
    next_log: u64,
    /// Size and modification time of each file at the last sync: unchanged files are not synced again.
    synced: std::collections::HashMap<PathBuf, (u64, Option<std::time::SystemTime>)>,
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
    /// Opens (or creates) the database in `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        // No background flusher thread: every write is flushed and synced by us, and the
        // center stays on the cores it is given.
        let db = sled::Config::new().path(path).flush_every_ms(None).open()?;
        let log = db.open_tree("log")?;
        let next_log = match log.last()? {
            Some((key, _)) => u64::from_be_bytes(key.as_ref().try_into().map_err(|_| StoreError::Corrupt("log key".into()))?) + 1,
            None => 0,
        };
        Ok(SledStore {
            path: path.to_owned(),
            kiosks: db.open_tree("kiosks")?,
            operators: db.open_tree("operators")?,
            quarantine: db.open_tree("quarantine")?,
            reviews: db.open_tree("reviews")?,
            log,
            db,
            next_log,
            synced: std::collections::HashMap::new(),
        })
    }

    /// Flushes sled, then fdatasyncs its files that changed since the last sync, and fsyncs
    /// a directory when its list of files changed.
    fn sync(&mut self) -> Result<(), StoreError> {
        self.db.flush()?;
        let mut seen = std::collections::HashMap::new();
        sync_changed(&self.path, &self.synced, &mut seen)?;
        self.synced = seen;
        Ok(())
    }
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
        for value in self.log.iter().values() {
            visit(decode(&value?)?)?;
        }
        Ok(())
    }

    fn commit(&mut self, commit: &Commit) -> Result<(), StoreError> {
        if commit.log.is_empty() && commit.quarantine.is_empty() {
            return Ok(());
        }
        let mut batch = sled::Batch::default();
        let mut next = self.next_log;
        for record in &commit.log {
            batch.insert(&next.to_be_bytes(), encode(record)?);
            next += 1;
        }
        for q in &commit.quarantine {
            let mut key = q.note.kiosk.as_bytes().to_vec();
            key.push(0);
            key.extend_from_slice(&q.note.seq.to_be_bytes());
            key.extend_from_slice(q.note.entry_hash.as_deref().unwrap_or(&q.note.code).as_bytes());
            if !self.quarantine.contains_key(&key)? {
                self.quarantine.insert(key, encode_json(q)?)?;
            }
        }
        self.log.apply_batch(batch)?;
        self.sync()?;
        self.next_log = next;
        Ok(())
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
