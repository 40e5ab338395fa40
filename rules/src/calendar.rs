//! The working-day calendar of Kazakhstan, from `data/calendar.json` embedded at build time.
//!
//! A working day is Monday–Friday that is not a day off. Days off of a year: the
//! statutory holidays that apply in that year (a holiday may be valid from or until a
//! year, as Constitution Day: 30 August until 2025, 15 March from 2027) and the first day
//! of Kurban Ait; a holiday on Saturday or Sunday moves to the next working day (not
//! 7 January, not Kurban Ait); then the year's government transfers (extra days off, extra
//! working days).
//!
//! The calendar knows the years the data lists, and only those: a date outside them is an
//! [`OutOfRange`] error (`CALENDAR_OUT_OF_RANGE`), never an estimate. A listed year without
//! an official decree is *provisional*: its transfers are unknown and its Kurban Ait date is
//! taken from published tables. Counting over such a year says so ([`Counted::provisional`]),
//! so that a host can flag the deadline.

use std::fmt;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::i18n::Text;
use crate::time::Date;

pub(crate) struct StatutoryHoliday {
    pub month: u32,
    pub day: u32,
    pub moves_off_weekend: bool,
    /// The first year the holiday applies in, if it has one.
    pub from_year: Option<i32>,
    /// The last year the holiday applies in, if it has one.
    pub until_year: Option<i32>,
    pub name: Text,
}

impl StatutoryHoliday {
    fn applies_in(&self, year: i32) -> bool {
        self.from_year.is_none_or(|from| from <= year) && self.until_year.is_none_or(|until| year <= until)
    }
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
    /// Listed in the data but not yet confirmed by a decree: transfers may still come, and
    /// Kurban Ait is from published tables.
    Provisional,
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

/// One listed year's days off, computed once.
#[derive(Debug, Clone)]
struct YearCalendar {
    year: i32,
    status: YearStatus,
    /// Weekdays that are off, with the reason.
    weekday_holidays: Vec<(NaiveDate, DayOffReason)>,
    /// Weekend days that are working days (a handful a year: a list, not a set, keeps the
    /// WebAssembly module free of a second B-tree).
    extra_working_days: Vec<NaiveDate>,
    source: String,
}

/// A year's calendar as the center sets it (a decree for a provisional year, a new year):
/// it travels to kiosks in the center's snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CalendarYear {
    pub year: i32,
    pub provisional: bool,
    /// The first day of Kurban Ait in that year.
    pub kurban_ait: Date,
    /// Weekdays a decree made days off (transfers).
    #[serde(default)]
    pub extra_days_off: Vec<Date>,
    /// Saturdays or Sundays a decree made working days.
    #[serde(default)]
    pub extra_working_days: Vec<Date>,
    /// The decree or table the year comes from.
    pub source: String,
}

/// Why a calendar year was refused (English; the rules error wraps it in three languages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarYearError(pub String);

impl YearCalendar {
    fn build(data: &YearData) -> Self {
        YearCalendar::from_parts(
            data.year,
            data.provisional,
            data.kurban_ait,
            data.extra_days_off,
            data.extra_working_days,
            data.source.to_owned(),
        )
    }

    fn from_parts(
        year: i32,
        provisional: bool,
        kurban_ait: (u32, u32),
        extra_days_off: &[(u32, u32)],
        extra_working_days_data: &[(u32, u32)],
        source: String,
    ) -> Self {
        let data = YearDataRef { kurban_ait, extra_days_off, extra_working_days: extra_working_days_data, provisional };
        let in_year = |(month, day): (u32, u32)| NaiveDate::from_ymd_opt(year, month, day);
        // (date, moves off a weekend, name)
        let mut holidays: Vec<(NaiveDate, bool, Text)> = STATUTORY
            .iter()
            .filter(|h| h.applies_in(year))
            .filter_map(|h| in_year((h.month, h.day)).map(|d| (d, h.moves_off_weekend, h.name)))
            .collect();
        if let Some(kurban) = in_year(data.kurban_ait) {
            holidays.push((kurban, false, KURBAN_AIT_NAME));
        }
        sort_by_date(&mut holidays, |h| h.0);
        let is_weekend = |d: NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        let mut off: Vec<(NaiveDate, DayOffReason)> = holidays
            .iter()
            .filter(|(d, _, _)| !is_weekend(*d))
            .map(|(d, _, name)| (*d, DayOffReason::Holiday(*name)))
            .collect();
        // The days already off (a short list).
        let mut taken: Vec<NaiveDate> = holidays.iter().map(|h| h.0).collect();
        for (day, moves, name) in &holidays {
            if !*moves || !is_weekend(*day) {
                continue;
            }
            let mut candidate = *day;
            while let Some(next) = candidate.succ_opt() {
                candidate = next;
                if !is_weekend(candidate) && !taken.contains(&candidate) {
                    taken.push(candidate);
                    off.push((candidate, DayOffReason::MovedHoliday(*name)));
                    break;
                }
            }
        }
        off.extend(data.extra_days_off.iter().filter_map(|md| in_year(*md)).map(|d| (d, DayOffReason::Transfer)));
        sort_by_date(&mut off, |o| o.0);
        off.dedup_by_key(|o| o.0);
        let status = if data.provisional { YearStatus::Provisional } else { YearStatus::Official };
        let extra_working_days = data.extra_working_days.iter().filter_map(|md| in_year(*md)).collect();
        YearCalendar { year, status, weekday_holidays: off, extra_working_days, source }
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

/// A year's data for building, borrowed from the embedded constants or from an update.
struct YearDataRef<'a> {
    kurban_ait: (u32, u32),
    extra_days_off: &'a [(u32, u32)],
    extra_working_days: &'a [(u32, u32)],
    provisional: bool,
}

/// The calendar: the years the data lists, consecutive (the build script checks it), and
/// the years the center set since (`Calendar::with_year`).
#[derive(Debug, Clone)]
pub struct Calendar {
    years: Vec<YearCalendar>,
    version: String,
    /// The years set on the embedded data, in order: the calendar is
    /// `Calendar::with_years_static(updates)` again (a host that keeps its state on disk).
    updates: Vec<CalendarYear>,
}

/// A date outside the years the calendar data lists (`CALENDAR_OUT_OF_RANGE`), or a count
/// of working days out of bounds. Its message in ru/kk/en is in `error.rs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfRange;

impl fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (first, last) = data_years();
        write!(f, "the date is outside the working-day calendar's data ({first}–{last})")
    }
}

impl std::error::Error for OutOfRange {}

/// The first and the last year of the embedded calendar data.
pub fn data_years() -> (i32, i32) {
    match (YEARS.first(), YEARS.last()) {
        (Some(first), Some(last)) => (first.year, last.year),
        // The build script refuses data without years.
        _ => (0, -1),
    }
}

/// The day a count of working days ended on, and whether a provisional year's data went
/// into the count (a day counted over, or the day itself, lies in a provisional year).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    pub date: Date,
    pub provisional: bool,
}

/// A summary of one listed year, for hosts that show which calendar they run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct YearInfo {
    pub year: i32,
    pub status: YearStatus,
    pub working_days: u32,
    pub source: String,
}

/// Upper bound on `n` in `working_days_after`, far beyond any deadline.
pub const MAX_WORKING_DAYS: u32 = 100_000;

impl Calendar {
    /// The calendar embedded from `data/calendar.json`.
    pub fn embedded() -> &'static Calendar {
        static CALENDAR: OnceLock<Calendar> = OnceLock::new();
        CALENDAR.get_or_init(|| Calendar {
            years: YEARS.iter().map(YearCalendar::build).collect(),
            version: CALENDAR_VERSION.to_owned(),
            updates: Vec::new(),
        })
    }

    /// The years set on the embedded data since, in the order they were set.
    pub fn updates(&self) -> &[CalendarYear] {
        &self.updates
    }

    /// The data version: the embedded data's, then `+<year>` for each year set since.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// This calendar with `update` as its data for that year: a listed year replaced (a
    /// decree came), or the year after the last one added. Checked as the build checks the
    /// embedded data: the dates lie in that year, transfers fall on weekdays and working
    /// Saturdays on weekends, and an official year never follows a provisional one.
    pub fn with_year(&self, update: &CalendarYear) -> Result<Calendar, CalendarYearError> {
        let year = update.year;
        let fail = |why: String| Err(CalendarYearError(format!("calendar year {year}: {why}")));
        if year < self.first_year() || year > self.last_year() + 1 {
            return fail(format!("only {}–{} can be set", self.first_year(), self.last_year() + 1));
        }
        if update.source.trim().is_empty() {
            return fail("the source (decree or table) is empty".into());
        }
        if !update.provisional && self.year(year - 1).is_ok_and(|c| c.status == YearStatus::Provisional) {
            return fail("an official year cannot follow a provisional one".into());
        }
        if update.provisional && self.year(year + 1).is_ok_and(|c| c.status == YearStatus::Official) {
            return fail("a provisional year cannot come before an official one".into());
        }
        let month_day = |date: Date, what: &str| -> Result<(u32, u32), CalendarYearError> {
            if date.year() == year {
                Ok((date.0.month(), date.0.day()))
            } else {
                Err(CalendarYearError(format!("calendar year {year}: {what} {date} is not in {year}")))
            }
        };
        let weekend = |date: Date| matches!(date.0.weekday(), Weekday::Sat | Weekday::Sun);
        let kurban = month_day(update.kurban_ait, "Kurban Ait")?;
        let mut days_off = Vec::new();
        for day in &update.extra_days_off {
            if weekend(*day) {
                return fail(format!("the day off {day} is not a weekday"));
            }
            days_off.push(month_day(*day, "the day off")?);
        }
        let mut working = Vec::new();
        for day in &update.extra_working_days {
            if !weekend(*day) {
                return fail(format!("the working day {day} is not a Saturday or Sunday"));
            }
            working.push(month_day(*day, "the working day")?);
        }
        let built =
            YearCalendar::from_parts(year, update.provisional, kurban, &days_off, &working, update.source.clone());
        let mut next = self.clone();
        match next.years.iter_mut().find(|c| c.year == year) {
            Some(existing) => *existing = built,
            None => next.years.push(built),
        }
        next.version = format!("{}+{year}", self.version);
        next.updates.push(update.clone());
        Ok(next)
    }

    /// [`Calendar::with_year`] for the `'static` calendars states hold. Each distinct result
    /// is built once and kept for the life of the process (a decree a year: a few kilobytes).
    pub fn with_year_static(&'static self, update: &CalendarYear) -> Result<&'static Calendar, CalendarYearError> {
        use std::sync::Mutex;
        type Cache = Mutex<Vec<(usize, CalendarYear, &'static Calendar)>>;
        static CACHE: OnceLock<Cache> = OnceLock::new();
        let base = std::ptr::from_ref(self) as usize;
        let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
        let mut cache = cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((_, _, calendar)) = cache.iter().find(|(b, y, _)| *b == base && y == update) {
            return Ok(calendar);
        }
        let calendar: &'static Calendar = Box::leak(Box::new(self.with_year(update)?));
        cache.push((base, update.clone(), calendar));
        Ok(calendar)
    }

    /// The embedded calendar with every year in `updates` set in order (a kiosk rebuilding
    /// the center's calendar from a snapshot).
    pub fn with_years_static(updates: &[CalendarYear]) -> Result<&'static Calendar, CalendarYearError> {
        updates.iter().try_fold(Calendar::embedded(), Calendar::with_year_static)
    }

    /// The first year the calendar has data for.
    pub fn first_year(&self) -> i32 {
        self.years.first().map_or(0, |y| y.year)
    }

    /// The last year the calendar has data for.
    pub fn last_year(&self) -> i32 {
        self.years.last().map_or(-1, |y| y.year)
    }

    /// Whether the calendar has data for `date`'s year.
    pub fn covers(&self, date: Date) -> bool {
        self.year(date.year()).is_ok()
    }

    fn year(&self, year: i32) -> Result<&YearCalendar, OutOfRange> {
        let index = usize::try_from(i64::from(year) - i64::from(self.first_year())).map_err(|_| OutOfRange)?;
        self.years.get(index).ok_or(OutOfRange)
    }

    pub fn year_status(&self, year: i32) -> Result<YearStatus, OutOfRange> {
        self.year(year).map(|c| c.status)
    }

    /// Whether `date` lies in a provisional year.
    pub fn is_provisional(&self, date: Date) -> Result<bool, OutOfRange> {
        Ok(self.year_status(date.year())? == YearStatus::Provisional)
    }

    /// Why `date` is not a working day, or `None` when it is one.
    pub fn day_off_reason(&self, date: Date) -> Result<Option<DayOffReason>, OutOfRange> {
        self.year(date.year()).map(|c| c.day_off_reason(date.0))
    }

    pub fn is_working_day(&self, date: Date) -> Result<bool, OutOfRange> {
        Ok(self.day_off_reason(date)?.is_none())
    }

    /// The `n`-th working day strictly after `date` (`n >= 1`). Every day after `date` up to
    /// the answer must lie in the data.
    pub fn working_days_after(&self, date: Date, n: u32) -> Result<Date, OutOfRange> {
        self.count_working_days(date, n).map(|c| c.date)
    }

    /// `working_days_after`, telling also whether a provisional year went into the count.
    pub fn count_working_days(&self, date: Date, n: u32) -> Result<Counted, OutOfRange> {
        if n == 0 || n > MAX_WORKING_DAYS {
            return Err(OutOfRange);
        }
        let mut day = date.0;
        let mut remaining = n;
        let mut provisional = false;
        let mut year: Option<&YearCalendar> = None;
        while remaining > 0 {
            day = day.succ_opt().ok_or(OutOfRange)?;
            let cal = match year {
                Some(cal) if cal.year == day.year() => cal,
                _ => {
                    let cal = self.year(day.year())?;
                    provisional |= cal.status == YearStatus::Provisional;
                    year = Some(cal);
                    cal
                }
            };
            if cal.day_off_reason(day).is_none() {
                remaining -= 1;
            }
        }
        Ok(Counted { date: Date(day), provisional })
    }

    /// Working days from the day after `from` up to and including `to` (0 when `to <= from`).
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<u32, OutOfRange> {
        let mut count = 0;
        let mut day = from.0;
        while day < to.0 {
            let Some(next) = day.succ_opt() else { break };
            day = next;
            if self.is_working_day(Date(day))? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// Whether a day after `from` up to and including `to` lies in a provisional year
    /// (`false` when `to <= from`): a count of working days over that span may still change.
    pub fn provisional_between(&self, from: Date, to: Date) -> Result<bool, OutOfRange> {
        let Some(first) = from.0.succ_opt() else { return Err(OutOfRange) };
        if first > to.0 {
            return Ok(false);
        }
        let mut provisional = false;
        for year in first.year()..=to.year() {
            provisional |= self.year(year)?.status == YearStatus::Provisional;
        }
        Ok(provisional)
    }

    /// The listed years with their status and number of working days.
    pub fn years(&self) -> Vec<YearInfo> {
        self.years
            .iter()
            .map(|c| {
                let mut day = NaiveDate::from_ymd_opt(c.year, 1, 1).expect("1 January exists");
                let mut working_days = 0;
                while day.year() == c.year {
                    if c.day_off_reason(day).is_none() {
                        working_days += 1;
                    }
                    day = day.succ_opt().expect("within range");
                }
                YearInfo { year: c.year, status: c.status, working_days, source: c.source.clone() }
            })
            .collect()
    }

    /// The days off that fall on weekdays in `year`, with their names (for calendars on screen).
    pub fn weekday_days_off(&self, year: i32) -> Result<Vec<(Date, DayOffReason)>, OutOfRange> {
        self.year(year).map(|c| c.weekday_holidays.iter().map(|(d, r)| (Date(*d), *r)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        text.parse().unwrap()
    }

    fn working(cal: &Calendar, day: &str) -> bool {
        cal.is_working_day(d(day)).unwrap()
    }

    #[test]
    fn year_2026_has_247_working_days_and_the_listed_days_off() {
        let cal = Calendar::embedded();
        let info = cal.years().into_iter().find(|y| y.year == 2026).unwrap();
        assert_eq!(info.working_days, 247);
        assert_eq!(info.status, YearStatus::Official);
        let days_off: Vec<String> = cal.weekday_days_off(2026).unwrap().iter().map(|(d, _)| d.to_string()).collect();
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
                "2026-10-26",
                "2026-12-16"
            ]
        );
    }

    #[test]
    fn constitution_day_30_august_until_2025_15_march_from_2027_none_in_2026() {
        let cal = Calendar::embedded();
        // 30 Aug 2025 was a Saturday: the day off moved to Monday 1 September.
        assert!(!working(cal, "2025-09-01"));
        assert!(
            matches!(cal.day_off_reason(d("2025-09-01")), Ok(Some(DayOffReason::MovedHoliday(t))) if t.en == "Constitution Day")
        );
        assert!(working(cal, "2025-03-14"), "no 15 March holiday in 2025 (a Saturday then)");
        assert!(working(cal, "2025-03-17"));
        // 2026: none. Sunday 30 Aug does not move to Monday 31 Aug.
        assert!(working(cal, "2026-08-31"));
        assert!(working(cal, "2026-03-16"), "15 March 2026 is a Sunday and not yet a holiday");
        // 2027 onwards: 15 March.
        assert!(!working(cal, "2027-03-15"));
        assert!(
            matches!(cal.day_off_reason(d("2027-03-15")), Ok(Some(DayOffReason::Holiday(t))) if t.en == "Constitution Day")
        );
        assert!(working(cal, "2027-08-30"));
        assert!(!working(cal, "2028-03-15"));
        assert!(working(cal, "2028-08-30"));
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
        for (day, expected) in table {
            assert_eq!(working(cal, day), expected, "{day}");
        }
        assert!(matches!(cal.day_off_reason(d("2026-03-24")), Ok(Some(DayOffReason::MovedHoliday(_)))));
        assert_eq!(cal.working_days_after(d("2026-03-20"), 1).unwrap(), d("2026-03-26"));
        assert_eq!(cal.working_days_after(d("2026-03-20"), 2).unwrap(), d("2026-03-27"));
    }

    #[test]
    fn may_2026() {
        let cal = Calendar::embedded();
        // 9 May is a Saturday: moves to Monday 11 May. 27 May is Kurban Ait.
        assert!(!working(cal, "2026-05-11"));
        assert!(working(cal, "2026-05-08"));
        assert!(!working(cal, "2026-05-27"));
        assert_eq!(cal.working_days_after(d("2026-05-06"), 2).unwrap(), d("2026-05-12"));
        assert_eq!(cal.working_days_after(d("2026-05-26"), 1).unwrap(), d("2026-05-28"));
    }

    #[test]
    fn december_2026_into_2027() {
        let cal = Calendar::embedded();
        assert!(!working(cal, "2026-12-16"));
        assert_eq!(cal.working_days_after(d("2026-12-15"), 1).unwrap(), d("2026-12-17"));
        // Thu 31 Dec 2026 works; 1 Jan 2027 Fri is off, 2 Jan Sat moves to Mon 4 Jan; 7 Jan Thu off.
        assert_eq!(cal.working_days_after(d("2026-12-30"), 1).unwrap(), d("2026-12-31"));
        assert_eq!(cal.working_days_after(d("2026-12-31"), 1).unwrap(), d("2027-01-05"));
        assert_eq!(cal.working_days_after(d("2027-01-06"), 1).unwrap(), d("2027-01-08"));
        assert_eq!(cal.year_status(2027), Ok(YearStatus::Provisional));
    }

    #[test]
    fn january_7_and_kurban_ait_do_not_move() {
        let cal = Calendar::embedded();
        // 7 Jan 2029 is a Sunday: Monday 8 Jan works.
        assert!(working(cal, "2029-01-08"));
        // Kurban Ait 2027 falls on Sunday 16 May: Monday 17 May works.
        assert!(working(cal, "2027-05-17"));
    }

    #[test]
    fn transfers_of_2025() {
        let cal = Calendar::embedded();
        assert!(!working(cal, "2025-01-03"));
        assert!(working(cal, "2025-01-05"), "Sunday 5 Jan 2025 was a working day");
        assert_eq!(cal.working_days_after(d("2025-01-02"), 1).unwrap(), d("2025-01-05"));
    }

    #[test]
    fn provisional_years_follow_the_statutory_rule_with_kurban_ait() {
        let cal = Calendar::embedded();
        assert_eq!(cal.year_status(2030), Ok(YearStatus::Provisional));
        // 2030: 8 March is a Friday, 21 March Thursday, 22 Fri, 23 Sat -> Mon 25.
        assert!(!working(cal, "2030-03-08"));
        assert!(!working(cal, "2030-03-25"));
        assert!(working(cal, "2030-03-26"));
        // Kurban Ait 2028 is Friday 5 May (published tables).
        assert!(!working(cal, "2028-05-05"));
        assert!(
            matches!(cal.day_off_reason(d("2028-05-05")), Ok(Some(DayOffReason::Holiday(t))) if t == KURBAN_AIT_NAME)
        );
    }

    #[test]
    fn a_date_outside_the_data_is_an_error_never_an_estimate() {
        let cal = Calendar::embedded();
        assert_eq!((cal.first_year(), cal.last_year()), (2025, 2030));
        assert_eq!(data_years(), (2025, 2030));
        for day in ["2024-12-31", "2031-01-01", "0001-01-01", "9999-12-31"] {
            assert_eq!(cal.is_working_day(d(day)), Err(OutOfRange), "{day}");
            assert_eq!(cal.day_off_reason(d(day)), Err(OutOfRange), "{day}");
            assert!(!cal.covers(d(day)));
        }
        assert_eq!(cal.year_status(2024), Err(OutOfRange));
        assert_eq!(cal.year_status(2031), Err(OutOfRange));
        assert!(cal.weekday_days_off(2031).is_err());
        // Counting runs out of data on 1 January 2031.
        assert_eq!(cal.working_days_after(d("2030-12-31"), 1), Err(OutOfRange));
        assert_eq!(cal.working_days_after(d("2030-12-30"), 1), Ok(d("2030-12-31")));
        assert_eq!(cal.working_days_after(d("2030-12-30"), 2), Err(OutOfRange));
        // The start day itself is not consulted: from 31 Dec 2024 the count runs in 2025
        // (1, 2 Jan holidays, 3 Jan transfer, Sunday 5 Jan a working day).
        assert_eq!(cal.working_days_after(d("2024-12-31"), 1), Ok(d("2025-01-05")));
        assert_eq!(cal.working_days_between(d("2030-12-01"), d("2031-01-10")), Err(OutOfRange));
        assert_eq!(cal.provisional_between(d("2030-12-01"), d("2031-01-10")), Err(OutOfRange));
        assert!(OutOfRange.to_string().contains("2025–2030"));
    }

    #[test]
    fn counts_say_when_a_provisional_year_went_into_them() {
        let cal = Calendar::embedded();
        let count = |day: &str, n| cal.count_working_days(d(day), n).unwrap();
        assert_eq!(count("2026-03-19", 2), Counted { date: d("2026-03-26"), provisional: false });
        // Ends in 2027.
        assert_eq!(count("2026-12-30", 2), Counted { date: d("2027-01-05"), provisional: true });
        // Within 2027.
        assert_eq!(count("2027-06-01", 5), Counted { date: d("2027-06-08"), provisional: true });
        // 2025 into 2026: both official.
        assert_eq!(count("2025-12-30", 2), Counted { date: d("2026-01-05"), provisional: false });
        assert!(!cal.provisional_between(d("2026-12-01"), d("2026-12-31")).unwrap());
        assert!(cal.provisional_between(d("2026-12-01"), d("2027-01-01")).unwrap());
        assert!(!cal.provisional_between(d("2027-01-05"), d("2027-01-05")).unwrap(), "empty span");
        assert!(cal.is_provisional(d("2027-01-01")).unwrap());
        assert!(!cal.is_provisional(d("2026-12-31")).unwrap());
    }

    #[test]
    fn working_days_after_rejects_zero_and_huge_n() {
        let cal = Calendar::embedded();
        assert_eq!(cal.working_days_after(d("2026-01-01"), 0), Err(OutOfRange));
        assert_eq!(cal.working_days_after(d("2026-01-01"), MAX_WORKING_DAYS + 1), Err(OutOfRange));
        // The data ends long before 100,000 working days.
        assert_eq!(cal.working_days_after(d("2026-01-01"), MAX_WORKING_DAYS), Err(OutOfRange));
    }
}
