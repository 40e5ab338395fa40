//! The population registry through the staff API (admin only), so that no registry task
//! needs the server stopped; merged into [`super::routes`].
//!
//! | method and path | who | what |
//! |---|---|---|
//! | `POST /v1/staff/population/keys` | admin | trust a registry key `{publicKey}` (64 hex digits): `population.trust` in the audit trail |
//! | `GET /v1/staff/population/check?parent=IIN&child=IIN` | admin | what the imported registry says about the two |
//!
//! (`POST /v1/staff/population`, the import, is in [`super::admin`].) The keys and the
//! imported file are kept in the data folder of the server that takes the request.

use axum::Router;
use axum::extract::Query;
use axum::response::Response;
use axum::routing::{get, post};
use rules::authz::staff::StaffAction;
use serde::Deserialize;

use super::{JsonBody, Staff};
use crate::http::App;
use crate::store::CenterStore;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TrustKey {
    public_key: String,
}

async fn trust_key<S: CenterStore + 'static>(staff: Staff<S>, JsonBody(request): JsonBody<TrustKey>) -> Response {
    staff
        .may(StaffAction::ManageReference)
        .run(move |center, user, now| Ok(center.trust_population_key(&request.public_key, &user.login, now)?))
        .await
}

#[derive(Deserialize)]
struct CheckQuery {
    parent: String,
    child: String,
}

async fn check<S: CenterStore + 'static>(Query(query): Query<CheckQuery>, staff: Staff<S>) -> Response {
    staff
        .may(StaffAction::ManageReference)
        .run(move |center, _, _| Ok(center.population().check(&query.parent, &query.child)?))
        .await
}

/// The routes above.
pub(super) fn routes<S: CenterStore + 'static>() -> Router<App<S>> {
    Router::new()
        .route("/v1/staff/population/keys", post(trust_key::<S>))
        .route("/v1/staff/population/check", get(check::<S>))
}
