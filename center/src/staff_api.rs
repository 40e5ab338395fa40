//! The staff API: JSON under `/v1/staff/…`, for the web console (session cookie) and the
//! command line (`--url`, bearer token). Who may do what is asked of
//! `rules::authz::staff` through [`Center::allow`]; every change is an entry in the center's
//! own log naming the user.
//!
//! | method and path | who | what |
//! |---|---|---|
//! | `POST /v1/staff/session` | anyone | sign in `{login,password}` → `{token,csrf,expiresAt,user}` and the session cookie |
//! | `DELETE /v1/staff/session` | signed in | sign out |
//! | `GET /v1/staff/me` | signed in | the account, its districts (with their names), the actions it `may` do, the CSRF token |
//! | `GET /v1/staff/districts/{d}/dashboard` | viewer+ of `d` | [`Dashboard`](crate::dashboard::Dashboard) |
//! | `GET /v1/staff/report` | viewer+ | report rows of the caller's districts |
//! | `GET /v1/staff/reviews[?all=true]` | reviewer | review items of the caller's districts |
//! | `GET /v1/staff/reviews/{id}` | reviewer of its district | the item, the application, its direction's kindergarten, its history |
//! | `POST /v1/staff/reviews/{id}` | reviewer of its district | `{decision: uphold\|overrule, note}` |
//! | `POST /v1/staff/districts/{d}/distribution/dry-run` | distributor of `d` | the plan: who would get a voucher, why |
//! | `POST /v1/staff/districts/{d}/distribution` | distributor of `d` | run the round |
//! | `POST /v1/staff/tick` | admin | deadline expiry now |
//! | `GET/POST /v1/staff/kiosks`, `GET …/kiosks/fingerprint?publicKey=`, `POST …/kiosks/{id}/revoke`, `POST …/kiosks/{id}/districts` | admin | the kiosk registry |
//! | `GET /v1/staff/kiosks/{id}/ack`, `GET /v1/staff/districts/{d}/snapshot` | admin | signed files for a USB round trip |
//! | `POST /v1/staff/ingest` | admin | a USB bundle (`application/octet-stream`) |
//! | `GET /v1/staff/quarantine`, `POST …/quarantine/{kiosk}/reexamine` | admin | quarantine |
//! | `GET/POST /v1/staff/users`, `POST …/users/{login}/disable` | admin | staff accounts |
//! | `GET/POST /v1/staff/directory`, `GET/POST /v1/staff/calendar` | admin | reference data |
//! | `GET /v1/staff/audit[?limit=N]` | admin | the audit trail, newest first |
//! | `POST /v1/staff/population`, `POST …/population/keys`, `GET …/population/check` | admin | the population registry ([`crate::staff_population`]) |
//!
//! Authentication: `Authorization: Bearer <token>` or the `kezek_staff` cookie (`HttpOnly`,
//! `Secure`, `SameSite=Strict`). A request changing anything with the cookie must also carry
//! the session's CSRF token in `X-CSRF-Token`. Sign-in failures are throttled per login
//! and per client address ([`crate::throttle`]). Errors: `{"error":{"code","message"}}`,
//! the message in the language of `Accept-Language` (ru, kk, en).

#![allow(clippy::result_large_err)]

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rules::authz::staff::StaffAction;
use rules::{Instant, Lang, Localized};
use serde::{Deserialize, Serialize};

use crate::accounts::{NewUser, StaffUser};
use crate::center::{Center, CenterError, Decision};
use crate::http::{App, error, with_center};
use crate::store::CenterStore;

/// The console's session cookie.
pub const COOKIE: &str = "kezek_staff";
/// The header carrying the CSRF token of a cookie session.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Largest JSON body of a staff request (a directory import is the largest).
const MAX_JSON_BYTES: usize = 4 * 1024 * 1024;

/// How staff sign-in behaves.
#[derive(Debug, Clone)]
pub struct StaffOptions {
    /// How long a session lasts.
    pub session_lifetime: Duration,
    /// Whether the cookie is marked `Secure` (off only for tests of plain loopback HTTP
    /// where a browser would drop it).
    pub secure_cookie: bool,
}

impl Default for StaffOptions {
    fn default() -> Self {
        StaffOptions { session_lifetime: Duration::from_hours(12), secure_cookie: true }
    }
}

/// The language of the answer's messages, from `Accept-Language`.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|first| Lang::parse(first.trim().get(..2).unwrap_or_default()))
        .unwrap_or_default()
}

fn status_of(e: &CenterError) -> StatusCode {
    match e {
        CenterError::UnknownKiosk(_) | CenterError::UnknownDistrict(_) | CenterError::NotFound(_) => {
            StatusCode::NOT_FOUND
        }
        CenterError::Invalid(_) | CenterError::Rules { .. } => StatusCode::BAD_REQUEST,
        CenterError::Unauthorized(_) | CenterError::Denied(_) => StatusCode::FORBIDDEN,
        CenterError::BadCredentials => StatusCode::UNAUTHORIZED,
        CenterError::Store(_) | CenterError::Setup(_) | CenterError::Key(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A center error as a JSON answer, the message in `lang` where the rules give one.
pub fn center_failure(e: &CenterError, lang: Lang) -> Response {
    let message = match e {
        CenterError::Denied(denied) => denied.message(lang),
        other => other.to_string(),
    };
    error(status_of(e), e.code(), &message)
}

pub(crate) fn json<T: Serialize>(value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], bytes).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", &e.to_string()),
    }
}

pub(crate) fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, Response> {
    serde_json::from_slice(body).map_err(|e| error(StatusCode::BAD_REQUEST, "BAD_JSON", &e.to_string()))
}

/// The session token a request carries: the bearer token, else the cookie.
fn token(headers: &HeaderMap) -> Option<(String, bool)> {
    if let Some(bearer) =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some((bearer.trim().to_owned(), false));
    }
    let cookies = headers.get_all(header::COOKIE);
    for line in cookies.iter().filter_map(|v| v.to_str().ok()) {
        for pair in line.split(';') {
            if let Some(value) = pair.trim().strip_prefix(COOKIE).and_then(|rest| rest.strip_prefix('=')) {
                return Some((value.to_owned(), true));
            }
        }
    }
    None
}

/// Who is calling, checked: a live session, and for a change made with the cookie, the
/// session's CSRF token in [`CSRF_HEADER`].
fn caller<S: CenterStore>(
    center: &Center<S>,
    headers: &HeaderMap,
    method: &Method,
    now: Instant,
) -> Result<StaffUser, Response> {
    let Some((token, by_cookie)) = token(headers) else {
        return Err(error(StatusCode::UNAUTHORIZED, "SIGN_IN_REQUIRED", "sign in first"));
    };
    let Some((session, user)) = center.session(&token, now) else {
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "SESSION_EXPIRED",
            "the session is unknown or expired: sign in again",
        ));
    };
    let changes = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if by_cookie && changes {
        let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
        if !constant_time_eq(sent.as_bytes(), session.csrf.as_bytes()) {
            return Err(error(
                StatusCode::FORBIDDEN,
                "CSRF",
                "the request lacks this session's anti-forgery token: reload the page",
            ));
        }
    }
    Ok(user)
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Runs `f` for the signed-in caller on the center; its result as JSON.
pub(crate) async fn staff<S, T, F>(app: &App<S>, headers: &HeaderMap, method: &Method, f: F) -> Response
where
    S: CenterStore + 'static,
    T: Serialize + Send + 'static,
    F: FnOnce(&mut Center<S>, &StaffUser, Instant) -> Result<T, CenterError> + Send + 'static,
{
    staff_raw(app, headers, method, move |center, user, now| f(center, user, now).map(|v| json(&v))).await
}

/// [`staff`] answering with whatever response `f` makes.
async fn staff_raw<S, F>(app: &App<S>, headers: &HeaderMap, method: &Method, f: F) -> Response
where
    S: CenterStore + 'static,
    F: FnOnce(&mut Center<S>, &StaffUser, Instant) -> Result<Response, CenterError> + Send + 'static,
{
    let lang = lang_of(headers);
    let headers = headers.clone();
    let method = method.clone();
    let outcome = with_center(app, move |center, now| {
        let user = caller(center, &headers, &method, now)?;
        f(center, &user, now).map_err(|e| center_failure(&e, lang))
    })
    .await;
    match outcome {
        Ok(Ok(response) | Err(response)) | Err(response) => response,
    }
}

#[derive(Deserialize)]
struct SignIn {
    login: String,
    password: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignedIn {
    token: String,
    csrf: String,
    expires_at: Instant,
    user: StaffUser,
}

/// The client's address, when the server put it on the request (else unspecified: all
/// such clients share one address budget of the sign-in throttle).
pub(crate) struct Peer(pub(crate) std::net::IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
        Ok(Peer(ip))
    }
}

async fn sign_in<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request: SignIn = match parse(&body) {
        Ok(r) => r,
        Err(response) => return response,
    };
    let lang = lang_of(&headers);
    let throttle = app.throttle();
    let clock_now = std::time::Instant::now();
    if let Err(wait) = throttle.check(&request.login, peer, clock_now) {
        let mut response = error(
            StatusCode::TOO_MANY_REQUESTS,
            "LOGIN_THROTTLED",
            &format!("too many failed sign-ins: try again in {} s", wait.as_secs().max(1)),
        );
        response.headers_mut().insert(header::RETRY_AFTER, wait.as_secs().max(1).into());
        return response;
    }
    let options = app.staff_options().clone();
    let login = request.login.clone();
    let opened = with_center(&app, move |center, now| {
        center.open_session(&request.login, &request.password, now, options.session_lifetime)
    })
    .await;
    let opened = match opened {
        Ok(Ok(opened)) => opened,
        Ok(Err(e)) => {
            if matches!(e, CenterError::BadCredentials) {
                throttle.failed(&login, peer, clock_now);
            }
            return center_failure(&e, lang);
        }
        Err(response) => return response,
    };
    throttle.succeeded(&login);
    let secure = if app.staff_options().secure_cookie { "; Secure" } else { "" };
    let cookie = format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
        opened.token,
        app.staff_options().session_lifetime.as_secs()
    );
    let mut response = json(&SignedIn {
        token: opened.token,
        csrf: opened.record.csrf,
        expires_at: opened.record.expires_at,
        user: opened.user,
    });
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn sign_out<S: CenterStore + 'static>(State(app): State<App<S>>, headers: HeaderMap, method: Method) -> Response {
    let Some((token, _)) = token(&headers) else {
        return error(StatusCode::UNAUTHORIZED, "SIGN_IN_REQUIRED", "sign in first");
    };
    let mut response = staff(&app, &headers, &method, move |center, _, _| {
        center.close_session(&token)?;
        Ok(serde_json::json!({ "signedOut": true }))
    })
    .await;
    if response.status() == StatusCode::OK {
        let expired = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        if let Ok(value) = HeaderValue::from_str(&expired) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
    }
    response
}

async fn me<S: CenterStore + 'static>(State(app): State<App<S>>, headers: HeaderMap, method: Method) -> Response {
    let Some((token, _)) = token(&headers) else {
        return error(StatusCode::UNAUTHORIZED, "SIGN_IN_REQUIRED", "sign in first");
    };
    staff(&app, &headers, &method, move |center, user, now| {
        let (session, _) = center.session(&token, now).ok_or(CenterError::BadCredentials)?;
        let districts: Vec<String> = center.districts().iter().filter(|d| user.covers(d)).cloned().collect();
        let may: Vec<StaffAction> = [
            StaffAction::ViewStats,
            StaffAction::Review,
            StaffAction::Distribute,
            StaffAction::ManageKiosks,
            StaffAction::ManageUsers,
            StaffAction::ManageReference,
            StaffAction::RunCenter,
            StaffAction::ViewAudit,
        ]
        .into_iter()
        .filter(|a| center.allow(user, *a, None).is_ok())
        .collect();
        let names: serde_json::Map<String, serde_json::Value> =
            districts.iter().filter_map(|d| district_names().get(d).map(|name| (d.clone(), name.clone()))).collect();
        Ok(serde_json::json!({
            "user": user,
            "districts": districts,
            "districtNames": names,
            "may": may,
            "csrf": session.csrf,
            "expiresAt": session.expires_at,
            "now": now,
        }))
    })
    .await
}

/// Each district's name in ru/kk/en (`data/districts.json`), for the console's pickers.
fn district_names() -> &'static std::collections::BTreeMap<String, serde_json::Value> {
    static NAMES: std::sync::OnceLock<std::collections::BTreeMap<String, serde_json::Value>> =
        std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        #[derive(Deserialize)]
        struct District {
            code: String,
            name: serde_json::Value,
        }
        serde_json::from_str::<Vec<District>>(crate::center::DISTRICTS)
            .map(|all| all.into_iter().map(|d| (d.code, d.name)).collect())
            .unwrap_or_default()
    })
}

async fn dashboard<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Path(district): Path<String>,
    headers: HeaderMap,
    method: Method,
) -> Response {
    staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::ViewStats, Some(&district))?;
        center.dashboard(&district, now)
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
        center.review_detail(item)
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
    body: Bytes,
) -> Response {
    let request: ReviewDecisionRequest = match parse(&body) {
        Ok(r) => r,
        Err(response) => return response,
    };
    let decision = match request.decision.as_str() {
        "uphold" => Decision::Uphold,
        "overrule" => Decision::Overrule,
        other => {
            return error(StatusCode::BAD_REQUEST, "BAD_DECISION", &format!("{other:?}: expected uphold or overrule"));
        }
    };
    let note = request.note.filter(|n| !n.trim().is_empty());
    staff(&app, &headers, &method, move |center, user, now| center.review(&id, decision, user, now, note)).await
}

async fn dry_run<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Path(district): Path<String>,
    headers: HeaderMap,
    method: Method,
) -> Response {
    staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::Distribute, Some(&district))?;
        center.plan_distribution(&district, now)
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
        center.distribute_as(&user.login, &district, now)
    })
    .await
}

async fn tick<S: CenterStore + 'static>(State(app): State<App<S>>, headers: HeaderMap, method: Method) -> Response {
    staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::RunCenter, None)?;
        center.tick_as(&user.login, now)
    })
    .await
}

async fn kiosks<S: CenterStore + 'static>(State(app): State<App<S>>, headers: HeaderMap, method: Method) -> Response {
    staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::ManageKiosks, None)?;
        Ok(center.kiosk_rows(now))
    })
    .await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyQuery {
    public_key: String,
}

/// The fingerprint of a public key, for checking it with the kiosk's screen before adding it.
async fn fingerprint<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Query(query): Query<KeyQuery>,
    headers: HeaderMap,
    method: Method,
) -> Response {
    staff(&app, &headers, &method, move |center, user, _| {
        center.allow(user, StaffAction::ManageKiosks, None)?;
        let key =
            changelog::public_key_from_hex(query.public_key.trim()).map_err(|e| CenterError::Invalid(e.to_string()))?;
        Ok(serde_json::json!({ "fingerprint": changelog::fingerprint(&key) }))
    })
    .await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewKiosk {
    id: String,
    district: String,
    public_key: String,
}

async fn add_kiosk<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    headers: HeaderMap,
    method: Method,
    body: Bytes,
) -> Response {
    let request: NewKiosk = match parse(&body) {
        Ok(r) => r,
        Err(response) => return response,
    };
    let response = staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::ManageKiosks, None)?;
        center.add_kiosk_as(&user.login, &request.id, &request.district, &request.public_key, now)
    })
    .await;
    app.refresh_kiosk_auth().await;
    response
}

async fn revoke_kiosk<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    method: Method,
) -> Response {
    let response = staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::ManageKiosks, None)?;
        center.revoke_kiosk_as(&user.login, &id, now)
    })
    .await;
    app.refresh_kiosk_auth().await;
    response
}

#[derive(Deserialize)]
struct ServedDistrict {
    district: String,
}

async fn serve_district<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    method: Method,
    body: Bytes,
) -> Response {
    let request: ServedDistrict = match parse(&body) {
        Ok(r) => r,
        Err(response) => return response,
    };
    let response = staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::ManageKiosks, None)?;
        center.add_served_district_as(&user.login, &id, &request.district, now)
    })
    .await;
    app.refresh_kiosk_auth().await;
    response
}

fn octets(bytes: Vec<u8>) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, crate::http::OCTET_STREAM)], bytes).into_response()
}

async fn export_ack<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    method: Method,
) -> Response {
    staff_raw(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::RunCenter, None)?;
        center.export_ack_as(&user.login, &id, now).map(octets)
    })
    .await
}

async fn export_snapshot<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Path(district): Path<String>,
    headers: HeaderMap,
    method: Method,
) -> Response {
    staff_raw(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::RunCenter, None)?;
        center.export_snapshot_as(&user.login, &district, now).map(octets)
    })
    .await
}

async fn ingest_file<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    headers: HeaderMap,
    method: Method,
    body: Body,
) -> Response {
    let bytes = match crate::http::read_limited(body, app.limits()).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let response = staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::RunCenter, None)?;
        let ingested = center
            .ingest_file_as(&user.login, &bytes, now)
            .map_err(|e| CenterError::Rules { code: e.code().to_owned(), message: e.to_string() })?;
        Ok(serde_json::json!({ "report": ingested.report, "ack": hex::encode(&ingested.ack_bytes) }))
    })
    .await;
    app.refresh_kiosk_auth().await;
    response
}

async fn quarantine<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    headers: HeaderMap,
    method: Method,
) -> Response {
    staff(&app, &headers, &method, move |center, user, _| {
        center.allow(user, StaffAction::RunCenter, None)?;
        Ok(center.quarantine())
    })
    .await
}

async fn reexamine<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Path(kiosk): Path<String>,
    headers: HeaderMap,
    method: Method,
) -> Response {
    let response = staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::RunCenter, None)?;
        center.reexamine_quarantine(&user.login, &kiosk, now).map(|i| i.report)
    })
    .await;
    app.refresh_kiosk_auth().await;
    response
}

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
    body: Bytes,
) -> Response {
    let request: NewUser = match parse(&body) {
        Ok(r) => r,
        Err(response) => return response,
    };
    staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::ManageUsers, None)?;
        center.add_user(&user.login, request, now)
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
        center.disable_user(&user.login, &login, now)
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
    body: Bytes,
) -> Response {
    let kindergartens: Vec<rules::model::Kindergarten> = match parse(&body) {
        Ok(r) => r,
        Err(response) => return response,
    };
    staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::ManageReference, None)?;
        center.import_directory(kindergartens, &user.login, now)
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
    body: Bytes,
) -> Response {
    let year: rules::calendar::CalendarYear = match parse(&body) {
        Ok(r) => r,
        Err(response) => return response,
    };
    staff(&app, &headers, &method, move |center, user, now| {
        center.allow(user, StaffAction::ManageReference, None)?;
        center.set_calendar_year(year, &user.login, now)
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
        center.import_population(&body, &user.login, now)
    })
    .await
}

/// The staff routes, merged into the center's router.
pub fn routes<S: CenterStore + 'static>() -> Router<App<S>> {
    Router::new()
        .route("/v1/staff/session", post(sign_in::<S>).delete(sign_out::<S>))
        .route("/v1/staff/me", get(me::<S>))
        .route("/v1/staff/districts/{district}/dashboard", get(dashboard::<S>))
        .route("/v1/staff/districts/{district}/distribution/dry-run", post(dry_run::<S>))
        .route("/v1/staff/districts/{district}/distribution", post(distribute::<S>))
        .route("/v1/staff/districts/{district}/snapshot", get(export_snapshot::<S>))
        .route("/v1/staff/report", get(report::<S>))
        .route("/v1/staff/reviews", get(reviews::<S>))
        .route("/v1/staff/reviews/{id}", get(review_detail::<S>).post(decide_review::<S>))
        .route("/v1/staff/tick", post(tick::<S>))
        .route("/v1/staff/kiosks", get(kiosks::<S>).post(add_kiosk::<S>))
        .route("/v1/staff/kiosks/fingerprint", get(fingerprint::<S>))
        .route("/v1/staff/kiosks/{id}/revoke", post(revoke_kiosk::<S>))
        .route("/v1/staff/kiosks/{id}/districts", post(serve_district::<S>))
        .route("/v1/staff/kiosks/{id}/ack", get(export_ack::<S>))
        .route("/v1/staff/ingest", post(ingest_file::<S>))
        .route("/v1/staff/quarantine", get(quarantine::<S>))
        .route("/v1/staff/quarantine/{kiosk}/reexamine", post(reexamine::<S>))
        .route("/v1/staff/users", get(users::<S>).post(add_user::<S>))
        .route("/v1/staff/users/{login}/disable", post(disable_user::<S>))
        .route("/v1/staff/directory", get(directory::<S>).post(import_directory::<S>))
        .route("/v1/staff/calendar", get(calendar::<S>).post(set_calendar_year::<S>))
        .route("/v1/staff/audit", get(audit::<S>))
        .route("/v1/staff/population", post(import_population::<S>))
        .merge(crate::staff_population::routes::<S>())
        .layer(axum::extract::DefaultBodyLimit::max(MAX_JSON_BYTES))
}
