//! Kezek kiosk: the office's local store and the service the CLI and the GUI drive.
//!
//! - [`Kiosk`] is the service: [`Kiosk::init`], [`Kiosk::open`], [`Kiosk::login`],
//!   [`Kiosk::execute`] (every command goes through `rules`; saved = fdatasync'ed before
//!   the receipt is returned), queries (`find_by_iin`, `application`, `journal`, `card`,
//!   `places`, `status`, `verify`) and sync bookkeeping (`entries_after`, `export`,
//!   `acknowledge`, `apply_snapshot`, `snapshot`).
//! - The signed log (`log/entries.bin`) is the truth; sled trees are projections caught
//!   up from it at open. See `docs/change-log.md` for the byte format.
//! - [`Store`] is the storage trait ([`DiskStore`] on disk); tests wrap it.
//!
//! Where things are: `service/` is the [`Kiosk`] (one file per responsibility: open,
//! replay, accounts, commands, queries, sync, key rotation, demo); `logfile/` reads and
//! checks the log; `store/` is the storage; `push/` syncs with the center; `projection`
//! derives the sled trees from the entries; `operators`, `passwords`, `identity`,
//! `reference` and `base` are the accounts, hashes, ids, reference data and the center's
//! snapshot as a base. `testkit` (test support) exists only with the `testkit` feature.
//! - Texts: [`i18n`] loads `locales/{ru,kk,en}/*.ftl` (Fluent) once for the errors (one
//!   message per error code, `errors.ftl`), the CLI (`cli.ftl`) and the GUI.

mod base;
pub mod errors;
#[cfg(feature = "gui")]
pub mod gui;
pub mod i18n;
pub mod identity;
pub mod input;
pub mod logfile;
pub mod operators;
pub mod passwords;
pub mod projection;
pub mod push;
pub mod reference;
mod service;
pub mod store;
pub mod sync;
/// Test support (feature `testkit`), not the kiosk's API: see `kiosk/Cargo.toml`.
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;

pub use errors::{
    AppendError, DemoError, InitError, InputError, LoginError, OpenError, OperatorError, QueryError, RotationError,
    SyncError,
};
pub use identity::Identity;
pub use logfile::{Damage, FullCheck, TornTail};
pub use operators::{NewOperator, OperatorInfo, Session};
pub use projection::{HistoryItem, VoucherRow};
pub use service::rotation::{configured_passphrase, insecure_fast_key_files_for_tests, use_key_passphrase_from};
pub use service::{
    Card, CardHistory, DemoRejection, DemoReport, ExportReport, InitParams, InitReport, JournalRow, Kiosk, LogHealth,
    OpenReport, Receipt, ReplayProblem, StatusReport, VerifyReport, system_now,
};
pub use store::{Blob, DiskStore, ProjectionBatch, Store, StoreError, Tree};
pub use sync::{SnapshotInfo, SyncState};
