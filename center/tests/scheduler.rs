//! The center runs its own day: the real server (`App` with a schedule, on 127.0.0.1)
//! with an injected clock, across midnight, after downtime, and with a round that fails
//! to commit and is retried after a restart.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use center::any_store::AnyStore;
use center::http::{App, ServerOptions, spawn};
use center::scheduler::Schedule;
use center::store::CenterStore;
use center::{Center, SCHEDULER};
use common::hooked::{HookedStore, fail_center_commits, open_hooked};
use common::*;
use rules::{Instant, RightClass, Status};

/// A clock the test moves.
#[derive(Clone)]
struct TestClock(Arc<Mutex<Instant>>);

impl TestClock {
    fn new(text: &str) -> Self {
        TestClock(Arc::new(Mutex::new(at(text))))
    }
    fn set(&self, text: &str) {
        *self.0.lock().unwrap() = at(text);
    }
    fn clock(&self) -> center::http::Clock {
        let inner = Arc::clone(&self.0);
        Arc::new(move || *inner.lock().unwrap())
    }
}

fn options(schedule: Schedule) -> ServerOptions {
    ServerOptions {
        schedule: Some(schedule),
        scheduler_poll: Some(Duration::from_millis(20)),
        ..ServerOptions::default()
    }
}

fn expiry_only() -> Schedule {
    Schedule { rounds: None, ..Schedule::default() }
}

/// Waits until `check` holds on the server's center (the scheduler polls every 20 ms).
fn wait_for<S: CenterStore + 'static>(app: &App<S>, what: &str, check: impl Fn(&Center<S>) -> bool) {
    for _ in 0..250 {
        if check(&app.center.lock().unwrap()) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out waiting for {what}");
}

fn status<S: CenterStore>(center: &Center<S>, id: &str) -> Status {
    center.state().application(id).unwrap().status
}

/// The scheduler's runs of `action` (rounds: of KOK), oldest first.
fn scheduler_runs<S: CenterStore>(center: &Center<S>, action: &str) -> Vec<String> {
    let mut runs: Vec<String> = center
        .audit_trail(usize::MAX)
        .into_iter()
        .filter(|r| r.by == SCHEDULER && r.action == action && (action != "distribute" || r.subject == "KOK"))
        .map(|r| r.at.to_string())
        .collect();
    runs.reverse();
    runs
}

/// Three children of KOK; A gets a voucher on Tuesday 10 March 2026 (confirm by Thursday
/// 12), B on Wednesday 11 March (confirm by Friday 13); C waits.
fn two_vouchers(center: &mut Center) {
    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    for (i, id) in ["K1-A", "K1-B", "K1-C"].iter().enumerate() {
        let serial = u32::try_from(i).unwrap();
        kiosk.register_child(
            "2026-03-10T10:00:00+05:00",
            application(id, &child_iin("2023-05-05", serial), "2023-05-05", RightClass::None),
        );
    }
    kiosk.add_places("2026-03-10T11:00:00+05:00", "K1-P1", 2023, 1);
    kiosk.register(center);
    center.ingest(&kiosk.all(), at("2026-03-10T12:00:00+05:00"), None).unwrap();
    let first = center.distribute("KOK", at("2026-03-10T18:00:00+05:00")).unwrap();
    assert_eq!(first.vouchers.len(), 1);
    kiosk.last_contact = Some("2026-03-10T18:00:00+05:00".into());
    kiosk.add_places("2026-03-11T11:00:00+05:00", "K1-P2", 2023, 1);
    center.ingest(&kiosk.all(), at("2026-03-11T12:00:00+05:00"), None).unwrap();
    let second = center.distribute("KOK", at("2026-03-11T18:00:00+05:00")).unwrap();
    assert_eq!(second.vouchers.len(), 1);
    assert_eq!(first.vouchers[0].confirm_deadline, at("2026-03-12T23:59:59+05:00"));
    assert_eq!(second.vouchers[0].confirm_deadline, at("2026-03-13T23:59:59+05:00"));
}

#[test]
fn a_server_running_across_midnight_expires_exactly_the_vouchers_due_then_catches_up_after_downtime() {
    let (dir, mut center) = center();
    two_vouchers(&mut center);
    let a = center.state().applications().find(|a| a.voucher.is_some()).unwrap().id.clone();
    let (a, b) = if a == "K1-A" { ("K1-A", "K1-B") } else { ("K1-B", "K1-A") };
    assert_eq!(
        center.state().application(a).unwrap().voucher.as_ref().unwrap().confirm_deadline,
        at("2026-03-12T23:59:59+05:00")
    );

    let clock = TestClock::new("2026-03-12T23:59:00+05:00");
    let app = App::with_options(center, clock.clock(), options(expiry_only()));
    let server = spawn("127.0.0.1:0", app.clone()).unwrap();
    // At start: Thursday's run (00:01) is owed and runs; nothing is due yet.
    assert_eq!(scheduler_runs(&app.center.lock().unwrap(), "tick"), ["2026-03-12T00:01:00+05:00"]);
    assert_eq!(status(&app.center.lock().unwrap(), a), Status::VoucherIssued);

    // Midnight passes; the run is at 00:01.
    clock.set("2026-03-13T00:00:30+05:00");
    std::thread::sleep(Duration::from_millis(150));
    assert_eq!(status(&app.center.lock().unwrap(), a), Status::VoucherIssued, "not before the slot");
    clock.set("2026-03-13T00:01:05+05:00");
    wait_for(&app, "Friday's expiry", |c| status(c, a) == Status::StopListed);
    {
        let c = app.center.lock().unwrap();
        assert_eq!(status(&c, b), Status::VoucherIssued, "B's deadline is tonight");
        assert_eq!(status(&c, "K1-C"), Status::Queued);
        assert_eq!(scheduler_runs(&c, "tick"), ["2026-03-12T00:01:00+05:00", "2026-03-13T00:01:00+05:00"]);
        let stop = c.state().application(a).unwrap();
        assert_eq!(stop.voucher.as_ref().unwrap().stop_listed_at, Some(at("2026-03-12T23:59:59+05:00")));
    }
    clock.set("2026-03-14T00:02:00+05:00");
    wait_for(&app, "Saturday's expiry", |c| status(c, b) == Status::StopListed);
    drop(server);
    drop(app);

    // Down from Saturday to Tuesday 17 March: on start, one run per missed day.
    std::thread::sleep(Duration::from_millis(100));
    let center = Center::open(dir.path()).unwrap();
    let clock = TestClock::new("2026-03-17T09:00:00+05:00");
    let app = App::with_options(center, clock.clock(), options(expiry_only()));
    let c = app.center.lock().unwrap();
    assert_eq!(
        scheduler_runs(&c, "tick"),
        [
            "2026-03-12T00:01:00+05:00",
            "2026-03-13T00:01:00+05:00",
            "2026-03-14T00:01:00+05:00",
            "2026-03-15T00:01:00+05:00",
            "2026-03-16T00:01:00+05:00",
            "2026-03-17T00:01:00+05:00",
        ]
    );
    // Idempotent: nothing else is owed, and running expiry again changes nothing.
    assert!(c.due(&expiry_only(), at("2026-03-17T09:00:00+05:00")).is_empty());
    let before = applications_json(&c);
    drop(c);
    let again = app.center.lock().unwrap().tick(at("2026-03-17T09:00:01+05:00")).unwrap();
    assert_eq!(again.events, 0);
    assert_eq!(applications_json(&app.center.lock().unwrap()), before);
}

fn open_failing(dir: &std::path::Path, armed: &Arc<AtomicBool>) -> Center<HookedStore<AnyStore>> {
    open_hooked(dir, fail_center_commits(armed, "the disk is full"))
}

#[test]
fn a_scheduled_round_runs_once_across_a_failed_commit_and_restarts() {
    let (dir, mut center) = center();
    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    for i in 0..3 {
        kiosk.register_child(
            "2026-03-10T10:00:00+05:00",
            application(&format!("K1-Q{i}"), &child_iin("2023-05-05", i), "2023-05-05", RightClass::None),
        );
    }
    kiosk.add_places("2026-03-10T11:00:00+05:00", "K1-P1", 2023, 2);
    kiosk.register(&mut center);
    center.ingest(&kiosk.all(), at("2026-03-10T12:00:00+05:00"), None).unwrap();
    // Expiry ran this morning; the round is owed from 18:00 (Tuesday, a working day).
    center.tick(at("2026-03-10T00:01:00+05:00")).unwrap();
    drop(center);

    // The round's commit fails: nothing is issued, the server keeps running and retries.
    let armed = Arc::new(AtomicBool::new(true));
    let clock = TestClock::new("2026-03-10T18:00:30+05:00");
    let app = App::with_options(open_failing(dir.path(), &armed), clock.clock(), options(Schedule::default()));
    {
        let c = app.center.lock().unwrap();
        assert!(scheduler_runs(&c, "distribute").is_empty());
        assert_eq!(c.state().applications().filter(|a| a.status == Status::VoucherIssued).count(), 0);
    }
    // The process dies before the disk comes back; a new one starts.
    drop(app);
    std::thread::sleep(Duration::from_millis(100));
    armed.store(false, Ordering::SeqCst);
    clock.set("2026-03-10T18:02:00+05:00");
    let app = App::with_options(open_failing(dir.path(), &armed), clock.clock(), options(Schedule::default()));
    {
        let c = app.center.lock().unwrap();
        assert_eq!(scheduler_runs(&c, "distribute"), ["2026-03-10T18:02:00+05:00"]);
        assert_eq!(c.state().applications().filter(|a| a.status == Status::VoucherIssued).count(), 2);
    }
    // Restarted again the same evening, and polled for a while: the slot is done.
    drop(app);
    std::thread::sleep(Duration::from_millis(100));
    clock.set("2026-03-10T19:30:00+05:00");
    let app = App::with_options(open_failing(dir.path(), &armed), clock.clock(), options(Schedule::default()));
    std::thread::sleep(Duration::from_millis(150));
    let c = app.center.lock().unwrap();
    assert_eq!(scheduler_runs(&c, "distribute"), ["2026-03-10T18:02:00+05:00"]);
    assert_eq!(c.state().applications().filter(|a| a.status == Status::VoucherIssued).count(), 2);
    // Every district with kindergartens had its round, each once.
    let rounds: Vec<String> =
        c.audit_trail(usize::MAX).into_iter().filter(|r| r.action == "distribute").map(|r| r.subject).collect();
    let mut unique = rounds.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(rounds.len(), unique.len(), "{rounds:?}");
    assert!(rounds.contains(&"KOK".to_owned()));
}
