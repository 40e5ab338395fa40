//! What the parents' portal asks the rules besides checking and applying commands: what
//! follows from an application (its group year, whether it is over), its place in its queue, the kindergartens it may choose, and
//! what the rules say of an action (who takes it, its deadlines, its input). The portal's
//! JavaScript decides none of these.

use rules::Lang;
use rules::authz::parent::PARENT_ACTIONS;
use rules::command::{ActionKind, Role};
use rules::deadline::{self, DeadlineKind, EXTEND_DAYS};
use rules::free_choice::FreePlace;
use rules::lifecycle;
use rules::queue::{self, QueuePlace};
use serde::Serialize;
use serde_json::Value;

use super::{Answer, application_arg, duplicate, options_arg, rank_entries, string_arg};
use crate::error::{ApiError, ArgumentProblem, shown};

/// What the rules derive from an application alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApplicationInfo {
    /// The group year of its queue (`Application::group_year`: the child's birth year).
    pub group_year: i32,
    /// Its status is final (`Status::is_final`: departed, archived): it no longer holds the
    /// child's place, and the child may apply again.
    pub r#final: bool,
}

/// `applicationInfo(application)`: its group year and whether its status is final.
pub fn application_info(application: &Value) -> Answer<ApplicationInfo> {
    let app = application_arg(application).map_err(|e| e.in_lang(Lang::default()))?;
    Ok(ApplicationInfo { group_year: app.group_year(), r#final: app.status.is_final() })
}

/// `queuePlace(applications, id)`: the position of `id` when `applications` are ranked (as
/// `rankQueue` reads them) and the size of its queue (`rules::queue::place_in_queue`);
/// `null` when it is not ranked.
pub fn queue_place(applications: &Value, id: &Value) -> Answer<Option<QueuePlace>> {
    let run = || {
        let entries = rank_entries(applications, "applications")?;
        let ranked = queue::rank_queue(&entries).map_err(|e| duplicate(&e))?;
        Ok(queue::place_in_queue(&ranked, string_arg(id, "id")?))
    };
    run().map_err(|e: ApiError| e.in_lang(Lang::default()))
}

/// `kindergartenChoices(application, options)`: of `options.freePlaces`, the places the
/// application may choose with `options.kindergartens` (`KnownPlaces::choosable`: what
/// `apply` of `chooseKindergarten` with the same options accepts), in the list's order.
pub fn kindergarten_choices(application: &Value, options: &Value) -> Answer<Vec<FreePlace>> {
    let options = options_arg(options)?;
    let lang = options.lang.unwrap_or_default();
    let application = application_arg(application).map_err(|e| e.in_lang(lang))?;
    Ok(options.known_places().choosable(&application).into_iter().cloned().collect())
}

/// The number of days an action takes, from `min` to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DayRange {
    pub min: u32,
    pub max: u32,
}

/// What the rules say of an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionInfo {
    /// Who takes it (`ActionKind::role`).
    pub role: Role,
    /// Whether a parent takes it online (`rules::authz::parent::PARENT_ACTIONS`).
    pub parent: bool,
    /// The deadline it must be taken by (`rules::deadline::due_by`).
    pub due_by: Option<DeadlineKind>,
    /// The deadline it starts (`rules::deadline::started_by`).
    pub starts: Option<DeadlineKind>,
    /// The days it takes: `extendChoice`'s extension (`rules::deadline::EXTEND_DAYS`).
    pub days: Option<DayRange>,
    /// Taking it ends the application (`rules::lifecycle::ends_application`).
    pub ends: bool,
}

/// `actionInfo(action)`: who takes the action, its deadlines, its number of days and whether
/// it ends the application.
pub fn action_info(action: &Value) -> Answer<ActionInfo> {
    let kind = action
        .as_str()
        .and_then(ActionKind::parse)
        .ok_or_else(|| ApiError::Argument(ArgumentProblem::Action(shown(action))).in_lang(Lang::default()))?;
    let days =
        (kind == ActionKind::ExtendChoice).then(|| DayRange { min: *EXTEND_DAYS.start(), max: *EXTEND_DAYS.end() });
    Ok(ActionInfo {
        role: kind.role(),
        parent: PARENT_ACTIONS.contains(&kind),
        due_by: deadline::due_by(kind),
        starts: deadline::started_by(kind),
        days,
        ends: lifecycle::ends_application(kind),
    })
}
