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

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate};
use kezek_wasm::api;
use kezek_wasm::error::Failure;
use rules::CommandError;
use serde::Serialize;
use serde_json::{Value, json};

const DEFAULT_SEED: u64 = 0x4B45_5A45_4B00_2026;
/// The brief asks for at least this many cases.
const MIN_CASES: usize = 10_000;

// ---------------------------------------------------------------------------------------
// A small seeded generator (SplitMix64): no dependency, same numbers everywhere.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn int(&mut self, low: i64, high: i64) -> i64 {
        let span = u64::try_from(high - low + 1).expect("low <= high");
        low + i64::try_from(self.below(span)).expect("small span")
    }
    fn small(&mut self, low: u32, high: u32) -> u32 {
        u32::try_from(self.int(i64::from(low), i64::from(high))).expect("in range")
    }
    fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.below(len as u64)).expect("fits")
    }
    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.index(items.len())]
    }
}

// ---------------------------------------------------------------------------------------
// Cases and native answers

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
struct Outcome {
    text: String,
    code: Option<String>,
    ok: Option<Value>,
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

fn native(function: &str, args: &[Value]) -> Outcome {
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
struct Cases {
    text: String,
    count: usize,
    /// How often each function, error code, IIN answer and event type occurred.
    seen: BTreeMap<String, usize>,
}

impl Cases {
    fn add(&mut self, function: &str, args: &[Value]) -> Outcome {
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

// ---------------------------------------------------------------------------------------
// Dates, instants, IINs

fn days_in_month(year: i32, month: u32) -> u32 {
    let next =
        if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, month + 1, 1) };
    next.and_then(|n| n.pred_opt()).map_or(28, |d| d.day())
}

fn random_date(rng: &mut Rng, years: std::ops::RangeInclusive<i32>) -> NaiveDate {
    let year = i32::try_from(rng.int(i64::from(*years.start()), i64::from(*years.end()))).expect("year");
    let month = rng.small(1, 12);
    let day = rng.small(1, days_in_month(year, month));
    NaiveDate::from_ymd_opt(year, month, day).expect("valid")
}

fn ymd(date: NaiveDate) -> String {
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
}

const BAD_DATES: &[&str] = &[
    "2026-1-01",
    "2026-01-1",
    "2026-02-30",
    "2025-02-29",
    "1900-02-29",
    "2026/01/01",
    "20260101",
    " 2026-01-01",
    "2026-01-01 ",
    "2026-01-01T00:00:00Z",
    "",
    "+2026-01-01",
    "2026-13-01",
    "2026-00-10",
    "2026-01-00",
    "2026-01-32",
    "abcd-ef-gh",
    "２０２６-01-01",
    "2026-01-01\n",
    "-2026-01-01",
    "2026-04-31",
];

fn date_arg(rng: &mut Rng) -> Value {
    match rng.below(100) {
        0..=79 => Value::String(ymd(random_date(rng, 2024..=2028))),
        80..=86 => Value::String(ymd(random_date(rng, 0..=9999))),
        87..=88 => {
            Value::String((*rng.pick(&["2024-02-29", "2000-02-29", "0000-01-01", "9999-12-31", "2026-12-31"])).into())
        }
        89..=96 => Value::String((*rng.pick(BAD_DATES)).into()),
        _ => rng.pick(&[Value::Null, json!(20_260_101), json!(true), json!([]), json!({})]).clone(),
    }
}

/// An offset in seconds east of UTC: whole minutes within ±14:59.
fn random_offset(rng: &mut Rng) -> i32 {
    match rng.below(10) {
        0..=2 => 0,
        3..=5 => 5 * 3600,
        _ => {
            let minutes = *rng.pick(&[0, 0, 30, 45, 15]) + if rng.chance(10) { rng.small(0, 59) } else { 0 };
            let total = i32::try_from(rng.small(0, 14) * 60 + minutes.min(59)).expect("small") * 60;
            if rng.chance(50) { total } else { -total }
        }
    }
}

/// Writes the instant `utc` in a random but valid form: any offset, 0–9 fraction digits.
fn write_instant(rng: &mut Rng, utc: DateTime<chrono::Utc>) -> String {
    let offset_secs = random_offset(rng);
    let local = utc.with_timezone(&FixedOffset::east_opt(offset_secs).expect("offset"));
    let mut text = local.format("%Y-%m-%dT%H:%M:%S").to_string();
    let nanos = local.timestamp_subsec_nanos();
    let digits = if nanos == 0 {
        if rng.chance(20) { rng.small(1, 9) } else { 0 }
    } else {
        // Enough digits to write the nanoseconds exactly, sometimes more (trailing zeros).
        let needed = (1..=9).find(|d| nanos.is_multiple_of(10u32.pow(9 - d))).unwrap_or(9);
        rng.small(needed, 9)
    };
    if digits > 0 {
        let all = format!("{nanos:09}");
        text.push('.');
        text.push_str(&all[..digits as usize]);
    }
    if offset_secs == 0 && rng.chance(70) {
        text.push('Z');
    } else if offset_secs == 0 && rng.chance(30) {
        text.push_str("-00:00");
    } else {
        let sign = if offset_secs < 0 { '-' } else { '+' };
        let abs = offset_secs.unsigned_abs();
        let _ = write!(text, "{sign}{:02}:{:02}", abs / 3600, abs % 3600 / 60);
    }
    text
}

fn utc_between(rng: &mut Rng, from_year: i32, to_year: i32) -> DateTime<chrono::Utc> {
    let start = NaiveDate::from_ymd_opt(from_year, 1, 1).expect("date").and_hms_opt(0, 0, 0).expect("time").and_utc();
    let end = NaiveDate::from_ymd_opt(to_year + 1, 1, 1).expect("date").and_hms_opt(0, 0, 0).expect("time").and_utc();
    let secs = rng.int(start.timestamp(), end.timestamp() - 1);
    let nanos = match rng.below(4) {
        0 | 1 => 0,
        2 => rng.small(0, 999) * 1_000_000,
        _ => rng.small(0, 999_999_999),
    };
    DateTime::from_timestamp(secs, nanos).expect("in range")
}

const BAD_INSTANTS: &[&str] = &[
    "2026-03-09T10:00Z",
    "2026-03-09 10:00:00Z",
    "2026-03-09T10:00:00",
    "2026-03-09T10:00:00.Z",
    "2026-03-09T10:00:00.1234567890Z",
    "2026-03-09T10:00:00+0500",
    "2026-03-09t10:00:00z",
    "2026-03-09T25:00:00Z",
    "2026-02-30T10:00:00Z",
    "2026-03-09T10:00:00+24:00",
    "2026-03-09T10:60:00Z",
    "",
    "2026-03-09",
    "2026-03-09T10:00:00+05",
    " 2026-03-09T10:00:00Z",
    "2026-03-09T10:00:00Z ",
    "2026-03-09T10:00:00+5:00",
    "2026-03-09T10:00:00,5Z",
    "+2026-03-09T10:00:00Z",
];
const EDGE_INSTANTS: &[&str] = &[
    "2026-12-31T23:59:60Z",
    "9999-12-31T23:59:59Z",
    "9999-12-31T18:59:59Z",
    "9999-12-31T23:59:59-23:59",
    "0000-01-01T00:00:00+23:59",
    "0000-01-01T00:00:00Z",
    "2026-03-09T10:00:00-00:00",
    "2026-03-09T10:00:00.000000000Z",
    "2026-03-06T18:59:59.999999999Z",
    "2026-03-06T19:00:00Z",
    "2026-03-06T23:59:59+05:00",
    "2026-03-07T00:00:00+05:00",
    "2026-12-31T19:00:00Z",
    "2026-03-20T23:30:00-12:00",
];

fn instant_arg(rng: &mut Rng) -> Value {
    match rng.below(100) {
        0..=84 => {
            let utc = utc_between(rng, 2024, 2028);
            Value::String(write_instant(rng, utc))
        }
        85..=89 => Value::String((*rng.pick(EDGE_INSTANTS)).into()),
        90..=97 => Value::String((*rng.pick(BAD_INSTANTS)).into()),
        _ => {
            rng.pick(&[Value::Null, json!(1_700_000_000), json!(false), json!({"at": "2026-03-09T10:00:00Z"})]).clone()
        }
    }
}

fn digits_of(text: &str) -> Vec<u32> {
    text.bytes().map(|b| u32::from(b - b'0')).collect()
}

/// A valid IIN for `date` (1800–2099) with a random serial (`rules::iin::encode`; a serial
/// without a check digit draws again).
fn iin_for(rng: &mut Rng, date: NaiveDate, male: bool) -> String {
    let sex = if male { rules::Sex::Male } else { rules::Sex::Female };
    loop {
        let serial = u32::try_from(rng.below(10_000)).expect("small");
        if let Some(iin) = rules::iin::encode(rules::Date(date), sex, serial) {
            return iin;
        }
    }
}

fn random_iin(rng: &mut Rng) -> String {
    let date = random_date(rng, 1800..=2099);
    let male = rng.chance(50);
    iin_for(rng, date, male)
}

fn with_check_digit(prefix11: &str, rng: &mut Rng) -> String {
    let check = rules::iin::check_digit(&digits_of(prefix11)).unwrap_or_else(|| rng.small(0, 9));
    format!("{prefix11}{check}")
}

fn iin_case(rng: &mut Rng) -> Value {
    let valid = random_iin(rng);
    let text = match rng.below(100) {
        0..=39 => valid,
        40..=54 => {
            let mut bytes = valid.into_bytes();
            let i = rng.index(12);
            bytes[i] = b'0' + u8::try_from((u32::from(bytes[i] - b'0') + rng.small(1, 9)) % 10).expect("digit");
            String::from_utf8(bytes).expect("ascii")
        }
        55..=62 => {
            let mut bytes = valid.into_bytes();
            let i = rng.index(11);
            bytes.swap(i, i + 1);
            String::from_utf8(bytes).expect("ascii")
        }
        63..=67 => {
            let c = rng.pick(&['0', '7', '8', '9']);
            let prefix = format!("{}{c}{}", &valid[..6], &valid[7..11]);
            with_check_digit(&prefix, rng)
        }
        68..=73 => {
            let bad = rng.pick(&["221301", "220230", "230229", "000229", "220732", "220400", "220431", "000000"]);
            let century = rng.pick(&['1', '2', '3', '4', '5', '6']);
            let prefix = format!("{bad}{century}{:04}", rng.below(10_000));
            with_check_digit(&prefix, rng)
        }
        74..=77 => {
            // A prefix whose check digit does not exist: every 12th digit is wrong.
            loop {
                let prefix = format!("{}{:04}", &valid[..7], rng.below(10_000));
                if rules::iin::check_digit(&digits_of(&prefix)).is_none() {
                    break format!("{prefix}{}", rng.below(10));
                }
            }
        }
        78..=92 => match rng.below(12) {
            0 => valid[..11].to_owned(),
            1 => format!("{valid}{}", rng.below(10)),
            2 => format!(" {valid}"),
            3 => format!("{valid} "),
            4 => format!("{}-{}", &valid[..6], &valid[6..]),
            5 => valid.replacen(&valid[3..4], "O", 1),
            6 => valid.chars().map(|c| char::from_u32(u32::from(c) - u32::from('0') + 0xFF10).unwrap_or(c)).collect(),
            7 => valid.chars().map(|c| char::from_u32(u32::from(c) - u32::from('0') + 0x0660).unwrap_or(c)).collect(),
            8 => String::new(),
            9 => format!("{}\u{0}", &valid[..11]),
            10 => "ИИН123456789".to_owned(),
            _ => format!("+{}", &valid[..11]),
        },
        _ => {
            let value = rng
                .pick(&[json!(123_456_789_012_u64), Value::Null, json!(["220714500123"]), json!({}), json!(true)])
                .clone();
            return lang_args(rng, vec![value]);
        }
    };
    lang_args(rng, vec![Value::String(text)])
}

/// Adds an optional `lang` argument: mostly left out, sometimes invalid.
fn lang_args(rng: &mut Rng, mut args: Vec<Value>) -> Value {
    match rng.below(100) {
        0..=49 => {}
        50..=89 => args.push(json!(rng.pick(&["ru", "kk", "en"]))),
        90..=94 => args.push(Value::Null),
        _ => args.push(rng.pick(&[json!("RU"), json!("de"), json!(""), json!(1), json!(["kk"])]).clone()),
    }
    Value::Array(args)
}

fn args_of(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items,
        other => vec![other],
    }
}

// ---------------------------------------------------------------------------------------
// Queues

const DISTRICTS: &[&str] = &["KOK", "KOK", "KOK", "AKK", "ZER", "Көкшетау", "kok"];
const QUEUE_TYPES: &[&str] = &["general", "general", "general", "special_correctional", "special", "sanatorium"];
const OTHER_STATUSES: &[&str] =
    &["voucher_issued", "voucher_confirmed", "archived", "enrolled", "stop_listed", "Queued", "queued ", ""];

struct QueuePools {
    /// Registration instants shared by several entries, to make ties.
    instants: Vec<DateTime<chrono::Utc>>,
    single_queue: bool,
    next_id: usize,
}

impl QueuePools {
    fn new(rng: &mut Rng) -> Self {
        let count = rng.small(2, 12) as usize;
        let instants = (0..count).map(|_| utc_between(rng, 2021, 2026)).collect();
        QueuePools { instants, single_queue: rng.chance(60), next_id: rng.index(50) }
    }

    fn id(&mut self, rng: &mut Rng) -> String {
        self.next_id += 1 + rng.index(3);
        let n = self.next_id;
        match rng.below(20) {
            0 => format!("é{n}"),
            1 => format!("e\u{301}{n}"),
            2 => format!("Z{n}"),
            3 => format!("a{n}"),
            _ => format!("KOK-{n:05}"),
        }
    }

    fn entry(&mut self, rng: &mut Rng) -> Value {
        let id = self.id(rng);
        let (district, queue_type, birth) = if self.single_queue {
            ("KOK", "general", random_date(rng, 2022..=2022))
        } else {
            (*rng.pick(DISTRICTS), *rng.pick(QUEUE_TYPES), random_date(rng, 2020..=2025))
        };
        let right = match rng.below(10) {
            0 => "extraordinary",
            1..=3 => "first",
            _ => "none",
        };
        let at =
            *rng.pick(&self.instants) + Duration::seconds(if rng.chance(50) { 0 } else { rng.int(0, 86_400 * 30) });
        let status = if rng.chance(75) { "queued" } else { rng.pick(OTHER_STATUSES) };
        json!({
            "id": id,
            "district": district,
            "queueType": queue_type,
            "birthDate": ymd(birth),
            "right": right,
            "registeredAt": write_instant(rng, at),
            "status": status,
        })
    }

    fn list(&mut self, rng: &mut Rng, max: u32) -> Vec<Value> {
        let len = rng.small(0, max);
        (0..len).map(|_| self.entry(rng)).collect()
    }
}

/// Breaks one entry of a list in one of the ways `rankQueue` must reject.
fn break_list(rng: &mut Rng, list: &mut Vec<Value>) {
    if list.is_empty() || rng.chance(10) {
        list.push(rng.pick(&[Value::Null, json!([]), json!("KOK-1"), json!(7)]).clone());
        return;
    }
    let i = rng.index(list.len());
    let fields = ["id", "district", "queueType", "birthDate", "right", "registeredAt", "status"];
    match rng.below(8) {
        0 => {
            let field = rng.pick(&fields);
            list[i].as_object_mut().expect("object").remove(*field);
        }
        1 => {
            let field = rng.pick(&fields);
            list[i][*field] = json!(12);
        }
        2 => list[i]["birthDate"] = json!(rng.pick(&["2022-02-30", "2022-2-01", "22-02-01"])),
        3 => {
            list[i]["registeredAt"] =
                json!(rng.pick(&["2026-01-01T10:00:00", "2026-01-01", "2026-01-01T10:00:00+0500"]));
        }
        4 => list[i]["queueType"] = json!(rng.pick(&["General", "special-correctional", ""])),
        5 => list[i]["right"] = json!(rng.pick(&["second", "None", "first "])),
        6 => list[i]["name"] = json!("Extra field"),
        _ => {
            let j = rng.index(list.len());
            let id = list[j]["id"].clone();
            if i == j {
                list.push(list[i].clone());
            } else {
                list[i]["id"] = id;
            }
        }
    }
}

fn rank_case(rng: &mut Rng) -> Vec<Value> {
    let mut pools = QueuePools::new(rng);
    let mut list = pools.list(rng, 40);
    match rng.below(100) {
        0..=87 => {}
        88..=97 => break_list(rng, &mut list),
        _ => return vec![rng.pick(&[Value::Null, json!({}), json!("[]"), json!(3)]).clone()],
    }
    vec![Value::Array(list)]
}

fn explain_case(rng: &mut Rng) -> Vec<Value> {
    let mut pools = QueuePools::new(rng);
    let before = pools.list(rng, 30);
    let mut after = Vec::new();
    for entry in &before {
        match rng.below(100) {
            0..=6 => {} // removed
            7..=19 => {
                let mut changed = entry.clone();
                changed["status"] = if entry["status"] == "queued" {
                    json!(rng.pick(&["voucher_issued", "archived", "enrolled"]))
                } else {
                    json!("queued")
                };
                after.push(changed);
            }
            _ => after.push(entry.clone()),
        }
    }
    for _ in 0..rng.below(6) {
        let entry = pools.entry(rng);
        let at = rng.index(after.len() + 1);
        after.insert(at, entry);
    }
    let mut before = before;
    if rng.chance(4) {
        break_list(rng, &mut before);
    }
    if rng.chance(4) {
        break_list(rng, &mut after);
    }
    let ids: Vec<Value> = before.iter().chain(&after).filter_map(|e| e.get("id").cloned()).collect();
    let id = if ids.is_empty() || rng.chance(8) {
        json!("no-such-id")
    } else if rng.chance(2) {
        json!(42)
    } else {
        rng.pick(&ids).clone()
    };
    args_of(lang_args(rng, vec![Value::Array(before), Value::Array(after), id]))
}

// ---------------------------------------------------------------------------------------
// Application lives: register, then random actions at increasing instants

const KINDERGARTENS: &[&str] = &["KG-KOK-01", "KG-KOK-02", "KG-AKK-02"];
const LANGUAGES: &[&str] = &["kk", "ru", "en"];

fn new_application(rng: &mut Rng, n: usize, now: DateTime<chrono::Utc>) -> Value {
    let birth = random_date(rng, now.year() - 6..=now.year());
    let male = rng.chance(50);
    let iin_date = if rng.chance(10) { random_date(rng, 2015..=2025) } else { birth };
    let right = *rng.pick(&["none", "none", "none", "first", "first", "extraordinary"]);
    let adult_birth = random_date(rng, 1970..=2000);
    let adult_male = rng.chance(50);
    let adult_iin = iin_for(rng, adult_birth, adult_male);
    let mut app = json!({
        "id": format!("{}-{n:06}", rng.pick(&["KOK", "AKK", "ZER"])),
        "district": rng.pick(&["KOK", "AKK", "ZER"]),
        "queueType": rng.pick(QUEUE_TYPES),
        "childIin": iin_for(rng, iin_date, male),
        "childName": rng.pick(&["Әлімжанов Ихсан Бекзатұлы", "Иванова Анна Сергеевна", "  Smith John  "]),
        "birthDate": ymd(birth),
        "applicant": {
            "iin": adult_iin,
            "name": rng.pick(&["Ахметова Сәуле Есенқызы", "Иванов Сергей Петрович"]),
            "kinship": rng.pick(&["mother", "father", "guardian", "grandparent", "other"]),
            "phone": "+7 701 366 71 87",
        },
        "residence": { "kind": rng.pick(&["permanent", "temporary"]), "address": "г. Кокшетау, ул. Абая, 112" },
        "right": right,
    });
    if rng.chance(30) {
        app["applicant"]["email"] = json!("parent@mail.kz");
    }
    if rng.chance(50) {
        app["nonResident"] = json!(false);
    }
    if rng.chance(8) {
        app["nonResident"] = json!(true);
        app["nonResidentDocuments"] = json!(["Вид на жительство № 123"]);
    }
    if right != "none" {
        // Listed codes of the right's class (data/categories.json); now and then a code of
        // the other class (CATEGORY_RIGHT_MISMATCH) or one not listed (UNKNOWN_CATEGORY).
        let codes: &[&str] = match (right, rng.below(20)) {
            (_, 0) => &["large_family", "TEACHERS", "ORPHAN "],
            ("extraordinary", 1) | ("first", 2..) => &["LARGE_FAMILY", "ORPHAN", "SPECIAL_NEEDS", "PARENT_DISABILITY"],
            _ => &["MILITARY", "SPECIAL_STATE_BODY", "FALLEN_ON_DUTY"],
        };
        app["rightCategory"] = json!(rng.pick(codes));
        if rng.chance(50) {
            app["rightDocument"] = json!("Справка № 5");
        }
    }
    if rng.chance(15) {
        break_new_application(rng, &mut app, now);
    }
    app
}

fn break_new_application(rng: &mut Rng, app: &mut Value, now: DateTime<chrono::Utc>) {
    match rng.below(16) {
        0 => app["childName"] = json!(rng.pick(&["", "   "])),
        1 => {
            let iin = app["childIin"].as_str().unwrap_or_default();
            app["childIin"] = json!(format!("{}{}", &iin[..11], (iin.as_bytes()[11] - b'0' + 1) % 10));
        }
        2 => app["applicant"]["iin"] = app["childIin"].clone(),
        3 => {
            app["right"] = json!("first");
            app.as_object_mut().expect("object").remove("rightCategory");
        }
        4 => {
            app["right"] = json!("none");
            app["rightCategory"] = json!("LARGE_FAMILY");
        }
        5 => app["birthDate"] = json!(ymd(now.date_naive() + Duration::days(rng.int(2, 400)))),
        6 => app["birthDate"] = json!(ymd(random_date(rng, now.year() - 12..=now.year() - 7))),
        7 => app["id"] = json!(rng.pick(&["", " "])),
        8 => {
            let field = rng.pick(&["district", "childIin", "applicant", "residence", "right", "birthDate"]);
            app.as_object_mut().expect("object").remove(*field);
        }
        9 => app["extra"] = json!(1),
        10 => {
            app["nonResident"] = json!(true);
            app.as_object_mut().expect("object").remove("nonResidentDocuments");
        }
        11 => app["childName"] = json!("Я".repeat(201)),
        12 => app["applicant"]["iin"] = json!("12345"),
        13 => app["queueType"] = json!("nursery"),
        14 => app["applicant"]["phone"] = json!(77_013_667_187_u64),
        _ => app["district"] = json!("K".repeat(65)),
    }
}

/// An action for the application, mostly one the rules allow now.
fn pick_action(rng: &mut Rng, allowed: &[String], app: &Value, now: DateTime<chrono::Utc>) -> Value {
    const ALL: &[&str] = &[
        "issueVoucher",
        "confirmVoucher",
        "restoreVoucher",
        "extendChoice",
        "chooseKindergarten",
        "refuseVoucher",
        "withdraw",
        "acceptChild",
        "refuseChild",
        "upholdRefusal",
        "overruleRefusal",
        "markDeparted",
    ];
    let must_enroll = app.pointer("/direction/mustEnroll") == Some(&Value::Bool(true));
    let kind = if must_enroll && app["status"] == "direction_issued" && rng.chance(25) {
        // The refusal was overruled: refusing again must say MUST_ENROLL.
        "refuseChild".to_owned()
    } else if !allowed.is_empty() && rng.chance(75) {
        // Prefer the actions that move the application on over leaving.
        let weighted: Vec<&String> = allowed
            .iter()
            .flat_map(|a| std::iter::repeat_n(a, if a == "withdraw" || a == "refuseVoucher" { 1 } else { 5 }))
            .collect();
        weighted[rng.index(weighted.len())].clone()
    } else {
        (*rng.pick(ALL)).to_owned()
    };
    let local = now.with_timezone(&FixedOffset::east_opt(5 * 3600).expect("offset")).date_naive();
    match kind.as_str() {
        "extendChoice" => {
            let days = if rng.chance(85) { rng.int(1, 30) } else { *rng.pick(&[0, 31, 45, -1]) };
            json!({ "type": kind, "days": days })
        }
        "chooseKindergarten" => {
            json!({ "type": kind, "kindergarten": rng.pick(KINDERGARTENS), "language": rng.pick(LANGUAGES) })
        }
        "refuseChild" => {
            let reason = match rng.below(10) {
                0 => String::new(),
                1 => "   ".to_owned(),
                2 => "x".repeat(1001),
                _ => "  Нет мест в группе  ".to_owned(),
            };
            json!({ "type": kind, "reason": reason })
        }
        "markDeparted" => {
            let enrolled = app.pointer("/direction/enrolledAt").is_some();
            let date = match rng.below(10) {
                0 => local + Duration::days(rng.int(1, 10)),
                1 if enrolled => local - Duration::days(rng.int(400, 900)),
                _ => local - Duration::days(rng.int(0, 20)),
            };
            let reason = if rng.chance(90) { "Переезд" } else { "" };
            json!({ "type": kind, "date": ymd(date), "reason": reason })
        }
        _ => json!({ "type": kind }),
    }
}

fn options_for(rng: &mut Rng, app: &Value) -> Option<Value> {
    let group_year: i32 = app
        .pointer("/child/birthDate")
        .and_then(Value::as_str)
        .and_then(|d| d.get(..4))
        .and_then(|y| y.parse().ok())
        .unwrap_or(2022);
    match rng.below(100) {
        0..=44 => None,
        45..=59 => Some(json!({ "lang": rng.pick(&["ru", "kk", "en"]) })),
        60..=96 => {
            let places: Vec<Value> = (0..rng.below(4))
                .map(|_| {
                    json!({
                        "kindergarten": rng.pick(KINDERGARTENS),
                        "language": rng.pick(LANGUAGES),
                        "groupYear": if rng.chance(80) { group_year } else { group_year + 1 },
                        "free": rng.int(0, 3),
                    })
                })
                .collect();
            let mut options = json!({ "freePlaces": places });
            if rng.chance(85) {
                // The directory: a choice is then checked as the center checks it.
                let entry = |id: &str, district: &str, queue_type: &str, languages: &[&str]| {
                    json!({ "id": id, "district": district, "queueType": queue_type,
                            "name": { "ru": id, "kk": id }, "ownership": "state",
                            "address": "г. Кокшетау", "phone": "+7 7162 000000", "languages": languages })
                };
                let second_type = *rng.pick(&["general", "special"]);
                options["kindergartens"] = json!([
                    entry("KG-KOK-01", "KOK", "general", &["kk", "ru"]),
                    entry("KG-KOK-02", "KOK", second_type, &["ru"]),
                    entry("KG-AKK-02", "AKK", "general", &["kk", "ru", "en"]),
                ]);
                if rng.chance(10) {
                    options.as_object_mut().expect("object").remove("freePlaces");
                }
            }
            if rng.chance(50) {
                options["lang"] = json!(rng.pick(&["ru", "kk", "en"]));
            }
            Some(options)
        }
        _ => Some(
            rng.pick(&[
                json!({ "lang": "de" }),
                json!({ "foo": 1 }),
                json!("ru"),
                json!({ "freePlaces": [{ "kindergarten": "KG-KOK-01" }] }),
                json!({ "freePlaces": [{ "kindergarten": "KG-KOK-01", "language": "kk", "groupYear": 2022, "free": -1 }] }),
            ])
            .clone(),
        ),
    }
}

/// What the center does with a command `apply` refuses as `CENTER_ONLY` (issueVoucher,
/// upholdRefusal, overruleRefusal): the same rules, run natively here as the center runs
/// them, so that the generated lives still reach the later statuses. `None` when the
/// command is no such action or the rules reject it.
fn at_center(app: &Value, command: &Value, now: DateTime<chrono::Utc>) -> Option<Value> {
    let action: rules::Action = serde_json::from_value(command.clone()).ok()?;
    let name = action.kind().as_str();
    if !["issueVoucher", "upholdRefusal", "overruleRefusal"].contains(&name) {
        return None;
    }
    let mut application: rules::Application = serde_json::from_value(app.clone()).ok()?;
    let now: rules::Instant = now.format("%Y-%m-%dT%H:%M:%SZ").to_string().parse().ok()?;
    let calendar = rules::Calendar::embedded();
    let events =
        rules::lifecycle::decide(&application, &action, now, calendar, &rules::lifecycle::NoPlaceCheck).ok()?;
    for event in &events {
        rules::lifecycle::evolve(&mut application, event);
    }
    serde_json::to_value(application).ok()
}

fn break_application(rng: &mut Rng, app: &Value) -> Value {
    let mut app = app.clone();
    match rng.below(7) {
        0 => {
            app.as_object_mut().expect("object").remove("status");
        }
        1 => app["status"] = json!("unknown"),
        2 => app["extra"] = json!(true),
        3 => app["child"]["birthDate"] = json!("2022-02-30"),
        4 => app["registeredAt"] = json!("2026-01-01T10:00:00"),
        5 => return json!([app]),
        _ => return json!("KOK-000001"),
    }
    app
}

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
const SCRIPTS: &[&[(&str, i64)]] = &[
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

fn scripted(rng: &mut Rng, cases: &mut Cases, n: usize, script: &[(&str, i64)]) {
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

fn live(rng: &mut Rng, cases: &mut Cases, n: usize) {
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

// ---------------------------------------------------------------------------------------
// All cases

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
