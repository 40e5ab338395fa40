//! Application lives: register, then random or scripted actions at increasing instants.

use chrono::Duration;
use serde_json::{Value, json};

use crate::applications::{at_center, break_application, new_application, options_for, pick_action};
use crate::cases::{Cases, args_of, lang_args};
use crate::dates::{BAD_INSTANTS, utc_between, write_instant};
use crate::rng::Rng;

const BAD_COMMANDS: &[&str] = &[
    r"{}",
    r#"{"type":"nope"}"#,
    r#""withdraw""#,
    r#"{"type":"withdraw","extra":1}"#,
    r#"{"type":"extendChoice"}"#,
    r#"{"type":"extendChoice","days":"3"}"#,
    r#"{"type":"extendChoice","days":2.5}"#,
    r#"{"type":5}"#,
    r#"{"type":"tick"}"#,
    r#"{"type":"tick","x":1}"#,
    r#"{"type":"distribute","district":"KOK"}"#,
    r#"{"type":"distribute"}"#,
    r#"{"type":"chooseKindergarten","kindergarten":"KG-KOK-01","language":"de"}"#,
    r#"{"type":"markDeparted","date":"2026-13-01","reason":"x"}"#,
    r#"{"type":"register","application":{},"now":"x"}"#,
    r"null",
];

/// Scripted lives that reach the rare answers on every seed: each step is a command and the
/// hours after the previous step; the times, offsets and languages are random.
pub(crate) const SCRIPTS: &[&[(&str, i64)]] = &[
    &[
        (r#"{"type":"issueVoucher"}"#, 24 * 10),
        (r#"{"type":"confirmVoucher"}"#, 20),
        (r#"{"type":"chooseKindergarten","kindergarten":"KG-KOK-01","language":"kk"}"#, 20),
        (r#"{"type":"refuseChild","reason":"Нет мест"}"#, 20),
        (r#"{"type":"overruleRefusal"}"#, 20),
        (r#"{"type":"refuseChild","reason":"Нет мест"}"#, 2),
        (r#"{"type":"acceptChild"}"#, 2),
        (r#"{"type":"markDeparted","date":"2027-01-01","reason":"Переезд"}"#, 24 * 300),
    ],
    &[
        (r#"{"type":"issueVoucher"}"#, 24 * 10),
        (r#"{"type":"confirmVoucher"}"#, 24 * 9),
        (r#"{"type":"restoreVoucher"}"#, 1),
        (r#"{"type":"restoreVoucher"}"#, 1),
        (r#"{"type":"extendChoice","days":7}"#, 1),
        (r#"{"type":"extendChoice","days":7}"#, 1),
        (r#"{"type":"chooseKindergarten","kindergarten":"KG-KOK-02","language":"ru"}"#, 24 * 30),
    ],
    &[
        (r#"{"type":"issueVoucher"}"#, 24 * 3),
        (r#"{"type":"confirmVoucher"}"#, 2),
        (r#"{"type":"chooseKindergarten","kindergarten":"KG-KOK-01","language":"ru"}"#, 2),
        (r#"{"type":"refuseChild","reason":"Нет мест"}"#, 20),
        (r#"{"type":"upholdRefusal"}"#, 20),
        (r#"{"type":"withdraw"}"#, 20),
        (r#"{"type":"withdraw"}"#, 20),
    ],
];

pub(crate) fn scripted(rng: &mut Rng, cases: &mut Cases, n: usize, script: &[(&str, i64)]) {
    let mut now = utc_between(rng, 2026, 2026);
    let mut new = new_application(rng, n, now);
    if new.get("childIin").is_none() || new.get("birthDate").is_none() {
        return;
    }
    // Every third registration has a broken IIN: a rules rejection with its IIN code.
    if n.is_multiple_of(3) {
        let field = if rng.chance(50) { "/childIin" } else { "/applicant/iin" };
        let iin = new.pointer(field).and_then(Value::as_str).unwrap_or_default().to_owned();
        let broken = match rng.below(3) {
            0 => iin[..11].to_owned(),
            1 => format!("{}13{}", &iin[..2], &iin[4..]),
            _ => format!("{}{}", &iin[..11], (iin.as_bytes()[11] - b'0' + 1) % 10),
        };
        if let Some(slot) = new.pointer_mut(field) {
            *slot = json!(broken);
        }
    }
    let register = json!({ "type": "register", "application": new });
    let Some(mut app) = cases.add("apply", &[Value::Null, register, json!(write_instant(rng, now))]).ok else { return };
    app = app["application"].clone();
    for (command, hours) in script {
        now += Duration::hours(*hours) + Duration::minutes(rng.int(0, 59));
        let now_text = json!(write_instant(rng, now));
        cases.add("allowedActions", &args_of(lang_args(rng, vec![app.clone(), now_text.clone()])));
        let command: Value = serde_json::from_str(command).expect("valid JSON");
        let mut args = vec![app.clone(), command.clone(), now_text];
        if let Some(options) = options_for(rng, &app) {
            args.push(options);
        }
        if let Some(ok) = cases.add("apply", &args).ok {
            app = ok["application"].clone();
        } else if let Some(after) = at_center(&app, &command, now) {
            app = after;
        }
    }
}

pub(crate) fn live(rng: &mut Rng, cases: &mut Cases, n: usize) {
    let mut now = utc_between(rng, 2026, 2026);
    let new = new_application(rng, n, now);
    let mut register = json!({ "type": "register", "application": new });
    if rng.chance(3) {
        register.as_object_mut().expect("object").remove("application");
    }
    let mut args = vec![Value::Null, register, Value::String(write_instant(rng, now))];
    if let Some(options) = options_for(rng, &Value::Null) {
        args.push(options);
    }
    let Some(mut app) = cases.add("apply", &args).ok.map(|ok| ok["application"].clone()) else { return };
    let mut last_done: Option<Value> = None;
    for _ in 0..rng.small(6, 16) {
        now += match rng.below(100) {
            0..=3 => -Duration::hours(rng.int(1, 48)),
            4..=44 => Duration::minutes(rng.int(1, 600)),
            45..=74 => Duration::hours(rng.int(12, 96)),
            75..=89 => Duration::days(rng.int(4, 12)),
            _ => Duration::days(rng.int(12, 45)),
        };
        let now_text = if rng.chance(2) { json!(rng.pick(BAD_INSTANTS)) } else { json!(write_instant(rng, now)) };
        let app_arg = if rng.chance(3) { break_application(rng, &app) } else { app.clone() };
        let allowed_outcome =
            cases.add("allowedActions", &args_of(lang_args(rng, vec![app_arg.clone(), now_text.clone()])));
        let allowed: Vec<String> = allowed_outcome
            .ok
            .as_ref()
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(|a| a["action"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        let command = if rng.chance(3) {
            let text = BAD_COMMANDS[rng.index(BAD_COMMANDS.len())];
            serde_json::from_str(text).expect("valid JSON")
        } else if rng.chance(2) {
            json!({ "type": "register", "application": new_application(rng, n, now) })
        } else if let Some(last) = last_done.as_ref().filter(|_| rng.chance(15)) {
            // Again: one-time actions (extension, restore) must say ALREADY_USED.
            last.clone()
        } else {
            pick_action(rng, &allowed, &app, now)
        };
        let app_arg = if rng.chance(3) { Value::Null } else { app_arg };
        let mut args = vec![app_arg, command.clone(), now_text];
        if let Some(options) = options_for(rng, &app) {
            args.push(options);
        }
        if let Some(ok) = cases.add("apply", &args).ok {
            last_done = Some(command);
            app = ok["application"].clone();
        } else if let Some(after) = at_center(&app, &command, now) {
            app = after;
        }
    }
}
