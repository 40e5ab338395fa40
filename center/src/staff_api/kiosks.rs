//! The kiosk registry, the signed files of a USB round trip (ack, snapshot, bundle) and
//! quarantine.

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use rules::authz::staff::StaffAction;
use serde::Deserialize;

use super::{JsonBody, Staff};
use crate::http::{App, octets};
use crate::service::Invalid;
use crate::store::CenterStore;

async fn kiosks<S: CenterStore + 'static>(staff: Staff<S>) -> Response {
    staff.may(StaffAction::ManageKiosks).run(|center, _, now| Ok(center.kiosk_rows(now))).await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyQuery {
    public_key: String,
}

/// The fingerprint of a public key, for checking it with the kiosk's screen before adding it.
async fn fingerprint<S: CenterStore + 'static>(Query(query): Query<KeyQuery>, staff: Staff<S>) -> Response {
    staff
        .may(StaffAction::ManageKiosks)
        .run(move |_, _, _| {
            let key = changelog::public_key_from_hex(query.public_key.trim()).map_err(Invalid::PublicKey)?;
            Ok(serde_json::json!({ "fingerprint": changelog::fingerprint(&key) }))
        })
        .await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewKiosk {
    id: String,
    district: String,
    public_key: String,
}

async fn add_kiosk<S: CenterStore + 'static>(staff: Staff<S>, JsonBody(request): JsonBody<NewKiosk>) -> Response {
    staff
        .may(StaffAction::ManageKiosks)
        .run_then_refresh_kiosks(move |center, user, now| {
            Ok(center.add_kiosk_as(&user.login, &request.id, &request.district, &request.public_key, now)?)
        })
        .await
}

async fn revoke_kiosk<S: CenterStore + 'static>(Path(id): Path<String>, staff: Staff<S>) -> Response {
    staff
        .may(StaffAction::ManageKiosks)
        .run_then_refresh_kiosks(move |center, user, now| Ok(center.revoke_kiosk_as(&user.login, &id, now)?))
        .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServedDistrict {
    district: String,
}

async fn serve_district<S: CenterStore + 'static>(
    Path(id): Path<String>,
    staff: Staff<S>,
    JsonBody(request): JsonBody<ServedDistrict>,
) -> Response {
    staff
        .may(StaffAction::ManageKiosks)
        .run_then_refresh_kiosks(move |center, user, now| {
            Ok(center.add_served_district_as(&user.login, &id, &request.district, now)?)
        })
        .await
}

async fn export_ack<S: CenterStore + 'static>(Path(id): Path<String>, staff: Staff<S>) -> Response {
    staff
        .may(StaffAction::RunCenter)
        .run_raw(move |center, user, now| Ok(center.export_ack_as(&user.login, &id, now).map(octets)?))
        .await
}

async fn export_snapshot<S: CenterStore + 'static>(Path(district): Path<String>, staff: Staff<S>) -> Response {
    staff
        .may(StaffAction::RunCenter)
        .run_raw(move |center, user, now| Ok(center.export_snapshot_as(&user.login, &district, now).map(octets)?))
        .await
}

async fn ingest_file<S: CenterStore + 'static>(State(app): State<App<S>>, staff: Staff<S>, body: Body) -> Response {
    let bytes = match crate::http::read_limited(body, app.limits()).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    staff
        .may(StaffAction::RunCenter)
        .run_then_refresh_kiosks(move |center, user, now| {
            let ingested = center.ingest_file_as(&user.login, &bytes, now)?;
            Ok(serde_json::json!({ "report": ingested.report, "ack": hex::encode(&ingested.ack_bytes) }))
        })
        .await
}

async fn quarantine<S: CenterStore + 'static>(staff: Staff<S>) -> Response {
    staff.may(StaffAction::RunCenter).run(|center, _, _| Ok(center.quarantine())).await
}

async fn reexamine<S: CenterStore + 'static>(Path(kiosk): Path<String>, staff: Staff<S>) -> Response {
    staff
        .may(StaffAction::RunCenter)
        .run_then_refresh_kiosks(move |center, user, now| {
            Ok(center.reexamine_quarantine(&user.login, &kiosk, now).map(|i| i.report)?)
        })
        .await
}

/// The kiosk registry, USB files and quarantine.
pub(super) fn routes<S: CenterStore + 'static>() -> Router<App<S>> {
    Router::new()
        .route("/v1/staff/districts/{district}/snapshot", get(export_snapshot::<S>))
        .route("/v1/staff/kiosks", get(kiosks::<S>).post(add_kiosk::<S>))
        .route("/v1/staff/kiosks/fingerprint", get(fingerprint::<S>))
        .route("/v1/staff/kiosks/{id}/revoke", post(revoke_kiosk::<S>))
        .route("/v1/staff/kiosks/{id}/districts", post(serve_district::<S>))
        .route("/v1/staff/kiosks/{id}/ack", get(export_ack::<S>))
        .route("/v1/staff/ingest", post(ingest_file::<S>))
        .route("/v1/staff/quarantine", get(quarantine::<S>))
        .route("/v1/staff/quarantine/{kiosk}/reexamine", post(reexamine::<S>))
}
