//! Differential test of what the parents' portal asks the rules, native half: `actionInfo`,
//! `applicationInfo`, `pendingDeadline`, `queuePlace` and `kindergartenChoices`, on
//! applications walked through their lives by the rules themselves (every status, several
//! birth years and start days), on queues made of them, and on malformed arguments.
//!
//! The cases are written, when `KEZEK_DIFF_PORTAL_OUT` names a file, as the JSON lines
//! `differential.rs` writes (`{"n", "fn", "args", "expect"}`); `test/differential.sh`
//! replays both files through the WebAssembly package (`scripts/differential.mjs`), which
//! must answer byte for byte the same. Natively the test also checks that every choice
//! `kindergartenChoices` lists is one `apply` accepts.
#![cfg(not(target_arch = "wasm32"))]

use kezek_wasm::api;
use kezek_wasm::error::Failure;
use rules::command::{Action, ActionKind};
use rules::lifecycle::{self, NoPlaceCheck};
use rules::model::{Application, NewApplication};
use rules::{Calendar, Instant};
use serde::Serialize;
use serde_json::{Value, json};

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("serializable")
}

/// The answer as `scripts/differential.mjs` writes it: `{"ok": …}`, or `{"error": {"code"}}`
/// with the message and detail of a rejection by the rules.
fn expected<T: Serialize>(answer: Result<T, Failure>) -> String {
    match answer {
        Ok(value) => format!("{{\"ok\":{}}}", json(&value)),
        Err(Failure { code, detail: None, .. }) => format!("{{\"error\":{{\"code\":{}}}}}", json(code)),
        Err(Failure { code, message, detail: Some(detail) }) => format!(
            "{{\"error\":{{\"code\":{},\"message\":{},\"detail\":{}}}}}",
            json(code),
            json(&message),
            json(&detail)
        ),
    }
}

/// The cases as JSON lines, and how many of each function.
#[derive(Default)]
struct Cases {
    lines: String,
    count: usize,
}

impl Cases {
    /// Computes the native answer of `function(args)` from the arguments as JavaScript will
    /// read them (the JSON text), and records the case.
    fn add(&mut self, function: &str, args: &[Value]) -> String {
        let args: Vec<Value> = serde_json::from_str(&serde_json::to_string(args).expect("json")).expect("json");
        let null = Value::Null;
        let a = |i: usize| args.get(i).unwrap_or(&null);
        let expect = match function {
            "actionInfo" => expected(api::action_info(a(0))),
            "applicationInfo" => expected(api::application_info(a(0))),
            "pendingDeadline" => expected(api::pending_deadline(a(0))),
            "queuePlace" => expected(api::queue_place(a(0), a(1))),
            "kindergartenChoices" => expected(api::kindergarten_choices(a(0), a(1))),
            other => panic!("no function {other}"),
        };
        let line = json!({ "n": self.count, "fn": function, "args": args, "expect": expect });
        self.lines.push_str(&line.to_string());
        self.lines.push('\n');
        self.count += 1;
        expect
    }
}

fn at(text: &str) -> Instant {
    text.parse().expect("instant")
}

/// A new application of KOK for a child born on `birth` (the IIN encodes the date).
fn new_application(n: usize, birth: &str, queue_type: &str) -> NewApplication {
    let date: rules::Date = birth.parse().expect("date");
    let iin = rules::iin::encode_near(date, rules::Sex::Female, u32::try_from(n).expect("small") * 10).expect("iin");
    let parent = rules::iin::encode_near("1988-02-29".parse().expect("date"), rules::Sex::Female, 10).expect("iin");
    serde_json::from_value(json!({
        "id": format!("KOK-{n:04}"), "district": "KOK", "queueType": queue_type, "childIin": iin,
        "childName": "Ребёнок", "birthDate": birth, "right": if n.is_multiple_of(3) { "first" } else { "none" },
        "rightCategory": n.is_multiple_of(3).then_some("LARGE_FAMILY"),
        "applicant": { "iin": parent, "name": "Родитель", "kinship": "mother", "phone": "+7 701 000 00 00" },
        "residence": { "kind": "permanent", "address": "г. Кокшетау" },
    }))
    .expect("a new application")
}

/// The actions of one life, each taken `hours` after the previous step (`tick`: the
/// deadline expiries due by then).
const LIVES: &[&[(&str, i64)]] = &[
    &[
        ("issueVoucher", 24),
        ("confirmVoucher", 20),
        ("extendChoice", 30),
        ("chooseKindergarten", 5),
        ("refuseChild", 24),
        ("overruleRefusal", 24),
        ("acceptChild", 3),
        ("markDeparted", 24 * 40),
    ],
    // The confirm deadline missed (stop-listed by the expiry), restored, then refused.
    &[("issueVoucher", 24), ("tick", 24 * 6), ("restoreVoucher", 24 * 3), ("refuseVoucher", 30)],
    // A refusal upheld: back in the queue, then withdrawn.
    &[
        ("issueVoucher", 24),
        ("confirmVoucher", 2),
        ("chooseKindergarten", 1),
        ("refuseChild", 1),
        ("upholdRefusal", 1),
        ("withdraw", 1),
    ],
    &[("withdraw", 48)],
];

fn action(name: &str, now: Instant) -> Action {
    let data = match name {
        "extendChoice" => json!({ "days": 7 }),
        "chooseKindergarten" => json!({ "kindergarten": "KG-KOK-01", "language": "kk" }),
        "refuseChild" => json!({ "reason": "нет медицинской карты" }),
        "markDeparted" => json!({ "date": now.local_date(), "reason": "переезд" }),
        _ => json!({}),
    };
    let mut value = data;
    value["type"] = json!(name);
    serde_json::from_value(value).expect("an action")
}

/// Every application a life passes through (with the instant just after each step); a
/// step the rules refuse at that point (a refused child must first be a direction) is left out.
fn lives() -> Vec<(Application, Instant)> {
    let calendar = Calendar::embedded();
    let mut seen = Vec::new();
    let births = ["2020-09-01", "2021-03-15", "2022-07-14", "2023-01-01", "2024-12-31"];
    let starts =
        ["2026-01-12T10:00:00+05:00", "2026-03-19T09:30:00+05:00", "2026-06-01T16:00:00Z", "2026-12-21T08:00:00+05:00"];
    let mut n = 0;
    for (b, birth) in births.iter().enumerate() {
        for start in starts {
            for (l, life) in LIVES.iter().enumerate() {
                n += 1;
                let queue_type = if (b + l) % 4 == 3 { "sanatorium" } else { "general" };
                let mut now = at(start);
                let Ok(mut app) = rules::state::registered(&new_application(n, birth, queue_type), now) else {
                    continue;
                };
                seen.push((app.clone(), now));
                for (name, hours) in *life {
                    now = Instant(now.0 + chrono::Duration::hours(*hours));
                    // `tick`: only the expiries due by now, as the center's expiry records them.
                    let decided = if *name == "tick" {
                        lifecycle::expiries(&app, now, calendar)
                    } else {
                        lifecycle::decide(&app, &action(name, now), now, calendar, &NoPlaceCheck)
                    };
                    let Ok(events) = decided else { break };
                    for event in &events {
                        lifecycle::evolve(&mut app, event);
                    }
                    seen.push((app.clone(), now));
                }
            }
        }
    }
    seen
}

fn kindergarten(id: &str, district: &str, queue_type: &str, languages: &[&str], extra: &Value) -> Value {
    let mut k = json!({
        "id": id, "district": district, "queueType": queue_type, "name": { "ru": id, "kk": id },
        "ownership": "state", "address": "г. Кокшетау", "phone": "+7 7162 000000", "languages": languages,
    });
    if let (Some(k), Some(extra)) = (k.as_object_mut(), extra.as_object()) {
        k.extend(extra.clone());
    }
    k
}

/// Free-choice facts: none, a directory with free places of every kind of mismatch, and
/// malformed ones.
fn option_sets() -> Vec<Value> {
    let directory = json!([
        kindergarten("KG-KOK-01", "KOK", "general", &["kk", "ru"], &json!({})),
        kindergarten("KG-KOK-02", "KOK", "general", &["ru"], &json!({ "groupYears": [2021, 2022] })),
        kindergarten("KG-KOK-SAN", "KOK", "sanatorium", &["ru"], &json!({})),
        kindergarten("KG-KOK-OLD", "KOK", "general", &["kk"], &json!({ "open": false })),
        kindergarten("KG-ZER-01", "ZER", "general", &["kk"], &json!({})),
    ]);
    let mut free = Vec::new();
    for year in 2020..=2024 {
        for (kindergarten, language, places) in [
            ("KG-KOK-01", "kk", 2),
            ("KG-KOK-01", "ru", 0),
            ("KG-KOK-02", "ru", 1),
            ("KG-KOK-02", "kk", 1),
            ("KG-KOK-SAN", "ru", 3),
            ("KG-KOK-OLD", "kk", 1),
            ("KG-ZER-01", "kk", 1),
            ("KG-NONE", "ru", 1),
        ] {
            free.push(json!({ "kindergarten": kindergarten, "language": language, "groupYear": year, "free": places }));
        }
    }
    vec![
        Value::Null,
        json!({ "kindergartens": directory, "freePlaces": free }),
        json!({ "freePlaces": free, "lang": "en" }),
        json!({ "kindergartens": directory }),
        json!({ "freePlaces": [{ "kindergarten": "KG-KOK-01" }], "lang": "kk" }),
        json!([]),
    ]
}

/// A rank entry of an application, as the portal makes one.
fn entry(app: &Application) -> Value {
    json!({
        "id": app.id, "district": app.district, "queueType": app.queue_type, "birthDate": app.child.birth_date,
        "right": app.right, "registeredAt": app.registered_at, "status": app.status,
    })
}

fn generate() -> Cases {
    let mut cases = Cases::default();
    for kind in ActionKind::ALL {
        cases.add("actionInfo", &[json!(kind.as_str())]);
    }
    for bad in [json!("ConfirmVoucher"), json!(""), json!("tick"), json!(3), Value::Null, json!({ "type": "withdraw" })]
    {
        cases.add("actionInfo", &[bad]);
    }
    let lives = lives();
    let options = option_sets();
    for (app, now) in &lives {
        let value = serde_json::to_value(app).expect("json");
        cases.add("applicationInfo", std::slice::from_ref(&value));
        cases.add("pendingDeadline", std::slice::from_ref(&value));
        for set in &options {
            let listed = cases.add("kindergartenChoices", &[value.clone(), set.clone()]);
            check_choices_are_accepted(&value, set, &listed, *now);
        }
    }
    for bad in [json!({ "id": "KOK-1" }), json!([]), json!("KOK-1"), Value::Null] {
        cases.add("applicationInfo", std::slice::from_ref(&bad));
        cases.add("pendingDeadline", std::slice::from_ref(&bad));
        cases.add("kindergartenChoices", &[bad, options[1].clone()]);
    }
    // Queues of the applications as they stood after `step` steps of their lives (one entry
    // an id: most still queued after none, fewer after more), in parts and whole, each
    // application asked for.
    let mut all = Vec::new();
    for step in 0..3 {
        let mut stood: Vec<(&str, usize, &Application)> = Vec::new();
        for (app, _) in &lives {
            match stood.iter_mut().find(|(id, _, _)| *id == app.id) {
                Some((_, steps, seen)) if *steps < step => {
                    *steps += 1;
                    *seen = app;
                }
                Some(_) => {}
                None => stood.push((&app.id, 0, app)),
            }
        }
        let list: Vec<Value> = stood.into_iter().map(|(_, _, app)| entry(app)).collect();
        for part in list.chunks(37).chain([list.as_slice()]) {
            let part = Value::Array(part.to_vec());
            for item in part.as_array().into_iter().flatten() {
                cases.add("queuePlace", &[part.clone(), item["id"].clone()]);
            }
            cases.add("queuePlace", &[part.clone(), json!("KOK-9999")]);
            cases.add("queuePlace", &[part, json!(12)]);
        }
        all = list;
    }
    let first = all.first().cloned().unwrap_or(Value::Null);
    for bad in [json!({}), json!([first.clone(), first.clone()]), json!([{ "id": "x" }]), json!([7])] {
        cases.add("queuePlace", &[bad, json!("x")]);
    }
    cases
}

/// Every place `kindergartenChoices` lists is a choice `apply` accepts with the same facts
/// (when the application may choose at all: a confirmed voucher).
fn check_choices_are_accepted(app: &Value, options: &Value, listed: &str, now: Instant) {
    if app["status"] != "voucher_confirmed" {
        return;
    }
    let answer: Value = serde_json::from_str(listed).expect("json");
    for place in answer["ok"].as_array().into_iter().flatten() {
        let command = json!({ "type": "chooseKindergarten", "kindergarten": place["kindergarten"], "language": place["language"] });
        let applied = api::apply(app, &command, &json!(now), options);
        assert!(applied.is_ok(), "{place} listed for {} but refused: {:?}", app["id"], applied.err());
    }
}

#[test]
fn generate_portal_differential_cases() {
    let cases = generate();
    assert!(cases.count > 2_000, "only {} cases", cases.count);
    // Every status and every action name is among the cases.
    for status in [
        "queued",
        "voucher_issued",
        "voucher_confirmed",
        "stop_listed",
        "direction_issued",
        "refusal_review",
        "enrolled",
        "departed",
        "archived",
    ] {
        assert!(cases.lines.contains(&format!("\"status\":\"{status}\"")), "no application {status}");
    }
    if let Ok(path) = std::env::var("KEZEK_DIFF_PORTAL_OUT") {
        if let Some(dir) = std::path::Path::new(&path).parent() {
            std::fs::create_dir_all(dir).expect("output folder");
        }
        std::fs::write(&path, &cases.lines).expect("write the cases");
        eprintln!("wrote {} cases to {path}", cases.count);
    }
}
