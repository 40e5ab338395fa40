//! The ways through: the happy path, distribution order, refusals upheld and overruled,
//! withdrawal, refused vouchers, departure.

use rules::command::ActionKind;
use rules::error::CommandError;
use rules::lifecycle::allowed_actions;
use rules::model::{ArchiveReason, GroupLanguage};
use rules::{Action, Event, Localized, RightClass, Status};

use crate::common::*;
use crate::timeline::*;

#[test]
fn happy_path_register_and_distribute() {
    let mut s = new_state();
    let events = ok(&mut s, &register_cmd("A1", &a1_iin(), BIRTH, RightClass::None), T_REG);
    assert!(matches!(&events[..], [Event::Registered { application }] if application.registered_at == at(T_REG)));
    assert_eq!(s.position("A1"), Some(1));

    // A round without published places issues nothing.
    let events = ok(&mut s, &distribute(), T_PLACES);
    assert!(events.is_empty(), "{events:?}");

    ok(&mut s, &places_cmd("P1", KG_A, GroupLanguage::Kk, 2022, 1), T_PLACES);
    assert_eq!(s.free_places(&slot()), 0, "pending places are not in free choice yet");
    let events = ok(&mut s, &distribute(), T_DIST);
    assert_eq!(
        events,
        vec![
            Event::PlacesPublished { record: "P1".into(), at: at(T_DIST) },
            Event::VoucherIssued { application: "A1".into(), at: at(T_DIST), confirm_deadline: at(CONFIRM_DEADLINE) },
        ]
    );
    assert_eq!(s.free_places(&slot()), 1);
    assert_eq!(status(&s, "A1"), Status::VoucherIssued);
    assert_eq!(s.position("A1"), None, "only queued applications have positions");

    // A second round issues nothing more: the one place is promised to A1's voucher.
    assert!(ok(&mut s, &distribute(), "2026-02-03T12:00:00+05:00").is_empty());
}

#[test]
fn happy_path_confirm_choose_accept_depart() {
    let (mut s, _) = reach(Status::VoucherIssued);

    let events = ok(&mut s, &act("A1", Action::ConfirmVoucher), T_CONFIRM);
    assert_eq!(
        events,
        vec![Event::VoucherConfirmed {
            application: "A1".into(),
            at: at(T_CONFIRM),
            choose_deadline: at(CHOOSE_DEADLINE)
        }]
    );
    let events = ok(&mut s, &act("A1", choose_a()), T_CHOOSE);
    let [Event::DirectionIssued { direction, .. }] = &events[..] else { panic!("{events:?}") };
    assert_eq!((direction.kindergarten.as_str(), direction.group_year, direction.must_enroll), (KG_A, 2022, false));
    assert_eq!(status(&s, "A1"), Status::DirectionIssued);
    assert_eq!(s.free_places(&slot()), 0, "the direction holds the place");

    ok(&mut s, &act("A1", Action::AcceptChild), T_KG);
    assert_eq!(status(&s, "A1"), Status::Enrolled);
    assert_eq!(s.application("A1").unwrap().direction.as_ref().unwrap().enrolled_at, Some(at(T_KG)));

    ok(
        &mut s,
        &act("A1", Action::MarkDeparted { date: date("2026-02-27"), reason: "moved".into() }),
        "2026-03-02T10:00:00+05:00",
    );
    let app = s.application("A1").unwrap();
    assert_eq!(app.status, Status::Departed);
    assert_eq!(app.departure.as_ref().unwrap().date, date("2026-02-27"));
    assert_eq!(s.free_places(&slot()), 0, "a departure does not re-publish the place");
    // The child may apply again once the application is final.
    assert_eq!(s.active_application_of(&a1_iin(), rules::QueueType::General), None);
}

#[test]
fn departure_date_must_lie_between_enrollment_and_today() {
    let (mut s, now) = reach(Status::Enrolled);
    for (day, reason) in [("2026-02-07", "moved"), ("2026-02-05", "moved"), ("2026-02-06", "  ")] {
        let error = rejected(&mut s, &act("A1", Action::MarkDeparted { date: date(day), reason: reason.into() }), now);
        let field = if reason.trim().is_empty() { "reason" } else { "date" };
        assert!(matches!(error, CommandError::InvalidField { field: f, .. } if f == field), "{day}: {error:?}");
    }
}

#[test]
fn distribution_follows_allocation_order_and_counts_outstanding_vouchers() {
    let mut s = new_state();
    // Registered in this order; allocation order is E1, F1, G1, G2, G3, F2.
    let apps = [
        ("G1", RightClass::None),
        ("G2", RightClass::None),
        ("F1", RightClass::First),
        ("G3", RightClass::None),
        ("F2", RightClass::First),
        ("E1", RightClass::Extraordinary),
    ];
    for (i, (id, right)) in apps.iter().enumerate() {
        let serial = u32::try_from(i).unwrap() + 1;
        ok(
            &mut s,
            &register_cmd(id, &child_iin(BIRTH, serial), BIRTH, *right),
            &format!("2026-02-02T10:0{i}:00+05:00"),
        );
    }
    let positions: Vec<_> = ["E1", "F1", "G1", "G2", "G3", "F2"].iter().map(|id| s.position(id)).collect();
    assert_eq!(positions, [1, 2, 3, 4, 5, 6].map(Some));

    // Two places at KG-A (kk) and one at KG-B (ru): three vouchers for the first three.
    ok(&mut s, &places_cmd("P1", KG_A, GroupLanguage::Kk, 2022, 2), T_PLACES);
    ok(&mut s, &places_cmd("P2", KG_B, GroupLanguage::Ru, 2022, 1), T_PLACES);
    // Places of another group year do not serve this queue.
    ok(&mut s, &places_cmd("P3", KG_A, GroupLanguage::Kk, 2023, 5), T_PLACES);
    let events = ok(&mut s, &distribute(), T_DIST);
    let issued: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::VoucherIssued { application, .. } => Some(application.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(issued, ["E1", "F1", "G1"]);
    assert_eq!(events.iter().filter(|e| matches!(e, Event::PlacesPublished { .. })).count(), 3);
    // The rest is ranked anew: F2 now opens the F,G,G,G pattern ahead of G2 and G3.
    assert_eq!(["F2", "G2", "G3"].map(|id| s.position(id)), [Some(1), Some(2), Some(3)]);

    // E1 refuses its voucher: its place goes back into the next round, to F2.
    ok(&mut s, &act("E1", Action::RefuseVoucher), "2026-02-03T10:00:00+05:00");
    let events = ok(&mut s, &distribute(), "2026-02-03T11:00:00+05:00");
    assert!(matches!(&events[..], [Event::VoucherIssued { application, .. }] if application == "F2"), "{events:?}");
    // Places published once are not published again.
    assert!(ok(&mut s, &distribute(), "2026-02-03T12:00:00+05:00").is_empty());
}

#[test]
fn a_kindergarten_refusal_upheld_returns_the_child_to_the_queue_with_its_original_time() {
    let (mut s, _) = reach(Status::RefusalReview);
    // A2 registered after A1 and is still queued; A3 too, with a first-priority right.
    ok(&mut s, &register_cmd("A2", &child_iin(BIRTH, 2), BIRTH, RightClass::None), "2026-02-04T09:00:00+05:00");
    ok(&mut s, &register_cmd("A3", &child_iin(BIRTH, 3), BIRTH, RightClass::First), "2026-02-04T09:30:00+05:00");
    assert_eq!(s.free_places(&slot()), 0, "a refused direction still holds its place under review");

    let events = ok(&mut s, &act("A1", Action::UpholdRefusal), "2026-02-09T10:00:00+05:00");
    assert_eq!(events, vec![Event::RefusalUpheld { application: "A1".into(), at: at("2026-02-09T10:00:00+05:00") }]);
    let app = s.application("A1").unwrap();
    assert_eq!(app.status, Status::Queued);
    assert_eq!(app.registered_at, at(T_REG), "the original registration time is kept");
    assert!(app.voucher.is_none() && app.direction.is_none());
    // Ranked by that time: A3 (first-priority) opens the block, then A1 before A2.
    assert_eq!(["A3", "A1", "A2"].map(|id| s.position(id)), [Some(1), Some(2), Some(3)]);
    assert_eq!(s.free_places(&slot()), 1, "the place is free again");

    // The next round gives the place to the head of the queue.
    let events = ok(&mut s, &distribute(), "2026-02-10T09:00:00+05:00");
    assert!(matches!(&events[..], [Event::VoucherIssued { application, .. }] if application == "A3"), "{events:?}");
}

#[test]
fn a_refusal_overruled_forces_enrollment() {
    let (mut s, now) = reach(Status::RefusalReview);
    ok(&mut s, &act("A1", Action::OverruleRefusal), now);
    let app = s.application("A1").unwrap();
    assert_eq!(app.status, Status::DirectionIssued);
    let direction = app.direction.as_ref().unwrap();
    assert!(direction.must_enroll);
    assert_eq!(direction.refusal_reason.as_deref(), Some("no medical record"));

    let later = "2026-02-09T10:00:00+05:00";
    let error = rejected(&mut s, &act("A1", sample(ActionKind::RefuseChild, "")), later);
    assert_eq!(error, CommandError::MustEnroll);
    assert_eq!(error.code(), "MUST_ENROLL");
    let offered: Vec<_> = allowed_actions(s.application("A1").unwrap(), at(later), s.calendar())
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(offered, [ActionKind::AcceptChild]);
    ok(&mut s, &act("A1", Action::AcceptChild), later);
    assert_eq!(status(&s, "A1"), Status::Enrolled);
}

#[test]
fn withdraw_from_every_waiting_status() {
    for from in [Status::Queued, Status::VoucherIssued, Status::VoucherConfirmed, Status::StopListed] {
        let (mut s, now) = reach(from);
        let events = ok(&mut s, &act("A1", Action::Withdraw), now);
        assert_eq!(
            events,
            vec![Event::Archived { application: "A1".into(), at: at(now), reason: ArchiveReason::Withdrawn }]
        );
        let app = s.application("A1").unwrap();
        assert_eq!(
            (app.status, app.archive_reason),
            (Status::Archived, Some(ArchiveReason::Withdrawn)),
            "from {from:?}"
        );
        assert_eq!(s.position("A1"), None);
        assert!(s.queue_index().is_empty());
        // Archived is final: the child may be registered again.
        ok(&mut s, &register_cmd("A1-again", &a1_iin(), BIRTH, RightClass::None), now);
    }
}

#[test]
fn refuse_voucher_from_issued_and_confirmed() {
    for from in [Status::VoucherIssued, Status::VoucherConfirmed] {
        let (mut s, now) = reach(from);
        ok(&mut s, &act("A1", Action::RefuseVoucher), now);
        let app = s.application("A1").unwrap();
        assert_eq!((app.status, app.archive_reason), (Status::Archived, Some(ArchiveReason::VoucherRefused)));
    }
}
