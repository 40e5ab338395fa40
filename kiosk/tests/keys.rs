//! The kiosk's private key at rest (owner-only, optional passphrase) and key rotation: the
//! center follows it, the whole history still verifies, the old key signs nothing after it.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::path::Path;

use center::Center;
use changelog::{Bundle, EntryBody, FORMAT_VERSION, KioskKey, Payload, SignedEntry};
use common::{code, run, stderr};
use kiosk::{InitParams, Kiosk, NewOperator, Session, testkit};
use rules::{Command, Lang, Localized, Role};

const PASS: &str = "correct horse battery";

fn params() -> InitParams {
    kiosk::passwords::insecure_fast_hashing_for_tests();
    kiosk::insecure_fast_key_files_for_tests();
    InitParams {
        district: "KOK".into(),
        name: "Kokshetau office".into(),
        kiosk_id: Some("KOK-03".into()),
        admin_login: "admin".into(),
        admin_name: "Admin".into(),
        admin_password: "admin-secret".into(),
    }
}

/// A kiosk (key encrypted with `passphrase` when given) with an operator `op`.
fn kiosk(dir: &Path, passphrase: Option<&str>) -> Kiosk {
    Kiosk::init_with_passphrase(dir, &params(), passphrase).unwrap();
    let mut k = Kiosk::open_with_passphrase(dir, passphrase).unwrap();
    let admin = k.login("admin", "admin-secret").unwrap();
    let op = NewOperator { login: "op".into(), name: "Op".into(), role: Role::Operator, kindergartens: vec![] };
    k.add_operator(&admin, &op, "operator-secret").unwrap();
    k
}

fn register(k: &mut Kiosk, op: &Session, n: usize) -> u64 {
    let kids = common::children(n + 1, 900);
    let child = &kids[n];
    k.execute(op, Command::Register { application: testkit::application("KOK", &child.0, child.1, n) }).unwrap().seq
}

fn mode(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        0o600
    }
}

#[test]
fn an_encrypted_key_opens_only_with_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    kiosk(dir.path(), Some(PASS)).close();
    let key_file = dir.path().join("kiosk.key");
    assert_eq!(mode(&key_file), 0o600);
    assert!(std::fs::read_to_string(&key_file).unwrap().starts_with('{'));

    for (passphrase, expected) in [(None, "KEY_PASSPHRASE_REQUIRED"), (Some("wrong"), "KEY_WRONG_PASSPHRASE")] {
        let err = Kiosk::open_with_passphrase(dir.path(), passphrase).unwrap_err();
        assert_eq!(err.code(), expected);
        let messages: Vec<String> = [Lang::Ru, Lang::Kk, Lang::En].into_iter().map(|l| err.message(l)).collect();
        assert!(messages.iter().all(|m| !m.is_empty()) && messages[0] != messages[1] && messages[1] != messages[2]);
    }
    let k = Kiosk::open_with_passphrase(dir.path(), Some(PASS)).unwrap();
    assert!(k.verify().unwrap().ok);
    k.close();

    // An altered key file: a typed error, no panic.
    let text = std::fs::read_to_string(&key_file).unwrap();
    std::fs::write(&key_file, text.replacen("\"t\":", "\"t\":1", 1)).unwrap();
    let err = Kiosk::open_with_passphrase(dir.path(), Some(PASS)).unwrap_err();
    assert!(["KEY_WRONG_PASSPHRASE", "KEY_UNREADABLE"].contains(&err.code()), "{}", err.code());
}

#[test]
fn a_plain_key_is_owner_only_and_opens_with_or_without_a_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    kiosk(dir.path(), None).close();
    let key_file = dir.path().join("kiosk.key");
    assert_eq!(mode(&key_file), 0o600);
    assert_eq!(std::fs::read_to_string(&key_file).unwrap().trim().len(), 64);
    Kiosk::open_with_passphrase(dir.path(), Some("unused")).unwrap().close();
    Kiosk::open_with_passphrase(dir.path(), None).unwrap().close();
}

#[test]
fn the_command_line_takes_the_passphrase_from_a_file_or_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let passphrase_file = dir.path().join("passphrase");
    std::fs::write(&passphrase_file, format!("{PASS}\n")).unwrap();
    let mut init = common::cli(&data);
    init.env("KEZEK_PASSWORD", "admin-secret").env("KEZEK_KEY_PASSPHRASE", PASS);
    init.args(["init", "--district", "KOK", "--name", "Office", "--id", "KOK-03"]);
    let o = run(init, "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(std::fs::read_to_string(data.join("kiosk.key")).unwrap().starts_with('{'));

    let status = |passphrase_env: Option<&str>, extra: &[&str]| {
        let mut c = common::cli(&data);
        match passphrase_env {
            Some(p) => c.env("KEZEK_KEY_PASSPHRASE", p),
            None => c.env_remove("KEZEK_KEY_PASSPHRASE"),
        };
        c.args(extra).arg("status");
        run(c, "")
    };
    assert_eq!(code(&status(Some(PASS), &[])), 0);
    let file_arg = passphrase_file.to_str().unwrap();
    let o = status(None, &["--key-passphrase-file", file_arg]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let missing = dir.path().join("missing");
    let missing_arg = ["--key-passphrase-file", missing.to_str().unwrap()];
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "\n").unwrap();
    let empty_arg = ["--key-passphrase-file", empty.to_str().unwrap()];
    for (env, extra, needle) in [
        (None, &[][..], "KEY_PASSPHRASE_REQUIRED"),
        (Some("wrong"), &[][..], "KEY_WRONG_PASSPHRASE"),
        (None, &missing_arg[..], "KEY_PASSPHRASE_UNREADABLE"),
        (None, &empty_arg[..], "KEY_EMPTY_PASSPHRASE"),
    ] {
        let o = status(env, extra);
        assert_ne!(code(&o), 0);
        assert!(stderr(&o).contains(needle), "{}", stderr(&o));
        assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    }
}

/// Ingests the kiosk's pending bundle at a center that registered `registered` (hex).
fn ingest(k: &Kiosk, registered: &str) -> center::IngestReport {
    let dir = tempfile::tempdir().unwrap();
    Center::init(dir.path(), None).unwrap();
    let mut c = Center::open(dir.path()).unwrap();
    c.add_kiosk("KOK-03", "KOK", registered, "2026-01-01T00:00:00+05:00".parse().unwrap()).unwrap();
    let (bundle, _) = k.pending_bundle().unwrap();
    c.ingest(&bundle.to_bytes(), kiosk::system_now(), None).unwrap().report
}

#[test]
fn a_rotated_key_signs_what_follows_and_the_whole_history_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let mut k = kiosk(dir.path(), None);
    let registered = k.public_key_hex();
    let old = KioskKey::load(&dir.path().join("kiosk.key")).unwrap();
    let admin = k.login("admin", "admin-secret").unwrap();
    let op = k.login("op", "operator-secret").unwrap();
    register(&mut k, &op, 0);

    // Only administrators rotate; a refused rotation writes nothing.
    let before = k.last_seq();
    assert_eq!(k.rotate_key(&op, None).unwrap_err().code(), "ADMIN_ONLY");
    assert_eq!(k.last_seq(), before);

    let receipt = k.rotate_key(&admin, None).unwrap();
    assert_eq!((receipt.seq, receipt.command.as_str()), (before + 1, "keyRotated"));
    assert_ne!(k.public_key_hex(), registered);
    let new_public = k.public_key_hex();
    assert_eq!(KioskKey::load(&dir.path().join("kiosk.key")).unwrap().public_hex(), new_public);
    assert!(!dir.path().join("kiosk.key.new").exists());
    let last = register(&mut k, &op, 1);
    assert!(k.verify().unwrap().ok);
    k.close();

    // Reopened: the log verifies from the registered key through the rotation.
    let mut k = Kiosk::open(dir.path()).unwrap();
    assert_eq!(k.public_key_hex(), new_public);
    assert!(k.verify().unwrap().ok);
    let op = k.login("op", "operator-secret").unwrap();
    let last = last.max(register(&mut k, &op, 2));

    // A center that knows only the registered key accepts everything.
    let report = ingest(&k, &registered);
    assert_eq!((report.accepted_through_seq, report.quarantined.len()), (last, 0), "{report:?}");

    // An entry after the rotation signed by the old key (a copy of the old key file) is refused.
    let entries = k.entries_after(0).unwrap();
    let tail = entries.last().unwrap();
    let body = EntryBody {
        version: FORMAT_VERSION,
        kiosk: "KOK-03".into(),
        seq: last + 1,
        prev_hash: tail.hash(),
        kiosk_time: tail.body().unwrap().kiosk_time,
        last_contact: None,
        operator: "admin".into(),
        payload: Payload::OperatorDisabled { login: "op".into() }.to_json(),
    };
    let mut forged = entries.clone();
    forged.push(SignedEntry::sign(&body, old.signing()));
    let dir2 = tempfile::tempdir().unwrap();
    Center::init(dir2.path(), None).unwrap();
    let mut c = Center::open(dir2.path()).unwrap();
    c.add_kiosk("KOK-03", "KOK", &registered, "2026-01-01T00:00:00+05:00".parse().unwrap()).unwrap();
    let bytes = Bundle { kiosk: "KOK-03".into(), entries: forged }.to_bytes();
    let report = c.ingest(&bytes, kiosk::system_now(), None).unwrap().report;
    assert_eq!(report.accepted_through_seq, last);
    // Not signed with the key the kiosk holds at that sequence: set aside without a note (a
    // key rotated away cannot leave notes, or forks, in the kiosk's name).
    assert!(report.quarantined.is_empty(), "{report:?}");
    assert_eq!(report.unattributed, 1);
}

#[test]
fn an_encrypted_key_rotates_only_with_its_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let mut k = kiosk(dir.path(), Some(PASS));
    let admin = k.login("admin", "admin-secret").unwrap();
    let before = k.last_seq();
    assert_eq!(k.rotate_key(&admin, None).unwrap_err().code(), "KEY_PASSPHRASE_REQUIRED");
    assert_eq!(k.rotate_key(&admin, Some("wrong")).unwrap_err().code(), "KEY_WRONG_PASSPHRASE");
    assert_eq!(k.last_seq(), before, "nothing written");
    k.rotate_key(&admin, Some(PASS)).unwrap();
    let public = k.public_key_hex();
    k.close();
    let key_file = dir.path().join("kiosk.key");
    assert!(std::fs::read_to_string(&key_file).unwrap().starts_with('{'));
    assert_eq!(mode(&key_file), 0o600);
    let k = Kiosk::open_with_passphrase(dir.path(), Some(PASS)).unwrap();
    assert_eq!(k.public_key_hex(), public);
    assert!(k.verify().unwrap().ok);
}

#[test]
fn an_interrupted_rotation_is_finished_or_undone_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("kiosk.key");
    let pending = dir.path().join("kiosk.key.new");
    let mut k = kiosk(dir.path(), None);
    let old_text = std::fs::read(&key_file).unwrap();
    let admin = k.login("admin", "admin-secret").unwrap();
    k.rotate_key(&admin, None).unwrap();
    let public = k.public_key_hex();
    k.close();

    // Crash after the entry, before the new key replaced the old one.
    std::fs::rename(&key_file, &pending).unwrap();
    std::fs::write(&key_file, &old_text).unwrap();
    let k = Kiosk::open(dir.path()).unwrap();
    assert_eq!(k.public_key_hex(), public);
    assert!(!pending.exists());
    k.close();
    assert_eq!(KioskKey::load(&key_file).unwrap().public_hex(), public);

    // Crash before the entry: a new key the log never named is removed.
    KioskKey::generate().unwrap().save(&pending).unwrap();
    let k = Kiosk::open(dir.path()).unwrap();
    assert_eq!(k.public_key_hex(), public);
    assert!(!pending.exists());
    k.close();

    // A key file that matches neither is refused.
    std::fs::write(&key_file, &old_text).unwrap();
    assert_eq!(Kiosk::open(dir.path()).unwrap_err().code(), "KEY_MISMATCH");
}

#[test]
fn rotate_key_on_the_command_line() {
    let f = common::Fixture::new();
    let before = f.json(&["status", "--format", "json"]).1;
    let mut c = f.cli_with_password(common::ADMIN_PASSWORD);
    c.args(["rotate-key", "--operator", "admin"]);
    let o = run(c, "");
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut c = f.cli_with_password(common::OPERATOR_PASSWORD);
    c.args(["rotate-key", "--operator", "op"]);
    let o = run(c, "");
    assert_ne!(code(&o), 0);
    assert!(stderr(&o).contains("ADMIN_ONLY"), "{}", stderr(&o));
    let after = f.json(&["status", "--format", "json"]).1;
    assert_ne!(before["fingerprint"], after["fingerprint"], "{before} {after}");
    let (rc, verify) = f.json(&["verify", "--format", "json"]);
    assert_eq!((rc, &verify["ok"]), (0, &serde_json::Value::Bool(true)), "{verify}");
}
