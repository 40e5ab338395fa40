//! Dates and instants as arguments: valid ones in random forms, edge cases, and broken ones.

use std::fmt::Write as _;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde_json::{Value, json};

use crate::rng::Rng;

fn days_in_month(year: i32, month: u32) -> u32 {
    let next =
        if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, month + 1, 1) };
    next.and_then(|n| n.pred_opt()).map_or(28, |d| d.day())
}

pub(crate) fn random_date(rng: &mut Rng, years: std::ops::RangeInclusive<i32>) -> NaiveDate {
    let year = i32::try_from(rng.int(i64::from(*years.start()), i64::from(*years.end()))).expect("year");
    let month = rng.small(1, 12);
    let day = rng.small(1, days_in_month(year, month));
    NaiveDate::from_ymd_opt(year, month, day).expect("valid")
}

pub(crate) fn ymd(date: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

const BAD_DATES: &[&str] = &[
    "2026-1-01",
    "2026-01-1",
    "2026-02-30",
    "2025-02-29",
    "1900-02-29",
    "2026/01/01",
    "20260101",
    " 2026-01-01",
    "2026-01-01 ",
    "2026-01-01T00:00:00Z",
    "",
    "+2026-01-01",
    "2026-13-01",
    "2026-00-10",
    "2026-01-00",
    "2026-01-32",
    "abcd-ef-gh",
    "２０２６-01-01",
    "2026-01-01\n",
    "-2026-01-01",
    "2026-04-31",
];

pub(crate) fn date_arg(rng: &mut Rng) -> Value {
    match rng.below(100) {
        0..=79 => Value::String(ymd(random_date(rng, 2024..=2028))),
        80..=86 => Value::String(ymd(random_date(rng, 0..=9999))),
        87..=88 => {
            Value::String((*rng.pick(&["2024-02-29", "2000-02-29", "0000-01-01", "9999-12-31", "2026-12-31"])).into())
        }
        89..=96 => Value::String((*rng.pick(BAD_DATES)).into()),
        _ => rng.pick(&[Value::Null, json!(20_260_101), json!(true), json!([]), json!({})]).clone(),
    }
}

/// An offset in seconds east of UTC: whole minutes within ±14:59.
fn random_offset(rng: &mut Rng) -> i32 {
    match rng.below(10) {
        0..=2 => 0,
        3..=5 => 5 * 3600,
        _ => {
            let minutes = *rng.pick(&[0, 0, 30, 45, 15]) + if rng.chance(10) { rng.small(0, 59) } else { 0 };
            let total = i32::try_from(rng.small(0, 14) * 60 + minutes.min(59)).expect("small") * 60;
            if rng.chance(50) { total } else { -total }
        }
    }
}

/// Writes the instant `utc` in a random but valid form: any offset, 0–9 fraction digits.
pub(crate) fn write_instant(rng: &mut Rng, utc: DateTime<chrono::Utc>) -> String {
    let offset_secs = random_offset(rng);
    let local = utc.with_timezone(&FixedOffset::east_opt(offset_secs).expect("offset"));
    let mut text = local.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = local.timestamp_subsec_nanos();
    let digits = if nanos == 0 {
        if rng.chance(20) { rng.small(1, 9) } else { 0 }
    } else {
        // Enough digits to write the nanoseconds exactly, sometimes more (trailing zeros).
        let needed = (1..=9).find(|d| nanos.is_multiple_of(10u32.pow(9 - d))).unwrap_or(9);
        rng.small(needed, 9)
    };
    if digits > 0 {
        let all = format!("{nanos:09}");
        text.push('.');
        text.push_str(&all[..digits as usize]);
    }
    if offset_secs == 0 && rng.chance(70) {
        text.push('Z');
    } else if offset_secs == 0 && rng.chance(30) {
        text.push_str("-00:00");
    } else {
        let sign = if offset_secs < 0 { '-' } else { '+' };
        let abs = offset_secs.unsigned_abs();
        let _ = write!(text, "{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60);
    }
    text
}

pub(crate) fn utc_between(rng: &mut Rng, from_year: i32, to_year: i32) -> DateTime<chrono::Utc> {
    let start = NaiveDate::from_ymd_opt(from_year, 1, 1).expect("date").and_hms_opt(0, 0, 0).expect("time").and_utc();
    let end = NaiveDate::from_ymd_opt(to_year + 1, 1, 1).expect("date").and_hms_opt(0, 0, 0).expect("time").and_utc();
    let secs = rng.int(start.timestamp(), end.timestamp() - 1);
    let nanos = match rng.below(4) {
        0 | 1 => 0,
        2 => rng.small(0, 999) * 1_000_000,
        _ => rng.small(0, 999_999_999),
    };
    DateTime::from_timestamp(secs, nanos).expect("in range")
}

pub(crate) const BAD_INSTANTS: &[&str] = &[
    "2026-03-09T10:00Z",
    "2026-03-09 10:00:00Z",
    "2026-03-09T10:00:00",
    "2026-03-09T10:00:00.Z",
    "2026-03-09T10:00:00.1234567890Z",
    "2026-03-09T10:00:00+0500",
    "2026-03-09t10:00:00z",
    "2026-03-09T25:00:00Z",
    "2026-02-30T10:00:00Z",
    "2026-03-09T10:00:00+24:00",
    "2026-03-09T10:60:00Z",
    "",
    "2026-03-09",
    "2026-03-09T10:00:00+05",
    " 2026-03-09T10:00:00Z",
    "2026-03-09T10:00:00Z ",
    "2026-03-09T10:00:00+5:00",
    "2026-03-09T10:00:00,5Z",
    "+2026-03-09T10:00:00Z",
];
const EDGE_INSTANTS: &[&str] = &[
    "2026-12-31T23:59:60Z",
    "9999-12-31T23:59:59Z",
    "9999-12-31T18:59:59Z",
    "9999-12-31T23:59:59-23:59",
    "0000-01-01T00:00:00+23:59",
    "0000-01-01T00:00:00Z",
    "2026-03-09T10:00:00-00:00",
    "2026-03-09T10:00:00.000000000Z",
    "2026-03-06T18:59:59.999999999Z",
    "2026-03-06T19:00:00Z",
    "2026-03-06T23:59:59+05:00",
    "2026-03-07T00:00:00+05:00",
    "2026-12-31T19:00:00Z",
    "2026-03-20T23:30:00-12:00",
];

pub(crate) fn instant_arg(rng: &mut Rng) -> Value {
    match rng.below(100) {
        0..=84 => {
            let utc = utc_between(rng, 2024, 2028);
            Value::String(write_instant(rng, utc))
        }
        85..=89 => Value::String((*rng.pick(EDGE_INSTANTS)).into()),
        90..=97 => Value::String((*rng.pick(BAD_INSTANTS)).into()),
        _ => {
            rng.pick(&[Value::Null, json!(1_700_000_000), json!(false), json!({"at": "2026-03-09T10:00:00Z"})]).clone()
        }
    }
}
