//! The PostgreSQL store against a real, throw-away PostgreSQL 15 started by the test:
//! the same scenario on both stores gives byte-identical acks and snapshots; the accepted
//! log cannot be rewritten; a server killed during an ingest loses nothing acknowledged and
//! applies nothing twice.
#![allow(clippy::unwrap_used)]

mod common;

use center::Center;
use changelog::sync::open_ack;
use common::*;
use rules::{Action, RightClass};

/// The same uploads, rounds and decisions on `center`; the ack of K1 and KOK's snapshot.
fn scenario(center: &mut Center) -> (Vec<u8>, Vec<u8>) {
    let mut kiosk = TestKiosk::new("K1");
    kiosk.key = changelog::KioskKey::from_secret([7; 32]);
    let mut kiosk = kiosk.with_staff("2026-03-10T09:00:00+05:00");
    for i in 0..5 {
        kiosk.register_child(
            "2026-03-10T10:00:00+05:00",
            application(&format!("K1-A{i}"), &child_iin("2023-05-05", i), "2023-05-05", RightClass::None),
        );
    }
    kiosk.add_places("2026-03-10T11:00:00+05:00", "K1-P1", 2023, 2);
    kiosk.register(center);
    center.ingest(&kiosk.bundle(1, 4), at("2026-03-10T12:00:00+05:00"), None).unwrap();
    center.ingest(&kiosk.all(), at("2026-03-10T12:01:00+05:00"), None).unwrap();
    center.distribute("KOK", at("2026-03-10T18:00:00+05:00")).unwrap();
    kiosk.last_contact = Some("2026-03-10T18:00:00+05:00".into());
    kiosk.act("2026-03-11T10:00:00+05:00", "op", "K1-A0", Action::ConfirmVoucher);
    kiosk.act("2026-03-11T10:05:00+05:00", "op", "K1-NOPE", Action::Withdraw);
    center.ingest(&kiosk.all(), at("2026-03-11T12:00:00+05:00"), None).unwrap();
    center.tick(at("2026-03-14T00:01:00+05:00")).unwrap();
    let (_, ack) = center.ack("K1", at("2026-03-14T09:00:00+05:00")).unwrap();
    let (_, snapshot) = center.snapshot("KOK", at("2026-03-14T09:00:00+05:00")).unwrap();
    (ack, snapshot)
}

fn center_on(cluster: &pg::Cluster) -> (tempfile::TempDir, String, Center) {
    let dir = tempfile::tempdir().unwrap();
    Center::init(dir.path(), None).unwrap();
    let url = cluster.database();
    std::fs::write(dir.path().join(center::STORE_FILE), &url).unwrap();
    let center = Center::open(dir.path()).unwrap();
    (dir, url, center)
}

/// Both centers with the same key, so that their signed documents can be compared.
fn same_key(from: &std::path::Path, to: &std::path::Path) {
    for file in ["center.key", "center.pub"] {
        std::fs::copy(from.join(file), to.join(file)).unwrap();
    }
}

#[test]
fn both_stores_give_byte_identical_acks_and_snapshots_and_the_log_is_append_only() {
    let (embedded_dir, mut embedded) = {
        let dir = tempfile::tempdir().unwrap();
        Center::init(dir.path(), None).unwrap();
        let c = Center::open_at(dir.path(), None, None).unwrap();
        (dir, c)
    };
    let (pg_dir, url, pg_center) = center_on(pg::cluster());
    drop(pg_center);
    same_key(embedded_dir.path(), pg_dir.path());
    let mut on_pg = Center::open(pg_dir.path()).unwrap();
    assert_eq!(embedded.public_key(), on_pg.public_key());
    let expected = scenario(&mut embedded);
    assert_eq!(scenario(&mut on_pg), expected);
    assert!(on_pg.review_items().iter().any(|i| i.code == "UNKNOWN_APPLICATION"));
    // After a restart, rebuilt from PostgreSQL alone.
    drop(on_pg);
    let reopened = Center::open(pg_dir.path()).unwrap();
    assert_eq!(reopened.ack("K1", at("2026-03-14T09:00:00+05:00")).unwrap().1, expected.0);
    assert_eq!(reopened.snapshot("KOK", at("2026-03-14T09:00:00+05:00")).unwrap().1, expected.1);

    // Nobody rewrites the accepted log, whatever their role.
    let mut sql = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    for statement in
        ["UPDATE accepted_log SET record = '\\x00'", "DELETE FROM accepted_log WHERE seq = 1", "TRUNCATE accepted_log"]
    {
        let err = sql.batch_execute(statement).unwrap_err();
        assert!(
            err.to_string().contains("append-only") || format!("{err:?}").contains("append-only"),
            "{statement}: {err:?}"
        );
    }
    let count: i64 = sql.query_one("SELECT count(*) FROM accepted_log", &[]).unwrap().get(0);
    assert!(count > 10);
    // An entry cannot be stored twice.
    let dup = sql.batch_execute("INSERT INTO accepted_log (source, seq, entry_hash, record) SELECT source, seq, entry_hash, record FROM accepted_log LIMIT 1");
    assert!(dup.is_err());
}

#[test]
fn postgres_killed_during_an_ingest_loses_nothing_acknowledged_and_applies_nothing_twice() {
    let cluster = pg::Cluster::start();
    let (dir, _url, mut center) = center_on(&cluster);
    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    for i in 0..3 {
        kiosk.register_child(
            "2026-03-10T10:00:00+05:00",
            application(&format!("K1-A{i}"), &child_iin("2023-05-05", i), "2023-05-05", RightClass::None),
        );
    }
    kiosk.register(&mut center);
    let first = center.ingest(&kiosk.bundle(1, 3), at("2026-03-10T12:00:00+05:00"), None).unwrap();
    assert_eq!(first.report.accepted_through_seq, 3);

    // The database dies; the next upload is refused, and no ack is made for it.
    cluster.kill();
    let refused = center.ingest(&kiosk.all(), at("2026-03-10T12:05:00+05:00"), None);
    assert!(refused.is_err(), "no ack without a commit");

    // Back up: the same center process reconnects and goes on from what PostgreSQL
    // committed; the kiosk's retry completes.
    cluster.restart();
    let (ack, _) = center.ack("K1", at("2026-03-10T12:06:00+05:00")).unwrap();
    assert_eq!(ack.accepted_through_seq, 3, "the acknowledged entries survived");
    let retry = center.ingest(&kiosk.all(), at("2026-03-10T12:10:00+05:00"), None).unwrap();
    assert_eq!((retry.report.accepted, retry.report.duplicates), (2, 3));
    let again = center.ingest(&kiosk.all(), at("2026-03-10T12:11:00+05:00"), None).unwrap();
    assert_eq!((again.report.accepted, again.report.duplicates), (0, 5));
    assert_eq!(center.state().applications().count(), 3);
    let ack = open_ack(&again.ack_bytes, &center.public_key()).unwrap();
    assert_eq!(ack.accepted_through_seq, 5);
    // A fresh start from PostgreSQL alone agrees.
    drop(center);
    let reopened = Center::open(dir.path()).unwrap();
    assert_eq!(reopened.ack("K1", at("2026-03-10T12:12:00+05:00")).unwrap().0.accepted_through_seq, 5);
    assert_eq!(reopened.state().applications().count(), 3);
}

#[test]
fn migration_copies_and_re_verifies_every_entry_and_both_stores_then_agree() {
    let dir = tempfile::tempdir().unwrap();
    Center::init(dir.path(), None).unwrap();
    let mut embedded = Center::open_at(dir.path(), None, None).unwrap();
    let expected = scenario(&mut embedded);
    embedded
        .add_user(
            center::CENTER_ID,
            center::NewUser {
                login: "admin".into(),
                name: "Админ".into(),
                role: rules::authz::staff::StaffRole::Admin,
                districts: vec![],
                password: "admin-pass-1".into(),
            },
            at("2026-03-14T09:00:00+05:00"),
        )
        .unwrap();
    drop(embedded);

    let url = pg::cluster().database();
    let report = center::migrate::migrate(dir.path(), &url).unwrap();
    assert!(report.entries > 10 && report.kiosks == 1 && report.accounts == 1, "{report:?}");
    // Twice is refused: the database is not empty.
    assert!(center::migrate::migrate(dir.path(), &url).is_err());
    std::fs::write(dir.path().join(center::STORE_FILE), &url).unwrap();
    let on_pg = Center::open(dir.path()).unwrap();
    assert_eq!(on_pg.ack("K1", at("2026-03-14T09:00:00+05:00")).unwrap().1, expected.0);
    assert_eq!(on_pg.snapshot("KOK", at("2026-03-14T09:00:00+05:00")).unwrap().1, expected.1);
    assert!(on_pg.check_password("admin", "admin-pass-1").is_ok());
}

#[test]
fn migration_refuses_a_store_with_an_altered_entry() {
    let dir = tempfile::tempdir().unwrap();
    Center::init(dir.path(), None).unwrap();
    let mut embedded = Center::open_at(dir.path(), None, None).unwrap();
    scenario(&mut embedded);
    drop(embedded);
    // Someone with the machine changes a child's name in the stored log (CRC fixed up, so
    // the embedded store itself opens it): the signature check of the migration catches it.
    let log = dir.path().join("db/accepted.log");
    let mut bytes = std::fs::read(&log).unwrap();
    let needle = "Ахметов Ерлан".as_bytes();
    let at_name = bytes.windows(needle.len()).position(|w| w == needle).unwrap();
    bytes[at_name] ^= 0x01;
    // Recompute the CRC of the record holding it (u32 length | u32 CRC | payload).
    let mut offset = 0usize;
    loop {
        let len = u32::from_le_bytes(bytes[offset..offset + 4].try_into().unwrap()) as usize;
        if at_name < offset + 8 + len {
            let crc = crc32fast::hash(&bytes[offset + 8..offset + 8 + len]);
            bytes[offset + 4..offset + 8].copy_from_slice(&crc.to_le_bytes());
            break;
        }
        offset += 8 + len;
    }
    std::fs::write(&log, &bytes).unwrap();
    let url = pg::cluster().database();
    let err = center::migrate::migrate(dir.path(), &url).unwrap_err();
    assert!(err.to_string().contains("signature does not verify"), "{err}");
}

#[test]
fn the_command_line_runs_a_center_on_postgres_and_migrates_a_folder_to_it() {
    use common::proc::cli;
    let root = tempfile::tempdir().unwrap();
    // A new center whose store is a database.
    let data = root.path().join("on-pg");
    let url = pg::cluster().database();
    let out = cli(&data, &["init", "--store", &url], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    let key = kiosk.key.public_hex();
    let out = cli(&data, &["kiosk", "add", "--id", "K1", "--district", "KOK", "--pubkey", &key], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut sql = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let kiosks: i64 = sql.query_one("SELECT count(*) FROM kiosks", &[]).unwrap().get(0);
    assert_eq!(kiosks, 1, "the registry is in the database");
    // A wrong URL is a typed error, before anything is written.
    let bad = cli(&root.path().join("bad"), &["init", "--store", "postgresql://kezek@127.0.0.1:1/none"], &[]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("\"code\""), "{}", String::from_utf8_lossy(&bad.stderr));

    // A folder on the embedded store, migrated.
    let folder = root.path().join("embedded");
    let out = cli(&folder, &["init"], &[]);
    assert!(out.status.success());
    let out = cli(&folder, &["kiosk", "add", "--id", "K1", "--district", "KOK", "--pubkey", &key], &[]);
    assert!(out.status.success());
    let bundle = root.path().join("k1.bundle");
    std::fs::write(&bundle, kiosk.all()).unwrap();
    let out = cli(&folder, &["ingest", bundle.to_str().unwrap(), "--at", "2026-03-10T12:00:00+05:00"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let target = pg::cluster().database();
    let out = cli(&folder, &["migrate", "--to", &target], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["entries"].as_u64().unwrap() >= 3, "{report}");
    let again = cli(&folder, &["migrate", "--to", &target], &[]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("ALREADY_MIGRATED"));
    // The folder now reads the database.
    let out = cli(&folder, &["kiosk", "list"], &[]);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["acceptedThroughSeq"], 2, "{list}");
}
