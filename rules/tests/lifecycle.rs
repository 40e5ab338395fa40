//! The status table of DESIGN.md, driven through `State::execute` as a host would.
//!
//! One child ("A1", born 2022-05-01, general queue of KOK) walks a fixed 2026 timeline:
//! registered Mon 2 Feb, one Kazakh place at KG-A published and a voucher issued on
//! Tue 3 Feb (confirm deadline Thu 5 Feb 23:59:59+05:00), confirmed Wed 4 Feb (choose
//! deadline Wed 11 Feb), kindergarten chosen Thu 5 Feb, accepted or refused Fri 6 Feb.

// Helpers outside #[test] functions unwrap too; a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use rules::command::ActionKind;
use rules::error::{CommandError, FieldProblem};
use rules::lifecycle::allowed_actions;
use rules::model::{ArchiveReason, GroupLanguage};
use rules::state::PlaceSlot;
use rules::{Action, Command, Event, Lang, Localized, RightClass, Role, State, Status};

const BIRTH: &str = "2022-05-01";
const T_REG: &str = "2026-02-02T10:00:00+05:00";
const T_PLACES: &str = "2026-02-02T11:00:00+05:00";
const T_DIST: &str = "2026-02-03T09:00:00+05:00";
const CONFIRM_DEADLINE: &str = "2026-02-05T23:59:59+05:00";
const T_CONFIRM: &str = "2026-02-04T10:00:00+05:00";
const CHOOSE_DEADLINE: &str = "2026-02-11T23:59:59+05:00";
const T_CHOOSE: &str = "2026-02-05T10:00:00+05:00";
const T_KG: &str = "2026-02-06T10:00:00+05:00";
/// The missed confirm deadline (5 Feb) plus 28 calendar days.
const RESTORE_DEADLINE: &str = "2026-03-05T23:59:59+05:00";

fn a1_iin() -> String {
    child_iin(BIRTH, 1)
}

fn slot() -> PlaceSlot {
    PlaceSlot { kindergarten: KG_A.into(), language: GroupLanguage::Kk, group_year: 2022 }
}

fn choose_a() -> Action {
    Action::ChooseKindergarten { kindergarten: KG_A.into(), language: GroupLanguage::Kk }
}

/// A valid instance of each action, for an application whose local "today" is `today`.
fn sample(kind: ActionKind, today: &str) -> Action {
    match kind {
        ActionKind::IssueVoucher => Action::IssueVoucher,
        ActionKind::ConfirmVoucher => Action::ConfirmVoucher,
        ActionKind::RestoreVoucher => Action::RestoreVoucher,
        ActionKind::ExtendChoice => Action::ExtendChoice { days: 5 },
        ActionKind::ChooseKindergarten => choose_a(),
        ActionKind::RefuseVoucher => Action::RefuseVoucher,
        ActionKind::Withdraw => Action::Withdraw,
        ActionKind::AcceptChild => Action::AcceptChild,
        ActionKind::RefuseChild => Action::RefuseChild { reason: "no medical record".into() },
        ActionKind::UpholdRefusal => Action::UpholdRefusal,
        ActionKind::OverruleRefusal => Action::OverruleRefusal,
        ActionKind::MarkDeparted => Action::MarkDeparted { date: date(today), reason: "family moved".into() },
    }
}

/// A fresh state with A1 in `target`, and an instant at which no deadline has passed yet.
fn reach(target: Status) -> (State, &'static str) {
    let mut s = new_state();
    ok(&mut s, &register_cmd("A1", &a1_iin(), BIRTH, RightClass::None), T_REG);
    match target {
        Status::Queued => return (s, "2026-02-02T10:01:00+05:00"),
        Status::Archived => {
            ok(&mut s, &act("A1", Action::Withdraw), "2026-02-02T10:30:00+05:00");
            return (s, "2026-02-02T10:31:00+05:00");
        }
        _ => {}
    }
    ok(&mut s, &places_cmd("P1", KG_A, GroupLanguage::Kk, 2022, 1), T_PLACES);
    ok(&mut s, &distribute(), T_DIST);
    match target {
        Status::VoucherIssued => return (s, "2026-02-03T09:01:00+05:00"),
        Status::StopListed => {
            ok(&mut s, &Command::Tick, "2026-02-06T00:00:00+05:00");
            return (s, "2026-02-06T00:01:00+05:00");
        }
        _ => {}
    }
    ok(&mut s, &act("A1", Action::ConfirmVoucher), T_CONFIRM);
    if target == Status::VoucherConfirmed {
        return (s, "2026-02-04T10:01:00+05:00");
    }
    ok(&mut s, &act("A1", choose_a()), T_CHOOSE);
    match target {
        Status::DirectionIssued => return (s, "2026-02-05T10:01:00+05:00"),
        Status::RefusalReview => {
            ok(&mut s, &act("A1", sample(ActionKind::RefuseChild, "")), T_KG);
            return (s, "2026-02-06T10:01:00+05:00");
        }
        _ => {}
    }
    ok(&mut s, &act("A1", Action::AcceptChild), T_KG);
    if target == Status::Enrolled {
        return (s, "2026-02-06T10:01:00+05:00");
    }
    assert_eq!(target, Status::Departed);
    ok(
        &mut s,
        &act("A1", Action::MarkDeparted { date: date("2026-02-27"), reason: "moved".into() }),
        "2026-03-02T10:00:00+05:00",
    );
    (s, "2026-03-02T10:01:00+05:00")
}

/// The actions DESIGN.md's status table allows (for a fresh voucher and direction).
fn table(status: Status) -> Vec<ActionKind> {
    use ActionKind as A;
    match status {
        Status::Queued => vec![A::IssueVoucher, A::Withdraw],
        Status::VoucherIssued => vec![A::ConfirmVoucher, A::RefuseVoucher, A::Withdraw],
        Status::VoucherConfirmed => vec![A::ChooseKindergarten, A::ExtendChoice, A::RefuseVoucher, A::Withdraw],
        Status::StopListed => vec![A::RestoreVoucher, A::Withdraw],
        Status::DirectionIssued => vec![A::AcceptChild, A::RefuseChild],
        Status::RefusalReview => vec![A::UpholdRefusal, A::OverruleRefusal],
        Status::Enrolled => vec![A::MarkDeparted],
        Status::Departed | Status::Archived => vec![],
    }
}

fn sorted(mut v: Vec<ActionKind>) -> Vec<ActionKind> {
    v.sort();
    v
}

#[test]
fn every_status_accepts_exactly_the_actions_of_the_table_and_names_them_otherwise() {
    for status in Status::ALL {
        let (state, now) = reach(status);
        assert_eq!(common::status(&state, "A1"), status);
        let allowed = table(status);
        let app = state.application("A1").unwrap();
        let offered: Vec<ActionKind> =
            allowed_actions(app, at(now), state.calendar()).unwrap().into_iter().map(|a| a.action).collect();
        assert_eq!(sorted(offered), sorted(allowed.clone()), "allowed_actions in {status:?}");
        let today = at(now).local_date().to_string();
        for kind in ActionKind::ALL {
            let result = state.decide(&act("A1", sample(kind, &today)), at(now));
            if allowed.contains(&kind) {
                assert!(result.is_ok(), "{kind:?} in {status:?} must be accepted: {result:?}");
                continue;
            }
            match result {
                Err(CommandError::NotAllowed { action, status: named, allowed: listed }) => {
                    assert_eq!(action, kind);
                    assert_eq!(named, status, "the error names the current status");
                    assert_eq!(sorted(listed.clone()), sorted(allowed.clone()), "{kind:?} in {status:?}");
                    let error = CommandError::NotAllowed { action, status: named, allowed: listed };
                    for lang in Lang::ALL {
                        let message = error.message(lang);
                        assert!(message.contains(status.text().get(lang)), "{message}");
                        assert!(message.contains(kind.text().get(lang)), "{message}");
                        for a in &allowed {
                            assert!(message.contains(a.text().get(lang)), "{message} lacks {a:?}");
                        }
                    }
                }
                other => panic!("{kind:?} in {status:?}: expected NOT_ALLOWED, got {other:?}"),
            }
        }
    }
}

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

#[test]
fn confirm_deadline_is_inclusive_and_checked_without_a_tick() {
    let (s, _) = reach(Status::VoucherIssued);
    // The same instant as the deadline, written in UTC.
    assert!(s.decide(&act("A1", Action::ConfirmVoucher), at("2026-02-05T18:59:59Z")).is_ok());
    for late in ["2026-02-05T19:00:00Z", "2026-02-05T23:59:59.000000001+05:00", "2026-02-05T14:00:00-05:00"] {
        let error = s.decide(&act("A1", Action::ConfirmVoucher), at(late)).unwrap_err();
        assert_eq!(
            error,
            CommandError::DeadlinePassed { action: ActionKind::ConfirmVoucher, deadline: at(CONFIRM_DEADLINE) },
            "{late}"
        );
        assert_eq!(error.code(), "DEADLINE_PASSED");
    }
}

#[test]
fn stop_list_after_the_confirm_deadline_and_restore_once() {
    let (mut s, _) = reach(Status::VoucherIssued);
    assert!(ok(&mut s, &Command::Tick, CONFIRM_DEADLINE).is_empty(), "at the deadline the voucher is still in time");
    let events = ok(&mut s, &Command::Tick, "2026-02-05T19:00:00Z");
    assert_eq!(
        events,
        vec![Event::StopListed {
            application: "A1".into(),
            at: at(CONFIRM_DEADLINE),
            restore_deadline: at(RESTORE_DEADLINE)
        }]
    );
    assert_eq!(status(&s, "A1"), Status::StopListed);
    // A stop-listed voucher still holds its place: a round gives the place to no one else.
    ok(&mut s, &register_cmd("A2", &child_iin(BIRTH, 2), BIRTH, RightClass::None), "2026-02-06T09:00:00+05:00");
    assert!(ok(&mut s, &distribute(), "2026-02-06T10:00:00+05:00").is_empty());

    // Restored on the last day: a new choose deadline runs from the restore date
    // (Thu 5 Mar: Fri 6, Tue 10 (9 Mar is off), 11, 12, Fri 13).
    let events = ok(&mut s, &act("A1", Action::RestoreVoucher), RESTORE_DEADLINE);
    assert_eq!(
        events,
        vec![Event::VoucherRestored {
            application: "A1".into(),
            at: at(RESTORE_DEADLINE),
            choose_deadline: at("2026-03-13T23:59:59+05:00")
        }]
    );
    let app = s.application("A1").unwrap();
    assert_eq!(app.status, Status::VoucherConfirmed);
    assert!(app.voucher.as_ref().unwrap().restored);

    let error = rejected(&mut s, &act("A1", Action::RestoreVoucher), "2026-03-06T10:00:00+05:00");
    assert_eq!(error, CommandError::AlreadyUsed { action: ActionKind::RestoreVoucher });
    assert_eq!(error.code(), "ALREADY_USED");
    ok(&mut s, &act("A1", choose_a()), "2026-03-06T10:00:00+05:00");
}

#[test]
fn restore_after_its_deadline_is_rejected_and_the_tick_archives() {
    let (mut s, _) = reach(Status::StopListed);
    let late = "2026-03-05T19:00:00Z";
    let error = rejected(&mut s, &act("A1", Action::RestoreVoucher), late);
    assert_eq!(
        error,
        CommandError::DeadlinePassed { action: ActionKind::RestoreVoucher, deadline: at(RESTORE_DEADLINE) }
    );
    assert!(ok(&mut s, &Command::Tick, "2026-03-05T18:59:59Z").is_empty());
    let events = ok(&mut s, &Command::Tick, late);
    assert_eq!(
        events,
        vec![Event::Archived {
            application: "A1".into(),
            at: at(RESTORE_DEADLINE),
            reason: ArchiveReason::RestoreExpired
        }]
    );
}

#[test]
fn a_late_tick_records_every_missed_expiry_in_order() {
    let (mut s, _) = reach(Status::VoucherIssued);
    let events = ok(&mut s, &Command::Tick, "2026-04-01T10:00:00+05:00");
    assert_eq!(
        events,
        vec![
            Event::StopListed {
                application: "A1".into(),
                at: at(CONFIRM_DEADLINE),
                restore_deadline: at(RESTORE_DEADLINE)
            },
            Event::Archived {
                application: "A1".into(),
                at: at(RESTORE_DEADLINE),
                reason: ArchiveReason::RestoreExpired
            },
        ]
    );
    // A second tick finds nothing more to do.
    assert!(ok(&mut s, &Command::Tick, "2026-04-01T10:00:00+05:00").is_empty());
}

#[test]
fn choice_expires_after_the_choose_deadline() {
    let (mut s, _) = reach(Status::VoucherConfirmed);
    let late = "2026-02-11T19:00:00Z";
    let error = rejected(&mut s, &act("A1", choose_a()), late);
    assert_eq!(
        error,
        CommandError::DeadlinePassed { action: ActionKind::ChooseKindergarten, deadline: at(CHOOSE_DEADLINE) }
    );
    let error = rejected(&mut s, &act("A1", Action::ExtendChoice { days: 3 }), late);
    assert_eq!(error, CommandError::DeadlinePassed { action: ActionKind::ExtendChoice, deadline: at(CHOOSE_DEADLINE) });
    assert!(s.decide(&act("A1", choose_a()), at(CHOOSE_DEADLINE)).is_ok(), "in time at the deadline itself");
    assert!(ok(&mut s, &Command::Tick, CHOOSE_DEADLINE).is_empty());
    let events = ok(&mut s, &Command::Tick, late);
    assert_eq!(
        events,
        vec![Event::Archived {
            application: "A1".into(),
            at: at(CHOOSE_DEADLINE),
            reason: ArchiveReason::ChoiceExpired
        }]
    );
    assert_eq!(s.free_places(&slot()), 1, "the expired voucher no longer promises the place");
}

#[test]
fn extend_once_by_1_to_30_days() {
    let (base, now) = reach(Status::VoucherConfirmed);
    for days in [0, 31, 1000] {
        let error = base.decide(&act("A1", Action::ExtendChoice { days }), at(now)).unwrap_err();
        assert_eq!(error, CommandError::InvalidField { field: "days", problem: FieldProblem::OutOfRange }, "{days}");
    }
    for (days, new_deadline) in [(1, "2026-02-12T23:59:59+05:00"), (30, "2026-03-13T23:59:59+05:00")] {
        let mut s = base.clone();
        let events = ok(&mut s, &act("A1", Action::ExtendChoice { days }), now);
        assert_eq!(
            events,
            vec![Event::ChoiceExtended {
                application: "A1".into(),
                at: at(now),
                days,
                choose_deadline: at(new_deadline)
            }]
        );
        let error = rejected(&mut s, &act("A1", Action::ExtendChoice { days: 1 }), now);
        assert_eq!(error, CommandError::AlreadyUsed { action: ActionKind::ExtendChoice });
        // The old deadline no longer applies.
        assert!(ok(&mut s, &Command::Tick, "2026-02-12T10:00:00+05:00").is_empty());
        ok(&mut s, &act("A1", choose_a()), "2026-02-12T10:00:00+05:00");
    }
}

#[test]
fn children_age_out_on_1_september_of_the_year_they_turn_6() {
    let mut s = new_state();
    // Born on 1 September: 6 on 1 September 2026. Born a day later: 5 then.
    ok(&mut s, &register_cmd("OLD", &child_iin("2020-09-01", 1), "2020-09-01", RightClass::Extraordinary), T_REG);
    ok(&mut s, &register_cmd("YOUNG", &child_iin("2020-09-02", 2), "2020-09-02", RightClass::None), T_REG);
    assert!(ok(&mut s, &Command::Tick, "2026-08-31T23:59:59+05:00").is_empty());
    // Midnight of 1 September in Kazakhstan, written in UTC.
    let events = ok(&mut s, &Command::Tick, "2026-08-31T19:00:00Z");
    assert_eq!(
        events,
        vec![Event::Archived {
            application: "OLD".into(),
            at: at("2026-09-01T00:00:00+05:00"),
            reason: ArchiveReason::AgedOut
        }]
    );
    assert_eq!(status(&s, "YOUNG"), Status::Queued);
    let events = ok(&mut s, &Command::Tick, "2027-09-01T00:00:00+05:00");
    assert!(
        matches!(&events[..], [Event::Archived { application, reason: ArchiveReason::AgedOut, .. }] if application == "YOUNG")
    );

    // Such a child cannot be registered from that day on.
    let error = rejected(
        &mut s,
        &register_cmd("LATE", &child_iin("2020-09-01", 3), "2020-09-01", RightClass::None),
        "2026-09-01T00:00:00+05:00",
    );
    assert_eq!(error, CommandError::ChildTooOld { aged_out_on: date("2026-09-01") });
}

#[test]
fn aging_out_applies_to_waiting_statuses_only_and_without_a_tick() {
    let birth = "2020-09-01";
    let mut s = new_state();
    for (i, id) in ["W1", "W2"].iter().enumerate() {
        let serial = u32::try_from(i).unwrap() + 1;
        ok(&mut s, &register_cmd(id, &child_iin(birth, serial), birth, RightClass::None), "2026-08-20T10:00:00+05:00");
    }
    ok(&mut s, &places_cmd("P1", KG_A, GroupLanguage::Kk, 2020, 1), "2026-08-20T11:00:00+05:00");
    ok(&mut s, &distribute(), "2026-08-21T10:00:00+05:00");
    ok(&mut s, &act("W1", Action::ConfirmVoucher), "2026-08-24T10:00:00+05:00");
    ok(&mut s, &act("W1", choose_a()), "2026-08-25T10:00:00+05:00");
    // W1 holds a direction, W2 is queued; on 1 September only W2 ages out.
    let after = "2026-09-01T09:00:00+05:00";
    let error = rejected(&mut s, &act("W2", Action::Withdraw), after);
    assert_eq!(
        error,
        CommandError::NotAllowed { action: ActionKind::Withdraw, status: Status::Archived, allowed: vec![] }
    );
    let events = ok(&mut s, &Command::Tick, after);
    assert!(
        matches!(&events[..], [Event::Archived { application, reason: ArchiveReason::AgedOut, .. }] if application == "W2")
    );
    assert_eq!(status(&s, "W1"), Status::DirectionIssued);
}

#[test]
fn distribution_skips_children_who_aged_out_before_the_tick() {
    let mut s = new_state();
    ok(
        &mut s,
        &register_cmd("OLD", &child_iin("2020-03-01", 1), "2020-03-01", RightClass::None),
        "2026-02-02T10:00:00+05:00",
    );
    ok(
        &mut s,
        &register_cmd("NEXT", &child_iin("2020-10-01", 2), "2020-10-01", RightClass::None),
        "2026-02-02T11:00:00+05:00",
    );
    ok(&mut s, &places_cmd("P1", KG_A, GroupLanguage::Kk, 2020, 1), "2026-08-20T11:00:00+05:00");
    let events = ok(&mut s, &distribute(), "2026-09-02T10:00:00+05:00");
    let issued: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::VoucherIssued { application, .. } => Some(application.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(issued, ["NEXT"]);
    assert_eq!(status(&s, "OLD"), Status::Archived);
}

#[test]
fn choosing_needs_a_free_place_of_that_kindergarten_language_and_year() {
    let mut s = new_state();
    for i in 1..=2u32 {
        ok(&mut s, &register_cmd(&format!("A{i}"), &child_iin(BIRTH, i), BIRTH, RightClass::None), T_REG);
    }
    ok(&mut s, &places_cmd("P1", KG_A, GroupLanguage::Kk, 2022, 1), T_PLACES);
    ok(&mut s, &places_cmd("P2", KG_B, GroupLanguage::Ru, 2022, 1), T_PLACES);
    ok(&mut s, &distribute(), T_DIST);
    for id in ["A1", "A2"] {
        ok(&mut s, &act(id, Action::ConfirmVoucher), T_CONFIRM);
    }
    ok(&mut s, &act("A1", choose_a()), T_CHOOSE);
    let cases = [
        (choose_a(), "NO_FREE_PLACE"),
        (Action::ChooseKindergarten { kindergarten: KG_A.into(), language: GroupLanguage::Ru }, "NO_FREE_PLACE"),
        (Action::ChooseKindergarten { kindergarten: KG_B.into(), language: GroupLanguage::Kk }, "LANGUAGE_NOT_OFFERED"),
        (
            Action::ChooseKindergarten { kindergarten: KG_OTHER.into(), language: GroupLanguage::Kk },
            "KINDERGARTEN_MISMATCH",
        ),
        (
            Action::ChooseKindergarten { kindergarten: KG_SAN.into(), language: GroupLanguage::Ru },
            "KINDERGARTEN_MISMATCH",
        ),
        (
            Action::ChooseKindergarten { kindergarten: "KG-NONE".into(), language: GroupLanguage::Ru },
            "UNKNOWN_KINDERGARTEN",
        ),
    ];
    for (action, code) in cases {
        let error = rejected(&mut s, &act("A2", action.clone()), T_CHOOSE);
        assert_eq!(error.code(), code, "{action:?}: {error:?}");
    }
    let error = rejected(&mut s, &act("A2", choose_a()), T_CHOOSE);
    assert_eq!(
        error,
        CommandError::NoFreePlace { kindergarten: KG_A.into(), language: GroupLanguage::Kk, group_year: 2022 }
    );
    ok(
        &mut s,
        &act("A2", Action::ChooseKindergarten { kindergarten: KG_B.into(), language: GroupLanguage::Ru }),
        T_CHOOSE,
    );
    assert!(s.free_slots().is_empty());
}

#[test]
fn one_active_application_per_child_and_queue_type() {
    let mut s = new_state();
    ok(&mut s, &register_cmd("A1", &a1_iin(), BIRTH, RightClass::None), T_REG);
    let error = rejected(&mut s, &register_cmd("A2", &a1_iin(), BIRTH, RightClass::None), T_PLACES);
    assert_eq!(error, CommandError::DuplicateChild { existing: "A1".into() });
    assert_eq!(error.code(), "DUPLICATE_CHILD");
    let error = rejected(&mut s, &register_cmd("A1", &child_iin(BIRTH, 9), BIRTH, RightClass::None), T_PLACES);
    assert_eq!(error.code(), "DUPLICATE_APPLICATION");
    // Another queue type is another queue.
    let sanatorium = Command::Register {
        application: new_application("S1", &a1_iin(), BIRTH, RightClass::None, rules::QueueType::Sanatorium),
    };
    ok(&mut s, &sanatorium, T_PLACES);
    assert_eq!(s.position("S1"), Some(1));
    assert_eq!(s.position("A1"), Some(1));
}

#[test]
fn registration_validates_its_input() {
    let mut s = new_state();
    let mut bad_iin = new_application("A1", &a1_iin(), BIRTH, RightClass::None, rules::QueueType::General);
    bad_iin.child_iin.replace_range(11..12, if bad_iin.child_iin.ends_with('0') { "1" } else { "0" });
    let error = rejected(&mut s, &Command::Register { application: bad_iin }, T_REG);
    assert_eq!(error.code(), "IIN_CHECKSUM");
    let mut no_category = new_application("A1", &a1_iin(), BIRTH, RightClass::First, rules::QueueType::General);
    no_category.right_category = None;
    let error = rejected(&mut s, &Command::Register { application: no_category }, T_REG);
    assert_eq!(error, CommandError::InvalidField { field: "rightCategory", problem: FieldProblem::Missing });
    let error =
        rejected(&mut s, &register_cmd("A1", &child_iin("2026-02-03", 1), "2026-02-03", RightClass::None), T_REG);
    assert_eq!(error, CommandError::BirthDateInFuture);
    // The IIN's date may differ from the birth date: a warning, not a rejection.
    ok(&mut s, &register_cmd("A1", &child_iin("2022-05-02", 1), BIRTH, RightClass::None), T_REG);
    assert_eq!(s.application("A1").unwrap().warnings, [rules::model::Warning::BirthDateDiffersFromIin]);
}

#[test]
fn unknown_application_is_a_typed_error() {
    let mut s = new_state();
    let error = rejected(&mut s, &act("NOPE", Action::Withdraw), T_REG);
    assert_eq!(error, CommandError::UnknownApplication { id: "NOPE".into() });
}

#[test]
fn each_command_names_the_one_role_that_may_issue_it() {
    let cases: Vec<(Command, Role)> = vec![
        (register_cmd("A1", &a1_iin(), BIRTH, RightClass::None), Role::Operator),
        (places_cmd("P1", KG_A, GroupLanguage::Kk, 2022, 1), Role::Kindergarten),
        (distribute(), Role::Center),
        (Command::Tick, Role::Center),
        (act("A1", Action::IssueVoucher), Role::Center),
        (act("A1", Action::ConfirmVoucher), Role::Operator),
        (act("A1", Action::RestoreVoucher), Role::Operator),
        (act("A1", Action::ExtendChoice { days: 3 }), Role::Operator),
        (act("A1", choose_a()), Role::Operator),
        (act("A1", Action::RefuseVoucher), Role::Operator),
        (act("A1", Action::Withdraw), Role::Operator),
        (act("A1", Action::AcceptChild), Role::Kindergarten),
        (act("A1", sample(ActionKind::RefuseChild, "")), Role::Kindergarten),
        (act("A1", sample(ActionKind::MarkDeparted, "2026-02-06")), Role::Kindergarten),
        (act("A1", Action::UpholdRefusal), Role::Reviewer),
        (act("A1", Action::OverruleRefusal), Role::Reviewer),
    ];
    for (command, role) in &cases {
        assert_eq!(command.required_role(), *role, "{}", command.name());
    }
    // An administrator manages kiosks and operators but issues no queue command.
    assert!(cases.iter().all(|(c, _)| c.required_role() != Role::Admin));
    // Every action kind appears in the table above.
    for kind in ActionKind::ALL {
        assert!(cases.iter().any(|(c, _)| c.name() == kind.as_str()), "{kind:?} missing");
    }
}

#[test]
fn children_age_out_of_every_waiting_status_on_1_september() {
    let birth = "2020-09-01";
    let mut s = new_state();
    for (i, id) in ["A", "B", "C", "D"].iter().enumerate() {
        let serial = u32::try_from(i).unwrap() + 1;
        let now = format!("2026-08-03T10:0{i}:00+05:00");
        ok(&mut s, &register_cmd(id, &child_iin(birth, serial), birth, RightClass::None), &now);
    }
    // A: voucher on Mon 10 Aug, not confirmed by Wed 12 Aug: stop-listed until 9 Sep.
    ok(&mut s, &places_cmd("P1", KG_A, GroupLanguage::Kk, 2020, 1), "2026-08-03T11:00:00+05:00");
    ok(&mut s, &distribute(), "2026-08-10T09:00:00+05:00");
    ok(&mut s, &Command::Tick, "2026-08-13T09:00:00+05:00");
    // B and C: vouchers on Fri 28 Aug (confirm by Wed 2 Sep); B confirms (choose by 7 Sep).
    ok(&mut s, &places_cmd("P2", KG_A, GroupLanguage::Kk, 2020, 2), "2026-08-27T11:00:00+05:00");
    ok(&mut s, &distribute(), "2026-08-28T09:00:00+05:00");
    ok(&mut s, &act("B", Action::ConfirmVoucher), "2026-08-28T10:00:00+05:00");
    let before: Vec<Status> = ["A", "B", "C", "D"].iter().map(|id| status(&s, id)).collect();
    assert_eq!(before, [Status::StopListed, Status::VoucherConfirmed, Status::VoucherIssued, Status::Queued]);
    let events = ok(&mut s, &Command::Tick, "2026-09-01T00:00:00+05:00");
    let aged: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::Archived { application, at: when, reason: ArchiveReason::AgedOut }
                if *when == at("2026-09-01T00:00:00+05:00") =>
            {
                Some(application.as_str())
            }
            _ => None,
        })
        .collect();
    assert_eq!(events.len(), 4, "{events:?}");
    assert_eq!(aged, ["A", "B", "C", "D"]);
}
