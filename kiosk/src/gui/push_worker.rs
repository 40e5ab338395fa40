//! A push to the center with the network on a worker thread and the kiosk on the UI thread.
//!
//! [`Kiosk`] is not `Sync`, and every change to it stays on the thread that draws. The UI
//! thread reads the pending entries and cuts them into bundles ([`push::chunk_len`], as the
//! CLI push does); the worker uploads one bundle, hands the signed ack back and waits; the UI
//! thread verifies and applies it ([`push::apply_ack`]) and tells the worker whether to go on.
//! After the last chunk the worker fetches the district snapshot, which the UI thread
//! verifies and keeps ([`push::apply_snapshot`]). Nothing the center did not sign is applied,
//! and an interrupted push resumes after the last applied ack. The center's address and the
//! certificate it must present come from [`push::center_endpoint`], as for the CLI push.

use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use center::client::{self, Endpoint, PushOptions};
use changelog::request::RequestSigner;
use changelog::{Bundle, VerifyingKey};
use rules::i18n::Text;

use super::backend::{BackendError, ProgressSink, PushPhase, PushStage};
use super::store_backend::localized;
use crate::Kiosk;
use crate::errors::SyncError;
use crate::push::{self, PushError};

/// What the worker hands to the UI thread.
enum FromWorker {
    /// The signed ack of the last bundle uploaded.
    Ack(Vec<u8>),
    Snapshot(Result<Vec<u8>, client::PushError>),
    Failed(client::PushError),
}

/// What a push did, once it is over.
#[derive(Debug)]
pub struct Finished {
    /// Entries the center acknowledged.
    pub sent: u64,
    pub quarantined: Vec<changelog::sync::QuarantineNote>,
    /// Why the snapshot was not kept (the entries are at the center all the same).
    pub snapshot_error: Option<BackendError>,
}

/// A push under way; [`PushJob::poll`] it from the UI thread.
pub struct PushJob {
    key: VerifyingKey,
    progress: ProgressSink,
    total: u64,
    sent: u64,
    /// Entries in each bundle not acknowledged yet.
    chunks: VecDeque<u64>,
    quarantined: Vec<changelog::sync::QuarantineNote>,
    from_worker: Receiver<FromWorker>,
    proceed: Sender<bool>,
}

impl std::fmt::Debug for PushJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushJob").field("sent", &self.sent).field("total", &self.total).finish_non_exhaustive()
    }
}

fn worker_lost() -> BackendError {
    BackendError::text(
        "SYNC_WORKER_STOPPED",
        Text::new(
            "Отправка прервалась. Данные сохранены на киоске; повторите синхронизацию",
            "Жіберу үзілді. Деректер киоскта сақталған; синхрондауды қайталаңыз",
            "The upload stopped. The data is kept on the kiosk; sync again",
        ),
    )
}

impl PushJob {
    /// Reads the pending entries, cuts them into bundles and starts the worker on `url`
    /// (with the certificate checks set for the center).
    pub fn start(
        kiosk: &Kiosk,
        url: &str,
        options: PushOptions,
        progress: ProgressSink,
    ) -> Result<PushJob, BackendError> {
        let (key, center) = push::center_endpoint(kiosk, url).map_err(|e| localized(&e))?;
        progress.report(PushPhase::Working { stage: PushStage::Preparing, sent: 0, total: 0 });
        let kiosk_id = kiosk.identity().kiosk_id.clone();
        let district = kiosk.identity().district.clone();
        let entries = kiosk
            .entries_after(kiosk.sync_state().acknowledged_seq)
            .map_err(|e| localized(&PushError::Sync(SyncError::Store(e))))?;
        let signer = kiosk.request_signer().map_err(|e| localized(&PushError::Sync(SyncError::Store(e))))?;
        let total = entries.len() as u64;
        let mut bundles = Vec::new();
        let mut chunks = VecDeque::new();
        let mut rest = &entries[..];
        // With nothing pending one empty bundle still goes: its ack is the center's contact.
        loop {
            let (chunk, after) = rest.split_at(push::chunk_len(&kiosk_id, rest));
            bundles.push(Bundle { kiosk: kiosk_id.clone(), entries: chunk.to_vec() }.to_bytes());
            chunks.push_back(chunk.len() as u64);
            rest = after;
            if rest.is_empty() {
                break;
            }
        }
        drop(entries);
        let (to_ui, from_worker) = channel();
        let (proceed, go_on) = channel();
        let sink = progress.clone();
        std::thread::Builder::new()
            .name("kezek-push".into())
            .spawn(move || upload(&center, &signer, &district, bundles, &options, &to_ui, &go_on, &sink))
            .map_err(|_| worker_lost())?;
        progress.report(PushPhase::Working { stage: PushStage::Uploading, sent: 0, total });
        Ok(PushJob { key, progress, total, sent: 0, chunks, quarantined: Vec::new(), from_worker, proceed })
    }

    fn report(&self, stage: PushStage) {
        self.progress.report(PushPhase::Working { stage, sent: self.sent, total: self.total });
    }

    /// Applies what the worker received so far; `Some` once the push is over.
    pub fn poll(&mut self, kiosk: &mut Kiosk) -> Option<Result<Finished, BackendError>> {
        loop {
            let message = match self.from_worker.try_recv() {
                Ok(message) => message,
                Err(TryRecvError::Empty) => return None,
                Err(TryRecvError::Disconnected) => return Some(Err(worker_lost())),
            };
            match message {
                FromWorker::Ack(bytes) => {
                    self.report(PushStage::Applying);
                    let before = kiosk.sync_state().acknowledged_seq;
                    // On an error the job is dropped, and with it `proceed`: the worker stops.
                    let ack = match push::apply_ack(kiosk, &bytes, &self.key) {
                        Ok(ack) => ack,
                        Err(e) => return Some(Err(localized(&e))),
                    };
                    self.sent += self.chunks.pop_front().unwrap_or(0);
                    let advanced = kiosk.sync_state().acknowledged_seq > before;
                    let more = !self.chunks.is_empty() && ack.quarantined.is_empty() && advanced;
                    self.quarantined = ack.quarantined;
                    if self.proceed.send(more).is_err() {
                        return Some(Err(worker_lost()));
                    }
                    self.report(if more { PushStage::Uploading } else { PushStage::FetchingSnapshot });
                }
                FromWorker::Failed(error) => return Some(Err(localized(&push::client_error(kiosk, error)))),
                FromWorker::Snapshot(result) => {
                    let snapshot_error = result
                        .map_err(|e| push::client_error(kiosk, e))
                        .and_then(|bytes| push::apply_snapshot(kiosk, &bytes, &self.key))
                        .err()
                        .map(|e| localized(&e));
                    self.report(PushStage::Done);
                    return Some(Ok(Finished {
                        sent: self.sent,
                        quarantined: std::mem::take(&mut self.quarantined),
                        snapshot_error,
                    }));
                }
            }
        }
    }
}

/// The worker: uploads bundle after bundle while the UI thread says so, then fetches the snapshot.
#[allow(clippy::too_many_arguments)]
fn upload(
    center: &Endpoint,
    signer: &RequestSigner,
    district: &str,
    bundles: Vec<Vec<u8>>,
    options: &PushOptions,
    to_ui: &Sender<FromWorker>,
    go_on: &Receiver<bool>,
    sink: &ProgressSink,
) {
    for bundle in bundles {
        let result = client::push_to(center, signer, &bundle, options);
        drop(bundle);
        let failed = result.is_err();
        let sent = to_ui.send(result.map_or_else(FromWorker::Failed, FromWorker::Ack));
        sink.wake();
        if failed || sent.is_err() {
            return;
        }
        match go_on.recv() {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => return,
        }
    }
    let _ = to_ui.send(FromWorker::Snapshot(client::fetch_snapshot_from(center, signer, district, options)));
    sink.wake();
}
