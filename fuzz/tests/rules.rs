//! Fuzz target of the rules: `State::execute` with commands deserialized from mutated JSON
//! against a district with real history (the demo applications, places and a distribution
//! round), and the lifecycle functions on mutated applications and actions at random times.
//! Properties: no panic; a refused command leaves the state unchanged and its error has a
//! code and a message in ru, kk and en; events of an accepted action fold without panic.
#![allow(clippy::unwrap_used)]

use std::sync::OnceLock;

use chrono::{Duration, FixedOffset};
use fuzz::{config, corpus, maybe_write_corpus, mutated_json};
use proptest::prelude::*;
use rules::lifecycle::{NoPlaceCheck, allowed_actions, decide, evolve, expiries, settle};
use rules::model::{GroupLanguage, Kindergarten};
use rules::{Action, Application, Calendar, Command, CommandError, Instant, Lang, Localized, State};

const DEMO_APPLICATIONS: &str = include_str!("../../data/demo/applications.jsonl");
const DEMO_PLACES: &str = include_str!("../../data/demo/places.jsonl");
const DEMO_KINDERGARTENS: &str = include_str!("../../data/demo/kindergartens.json");
/// When the fuzzed commands run (after the demo distribution round of 20 August 2026).
const NOW: &str = "2026-08-24T11:00:00+05:00";

fn at(text: &str) -> Instant {
    text.parse().unwrap()
}

/// The demo district's history: every demo registration and places record at its time,
/// then a distribution round in KOK.
fn base() -> &'static State {
    static BASE: OnceLock<State> = OnceLock::new();
    BASE.get_or_init(|| {
        let kindergartens: Vec<Kindergarten> = serde_json::from_str(DEMO_KINDERGARTENS).unwrap();
        let mut state = State::new(Calendar::embedded(), kindergartens);
        let mut history: Vec<(Instant, Command)> = Vec::new();
        for (n, line) in DEMO_APPLICATIONS.lines().enumerate() {
            let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
            v["application"]["id"] = format!("APP-{n:04}").into();
            let command = serde_json::json!({"type": "register", "application": v["application"]});
            history.push((at(v["at"].as_str().unwrap()), serde_json::from_value(command).unwrap()));
        }
        for (n, line) in DEMO_PLACES.lines().enumerate() {
            let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
            v["places"]["id"] = format!("P-{n:04}").into();
            let command = serde_json::json!({"type": "addPlaces", "places": v["places"]});
            history.push((at(v["at"].as_str().unwrap()), serde_json::from_value(command).unwrap()));
        }
        history.sort_by_key(|(at, _)| *at);
        let accepted = history.iter().filter(|(now, command)| state.execute(command, *now).is_ok()).count();
        assert!(accepted > history.len() / 2, "the demo history mostly applies ({accepted})");
        state.execute(&Command::Distribute { district: "KOK".into() }, at("2026-08-20T10:00:00+05:00")).unwrap();
        state
    })
}

/// What a refused command must leave unchanged.
fn digest(state: &State) -> String {
    let apps: Vec<(&Application, Option<u32>)> = state.applications().map(|a| (a, state.position(&a.id))).collect();
    let places: Vec<_> = state.places().collect();
    serde_json::to_string(&(apps, places)).unwrap()
}

fn check_error(error: &CommandError) {
    assert!(!error.code().is_empty());
    for lang in [Lang::Ru, Lang::Kk, Lang::En] {
        assert!(!error.message(lang).trim().is_empty(), "{} has no {lang:?} message", error.code());
    }
}

/// Moves `now` by `seconds` and writes it with a UTC offset of `offset_minutes`.
fn shifted(seconds: i64, offset_minutes: i32) -> Instant {
    let offset = FixedOffset::east_opt(offset_minutes * 60).unwrap();
    Instant((at(NOW).0 + Duration::seconds(seconds)).with_timezone(&offset))
}

fn check_command(json: &[u8], now: &Instant) {
    let Ok(command) = serde_json::from_slice::<Command>(json) else { return };
    let mut state = base().clone();
    let before = digest(&state);
    match state.execute(&command, *now) {
        Ok(_) => {}
        Err(error) => {
            check_error(&error);
            assert_eq!(digest(&state), before, "refused {} changed the state", error.code());
        }
    }
}

fn check_lifecycle(app_json: &[u8], action_json: &[u8], now: &Instant) {
    let Ok(app) = serde_json::from_slice::<Application>(app_json) else { return };
    let calendar = Calendar::embedded();
    for result in [expiries(&app, *now, calendar), settle(&app, *now, calendar).map(|(_, e)| e)] {
        if let Err(e) = result {
            check_error(&e);
        }
    }
    if let Err(e) = allowed_actions(&app, *now, calendar) {
        check_error(&e);
    }
    let Ok(action) = serde_json::from_slice::<Action>(action_json) else { return };
    match decide(&app, &action, *now, calendar, &NoPlaceCheck) {
        Ok(events) => {
            let mut app = app;
            for event in &events {
                evolve(&mut app, event);
            }
        }
        Err(e) => check_error(&e),
    }
}

/// Commands on the base state's applications and kindergartens (JSON), and applications
/// in every status the base state has.
fn seeds() -> Vec<(String, Vec<u8>)> {
    let state = base();
    let mut seeds = Vec::new();
    let mut statuses = std::collections::BTreeSet::new();
    for app in state.applications() {
        if statuses.insert(format!("{:?}", app.status)) {
            seeds.push((format!("application-{:?}.json", app.status), serde_json::to_vec(app).unwrap()));
        }
    }
    let first = DEMO_APPLICATIONS.lines().next().unwrap();
    let mut register: serde_json::Value = serde_json::from_str(first).unwrap();
    register["application"]["id"] = "NEW-1".into();
    let commands = [
        ("command-register.json", serde_json::json!({"type": "register", "application": register["application"]})),
        (
            "command-add-places.json",
            serde_json::json!({"type": "addPlaces", "places": {"id": "P-NEW", "kindergarten": "KG-KOK-01", "language": "kk", "groupYear": 2022, "count": 3}}),
        ),
        ("command-distribute.json", serde_json::json!({"type": "distribute", "district": "KOK"})),
        ("command-tick.json", serde_json::json!({"type": "tick"})),
    ];
    for (name, command) in commands {
        seeds.push((name.to_owned(), command.to_string().into_bytes()));
    }
    let voucher = state.applications().find(|a| a.voucher.is_some()).map_or("APP-0001", |a| a.id.as_str());
    let actions = [
        Action::ConfirmVoucher,
        Action::RestoreVoucher,
        Action::ExtendChoice { days: 5 },
        Action::ChooseKindergarten { kindergarten: "KG-KOK-01".into(), language: GroupLanguage::Ru },
        Action::RefuseVoucher,
        Action::Withdraw,
        Action::AcceptChild,
        Action::RefuseChild { reason: "нет мест".into() },
        Action::UpholdRefusal,
        Action::OverruleRefusal,
        Action::MarkDeparted { date: "2026-09-01".parse().unwrap(), reason: "переезд".into() },
        Action::IssueVoucher,
    ];
    for action in actions {
        let name = action.kind().as_str();
        seeds.push((format!("action-{name}.json"), serde_json::to_vec(&action).unwrap()));
        let command = Command::Act { application: voucher.to_owned(), action };
        seeds.push((format!("command-act-{name}.json"), serde_json::to_vec(&command).unwrap()));
    }
    seeds
}

fn seeds_with(prefix: &str) -> Vec<Vec<u8>> {
    corpus("rules").into_iter().filter(|(name, _)| name.starts_with(prefix)).map(|(_, b)| b).collect()
}

fn now() -> impl Strategy<Value = Instant> {
    let seconds = prop_oneof![
        3 => -86_400i64 * 30..86_400 * 30,
        1 => -86_400i64 * 365 * 8..86_400 * 365 * 8,
    ];
    let offset = prop_oneof![3 => Just(300), 1 => -720i32..840];
    (seconds, offset).prop_map(|(s, o)| shifted(s, o))
}

#[test]
fn the_corpus_replays_without_panic() {
    let seeds = seeds();
    let named: Vec<(&str, Vec<u8>)> = seeds.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    maybe_write_corpus("rules", &named);
    let files = corpus("rules");
    assert!(
        files.iter().any(|(n, _)| n.starts_with("command-")) && files.iter().any(|(n, _)| n.starts_with("action-"))
    );
    let actions: Vec<&Vec<u8>> = files.iter().filter(|(n, _)| n.starts_with("action-")).map(|(_, b)| b).collect();
    for (name, bytes) in files.iter().chain(seeds.iter()) {
        for now in [at(NOW), at("2027-06-01T09:00:00+05:00"), at("2020-01-01T00:00:00Z")] {
            check_command(bytes, &now);
            for action in &actions {
                check_lifecycle(bytes, action, &now);
            }
        }
        eprintln!("corpus rules/{name}: ok");
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn mutated_commands_are_accepted_or_refused_cleanly(json in mutated_json(seeds_with("command-")), now in now()) {
        check_command(&json, &now);
    }

    #[test]
    fn lifecycle_functions_take_mutated_applications(
        app in mutated_json(seeds_with("application-")),
        action in mutated_json(seeds_with("action-")),
        now in now(),
    ) {
        check_lifecycle(&app, &action, &now);
    }
}
