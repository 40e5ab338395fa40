//! The kiosks' routes (challenge, upload, ack, snapshot), health and the public queue;
//! the signed-request checks they share.

use std::sync::atomic::Ordering;
use std::sync::{Arc, PoisonError};

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use changelog::VerifyingKey;
use changelog::request::{
    ACK_ROUTE, CHALLENGE_ROUTE, ChallengeBody, EVENTS_ROUTE, HEADER_HEAD, HEADER_KIOSK, HEADER_NONCE, HEADER_ROTATION,
    HEADER_SIGNATURE, HEALTH_ROUTE, JSON, SNAPSHOT_ROUTE, SignedRequest, follow_rotations, verify_request,
};
use rules::Instant;

use super::background::Job;
use super::server::{read_limited, refuse_after_draining};
use super::{App, OCTET_STREAM, busy, error, internal, octets, with_center};
use crate::service::{Center, DocumentError, IngestError, KioskAuth};
use crate::store::CenterStore;

/// The public queue of a district: signed, chained, nothing personal.
pub const PUBLIC_QUEUE_ROUTE: &str = "/v1/public/districts/{code}/queue";

fn unauthenticated(why: &str) -> Response {
    error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", why)
}

fn ingest_error(e: &IngestError) -> Response {
    let status = match e {
        IngestError::BadBundle(_) | IngestError::KioskMismatch { .. } => StatusCode::BAD_REQUEST,
        IngestError::Unauthenticated { .. } => StatusCode::UNAUTHORIZED,
        IngestError::UnknownKiosk(_) | IngestError::RevokedKiosk(_) => StatusCode::FORBIDDEN,
        IngestError::Store(_) | IngestError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    };
    error(status, e.code(), &e.to_string())
}

fn center_error(e: DocumentError) -> Response {
    crate::staff_api::center_failure(&e.into(), rules::Lang::En)
}

/// The route's one path parameter; one that is not UTF-8 once percent-decoded is refused
/// with a JSON error like the others (`400 BAD_PATH`).
struct PathParam(String);

impl<S: Send + Sync> FromRequestParts<S> for PathParam {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(param)) => Ok(PathParam(param)),
            Err(rejection) => Err(error(StatusCode::BAD_REQUEST, "BAD_PATH", &rejection.body_text())),
        }
    }
}

fn header_text<'a>(headers: &'a HeaderMap, name: &'static str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The signed-request headers, well formed.
fn signed_request(headers: &HeaderMap) -> Result<SignedRequest, Response> {
    let missing = |name: &str| unauthenticated(&format!("header {name} is missing or malformed"));
    let kiosk = header_text(headers, HEADER_KIOSK).ok_or_else(|| missing(HEADER_KIOSK))?;
    let nonce = header_text(headers, HEADER_NONCE)
        .filter(|n| n.len() == 2 * changelog::request::NONCE_BYTES)
        .ok_or_else(|| missing(HEADER_NONCE))?;
    let head =
        header_text(headers, HEADER_HEAD).and_then(|h| h.parse::<u64>().ok()).ok_or_else(|| missing(HEADER_HEAD))?;
    let signature =
        header_text(headers, HEADER_SIGNATURE).filter(|s| s.len() == 128).ok_or_else(|| missing(HEADER_SIGNATURE))?;
    let rotation = match headers.get(HEADER_ROTATION) {
        None => None,
        Some(v) => Some(v.to_str().map_err(|_| missing(HEADER_ROTATION))?.to_owned()),
    };
    Ok(SignedRequest {
        kiosk: kiosk.to_owned(),
        nonce: nonce.to_owned(),
        head,
        signature: signature.to_owned(),
        rotation,
    })
}

/// The signed-request headers of a request about kiosk `id` itself, signed as that kiosk.
fn signed_by(headers: &HeaderMap, id: &str) -> Result<SignedRequest, Response> {
    match signed_request(headers) {
        Ok(request) if request.kiosk == id => Ok(request),
        Ok(_) => Err(unauthenticated("the signed kiosk id is not the path's")),
        Err(response) => Err(response),
    }
}

/// The registered, unrevoked kiosk a request claims to come from.
fn known_kiosk<S: CenterStore>(app: &App<S>, kiosk: &str) -> Result<KioskAuth, Response> {
    let auth = app.auth.read().unwrap_or_else(PoisonError::into_inner);
    match auth.get(kiosk) {
        None => Err(error(StatusCode::FORBIDDEN, "UNKNOWN_KIOSK", &format!("kiosk {kiosk} is not registered"))),
        Some(k) if k.revoked => {
            Err(error(StatusCode::FORBIDDEN, "REVOKED_KIOSK", &format!("kiosk {kiosk} is revoked")))
        }
        Some(k) => Ok(k.clone()),
    }
}

/// Checks a signed request: a nonce this server issued to the kiosk and not yet spent, and
/// a signature by the kiosk's key (following key rotations the request carries).
async fn authenticate<S: CenterStore>(
    app: &App<S>,
    method: &str,
    path: &str,
    request: &SignedRequest,
    body: &[u8],
) -> Result<KioskAuth, Response> {
    let kiosk = known_kiosk(app, &request.kiosk)?;
    match app.nonces.spend(&request.kiosk, &request.nonce).await {
        Ok(true) => {}
        Ok(false) => return Err(unauthenticated("the nonce is unknown, spent or expired: ask for a new challenge")),
        Err(crate::nonces::Unavailable) => {
            return Err(error(
                StatusCode::SERVICE_UNAVAILABLE,
                "BUSY",
                "the nonce could not be checked; try again shortly",
            ));
        }
    }
    let mut key: VerifyingKey = kiosk.key;
    if verify_request(&key, method, path, request, body).is_err() {
        let Some(rotation) = &request.rotation else {
            return Err(unauthenticated("the request signature does not verify against the kiosk's key"));
        };
        key =
            follow_rotations(rotation, &request.kiosk, kiosk.head, key).map_err(|e| unauthenticated(&e.to_string()))?;
        verify_request(&key, method, path, request, body).map_err(|e| unauthenticated(&e.to_string()))?;
    }
    Ok(kiosk)
}

/// A signed file the center makes on its lock (an ack, a snapshot, a public queue), as the answer.
async fn signed_file<S, F>(app: &App<S>, f: F) -> Response
where
    S: CenterStore + 'static,
    F: FnOnce(&mut Center<S>, Instant) -> Result<Vec<u8>, DocumentError> + Send + 'static,
{
    match with_center(app, f).await {
        Ok(Ok(bytes)) => octets(bytes),
        Ok(Err(e)) => center_error(e),
        Err(response) => response,
    }
}

async fn challenge<S: CenterStore + 'static>(State(app): State<App<S>>, PathParam(id): PathParam) -> Response {
    if known_kiosk(&app, &id).is_err() && app.shared_store {
        // Registered a moment ago, perhaps by another server sharing the store.
        let _ = with_center(&app, |_, _| ()).await;
    }
    if let Err(response) = known_kiosk(&app, &id) {
        return response;
    }
    let Ok(nonce) = changelog::request::new_nonce() else { return internal() };
    if !app.nonces.issue(&id, &nonce).await {
        return error(
            StatusCode::SERVICE_UNAVAILABLE,
            "BUSY",
            "the challenge could not be recorded; try again shortly",
        );
    }
    (StatusCode::OK, [(header::CONTENT_TYPE, JSON)], ChallengeBody { nonce }.to_json()).into_response()
}

async fn events<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    PathParam(id): PathParam,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let content_type = header_text(&headers, header::CONTENT_TYPE.as_str()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case(OCTET_STREAM) {
        let refusal = error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            &format!("expected {OCTET_STREAM}, got {content_type:?}"),
        );
        return refuse_after_draining(body, &app.limits, refusal).await;
    }
    let request = match signed_by(&headers, &id) {
        Ok(request) => request,
        Err(response) => return refuse_after_draining(body, &app.limits, response).await,
    };
    if let Err(response) = known_kiosk(&app, &id) {
        return refuse_after_draining(body, &app.limits, response).await;
    }
    let Ok(_permit) = Arc::clone(&app.uploads).try_acquire_owned() else {
        return busy(app.limits.retry_after_secs, "too many uploads at once; try again shortly");
    };
    let bytes = match read_limited(body, &app.limits).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let path = changelog::request::path(EVENTS_ROUTE, &id);
    if let Err(response) = authenticate(&app, "POST", &path, &request, &bytes).await {
        return response;
    }
    let (reply, answer) = tokio::sync::oneshot::channel();
    match app.jobs.try_send(Job { bytes, kiosk: id, head: request.head, reply }) {
        Ok(()) => {}
        Err(std::sync::mpsc::TrySendError::Full(_)) => {
            return busy(app.limits.retry_after_secs, "the ingest queue is full; try again shortly");
        }
        Err(std::sync::mpsc::TrySendError::Disconnected(_)) => return internal(),
    }
    match answer.await {
        Ok(Ok(ack)) => octets(ack),
        Ok(Err(e)) => ingest_error(&e),
        Err(_) => internal(),
    }
}

async fn ack<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    PathParam(id): PathParam,
    headers: HeaderMap,
) -> Result<Response, Response> {
    let request = signed_by(&headers, &id)?;
    authenticate(&app, "GET", &changelog::request::path(ACK_ROUTE, &id), &request, &[]).await?;
    let head = request.head;
    Ok(signed_file(&app, move |center, now| center.ack_to_kiosk(&id, now, head)).await)
}

async fn snapshot<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    PathParam(code): PathParam,
    headers: HeaderMap,
) -> Result<Response, Response> {
    let request = signed_request(&headers)?;
    let kiosk = authenticate(&app, "GET", &changelog::request::path(SNAPSHOT_ROUTE, &code), &request, &[]).await?;
    if !kiosk.districts.contains(&code) {
        let why = format!("kiosk {} does not serve district {code}", request.kiosk);
        return Err(error(StatusCode::FORBIDDEN, "OUT_OF_DISTRICT", &why));
    }
    let (id, head) = (request.kiosk, request.head);
    Ok(signed_file(&app, move |center, now| center.snapshot_to_kiosk(&id, &code, now, head)).await)
}

/// The district's public queue (no personal data), signed and chained: anyone may read it.
async fn public_queue<S: CenterStore + 'static>(State(app): State<App<S>>, PathParam(code): PathParam) -> Response {
    signed_file(&app, move |center, now| center.public_queue(&code, now)).await
}

async fn health<S: CenterStore + 'static>(State(app): State<App<S>>) -> Response {
    let value = serde_json::json!({
        "status": "ok",
        "time": (app.clock)(),
        "centerKey": app.center_key,
        "kiosks": app.health.kiosks.load(Ordering::Relaxed),
        "applications": app.health.applications.load(Ordering::Relaxed),
        "connections": app.health.connections.load(Ordering::Relaxed),
        "caughtPanics": app.health.caught_panics.load(Ordering::Relaxed),
    });
    (StatusCode::OK, [(header::CONTENT_TYPE, JSON)], value.to_string()).into_response()
}

/// The kiosks' routes, health and the public queue.
pub(super) fn routes<S: CenterStore + 'static>() -> Router<App<S>> {
    Router::new()
        .route(CHALLENGE_ROUTE, post(challenge::<S>))
        .route(EVENTS_ROUTE, post(events::<S>))
        .route(ACK_ROUTE, get(ack::<S>))
        .route(SNAPSHOT_ROUTE, get(snapshot::<S>))
        .route(HEALTH_ROUTE, get(health::<S>))
        .route(PUBLIC_QUEUE_ROUTE, get(public_queue::<S>))
}
