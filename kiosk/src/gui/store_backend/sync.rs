//! Sync with the center from the GUI: the push that runs in the background (started,
//! polled, what it last did), the center's address and key, and the sync screen's status.

use super::StoreBackend;
use super::errors::{localized, not_set_up};
use crate::errors::GuiError;
use crate::gui::backend::{Backend, BackendError, ProgressSink, PushPhase, QuarantineNote, SyncOutcome, SyncStatus};
use crate::gui::push_worker::PushJob;

impl StoreBackend {
    /// See [`Backend::sync_status`].
    pub(super) fn current_sync_status(&self) -> SyncStatus {
        let Some(kiosk) = &self.kiosk else {
            return SyncStatus::default();
        };
        let sync = kiosk.sync_state();
        SyncStatus {
            pending: kiosk.last_seq().saturating_sub(sync.acknowledged_seq),
            last_sync: sync.last_sync_at().and_then(|t| t.parse().ok()),
            last_attempt: self.last_attempt.clone(),
            center_url: self.center_url.clone(),
            snapshot_at: self.center.as_ref().map(|c| c.at).or_else(|| {
                sync.snapshot.as_ref().and_then(|s| s.center_time.as_deref().unwrap_or(&s.received_at).parse().ok())
            }),
            quarantine: self.quarantine.clone(),
            auto_minutes: self.auto_minutes,
            center_key: self.center_key.clone(),
        }
    }

    /// See [`Backend::push`].
    pub(super) fn start_push(&mut self, url: &str, progress: &ProgressSink) -> Result<(), BackendError> {
        let url = url.trim().trim_end_matches('/');
        if url.is_empty() {
            return Err(BackendError::from(GuiError::SyncNoUrl));
        }
        if self.running.is_some() {
            return Err(BackendError::from(GuiError::SyncRunning));
        }
        let kiosk = self.kiosk.as_mut().ok_or_else(not_set_up)?;
        progress.report(PushPhase::Connecting);
        // The URL the operator typed becomes the one automatic pushes use.
        let started = if self.center_url.as_deref() == Some(url) {
            Ok(())
        } else {
            crate::push::set_center(kiosk, Some(url), None).map(|_| ()).map_err(|e| localized(&e))
        }
        .and_then(|()| PushJob::start(kiosk, url, self.push_options.clone(), progress.clone()));
        match started {
            Ok(job) => {
                self.center_url = Some(url.to_owned());
                self.running = Some((job, progress.clone()));
            }
            Err(error) => {
                self.last_attempt = Some((self.now(), SyncOutcome::Failed(error.clone())));
                progress.report(PushPhase::Failed(error));
            }
        }
        Ok(())
    }

    /// See [`Backend::poll_push`].
    pub(super) fn poll_running_push(&mut self) -> bool {
        let (Some((job, progress)), Some(kiosk)) = (&mut self.running, &mut self.kiosk) else {
            return false;
        };
        let Some(result) = job.poll(kiosk) else {
            return true;
        };
        let progress = progress.clone();
        self.running = None;
        self.cache = None;
        let now = self.now();
        match result {
            Ok(finished) => {
                self.quarantine = finished.quarantined.iter().map(QuarantineNote::from).collect();
                self.reload_center();
                self.last_attempt =
                    Some((now, SyncOutcome::Ok { accepted: finished.sent, snapshot_error: finished.snapshot_error }));
                progress.report(PushPhase::Done { accepted: finished.sent });
            }
            Err(error) => {
                self.last_attempt = Some((now, SyncOutcome::Failed(error.clone())));
                progress.report(PushPhase::Failed(error));
            }
        }
        false
    }

    /// See [`Backend::set_center_key`].
    pub(super) fn set_center_key_as_admin(&mut self, key_hex: &str) -> Result<(), BackendError> {
        let (kiosk, session) = self.store_and_session()?;
        rules::authz::accounts::may_administer(session.role())
            .map_err(|_| localized(&crate::errors::AdminOnly { task: "center-key" }))?;
        let config = crate::push::set_center(kiosk, None, Some(key_hex)).map_err(|e| localized(&e))?;
        self.center_key = Some(config.public_key);
        Ok(())
    }
}
