//! Privilege categories: registration accepts a category exactly when its code is listed in
//! `data/categories.json` and gives the application's class of right, and the register
//! command of the district state (kiosk, center) answers as the pure `registered` does
//! (the WASM module calls `registered`).

// Helpers outside #[test] functions unwrap too; a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::{child_iin, new_application, new_state};
use proptest::prelude::*;
use proptest::sample::select;
use rules::category;
use rules::error::{CommandError, FieldProblem};
use rules::{Command, QueueType, RightClass};

/// Listed codes, near misses of them (case, spaces, suffixes) and arbitrary text.
fn code_strategy() -> impl Strategy<Value = String> {
    let listed: Vec<String> = category::all().iter().map(|c| c.code.to_owned()).collect();
    let near = listed.clone();
    prop_oneof![
        4 => select(listed),
        2 => (select(near), 0..4usize).prop_map(|(code, how)| match how {
            0 => code.to_lowercase(),
            1 => format!(" {code}"),
            2 => format!("{code}S"),
            _ => code.replace('_', "-"),
        }),
        1 => "[A-Z_]{1,20}",
        1 => ".{0,12}",
    ]
}

fn right_strategy() -> impl Strategy<Value = RightClass> {
    select(RightClass::ALL.to_vec())
}

/// What the rules must answer for this right and category, written from the data alone.
fn expected(right: RightClass, code: Option<&str>) -> Result<(), CommandError> {
    let field = "rightCategory";
    match (right, code) {
        (RightClass::None, None) => Ok(()),
        (RightClass::None, Some(_)) => Err(CommandError::InvalidField { field, problem: FieldProblem::Unexpected }),
        (_, None) => Err(CommandError::InvalidField { field, problem: FieldProblem::Missing }),
        (_, Some(code)) if code.trim().is_empty() => {
            Err(CommandError::InvalidField { field, problem: FieldProblem::Empty })
        }
        (right, Some(code)) => {
            let listed = category::all().iter().find(|c| c.code == code);
            match listed {
                None => Err(CommandError::UnknownCategory { category: code.to_owned() }),
                Some(c) if c.right != right => Err(CommandError::CategoryRightMismatch {
                    category: code.to_owned(),
                    right,
                    category_right: c.right,
                }),
                Some(_) => Ok(()),
            }
        }
    }
}

const T_REG: &str = "2026-02-02T10:00:00+05:00";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn a_category_is_accepted_exactly_when_listed_with_the_same_class(
        right in right_strategy(),
        code in proptest::option::weighted(0.9, code_strategy()),
    ) {
        let mut new = new_application("A1", &child_iin("2022-05-01", 1), "2022-05-01", right, QueueType::General);
        new.right_category.clone_from(&code);
        let now = common::at(T_REG);
        let answer = rules::state::registered(&new, now).map(|_| ());
        prop_assert_eq!(&answer, &expected(right, code.as_deref()));
        // The district state (kiosk, center) gives the same answer.
        let state = new_state();
        let decided = state.decide(&Command::Register { application: new }, now).map(|_| ());
        prop_assert_eq!(decided, answer);
    }
}

#[test]
fn every_listed_category_registers_with_its_class_and_no_other() {
    for c in category::all() {
        for right in RightClass::ALL {
            let mut new = new_application("A1", &child_iin("2022-05-01", 1), "2022-05-01", right, QueueType::General);
            new.right_category = (right != RightClass::None).then(|| c.code.to_owned());
            let answer = rules::state::registered(&new, common::at(T_REG)).map(|_| ());
            assert_eq!(answer.is_ok(), right == RightClass::None || right == c.right, "{} as {right:?}", c.code);
        }
    }
}
