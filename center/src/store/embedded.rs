//! The embedded store: the accepted log in an append-only file, the rest in sled.
//!
//! Durability: a write returns only after the data is on disk. The accepted log is
//! `fdatasync`ed after each append (group commit: one append per batch of uploads). sled's
//! `flush()` alone is not power-safe on Linux (it only calls `sync_file_range`), so
//! [`SledStore`] flushes and then `fdatasync`s the files of the database directory that
//! changed and `fsync`s directories that got new files.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::accepted_log::AcceptedLog;
use super::{
    CenterOperator, CenterStore, Commit, KioskRecord, LogRecord, QuarantineRecord, ReviewDecision, SessionRecord,
    StoreError,
};

impl From<sled::Error> for StoreError {
    fn from(e: sled::Error) -> Self {
        StoreError::Db(e.to_string())
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

/// Small records (registry, operators, notes) are JSON: readable and tolerant of new fields.
fn encode_json<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn decode_json<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Opens sled's database at `path`. Under the folder lock no other store has it open, but
/// sled gives its own file lock back only when its last handle is gone, which a store of
/// this process dropped a moment ago may not have done yet (`init` then `open`): so a lock
/// refusal is tried again for up to [`changelog::FOLDER_LOCK_WAIT`].
fn open_sled(path: &Path) -> Result<sled::Db, StoreError> {
    let started = std::time::Instant::now();
    loop {
        match sled::Config::new().path(path).flush_every_ms(None).open() {
            Err(sled::Error::Io(e))
                if e.to_string().starts_with("could not acquire lock")
                    && started.elapsed() < changelog::FOLDER_LOCK_WAIT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            // No background flusher thread: every write is flushed and synced by us, and
            // the center stays on the cores it is given.
            opened => return Ok(opened?),
        }
    }
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
        let db = open_sled(&sled_path)?;
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
