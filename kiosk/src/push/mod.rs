//! Sync with the center: push the pending log over HTTP (in chunks, resumable), apply the
//! signed acknowledgement, fetch and keep the district snapshot; or the same by USB files
//! (`import_ack`, `import_snapshot`).
//!
//! The center's public key is kept in `center.json` in the data folder (`set_center`);
//! every ack and snapshot is verified against it before anything is applied. How an
//! `https://` center's certificate is checked (`set_center_tls`: a CA file or the center's
//! pinned certificate, copied into the data folder; else the public roots) is kept there
//! too, and every push (CLI and GUI) reads it through [`center_endpoint`].
//!
//! `config.rs` keeps the center's settings, `error.rs` says what went wrong; this file
//! pushes, applies acks and snapshots, and imports them from files.

use std::path::Path;

use changelog::sync::{Ack, QuarantineNote, Snapshot, open_ack, open_snapshot};
use changelog::{Hash, SignedEntry, VerifyingKey};
use rules::{Instant, Lang, Localized};
use serde::Serialize;
use sync_client::{AckApplied, Ending, PushOptions, PushSession, Stage, Transport};

use crate::Kiosk;
use crate::errors::SyncError;
use crate::sync::SnapshotInfo;

mod config;
mod error;

pub use config::{
    CENTER_CA_FILE, CENTER_CERT_FILE, CENTER_FILE, CenterConfig, CenterTls, TlsChoice, center_config, center_config_in,
    center_endpoint, center_key, configure_center, set_center, set_center_tls,
};
pub use error::{ImportError, PushError};
pub use sync_client::{CHUNK_ENTRIES, chunk_len};

/// Where a push is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PushStage {
    Preparing,
    Uploading,
    Applying,
    FetchingSnapshot,
    Done,
}

/// Progress of a push, reported between steps and chunks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PushProgress {
    pub sent_entries: u64,
    pub total_entries: u64,
    pub stage: PushStage,
}

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PushReport {
    pub kiosk: String,
    /// The center has every entry up to this one; the next push starts after it.
    pub accepted_through_seq: u64,
    /// Entries uploaded by this push.
    pub sent: u64,
    /// Entries still pending (the center set some aside, see `quarantined`).
    pub pending: u64,
    /// The kiosk's entries the center set aside.
    pub quarantined: Vec<QuarantineNote>,
    /// Center time of the snapshot kept (`None` if it could not be fetched).
    pub snapshot_at: Option<Instant>,
    /// Why the snapshot was not fetched, if it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_error: Option<String>,
}

/// An imported snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotImport {
    pub district: String,
    pub generated_at: Instant,
    pub applications: usize,
    pub queued: usize,
    pub info: SnapshotInfo,
}

/// An imported acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AckImport {
    pub kiosk: String,
    pub accepted_through_seq: u64,
    pub center_time: Instant,
    pub pending: u64,
    pub quarantined: Vec<QuarantineNote>,
}

fn parse_hash(text: &str) -> Option<Hash> {
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// A transport error as a push error (with the time since the last sync when unreachable).
pub fn client_error(kiosk: &Kiosk, error: sync_client::PushError) -> PushError {
    match error {
        sync_client::PushError::Unreachable { attempts, last } => {
            let status = kiosk.status();
            PushError::Unreachable {
                attempts,
                last,
                last_sync_at: status.last_sync_at,
                days_since_last_sync: status.days_since_last_sync,
            }
        }
        sync_client::PushError::Refused { status, code, message } => PushError::Refused { status, code, message },
        sync_client::PushError::Url(u) => PushError::Url(u),
        sync_client::PushError::TlsRejected { trust, detail } => PushError::TlsRejected { trust, detail },
        sync_client::PushError::TlsRequired { url } => PushError::TlsRequired { url },
    }
}

/// Verifies a signed ack for this kiosk and applies it durably.
pub fn apply_ack(kiosk: &mut Kiosk, bytes: &[u8], key: &VerifyingKey) -> Result<Ack, PushError> {
    let ack = open_ack(bytes, key).map_err(|e| PushError::BadAck(e.to_string()))?;
    let own = kiosk.identity().kiosk_id.clone();
    if ack.kiosk != own {
        return Err(PushError::WrongKiosk { expected: own, found: ack.kiosk });
    }
    let head = parse_hash(&ack.head_hash);
    if head.is_none() && ack.accepted_through_seq > 0 {
        return Err(PushError::BadAck(format!("bad head hash {:?}", ack.head_hash)));
    }
    kiosk.acknowledge(ack.accepted_through_seq, head, Some(ack.center_time)).map_err(PushError::Sync)?;
    Ok(ack)
}

/// Verifies a signed snapshot of this kiosk's district, keeps it durably and rebases the
/// kiosk's state on it (see [`Kiosk::apply_snapshot`]).
pub fn apply_snapshot(
    kiosk: &mut Kiosk,
    bytes: &[u8],
    key: &VerifyingKey,
) -> Result<(Snapshot, SnapshotInfo), PushError> {
    let snapshot = open_snapshot(bytes, key).map_err(|e| PushError::BadSnapshot(e.to_string()))?;
    let own = kiosk.identity().district.clone();
    if snapshot.district != own {
        return Err(PushError::WrongKiosk { expected: own, found: snapshot.district });
    }
    let info = kiosk.apply_snapshot(bytes, snapshot.clone()).map_err(PushError::Sync)?;
    Ok((snapshot, info))
}

fn pending(kiosk: &Kiosk) -> u64 {
    kiosk.status().last_seq.saturating_sub(kiosk.sync_state().acknowledged_seq)
}

/// [`push_with`] with the default retries and the URL from `center.json` when `url` is empty.
pub fn push(kiosk: &mut Kiosk, url: &str, progress: &mut dyn FnMut(&PushProgress)) -> Result<PushReport, PushError> {
    push_with(kiosk, url, &PushOptions::default(), progress)
}

/// Uploads the pending entries in chunks of [`CHUNK_ENTRIES`], applying each signed ack
/// durably before the next chunk; then fetches and keeps the district snapshot.
/// `url` empty: the one set with [`set_center`]. The session ([`PushSession`]) decides
/// what goes next; the GUI's push worker drives the same session.
pub fn push_with(
    kiosk: &mut Kiosk,
    url: &str,
    options: &PushOptions,
    progress: &mut dyn FnMut(&PushProgress),
) -> Result<PushReport, PushError> {
    let (key, center) = center_endpoint(kiosk, url)?;
    let kiosk_id = kiosk.identity().kiosk_id.clone();
    let start = kiosk.sync_state().acknowledged_seq;
    progress(&PushProgress { sent_entries: 0, total_entries: pending(kiosk), stage: PushStage::Preparing });
    let entries: Vec<SignedEntry> = kiosk.entries_after(start).map_err(|e| PushError::Sync(SyncError::Store(e)))?;
    let signer = kiosk.request_signer().map_err(|e| PushError::Sync(SyncError::Store(e)))?;
    let district = kiosk.identity().district.clone();
    let mut session = PushSession::new(signer, &district, entries, options).map_err(|e| client_error(kiosk, e))?;
    let transport = Transport::new(&center, options).map_err(|e| client_error(kiosk, e))?;
    let mut quarantined = Vec::new();
    // The first error applying an ack (the push stops there).
    let mut failed = None;
    let ending = {
        let kiosk = &mut *kiosk;
        sync_client::run(
            &transport,
            &mut session,
            &mut |_, bytes| {
                let before = kiosk.sync_state().acknowledged_seq;
                match apply_ack(kiosk, &bytes, &key) {
                    Ok(ack) => {
                        let advanced = kiosk.sync_state().acknowledged_seq > before;
                        let applied = AckApplied { advanced, quarantined: !ack.quarantined.is_empty() };
                        quarantined = ack.quarantined;
                        Some(applied)
                    }
                    Err(e) => {
                        failed = Some(e);
                        None
                    }
                }
            },
            &mut |session| progress(&session_progress(session)),
        )
    };
    let (snapshot_at, snapshot_error) = match ending {
        Ending::Failed(e) => return Err(client_error(kiosk, e)),
        Ending::Stopped => return Err(failed.unwrap_or_else(|| PushError::BadAck("no acknowledgement".into()))),
        Ending::Snapshot(result) => {
            match result.map_err(|e| client_error(kiosk, e)).and_then(|bytes| apply_snapshot(kiosk, &bytes, &key)) {
                Ok((snapshot, _)) => (Some(snapshot.generated_at), None),
                Err(e) => (None, Some(format!("[{}] {}", e.code(), e.message(Lang::En)))),
            }
        }
    };
    let sent = session.sent();
    progress(&PushProgress { sent_entries: sent, total_entries: session.total(), stage: PushStage::Done });
    Ok(PushReport {
        kiosk: kiosk_id,
        accepted_through_seq: kiosk.sync_state().acknowledged_seq,
        sent,
        pending: pending(kiosk),
        quarantined,
        snapshot_at,
        snapshot_error,
    })
}

/// Where a push session is, as the kiosk reports it.
pub fn session_progress(session: &PushSession) -> PushProgress {
    let stage = match session.stage() {
        Stage::Uploading => PushStage::Uploading,
        Stage::Applying => PushStage::Applying,
        Stage::FetchingSnapshot => PushStage::FetchingSnapshot,
        Stage::Over => PushStage::Done,
    };
    PushProgress { sent_entries: session.sent(), total_entries: session.total(), stage }
}

/// Largest ack or snapshot file read from a USB stick: a device (`/dev/zero`) or a huge
/// file cannot make the kiosk read without end.
pub const MAX_IMPORT_BYTES: u64 = 256 * 1024 * 1024;

fn read(path: &Path) -> Result<Vec<u8>, PushError> {
    read_at_most(path, MAX_IMPORT_BYTES).map_err(|detail| PushError::Read { path: path.display().to_string(), detail })
}

/// A file's bytes, refused (without reading on) when it holds more than `limit`; `Err` says
/// why, for the caller's error.
fn read_at_most(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!("larger than {limit} bytes"));
    }
    Ok(bytes)
}

/// Imports a signed district snapshot from a file (USB): verified against the center key.
pub fn import_snapshot(kiosk: &mut Kiosk, path: &Path) -> Result<SnapshotImport, ImportError> {
    let (key, _) = center_key(kiosk)?;
    let bytes = read(path)?;
    let (snapshot, info) = apply_snapshot(kiosk, &bytes, &key)?;
    Ok(SnapshotImport {
        district: snapshot.district,
        generated_at: snapshot.generated_at,
        applications: snapshot.applications.len(),
        queued: snapshot.positions.len(),
        info,
    })
}

/// Imports a signed ack from a file (USB: the center's `ack --out` or `ingest --ack-out`).
pub fn import_ack(kiosk: &mut Kiosk, path: &Path) -> Result<AckImport, ImportError> {
    let (key, _) = center_key(kiosk)?;
    let bytes = read(path)?;
    let ack = apply_ack(kiosk, &bytes, &key)?;
    Ok(AckImport {
        kiosk: ack.kiosk,
        accepted_through_seq: kiosk.sync_state().acknowledged_seq,
        center_time: ack.center_time,
        pending: pending(kiosk),
        quarantined: ack.quarantined,
    })
}

/// The center's snapshot kept by this kiosk, verified, if any.
pub fn kept_snapshot(kiosk: &Kiosk) -> Result<Option<Snapshot>, PushError> {
    let (key, _) = center_key(kiosk)?;
    let Some((_, bytes)) = kiosk.snapshot().map_err(PushError::Sync)? else { return Ok(None) };
    open_snapshot(&bytes, &key).map(Some).map_err(|e| PushError::BadSnapshot(e.to_string()))
}
