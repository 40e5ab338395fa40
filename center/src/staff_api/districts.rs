//! A district's work: dashboards and the report, the reviewer queue, distribution rounds
//! and deadline expiry.

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use rules::authz::staff::StaffAction;
use serde::Deserialize;

use super::{JsonBody, staff};
use crate::http::{App, error};
use crate::service::Decision;
use crate::store::CenterStore;

async fn dashboard<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Path(district): Path<String>,
    headers: HeaderMap,
    method: Method,
) -> Response {
    staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::ViewStats, Some(&district))?;
        Ok(center.dashboard(&district, now)?)
    })
    .await
}

async fn report<S: CenterStore + 'static>(State(app): State<App<S>>, headers: HeaderMap, method: Method) -> Response {
    staff(&app, &headers, &method, move |center, user, _| {
        center.allow(user, StaffAction::ViewStats, None)?;
        let rows: Vec<_> = center.report().into_iter().filter(|r| user.covers(&r.district)).collect();
        Ok(rows)
    })
    .await
}

#[derive(Deserialize)]
struct ReviewQuery {
    #[serde(default)]
    all: bool,
}

async fn reviews<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Query(query): Query<ReviewQuery>,
    headers: HeaderMap,
    method: Method,
) -> Response {
    staff(&app, &headers, &method, move |center, user, _| {
        center.allow(user, StaffAction::Review, None)?;
        let items: Vec<_> = center
            .review_items()
            .into_iter()
            .filter(|i| (query.all || i.status == "open") && user.covers(&i.district))
            .collect();
        Ok(items)
    })
    .await
}

async fn review_detail<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    method: Method,
) -> Response {
    staff(&app, &headers, &method, move |center, user, _| {
        let item = center.review_item(&id)?;
        center.allow(user, StaffAction::Review, Some(&item.district))?;
        Ok(center.review_detail(item)?)
    })
    .await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReviewDecisionRequest {
    decision: String,
    #[serde(default)]
    note: Option<String>,
}

async fn decide_review<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    method: Method,
    JsonBody(request): JsonBody<ReviewDecisionRequest>,
) -> Response {
    let decision = match request.decision.as_str() {
        "uphold" => Decision::Uphold,
        "overrule" => Decision::Overrule,
        other => {
            return error(StatusCode::BAD_REQUEST, "BAD_DECISION", &format!("{other:?}: expected uphold or overrule"));
        }
    };
    let note = request.note.filter(|n| !n.trim().is_empty());
    staff(&app, &headers, &method, move |center, user, now| Ok(center.review(&id, decision, user, now, note)?)).await
}

async fn dry_run<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Path(district): Path<String>,
    headers: HeaderMap,
    method: Method,
) -> Response {
    staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::Distribute, Some(&district))?;
        Ok(center.plan_distribution(&district, now)?)
    })
    .await
}

async fn distribute<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Path(district): Path<String>,
    headers: HeaderMap,
    method: Method,
) -> Response {
    staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::Distribute, Some(&district))?;
        Ok(center.distribute_as(&user.login, &district, now)?)
    })
    .await
}

async fn tick<S: CenterStore + 'static>(State(app): State<App<S>>, headers: HeaderMap, method: Method) -> Response {
    staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::RunCenter, None)?;
        Ok(center.tick_as(&user.login, now)?)
    })
    .await
}

/// Dashboards, the report, reviews, distribution and expiry.
pub(super) fn routes<S: CenterStore + 'static>() -> Router<App<S>> {
    Router::new()
        .route("/v1/staff/districts/{district}/dashboard", get(dashboard::<S>))
        .route("/v1/staff/districts/{district}/distribution/dry-run", post(dry_run::<S>))
        .route("/v1/staff/districts/{district}/distribution", post(distribute::<S>))
        .route("/v1/staff/report", get(report::<S>))
        .route("/v1/staff/reviews", get(reviews::<S>))
        .route("/v1/staff/reviews/{id}", get(review_detail::<S>).post(decide_review::<S>))
        .route("/v1/staff/tick", post(tick::<S>))
}
