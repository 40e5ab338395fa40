//! What the parents' portal asks the rules (through WASM `actionInfo`, `kindergartenChoices`,
//! `applicationInfo`), checked against what the rules do when the command is decided: the
//! answers are facts about `decide`, not a second table that could drift from it.
//!
//! Two children of KOK walk a 2026 timeline: A1 is registered, gets a voucher, confirms,
//! chooses KG-A, is refused, overruled and enrolled; A2 gets a voucher and misses the
//! confirm deadline (stop-listed). Every status they pass through is checked with every
//! action the rules allow there.

// Helpers outside #[test] functions unwrap too; a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use rules::command::ActionKind;
use rules::deadline::{DeadlineKind, deadline, due_by, started_by};
use rules::free_choice::{FreePlace, KnownPlaces};
use rules::lifecycle::{NoPlaceCheck, allowed_actions, decide, ends_application, evolve};
use rules::model::{Application, GroupLanguage};
use rules::{Action, Command, Event, Instant, RightClass, State};

/// A1 and A2 (and the instant just after) in every status they reach.
fn visited() -> Vec<(Application, Instant)> {
    let mut state = new_state();
    let mut seen = Vec::new();
    let mut step = |state: &mut State, command: Command, when: &str, ids: &[&str]| {
        ok(state, &command, when);
        let after = Instant(at(when).0 + chrono::Duration::minutes(1));
        seen.extend(ids.iter().map(|id| (state.application(id).unwrap().clone(), after)));
    };
    step(
        &mut state,
        register_cmd("A1", &child_iin("2022-05-01", 1), "2022-05-01", RightClass::None),
        "2026-02-02T10:00:00+05:00",
        &["A1"],
    );
    step(
        &mut state,
        register_cmd("A2", &child_iin("2022-06-01", 2), "2022-06-01", RightClass::None),
        "2026-02-02T10:05:00+05:00",
        &[],
    );
    step(&mut state, places_cmd("P1", KG_A, GroupLanguage::Kk, 2022, 2), "2026-02-02T11:00:00+05:00", &[]);
    step(&mut state, distribute(), "2026-02-03T09:00:00+05:00", &["A1", "A2"]);
    step(&mut state, act("A1", Action::ConfirmVoucher), "2026-02-04T10:00:00+05:00", &["A1"]);
    let choose = Action::ChooseKindergarten { kindergarten: KG_A.into(), language: GroupLanguage::Kk };
    step(&mut state, act("A1", choose), "2026-02-05T10:00:00+05:00", &["A1"]);
    step(&mut state, Command::Tick, "2026-02-06T00:00:00+05:00", &["A2"]);
    step(
        &mut state,
        act("A1", Action::RefuseChild { reason: "no record".into() }),
        "2026-02-06T10:00:00+05:00",
        &["A1"],
    );
    step(&mut state, act("A1", Action::OverruleRefusal), "2026-02-06T11:00:00+05:00", &["A1"]);
    step(&mut state, act("A1", Action::AcceptChild), "2026-02-06T12:00:00+05:00", &["A1"]);
    seen
}

/// An instance of an action of `kind`, taken at `now`.
fn instance(kind: ActionKind, now: Instant) -> Action {
    match kind {
        ActionKind::ExtendChoice => Action::ExtendChoice { days: 3 },
        ActionKind::ChooseKindergarten => {
            Action::ChooseKindergarten { kindergarten: KG_A.into(), language: GroupLanguage::Kk }
        }
        ActionKind::RefuseChild => Action::RefuseChild { reason: "no record".into() },
        ActionKind::MarkDeparted => Action::MarkDeparted { date: now.local_date(), reason: "moved".into() },
        data_free => serde_json::from_value(serde_json::json!({ "type": data_free.as_str() })).unwrap(),
    }
}

/// The deadline an action's own event starts: its kind and instant.
fn started(event: &Event) -> Option<(DeadlineKind, Instant)> {
    match event {
        Event::VoucherIssued { confirm_deadline, .. } => Some((DeadlineKind::Confirm, *confirm_deadline)),
        Event::VoucherConfirmed { choose_deadline, .. } | Event::VoucherRestored { choose_deadline, .. } => {
            Some((DeadlineKind::Choose, *choose_deadline))
        }
        _ => None,
    }
}

#[test]
fn what_the_portal_is_told_of_each_action_is_what_deciding_it_does() {
    let visited = visited();
    let mut checked = std::collections::BTreeSet::new();
    for (app, now) in &visited {
        for allowed in allowed_actions(app, *now, rules::Calendar::embedded()).unwrap() {
            let kind = allowed.action;
            let events = decide(app, &instance(kind, *now), *now, rules::Calendar::embedded(), &NoPlaceCheck)
                .unwrap_or_else(|e| panic!("{kind:?} in {:?}: {e:?}", app.status));
            let mut after = app.clone();
            for event in &events {
                evolve(&mut after, event);
            }
            assert_eq!(after.status.is_final(), ends_application(kind), "{kind:?} from {:?}", app.status);
            // The deadline it starts is the one its event carries, counted from now.
            let own = events.last().unwrap();
            let expected = started_by(kind).map(|k| (k, deadline(rules::Calendar::embedded(), k, *now).unwrap().at));
            assert_eq!(started(own), expected, "{kind:?} from {:?}", app.status);
            // The deadline it is due by is the one allowed_actions gives it.
            assert_eq!(due_by(kind).is_some(), allowed.deadline.is_some(), "{kind:?} from {:?}", app.status);
            checked.insert(kind);
        }
    }
    assert_eq!(checked.into_iter().collect::<Vec<_>>(), ActionKind::ALL, "every action was checked somewhere");
}

#[test]
fn the_choices_offered_are_exactly_the_places_a_choice_is_accepted_for() {
    use GroupLanguage::{Kk, Ru};
    let (a1, now) =
        visited().into_iter().find(|(app, _)| app.id == "A1" && app.status == rules::Status::VoucherConfirmed).unwrap();
    let mut kindergartens = kindergartens();
    let like_a = kindergartens.iter().find(|k| k.id == KG_A).unwrap().clone();
    kindergartens.push(rules::model::Kindergarten { id: "KG-CLOSED".into(), open: false, ..like_a.clone() });
    kindergartens.push(rules::model::Kindergarten { id: "KG-2021".into(), group_years: vec![2021], ..like_a });
    let place = |kindergarten: &str, language, group_year, free| FreePlace {
        kindergarten: kindergarten.into(),
        language,
        group_year,
        free,
    };
    let free = [
        place(KG_A, Kk, 2022, 2),
        place(KG_A, Ru, 2022, 0), // none left
        place(KG_B, Ru, 2022, 1),
        place(KG_B, Kk, 2022, 1),         // KG-B has no Kazakh groups
        place(KG_A, Kk, 2021, 3),         // another group year
        place(KG_SAN, Ru, 2022, 1),       // another queue type
        place(KG_OTHER, Ru, 2022, 1),     // another district
        place("KG-CLOSED", Kk, 2022, 1),  // closed
        place("KG-2021", Kk, 2022, 1),    // no groups born in 2022
        place("KG-UNKNOWN", Ru, 2022, 1), // not in the directory
    ];
    let known = KnownPlaces { kindergartens: &kindergartens, free: &free };
    let offered = known.choosable(&a1);
    assert_eq!(offered, [&free[0], &free[2]]);
    for p in free.iter().filter(|p| p.group_year == a1.group_year()) {
        let choice = Action::ChooseKindergarten { kindergarten: p.kindergarten.clone(), language: p.language };
        let accepted = decide(&a1, &choice, now, rules::Calendar::embedded(), &known).is_ok();
        assert_eq!(accepted, offered.contains(&p), "{} {:?}", p.kindergarten, p.language);
    }
}
