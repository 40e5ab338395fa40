//! Decisions as of a command's own time: a confirmation made before the confirm deadline
//! stands even when an expiry already stop-listed the voucher (the office was offline, the
//! center's nightly expiry ran first); one made after it is still refused.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::*;
use rules::model::{QueueType, RightClass, Status};
use rules::{Action, Command, Localized};

fn stop_listed() -> (rules::State, String) {
    let mut state = new_state();
    let kg = kindergartens().into_iter().find(|k| k.district == "KOK" && k.queue_type == QueueType::General).unwrap();
    ok(
        &mut state,
        &register_cmd("A1", &child_iin("2023-05-05", 1), "2023-05-05", RightClass::None),
        "2026-11-01T10:00:00+05:00",
    );
    ok(&mut state, &places_cmd("P1", &kg.id, kg.languages[0], 2023, 1), "2026-11-01T10:00:00+05:00");
    ok(&mut state, &distribute(), "2026-11-02T18:00:00+05:00");
    assert_eq!(status(&state, "A1"), Status::VoucherIssued);
    ok(&mut state, &Command::Tick, "2026-11-05T00:05:00+05:00");
    assert_eq!(status(&state, "A1"), Status::StopListed);
    (state, "A1".into())
}

#[test]
fn a_confirmation_made_in_time_stands_after_the_expiry() {
    let (mut state, id) = stop_listed();
    ok(&mut state, &act(&id, Action::ConfirmVoucher), "2026-11-04T23:59:59+05:00");
    let app = state.application(&id).unwrap();
    assert_eq!(app.status, Status::VoucherConfirmed);
    let voucher = app.voucher.as_ref().unwrap();
    assert!(!voucher.restored);
    assert_eq!((voucher.stop_listed_at, voucher.restore_deadline), (None, None));
    assert_eq!(voucher.confirmed_at, Some(at("2026-11-04T23:59:59+05:00")));
}

#[test]
fn a_confirmation_made_after_the_deadline_is_still_refused() {
    let (mut state, id) = stop_listed();
    let error = rejected(&mut state, &act(&id, Action::ConfirmVoucher), "2026-11-05T00:00:00+05:00");
    // Stop-listed by then: the status table says what is left.
    assert_eq!(error.code(), "NOT_ALLOWED");
    // ... and a restore is what the parent has then.
    ok(&mut state, &act(&id, Action::RestoreVoucher), "2026-11-05T10:00:00+05:00");
    assert!(state.application(&id).unwrap().voucher.as_ref().unwrap().restored);
}
