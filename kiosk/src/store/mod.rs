//! Where a kiosk keeps its data, behind the small [`Store`] trait.
//!
//! Three kinds of data, with different durability:
//! - **the signed log** (the truth): an append-only file of framed records; an append is
//!   reported only after `fdatasync` (`File::sync_data`);
//! - **projections** (derived, may lag the log): key-value trees (sled), caught up from
//!   the log on open; losing them loses nothing;
//! - **blobs**: small local files (password hashes, sync state, the center's snapshot)
//!   replaced atomically and durably (write, fsync, rename, fsync the folder).
//!
//! [`DiskStore`] is the implementation; tests wrap it to simulate a full disk.
//!
//! Here: the trait, its trees, blobs and errors, and the data folder's [`Layout`];
//! `disk.rs` is [`DiskStore`]; `files.rs` holds the durable file writes both rely on.

use std::io;
use std::path::{Path, PathBuf};

use rules::{Lang, Localized};

use crate::errors::text;

mod disk;
mod files;

pub use disk::{DiskStore, STALE_MARKER};
#[cfg_attr(not(feature = "gui"), allow(unused_imports))]
pub(crate) use files::write_private_file;
pub(crate) use files::{create_private_dir, sync_dir, write_atomically};

/// A projection tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tree {
    /// Registration number (= application id) → application JSON.
    Applications,
    /// `child IIN \0 id` → empty.
    ByIin,
    /// Direction number → application id.
    ByDirection,
    /// `registration sort key \0 id` → empty (the journal's order).
    ByRegistered,
    /// Places record id → places record JSON.
    Places,
    /// Application id → `{status, voucher}` JSON, for applications holding a voucher.
    Vouchers,
    /// `application id \0 u64 BE seq` → history item JSON.
    History,
    /// Sync cursor, sync state JSON and the latest center snapshot (mirrors of the blobs).
    Sync,
    /// `projected_seq` (u64 BE) and the projection format.
    Meta,
}

impl Tree {
    pub const ALL: [Tree; 9] = [
        Tree::Applications,
        Tree::ByIin,
        Tree::ByDirection,
        Tree::ByRegistered,
        Tree::Places,
        Tree::Vouchers,
        Tree::History,
        Tree::Sync,
        Tree::Meta,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Tree::Applications => "applications",
            Tree::ByIin => "by_iin",
            Tree::ByDirection => "by_direction",
            Tree::ByRegistered => "by_registered",
            Tree::Places => "places",
            Tree::Vouchers => "vouchers",
            Tree::History => "history",
            Tree::Sync => "sync",
            Tree::Meta => "meta",
        }
    }

    fn index(self) -> usize {
        Tree::ALL.iter().position(|t| *t == self).expect("every tree is in ALL")
    }
}

/// A small file replaced atomically and durably.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Blob {
    /// `login → argon2id PHC string`, local only.
    Passwords,
    /// The sync cursor and times of the last contact with the center.
    SyncState,
    /// The latest center snapshot, as received.
    Snapshot,
    /// The model folded from the log up to an entry, signed (`service/checkpoint/`):
    /// derived, ignored unless it matches the log, written at a clean close.
    Checkpoint,
}

impl Blob {
    pub fn relative_path(self) -> &'static str {
        match self {
            Blob::Passwords => "local/passwords.json",
            Blob::SyncState => "sync/state.json",
            Blob::Snapshot => "sync/snapshot.bin",
            Blob::Checkpoint => "local/checkpoint.bin",
        }
    }
}

/// One write of a projection batch: a put (`Some`) or a removal (`None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Put {
    pub tree: Tree,
    pub key: Vec<u8>,
    pub value: Option<Vec<u8>>,
}

/// Writes to projection trees. Every write is idempotent (the same batch may be applied
/// twice after a crash), so a batch need not be atomic across trees: `projected_seq`,
/// when set, is written after everything else.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectionBatch {
    pub puts: Vec<Put>,
    pub projected_seq: Option<u64>,
}

impl ProjectionBatch {
    pub fn put(&mut self, tree: Tree, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.puts.push(Put { tree, key: key.into(), value: Some(value.into()) });
    }
    pub fn remove(&mut self, tree: Tree, key: impl Into<Vec<u8>>) {
        self.puts.push(Put { tree, key: key.into(), value: None });
    }
    pub fn is_empty(&self) -> bool {
        self.puts.is_empty() && self.projected_seq.is_none()
    }
    /// Appends `later` after this batch (later writes win).
    pub fn merge(&mut self, later: ProjectionBatch) {
        self.puts.extend(later.puts);
        if later.projected_seq.is_some() {
            self.projected_seq = later.projected_seq;
        }
    }
}

/// A key and its value, as read from a projection tree.
pub type KeyValue = (Vec<u8>, Vec<u8>);

/// Key in the meta tree holding the last projected sequence number (u64 BE).
pub const META_PROJECTED_SEQ: &[u8] = b"projected_seq";
/// Key in the meta tree holding the projection format.
pub const META_FORMAT: &[u8] = b"format";

/// Projection format: bump to force a rebuild when the projection layout changes.
pub const PROJECTION_FORMAT: &[u8] = b"kezek-kiosk-projections-2";

/// A storage operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("storage: {operation}: {detail}")]
pub struct StoreError {
    /// What was being done (`append log`, `write blob sync/state.json`, …).
    pub operation: String,
    pub kind: io::ErrorKind,
    pub detail: String,
}

impl StoreError {
    pub fn io(operation: impl Into<String>, error: &io::Error) -> Self {
        StoreError { operation: operation.into(), kind: error.kind(), detail: error.to_string() }
    }
    pub fn other(operation: impl Into<String>, detail: impl Into<String>) -> Self {
        StoreError { operation: operation.into(), kind: io::ErrorKind::Other, detail: detail.into() }
    }
    pub fn is_disk_full(&self) -> bool {
        self.kind == io::ErrorKind::StorageFull || self.kind == io::ErrorKind::QuotaExceeded
    }
}

impl Localized for StoreError {
    fn code(&self) -> &'static str {
        if self.is_disk_full() { "DISK_FULL" } else { "STORAGE_ERROR" }
    }
    fn message(&self, lang: Lang) -> String {
        text(
            lang,
            self.code(),
            &[("operation", self.operation.as_str().into()), ("detail", self.detail.as_str().into())],
        )
    }
}

/// The storage a [`crate::Kiosk`] runs on.
pub trait Store: Send {
    /// Bytes in the log file.
    fn log_len(&self) -> u64;
    /// The log from byte `from` up to byte `to` (or its end, if shorter).
    fn read_log(&self, from: u64, to: u64) -> Result<Vec<u8>, StoreError>;
    /// Appends `bytes` to the log and makes them durable (`fdatasync`) before returning
    /// `Ok`. On `Err` some prefix of `bytes` may have been written: the caller cuts the
    /// log back with [`Store::truncate_log`].
    fn append_log(&mut self, bytes: &[u8]) -> Result<(), StoreError>;
    /// Cuts the log to `len` bytes, durably.
    fn truncate_log(&mut self, len: u64) -> Result<(), StoreError>;

    /// Applies projection writes (idempotent; `projected_seq` last).
    fn apply(&mut self, batch: &ProjectionBatch) -> Result<(), StoreError>;
    /// Empties every projection tree (before a rebuild).
    fn clear_projections(&mut self) -> Result<(), StoreError>;
    fn get(&self, tree: Tree, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
    /// Every `(key, value)` whose key starts with `prefix`, in key order.
    fn scan(&self, tree: Tree, prefix: &[u8]) -> Result<Vec<KeyValue>, StoreError>;
    /// Writes projections out (not a durability promise: they are rebuilt from the log).
    fn flush_projections(&mut self) -> Result<(), StoreError>;

    fn read_blob(&self, blob: Blob) -> Result<Option<Vec<u8>>, StoreError>;
    /// Replaces a blob atomically and durably.
    fn write_blob(&mut self, blob: Blob, bytes: &[u8]) -> Result<(), StoreError>;

    /// Things worth telling about the store's state (e.g. projections reset), if any.
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
}

/// Paths inside a kiosk's data folder.
#[derive(Debug, Clone)]
pub struct Layout {
    pub root: PathBuf,
}

impl Layout {
    pub fn new(root: &Path) -> Self {
        Layout { root: root.to_path_buf() }
    }
    pub fn identity(&self) -> PathBuf {
        self.root.join("kiosk.json")
    }
    pub fn key(&self) -> PathBuf {
        self.root.join("kiosk.key")
    }
    pub fn lock(&self) -> PathBuf {
        self.root.join("lock")
    }
    pub fn log_dir(&self) -> PathBuf {
        self.root.join("log")
    }
    pub fn log(&self) -> PathBuf {
        self.log_dir().join("entries.bin")
    }
    pub fn db(&self) -> PathBuf {
        self.root.join("db")
    }
    pub fn blob(&self, blob: Blob) -> PathBuf {
        self.root.join(blob.relative_path())
    }
}
