//! Dates and instants in the strict formats of the public API.
//!
//! Kazakhstan is one time zone, UTC+05:00: every "local date" in the rules is
//! taken at that offset, whatever offset an instant was written with.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeZone, Timelike};
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
        // The shape is checked: four, two and two ASCII digits.
        let year = i32::try_from(digits(&bytes[0..4])).ok();
        year.and_then(|year| Date::from_ymd(year, digits(&bytes[5..7]), digits(&bytes[8..10])))
            .ok_or_else(|| FormatError::Date(text.to_owned()))
    }
}

/// The number written by a run of ASCII digits (checked by the caller).
fn digits(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0, |n, b| n * 10 + u32::from(b - b'0'))
}

/// A year as chrono's `%Y` writes it: four digits for 0–9999, else signed.
fn write_year(f: &mut fmt::Formatter<'_>, year: i32) -> fmt::Result {
    if (0..=9999).contains(&year) { write!(f, "{year:04}") } else { write!(f, "{year:+05}") }
}

// Dates and instants are written by hand rather than with chrono's strftime-style
// formatting, which would add its format-string machinery to the WebAssembly module.
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_year(f, self.0.year())?;
        write!(f, "-{:02}-{:02}", self.0.month(), self.0.day())
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

impl FromStr for Instant {
    type Err = FormatError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse_instant(text.as_bytes()).map(Instant).ok_or_else(|| FormatError::Instant(text.to_owned()))
    }
}

/// Reads an instant in the RFC 3339 shape the API promises: `YYYY-MM-DDTHH:MM:SS`, an
/// optional fraction of 1–9 digits, then `Z` or `±HH:MM` (chrono alone is more lenient).
/// Within that shape it reads as chrono's `DateTime::parse_from_rfc3339` does (`:60` is a
/// leap second, an offset must be within ±23:59), with chrono's checked constructors but
/// in one pass of plain loops: chrono's general scanner, and iterator chains that the size-
/// optimised WebAssembly build does not inline, were most of the time of reading a ranked
/// list there.
fn parse_instant(bytes: &[u8]) -> Option<DateTime<FixedOffset>> {
    const HEAD: &[u8; 19] = b"0000-00-00T00:00:00";
    // Nanoseconds per unit of a fraction of n digits.
    const FRACTION_SCALE: [u32; 10] = [0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];
    if bytes.len() < 20 {
        return None;
    }
    // Year, month, day, hour, minute, second.
    let mut fields = [0u32; 6];
    let mut field = 0;
    for (i, &byte) in bytes[..19].iter().enumerate() {
        if HEAD[i] == b'0' {
            if !byte.is_ascii_digit() {
                return None;
            }
            fields[field] = fields[field] * 10 + u32::from(byte - b'0');
        } else if byte == HEAD[i] {
            field += 1;
        } else {
            return None;
        }
    }
    let [year, month, day, hour, minute, second] = fields;
    let (second, mut nano) = if second == 60 { (59, 1_000_000_000) } else { (second, 0) };
    let mut rest = &bytes[19..];
    if rest[0] == b'.' {
        let mut digits = 0;
        let mut fraction = 0u32;
        while digits < rest.len() - 1 && rest[1 + digits].is_ascii_digit() {
            if digits == 9 {
                return None;
            }
            fraction = fraction * 10 + u32::from(rest[1 + digits] - b'0');
            digits += 1;
        }
        if digits == 0 {
            return None;
        }
        // 1 to 9 digits, scaled to nanoseconds.
        nano += fraction * FRACTION_SCALE[digits];
        rest = &rest[1 + digits..];
    }
    let east = match *rest {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let [h1, h2, m1, m2] = [h1, h2, m1, m2].map(|d| d.is_ascii_digit().then(|| u32::from(d - b'0')));
            let (hours, minutes) = ((h1? * 10 + h2?), (m1? * 10 + m2?));
            if minutes >= 60 {
                return None;
            }
            let seconds = i32::try_from(hours * 3600 + minutes * 60).ok()?;
            if sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nano)?;
    let offset = FixedOffset::east_opt(east)?;
    let utc = date.and_time(time).checked_sub_offset(offset)?;
    Some(DateTime::from_naive_utc_and_offset(utc, offset))
}

/// RFC 3339 as chrono's `to_rfc3339_opts(SecondsFormat::AutoSi, true)` writes it: the
/// fraction in 0, 3, 6 or 9 digits, a leap second as `:60`, `Z` for a zero offset.
impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let local = self.0.naive_local();
        let (mut second, mut nano) = (local.second(), local.nanosecond());
        if nano >= 1_000_000_000 {
            second += 1;
            nano -= 1_000_000_000;
        }
        write_year(f, local.year())?;
        write!(f, "-{:02}-{:02}T{:02}:{:02}:{second:02}", local.month(), local.day(), local.hour(), local.minute())?;
        if nano == 0 {
        } else if nano % 1_000_000 == 0 {
            write!(f, ".{:03}", nano / 1_000_000)?;
        } else if nano % 1_000 == 0 {
            write!(f, ".{:06}", nano / 1_000)?;
        } else {
            write!(f, ".{nano:09}")?;
        }
        let offset = self.0.offset().local_minus_utc();
        if offset == 0 {
            return f.write_str("Z");
        }
        let sign = if offset < 0 { '-' } else { '+' };
        // Rounded to the nearest minute, as chrono does.
        let minutes = (offset.abs() + 30) / 60;
        write!(f, "{sign}{:02}:{:02}", minutes / 60, minutes % 60)
    }
}

impl Instant {
    /// The instant at +05:00 as `DD.MM.YYYY HH:MM:SS` (chrono's `%d.%m.%Y %H:%M:%S`), for
    /// messages.
    pub fn local_dotted(self) -> String {
        let local = self.in_kazakhstan().0.naive_local();
        let second = local.second() + local.nanosecond() / 1_000_000_000;
        let year = local.year();
        let year = if (0..=9999).contains(&year) { format!("{year:04}") } else { format!("{year:+05}") };
        format!("{:02}.{:02}.{year} {:02}:{:02}:{second:02}", local.day(), local.month(), local.hour(), local.minute())
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
            "2026-03-09T10:00:00+05:0a",
            "2026-03-09T10:00:00+5:00",
            "2026-03-09T10:00:00-24:00",
            "2026-03-09T10:00:00+05:60",
            "2026-03-09T10:00:00*05:00",
            "2026-03-09T10:00:00Z ",
            "2026-03-09T10:0a:00Z",
            "2026-03-09X10:00:00Z",
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

    /// A deterministic spread of values: edges of the year range, leap seconds, fractions
    /// of every length, offsets with and without minutes (and with seconds).
    fn sample_instants() -> Vec<DateTime<FixedOffset>> {
        let mut out = Vec::new();
        let mut seed = 0x9E37_79B9_u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % n
        };
        for i in 0..4000u64 {
            let year = match i % 5 {
                0 => -3 + i32::try_from(next(20)).unwrap(),
                1 => 9990 + i32::try_from(next(20)).unwrap(),
                _ => 1900 + i32::try_from(next(200)).unwrap(),
            };
            let Some(date) = NaiveDate::from_ymd_opt(
                year,
                1 + u32::try_from(next(12)).unwrap(),
                1 + u32::try_from(next(31)).unwrap(),
            ) else {
                continue;
            };
            let nano = match next(6) {
                0 => 0,
                1 => u32::try_from(next(1000)).unwrap() * 1_000_000,
                2 => u32::try_from(next(1_000_000)).unwrap() * 1000,
                3 => u32::try_from(next(1_000_000_000)).unwrap(),
                4 => 1_000_000_000 + u32::try_from(next(1000)).unwrap() * 1_000_000,
                _ => 1_000_000_000 + u32::try_from(next(1_000_000_000)).unwrap(),
            };
            let second = if nano >= 1_000_000_000 { 59 } else { u32::try_from(next(60)).unwrap() };
            let time = NaiveTime::from_hms_nano_opt(
                u32::try_from(next(24)).unwrap(),
                u32::try_from(next(60)).unwrap(),
                second,
                nano,
            )
            .unwrap();
            let offset = match next(4) {
                0 => 0,
                1 => KAZAKHSTAN_OFFSET_SECS,
                2 => i32::try_from(next(48)).unwrap() * 1800 - 86_399 / 2,
                _ => i32::try_from(next(172_797)).unwrap() - 86_398,
            };
            let offset = FixedOffset::east_opt(offset).unwrap();
            if let Some(dt) = offset.from_local_datetime(&date.and_time(time)).single() {
                out.push(dt);
            }
        }
        out
    }

    #[test]
    fn instants_are_written_as_chrono_writes_them() {
        for dt in sample_instants() {
            let instant = Instant(dt);
            assert_eq!(instant.to_string(), dt.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true), "{dt:?}");
            let local = dt.with_timezone(&kazakhstan_offset());
            assert_eq!(instant.local_dotted(), local.format("%d.%m.%Y %H:%M:%S").to_string(), "{dt:?}");
            let date = Date(dt.date_naive());
            assert_eq!(date.to_string(), dt.date_naive().format("%Y-%m-%d").to_string());
        }
    }

    #[test]
    fn dates_are_read_as_chrono_reads_them() {
        let mut seed = 7u64;
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let text = format!("{:04}-{:02}-{:02}", (seed >> 20) % 10_000, (seed >> 40) % 14, (seed >> 50) % 33);
            let ours = text.parse::<Date>().ok().map(|d| d.0);
            assert_eq!(ours, NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok(), "{text}");
        }
    }

    #[test]
    fn end_of_day_is_235959_local() {
        let date: Date = "2026-12-31".parse().unwrap();
        assert_eq!(date.end_of_day().to_string(), "2026-12-31T23:59:59+05:00");
    }

    /// Two digits biased towards the edges of every field (00, 23/24, 29–31, 59/60, 99).
    fn two_digits() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            (0u32..100).prop_map(|n| format!("{n:02}")),
            proptest::sample::select(vec![0u32, 1, 12, 13, 23, 24, 28, 29, 30, 31, 32, 59, 60, 61, 99])
                .prop_map(|n| format!("{n:02}")),
        ]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// The hand-written reader accepts exactly what chrono's RFC 3339 parser accepts in
        /// the strict shape, as the same instant with the same offset.
        #[test]
        fn instants_are_read_as_chrono_reads_them(
            year in proptest::sample::select(vec![0u32, 1, 1600, 1900, 1970, 2000, 2024, 2025, 2100, 9999]),
            month in two_digits(),
            day in two_digits(),
            hour in two_digits(),
            minute in two_digits(),
            second in two_digits(),
            fraction in proptest::option::of("[0-9]{1,9}"),
            offset in proptest::option::of(("[+-]", two_digits(), two_digits())),
        ) {
            let fraction = fraction.map(|f| format!(".{f}")).unwrap_or_default();
            let offset = offset.map_or_else(|| "Z".to_owned(), |(sign, h, m)| format!("{sign}{h}:{m}"));
            let text = format!("{year:04}-{month}-{day}T{hour}:{minute}:{second}{fraction}{offset}");
            let chrono = DateTime::parse_from_rfc3339(&text).ok();
            let ours = text.parse::<Instant>().ok().map(|i| i.0);
            proptest::prop_assert_eq!(ours, chrono, "{}", text);
            if let (Some(ours), Some(chrono)) = (ours, chrono) {
                proptest::prop_assert_eq!(ours.offset(), chrono.offset());
            }
        }
    }
}
