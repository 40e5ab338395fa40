//! Voucher deadlines. A deadline is the end of a local day (23:59:59 at +05:00); an
//! action at or before it is in time.

use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, OutOfRange};
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
}

/// The deadline of `kind` counted from `from`, at 23:59:59+05:00.
pub fn deadline(calendar: &Calendar, kind: DeadlineKind, from: Instant) -> Result<Instant, OutOfRange> {
    let local = from.local_date();
    let day = match kind {
        DeadlineKind::Confirm => calendar.working_days_after(local, CONFIRM_WORKING_DAYS)?,
        DeadlineKind::Choose => calendar.working_days_after(local, CHOOSE_WORKING_DAYS)?,
        DeadlineKind::Restore => local.checked_plus_days(RESTORE_CALENDAR_DAYS).ok_or(OutOfRange)?,
    };
    Ok(day.end_of_day())
}

/// The choose deadline moved by `days` calendar days (the caller checks `EXTEND_DAYS`).
pub fn extended(choose_deadline: Instant, days: u32) -> Result<Instant, OutOfRange> {
    Ok(choose_deadline.local_date().checked_plus_days(days).ok_or(OutOfRange)?.end_of_day())
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
        assert_eq!(d.to_string(), "2026-03-26T23:59:59+05:00");
        // Issued late on Friday UTC, which is already Saturday in Kazakhstan.
        let d = deadline(cal, DeadlineKind::Confirm, at("2026-03-06T20:00:00Z")).unwrap();
        // Local Sat 7 Mar; Mon 9 Mar off (8 Mar moved); Tue 10, Wed 11.
        assert_eq!(d.to_string(), "2026-03-11T23:59:59+05:00");
    }

    #[test]
    fn choose_counts_five_working_days() {
        let cal = Calendar::embedded();
        // Confirmed Tue 5 May 2026: Wed 6 (1), Fri 8 (2), Tue 12 (3), Wed 13 (4), Thu 14 (5).
        let d = deadline(cal, DeadlineKind::Choose, at("2026-05-05T09:00:00+05:00")).unwrap();
        assert_eq!(d.to_string(), "2026-05-14T23:59:59+05:00");
    }

    #[test]
    fn restore_counts_28_calendar_days_without_roll_forward() {
        let cal = Calendar::embedded();
        let d = deadline(cal, DeadlineKind::Restore, at("2026-02-25T23:59:59+05:00")).unwrap();
        assert_eq!(d.to_string(), "2026-03-25T23:59:59+05:00", "a holiday is not skipped");
    }

    #[test]
    fn extension_moves_the_local_date() {
        let d = extended(at("2026-05-14T23:59:59+05:00"), 30).unwrap();
        assert_eq!(d.to_string(), "2026-06-13T23:59:59+05:00");
    }
}
