//! Voucher deadlines. A deadline is the end of a local day (23:59:59 at +05:00); an
//! action at or before it is in time.

use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, Counted, OutOfRange};
use crate::command::ActionKind;
use crate::model::Voucher;
use crate::time::Instant;

/// Working days after the issue day to confirm interest in a voucher.
pub const CONFIRM_WORKING_DAYS: u32 = 2;
/// Working days after confirmation to choose a kindergarten and sign the contract.
pub const CHOOSE_WORKING_DAYS: u32 = 5;
/// Calendar days after the missed confirm deadline during which a stop-listed voucher may be restored.
pub const RESTORE_CALENDAR_DAYS: u32 = 28;
/// The choose deadline may be extended once by this many calendar days.
pub const EXTEND_DAYS: std::ops::RangeInclusive<u32> = 1..=30;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeadlineKind {
    /// From the voucher's issue instant.
    Confirm,
    /// From the confirmation (or restore) instant.
    Choose,
    /// From the missed confirm deadline; calendar days, no roll-forward.
    Restore,
}

impl DeadlineKind {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "confirm" => Some(DeadlineKind::Confirm),
            "choose" => Some(DeadlineKind::Choose),
            "restore" => Some(DeadlineKind::Restore),
            _ => None,
        }
    }

    /// The action an application waiting on this deadline is waiting for: confirming,
    /// choosing a kindergarten, restoring from the stop-list.
    pub fn awaited_action(self) -> ActionKind {
        match self {
            DeadlineKind::Confirm => ActionKind::ConfirmVoucher,
            DeadlineKind::Choose => ActionKind::ChooseKindergarten,
            DeadlineKind::Restore => ActionKind::RestoreVoucher,
        }
    }
}

/// The deadline `action` must be taken by: confirming by the confirm deadline, choosing (or
/// extending the choice) by the choose deadline, restoring by the restore deadline. The
/// other actions have none.
pub fn due_by(action: ActionKind) -> Option<DeadlineKind> {
    match action {
        ActionKind::ConfirmVoucher => Some(DeadlineKind::Confirm),
        ActionKind::ChooseKindergarten | ActionKind::ExtendChoice => Some(DeadlineKind::Choose),
        ActionKind::RestoreVoucher => Some(DeadlineKind::Restore),
        _ => None,
    }
}

/// The deadline `action` starts, counted from the moment it is taken: a voucher's issue
/// starts the confirm deadline, confirming or restoring starts the choose deadline. (The
/// restore deadline is started by the missed confirm deadline, not by an action.)
pub fn started_by(action: ActionKind) -> Option<DeadlineKind> {
    match action {
        ActionKind::IssueVoucher => Some(DeadlineKind::Confirm),
        ActionKind::ConfirmVoucher | ActionKind::RestoreVoucher => Some(DeadlineKind::Choose),
        _ => None,
    }
}

/// A deadline: the end of its local day, and whether it rests on provisional calendar data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Deadline {
    /// 23:59:59+05:00 of the deadline's local day.
    pub at: Instant,
    /// A working day counted over, or the deadline's day, lies in a provisional year of the
    /// calendar (no decree yet): a later decree may move the deadline. Always `false` for
    /// `restore`, which counts calendar days.
    pub provisional: bool,
}

/// The deadline of `kind` counted from `from`, at 23:59:59+05:00. A working day the count
/// needs outside the calendar's data is `OutOfRange` (`CALENDAR_OUT_OF_RANGE`).
pub fn deadline(calendar: &Calendar, kind: DeadlineKind, from: Instant) -> Result<Deadline, OutOfRange> {
    let local = from.local_date();
    let counted = match kind {
        DeadlineKind::Confirm => calendar.count_working_days(local, CONFIRM_WORKING_DAYS)?,
        DeadlineKind::Choose => calendar.count_working_days(local, CHOOSE_WORKING_DAYS)?,
        DeadlineKind::Restore => {
            Counted { date: local.checked_plus_days(RESTORE_CALENDAR_DAYS).ok_or(OutOfRange)?, provisional: false }
        }
    };
    Ok(Deadline { at: counted.date.end_of_day(), provisional: counted.provisional })
}

/// The choose deadline moved by `days` calendar days (the caller checks `EXTEND_DAYS`).
pub fn extended(choose_deadline: Instant, days: u32) -> Result<Instant, OutOfRange> {
    Ok(choose_deadline.local_date().checked_plus_days(days).ok_or(OutOfRange)?.end_of_day())
}

/// A deadline a voucher holds, with whether it rests on provisional calendar data now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VoucherDeadline {
    pub kind: DeadlineKind,
    pub at: Instant,
    pub provisional: bool,
}

/// The voucher's deadlines (confirm, then choose and restore when it has them), each flagged
/// when a working day it was counted over, or its day, lies in a provisional year of
/// `calendar`. The count runs from the issue (confirm) or the confirmation (choose; the issue
/// when the voucher does not say). An extended choose deadline is flagged over its whole span,
/// extension included. A span the calendar does not cover counts as provisional.
pub fn voucher_deadlines(voucher: &Voucher, calendar: &Calendar) -> Vec<VoucherDeadline> {
    let flag =
        |from: Instant, at: Instant| calendar.provisional_between(from.local_date(), at.local_date()).unwrap_or(true);
    let mut out = vec![VoucherDeadline {
        kind: DeadlineKind::Confirm,
        at: voucher.confirm_deadline,
        provisional: flag(voucher.issued_at, voucher.confirm_deadline),
    }];
    if let Some(at) = voucher.choose_deadline {
        let from = voucher.confirmed_at.unwrap_or(voucher.issued_at);
        out.push(VoucherDeadline { kind: DeadlineKind::Choose, at, provisional: flag(from, at) });
    }
    if let Some(at) = voucher.restore_deadline {
        out.push(VoucherDeadline { kind: DeadlineKind::Restore, at, provisional: false });
    }
    out
}

/// The deadline an application waits on now, by its status: confirm (voucher issued),
/// choose (voucher confirmed), restore (stop-listed); none in any other status.
pub fn pending(app: &crate::model::Application) -> Option<(DeadlineKind, Instant)> {
    use crate::model::Status;
    let voucher = app.voucher.as_ref()?;
    match app.status {
        Status::VoucherIssued => Some((DeadlineKind::Confirm, voucher.confirm_deadline)),
        Status::VoucherConfirmed => voucher.choose_deadline.map(|at| (DeadlineKind::Choose, at)),
        Status::StopListed => voucher.restore_deadline.map(|at| (DeadlineKind::Restore, at)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Instant {
        text.parse().unwrap()
    }

    #[test]
    fn confirm_counts_two_working_days_after_the_issue_day() {
        let cal = Calendar::embedded();
        // Issued Thursday 19 Mar 2026: Fri 20 is day 1, then Nauryz 21-25, Thu 26 is day 2.
        let d = deadline(cal, DeadlineKind::Confirm, at("2026-03-19T10:00:00+05:00")).unwrap();
        assert_eq!(d.at.to_string(), "2026-03-26T23:59:59+05:00");
        assert!(!d.provisional);
        // Issued late on Friday UTC, which is already Saturday in Kazakhstan.
        let d = deadline(cal, DeadlineKind::Confirm, at("2026-03-06T20:00:00Z")).unwrap();
        // Local Sat 7 Mar; Mon 9 Mar off (8 Mar moved); Tue 10, Wed 11.
        assert_eq!(d.at.to_string(), "2026-03-11T23:59:59+05:00");
    }

    #[test]
    fn choose_counts_five_working_days() {
        let cal = Calendar::embedded();
        // Confirmed Tue 5 May 2026: Wed 6 (1), Fri 8 (2), Tue 12 (3), Wed 13 (4), Thu 14 (5).
        let d = deadline(cal, DeadlineKind::Choose, at("2026-05-05T09:00:00+05:00")).unwrap();
        assert_eq!(d.at.to_string(), "2026-05-14T23:59:59+05:00");
    }

    #[test]
    fn restore_counts_28_calendar_days_without_roll_forward() {
        let cal = Calendar::embedded();
        let d = deadline(cal, DeadlineKind::Restore, at("2026-02-25T23:59:59+05:00")).unwrap();
        assert_eq!(d.at.to_string(), "2026-03-25T23:59:59+05:00", "a holiday is not skipped");
    }

    #[test]
    fn each_deadline_is_due_for_the_action_it_awaits() {
        use ActionKind as A;
        use DeadlineKind::{Choose, Confirm, Restore};
        for kind in [Confirm, Choose, Restore] {
            assert_eq!(due_by(kind.awaited_action()), Some(kind));
        }
        // Every action with the deadline it is due by, and with the one it starts.
        let table = |of: fn(ActionKind) -> Option<DeadlineKind>| -> Vec<(ActionKind, DeadlineKind)> {
            ActionKind::ALL.into_iter().filter_map(|a| of(a).map(|k| (a, k))).collect()
        };
        let due = [
            (A::ConfirmVoucher, Confirm),
            (A::RestoreVoucher, Restore),
            (A::ExtendChoice, Choose),
            (A::ChooseKindergarten, Choose),
        ];
        assert_eq!(table(due_by), due);
        assert_eq!(
            table(started_by),
            [(A::IssueVoucher, Confirm), (A::ConfirmVoucher, Choose), (A::RestoreVoucher, Choose)]
        );
    }

    #[test]
    fn extension_moves_the_local_date() {
        let d = extended(at("2026-05-14T23:59:59+05:00"), 30).unwrap();
        assert_eq!(d.to_string(), "2026-06-13T23:59:59+05:00");
    }

    #[test]
    fn a_deadline_on_or_over_a_provisional_day_is_flagged() {
        let cal = Calendar::embedded();
        let due = |kind, from| deadline(cal, kind, at(from)).unwrap();
        // Within official 2026.
        assert!(!due(DeadlineKind::Choose, "2026-12-01T10:00:00+05:00").provisional);
        // Issued Wed 30 Dec 2026: Thu 31 Dec (1), then 2027 (provisional): Tue 5 Jan (2).
        let d = due(DeadlineKind::Confirm, "2026-12-30T10:00:00+05:00");
        assert_eq!((d.at.to_string().as_str(), d.provisional), ("2027-01-05T23:59:59+05:00", true));
        // Confirmed Thu 24 Dec 2026: 25, 28, 29, 30, 31 Dec, all in 2026.
        assert!(!due(DeadlineKind::Choose, "2026-12-24T10:00:00+05:00").provisional);
        // Confirmed Mon 28 Dec 2026: 29, 30, 31 Dec, then 5 and 6 Jan 2027.
        assert!(due(DeadlineKind::Choose, "2026-12-28T10:00:00+05:00").provisional);
        // Wholly inside a provisional year.
        assert!(due(DeadlineKind::Confirm, "2028-06-01T10:00:00+05:00").provisional);
        // Restore counts calendar days: never provisional.
        assert!(!due(DeadlineKind::Restore, "2027-06-01T23:59:59+05:00").provisional);
    }

    #[test]
    fn a_deadline_beyond_the_data_is_out_of_range() {
        let cal = Calendar::embedded();
        assert_eq!(deadline(cal, DeadlineKind::Confirm, at("2030-12-30T10:00:00+05:00")), Err(OutOfRange));
        assert_eq!(deadline(cal, DeadlineKind::Choose, at("2031-01-10T10:00:00+05:00")), Err(OutOfRange));
        assert_eq!(
            deadline(cal, DeadlineKind::Confirm, at("2030-12-27T10:00:00+05:00")).map(|d| d.at.to_string()),
            Ok("2030-12-31T23:59:59+05:00".to_owned())
        );
    }

    #[test]
    fn voucher_deadlines_flag_what_a_provisional_year_went_into() {
        let cal = Calendar::embedded();
        let voucher = |issued: &str, confirmed: Option<&str>| {
            let confirm = deadline(cal, DeadlineKind::Confirm, at(issued)).unwrap().at;
            let choose = confirmed.map(|c| deadline(cal, DeadlineKind::Choose, at(c)).unwrap().at);
            Voucher {
                issued_at: at(issued),
                confirm_deadline: confirm,
                confirmed_at: confirmed.map(at),
                choose_deadline: choose,
                extended: false,
                stop_listed_at: None,
                restore_deadline: None,
                restored: false,
            }
        };
        let flags = |v: &Voucher| voucher_deadlines(v, cal).iter().map(|d| (d.kind, d.provisional)).collect::<Vec<_>>();
        let v = voucher("2026-12-10T10:00:00+05:00", Some("2026-12-11T10:00:00+05:00"));
        assert_eq!(flags(&v), [(DeadlineKind::Confirm, false), (DeadlineKind::Choose, false)]);
        let v = voucher("2026-12-21T10:00:00+05:00", Some("2026-12-28T10:00:00+05:00"));
        assert_eq!(flags(&v), [(DeadlineKind::Confirm, false), (DeadlineKind::Choose, true)]);
        let v = voucher("2027-02-01T10:00:00+05:00", None);
        assert_eq!(flags(&v), [(DeadlineKind::Confirm, true)]);
    }
}
