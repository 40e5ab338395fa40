//! Forged center documents at the kiosk: acks and snapshots that are not the center's, or
//! not for this kiosk, or that do not match its log, are refused (`import-ack`,
//! `import-snapshot` and the `push` module the GUI uses) and change nothing. The genuine
//! documents come from a real `center::Center` that ingested this kiosk's log.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::path::Path;

use center::Center;
use changelog::sync::Ack;
use changelog::{KioskKey, SignedDocument};
use common::*;
use kiosk::{Kiosk, push};
use rules::{Instant, Localized};

fn now() -> Instant {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    at(&chrono::DateTime::from_timestamp(i64::try_from(secs).unwrap(), 0).unwrap().to_rfc3339())
}

/// Everything the kiosk keeps from the center, for "nothing changed" checks.
fn kept(kiosk: &Kiosk) -> String {
    let snapshot = kiosk.snapshot().unwrap().map(|(_, bytes)| bytes);
    format!("{:?} {:?}", kiosk.sync_state(), snapshot)
}

fn flip(bytes: &[u8], at: usize) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[at] ^= 0x04;
    out
}

struct Setup {
    fixture: Fixture,
    center_dir: tempfile::TempDir,
    center: Center,
    /// The center's signing key, as an attacker who stole it would not have it: used only to
    /// sign documents that are genuine in origin but wrong in content.
    center_key: KioskKey,
}

/// A kiosk with three registrations, and a center that registered it and ingested its log.
fn setup() -> Setup {
    let fixture = Fixture::new();
    let mut k = Kiosk::open(&fixture.data()).unwrap();
    let op = k.login("op", OPERATOR_PASSWORD).unwrap();
    for (n, child) in children(3, 700).iter().enumerate() {
        let command =
            rules::Command::Register { application: kiosk::testkit::application("KOK", &child.0, child.1, n) };
        k.execute(&op, command).unwrap();
    }
    let center_dir = tempfile::tempdir().unwrap();
    Center::init(center_dir.path(), None).unwrap();
    let mut center = Center::open(center_dir.path()).unwrap();
    let id = k.identity().kiosk_id.clone();
    center.add_kiosk(&id, "KOK", &k.identity().public_key, at("2020-01-01T00:00:00+05:00")).unwrap();
    center
        .add_kiosk("KOK-99", "KOK", &KioskKey::generate().unwrap().public_hex(), at("2020-01-01T00:00:00+05:00"))
        .unwrap();
    let center_key = KioskKey::load(&center_dir.path().join("center.key")).unwrap();
    push::set_center(&k, None, Some(&center_key.public_hex())).unwrap();
    let (bundle, _) = k.pending_bundle().unwrap();
    center.ingest(&bundle.to_bytes(), now(), Some(&id)).unwrap();
    Setup { fixture, center_dir, center, center_key }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn forged_or_foreign_acks_are_refused_and_change_nothing() {
    let s = setup();
    let dir = s.fixture.dir.path();
    let mut k = Kiosk::open(&s.fixture.data()).unwrap();
    let id = k.identity().kiosk_id.clone();
    let now = now();
    let (genuine, genuine_bytes) = s.center.ack(&id, now).unwrap();
    assert_eq!(genuine.accepted_through_seq, k.last_seq());
    let attacker = KioskKey::generate().unwrap();
    let sign = |ack: &Ack, key: &KioskKey| SignedDocument::sign(ack, key.signing()).to_bytes();
    let other_head = Ack { head_hash: "ab".repeat(32), ..genuine.clone() };
    let beyond = Ack { accepted_through_seq: k.last_seq() + 5, ..genuine.clone() };
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("signed by another key", sign(&genuine, &attacker), "BAD_ACK"),
        ("one bit flipped", flip(&genuine_bytes, genuine_bytes.len() / 2), "BAD_ACK"),
        ("signature bit flipped", flip(&genuine_bytes, genuine_bytes.len() - 3), "BAD_ACK"),
        ("not a document", b"{\"accepted\":99}".to_vec(), "BAD_ACK"),
        ("another kiosk's ack", s.center.ack("KOK-99", now).unwrap().1, "WRONG_KIOSK"),
        ("a head that is not this kiosk's entry (fork)", sign(&other_head, &s.center_key), "FORK"),
        ("beyond the kiosk's log", sign(&beyond, &s.center_key), "ACK_BEYOND_LOG"),
    ];
    let before = kept(&k);
    assert_eq!(k.sync_state().acknowledged_seq, 0);
    for (what, bytes, code) in &cases {
        let path = write(dir, "ack.bin", bytes);
        let err = push::import_ack(&mut k, &path).unwrap_err();
        assert_eq!(err.code(), *code, "{what}: {err}");
        assert_eq!(kept(&k), before, "{what}: nothing changed");
    }
    // The command line says the same, with a typed error and exit code.
    drop(k);
    let path = write(dir, "ack.bin", &cases[0].1);
    let o = run(s.fixture.cli().args(["import-ack", path.to_str().unwrap()]), "");
    assert_ne!(code(&o), 0);
    assert!(stderr(&o).contains("BAD_ACK"), "{}", stderr(&o));
    let mut k = Kiosk::open(&s.fixture.data()).unwrap();
    assert_eq!(kept(&k), before, "nothing changed after a restart either");

    // The genuine ack is accepted.
    let path = write(dir, "ack.bin", &genuine_bytes);
    let imported = push::import_ack(&mut k, &path).unwrap();
    assert_eq!(imported.accepted_through_seq, genuine.accepted_through_seq);
    assert_eq!(k.sync_state().acknowledged_seq, genuine.accepted_through_seq);
    drop(s.center_dir);
}

#[test]
fn forged_or_foreign_snapshots_are_refused_and_change_nothing() {
    let s = setup();
    let dir = s.fixture.dir.path();
    let mut k = Kiosk::open(&s.fixture.data()).unwrap();
    let now = now();
    let (genuine, genuine_bytes) = s.center.snapshot("KOK", now).unwrap();
    assert_eq!(genuine.applications.len(), 3);
    // Keep a genuine older snapshot first: a forged one must not replace it.
    let older = s.center.snapshot("KOK", at("2026-01-01T00:00:00+05:00")).unwrap().1;
    push::import_snapshot(&mut k, &write(dir, "old.bin", &older)).unwrap();
    let attacker = KioskKey::generate().unwrap();
    let mut emptied = genuine.clone();
    emptied.applications.clear();
    emptied.positions.clear();
    let cases: Vec<(&str, Vec<u8>, &[&str])> = vec![
        ("signed by another key", SignedDocument::sign(&genuine, attacker.signing()).to_bytes(), &["BAD_SNAPSHOT"]),
        (
            "emptied, signed by another key",
            SignedDocument::sign(&emptied, attacker.signing()).to_bytes(),
            &["BAD_SNAPSHOT"],
        ),
        ("one bit flipped", flip(&genuine_bytes, genuine_bytes.len() / 3), &["BAD_SNAPSHOT"]),
        ("truncated", genuine_bytes[..genuine_bytes.len() / 2].to_vec(), &["BAD_SNAPSHOT"]),
        ("another district's", s.center.snapshot("AKK", now).unwrap().1, &["WRONG_KIOSK", "WRONG_DISTRICT"]),
    ];
    let before = kept(&k);
    for (what, bytes, codes) in &cases {
        let path = write(dir, "snapshot.bin", bytes);
        let err = push::import_snapshot(&mut k, &path).unwrap_err();
        assert!(codes.contains(&err.code()), "{what}: {} {err}", err.code());
        assert_eq!(kept(&k), before, "{what}: nothing changed");
    }
    drop(k);
    let path = write(dir, "snapshot.bin", &cases[0].1);
    let o = run(s.fixture.cli().args(["import-snapshot", path.to_str().unwrap()]), "");
    assert_ne!(code(&o), 0);
    assert!(stderr(&o).contains("BAD_SNAPSHOT"), "{}", stderr(&o));
    let mut k = Kiosk::open(&s.fixture.data()).unwrap();
    assert_eq!(kept(&k), before);
    assert_eq!(push::kept_snapshot(&k).unwrap().unwrap().generated_at, at("2026-01-01T00:00:00+05:00"));

    let imported = push::import_snapshot(&mut k, &write(dir, "snapshot.bin", &genuine_bytes)).unwrap();
    assert_eq!(imported.applications, 3);
    assert_eq!(push::kept_snapshot(&k).unwrap().unwrap().generated_at, genuine.generated_at);
}
