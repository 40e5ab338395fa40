//! Migration round trip on the demo data, through the real binaries: a center on the
//! embedded store is filled from kiosks that loaded `data/demo` (`Kiosk::demo_load`: 300
//! applications and 25 place records in KOK, ZER and AKK), with rounds and expiry run on
//! it; a copy of its folder is moved to PostgreSQL with `kezek-center migrate --to …`
//! (a throw-away cluster this test starts: PostgreSQL's server binaries must be installed,
//! else the test fails); then every district's snapshot and every kiosk's ack, exported
//! from both folders at the same instant, are byte-identical.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use center::pg_cluster::PgCluster;
use common::bin;
use common::folders::copy_dir;
use kiosk::testkit;

fn center(data: &Path, args: &[&str]) -> Output {
    let out = Command::new(bin("kezek-center")).arg("--data").arg(data).args(args).output().unwrap();
    assert!(out.status.success(), "kezek-center {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// The signed file `kezek-center snapshot|ack` writes for `what` (a district or a kiosk).
fn export(data: &Path, command: &str, flag: &str, what: &str, at: &str) -> Vec<u8> {
    let out = data.parent().unwrap().join(format!("{command}-{what}.bin"));
    center(data, &[command, flag, what, "--out", out.to_str().unwrap(), "--at", at]);
    let bytes = std::fs::read(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    bytes
}

#[test]
fn the_demo_data_migrated_to_postgres_gives_byte_identical_snapshots_and_acks() {
    let cluster = PgCluster::start().unwrap_or_else(|e| panic!("{e}"));
    let root = tempfile::tempdir().unwrap();
    let embedded = root.path().join("embedded");
    center(&embedded, &["init"]);

    // KOK-01 loads the whole demo set (KOK, ZER and AKK: it serves all three); AKK-01 and
    // ZER-01 register a few children of their own. Each hands its log over on USB.
    let today = rules::Date::from_ymd(2026, 11, 1).unwrap();
    let kids = testkit::children(20, today, 900);
    let kiosks = [("KOK", "KOK-01"), ("ZER", "ZER-01"), ("AKK", "AKK-01")];
    for (k, (district, id)) in kiosks.into_iter().enumerate() {
        let dir = root.path().join(id);
        let mut kiosk = testkit::staffed_kiosk(&dir, district, id, None);
        if id == "KOK-01" {
            let admin = kiosk.login("admin", testkit::ADMIN_PASSWORD).unwrap();
            let report = kiosk.demo_load(&admin).unwrap();
            assert_eq!((report.registered, report.places), (300, 25), "{:?}", report.rejected);
        } else {
            let op = kiosk.login("op", testkit::OPERATOR_PASSWORD).unwrap();
            for n in 0..6 {
                let (iin, birth) = &kids[k * 6 + n];
                let application = testkit::application(district, iin, *birth, n);
                kiosk.execute(&op, rules::Command::Register { application }).unwrap();
            }
        }
        let key = kiosk.public_key_hex();
        let bundle = root.path().join(format!("{id}.bundle"));
        kiosk.export(&bundle).unwrap();
        kiosk.close();
        center(
            &embedded,
            &[
                "kiosk",
                "add",
                "--id",
                id,
                "--district",
                district,
                "--pubkey",
                &key,
                "--at",
                "2020-01-01T00:00:00+05:00",
            ],
        );
        if id == "KOK-01" {
            for other in ["ZER", "AKK"] {
                center(&embedded, &["kiosk", "serve", "--id", id, "--district", other]);
            }
        }
        let out = center(&embedded, &["ingest", bundle.to_str().unwrap()]);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(report["quarantined"], serde_json::json!([]), "{id}: {report}");
        assert_eq!(report["accepted"], report["entries"], "{id}: {report}");
    }
    // Rounds and expiry, so that the state holds vouchers and the center's own entries.
    for (district, _) in kiosks {
        center(&embedded, &["distribute", "--district", district]);
    }
    center(&embedded, &["tick"]);

    // A copy of the folder, migrated by the real binary as an operator does it.
    let migrated = root.path().join("migrated");
    copy_dir(&embedded, &migrated);
    let owner = cluster.database().unwrap();
    let url = PgCluster::as_server(&owner);
    let out = center(&migrated, &["migrate", "--to", &url, "--store-owner", &owner]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["entries"].as_u64().unwrap() > 300 && report["kiosks"] == 3, "{report}");
    assert_eq!(std::fs::read_to_string(migrated.join("store.url")).unwrap().trim(), url);

    // Every district (those without data too) and every kiosk, at one instant, from both.
    let at = rules::Instant(center::now().0 + chrono::Duration::days(1)).to_string();
    let districts: Vec<serde_json::Value> = serde_json::from_str(center::service::DISTRICTS).unwrap();
    let (mut with_applications, mut vouchers) = (0, 0);
    for district in &districts {
        let code = district["code"].as_str().unwrap();
        let on_embedded = export(&embedded, "snapshot", "--district", code, &at);
        let on_postgres = export(&migrated, "snapshot", "--district", code, &at);
        assert!(on_embedded == on_postgres, "district {code}: the snapshots differ");
        let key = changelog::public_key_from_hex(std::fs::read_to_string(embedded.join("center.pub")).unwrap().trim())
            .unwrap();
        let snapshot = changelog::sync::open_snapshot(&on_postgres, &key).unwrap();
        if !snapshot.applications.is_empty() {
            with_applications += 1;
        }
        vouchers += snapshot.applications.iter().filter(|a| a.status == rules::Status::VoucherIssued).count();
    }
    assert_eq!(with_applications, 3, "KOK, ZER and AKK hold the demo applications");
    assert!(vouchers > 0, "the rounds issued vouchers");
    for (_, id) in kiosks {
        let on_embedded = export(&embedded, "ack", "--kiosk", id, &at);
        let on_postgres = export(&migrated, "ack", "--kiosk", id, &at);
        assert!(on_embedded == on_postgres, "kiosk {id}: the acks differ");
    }
    // And the same report of queues, vouchers and places.
    assert_eq!(center(&embedded, &["report"]).stdout, center(&migrated, &["report"]).stdout);
}
