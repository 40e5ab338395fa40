//! A signed correction takes free places in free choice away again: at most as many as are
//! free (what directions hold stays), as a record of its own, and a state restored from the
//! records (a kiosk's snapshot) has the same free places as the one the events built.

#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::*;
use rules::model::{GroupLanguage, NewPlaces, RightClass, Status};
use rules::state::PlaceSlot;
use rules::{Action, Calendar, Command, Localized, State};

fn reduce(id: &str, count: u32) -> Command {
    Command::ReducePlaces {
        places: NewPlaces {
            id: id.into(),
            kindergarten: KG_A.into(),
            language: GroupLanguage::Kk,
            group_year: 2023,
            count,
        },
    }
}

fn slot() -> PlaceSlot {
    PlaceSlot { kindergarten: KG_A.into(), language: GroupLanguage::Kk, group_year: 2023 }
}

#[test]
fn reductions_are_bounded_by_the_free_places_and_survive_a_restore() {
    let mut state = new_state();
    ok(&mut state, &places_cmd("P1", KG_A, GroupLanguage::Kk, 2023, 3), "2026-11-02T09:00:00+05:00");
    // Pending places are not free yet: nothing to take away.
    let error = rejected(&mut state, &reduce("R0", 1), "2026-11-02T09:30:00+05:00");
    assert_eq!(error.code(), "REDUCTION_OVER_FREE");
    ok(
        &mut state,
        &register_cmd("A1", &child_iin("2023-05-05", 1), "2023-05-05", RightClass::None),
        "2026-11-02T10:00:00+05:00",
    );
    ok(&mut state, &distribute(), "2026-11-02T18:00:00+05:00");
    ok(&mut state, &act("A1", Action::ConfirmVoucher), "2026-11-03T10:00:00+05:00");
    ok(
        &mut state,
        &act("A1", Action::ChooseKindergarten { kindergarten: KG_A.into(), language: GroupLanguage::Kk }),
        "2026-11-03T10:05:00+05:00",
    );
    assert_eq!(status(&state, "A1"), Status::DirectionIssued);
    assert_eq!(state.free_places(&slot()), 2, "3 published, 1 held by a direction");

    let error = rejected(&mut state, &reduce("R1", 3), "2026-11-04T09:00:00+05:00");
    assert_eq!(error.code(), "REDUCTION_OVER_FREE");
    assert!(error.message(rules::Lang::Ru).contains('2'), "{}", error.message(rules::Lang::Ru));
    ok(&mut state, &reduce("R1", 1), "2026-11-04T09:00:00+05:00");
    assert_eq!(state.free_places(&slot()), 1);
    let record = state.places().find(|r| r.id == "R1").unwrap();
    assert!(record.reduction && record.count == 1);
    // The id is taken like any record's.
    assert_eq!(rejected(&mut state, &reduce("R1", 1), "2026-11-04T09:05:00+05:00").code(), "DUPLICATE_PLACES_RECORD");

    // A state restored from the records (whatever their order) has the same free places.
    let mut records: Vec<_> = state.places().cloned().collect();
    records.reverse();
    let restored = State::restore(Calendar::embedded(), kindergartens(), state.applications().cloned(), records);
    assert_eq!(restored.free_slots(), state.free_slots());
}
