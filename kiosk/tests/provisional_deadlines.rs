//! A voucher whose deadline is counted over a provisional year of the calendar (no decree
//! yet) says so in the card: `kezek-kiosk card NUMBER --format json` gives each deadline
//! with `provisional`, and the text card marks it.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use center::Center;
use common::{at, cli, clock, run, stdout};
use kiosk::testkit;
use rules::model::{GroupLanguage, NewPlaces};
use rules::time::Date;
use rules::{Command, Status};
use serde_json::Value;

const KIOSK: &str = "AKK-02";

/// A kiosk with two registrations and one place, and the center's snapshot of a distribution
/// round run at `distributed` (one voucher: the first application's).
fn kiosk_with_a_voucher(root: &Path, registered: &str, distributed: &str) -> (std::path::PathBuf, Vec<String>) {
    let dir = root.join("kiosk");
    let mut k = testkit::staffed_kiosk(&dir, "AKK", KIOSK, Some("KG-AKK-01"));
    clock(&mut k, registered);
    let op = k.login("op", testkit::OPERATOR_PASSWORD).unwrap();
    let mut ids = Vec::new();
    for (n, child) in testkit::children(2, Date::from_ymd(2026, 3, 1).unwrap(), 40).iter().enumerate() {
        let app = testkit::application("AKK", &child.0, child.1, n);
        ids.push(k.execute(&op, Command::Register { application: app }).unwrap().id);
    }
    let group_year = k.state().application(&ids[0]).unwrap().group_year();
    let kg = k.login("kg", testkit::STAFF_PASSWORD).unwrap();
    let places = NewPlaces {
        id: String::new(),
        kindergarten: "KG-AKK-01".into(),
        language: GroupLanguage::Ru,
        group_year,
        count: 1,
    };
    k.execute(&kg, Command::AddPlaces { places }).unwrap();

    let center_dir = root.join("center");
    let info = Center::init(&center_dir, None).unwrap();
    let key = changelog::public_key_from_hex(&info.public_key).unwrap();
    let mut center = Center::open(&center_dir).unwrap();
    center.add_kiosk(KIOSK, "AKK", &k.public_key_hex(), at(registered)).unwrap();
    kiosk::push::set_center(&k, None, Some(&info.public_key)).unwrap();
    let bundle = k.pending_bundle().unwrap().0.to_bytes();
    let ingested = center.ingest(&bundle, at(distributed), Some(KIOSK)).unwrap();
    kiosk::push::apply_ack(&mut k, &ingested.ack_bytes, &key).unwrap();
    center.distribute("AKK", at(distributed)).unwrap();
    let (_, bytes) = center.snapshot("AKK", at(distributed)).unwrap();
    kiosk::push::apply_snapshot(&mut k, &bytes, &key).unwrap();
    assert_eq!(k.state().application(&ids[0]).unwrap().status, Status::VoucherIssued);
    k.close();
    (dir, ids)
}

fn card(dir: &Path, id: &str) -> Value {
    let o = run(cli(dir).args(["card", id, "--format", "json"]), "");
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

#[test]
fn a_deadline_counted_over_a_provisional_year_is_flagged_in_the_card() {
    let root = tempfile::tempdir().unwrap();
    // Issued Wednesday 30 December 2026: Thursday 31 Dec, then Tuesday 5 January 2027.
    let (dir, ids) = kiosk_with_a_voucher(root.path(), "2026-12-29T09:00:00+05:00", "2026-12-30T11:00:00+05:00");
    let card = card(&dir, &ids[0]);
    assert_eq!(
        card["deadlines"],
        serde_json::json!([{ "kind": "confirm", "at": "2027-01-05T23:59:59+05:00", "provisional": true }])
    );
    let text = stdout(&run(cli(&dir).args(["card", &ids[0]]), ""));
    assert!(text.contains("Confirm by: 2027-01-05T23:59:59+05:00 (provisional calendar"), "{text}");
    // No voucher, no deadlines.
    assert!(self::card(&dir, &ids[1]).get("deadlines").is_none());
}

#[test]
fn a_deadline_within_an_official_year_is_not_flagged() {
    let root = tempfile::tempdir().unwrap();
    let (dir, ids) = kiosk_with_a_voucher(root.path(), "2026-03-17T09:00:00+05:00", "2026-03-19T10:00:00+05:00");
    let card = card(&dir, &ids[0]);
    assert_eq!(
        card["deadlines"],
        serde_json::json!([{ "kind": "confirm", "at": "2026-03-26T23:59:59+05:00", "provisional": false }])
    );
    let text = stdout(&run(cli(&dir).args(["card", &ids[0]]), ""));
    assert!(text.contains("Confirm by: 2026-03-26T23:59:59+05:00\n"), "{text}");
}
