//! The sync scheduler: a background push moved along before each frame, what it changed
//! refreshed when it ends, and the automatic push started when it is due.

use super::{KioskApp, Screen, journal};
use crate::gui::backend::{BackendError, ProgressSink};

impl KioskApp {
    /// Moves a background push along, refreshes what it changed when it ends, and starts
    /// the automatic push when it is due. Runs before each frame.
    pub(super) fn sync_tick(&mut self, ctx: &egui::Context) {
        let pushing = self.backend.poll_push();
        if self.pushing && !pushing {
            self.pushing = false;
            self.after_push();
        }
        self.pushing = pushing;
        if pushing {
            // The worker wakes the UI on each step; this is a fallback.
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
            return;
        }
        // "N minutes ago" in the status bar moves on.
        ctx.request_repaint_after(std::time::Duration::from_secs(30));
        let status = &self.sync_status;
        let (Some(url), minutes) = (status.center_url.clone(), status.auto_minutes) else { return };
        if minutes == 0 || url.is_empty() || self.backend.needs_setup() {
            return;
        }
        let now = self.backend.now();
        let last = [status.last_attempt.as_ref().map(|(at, _)| *at), status.last_sync, self.auto_tried_at]
            .into_iter()
            .flatten()
            .max();
        let due = last.map(|at| at.0 + chrono::Duration::minutes(i64::from(minutes)));
        match due {
            Some(due) if due > now.0 => {
                let wait = (due - now.0).to_std().unwrap_or_default();
                ctx.request_repaint_after(wait.min(std::time::Duration::from_secs(30)));
            }
            _ => {
                self.auto_tried_at = Some(now);
                // An automatic push that cannot start shows on the sync screen, not as a notice.
                if let Err(error) = self.start_push(&url, ctx) {
                    self.sync.progress.report(crate::gui::backend::PushPhase::Failed(error));
                }
            }
        }
    }

    /// Starts a push; the backend reports its progress to the sync screen.
    pub(super) fn start_push(&mut self, url: &str, ctx: &egui::Context) -> Result<(), BackendError> {
        let ctx = ctx.clone();
        self.sync.progress = ProgressSink::new(move || ctx.request_repaint());
        self.backend.push(url, &self.sync.progress)?;
        // Polled before the next frame (a backend that pushes at once is over by then).
        self.pushing = true;
        self.sync_status = self.backend.sync_status();
        Ok(())
    }

    /// What a finished push changed: the sync status, the journal, the open card, the places.
    pub(super) fn after_push(&mut self) {
        self.sync_status = self.backend.sync_status();
        self.journal.invalidate();
        if self.screen == Screen::Journal && self.session.is_some() {
            self.load_journal(0..journal::WINDOW);
        }
        if self.screen == Screen::Card
            && let Some(id) = self.card.as_ref().map(|v| v.card.application.id.clone())
        {
            self.open_card(&id);
        }
        // A snapshot may have published places or brought corrections: the places table follows.
        if self.screen == Screen::Staff && self.session.is_some() {
            self.refresh_staff();
        }
    }
}
