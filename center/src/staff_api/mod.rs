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
//! | `POST /v1/staff/population`, `POST …/population/keys`, `GET …/population/check` | admin | the population registry ([`population`]) |
//!
//! Authentication: `Authorization: Bearer <token>` or the `kezek_staff` cookie (`HttpOnly`,
//! `Secure`, `SameSite=Strict`). A request changing anything with the cookie must also carry
//! the session's CSRF token in `X-CSRF-Token`. Sign-in failures are throttled per login
//! and per client address ([`crate::throttle`]). Errors: `{"error":{"code","message"}}`,
//! the message in the language of `Accept-Language` (ru, kk, en). A request body must be
//! exactly its JSON: trailing bytes, a wrong type or an unknown (misspelt) field is `400
//! BAD_JSON`, and nothing changes.

#![allow(clippy::result_large_err)]

mod admin;
mod caller;
mod districts;
mod kiosks;
mod population;
mod session;

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rules::{Lang, Localized};
use serde::{Deserialize, Serialize};

use crate::http::{App, error};
use crate::service::CenterError;
use crate::store::CenterStore;

use caller::Staff;
pub(crate) use caller::{cookie, csrf_matches};
pub(crate) use session::Peer;

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
        CenterError::Invalid(_) | CenterError::Rules(_) | CenterError::Ingest(_) | CenterError::Registry(_) => {
            StatusCode::BAD_REQUEST
        }
        CenterError::Unauthorized(_) | CenterError::Denied(_) => StatusCode::FORBIDDEN,
        CenterError::BadCredentials => StatusCode::UNAUTHORIZED,
        CenterError::Store(_) | CenterError::Setup(_) | CenterError::Key(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A center error as a JSON answer, its message in `lang`.
pub fn center_failure(e: &CenterError, lang: Lang) -> Response {
    error(status_of(e), e.code(), &e.message(lang))
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

/// A JSON request body read as `T` ([`parse`]): a body that is not `T` is answered with
/// `400 BAD_JSON` before the handler runs (and before any session is looked at, as before).
pub(crate) struct JsonBody<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for JsonBody<T>
where
    T: for<'de> Deserialize<'de>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Response> {
        let body = axum::body::Bytes::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        parse(&body).map(JsonBody)
    }
}

/// One API call as its action needs it: the server, the request's headers and method, and
/// the language of its answer ([`lang_of`]). The staff's and the parents' extractors are built
/// on it; taking it looks at no session.
pub(crate) struct Call<S: CenterStore> {
    pub(crate) app: App<S>,
    pub(crate) headers: HeaderMap,
    pub(crate) method: Method,
    pub(crate) lang: Lang,
}

impl<S: CenterStore + 'static> axum::extract::FromRequestParts<App<S>> for Call<S> {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, app: &App<S>) -> Result<Self, Self::Rejection> {
        let lang = lang_of(&parts.headers);
        Ok(Call { app: app.clone(), headers: parts.headers.clone(), method: parts.method.clone(), lang })
    }
}

/// The staff routes, merged into the center's router.
pub fn routes<S: CenterStore + 'static>() -> Router<App<S>> {
    Router::new()
        .merge(session::routes::<S>())
        .merge(districts::routes::<S>())
        .merge(kiosks::routes::<S>())
        .merge(admin::routes::<S>())
        .merge(population::routes::<S>())
        .layer(axum::extract::DefaultBodyLimit::max(MAX_JSON_BYTES))
}
