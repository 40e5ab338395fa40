//! Fuzz target of the kiosk's JSON-lines command input: `input::parse_command` on mutated
//! lines, and `Kiosk::execute_json` on a real kiosk (its log on disk) for an office operator
//! and kindergarten staff. Properties: no panic; a refusal has a code and messages in ru,
//! kk and en and appends nothing; an accepted line appends exactly one entry; the log still
//! verifies at the end.
#![allow(clippy::unwrap_used)]

use std::cell::RefCell;

use fuzz::{config, corpus, maybe_write_corpus, mutated_json};
use kiosk::{Kiosk, testkit};
use proptest::test_runner::TestRunner;
use rules::{Lang, Localized};

const INPUT_CODES: [&str; 4] = ["BAD_JSON", "UNKNOWN_COMMAND", "UNKNOWN_ACTION", "INVALID_COMMAND"];

/// A kiosk KOK-03 with operator `op` and staff `kg` (KG-KOK-01), and a few registrations.
fn kiosk(dir: &std::path::Path) -> (Kiosk, Vec<String>) {
    let mut k = kiosk::testkit::staffed_kiosk(dir, "KOK", "KOK-03", Some("KG-KOK-01"));
    let session = k.login("op", "operator-secret").unwrap();
    let ids = register_lines(4).iter().map(|line| k.execute_json(&session, line).unwrap().id).collect();
    (k, ids)
}

/// `register` lines for `n` children two years old.
fn register_lines(n: usize) -> Vec<String> {
    let today = kiosk::system_now().local_date();
    let end = rules::Date::from_ymd(today.year() - 2, 12, 31).unwrap();
    testkit::children(n, end, 300)
        .iter()
        .enumerate()
        .map(|(i, (iin, birth))| {
            serde_json::json!({"type": "register", "application": testkit::application("KOK", iin, *birth, i)})
                .to_string()
        })
        .collect()
}

/// Valid lines of every command and action (on application `id`).
fn seeds(id: &str) -> Vec<(String, Vec<u8>)> {
    let year = kiosk::system_now().local_date().year();
    let mut lines = vec![
        ("register.json".to_owned(), register_lines(6).pop().unwrap()),
        (
            "add-places.json".to_owned(),
            format!(
                r#"{{"type":"addPlaces","places":{{"kindergarten":"KG-KOK-01","language":"kk","groupYear":{},"count":3}}}}"#,
                year - 2
            ),
        ),
        ("distribute.json".to_owned(), r#"{"type":"distribute","district":"KOK"}"#.to_owned()),
        ("tick.json".to_owned(), r#"{"type":"tick"}"#.to_owned()),
    ];
    for action in [
        r#"{"type":"withdraw"}"#,
        r#"{"type":"confirmVoucher"}"#,
        r#"{"type":"extendChoice","days":10}"#,
        r#"{"type":"chooseKindergarten","kindergarten":"KG-KOK-01","language":"ru"}"#,
        r#"{"type":"refuseChild","reason":"нет документов"}"#,
        r#"{"type":"markDeparted","date":"2026-09-01","reason":"переезд"}"#,
        r#"{"type":"acceptChild"}"#,
    ] {
        let kind: serde_json::Value = serde_json::from_str(action).unwrap();
        let name = kind["type"].as_str().unwrap().to_owned();
        lines.push((format!("act-{name}.json"), format!(r#"{{"type":"act","application":"{id}","action":{action}}}"#)));
    }
    lines.into_iter().map(|(n, l)| (n, l.into_bytes())).collect()
}

/// Parses and executes one line; checks the answer and what was appended.
fn check_line(k: &mut Kiosk, staff: bool, bytes: &[u8]) {
    let line = String::from_utf8_lossy(bytes);
    if let Err(e) = kiosk::input::parse_command(&line) {
        assert!(INPUT_CODES.contains(&e.code()), "{}", e.code());
    }
    let session = if staff { k.login("kg", "staff-secret") } else { k.login("op", "operator-secret") }.unwrap();
    let before = k.last_seq();
    match k.execute_json(&session, &line) {
        Ok(receipt) => {
            assert_eq!(receipt.seq, before + 1);
            assert_eq!(k.last_seq(), before + 1);
        }
        Err(e) => {
            assert_eq!(k.last_seq(), before, "{} appended an entry", e.code());
            assert!(!e.code().is_empty());
            for lang in [Lang::Ru, Lang::Kk, Lang::En] {
                assert!(!e.message(lang).trim().is_empty(), "{} has no {lang:?} message", e.code());
            }
        }
    }
}

fn assert_verifies(k: &Kiosk) {
    let report = k.verify().unwrap();
    assert!(report.ok, "{report:?}");
}

#[test]
fn the_corpus_replays_and_the_log_still_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let (mut k, ids) = kiosk(dir.path());
    let seeds = seeds(&ids[0]);
    let named: Vec<(&str, Vec<u8>)> = seeds.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    maybe_write_corpus("kiosk_input", &named);
    let files = corpus("kiosk_input");
    assert!(files.len() >= seeds.len());
    for (name, bytes) in &files {
        for staff in [false, true] {
            check_line(&mut k, staff, bytes);
        }
        eprintln!("corpus kiosk_input/{name}: ok");
    }
    assert_verifies(&k);
}

#[test]
fn mutated_lines_are_executed_or_refused_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let (k, ids) = kiosk(dir.path());
    let mut seeds: Vec<Vec<u8>> = corpus("kiosk_input").into_iter().map(|(_, b)| b).collect();
    seeds.extend(self::seeds(&ids[1]).into_iter().map(|(_, b)| b));
    let k = RefCell::new(k);
    let mut runner = TestRunner::new(config(96));
    let strategy = (proptest::bool::weighted(0.3), mutated_json(seeds));
    runner
        .run(&strategy, |(staff, line)| {
            check_line(&mut k.borrow_mut(), staff, &line);
            Ok(())
        })
        .unwrap();
    let k = k.into_inner();
    assert_verifies(&k);
    k.close();
    // Everything saved is still there after reopening.
    let reopened = Kiosk::open(dir.path()).unwrap();
    assert_verifies(&reopened);
}
