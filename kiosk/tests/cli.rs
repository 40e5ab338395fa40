//! The CLI, subcommand by subcommand, with its error paths and exit codes.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use common::*;
use serde_json::Value;

#[test]
fn no_subcommand_prints_help_and_bad_usage_exits_2() {
    let o = run(std::process::Command::new(BIN), "");
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("Usage"), "{}", stdout(&o));
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(code(&run(cli(dir.path()).arg("launch"), "")), 2);
    // Passwords are never taken on the command line.
    let o = run(cli(dir.path()).args(["init", "--district", "KOK", "--name", "x", "--password", "p"]), "");
    assert_eq!(code(&o), 2);
    // No password at all: a usage error too.
    let o = run(cli(dir.path()).args(["init", "--district", "KOK", "--name", "x"]), "");
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("KEZEK_PASSWORD"), "{}", stderr(&o));
    // A command on a folder with no kiosk.
    let o = run(cli(&dir.path().join("none")).arg("status"), "");
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("NOT_INITIALIZED"), "{}", stderr(&o));
}

#[test]
fn init_creates_key_admin_and_first_entry_and_refuses_a_second_time() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("k");
    let o = run(
        cli(&data).env("KEZEK_PASSWORD", ADMIN_PASSWORD).args([
            "init",
            "--district",
            "KOK",
            "--name",
            "Office",
            "--id",
            "KOK-03",
        ]),
        "",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Kiosk id: KOK-03"), "{out}");
    let public_key = out.lines().find_map(|l| l.strip_prefix("Public key: ")).unwrap();
    assert_eq!(public_key.len(), 64);
    assert!(out.lines().any(|l| l.starts_with("Fingerprint: ") && l.len() == "Fingerprint: ".len() + 19));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(data.join("kiosk.key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let mode = std::fs::metadata(&data).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the data folder is private");
    }
    // The password file option works and the hash is argon2id, local only.
    let hashes = std::fs::read_to_string(data.join("local/passwords.json")).unwrap();
    assert!(hashes.contains("$argon2id$"));
    let log = std::fs::read(data.join("log/entries.bin")).unwrap();
    assert!(!String::from_utf8_lossy(&log).contains("argon2"), "no hash in the log");

    let o = run(
        cli(&data).env("KEZEK_PASSWORD", ADMIN_PASSWORD).args(["init", "--district", "KOK", "--name", "Office"]),
        "",
    );
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("ALREADY_INITIALIZED"));

    for (args, expected) in [
        (vec!["--district", "XXX", "--name", "Office"], "UNKNOWN_DISTRICT"),
        (vec!["--district", "KOK", "--name", "Office", "--id", "AKK-01"], "BAD_KIOSK_ID"),
        (vec!["--district", "KOK", "--name", " "], "BAD_KIOSK_NAME"),
        (vec!["--district", "KOK", "--name", "Office", "--admin", "Bad Login"], "BAD_LOGIN"),
    ] {
        let o = run(cli(&dir.path().join(expected)).env("KEZEK_PASSWORD", ADMIN_PASSWORD).arg("init").args(&args), "");
        assert_eq!(code(&o), 1, "{expected}");
        assert!(stderr(&o).contains(expected), "{expected}: {}", stderr(&o));
    }
    let o = run(
        cli(&dir.path().join("weak")).env("KEZEK_PASSWORD", "short").args(["init", "--district", "KOK", "--name", "x"]),
        "",
    );
    assert!(stderr(&o).contains("WEAK_PASSWORD"));
    // --password-file; a default kiosk id from the district and the key.
    let pw = dir.path().join("pw");
    std::fs::write(&pw, format!("{ADMIN_PASSWORD}\n")).unwrap();
    let data2 = dir.path().join("k2");
    let o = run(
        cli(&data2)
            .args(["init", "--district", "ZER", "--name", "Zerendi", "--format", "json", "--password-file"])
            .arg(&pw),
        "",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["kioskId"].as_str().unwrap().starts_with("ZER-"));
    let o = run(cli(&data2).args(["operator", "list", "--format", "json"]), "");
    assert_eq!(code(&o), 0);
    let c = run(cli(&data2).args(["status", "--format", "json"]), "");
    let s: Value = serde_json::from_str(&stdout(&c)).unwrap();
    assert_eq!(s["lastSeq"], 1);
    // The password from the file logs in.
    let o = run(
        cli(&data2)
            .env("KEZEK_NEW_PASSWORD", OPERATOR_PASSWORD)
            .args([
                "operator",
                "add",
                "op",
                "--name",
                "Op",
                "--role",
                "operator",
                "--operator",
                "admin",
                "--password-file",
            ])
            .arg(&pw),
        "",
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn operators_are_added_listed_and_disabled_by_admins_only() {
    let f = Fixture::new();
    let (rc, list) = f.json(&["operator", "list", "--format", "json"]);
    assert_eq!(rc, 0);
    let logins: Vec<&str> = list.as_array().unwrap().iter().map(|o| o["login"].as_str().unwrap()).collect();
    assert_eq!(logins, ["admin", "kg", "op"]);
    assert_eq!(list[1]["role"], "kindergarten");
    assert_eq!(list[1]["kindergartens"][0], "KG-KOK-01");
    assert_eq!(list[2]["addedBy"], "admin");
    let table = stdout(&run(f.cli_with_args(&["operator", "list"]), ""));
    assert!(table.contains("op") && table.contains("active"), "{table}");

    let add = |login: &str, args: &[&str], admin: &str, password: &str| {
        let mut c = f.cli_with_password(password);
        c.env("KEZEK_NEW_PASSWORD", "another-secret");
        c.args(["operator", "add", login, "--name", "Someone", "--operator", admin]).args(args);
        run(c, "")
    };
    let expect = |o: std::process::Output, code_: &str| {
        assert_eq!(code(&o), 1, "{code_}: {}", stdout(&o));
        assert!(stderr(&o).contains(code_), "{code_}: {}", stderr(&o));
    };
    expect(add("x1", &["--role", "operator"], "op", OPERATOR_PASSWORD), "ADMIN_ONLY");
    expect(add("x1", &["--role", "operator"], "admin", "wrong-password"), "LOGIN_FAILED");
    expect(add("x1", &["--role", "kindergarten"], "admin", ADMIN_PASSWORD), "KINDERGARTENS_REQUIRED");
    expect(
        add("x1", &["--role", "operator", "--kindergarten", "KG-KOK-01"], "admin", ADMIN_PASSWORD),
        "KINDERGARTENS_NOT_ALLOWED",
    );
    expect(
        add("x1", &["--role", "kindergarten", "--kindergarten", "KG-NOPE"], "admin", ADMIN_PASSWORD),
        "UNKNOWN_KINDERGARTEN",
    );
    expect(add("op", &["--role", "operator"], "admin", ADMIN_PASSWORD), "LOGIN_TAKEN");
    expect(add("Bad", &["--role", "operator"], "admin", ADMIN_PASSWORD), "BAD_LOGIN");
    assert_eq!(code(&add("x1", &["--role", "reviewer"], "admin", ADMIN_PASSWORD)), 2, "not a kiosk role: usage");

    let disable = |login: &str, admin: &str, password: &str| {
        run(f.cli_with_password(password).args(["operator", "disable", login, "--operator", admin]), "")
    };
    expect(disable("admin", "admin", ADMIN_PASSWORD), "CANNOT_DISABLE_SELF");
    expect(disable("nobody", "admin", ADMIN_PASSWORD), "UNKNOWN_OPERATOR");
    expect(disable("kg", "op", OPERATOR_PASSWORD), "ADMIN_ONLY");
    let o = disable("op", "admin", ADMIN_PASSWORD);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    expect(disable("op", "admin", ADMIN_PASSWORD), "ALREADY_DISABLED");
    // A disabled operator can no longer log in.
    let (rc, lines) = f.apply_as_operator(&["{}".to_owned()]);
    assert_eq!((rc, lines.len()), (1, 0));
    let o = run(f.cli_with_password(OPERATOR_PASSWORD).args(["apply", "--json-lines", "--operator", "op"]), "");
    assert!(stderr(&o).contains("OPERATOR_DISABLED"), "{}", stderr(&o));
    // A second admin can disable the first; the last one cannot go.
    let o = add("boss", &["--role", "admin"], "admin", ADMIN_PASSWORD);
    assert_eq!(code(&o), 0);
    let o = disable("admin", "boss", "another-secret");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let (_, list) = f.json(&["operator", "list", "--format", "json"]);
    let admin = list.as_array().unwrap().iter().find(|o| o["login"] == "admin").unwrap();
    assert_eq!((admin["active"].as_bool(), admin["disabledBy"].as_str()), (Some(false), Some("boss")));
}

#[test]
fn apply_saves_good_lines_and_reports_each_bad_one() {
    let f = Fixture::new();
    let kids = children(3, 0);
    let ok = register_line("KOK", &kids[0], 0);
    let mut bad_iin: Value = serde_json::from_str(&register_line("KOK", &kids[1], 1)).unwrap();
    let mut iin = bad_iin["application"]["childIin"].as_str().unwrap().to_owned();
    let last = iin.pop().unwrap();
    iin.push(if last == '9' { '0' } else { char::from(last as u8 + 1) });
    bad_iin["application"]["childIin"] = Value::String(iin);
    let mut short_iin = bad_iin.clone();
    short_iin["application"]["childIin"] = Value::String("12345".into());
    let lines = vec![
        ok.clone(),
        "{not json".to_owned(),
        r#"{"type":"launch"}"#.to_owned(),
        r#"{"type":"act","application":"KOK-03-2026-000001","action":{"type":"fly"}}"#.to_owned(),
        bad_iin.to_string(),
        short_iin.to_string(),
        ok.clone(),    // the same child again: duplicate
        String::new(), // blank lines are skipped
        r#"{"type":"tick"}"#.to_owned(),
        r#"{"type":"distribute","district":"KOK"}"#.to_owned(),
        r#"{"type":"addPlaces","places":{"kindergarten":"KG-KOK-01","language":"kk","groupYear":2022,"count":3}}"#
            .to_owned(),
        r#"{"type":"register","application":{"district":"KOK"}}"#.to_owned(),
        register_line("KOK", &kids[2], 2).replace(r#""id":"""#, r#""id":"MY-OWN-1""#),
        register_line("XYZ", &kids[2], 2),
    ];
    let (rc, out) = f.apply_as_operator(&lines);
    assert_eq!(rc, 1, "some lines failed");
    let codes: Vec<&str> = out.iter().map(|v| if v["ok"] == true { "OK" } else { error_code(v) }).collect();
    assert_eq!(
        codes,
        [
            "OK",
            "BAD_JSON",
            "UNKNOWN_COMMAND",
            "UNKNOWN_ACTION",
            "IIN_CHECKSUM",
            "IIN_FORMAT",
            "DUPLICATE_CHILD",
            "CENTER_ONLY",
            "CENTER_ONLY",
            "WRONG_ROLE",
            "INVALID_COMMAND",
            "ID_ASSIGNED_BY_KIOSK",
            "INVALID_COMMAND",
        ]
    );
    let first = &out[0];
    assert_eq!(first["seq"], 4, "entries 1–3: admin, op, kg");
    let year = today().year();
    assert_eq!(first["id"], format!("KOK-03-{year}-000001"));
    assert_eq!(first["events"][0]["type"], "registered");
    assert_eq!(first["events"][0]["application"]["status"], "queued");
    assert_eq!(out[8]["line"], 10, "line numbers count the blank line");
    assert!(out.iter().all(|v| v["ok"] == true || !v["error"]["message"].as_str().unwrap().is_empty()));

    // Not allowed in the status; the role's own commands only; another district's number.
    let id = first["id"].as_str().unwrap().to_owned();
    let act = |action: &str| format!(r#"{{"type":"act","application":"{id}","action":{{"type":"{action}"}}}}"#);
    let (rc, out) =
        f.apply_as_operator(&[act("confirmVoucher"), act("acceptChild"), register_line("AKK", &kids[1], 1)]);
    assert_eq!(rc, 1);
    assert_eq!(error_code(&out[0]), "NOT_ALLOWED");
    assert!(out[0]["error"]["message"].as_str().unwrap().contains("In the queue"));
    assert_eq!(error_code(&out[1]), "WRONG_ROLE");
    assert_eq!(out[2]["id"], format!("AKK-KOK-03-{year}-000002"), "the counter only moves on saved registrations");
    // Kindergarten staff: their kindergartens only; no registrations; admins issue no queue commands.
    let places = |kg: &str| {
        format!(
            r#"{{"type":"addPlaces","places":{{"kindergarten":"{kg}","language":"kk","groupYear":{},"count":3}}}}"#,
            year - 2
        )
    };
    let (rc, out) = f.apply(
        "kg",
        STAFF_PASSWORD,
        &[places("KG-KOK-01"), places("KG-KOK-02"), register_line("KOK", &kids[2], 2), act("acceptChild")],
    );
    assert_eq!(rc, 1);
    assert_eq!(out[0]["id"], format!("KOK-03-{year}-P000001"));
    assert_eq!(out[0]["events"][0]["record"]["state"], "pending");
    assert_eq!(error_code(&out[1]), "NOT_YOUR_KINDERGARTEN");
    assert_eq!(error_code(&out[2]), "WRONG_ROLE");
    assert_eq!(error_code(&out[3]), "NOT_ALLOWED", "no direction yet: the rules answer");
    let (rc, out) = f.apply("admin", ADMIN_PASSWORD, &[register_line("KOK", &kids[2], 2), places("KG-KOK-01")]);
    assert_eq!(rc, 1);
    assert!(out.iter().all(|v| error_code(v) == "WRONG_ROLE"));
    // Withdraw, then it is not allowed any more; all good lines exit 0.
    let (rc, out) = f.apply_as_operator(&[act("withdraw")]);
    assert_eq!((rc, out[0]["events"][0]["reason"].as_str()), (0, Some("withdrawn")));
    let (_, out) = f.apply_as_operator(&[act("withdraw")]);
    assert_eq!(error_code(&out[0]), "NOT_ALLOWED");
    // The withdrawn child may apply again (a new number).
    let (rc, out) = f.apply_as_operator(&[ok]);
    assert_eq!((rc, out[0]["id"].as_str().unwrap()), (0, format!("KOK-03-{year}-000003").as_str()));
    // A wrong password.
    let (rc, out) = f.apply("op", "wrong-password", &[act("withdraw")]);
    assert_eq!((rc, out.len()), (1, 0));
}

#[test]
fn messages_follow_the_language() {
    let f = Fixture::new();
    let message = |lang: &str| {
        let mut c = common::cli_in(&f.data(), lang);
        c.args(["apply", "--json-lines", "--operator", "op"]).env("KEZEK_PASSWORD", OPERATOR_PASSWORD);
        let o = run(c, "{\"type\":\"launch\"}\n");
        let v: Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
        v["error"]["message"].as_str().unwrap().to_owned()
    };
    assert!(message("ru").starts_with("Неизвестная команда"));
    assert!(message("kk").starts_with("Белгісіз команда"));
    assert!(message("en").starts_with("Unknown command"));
    let o = run(common::cli_in(&f.data(), "kk").args(["card", "NOPE"]), "");
    assert!(stderr(&o).contains("Ештеңе табылмады"), "{}", stderr(&o));
}

#[test]
fn find_journal_card_status_verify_and_export() {
    let f = Fixture::new();
    let kids = children(3, 10);
    let (rc, out) =
        f.apply_as_operator(&kids.iter().enumerate().map(|(i, k)| register_line("KOK", k, i)).collect::<Vec<_>>());
    assert_eq!(rc, 0, "{out:?}");
    let ids: Vec<String> = out.iter().map(|v| v["id"].as_str().unwrap().to_owned()).collect();
    let withdraw = format!(r#"{{"type":"act","application":"{}","action":{{"type":"withdraw"}}}}"#, ids[1]);
    assert_eq!(f.apply_as_operator(&[withdraw]).0, 0);

    // find
    let (rc, found) = f.json(&["find", "--iin", &kids[0].0, "--format", "json"]);
    assert_eq!(rc, 0);
    assert_eq!(found[0]["application"]["id"], ids[0].as_str());
    assert_eq!(found[0]["position"], 1);
    let (rc, found) = f.json(&["find", "--reg", &ids[2], "--format", "json"]);
    assert_eq!((rc, found[0]["application"]["child"]["iin"].as_str()), (0, Some(kids[2].0.as_str())));
    let text = stdout(&run(f.cli_with_args(&["find", "--reg", &ids[0]]), ""));
    assert!(text.contains("Queue position: 1") && text.contains(&kids[0].0), "{text}");
    let o = run(f.cli_with_args(&["find", "--direction", &format!("{}-N1", ids[0])]), "");
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("NOT_FOUND"));
    assert_eq!(code(&run(f.cli_with_args(&["find", "--iin", "000000000000"]), "")), 1);
    assert_eq!(code(&run(f.cli_with_args(&["find"]), "")), 2, "one key is required");
    assert_eq!(code(&run(f.cli_with_args(&["find", "--iin", "1", "--reg", "2"]), "")), 2, "only one key");

    // journal
    let (rc, journal) = f.json(&["journal", "--format", "json"]);
    assert_eq!(rc, 0);
    let listed: Vec<&str> = journal.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(listed, ids.iter().map(String::as_str).collect::<Vec<_>>(), "registration order");
    let (_, queued) = f.json(&["journal", "--status", "queued", "--format", "json"]);
    assert_eq!(queued.as_array().unwrap().len(), 2);
    assert_eq!(queued[1]["position"], 2);
    let (_, archived) = f.json(&["journal", "--status", "archived,departed", "--format", "json"]);
    assert_eq!(archived[0]["id"], ids[1].as_str());
    let table = stdout(&run(f.cli_with_args(&["journal"]), ""));
    assert!(table.contains("Archived") && table.contains("Total: 3"), "{table}");
    assert_eq!(code(&run(f.cli_with_args(&["journal", "--status", "lost"]), "")), 2);

    // card: who, when, which kiosk
    let (rc, card) = f.json(&["card", &ids[1], "--format", "json"]);
    assert_eq!(rc, 0);
    let history = card["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!((history[0]["command"].as_str(), history[1]["command"].as_str()), (Some("register"), Some("withdraw")));
    assert_eq!(history[1]["operator"], "op");
    assert_eq!(history[1]["operatorName"], "Name of op");
    assert_eq!(history[1]["kiosk"], "KOK-03");
    assert!(history[1]["at"].as_str().unwrap().ends_with("+05:00"));
    assert_eq!(card["application"]["archiveReason"], "withdrawn");
    let (_, card0) = f.json(&["card", &ids[0], "--format", "json"]);
    let actions: Vec<&str> =
        card0["allowedActions"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"withdraw"), "{actions:?}");
    let text = stdout(&run(f.cli_with_args(&["card", &ids[1]]), ""));
    assert!(
        text.contains("History:") && text.contains("kiosk KOK-03: withdraw") && text.contains("by op (Name of op)"),
        "{text}"
    );
    assert_eq!(code(&run(f.cli_with_args(&["card", "KOK-03-1999-000001"]), "")), 1);

    // status
    let (rc, status) = f.json(&["status", "--format", "json"]);
    assert_eq!(rc, 0);
    assert_eq!(status["kioskId"], "KOK-03");
    assert_eq!(status["lastSeq"], 7);
    assert_eq!(status["pendingEntries"], 7);
    assert_eq!(status["logHealth"]["state"], "ok");
    assert_eq!(status["projectedSeq"], 7);
    assert_eq!(status["fingerprint"].as_str().unwrap().len(), 19);
    let text = stdout(&run(f.cli_with_args(&["status"]), ""));
    assert!(
        text.contains("Pending upload: 7") && text.contains("Last sync: never") && text.contains("Log: healthy"),
        "{text}"
    );

    // verify
    let (rc, report) = f.json(&["verify", "--format", "json"]);
    assert_eq!((rc, report["ok"].as_bool(), report["valid"].as_u64()), (0, Some(true), Some(7)));
    assert!(stdout(&run(f.cli_with_args(&["verify"]), "")).contains("Verified: OK"));

    // export: a bundle of every entry not acknowledged, readable and verifiable by anyone
    let bundle_path = f.dir.path().join("usb/kiosk.kzb");
    std::fs::create_dir_all(bundle_path.parent().unwrap()).unwrap();
    let o = run(f.cli_with_args(&["export", "--out", bundle_path.to_str().unwrap(), "--format", "json"]), "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (report["firstSeq"].as_u64(), report["lastSeq"].as_u64(), report["entries"].as_u64()),
        (Some(1), Some(7), Some(7))
    );
    let read = changelog::Bundle::read(&std::fs::read(&bundle_path).unwrap()).unwrap();
    assert_eq!(read.damage, None);
    assert_eq!(read.bundle.kiosk, "KOK-03");
    let key = changelog::public_key_from_hex(status["publicKey"].as_str().unwrap()).unwrap();
    let (bodies, error) = changelog::verify_chain(&read.bundle.entries, "KOK-03", key, 0, changelog::GENESIS_HASH);
    assert_eq!((bodies.len(), error), (7, None));
    assert_eq!(bodies[3].operator, "op");
    assert!(matches!(bodies[3].payload().unwrap(), changelog::Payload::Command { .. }));
    let text = stdout(&run(f.cli_with_args(&["export", "--out", bundle_path.to_str().unwrap()]), ""));
    assert!(text.contains("Exported 7 entries (1–7)"), "{text}");
    let o = run(f.cli_with_args(&["export", "--out", "/nonexistent-dir/x/y.kzb"]), "");
    assert_eq!(code(&o), 1);
}

#[test]
fn demo_load_runs_real_commands_at_recorded_times() {
    let f = Fixture::new();
    let o = run(f.cli_with_password(OPERATOR_PASSWORD).args(["demo-load", "--operator", "op"]), "");
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("ADMIN_ONLY"));
    let o = run(f.cli_with_password(ADMIN_PASSWORD).args(["demo-load", "--operator", "admin"]), "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("Demo data loaded: 300 applications, 25 places records, 0 rejected"), "{}", stdout(&o));
    let (_, journal) = f.json(&["journal", "--format", "json"]);
    let rows = journal.as_array().unwrap();
    assert_eq!(rows.len(), 300);
    assert_eq!(rows[0]["registeredAt"], "2021-01-06T14:43:41+05:00", "recorded time kept");
    assert_eq!(rows[0]["id"], "ZER-KOK-03-2021-000001");
    let (_, card) = f.json(&["card", "ZER-KOK-03-2021-000001", "--format", "json"]);
    assert_eq!(card["history"][0]["operator"], "demo-operator");
    let (_, ops) = f.json(&["operator", "list", "--format", "json"]);
    let demo: Vec<&Value> =
        ops.as_array().unwrap().iter().filter(|o| o["login"].as_str().unwrap().starts_with("demo-")).collect();
    assert_eq!(demo.len(), 2);
    assert!(
        demo.iter().all(|o| o["active"] == false && o["addedBy"] == "admin"),
        "demo accounts are disabled afterwards"
    );
    let o = run(f.cli_with_password(ADMIN_PASSWORD).args(["demo-load", "--operator", "admin"]), "");
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("DEMO_NOT_EMPTY"));
    let (rc, report) = f.json(&["verify", "--format", "json"]);
    assert_eq!((rc, report["ok"].as_bool()), (0, Some(true)), "{report}");
}

#[test]
fn a_damaged_log_is_reported_and_nothing_is_appended_after_it() {
    let f = Fixture::new();
    let kids = children(4, 20);
    let (rc, out) =
        f.apply_as_operator(&kids.iter().enumerate().map(|(i, k)| register_line("KOK", k, i)).collect::<Vec<_>>());
    assert_eq!(rc, 0);
    let ids: Vec<&str> = out.iter().map(|v| v["id"].as_str().unwrap()).collect();
    // Flip one byte inside entry 6 (the third registration): seq 4..7 are registrations.
    let log_path = f.data().join("log/entries.bin");
    let mut bytes = std::fs::read(&log_path).unwrap();
    let offsets = {
        let mut at = 0usize;
        let mut v = Vec::new();
        while at < bytes.len() {
            v.push(at);
            at += 4 + u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize + 64;
        }
        v
    };
    let target = offsets[5] + 60;
    bytes[target] ^= 0x20;
    std::fs::write(&log_path, &bytes).unwrap();

    let (rc, report) = f.json(&["verify", "--format", "json"]);
    assert_eq!(rc, 1);
    assert_eq!(report["damage"]["seq"], 6);
    assert_eq!(report["valid"], 5);
    let (_, status) = f.json(&["status", "--format", "json"]);
    assert_eq!(status["logHealth"]["state"], "damaged");
    assert_eq!(status["logHealth"]["damage"]["seq"], 6);
    assert_eq!(status["lastSeq"], 5);
    // Entries before it are all there; the damaged one and later ones are not replayed.
    assert_eq!(f.json(&["find", "--reg", ids[1], "--format", "json"]).0, 0);
    assert_eq!(f.json(&["find", "--reg", ids[2], "--format", "json"]).0, 1);
    // No append: apply refuses with the message in the chosen language.
    let mut c = f.cli_with_password(OPERATOR_PASSWORD);
    c.args(["apply", "--json-lines", "--operator", "op"]);
    let o = run(c, &format!("{}\n", register_line("KOK", &children(1, 40)[0], 9)));
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("LOG_DAMAGED") && stderr(&o).contains("from entry 6"), "{}", stderr(&o));
    assert_eq!(std::fs::read(&log_path).unwrap(), bytes, "nothing written, nothing cut");
    let o = run(common::cli_in(&f.data(), "ru").arg("status"), "");
    assert!(stdout(&o).contains("повреждён начиная с записи № 6"), "{}", stdout(&o));
    // Export still hands over the intact entries.
    let out = f.dir.path().join("intact.kzb");
    let o = run(f.cli_with_args(&["export", "--out", out.to_str().unwrap(), "--format", "json"]), "");
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!((report["firstSeq"].as_u64(), report["lastSeq"].as_u64()), (Some(1), Some(5)));
}
