//! Two center servers on one PostgreSQL database (a throw-away cluster the test starts):
//! either answers any request, uploads through both end in one log (the same kiosk's
//! uploads through both at once too: each entry once, every ack right), and the scheduled round
//! runs once, on the other server when the leader dies in the middle of it (in process, with
//! the commit failing) or when the leader's process is killed (two real `serve` processes).
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use center::any_store::AnyStore;
use center::http::{App, ServerOptions, spawn};
use center::scheduler::Schedule;
use center::store::CenterStore;
use center::{CENTER_ID, Center, NewUser, SCHEDULER};
use changelog::SignedEntry;
use changelog::sync::{open_ack, open_snapshot};
use common::hooked::{HookedStore, fail_center_commits, open_hooked};
use common::*;
use rules::authz::staff::StaffRole;
use rules::{Instant, RightClass, Status};
use serde_json::json;

/// A data folder whose store is a fresh database of the test cluster.
fn shared_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    Center::init(dir.path(), None).unwrap();
    std::fs::write(dir.path().join(center::STORE_FILE), pg::cluster().store()).unwrap();
    dir
}

fn clock(cell: &Arc<Mutex<Instant>>) -> center::http::Clock {
    let cell = Arc::clone(cell);
    Arc::new(move || *cell.lock().unwrap())
}

fn post(url: &str, token: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    let mut response = http_agent()
        .post(url)
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(body.to_string().as_bytes())
        .unwrap();
    let status = response.status().as_u16();
    (status, serde_json::from_slice(&response.body_mut().read_to_vec().unwrap()).unwrap_or_default())
}

#[test]
fn either_server_answers_and_uploads_through_both_end_in_one_log() {
    let dir = shared_folder();
    let mut first = Center::open(dir.path()).unwrap();
    let admin = NewUser {
        login: "admin".into(),
        name: "Админ".into(),
        role: StaffRole::Admin,
        districts: vec![],
        password: "admin-pass-1".into(),
    };
    first.add_user(CENTER_ID, admin, at("2026-03-10T08:00:00+05:00")).unwrap();
    let center_key = first.public_key();
    let now = Arc::new(Mutex::new(at("2026-03-10T12:00:00+05:00")));
    let a = App::with_options(first, clock(&now), ServerOptions::default());
    let b = App::with_options(Center::open(dir.path()).unwrap(), clock(&now), ServerOptions::default());
    let server_a = spawn("127.0.0.1:0", a.clone()).unwrap();
    let server_b = spawn("127.0.0.1:0", b.clone()).unwrap();

    // Signed in on A, the session works on B.
    let (status, signed) = post(
        &format!("{}/v1/staff/session", server_a.url()),
        "",
        &json!({"login": "admin", "password": "admin-pass-1"}),
    );
    assert_eq!(status, 200, "{signed}");
    let token = signed["token"].as_str().unwrap().to_owned();
    // Kiosks registered through B.
    let mut k1 = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    let mut k2 = TestKiosk::new("K2").with_staff("2026-03-10T09:00:00+05:00");
    for kiosk in [&k1, &k2] {
        let body = json!({"id": kiosk.id, "district": "KOK", "publicKey": kiosk.key.public_hex()});
        let (status, answer) = post(&format!("{}/v1/staff/kiosks", server_b.url()), &token, &body);
        assert_eq!(status, 200, "{answer}");
    }
    for i in 0..4 {
        k1.register_child(
            "2026-03-10T10:00:00+05:00",
            application(&format!("K1-A{i}"), &child_iin("2023-05-05", i), "2023-05-05", RightClass::None),
        );
        k2.register_child(
            "2026-03-10T10:00:00+05:00",
            application(&format!("K2-A{i}"), &child_iin("2023-06-06", i), "2023-06-06", RightClass::None),
        );
    }
    // K1 pushes to A and K2 to B at the same time; then each to the other server.
    let (url_a, url_b) = (server_a.url(), server_b.url());
    let (s1, s2) = (k1.signer(), k2.signer());
    let (b1, b2) = (k1.all(), k2.all());
    let t1 = std::thread::spawn(move || center::push(&url_a, &s1, &b1).unwrap());
    let t2 = std::thread::spawn(move || center::push(&url_b, &s2, &b2).unwrap());
    assert_eq!(open_ack(&t1.join().unwrap(), &center_key).unwrap().accepted_through_seq, 6);
    assert_eq!(open_ack(&t2.join().unwrap(), &center_key).unwrap().accepted_through_seq, 6);
    k1.register_child(
        "2026-03-10T11:00:00+05:00",
        application("K1-B0", &child_iin("2023-07-07", 1), "2023-07-07", RightClass::None),
    );
    let ack = center::push(&server_b.url(), &k1.signer(), &k1.all()).unwrap();
    assert_eq!(open_ack(&ack, &center_key).unwrap().accepted_through_seq, 7, "B knows what K1 sent to A");

    // A challenge answered by A is good for one request on B, and only once anywhere.
    let nonce = challenge(&server_a.url(), "K1");
    let path = changelog::request::path(changelog::request::ACK_ROUTE, "K1");
    let signed = k1.signer().sign("GET", &path, &nonce, &[]);
    let (status, _) = send_signed(&server_b.url(), &signed, "GET", &path, None);
    assert_eq!(status, 200, "A's nonce spent on B");
    for url in [server_a.url(), server_b.url()] {
        let (status, _) = send_signed(&url, &signed, "GET", &path, None);
        assert_eq!(status, 401, "replayed on {url}");
    }

    // Both servers hand out the same district: nine children.
    for url in [server_a.url(), server_b.url()] {
        let snapshot =
            center::client::fetch_snapshot(&url, &k2.signer(), "KOK", &center::PushOptions::default()).unwrap();
        let snapshot = open_snapshot(&snapshot, &center_key).unwrap();
        assert_eq!(snapshot.applications.len(), 9, "{url}");
    }
    // And after a restart from the database alone, the same.
    drop((server_a, server_b, a, b));
    let reopened = Center::open(dir.path()).unwrap();
    assert_eq!(reopened.state().applications().count(), 9);
    assert_eq!(reopened.ack("K1", at("2026-03-10T12:00:00+05:00")).unwrap().0.accepted_through_seq, 7);
}

fn open_dying(dir: &std::path::Path, armed: &Arc<AtomicBool>) -> Center<HookedStore<AnyStore>> {
    open_hooked(dir, fail_center_commits(armed, "the server dies in the middle of the round"))
}

fn kok_rounds<S: CenterStore>(center: &Center<S>) -> usize {
    center.audit_trail(usize::MAX).iter().filter(|r| r.action == "distribute" && r.subject == "KOK").count()
}

#[test]
fn the_scheduled_round_runs_once_and_moves_to_the_other_server_when_the_leader_dies_in_it() {
    let dir = shared_folder();
    let mut setup = Center::open(dir.path()).unwrap();
    kok_queue(&mut setup, &["K1-Q0", "K1-Q1", "K1-Q2", "K1-Q3"], 3);
    setup.tick(at("2026-03-10T00:01:00+05:00")).unwrap();
    drop(setup);

    // Before 18:00 both servers start; A starts first and leads.
    let now = Arc::new(Mutex::new(at("2026-03-10T17:59:00+05:00")));
    let options = || ServerOptions {
        schedule: Some(Schedule::default()),
        scheduler_poll: Some(Duration::from_millis(20)),
        ..ServerOptions::default()
    };
    let armed = Arc::new(AtomicBool::new(true));
    let a = App::with_options(open_dying(dir.path(), &armed), clock(&now), options());
    let b_disarmed = Arc::new(AtomicBool::new(false));
    let b = App::with_options(open_dying(dir.path(), &b_disarmed), clock(&now), options());
    // Yesterday's slots of the other districts ran at start (by the leader); KOK's too.
    std::thread::sleep(Duration::from_millis(100));
    let before = kok_rounds(&b.center.lock().unwrap());

    // 18:00: A, the leader, dies in the middle of the round (its commit never happens).
    *now.lock().unwrap() = at("2026-03-10T18:00:10+05:00");
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(kok_rounds(&a.center.lock().unwrap()), before, "A's round did not commit");
    {
        let mut b_center = b.center.lock().unwrap();
        b_center.catch_up().unwrap();
        assert_eq!(kok_rounds(&b_center), before, "B did not run it while A led");
    }
    drop(a);
    // B takes the lead at its next look and runs the round.
    let mut done = false;
    for _ in 0..200 {
        std::thread::sleep(Duration::from_millis(20));
        if kok_rounds(&b.center.lock().unwrap()) == before + 1 {
            done = true;
            break;
        }
    }
    assert!(done, "B ran the round after A died");
    std::thread::sleep(Duration::from_millis(200));
    let c = b.center.lock().unwrap();
    assert_eq!(kok_rounds(&c), before + 1, "once");
    let issued: Vec<&str> =
        c.state().applications().filter(|a| a.status == Status::VoucherIssued).map(|a| a.id.as_str()).collect();
    assert_eq!(issued.len(), 3, "{issued:?}");
    let last = c.audit_trail(usize::MAX).into_iter().find(|r| r.action == "distribute" && r.subject == "KOK").unwrap();
    assert_eq!(last.by, SCHEDULER);
    drop(c);
    // A restarted server catches up and agrees; nothing is owed any more.
    let fresh = Center::open(dir.path()).unwrap();
    assert_eq!(kok_rounds(&fresh), before + 1);
    assert_eq!(fresh.state().applications().filter(|a| a.status == Status::VoucherIssued).count(), 3);
}

/// A kiosk with staff and `n` registrations (all in March 2026).
fn kiosk_with(id: &str, n: u32, serial: u32) -> TestKiosk {
    let mut kiosk = TestKiosk::new(id).with_staff("2026-03-10T09:00:00+05:00");
    for i in 0..n {
        kiosk.register_child(
            &format!("2026-03-10T{:02}:{:02}:00+05:00", 10 + i / 60, i % 60),
            application(&format!("{id}-A{i}"), &child_iin("2023-05-05", serial + i), "2023-05-05", RightClass::None),
        );
    }
    kiosk
}

#[test]
fn the_same_kiosks_uploads_to_both_servers_at_once_are_applied_once_each() {
    const KIOSKS: u32 = 4;
    const PER_KIOSK: u32 = 22;
    let dir = shared_folder();
    let mut setup = Center::open(dir.path()).unwrap();
    let kiosks: Vec<TestKiosk> =
        (0..KIOSKS).map(|k| kiosk_with(&format!("K{}", k + 1), PER_KIOSK, 100 * (k + 1))).collect();
    for kiosk in &kiosks {
        kiosk.register(&mut setup);
    }
    let center_key = setup.public_key();
    drop(setup);
    let now = Arc::new(Mutex::new(at("2026-03-10T18:00:00+05:00")));
    let a = App::with_options(Center::open(dir.path()).unwrap(), clock(&now), ServerOptions::default());
    let b = App::with_options(Center::open(dir.path()).unwrap(), clock(&now), ServerOptions::default());
    let (server_a, server_b) = (spawn("127.0.0.1:0", a.clone()).unwrap(), spawn("127.0.0.1:0", b.clone()).unwrap());
    let options = center::PushOptions {
        attempts: 8,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
        timeout: Duration::from_secs(30),
    };

    // Each kiosk pushes its log to A in uploads of 3 entries and, at the same moment, to B
    // in uploads of 4 (as a kiosk whose answer was lost retries through the other server):
    // the same entries reach both servers at once, the uploads overlapping differently.
    let start = Arc::new(std::sync::Barrier::new(2 * kiosks.len()));
    // Acks that went past their upload: the other server had stored more of that kiosk.
    let ahead = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut threads = Vec::new();
    for kiosk in &kiosks {
        let total = kiosk.entries.len() as u64;
        for (url, size) in [(server_a.url(), 3u64), (server_b.url(), 4u64)] {
            let uploads: Vec<(u64, Vec<u8>)> = (0..total.div_ceil(size))
                .map(|i| {
                    let (from, to) = (i * size + 1, ((i + 1) * size).min(total));
                    (to, kiosk.bundle(from, to))
                })
                .collect();
            let (signer, start, options) = (kiosk.signer(), Arc::clone(&start), options.clone());
            let heads: Vec<changelog::Hash> = kiosk.entries.iter().map(SignedEntry::hash).collect();
            let (id, ahead) = (kiosk.id.clone(), Arc::clone(&ahead));
            threads.push(std::thread::spawn(move || {
                start.wait();
                for (to, bundle) in uploads {
                    let bytes = center::push_with(&url, &signer, &bundle, &options)
                        .unwrap_or_else(|e| panic!("{id} through {url}, up to {to}: {e:?}"));
                    let ack = open_ack(&bytes, &center_key).expect("a genuine ack");
                    assert_eq!(ack.kiosk, id);
                    // At least this upload's entries, at most the kiosk's log, and the head
                    // is the kiosk's own entry at that sequence number.
                    assert!(ack.accepted_through_seq >= to && ack.accepted_through_seq <= total, "{id} {to}: {ack:?}");
                    let head = heads[usize::try_from(ack.accepted_through_seq - 1).unwrap()];
                    assert_eq!(ack.head_hash, hex::encode(head), "{id} {to}");
                    assert!(ack.quarantined.is_empty(), "{id} {to}: {ack:?}");
                    if ack.accepted_through_seq > to {
                        ahead.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    }
                }
            }));
        }
    }
    for thread in threads {
        thread.join().unwrap();
    }
    let ahead = ahead.load(std::sync::atomic::Ordering::SeqCst);
    eprintln!("{ahead} acks went past their upload");
    assert!(ahead > 0, "the two servers took turns on the same kiosks");

    // The log holds each entry once, in each kiosk's order; nothing was set aside.
    let mut sql =
        postgres::Client::connect(&std::fs::read_to_string(dir.path().join("store.url")).unwrap(), postgres::NoTls)
            .unwrap();
    for kiosk in &kiosks {
        let rows =
            sql.query("SELECT seq, entry_hash FROM accepted_log WHERE source = $1 ORDER BY pos", &[&kiosk.id]).unwrap();
        let stored: Vec<(i64, Vec<u8>)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        let expected: Vec<(i64, Vec<u8>)> =
            kiosk.entries.iter().zip(1..).map(|(e, seq)| (seq, e.hash().to_vec())).collect();
        assert_eq!(stored, expected, "{}", kiosk.id);
    }
    let quarantined: i64 = sql.query_one("SELECT count(*) FROM quarantine", &[]).unwrap().get(0);
    assert_eq!(quarantined, 0);
    // Both servers agree, and so does a fresh start from the database alone.
    let children = u64::from(KIOSKS * PER_KIOSK);
    for app in [&a, &b] {
        let mut c = app.center.lock().unwrap();
        c.catch_up().unwrap();
        assert_eq!(c.state().applications().count() as u64, children);
        assert!(c.review_items().is_empty(), "{:?}", c.review_items());
        for kiosk in &kiosks {
            let ack = c.ack(&kiosk.id, at("2026-03-10T18:00:00+05:00")).unwrap().0;
            assert_eq!(ack.accepted_through_seq, kiosk.entries.len() as u64);
        }
    }
    drop((server_a, server_b, a, b));
    let fresh = Center::open(dir.path()).unwrap();
    assert_eq!(fresh.state().applications().count() as u64, children);
    assert!(fresh.quarantine().is_empty());
}

/// What SECURITY.md says of sign-in throttling with two servers: each counts its own
/// failures (kept in its memory), so the limits apply per server.
#[test]
fn failed_sign_ins_count_across_servers_sharing_the_store() {
    use center::throttle::{MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_LOGIN, WINDOW_SECS};
    let dir = shared_folder();
    let mut first = Center::open(dir.path()).unwrap();
    for login in ["look", "other"] {
        let viewer = NewUser {
            login: login.into(),
            name: "Viewer".into(),
            role: StaffRole::Viewer,
            districts: vec![],
            password: "viewer-pass-1".into(),
        };
        first.add_user(CENTER_ID, viewer, at("2026-03-10T08:00:00+05:00")).unwrap();
    }
    let now = Arc::new(Mutex::new(at("2026-03-10T12:00:00+05:00")));
    let a = App::with_options(first, clock(&now), ServerOptions::default());
    let b = App::with_options(Center::open(dir.path()).unwrap(), clock(&now), ServerOptions::default());
    let server_a = spawn("127.0.0.1:0", a).unwrap();
    let server_b = spawn("127.0.0.1:0", b).unwrap();
    let sign_in = |url: &str, login: &str, password: &str| {
        let (status, body) =
            post(&format!("{url}/v1/staff/session"), "", &json!({"login": login, "password": password}));
        (status, body["error"]["code"].as_str().unwrap_or_default().to_owned())
    };
    // A guesser alternating between the servers gets five guesses in all, not five each.
    for i in 0..MAX_FAILURES_PER_LOGIN {
        let url = if i % 2 == 0 { server_a.url() } else { server_b.url() };
        assert_eq!(sign_in(&url, "look", "guess-guess").0, 401, "guess {i}");
    }
    for url in [server_a.url(), server_b.url()] {
        assert_eq!(sign_in(&url, "look", "viewer-pass-1"), (429, "LOGIN_THROTTLED".to_owned()), "{url}");
    }
    // Another login is not locked, and its right password clears its count on both.
    for _ in 0..MAX_FAILURES_PER_LOGIN - 1 {
        assert_eq!(sign_in(&server_a.url(), "other", "guess-guess").0, 401);
    }
    assert_eq!(sign_in(&server_b.url(), "other", "viewer-pass-1").0, 200);
    for _ in 0..MAX_FAILURES_PER_LOGIN - 1 {
        assert_eq!(sign_in(&server_a.url(), "other", "guess-guess").0, 401, "the count started again");
    }
    // A made-up login guessed once, never again.
    assert_eq!(sign_in(&server_b.url(), "ghost", "guess-guess").0, 401);
    // Once the window has passed on the servers' clock, the right password works again.
    {
        let mut clock = now.lock().unwrap();
        *clock = Instant(clock.0 + chrono::Duration::seconds(WINDOW_SECS + 1));
    }
    assert_eq!(sign_in(&server_b.url(), "look", "viewer-pass-1").0, 200);
    // The address's budget is shared too (the failures above left the window): spread over
    // both servers, one guess for each of twenty logins locks the address for any login.
    for i in 0..MAX_FAILURES_PER_ADDRESS {
        let url = if i % 2 == 0 { server_a.url() } else { server_b.url() };
        assert_eq!(sign_in(&url, &format!("nobody{i}"), "guess-guess").0, 401, "guess {i}");
    }
    assert_eq!(sign_in(&server_a.url(), "other", "viewer-pass-1"), (429, "LOGIN_THROTTLED".to_owned()));
    // Rows whose failures all left the window are gone ("ghost"'s of the first quarter of
    // an hour): guesses at made-up logins do not fill the table for ever.
    let url = std::fs::read_to_string(dir.path().join(center::STORE_FILE)).unwrap();
    let mut sql = postgres::Client::connect(url.trim(), postgres::NoTls).unwrap();
    let rows = sql.query("SELECT login FROM staff_signin_logins WHERE record <> '[]' ORDER BY login", &[]).unwrap();
    let logins: Vec<String> = rows.iter().map(|row| row.get(0)).collect();
    let mut expected: Vec<String> = (0..MAX_FAILURES_PER_ADDRESS).map(|i| format!("nobody{i}")).collect();
    expected.sort();
    assert_eq!(logins, expected);
}

/// Two real `kezek-center serve` processes, each with its own data folder (the same key and
/// store), on one database. The leader is killed (SIGKILL) as a round falls due: the database
/// ends its session, the other server takes the lead at its next look and runs the round once;
/// looks after that do not run it again.
#[test]
fn a_killed_leader_process_hands_the_due_round_to_the_other_server_which_runs_it_once() {
    use common::proc::{Server, cli, init_center_with};
    const PASSWORD: &str = "two-servers-pass";
    let ok = |data: &std::path::Path, args: &[&str]| {
        let out = cli(data, args, &[("KEZEK_PASSWORD", PASSWORD.to_owned())]);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let schedule = |data: &std::path::Path, text: &str| {
        let temp = data.join("schedule.json.new");
        std::fs::write(&temp, text).unwrap();
        std::fs::rename(&temp, data.join("schedule.json")).unwrap();
    };
    let wait_for = |what: &str, limit: Duration, mut check: Box<dyn FnMut() -> bool + '_>| {
        let start = std::time::Instant::now();
        while !check() {
            assert!(start.elapsed() < limit, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(250));
        }
    };

    // Folder A on the cluster, with an admin and three children of KOK for two places.
    let dir = tempfile::tempdir().unwrap();
    let (a_dir, b_dir) = (dir.path().join("a"), dir.path().join("b"));
    let owner = pg::cluster().database();
    let server_role = pg::Cluster::as_server(&owner);
    let kiosk = TestKiosk::new("K1");
    init_center_with(&a_dir, &["init", "--store", &server_role, "--store-owner", &owner], &[&kiosk]);
    ok(&a_dir, &["operator", "add", "--login", "boss", "--name", "Admin", "--role", "admin"]);
    let t = center::now().to_string();
    let mut kiosk = kiosk.with_staff(&t);
    kiosk.register_children(&t, "K1-A", "2023-02-01", 1..=3);
    kiosk.add_places(&t, "K1-P1", 2023, 2);
    let bundle = dir.path().join("k1.kzb");
    std::fs::write(&bundle, kiosk.all()).unwrap();
    std::thread::sleep(Duration::from_millis(20));
    ok(&a_dir, &["ingest", bundle.to_str().unwrap()]);
    // Folder B: the same key and store, as a second machine would have them.
    std::fs::create_dir_all(&b_dir).unwrap();
    for entry in std::fs::read_dir(&a_dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), b_dir.join(entry.file_name())).unwrap();
        }
    }

    // No rounds yet. A starts first and leads: it runs today's expiry at its start.
    for data in [&a_dir, &b_dir] {
        schedule(data, r#"{"expiryAt": "00:00", "rounds": null}"#);
    }
    let mut a = Server::start(&a_dir, &[]);
    let token = {
        let (status, body) =
            post(&format!("{}/v1/staff/session", a.url), "", &json!({ "login": "boss", "password": PASSWORD }));
        assert_eq!(status, 200, "{body}");
        body["token"].as_str().unwrap().to_owned()
    };
    let audit = |url: &str| -> Vec<(String, String, String)> {
        let mut response = http_agent()
            .get(&format!("{url}/v1/staff/audit?limit=10000"))
            .header("Authorization", &format!("Bearer {token}"))
            .call()
            .unwrap();
        let rows: Vec<serde_json::Value> = serde_json::from_slice(&response.body_mut().read_to_vec().unwrap()).unwrap();
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
        rows.iter().map(|r| (text(&r["by"]), text(&r["action"]), text(&r["subject"]))).collect()
    };
    let scheduled = |rows: &[(String, String, String)], action: &str, subject: Option<&str>| {
        rows.iter().filter(|(by, a, s)| by == SCHEDULER && a == action && subject.is_none_or(|d| d == s)).count()
    };
    assert_eq!(scheduled(&audit(&a.url), "tick", None), 1, "A ran today's expiry at its start: it leads");
    let b = Server::start(&b_dir, &[]);
    assert_eq!(scheduled(&audit(&b.url), "tick", None), 1, "B, not leading, ran nothing");

    // Rounds every day at 00:00: today's is due at once. A is killed before its next look.
    for data in [&a_dir, &b_dir] {
        schedule(data, r#"{"expiryAt": "00:00", "rounds": {"at": "00:00", "days": "every"}}"#);
    }
    a.kill();
    wait_for(
        "the round on B",
        Duration::from_secs(90),
        Box::new(|| scheduled(&audit(&b.url), "distribute", Some(DISTRICT)) == 1),
    );
    // Two more looks (every 15 s): not again.
    std::thread::sleep(Duration::from_secs(32));
    let rows = audit(&b.url);
    assert_eq!(scheduled(&rows, "distribute", Some(DISTRICT)), 1, "once: {rows:?}");
    assert_eq!(scheduled(&rows, "tick", None), 1, "the expiry ran once too");
    drop(b);
    let center = Center::open(&a_dir).unwrap();
    let issued = center.state().applications().filter(|a| a.status == Status::VoucherIssued).count();
    assert_eq!(issued, 2, "two places, two vouchers, each issued once");
}
