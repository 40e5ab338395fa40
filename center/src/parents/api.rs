//! The parents' API under `/v1/parent/…` (docs/PARENTS.md). Sessions are the
//! [`COOKIE`] cookie (`HttpOnly`, `SameSite=Strict`, `Secure` unless configured off for
//! plain loopback HTTP); a request that changes something carries the session's CSRF token
//! in `X-CSRF-Token`. Errors are `{"error":{"code","message"}}`, the message in the language
//! of `Accept-Language`.

#![allow(clippy::result_large_err)]

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rules::model::{GroupLanguage, NewApplication};
use rules::{Action, Instant, Lang};
use serde::{Deserialize, Serialize};

use super::caller::Parent;
use super::{ParentError, ParentIdentity, ParentsChannel, SignInStart};
use crate::http::{App, error, with_center};
use crate::staff_api::{JsonBody, Peer, json, lang_of};
use crate::store::CenterStore;

/// The parents' session cookie.
pub const COOKIE: &str = "kezek_parent";

/// A parent's request refused: its status, code and message in `lang`.
pub(super) fn failure(e: &ParentError, lang: Lang) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = error(status, &e.code(), &e.message(lang));
    if let ParentError::Code(super::CodeError::Throttled { wait_secs }) = e
        && let Ok(value) = HeaderValue::from_str(&wait_secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The server's parents' channel, else `404 PARENTS_DISABLED`.
pub(super) fn channel<S: CenterStore + 'static>(app: &App<S>, lang: Lang) -> Result<ParentsChannel, Response> {
    app.parents().cloned().ok_or_else(|| {
        let message = crate::i18n::text(lang, "parent-PARENTS_DISABLED", &[]);
        error(StatusCode::NOT_FOUND, "PARENTS_DISABLED", &message)
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CodeRequest {
    iin: String,
    #[serde(default)]
    lang: Option<Lang>,
}

/// `POST /v1/parent/code`: starts a sign-in (the built-in adapter sends a one-time code).
async fn send_code<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    JsonBody(request): JsonBody<CodeRequest>,
) -> Response {
    let lang = lang_of(&headers);
    if let Err(e) = rules::Iin::parse(&request.iin) {
        return failure(&ParentError::Registry(crate::population::RegistryError::Iin(e)), lang);
    }
    let channel = match channel(&app, lang) {
        Ok(c) => c,
        Err(response) => return response,
    };
    let message_lang = request.lang.unwrap_or(lang);
    let iin = request.iin.clone();
    // The parent's contacts, where an application of theirs has them.
    let contacts = with_center(&app, move |center, now| {
        let contact = center
            .state()
            .applications()
            .filter(|a| a.applicant.iin == iin)
            .max_by_key(|a| a.registered_at)
            .map(|a| (a.applicant.phone.clone(), a.applicant.email.clone()));
        (contact, now)
    })
    .await;
    let (contact, now) = match contacts {
        Ok(v) => v,
        Err(response) => return response,
    };
    let (phone, email) = contact.map_or((None, None), |(p, e)| (Some(p), e));
    let started = tokio::task::spawn_blocking(move || {
        channel.identity.start(&SignInStart { iin: &request.iin, address: peer, lang: message_lang, phone, email, now })
    })
    .await;
    match started {
        Ok(Ok(started)) => {
            let body = serde_json::json!({ "expiresInSeconds": started.expires_in_secs });
            (StatusCode::ACCEPTED, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
        }
        Ok(Err(e)) => failure(&e, lang),
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL", "the code could not be sent"),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SignIn {
    iin: String,
    code: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignedIn {
    csrf: String,
    expires_at: Instant,
    parent: ParentIdentity,
}

/// `POST /v1/parent/session`: the code for a session.
async fn sign_in<S: CenterStore + 'static>(
    State(app): State<App<S>>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<SignIn>,
) -> Response {
    let lang = lang_of(&headers);
    let channel = match channel(&app, lang) {
        Ok(c) => c,
        Err(response) => return response,
    };
    let lifetime = channel.options.session_lifetime;
    let opened = with_center(&app, move |center, now| {
        channel.identity.finish(&request.iin, &request.code, now)?;
        center.open_parent_session(&request.iin, channel.identity.method(), now, lifetime)
    })
    .await;
    let opened = match opened {
        Ok(Ok(opened)) => opened,
        Ok(Err(e)) => return failure(&e, lang),
        Err(response) => return response,
    };
    let secure = app.parents().is_some_and(|c| c.options.secure_cookie);
    let cookie = format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        opened.token,
        lifetime.as_secs(),
        if secure { "; Secure" } else { "" }
    );
    let mut response =
        json(&SignedIn { csrf: opened.record.csrf, expires_at: opened.record.expires_at, parent: opened.parent });
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `DELETE /v1/parent/session`.
async fn sign_out<S: CenterStore + 'static>(parent: Parent<S>) -> Response {
    let token = parent.session_token();
    let mut response = parent
        .run(move |center, _, _, _| {
            center.close_session(&token)?;
            Ok(serde_json::json!({ "signedOut": true }))
        })
        .await;
    if response.status() == StatusCode::OK
        && let Ok(value) = HeaderValue::from_str(&format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"))
    {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// `GET /v1/parent/me`.
async fn me<S: CenterStore + 'static>(parent: Parent<S>) -> Response {
    let token = parent.session_token();
    parent
        .run(move |center, _, parent, now| {
            let csrf = center.parent_session(&token, now).map(|(s, _)| s.csrf).unwrap_or_default();
            let children = center.child_links(&parent.iin);
            Ok(serde_json::json!({
                "parent": parent,
                "csrf": csrf,
                "children": children,
                "applications": center.parent_applications(parent, now),
            }))
        })
        .await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct LinkRequest {
    child_iin: String,
}

/// `POST /v1/parent/children`: link a child the registry confirms.
async fn link<S: CenterStore + 'static>(parent: Parent<S>, JsonBody(request): JsonBody<LinkRequest>) -> Response {
    parent
        .run(move |center, channel, parent, now| {
            let registry = center.population();
            let child = center.link_child(&channel.key, parent, &request.child_iin, registry.as_ref(), now)?;
            Ok(serde_json::json!({ "child": child }))
        })
        .await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RegisterRequest {
    application: NewApplication,
}

/// `POST /v1/parent/applications`: register a linked child.
async fn register<S: CenterStore + 'static>(
    parent: Parent<S>,
    JsonBody(request): JsonBody<RegisterRequest>,
) -> Response {
    let mut response = parent
        .run(move |center, channel, parent, now| {
            let view = center.register_online(&channel.key, parent, request.application, now)?;
            Ok(serde_json::json!({ "application": view }))
        })
        .await;
    if response.status() == StatusCode::OK {
        *response.status_mut() = StatusCode::CREATED;
    }
    response
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ActRequest {
    action: Action,
    #[serde(default)]
    contract_sha256: Option<String>,
}

/// `POST /v1/parent/applications/{id}/actions`.
async fn act<S: CenterStore + 'static>(
    Path(id): Path<String>,
    parent: Parent<S>,
    JsonBody(request): JsonBody<ActRequest>,
) -> Response {
    let ActRequest { action, contract_sha256 } = request;
    parent
        .run(move |center, channel, parent, now| {
            let view = center.act_online(&channel.key, parent, &id, action, contract_sha256.as_deref(), now)?;
            Ok(serde_json::json!({ "application": view }))
        })
        .await
}

/// `GET /v1/parent/applications/{id}/choices`.
async fn choices<S: CenterStore + 'static>(Path(id): Path<String>, parent: Parent<S>) -> Response {
    parent
        .run(move |center, _, parent, now| {
            Ok(serde_json::json!({ "kindergartens": center.parent_choices(parent, &id, now)? }))
        })
        .await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ContractQuery {
    kindergarten: String,
    language: GroupLanguage,
    #[serde(default)]
    lang: Option<Lang>,
}

/// `GET /v1/parent/applications/{id}/contract?kindergarten=&language=&lang=`.
async fn contract<S: CenterStore + 'static>(
    Path(id): Path<String>,
    query: Result<Query<ContractQuery>, axum::extract::rejection::QueryRejection>,
    parent: Parent<S>,
) -> Response {
    let Ok(Query(query)) = query else {
        return failure(&ParentError::Invalid("kindergarten=<id>&language=kk|ru|en".into()), parent.lang());
    };
    let lang = query.lang.unwrap_or_else(|| parent.lang());
    parent
        .run(move |center, _, parent, now| {
            center.parent_contract(parent, &id, &query.kindergarten, query.language, lang, now)
        })
        .await
}

/// The parents' routes.
pub fn routes<S: CenterStore + 'static>() -> Router<App<S>> {
    Router::new()
        .route("/v1/parent/code", post(send_code::<S>))
        .route("/v1/parent/session", post(sign_in::<S>).delete(sign_out::<S>))
        .route("/v1/parent/me", get(me::<S>))
        .route("/v1/parent/children", post(link::<S>))
        .route("/v1/parent/applications", post(register::<S>))
        .route("/v1/parent/applications/{id}/actions", post(act::<S>))
        .route("/v1/parent/applications/{id}/choices", get(choices::<S>))
        .route("/v1/parent/applications/{id}/contract", get(contract::<S>))
}
