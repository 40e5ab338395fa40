//! The `kezek-center` command line against a running server (`--url`), as center staff use
//! it while `serve` keeps the data folder: the real binary on both sides.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use changelog::sync::{open_ack, open_snapshot};
use common::proc::{BIN, Server, as_strs, cli, init_center, population_sign_args};
use common::*;
use rules::Action;
use rules::model::GroupLanguage;
use serde_json::Value;

const PASSWORD: &str = "correct-horse-battery";

/// What a run of the binary gave: success, stdout as JSON (or `Null`), stdout, the
/// `error.code` on stderr, and stderr.
#[derive(Debug)]
struct Run {
    ok: bool,
    json: Value,
    stdout: String,
    code: String,
    stderr: String,
}

fn finish(output: &std::process::Output) -> Run {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let error: Value = stderr.lines().last().and_then(|l| serde_json::from_str(l).ok()).unwrap_or(Value::Null);
    Run {
        ok: output.status.success(),
        json: serde_json::from_str(&stdout).unwrap_or(Value::Null),
        stdout,
        code: error["error"]["code"].as_str().unwrap_or_default().to_owned(),
        stderr,
    }
}

/// One staff member's command line: a server URL and their own session file.
struct Staff {
    url: String,
    session: PathBuf,
}

impl Staff {
    fn new(url: &str, dir: &Path, login: &str) -> Staff {
        Staff { url: url.to_owned(), session: dir.join("config").join(format!("{login}.json")) }
    }

    /// `kezek-center --url URL --session-file FILE ARGS…` (no password, no folder).
    fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(BIN);
        command
            .arg("--url")
            .arg(&self.url)
            .arg("--session-file")
            .arg(&self.session)
            .args(args)
            .env_remove("KEZEK_PASSWORD")
            .env_remove("KEZEK_CENTER_URL")
            .env_remove("KEZEK_CENTER_DATA")
            // A folder that does not exist: a remote command never opens one.
            .env("KEZEK_CENTER_DATA", "/nonexistent/kezek-center-data");
        command.envs(env.iter().copied());
        finish(&command.output().unwrap())
    }

    /// Fails the test unless the command succeeded; its JSON.
    fn ok(&self, args: &[&str]) -> Value {
        let run = self.run(args);
        assert!(run.ok, "{args:?}: {}", run.stderr);
        run.json
    }

    fn login(&self, login: &str) -> Value {
        let run = self.run_with(&["login", "--login", login], &[("KEZEK_PASSWORD", PASSWORD)]);
        assert!(run.ok, "login {login}: {}", run.stderr);
        run.json
    }
}

/// The center's clock now, as a kiosk would write its time (the server's clock rules).
fn now() -> String {
    center::now().to_string()
}

/// A moment later than anything the server did so far (kiosk times with milliseconds are
/// compared with the server's).
fn later() {
    std::thread::sleep(Duration::from_millis(50));
}

fn folder(data: &Path, args: &[&str]) -> Run {
    finish(&cli(data, args, &[("KEZEK_PASSWORD", PASSWORD.to_owned())]))
}

fn ids(items: &Value) -> Vec<String> {
    items.as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn every_command_works_against_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("center");
    let center_key = init_center(&data, &[]);
    // No scheduled rounds: the test's rounds are the distributor's.
    std::fs::write(data.join("schedule.json"), r#"{"rounds": null}"#).unwrap();
    for (login, role, district) in
        [("boss", "admin", None), ("dist", "distributor", Some("KOK")), ("rev", "reviewer", Some("KOK"))]
    {
        let mut args = vec!["operator", "add", "--login", login, "--name", "Staff", "--role", role];
        args.extend(district.iter().flat_map(|d| ["--district", *d]));
        let run = folder(&data, &args);
        assert!(run.ok, "{}", run.stderr);
    }

    let server = Server::start(&data, &[]);
    let admin = Staff::new(&server.url, dir.path(), "boss");
    let distributor = Staff::new(&server.url, dir.path(), "dist");
    let reviewer = Staff::new(&server.url, dir.path(), "rev");

    // Signing in: a session file of mode 0600 holding the URL, never printing the token.
    let signed = admin.login("boss");
    assert_eq!((signed["user"]["login"].as_str(), signed["user"]["role"].as_str()), (Some("boss"), Some("admin")));
    let stored: Value = serde_json::from_str(&std::fs::read_to_string(&admin.session).unwrap()).unwrap();
    assert_eq!(stored["url"].as_str(), Some(server.url.as_str()));
    assert!(!signed.to_string().contains(stored["token"].as_str().unwrap()), "the token is not printed");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&admin.session).unwrap().permissions().mode() & 0o777, 0o600);
    }
    distributor.login("dist");
    reviewer.login("rev");
    let wrong = admin.run_with(&["login", "--login", "boss"], &[("KEZEK_PASSWORD", "not-the-password")]);
    assert_eq!((wrong.ok, wrong.code.as_str()), (false, "BAD_CREDENTIALS"), "{}", wrong.stderr);

    // On the embedded store the folder is the server's now: a folder command says how to
    // reach it instead. On PostgreSQL the store is shared (as by two servers): it works.
    let locked = folder(&data, &["kiosk", "list"]);
    if pg::postgres_run() {
        assert!(locked.ok, "{}", locked.stderr);
    } else {
        assert_eq!((locked.ok, locked.code.as_str()), (false, "DATA_LOCKED"), "{}", locked.stderr);
        assert!(locked.stderr.contains("a server runs on this folder: use --url URL"), "{}", locked.stderr);
    }

    // Kiosks.
    let mut kiosk = TestKiosk::new("K1");
    let added = admin.ok(&["kiosk", "add", "--id", "K1", "--district", DISTRICT, "--pubkey", &kiosk.key.public_hex()]);
    assert_eq!(added["id"], "K1");
    let spare = TestKiosk::new("K2");
    admin.ok(&["kiosk", "add", "--id", "K2", "--district", DISTRICT, "--pubkey", &spare.key.public_hex()]);
    let revoked = admin.ok(&["kiosk", "revoke", "--id", "K2"]);
    assert!(revoked["revokedAt"].is_string(), "{revoked}");
    let kiosks = admin.ok(&["kiosk", "list"]);
    assert_eq!(ids(&kiosks), ["K1", "K2"]);
    assert_eq!(kiosks[0]["warning"], true, "never heard from: {kiosks}");
    let refused = distributor.run(&["kiosk", "list"]);
    assert_eq!((refused.ok, refused.code.as_str()), (false, "FORBIDDEN_ROLE"), "{}", refused.stderr);

    // A USB bundle brought in through the server: three children and two places.
    later();
    let t = now();
    kiosk = kiosk.with_staff(&t);
    kiosk.register_children(&t, "K1-A", "2023-02-01", 1..=3);
    kiosk.add_places(&t, "K1-P1", 2023, 2);
    let bundle = dir.path().join("k1.kzb");
    std::fs::write(&bundle, kiosk.all()).unwrap();
    let ack_file = dir.path().join("k1.ack");
    let report = admin.ok(&["ingest", bundle.to_str().unwrap(), "--ack-out", ack_file.to_str().unwrap()]);
    assert_eq!(
        (report["accepted"].as_u64(), report["flagged"].as_array().map(Vec::len)),
        (Some(6), Some(0)),
        "{report}"
    );
    let ack = open_ack(&std::fs::read(&ack_file).unwrap(), &center_key).unwrap();
    assert_eq!(ack.accepted_through_seq, 6);

    // Distribution: the plan first (changing nothing), then the round.
    let plan = distributor.ok(&["distribute", "--district", DISTRICT, "--dry-run"]);
    let planned: Vec<&str> =
        plan["queues"][0]["chosen"].as_array().unwrap().iter().map(|c| c["application"].as_str().unwrap()).collect();
    assert_eq!(planned.len(), 2, "{plan}");
    let again = distributor.ok(&["distribute", "--district", DISTRICT, "--dry-run"]);
    assert_eq!(again["queues"], plan["queues"], "a dry run changes nothing");
    let round = distributor.ok(&["distribute", "--district", DISTRICT]);
    let vouchers: Vec<String> =
        round["vouchers"].as_array().unwrap().iter().map(|v| v["application"].as_str().unwrap().to_owned()).collect();
    assert_eq!(vouchers, planned);
    let other_district = distributor.run(&["distribute", "--district", "ZER"]);
    assert_eq!((other_district.ok, other_district.code.as_str()), (false, "OUT_OF_DISTRICT"));

    // Both children get a voucher, a kindergarten, and its refusal; and a withdrawal of an
    // application that does not exist: three items for the reviewers.
    later();
    let t = now();
    for app in &vouchers {
        kiosk.act(&t, "op", app, Action::ConfirmVoucher);
        kiosk.act(&t, "op", app, Action::ChooseKindergarten { kindergarten: KG.into(), language: GroupLanguage::Ru });
        kiosk.act(&t, "kg", app, Action::RefuseChild { reason: "группа укомплектована".into() });
    }
    let nope = kiosk.act(&t, "op", "NOPE", Action::Withdraw);
    std::fs::write(&bundle, kiosk.all()).unwrap();
    let report = admin.ok(&["ingest", bundle.to_str().unwrap()]);
    assert_eq!((report["accepted"].as_u64(), report["duplicates"].as_u64()), (Some(7), Some(6)), "{report}");

    // The reviewer queue.
    let (first, second, entry) = (format!("R-{}", vouchers[0]), format!("R-{}", vouchers[1]), format!("E-K1-{nope}"));
    let open = reviewer.ok(&["review", "list"]);
    let mut open_ids = ids(&open);
    open_ids.sort();
    let mut expected = vec![first.clone(), second.clone(), entry.clone()];
    expected.sort();
    assert_eq!(open_ids, expected);
    let shown = reviewer.ok(&["review", "show", &first]);
    assert_eq!(shown["item"]["id"].as_str(), Some(first.as_str()));
    assert_eq!(shown["application"]["id"].as_str(), Some(vouchers[0].as_str()));
    assert_eq!(shown["application"]["status"], "refusal_review", "{shown}");
    let actions: Vec<&str> =
        shown["history"].as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"register") && actions.contains(&"refuseChild"), "{actions:?}");
    let forbidden = distributor.run(&["review", "uphold", &second]);
    assert_eq!((forbidden.ok, forbidden.code.as_str()), (false, "FORBIDDEN_ROLE"), "{}", forbidden.stderr);
    let named = reviewer.run(&["review", "uphold", &second, "--reviewer", "rev"]);
    assert_eq!(named.code, "LOCAL_ONLY", "with --url the signed-in user is the reviewer");
    let overruled = reviewer.ok(&["review", "overrule", &first, "--note", "a place was found"]);
    assert_eq!(overruled["status"], "overruled");
    assert_eq!(reviewer.ok(&["review", "uphold", &second])["status"], "upheld");
    assert_eq!(reviewer.ok(&["review", "uphold", &entry])["status"], "upheld");
    assert_eq!(reviewer.ok(&["review", "list"]), Value::Array(vec![]));
    let all = reviewer.ok(&["review", "list", "--all"]);
    assert!(all.as_array().unwrap().iter().any(|i| i["id"] == entry.as_str() && i["status"] == "upheld"), "{all}");
    let direction = reviewer.ok(&["review", "show", &entry]);
    assert_eq!(direction["item"]["status"], "upheld");

    // Running the center.
    let tick = admin.ok(&["tick"]);
    assert_eq!(tick["command"], "tick");
    let table = admin.run(&["report", "--format", "table"]);
    assert!(table.ok && table.stdout.contains("district") && table.stdout.contains("KOK"), "{}", table.stdout);
    let rows = reviewer.ok(&["report"]);
    let row = rows.as_array().unwrap().iter().find(|r| r["groupYear"] == 2023).unwrap();
    assert_eq!((row["queued"].as_u64(), row["directions"].as_u64()), (Some(2), Some(1)), "{rows}");
    assert_eq!(admin.ok(&["quarantine", "list"]), Value::Array(vec![]));
    let reexamined = admin.run(&["quarantine", "reexamine", "K1"]);
    assert_eq!((reexamined.ok, reexamined.code.as_str()), (false, "NOT_FOUND"), "{}", reexamined.stderr);
    let directory = admin.ok(&["directory", "list", "--district", DISTRICT]);
    let kindergartens = directory["kindergartens"].as_array().unwrap();
    assert!(!kindergartens.is_empty() && kindergartens.iter().all(|k| k["district"] == DISTRICT), "{directory}");
    let calendar = admin.ok(&["calendar", "list"]);
    assert!(calendar["version"].is_string() && !calendar["years"].as_array().unwrap().is_empty(), "{calendar}");

    // Signed files for a USB round trip, verifiable with the center key.
    let snapshot_file = dir.path().join("kok.snapshot");
    let written = admin.ok(&["snapshot", "--district", DISTRICT, "--out", snapshot_file.to_str().unwrap()]);
    assert_eq!(written["bytes"].as_u64(), Some(std::fs::metadata(&snapshot_file).unwrap().len()));
    assert_eq!((written["district"].as_str(), written["applications"].as_u64()), (Some(DISTRICT), Some(3)));
    let snapshot = open_snapshot(&std::fs::read(&snapshot_file).unwrap(), &center_key).unwrap();
    assert_eq!((snapshot.district.as_str(), snapshot.applications.len()), (DISTRICT, 3));
    let ack_file = dir.path().join("k1-later.ack");
    let acked = admin.ok(&["ack", "--kiosk", "K1", "--out", ack_file.to_str().unwrap()]);
    assert_eq!(acked["acceptedThroughSeq"], 13);
    let ack = open_ack(&std::fs::read(&ack_file).unwrap(), &center_key).unwrap();
    assert_eq!(ack.accepted_through_seq, 13);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in [&snapshot_file, &ack_file] {
            assert_eq!(std::fs::metadata(file).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    // Staff accounts.
    let new = admin.run_with(
        &["operator", "add", "--login", "viewer1", "--name", "Viewer", "--role", "viewer"],
        &[("KEZEK_PASSWORD", PASSWORD)],
    );
    assert!(new.ok, "{}", new.stderr);
    let users = admin.ok(&["operator", "list"]);
    let logins: Vec<&str> = users.as_array().unwrap().iter().map(|u| u["login"].as_str().unwrap()).collect();
    assert!(["boss", "dist", "rev", "viewer1"].iter().all(|l| logins.contains(l)), "{logins:?}");
    assert_eq!(admin.ok(&["operator", "disable", "--login", "viewer1"])["disabled"], true);

    // The audit trail names who did what: the folder's command line, then the signed-in users.
    let audit = admin.ok(&["audit"]);
    let by = |action: &str, subject: &str| -> Vec<String> {
        audit
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["action"] == action && r["subject"] == subject)
            .map(|r| r["by"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(by("user.add", "dist"), ["center"]);
    assert_eq!(by("user.add", "viewer1"), ["boss"]);
    assert_eq!(by("user.disable", "viewer1"), ["boss"]);
    assert_eq!(by("kiosk.add", "K1"), ["boss"]);
    assert_eq!(by("kiosk.revoke", "K2"), ["boss"]);
    assert_eq!(by("ingest.file", "K1"), ["boss", "boss"]);
    assert_eq!(by("distribute", DISTRICT), ["dist"]);
    assert_eq!(by("review.overrule", &first), ["rev"]);
    assert_eq!(by("review.uphold", &entry), ["rev"]);
    assert_eq!(by("export.snapshot", DISTRICT), ["boss"]);
    assert_eq!(by("export.ack", "K1"), ["boss"]);
    assert_eq!(admin.ok(&["audit", "--limit", "2"]).as_array().unwrap().len(), 2);
    let not_admin = reviewer.run(&["audit"]);
    assert_eq!(not_admin.code, "FORBIDDEN_ROLE");

    // What the command line refuses before asking the server.
    let at = admin.run(&["tick", "--at", "2026-03-10T12:00:00+05:00"]);
    assert_eq!((at.ok, at.code.as_str()), (false, "AT_NOT_REMOTE"), "{}", at.stderr);
    let init = admin.run(&["init"]);
    assert_eq!((init.ok, init.code.as_str()), (false, "LOCAL_ONLY"));
    let serve = admin.run(&["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!((serve.ok, serve.code.as_str()), (false, "LOCAL_ONLY"));
    let migrate = admin.run(&["migrate", "--to", "postgres://nobody@127.0.0.1:9/none"]);
    assert_eq!((migrate.ok, migrate.code.as_str()), (false, "LOCAL_ONLY"));

    // Sessions: garbage, expired, for another server, signed out.
    let token = stored["token"].as_str().unwrap().to_owned();
    let forged = Staff::new(&server.url, dir.path(), "forged");
    let write_session = |token: &str, url: &str, expires: &str| {
        std::fs::create_dir_all(forged.session.parent().unwrap()).unwrap();
        let session = serde_json::json!({ "url": url, "login": "boss", "token": token, "expiresAt": expires });
        std::fs::write(&forged.session, session.to_string()).unwrap();
    };
    write_session("garbage", &server.url, "2099-01-01T00:00:00+05:00");
    let garbage = forged.run(&["kiosk", "list"]);
    assert_eq!((garbage.ok, garbage.code.as_str()), (false, "SESSION_EXPIRED"), "{}", garbage.stderr);
    assert!(garbage.stderr.contains("login"), "{}", garbage.stderr);
    write_session(&token, &server.url, "2020-01-01T00:00:00+05:00");
    assert_eq!(forged.run(&["kiosk", "list"]).code, "SESSION_EXPIRED");
    write_session(&token, "http://127.0.0.1:9", "2099-01-01T00:00:00+05:00");
    let elsewhere = forged.run(&["kiosk", "list"]);
    assert_eq!(elsewhere.code, "SIGN_IN_REQUIRED", "a token for another URL is not sent: {}", elsewhere.stderr);
    assert_eq!(forged.run(&["logout"]).code, "SIGN_IN_REQUIRED");
    assert!(forged.session.exists(), "another server's session is left alone");
    let nobody = Staff::new(&server.url, dir.path(), "nobody").run(&["kiosk", "list"]);
    assert_eq!(nobody.code, "SIGN_IN_REQUIRED");
    let out = admin.ok(&["logout"]);
    assert_eq!(out["signedOut"], true);
    assert!(!admin.session.exists());
    assert_eq!(admin.run(&["kiosk", "list"]).code, "SIGN_IN_REQUIRED");
    assert_eq!(admin.run(&["logout"]).code, "SIGN_IN_REQUIRED");
    write_session(&token, &server.url, "2099-01-01T00:00:00+05:00");
    assert_eq!(forged.run(&["kiosk", "list"]).code, "SESSION_EXPIRED", "the server ended the session");

    // The server stopped: not reachable; the folder works again, and replays to the state
    // the server had.
    let before_stop = (reviewer.ok(&["review", "list", "--all"]), reviewer.ok(&["report"]));
    drop(server);
    let gone = reviewer.run(&["review", "list"]);
    assert_eq!((gone.ok, gone.code.as_str()), (false, "SERVER_UNREACHABLE"), "{}", gone.stderr);
    assert!(gone.stderr.contains("not reachable at http://127.0.0.1:"), "{}", gone.stderr);
    let local = folder(&data, &["audit", "--limit", "1"]);
    assert!(local.ok, "{}", local.stderr);
    assert_eq!((folder(&data, &["review", "list", "--all"]).json, folder(&data, &["report"]).json), before_stop);
}

#[test]
fn on_the_folder_new_commands_work_and_review_needs_a_reviewer() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("center");
    init_center(&data, &[]);
    let run =
        folder(&data, &["operator", "add", "--login", "rev", "--name", "R", "--role", "reviewer", "--district", "KOK"]);
    assert!(run.ok, "{}", run.stderr);
    let plan = folder(&data, &["distribute", "--district", DISTRICT, "--dry-run", "--at", "2026-03-10T19:00:00+05:00"]);
    assert!(plan.ok && plan.json["queues"].is_array(), "{}", plan.stderr);
    let audit = folder(&data, &["audit"]);
    assert_eq!(audit.json[0]["action"], "user.add");
    assert_eq!(audit.json[0]["by"], "center");
    let missing = folder(&data, &["review", "show", "R-NOPE"]);
    assert_eq!(missing.code, "NOT_FOUND");
    let no_reviewer = folder(&data, &["review", "uphold", "R-NOPE"]);
    assert_eq!(no_reviewer.code, "REVIEWER_REQUIRED");
    let nothing = folder(&data, &["quarantine", "reexamine", "K9"]);
    assert_eq!(nothing.code, "UNKNOWN_KIOSK");
    let logout = folder(&data, &["logout"]);
    assert_eq!(logout.code, "URL_REQUIRED");
}

/// A folder with a kiosk K1 of KOK, an admin `boss` and a viewer `look`, served; both signed in.
fn served_center(dir: &Path) -> (PathBuf, TestKiosk, Server, Staff, Staff) {
    let data = dir.join("center");
    let kiosk = TestKiosk::new("K1");
    init_center(&data, &[&kiosk]);
    std::fs::write(data.join("schedule.json"), r#"{"rounds": null}"#).unwrap();
    for (login, role) in [("boss", "admin"), ("look", "viewer")] {
        let run = folder(&data, &["operator", "add", "--login", login, "--name", "Staff", "--role", role]);
        assert!(run.ok, "{}", run.stderr);
    }
    let server = Server::start(&data, &[]);
    let admin = Staff::new(&server.url, dir, "boss");
    let viewer = Staff::new(&server.url, dir, "look");
    admin.login("boss");
    viewer.login("look");
    (data, kiosk, server, admin, viewer)
}

/// (by, action, subject, note) of the audit trail's rows with `action`, oldest first.
fn audited(staff: &Staff, action: &str) -> Vec<(String, String, String)> {
    let rows = staff.ok(&["audit", "--limit", "10000"]);
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    rows.as_array()
        .unwrap()
        .iter()
        .rev()
        .filter(|r| r["action"] == action)
        .map(|r| (text(&r["by"]), text(&r["subject"]), text(&r["note"])))
        .collect()
}

#[test]
fn reference_data_and_served_districts_change_through_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let (_data, kiosk, server, admin, viewer) = served_center(dir.path());
    // `serve`'s sessions last 12 hours.
    let before = center::now();
    let expires: rules::Instant = admin.login("boss")["expiresAt"].as_str().unwrap().parse().unwrap();
    let lifetime = (expires.0 - before.0).num_seconds();
    assert!((12 * 3600 - 60..=12 * 3600 + 5).contains(&lifetime), "{lifetime} s");

    // The kindergarten directory: a new kindergarten of KOK, from a file.
    let new_kindergarten = serde_json::json!([{
        "id": "KOK-DDO-901",
        "district": DISTRICT,
        "queueType": "general",
        "name": { "ru": "Ясли-сад № 901", "kk": "№ 901 бөбекжай-балабақша", "en": "Nursery-kindergarten No. 901" },
        "ownership": "state",
        "address": "г. Кокшетау, ул. Строительная, 901",
        "phone": "+7 7162 000000",
        "languages": ["kk", "ru"]
    }]);
    let directory_file = dir.path().join("directory.json");
    std::fs::write(&directory_file, new_kindergarten.to_string()).unwrap();
    let directory_path = directory_file.to_str().unwrap();
    let before = admin.ok(&["directory", "list"]);
    let denied = viewer.run(&["directory", "import", directory_path]);
    assert_eq!((denied.ok, denied.code.as_str()), (false, "FORBIDDEN_ROLE"), "{}", denied.stderr);
    let by = admin.run(&["directory", "import", directory_path, "--by", "someone"]);
    assert_eq!(by.code, "LOCAL_ONLY", "with --url the signed-in user acts");
    let imported = admin.ok(&["directory", "import", directory_path]);
    assert_eq!(imported["changed"], serde_json::json!(["KOK-DDO-901"]), "{imported}");
    let after = admin.ok(&["directory", "list", "--district", DISTRICT]);
    assert!(after["version"].as_u64() > before["version"].as_u64(), "{after}");
    assert!(after["kindergartens"].as_array().unwrap().iter().any(|k| k["id"] == "KOK-DDO-901"), "{after}");
    let again = admin.ok(&["directory", "import", directory_path]);
    assert_eq!((again["changed"].as_array().map(Vec::len), again["unchanged"].as_u64()), (Some(0), Some(1)));
    assert_eq!(audited(&admin, "setKindergarten"), [("boss".to_owned(), "KOK-DDO-901".to_owned(), String::new())]);

    // The calendar: a year's decree published (it replaces the provisional year), from a file.
    let decree = serde_json::json!({
        "year": 2027,
        "provisional": false,
        "kurbanAit": "2027-05-16",
        "extraDaysOff": ["2027-01-08"],
        "extraWorkingDays": ["2027-01-16"],
        "source": "Постановление Правительства (remote test)"
    });
    let calendar_file = dir.path().join("calendar.json");
    std::fs::write(&calendar_file, decree.to_string()).unwrap();
    let calendar_path = calendar_file.to_str().unwrap();
    let listed = |staff: &Staff| {
        let listed = staff.ok(&["calendar", "list"]);
        listed["years"].as_array().unwrap().iter().find(|y| y["year"] == 2027).unwrap().clone()
    };
    assert_eq!(listed(&admin)["status"], "provisional");
    let denied = viewer.run(&["calendar", "set-year", calendar_path]);
    assert_eq!(denied.code, "FORBIDDEN_ROLE", "{}", denied.stderr);
    let set = admin.ok(&["calendar", "set-year", calendar_path]);
    assert!(set["centerSeq"].is_u64(), "{set}");
    let year = listed(&viewer);
    assert_eq!((&year["status"], &year["source"]), (&Value::from("official"), &decree["source"]), "{year}");
    assert_eq!(audited(&admin, "setCalendarYear"), [("boss".to_owned(), "2027".to_owned(), String::new())]);

    // A second district for the kiosk: its signed requests for ZER's snapshot are refused
    // before, and answered after, with no restart.
    let zer = "/v1/districts/ZER/snapshot";
    let (status, body) = signed_request(&server.url, &kiosk.signer(), "GET", zer, None);
    assert_eq!((status, error_code(&body).as_str()), (403, "OUT_OF_DISTRICT"));
    let denied = viewer.run(&["kiosk", "serve", "--id", "K1", "--district", "ZER"]);
    assert_eq!(denied.code, "FORBIDDEN_ROLE", "{}", denied.stderr);
    let unknown = admin.run(&["kiosk", "serve", "--id", "K1", "--district", "NOPE"]);
    assert_eq!(unknown.code, "UNKNOWN_DISTRICT", "{}", unknown.stderr);
    let two = admin.ok(&["kiosk", "serve", "--id", "K1", "--district", "ZER"]);
    assert_eq!(two["districts"], serde_json::json!([DISTRICT, "ZER"]), "{two}");
    let (status, _) = signed_request(&server.url, &kiosk.signer(), "GET", zer, None);
    assert_eq!(status, 200);
    let kiosks = admin.ok(&["kiosk", "list"]);
    assert_eq!(kiosks[0]["districts"], serde_json::json!([DISTRICT, "ZER"]), "{kiosks}");
    assert_eq!(audited(&admin, "kiosk.serve"), [("boss".to_owned(), "K1".to_owned(), "ZER".to_owned())]);
}

#[test]
fn the_population_registry_is_managed_through_a_running_server() {
    let dir = tempfile::tempdir().unwrap();
    let (data, _kiosk, server, admin, viewer) = served_center(dir.path());
    let key = changelog::KioskKey::generate().unwrap();
    let key_file = dir.path().join("registry.key");
    key.save(&key_file).unwrap();
    let (parent, child) = (adult_iin(1), child_iin("2022-03-04", 1));
    let pairs = serde_json::json!([{ "parent": parent, "child": child, "kinship": "mother" }]);
    let pairs_file = dir.path().join("pairs.json");
    std::fs::write(&pairs_file, pairs.to_string()).unwrap();
    let signed_file = dir.path().join("signed.json");
    // Signing needs neither the folder nor the server, even with --url given.
    let p = |path: &Path| path.to_str().unwrap().to_owned();
    let sign = admin.ok(&as_strs(&population_sign_args(&key_file, &pairs_file, &signed_file, "Test registry")));
    assert_eq!(sign["pairs"], 1, "{sign}");

    // Not trusted yet: the import is refused.
    let refused = admin.run(&["population", "import", &p(&signed_file)]);
    assert_eq!(refused.code, "POPULATION_UNTRUSTED_KEY", "{}", refused.stderr);
    let not_yet = admin.run(&["population", "check", "--parent", &parent, "--child", &child]);
    assert_eq!(not_yet.code, "REGISTRY_NOT_IMPORTED", "{}", not_yet.stderr);

    // Trusting a key: admins only, audited, while the server runs.
    let hex = key.public_hex();
    let denied = viewer.run(&["population", "trust", &hex]);
    assert_eq!((denied.ok, denied.code.as_str()), (false, "FORBIDDEN_ROLE"), "{}", denied.stderr);
    let bad = admin.run(&["population", "trust", "not-a-key"]);
    assert_eq!(bad.code, "POPULATION_BAD_KEY", "{}", bad.stderr);
    let at = admin.run(&["population", "trust", &hex, "--at", "2026-03-10T12:00:00+05:00"]);
    assert_eq!(at.code, "AT_NOT_REMOTE");
    let trusted = admin.ok(&["population", "trust", &hex]);
    assert_eq!((trusted["added"].as_bool(), trusted["publicKey"].as_str()), (Some(true), Some(hex.as_str())));
    let again = admin.ok(&["population", "trust", &hex]);
    assert_eq!(again["added"], false);
    let fingerprint = trusted["fingerprint"].as_str().unwrap().to_owned();
    assert_eq!(audited(&admin, "population.trust"), [("boss".to_owned(), fingerprint, hex.clone())], "logged once");
    let keys = std::fs::read_to_string(data.join(center::population::KEYS_FILE)).unwrap();
    assert!(keys.contains(&hex), "{keys}");

    // The trusted key takes at once: the import, then a check, through the server.
    let imported = admin.ok(&["population", "import", &p(&signed_file)]);
    assert_eq!(imported["pairs"], 1, "{imported}");
    let denied = viewer.run(&["population", "check", "--parent", &parent, "--child", &child]);
    assert_eq!(denied.code, "FORBIDDEN_ROLE", "{}", denied.stderr);
    let check = admin.ok(&["population", "check", "--parent", &parent, "--child", &child]);
    assert_eq!((check["confirmed"].as_bool(), check["kinship"].as_str()), (Some(true), Some("mother")), "{check}");
    let other = admin.ok(&["population", "check", "--parent", &adult_iin(2), "--child", &child]);
    assert_eq!(other["confirmed"], false);
    let invalid = admin.run(&["population", "check", "--parent", "123", "--child", &child]);
    assert_eq!(invalid.code, "IIN_FORMAT", "{}", invalid.stderr);
    // The folder, read while the server holds it, says the same.
    let local = folder(&data, &["population", "check", "--parent", &parent, "--child", &child]);
    assert!(local.ok, "{}", local.stderr);
    assert_eq!(local.json, check);

    // The `serve` process killed and started again (on another port): the admin's session
    // token still works there, and the registry still answers.
    let stored: Value = serde_json::from_str(&std::fs::read_to_string(&admin.session).unwrap()).unwrap();
    let token = stored["token"].as_str().unwrap().to_owned();
    drop(server);
    let server = Server::start(&data, &[]);
    let mut answer = common::http_agent()
        .get(&format!("{}/v1/staff/population/check?parent={parent}&child={child}", server.url))
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let after_restart: Value = serde_json::from_slice(&answer.body_mut().read_to_vec().unwrap()).unwrap();
    assert_eq!(after_restart, check);
}
