//! End to end: kiosks work offline, then sync with the center through the real binaries
//! (`kezek-kiosk`, `kezek-center serve` on an ephemeral 127.0.0.1 port) and USB files.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use common::bin;
use common::folders::copy_dir_without;
use kiosk::{InitParams, Kiosk, NewOperator, testkit};
use rules::model::{GroupLanguage, NewPlaces};
use rules::time::Date;
use rules::{Command as RulesCommand, Role};
use serde_json::Value;

fn run(mut command: Command) -> Output {
    command.output().unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("{e}: stdout {} stderr {}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    })
}

fn center_cmd(data: &Path, args: &[&str]) -> Output {
    let mut c = Command::new(bin("kezek-center"));
    c.arg("--data").arg(data).args(args);
    let o = run(c);
    assert!(o.status.success(), "center {args:?}: {}", String::from_utf8_lossy(&o.stderr));
    o
}

fn kiosk_cmd(data: &Path, args: &[&str]) -> Output {
    let mut c = Command::new(bin("kezek-kiosk"));
    c.arg("--data").arg(data).arg("--lang").arg("en").args(args);
    run(c)
}

struct Server {
    child: Child,
    url: String,
}

impl Server {
    fn start(data: &Path) -> Server {
        let mut child = Command::new(bin("kezek-center"))
            .arg("--data")
            .arg(data)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stderr.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.split_whitespace().find(|w| w.starts_with("http://")).unwrap().to_owned();
        Server { child, url }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const EARLY: &str = "2026-01-01T00:00:00+05:00";

/// Three kiosks (KOK-01, KOK-02 in KOK; AKK-01 in AKK), each with registrations made offline.
fn make_kiosks(root: &Path) -> Vec<(String, PathBuf)> {
    let today = Date::from_ymd(2026, 11, 1).unwrap();
    let kids = testkit::children(30, today, 900);
    let mut out = Vec::new();
    for (k, (district, id)) in [("KOK", "KOK-01"), ("KOK", "KOK-02"), ("AKK", "AKK-01")].into_iter().enumerate() {
        let dir = root.join(id);
        let mut kiosk = testkit::staffed_kiosk(&dir, district, id, None);
        let op = kiosk.login("op", "operator-secret").unwrap();
        for n in 0..8 {
            let child = &kids[k * 10 + n];
            kiosk
                .execute(
                    &op,
                    RulesCommand::Register { application: testkit::application(district, &child.0, child.1, n) },
                )
                .unwrap();
        }
        if id == "KOK-01" {
            // The office's kindergarten publishes places (distributed at the center).
            let admin = kiosk.login("admin", testkit::ADMIN_PASSWORD).unwrap();
            let kg = NewOperator {
                login: "kg".into(),
                name: "Kg".into(),
                role: Role::Kindergarten,
                kindergartens: vec!["KG-KOK-01".into()],
            };
            kiosk.add_operator(&admin, &kg, "staff-secret").unwrap();
            let kg = kiosk.login("kg", "staff-secret").unwrap();
            for group_year in 2021..=2026 {
                for language in [GroupLanguage::Kk, GroupLanguage::Ru] {
                    let places = NewPlaces {
                        id: String::new(),
                        kindergarten: "KG-KOK-01".into(),
                        language,
                        group_year,
                        count: 2,
                    };
                    kiosk.execute(&kg, RulesCommand::AddPlaces { places }).unwrap();
                }
            }
        }
        kiosk.close();
        out.push((id.to_owned(), dir));
    }
    out
}

fn last_seq(dir: &Path) -> u64 {
    Kiosk::open(dir).unwrap().status().last_seq
}

/// Positions (application id, position) of a kiosk's kept snapshot, verified.
fn kept_positions(dir: &Path) -> Vec<(String, u32)> {
    let kiosk = Kiosk::open(dir).unwrap();
    let snapshot = kiosk::push::kept_snapshot(&kiosk).unwrap().unwrap();
    let v = serde_json::to_value(&snapshot.positions).unwrap();
    let mut out: Vec<(String, u32)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let id = r["id"].as_str().or_else(|| r["application"].as_str()).unwrap_or_default().to_owned();
            (id, u32::try_from(r["position"].as_u64().unwrap_or(0)).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// One sync run in `order` on fresh copies; returns the center's report and per-district positions.
fn scenario(
    base: &[(String, PathBuf)],
    order: &[usize],
    root: &Path,
    round_at: &str,
) -> (Value, Vec<Vec<(String, u32)>>) {
    let center = root.join("center");
    let init = json(&center_cmd(&center, &["init"]));
    let key = init["publicKey"].as_str().unwrap().to_owned();
    let mut kiosks = Vec::new();
    for (id, dir) in base {
        let copy = root.join(id);
        copy_dir_without(dir, &copy, &["lock"]);
        let pubkey = Kiosk::open(&copy).unwrap().public_key_hex();
        let district = &id[..3];
        center_cmd(&center, &["kiosk", "add", "--id", id, "--district", district, "--pubkey", &pubkey, "--at", EARLY]);
        let o = kiosk_cmd(&copy, &["center", "set", "--key", &key]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        kiosks.push((id.clone(), copy));
    }
    for &k in order {
        let (id, dir) = &kiosks[k];
        if id == "AKK-01" {
            // USB: export → ingest --ack-out → import-ack; snapshot → import-snapshot.
            let bundle = root.join("akk.bundle");
            let ack = root.join("akk.ack");
            let snap = root.join("akk.snapshot");
            assert!(kiosk_cmd(dir, &["export", "--out", bundle.to_str().unwrap()]).status.success());
            center_cmd(&center, &["ingest", bundle.to_str().unwrap(), "--ack-out", ack.to_str().unwrap()]);
            let o = kiosk_cmd(dir, &["import-ack", ack.to_str().unwrap()]);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            assert_eq!(json(&o)["acceptedThroughSeq"].as_u64(), Some(last_seq(dir)));
            // Resend of the same file: harmless.
            center_cmd(&center, &["ingest", bundle.to_str().unwrap()]);
            center_cmd(&center, &["snapshot", "--district", "AKK", "--out", snap.to_str().unwrap()]);
            let o = kiosk_cmd(dir, &["import-snapshot", snap.to_str().unwrap()]);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        } else {
            let server = Server::start(&center);
            // Interrupted upload: a truncated bundle first (cut inside an entry).
            let opened = Kiosk::open(dir).unwrap();
            let (bundle, signer) = (opened.pending_bundle().unwrap().0.to_bytes(), opened.request_signer().unwrap());
            drop(opened);
            let cut = &bundle[..bundle.len() / 2];
            let _ = center::client::push(&server.url, &signer, cut);
            let o = kiosk_cmd(dir, &["push", "--url", &server.url]);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            let report = json(&o);
            assert_eq!(report["acceptedThroughSeq"].as_u64(), Some(last_seq(dir)), "{report}");
            assert_eq!(report["quarantined"], Value::Array(vec![]));
            assert!(report["snapshotAt"].is_string(), "{report}");
            assert!(String::from_utf8_lossy(&o.stderr).contains("push: Done"));
            // Resend: nothing pending, nothing changes.
            let o = kiosk_cmd(dir, &["push", "--url", &server.url]);
            assert_eq!(json(&o)["sent"].as_u64(), Some(0));
            // Replay of the whole old bundle through the client: harmless.
            center::client::push(&server.url, &signer, &bundle).unwrap();
        }
    }
    // The center's distribution round issues vouchers once everything is in.
    let round = json(&center_cmd(&center, &["distribute", "--district", "KOK", "--at", round_at]));
    // Everyone fetches the final snapshot of their district.
    let server = Server::start(&center);
    let mut positions = Vec::new();
    for (_, dir) in &kiosks {
        let o = kiosk_cmd(dir, &["push", "--url", &server.url]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        positions.push(kept_positions(dir));
    }
    drop(server);
    // The kiosks' kept snapshots show the center's positions.
    for (district, k) in [("KOK", 0usize), ("AKK", 2)] {
        let file = root.join(format!("{district}.snapshot"));
        center_cmd(&center, &["snapshot", "--district", district, "--out", file.to_str().unwrap()]);
        let key = changelog::public_key_from_hex(&key).unwrap();
        let snapshot = changelog::sync::open_snapshot(&std::fs::read(&file).unwrap(), &key).unwrap();
        let kept = Kiosk::open(&kiosks[k].1).unwrap();
        let kept = kiosk::push::kept_snapshot(&kept).unwrap().unwrap();
        assert_eq!(kept.positions, snapshot.positions, "{district}");
        assert_eq!(kept.applications, snapshot.applications, "{district}");
    }
    let report = json(&center_cmd(&center, &["report", "--format", "json"]));
    let quarantine = json(&center_cmd(&center, &["quarantine", "list"]));
    assert_eq!(quarantine, Value::Array(vec![]), "valid logs are not quarantined");
    (serde_json::json!({ "report": report, "round": round }), positions)
}

#[test]
fn three_kiosks_sync_in_any_order_to_the_same_center_state() {
    let base_dir = tempfile::tempdir().unwrap();
    let base = make_kiosks(base_dir.path());
    // One fixed round time for every order, after every receipt.
    let round_at = rules::Instant(center::now().0 + chrono::Duration::minutes(30)).to_string();
    let mut results = Vec::new();
    for order in [[0usize, 1, 2], [2, 1, 0], [1, 2, 0]] {
        let root = tempfile::tempdir().unwrap();
        results.push(scenario(&base, &order, root.path(), &round_at));
    }
    let (report, positions) = &results[0];
    let vouchers: u64 = report["report"].as_array().unwrap().iter().filter_map(|r| r["voucherIssued"].as_u64()).sum();
    assert!(vouchers > 0, "the round issued vouchers: {report}");
    assert!(!positions[0].is_empty() && !positions[2].is_empty());
    // KOK kiosks see the same district snapshot, with all 16 KOK registrations.
    assert_eq!(positions[0], positions[1]);
    // Every KOK registration is either still queued or holds a voucher now.
    assert_eq!(positions[0].len() as u64 + vouchers, 16, "{report}");
    assert_eq!(positions[2].len(), 8);
    for (r, p) in &results[1..] {
        assert_eq!(r, report, "center report differs between orders");
        assert_eq!(p, positions, "snapshot positions differ between orders");
    }
}

#[test]
fn bad_logs_are_reported_and_an_unreachable_center_is_a_typed_error() {
    let base_dir = tempfile::tempdir().unwrap();
    let base = make_kiosks(base_dir.path());
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let center = root.join("center");
    let key = json(&center_cmd(&center, &["init"]))["publicKey"].as_str().unwrap().to_owned();
    let (id, src) = &base[0];
    let dir = root.join(id);
    copy_dir_without(src, &dir, &["lock"]);
    let pubkey = Kiosk::open(&dir).unwrap().public_key_hex();

    // Not configured: refused with a clear code.
    let o = kiosk_cmd(&dir, &["push", "--url", "http://127.0.0.1:9", "--attempts", "1"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("CENTER_KEY_NOT_SET"));
    assert!(kiosk_cmd(&dir, &["center", "set", "--key", &key]).status.success());

    // Unreachable: typed error that says since when the kiosk has not synced.
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}", free.local_addr().unwrap());
    drop(free);
    let o = kiosk_cmd(&dir, &["push", "--url", &dead, "--attempts", "1"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(err.contains("CENTER_UNREACHABLE") && err.contains("never synced"), "{err}");

    center_cmd(&center, &["kiosk", "add", "--id", id, "--district", "KOK", "--pubkey", &pubkey, "--at", EARLY]);
    // A fork: keep a copy from now, continue and push, then restore the copy and diverge.
    let before = root.join("before");
    copy_dir_without(&dir, &before, &["lock"]);
    let more = |d: &Path, n: usize| {
        let mut k = Kiosk::open(d).unwrap();
        let op = k.login("op", "operator-secret").unwrap();
        let kids = testkit::children(60, Date::from_ymd(2026, 11, 1).unwrap(), 900);
        let child = &kids[40 + n];
        k.execute(&op, RulesCommand::Register { application: testkit::application("KOK", &child.0, child.1, 40 + n) })
            .unwrap();
        k.close();
    };
    more(&dir, 0);
    let server = Server::start(&center);
    assert!(kiosk_cmd(&dir, &["push", "--url", &server.url]).status.success());
    let accepted = last_seq(&dir);

    // A tampered bundle (one bit flipped inside its last entry): the entries before it are
    // accepted, the bad one is set aside and reported; a flipped first entry is refused.
    more(&dir, 1);
    more(&dir, 2);
    let clean = Kiosk::open(&dir).unwrap().pending_bundle().unwrap().0.to_bytes();
    let signer = Kiosk::open(&dir).unwrap().request_signer().unwrap();
    let mut bytes = clean.clone();
    let at = bytes.len() - 40;
    bytes[at] ^= 0x01;
    let ack = center::client::push(&server.url, &signer, &bytes).unwrap();
    let ack = changelog::sync::open_ack(&ack, &changelog::public_key_from_hex(&key).unwrap()).unwrap();
    assert_eq!(ack.accepted_through_seq, accepted + 1);
    // The altered entry no longer verifies as the kiosk's: it is set aside without a note
    // (a note is kept only for what the kiosk itself signed, so junk leaves nothing behind).
    assert!(ack.quarantined.is_empty(), "{:?}", ack.quarantined);
    let mut first = Kiosk::open(&dir).unwrap().pending_bundle().unwrap().0;
    first.entries.truncate(1);
    let mut first = first.to_bytes();
    let at = first.len() - 40;
    first[at] ^= 0x01;
    assert!(matches!(
        center::client::push(&server.url, &signer, &first),
        Err(center::client::PushError::Refused { status: 401, .. })
    ));
    // The real entries then go through.
    let o = kiosk_cmd(&dir, &["push", "--url", &server.url]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report = json(&o);
    assert_eq!(report["acceptedThroughSeq"].as_u64(), Some(accepted + 2), "{report}");

    // The restored copy writes a different entry with the same sequence number: a fork.
    more(&before, 5);
    let o = kiosk_cmd(&before, &["push", "--url", &server.url]);
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    // The center acknowledges its own history (beyond or different from this log): refused.
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(text.contains("ACK_BEYOND_LOG") || text.contains("[FORK]"), "{text}");
    drop(server);
    let quarantine = json(&center_cmd(&center, &["quarantine", "list"]));
    let codes: Vec<&str> = quarantine.as_array().unwrap().iter().filter_map(|q| q["code"].as_str()).collect();
    assert!(codes.contains(&"FORK"), "{quarantine}");
    assert!(!codes.is_empty());
}

#[test]
fn a_large_backlog_goes_in_chunks_and_resumes_after_the_center_dies() {
    kiosk::passwords::insecure_fast_hashing_for_tests();
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let center = root.join("center");
    let key = json(&center_cmd(&center, &["init"]))["publicKey"].as_str().unwrap().to_owned();
    let dir = root.join("KOK-07");
    let params = InitParams {
        district: "KOK".into(),
        name: "Big office".into(),
        kiosk_id: Some("KOK-07".into()),
        admin_login: "admin".into(),
        admin_name: "Admin".into(),
        admin_password: "admin-secret".into(),
    };
    Kiosk::init(&dir, &params).unwrap();
    let mut kiosk = Kiosk::open(&dir).unwrap();
    let admin = kiosk.login("admin", "admin-secret").unwrap();
    let op = NewOperator { login: "op".into(), name: "Op".into(), role: Role::Operator, kindergartens: vec![] };
    kiosk.add_operator(&admin, &op, "operator-secret").unwrap();
    let op = kiosk.login("op", "operator-secret").unwrap();
    let kids = testkit::children(2_300, Date::from_ymd(2026, 11, 1).unwrap(), 1_000);
    for (n, child) in kids.iter().enumerate() {
        kiosk
            .execute(&op, RulesCommand::Register { application: testkit::application("KOK", &child.0, child.1, n) })
            .unwrap();
    }
    let total = kiosk.status().last_seq;
    assert!(total > kiosk::push::CHUNK_ENTRIES as u64);
    let pubkey = kiosk.public_key_hex();
    center_cmd(&center, &["kiosk", "add", "--id", "KOK-07", "--district", "KOK", "--pubkey", &pubkey, "--at", EARLY]);
    kiosk::push::set_center(&kiosk, None, Some(&key)).unwrap();

    // The center dies right after the first chunk is acknowledged.
    let mut server = Some(Server::start(&center));
    let url = server.as_ref().unwrap().url.clone();
    let options = center::client::PushOptions {
        attempts: 2,
        initial_backoff: std::time::Duration::from_millis(50),
        ..Default::default()
    };
    let mut seen = Vec::new();
    let mut progress = |p: &kiosk::push::PushProgress| {
        seen.push((p.stage, p.sent_entries, p.total_entries));
        if p.stage == kiosk::push::PushStage::Applying {
            server = None;
        }
    };
    let err = kiosk::push::push_with(&mut kiosk, &url, &options, &mut progress).unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(seen.contains(&(kiosk::push::PushStage::Applying, 2_000, total)), "{seen:?}");
    assert_eq!(kiosk.sync_state().acknowledged_seq, 2_000, "the first chunk's ack is kept");

    // Back up: only the rest is sent.
    let server = Server::start(&center);
    let report = kiosk::push::push(&mut kiosk, &server.url, &mut |_| {}).unwrap();
    assert_eq!(report.sent, total - 2_000);
    assert_eq!(report.accepted_through_seq, total);
    assert!(report.quarantined.is_empty());
    assert!(report.snapshot_at.is_some());
    let snapshot = kiosk::push::kept_snapshot(&kiosk).unwrap().unwrap();
    assert_eq!(snapshot.positions.len(), kids.len());
}

/// Applications of a district as the center has them (signed snapshot, verified).
fn center_applications(center: &Path, key: &str, district: &str, file: &Path) -> Vec<rules::Application> {
    center_cmd(center, &["snapshot", "--district", district, "--out", file.to_str().unwrap()]);
    let key = changelog::public_key_from_hex(key).unwrap();
    changelog::sync::open_snapshot(&std::fs::read(file).unwrap(), &key).unwrap().applications
}

fn status_of(kiosk: &Kiosk, id: &str) -> rules::Status {
    kiosk.state().application(id).unwrap_or_else(|| panic!("{id} unknown to the kiosk")).status
}

/// A free-choice slot of the kiosk's kindergarten for the application's group year.
fn free_slot(kiosk: &Kiosk, id: &str) -> (String, GroupLanguage) {
    let year = kiosk.state().application(id).unwrap().group_year();
    let (slot, _) = kiosk
        .state()
        .free_slots()
        .into_iter()
        .find(|(s, _)| s.group_year == year && s.kindergarten == "KG-KOK-01")
        .unwrap_or_else(|| panic!("no free place for {id} ({year})"));
    (slot.kindergarten, slot.language)
}

fn act(kiosk: &mut Kiosk, login: &str, password: &str, id: &str, action: rules::Action) {
    let session = kiosk.login(login, password).unwrap();
    kiosk
        .execute(&session, RulesCommand::Act { application: id.to_owned(), action })
        .unwrap_or_else(|e| panic!("{id}: {e}"));
}

/// After a distribution round reaches the kiosks in a snapshot, they confirm vouchers,
/// choose kindergartens, accept, refuse and mark departures offline; two kiosks act on the
/// same voucher. Synced in every order, the center ends in the same state, the conflict
/// waits for a reviewer, and every kiosk's state is the center's again.
#[test]
fn voucher_work_done_offline_after_a_snapshot_reaches_the_center_in_any_order() {
    use rules::{Action, Status};
    let base_dir = tempfile::tempdir().unwrap();
    let kiosks = make_kiosks(base_dir.path());
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    let center = root.join("center");
    let key = json(&center_cmd(&center, &["init"]))["publicKey"].as_str().unwrap().to_owned();
    let phase1 = root.join("phase1");
    let mut dirs = Vec::new();
    for (id, src) in &kiosks {
        let dir = phase1.join(id);
        copy_dir_without(src, &dir, &["lock"]);
        let pubkey = Kiosk::open(&dir).unwrap().public_key_hex();
        center_cmd(&center, &["kiosk", "add", "--id", id, "--district", &id[..3], "--pubkey", &pubkey, "--at", EARLY]);
        assert!(kiosk_cmd(&dir, &["center", "set", "--key", &key]).status.success());
        dirs.push(dir);
    }
    let server = Server::start(&center);
    for dir in &dirs {
        assert!(kiosk_cmd(dir, &["push", "--url", &server.url]).status.success());
    }
    drop(server);
    center_cmd(&center, &["distribute", "--district", "KOK"]);
    let server = Server::start(&center);
    for dir in &dirs {
        let o = kiosk_cmd(dir, &["push", "--url", &server.url]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    drop(server);

    // Both KOK kiosks now hold the center's vouchers in their own state.
    let issued: Vec<String> = {
        let k1 = Kiosk::open(&dirs[0]).unwrap();
        let k2 = Kiosk::open(&dirs[1]).unwrap();
        let ids: Vec<String> =
            k1.state().applications().filter(|a| a.status == Status::VoucherIssued).map(|a| a.id.clone()).collect();
        let other: Vec<String> =
            k2.state().applications().filter(|a| a.status == Status::VoucherIssued).map(|a| a.id.clone()).collect();
        assert_eq!(ids, other);
        let center_view = center_applications(&center, &key, "KOK", &root.join("kok.snap"));
        let kiosk_view: Vec<rules::Application> =
            k1.state().applications().filter(|a| a.district == "KOK").cloned().collect();
        assert_eq!(kiosk_view, center_view, "the kiosk's state is the center's after the snapshot");
        assert!(k1.conflicts().is_empty() && k1.replay_problems().is_empty());
        ids
    };
    assert!(issued.len() >= 3, "the round issued at least three vouchers: {issued:?}");
    let (a, b, e) = (issued[0].clone(), issued[1].clone(), issued[2].clone());

    // Offline work, once: every sync order below starts from these same kiosk logs.
    let offline = root.join("offline");
    let dirs: Vec<PathBuf> = kiosks
        .iter()
        .zip(&dirs)
        .map(|((id, _), dir)| {
            let copy = offline.join(id);
            copy_dir_without(dir, &copy, &["lock"]);
            copy
        })
        .collect();
    // KOK-02 refuses voucher E first ...
    let mut k2 = Kiosk::open(&dirs[1]).unwrap();
    act(&mut k2, "op", "operator-secret", &e, Action::RefuseVoucher);
    assert_eq!(status_of(&k2, &e), Status::Archived);
    k2.close();
    // ... and KOK-01, not knowing, confirms it later.
    let mut k1 = Kiosk::open(&dirs[0]).unwrap();
    act(&mut k1, "op", "operator-secret", &e, Action::ConfirmVoucher);
    // A: confirmed, kindergarten chosen, accepted, then departed.
    act(&mut k1, "op", "operator-secret", &a, Action::ConfirmVoucher);
    let (kindergarten, language) = free_slot(&k1, &a);
    act(&mut k1, "op", "operator-secret", &a, Action::ChooseKindergarten { kindergarten, language });
    assert_eq!(status_of(&k1, &a), Status::DirectionIssued);
    act(&mut k1, "kg", "staff-secret", &a, Action::AcceptChild);
    let today = k1.now().local_date();
    act(&mut k1, "kg", "staff-secret", &a, Action::MarkDeparted { date: today, reason: "moved away".into() });
    assert_eq!(status_of(&k1, &a), Status::Departed);
    // B: confirmed, chosen, refused by the kindergarten (waits for a reviewer).
    act(&mut k1, "op", "operator-secret", &b, Action::ConfirmVoucher);
    let (kindergarten, language) = free_slot(&k1, &b);
    act(&mut k1, "op", "operator-secret", &b, Action::ChooseKindergarten { kindergarten, language });
    act(&mut k1, "kg", "staff-secret", &b, Action::RefuseChild { reason: "no medical card".into() });
    assert_eq!(status_of(&k1, &b), Status::RefusalReview);
    // Roles hold offline: an office operator cannot accept into a kindergarten.
    let op = k1.login("op", "operator-secret").unwrap();
    assert!(k1.execute(&op, RulesCommand::Act { application: b.clone(), action: Action::AcceptChild }).is_err());
    k1.close();
    // AKK-01 registers one more child offline.
    let mut k3 = Kiosk::open(&dirs[2]).unwrap();
    let op = k3.login("op", "operator-secret").unwrap();
    let kids = testkit::children(80, Date::from_ymd(2026, 11, 1).unwrap(), 900);
    k3.execute(&op, RulesCommand::Register { application: testkit::application("AKK", &kids[70].0, kids[70].1, 70) })
        .unwrap();
    k3.close();
    let offline_dirs = dirs;

    let mut finals = Vec::new();
    // Every order of the three kiosks.
    let orders = [[0usize, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
    for (round, order) in orders.iter().enumerate() {
        let run = root.join(format!("run{round}"));
        copy_dir_without(&center, &run.join("center"), &["lock"]);
        let dirs: Vec<PathBuf> = kiosks
            .iter()
            .zip(&offline_dirs)
            .map(|((id, _), dir)| {
                let copy = run.join(id);
                copy_dir_without(dir, &copy, &["lock"]);
                copy
            })
            .collect();
        let center = run.join("center");

        let server = Server::start(&center);
        for &k in order {
            let o = kiosk_cmd(&dirs[k], &["push", "--url", &server.url]);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            assert_eq!(json(&o)["acceptedThroughSeq"].as_u64(), Some(last_seq(&dirs[k])), "nothing lost");
        }
        // Everyone takes the final snapshot.
        for dir in &dirs {
            assert!(kiosk_cmd(dir, &["push", "--url", &server.url]).status.success());
        }
        drop(server);

        let apps = center_applications(&center, &key, "KOK", &run.join("kok.snap"));
        let find = |id: &str| apps.iter().find(|x| x.id == id).unwrap().status;
        assert_eq!(find(&a), Status::Departed);
        assert_eq!(find(&b), Status::RefusalReview);
        assert_eq!(find(&e), Status::Archived, "the earlier refusal wins whatever the sync order");
        let review = json(&center_cmd(&center, &["review", "list"]));
        let items = review.as_array().unwrap();
        assert!(
            items.iter().any(|i| i["kind"] == "refusal" && i["application"] == b.as_str()),
            "the refusal waits for a reviewer: {review}"
        );
        assert!(
            items.iter().any(|i| i["kiosk"] == "KOK-01" && i["application"] == e.as_str()),
            "the late confirmation waits for a reviewer: {review}"
        );
        assert_eq!(json(&center_cmd(&center, &["quarantine", "list"])), Value::Array(vec![]));
        // The kiosks' states are the center's again, with nothing left in conflict.
        for dir in &dirs[..2] {
            let k = Kiosk::open(dir).unwrap();
            let mine: Vec<rules::Application> =
                k.state().applications().filter(|x| x.district == "KOK").cloned().collect();
            assert_eq!(mine, apps);
            assert!(k.conflicts().is_empty(), "{:?}", k.conflicts());
            assert_eq!(k.verify().unwrap().projection_mismatches, Vec::<String>::new());
        }
        let akk = center_applications(&center, &key, "AKK", &run.join("akk.snap"));
        assert_eq!(akk.len(), 9);
        let report = json(&center_cmd(&center, &["report", "--format", "json"]));
        finals.push((apps, akk, report));
    }
    for other in &finals[1..] {
        assert_eq!(&finals[0], other, "the center's final state does not depend on the sync order");
    }
}
