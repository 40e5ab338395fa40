//! The kindergarten directory as the center sets it (`setKindergarten`, center only): a
//! closed kindergarten takes no new places and no new choices, one with group years takes
//! only those, and a directory entry needs its languages.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::*;
use rules::model::{GroupLanguage, RightClass, Status};
use rules::{Action, Command, Localized, Role};

fn set(state: &mut rules::State, change: impl FnOnce(&mut rules::model::Kindergarten), now: &str) {
    let mut k = state.kindergarten(KG_A).unwrap().clone();
    change(&mut k);
    ok(state, &Command::SetKindergarten { kindergarten: k }, now);
}

#[test]
fn closed_kindergartens_and_group_years_are_respected_in_places_and_choices() {
    assert_eq!(Command::SetKindergarten { kindergarten: kindergartens().remove(0) }.required_role(), Role::Center);
    let mut state = new_state();
    ok(&mut state, &places_cmd("P1", KG_A, GroupLanguage::Kk, 2023, 2), "2026-11-02T09:00:00+05:00");
    ok(
        &mut state,
        &register_cmd("A1", &child_iin("2023-05-05", 1), "2023-05-05", RightClass::None),
        "2026-11-02T10:00:00+05:00",
    );
    ok(
        &mut state,
        &register_cmd("A2", &child_iin("2023-06-06", 2), "2023-06-06", RightClass::None),
        "2026-11-02T10:01:00+05:00",
    );
    ok(&mut state, &distribute(), "2026-11-02T18:00:00+05:00");
    ok(&mut state, &act("A1", Action::ConfirmVoucher), "2026-11-03T09:00:00+05:00");
    ok(&mut state, &act("A2", Action::ConfirmVoucher), "2026-11-03T09:00:00+05:00");

    // Only groups of 2022 from now on: neither places nor choices for 2023.
    set(&mut state, |k| k.group_years = vec![2022], "2026-11-03T10:00:00+05:00");
    let choose = act("A1", Action::ChooseKindergarten { kindergarten: KG_A.into(), language: GroupLanguage::Kk });
    assert_eq!(rejected(&mut state, &choose, "2026-11-03T11:00:00+05:00").code(), "GROUP_YEAR_NOT_OFFERED");
    let places = places_cmd("P2", KG_A, GroupLanguage::Kk, 2023, 1);
    assert_eq!(rejected(&mut state, &places, "2026-11-03T11:00:00+05:00").code(), "GROUP_YEAR_NOT_OFFERED");

    // Every year again, then closed: no choice, no places; what it has stays.
    set(&mut state, |k| k.group_years.clear(), "2026-11-03T12:00:00+05:00");
    ok(&mut state, &choose, "2026-11-03T12:30:00+05:00");
    assert_eq!(status(&state, "A1"), Status::DirectionIssued);
    set(&mut state, |k| k.open = false, "2026-11-03T13:00:00+05:00");
    let other = act("A2", Action::ChooseKindergarten { kindergarten: KG_A.into(), language: GroupLanguage::Kk });
    let error = rejected(&mut state, &other, "2026-11-03T13:30:00+05:00");
    assert_eq!(error.code(), "KINDERGARTEN_CLOSED");
    assert!(error.message(rules::Lang::Kk).contains("жабық"));
    assert_eq!(rejected(&mut state, &places, "2026-11-03T13:30:00+05:00").code(), "KINDERGARTEN_CLOSED");
    assert_eq!(status(&state, "A1"), Status::DirectionIssued, "the direction it gave stays");

    // A directory entry without group languages is refused.
    let mut bad = state.kindergarten(KG_A).unwrap().clone();
    bad.languages.clear();
    assert_eq!(
        rejected(&mut state, &Command::SetKindergarten { kindergarten: bad }, "2026-11-03T14:00:00+05:00").code(),
        "INVALID_FIELD"
    );
}
