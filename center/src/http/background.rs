//! The server's threads besides the connections: the ingest worker (group commit) and the
//! scheduler, which runs the center's day and the notifier.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use axum::body::Bytes;
use rules::Instant;

use super::{App, Clock, Health, MAX_GROUP, lock, recover, refresh_counters};
use crate::notify::Notifications;
use crate::scheduler::{Schedule, ScheduleFile};
use crate::service::{Center, IngestError, KioskAuth, Upload};
use crate::store::CenterStore;

/// An upload waiting for the ingest worker, and where its answer goes.
pub(super) struct Job {
    pub(super) bytes: Bytes,
    pub(super) kiosk: String,
    pub(super) head: u64,
    pub(super) reply: tokio::sync::oneshot::Sender<Result<Vec<u8>, IngestError>>,
}

/// Starts the scheduler thread: `file` looked at again (an edited schedule), what the
/// schedule owes, then the notifier, at every `poll`; it ends when the last `App` clone is
/// dropped.
pub(super) fn start_scheduler<S: CenterStore + 'static>(
    app: &App<S>,
    mut schedule: Option<Schedule>,
    mut file: Option<ScheduleFile>,
    poll: Duration,
) {
    let notifications = app.notifications.clone();
    let center = Arc::downgrade(&app.center);
    let clock = Arc::clone(&app.clock);
    let health = Arc::clone(&app.health);
    std::thread::spawn(move || {
        // Messages owed at start (the start's own runs included) go out first.
        if let (Some(notifications), Some(center)) = (&notifications, center.upgrade()) {
            notify_pass(&center, &clock, notifications);
        }
        loop {
            std::thread::sleep(poll);
            let Some(center) = center.upgrade() else { return };
            if let (Some(file), Some(schedule)) = (&mut file, &mut schedule) {
                file.refresh(schedule);
            }
            if let Some(schedule) = &schedule {
                let mut guard = lock(&center);
                let now = (clock)();
                let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    // One server of those sharing a store leads; the lead moves when it dies.
                    if guard.leads()
                        && let Err(e) = guard.with_write_lock(|c| run_schedule(c, schedule, now))
                    {
                        eprintln!("kezek-center: the schedule could not run ({}): {e}", e.code());
                    }
                }));
                if outcome.is_err() {
                    recover(&mut guard, &health, "running the schedule");
                }
            }
            if let Some(notifications) = &notifications {
                notify_pass(&center, &clock, notifications);
            }
        }
    });
}

/// Runs what the schedule owes; a failure is reported and retried at the next look.
pub(super) fn run_schedule<S: CenterStore>(center: &mut Center<S>, schedule: &Schedule, now: Instant) {
    for line in crate::scheduler::report(&center.run_due(schedule, now)) {
        eprintln!("{line}");
    }
}

/// One pass of the notifier: what the state owes is enqueued (under the center's lock, by
/// the leading server only), then what is due is delivered (outside the lock).
fn notify_pass<S: CenterStore>(center: &Mutex<Center<S>>, clock: &Clock, notifications: &Notifications) {
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let now = (clock)();
        {
            let mut guard = lock(center);
            if !guard.leads() {
                return;
            }
            if let Err(e) = notifications.scan_center(&guard, now) {
                eprintln!("kezek-center: the notifier could not enqueue messages ({}): {e}", e.code());
            }
        }
        let report = notifications.deliver_due(now);
        if report.delivered + report.failed + report.undeliverable > 0 {
            eprintln!(
                "kezek-center: notifier {}: {} delivered, {} failed, {} undeliverable, {} pending",
                notifications.notifier_name(),
                report.delivered,
                report.failed,
                report.undeliverable,
                report.pending
            );
        }
        for error in report.errors.iter().take(10) {
            eprintln!("kezek-center: notifier: {error}");
        }
    }));
    if outcome.is_err() {
        eprintln!("kezek-center: a panic in the notifier was caught; it runs again at the next poll");
    }
}

pub(super) struct Worker<S: CenterStore> {
    pub(super) center: Arc<Mutex<Center<S>>>,
    pub(super) clock: Clock,
    pub(super) auth: Arc<RwLock<HashMap<String, KioskAuth>>>,
    pub(super) health: Arc<Health>,
}

impl<S: CenterStore> Worker<S> {
    pub(super) fn run(&self, queue: &std::sync::mpsc::Receiver<Job>) {
        while let Ok(first) = queue.recv() {
            let mut batch = vec![first];
            while batch.len() < MAX_GROUP {
                match queue.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let now = (self.clock)();
            let results = {
                let mut center = lock(&self.center);
                let uploads: Vec<Upload<'_>> = batch
                    .iter()
                    .map(|j| Upload { bytes: &j.bytes, expected_kiosk: Some(&j.kiosk), contact_head: Some(j.head) })
                    .collect();
                let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    center.with_write_lock(|c| c.ingest_group(&uploads, now))
                }));
                let results = if let Ok(locked) = outcome {
                    match locked {
                        Ok((results, _)) => results,
                        Err(e) => batch
                            .iter()
                            .map(|_| Err(IngestError::Store(crate::store::StoreError::Db(e.to_string()))))
                            .collect(),
                    }
                } else {
                    recover(&mut center, &self.health, "ingesting");
                    batch
                        .iter()
                        .map(|_| Err(IngestError::Internal("ingest failed; nothing was stored".into())))
                        .collect()
                };
                // Only the uploading kiosks' keys and heads can have changed.
                let mut auth = self.auth.write().unwrap_or_else(PoisonError::into_inner);
                for job in &batch {
                    if let Some(fresh) = center.kiosk_auth_of(&job.kiosk) {
                        auth.insert(job.kiosk.clone(), fresh);
                    }
                }
                drop(auth);
                refresh_counters(&center, &self.health);
                results
            };
            for (job, result) in batch.into_iter().zip(results) {
                let _ = job.reply.send(result.map(|ingested| ingested.ack_bytes));
            }
        }
    }
}
