//! Bad input to the kiosk's command line: file arguments that are missing, folders, paths
//! through a file, traversals to system files, damaged or forged files; invalid UTF-8 and
//! huge strings in JSON lines and names. Each is a typed error code with exit code 1, never
//! a panic, and nothing already saved is lost (`verify` is still ok, the log unchanged).
//! (Usage errors and the first bad lines are in cli.rs.)
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Output;

use common::*;
use serde_json::Value;

/// Exit code 1, the code on stderr, no panic.
fn assert_refused(o: &Output, expected: &str, what: &str) {
    let err = stderr(o);
    assert!(!err.contains("panicked"), "{what}: {err}");
    assert_eq!(code(o), 1, "{what}: {err}");
    assert!(err.contains(expected), "{what}: expected {expected}, got {err}");
}

/// The log verifies and still has `last_seq` entries.
fn assert_intact(f: &Fixture, last_seq: u64) {
    let (rc, report) = f.json(&["verify", "--format", "json"]);
    assert_eq!((rc, report["ok"].as_bool()), (0, Some(true)), "{report}");
    let (_, status) = f.json(&["status", "--format", "json"]);
    assert_eq!(status["lastSeq"], last_seq, "{status}");
}

fn last_seq(f: &Fixture) -> u64 {
    f.json(&["status", "--format", "json"]).1["lastSeq"].as_u64().unwrap()
}

/// Paths that are no readable file of the right kind.
fn bad_paths(dir: &std::path::Path) -> Vec<(&'static str, String)> {
    let text = dir.join("notes.txt");
    std::fs::write(&text, "hello").unwrap();
    let empty = dir.join("empty.kzd");
    std::fs::write(&empty, b"").unwrap();
    let folder = dir.display().to_string();
    vec![
        ("a missing file", format!("{folder}/missing.kzd")),
        ("a folder", folder.clone()),
        ("a path through a file", format!("{}/inside.kzd", text.display())),
        ("a traversal to /etc/passwd", format!("{folder}/../../../../../../../../etc/passwd")),
        ("a text file", text.display().to_string()),
        ("an empty file", empty.display().to_string()),
        ("an endless device", "/dev/zero".to_owned()),
    ]
}

#[test]
fn bad_files_for_import_snapshot_and_import_ack_are_typed_errors() {
    let f = Fixture::new();
    let (_, before) = f.apply_as_operator(&[register_line("KOK", &children(1, 0)[0], 0)]);
    assert_eq!(before[0]["ok"], true);
    let seq = last_seq(&f);
    // Without a center key nothing can be checked.
    let files = tempfile::tempdir().unwrap();
    let text = files.path().join("x.kzd");
    std::fs::write(&text, "x").unwrap();
    let o = run(f.cli_with_args(&["import-snapshot", text.to_str().unwrap()]), "");
    assert_refused(&o, "CENTER_KEY_NOT_SET", "no center key");

    let center = changelog::KioskKey::generate().unwrap();
    let o = run(f.cli_with_password(ADMIN_PASSWORD).args(["center", "set", "--key", &center.public_hex()]), "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // A document signed by another key is a forgery.
    let impostor = changelog::KioskKey::generate().unwrap();
    let forged = files.path().join("forged.kzd");
    std::fs::write(&forged, changelog::sync::sign(&serde_json::json!({"kiosk": "KOK-03"}), impostor.signing()))
        .unwrap();
    let mut paths = bad_paths(files.path());
    paths.push(("a forged document", forged.display().to_string()));
    for (name, path) in &paths {
        let reading = matches!(*name, "a missing file" | "a folder" | "a path through a file" | "an endless device");
        for (command, damaged) in [("import-snapshot", "BAD_SNAPSHOT"), ("import-ack", "BAD_ACK")] {
            let o = run(f.cli_with_args(&[command, path]), "");
            assert_refused(&o, if reading { "READ_FAILED" } else { damaged }, &format!("{command} {name}"));
        }
    }
    assert_intact(&f, seq);
}

#[test]
fn apply_with_a_bad_password_file_is_a_usage_error_and_saves_nothing() {
    let f = Fixture::new();
    let seq = last_seq(&f);
    let files = tempfile::tempdir().unwrap();
    let line = register_line("KOK", &children(1, 0)[0], 0);
    for (name, path) in bad_paths(files.path()).into_iter().take(3) {
        let o = run(f.cli_with_args(&["apply", "--json-lines", "--operator", "op", "--password-file", &path]), &line);
        assert!(!stderr(&o).contains("panicked"), "{name}: {}", stderr(&o));
        assert_eq!(code(&o), 2, "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains("Cannot read the password file"), "{name}: {}", stderr(&o));
    }
    assert_intact(&f, seq);
}

#[test]
fn export_to_a_place_it_cannot_write_is_a_typed_error() {
    let f = Fixture::new();
    let seq = last_seq(&f);
    let files = tempfile::tempdir().unwrap();
    let text = files.path().join("notes.txt");
    std::fs::write(&text, "keep me").unwrap();
    let folder = files.path().display().to_string();
    for (name, out) in [
        ("a folder", folder.clone()),
        ("a path through a file", format!("{}/out.kzb", text.display())),
        ("a missing folder", format!("{folder}/no/such/folder/out.kzb")),
        ("a kernel file", "/proc/version".to_owned()),
    ] {
        let o = run(f.cli_with_args(&["export", "--out", &out]), "");
        assert_refused(&o, "EXPORT_WRITE_FAILED", name);
    }
    assert_eq!(std::fs::read_to_string(&text).unwrap(), "keep me");
    assert_intact(&f, seq);
    // The same export to a good place works.
    let good = files.path().join("out.kzb");
    let o = run(f.cli_with_args(&["export", "--out", good.to_str().unwrap()]), "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(std::fs::metadata(&good).unwrap().len() > 0);
}

#[test]
fn invalid_utf8_and_huge_strings_in_json_lines_are_refused_line_by_line() {
    let f = Fixture::new();
    let kids = children(3, 0);
    let seq = last_seq(&f);
    let huge = "Ә".repeat(512 * 1024); // 1 MiB of UTF-8
    let mut huge_child: Value = serde_json::from_str(&register_line("KOK", &kids[1], 1)).unwrap();
    huge_child["application"]["childName"] = Value::String(huge.clone());
    let mut huge_parent: Value = serde_json::from_str(&register_line("KOK", &kids[1], 1)).unwrap();
    huge_parent["application"]["applicant"]["name"] = Value::String(huge.clone());
    let mut huge_address: Value = serde_json::from_str(&register_line("KOK", &kids[1], 1)).unwrap();
    huge_address["application"]["residence"]["address"] = Value::String(huge.clone());

    let mut input = Vec::new();
    for line in [
        register_line("KOK", &kids[0], 0).into_bytes(),
        b"{\"type\":\"tick\",\"x\":\"\xff\xfe\"}".to_vec(),
        b"\xc0\x80".to_vec(),
        huge_child.to_string().into_bytes(),
        huge_parent.to_string().into_bytes(),
        huge_address.to_string().into_bytes(),
        format!(r#"{{"type":"act","application":"{huge}","action":{{"type":"withdraw"}}}}"#).into_bytes(),
        format!("{{\"{huge}\":1}}").into_bytes(),
        "[".repeat(100_000).into_bytes(),
        register_line("KOK", &kids[2], 2).into_bytes(),
    ] {
        input.extend_from_slice(&line);
        input.push(b'\n');
    }
    let mut c = f.cli_with_password(OPERATOR_PASSWORD);
    c.args(["apply", "--json-lines", "--operator", "op"]);
    let o = run_bytes(c, &input);
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert_eq!(code(&o), 1, "some lines failed");
    let out: Vec<Value> = stdout(&o).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let codes: Vec<&str> = out.iter().map(|v| if v["ok"] == true { "OK" } else { error_code(v) }).collect();
    assert_eq!(
        codes,
        [
            "OK",
            "BAD_JSON",
            "BAD_JSON",
            "INVALID_FIELD",
            "INVALID_FIELD",
            "INVALID_FIELD",
            "UNKNOWN_APPLICATION",
            "INVALID_COMMAND",
            "BAD_JSON",
            "OK"
        ]
    );
    assert!(out.iter().all(|v| v["ok"] == true || !v["error"]["message"].as_str().unwrap().is_empty()));
    assert_intact(&f, seq + 2);
}

#[test]
fn huge_names_for_operators_and_kiosks_are_refused() {
    let f = Fixture::new();
    let seq = last_seq(&f);
    // 100 KiB: below the OS limit on one argument, far above any name.
    let huge = "Ә".repeat(50 * 1024);
    let mut c = f.cli_with_password(ADMIN_PASSWORD);
    c.env("KEZEK_NEW_PASSWORD", OPERATOR_PASSWORD);
    c.args(["operator", "add", "big", "--name", &huge, "--role", "operator", "--operator", "admin"]);
    assert_refused(&run(c, ""), "BAD_OPERATOR_NAME", "a huge operator name");
    let mut c = f.cli_with_password(ADMIN_PASSWORD);
    c.env("KEZEK_NEW_PASSWORD", OPERATOR_PASSWORD);
    c.args(["operator", "add", &"a".repeat(100 * 1024), "--name", "Op", "--role", "operator", "--operator", "admin"]);
    assert_refused(&run(c, ""), "BAD_LOGIN", "a huge login");
    assert_intact(&f, seq);
    let dir = tempfile::tempdir().unwrap();
    let o = run(
        cli(&dir.path().join("k")).env("KEZEK_PASSWORD", ADMIN_PASSWORD).args([
            "init",
            "--district",
            "KOK",
            "--name",
            &huge,
        ]),
        "",
    );
    assert_refused(&o, "BAD_KIOSK_NAME", "a huge kiosk name");
}

/// [`run`] with raw bytes on stdin.
fn run_bytes(mut command: std::process::Command, stdin: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}
