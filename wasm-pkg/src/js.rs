//! The wasm-bindgen exports: each converts its JS arguments to JSON values (objects and
//! arrays as `JSON.stringify` writes them), calls `api`, and hands the answer back as the
//! JSON text `serde_json` writes, read by `JSON.parse`, or throws an `Error` with `code`, a
//! localized `message` and, for rejected commands, `detail`.
//!
//! The TypeScript types of the answers are in `kezek.types.d.ts`, emitted into the
//! generated `.d.ts`; the parameters carry their types with `unchecked_param_type`.

use js_sys::{Array, JSON, JsString, Reflect, Uint8Array};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::prelude::*;

use crate::api;
use crate::error::{Failure, UNREADABLE};
use crate::packed::Packed;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("kezek.types.d.ts");

/// Stands for a JS value that is not JSON data (a function, a symbol, a bigint, a `Date`
/// where a string is expected, …): an object that no parameter accepts, so each parameter
/// reports it with its own code.
fn unreadable() -> Value {
    let mut object = serde_json::Map::new();
    object.insert(UNREADABLE.to_owned(), Value::Bool(true));
    Value::Object(object)
}

/// One argument as JSON: strings, numbers, booleans as they are (`NaN` and infinities are
/// `null`, as `JSON.stringify` writes them); `undefined` and `null` are `null`; objects and
/// arrays are read as `JSON.stringify` writes them (one call, fast for big lists). When that
/// fails (a bigint inside, a cycle), an array is read element by element, so that the
/// unreadable element is reported as that element.
fn arg(value: &JsValue) -> Value {
    if value.is_undefined() || value.is_null() {
        return Value::Null;
    }
    if let Some(text) = value.as_string() {
        return Value::String(text);
    }
    if let Some(number) = value.as_f64() {
        return number_value(number);
    }
    if let Some(flag) = value.as_bool() {
        return Value::Bool(flag);
    }
    if !value.is_object() {
        return unreadable(); // a bigint, a symbol, a function
    }
    if let Some(text) = stringified(value) {
        // An object whose JSON is not an object or an array (a `Date`, say) is no string.
        return serde_json::from_str(&text)
            .ok()
            .filter(|json: &Value| json.is_object() || json.is_array())
            .unwrap_or_else(unreadable);
    }
    if Array::is_array(value) {
        return Value::Array(Array::from(value).iter().map(|item| arg(&item)).collect());
    }
    unreadable()
}

/// A JS number as JSON would carry it: integers as integers.
fn number_value(number: f64) -> Value {
    const SAFE: f64 = 9_007_199_254_740_991.0;
    if number.fract() == 0.0 && number.abs() <= SAFE {
        // Integral and within ±2^53: exact as an i64.
        #[allow(clippy::cast_possible_truncation)]
        return Value::from(number as i64);
    }
    serde_json::Number::from_f64(number).map_or(Value::Null, Value::Number)
}

#[wasm_bindgen]
extern "C" {
    /// The platform's UTF-8 encoder (Node and browsers).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method)]
    fn encode(this: &TextEncoder, text: &JsString) -> Uint8Array;
}

/// `JSON.stringify(value)` of an object or array, if it gives a string.
///
/// The text is encoded by `TextEncoder` and copied in one piece: `JsString` to `String`
/// would encode it in a JavaScript loop, one character at a time (a third of `rankQueue`'s
/// time for 100,000 applications).
fn stringified(value: &JsValue) -> Option<String> {
    // `undefined` (from a `toJSON` that returns nothing) is no text.
    let text: JsString = JSON::stringify(value).ok().filter(|text| text.is_string())?;
    String::from_utf8(TextEncoder::new().encode(&text).to_vec()).ok()
}

/// An answer as a JS value: written as JSON text here and read by `JSON.parse`, which builds
/// big answers (a ranked queue) several times faster than setting properties one call at a
/// time, and keeps a second serializer out of the module.
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))?;
    JSON::parse(&text)
}

fn thrown(failure: &Failure) -> JsValue {
    let error = js_sys::Error::new(&failure.message);
    // Setting a property on a fresh Error cannot fail.
    let _ = Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(failure.code));
    if let Some(detail) = &failure.detail
        && let Ok(detail) = to_js(detail)
    {
        let _ = Reflect::set(&error, &JsValue::from_str("detail"), &detail);
    }
    error.into()
}

fn answer<T: Serialize>(result: Result<T, Failure>) -> Result<JsValue, JsValue> {
    match result {
        Ok(value) => to_js(&value),
        Err(failure) => Err(thrown(&failure)),
    }
}

/// Checks a child's or an adult's IIN (ИИН): 12 digits, the date and century they encode,
/// the check digit; in that order, without trimming. A wrong IIN is an answer, not an error.
/// Throws `INVALID_ARGUMENT` when `iin` is not a string or `lang` is not a language.
#[wasm_bindgen(js_name = validateIin, unchecked_return_type = "IinResult")]
pub fn validate_iin(
    #[wasm_bindgen(unchecked_param_type = "string")] iin: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Lang")] lang: &JsValue,
) -> Result<JsValue, JsValue> {
    answer(api::validate_iin(&arg(iin), &arg(lang)))
}

/// Whether `date` is a working day in Kazakhstan (Monday–Friday, not a day off).
/// Throws `INVALID_DATE`, or `CALENDAR_OUT_OF_RANGE` for a date outside the calendar's years.
#[wasm_bindgen(js_name = isWorkingDay, unchecked_return_type = "boolean")]
pub fn is_working_day(#[wasm_bindgen(unchecked_param_type = "DateString")] date: &JsValue) -> Result<JsValue, JsValue> {
    answer(api::is_working_day(&arg(date)))
}

/// The `n`-th working day strictly after `date` (`n` an integer from 1 to 100000).
/// Throws `INVALID_DATE`, `INVALID_ARGUMENT`, or `CALENDAR_OUT_OF_RANGE` when the count
/// runs past the calendar's last year.
#[wasm_bindgen(js_name = workingDaysAfter, unchecked_return_type = "DateString")]
pub fn working_days_after(
    #[wasm_bindgen(unchecked_param_type = "DateString")] date: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] n: &JsValue,
) -> Result<JsValue, JsValue> {
    answer(api::working_days_after(&arg(date), &arg(n)))
}

/// The deadline of `kind` counted from `from`: `at`, as `YYYY-MM-DDT23:59:59+05:00`, and
/// `provisional`, true when a working day counted over (or the deadline's day) lies in a
/// provisional year of the calendar. confirm = 2nd working day after the local date of the
/// voucher's issue, choose = 5th working day after the confirmation, restore = 28th
/// calendar day after the missed confirm deadline (never provisional). Throws
/// `INVALID_KIND`, `INVALID_INSTANT` or `CALENDAR_OUT_OF_RANGE`.
#[wasm_bindgen(unchecked_return_type = "Deadline")]
pub fn deadline(
    #[wasm_bindgen(unchecked_param_type = "DeadlineKind")] kind: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "InstantString")] from: &JsValue,
) -> Result<JsValue, JsValue> {
    answer(api::deadline(&arg(kind), &arg(from)))
}

/// The days left at `now` until `deadline`, a deadline of `kind`: today counts while it is
/// not over (1 on the deadline's last day), 0 after the deadline. `confirm` and `choose`
/// count working days (the deadline's own day always counts), `restore` calendar days.
/// Throws `INVALID_KIND`, `INVALID_INSTANT` or `CALENDAR_OUT_OF_RANGE`.
#[wasm_bindgen(js_name = daysLeft, unchecked_return_type = "DaysLeft")]
pub fn days_left(
    #[wasm_bindgen(unchecked_param_type = "DeadlineKind")] kind: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "InstantString")] deadline: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "InstantString")] now: &JsValue,
) -> Result<JsValue, JsValue> {
    answer(api::days_left(&arg(kind), &arg(deadline), &arg(now)))
}

/// The deadline `application` waits on by its status: `confirm` (voucher issued), `choose`
/// (voucher confirmed) or `restore` (stop-listed), with its instant and the action it waits
/// for (`confirmVoucher`, `chooseKindergarten`, `restoreVoucher`); `null` in any other status.
/// Whether it has passed at a time is `daysLeft(kind, at, now).days === 0`.
/// Throws `INVALID_APPLICATION`.
#[wasm_bindgen(js_name = pendingDeadline, unchecked_return_type = "PendingDeadline | null")]
pub fn pending_deadline(
    #[wasm_bindgen(unchecked_param_type = "Application")] application: &JsValue,
) -> Result<JsValue, JsValue> {
    answer(api::pending_deadline(&arg(application)))
}

/// Positions of every application whose status is exactly `queued`, sorted by district,
/// queue type, group year and position. Every element is validated whatever its status.
/// Throws `INVALID_ARGUMENT` (not an array) or `INVALID_APPLICATION` (an invalid element,
/// a duplicate id).
#[wasm_bindgen(js_name = rankQueue, unchecked_return_type = "Ranked[]")]
pub fn rank_queue(
    #[wasm_bindgen(unchecked_param_type = "RankInput[]")] applications: &JsValue,
) -> Result<JsValue, JsValue> {
    answer(api::rank_queue(&arg(applications)))
}

/// `rankQueue` on a list packed by the package's entry (`js/packed.js`, format in
/// `packed`): rows of (entry index, group year, position), or `undefined` when `rankQueue`
/// itself must answer. Internal to the package: not in its types.
#[wasm_bindgen(js_name = rankQueuePacked, skip_typescript)]
pub fn rank_queue_packed(text: &[u8], lengths: &[u32], codes: &[u32]) -> Option<Vec<i32>> {
    let text = std::str::from_utf8(text).ok()?;
    api::rank_queue_packed(Packed { text, lengths, codes })
}

/// Why the position of application `id` differs between two snapshots of the queues.
/// Throws `INVALID_ARGUMENT` or `INVALID_APPLICATION`.
#[wasm_bindgen(js_name = explainPosition, unchecked_return_type = "PositionChange")]
pub fn explain_position(
    #[wasm_bindgen(unchecked_param_type = "RankInput[]")] before: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "RankInput[]")] after: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] id: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Lang")] lang: &JsValue,
) -> Result<JsValue, JsValue> {
    answer(api::explain_position(&arg(before), &arg(after), &arg(id), &arg(lang)))
}

/// `explainPosition` on lists packed as for `rankQueuePacked`; `undefined` when
/// `explainPosition` itself must answer. Internal to the package: not in its types.
#[wasm_bindgen(js_name = explainPositionPacked, skip_typescript)]
#[allow(clippy::too_many_arguments, reason = "two packed lists of three arrays each, then explainPosition's own")]
pub fn explain_position_packed(
    before_text: &[u8],
    before_lengths: &[u32],
    before_codes: &[u32],
    after_text: &[u8],
    after_lengths: &[u32],
    after_codes: &[u32],
    id: &JsValue,
    lang: &JsValue,
) -> Result<JsValue, JsValue> {
    let (Ok(before_text), Ok(after_text)) = (std::str::from_utf8(before_text), std::str::from_utf8(after_text)) else {
        return Ok(JsValue::UNDEFINED);
    };
    let before = Packed { text: before_text, lengths: before_lengths, codes: before_codes };
    let after = Packed { text: after_text, lengths: after_lengths, codes: after_codes };
    api::explain_position_packed(before, after, &arg(id), &arg(lang)).map_or(Ok(JsValue::UNDEFINED), answer)
}

/// The actions that may be taken on `application` at `now` (after any deadline expiry due
/// by then), who takes them, their deadline and their button label.
/// Throws `INVALID_APPLICATION`, `INVALID_INSTANT` or `INVALID_ARGUMENT` (lang).
#[wasm_bindgen(js_name = allowedActions, unchecked_return_type = "AllowedAction[]")]
pub fn allowed_actions(
    #[wasm_bindgen(unchecked_param_type = "Application")] application: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "InstantString")] now: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Lang")] lang: &JsValue,
) -> Result<JsValue, JsValue> {
    answer(api::allowed_actions(&arg(application), &arg(now), &arg(lang)))
}

/// Checks `command` against `application` at `now` and returns the events it causes and
/// the application after them. `application` is `null` for `register`. A choice is checked
/// against `options.kindergartens` and `options.freePlaces` as the center checks it; without
/// either every kindergarten choice is taken as possible. Commands only the center runs
/// (`issueVoucher`, `upholdRefusal`, `overruleRefusal`, `distribute`, `tick`) throw `CENTER_ONLY`.
/// Throws `INVALID_*` for malformed input, or the rules' code (`NOT_ALLOWED`,
/// `DEADLINE_PASSED`, …) with `detail` when the rules reject the command.
#[wasm_bindgen(unchecked_return_type = "ApplyResult")]
pub fn apply(
    #[wasm_bindgen(unchecked_param_type = "Application | null")] application: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "Action | RegisterCommand")] command: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "InstantString")] now: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "ApplyOptions")] options: &JsValue,
) -> Result<JsValue, JsValue> {
    answer(api::apply(&arg(application), &arg(command), &arg(now), &arg(options)))
}

/// The package version.
#[wasm_bindgen]
pub fn version() -> String {
    api::VERSION.to_owned()
}

/// The embedded working-day calendar: its data version and the years it lists.
#[wasm_bindgen(js_name = calendarInfo, unchecked_return_type = "CalendarInfo")]
pub fn calendar_info() -> Result<JsValue, JsValue> {
    to_js(&api::calendar_info())
}

/// What follows from `application` alone: the group year of its queue (the child's birth
/// year) and whether its status is final (departed or archived: the child may apply again).
/// Throws `INVALID_APPLICATION`.
#[wasm_bindgen(js_name = applicationInfo, unchecked_return_type = "ApplicationInfo")]
pub fn application_info(
    #[wasm_bindgen(unchecked_param_type = "Application")] application: &JsValue,
) -> Result<JsValue, JsValue> {
    answer(api::application_info(&arg(application)))
}

/// The place of application `id` when `applications` are ranked as by `rankQueue`: its
/// position and how many applications its queue (district, queue type, group year) ranks;
/// `null` when it is not ranked. Throws as `rankQueue` does, or `INVALID_ARGUMENT` (`id`).
#[wasm_bindgen(js_name = queuePlace, unchecked_return_type = "QueuePlace | null")]
pub fn queue_place(
    #[wasm_bindgen(unchecked_param_type = "RankInput[]")] applications: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "string")] id: &JsValue,
) -> Result<JsValue, JsValue> {
    answer(api::queue_place(&arg(applications), &arg(id)))
}

/// Of `options.freePlaces`, the places `application` may choose, in the list's order: what
/// `apply` of `chooseKindergarten` with the same `options` accepts (a kindergarten of
/// `options.kindergartens`, of the application's district and queue type, open, with groups
/// in the language and the group year, a free place for its group year). Whether it may
/// choose now is `allowedActions`' answer. Throws `INVALID_APPLICATION` or `INVALID_ARGUMENT`.
#[wasm_bindgen(js_name = kindergartenChoices, unchecked_return_type = "FreePlace[]")]
pub fn kindergarten_choices(
    #[wasm_bindgen(unchecked_param_type = "Application")] application: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "ApplyOptions")] options: &JsValue,
) -> Result<JsValue, JsValue> {
    answer(api::kindergarten_choices(&arg(application), &arg(options)))
}

/// What the rules say of `action`: who takes it, whether a parent takes it online, the
/// deadline it must be taken by and the one it starts, the days it takes (`extendChoice`),
/// and whether taking it ends the application.
/// Throws `INVALID_ARGUMENT` for a name that is no action.
#[wasm_bindgen(js_name = actionInfo, unchecked_return_type = "ActionInfo")]
pub fn action_info(#[wasm_bindgen(unchecked_param_type = "ActionKind")] action: &JsValue) -> Result<JsValue, JsValue> {
    answer(api::action_info(&arg(action)))
}
