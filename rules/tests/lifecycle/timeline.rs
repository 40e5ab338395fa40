//! A1's fixed 2026 timeline (see the test root) and the ways to bring it to any status.

use rules::command::ActionKind;
use rules::model::GroupLanguage;
use rules::state::PlaceSlot;
use rules::{Action, Command, RightClass, State, Status};

use crate::common::*;

pub(crate) const BIRTH: &str = "2022-05-01";
pub(crate) const T_REG: &str = "2026-02-02T10:00:00+05:00";
pub(crate) const T_PLACES: &str = "2026-02-02T11:00:00+05:00";
pub(crate) const T_DIST: &str = "2026-02-03T09:00:00+05:00";
pub(crate) const CONFIRM_DEADLINE: &str = "2026-02-05T23:59:59+05:00";
pub(crate) const T_CONFIRM: &str = "2026-02-04T10:00:00+05:00";
pub(crate) const CHOOSE_DEADLINE: &str = "2026-02-11T23:59:59+05:00";
pub(crate) const T_CHOOSE: &str = "2026-02-05T10:00:00+05:00";
pub(crate) const T_KG: &str = "2026-02-06T10:00:00+05:00";
/// The missed confirm deadline (5 Feb) plus 28 calendar days.
pub(crate) const RESTORE_DEADLINE: &str = "2026-03-05T23:59:59+05:00";

pub(crate) fn a1_iin() -> String {
    child_iin(BIRTH, 1)
}

pub(crate) fn slot() -> PlaceSlot {
    PlaceSlot { kindergarten: KG_A.into(), language: GroupLanguage::Kk, group_year: 2022 }
}

pub(crate) fn choose_a() -> Action {
    Action::ChooseKindergarten { kindergarten: KG_A.into(), language: GroupLanguage::Kk }
}

/// A valid instance of each action, for an application whose local "today" is `today`.
pub(crate) fn sample(kind: ActionKind, today: &str) -> Action {
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
pub(crate) fn reach(target: Status) -> (State, &'static str) {
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
