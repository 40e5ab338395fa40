//! Embeds `data/calendar.json` as Rust constants so that `rules` needs no IO and
//! the WebAssembly module carries the same calendar as the native binaries.

// A build script should stop loudly on bad data: unwrap and expect are its error handling.
#![allow(clippy::unwrap_used, clippy::struct_field_names)]

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Deserialize;

#[path = "build_categories.rs"]
mod build_categories;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Calendar {
    version: String,
    time_zone: String,
    statutory_holidays: Vec<Statutory>,
    kurban_ait_name: Names,
    years: Vec<Year>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Names {
    ru: String,
    kk: String,
    en: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Statutory {
    month: u32,
    day: u32,
    moves_off_weekend: bool,
    /// The first year the holiday applies in (inclusive); every year when absent.
    #[serde(default)]
    from_year: Option<i32>,
    /// The last year the holiday applies in (inclusive); every later year when absent.
    #[serde(default)]
    until_year: Option<i32>,
    name: Names,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Year {
    year: i32,
    provisional: bool,
    kurban_ait: String,
    extra_days_off: Vec<String>,
    extra_working_days: Vec<String>,
    source: String,
}

fn date_literal(text: &str, year: i32) -> String {
    let (month, day) = parse_date(text, year);
    format!("({month}, {day})")
}

fn option_literal(value: Option<i32>) -> String {
    value.map_or_else(|| "None".to_owned(), |v| format!("Some({v})"))
}

/// Whether a `(month, day)` of `year` is a Saturday or a Sunday (Zeller's congruence, so that
/// the build script needs no date crate).
fn is_weekend(year: i32, month: u32, day: u32) -> bool {
    // January and February count as months 13 and 14 of the year before.
    let (zyear, zmonth) = if month < 3 { (year - 1, month + 12) } else { (year, month) };
    let (in_century, century) = (zyear.rem_euclid(100), zyear.div_euclid(100));
    let zmonth = i32::try_from(zmonth).unwrap();
    let day = i32::try_from(day).unwrap();
    // 0 = Saturday, 1 = Sunday, 2 = Monday, …
    let weekday = (day + 13 * (zmonth + 1) / 5 + in_century + in_century / 4 + century / 4 + 5 * century).rem_euclid(7);
    weekday <= 1
}

fn parse_date(text: &str, year: i32) -> (u32, u32) {
    let parts: Vec<&str> = text.split('-').collect();
    assert!(
        parts.len() == 3 && parts[0].parse::<i32>().ok() == Some(year),
        "calendar: {text} is not a YYYY-MM-DD date of {year}"
    );
    (parts[1].parse().expect("calendar: month"), parts[2].parse().expect("calendar: day"))
}

fn names_literal(names: &Names) -> String {
    format!("Text::new({:?}, {:?}, {:?})", names.ru, names.kk, names.en)
}

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let path = manifest.join("../data/calendar.json");
    println!("cargo::rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path).expect("read data/calendar.json");
    let calendar: Calendar = serde_json::from_str(&text).expect("data/calendar.json is valid");
    assert_eq!(calendar.time_zone, "+05:00", "calendar: Kazakhstan is UTC+05:00");

    let mut out = String::new();
    writeln!(out, "pub(crate) const CALENDAR_VERSION: &str = {:?};", calendar.version).unwrap();
    writeln!(out, "pub(crate) const KURBAN_AIT_NAME: Text = {};", names_literal(&calendar.kurban_ait_name)).unwrap();
    out.push_str("pub(crate) const STATUTORY: &[StatutoryHoliday] = &[\n");
    for h in &calendar.statutory_holidays {
        if let (Some(from), Some(until)) = (h.from_year, h.until_year) {
            assert!(from <= until, "calendar: {}-{}: fromYear {from} is after untilYear {until}", h.month, h.day);
        }
        writeln!(
            out,
            "    StatutoryHoliday {{ month: {}, day: {}, moves_off_weekend: {}, from_year: {}, until_year: {}, name: {} }},",
            h.month,
            h.day,
            h.moves_off_weekend,
            option_literal(h.from_year),
            option_literal(h.until_year),
            names_literal(&h.name)
        )
        .unwrap();
    }
    out.push_str("];\n");
    out.push_str("pub(crate) const YEARS: &[YearData] = &[\n");
    assert!(!calendar.years.is_empty(), "calendar: no years");
    let mut previous: Option<&Year> = None;
    for y in &calendar.years {
        // Contiguous: a date between the first and the last year is never out of range.
        assert!(
            previous.is_none_or(|p| p.year + 1 == y.year),
            "calendar: years must be consecutive, {} follows",
            y.year
        );
        // A provisional year is never followed by an official one.
        assert!(
            previous.is_none_or(|p| !p.provisional || y.provisional),
            "calendar: {} is official but follows a provisional year",
            y.year
        );
        previous = Some(y);
        for text in &y.extra_days_off {
            let (month, day) = parse_date(text, y.year);
            assert!(!is_weekend(y.year, month, day), "calendar: extra day off {text} is not a weekday");
        }
        for text in &y.extra_working_days {
            let (month, day) = parse_date(text, y.year);
            assert!(is_weekend(y.year, month, day), "calendar: extra working day {text} is not a Saturday or Sunday");
        }
        let list = |dates: &[String]| dates.iter().map(|d| date_literal(d, y.year)).collect::<Vec<_>>().join(", ");
        writeln!(
            out,
            "    YearData {{ year: {}, provisional: {}, kurban_ait: {}, extra_days_off: &[{}], extra_working_days: &[{}], source: {:?} }},",
            y.year,
            y.provisional,
            date_literal(&y.kurban_ait, y.year),
            list(&y.extra_days_off),
            list(&y.extra_working_days),
            y.source
        )
        .unwrap();
    }
    out.push_str("];\n");
    let out_path = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("calendar_data.rs");
    std::fs::write(out_path, out).expect("write calendar_data.rs");
    build_categories::generate(&manifest, &PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")));
}
