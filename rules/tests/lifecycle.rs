//! The status table of DESIGN.md, driven through `State::execute` as a host would.
//!
//! One child ("A1", born 2022-05-01, general queue of KOK) walks a fixed 2026 timeline:
//! registered Mon 2 Feb, one Kazakh place at KG-A published and a voucher issued on
//! Tue 3 Feb (confirm deadline Thu 5 Feb 23:59:59+05:00), confirmed Wed 4 Feb (choose
//! deadline Wed 11 Feb), kindergarten chosen Thu 5 Feb, accepted or refused Fri 6 Feb.

// Helpers outside #[test] functions unwrap too; a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "lifecycle/timeline.rs"]
mod timeline;

#[path = "lifecycle/aging_out.rs"]
mod aging_out;
#[path = "lifecycle/command_checks.rs"]
mod command_checks;
#[path = "lifecycle/deadlines.rs"]
mod deadlines;
#[path = "lifecycle/paths.rs"]
mod paths;
#[path = "lifecycle/status_table.rs"]
mod status_table;
