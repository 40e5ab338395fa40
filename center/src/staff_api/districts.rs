//! A district's work: dashboards and the report, the reviewer queue, distribution rounds
//! and deadline expiry.

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use rules::authz::staff::StaffAction;
use serde::Deserialize;

use super::{JsonBody, Staff};
use crate::http::{App, error};
use crate::service::Decision;
use crate::store::CenterStore;

async fn dashboard<S: CenterStore + 'static>(Path(district): Path<String>, staff: Staff<S>) -> Response {
    staff
        .may_in(StaffAction::ViewStats, Some(&district))
        .run(move |center, _, now| Ok(center.dashboard(&district, now)?))
        .await
}

async fn report<S: CenterStore + 'static>(staff: Staff<S>) -> Response {
    staff
        .may(StaffAction::ViewStats)
        .run(|center, user, _| Ok(center.report().into_iter().filter(|r| user.covers(&r.district)).collect::<Vec<_>>()))
        .await
}

#[derive(Deserialize)]
struct ReviewQuery {
    #[serde(default)]
    all: bool,
}

async fn reviews<S: CenterStore + 'static>(Query(query): Query<ReviewQuery>, staff: Staff<S>) -> Response {
    staff
        .may(StaffAction::Review)
        .run(move |center, user, _| {
            let items: Vec<_> = center
                .review_items()
                .into_iter()
                .filter(|i| (query.all || i.status == "open") && user.covers(&i.district))
                .collect();
            Ok(items)
        })
        .await
}

async fn review_detail<S: CenterStore + 'static>(Path(id): Path<String>, staff: Staff<S>) -> Response {
    staff
        .run(move |center, user, _| {
            let item = center.review_item(&id)?;
            center.allow(user, StaffAction::Review, Some(&item.district))?;
            Ok(center.review_detail(item)?)
        })
        .await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReviewDecisionRequest {
    decision: String,
    #[serde(default)]
    note: Option<String>,
}

async fn decide_review<S: CenterStore + 'static>(
    Path(id): Path<String>,
    staff: Staff<S>,
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
    staff.run(move |center, user, now| Ok(center.review(&id, decision, user, now, note)?)).await
}

async fn dry_run<S: CenterStore + 'static>(Path(district): Path<String>, staff: Staff<S>) -> Response {
    staff
        .may_in(StaffAction::Distribute, Some(&district))
        .run(move |center, _, now| Ok(center.plan_distribution(&district, now)?))
        .await
}

async fn distribute<S: CenterStore + 'static>(Path(district): Path<String>, staff: Staff<S>) -> Response {
    staff
        .may_in(StaffAction::Distribute, Some(&district))
        .run(move |center, user, now| Ok(center.distribute_as(&user.login, &district, now)?))
        .await
}

async fn tick<S: CenterStore + 'static>(staff: Staff<S>) -> Response {
    staff.may(StaffAction::RunCenter).run(|center, user, now| Ok(center.tick_as(&user.login, now)?)).await
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
