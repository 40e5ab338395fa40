//! The `kezek-center` binary, as an administrator uses it with a USB stick.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use changelog::sync::{open_ack, open_snapshot};
use common::proc::{as_strs, kiosk_add_args};
use common::*;
use rules::{Action, RightClass};

fn run(data: &Path, args: &[&str]) -> (bool, serde_json::Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_kezek-center"))
        .arg("--data")
        .arg(data)
        .args(args)
        .env("KEZEK_PASSWORD", "reviewer-password")
        .env_remove("KEZEK_CENTER_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let value = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.success(), value, stdout + &stderr)
}

#[test]
fn a_usb_round_trip_through_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("center");
    let init_args = common::proc::init_args();
    let (ok, init, _) = run(&data, &init_args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(ok);
    let center_key = changelog::public_key_from_hex(init["publicKey"].as_str().unwrap()).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(data.join("center.key")).unwrap().permissions().mode() & 0o777, 0o600);
    }

    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T08:00:00+05:00");
    for i in 1..=3 {
        kiosk.register_child(
            "2026-03-10T09:00:00+05:00",
            application(&format!("K1-A{i}"), &child_iin("2023-02-01", i), "2023-02-01", RightClass::None),
        );
    }
    kiosk.add_places("2026-03-10T10:00:00+05:00", "K1-P1", 2023, 2);
    let (ok, added, _) = run(&data, &as_strs(&kiosk_add_args(&kiosk)));
    assert!(ok, "{added}");
    let (ok, _, err) =
        run(&data, &["kiosk", "add", "--id", "K2", "--district", "NOPE", "--pubkey", &kiosk.key.public_hex()]);
    assert!(!ok);
    assert!(err.contains("UNKNOWN_DISTRICT"), "{err}");

    let bundle = dir.path().join("k1.kzb");
    std::fs::write(&bundle, kiosk.all()).unwrap();
    let ack_file = dir.path().join("k1.ack");
    let (ok, report, err) = run(
        &data,
        &[
            "ingest",
            bundle.to_str().unwrap(),
            "--at",
            "2026-03-10T18:00:00+05:00",
            "--ack-out",
            ack_file.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    assert_eq!((report["accepted"].as_u64(), report["acceptedThroughSeq"].as_u64()), (Some(6), Some(6)));
    let ack = open_ack(&std::fs::read(&ack_file).unwrap(), &center_key).unwrap();
    assert_eq!(ack.accepted_through_seq, 6);

    let (ok, round, _) = run(&data, &["distribute", "--district", DISTRICT, "--at", "2026-03-10T19:00:00+05:00"]);
    assert!(ok);
    assert_eq!(round["vouchers"].as_array().unwrap().len(), 2);
    let snapshot_file = dir.path().join("kok.snapshot");
    let (ok, _, _) = run(
        &data,
        &[
            "snapshot",
            "--district",
            DISTRICT,
            "--out",
            snapshot_file.to_str().unwrap(),
            "--at",
            "2026-03-10T19:05:00+05:00",
        ],
    );
    assert!(ok);
    let snapshot = open_snapshot(&std::fs::read(&snapshot_file).unwrap(), &center_key).unwrap();
    assert_eq!(snapshot.positions.len(), 1);

    // Back at the office: a late confirmation goes to the reviewer queue.
    kiosk.last_contact = Some("2026-03-10T19:05:00+05:00".into());
    let seq = kiosk.act("2026-03-16T10:00:00+05:00", "op", "K1-A1", Action::ConfirmVoucher);
    std::fs::write(&bundle, kiosk.all()).unwrap();
    let (ok, report, err) = run(&data, &["ingest", bundle.to_str().unwrap(), "--at", "2026-03-16T12:00:00+05:00"]);
    assert!(ok, "{err}");
    assert_eq!((report["accepted"].as_u64(), report["duplicates"].as_u64()), (Some(1), Some(6)));
    assert_eq!(report["review"][0]["code"], "DEADLINE_PASSED");
    let (ok, _, _) = run(
        &data,
        &["operator", "add", "--login", "rev", "--name", "Рецензент", "--role", "reviewer", "--district", "KOK"],
    );
    assert!(ok);
    let (ok, items, _) = run(&data, &["review", "list"]);
    assert!(ok);
    let id = format!("E-K1-{seq}");
    assert!(items.as_array().unwrap().iter().any(|i| i["id"] == id.as_str()), "{items}");
    let (ok, decided, err) = run(&data, &["review", "uphold", &id, "--reviewer", "rev"]);
    assert!(ok, "{err}");
    assert_eq!(decided["status"], "upheld");

    let (ok, tick, _) = run(&data, &["tick", "--at", "2026-03-16T12:30:00+05:00"]);
    assert!(ok);
    assert_eq!(tick["expired"].as_array().unwrap().len(), 2);
    let (ok, _, table) = run(&data, &["report", "--format", "table"]);
    assert!(ok);
    assert!(table.contains("district") && table.contains("KOK"), "{table}");
    let (ok, rows, _) = run(&data, &["report"]);
    assert!(ok);
    assert_eq!(rows[0]["stopListed"], 2);
    let (ok, list, _) = run(&data, &["quarantine", "list"]);
    assert!(ok);
    assert_eq!(list.as_array().unwrap().len(), 0);
    let (ok, kiosks, _) = run(&data, &["kiosk", "list"]);
    assert!(ok);
    assert_eq!(kiosks[0]["acceptedThroughSeq"], 7);
    let (ok, _, _) = run(&data, &["kiosk", "revoke", "--id", "K1"]);
    assert!(ok);
    let (ok, _, err) = run(&data, &["ingest", bundle.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("REVOKED_KIOSK"), "{err}");
}
