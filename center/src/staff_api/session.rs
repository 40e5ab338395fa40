//! Signing in and out, and the caller's own account and what it may do.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use rules::Instant;
use rules::authz::staff::StaffAction;
use serde::{Deserialize, Serialize};

use super::{COOKIE, JsonBody, Staff, center_failure, json, lang_of};
use crate::accounts::StaffUser;
use crate::http::{App, error, with_center};
use crate::service::CenterError;
use crate::store::CenterStore;
use crate::throttle::Refusal;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
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
    JsonBody(request): JsonBody<SignIn>,
) -> Response {
    let lang = lang_of(&headers);
    let throttle = app.throttle();
    let clock_now = (app.clock)();
    match throttle.check(&request.login, peer, clock_now).await {
        Ok(()) => {}
        Err(Refusal::Wait { secs }) => {
            let text = crate::i18n::text(lang, "center-LOGIN_THROTTLED", &[("seconds", secs.into())]);
            let mut response = error(StatusCode::TOO_MANY_REQUESTS, "LOGIN_THROTTLED", &text);
            response.headers_mut().insert(header::RETRY_AFTER, secs.into());
            return response;
        }
        Err(Refusal::Unavailable) => {
            let text = crate::i18n::text(lang, "center-STORE_UNAVAILABLE", &[]);
            return error(StatusCode::SERVICE_UNAVAILABLE, "STORE_UNAVAILABLE", &text);
        }
    }
    let options = app.staff_options().clone();
    let login = request.login.clone();
    let opened = with_center(&app, move |center, now| {
        center.open_session(&request.login, &request.password, now, options.session_lifetime).map_err(CenterError::from)
    })
    .await;
    let opened = match opened {
        Ok(Ok(opened)) => opened,
        Ok(Err(e)) => {
            if matches!(e, CenterError::BadCredentials) {
                throttle.failed(&login, peer, clock_now).await;
            }
            return center_failure(&e, lang);
        }
        Err(response) => return response,
    };
    throttle.succeeded(&login).await;
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

async fn sign_out<S: CenterStore + 'static>(staff: Staff<S>) -> Result<Response, Response> {
    let token = staff.session_token()?;
    let mut response = staff
        .run(move |center, _, _| {
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
    Ok(response)
}

async fn me<S: CenterStore + 'static>(staff: Staff<S>) -> Result<Response, Response> {
    let token = staff.session_token()?;
    let me = staff.run(move |center, user, now| {
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
    });
    Ok(me.await)
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
        serde_json::from_str::<Vec<District>>(crate::service::DISTRICTS)
            .map(|all| all.into_iter().map(|d| (d.code, d.name)).collect())
            .unwrap_or_default()
    })
}

/// Signing in and out, and the caller's own account.
pub(super) fn routes<S: CenterStore + 'static>() -> Router<App<S>> {
    Router::new()
        .route("/v1/staff/session", post(sign_in::<S>).delete(sign_out::<S>))
        .route("/v1/staff/me", get(me::<S>))
}
