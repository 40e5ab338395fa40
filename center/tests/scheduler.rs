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
use rules::{Instant, Status};

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
    let mut kiosk = kok_queue(center, &["K1-A", "K1-B", "K1-C"], 1);
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
    kok_queue(&mut center, &["K1-Q0", "K1-Q1", "K1-Q2"], 2);
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

#[test]
fn a_scheduled_round_that_failed_to_commit_is_tried_again_at_the_next_look() {
    let (dir, mut center) = center();
    kok_queue(&mut center, &["K1-Q0"], 1);
    center.tick(at("2026-03-10T00:01:00+05:00")).unwrap();
    drop(center);

    let armed = Arc::new(AtomicBool::new(true));
    let clock = TestClock::new("2026-03-10T18:00:30+05:00");
    let app = App::with_options(open_failing(dir.path(), &armed), clock.clock(), options(Schedule::default()));
    std::thread::sleep(Duration::from_millis(150));
    assert!(scheduler_runs(&app.center.lock().unwrap(), "distribute").is_empty(), "every look failed so far");
    // The disk is back: a later look of the same process runs the round, once.
    clock.set("2026-03-10T18:03:00+05:00");
    armed.store(false, Ordering::SeqCst);
    wait_for(&app, "the round", |c| !scheduler_runs(c, "distribute").is_empty());
    std::thread::sleep(Duration::from_millis(150));
    let c = app.center.lock().unwrap();
    assert_eq!(scheduler_runs(&c, "distribute"), ["2026-03-10T18:03:00+05:00"]);
    assert_eq!(status(&c, "K1-Q0"), Status::VoucherIssued);
}

// ---------------------------------------------------------------------------------------
// The real `kezek-center serve`: its own clock, its own scheduler thread (a look every 15 s),
// `schedule.json` in its data folder.

mod binary {
    use std::path::Path;
    use std::time::{Duration, Instant as Clock};

    use serde_json::{Value, json};

    use super::common::proc::{Server, cli, init_center};
    use super::common::*;
    use rules::RightClass;

    const PASSWORD: &str = "scheduler-test-pass";
    /// The scheduler looks every 15 s: two looks and some slack.
    const LOOKS: Duration = Duration::from_secs(40);

    fn ok(data: &Path, args: &[&str]) -> Value {
        let out = cli(data, args, &[("KEZEK_PASSWORD", PASSWORD.to_owned())]);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    }

    /// Replaces the file at once (an editor's save), so that no look sees half of it.
    fn write_schedule(data: &Path, text: &str) {
        let temp = data.join("schedule.json.new");
        std::fs::write(&temp, text).unwrap();
        std::fs::rename(&temp, data.join("schedule.json")).unwrap();
    }

    fn sign_in(url: &str) -> String {
        let mut response = http_agent()
            .post(&format!("{url}/v1/staff/session"))
            .header("Content-Type", "application/json")
            .send(json!({ "login": "boss", "password": PASSWORD }).to_string().as_bytes())
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let body: Value = serde_json::from_slice(&response.body_mut().read_to_vec().unwrap()).unwrap();
        body["token"].as_str().unwrap().to_owned()
    }

    /// The audit trail through the staff API, oldest first: (by, action, subject, at).
    fn audit(url: &str, token: &str) -> Vec<(String, String, String, String)> {
        let mut response = http_agent()
            .get(&format!("{url}/v1/staff/audit?limit=10000"))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let rows: Vec<Value> = serde_json::from_slice(&response.body_mut().read_to_vec().unwrap()).unwrap();
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        rows.iter().rev().map(|r| (text(&r["by"]), text(&r["action"]), text(&r["subject"]), text(&r["at"]))).collect()
    }

    fn scheduled(rows: &[(String, String, String, String)], action: &str) -> Vec<(String, String)> {
        rows.iter()
            .filter(|(by, a, _, _)| by == center::SCHEDULER && a == action)
            .map(|(_, _, subject, at)| (subject.clone(), at.clone()))
            .collect()
    }

    fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
        let start = Clock::now();
        while !check() {
            assert!(start.elapsed() < LOOKS, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// A center with an admin, and three children of KOK queued for two places (a kiosk's
    /// bundle ingested on the folder, at the real time).
    fn center_with_a_queue(data: &Path) {
        let kiosk = TestKiosk::new("K1");
        init_center(data, &[&kiosk]);
        ok(data, &["operator", "add", "--login", "boss", "--name", "Admin", "--role", "admin"]);
        let t = center::now().to_string();
        let mut kiosk = kiosk.with_staff(&t);
        for i in 1..=3 {
            kiosk.register_child(
                &t,
                application(&format!("K1-A{i}"), &child_iin("2023-02-01", i), "2023-02-01", RightClass::None),
            );
        }
        kiosk.add_places(&t, "K1-P1", 2023, 2);
        let bundle = data.parent().unwrap().join("k1.kzb");
        std::fs::write(&bundle, kiosk.all()).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        let report = ok(data, &["ingest", bundle.to_str().unwrap()]);
        assert_eq!(report["accepted"].as_u64(), Some(6), "{report}");
    }

    #[test]
    fn serve_runs_expiry_by_itself_and_takes_an_edited_schedule_file_without_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("center");
        center_with_a_queue(&data);
        // Expiry at 00:00 (so that today's run is owed at any time of day), no rounds.
        write_schedule(&data, r#"{"expiryAt": "00:00", "rounds": null}"#);
        let today = center::now().local_date();
        let server = Server::start(&data, &[]);
        let token = sign_in(&server.url);

        // The start ran today's expiry, as an entry of the center's log naming the scheduler.
        let rows = audit(&server.url, &token);
        let ticks = scheduled(&rows, "tick");
        let end = center::now().local_date();
        assert_eq!(ticks.len(), 1, "{rows:?}");
        let ran: rules::Instant = ticks[0].1.parse().unwrap();
        assert!(ticks[0].1.ends_with("T00:00:00+05:00") && (today..=end).contains(&ran.local_date()), "{ticks:?}");
        assert_eq!(scheduled(&rows, "distribute"), [], "rounds are off in schedule.json");

        // A broken edit: said on stderr with the file's name; the server runs on with the
        // schedule it had (still no rounds).
        write_schedule(&data, r#"{"expiryAt": "00:00", "rounds": {"at": "25:00", "days": "every"}}"#);
        let file = data.join("schedule.json").display().to_string();
        wait_until("the broken schedule reported", || {
            let log = server.stderr.lock().unwrap();
            log.contains(&file) && log.contains("the previous schedule stays in effect")
        });
        assert!(server.stderr.lock().unwrap().contains("expected HH:MM"), "{}", server.stderr.lock().unwrap());
        let rows = audit(&server.url, &token);
        assert_eq!(scheduled(&rows, "distribute"), []);
        assert_eq!(scheduled(&rows, "tick").len(), 1, "nothing ran twice");

        // Fixed, with rounds every day at 00:00: the next look puts it in effect and KOK's
        // round runs (no restart), issuing the two places.
        write_schedule(&data, r#"{"expiryAt": "00:00", "rounds": {"at": "00:00", "days": "every"}}"#);
        wait_until("the scheduled round of KOK", || {
            scheduled(&audit(&server.url, &token), "distribute").iter().any(|(district, _)| district == DISTRICT)
        });
        let log = server.stderr.lock().unwrap().clone();
        assert!(log.contains(&format!("{file} changed; in effect from now on")), "{log}");
        assert!(
            log.contains("kezek-center: scheduled distribute at ") && log.contains(": 2 vouchers, 0 expired"),
            "{log}"
        );
        let rows = audit(&server.url, &token);
        assert_eq!(scheduled(&rows, "distribute").iter().filter(|(d, _)| d == DISTRICT).count(), 1, "{rows:?}");
        assert_eq!(scheduled(&rows, "tick").len(), 1);
        let mut health = http_agent().get(&format!("{}/v1/health", server.url)).call().unwrap();
        let health: Value = serde_json::from_slice(&health.body_mut().read_to_vec().unwrap()).unwrap();
        assert_eq!(health["applications"].as_u64(), Some(3), "{health}");
    }

    #[test]
    fn a_schedule_file_that_does_not_read_stops_serve_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("center");
        init_center(&data, &[]);
        let file = data.join("schedule.json").display().to_string();
        for (junk, reason) in [
            (r#"{"expiryAt": "25:00"}"#, "expected HH:MM"),
            (r#"{"expiry": "00:01"}"#, "unknown field `expiry`"),
            (r#"{"rounds": {"at": "18:00", "days": "weekdays"}}"#, "unknown variant `weekdays`"),
            ("expiryAt = 00:01", "expected value"),
        ] {
            std::fs::write(&file, junk).unwrap();
            let Err(stderr) = Server::try_start(&data, &[]) else { panic!("serve started with {junk}") };
            let error: Value = serde_json::from_str(stderr.lines().last().unwrap_or_default())
                .unwrap_or_else(|_| panic!("a JSON error: {stderr}"));
            assert_eq!(error["error"]["code"], "BAD_SCHEDULE", "{junk}: {stderr}");
            let message = error["error"]["message"].as_str().unwrap();
            assert!(message.starts_with(&format!("{file}: ")) && message.contains(reason), "{junk}: {message}");
        }
        // The exit status says so too, and the folder is not held.
        let out = cli(&data, &["serve", "--listen", "127.0.0.1:0"], &[]);
        assert_eq!(out.status.code(), Some(1));
        std::fs::write(&file, r#"{"rounds": null}"#).unwrap();
        drop(Server::start(&data, &[]));
    }
}
