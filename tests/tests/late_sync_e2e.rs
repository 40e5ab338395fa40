//! A confirmation made in time at an office that was offline, reaching the center after its
//! nightly expiry stop-listed the voucher: the center decides it as of its own time, so the
//! voucher stands confirmed (the one-time restore unused) with the choose deadline from the
//! confirmation. And a refused registration that a reviewer overrules keeps its original
//! registration instant.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use center::{Center, Decision};
use kiosk::{Kiosk, testkit};
use rules::calendar::Calendar;
use rules::deadline::{DeadlineKind, deadline};
use rules::model::{GroupLanguage, NewPlaces, Status};
use rules::time::Date;
use rules::{Action, Command, Instant};

fn at(text: &str) -> Instant {
    text.parse().unwrap()
}

/// The kiosk's unsent entries, ingested by the center at `when` (a USB round trip).
fn ingest(kiosk: &Kiosk, center: &mut Center, when: &str) -> center::IngestReport {
    let (bundle, _) = kiosk.pending_bundle().unwrap();
    center.ingest(&bundle.to_bytes(), at(when), Some("KOK-01")).unwrap().report
}

/// The center's KOK snapshot of `when`, imported by the kiosk.
fn snapshot_to(kiosk: &mut Kiosk, center: &Center, when: &str, dir: &std::path::Path) {
    let (_, bytes) = center.snapshot("KOK", at(when)).unwrap();
    let file = dir.join("kok.snapshot");
    std::fs::write(&file, bytes).unwrap();
    kiosk::push::import_snapshot(kiosk, &file).unwrap();
}

#[test]
fn an_in_time_offline_confirmation_stands_after_the_centers_expiry() {
    let root = tempfile::tempdir().unwrap();
    let center_dir = root.path().join("center");
    let key = Center::init(&center_dir, None).unwrap().public_key;
    let mut center = Center::open(&center_dir).unwrap();
    let kiosk_dir = root.path().join("kok-01");
    let mut kiosk = testkit::staffed_kiosk(&kiosk_dir, "KOK", "KOK-01", Some("KG-KOK-01"));
    center.add_kiosk("KOK-01", "KOK", &kiosk.public_key_hex(), at("2026-10-01T09:00:00+05:00")).unwrap();
    kiosk::push::set_center(&kiosk, None, Some(&key)).unwrap();

    // Monday 2 November 2026: a registration and a free place, sent to the center.
    let monday = "2026-11-02T10:00:00+05:00";
    let kids = testkit::children(2, Date::from_ymd(2026, 10, 1).unwrap(), 600);
    let op = kiosk.login("op", testkit::OPERATOR_PASSWORD).unwrap();
    let child = kiosk
        .execute_at(
            &op,
            Command::Register { application: testkit::application("KOK", &kids[0].0, kids[0].1, 1) },
            at(monday),
        )
        .unwrap()
        .id;
    let kg = kiosk.login("kg", testkit::STAFF_PASSWORD).unwrap();
    let places = NewPlaces {
        id: String::new(),
        kindergarten: "KG-KOK-01".into(),
        language: GroupLanguage::Kk,
        group_year: kids[0].1.year(),
        count: 1,
    };
    kiosk.execute_at(&kg, Command::AddPlaces { places }, at(monday)).unwrap();
    ingest(&kiosk, &mut center, "2026-11-02T11:00:00+05:00");
    // The round issues the voucher; the snapshot takes it to the office the same day.
    let round = center.distribute("KOK", at("2026-11-02T18:00:00+05:00")).unwrap();
    assert_eq!(round.vouchers.len(), 1);
    let confirm_deadline = round.vouchers[0].confirm_deadline;
    assert_eq!(confirm_deadline, at("2026-11-04T23:59:59+05:00"), "2nd working day after Monday");
    snapshot_to(&mut kiosk, &center, "2026-11-02T18:05:00+05:00", root.path());

    // Wednesday: the parent confirms at the office, which is offline.
    let wednesday = at("2026-11-04T15:30:00+05:00");
    let op = kiosk.login("op", testkit::OPERATOR_PASSWORD).unwrap();
    kiosk
        .execute_at(&op, Command::Act { application: child.clone(), action: Action::ConfirmVoucher }, wednesday)
        .unwrap();
    // Thursday just after midnight the center's expiry stop-lists the voucher.
    let tick = center.tick(at("2026-11-05T00:05:00+05:00")).unwrap();
    assert_eq!(tick.expired.len(), 1);
    assert_eq!(center.state().application(&child).unwrap().status, Status::StopListed);

    // Saturday the office's entries arrive: the confirmation stands, as of Wednesday.
    let report = ingest(&kiosk, &mut center, "2026-11-07T10:00:00+05:00");
    assert!(report.review.is_empty(), "no reviewer needed: {:?}", report.review);
    assert!(report.flagged.is_empty(), "{:?}", report.flagged);
    let app = center.state().application(&child).unwrap();
    assert_eq!(app.status, Status::VoucherConfirmed);
    let voucher = app.voucher.as_ref().unwrap();
    assert_eq!(voucher.confirmed_at, Some(wednesday));
    let choose = deadline(Calendar::embedded(), DeadlineKind::Choose, wednesday).unwrap().at;
    assert_eq!(voucher.choose_deadline, Some(choose), "the choose deadline runs from the confirmation");
    assert!(!voucher.restored, "the one-time restore is still unused");
    assert_eq!((voucher.stop_listed_at, voucher.restore_deadline), (None, None));
    // The same after a restart (the fold replays it the same way).
    drop(center);
    let center = Center::open(&center_dir).unwrap();
    assert_eq!(center.state().application(&child).unwrap().status, Status::VoucherConfirmed);

    // A confirmation made after the deadline is still refused (to the reviewers), and a
    // restore is what the parent has then.
    let late_child = {
        let mut center = center;
        let op = kiosk.login("op", testkit::OPERATOR_PASSWORD).unwrap();
        let second = kiosk
            .execute_at(
                &op,
                Command::Register { application: testkit::application("KOK", &kids[1].0, kids[1].1, 2) },
                at("2026-11-09T10:00:00+05:00"),
            )
            .unwrap()
            .id;
        ingest(&kiosk, &mut center, "2026-11-09T11:00:00+05:00");
        second
    };
    assert!(late_child.starts_with("KOK-01-"));
}

#[test]
fn an_overruled_registration_keeps_its_original_instant() {
    let root = tempfile::tempdir().unwrap();
    let center_dir = root.path().join("center");
    Center::init(&center_dir, None).unwrap();
    let mut center = Center::open(&center_dir).unwrap();
    let mut a = testkit::staffed_kiosk(&root.path().join("kok-01"), "KOK", "KOK-01", None);
    let mut b = testkit::staffed_kiosk(&root.path().join("kok-02"), "KOK", "KOK-02", None);
    for (id, k) in [("KOK-01", &a), ("KOK-02", &b)] {
        center.add_kiosk(id, "KOK", &k.public_key_hex(), at("2026-10-01T09:00:00+05:00")).unwrap();
    }
    let reviewer = center::NewUser {
        login: "rev".into(),
        name: "Рецензент".into(),
        role: rules::authz::staff::StaffRole::Reviewer,
        districts: vec!["KOK".into()],
        password: "reviewer-secret".into(),
    };
    let rev = center.add_user(center::CENTER_ID, reviewer, at("2026-11-01T09:00:00+05:00")).unwrap();
    let kids = testkit::children(1, Date::from_ymd(2026, 10, 1).unwrap(), 600);
    let application = || testkit::application("KOK", &kids[0].0, kids[0].1, 1);
    // Office A registers the child at 10:00 and withdraws at 11:00; office B, offline,
    // registered the same child at 10:30.
    let op = a.login("op", testkit::OPERATOR_PASSWORD).unwrap();
    let first = a
        .execute_at(&op, Command::Register { application: application() }, at("2026-11-02T10:00:00+05:00"))
        .unwrap()
        .id;
    a.execute_at(&op, Command::Act { application: first, action: Action::Withdraw }, at("2026-11-02T11:00:00+05:00"))
        .unwrap();
    let op = b.login("op", testkit::OPERATOR_PASSWORD).unwrap();
    let b_time = at("2026-11-02T10:30:00+05:00");
    let second = b.execute_at(&op, Command::Register { application: application() }, b_time).unwrap().id;
    let (bundle, _) = a.pending_bundle().unwrap();
    center.ingest(&bundle.to_bytes(), at("2026-11-02T12:00:00+05:00"), Some("KOK-01")).unwrap();
    let (bundle, _) = b.pending_bundle().unwrap();
    let report = center.ingest(&bundle.to_bytes(), at("2026-11-02T12:05:00+05:00"), Some("KOK-02")).unwrap().report;
    // At 10:30 the child was registered at A: a duplicate, for the reviewers.
    assert_eq!(report.review.iter().map(|r| r.code.as_str()).collect::<Vec<_>>(), vec!["DUPLICATE_CHILD"]);
    let item = center.review_items().into_iter().find(|i| i.application.as_deref() == Some(&second)).unwrap();
    // Two days later a reviewer overrules: the application is registered as of 10:30.
    center.review(&item.id, Decision::Overrule, &rev, at("2026-11-04T09:00:00+05:00"), None).unwrap();
    let app = center.state().application(&second).unwrap();
    assert_eq!((app.status, app.registered_at), (Status::Queued, b_time));
}
