//! Deadlines: confirming a voucher, the stop list and its restore, choosing a kindergarten
//! and its one extension; what the tick does when it comes late.

use rules::command::ActionKind;
use rules::error::{CommandError, FieldProblem};
use rules::model::ArchiveReason;
use rules::{Action, Command, Event, Localized, RightClass, Status};

use crate::common::*;
use crate::timeline::*;

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
