//! Who is calling the staff API: the session a request carries (the bearer token, else the
//! cookie, and the CSRF token on a change made with the cookie), and [`Staff`], the extractor
//! every staff handler acts through.
//!
//! [`Staff`] only takes what the request says. The session is checked when the handler runs
//! its action ([`Staff::run`]), on the center's lock and at the same `now` as the action:
//! a body that is not the request's JSON is still refused before any session is looked at,
//! and a request takes the center's lock (and a shared store's write lock) once.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::Response;
use rules::authz::staff::StaffAction;
use rules::{Instant, Lang};
use serde::Serialize;
use subtle::ConstantTimeEq;

use super::{COOKIE, CSRF_HEADER, Call, center_failure, json};
use crate::accounts::StaffUser;
use crate::http::{App, error, with_center};
use crate::service::{Center, CenterError};
use crate::store::CenterStore;

/// The session token a request carries: the bearer token, else the cookie (`true`: by cookie).
fn token(headers: &HeaderMap) -> Option<(String, bool)> {
    if let Some(bearer) =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some((bearer.trim().to_owned(), false));
    }
    cookie(headers, COOKIE).map(|value| (value, true))
}

/// The value of the cookie `name` a request carries (the first, if sent twice).
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(name).and_then(|rest| rest.strip_prefix('=')).map(str::to_owned))
}

/// Whether the request's [`CSRF_HEADER`] is the session's anti-forgery token `csrf`
/// (compared in constant time).
pub(crate) fn csrf_matches(headers: &HeaderMap, csrf: &str) -> bool {
    let sent = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    sent.as_bytes().ct_eq(csrf.as_bytes()).into()
}

/// A refusal of the session checks, its message in `lang`.
fn session_refusal(status: StatusCode, code: &str, lang: Lang) -> Response {
    error(status, code, &crate::i18n::text(lang, &format!("center-{code}"), &[]))
}

fn sign_in_required(lang: Lang) -> Response {
    session_refusal(StatusCode::UNAUTHORIZED, "SIGN_IN_REQUIRED", lang)
}

/// Who is calling, checked: a live session, and for a change made with the cookie, the
/// session's CSRF token in [`CSRF_HEADER`].
fn caller<S: CenterStore>(
    center: &Center<S>,
    headers: &HeaderMap,
    method: &Method,
    now: Instant,
    lang: Lang,
) -> Result<StaffUser, Response> {
    let Some((token, by_cookie)) = token(headers) else {
        return Err(sign_in_required(lang));
    };
    let Some((session, user)) = center.session(&token, now) else {
        return Err(session_refusal(StatusCode::UNAUTHORIZED, "SESSION_EXPIRED", lang));
    };
    let changes = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if by_cookie && changes && !csrf_matches(headers, &session.csrf) {
        return Err(session_refusal(StatusCode::FORBIDDEN, "CSRF", lang));
    }
    Ok(user)
}

/// A staff request ([`Call`]) and what `rules::authz::staff` must allow the caller first, if
/// anything ([`Staff::may`]). Its action runs for the signed-in staff member ([`Staff::run`]).
pub(crate) struct Staff<S: CenterStore> {
    call: Call<S>,
    /// The action to allow, and its district where it is a district's.
    guard: Option<(StaffAction, Option<String>)>,
}

impl<S: CenterStore + 'static> FromRequestParts<App<S>> for Staff<S> {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App<S>) -> Result<Self, Infallible> {
        let call = Call::from_request_parts(parts, app).await?;
        Ok(Staff { call, guard: None })
    }
}

impl<S: CenterStore + 'static> Staff<S> {
    /// The session token the request carries, else the answer asking to sign in.
    pub(super) fn session_token(&self) -> Result<String, Response> {
        token(&self.call.headers).map(|(token, _)| token).ok_or_else(|| sign_in_required(self.call.lang))
    }

    /// This request's action, which [`Center::allow`] must allow the caller before it runs.
    pub(crate) fn may(self, action: StaffAction) -> Self {
        self.may_in(action, None)
    }

    /// [`Staff::may`] for an action in `district`, where it is a district's.
    pub(crate) fn may_in(self, action: StaffAction, district: Option<&str>) -> Self {
        Staff { guard: Some((action, district.map(str::to_owned))), ..self }
    }

    /// Runs `f` on the center for the signed-in caller, at the center's `now`, once allowed
    /// ([`Staff::may`]); its result as JSON.
    pub(crate) async fn run<T, F>(self, f: F) -> Response
    where
        T: Serialize + Send + 'static,
        F: FnOnce(&mut Center<S>, &StaffUser, Instant) -> Result<T, CenterError> + Send + 'static,
    {
        self.run_raw(move |center, user, now| f(center, user, now).map(|v| json(&v))).await
    }

    /// [`Staff::run`] answering with whatever response `f` makes.
    pub(crate) async fn run_raw<F>(self, f: F) -> Response
    where
        F: FnOnce(&mut Center<S>, &StaffUser, Instant) -> Result<Response, CenterError> + Send + 'static,
    {
        let Staff { call: Call { app, headers, method, lang }, guard } = self;
        let outcome = with_center(&app, move |center, now| {
            let user = caller(center, &headers, &method, now, lang)?;
            let allowed = match &guard {
                Some((action, district)) => center.allow(&user, *action, district.as_deref()),
                None => Ok(()),
            };
            allowed
                .map_err(CenterError::from)
                .and_then(|()| f(center, &user, now))
                .map_err(|e| center_failure(&e, lang))
        })
        .await;
        match outcome {
            Ok(Ok(response) | Err(response)) | Err(response) => response,
        }
    }

    /// [`Staff::run`] for an action that may change the kiosk registry (a kiosk added, revoked
    /// or serving a district, a bundle ingested, quarantine re-examined): the server then
    /// reads the kiosks' keys, heads and districts again, whatever the answer.
    pub(crate) async fn run_then_refresh_kiosks<T, F>(self, f: F) -> Response
    where
        T: Serialize + Send + 'static,
        F: FnOnce(&mut Center<S>, &StaffUser, Instant) -> Result<T, CenterError> + Send + 'static,
    {
        let app = self.call.app.clone();
        let response = self.run(f).await;
        app.refresh_kiosk_auth().await;
        response
    }
}
