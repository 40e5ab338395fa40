//! The PostgreSQL store against a real, throw-away PostgreSQL 15 started by the test:
//! the same scenario on both stores gives byte-identical acks and snapshots; the accepted
//! log cannot be rewritten (the server's role has no right to, the owner meets a trigger);
//! a server killed during an ingest loses nothing acknowledged and applies nothing twice.
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
    let url = cluster.store();
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

    // The owner of the schema meets the append-only trigger (the server's role has no
    // right to try: the_servers_role_cannot_rewrite_the_accepted_log_and_the_server_still_works).
    let owner = url.replacen("kezek_server@", "kezek@", 1);
    let mut sql = postgres::Client::connect(&owner, postgres::NoTls).unwrap();
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
    kiosk.register_children("2026-03-10T10:00:00+05:00", "K1-A", "2023-05-05", 0..3);
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

    let owner = pg::cluster().database();
    let url = pg::Cluster::as_server(&owner);
    let report = center::migrate::migrate(dir.path(), &url, Some(&owner)).unwrap();
    assert!(report.entries > 10 && report.kiosks == 1 && report.accounts == 1, "{report:?}");
    // Twice is refused: the database is not empty.
    assert!(center::migrate::migrate(dir.path(), &url, None).is_err());
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
    let url = pg::cluster().store();
    let err = center::migrate::migrate(dir.path(), &url, None).unwrap_err();
    assert!(err.to_string().contains("signature does not verify"), "{err}");
}

#[test]
fn the_command_line_runs_a_center_on_postgres_and_migrates_a_folder_to_it() {
    use common::proc::cli;
    let root = tempfile::tempdir().unwrap();
    // A new center whose store is a database.
    let data = root.path().join("on-pg");
    let owner = pg::cluster().database();
    let url = pg::Cluster::as_server(&owner);
    let out = cli(&data, &["init", "--store", &url, "--store-owner", &owner], &[]);
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
    let target_owner = pg::cluster().database();
    let target = pg::Cluster::as_server(&target_owner);
    let out = cli(&folder, &["migrate", "--to", &target, "--store-owner", &target_owner], &[]);
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

#[test]
fn a_database_set_up_by_an_older_version_is_refused_until_upgrade_store_adds_what_is_missing() {
    use common::proc::cli;
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("center");
    let owner = pg::cluster().database();
    let url = pg::Cluster::as_server(&owner);
    let out = cli(&data, &["init", "--store", &url, "--store-owner", &owner], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = changelog::KioskKey::generate().unwrap().public_hex();
    let out = cli(&data, &["kiosk", "add", "--id", "K1", "--district", "KOK", "--pubkey", &key], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The schema as a version before the shared sign-in throttle left it.
    let mut sql = postgres::Client::connect(&owner, postgres::NoTls).unwrap();
    sql.batch_execute(
        "DROP TABLE staff_signin_logins; DROP TABLE staff_signin_addresses; \
         ALTER TABLE parent_codes DROP COLUMN keep_until; ALTER TABLE parent_code_addresses DROP COLUMN keep_until",
    )
    .unwrap();
    let refused = cli(&data, &["kiosk", "list"], &[]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(error_code(&stderr), "STORE_NOT_SET_UP");
    assert!(stderr.contains("staff_signin_logins"), "names the missing table: {stderr}");
    // Only the owner may add tables: the server's own URL is refused, nothing changes.
    let as_server = cli(&data, &["upgrade-store", "--store-owner", &url], &[]);
    assert!(!as_server.status.success());
    // The owner brings it up to date; the registry is untouched.
    let out = cli(&data, &["upgrade-store", "--store-owner", &owner], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = cli(&data, &["kiosk", "list"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list[0]["id"], "K1", "{list}");
    let columns = sql
        .query(
            "SELECT table_name::text FROM information_schema.columns WHERE column_name = 'keep_until' \
             ORDER BY table_name",
            &[],
        )
        .unwrap();
    let tables: Vec<String> = columns.iter().map(|row| row.get(0)).collect();
    assert_eq!(tables, ["parent_code_addresses", "parent_codes"], "the columns of a later version were added");
    // Run again, it changes nothing; on a folder with its own store it says so.
    assert!(cli(&data, &["upgrade-store", "--store-owner", &owner], &[]).status.success());
    let own = root.path().join("own");
    assert!(cli(&own, &["init"], &[]).status.success());
    let out = cli(&own, &["upgrade-store", "--store-owner", &owner], &[]);
    assert_eq!(error_code(&String::from_utf8_lossy(&out.stderr)), "NOT_ON_A_DATABASE");
}

/// The SQL error's code (`42501`: insufficient privilege, also "must be owner").
fn sql_state(err: &postgres::Error) -> String {
    err.code().map_or_else(|| format!("{err}"), |c| c.code().to_owned())
}

/// The `code` of the JSON error a command or a server start printed.
fn error_code(stderr: &str) -> String {
    let line =
        stderr.lines().find(|l| l.starts_with("{\"error\"")).unwrap_or_else(|| panic!("no JSON error: {stderr}"));
    let value: serde_json::Value = serde_json::from_str(line).unwrap();
    value["error"]["code"].as_str().unwrap().to_owned()
}

#[test]
fn the_servers_role_cannot_rewrite_the_accepted_log_and_the_server_still_works() {
    use common::proc::{Server, cli};
    let root = tempfile::tempdir().unwrap();
    let owner = pg::cluster().database();
    let url = pg::Cluster::as_server(&owner);
    // Without the owner's set-up, the server's role finds no schema (and cannot make one).
    let bare = cli(&root.path().join("bare"), &["init", "--store", &url], &[]);
    assert_eq!(error_code(&String::from_utf8_lossy(&bare.stderr)), "STORE_NOT_SET_UP");
    let same = cli(&root.path().join("same"), &["init", "--store", &url, "--store-owner", &url], &[]);
    assert_eq!(error_code(&String::from_utf8_lossy(&same.stderr)), "STORE_SAME_ROLE");
    // The owner sets the schema up and grants the server's role what it needs.
    let data = root.path().join("center");
    let out = cli(&data, &["init", "--store", &url, "--store-owner", &owner], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    kiosk.register_children("2026-03-10T10:00:00+05:00", "K1-A", "2023-05-05", 0..3);
    let key = kiosk.key.public_hex();
    let out =
        cli(&data, &["kiosk", "add", "--id", "K1", "--district", "KOK", "--pubkey", &key, "--at", REGISTERED], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let server = Server::start(&data, &[]);
    let center_key =
        changelog::public_key_from_hex(std::fs::read_to_string(data.join("center.pub")).unwrap().trim()).unwrap();
    let ack = center::push(&server.url, &kiosk.signer(), &kiosk.bundle(1, 3)).unwrap();
    assert_eq!(open_ack(&ack, &center_key).unwrap().accepted_through_seq, 3);

    // As the server's role: reading and appending only. Nothing rewrites, empties, unprotects
    // or drops the log, nor gives itself the right to.
    let mut sql = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let count =
        |sql: &mut postgres::Client| -> i64 { sql.query_one("SELECT count(*) FROM accepted_log", &[]).unwrap().get(0) };
    let before = count(&mut sql);
    let k1: i64 = sql.query_one("SELECT count(*) FROM accepted_log WHERE source = 'K1'", &[]).unwrap().get(0);
    assert_eq!(k1, 3, "the first three entries");
    for statement in [
        "UPDATE accepted_log SET record = '\\x00'",
        "UPDATE accepted_log SET seq = seq + 100 WHERE source = 'K1'",
        "DELETE FROM accepted_log WHERE seq = 1",
        "DELETE FROM accepted_log",
        "TRUNCATE accepted_log",
        "ALTER TABLE accepted_log DISABLE TRIGGER accepted_log_append_only",
        "ALTER TABLE accepted_log DISABLE TRIGGER ALL",
        "ALTER TABLE accepted_log DISABLE TRIGGER USER",
        "DROP TRIGGER accepted_log_append_only ON accepted_log",
        "DROP TABLE accepted_log",
        "ALTER TABLE accepted_log RENAME TO old_log",
        "ALTER TABLE accepted_log OWNER TO kezek_server",
        "CREATE OR REPLACE FUNCTION kezek_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
        "CREATE TABLE accepted_log_copy (x int)",
    ] {
        let err = sql.batch_execute(statement).expect_err(statement);
        assert_eq!(sql_state(&err), "42501", "{statement}: {err:?}");
    }
    // A grant by a role without the grant option is a warning that grants nothing.
    sql.batch_execute("GRANT UPDATE, DELETE, TRUNCATE, TRIGGER ON accepted_log TO kezek_server").unwrap();
    let may: bool = sql
        .query_one(
            "SELECT has_any_column_privilege('accepted_log', 'UPDATE') OR has_table_privilege('accepted_log', 'DELETE') \
             OR has_table_privilege('accepted_log', 'TRUNCATE') OR has_table_privilege('accepted_log', 'TRIGGER')",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(!may, "the server's role gave itself nothing");
    assert_eq!(count(&mut sql), before, "nothing changed");
    let triggers: i64 = sql
        .query_one(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'accepted_log'::regclass AND tgenabled = 'O' AND NOT tgisinternal",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(triggers, 2, "both append-only triggers are in place and enabled");

    // The server still works: the rest of the kiosk's log, a restart, the same head.
    kiosk.act("2026-03-10T11:00:00+05:00", "op", "K1-A0", Action::Withdraw);
    let ack = center::push(&server.url, &kiosk.signer(), &kiosk.all()).unwrap();
    assert_eq!(open_ack(&ack, &center_key).unwrap().accepted_through_seq, 6);
    drop(server);
    let server = Server::start(&data, &[]);
    let ack = center::push(&server.url, &kiosk.signer(), &kiosk.all()).unwrap();
    assert_eq!(open_ack(&ack, &center_key).unwrap().accepted_through_seq, 6);
    drop(server);
    assert_eq!(count(&mut sql), before + 3);

    // The server refuses to run as a role that could rewrite the log: the owner (here also
    // a superuser), or its own role once someone grants it UPDATE; set-up again revokes that.
    std::fs::write(data.join(center::STORE_FILE), &owner).unwrap();
    let refused = Server::try_start(&data, &[]).map(|_| ()).unwrap_err();
    assert_eq!(error_code(&refused), "STORE_ROLE_CAN_REWRITE", "{refused}");
    assert!(refused.contains("superuser") && refused.contains("owner of accepted_log"), "{refused}");
    std::fs::write(data.join(center::STORE_FILE), &url).unwrap();
    let mut as_owner = postgres::Client::connect(&owner, postgres::NoTls).unwrap();
    as_owner.batch_execute("GRANT UPDATE (record) ON accepted_log TO kezek_server").unwrap();
    let refused = Server::try_start(&data, &[]).map(|_| ()).unwrap_err();
    assert_eq!(error_code(&refused), "STORE_ROLE_CAN_REWRITE", "{refused}");
    assert!(refused.contains("granted UPDATE"), "{refused}");
    as_owner.batch_execute("REVOKE UPDATE (record) ON accepted_log FROM kezek_server").unwrap();
    as_owner.batch_execute("GRANT DELETE, TRUNCATE ON accepted_log TO kezek_server").unwrap();
    let again = cli(&root.path().join("again"), &["init", "--store", &url, "--store-owner", &owner], &[]);
    assert!(again.status.success(), "set-up again: {}", String::from_utf8_lossy(&again.stderr));
    let server = Server::start(&data, &[]);
    let ack = center::push(&server.url, &kiosk.signer(), &kiosk.all()).unwrap();
    assert_eq!(open_ack(&ack, &center_key).unwrap().accepted_through_seq, 6);
    assert_eq!(sql_state(&sql.batch_execute("TRUNCATE accepted_log").unwrap_err()), "42501");
}

/// `(seq, entry hash)` of `kiosk`'s rows in `accepted_log`, in acceptance order.
fn stored_rows(sql: &mut postgres::Client, kiosk: &str) -> Vec<(u64, Vec<u8>)> {
    sql.query("SELECT seq, entry_hash FROM accepted_log WHERE source = $1 ORDER BY pos", &[&kiosk])
        .unwrap()
        .iter()
        .map(|r| (u64::try_from(r.get::<_, i64>(0)).unwrap(), r.get(1)))
        .collect()
}

/// The kiosk's stored rows are exactly its entries 1..=head, each once; returns head.
fn stored_head(url: &str, kiosk: &TestKiosk, what: &str) -> u64 {
    let mut sql = postgres::Client::connect(url, postgres::NoTls).unwrap();
    let rows = stored_rows(&mut sql, &kiosk.id);
    let expected: Vec<(u64, Vec<u8>)> =
        kiosk.entries.iter().take(rows.len()).zip(1..).map(|(e, seq)| (seq, e.hash().to_vec())).collect();
    assert_eq!(rows, expected, "{what}: each entry once, in order, the kiosk's own");
    rows.len() as u64
}

/// SIGKILL to PostgreSQL (the postmaster and every backend) at random moments while a real
/// `kezek-center serve` ingests small uploads of one kiosk. After each restart of
/// PostgreSQL: every acknowledged entry is in `accepted_log`, each once; the same server
/// (which reconnects) then takes the kiosk's retry. At the end the state is a clean run's.
/// `KEZEK_PG_KILL_RUNS` sets the number of kills (12 by default), `KEZEK_CRASH_SEED` the seed.
#[test]
fn postgres_killed_during_pushes_to_a_real_server_loses_no_acknowledged_entry() {
    use center::client::{PushOptions, push_with};
    use common::proc::{Rng, Server, cli, env_count};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    let runs = env_count("KEZEK_PG_KILL_RUNS", 12);
    let mut rng = Rng::seeded("KEZEK_CRASH_SEED", 0x5eed_0f9a);
    let per_run = 12u32;
    let cluster = pg::Cluster::start();
    let owner = cluster.database();
    let url = pg::Cluster::as_server(&owner);
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("center");
    let out = cli(&data, &["init", "--store", &url, "--store-owner", &owner], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let kiosk = kiosk_with_registrations("K1", per_run * u32::try_from(runs).unwrap(), 1000);
    let total = kiosk.entries.len() as u64;
    let pubkey = kiosk.key.public_hex();
    let out = cli(
        &data,
        &["kiosk", "add", "--id", "K1", "--district", DISTRICT, "--pubkey", &pubkey, "--at", REGISTERED],
        &[],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let key = changelog::public_key_from_hex(std::fs::read_to_string(data.join("center.pub")).unwrap().trim()).unwrap();
    let quick = |attempts: u32| PushOptions {
        attempts,
        initial_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(500),
        timeout: Duration::from_secs(20),
    };
    // One server for the whole test: it lives through every crash of its database.
    let server = Server::start(&data, &[]);
    let mut acked = 0u64;
    let (mut killed_mid_push, mut acked_some, mut refused) = (0, 0, 0);
    for run in 0..runs {
        let until = (u64::try_from(run + 1).unwrap() * u64::from(per_run) + 3).min(total);
        let chunks = small_uploads(acked + 1, until);
        // (highest verified ack, errors) as the uploader saw them.
        let pushed = Arc::new(Mutex::new((acked, Vec::<String>::new())));
        let uploader = {
            let (server_url, pushed) = (server.url.clone(), Arc::clone(&pushed));
            let bundles: Vec<Vec<u8>> = chunks.iter().map(|(f, t)| kiosk.bundle(*f, *t)).collect();
            let (signer, options) = (kiosk.signer(), quick(3));
            std::thread::spawn(move || {
                for bundle in bundles {
                    match push_with(&server_url, &signer, &bundle, &options) {
                        Ok(bytes) => {
                            let ack = open_ack(&bytes, &key).expect("a genuine ack");
                            let mut p = pushed.lock().unwrap();
                            p.0 = p.0.max(ack.accepted_through_seq);
                        }
                        Err(e) => {
                            pushed.lock().unwrap().1.push(format!("{e:?}"));
                            return;
                        }
                    }
                }
            })
        };
        let t0 = std::time::Instant::now();
        // A run's uploads take 100-200 ms (the first request after a restart fails on the
        // server's stale connection and is retried): kills within 250 ms land both mid-push
        // and after the last ack.
        std::thread::sleep(Duration::from_micros(rng.below(250_000)));
        cluster.kill();
        let t1 = t0.elapsed();
        uploader.join().unwrap();
        let (got, errors) = pushed.lock().unwrap().clone();
        if got < until {
            killed_mid_push += 1;
        }
        if got > acked {
            acked_some += 1;
        }
        for e in &errors {
            // What did not commit gets no ack, and the kiosk is told to try again (5xx or no
            // answer), never refused (a 401 here once: the nonce could not be checked).
            assert!(e.starts_with("Unreachable"), "run {run}: {e}");
            refused += 1;
        }
        cluster.restart();
        let t3 = t0.elapsed();
        let head = stored_head(&url, &kiosk, &format!("run {run}"));
        eprintln!("run {run}: killed at {t1:?}, back at {t3:?}; acked {got}, stored {head}, {} refused", errors.len());
        assert!(head >= got, "run {run}: acknowledged {got}, only {head} in accepted_log after the restart");
        // The kiosk learns the head from its next ack, as after a lost answer.
        acked = head;
    }
    // The same server takes the retries: the rest, then the whole log again (all duplicates).
    for (from, attempts) in [(acked + 1, 8), (1, 3)] {
        if from > total {
            continue;
        }
        let bytes = push_with(&server.url, &kiosk.signer(), &kiosk.bundle(from, total), &quick(attempts))
            .unwrap_or_else(|e| panic!("the retry from {from} after the restarts: {e:?}"));
        assert_eq!(open_ack(&bytes, &key).unwrap().accepted_through_seq, total);
    }
    assert_eq!(stored_head(&url, &kiosk, "final"), total);
    drop(server);
    // Nothing applied twice: a start from the database alone is a clean run's state.
    let reopened = Center::open(&data).unwrap();
    let (_clean_dir, mut clean) = {
        let dir = tempfile::tempdir().unwrap();
        Center::init(dir.path(), None).unwrap();
        let c = Center::open_at(dir.path(), None, None).unwrap();
        (dir, c)
    };
    kiosk.register(&mut clean);
    clean.ingest(&kiosk.all(), at("2026-11-01T12:00:00+05:00"), None).unwrap();
    assert_eq!(applications_json(&reopened), applications_json(&clean));
    assert_eq!(reopened.state().applications().count(), (per_run * u32::try_from(runs).unwrap()) as usize);
    eprintln!(
        "{runs} kills: {acked_some} runs got acks, {killed_mid_push} killed before their last ack, {refused} uploads refused"
    );
    assert!(killed_mid_push >= runs / 4, "the kills should land mid-push often: {killed_mid_push}");
    assert!(acked_some >= runs / 4, "and after some acks: {acked_some}");
}
