//! The JavaScript API, independent of the target.
//!
//! Every argument arrives as a JSON value (big lists also packed, see `packed`): the wasm layer
//! (`js.rs`) converts each JS argument, native tests build the values directly. Every answer
//! is a `Serialize` value that both the wasm layer (then `JSON.parse`) and native tests write
//! with `serde_json`; the differential test checks that both give the same JSON byte for
//! byte.
//!
//! Nothing here decides a rule: the functions check the format of their input, call
//! `rules`, and shape the answer.

use rules::calendar::{Calendar, MAX_WORKING_DAYS, YearInfo};
use rules::command::{Action, ActionKind, Command, Event};
use rules::countdown::{self, DaysLeft};
use rules::deadline::{self, Deadline, DeadlineKind};
use rules::free_choice::{FreePlace, KnownPlaces};
use rules::iin::{Iin, Sex};
use rules::lifecycle::{self, NoPlaceCheck};
use rules::model::{Application, Kindergarten, NewApplication};
use rules::queue::{self, PositionChange, RankEntry, Ranked};
use rules::{CommandError, Date, Instant, Lang, Localized};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ApiError, ApplicationProblem, ArgumentProblem, Failure, shown};
use crate::packed::Packed;

mod portal;
pub use portal::{
    ActionInfo, ApplicationInfo, DayRange, action_info, application_info, kindergarten_choices, queue_place,
};

/// The package version (`version()`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The last year a `YYYY-MM-DD` date can have.
const LAST_WRITABLE_YEAR: i32 = 9999;

type Answer<T> = Result<T, Failure>;

// ---------------------------------------------------------------------------------------
// Arguments

/// `lang`: absent (`null`/`undefined`) means Russian.
fn lang_arg(value: &Value) -> Result<Lang, ApiError> {
    match value {
        Value::Null => Ok(Lang::default()),
        Value::String(code) => Lang::parse(code).ok_or_else(|| ApiError::Argument(ArgumentProblem::Lang(shown(value)))),
        _ => Err(ApiError::Argument(ArgumentProblem::Lang(shown(value)))),
    }
}

fn string_arg<'a>(value: &'a Value, name: &'static str) -> Result<&'a str, ApiError> {
    value.as_str().ok_or(ApiError::Argument(ArgumentProblem::NotAString(name)))
}

fn date_arg(value: &Value, name: &'static str) -> Result<Date, ApiError> {
    value.as_str().and_then(|text| text.parse().ok()).ok_or_else(|| ApiError::Date(name, shown(value)))
}

fn instant_arg(value: &Value, name: &'static str) -> Result<Instant, ApiError> {
    value.as_str().and_then(|text| text.parse().ok()).ok_or_else(|| ApiError::Instant(name, shown(value)))
}

/// Reads an object into a rules type; arrays and other values are not objects.
fn object<'a, T: Deserialize<'a>>(value: &'a Value) -> Result<T, ApplicationProblem> {
    if !value.is_object() {
        return Err(ApplicationProblem::NotAnObject);
    }
    T::deserialize(value).map_err(|e| ApplicationProblem::Fields(e.to_string()))
}

fn application_arg(value: &Value) -> Result<Application, ApiError> {
    object(value).map_err(|problem| ApiError::Application(None, problem))
}

/// Every element of a `rankQueue`-style list, whatever its status.
fn rank_entries(value: &Value, name: &'static str) -> Result<Vec<RankEntry>, ApiError> {
    let items = value.as_array().ok_or(ApiError::Argument(ArgumentProblem::NotAList(name)))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| object(item).map_err(|problem| ApiError::Application(Some(format!("{name}[{i}]")), problem)))
        .collect()
}

fn duplicate(error: &queue::DuplicateId) -> ApiError {
    ApiError::Application(None, ApplicationProblem::DuplicateId(error.0.clone()))
}

/// A date as `YYYY-MM-DD`, or `None` when its year needs more (or fewer) than four digits.
fn writable(date: Date) -> Option<Date> {
    (0..=LAST_WRITABLE_YEAR).contains(&date.year()).then_some(date)
}

// ---------------------------------------------------------------------------------------
// validateIin

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum IinCheck {
    Valid(ValidIin),
    Invalid(InvalidIin),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidIin {
    pub valid: bool,
    pub birth_date: Date,
    pub sex: Sex,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvalidIin {
    pub valid: bool,
    pub error: IinProblem,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IinProblem {
    pub code: &'static str,
    pub message: String,
}

/// `validateIin(iin, lang?)`: the IIN is taken exactly as given (no trimming).
pub fn validate_iin(iin: &Value, lang: &Value) -> Answer<IinCheck> {
    let lang = lang_arg(lang).map_err(|e| e.in_lang(Lang::default()))?;
    let text = string_arg(iin, "iin").map_err(|e| e.in_lang(lang))?;
    Ok(match Iin::parse(text) {
        Ok(parsed) => IinCheck::Valid(ValidIin { valid: true, birth_date: parsed.birth_date(), sex: parsed.sex() }),
        Err(error) => IinCheck::Invalid(InvalidIin {
            valid: false,
            error: IinProblem { code: error.code(), message: error.message(lang) },
        }),
    })
}

// ---------------------------------------------------------------------------------------
// Calendar

/// `isWorkingDay(date)`: `CALENDAR_OUT_OF_RANGE` outside the calendar's years.
pub fn is_working_day(date: &Value) -> Answer<bool> {
    let run = || {
        let date = date_arg(date, "date")?;
        Calendar::embedded().is_working_day(date).map_err(|_| CommandError::CalendarOutOfRange.into())
    };
    run().map_err(|e: ApiError| e.in_lang(Lang::default()))
}

/// `n` of `workingDaysAfter`: a JS number that is an integer from 1 to `MAX_WORKING_DAYS`.
fn count_arg(value: &Value) -> Result<u32, ApiError> {
    let invalid = || ApiError::Argument(ArgumentProblem::Count(shown(value)));
    let n = value.as_f64().ok_or_else(invalid)?;
    if !(n.is_finite() && n.fract() == 0.0 && n >= 1.0 && n <= f64::from(MAX_WORKING_DAYS)) {
        return Err(invalid());
    }
    // In range and integral, so the conversion is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(n as u32)
}

/// `workingDaysAfter(date, n)`: the `n`-th working day strictly after `date`.
pub fn working_days_after(date: &Value, n: &Value) -> Answer<String> {
    let run = || {
        let date = date_arg(date, "date")?;
        let n = count_arg(n)?;
        // `n` is in bounds: the only failure left is a day beyond the calendar's data.
        let day = Calendar::embedded().working_days_after(date, n).map_err(|_| CommandError::CalendarOutOfRange)?;
        Ok(day.to_string())
    };
    run().map_err(|e: ApiError| e.in_lang(Lang::default()))
}

/// `deadline(kind, from)`: the end (23:59:59+05:00) of the deadline's local day, and whether
/// it rests on a provisional year of the calendar.
pub fn deadline(kind: &Value, from: &Value) -> Answer<Deadline> {
    let run = || {
        let kind = kind.as_str().and_then(DeadlineKind::parse).ok_or_else(|| ApiError::Kind(shown(kind)))?;
        let instant = instant_arg(from, "from")?;
        match deadline::deadline(Calendar::embedded(), kind, instant) {
            Ok(due) if writable(due.at.local_date()).is_some() => Ok(due),
            // `restore` counts calendar days: only the year 9999 bounds it.
            _ if kind == DeadlineKind::Restore => Err(ApiError::Instant("from", shown(from))),
            _ => Err(CommandError::CalendarOutOfRange.into()),
        }
    };
    run().map_err(|e: ApiError| e.in_lang(Lang::default()))
}

/// `daysLeft(kind, deadline, now)`: the days left at `now` until `deadline`, a deadline of
/// `kind` (`rules::countdown`: today counts while it is not over; 0 after the deadline).
pub fn days_left(kind: &Value, deadline: &Value, now: &Value) -> Answer<DaysLeft> {
    let run = || {
        let kind = kind.as_str().and_then(DeadlineKind::parse).ok_or_else(|| ApiError::Kind(shown(kind)))?;
        let due = instant_arg(deadline, "deadline")?;
        let at = instant_arg(now, "now")?;
        countdown::days_left(Calendar::embedded(), kind, due, at).map_err(|_| CommandError::CalendarOutOfRange.into())
    };
    run().map_err(|e: ApiError| e.in_lang(Lang::default()))
}

/// The deadline an application waits on by its status, and the action it waits for.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingDeadline {
    pub kind: DeadlineKind,
    pub at: Instant,
    /// `DeadlineKind::awaited_action`: confirming, choosing, restoring.
    pub action: ActionKind,
}

/// `pendingDeadline(application)`: the deadline the application waits on by its status
/// (`rules::deadline::pending`: confirm, choose or restore) and the action it waits for,
/// `null` in any other status.
pub fn pending_deadline(application: &Value) -> Answer<Option<PendingDeadline>> {
    let run = || {
        let application = application_arg(application)?;
        Ok(deadline::pending(&application).map(|(kind, at)| PendingDeadline {
            kind,
            at,
            action: kind.awaited_action(),
        }))
    };
    run().map_err(|e: ApiError| e.in_lang(Lang::default()))
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CalendarInfo {
    pub version: &'static str,
    pub years: Vec<YearInfo>,
}

/// `calendarInfo()`: the embedded calendar's data version and listed years.
pub fn calendar_info() -> CalendarInfo {
    let calendar = Calendar::embedded();
    CalendarInfo { version: calendar.version(), years: calendar.years() }
}

// ---------------------------------------------------------------------------------------
// Queue

/// `rankQueue(applications)`: positions of every `queued` application.
pub fn rank_queue(applications: &Value) -> Answer<Vec<Ranked>> {
    let run = || {
        let entries = rank_entries(applications, "applications")?;
        let ranked = queue::rank_queue(&entries).map_err(|e| duplicate(&e))?;
        Ok(ranked.into_iter().map(Ranked::from).collect())
    };
    run().map_err(|e: ApiError| e.in_lang(Lang::default()))
}

/// `rankQueue` on a packed list (see `packed`): for each ranked application its entry's
/// index, group year and position, three numbers per row in `rankQueue`'s order. `None`
/// when the list is not exactly what `rankQueue` takes without an error (a field it
/// refuses, a duplicate id): `rankQueue` on the list then gives the answer or the error.
pub fn rank_queue_packed(list: Packed<'_>) -> Option<Vec<i32>> {
    let columns = list.unpack()?;
    let places = queue::rank_places(&columns.views).ok()?;
    let mut rows = Vec::with_capacity(places.len() * 3);
    for place in places {
        rows.extend([i32::try_from(place.entry).ok()?, place.group_year, i32::try_from(place.position).ok()?]);
    }
    Some(rows)
}
/// One application that moved ahead of, or from ahead of, the one explained, with its
/// reason in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Mover {
    #[serde(flatten)]
    pub mover: queue::Mover,
    /// `reason` for a person, in the requested language.
    pub reason_text: &'static str,
}

/// `explainPosition(before, after, id, lang?)`.
pub fn explain_position(before: &Value, after: &Value, id: &Value, lang: &Value) -> Answer<PositionChange<Mover>> {
    explain(|| Ok((rank_entries(before, "before")?, rank_entries(after, "after")?)), id, lang)
}

/// `explainPosition` on packed lists (see `packed`); `None` when either list is not exactly
/// what `explainPosition` reads without an error: `explainPosition` then gives the answer.
pub fn explain_position_packed(
    before: Packed<'_>,
    after: Packed<'_>,
    id: &Value,
    lang: &Value,
) -> Option<Answer<PositionChange<Mover>>> {
    let lists = (before.unpack()?.entries(), after.unpack()?.entries());
    Some(explain(|| Ok(lists), id, lang))
}

fn explain(
    lists: impl FnOnce() -> Result<(Vec<RankEntry>, Vec<RankEntry>), ApiError>,
    id: &Value,
    lang: &Value,
) -> Answer<PositionChange<Mover>> {
    let lang = lang_arg(lang).map_err(|e| e.in_lang(Lang::default()))?;
    let run = || {
        let (before, after) = lists()?;
        let id = string_arg(id, "id")?;
        queue::explain_position(&before, &after, id).map_err(|e| duplicate(&e))
    };
    let change = run().map_err(|e: ApiError| e.in_lang(lang))?;
    Ok(change.map_movers(|mover| Mover { reason_text: mover.reason.text().get(lang), mover }))
}

// ---------------------------------------------------------------------------------------
// Lifecycle

/// An action allowed now (`rules::lifecycle::AllowedAction`) with its button label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AllowedAction {
    #[serde(flatten)]
    pub allowed: lifecycle::AllowedAction,
    /// The button label in the requested language.
    pub label: &'static str,
}

/// `allowedActions(application, now, lang?)`: after any expiry due by `now`.
pub fn allowed_actions(application: &Value, now: &Value, lang: &Value) -> Answer<Vec<AllowedAction>> {
    let lang = lang_arg(lang).map_err(|e| e.in_lang(Lang::default()))?;
    let run = || {
        let application = application_arg(application)?;
        let now = instant_arg(now, "now")?;
        Ok(lifecycle::allowed_actions(&application, now, Calendar::embedded())?)
    };
    let allowed = run().map_err(|e: ApiError| e.in_lang(lang))?;
    Ok(allowed.into_iter().map(|allowed| AllowedAction { label: allowed.action.text().get(lang), allowed }).collect())
}

/// `options` of `apply` and `kindergartenChoices`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ApplyOptions {
    #[serde(default)]
    lang: Option<Lang>,
    #[serde(default)]
    free_places: Option<Vec<FreePlace>>,
    #[serde(default)]
    kindergartens: Option<Vec<Kindergarten>>,
}

impl ApplyOptions {
    /// Whether the caller gave any facts about places (else every choice is taken as possible).
    fn knows_places(&self) -> bool {
        self.free_places.is_some() || self.kindergartens.is_some()
    }

    /// The directory and free places given (a list left out is empty).
    fn known_places(&self) -> KnownPlaces<'_> {
        KnownPlaces {
            kindergartens: self.kindergartens.as_deref().unwrap_or_default(),
            free: self.free_places.as_deref().unwrap_or_default(),
        }
    }
}

/// `options`: absent means none; errors are in Russian (the language is one of the options).
fn options_arg(options: &Value) -> Result<ApplyOptions, Failure> {
    match options {
        Value::Null => Ok(ApplyOptions::default()),
        Value::Object(_) => ApplyOptions::deserialize(options)
            .map_err(|e| ApiError::Argument(ArgumentProblem::Options(e.to_string())).in_lang(Lang::default())),
        _ => {
            let problem = ArgumentProblem::Options("an object is expected".into());
            Err(ApiError::Argument(problem).in_lang(Lang::default()))
        }
    }
}

/// A command of `apply`.
enum ApplyCommand {
    Register(Box<NewApplication>),
    Act(Action),
    /// A center-only command (`distribute`, `tick`): refused with `CENTER_ONLY`.
    Center(Box<Command>),
}

fn command_arg(value: &Value) -> Result<ApplyCommand, ApiError> {
    let malformed = |detail: &str| ApiError::Argument(ArgumentProblem::Command(detail.to_owned()));
    let fields = value.as_object().ok_or_else(|| malformed("an object with a string `type` is expected"))?;
    let kind = fields.get("type").and_then(Value::as_str).ok_or_else(|| malformed("a string `type` is expected"))?;
    // Read by hand: `Command::deserialize` would add a second copy of every command's reader.
    match (kind, fields.get("district")) {
        ("tick", _) if fields.len() == 1 => return Ok(ApplyCommand::Center(Box::new(Command::Tick))),
        ("distribute", Some(Value::String(district))) if fields.len() == 2 => {
            return Ok(ApplyCommand::Center(Box::new(Command::Distribute { district: district.clone() })));
        }
        ("tick", _) => return Err(malformed("`tick` has no fields besides `type`")),
        ("distribute", _) => return Err(malformed("`distribute` has exactly a string `district` besides `type`")),
        _ => {}
    }
    if kind != "register" {
        let action = Action::deserialize(value).map_err(|e| malformed(&e.to_string()))?;
        // serde ignores extra fields next to the tag of a variant without data
        // (`{"type":"withdraw","x":1}`): a field whose removal changes nothing was not read.
        for key in fields.keys().filter(|k| *k != "type") {
            // Built by inserting what stays rather than by removing `key` from a clone: the
            // module then needs no map removal code (smaller by a few KB).
            let mut without = serde_json::Map::new();
            for (other, value) in fields.iter().filter(|(other, _)| *other != key) {
                without.insert(other.clone(), value.clone());
            }
            if Action::deserialize(&Value::Object(without)).is_ok_and(|other| other == action) {
                return Err(malformed(&format!("unknown field `{key}` for `{kind}`")));
            }
        }
        return Ok(ApplyCommand::Act(action));
    }
    if let Some(unknown) = fields.keys().find(|k| *k != "type" && *k != "application") {
        return Err(malformed(&format!("unknown field `{unknown}`, expected `type` or `application`")));
    }
    let new = fields.get("application").unwrap_or(&Value::Null);
    object(new)
        .map(ApplyCommand::Register)
        .map_err(|problem| ApiError::Application(Some("command.application".into()), problem))
}

/// An action as the command a host would run (the application's id does not matter here).
fn acting(action: &Action) -> Command {
    Command::Act { application: String::new(), action: action.clone() }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplyResult {
    pub application: Application,
    pub events: Vec<Event>,
}

/// `apply(application | null, command, now, options?)`: checks the command with the rules
/// and returns the events and the application folded from them.
pub fn apply(application: &Value, command: &Value, now: &Value, options: &Value) -> Answer<ApplyResult> {
    let options = options_arg(options)?;
    let lang = options.lang.unwrap_or_default();
    let run = || {
        let application = match application {
            Value::Null => None,
            other => Some(application_arg(other)?),
        };
        let command = command_arg(command)?;
        let now = instant_arg(now, "now")?;
        let calendar = Calendar::embedded();
        // What only the center runs (vouchers, refusal reviews, rounds, expiry) is not the
        // caller's to apply, whatever the status: the rules' own list (`Command::required_role`).
        let center_only =
            |command: &Command| ApiError::CenterOnly { command: command.name(), role: command.required_role() };
        match (application, command) {
            (_, ApplyCommand::Center(command)) => Err(center_only(&command)),
            (_, ApplyCommand::Act(action)) if acting(&action).is_center_only() => Err(center_only(&acting(&action))),
            (None, ApplyCommand::Register(new)) => {
                // The only application there is: no duplicate to check against.
                let application = rules::state::registered(&new, now)?;
                let events = vec![Event::Registered { application: Box::new(application.clone()) }];
                Ok(ApplyResult { application, events })
            }
            (Some(_), ApplyCommand::Register(_)) => Err(ApiError::Argument(ArgumentProblem::RegisterWithApplication)),
            (None, ApplyCommand::Act(_)) => Err(ApiError::Application(None, ApplicationProblem::Missing)),
            (Some(mut application), ApplyCommand::Act(action)) => {
                let events = if options.knows_places() {
                    lifecycle::decide(&application, &action, now, calendar, &options.known_places())?
                } else {
                    lifecycle::decide(&application, &action, now, calendar, &NoPlaceCheck)?
                };
                for event in &events {
                    lifecycle::evolve(&mut application, event);
                }
                Ok(ApplyResult { application, events })
            }
        }
    };
    run().map_err(|e: ApiError| e.in_lang(lang))
}
