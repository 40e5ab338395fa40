//! The exports as JavaScript sees them, run in Node by wasm-bindgen-test:
//!
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
//!  cargo test -p kezek-wasm --target wasm32-unknown-unknown`
//!
//! Every export, every `INVALID_*` code and the rules' codes an `apply` can give.
#![cfg(target_arch = "wasm32")]

use js_sys::{JSON, Reflect};
use kezek_wasm::js;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

// ---- helpers ---------------------------------------------------------------------------

fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

fn n(value: f64) -> JsValue {
    JsValue::from_f64(value)
}

fn undef() -> JsValue {
    JsValue::UNDEFINED
}

/// A JS value from JSON text.
fn j(text: &str) -> JsValue {
    JSON::parse(text).expect("valid JSON")
}

fn json(value: &JsValue) -> String {
    JSON::stringify(value).expect("stringify").as_string().expect("a string")
}

fn ok(result: Result<JsValue, JsValue>) -> JsValue {
    match result {
        Ok(value) => value,
        Err(error) => panic!("unexpected error: {} {:?}", prop(&error, "code"), error),
    }
}

fn get(value: &JsValue, name: &str) -> JsValue {
    Reflect::get(value, &s(name)).expect("readable")
}

fn prop(value: &JsValue, name: &str) -> String {
    let got = Reflect::get(value, &s(name)).expect("readable");
    got.as_string().unwrap_or_else(|| json(&got))
}

/// The thrown error: checks that it is an `Error` with a string `code`; returns it.
fn thrown(result: Result<JsValue, JsValue>) -> JsValue {
    let error = result.expect_err("an error is thrown");
    assert!(error.is_instance_of::<js_sys::Error>(), "an Error: {error:?}");
    let code = get(&error, "code");
    assert!(code.is_string(), "a string code: {error:?}");
    let message = get(&error, "message");
    assert!(message.as_string().is_some_and(|m| !m.is_empty()), "a message: {error:?}");
    error
}

fn code(result: Result<JsValue, JsValue>) -> String {
    prop(&thrown(result), "code")
}

/// A valid IIN from its first 11 digits.
fn iin(prefix: &str) -> String {
    rules::iin::complete(prefix).expect("a check digit exists")
}

fn child_iin() -> String {
    iin("22071450012")
}

fn applicant_iin() -> String {
    iin("88022940012")
}

fn new_application(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","district":"KOK","queueType":"general","childIin":"{}","childName":"Иванова Анна",
        "birthDate":"2022-07-14","applicant":{{"iin":"{}","name":"Иванова Мария","kinship":"mother",
        "phone":"+7 701 000 00 00"}},"residence":{{"kind":"permanent","address":"г. Кокшетау"}},"right":"none"}}"#,
        child_iin(),
        applicant_iin()
    )
}

fn register(id: &str, now: &str) -> JsValue {
    let command = j(&format!(r#"{{"type":"register","application":{}}}"#, new_application(id)));
    let result = ok(js::apply(&JsValue::NULL, &command, &s(now), &undef()));
    get(&result, "application")
}

/// Applies `command` and returns the new application. The center's actions, which `apply`
/// refuses (`CENTER_ONLY`), run through the rules as the center runs them.
fn act(app: &JsValue, command: &str, now: &str) -> JsValue {
    let result = js::apply(app, &j(command), &s(now), &undef());
    if result.as_ref().is_err_and(|e| prop(e, "code") == "CENTER_ONLY") {
        let mut application: rules::Application = serde_json::from_str(&json(app)).expect("an application");
        let action: rules::Action = serde_json::from_str(command).expect("an action");
        let now: rules::Instant = now.parse().expect("an instant");
        let calendar = rules::Calendar::embedded();
        let events = rules::lifecycle::decide(&application, &action, now, calendar, &rules::lifecycle::NoPlaceCheck)
            .expect("the center's rules allow it");
        for event in &events {
            rules::lifecycle::evolve(&mut application, event);
        }
        return j(&serde_json::to_string(&application).expect("JSON"));
    }
    get(&ok(result), "application")
}

/// The directory of these tests, as `apply`'s `options.kindergartens`.
const DIRECTORY: &str = r#""kindergartens":[{"id":"KG-KOK-01","district":"KOK","queueType":"general","name":{"ru":"Сад","kk":"Бақша"},"ownership":"state","address":"г. Кокшетау","phone":"+7","languages":["kk","ru"]}]"#;

fn status(app: &JsValue) -> String {
    prop(app, "status")
}

// ---- validateIin -----------------------------------------------------------------------

#[wasm_bindgen_test]
fn validate_iin_gives_birth_date_and_sex() {
    let result = ok(js::validate_iin(&s(&child_iin()), &undef()));
    assert_eq!(json(&result), r#"{"valid":true,"birthDate":"2022-07-14","sex":"male"}"#);
    let result = ok(js::validate_iin(&s(&applicant_iin()), &undef()));
    assert_eq!(json(&result), r#"{"valid":true,"birthDate":"1988-02-29","sex":"female"}"#);
}

#[wasm_bindgen_test]
fn validate_iin_answers_each_iin_error_in_each_language() {
    let valid = child_iin();
    let wrong_check = format!("{}{}", &valid[..11], (valid.as_bytes()[11] - b'0' + 1) % 10);
    let cases = [
        ("12345", "IIN_FORMAT"),
        (&*format!(" {}", &valid[..11]), "IIN_FORMAT"),
        (&*format!("{valid} "), "IIN_FORMAT"),
        ("221301500123", "IIN_DATE"),
        ("220714700123", "IIN_DATE"),
        (&*wrong_check, "IIN_CHECKSUM"),
    ];
    for (text, expected) in cases {
        let result = ok(js::validate_iin(&s(text), &undef()));
        assert_eq!(prop(&result, "valid"), "false", "{text}");
        let error = get(&result, "error");
        assert_eq!(prop(&error, "code"), expected, "{text}");
    }
    let message = |lang: &str| {
        let result = ok(js::validate_iin(&s("12345"), &s(lang)));
        prop(&get(&result, "error"), "message")
    };
    assert!(message("ru").contains("12 цифр"));
    assert!(message("kk").contains("12 цифрдан"));
    assert!(message("en").contains("12 digits"));
}

#[wasm_bindgen_test]
fn validate_iin_throws_invalid_argument() {
    assert_eq!(code(js::validate_iin(&n(220_714_500_123.0), &undef())), "INVALID_ARGUMENT");
    assert_eq!(code(js::validate_iin(&undef(), &undef())), "INVALID_ARGUMENT");
    assert_eq!(code(js::validate_iin(&s(&child_iin()), &s("de"))), "INVALID_ARGUMENT");
}

// ---- calendar --------------------------------------------------------------------------

#[wasm_bindgen_test]
fn is_working_day_follows_the_2026_calendar() {
    for (day, working) in [("2026-03-20", true), ("2026-03-24", false), ("2026-03-26", true), ("2026-05-09", false)] {
        assert_eq!(ok(js::is_working_day(&s(day))).as_bool(), Some(working), "{day}");
    }
    for bad in [s("2026-3-24"), s("2026-02-30"), s(" 2026-03-24"), n(20_260_324.0), undef(), JsValue::NULL] {
        assert_eq!(code(js::is_working_day(&bad)), "INVALID_DATE", "{bad:?}");
    }
    let error = thrown(js::is_working_day(&s("2026/03/24")));
    assert!(prop(&error, "message").contains("ГГГГ-ММ-ДД"));
    // No Constitution Day in 2026; 15 March from 2027.
    assert_eq!(ok(js::is_working_day(&s("2026-08-31"))).as_bool(), Some(true));
    assert_eq!(ok(js::is_working_day(&s("2027-03-15"))).as_bool(), Some(false));
    // Outside the calendar's years: an error, never an estimate.
    for day in ["2024-12-31", "2031-01-01", "9999-12-31"] {
        assert_eq!(code(js::is_working_day(&s(day))), "CALENDAR_OUT_OF_RANGE", "{day}");
    }
}

#[wasm_bindgen_test]
fn working_days_after_counts_and_checks_n() {
    assert_eq!(ok(js::working_days_after(&s("2026-03-20"), &n(1.0))).as_string().expect("a string"), "2026-03-26");
    assert_eq!(ok(js::working_days_after(&s("2026-03-20"), &n(2.0))).as_string().expect("a string"), "2026-03-27");
    assert_eq!(code(js::working_days_after(&s("2026-01-01"), &n(100_000.0))), "CALENDAR_OUT_OF_RANGE");
    let bad_n = [
        n(0.0),
        n(-1.0),
        n(2.5),
        n(f64::NAN),
        n(f64::INFINITY),
        n(100_001.0),
        s("3"),
        undef(),
        JsValue::bigint_from_str("3"),
    ];
    for value in bad_n {
        assert_eq!(code(js::working_days_after(&s("2026-03-20"), &value)), "INVALID_ARGUMENT", "{value:?}");
    }
    assert_eq!(code(js::working_days_after(&s("2026-13-01"), &n(1.0))), "INVALID_DATE");
    assert_eq!(code(js::working_days_after(&s("9999-12-30"), &n(5.0))), "CALENDAR_OUT_OF_RANGE");
    assert_eq!(code(js::working_days_after(&s("2030-12-30"), &n(2.0))), "CALENDAR_OUT_OF_RANGE");
}

#[wasm_bindgen_test]
fn deadlines_of_every_kind() {
    let answer = |kind: &str, from: &str| ok(js::deadline(&s(kind), &s(from)));
    let due = |kind: &str, from: &str| prop(&answer(kind, from), "at");
    let provisional = |kind: &str, from: &str| {
        Reflect::get(&answer(kind, from), &s("provisional")).expect("a property").as_bool().expect("a boolean")
    };
    assert!(!provisional("confirm", "2026-03-19T10:00:00+05:00"));
    assert_eq!(due("confirm", "2026-12-30T10:00:00+05:00"), "2027-01-05T23:59:59+05:00");
    assert!(provisional("confirm", "2026-12-30T10:00:00+05:00"), "counted over provisional 2027");
    assert!(!provisional("restore", "2027-02-25T23:59:59+05:00"));
    assert_eq!(due("confirm", "2026-03-19T10:00:00+05:00"), "2026-03-26T23:59:59+05:00");
    // Friday 20:00 UTC is Saturday in Kazakhstan.
    assert_eq!(due("confirm", "2026-03-06T20:00:00Z"), "2026-03-11T23:59:59+05:00");
    assert_eq!(due("choose", "2026-05-05T09:00:00.123456789+05:00"), "2026-05-14T23:59:59+05:00");
    // Restore: 28 calendar days from the local date, a holiday is not skipped.
    assert_eq!(due("restore", "2026-02-25T23:59:59+05:00"), "2026-03-25T23:59:59+05:00");
    assert_eq!(due("restore", "2026-02-25T19:00:00Z"), "2026-03-26T23:59:59+05:00");
    for kind in [s("extend"), s("Confirm"), undef(), n(1.0)] {
        assert_eq!(code(js::deadline(&kind, &s("2026-03-19T10:00:00Z"))), "INVALID_KIND", "{kind:?}");
    }
    for from in ["2026-03-19T10:00Z", "2026-03-19T10:00:00", "2026-03-19T10:00:00+0500", "2026-03-19"] {
        assert_eq!(code(js::deadline(&s("confirm"), &s(from))), "INVALID_INSTANT", "{from}");
    }
    assert_eq!(code(js::deadline(&s("confirm"), &undef())), "INVALID_INSTANT");
    assert_eq!(code(js::deadline(&s("confirm"), &s("9999-12-31T12:00:00Z"))), "CALENDAR_OUT_OF_RANGE");
    assert_eq!(code(js::deadline(&s("choose"), &s("2030-12-28T12:00:00+05:00"))), "CALENDAR_OUT_OF_RANGE");
    assert_eq!(code(js::deadline(&s("restore"), &s("9999-12-31T12:00:00Z"))), "INVALID_INSTANT");
}

#[wasm_bindgen_test]
fn calendar_info_and_version() {
    let info = ok(js::calendar_info());
    let text = json(&info);
    assert!(text.contains(r#"{"year":2026,"status":"official","workingDays":247,"source":"#), "{text}");
    assert!(!prop(&info, "version").is_empty());
    assert_eq!(js::version(), env!("CARGO_PKG_VERSION"));
}

// ---- queue -----------------------------------------------------------------------------

fn entry(id: &str, right: &str, minute: u32, status: &str) -> String {
    format!(
        r#"{{"id":"{id}","district":"KOK","queueType":"general","birthDate":"2022-05-01","right":"{right}",
        "registeredAt":"2026-01-10T10:{minute:02}:00+05:00","status":"{status}"}}"#
    )
}

fn list(entries: &[String]) -> JsValue {
    j(&format!("[{}]", entries.join(",")))
}

#[wasm_bindgen_test]
fn rank_queue_orders_extraordinary_then_f_g_g_g() {
    let entries = [
        entry("g1", "none", 1, "queued"),
        entry("g2", "none", 2, "queued"),
        entry("f1", "first", 3, "queued"),
        entry("g3", "none", 4, "queued"),
        entry("g4", "none", 5, "queued"),
        entry("f2", "first", 6, "queued"),
        entry("e1", "extraordinary", 7, "queued"),
        entry("f3", "first", 8, "queued"),
        entry("x1", "extraordinary", 0, "voucher_issued"),
    ];
    let ranked = ok(js::rank_queue(&list(&entries)));
    let order: Vec<String> = js_sys::Array::from(&ranked).iter().map(|r| prop(&r, "id")).collect();
    assert_eq!(order, ["e1", "f1", "g1", "g2", "g3", "f2", "g4", "f3"]);
    let first = js_sys::Array::from(&ranked).get(0);
    assert_eq!(json(&first), r#"{"id":"e1","district":"KOK","queueType":"general","groupYear":2022,"position":1}"#);
}

#[wasm_bindgen_test]
fn rank_queue_sorts_queues_bytewise_and_breaks_ties_by_id() {
    let a = r#"{"id":"b","district":"KOK","queueType":"special","birthDate":"2021-01-01","right":"none","registeredAt":"2026-01-10T10:00:00+05:00","status":"queued"}"#;
    let b = r#"{"id":"a","district":"KOK","queueType":"special","birthDate":"2021-06-01","right":"none","registeredAt":"2026-01-10T05:00:00Z","status":"queued"}"#;
    let c = r#"{"id":"c","district":"KOK","queueType":"special_correctional","birthDate":"2021-01-01","right":"none","registeredAt":"2026-01-01T00:00:00Z","status":"queued"}"#;
    let d = r#"{"id":"d","district":"AKK","queueType":"sanatorium","birthDate":"2023-01-01","right":"none","registeredAt":"2026-01-01T00:00:00Z","status":"queued"}"#;
    let ranked = ok(js::rank_queue(&j(&format!("[{a},{b},{c},{d}]"))));
    let order: Vec<String> =
        js_sys::Array::from(&ranked).iter().map(|r| format!("{}{}", prop(&r, "id"), prop(&r, "position"))).collect();
    assert_eq!(order, ["d1", "a1", "b2", "c1"]);
}

#[wasm_bindgen_test]
fn rank_queue_validates_every_element() {
    let good = entry("g1", "none", 1, "queued");
    let not_queued_but_broken = r#"{"id":"x","district":"KOK","queueType":"general","birthDate":"2022-02-30","right":"none","registeredAt":"2026-01-10T10:00:00Z","status":"archived"}"#;
    let missing = r#"{"id":"x","district":"KOK","queueType":"general","right":"none","registeredAt":"2026-01-10T10:00:00Z","status":"queued"}"#;
    let extra = r#"{"id":"x","district":"KOK","queueType":"general","birthDate":"2022-02-01","right":"none","registeredAt":"2026-01-10T10:00:00Z","status":"queued","name":"A"}"#;
    let bad_instant = r#"{"id":"x","district":"KOK","queueType":"general","birthDate":"2022-02-01","right":"none","registeredAt":"2026-01-10T10:00:00","status":"queued"}"#;
    for broken in [not_queued_but_broken, missing, extra, bad_instant, "null", "[]", "\"x\""] {
        let error = thrown(js::rank_queue(&j(&format!("[{good},{broken}]"))));
        assert_eq!(prop(&error, "code"), "INVALID_APPLICATION", "{broken}");
        assert!(prop(&error, "message").contains("applications[1]"), "{}", prop(&error, "message"));
    }
    let duplicate = entry("g1", "first", 2, "archived");
    assert_eq!(code(js::rank_queue(&j(&format!("[{good},{duplicate}]")))), "INVALID_APPLICATION");
    let function = js_sys::Function::new_no_args("return 1");
    let with_function = js_sys::Array::of2(&j(&good), &function);
    assert_eq!(code(js::rank_queue(&with_function)), "INVALID_APPLICATION");
    for not_a_list in [j("{}"), undef(), s("[]")] {
        assert_eq!(code(js::rank_queue(&not_a_list)), "INVALID_ARGUMENT");
    }
}

#[wasm_bindgen_test]
fn explain_position_names_the_privileged_newcomer() {
    let before = [entry("g1", "none", 1, "queued"), entry("g2", "none", 2, "queued"), entry("me", "none", 3, "queued")];
    let mut after = before.to_vec();
    after.push(entry("f1", "first", 30, "queued"));
    let change = ok(js::explain_position(&list(&before), &list(&after), &s("me"), &s("en")));
    assert_eq!(
        json(&change),
        concat!(
            r#"{"id":"me","before":3,"after":4,"enteredAhead":[{"id":"f1","right":"first","reason":{"kind":"newApplication"},"#,
            r#""reasonText":"a new application that the queue order places ahead"}],"leftAhead":[]}"#
        )
    );
    let mut later = after.clone();
    later[0] = entry("g1", "none", 1, "voucher_issued");
    let change = ok(js::explain_position(&list(&after), &list(&later), &s("me"), &undef()));
    let left = js_sys::Array::from(&get(&change, "leftAhead")).get(0);
    assert_eq!(json(&get(&left, "reason")), r#"{"kind":"leftQueue","status":"voucher_issued"}"#);
    assert!(prop(&left, "reasonText").contains("вышло из очереди"));
    let unknown = ok(js::explain_position(&list(&before), &list(&after), &s("nobody"), &undef()));
    assert_eq!(json(&unknown), r#"{"id":"nobody","before":null,"after":null,"enteredAhead":[],"leftAhead":[]}"#);

    assert_eq!(code(js::explain_position(&list(&before), &list(&after), &n(1.0), &undef())), "INVALID_ARGUMENT");
    assert_eq!(code(js::explain_position(&list(&before), &list(&after), &s("me"), &s("fr"))), "INVALID_ARGUMENT");
    assert_eq!(code(js::explain_position(&JsValue::NULL, &list(&after), &s("me"), &undef())), "INVALID_ARGUMENT");
    let twice = [before[0].clone(), before[0].clone()];
    assert_eq!(code(js::explain_position(&list(&twice), &list(&after), &s("me"), &undef())), "INVALID_APPLICATION");
}

// ---- lifecycle -------------------------------------------------------------------------

#[wasm_bindgen_test]
fn register_then_issue_confirm_and_choose() {
    let result = ok(js::apply(
        &JsValue::NULL,
        &j(&format!(r#"{{"type":"register","application":{}}}"#, new_application("KOK-1"))),
        &s("2026-03-02T10:00:00+05:00"),
        &j(r#"{"lang":"kk"}"#),
    ));
    let events = json(&get(&result, "events"));
    assert!(events.starts_with(r#"[{"type":"registered","application":{"id":"KOK-1""#), "{events}");
    let app = get(&result, "application");
    assert_eq!(status(&app), "queued");
    assert_eq!(prop(&app, "registeredAt"), "2026-03-02T10:00:00+05:00");

    let allowed = ok(js::allowed_actions(&app, &s("2026-03-03T10:00:00+05:00"), &s("en")));
    assert_eq!(
        json(&allowed),
        concat!(
            r#"[{"action":"issueVoucher","role":"center","label":"Issue voucher"},"#,
            r#"{"action":"withdraw","role":"operator","label":"Withdraw from the queue"}]"#
        )
    );

    let app = act(&app, r#"{"type":"issueVoucher"}"#, "2026-03-19T10:00:00+05:00");
    let allowed = ok(js::allowed_actions(&app, &s("2026-03-20T10:00:00+05:00"), &undef()));
    let first = js_sys::Array::from(&allowed).get(0);
    assert_eq!(
        json(&first),
        r#"{"action":"confirmVoucher","role":"operator","deadline":"2026-03-26T23:59:59+05:00","label":"Подтвердить заинтересованность"}"#
    );

    let app = act(&app, r#"{"type":"confirmVoucher"}"#, "2026-03-20T10:00:00+05:00");
    let voucher = get(&app, "voucher");
    assert_eq!(prop(&voucher, "chooseDeadline"), "2026-04-01T23:59:59+05:00");

    let choose = r#"{"type":"chooseKindergarten","kindergarten":"KG-KOK-01","language":"kk"}"#;
    let places = j(&format!(
        r#"{{"freePlaces":[{{"kindergarten":"KG-KOK-01","language":"kk","groupYear":2022,"free":1}}],{DIRECTORY}}}"#
    ));
    let result = ok(js::apply(&app, &j(choose), &s("2026-03-23T10:00:00+05:00"), &places));
    let app = get(&result, "application");
    assert_eq!(status(&app), "direction_issued");
    let direction = get(&app, "direction");
    assert_eq!(prop(&direction, "number"), "KOK-1-N1");
}

#[wasm_bindgen_test]
fn rejections_carry_the_rules_code_message_and_detail() {
    let app = register("KOK-2", "2026-03-02T10:00:00+05:00");

    // NOT_ALLOWED, with the status and the allowed actions, in each language.
    let error = thrown(js::apply(&app, &j(r#"{"type":"acceptChild"}"#), &s("2026-03-03T10:00:00Z"), &undef()));
    assert_eq!(prop(&error, "code"), "NOT_ALLOWED");
    assert!(prop(&error, "message").contains("В очереди"));
    assert_eq!(
        json(&get(&error, "detail")),
        r#"{"kind":"notAllowed","action":"acceptChild","status":"queued","allowed":["issueVoucher","withdraw"]}"#
    );
    let error =
        thrown(js::apply(&app, &j(r#"{"type":"acceptChild"}"#), &s("2026-03-03T10:00:00Z"), &j(r#"{"lang":"en"}"#)));
    assert!(prop(&error, "message").contains("In the queue"), "{}", prop(&error, "message"));

    // DEADLINE_PASSED: confirming after the confirm deadline.
    let issued = act(&app, r#"{"type":"issueVoucher"}"#, "2026-03-19T10:00:00+05:00");
    let error =
        thrown(js::apply(&issued, &j(r#"{"type":"confirmVoucher"}"#), &s("2026-03-27T00:00:00+05:00"), &undef()));
    assert_eq!(prop(&error, "code"), "DEADLINE_PASSED");
    assert_eq!(
        json(&get(&error, "detail")),
        r#"{"kind":"deadlinePassed","action":"confirmVoucher","deadline":"2026-03-26T23:59:59+05:00"}"#
    );

    // ALREADY_USED: a second extension; INVALID_FIELD: an extension by 0 days.
    let confirmed = act(&issued, r#"{"type":"confirmVoucher"}"#, "2026-03-20T10:00:00+05:00");
    let error =
        thrown(js::apply(&confirmed, &j(r#"{"type":"extendChoice","days":0}"#), &s("2026-03-23T10:00:00Z"), &undef()));
    assert_eq!(prop(&error, "code"), "INVALID_FIELD");
    let extended = act(&confirmed, r#"{"type":"extendChoice","days":10}"#, "2026-03-23T10:00:00Z");
    let error =
        thrown(js::apply(&extended, &j(r#"{"type":"extendChoice","days":5}"#), &s("2026-03-24T10:00:00Z"), &undef()));
    assert_eq!(prop(&error, "code"), "ALREADY_USED");

    // NO_FREE_PLACE with the caller's free places.
    let choose = j(r#"{"type":"chooseKindergarten","kindergarten":"KG-KOK-01","language":"ru"}"#);
    let places = j(&format!(
        r#"{{"freePlaces":[{{"kindergarten":"KG-KOK-01","language":"kk","groupYear":2022,"free":3}}],{DIRECTORY}}}"#
    ));
    // CENTER_ONLY: the center's actions, whatever the status.
    for command in [r#"{"type":"issueVoucher"}"#, r#"{"type":"overruleRefusal"}"#, r#"{"type":"tick"}"#] {
        assert_eq!(code(js::apply(&extended, &j(command), &s("2026-03-24T10:00:00Z"), &undef())), "CENTER_ONLY");
    }
    let error = thrown(js::apply(&extended, &choose, &s("2026-03-24T10:00:00Z"), &places));
    assert_eq!(prop(&error, "code"), "NO_FREE_PLACE");

    // MUST_ENROLL: a refusal overruled cannot be refused again.
    let directed = act(
        &extended,
        r#"{"type":"chooseKindergarten","kindergarten":"KG-KOK-01","language":"ru"}"#,
        "2026-03-24T10:00:00Z",
    );
    let refused = act(&directed, r#"{"type":"refuseChild","reason":"Нет мест"}"#, "2026-03-25T10:00:00Z");
    assert_eq!(status(&refused), "refusal_review");
    let overruled = act(&refused, r#"{"type":"overruleRefusal"}"#, "2026-03-26T10:00:00Z");
    let error = thrown(js::apply(
        &overruled,
        &j(r#"{"type":"refuseChild","reason":"x"}"#),
        &s("2026-03-27T10:00:00Z"),
        &undef(),
    ));
    assert_eq!(prop(&error, "code"), "MUST_ENROLL");
    let enrolled = act(&overruled, r#"{"type":"acceptChild"}"#, "2026-03-27T10:00:00Z");
    let departed =
        act(&enrolled, r#"{"type":"markDeparted","date":"2026-04-01","reason":"Переезд"}"#, "2026-04-02T10:00:00Z");
    assert_eq!(status(&departed), "departed");
    assert_eq!(json(&ok(js::allowed_actions(&departed, &s("2026-04-03T10:00:00Z"), &undef()))), "[]");
}

#[wasm_bindgen_test]
fn expiries_show_in_allowed_actions_and_in_apply() {
    let app = register("KOK-3", "2026-03-02T10:00:00+05:00");
    let issued = act(&app, r#"{"type":"issueVoucher"}"#, "2026-03-19T10:00:00+05:00");
    // After the confirm deadline the voucher is stop-listed: restore (until +28 days) or withdraw.
    let allowed = ok(js::allowed_actions(&issued, &s("2026-03-30T10:00:00+05:00"), &s("en")));
    let actions: Vec<String> = js_sys::Array::from(&allowed).iter().map(|a| prop(&a, "action")).collect();
    assert_eq!(actions, ["restoreVoucher", "withdraw"]);
    assert_eq!(prop(&js_sys::Array::from(&allowed).get(0), "deadline"), "2026-04-23T23:59:59+05:00");
    let result = ok(js::apply(&issued, &j(r#"{"type":"restoreVoucher"}"#), &s("2026-03-30T10:00:00+05:00"), &undef()));
    let events = json(&get(&result, "events"));
    assert!(events.contains(r#""type":"stopListed""#) && events.contains(r#""type":"voucherRestored""#), "{events}");
}

#[wasm_bindgen_test]
fn registration_is_checked_by_the_rules() {
    let valid = child_iin();
    let wrong = format!("{}{}", &valid[..11], (valid.as_bytes()[11] - b'0' + 1) % 10);
    let text = new_application("KOK-4").replace(&valid, &wrong);
    let command = j(&format!(r#"{{"type":"register","application":{text}}}"#));
    let error = thrown(js::apply(&JsValue::NULL, &command, &s("2026-03-02T10:00:00Z"), &undef()));
    assert_eq!(prop(&error, "code"), "IIN_CHECKSUM");
    assert_eq!(json(&get(&error, "detail")), r#"{"kind":"invalidIin","field":"child","error":"IIN_CHECKSUM"}"#);

    let command = j(&format!(r#"{{"type":"register","application":{}}}"#, new_application("KOK-4")));
    assert_eq!(code(js::apply(&JsValue::NULL, &command, &s("2021-01-01T10:00:00Z"), &undef())), "BIRTH_DATE_IN_FUTURE");
    assert_eq!(code(js::apply(&JsValue::NULL, &command, &s("2029-09-01T10:00:00Z"), &undef())), "CHILD_TOO_OLD");
    let no_id = j(&format!(r#"{{"type":"register","application":{}}}"#, new_application("")));
    assert_eq!(code(js::apply(&JsValue::NULL, &no_id, &s("2026-03-02T10:00:00Z"), &undef())), "INVALID_FIELD");
}

#[wasm_bindgen_test]
fn malformed_input_to_apply_and_allowed_actions() {
    let app = register("KOK-5", "2026-03-02T10:00:00+05:00");
    let now = s("2026-03-03T10:00:00Z");
    let withdraw = j(r#"{"type":"withdraw"}"#);
    // INVALID_ARGUMENT: commands, options, register with an application.
    for command in [
        j("{}"),
        j(r#"{"type":"nope"}"#),
        s("withdraw"),
        j(r#"{"type":"withdraw","x":1}"#),
        j(r#"{"type":"extendChoice"}"#),
    ] {
        assert_eq!(code(js::apply(&app, &command, &now, &undef())), "INVALID_ARGUMENT", "{command:?}");
    }
    for options in [j(r#"{"lang":"de"}"#), j(r#"{"foo":1}"#), s("ru"), j(r#"{"freePlaces":[{"kindergarten":"K"}]}"#)] {
        assert_eq!(code(js::apply(&app, &withdraw, &now, &options)), "INVALID_ARGUMENT", "{options:?}");
    }
    let register = j(&format!(r#"{{"type":"register","application":{}}}"#, new_application("KOK-6")));
    assert_eq!(code(js::apply(&app, &register, &now, &undef())), "INVALID_ARGUMENT");
    // INVALID_APPLICATION: no application for an action, a broken one, a broken new one.
    assert_eq!(code(js::apply(&JsValue::NULL, &withdraw, &now, &undef())), "INVALID_APPLICATION");
    assert_eq!(code(js::apply(&undef(), &withdraw, &now, &undef())), "INVALID_APPLICATION");
    let broken = j(&json(&app).replace(r#""status":"queued""#, r#""status":"waiting""#));
    assert_eq!(code(js::apply(&broken, &withdraw, &now, &undef())), "INVALID_APPLICATION");
    assert_eq!(code(js::allowed_actions(&broken, &now, &undef())), "INVALID_APPLICATION");
    assert_eq!(code(js::allowed_actions(&j("[]"), &now, &undef())), "INVALID_APPLICATION");
    let partial = j(r#"{"type":"register","application":{"id":"x"}}"#);
    assert_eq!(code(js::apply(&JsValue::NULL, &partial, &now, &undef())), "INVALID_APPLICATION");
    // INVALID_INSTANT.
    assert_eq!(code(js::apply(&app, &withdraw, &s("2026-03-03"), &undef())), "INVALID_INSTANT");
    assert_eq!(code(js::allowed_actions(&app, &s("2026-03-03T10:00:00"), &undef())), "INVALID_INSTANT");
    assert_eq!(code(js::allowed_actions(&app, &now, &s("english"))), "INVALID_ARGUMENT");
    // The message follows the requested language.
    let error = thrown(js::apply(&JsValue::NULL, &withdraw, &now, &j(r#"{"lang":"en"}"#)));
    assert!(prop(&error, "message").starts_with("Invalid application"), "{}", prop(&error, "message"));
    let result = ok(js::apply(&app, &withdraw, &now, &JsValue::NULL));
    assert_eq!(prop(&get(&result, "application"), "archiveReason"), "withdrawn");
}
