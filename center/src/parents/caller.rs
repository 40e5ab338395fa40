//! Who is calling the parents' API: the parent's session cookie (and the CSRF token on a
//! change), and [`Parent`], the extractor the handlers of a signed-in parent act through.
//!
//! As for the staff ([`crate::staff_api`]), [`Parent`] only takes what the request says: the
//! channel and the session are checked when the handler runs its action ([`Parent::run`]),
//! after the request's body was read, on the center's lock and at the same `now` as the action.

// A refusal is a ready `Response`: boxing it would only add an allocation on the error path.
#![allow(clippy::result_large_err)]

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use rules::{Instant, Lang};
use serde::Serialize;

use super::api::{COOKIE, channel, failure};
use super::{ParentError, ParentIdentity, ParentsChannel};
use crate::http::{App, error, with_center};
use crate::service::Center;
use crate::staff_api::{Call, cookie, csrf_matches, json};
use crate::store::CenterStore;

/// The parent's session token, from the [`COOKIE`] cookie.
fn session_token(headers: &HeaderMap) -> Option<String> {
    cookie(headers, COOKIE)
}

fn unauthenticated(lang: Lang) -> Response {
    let message = crate::i18n::text(lang, "parent-UNAUTHENTICATED", &[]);
    error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", &message)
}

/// The signed-in parent, checked: a live parent session, and the CSRF token on a change.
fn caller<S: CenterStore>(
    center: &Center<S>,
    headers: &HeaderMap,
    method: &Method,
    now: Instant,
    lang: Lang,
) -> Result<ParentIdentity, Response> {
    let token = session_token(headers).ok_or_else(|| unauthenticated(lang))?;
    let (session, parent) = center.parent_session(&token, now).ok_or_else(|| unauthenticated(lang))?;
    if !matches!(*method, Method::GET | Method::HEAD) && !csrf_matches(headers, &session.csrf) {
        let message = crate::i18n::text(lang, "parent-CSRF", &[]);
        return Err(error(StatusCode::FORBIDDEN, "CSRF", &message));
    }
    Ok(parent)
}

/// A parent's request ([`Call`]); its action runs for the signed-in parent ([`Parent::run`]).
pub(super) struct Parent<S: CenterStore>(Call<S>);

impl<S: CenterStore + 'static> FromRequestParts<App<S>> for Parent<S> {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, app: &App<S>) -> Result<Self, Infallible> {
        Call::from_request_parts(parts, app).await.map(Parent)
    }
}

impl<S: CenterStore + 'static> Parent<S> {
    /// The session token the request carries (empty without one).
    pub(super) fn session_token(&self) -> String {
        session_token(&self.0.headers).unwrap_or_default()
    }

    /// The language of the answer's messages (`Accept-Language`).
    pub(super) fn lang(&self) -> Lang {
        self.0.lang
    }

    /// Runs `f` on the center for the signed-in parent, with the parents' channel, at the
    /// center's `now`; its result as JSON, never cached.
    pub(super) async fn run<T, F>(self, f: F) -> Response
    where
        T: Serialize + Send + 'static,
        F: FnOnce(&mut Center<S>, &ParentsChannel, &ParentIdentity, Instant) -> Result<T, ParentError> + Send + 'static,
    {
        self.run_raw(move |center, channel, parent, now| f(center, channel, parent, now).map(|v| json(&v))).await
    }

    /// [`Parent::run`] answering with whatever response `f` makes. Without the channel the
    /// answer is `404 PARENTS_DISABLED`, before any session is looked at.
    pub(super) async fn run_raw<F>(self, f: F) -> Response
    where
        F: FnOnce(&mut Center<S>, &ParentsChannel, &ParentIdentity, Instant) -> Result<Response, ParentError>
            + Send
            + 'static,
    {
        let Parent(Call { app, headers, method, lang }) = self;
        let channel = match channel(&app, lang) {
            Ok(c) => c,
            Err(response) => return response,
        };
        let outcome = with_center(&app, move |center, now| {
            let parent = caller(center, &headers, &method, now, lang)?;
            f(center, &channel, &parent, now).map_err(|e| failure(&e, lang))
        })
        .await;
        let mut response = match outcome {
            Ok(Ok(response) | Err(response)) | Err(response) => response,
        };
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        response
    }
}
