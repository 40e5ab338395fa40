//! The center attacked as an attacker would: replayed and forged requests, junk after a
//! genuine prefix, floods of unsigned work, slow and unfinished uploads, idle connections,
//! a panic inside the center, and a modified kiosk writing outside its scope or back-dating.
//! Each test names the claim of docs/SECURITY.md it checks.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant as Clock};

use center::Center;
use center::client::{PushOptions, push_with};
use center::http::{App, Limits, spawn};
use center::store::SledStore;
use changelog::request::RequestSigner;
use changelog::sync::{ClockProblem, open_ack};
use changelog::{Bundle, KioskKey, Payload, SignedEntry};
use common::*;
use rules::RightClass;

const NOW: &str = "2026-03-10T18:00:00+05:00";
const EVENTS: &str = "/v1/kiosks/K1/events";
const OCTETS: &str = "application/octet-stream";

fn folder_bytes(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() { folder_bytes(&e.path()) } else { meta.len() }
        })
        .sum()
}

/// A center with kiosk K1 registered and three applications of it accepted.
fn started(limits: Limits) -> (tempfile::TempDir, App, center::http::ServerHandle, TestKiosk) {
    let (dir, mut center) = center();
    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    kiosk.register_children("2026-03-10T10:00:00+05:00", "K1-A", "2023-05-05", 0..3);
    kiosk.register(&mut center);
    let app = App::with_limits(center, Arc::new(|| at(NOW)), limits);
    let server = spawn("127.0.0.1:0", app.clone()).unwrap();
    (dir, app, server, kiosk)
}

fn junk(count: usize) -> Vec<SignedEntry> {
    (0..count)
        .map(|i| {
            let body = u32::try_from(i).unwrap().to_le_bytes().repeat(4);
            SignedEntry::from_parts(body, [0x5a; 64])
        })
        .collect()
}

fn quick() -> PushOptions {
    PushOptions {
        attempts: 20,
        initial_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(300),
        timeout: Duration::from_secs(30),
    }
}

/// SECURITY.md "Network attacker": a captured genuine request cannot be replayed, and its
/// entry followed by 200,000 junk records costs the center one signature check.
#[test]
fn a_replayed_request_and_a_genuine_entry_followed_by_junk_are_refused_cheaply() {
    let (dir, app, server, kiosk) = started(Limits::default());
    let url = server.url();
    let signer = kiosk.signer();
    let genuine = kiosk.bundle(1, 1);
    let nonce = challenge(&url, "K1");
    let captured = signer.sign("POST", EVENTS, &nonce, &genuine);
    let (status, _) = send_signed(&url, &captured, "POST", EVENTS, Some((OCTETS, &genuine)));
    assert_eq!(status, 200);
    let db = dir.path().join("db");
    let (size, apps) = (folder_bytes(&db), app.center.lock().unwrap().state().applications().count());

    // The same request again: its nonce is spent.
    let (status, body) = send_signed(&url, &captured, "POST", EVENTS, Some((OCTETS, &genuine)));
    assert_eq!((status, error_code(&body).as_str()), (401, "UNAUTHENTICATED"));

    // The captured headers with a body of the genuine entry and 199,999 junk records.
    let mut entries = vec![kiosk.entries[0].clone()];
    entries.extend(junk(199_999));
    let poisoned = Bundle { kiosk: "K1".into(), entries }.to_bytes();
    let fresh = challenge(&url, "K1");
    let mut replay = captured.clone();
    replay.nonce = fresh;
    let started = Clock::now();
    let (status, body) = send_signed(&url, &replay, "POST", EVENTS, Some((OCTETS, &poisoned)));
    let took = started.elapsed();
    assert_eq!((status, error_code(&body).as_str()), (401, "UNAUTHENTICATED"));
    assert!(took < Duration::from_secs(2), "refused in {took:?}");
    // A made-up signature, and none at all.
    let mut forged = signer.sign("POST", EVENTS, &challenge(&url, "K1"), &poisoned);
    forged.signature = "ab".repeat(64);
    let (status, _) = send_signed(&url, &forged, "POST", EVENTS, Some((OCTETS, &poisoned)));
    assert_eq!(status, 401);
    let (status, body) = post_raw(&url, EVENTS, &poisoned);
    assert_eq!((status, error_code(&body).as_str()), (401, "UNAUTHENTICATED"));

    let center = app.center.lock().unwrap();
    assert!(center.quarantine().is_empty(), "no note stored");
    assert_eq!(center.state().applications().count(), apps);
    drop(center);
    assert!(folder_bytes(&db) <= size, "the store did not grow: {} > {size}", folder_bytes(&db));

    // The same file on a USB stick: the genuine prefix is a duplicate, the junk leaves no note.
    let mut center = app.center.lock().unwrap();
    let report = center.ingest(&poisoned, at(NOW), None).unwrap().report;
    assert_eq!((report.duplicates, report.accepted, report.quarantined.len()), (1, 0, 0));
    assert_eq!(report.unattributed, 199_999);
    assert!(center.quarantine().is_empty());
    let (ack, ack_bytes) = center.ack("K1", at(NOW)).unwrap();
    assert!(ack.quarantined.is_empty() && ack_bytes.len() < 4096, "{} bytes", ack_bytes.len());
}

fn post_raw(url: &str, path: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut response = http_agent().post(&format!("{url}{path}")).header("Content-Type", OCTETS).send(body).unwrap();
    (response.status().as_u16(), response.body_mut().read_to_vec().unwrap())
}

/// SECURITY.md "Bounded work": a chain of 100,000 entries signed by no registered key (about
/// 10 MB: a longer chain is over the 16 MiB body limit and refused with 413 unread), sent
/// 4× in parallel, is refused whole (401) while health answers quickly.
#[test]
fn unsigned_floods_are_refused_and_health_stays_fast() {
    let (dir, app, server, kiosk) = started(Limits::default());
    let url = server.url();
    let thief = KioskKey::generate().unwrap();
    let mut chain = TestKiosk::new("K1");
    chain.key = KioskKey::from_secret(thief.signing().to_bytes());
    let op = Payload::OperatorDisabled { login: "nobody".into() };
    for _ in 0..100_000 {
        chain.push("2026-03-10T10:00:00+05:00", "admin", &op);
    }
    let flood = Arc::new(chain.all());
    let thief_signer = RequestSigner::new(thief.signing().clone(), "K1", 100_000, Vec::new());
    let db = dir.path().join("db");
    let size = folder_bytes(&db);
    let stop = Arc::new(AtomicBool::new(false));
    let senders: Vec<_> = (0..4)
        .map(|_| {
            let (url, flood, signer) = (url.clone(), Arc::clone(&flood), thief_signer.clone());
            std::thread::spawn(move || {
                let started = Clock::now();
                let (status, body) = signed_request(&url, &signer, "POST", EVENTS, Some((OCTETS, &flood)));
                (status, error_code(&body), started.elapsed())
            })
        })
        .collect();
    let watcher = {
        let (url, stop) = (url.clone(), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut times = Vec::new();
            while !stop.load(Ordering::Relaxed) || times.len() < 20 {
                let started = Clock::now();
                let mut response = http_agent().get(&format!("{url}/v1/health")).call().unwrap();
                assert_eq!(response.status().as_u16(), 200);
                let _ = response.body_mut().read_to_vec();
                times.push(started.elapsed());
                std::thread::sleep(Duration::from_millis(5));
            }
            times
        })
    };
    for sender in senders {
        let (status, code, took) = sender.join().unwrap();
        assert_eq!((status, code.as_str()), (401, "UNAUTHENTICATED"), "after {took:?}");
    }
    stop.store(true, Ordering::Relaxed);
    let mut times = watcher.join().unwrap();
    times.sort();
    let p99 = times[times.len() * 99 / 100];
    assert!(p99 < Duration::from_millis(100), "health p99 {p99:?} over {} calls", times.len());
    assert!(app.center.lock().unwrap().quarantine().is_empty());
    assert!(folder_bytes(&db) <= size);
    // The kiosk itself still gets through.
    let ack = push_with(&url, &kiosk.signer(), &kiosk.all(), &quick()).unwrap();
    assert_eq!(open_ack(&ack, &app.center.lock().unwrap().public_key()).unwrap().accepted_through_seq, 5);
}

/// Opens a connection and sends signed-looking upload headers announcing `length` bytes,
/// then `sent` bytes of the body; returns the stream (kept open by the caller).
fn slow_upload(addr: std::net::SocketAddr, length: usize, sent: usize) -> TcpStream {
    let mut stream = TcpStream::connect(addr).unwrap();
    // A refused upload is not read further: writing into it must not block the test.
    stream.set_write_timeout(Some(Duration::from_secs(3))).unwrap();
    let head = format!(
        "POST {EVENTS} HTTP/1.1\r\nHost: x\r\nContent-Type: {OCTETS}\r\nContent-Length: {length}\r\n\
         kezek-kiosk: K1\r\nkezek-nonce: {}\r\nkezek-head: 5\r\nkezek-signature: {}\r\n\r\n",
        "0".repeat(64),
        "0".repeat(128)
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&vec![1u8; sent]);
    stream
}

fn status_of(stream: &mut TcpStream, wait: Duration) -> Option<u16> {
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut answer = vec![0u8; 64];
    let n = stream.read(&mut answer).unwrap_or(0);
    String::from_utf8_lossy(&answer[..n])
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
}

/// SECURITY.md "Bounded work": 300 slow uploads get upload slots up to the limit (the rest a
/// 503 with Retry-After at once), the slow ones time out, and a genuine push then succeeds.
#[test]
fn slow_uploads_are_capped_and_timed_out() {
    let limits = Limits { body_timeout: Duration::from_secs(2), max_uploads: 32, ..Limits::default() };
    let (_dir, app, server, kiosk) = started(limits);
    let mut streams: Vec<TcpStream> = (0..300).map(|_| slow_upload(server.addr, 1 << 20, 10)).collect();
    let started = Clock::now();
    // Generous waits: other tests load the machine's two cores meanwhile.
    let statuses: Vec<Option<u16>> = streams.iter_mut().map(|s| status_of(s, Duration::from_secs(30))).collect();
    let busy = statuses.iter().filter(|s| **s == Some(503)).count();
    let timed_out = statuses.iter().filter(|s| **s == Some(408)).count();
    assert_eq!(busy + timed_out, 300, "{statuses:?}");
    // Every slot was used; uploads that came after the first ones timed out may have
    // taken a freed slot, the rest were refused at once.
    assert!(timed_out >= 32 && busy >= 200, "{timed_out} timed out, {busy} busy");
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
    drop(streams);
    let ack = push_with(&server.url(), &kiosk.signer(), &kiosk.all(), &quick()).unwrap();
    assert_eq!(open_ack(&ack, &app.center.lock().unwrap().public_key()).unwrap().accepted_through_seq, 5);
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd")).map_or(0, Iterator::count)
}

/// SECURITY.md "Bounded work", against the real binary: 64 unfinished 16 MB uploads and
/// then 1,100 idle connections are refused or timed out; the server's memory stays bounded
/// (a second wave does not grow it), its descriptors stay under the cap, and pushes and
/// health go on.
#[test]
fn unfinished_uploads_and_idle_connections_do_not_exhaust_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("center");
    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    kiosk.register_child(
        "2026-03-10T10:00:00+05:00",
        application("K1-A0", &child_iin("2023-05-05", 0), "2023-05-05", RightClass::None),
    );
    let key = proc::init_center(&data, &[&kiosk]);
    let env = [
        ("KEZEK_HEADER_TIMEOUT_SECS", "2".to_owned()),
        ("KEZEK_BODY_TIMEOUT_SECS", "3".to_owned()),
        ("KEZEK_MAX_CONNECTIONS", "256".to_owned()),
    ];
    let server = proc::Server::start(&data, &env);
    let pid = server.child.id();
    let addr: std::net::SocketAddr = server.url.trim_start_matches("http://").parse().unwrap();
    let health = || http_agent().get(&format!("{}/v1/health", server.url)).call().map(|r| r.status().as_u16());
    assert_eq!(health().unwrap(), 200);
    let before = rss_kib(pid);

    // 64 uploads announcing 16 MB, each sending 2 MB and then stalling; twice. Only the upload
    // slots read bodies, so the memory is bounded; what the allocator keeps after the first
    // wave is reused by the second (it is not returned to the system, and it does not grow).
    let mut after_wave = Vec::new();
    for _ in 0..2 {
        let mut unfinished: Vec<TcpStream> = (0..64).map(|_| slow_upload(addr, 16 << 20, 2 << 20)).collect();
        let statuses: Vec<Option<u16>> = unfinished.iter_mut().map(|s| status_of(s, Duration::from_secs(10))).collect();
        assert!(statuses.iter().all(|s| matches!(s, Some(408 | 503))), "{statuses:?}");
        assert!(statuses.iter().filter(|s| **s == Some(503)).count() >= 32, "{statuses:?}");
        drop(unfinished);
        std::thread::sleep(Duration::from_millis(300));
        after_wave.push(rss_kib(pid));
    }
    // 32 slots × 2 MB read, plus the allocator's slack.
    assert!(after_wave[0] <= before + 128 * 1024, "{before} -> {after_wave:?} KiB");
    assert!(after_wave[1] <= after_wave[0] + 16 * 1024, "the second wave grew the memory: {after_wave:?} KiB");

    // 1,100 idle connections: never more open than the cap, all gone after the header timeout.
    let idle: Vec<TcpStream> = (0..1_100).filter_map(|_| TcpStream::connect(addr).ok()).collect();
    std::thread::sleep(Duration::from_millis(300));
    assert!(open_fds(pid) < 256 + 64, "{} descriptors open", open_fds(pid));
    let signer = kiosk.signer();
    let ack = push_with(&server.url, &signer, &kiosk.all(), &quick()).expect("a kiosk gets through with retries");
    assert_eq!(open_ack(&ack, &key).unwrap().accepted_through_seq, 3);
    std::thread::sleep(Duration::from_millis(2_500));
    let started = Clock::now();
    assert_eq!(health().unwrap(), 200);
    assert!(started.elapsed() < Duration::from_millis(500));
    drop(idle);
}

/// SECURITY.md "Bounded work": a panic while ingesting is caught; that upload gets a 500,
/// nothing of it is stored, and the server keeps serving (no poisoned lock).
#[test]
fn a_panic_inside_the_center_is_caught_and_the_server_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("center");
    Center::init(&data, None).unwrap();
    let key = KioskKey::load(&data.join("center.key")).unwrap();
    let directory = serde_json::from_str(center::DEMO_KINDERGARTENS).unwrap();
    let armed = Arc::new(AtomicBool::new(false));
    // A store that panics on its next commit when told to (a bug, or a library that panics).
    let trigger = Arc::clone(&armed);
    let hook: common::hooked::Hook = Box::new(move |_| {
        assert!(!trigger.swap(false, Ordering::SeqCst), "injected panic inside the store");
        Ok(())
    });
    let store = common::hooked::HookedStore { inner: SledStore::open(&data.join("db")).unwrap(), hook };
    let mut center = Center::with_store(store, key, directory).unwrap();
    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    kiosk.register_child(
        "2026-03-10T10:00:00+05:00",
        application("K1-A0", &child_iin("2023-05-05", 0), "2023-05-05", RightClass::None),
    );
    center.add_kiosk("K1", DISTRICT, &kiosk.key.public_hex(), at(REGISTERED)).unwrap();
    let app = App::new(center, Arc::new(|| at(NOW)));
    let server = spawn("127.0.0.1:0", app.clone()).unwrap();
    let url = server.url();
    let once = PushOptions { attempts: 1, ..quick() };

    armed.store(true, Ordering::SeqCst);
    match push_with(&url, &kiosk.signer(), &kiosk.all(), &once) {
        Err(center::client::PushError::Unreachable { last, .. }) => assert!(last.contains("500"), "{last}"),
        other => panic!("expected a 500, got {other:?}"),
    }
    let (status, body) = (
        http_agent().get(&format!("{url}/v1/health")).call().unwrap().status().as_u16(),
        http_agent().get(&format!("{url}/v1/health")).call().unwrap().body_mut().read_to_string().unwrap(),
    );
    assert_eq!(status, 200);
    assert!(body.contains("\"caughtPanics\":1"), "{body}");
    assert_eq!(app.center.lock().unwrap().state().applications().count(), 0, "nothing of it stored");
    let ack = push_with(&url, &kiosk.signer(), &kiosk.all(), &once).unwrap();
    assert_eq!(open_ack(&ack, &app.center.lock().unwrap().public_key()).unwrap().accepted_through_seq, 3);
    assert!(!app.center.is_poisoned());
}

/// SECURITY.md "Malicious or careless operator": a modified kiosk's entries with another
/// kiosk's registration numbers, for another district, or binding staff to another
/// district's kindergarten are quarantined with their codes; a registration back-dated to
/// before the kiosk's last contact (as the center recorded it) is clamped and flagged, even
/// when the entry claims no last contact; a clock going backwards is flagged.
#[test]
fn a_modified_kiosk_cannot_write_outside_its_scope_or_back_date() {
    let (_dir, app, server, mut kiosk) = started(Limits::default());
    let url = server.url();
    let key = app.center.lock().unwrap().public_key();
    let ack = push_with(&url, &kiosk.signer(), &kiosk.all(), &quick()).unwrap();
    assert_eq!(open_ack(&ack, &key).unwrap().accepted_through_seq, 5);
    let contact = at(NOW);

    // Back-dated to the morning, claiming no last contact: clamped to the contact, flagged.
    kiosk.last_contact = None;
    let back = kiosk.register_child(
        "2026-03-10T08:00:00+05:00",
        application("K1-EARLY", &child_iin("2023-06-01", 20), "2023-06-01", RightClass::None),
    );
    // Then a clock that goes back behind it.
    let later = kiosk.register_child(
        "2026-03-10T18:30:00+05:00",
        application("K1-B", &child_iin("2023-06-01", 21), "2023-06-01", RightClass::None),
    );
    let backwards = kiosk.register_child(
        "2026-03-10T18:20:00+05:00",
        application("K1-C", &child_iin("2023-06-01", 22), "2023-06-01", RightClass::None),
    );
    let mut center = app.center.lock().unwrap();
    let report = center.ingest(&kiosk.bundle(back, backwards), at("2026-03-10T19:00:00+05:00"), Some("K1")).unwrap();
    let flags: Vec<(u64, ClockProblem)> = report.report.flagged.iter().map(|f| (f.seq, f.problem)).collect();
    assert_eq!(flags, vec![(back, ClockProblem::BeforeLastContact), (backwards, ClockProblem::Backwards)]);
    assert_eq!(center.state().application("K1-EARLY").unwrap().registered_at, contact);
    assert_eq!(
        center.state().application("K1-C").unwrap().registered_at,
        center.state().application("K1-B").unwrap().registered_at
    );
    let _ = later;

    // Outside its scope: each stops the stream with its own code.
    let foreign_kg = {
        let directory: Vec<rules::model::Kindergarten> = serde_json::from_str(center::DEMO_KINDERGARTENS).unwrap();
        directory.into_iter().find(|k| k.district != DISTRICT).unwrap().id
    };
    for (payload, code) in [
        (
            Payload::Command {
                command: rules::Command::Register {
                    application: application("K2-X", &child_iin("2023-07-01", 30), "2023-07-01", RightClass::None),
                },
            },
            "FOREIGN_ID",
        ),
        (
            Payload::Command {
                command: rules::Command::Register {
                    application: rules::model::NewApplication {
                        district: "ZER".into(),
                        ..application("K1-Z", &child_iin("2023-07-01", 31), "2023-07-01", RightClass::None)
                    },
                },
            },
            "OUT_OF_DISTRICT",
        ),
        (
            Payload::OperatorAdded {
                login: "kg2".into(),
                name: "Чужой".into(),
                role: rules::Role::Kindergarten,
                kindergartens: vec![foreign_kg.clone()],
            },
            "OUT_OF_DISTRICT",
        ),
    ] {
        let mut rogue = TestKiosk::new("K1");
        rogue.key = KioskKey::from_secret(kiosk.key.signing().to_bytes());
        rogue.entries.clone_from(&kiosk.entries);
        rogue.prev = kiosk.prev;
        let operator = if matches!(payload, Payload::OperatorAdded { .. }) { "admin" } else { "op" };
        let seq = rogue.push("2026-03-10T19:00:00+05:00", operator, &payload);
        let report = center.ingest(&rogue.bundle(seq, seq), at("2026-03-10T19:05:00+05:00"), Some("K1")).unwrap();
        let codes: Vec<&str> = report.report.quarantined.iter().map(|q| q.code.as_str()).collect();
        assert_eq!(codes, vec![code], "{payload:?}");
        assert_eq!(report.report.accepted, 0);
    }
    assert!(center.state().application("K2-X").is_none() && center.state().application("K1-Z").is_none());

    // An administrator lets the kiosk serve ZER: the same registration is accepted then.
    center.add_served_district("K1", "ZER").unwrap();
    let seq = kiosk.push(
        "2026-03-10T19:10:00+05:00",
        "op",
        &Payload::Command {
            command: rules::Command::Register {
                application: rules::model::NewApplication {
                    district: "ZER".into(),
                    ..application("K1-Z", &child_iin("2023-07-01", 31), "2023-07-01", RightClass::None)
                },
            },
        },
    );
    let report = center.ingest(&kiosk.bundle(seq, seq), at("2026-03-10T19:15:00+05:00"), Some("K1")).unwrap();
    assert_eq!(report.report.accepted, 1, "{:?}", report.report.quarantined);
    assert_eq!(center.state().application("K1-Z").unwrap().district, "ZER");
}

/// SECURITY.md "Key rotation": a kiosk that rotated its key signs its next request with the
/// new key and carries the `keyRotated` entry the center does not know yet; the center
/// follows it (one signature check per rotation) and accepts. After that, a request signed
/// by the key rotated away is refused, and so is a made-up rotation.
#[test]
fn requests_follow_a_rotation_and_the_old_key_is_refused_after_it() {
    let (_dir, app, server, mut kiosk) = started(Limits::default());
    let url = server.url();
    let center_key = app.center.lock().unwrap().public_key();
    let ack = push_with(&url, &kiosk.signer(), &kiosk.all(), &quick()).unwrap();
    assert_eq!(open_ack(&ack, &center_key).unwrap().accepted_through_seq, 5);

    let next = KioskKey::generate().unwrap();
    let rotated =
        kiosk.push("2026-03-10T18:10:00+05:00", "admin", &Payload::KeyRotated { public_key: next.public_hex() });
    let old = std::mem::replace(&mut kiosk.key, next);
    kiosk.register_child(
        "2026-03-10T18:20:00+05:00",
        application("K1-R1", &child_iin("2023-08-01", 40), "2023-08-01", RightClass::None),
    );
    let last = kiosk.next_seq() - 1;
    let rotation = kiosk.entries[usize::try_from(rotated - 1).unwrap()].clone();
    let bundle = kiosk.bundle(rotated, last);

    // Signed by the new key without the rotation: the center does not know that key yet.
    let bare = RequestSigner::new(kiosk.key.signing().clone(), "K1", last, Vec::new());
    let (status, body) = signed_request(&url, &bare, "POST", EVENTS, Some((OCTETS, &bundle)));
    assert_eq!((status, error_code(&body).as_str()), (401, "UNAUTHENTICATED"));
    // A rotation to the thief's key, signed by the thief: refused.
    let thief = KioskKey::generate().unwrap();
    let mut fake = TestKiosk::new("K1");
    fake.key = KioskKey::from_secret(thief.signing().to_bytes());
    fake.entries.clone_from(&kiosk.entries[..usize::try_from(rotated - 1).unwrap()].to_vec());
    fake.prev = kiosk.entries[usize::try_from(rotated - 2).unwrap()].hash();
    let forged_rotation = {
        let seq =
            fake.push("2026-03-10T18:10:00+05:00", "admin", &Payload::KeyRotated { public_key: thief.public_hex() });
        fake.entries[usize::try_from(seq - 1).unwrap()].clone()
    };
    let thief_signer = RequestSigner::new(thief.signing().clone(), "K1", last, vec![forged_rotation]);
    let (status, _) = signed_request(&url, &thief_signer, "POST", EVENTS, Some((OCTETS, &bundle)));
    assert_eq!(status, 401);

    // The genuine rotation carried along: accepted.
    let signer = RequestSigner::new(kiosk.key.signing().clone(), "K1", last, vec![rotation]);
    let ack = push_with(&url, &signer, &bundle, &quick()).unwrap();
    assert_eq!(open_ack(&ack, &center_key).unwrap().accepted_through_seq, last);

    // The key rotated away signs nothing any more, not even a request for the ack.
    let stale = RequestSigner::new(old.signing().clone(), "K1", last, Vec::new());
    let (status, _) = signed_request(&url, &stale, "GET", "/v1/kiosks/K1/ack", None);
    assert_eq!(status, 401);
    let (status, _) = signed_request(&url, &kiosk.signer(), "GET", "/v1/kiosks/K1/ack", None);
    assert_eq!(status, 200);
}

/// docs/sync.md "Clock window": what `init` writes before the kiosk is registered at the
/// center (account entries) is not flagged for reviewers; a registration from before the
/// kiosk's registration is.
#[test]
fn account_entries_from_before_registration_are_not_flagged_but_commands_are() {
    let (_dir, mut center) = center();
    let before = "2026-01-01T09:00:00+05:00";
    assert!(at(before) < at(REGISTERED));
    let mut kiosk = TestKiosk::new("K1").with_staff(before);
    let early = kiosk
        .register_child(before, application("K1-EARLY", &child_iin("2023-05-05", 50), "2023-05-05", RightClass::None));
    kiosk.register(&mut center);
    let report = center.ingest(&kiosk.all(), at(NOW), Some("K1")).unwrap().report;
    let flags: Vec<(u64, ClockProblem)> = report.flagged.iter().map(|f| (f.seq, f.problem)).collect();
    assert_eq!(flags, vec![(early, ClockProblem::BeforeLastContact)]);
    assert_eq!(center.state().application("K1-EARLY").unwrap().registered_at, at(REGISTERED));
}
