//! Staff accounts, reference data (the directory, the calendar, the population registry)
//! and the audit trail.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::{get, post};
use rules::authz::staff::StaffAction;
use serde::Deserialize;

use super::{JsonBody, Staff};
use crate::accounts::NewUser;
use crate::http::App;
use crate::store::CenterStore;

async fn users<S: CenterStore + 'static>(staff: Staff<S>) -> Response {
    staff.may(StaffAction::ManageUsers).run(|center, _, _| Ok(center.users())).await
}

async fn add_user<S: CenterStore + 'static>(staff: Staff<S>, JsonBody(request): JsonBody<NewUser>) -> Response {
    staff
        .may(StaffAction::ManageUsers)
        .run(move |center, user, now| Ok(center.add_user(&user.login, request, now)?))
        .await
}

async fn disable_user<S: CenterStore + 'static>(Path(login): Path<String>, staff: Staff<S>) -> Response {
    staff
        .may(StaffAction::ManageUsers)
        .run(move |center, user, now| Ok(center.disable_user(&user.login, &login, now)?))
        .await
}

#[derive(Deserialize)]
struct DirectoryQuery {
    district: Option<String>,
}

async fn directory<S: CenterStore + 'static>(Query(query): Query<DirectoryQuery>, staff: Staff<S>) -> Response {
    let district = query.district;
    staff
        .may_in(StaffAction::ViewStats, district.as_deref())
        .run(move |center, _, _| Ok(center.directory_listing(district.as_deref())))
        .await
}

async fn import_directory<S: CenterStore + 'static>(
    staff: Staff<S>,
    JsonBody(kindergartens): JsonBody<Vec<rules::model::Kindergarten>>,
) -> Response {
    staff
        .may(StaffAction::ManageReference)
        .run(move |center, user, now| Ok(center.import_directory(kindergartens, &user.login, now)?))
        .await
}

async fn calendar<S: CenterStore + 'static>(staff: Staff<S>) -> Response {
    staff.may(StaffAction::ViewStats).run(|center, _, _| Ok(center.calendar_listing())).await
}

async fn set_calendar_year<S: CenterStore + 'static>(
    staff: Staff<S>,
    JsonBody(year): JsonBody<rules::calendar::CalendarYear>,
) -> Response {
    staff
        .may(StaffAction::ManageReference)
        .run(move |center, user, now| Ok(center.set_calendar_year(year, &user.login, now)?))
        .await
}

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<usize>,
}

async fn audit<S: CenterStore + 'static>(Query(query): Query<AuditQuery>, staff: Staff<S>) -> Response {
    let limit = query.limit.unwrap_or(200).min(10_000);
    staff.may(StaffAction::ViewAudit).run(move |center, _, _| Ok(center.audit_trail(limit))).await
}

/// `POST /v1/staff/population` (admin): a signed population pairs file as the body, imported
/// with [`Center::import_population`](crate::service::Center::import_population); a refused
/// file is a 400 with its code.
async fn import_population<S: CenterStore + 'static>(staff: Staff<S>, body: Bytes) -> Response {
    staff
        .may(StaffAction::ManageReference)
        .run(move |center, user, now| Ok(center.import_population(&body, &user.login, now)?))
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
