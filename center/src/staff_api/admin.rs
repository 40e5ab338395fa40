//! Staff accounts, reference data (the directory, the calendar, the population registry)
//! and the audit trail.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::{get, post};
use rules::authz::staff::StaffAction;
use serde::Deserialize;

use super::{JsonBody, staff};
use crate::accounts::NewUser;
use crate::http::App;
use crate::store::CenterStore;

async fn users<S: CenterStore + 'static>(State(app): State<App<S>>, headers: HeaderMap, method: Method) -> Response {
    staff(&app, &headers, &method, move |center, user, _| {
        center.allow(user, StaffAction::ManageUsers, None)?;
        Ok(center.users())
    })
    .await
}

async fn add_user<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    headers: HeaderMap,
    method: Method,
    JsonBody(request): JsonBody<NewUser>,
) -> Response {
    staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::ManageUsers, None)?;
        Ok(center.add_user(&user.login, request, now)?)
    })
    .await
}

async fn disable_user<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Path(login): Path<String>,
    headers: HeaderMap,
    method: Method,
) -> Response {
    staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::ManageUsers, None)?;
        Ok(center.disable_user(&user.login, &login, now)?)
    })
    .await
}

#[derive(Deserialize)]
struct DirectoryQuery {
    district: Option<String>,
}

async fn directory<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Query(query): Query<DirectoryQuery>,
    headers: HeaderMap,
    method: Method,
) -> Response {
    staff(&app, &headers, &method, move |center, user, _| {
        center.allow(user, StaffAction::ViewStats, query.district.as_deref())?;
        Ok(center.directory_listing(query.district.as_deref()))
    })
    .await
}

async fn import_directory<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    headers: HeaderMap,
    method: Method,
    JsonBody(kindergartens): JsonBody<Vec<rules::model::Kindergarten>>,
) -> Response {
    staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::ManageReference, None)?;
        Ok(center.import_directory(kindergartens, &user.login, now)?)
    })
    .await
}

async fn calendar<S: CenterStore + 'static>(State(app): State<App<S>>, headers: HeaderMap, method: Method) -> Response {
    staff(&app, &headers, &method, move |center, user, _| {
        center.allow(user, StaffAction::ViewStats, None)?;
        Ok(center.calendar_listing())
    })
    .await
}

async fn set_calendar_year<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    headers: HeaderMap,
    method: Method,
    JsonBody(year): JsonBody<rules::calendar::CalendarYear>,
) -> Response {
    staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::ManageReference, None)?;
        Ok(center.set_calendar_year(year, &user.login, now)?)
    })
    .await
}

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<usize>,
}

async fn audit<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Query(query): Query<AuditQuery>,
    headers: HeaderMap,
    method: Method,
) -> Response {
    staff(&app, &headers, &method, move |center, user, _| {
        center.allow(user, StaffAction::ViewAudit, None)?;
        Ok(center.audit_trail(query.limit.unwrap_or(200).min(10_000)))
    })
    .await
}

/// `POST /v1/staff/population` (admin): a signed population pairs file as the body, imported
/// with [`Center::import_population`]; a refused file is a 400 with its code.
async fn import_population<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    headers: HeaderMap,
    method: Method,
    body: Bytes,
) -> Response {
    staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::ManageReference, None)?;
        Ok(center.import_population(&body, &user.login, now)?)
    })
    .await
}

/// Accounts, reference data and the audit trail.
pub(super) fn routes<S: CenterStore + 'static>() -> Router<App<S>> {
    Router::new()
        .route("/v1/staff/users", get(users::<S>).post(add_user::<S>))
        .route("/v1/staff/users/{login}/disable", post(disable_user::<S>))
        .route("/v1/staff/directory", get(directory::<S>).post(import_directory::<S>))
        .route("/v1/staff/calendar", get(calendar::<S>).post(set_calendar_year::<S>))
        .route("/v1/staff/audit", get(audit::<S>))
        .route("/v1/staff/population", post(import_population::<S>))
}
