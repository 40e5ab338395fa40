//! What a command needs to be accepted: a free place of the chosen kindergarten, language
//! and year; one active application per child and queue; valid registration input; a known
//! application.

use rules::error::{CommandError, FieldProblem};
use rules::model::GroupLanguage;
use rules::{Action, Command, Localized, RightClass};

use crate::common::*;
use crate::timeline::*;

#[test]
fn choosing_needs_a_free_place_of_that_kindergarten_language_and_year() {
    let mut s = new_state();
    for i in 1..=2u32 {
        ok(&mut s, &register_cmd(&format!("A{i}"), &child_iin(BIRTH, i), BIRTH, RightClass::None), T_REG);
    }
    ok(&mut s, &places_cmd("P1", KG_A, GroupLanguage::Kk, 2022, 1), T_PLACES);
    ok(&mut s, &places_cmd("P2", KG_B, GroupLanguage::Ru, 2022, 1), T_PLACES);
    ok(&mut s, &distribute(), T_DIST);
    for id in ["A1", "A2"] {
        ok(&mut s, &act(id, Action::ConfirmVoucher), T_CONFIRM);
    }
    ok(&mut s, &act("A1", choose_a()), T_CHOOSE);
    let cases = [
        (choose_a(), "NO_FREE_PLACE"),
        (Action::ChooseKindergarten { kindergarten: KG_A.into(), language: GroupLanguage::Ru }, "NO_FREE_PLACE"),
        (Action::ChooseKindergarten { kindergarten: KG_B.into(), language: GroupLanguage::Kk }, "LANGUAGE_NOT_OFFERED"),
        (
            Action::ChooseKindergarten { kindergarten: KG_OTHER.into(), language: GroupLanguage::Kk },
            "KINDERGARTEN_MISMATCH",
        ),
        (
            Action::ChooseKindergarten { kindergarten: KG_SAN.into(), language: GroupLanguage::Ru },
            "KINDERGARTEN_MISMATCH",
        ),
        (
            Action::ChooseKindergarten { kindergarten: "KG-NONE".into(), language: GroupLanguage::Ru },
            "UNKNOWN_KINDERGARTEN",
        ),
    ];
    for (action, code) in cases {
        let error = rejected(&mut s, &act("A2", action.clone()), T_CHOOSE);
        assert_eq!(error.code(), code, "{action:?}: {error:?}");
    }
    let error = rejected(&mut s, &act("A2", choose_a()), T_CHOOSE);
    assert_eq!(
        error,
        CommandError::NoFreePlace { kindergarten: KG_A.into(), language: GroupLanguage::Kk, group_year: 2022 }
    );
    ok(
        &mut s,
        &act("A2", Action::ChooseKindergarten { kindergarten: KG_B.into(), language: GroupLanguage::Ru }),
        T_CHOOSE,
    );
    assert!(s.free_slots().is_empty());
}

#[test]
fn one_active_application_per_child_and_queue_type() {
    let mut s = new_state();
    ok(&mut s, &register_cmd("A1", &a1_iin(), BIRTH, RightClass::None), T_REG);
    let error = rejected(&mut s, &register_cmd("A2", &a1_iin(), BIRTH, RightClass::None), T_PLACES);
    assert_eq!(error, CommandError::DuplicateChild { existing: "A1".into() });
    assert_eq!(error.code(), "DUPLICATE_CHILD");
    let error = rejected(&mut s, &register_cmd("A1", &child_iin(BIRTH, 9), BIRTH, RightClass::None), T_PLACES);
    assert_eq!(error.code(), "DUPLICATE_APPLICATION");
    // Another queue type is another queue.
    let sanatorium = Command::Register {
        application: new_application("S1", &a1_iin(), BIRTH, RightClass::None, rules::QueueType::Sanatorium),
    };
    ok(&mut s, &sanatorium, T_PLACES);
    assert_eq!(s.position("S1"), Some(1));
    assert_eq!(s.position("A1"), Some(1));
}

#[test]
fn registration_validates_its_input() {
    let mut s = new_state();
    let mut bad_iin = new_application("A1", &a1_iin(), BIRTH, RightClass::None, rules::QueueType::General);
    bad_iin.child_iin.replace_range(11..12, if bad_iin.child_iin.ends_with('0') { "1" } else { "0" });
    let error = rejected(&mut s, &Command::Register { application: bad_iin }, T_REG);
    assert_eq!(error.code(), "IIN_CHECKSUM");
    let mut no_category = new_application("A1", &a1_iin(), BIRTH, RightClass::First, rules::QueueType::General);
    no_category.right_category = None;
    let error = rejected(&mut s, &Command::Register { application: no_category }, T_REG);
    assert_eq!(error, CommandError::InvalidField { field: "rightCategory", problem: FieldProblem::Missing });
    let error =
        rejected(&mut s, &register_cmd("A1", &child_iin("2026-02-03", 1), "2026-02-03", RightClass::None), T_REG);
    assert_eq!(error, CommandError::BirthDateInFuture);
    // The IIN's date may differ from the birth date: a warning, not a rejection.
    ok(&mut s, &register_cmd("A1", &child_iin("2022-05-02", 1), BIRTH, RightClass::None), T_REG);
    assert_eq!(s.application("A1").unwrap().warnings, [rules::model::Warning::BirthDateDiffersFromIin]);
}

#[test]
fn unknown_application_is_a_typed_error() {
    let mut s = new_state();
    let error = rejected(&mut s, &act("NOPE", Action::Withdraw), T_REG);
    assert_eq!(error, CommandError::UnknownApplication { id: "NOPE".into() });
}
