//! Fault injection at the center: the disk fails (full, I/O error) at every write or sync of
//! an ingest, and the center is killed with SIGKILL while it ingests. Each time: a typed
//! error, nothing half-written, no ack for what is not durable, the next open verifies, a
//! resend completes, and the final state is a clean run's.
//!
//! Failures come from `common/faultfs.c`, preloaded into the real `kezek-center` binary: the
//! Nth `write`/`pwrite`/`fsync`/`fdatasync`/`sync_file_range` on a file fails (a failing
//! write first writes half its bytes). `KEZEK_KILL_RUNS` sets the number of SIGKILL runs
//! (50 by default; more in `just soak`), `KEZEK_CRASH_SEED` their seed.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use center::Center;
use center::client::{PushOptions, push_with};
use changelog::SignedEntry;
use changelog::sync::open_ack;
use common::folders::copy_dir;
use common::proc::{Rng, Server, cli, env_count, fault_env, init_center, init_center_embedded};
use common::*;
use rules::Action;

/// A kiosk with staff, `n` registrations and a withdrawal, all in March 2026 (inside the
/// window whatever today's receipt time: no clock flags, so states compare exactly).
fn busy_kiosk(id: &str, n: u32, serial: u32) -> TestKiosk {
    let mut kiosk = kiosk_with_registrations(id, n, serial);
    kiosk.act("2026-03-31T09:00:00+05:00", "op", &format!("{id}-0"), Action::Withdraw);
    kiosk
}

/// The same kiosk with its entry `seq` carrying a broken signature (a quarantined tail).
fn with_bad_signature(kiosk: &TestKiosk, seq: usize) -> Vec<SignedEntry> {
    let mut entries = kiosk.entries.clone();
    let mut signature = *entries[seq - 1].signature();
    signature[9] ^= 0x10;
    entries[seq - 1] = SignedEntry::from_parts(entries[seq - 1].body_bytes().to_vec(), signature);
    entries
}

fn bundle_of(kiosk: &TestKiosk, entries: Vec<SignedEntry>) -> Vec<u8> {
    changelog::Bundle { kiosk: kiosk.id.clone(), entries }.to_bytes()
}

/// The state a clean center reaches with `bundles` ingested in order.
fn clean_state(kiosk: &TestKiosk, bundles: &[Vec<u8>]) -> String {
    let (_dir, mut center) = center();
    kiosk.register(&mut center);
    for b in bundles {
        center.ingest(b, at("2026-11-01T12:00:00+05:00"), None).unwrap();
    }
    applications_json(&center)
}

/// The JSON error a failed command printed.
fn error_code(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text.lines().find(|l| l.starts_with("{\"error\"")).unwrap_or_else(|| panic!("no JSON error in {text}"));
    let value: serde_json::Value = serde_json::from_str(line).unwrap();
    value["error"]["code"].as_str().unwrap().to_owned()
}

/// Opens the center as the next start does and checks that its log is whole: every accepted
/// entry is the kiosk's own, in order. Returns the accepted head.
fn reopen_and_verify(data: &Path, kiosk: &TestKiosk, what: &str) -> (u64, Center) {
    let center = Center::open(data).unwrap_or_else(|e| panic!("{what}: the next open must verify: {e}"));
    let info = center.kiosks().into_iter().find(|k| k.id == kiosk.id).unwrap();
    let head = info.accepted_through_seq;
    let ack = center.ack(&kiosk.id, at("2026-11-01T12:00:00+05:00")).unwrap().0;
    let expected =
        if head == 0 { changelog::GENESIS_HASH } else { kiosk.entries[usize::try_from(head - 1).unwrap()].hash() };
    assert_eq!(ack.head_hash, hex::encode(expected), "the accepted chain is the kiosk's");
    (head, center)
}

#[test]
fn a_disk_failing_at_each_step_of_a_usb_ingest_is_a_typed_error_and_loses_nothing() {
    let root = tempfile::tempdir().unwrap();
    let base = root.path().join("base");
    let kiosk = busy_kiosk("K1", 6, 100);
    init_center_embedded(&base, &[&kiosk]);
    // Entries 1..=7 are good, 8 has a bad signature: 7 accepted, 8 and 9 quarantined (sled notes).
    let file = root.path().join("upload.bin");
    std::fs::write(&file, bundle_of(&kiosk, with_bad_signature(&kiosk, 8))).unwrap();
    let expected = clean_state(&kiosk, &[kiosk.all()]);
    let ingest = |data: &Path, ack: &Path, env: &[(&str, String)]| {
        let args = ["ingest", file.to_str().unwrap(), "--ack-out", ack.to_str().unwrap()];
        cli(data, &args, env)
    };

    // How many writes and syncs one ingest makes.
    let probe = root.path().join("probe");
    copy_dir(&base, &probe);
    let out = ingest(&probe, &root.path().join("probe.ack"), &fault_env(None, "ENOSPC", false));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let calls: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("faultfs: ")?.strip_suffix(" calls")?.parse().ok())
        .unwrap_or_else(|| panic!("the shim counts: {stderr}"));
    assert!(calls >= 4, "log write and sync, sled write and sync at least: {calls}");

    let mut failures = 0;
    for step in 1..=calls {
        for (errno, sticky) in [("ENOSPC", true), ("EIO", false)] {
            let data = root.path().join(format!("run-{step}-{errno}"));
            copy_dir(&base, &data);
            let ack_path = data.join("ack.bin");
            let out = ingest(&data, &ack_path, &fault_env(Some(step), errno, sticky));
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            assert!(stderr.contains(&format!("faultfs: {errno} at call {step}")), "step {step}: {stderr}");
            let acked = if stderr.contains("panicked") {
                // Only one panic is left, sled's: its drop syncs once more and unwraps. It
                // can only come after everything was durable and the report was printed.
                assert!(stderr.contains("sled") && stderr.contains("logger.rs"), "step {step} {errno}: {stderr}");
                let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                assert_eq!(report["acceptedThroughSeq"], 7, "step {step} {errno}");
                std::fs::read(&ack_path).ok()
            } else if out.status.success() {
                None
            } else {
                failures += 1;
                let code = error_code(&out.stderr);
                assert!(["STORE", "IO", "SETUP"].contains(&code.as_str()), "step {step} {errno}: {code}");
                // An ack file is either absent or, if the failure came after it, genuine.
                std::fs::read(&ack_path).ok()
            };
            let (head, center) = reopen_and_verify(&data, &kiosk, &format!("step {step} {errno}: {stderr}"));
            assert!(head == 0 || head == 7, "step {step} {errno}: all or nothing, not {head}");
            if let Some(ack) = acked.as_deref().and_then(|b| open_ack(b, &center.public_key()).ok()) {
                assert!(
                    ack.accepted_through_seq <= head,
                    "step {step}: acked {} but {head} durable",
                    ack.accepted_through_seq
                );
            }
            // Space is back: the resend (with the missing entries) completes.
            let mut center = center;
            let report = center.ingest(&kiosk.all(), at("2026-11-01T12:00:00+05:00"), None).unwrap().report;
            assert_eq!(report.accepted_through_seq, 9, "step {step} {errno}");
            drop(center);
            let (head, center) = reopen_and_verify(&data, &kiosk, &format!("step {step}"));
            assert_eq!(head, 9);
            assert_eq!(applications_json(&center), expected, "step {step} {errno}: final state is a clean run's");
            std::fs::remove_dir_all(&data).unwrap();
        }
    }
    assert!(failures > calls, "most injected faults fail the ingest: {failures} of {}", 2 * calls);
}

/// What a kiosk got acknowledged, and whether the center refused anything unexpectedly.
#[derive(Debug, Default)]
struct Pushed {
    acked: u64,
    errors: Vec<String>,
}

fn quick(attempts: u32) -> PushOptions {
    PushOptions {
        attempts,
        initial_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(100),
        timeout: Duration::from_secs(20),
    }
}

/// Pushes `chunks` (sequence ranges) in order; records each verified ack's head.
fn push_chunks(
    url: &str,
    kiosk: &TestKiosk,
    chunks: &[(u64, u64)],
    key: &changelog::VerifyingKey,
    options: &PushOptions,
    pushed: &Mutex<Pushed>,
) {
    for (from, to) in chunks {
        match push_with(url, &kiosk.signer(), &kiosk.bundle(*from, *to), options) {
            Ok(bytes) => {
                let ack = open_ack(&bytes, key).expect("a genuine ack");
                let mut p = pushed.lock().unwrap();
                p.acked = p.acked.max(ack.accepted_through_seq);
            }
            Err(e) => {
                pushed.lock().unwrap().errors.push(format!("{e:?}"));
                return;
            }
        }
    }
}

#[test]
fn a_server_whose_disk_fails_once_answers_500_and_the_resend_completes() {
    let root = tempfile::tempdir().unwrap();
    let base = root.path().join("base");
    let kiosk = busy_kiosk("K1", 10, 300);
    let key = init_center_embedded(&base, &[&kiosk]);
    let chunks = [(1, 4), (5, 8), (9, 13)];
    let expected = clean_state(&kiosk, &[kiosk.all()]);
    let mut step = 1;
    let mut saw_500 = 0;
    loop {
        let data = root.path().join(format!("run-{step}"));
        copy_dir(&base, &data);
        let errno = if step % 2 == 0 { "EIO" } else { "ENOSPC" };
        let pushed = Mutex::new(Pushed::default());
        let (fired, durable) = match Server::try_start(&data, &fault_env(Some(step), errno, false)) {
            Ok(mut server) => {
                push_chunks(&server.url, &kiosk, &chunks, &key, &quick(1), &pushed);
                // The disk is fine again: the kiosk resends what was not acknowledged.
                let from = pushed.lock().unwrap().acked + 1;
                if from <= 13 {
                    push_chunks(&server.url, &kiosk, &[(from, 13)], &key, &quick(3), &pushed);
                }
                let log = server.stderr.lock().unwrap().clone();
                server.kill();
                let p = pushed.lock().unwrap();
                for e in &p.errors {
                    assert!(e.contains("500") && e.contains("STORE"), "step {step}: {e}");
                    saw_500 += 1;
                }
                assert_eq!(p.acked, 13, "step {step}: the resend completes ({:?})", p.errors);
                (log.contains("faultfs: "), 13)
            }
            Err(stderr) => {
                assert!(stderr.contains("{\"error\""), "step {step}: a failed start is a typed error: {stderr}");
                (true, 0)
            }
        };
        let (head, center) = reopen_and_verify(&data, &kiosk, &format!("step {step}"));
        assert_eq!(head, durable, "step {step}: every acknowledged entry is there, nothing else");
        drop(center);
        // Whatever happened, one more start serves and completes.
        let server = Server::start(&data, &[]);
        let pushed = Mutex::new(Pushed::default());
        push_chunks(&server.url, &kiosk, &[(1, 13)], &key, &quick(3), &pushed);
        assert_eq!(pushed.lock().unwrap().acked, 13);
        drop(server);
        let (_, center) = reopen_and_verify(&data, &kiosk, &format!("step {step} after"));
        assert_eq!(applications_json(&center), expected, "step {step}: final state is a clean run's");
        drop(center);
        std::fs::remove_dir_all(&data).unwrap();
        if !fired {
            break;
        }
        step += 1;
        assert!(step < 500, "the shim stops firing once the step is past the session's last write");
    }
    assert!(saw_500 > 0, "some failures hit an upload");
    eprintln!("{step} steps, {saw_500} uploads answered 500 STORE");
}

#[test]
fn killed_during_ingest_no_acknowledged_entry_is_lost() {
    let runs = env_count("KEZEK_KILL_RUNS", 50);
    let mut rng = Rng::seeded("KEZEK_CRASH_SEED", 0x5eed_c0de);
    let per_run = 12u32;
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("center");
    let kiosk = busy_kiosk("K1", per_run * u32::try_from(runs).unwrap(), 1000);
    let total = kiosk.entries.len() as u64;
    let key = init_center(&data, &[&kiosk]);
    let mut acked = 0u64;
    let mut killed_mid_push = 0;
    let mut acked_some = 0;
    for run in 0..runs {
        let server = Server::start(&data, &[]);
        // This run's new entries after the last ack, in small uploads, as a kiosk pushes them.
        let until = (u64::try_from(run + 1).unwrap() * u64::from(per_run) + 3).min(total);
        let chunks = small_uploads(acked + 1, until);
        let pushed = Arc::new(Mutex::new(Pushed { acked, errors: vec![] }));
        let uploader = {
            let (url, pushed, kiosk_chunks) = (server.url.clone(), Arc::clone(&pushed), chunks.clone());
            // The same kiosk (its key signs the requests), for the uploader thread.
            let own_key = changelog::KioskKey::from_secret(kiosk.key.signing().to_bytes());
            let kiosk = TestKiosk { entries: kiosk.entries.clone(), key: own_key, ..TestKiosk::new(&kiosk.id) };
            std::thread::spawn(move || push_chunks(&url, &kiosk, &kiosk_chunks, &key, &quick(1), &pushed))
        };
        // Pushes of a few small chunks take tens of milliseconds: kills within 60 ms land both
        // mid-push and after the last ack (150 ms left too few mid-push on a fast run).
        std::thread::sleep(Duration::from_micros(rng.below(60_000)));
        let mut server = server;
        server.kill(); // SIGKILL
        uploader.join().unwrap();
        let p = pushed.lock().unwrap();
        if p.acked < until {
            killed_mid_push += 1;
        }
        if p.acked > acked {
            acked_some += 1;
        }
        acked = p.acked;
        drop(p);
        let (head, center) = reopen_and_verify(&data, &kiosk, &format!("run {run}"));
        assert!(head >= acked, "run {run}: acknowledged {acked}, only {head} after the restart");
        drop(center);
        // The kiosk learns the head from the next ack, as after a lost answer.
        acked = head;
    }
    // The final resend completes and the state is a clean run's.
    let server = Server::start(&data, &[]);
    let pushed = Mutex::new(Pushed::default());
    push_chunks(&server.url, &kiosk, &[(acked + 1, total)], &key, &quick(3), &pushed);
    push_chunks(&server.url, &kiosk, &[(1, total)], &key, &quick(3), &pushed);
    assert_eq!(pushed.lock().unwrap().acked, total);
    drop(server);
    let (head, center) = reopen_and_verify(&data, &kiosk, "final");
    assert_eq!(head, total);
    assert_eq!(applications_json(&center), clean_state(&kiosk, &[kiosk.all()]));
    eprintln!("{runs} runs: {acked_some} got acks, {killed_mid_push} killed before their last ack");
    assert!(killed_mid_push >= runs / 5, "the kills should land mid-push often: {killed_mid_push}");
    assert!(acked_some >= runs / 5, "and after some acks: {acked_some}");
}

/// A folder from before the parents' channel gets its `portal.key` at its first `serve`. A
/// disk failing while that key is written stops the start with a typed error and leaves no
/// half-written key behind (which would stop every later start): the next start makes it.
#[test]
fn a_disk_failing_while_the_parents_key_is_made_leaves_no_half_written_key() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let kiosk = busy_kiosk("K1", 1, 400);
    init_center(&data, &[&kiosk]);
    let key_file = data.join(center::parents::KEY_FILE);
    let mut failed_starts = 0;
    for (at, errno) in (1..=6).flat_map(|at| [(at, "ENOSPC"), (at, "EIO")]) {
        std::fs::remove_file(&key_file).ok();
        match Server::try_start(&data, &fault_env(Some(at), errno, false)) {
            Ok(mut server) => server.kill(),
            Err(stderr) => {
                assert!(stderr.contains("{\"error\""), "write {at} {errno}: a failed start is a typed error: {stderr}");
                failed_starts += 1;
            }
        }
        if key_file.exists() {
            changelog::KioskKey::load(&key_file)
                .unwrap_or_else(|e| panic!("write {at} {errno}: a half-written {}: {e}", key_file.display()));
        }
        // Whatever happened, the next start serves.
        let mut server = Server::start(&data, &[]);
        server.kill();
        assert!(changelog::KioskKey::load(&key_file).is_ok());
    }
    assert!(failed_starts > 0, "some injected failure hit the start");
}
