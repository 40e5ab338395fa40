//! The kiosk service: the [`Kiosk`] an office runs and the CLI and the GUI drive.
//!
//! Named `service` rather than `kiosk` (the crate's library is already `kiosk`, so
//! `kiosk::kiosk` would say nothing); everything public here is re-exported at the crate
//! root (`kiosk::Kiosk`, `kiosk::Receipt`, …). One responsibility per file:
//!
//! | file | what |
//! |---|---|
//! | `mod.rs` | the [`Kiosk`] itself, its clock and accessors, keeping projections written |
//! | `open.rs` | `init` and `open`: lock, identity, key, the log checked and replayed |
//! | `replay.rs` | the model folded from the log, and the replay that builds it |
//! | `checkpoint/` | the folded model kept on disk (signed, bound to the log), so an open replays only what came after |
//! | `accounts.rs` | logging in, adding and disabling operators |
//! | `commands.rs` | checking, deciding, signing and appending commands |
//! | `queries.rs` | applications, the journal, cards, places, `status`, `verify` |
//! | `sync.rs` | pending entries, export, the center's acks and snapshot |
//! | `rotation.rs` | the key file (with its passphrase) and key rotation |
//! | `demo.rs` | `demo-load` |

use std::fs::File;
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use changelog::{Hash, KioskKey, VerifyingKey, fingerprint};
use rules::model::Kindergarten;
use rules::time::kazakhstan_offset;
use rules::{Instant, State};

use crate::base::Base;
use crate::identity::Identity;
use crate::passwords::PasswordFile;
use crate::projection;
use crate::store::{Blob, Layout, ProjectionBatch, Store, StoreError, Tree};
use crate::sync::SyncState;

mod accounts;
mod checkpoint;
mod commands;
mod demo;
mod open;
mod queries;
mod replay;
pub mod rotation;
mod sync;

pub use commands::Receipt;
pub use demo::{DemoRejection, DemoReport};
pub use open::{InitParams, InitReport, LogHealth, OpenReport};
pub use queries::{Card, CardHistory, JournalRow, StatusReport, VerifyReport};
pub use replay::ReplayProblem;
pub use sync::ExportReport;

use replay::Model;

/// Writes per projection batch when catching up.
const CATCH_UP_CHUNK: usize = 5_000;

/// The kiosk clock: now, in Kazakhstan time, to the millisecond.
pub fn system_now() -> Instant {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = i64::try_from(since.as_secs()).unwrap_or(i64::MAX);
    let nanos = since.subsec_millis() * 1_000_000;
    let utc = chrono::DateTime::from_timestamp(secs, nanos).unwrap_or_default();
    Instant(utc.with_timezone(&kazakhstan_offset()))
}

/// A kiosk: its signed log, projections, operators and the rules state.
///
/// Single-threaded: a GUI keeps it on one thread (or behind a mutex). Every method that
/// writes returns only after the entry is durable (fdatasync'ed).
pub struct Kiosk {
    layout: Layout,
    identity: Identity,
    key: KioskKey,
    verifying: VerifyingKey,
    store: Box<dyn Store>,
    model: Model,
    passwords: PasswordFile,
    sync: SyncState,
    last_seq: u64,
    last_hash: Hash,
    /// `offsets[i]`: byte offset of the record of sequence `i + 1`.
    offsets: Vec<u64>,
    valid_len: u64,
    health: LogHealth,
    open_report: OpenReport,
    replay_problems: Vec<ReplayProblem>,
    conflicts: Vec<ReplayProblem>,
    /// The center snapshot the state is built on, if any.
    base: Option<Base>,
    /// The kindergarten directory before the first snapshot: none, or the demo one.
    offline_directory: &'static [Kindergarten],
    /// A write failed and could not be undone: nothing more is appended until reopened.
    poisoned: bool,
    /// Projection writes that failed, retried before the next ones.
    unprojected: Option<ProjectionBatch>,
    projection_error: Option<String>,
    clock: Box<dyn Fn() -> Instant + Send>,
    /// The entry the checkpoint on disk folds through, if it matches the log (0: none).
    checkpoint_seq: u64,
    _lock: File,
}

impl std::fmt::Debug for Kiosk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kiosk")
            .field("kiosk", &self.identity.kiosk_id)
            .field("data", &self.layout.root)
            .field("last_seq", &self.last_seq)
            .field("health", &self.health)
            .finish_non_exhaustive()
    }
}

impl Kiosk {
    /// Writes the application and places trees again from the state, marked with the base.
    fn reproject_state(&mut self) {
        let store = &self.store;
        let mut existing = |tree: Tree| -> Result<Vec<Vec<u8>>, StoreError> {
            Ok(store.scan(tree, b"")?.into_iter().map(|(k, _)| k).collect())
        };
        let marker = self.base.as_ref().map(|b| b.sha256.clone());
        match projection::reproject_state(&self.model.state, &mut existing, marker.as_deref()) {
            Ok(batch) => self.project(batch),
            Err(e) => self.projection_error = Some(e.to_string()),
        }
    }

    /// Writes projections; a failure is kept and retried before the next writes.
    fn project(&mut self, batch: ProjectionBatch) {
        let batch = match self.unprojected.take() {
            Some(mut earlier) => {
                earlier.merge(batch);
                earlier
            }
            None => batch,
        };
        match self.store.apply(&batch) {
            Ok(()) => self.projection_error = None,
            Err(e) => {
                self.projection_error = Some(e.to_string());
                self.unprojected = Some(batch);
            }
        }
    }

    fn mirror_sync_state(&mut self) {
        let json = self.sync.to_bytes();
        let mirrored = self.store.get(Tree::Sync, b"state").ok().flatten();
        if mirrored.as_deref() == Some(json.as_slice()) {
            return;
        }
        let mut batch = ProjectionBatch::default();
        batch.put(Tree::Sync, b"state".to_vec(), json);
        batch.put(Tree::Sync, b"cursor".to_vec(), self.sync.acknowledged_seq.to_be_bytes().to_vec());
        match self.store.read_blob(Blob::Snapshot) {
            Ok(Some(snapshot)) => batch.put(Tree::Sync, b"snapshot".to_vec(), snapshot),
            Ok(None) => batch.remove(Tree::Sync, b"snapshot".to_vec()),
            Err(_) => {}
        }
        self.project(batch);
    }

    /// Replaces the clock (tests, demo tools). Entries record what it returns.
    pub fn set_clock(&mut self, clock: impl Fn() -> Instant + Send + 'static) {
        self.clock = Box::new(clock);
    }

    pub fn now(&self) -> Instant {
        (self.clock)()
    }

    // ----------------------------------------------------------------- identity

    pub fn identity(&self) -> &Identity {
        &self.identity
    }
    pub fn public_key_hex(&self) -> String {
        self.key.public_hex()
    }
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.key.verifying())
    }
    pub fn data_dir(&self) -> &Path {
        &self.layout.root
    }
    pub fn health(&self) -> &LogHealth {
        &self.health
    }
    pub fn open_report(&self) -> &OpenReport {
        &self.open_report
    }
    pub fn replay_problems(&self) -> &[ReplayProblem] {
        &self.replay_problems
    }
    /// Entries not yet at the center that the rules refuse on its latest snapshot.
    pub fn conflicts(&self) -> &[ReplayProblem] {
        &self.conflicts
    }
    /// The rules state (read-only): queue positions, free places, allowed actions.
    pub fn state(&self) -> &State {
        &self.model.state
    }
    /// Sequence number of the last entry (0: none).
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// Writes projections out (best effort; they are caught up from the log anyway), a
    /// checkpoint of the folded state if one is due, and closes the kiosk.
    pub fn close(mut self) {
        if let Some(batch) = self.unprojected.take() {
            let _ = self.store.apply(&batch);
        }
        let _ = self.store.flush_projections();
        self.write_checkpoint_if_due();
    }

    /// The sequence number the checkpoint on disk folds through (0: none that matches).
    pub fn checkpoint_seq(&self) -> u64 {
        self.checkpoint_seq
    }

    /// Writes a checkpoint of the model at the last entry when enough entries came since the
    /// one on disk ([`checkpoint::due`]), at a close: never on the save path, whose latency
    /// is a goal. Best effort: a checkpoint that cannot be written costs a longer open.
    /// Atomic (temp file, fsync, rename, fsync of the folder): a kill leaves at worst the
    /// temp file, which is never read.
    fn write_checkpoint_if_due(&mut self) {
        if self.poisoned || self.health != LogHealth::Ok || !checkpoint::due(self.checkpoint_seq, self.last_seq) {
            return;
        }
        let Some(offset) = self.last_seq.checked_sub(1).and_then(|i| self.offsets.get(usize::try_from(i).ok()?)) else {
            return;
        };
        let point =
            checkpoint::LogPoint { seq: self.last_seq, hash: self.last_hash, offset: *offset, log_len: self.valid_len };
        let binding = checkpoint::Binding {
            kiosk: &self.identity.kiosk_id,
            base_sha256: self.base.as_ref().map(|b| b.sha256.as_str()),
            offline_directory: self.offline_directory.len(),
        };
        // One of the two is empty: which one depends on the base, which the checkpoint is
        // bound to.
        let problems: Vec<ReplayProblem> = self.replay_problems.iter().chain(&self.conflicts).cloned().collect();
        let Ok(bytes) = checkpoint::encode(&self.model, &problems, point, binding, &self.key) else { return };
        if self.store.write_blob(Blob::Checkpoint, &bytes).is_ok() {
            self.checkpoint_seq = self.last_seq;
        }
    }
}

impl Drop for Kiosk {
    fn drop(&mut self) {
        if let Some(batch) = self.unprojected.take() {
            let _ = self.store.apply(&batch);
        }
        self.write_checkpoint_if_due();
        // Freeing a large state takes a while: not on the caller's time (a process that
        // exits right after does not wait for it at all).
        if self.model.state.applications().nth(10_000).is_some() {
            let model = std::mem::replace(&mut self.model, Model::new(None, &[]));
            let base = self.base.take();
            std::thread::spawn(move || drop((model, base)));
        }
    }
}
