//! How many days are left until a deadline: the one definition the kiosk card and the
//! parents' portal (through WASM) show.
//!
//! Today counts while it is not over: on the deadline's last day 1 day is left, after the
//! deadline 0. The confirm and choose periods count working days (the deadline's own day
//! always counts, even a day off that an extension landed on); the restore period counts
//! calendar days, as its deadline does.

use serde::Serialize;

use crate::calendar::{Calendar, OutOfRange};
use crate::deadline::DeadlineKind;
use crate::time::Instant;

/// What the days of a period are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DayUnit {
    /// Working days of the embedded calendar (confirm, choose).
    Working,
    /// Calendar days (restore).
    Calendar,
}

impl DayUnit {
    /// The unit a deadline of `kind` is counted in.
    pub fn of(kind: DeadlineKind) -> Self {
        match kind {
            DeadlineKind::Confirm | DeadlineKind::Choose => DayUnit::Working,
            DeadlineKind::Restore => DayUnit::Calendar,
        }
    }
}

/// Days left until a deadline, and what they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DaysLeft {
    pub days: u32,
    pub unit: DayUnit,
}

/// Days left at `now` until `deadline`, a deadline of `kind`: 0 once `now` is after it;
/// otherwise the days from today to the deadline's day, both included (calendar days for
/// `restore`; for `confirm` and `choose` the working days before the deadline's day from
/// today on, plus the deadline's day itself). `OutOfRange` when a working day to count
/// lies beyond the calendar's data.
pub fn days_left(
    calendar: &Calendar,
    kind: DeadlineKind,
    deadline: Instant,
    now: Instant,
) -> Result<DaysLeft, OutOfRange> {
    let unit = DayUnit::of(kind);
    if now > deadline {
        return Ok(DaysLeft { days: 0, unit });
    }
    let (today, last) = (now.local_date(), deadline.local_date());
    let days = match unit {
        DayUnit::Calendar => {
            let span = last.0.signed_duration_since(today.0).num_days();
            u32::try_from(span + 1).map_err(|_| OutOfRange)?
        }
        DayUnit::Working if last <= today => 1,
        DayUnit::Working => {
            // Working days in [today, last), then the last day itself.
            let before = u32::from(calendar.is_working_day(today)?) + calendar.working_days_between(today, last)?
                - u32::from(calendar.is_working_day(last)?);
            before + 1
        }
    };
    Ok(DaysLeft { days, unit })
}

/// After this many whole days without contact a kiosk is shown as offline, with a warning.
pub const OFFLINE_WARNING_DAYS: u32 = 3;

/// Whole days from `last` to `now` (0 when `last` is later): how long a kiosk has been
/// offline, as the center's console shows it.
pub fn days_since(last: Instant, now: Instant) -> u32 {
    u32::try_from(now.0.signed_duration_since(last.0).num_days()).unwrap_or(0)
}

/// Whether a kiosk last heard from at `last` (never: `None`) is overdue at `now`.
pub fn offline_warning(last: Option<Instant>, now: Instant) -> bool {
    last.is_none_or(|last| days_since(last, now) >= OFFLINE_WARNING_DAYS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Instant {
        text.parse().unwrap()
    }

    fn left(kind: DeadlineKind, deadline: &str, now: &str) -> u32 {
        days_left(Calendar::embedded(), kind, at(deadline), at(now)).unwrap().days
    }

    #[test]
    fn offline_days_are_whole_days() {
        let last = at("2026-03-20T10:00:00+05:00");
        assert_eq!(days_since(last, at("2026-03-23T09:59:59+05:00")), 2);
        assert!(!offline_warning(Some(last), at("2026-03-23T09:59:59+05:00")));
        assert!(offline_warning(Some(last), at("2026-03-23T10:00:00+05:00")));
        assert_eq!(days_since(last, at("2026-03-19T10:00:00+05:00")), 0);
        assert!(offline_warning(None, last));
    }

    #[test]
    fn the_last_day_counts_until_it_is_over() {
        let d = "2026-03-26T23:59:59+05:00"; // Thursday, after Nauryz
        assert_eq!(left(DeadlineKind::Confirm, d, "2026-03-26T00:00:00+05:00"), 1);
        assert_eq!(left(DeadlineKind::Confirm, d, "2026-03-26T23:59:59+05:00"), 1, "at the deadline: in time");
        assert_eq!(left(DeadlineKind::Confirm, d, "2026-03-27T00:00:00+05:00"), 0);
        // Friday 20 March: Fri 20, (Nauryz 21-25 off), Thu 26.
        assert_eq!(left(DeadlineKind::Confirm, d, "2026-03-20T10:00:00+05:00"), 2);
        // On a day off (Mon 23, Nauryz): only Thursday is left.
        assert_eq!(left(DeadlineKind::Confirm, d, "2026-03-23T10:00:00+05:00"), 1);
        // Late Wednesday UTC is already Thursday in Kazakhstan.
        assert_eq!(left(DeadlineKind::Confirm, d, "2026-03-25T19:00:00Z"), 1);
    }

    #[test]
    fn restore_counts_calendar_days_today_included() {
        let d = "2026-03-25T23:59:59+05:00";
        assert_eq!(
            days_left(Calendar::embedded(), DeadlineKind::Restore, at(d), at("2026-03-25T08:00:00+05:00")).unwrap(),
            DaysLeft { days: 1, unit: DayUnit::Calendar }
        );
        assert_eq!(left(DeadlineKind::Restore, d, "2026-02-26T00:00:00+05:00"), 28);
        assert_eq!(left(DeadlineKind::Restore, d, "2026-03-26T00:00:00+05:00"), 0);
    }

    #[test]
    fn an_extended_deadline_on_a_day_off_still_counts_its_day() {
        // Extended to Sunday 14 June 2026.
        let d = "2026-06-14T23:59:59+05:00";
        assert_eq!(left(DeadlineKind::Choose, d, "2026-06-14T09:00:00+05:00"), 1);
        assert_eq!(left(DeadlineKind::Choose, d, "2026-06-13T09:00:00+05:00"), 1, "Saturday: Sunday only");
        assert_eq!(left(DeadlineKind::Choose, d, "2026-06-12T09:00:00+05:00"), 2, "Friday and Sunday");
    }

    #[test]
    fn beyond_the_calendar_is_out_of_range_for_working_days_only() {
        let cal = Calendar::embedded();
        let far = at("9999-12-31T23:59:59+05:00");
        let now = at("2026-01-01T00:00:00Z");
        assert_eq!(days_left(cal, DeadlineKind::Choose, far, now), Err(OutOfRange));
        assert!(days_left(cal, DeadlineKind::Restore, far, now).is_ok());
        assert_eq!(days_left(cal, DeadlineKind::Choose, now, far).map(|d| d.days), Ok(0), "passed");
    }
}
