//! Dates and instants in the strict formats of the public API.
//!
//! Kazakhstan is one time zone, UTC+05:00: every "local date" in the rules is
//! taken at that offset, whatever offset an instant was written with.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, SecondsFormat, TimeZone};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Seconds east of UTC of Kazakhstan's single time zone.
pub const KAZAKHSTAN_OFFSET_SECS: i32 = 5 * 3600;

/// The fixed UTC+05:00 offset.
pub fn kazakhstan_offset() -> FixedOffset {
    FixedOffset::east_opt(KAZAKHSTAN_OFFSET_SECS).expect("+05:00 is a valid offset")
}

/// A value that is not in the strict format the API accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("not a date in the form YYYY-MM-DD: {0:?}")]
    Date(String),
    #[error("not an RFC 3339 instant with seconds and an offset: {0:?}")]
    Instant(String),
}

/// A calendar date, written strictly as `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

impl Date {
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, day).map(Date)
    }
    pub fn year(self) -> i32 {
        self.0.year()
    }
    /// The end of this day in Kazakhstan: 23:59:59 at +05:00.
    pub fn end_of_day(self) -> Instant {
        let end = NaiveTime::from_hms_opt(23, 59, 59).expect("23:59:59 is a valid time");
        let local = kazakhstan_offset()
            .from_local_datetime(&self.0.and_time(end))
            .single()
            .expect("a fixed offset has exactly one mapping");
        Instant(local)
    }
    /// The start of this day in Kazakhstan: 00:00:00 at +05:00.
    pub fn start_of_day(self) -> Option<Instant> {
        kazakhstan_offset().from_local_datetime(&self.0.and_time(NaiveTime::MIN)).single().map(Instant)
    }
    /// The date `days` calendar days later, if the calendar reaches it.
    pub fn checked_plus_days(self, days: u32) -> Option<Self> {
        self.0.checked_add_days(chrono::Days::new(u64::from(days))).map(Date)
    }
}

impl FromStr for Date {
    type Err = FormatError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape_ok {
            return Err(FormatError::Date(text.to_owned()));
        }
        NaiveDate::parse_from_str(text, "%Y-%m-%d").map(Date).map_err(|_| FormatError::Date(text.to_owned()))
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A point in time with the offset it was written with.
///
/// Equality and order compare the instant itself (UTC, full precision), never
/// the offset, so `10:00+05:00` equals `05:00Z`.
#[derive(Debug, Clone, Copy)]
pub struct Instant(pub DateTime<FixedOffset>);

impl Instant {
    /// The local date in Kazakhstan (UTC+05:00).
    pub fn local_date(self) -> Date {
        Date(self.0.with_timezone(&kazakhstan_offset()).date_naive())
    }
    /// Seconds and nanoseconds since the Unix epoch: a compact, offset-free sort key.
    pub fn sort_key(self) -> (i64, u32) {
        (self.0.timestamp(), self.0.timestamp_subsec_nanos())
    }
    /// The same instant shown at +05:00.
    #[must_use]
    pub fn in_kazakhstan(self) -> Self {
        Instant(self.0.with_timezone(&kazakhstan_offset()))
    }
}

impl PartialEq for Instant {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for Instant {}
impl PartialOrd for Instant {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Instant {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.cmp(&other.0)
    }
}
impl std::hash::Hash for Instant {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.sort_key().hash(state);
    }
}

/// Checks the RFC 3339 shape the API promises: `YYYY-MM-DDTHH:MM:SS`, an optional
/// fraction of 1–9 digits, then `Z` or `±HH:MM`. chrono alone is more lenient.
fn has_strict_instant_shape(bytes: &[u8]) -> bool {
    let digits = |range: std::ops::Range<usize>| bytes.get(range).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if bytes.len() < 20
        || !digits(0..4)
        || bytes[4] != b'-'
        || !digits(5..7)
        || bytes[7] != b'-'
        || !digits(8..10)
        || bytes[10] != b'T'
        || !digits(11..13)
        || bytes[13] != b':'
        || !digits(14..16)
        || bytes[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut rest = &bytes[19..];
    if let Some(after_dot) = rest.strip_prefix(b".") {
        let fraction_len = after_dot.iter().take_while(|b| b.is_ascii_digit()).count();
        if !(1..=9).contains(&fraction_len) {
            return false;
        }
        rest = &after_dot[fraction_len..];
    }
    match rest {
        [b'Z'] => true,
        [sign, h1, h2, b':', m1, m2] => {
            (*sign == b'+' || *sign == b'-') && [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit())
        }
        _ => false,
    }
}

impl FromStr for Instant {
    type Err = FormatError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if !has_strict_instant_shape(text.as_bytes()) {
            return Err(FormatError::Instant(text.to_owned()));
        }
        DateTime::parse_from_rfc3339(text).map(Instant).map_err(|_| FormatError::Instant(text.to_owned()))
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_strict() {
        assert!("2026-03-09".parse::<Date>().is_ok());
        for bad in ["2026-3-09", "2026-02-30", " 2026-03-09", "2026/03/09", "+2026-03-09", "20260309"] {
            assert!(bad.parse::<Date>().is_err(), "{bad} must be rejected");
        }
    }

    #[test]
    fn instants_are_strict() {
        for good in [
            "2026-03-09T10:00:00Z",
            "2026-03-09T10:00:00+05:00",
            "2026-03-09T10:00:00.1-03:30",
            "2026-03-09T10:00:00.123456789+05:00",
        ] {
            assert!(good.parse::<Instant>().is_ok(), "{good} must be accepted");
        }
        for bad in [
            "2026-03-09T10:00Z",
            "2026-03-09 10:00:00Z",
            "2026-03-09T10:00:00",
            "2026-03-09T10:00:00.Z",
            "2026-03-09T10:00:00.1234567890Z",
            "2026-03-09T10:00:00+0500",
            "2026-03-09t10:00:00z",
            "2026-03-09T25:00:00Z",
        ] {
            assert!(bad.parse::<Instant>().is_err(), "{bad} must be rejected");
        }
    }

    #[test]
    fn local_date_is_taken_at_plus_five() {
        let late_utc: Instant = "2026-03-09T19:30:00Z".parse().unwrap();
        assert_eq!(late_utc.local_date().to_string(), "2026-03-10");
        let early: Instant = "2026-03-10T04:59:59+05:00".parse().unwrap();
        assert_eq!(early.local_date().to_string(), "2026-03-10");
    }

    #[test]
    fn instants_compare_across_offsets() {
        let a: Instant = "2026-03-09T10:00:00+05:00".parse().unwrap();
        let b: Instant = "2026-03-09T05:00:00Z".parse().unwrap();
        assert_eq!(a, b);
        let c: Instant = "2026-03-09T05:00:00.000000001Z".parse().unwrap();
        assert!(c > a);
    }

    #[test]
    fn end_of_day_is_235959_local() {
        let date: Date = "2026-12-31".parse().unwrap();
        assert_eq!(date.end_of_day().to_string(), "2026-12-31T23:59:59+05:00");
    }
}
