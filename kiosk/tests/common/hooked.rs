//! A kiosk store around the real one ([`DiskStore`]) whose writes first pass a hook: a full
//! disk, an I/O error, or a record that reached the log before its fdatasync failed,
//! injected where the test says.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use kiosk::{Blob, DiskStore, Kiosk, ProjectionBatch, Store, StoreError, Tree};

/// A write the kiosk asks of its store.
#[derive(Debug, Clone, Copy)]
pub enum Write<'a> {
    /// An append to the log, with its bytes.
    Append(&'a [u8]),
    /// The log cut back.
    Truncate,
    /// Projection writes.
    Apply,
    /// Every projection emptied.
    ClearProjections,
    /// A blob replaced.
    Blob,
}

/// The real store under a hook, for a hook that does part of a write it fails.
pub struct Disk {
    store: DiskStore,
    log: PathBuf,
}

impl Disk {
    /// Appends the first half of `bytes` to the log: a write cut short by a full disk.
    pub fn append_half(&mut self, bytes: &[u8]) {
        let _ = self.store.append_log(&bytes[..bytes.len() / 2]);
    }

    /// Writes all of `bytes` to the end of the log file behind the store's back (a write
    /// that reached the page cache), then gives the EIO its fdatasync failed with.
    pub fn written_then_sync_fails(&self, bytes: &[u8]) -> StoreError {
        let mut file = std::fs::OpenOptions::new().append(true).open(&self.log).unwrap();
        file.write_all(bytes).unwrap();
        StoreError::io("fdatasync log", &io::Error::from_raw_os_error(5))
    }
}

struct HookedStore<F> {
    disk: Disk,
    hook: F,
}

impl<F> Store for HookedStore<F>
where
    F: FnMut(&mut Disk, Write<'_>) -> Result<(), StoreError> + Send,
{
    fn log_len(&self) -> u64 {
        self.disk.store.log_len()
    }
    fn read_log(&self, from: u64, to: u64) -> Result<Vec<u8>, StoreError> {
        self.disk.store.read_log(from, to)
    }
    fn append_log(&mut self, bytes: &[u8]) -> Result<(), StoreError> {
        (self.hook)(&mut self.disk, Write::Append(bytes))?;
        self.disk.store.append_log(bytes)
    }
    fn truncate_log(&mut self, len: u64) -> Result<(), StoreError> {
        (self.hook)(&mut self.disk, Write::Truncate)?;
        self.disk.store.truncate_log(len)
    }
    fn apply(&mut self, batch: &ProjectionBatch) -> Result<(), StoreError> {
        (self.hook)(&mut self.disk, Write::Apply)?;
        self.disk.store.apply(batch)
    }
    fn clear_projections(&mut self) -> Result<(), StoreError> {
        (self.hook)(&mut self.disk, Write::ClearProjections)?;
        self.disk.store.clear_projections()
    }
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.disk.store.get(tree, key)
    }
    fn scan(&self, tree: Tree, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StoreError> {
        self.disk.store.scan(tree, prefix)
    }
    fn flush_projections(&mut self) -> Result<(), StoreError> {
        self.disk.store.flush_projections()
    }
    fn read_blob(&self, blob: Blob) -> Result<Option<Vec<u8>>, StoreError> {
        self.disk.store.read_blob(blob)
    }
    fn write_blob(&mut self, blob: Blob, bytes: &[u8]) -> Result<(), StoreError> {
        (self.hook)(&mut self.disk, Write::Blob)?;
        self.disk.store.write_blob(blob, bytes)
    }
}

/// Opens the kiosk in `dir` over its disk store with `hook` in front of every write: `Ok`
/// lets the write happen, `Err` fails it instead.
pub fn open_hooked<F>(dir: &Path, hook: F) -> Kiosk
where
    F: FnMut(&mut Disk, Write<'_>) -> Result<(), StoreError> + Send + 'static,
{
    let log = dir.join("log/entries.bin");
    Kiosk::open_with(dir, move |store| Box::new(HookedStore { disk: Disk { store, log }, hook })).unwrap()
}
