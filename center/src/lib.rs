//! Kezek center: receives the kiosks' signed change logs (HTTP or USB file), keeps the
//! authoritative queue as a deterministic fold of everything accepted, runs distribution
//! rounds and deadline expiry, and answers with signed acknowledgements and snapshots.
//!
//! - [`Center`] ([`service`]): the whole center over a [`store::CenterStore`] (sled by default);
//! - [`http`]: the axum server (`POST /v1/kiosks/{id}/events`, …);
//! - [`client`]: the blocking client a kiosk uses to push its log (the `kezek-sync` crate,
//!   re-exported: the kiosk depends on it, not on the center);
//! - [`tls`]: the server's certificate and key (`serve --tls-cert --tls-key`).
//! - [`console`]: the staff web console (static files over [`staff_api`]).
//! - [`pg_store`]: the PostgreSQL store; [`pg_cluster`]: a throw-away PostgreSQL server for
//!   tests and benchmarks.
//!
//! The sync rules (checks, clamping, conflict resolution) are in `docs/sync.md`.

pub mod accounts;
pub mod any_store;
pub mod console;
pub mod dashboard;
mod file_swap;
pub mod fold;
pub mod http;
pub mod i18n;
pub mod ingest;
pub mod migrate;
pub mod nonces;
pub mod notify;
pub mod operations;
pub mod parents;
pub mod pg_client;
pub mod pg_cluster;
pub mod pg_store;
pub mod population;
pub mod portal_files;
pub mod public_queue;
pub mod scheduler;
pub mod service;
mod sliding_window;
pub mod staff_api;
pub mod store;
pub mod throttle;
pub mod tls;

pub use accounts::{NewUser, StaffUser};
pub use changelog::sync::{Ack, Snapshot};
pub use service::{
    AccountError, AuditRow, CENTER_ID, Center, CenterError, CenterRun, CommandFailure, DB_DIR, DEMO_KINDERGARTENS,
    Decision, DirectoryImport, DocumentError, IngestError, IngestReport, Ingested, KioskAuth, KioskError, KioskInfo,
    OpenError, PopulationError, QuarantineListing, ReportRow, ReviewItem, SCHEDULER, STORE_FILE, ScheduleError, Upload,
    store_location,
};
pub use sync_client as client;
pub use sync_client::{Endpoint, PushError, PushOptions, Trust, push, push_with};

/// The center's clock: now, at +05:00.
pub fn now() -> rules::Instant {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let secs = i64::try_from(since.as_secs()).unwrap_or(i64::MAX);
    // Millisecond precision: enough to order events, short in JSON.
    let utc = chrono::DateTime::from_timestamp(secs, since.subsec_millis() * 1_000_000).unwrap_or_default();
    rules::Instant(utc.with_timezone(&rules::time::kazakhstan_offset()))
}
