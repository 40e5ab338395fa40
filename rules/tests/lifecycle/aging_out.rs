//! Children who age out of the queue on 1 September of the year they turn 6.

use rules::command::ActionKind;
use rules::error::CommandError;
use rules::model::{ArchiveReason, GroupLanguage};
use rules::{Action, Command, Event, RightClass, Status};

use crate::common::*;
use crate::timeline::*;

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
