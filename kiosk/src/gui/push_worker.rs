//! A push to the center with the network on a worker thread and the kiosk on the UI thread.
//!
//! [`Kiosk`] is not `Sync`, and every change to it stays on the thread that draws. The UI
//! thread reads the pending entries and the request signer; the worker drives the push
//! session ([`sync_client::PushSession`], the one the CLI push drives too, which cuts the
//! entries into bundles and decides whether the next one goes) and hands each chunk's signed
//! ack back, then waits; the UI thread verifies and applies it ([`push::apply_ack`]) and
//! tells the worker what it found. After the last chunk the worker fetches the district
//! snapshot, which the UI thread verifies and keeps ([`push::apply_snapshot`]). Nothing the
//! center did not sign is applied, and an interrupted push resumes after the last applied
//! ack. The center's address and the certificate it must present come from
//! [`push::center_endpoint`], as for the CLI push.

use std::sync::mpsc::{Receiver, Sender, TryRecvError, channel};

use changelog::VerifyingKey;
use changelog::request::RequestSigner;
use changelog::{SignedEntry, sync::QuarantineNote};
use sync_client::{AckApplied, Ending, Endpoint, PushOptions, PushSession, Transport};

use super::backend::{BackendError, ProgressSink, PushPhase, PushStage};
use super::store_backend::localized;
use crate::Kiosk;
use crate::errors::GuiError;
use crate::errors::SyncError;
use crate::push::{self, PushError};

/// What the worker hands to the UI thread.
enum FromWorker {
    /// The signed ack of the last bundle uploaded.
    Ack(Vec<u8>),
    /// The push is over: the snapshot (or why not), and the entries the center acknowledged.
    Snapshot {
        result: Result<Vec<u8>, sync_client::PushError>,
        sent: u64,
    },
    Failed(sync_client::PushError),
}

/// What a push did, once it is over.
#[derive(Debug)]
pub struct Finished {
    /// Entries the center acknowledged.
    pub sent: u64,
    pub quarantined: Vec<QuarantineNote>,
    /// Why the snapshot was not kept (the entries are at the center all the same).
    pub snapshot_error: Option<BackendError>,
}

/// A push under way; [`PushJob::poll`] it from the UI thread.
pub struct PushJob {
    key: VerifyingKey,
    progress: ProgressSink,
    total: u64,
    quarantined: Vec<QuarantineNote>,
    from_worker: Receiver<FromWorker>,
    applied: Sender<AckApplied>,
}

impl std::fmt::Debug for PushJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushJob").field("total", &self.total).finish_non_exhaustive()
    }
}

fn worker_lost() -> BackendError {
    BackendError::from(GuiError::SyncWorkerStopped)
}

fn phase(session: &PushSession) -> PushPhase {
    let p = push::session_progress(session);
    PushPhase::Working { stage: p.stage, sent: p.sent_entries, total: p.total_entries }
}

impl PushJob {
    /// Reads the pending entries and starts the worker on `url` (with the certificate
    /// checks set for the center).
    pub fn start(
        kiosk: &Kiosk,
        url: &str,
        options: PushOptions,
        progress: ProgressSink,
    ) -> Result<PushJob, BackendError> {
        let (key, center) = push::center_endpoint(kiosk, url).map_err(|e| localized(&e))?;
        progress.report(PushPhase::Working { stage: PushStage::Preparing, sent: 0, total: 0 });
        let district = kiosk.identity().district.clone();
        let entries = kiosk
            .entries_after(kiosk.sync_state().acknowledged_seq)
            .map_err(|e| localized(&PushError::Sync(SyncError::Store(e))))?;
        let signer = kiosk.request_signer().map_err(|e| localized(&PushError::Sync(SyncError::Store(e))))?;
        let total = entries.len() as u64;
        let (to_ui, from_worker) = channel();
        let (applied, acks_applied) = channel();
        let sink = progress.clone();
        std::thread::Builder::new()
            .name("kezek-push".into())
            .spawn(move || {
                let job = Worker { to_ui: &to_ui, acks_applied: &acks_applied, sink: &sink };
                job.run(&center, signer, &district, entries, &options);
            })
            .map_err(|_| worker_lost())?;
        progress.report(PushPhase::Working { stage: PushStage::Uploading, sent: 0, total });
        Ok(PushJob { key, progress, total, quarantined: Vec::new(), from_worker, applied })
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
                    let before = kiosk.sync_state().acknowledged_seq;
                    // On an error the job is dropped, and with it `applied`: the worker stops.
                    let ack = match push::apply_ack(kiosk, &bytes, &self.key) {
                        Ok(ack) => ack,
                        Err(e) => return Some(Err(localized(&e))),
                    };
                    let advanced = kiosk.sync_state().acknowledged_seq > before;
                    let applied = AckApplied { advanced, quarantined: !ack.quarantined.is_empty() };
                    self.quarantined = ack.quarantined;
                    if self.applied.send(applied).is_err() {
                        return Some(Err(worker_lost()));
                    }
                }
                FromWorker::Failed(error) => return Some(Err(localized(&push::client_error(kiosk, error)))),
                FromWorker::Snapshot { result, sent } => {
                    let snapshot_error = result
                        .map_err(|e| push::client_error(kiosk, e))
                        .and_then(|bytes| push::apply_snapshot(kiosk, &bytes, &self.key))
                        .err()
                        .map(|e| localized(&e));
                    self.progress.report(PushPhase::Working { stage: PushStage::Done, sent, total: self.total });
                    return Some(Ok(Finished {
                        sent,
                        quarantined: std::mem::take(&mut self.quarantined),
                        snapshot_error,
                    }));
                }
            }
        }
    }
}

/// The worker's ends of the channels.
struct Worker<'a> {
    to_ui: &'a Sender<FromWorker>,
    acks_applied: &'a Receiver<AckApplied>,
    sink: &'a ProgressSink,
}

impl Worker<'_> {
    fn send(&self, message: FromWorker) -> bool {
        let sent = self.to_ui.send(message).is_ok();
        self.sink.wake();
        sent
    }

    /// Drives the push session: each ack goes to the UI thread, and the session waits for
    /// what applying it found; then the snapshot goes too.
    fn run(
        &self,
        center: &Endpoint,
        signer: RequestSigner,
        district: &str,
        entries: Vec<SignedEntry>,
        options: &PushOptions,
    ) {
        let started = PushSession::new(signer, district, entries, options)
            .and_then(|session| Ok((session, Transport::new(center, options)?)));
        let (mut session, transport) = match started {
            Ok(started) => started,
            Err(e) => {
                self.send(FromWorker::Failed(e));
                return;
            }
        };
        let ending = sync_client::run(
            &transport,
            &mut session,
            &mut |_, ack| {
                if !self.send(FromWorker::Ack(ack)) {
                    return None;
                }
                // The UI thread dropped the job (it could not apply the ack): stop.
                self.acks_applied.recv().ok()
            },
            &mut |session| self.sink.report(phase(session)),
        );
        match ending {
            Ending::Snapshot(result) => {
                self.send(FromWorker::Snapshot { result, sent: session.sent() });
            }
            Ending::Failed(e) => {
                self.send(FromWorker::Failed(e));
            }
            Ending::Stopped => {}
        }
    }
}
