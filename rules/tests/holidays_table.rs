//! The rules' calendar (`data/calendar.json`) against an independent reference: the table of
//! days off that the Python package `holidays` gives, checked in as `data/holidays-kz.json` by
//! `data/tools/holidays_table.py`. Every day of every year in the table must agree, except the
//! days listed, with the reason, in `data/README.md` ("Differences from the holidays package").

// Helpers outside #[test] functions unwrap too; a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use proptest::prelude::*;
use rules::Calendar;
use rules::calendar::YearStatus;
use rules::time::Date;

const TABLE: &str = include_str!("../../data/holidays-kz.json");
const README: &str = include_str!("../../data/README.md");
/// The heading of the README's section that lists and explains each difference.
const DIFFERENCES_HEADING: &str = "### Differences from the holidays package";

/// The table's years: the dates the package lists (weekends included) and its working-day count.
struct Table {
    years: BTreeMap<i32, (BTreeSet<NaiveDate>, u32)>,
}

fn table() -> Table {
    let json: serde_json::Value = serde_json::from_str(TABLE).expect("data/holidays-kz.json is JSON");
    let mut years = BTreeMap::new();
    for year in json["years"].as_array().expect("years") {
        let number = i32::try_from(year["year"].as_i64().expect("year")).unwrap();
        let days: BTreeSet<NaiveDate> = year["daysOff"]
            .as_array()
            .expect("daysOff")
            .iter()
            .map(|d| d["date"].as_str().expect("date").parse().expect("YYYY-MM-DD"))
            .collect();
        assert!(days.iter().all(|d| d.year() == number), "{number}: a date of another year");
        let working = u32::try_from(year["workingDays"].as_u64().expect("workingDays")).unwrap();
        years.insert(number, (days, working));
    }
    Table { years }
}

impl Table {
    /// A working day by the package: Monday to Friday and not listed.
    fn is_working_day(&self, day: NaiveDate) -> bool {
        let listed = self.years.get(&day.year()).is_some_and(|(days, _)| days.contains(&day));
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !listed
    }
}

/// The explained differences: `| YYYY-MM-DD | working or off (rules) | … |` rows of the README
/// section, as (date, whether the rules' calendar has a working day there).
fn explained() -> BTreeMap<NaiveDate, bool> {
    let start = README.find(DIFFERENCES_HEADING).expect("data/README.md has the differences section");
    let section = &README[start + DIFFERENCES_HEADING.len()..];
    let section = &section[..section.find("\n#").unwrap_or(section.len())];
    let mut rows = BTreeMap::new();
    for line in section.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let [_, date, rules, ..] = cells.as_slice() else { continue };
        let Ok(date) = date.parse::<NaiveDate>() else { continue };
        let working = match *rules {
            "working" => true,
            "off" => false,
            other => panic!("README: {date}: the rules' column must say working or off, not {other:?}"),
        };
        assert!(rows.insert(date, working).is_none(), "README: {date} listed twice");
    }
    rows
}

fn every_day(year: i32) -> impl Iterator<Item = NaiveDate> {
    NaiveDate::from_ymd_opt(year, 1, 1).unwrap().iter_days().take_while(move |d| d.year() == year)
}

#[test]
fn the_table_covers_exactly_the_calendar_years() {
    let cal = Calendar::embedded();
    let years: Vec<i32> = table().years.keys().copied().collect();
    assert_eq!(years, (cal.first_year()..=cal.last_year()).collect::<Vec<_>>());
}

#[test]
fn every_day_agrees_with_the_holidays_package_except_the_explained_ones() {
    let cal = Calendar::embedded();
    let table = table();
    let explained = explained();
    let mut differences = BTreeMap::new();
    for &year in table.years.keys() {
        for day in every_day(year) {
            let rules = cal.is_working_day(Date(day)).unwrap();
            if rules != table.is_working_day(day) {
                differences.insert(day, rules);
            }
        }
    }
    let unexplained: Vec<String> = differences
        .iter()
        .filter(|(day, rules)| explained.get(day) != Some(rules))
        .map(|(day, rules)| format!("{day}: rules {}, holidays package {}", word(*rules), word(!rules)))
        .collect();
    assert!(
        unexplained.is_empty(),
        "days where data/calendar.json and data/holidays-kz.json disagree without an explanation in \
         data/README.md (\"{DIFFERENCES_HEADING}\"):\n{}",
        unexplained.join("\n")
    );
    let stale: Vec<String> =
        explained.keys().filter(|day| !differences.contains_key(day)).map(ToString::to_string).collect();
    assert!(stale.is_empty(), "data/README.md explains differences that no longer exist: {stale:?}");
}

fn word(working: bool) -> &'static str {
    if working { "working" } else { "off" }
}

/// Counts each year's working days independently of the rules (weekends and the table's days
/// off, then the explained differences), and compares with what the rules report.
#[test]
fn working_days_per_year_counted_independently() {
    let cal = Calendar::embedded();
    let table = table();
    let explained = explained();
    let reported: BTreeMap<i32, (u32, YearStatus)> =
        cal.years().into_iter().map(|y| (y.year, (y.working_days, y.status))).collect();
    for (&year, (_, package_count)) in &table.years {
        let mut count = 0;
        for day in every_day(year) {
            let working = explained.get(&day).copied().unwrap_or_else(|| table.is_working_day(day));
            if working {
                count += 1;
            }
        }
        let package_only = every_day(year).filter(|d| table.is_working_day(*d)).count();
        assert_eq!(u32::try_from(package_only).unwrap(), *package_count, "{year}: the table's own count");
        assert_eq!(reported[&year].0, count, "{year}");
    }
    // The published production calendars of the official years.
    assert_eq!(reported[&2025], (246, YearStatus::Official));
    assert_eq!(reported[&2026], (247, YearStatus::Official));
    for year in 2027..=2030 {
        assert_eq!(reported[&year].1, YearStatus::Provisional, "{year}");
    }
}

/// A reference `working_days_after` over the table (and the explained differences).
fn reference_after(table: &Table, explained: &BTreeMap<NaiveDate, bool>, from: NaiveDate, n: u32) -> Option<NaiveDate> {
    let mut day = from;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt()?;
        if !table.years.contains_key(&day.year()) {
            return None;
        }
        if explained.get(&day).copied().unwrap_or_else(|| table.is_working_day(day)) {
            left -= 1;
        }
    }
    Some(day)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// From any day of 2025–2030, the n-th working day after it is the reference's, and is
    /// out of range exactly when the reference runs past the table.
    #[test]
    fn working_days_after_matches_the_reference(offset in 0u32..(6 * 366), n in 1u32..40) {
        let cal = Calendar::embedded();
        let table = table();
        let explained = explained();
        let from = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + chrono::Days::new(u64::from(offset));
        prop_assume!(from.year() <= 2030);
        let got = cal.count_working_days(Date(from), n).ok();
        let expected = reference_after(&table, &explained, from, n);
        prop_assert_eq!(got.map(|c| c.date.0), expected);
        if let Some(counted) = got {
            // Provisional exactly when a day after `from` up to the answer lies in 2027–2030.
            prop_assert_eq!(counted.provisional, counted.date.year() >= 2027);
        }
    }
}
