//! Differential test, native half.
//!
//! Generates seeded, deterministic cases for every export (valid and invalid IINs, dates,
//! working days, deadlines of every kind with random offsets and fractions, queues with
//! ties and invalid entries, position changes, and whole application lives through
//! `allowedActions` and `apply`), computes the native answers with `kezek_wasm::api` and
//! `serde_json`, and, when `KEZEK_DIFF_OUT` names a file, writes them as JSON lines:
//!
//! `{"n": 0, "fn": "validateIin", "args": [...], "expect": "<JSON text>"}`
//!
//! `scripts/differential.mjs` replays every line through the WebAssembly package and
//! requires `JSON.stringify` of its answer to equal `expect` byte for byte. An answer is
//! `{"ok": value}` or `{"error": {"code": ...}}`; a rejection by the rules also carries
//! its `message` and `detail`. `KEZEK_DIFF_SEED` changes the seed (default below).
#![cfg(not(target_arch = "wasm32"))]

#[path = "differential/applications.rs"]
mod applications;
#[path = "differential/cases.rs"]
mod cases;
#[path = "differential/dates.rs"]
mod dates;
#[path = "differential/iins.rs"]
mod iins;
#[path = "differential/lives.rs"]
mod lives;
#[path = "differential/queues.rs"]
mod queues;
#[path = "differential/rng.rs"]
mod rng;

use serde_json::{Value, json};

use cases::{Cases, args_of};
use dates::{date_arg, instant_arg};
use iins::iin_case;
use lives::{SCRIPTS, live, scripted};
use queues::{explain_case, rank_case};
use rng::Rng;

const DEFAULT_SEED: u64 = 0x4B45_5A45_4B00_2026;
/// The brief asks for at least this many cases.
const MIN_CASES: usize = 10_000;

fn generate(seed: u64) -> Cases {
    let mut rng = Rng(seed);
    let mut cases = Cases::default();
    cases.add("version", &[]);
    cases.add("calendarInfo", &[]);
    for _ in 0..3000 {
        let args = args_of(iin_case(&mut rng));
        cases.add("validateIin", &args);
    }
    for _ in 0..1500 {
        let date = date_arg(&mut rng);
        cases.add("isWorkingDay", &[date]);
    }
    for _ in 0..2000 {
        let date = if rng.chance(3) {
            json!(rng.pick(&["9999-12-20", "9999-06-01", "9998-01-01"]))
        } else {
            date_arg(&mut rng)
        };
        let n = match rng.below(100) {
            0..=49 => json!(rng.int(1, 10)),
            50..=79 => json!(rng.int(1, 400)),
            80..=84 => json!(rng.int(1, 100_000)),
            _ => rng
                .pick(&[
                    json!(0),
                    json!(-1),
                    json!(2.5),
                    json!(1.0),
                    json!(100_000),
                    json!(100_001),
                    json!(1e9),
                    json!(1e300),
                    json!(-0.0),
                    json!("3"),
                    Value::Null,
                    json!(true),
                    json!([3]),
                ])
                .clone(),
        };
        cases.add("workingDaysAfter", &[date, n]);
    }
    for _ in 0..2500 {
        let kind = if rng.chance(92) {
            json!(rng.pick(&["confirm", "choose", "restore"]))
        } else {
            rng.pick(&[json!("Confirm"), json!("extend"), json!(""), Value::Null, json!(1), json!(["confirm"])]).clone()
        };
        let from = instant_arg(&mut rng);
        cases.add("deadline", &[kind, from]);
    }
    for _ in 0..1200 {
        let args = rank_case(&mut rng);
        cases.add("rankQueue", &args);
    }
    for _ in 0..800 {
        let args = explain_case(&mut rng);
        cases.add("explainPosition", &args);
    }
    let mut n = 0;
    for _ in 0..12 {
        for script in SCRIPTS {
            n += 1;
            scripted(&mut rng, &mut cases, n, script);
        }
    }
    while cases.count < 18_000 {
        n += 1;
        live(&mut rng, &mut cases, n);
    }
    cases
}

fn seed() -> u64 {
    std::env::var("KEZEK_DIFF_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(DEFAULT_SEED)
}

#[test]
fn generate_differential_cases() {
    let seed = seed();
    let cases = generate(seed);
    assert!(cases.count >= MIN_CASES, "only {} cases", cases.count);
    let required = [
        "fn:validateIin",
        "fn:isWorkingDay",
        "fn:workingDaysAfter",
        "fn:deadline",
        "fn:rankQueue",
        "fn:explainPosition",
        "fn:allowedActions",
        "fn:apply",
        "fn:version",
        "fn:calendarInfo",
        "iin:IIN_FORMAT",
        "iin:IIN_DATE",
        "iin:IIN_CHECKSUM",
        "error:INVALID_DATE",
        "error:INVALID_INSTANT",
        "error:INVALID_ARGUMENT",
        "error:INVALID_KIND",
        "error:INVALID_APPLICATION",
        "error:NOT_ALLOWED",
        "error:DEADLINE_PASSED",
        "error:ALREADY_USED",
        "error:MUST_ENROLL",
        "error:INVALID_FIELD",
        "error:IIN_FORMAT",
        "error:IIN_DATE",
        "error:IIN_CHECKSUM",
        "error:NO_FREE_PLACE",
        "error:CHILD_TOO_OLD",
        "error:BIRTH_DATE_IN_FUTURE",
        "event:registered",
        "error:CENTER_ONLY",
        "error:UNKNOWN_CATEGORY",
        "error:CATEGORY_RIGHT_MISMATCH",
        "error:UNKNOWN_KINDERGARTEN",
        "error:KINDERGARTEN_MISMATCH",
        "error:LANGUAGE_NOT_OFFERED",
        // voucherIssued, refusalUpheld, refusalOverruled are the center's (CENTER_ONLY here).
        "event:voucherConfirmed",
        "event:stopListed",
        "event:voucherRestored",
        "event:choiceExtended",
        "event:directionIssued",
        "event:childEnrolled",
        "event:childRefused",
        "event:childDeparted",
        "event:archived",
    ];
    let missing: Vec<&str> = required.iter().copied().filter(|k| !cases.seen.contains_key(*k)).collect();
    assert!(missing.is_empty(), "the cases never produce {missing:?}; seen: {:#?}", cases.seen);
    if let Ok(path) = std::env::var("KEZEK_DIFF_OUT") {
        if let Some(dir) = std::path::Path::new(&path).parent() {
            std::fs::create_dir_all(dir).expect("create the output folder");
        }
        std::fs::write(&path, &cases.text).expect("write the cases");
        eprintln!("wrote {} cases (seed {seed}) to {path}", cases.count);
        for (key, count) in &cases.seen {
            eprintln!("  {key}: {count}");
        }
    }
}

#[test]
fn generation_is_deterministic() {
    let a = generate(7);
    let b = generate(7);
    assert_eq!(a.count, b.count);
    assert!(a.text == b.text, "two runs with one seed differ");
}
