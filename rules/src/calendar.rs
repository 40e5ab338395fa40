//! The working-day calendar of Kazakhstan, from `data/calendar.json` embedded at build time.
//!
//! A working day is Monday–Friday that is not a day off. Days off of a year: the
//! statutory holidays and the first day of Kurban Ait; a holiday on Saturday or Sunday
//! moves to the next working day (not 7 January, not Kurban Ait); then the year's
//! government transfers (extra days off, extra working days).
//!
//! A year with no data (before 2025 or after the last listed year) is *estimated*: the
//! statutory rule applies, but Kurban Ait (a lunar date) and transfers are unknown and left
//! out. `year_status` says so, so that a host can warn.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use crate::i18n::Text;
use crate::time::Date;

pub(crate) struct StatutoryHoliday {
    pub month: u32,
    pub day: u32,
    pub moves_off_weekend: bool,
    pub name: Text,
}

pub(crate) struct YearData {
    pub year: i32,
    pub provisional: bool,
    pub kurban_ait: (u32, u32),
    pub extra_days_off: &'static [(u32, u32)],
    pub extra_working_days: &'static [(u32, u32)],
    pub source: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/calendar_data.rs"));

/// How far a year's calendar can be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum YearStatus {
    /// Confirmed by an official decree.
    Official,
    /// Listed in the data but not yet confirmed by a decree.
    Provisional,
    /// Not in the data: statutory holidays only, without Kurban Ait or transfers.
    Estimated,
}

/// Why a day is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOffReason {
    Weekend,
    Holiday(Text),
    /// A holiday that fell on a weekend, moved here.
    MovedHoliday(Text),
    /// A government transfer.
    Transfer,
}

/// Orders a short list (a year's holidays) by date, keeping the given order among equal
/// dates. An insertion sort: the standard stable sort and `BTreeSet`'s bulk build add
/// kilobytes of code per element type to the WebAssembly module.
fn sort_by_date<T>(list: &mut [T], date: impl Fn(&T) -> NaiveDate) {
    for i in 1..list.len() {
        let mut j = i;
        while j > 0 && date(&list[j - 1]) > date(&list[j]) {
            list.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// One year's days off, computed once.
#[derive(Debug, Clone)]
struct YearCalendar {
    status: YearStatus,
    /// Weekdays that are off, with the reason.
    weekday_holidays: Vec<(NaiveDate, DayOffReason)>,
    extra_working_days: BTreeSet<NaiveDate>,
}

impl YearCalendar {
    fn build(year: i32) -> Self {
        let data = YEARS.iter().find(|y| y.year == year);
        let in_year = |(month, day): (u32, u32)| NaiveDate::from_ymd_opt(year, month, day);
        // (date, moves off a weekend, name)
        let mut holidays: Vec<(NaiveDate, bool, Text)> = STATUTORY
            .iter()
            .filter_map(|h| in_year((h.month, h.day)).map(|d| (d, h.moves_off_weekend, h.name)))
            .collect();
        if let Some(kurban) = data.and_then(|y| in_year(y.kurban_ait)) {
            holidays.push((kurban, false, KURBAN_AIT_NAME));
        }
        sort_by_date(&mut holidays, |h| h.0);
        let is_weekend = |d: NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        let mut off: Vec<(NaiveDate, DayOffReason)> = holidays
            .iter()
            .filter(|(d, _, _)| !is_weekend(*d))
            .map(|(d, _, name)| (*d, DayOffReason::Holiday(*name)))
            .collect();
        let mut taken = BTreeSet::new();
        for h in &holidays {
            taken.insert(h.0);
        }
        for (day, moves, name) in &holidays {
            if !*moves || !is_weekend(*day) {
                continue;
            }
            let mut candidate = *day;
            while let Some(next) = candidate.succ_opt() {
                candidate = next;
                if !is_weekend(candidate) && !taken.contains(&candidate) {
                    taken.insert(candidate);
                    off.push((candidate, DayOffReason::MovedHoliday(*name)));
                    break;
                }
            }
        }
        if let Some(y) = data {
            off.extend(y.extra_days_off.iter().filter_map(|md| in_year(*md)).map(|d| (d, DayOffReason::Transfer)));
        }
        sort_by_date(&mut off, |o| o.0);
        off.dedup_by_key(|o| o.0);
        let status = match data {
            Some(y) if y.provisional => YearStatus::Provisional,
            Some(_) => YearStatus::Official,
            None => YearStatus::Estimated,
        };
        let mut extra_working_days = BTreeSet::new();
        for day in data.map_or(&[][..], |y| y.extra_working_days).iter().filter_map(|md| in_year(*md)) {
            extra_working_days.insert(day);
        }
        YearCalendar { status, weekday_holidays: off, extra_working_days }
    }

    fn day_off_reason(&self, day: NaiveDate) -> Option<DayOffReason> {
        if self.extra_working_days.contains(&day) {
            return None;
        }
        if let Ok(i) = self.weekday_holidays.binary_search_by_key(&day, |o| o.0) {
            return Some(self.weekday_holidays[i].1);
        }
        matches!(day.weekday(), Weekday::Sat | Weekday::Sun).then_some(DayOffReason::Weekend)
    }
}

/// The calendar: every year the data lists, plus estimated years on demand.
#[derive(Debug)]
pub struct Calendar {
    known: Vec<(i32, YearCalendar)>,
}

/// Asked for more working days than the calendar can count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the date is out of the calendar's range")]
pub struct OutOfRange;

/// A summary of one listed year, for hosts that show which calendar they run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct YearInfo {
    pub year: i32,
    pub status: YearStatus,
    pub working_days: u32,
    pub source: &'static str,
}

/// Upper bound on `n` in `working_days_after`, far beyond any deadline.
pub const MAX_WORKING_DAYS: u32 = 100_000;

impl Calendar {
    /// The calendar embedded from `data/calendar.json`.
    pub fn embedded() -> &'static Calendar {
        static CALENDAR: OnceLock<Calendar> = OnceLock::new();
        CALENDAR
            .get_or_init(|| Calendar { known: YEARS.iter().map(|y| (y.year, YearCalendar::build(y.year))).collect() })
    }

    /// The data version of the embedded calendar.
    pub fn version(&self) -> &'static str {
        CALENDAR_VERSION
    }

    fn with_year<T>(&self, year: i32, f: impl FnOnce(&YearCalendar) -> T) -> T {
        match self.known.iter().find(|(y, _)| *y == year) {
            Some((_, cal)) => f(cal),
            None => f(&YearCalendar::build(year)),
        }
    }

    pub fn year_status(&self, year: i32) -> YearStatus {
        self.with_year(year, |c| c.status)
    }

    /// Why `date` is not a working day, or `None` when it is one.
    pub fn day_off_reason(&self, date: Date) -> Option<DayOffReason> {
        self.with_year(date.year(), |c| c.day_off_reason(date.0))
    }

    pub fn is_working_day(&self, date: Date) -> bool {
        self.day_off_reason(date).is_none()
    }

    /// The `n`-th working day strictly after `date` (`n >= 1`).
    pub fn working_days_after(&self, date: Date, n: u32) -> Result<Date, OutOfRange> {
        if n == 0 || n > MAX_WORKING_DAYS {
            return Err(OutOfRange);
        }
        let mut day = date.0;
        let mut remaining = n;
        let mut year = self.year_for_scan(day.year());
        while remaining > 0 {
            day = day.succ_opt().ok_or(OutOfRange)?;
            if day.year() != year.0 {
                year = self.year_for_scan(day.year());
            }
            if year.1.day_off_reason(day).is_none() {
                remaining -= 1;
            }
        }
        Ok(Date(day))
    }

    /// Working days from the day after `from` up to and including `to` (0 when `to <= from`).
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut count = 0;
        let mut day = from.0;
        while day < to.0 {
            let Some(next) = day.succ_opt() else { break };
            day = next;
            if self.is_working_day(Date(day)) {
                count += 1;
            }
        }
        count
    }

    fn year_for_scan(&self, year: i32) -> (i32, std::borrow::Cow<'_, YearCalendar>) {
        match self.known.iter().find(|(y, _)| *y == year) {
            Some((_, cal)) => (year, std::borrow::Cow::Borrowed(cal)),
            None => (year, std::borrow::Cow::Owned(YearCalendar::build(year))),
        }
    }

    /// The listed years with their status and number of working days.
    pub fn years(&self) -> Vec<YearInfo> {
        YEARS
            .iter()
            .map(|y| {
                let working_days = self.with_year(y.year, |c| {
                    let mut day = NaiveDate::from_ymd_opt(y.year, 1, 1).expect("1 January exists");
                    let mut count = 0;
                    while day.year() == y.year {
                        if c.day_off_reason(day).is_none() {
                            count += 1;
                        }
                        day = day.succ_opt().expect("within range");
                    }
                    count
                });
                YearInfo { year: y.year, status: self.year_status(y.year), working_days, source: y.source }
            })
            .collect()
    }

    /// The days off that fall on weekdays in `year`, with their names (for calendars on screen).
    pub fn weekday_days_off(&self, year: i32) -> Vec<(Date, DayOffReason)> {
        self.with_year(year, |c| c.weekday_holidays.iter().map(|(d, r)| (Date(*d), *r)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn year_2026_has_246_working_days_and_the_listed_days_off() {
        let cal = Calendar::embedded();
        let info = cal.years().into_iter().find(|y| y.year == 2026).unwrap();
        assert_eq!(info.working_days, 246);
        assert_eq!(info.status, YearStatus::Official);
        let days_off: Vec<String> = cal.weekday_days_off(2026).iter().map(|(d, _)| d.to_string()).collect();
        assert_eq!(
            days_off,
            [
                "2026-01-01",
                "2026-01-02",
                "2026-01-07",
                "2026-03-09",
                "2026-03-23",
                "2026-03-24",
                "2026-03-25",
                "2026-05-01",
                "2026-05-07",
                "2026-05-11",
                "2026-05-27",
                "2026-07-06",
                "2026-08-31",
                "2026-10-26",
                "2026-12-16"
            ]
        );
    }

    #[test]
    fn nauryz_2026_moves_saturday_and_sunday_past_monday() {
        let cal = Calendar::embedded();
        // Fri 20 Mar works; Sat 21, Sun 22 are Nauryz on a weekend; Mon 23 Nauryz; Tue 24, Wed 25 moved.
        let table = [
            ("2026-03-20", true),
            ("2026-03-21", false),
            ("2026-03-22", false),
            ("2026-03-23", false),
            ("2026-03-24", false),
            ("2026-03-25", false),
            ("2026-03-26", true),
        ];
        for (day, working) in table {
            assert_eq!(cal.is_working_day(d(day)), working, "{day}");
        }
        assert!(matches!(cal.day_off_reason(d("2026-03-24")), Some(DayOffReason::MovedHoliday(_))));
        assert_eq!(cal.working_days_after(d("2026-03-20"), 1).unwrap(), d("2026-03-26"));
        assert_eq!(cal.working_days_after(d("2026-03-20"), 2).unwrap(), d("2026-03-27"));
    }

    #[test]
    fn may_2026() {
        let cal = Calendar::embedded();
        // 9 May is a Saturday: moves to Monday 11 May. 27 May is Kurban Ait.
        assert!(!cal.is_working_day(d("2026-05-11")));
        assert!(cal.is_working_day(d("2026-05-08")));
        assert!(!cal.is_working_day(d("2026-05-27")));
        assert_eq!(cal.working_days_after(d("2026-05-06"), 2).unwrap(), d("2026-05-12"));
        assert_eq!(cal.working_days_after(d("2026-05-26"), 1).unwrap(), d("2026-05-28"));
    }

    #[test]
    fn december_2026_into_2027() {
        let cal = Calendar::embedded();
        assert!(!cal.is_working_day(d("2026-12-16")));
        assert_eq!(cal.working_days_after(d("2026-12-15"), 1).unwrap(), d("2026-12-17"));
        // Thu 31 Dec 2026 works; 1 Jan 2027 Fri is off, 2 Jan Sat moves to Mon 4 Jan; 7 Jan Thu off.
        assert_eq!(cal.working_days_after(d("2026-12-30"), 1).unwrap(), d("2026-12-31"));
        assert_eq!(cal.working_days_after(d("2026-12-31"), 1).unwrap(), d("2027-01-05"));
        assert_eq!(cal.working_days_after(d("2027-01-06"), 1).unwrap(), d("2027-01-08"));
        assert_eq!(cal.year_status(2027), YearStatus::Provisional);
    }

    #[test]
    fn january_7_and_kurban_ait_do_not_move() {
        let cal = Calendar::embedded();
        // 7 Jan 2024 was a Sunday (estimated year): Monday 8 Jan works.
        assert!(cal.is_working_day(d("2024-01-08")));
        // Kurban Ait 2027 falls on Sunday 16 May: Monday 17 May works.
        assert!(cal.is_working_day(d("2027-05-17")));
    }

    #[test]
    fn transfers_of_2025() {
        let cal = Calendar::embedded();
        assert!(!cal.is_working_day(d("2025-01-03")));
        assert!(cal.is_working_day(d("2025-01-05")), "Sunday 5 Jan 2025 was a working day");
        assert_eq!(cal.working_days_after(d("2025-01-02"), 1).unwrap(), d("2025-01-05"));
    }

    #[test]
    fn unlisted_year_is_estimated_from_the_statutory_rule() {
        let cal = Calendar::embedded();
        assert_eq!(cal.year_status(2030), YearStatus::Estimated);
        // 2030: 8 March is a Friday, 21 March Thursday, 22 Fri, 23 Sat -> Mon 25.
        assert!(!cal.is_working_day(d("2030-03-08")));
        assert!(!cal.is_working_day(d("2030-03-25")));
        assert!(cal.is_working_day(d("2030-03-26")));
    }

    #[test]
    fn working_days_after_rejects_zero_and_huge_n() {
        let cal = Calendar::embedded();
        assert_eq!(cal.working_days_after(d("2026-01-01"), 0), Err(OutOfRange));
        assert_eq!(cal.working_days_after(d("2026-01-01"), MAX_WORKING_DAYS + 1), Err(OutOfRange));
        assert!(cal.working_days_after(d("2026-01-01"), MAX_WORKING_DAYS).is_ok());
    }
}
