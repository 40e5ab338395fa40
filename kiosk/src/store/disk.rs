//! [`DiskStore`], the store on disk: the log file (appends `fdatasync`'ed), sled for the
//! projections (opened in the background, its failures and panics contained: a failed
//! sled marks the projections stale for a rebuild from the log) and the blob files.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;

use super::{
    Blob, KeyValue, Layout, META_FORMAT, META_PROJECTED_SEQ, PROJECTION_FORMAT, ProjectionBatch, Store, StoreError,
    Tree, create_private_dir, sync_dir, write_atomically,
};

impl StoreError {
    fn sled(operation: impl Into<String>, error: &sled::Error) -> Self {
        match error {
            sled::Error::Io(e) => StoreError::io(operation, e),
            other => StoreError::other(operation, other.to_string()),
        }
    }
}

/// The sled side of [`DiskStore`].
struct Sled {
    db: sled::Db,
    trees: Vec<sled::Tree>,
    reset_note: Option<String>,
}

/// The on-disk store: `log/entries.bin`, sled in `db/`, blobs under `local/` and `sync/`.
///
/// sled is opened on a background thread (it takes a while on a large database) and joined
/// on the first projection access, so that opening a kiosk reads and checks its log
/// meanwhile.
pub struct DiskStore {
    layout: Layout,
    log: File,
    log_len: u64,
    sled: OnceLock<Result<Sled, StoreError>>,
    opening: Mutex<Option<JoinHandle<Result<Sled, StoreError>>>>,
    /// sled failed in this run: the projections are stale (marked on disk for a rebuild at
    /// the next start) and sled is not called again.
    failed: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for DiskStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiskStore")
            .field("root", &self.layout.root)
            .field("log_len", &self.log_len)
            .finish_non_exhaustive()
    }
}

/// Name of the marker file (in the data folder) that says the projections must be rebuilt
/// from the log: written when sled failed during a run.
pub const STALE_MARKER: &str = "db.stale";

/// Opens sled. Projections marked stale by a failed run are deleted first (they are rebuilt
/// from the log); a database that cannot be opened is moved aside and recreated.
fn open_projections(root: &Path) -> Result<Sled, StoreError> {
    quiet_sled_panics();
    let db_path = root.join("db");
    let marker = root.join(STALE_MARKER);
    let mut notes = Vec::new();
    if marker.exists() {
        match fs::remove_dir_all(&db_path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::io("delete stale projections", &e)),
        }
        notes.push("projections were marked stale by a failed run; they are rebuilt from the log".to_owned());
    }
    let db = match open_sled_waiting(&db_path) {
        Ok(db) => db,
        Err(first) => {
            let stamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default();
            let aside = (0u32..10_000)
                .map(|n| {
                    if n == 0 {
                        root.join(format!("db.broken-{stamp}"))
                    } else {
                        root.join(format!("db.broken-{stamp}-{n}"))
                    }
                })
                .find(|p| !p.exists())
                .expect("some name is free");
            fs::rename(&db_path, &aside)
                .map_err(|e| StoreError::io("move the damaged projection database aside", &e))?;
            let db = catch_sled(|| open_sled(&db_path)).map_err(|e| StoreError::other("open projections", e))?;
            notes.push(format!("projection database could not be opened ({first}); moved to {}", aside.display()));
            db
        }
    };
    let trees = Tree::ALL
        .iter()
        .map(|t| catch_sled(|| db.open_tree(t.name())).map_err(|e| StoreError::other("open projection tree", e)))
        .collect::<Result<Vec<_>, _>>();
    let trees = match trees {
        Ok(trees) => trees,
        Err(e) => {
            // Never dropped: sled's drop may sync again and panic, or wait forever.
            std::mem::forget(db);
            return Err(e);
        }
    };
    if marker.exists() {
        fs::remove_file(&marker)
            .and_then(|()| sync_dir(root))
            .map_err(|e| StoreError::io("remove the stale projections marker", &e))?;
    }
    Ok(Sled { db, trees, reset_note: (!notes.is_empty()).then(|| notes.join("; ")) })
}

/// How long opening the projections waits for sled's own file lock: the previous holder in
/// this process (a kiosk just closed) may still be letting go of it.
const SLED_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens sled, waiting up to [`SLED_LOCK_WAIT`] while another holder still has its file
/// lock; any other failure is returned at once (and the caller moves the database aside).
fn open_sled_waiting(db_path: &Path) -> Result<sled::Db, String> {
    let started = std::time::Instant::now();
    loop {
        match catch_sled(|| open_sled(db_path)) {
            Err(e) if e.contains("could not acquire lock") && started.elapsed() < SLED_LOCK_WAIT => {
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            other => return other,
        }
    }
}

/// Runs a sled call; its error or its panic (sled 0.34 panics on some I/O failures, e.g. a
/// failed sync in its drop) becomes a message.
fn catch_sled<T>(f: impl FnOnce() -> sled::Result<T>) -> Result<T, String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(e.to_string()),
        Err(panic) => Err(format!("the projection database failed: {}", panic_text(panic.as_ref()))),
    }
}

fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_owned())
}

/// sled's panics are caught ([`catch_sled`], [`DiskStore::guarded`]) and reported as typed
/// errors: the default hook must not print them as if the program had crashed. Other
/// panics print as before.
fn quiet_sled_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_sled = info.location().is_some_and(|l| l.file().contains("/sled-0.34"));
            if !in_sled {
                previous(info);
            }
        }));
    });
}

/// How long a sled flush (or its final drop) may take before the projections are given up
/// for this run: a failed write inside sled can leave a flush waiting forever.
const SLED_FLUSH_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs `f` on its own thread, waiting at most [`SLED_FLUSH_LIMIT`]; `Err` on timeout, an
/// error or a panic. A thread that never finishes is left behind (it holds only sled).
fn bounded(operation: &str, f: impl FnOnce() -> sled::Result<()> + Send + 'static) -> Result<(), StoreError> {
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new().name("projections".into()).spawn(move || {
        let _ = tx.send(catch_sled(f));
    });
    if let Err(e) = spawned {
        return Err(StoreError::io(operation, &e));
    }
    match rx.recv_timeout(SLED_FLUSH_LIMIT) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(StoreError::other(operation, e)),
        Err(_) => Err(StoreError::other(
            operation,
            format!("the projection database did not answer within {} s", SLED_FLUSH_LIMIT.as_secs()),
        )),
    }
}

impl DiskStore {
    /// Opens (creating if needed) the store in `root`.
    pub fn open(root: &Path) -> Result<Self, StoreError> {
        let layout = Layout::new(root);
        let log_dir = layout.log_dir();
        create_private_dir(&log_dir).map_err(|e| StoreError::io("create log folder", &e))?;
        let sled_root = root.to_path_buf();
        let opening = std::thread::Builder::new()
            .name("open-projections".into())
            .spawn(move || open_projections(&sled_root))
            .map_err(|e| StoreError::io("start opening projections", &e))?;
        let log_path = layout.log();
        let existed = log_path.exists();
        let mut options = OpenOptions::new();
        options.read(true).append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let log = options.open(&log_path).map_err(|e| StoreError::io("open log", &e))?;
        if !existed {
            log.sync_all().map_err(|e| StoreError::io("create log", &e))?;
            sync_dir(&log_dir).map_err(|e| StoreError::io("create log", &e))?;
        }
        let log_len = log.metadata().map_err(|e| StoreError::io("read log size", &e))?.len();
        Ok(DiskStore {
            layout,
            log,
            log_len,
            sled: OnceLock::new(),
            opening: Mutex::new(Some(opening)),
            failed: std::sync::atomic::AtomicBool::new(false),
        })
    }

    fn sled(&self) -> Result<&Sled, StoreError> {
        self.sled
            .get_or_init(|| {
                let handle = self.opening.lock().ok().and_then(|mut h| h.take());
                match handle {
                    Some(h) => h
                        .join()
                        .unwrap_or_else(|_| Err(StoreError::other("open projections", "the opening thread failed"))),
                    None => Err(StoreError::other("open projections", "not started")),
                }
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Runs a sled call. An error or a panic marks the projections stale: no more sled
    /// calls in this run, and the next start rebuilds them from the log (the log, the
    /// truth, is never touched by this).
    fn guarded<T>(&self, operation: &str, f: impl FnOnce(&Sled) -> sled::Result<T>) -> Result<T, StoreError> {
        use std::sync::atomic::Ordering;
        if self.failed.load(Ordering::SeqCst) {
            return Err(StoreError::other(
                operation,
                "the projection database failed earlier in this run; it is rebuilt from the log at the next start",
            ));
        }
        let sled = match self.sled() {
            Ok(sled) => sled,
            Err(e) => {
                self.mark_stale();
                return Err(e);
            }
        };
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(sled))) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => {
                self.mark_stale();
                Err(StoreError::sled(operation, &e))
            }
            Err(panic) => {
                self.mark_stale();
                Err(StoreError::other(
                    operation,
                    format!("the projection database failed: {}", panic_text(panic.as_ref())),
                ))
            }
        }
    }

    /// Stops using sled for this run and leaves a marker for a rebuild at the next start
    /// (best effort: on a full disk even the marker may not be written; the projections
    /// then catch up from their recorded log position, as after any crash).
    fn mark_stale(&self) {
        use std::sync::atomic::Ordering;
        if self.failed.swap(true, Ordering::SeqCst) {
            return;
        }
        let marker = self.layout.root.join(STALE_MARKER);
        let _ = File::create(&marker).and_then(|f| f.sync_all()).and_then(|()| sync_dir(&self.layout.root));
    }
}

fn open_sled(path: &Path) -> sled::Result<sled::Db> {
    sled::Config::new()
        .path(path)
        .cache_capacity(64 * 1024 * 1024)
        // No periodic flusher: it would fsync sled's file every few seconds, competing
        // with the log's fdatasync. Projections need no durability of their own (they are
        // caught up from the log); `close` and drop flush them.
        .flush_every_ms(None)
        .open()
}

impl Store for DiskStore {
    fn log_len(&self) -> u64 {
        self.log_len
    }

    fn read_log(&self, from: u64, to: u64) -> Result<Vec<u8>, StoreError> {
        let mut file = &self.log;
        let want = self.log_len.min(to).saturating_sub(from);
        file.seek(SeekFrom::Start(from)).map_err(|e| StoreError::io("read log", &e))?;
        let mut out = Vec::with_capacity(usize::try_from(want).unwrap_or(0));
        file.take(want).read_to_end(&mut out).map_err(|e| StoreError::io("read log", &e))?;
        Ok(out)
    }

    fn append_log(&mut self, bytes: &[u8]) -> Result<(), StoreError> {
        let mut file = &self.log;
        file.write_all(bytes).map_err(|e| StoreError::io("append to log", &e))?;
        self.log.sync_data().map_err(|e| StoreError::io("fdatasync log", &e))?;
        self.log_len += bytes.len() as u64;
        Ok(())
    }

    fn truncate_log(&mut self, len: u64) -> Result<(), StoreError> {
        self.log.set_len(len).map_err(|e| StoreError::io("cut log", &e))?;
        self.log.sync_all().map_err(|e| StoreError::io("cut log", &e))?;
        self.log_len = len;
        Ok(())
    }

    fn apply(&mut self, batch: &ProjectionBatch) -> Result<(), StoreError> {
        let mut per_tree: Vec<Option<sled::Batch>> = (0..Tree::ALL.len()).map(|_| None).collect();
        for put in &batch.puts {
            let b = per_tree[put.tree.index()].get_or_insert_with(sled::Batch::default);
            match &put.value {
                Some(v) => b.insert(put.key.as_slice(), v.as_slice()),
                None => b.remove(put.key.as_slice()),
            }
        }
        self.guarded("update projections", |sled| {
            for (i, b) in per_tree.into_iter().enumerate() {
                if let Some(b) = b {
                    sled.trees[i].apply_batch(b)?;
                }
            }
            if let Some(seq) = batch.projected_seq {
                let meta = &sled.trees[Tree::Meta.index()];
                meta.insert(META_FORMAT, PROJECTION_FORMAT)?;
                meta.insert(META_PROJECTED_SEQ, &seq.to_be_bytes())?;
            }
            Ok(())
        })
    }

    fn clear_projections(&mut self) -> Result<(), StoreError> {
        // Meta first: an interrupted clear leaves "nothing projected", never stale data
        // claimed as current.
        self.guarded("clear projections", |sled| {
            sled.trees[Tree::Meta.index()].clear()?;
            for tree in &sled.trees {
                tree.clear()?;
            }
            Ok(())
        })
    }

    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.guarded("read projections", |sled| sled.trees[tree.index()].get(key).map(|v| v.map(|v| v.to_vec())))
    }

    fn scan(&self, tree: Tree, prefix: &[u8]) -> Result<Vec<KeyValue>, StoreError> {
        self.guarded("read projections", |sled| {
            sled.trees[tree.index()].scan_prefix(prefix).map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec()))).collect()
        })
    }

    fn flush_projections(&mut self) -> Result<(), StoreError> {
        let db = self.guarded("flush projections", |sled| Ok(sled.db.clone()))?;
        let flushed = bounded("flush projections", move || db.flush().map(|_| ()));
        if flushed.is_err() {
            self.mark_stale();
        }
        flushed
    }

    fn read_blob(&self, blob: Blob) -> Result<Option<Vec<u8>>, StoreError> {
        match fs::read(self.layout.blob(blob)) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(StoreError::io(format!("read {}", blob.relative_path()), &e)),
        }
    }

    fn write_blob(&mut self, blob: Blob, bytes: &[u8]) -> Result<(), StoreError> {
        let path = self.layout.blob(blob);
        let io = |e: &io::Error| StoreError::io(format!("write {}", blob.relative_path()), e);
        if let Some(dir) = path.parent() {
            create_private_dir(dir).map_err(|e| io(&e))?;
        }
        write_atomically(&path, bytes).map_err(|e| io(&e))
    }

    fn notes(&self) -> Vec<String> {
        match self.sled() {
            Ok(sled) => sled.reset_note.iter().cloned().collect(),
            Err(e) => vec![e.to_string()],
        }
    }
}

impl Drop for DiskStore {
    /// Flushes and closes sled on a bounded helper thread: sled's own drop syncs once more
    /// and panics when that fails, and a failed write inside sled can leave its flush
    /// waiting forever. After a failure in this run sled is not touched at all.
    fn drop(&mut self) {
        use std::sync::atomic::Ordering;
        let Some(Ok(sled)) = self.sled.take() else { return };
        if self.failed.load(Ordering::SeqCst) {
            std::mem::forget(sled);
            return;
        }
        let closed = bounded("close projections", move || {
            sled.db.flush()?;
            drop(sled);
            Ok(())
        });
        if closed.is_err() {
            self.mark_stale();
        }
    }
}

#[cfg(all(test, unix))]
#[allow(clippy::unwrap_used)] // A failed unwrap is a failed test.
mod tests {
    use super::*;

    #[test]
    fn projections_marked_stale_are_dropped_at_the_next_open_and_the_log_is_kept() {
        let root = tempfile::tempdir().unwrap();
        let mut store = DiskStore::open(root.path()).unwrap();
        store.append_log(b"log bytes").unwrap();
        let mut batch = ProjectionBatch::default();
        batch.put(Tree::Applications, b"A-1".to_vec(), b"{}".to_vec());
        batch.projected_seq = Some(1);
        store.apply(&batch).unwrap();
        // A failure in this run: sled is not called again, and a rebuild is asked for.
        store.mark_stale();
        assert!(store.get(Tree::Applications, b"A-1").is_err());
        assert!(root.path().join(STALE_MARKER).exists());
        drop(store);
        let store = DiskStore::open(root.path()).unwrap();
        assert_eq!(store.get(Tree::Applications, b"A-1").unwrap(), None, "nothing stale is read back");
        assert_eq!(store.get(Tree::Meta, META_PROJECTED_SEQ).unwrap(), None, "so the kiosk rebuilds from the log");
        assert!(store.notes().iter().any(|n| n.contains("stale")), "{:?}", store.notes());
        assert!(!root.path().join(STALE_MARKER).exists());
        assert_eq!(store.read_log(0, u64::MAX).unwrap(), b"log bytes");
    }
}
