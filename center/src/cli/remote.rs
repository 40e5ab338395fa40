//! Commands through a running server's staff API (`/v1/staff/…`, see `center::staff_api`),
//! as the user signed in with `login`: the server decides with its own clock and checks the
//! user's role and districts; its errors are passed on with their code and message.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use center::{Decision, NewUser, ReportRow};
use rules::Instant;
use rules::calendar::CalendarYear;
use rules::model::Kindergarten;
use serde::Serialize;
use serde_json::{Value, json};

use super::session::{self, Session};
use super::{Attribution, Backend, Failure, ReviewDecision, fail, password};

/// How long one request may take (an ingest of a large bundle is the longest).
const TIMEOUT: Duration = Duration::from_mins(5);
/// The largest answer read (a snapshot of a large district is the largest).
const MAX_ANSWER_BYTES: u64 = 256 * 1024 * 1024;

/// A request's body.
enum Body<'a> {
    None,
    Json(Vec<u8>),
    Octets(&'a [u8]),
}

/// A request to the staff API.
enum Request<'a> {
    Get,
    Post(Body<'a>),
    Delete,
}

/// Every request asks for English messages: the command line speaks English, like the
/// folder's own commands.
fn authorized<B>(request: ureq::RequestBuilder<B>, bearer: Option<&str>) -> ureq::RequestBuilder<B> {
    let request = request.header("Accept-Language", "en");
    match bearer {
        Some(bearer) => request.header("Authorization", bearer),
        None => request,
    }
}

/// A server at `url`, with the session of the session file (read on first use).
#[derive(Debug)]
pub struct Remote {
    url: String,
    session_file: PathBuf,
    token: Option<String>,
    agent: ureq::Agent,
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(TIMEOUT))
        // The staff API never redirects: the token goes to the signed-in URL only.
        .max_redirects(0)
        .user_agent(concat!("kezek-center/", env!("CARGO_PKG_VERSION")))
        .build()
        .into()
}

/// A path segment with everything but unreserved characters percent-encoded.
fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, Failure> {
    serde_json::to_vec(value).map_err(|e| fail("INTERNAL", e.to_string()))
}

fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Failure> {
    serde_json::from_slice(bytes)
        .map_err(|e| fail("BAD_ANSWER", format!("the server's answer is not the expected JSON: {e}")))
}

/// The server decides with its own clock: `--at` is for the data folder only.
fn server_clock(at: Option<Instant>) -> Result<(), Failure> {
    match at {
        None => Ok(()),
        Some(_) => Err(fail("AT_NOT_REMOTE", "--at cannot be given with --url: the server's clock rules")),
    }
}

/// An option that only the data folder takes (with --url the signed-in user acts).
fn folder_only(option: &str, given: Option<&str>) -> Result<(), Failure> {
    match given {
        None => Ok(()),
        Some(_) => {
            Err(fail("LOCAL_ONLY", format!("{option} is for the data folder: with --url the signed-in user acts")))
        }
    }
}

/// A change of reference data through a server: neither `--at` nor `--by` (its signed-in
/// user acts, at its clock).
fn on_server(change: Attribution<'_>) -> Result<(), Failure> {
    server_clock(change.at)?;
    folder_only("--by", change.by)
}

impl Remote {
    pub fn new(url: &str, session_file: Option<&Path>) -> Result<Self, Failure> {
        Ok(Remote {
            url: session::base_url(url)?,
            session_file: session::path(session_file)?,
            token: None,
            agent: agent(),
        })
    }

    fn login_hint(&self) -> String {
        format!("run `kezek-center --url {} login --login LOGIN`", self.url)
    }

    /// The session's token, if it is for this server and not expired.
    fn token(&mut self) -> Result<String, Failure> {
        if let Some(token) = &self.token {
            return Ok(token.clone());
        }
        let Some(session) = session::load(&self.session_file)? else {
            return Err(fail(
                "SIGN_IN_REQUIRED",
                format!("not signed in to {}: {} first", self.url, self.login_hint()),
            ));
        };
        if session.url != self.url {
            return Err(fail(
                "SIGN_IN_REQUIRED",
                format!(
                    "the session in {} is for {}, not {}: {} first",
                    self.session_file.display(),
                    session.url,
                    self.url,
                    self.login_hint()
                ),
            ));
        }
        if session.expires_at <= center::now() {
            return Err(fail(
                "SESSION_EXPIRED",
                format!(
                    "the session of {} expired at {}: {} again",
                    session.login,
                    session.expires_at,
                    self.login_hint()
                ),
            ));
        }
        self.token = Some(session.token.clone());
        Ok(session.token)
    }

    /// Sends a request (with the session's token when `signed`); the answer's bytes on
    /// 2xx, else the server's error as it gave it.
    fn send(&mut self, request: Request<'_>, path: &str, signed: bool) -> Result<Vec<u8>, Failure> {
        let bearer = if signed { Some(format!("Bearer {}", self.token()?)) } else { None };
        let url = format!("{}{path}", self.url);
        let result = match request {
            Request::Get => authorized(self.agent.get(&url), bearer.as_deref()).call(),
            Request::Delete => authorized(self.agent.delete(&url), bearer.as_deref()).call(),
            Request::Post(body) => {
                let post = authorized(self.agent.post(&url), bearer.as_deref());
                match body {
                    Body::None => post.send_empty(),
                    Body::Json(bytes) => post.header("Content-Type", "application/json").send(&bytes[..]),
                    Body::Octets(bytes) => post.header("Content-Type", "application/octet-stream").send(bytes),
                }
            }
        };
        self.answer(result)
    }

    fn answer(&self, result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Vec<u8>, Failure> {
        let mut response = result
            .map_err(|e| fail("SERVER_UNREACHABLE", format!("the server is not reachable at {}: {e}", self.url)))?;
        let status = response.status().as_u16();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(MAX_ANSWER_BYTES)
            .read_to_vec()
            .map_err(|e| fail("SERVER_UNREACHABLE", format!("reading the answer of {}: {e}", self.url)))?;
        if (200..300).contains(&status) {
            return Ok(bytes);
        }
        let error: Option<Value> = serde_json::from_slice(&bytes).ok();
        let field = |name: &str| error.as_ref().and_then(|v| v["error"][name].as_str()).map(str::to_owned);
        let mut failure = match (field("code"), field("message")) {
            (Some(code), Some(message)) => Failure { code, message },
            _ => fail("HTTP_ERROR", format!("{} answered HTTP {status}", self.url)),
        };
        if status == 401 && matches!(failure.code.as_str(), "SIGN_IN_REQUIRED" | "SESSION_EXPIRED") {
            failure.message = format!("{}: {} again", failure.message, self.login_hint());
        }
        Err(failure)
    }

    fn get(&mut self, path: &str) -> Result<Value, Failure> {
        parse(&self.send(Request::Get, path, true)?)
    }

    fn post(&mut self, path: &str, body: Body<'_>) -> Result<Value, Failure> {
        parse(&self.send(Request::Post(body), path, true)?)
    }

    /// Signs in: a new session for `login`, kept in the session file.
    pub fn login(&mut self, login: &str) -> Result<Value, Failure> {
        let password = password(&format!("password of {login} at {}: ", self.url))?;
        let body = to_json(&json!({ "login": login, "password": password }))?;
        let answer: Value = parse(&self.send(Request::Post(Body::Json(body)), "/v1/staff/session", false)?)?;
        let text = |name: &str| answer[name].as_str().map(str::to_owned);
        let (Some(token), Some(expires_at)) = (text("token"), text("expiresAt")) else {
            return Err(fail("BAD_ANSWER", "the server's sign-in answer has no token"));
        };
        let expires_at: Instant =
            expires_at.parse().map_err(|_| fail("BAD_ANSWER", format!("expiresAt {expires_at:?} is not a time")))?;
        let session = Session { url: self.url.clone(), login: login.to_owned(), token, expires_at };
        session::save(&self.session_file, &session)?;
        Ok(json!({
            "url": self.url,
            "user": answer["user"],
            "expiresAt": expires_at,
            "sessionFile": self.session_file,
        }))
    }

    /// Signs out: the server ends the session, and the session file is removed. A session the
    /// server no longer knows (expired, or ended by an admin) is forgotten all the same; a
    /// session for another server is left alone.
    pub fn logout(&mut self) -> Result<Value, Failure> {
        match self.send(Request::Delete, "/v1/staff/session", true) {
            Ok(_) => {}
            // Expired here, or unknown to the server: nothing to end there.
            Err(f) if f.code == "SESSION_EXPIRED" => {}
            Err(f) => return Err(f),
        }
        session::remove(&self.session_file)?;
        Ok(json!({ "signedOut": true, "url": self.url }))
    }
}

impl Backend for Remote {
    fn kiosk_add(&mut self, id: &str, district: &str, public_key: &str, at: Option<Instant>) -> Result<Value, Failure> {
        server_clock(at)?;
        let body = to_json(&json!({ "id": id, "district": district, "publicKey": public_key }))?;
        self.post("/v1/staff/kiosks", Body::Json(body))
    }

    fn kiosk_list(&mut self) -> Result<Value, Failure> {
        self.get("/v1/staff/kiosks")
    }

    fn kiosk_revoke(&mut self, id: &str) -> Result<Value, Failure> {
        self.post(&format!("/v1/staff/kiosks/{}/revoke", segment(id)), Body::None)
    }

    fn kiosk_serve(&mut self, id: &str, district: &str) -> Result<Value, Failure> {
        let body = to_json(&json!({ "district": district }))?;
        self.post(&format!("/v1/staff/kiosks/{}/districts", segment(id)), Body::Json(body))
    }

    fn user_add(&mut self, user: NewUser) -> Result<Value, Failure> {
        let body = to_json(&json!({
            "login": user.login,
            "name": user.name,
            "role": user.role,
            "districts": user.districts,
            "password": user.password,
        }))?;
        self.post("/v1/staff/users", Body::Json(body))
    }

    fn user_list(&mut self) -> Result<Value, Failure> {
        self.get("/v1/staff/users")
    }

    fn user_disable(&mut self, login: &str) -> Result<Value, Failure> {
        self.post(&format!("/v1/staff/users/{}/disable", segment(login)), Body::None)
    }

    fn ingest(&mut self, bundle: &[u8], at: Option<Instant>) -> Result<(Value, Vec<u8>), Failure> {
        server_clock(at)?;
        let mut answer = self.post("/v1/staff/ingest", Body::Octets(bundle))?;
        let ack = answer["ack"]
            .as_str()
            .and_then(|h| hex::decode(h).ok())
            .ok_or_else(|| fail("BAD_ANSWER", "the server's ingest answer has no ack"))?;
        Ok((answer["report"].take(), ack))
    }

    fn distribution_plan(&mut self, district: &str, at: Option<Instant>) -> Result<Value, Failure> {
        server_clock(at)?;
        self.post(&format!("/v1/staff/districts/{}/distribution/dry-run", segment(district)), Body::None)
    }

    fn distribute(&mut self, district: &str, at: Option<Instant>) -> Result<Value, Failure> {
        server_clock(at)?;
        self.post(&format!("/v1/staff/districts/{}/distribution", segment(district)), Body::None)
    }

    fn tick(&mut self, at: Option<Instant>) -> Result<Value, Failure> {
        server_clock(at)?;
        self.post("/v1/staff/tick", Body::None)
    }

    fn snapshot(&mut self, district: &str, at: Option<Instant>) -> Result<Vec<u8>, Failure> {
        server_clock(at)?;
        self.send(Request::Get, &format!("/v1/staff/districts/{}/snapshot", segment(district)), true)
    }

    fn ack(&mut self, kiosk: &str, at: Option<Instant>) -> Result<Vec<u8>, Failure> {
        server_clock(at)?;
        self.send(Request::Get, &format!("/v1/staff/kiosks/{}/ack", segment(kiosk)), true)
    }

    fn review_list(&mut self, all: bool) -> Result<Value, Failure> {
        self.get(if all { "/v1/staff/reviews?all=true" } else { "/v1/staff/reviews" })
    }

    fn review_show(&mut self, item: &str) -> Result<Value, Failure> {
        self.get(&format!("/v1/staff/reviews/{}", segment(item)))
    }

    fn review_decide(&mut self, decision: ReviewDecision) -> Result<Value, Failure> {
        let ReviewDecision { item, decision, reviewer, note, at } = decision;
        server_clock(at)?;
        folder_only("--reviewer", reviewer.as_deref())?;
        let decision = match decision {
            Decision::Uphold => "uphold",
            Decision::Overrule => "overrule",
        };
        let body = to_json(&json!({ "decision": decision, "note": note }))?;
        self.post(&format!("/v1/staff/reviews/{}", segment(&item)), Body::Json(body))
    }

    fn report(&mut self) -> Result<Vec<ReportRow>, Failure> {
        parse(&self.send(Request::Get, "/v1/staff/report", true)?)
    }

    fn quarantine_list(&mut self) -> Result<Value, Failure> {
        self.get("/v1/staff/quarantine")
    }

    fn quarantine_reexamine(&mut self, kiosk: &str) -> Result<Value, Failure> {
        self.post(&format!("/v1/staff/quarantine/{}/reexamine", segment(kiosk)), Body::None)
    }

    fn population_import(&mut self, file: &[u8], change: Attribution<'_>) -> Result<Value, Failure> {
        on_server(change)?;
        self.post("/v1/staff/population", Body::Json(file.to_vec()))
    }

    fn directory_import(
        &mut self,
        kindergartens: Vec<Kindergarten>,
        change: Attribution<'_>,
    ) -> Result<Value, Failure> {
        on_server(change)?;
        self.post("/v1/staff/directory", Body::Json(to_json(&kindergartens)?))
    }

    fn directory_list(&mut self, district: Option<&str>) -> Result<Value, Failure> {
        match district {
            Some(d) => self.get(&format!("/v1/staff/directory?district={}", segment(d))),
            None => self.get("/v1/staff/directory"),
        }
    }

    fn calendar_set_year(&mut self, year: CalendarYear, change: Attribution<'_>) -> Result<Value, Failure> {
        on_server(change)?;
        self.post("/v1/staff/calendar", Body::Json(to_json(&year)?))
    }

    fn calendar_list(&mut self) -> Result<Value, Failure> {
        self.get("/v1/staff/calendar")
    }

    fn audit(&mut self, limit: usize) -> Result<Value, Failure> {
        self.get(&format!("/v1/staff/audit?limit={limit}"))
    }

    fn population_trust(&mut self, key: &str, at: Option<Instant>) -> Result<Value, Failure> {
        server_clock(at)?;
        self.post("/v1/staff/population/keys", Body::Json(to_json(&json!({ "publicKey": key }))?))
    }

    fn population_check(&mut self, parent: &str, child: &str) -> Result<Value, Failure> {
        self.get(&format!("/v1/staff/population/check?parent={}&child={}", segment(parent), segment(child)))
    }
}
