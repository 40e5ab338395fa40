//! Center commands: distribution, expiry tick, snapshots, the reviewer queue, restart.
#![allow(clippy::unwrap_used, clippy::type_complexity, clippy::too_many_lines)]

mod common;

use center::{CENTER_ID, Center, Decision, NewUser};
use changelog::DocumentError;
use changelog::sync::open_snapshot;
use common::*;
use rules::authz::staff::StaffRole;
use rules::command::Role;
use rules::model::GroupLanguage;
use rules::{Action, QueueKey, QueueType, RightClass, Status};

const RECEIVED: &str = "2026-03-10T18:00:00+05:00";
const ROUND: &str = "2026-03-10T19:00:00+05:00";

/// Five children without a right, one first-priority, one extraordinary (registered last),
/// and 3 places in KG-KOK-01 (ru, 2023).
fn queue() -> TestKiosk {
    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T08:00:00+05:00");
    for i in 1..=5 {
        kiosk.register_born(
            &format!("2026-03-10T09:0{i}:00+05:00"),
            &format!("K1-G{i}"),
            "2023-02-01",
            i,
            RightClass::None,
        );
    }
    kiosk.register_born("2026-03-10T10:00:00+05:00", "K1-F1", "2023-02-01", 20, RightClass::First);
    kiosk.register_born("2026-03-10T11:00:00+05:00", "K1-E1", "2023-02-01", 30, RightClass::Extraordinary);
    kiosk.add_places("2026-03-10T12:00:00+05:00", "K1-P1", 2023, 3);
    kiosk
}

/// A center with [`queue`] ingested and the round run; the kiosk has heard from it since.
fn after_the_round() -> (tempfile::TempDir, Center, TestKiosk) {
    let (dir, mut center) = center();
    let mut kiosk = queue();
    kiosk.register(&mut center);
    center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap();
    center.distribute(DISTRICT, at(ROUND)).unwrap();
    kiosk.last_contact = Some(ROUND.into());
    (dir, center, kiosk)
}

fn queue_key() -> QueueKey {
    QueueKey { district: DISTRICT.into(), queue_type: QueueType::General, group_year: 2023 }
}

#[test]
fn distribution_issues_vouchers_in_allocation_order_up_to_free_places_minus_outstanding() {
    let (dir, mut center) = center();
    let mut kiosk = queue();
    kiosk.register(&mut center);
    center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap();
    let order: Vec<String> = center
        .state()
        .queue_index()
        .allocation_order(&queue_key(), usize::MAX)
        .into_iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(order, ["K1-E1", "K1-F1", "K1-G1", "K1-G2", "K1-G3", "K1-G4", "K1-G5"]);

    let run = center.distribute(DISTRICT, at(ROUND)).unwrap();
    assert_eq!(run.published, ["K1-P1"]);
    let vouchers: Vec<&str> = run.vouchers.iter().map(|v| v.application.as_str()).collect();
    assert_eq!(vouchers, ["K1-E1", "K1-F1", "K1-G1"]);
    assert_eq!(run.vouchers[0].confirm_deadline, at("2026-03-12T23:59:59+05:00"));
    assert_eq!(center.state().application("K1-E1").unwrap().status, Status::VoucherIssued);

    // Nothing new: the three places are promised to outstanding vouchers.
    let again = center.distribute(DISTRICT, at("2026-03-10T19:30:00+05:00")).unwrap();
    assert!(again.vouchers.is_empty() && again.published.is_empty());

    // Two more places: two more vouchers, next in order.
    kiosk.last_contact = Some(ROUND.into());
    kiosk.add_places("2026-03-11T09:00:00+05:00", "K1-P2", 2023, 2);
    center.ingest(&kiosk.all(), at("2026-03-11T10:00:00+05:00"), None).unwrap();
    let third = center.distribute(DISTRICT, at("2026-03-11T11:00:00+05:00")).unwrap();
    let vouchers: Vec<&str> = third.vouchers.iter().map(|v| v.application.as_str()).collect();
    assert_eq!(vouchers, ["K1-G2", "K1-G3"]);
    let report = center.report();
    let row = report.iter().find(|r| r.district == DISTRICT && r.group_year == 2023).unwrap();
    assert_eq!((row.queued, row.vouchers_outstanding, row.places_published, row.places_free), (2, 5, 5, 5));

    // Restart: the center log (distributions) and kiosk log replay to the same state.
    let before = applications_json(&center);
    drop(center);
    let reopened = Center::open(dir.path()).unwrap();
    assert_eq!(applications_json(&reopened), before);
}

#[test]
fn tick_expires_unconfirmed_vouchers_and_a_confirmed_one_stays() {
    let (_dir, mut center, mut kiosk) = after_the_round();
    kiosk.act("2026-03-11T09:00:00+05:00", "op", "K1-G1", Action::ConfirmVoucher);
    center.ingest(&kiosk.all(), at("2026-03-11T10:00:00+05:00"), None).unwrap();

    let early = center.tick(at("2026-03-12T23:59:59+05:00")).unwrap();
    assert!(early.expired.is_empty(), "an action at the deadline is in time");
    assert_eq!(early.center_seq, None, "an empty tick writes nothing");
    let run = center.tick(at("2026-03-13T00:00:00+05:00")).unwrap();
    let expired: Vec<(&str, Status)> = run.expired.iter().map(|e| (e.application.as_str(), e.status)).collect();
    assert_eq!(expired, [("K1-E1", Status::StopListed), ("K1-F1", Status::StopListed)]);
    assert_eq!(run.expired[0].at, at("2026-03-12T23:59:59+05:00"));
    assert_eq!(center.state().application("K1-G1").unwrap().status, Status::VoucherConfirmed);
    assert_eq!(center.state().application("K1-E1").unwrap().status, Status::StopListed);
}

#[test]
fn snapshots_are_signed_and_tampering_is_detected() {
    let (_dir, center, _kiosk) = after_the_round();
    let (snapshot, bytes) = center.snapshot(DISTRICT, at("2026-03-10T20:00:00+05:00")).unwrap();
    let opened = open_snapshot(&bytes, &center.public_key()).unwrap();
    assert_eq!(opened, snapshot);
    assert_eq!(opened.applications.len(), 7);
    let positions: Vec<(&str, u32)> = opened.positions.iter().map(|r| (r.id.as_str(), r.position)).collect();
    assert_eq!(positions, [("K1-G2", 1), ("K1-G3", 2), ("K1-G4", 3), ("K1-G5", 4)]);
    assert_eq!(opened.free_places.len(), 1);
    assert_eq!((opened.free_places[0].language, opened.free_places[0].free), (GroupLanguage::Ru, 3));
    assert!(opened.kindergartens.iter().all(|k| k.district == DISTRICT));
    let find = |needle: &str| bytes.windows(needle.len()).position(|w| w == needle.as_bytes());
    for key in ["\"generatedAt\"", "\"calendarVersion\"", "\"freePlaces\"", "\"groupYear\"", "\"registeredAt\""] {
        assert!(find(key).is_some(), "camelCase {key}");
    }
    // One changed byte in the JSON: refused.
    let mut tampered = bytes.clone();
    let at_digit = find("\"free\":3").unwrap() + 7;
    tampered[at_digit] = b'9';
    assert_eq!(open_snapshot(&tampered, &center.public_key()), Err(DocumentError::BadSignature));
    // Another key: refused.
    let other = changelog::KioskKey::generate().unwrap();
    assert_eq!(open_snapshot(&bytes, &other.verifying()), Err(DocumentError::BadSignature));
    assert!(center.snapshot("XXX", at(ROUND)).is_err());
}

#[test]
fn reviewers_decide_kindergarten_refusals_and_refused_entries() {
    let (dir, mut center, mut kiosk) = after_the_round();
    // One child after the other: a kiosk's times never go back (that would be flagged).
    for (hour, app) in [(9, "K1-E1"), (10, "K1-F1")] {
        kiosk.confirm_choose_and_be_refused("2026-03-11", hour, app);
    }
    center.ingest(&kiosk.all(), at("2026-03-11T12:00:00+05:00"), None).unwrap();
    let open: Vec<String> = center.review_items().into_iter().map(|i| i.id).collect();
    assert_eq!(open, ["R-K1-E1", "R-K1-F1"]);

    let reviewer = |district: &str| NewUser {
        login: format!("rev-{district}"),
        name: "Рецензент".into(),
        role: StaffRole::Reviewer,
        districts: vec![district.into()],
        password: "secret-pass".into(),
    };
    center.add_user(CENTER_ID, reviewer(DISTRICT), at(ROUND)).unwrap();
    center.add_user(CENTER_ID, reviewer("ZER"), at(ROUND)).unwrap();
    assert!(center.check_password("rev-KOK", "wrong").is_err());
    let rev = center.check_password("rev-KOK", "secret-pass").unwrap();
    let other = center.check_password("rev-ZER", "secret-pass").unwrap();
    let refused = center.review("R-K1-E1", Decision::Overrule, &other, at("2026-03-11T13:00:00+05:00"), None);
    assert_eq!(refused.unwrap_err().code(), "OUT_OF_DISTRICT", "another district's reviewer");
    center.review("R-K1-E1", Decision::Overrule, &rev, at("2026-03-11T13:00:00+05:00"), None).unwrap();
    center.review("R-K1-F1", Decision::Uphold, &rev, at("2026-03-11T13:05:00+05:00"), None).unwrap();
    let e1 = center.state().application("K1-E1").unwrap();
    assert_eq!(e1.status, Status::DirectionIssued);
    assert!(e1.direction.as_ref().unwrap().must_enroll);
    assert_eq!(center.state().application("K1-F1").unwrap().status, Status::Queued);
    // Nothing is open; both decisions stay listed, as decided.
    let decided: Vec<(String, String)> = center.review_items().into_iter().map(|i| (i.id, i.status)).collect();
    assert_eq!(decided, [("R-K1-E1".into(), "overruled".into()), ("R-K1-F1".into(), "upheld".into())]);

    // A refused kiosk entry: upheld closes it; the decision survives a restart.
    kiosk.last_contact = Some("2026-03-11T13:05:00+05:00".into());
    let seq = kiosk.act("2026-03-11T14:00:00+05:00", "op", "NOPE", Action::Withdraw);
    center.ingest(&kiosk.all(), at("2026-03-11T15:00:00+05:00"), None).unwrap();
    let id = format!("E-K1-{seq}");
    assert!(center.review_items().iter().any(|i| i.id == id && i.status == "open"));
    center.review(&id, Decision::Uphold, &rev, at("2026-03-11T16:00:00+05:00"), Some("typo".into())).unwrap();
    drop(center);
    let reopened = Center::open(dir.path()).unwrap();
    let item = reopened.review_items().into_iter().find(|i| i.id == id).unwrap();
    assert_eq!(item.status, "upheld");
    assert_eq!(reopened.state().application("K1-E1").unwrap().status, Status::DirectionIssued);
}

#[test]
fn kindergarten_staff_act_only_for_their_kindergarten() {
    let (_dir, mut center) = center();
    let mut kiosk = queue();
    kiosk.register(&mut center);
    // A second kindergarten's places, published by an administrator-made staff account there.
    kiosk.push(
        "2026-03-10T08:30:00+05:00",
        "admin",
        &changelog::Payload::OperatorAdded {
            login: "kg3".into(),
            name: "Другой сад".into(),
            role: Role::Kindergarten,
            kindergartens: vec!["KG-KOK-03".into()],
        },
    );
    center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap();
    center.distribute(DISTRICT, at(ROUND)).unwrap();
    kiosk.last_contact = Some(ROUND.into());
    kiosk.confirm_and_choose("2026-03-11", 9, "K1-E1");
    let seq = kiosk.act("2026-03-11T10:00:00+05:00", "kg3", "K1-E1", Action::AcceptChild);
    let report = center.ingest(&kiosk.all(), at("2026-03-11T12:00:00+05:00"), None).unwrap().report;
    assert_eq!(report.review.len(), 1);
    assert_eq!((report.review[0].seq, report.review[0].code.as_str()), (seq, "KINDERGARTEN_SCOPE"));
    assert_eq!(center.state().application("K1-E1").unwrap().status, Status::DirectionIssued);
}

#[test]
fn staff_actions_in_the_center_log_do_not_reorder_a_restart() {
    // Audit entries (a kiosk registered by a staff member, a USB ingest) take center log
    // sequence numbers without folding anything: entries received after the next round
    // must still fold after it when the log is replayed.
    let (dir, mut center) = center();
    let mut kiosk = queue();
    center.add_kiosk_as("boss", "K1", DISTRICT, &kiosk.key.public_hex(), at(REGISTERED)).unwrap();
    center.ingest_file_as("boss", &kiosk.all(), at(RECEIVED)).unwrap();
    let round = center.distribute_as("dist", DISTRICT, at(ROUND)).unwrap();
    assert_eq!(round.vouchers.len(), 3);
    kiosk.last_contact = Some(ROUND.into());
    kiosk.confirm_and_choose("2026-03-11", 9, "K1-E1");
    center.ingest(&kiosk.all(), at("2026-03-11T12:00:00+05:00"), None).unwrap();
    assert!(center.review_items().is_empty());
    assert_eq!(center.state().application("K1-E1").unwrap().status, Status::DirectionIssued);
    let live = applications_json(&center);
    drop(center);
    let reopened = Center::open(dir.path()).unwrap();
    assert!(reopened.review_items().is_empty(), "{:?}", reopened.review_items());
    assert_eq!(applications_json(&reopened), live);
}
