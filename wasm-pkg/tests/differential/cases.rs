//! Cases and their native answers: each case runs through `kezek_wasm::api` and is written
//! as the JSON line the node side replays; the arguments of a case.

use std::collections::BTreeMap;

use kezek_wasm::api;
use kezek_wasm::error::Failure;
use rules::CommandError;
use serde::Serialize;
use serde_json::{Value, json};

use crate::rng::Rng;

#[derive(Serialize)]
struct Line<'a> {
    n: usize,
    #[serde(rename = "fn")]
    function: &'a str,
    args: &'a [Value],
    expect: &'a str,
}

#[derive(Serialize)]
struct OkAnswer<'a, T> {
    ok: &'a T,
}

#[derive(Serialize)]
struct ErrAnswer<'a> {
    error: ErrBody<'a>,
}

#[derive(Serialize)]
struct ErrBody<'a> {
    code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a CommandError>,
}

/// The native answer of one case: its JSON text, the error code if any, the value if not.
pub(crate) struct Outcome {
    text: String,
    code: Option<String>,
    pub(crate) ok: Option<Value>,
}

fn outcome<T: Serialize>(result: Result<T, Failure>) -> Outcome {
    match result {
        Ok(value) => Outcome {
            text: serde_json::to_string(&OkAnswer { ok: &value }).expect("serializable"),
            code: None,
            ok: Some(serde_json::to_value(&value).expect("serializable")),
        },
        Err(failure) => {
            let rejected = failure.detail.is_some();
            let body = ErrBody {
                code: failure.code,
                message: rejected.then_some(failure.message.as_str()),
                detail: failure.detail.as_ref(),
            };
            Outcome {
                text: serde_json::to_string(&ErrAnswer { error: body }).expect("serializable"),
                code: Some(failure.code.to_owned()),
                ok: None,
            }
        }
    }
}

pub(crate) fn native(function: &str, args: &[Value]) -> Outcome {
    let null = Value::Null;
    let a = |i: usize| args.get(i).unwrap_or(&null);
    match function {
        "validateIin" => outcome(api::validate_iin(a(0), a(1))),
        "isWorkingDay" => outcome(api::is_working_day(a(0))),
        "workingDaysAfter" => outcome(api::working_days_after(a(0), a(1))),
        "deadline" => outcome(api::deadline(a(0), a(1))),
        "rankQueue" => outcome(api::rank_queue(a(0))),
        "explainPosition" => outcome(api::explain_position(a(0), a(1), a(2), a(3))),
        "allowedActions" => outcome(api::allowed_actions(a(0), a(1), a(2))),
        "apply" => outcome(api::apply(a(0), a(1), a(2), a(3))),
        "version" => outcome(Ok::<_, Failure>(api::VERSION)),
        "calendarInfo" => outcome(Ok::<_, Failure>(api::calendar_info())),
        other => panic!("no function {other}"),
    }
}

#[derive(Default)]
pub(crate) struct Cases {
    pub(crate) text: String,
    pub(crate) count: usize,
    /// How often each function, error code, IIN answer and event type occurred.
    pub(crate) seen: BTreeMap<String, usize>,
}

impl Cases {
    pub(crate) fn add(&mut self, function: &str, args: &[Value]) -> Outcome {
        // What the node side reads is the JSON text, so compute from that too.
        let written = serde_json::to_string(args).expect("serializable");
        let args: Vec<Value> = serde_json::from_str(&written).expect("round trip");
        let outcome = native(function, &args);
        let line = Line { n: self.count, function, args: &args, expect: &outcome.text };
        self.text.push_str(&serde_json::to_string(&line).expect("serializable"));
        self.text.push('\n');
        self.count += 1;
        self.note(format!("fn:{function}"));
        if let Some(code) = &outcome.code {
            self.note(format!("error:{code}"));
        }
        if let Some(ok) = &outcome.ok {
            if let Some(code) = ok.pointer("/error/code").and_then(Value::as_str) {
                self.note(format!("iin:{code}"));
            }
            for event in ok.get("events").and_then(Value::as_array).into_iter().flatten() {
                self.note(format!("event:{}", event["type"].as_str().unwrap_or("?")));
            }
        }
        outcome
    }
    fn note(&mut self, key: String) {
        *self.seen.entry(key).or_default() += 1;
    }
}

/// Adds an optional `lang` argument: mostly left out, sometimes invalid.
pub(crate) fn lang_args(rng: &mut Rng, mut args: Vec<Value>) -> Value {
    match rng.below(100) {
        0..=49 => {}
        50..=89 => args.push(json!(rng.pick(&["ru", "kk", "en"]))),
        90..=94 => args.push(Value::Null),
        _ => args.push(rng.pick(&[json!("RU"), json!("de"), json!(""), json!(1), json!(["kk"])]).clone()),
    }
    Value::Array(args)
}

pub(crate) fn args_of(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items,
        other => vec![other],
    }
}
