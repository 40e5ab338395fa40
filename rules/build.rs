//! Embeds `data/calendar.json` as Rust constants so that `rules` needs no IO and
//! the WebAssembly module carries the same calendar as the native binaries.

// A build script should stop loudly on bad data: unwrap and expect are its error handling.
#![allow(clippy::unwrap_used, clippy::struct_field_names)]

use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Deserialize;

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
    let parts: Vec<&str> = text.split('-').collect();
    assert!(
        parts.len() == 3 && parts[0].parse::<i32>().ok() == Some(year),
        "calendar: {text} is not a YYYY-MM-DD date of {year}"
    );
    let month: u32 = parts[1].parse().expect("calendar: month");
    let day: u32 = parts[2].parse().expect("calendar: day");
    format!("({month}, {day})")
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
        writeln!(
            out,
            "    StatutoryHoliday {{ month: {}, day: {}, moves_off_weekend: {}, name: {} }},",
            h.month,
            h.day,
            h.moves_off_weekend,
            names_literal(&h.name)
        )
        .unwrap();
    }
    out.push_str("];\n");
    out.push_str("pub(crate) const YEARS: &[YearData] = &[\n");
    let mut previous = None;
    for y in &calendar.years {
        assert!(previous.is_none_or(|p| p < y.year), "calendar: years must be sorted and unique");
        previous = Some(y.year);
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
}
