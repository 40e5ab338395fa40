//! Dates and times as the seeds show them (`14.07.2022`, `06.04.2026 15:28:28`, Kazakhstan time).

use chrono::{DateTime, Duration};
use rules::time::{Date, Instant};

use super::i18n::Tr;

pub fn date(date: Date) -> String {
    date.0.format("%d.%m.%Y").to_string()
}

pub fn instant(at: Instant) -> String {
    at.in_kazakhstan().0.format("%d.%m.%Y %H:%M:%S").to_string()
}

pub fn instant_short(at: Instant) -> String {
    at.in_kazakhstan().0.format("%d.%m.%Y %H:%M").to_string()
}

/// Parses a date typed as `ДД.ММ.ГГГГ` (or `ГГГГ-ММ-ДД`).
pub fn parse_date(text: &str) -> Option<Date> {
    let text = text.trim();
    if let Ok(date) = text.parse::<Date>() {
        return Some(date);
    }
    let mut parts = text.split('.');
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 {
        return None;
    }
    Date::from_ymd(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// "3 d 4 h" since `then`, in the current language.
pub fn ago(tr: &Tr, then: Instant, now: Instant) -> String {
    let elapsed: Duration = now.0.signed_duration_since(then.0);
    let minutes = elapsed.num_minutes().max(0);
    let (days, hours, mins) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    tr.f("ago", &[("days", days.into()), ("hours", hours.into()), ("minutes", mins.into())])
}

/// The instant as an RFC 3339 file-name-safe stamp (`20261124-1000`).
pub fn stamp(at: Instant) -> String {
    let local: DateTime<_> = at.in_kazakhstan().0;
    local.format("%Y%m%d-%H%M%S").to_string()
}
