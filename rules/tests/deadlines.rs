//! Deadline tables for 2026 around the days off that make them move: Nauryz (21–25 March),
//! the May holidays (1, 7, 9 → 11, 27 Kurban Ait), 16 December and the year end into the
//! provisional 2027. Expected values were worked out by hand from DESIGN.md's list of
//! 2026 weekday days off (1, 2, 7 Jan; 9 Mar; 23–25 Mar; 1, 7, 11, 27 May; 6 Jul; 26 Oct;
//! 16 Dec; no Constitution Day, so Monday 31 Aug works) and, for January 2027, 1 Jan (Fri),
//! 4 Jan (2 Jan moved) and 7 Jan. Every deadline that reaches into 2027 is provisional.

// Helpers outside #[test] functions unwrap too; a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use rules::Calendar;
use rules::deadline::{DeadlineKind, deadline, extended};
use rules::time::{Date, Instant};

fn at(text: &str) -> Instant {
    text.parse().unwrap()
}

fn d(text: &str) -> Date {
    text.parse().unwrap()
}

/// End of a local day, as the rules write it.
fn end(day: &str) -> String {
    format!("{day}T23:59:59+05:00")
}

#[track_caller]
fn check(kind: DeadlineKind, rows: &[(&str, &str)]) {
    let cal = Calendar::embedded();
    for (from, expected) in rows {
        let got = deadline(cal, kind, at(from)).unwrap();
        assert_eq!(got.at.to_string(), end(expected), "{kind:?} from {from}");
        assert_eq!(got.at, at(&end(expected)));
        // 2027 has no decree yet; restore counts calendar days and never depends on it.
        let provisional = kind != DeadlineKind::Restore && expected.starts_with("2027");
        assert_eq!(got.provisional, provisional, "{kind:?} from {from}");
    }
}

#[test]
fn working_days_around_the_2026_holidays() {
    let cal = Calendar::embedded();
    let table = [
        // Nauryz: Sat 21 and Sun 22 move to Tue 24 and Wed 25; Mon 23 is Nauryz itself.
        ("2026-03-19", true),
        ("2026-03-20", true),
        ("2026-03-21", false),
        ("2026-03-22", false),
        ("2026-03-23", false),
        ("2026-03-24", false),
        ("2026-03-25", false),
        ("2026-03-26", true),
        // May: 1 (Fri), 7 (Thu), 9 (Sat → Mon 11), Kurban Ait 27 (Wed).
        ("2026-04-30", true),
        ("2026-05-01", false),
        ("2026-05-04", true),
        ("2026-05-06", true),
        ("2026-05-07", false),
        ("2026-05-08", true),
        ("2026-05-09", false),
        ("2026-05-11", false),
        ("2026-05-12", true),
        ("2026-05-26", true),
        ("2026-05-27", false),
        ("2026-05-28", true),
        // No Constitution Day in 2026: Sun 30 Aug does not move to Mon 31 Aug.
        ("2026-08-28", true),
        ("2026-08-30", false),
        ("2026-08-31", true),
        // 16 December (Wed).
        ("2026-12-15", true),
        ("2026-12-16", false),
        ("2026-12-17", true),
        // The year end: 31 Dec (Thu) works; 1 Jan 2027 (Fri), 4 Jan (2 Jan moved), 7 Jan off.
        ("2026-12-31", true),
        ("2027-01-01", false),
        ("2027-01-04", false),
        ("2027-01-05", true),
        ("2027-01-07", false),
        ("2027-01-08", true),
    ];
    for (day, working) in table {
        assert_eq!(cal.is_working_day(d(day)), Ok(working), "{day}");
    }
}

#[test]
fn confirm_two_working_days_after_the_local_issue_day() {
    check(
        DeadlineKind::Confirm,
        &[
            // Nauryz.
            ("2026-03-17T10:00:00+05:00", "2026-03-19"),
            ("2026-03-18T10:00:00+05:00", "2026-03-20"),
            ("2026-03-19T10:00:00+05:00", "2026-03-26"),
            // 19:00 UTC on Thursday is already Friday 00:00 in Kazakhstan.
            ("2026-03-19T18:59:59Z", "2026-03-26"),
            ("2026-03-19T19:00:00Z", "2026-03-27"),
            ("2026-03-20T10:00:00+05:00", "2026-03-27"),
            // Friday evening in New York is Saturday morning in Kazakhstan.
            ("2026-03-20T23:30:00-05:00", "2026-03-27"),
            ("2026-03-23T12:00:00+05:00", "2026-03-27"),
            ("2026-03-25T18:59:59Z", "2026-03-27"),
            ("2026-03-25T19:00:00Z", "2026-03-30"),
            ("2026-03-26T09:00:00+05:00", "2026-03-30"),
            // May.
            ("2026-04-29T23:59:59+05:00", "2026-05-04"),
            ("2026-04-30T10:00:00+05:00", "2026-05-05"),
            ("2026-04-30T19:00:00Z", "2026-05-05"),
            ("2026-05-05T10:00:00+05:00", "2026-05-08"),
            ("2026-05-06T10:00:00+05:00", "2026-05-12"),
            // 02:00 on 7 May at +14:00 is still 6 May in Kazakhstan.
            ("2026-05-07T02:00:00+14:00", "2026-05-12"),
            ("2026-05-07T10:00:00+05:00", "2026-05-12"),
            ("2026-05-08T10:00:00+05:00", "2026-05-13"),
            ("2026-05-08T23:00:00-03:00", "2026-05-13"),
            ("2026-05-11T10:00:00+05:00", "2026-05-13"),
            ("2026-05-25T10:00:00+05:00", "2026-05-28"),
            ("2026-05-26T10:00:00+05:00", "2026-05-29"),
            ("2026-05-26T19:00:00Z", "2026-05-29"),
            ("2026-05-27T10:00:00+05:00", "2026-05-29"),
            // The end of August: Monday 31 Aug is a working day.
            ("2026-08-27T10:00:00+05:00", "2026-08-31"),
            ("2026-08-28T10:00:00+05:00", "2026-09-01"),
            // December.
            ("2026-12-11T10:00:00+05:00", "2026-12-15"),
            ("2026-12-14T10:00:00+05:00", "2026-12-17"),
            ("2026-12-15T10:00:00+05:00", "2026-12-18"),
            ("2026-12-16T10:00:00+05:00", "2026-12-18"),
            ("2026-12-17T10:00:00+05:00", "2026-12-21"),
            // Year end.
            ("2026-12-29T10:00:00+05:00", "2026-12-31"),
            ("2026-12-30T10:00:00+05:00", "2027-01-05"),
            ("2026-12-31T10:00:00+05:00", "2027-01-06"),
            ("2026-12-31T18:59:59Z", "2027-01-06"),
            ("2026-12-31T19:00:00Z", "2027-01-06"),
            ("2026-12-31T12:00:00-09:30", "2027-01-06"),
        ],
    );
}

#[test]
fn choose_five_working_days_after_the_local_confirmation_day() {
    check(
        DeadlineKind::Choose,
        &[
            ("2026-03-17T10:00:00+05:00", "2026-03-27"),
            ("2026-03-18T10:00:00+05:00", "2026-03-30"),
            ("2026-03-19T10:00:00+05:00", "2026-03-31"),
            ("2026-03-19T19:00:00Z", "2026-04-01"),
            ("2026-03-23T12:00:00+05:00", "2026-04-01"),
            ("2026-03-25T19:00:00Z", "2026-04-02"),
            ("2026-04-30T10:00:00+05:00", "2026-05-12"),
            ("2026-05-05T10:00:00+05:00", "2026-05-14"),
            ("2026-05-06T10:00:00+05:00", "2026-05-15"),
            ("2026-05-08T10:00:00+05:00", "2026-05-18"),
            ("2026-05-08T23:00:00-03:00", "2026-05-18"),
            ("2026-05-26T10:00:00+05:00", "2026-06-03"),
            ("2026-05-26T19:00:00Z", "2026-06-03"),
            ("2026-08-27T10:00:00+05:00", "2026-09-03"),
            ("2026-12-11T10:00:00+05:00", "2026-12-21"),
            ("2026-12-15T10:00:00+05:00", "2026-12-23"),
            ("2026-12-17T10:00:00+05:00", "2026-12-24"),
            ("2026-12-29T10:00:00+05:00", "2027-01-08"),
            ("2026-12-30T10:00:00+05:00", "2027-01-11"),
            ("2026-12-31T10:00:00+05:00", "2027-01-12"),
            ("2026-12-31T19:00:00Z", "2027-01-12"),
        ],
    );
}

#[test]
fn restore_28_calendar_days_after_the_missed_deadline_without_roll_forward() {
    check(
        DeadlineKind::Restore,
        &[
            ("2026-03-20T23:59:59+05:00", "2026-04-17"),
            ("2026-03-20T18:59:59Z", "2026-04-17"),
            ("2026-03-27T23:59:59+05:00", "2026-04-24"),
            // Ends on Kurban Ait and on 16 December: days off do not move it.
            ("2026-04-29T23:59:59+05:00", "2026-05-27"),
            ("2026-11-18T23:59:59+05:00", "2026-12-16"),
            ("2026-05-12T23:59:59+05:00", "2026-06-09"),
            ("2026-12-16T23:59:59+05:00", "2027-01-13"),
            ("2026-12-31T23:59:59+05:00", "2027-01-28"),
            // 19:00 UTC on 31 December is already 1 January in Kazakhstan.
            ("2026-12-31T19:00:00Z", "2027-01-29"),
        ],
    );
}

#[test]
fn extension_adds_calendar_days_to_the_local_deadline() {
    let rows = [
        ("2026-03-20T23:59:59+05:00", 1, "2026-03-21"),
        ("2026-03-20T23:59:59+05:00", 30, "2026-04-19"),
        ("2026-12-23T23:59:59+05:00", 9, "2027-01-01"),
        // The same deadline written in UTC.
        ("2026-12-23T18:59:59Z", 9, "2027-01-01"),
    ];
    for (from, days, expected) in rows {
        assert_eq!(extended(at(from), days).unwrap().to_string(), end(expected), "{from} + {days}");
    }
}
