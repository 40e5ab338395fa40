//! Calendar years set at run time (`setCalendarYear`, center only): a decree for a
//! provisional year makes it official with its transfers, deadlines computed afterwards use
//! it, and bad years are refused with a typed error.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::*;
use rules::calendar::{CalendarYear, YearStatus};
use rules::deadline::{DeadlineKind, deadline};
use rules::{Calendar, Command, Localized, Role};

fn decree_2027() -> CalendarYear {
    CalendarYear {
        year: 2027,
        provisional: false,
        kurban_ait: date("2027-05-16"),
        // Made-up transfer for the test: Friday 8 January 2027 off, Saturday 16 January worked.
        extra_days_off: vec![date("2027-01-08")],
        extra_working_days: vec![date("2027-01-16")],
        source: "Постановление (test)".into(),
    }
}

#[test]
fn a_decree_makes_a_provisional_year_official_with_its_transfers() {
    let base = Calendar::embedded();
    assert_eq!(base.year_status(2027), Ok(YearStatus::Provisional));
    assert_eq!(base.is_working_day(date("2027-01-08")), Ok(true));
    let updated = base.with_year_static(&decree_2027()).unwrap();
    assert_eq!(updated.year_status(2027), Ok(YearStatus::Official));
    assert_eq!(updated.is_working_day(date("2027-01-08")), Ok(false));
    assert_eq!(updated.is_working_day(date("2027-01-16")), Ok(true));
    assert!(updated.version().ends_with("+2027"), "{}", updated.version());
    // The same update twice gives the same calendar (built once).
    assert!(std::ptr::eq(updated, base.with_year_static(&decree_2027()).unwrap()));
    // A deadline across the transfer moves by a day, and is no longer provisional.
    let issued = at("2027-01-06T12:00:00+05:00");
    let before = deadline(base, DeadlineKind::Confirm, issued).unwrap();
    let after = deadline(updated, DeadlineKind::Confirm, issued).unwrap();
    assert!(after.at > before.at && before.provisional && !after.provisional, "{before:?} {after:?}");
}

#[test]
fn the_state_takes_a_year_from_the_center_and_refuses_bad_ones() {
    assert_eq!(Command::SetCalendarYear { year: decree_2027() }.required_role(), Role::Center);
    let mut state = new_state();
    ok(&mut state, &Command::SetCalendarYear { year: decree_2027() }, "2026-12-10T10:00:00+05:00");
    assert_eq!(state.calendar().year_status(2027), Ok(YearStatus::Official));
    let bad = [
        CalendarYear { year: 2040, ..decree_2027() },
        CalendarYear { kurban_ait: date("2026-05-27"), ..decree_2027() },
        CalendarYear { extra_days_off: vec![date("2027-01-09")], ..decree_2027() },
        CalendarYear { extra_working_days: vec![date("2027-01-11")], ..decree_2027() },
        CalendarYear { source: " ".into(), ..decree_2027() },
        CalendarYear { year: 2029, ..decree_2027() },
    ];
    for year in bad {
        let error = rejected(&mut state, &Command::SetCalendarYear { year: year.clone() }, "2026-12-10T11:00:00+05:00");
        assert_eq!(error.code(), "INVALID_CALENDAR_YEAR", "{year:?}");
        assert!(!error.message(rules::Lang::Kk).is_empty());
    }
    assert_eq!(state.calendar().year_status(2027), Ok(YearStatus::Official), "nothing refused was applied");
}
