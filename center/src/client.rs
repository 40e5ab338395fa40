//! A small blocking client for kiosks: push a bundle, fetch the ack or a district snapshot.
//! Every request is signed by the kiosk ([`RequestSigner`]) over a single-use nonce the
//! center hands out first (`changelog::request`).
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let key = changelog::KioskKey::generate()?;
//! let signer = changelog::request::RequestSigner::new(key.signing().clone(), "KOK-01", 0, Vec::new());
//! let bundle_bytes: Vec<u8> = Vec::new(); // changelog::Bundle::to_bytes()
//! let ack_bytes = center::client::push("http://127.0.0.1:8080", &signer, &bundle_bytes)?;
//! // verify: changelog::sync::open_ack(&ack_bytes, &center_public_key)
//! # Ok(()) }
//! ```
//!
//! Connection failures, timeouts, 429 and 5xx are retried with exponential backoff (after
//! the center's `Retry-After` when it sends one); other 4xx answers are final (the JSON
//! error's code and message are returned).

use std::time::Duration;

use changelog::request::{ACK_ROUTE, CHALLENGE_ROUTE, EVENTS_ROUTE, OCTET_STREAM, RequestSigner, SNAPSHOT_ROUTE, path};

/// Retry and timeout settings.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// Attempts in all (at least 1).
    pub attempts: u32,
    /// Wait before the second attempt; doubled after each failure.
    pub initial_backoff: Duration,
    /// Longest wait between attempts.
    pub max_backoff: Duration,
    /// Time limit of one attempt.
    pub timeout: Duration,
}

impl Default for PushOptions {
    fn default() -> Self {
        PushOptions {
            attempts: 5,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            timeout: Duration::from_mins(1),
        }
    }
}

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The center answered with an error that retrying will not fix (4xx).
    #[error("the center refused ({status} {code}): {message}")]
    Refused { status: u16, code: String, message: String },
    /// Every attempt failed (network, timeout, 5xx); the last failure.
    #[error("the center could not be reached after {attempts} attempts: {last}")]
    Unreachable { attempts: u32, last: String },
    #[error("bad URL: {0}")]
    Url(String),
}

impl PushError {
    /// Whether a later try may succeed (the kiosk keeps its log and tries again later).
    pub fn is_transient(&self) -> bool {
        matches!(self, PushError::Unreachable { .. })
    }
}

fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder().timeout_global(Some(timeout)).http_status_as_error(false).build().into()
}

fn base(url: &str) -> Result<&str, PushError> {
    let url = url.trim_end_matches('/');
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(url)
    } else {
        Err(PushError::Url(format!("{url:?} does not start with http:// or https://")))
    }
}

fn path_segment(text: &str) -> Result<&str, PushError> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.') {
        Ok(text)
    } else {
        Err(PushError::Url(format!("{text:?} is not a valid id")))
    }
}

enum Attempt {
    Done(Vec<u8>),
    Final(PushError),
    /// Why, and how long the center asked us to wait.
    Retry(String, Option<Duration>),
}

/// What the center said, read in full (answers are bounded by the center).
fn answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Attempt {
    let mut response = match result {
        Ok(r) => r,
        Err(e) => return Attempt::Retry(e.to_string(), None),
    };
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let bytes = match response.body_mut().with_config().limit(256 * 1024 * 1024).read_to_vec() {
        Ok(b) => b,
        Err(e) => return Attempt::Retry(format!("reading the answer: {e}"), None),
    };
    if status == 200 {
        return Attempt::Done(bytes);
    }
    let parsed: Option<serde_json::Value> = serde_json::from_slice(&bytes).ok();
    let field =
        |name: &str| parsed.as_ref().and_then(|v| v["error"][name].as_str()).map(str::to_owned).unwrap_or_default();
    let (code, message) = (field("code"), field("message"));
    if status == 429 || status >= 500 {
        Attempt::Retry(format!("HTTP {status} {code} {message}"), retry_after)
    } else {
        Attempt::Final(PushError::Refused { status, code, message })
    }
}

/// One signed request: a fresh nonce, then the request itself.
fn once(agent: &ureq::Agent, base: &str, route_path: &str, signer: &RequestSigner, body: Option<&[u8]>) -> Attempt {
    let challenge = path(CHALLENGE_ROUTE, signer.kiosk());
    let nonce = match answer(agent.post(&format!("{base}{challenge}")).send_empty()) {
        Attempt::Done(bytes) => match serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v["nonce"].as_str().map(str::to_owned))
        {
            Some(nonce) => nonce,
            None => return Attempt::Retry("the center's challenge has no nonce".into(), None),
        },
        other => return other,
    };
    let method = if body.is_some() { "POST" } else { "GET" };
    let request = signer.sign(method, route_path, &nonce, body.unwrap_or_default());
    let url = format!("{base}{route_path}");
    let result = if let Some(bytes) = body {
        let mut post = agent.post(&url).header("Content-Type", OCTET_STREAM);
        for (name, value) in request.headers() {
            post = post.header(name, value);
        }
        post.send(bytes)
    } else {
        let mut get = agent.get(&url);
        for (name, value) in request.headers() {
            get = get.header(name, value);
        }
        get.call()
    };
    answer(result)
}

fn with_retries(
    base: &str,
    route_path: &str,
    signer: &RequestSigner,
    body: Option<&[u8]>,
    options: &PushOptions,
) -> Result<Vec<u8>, PushError> {
    let agent = agent(options.timeout);
    let attempts = options.attempts.max(1);
    let mut backoff = options.initial_backoff;
    let mut last = String::new();
    for attempt in 1..=attempts {
        let mut wait = backoff;
        match once(&agent, base, route_path, signer, body) {
            Attempt::Done(bytes) => return Ok(bytes),
            Attempt::Final(e) => return Err(e),
            Attempt::Retry(why, retry_after) => {
                last = why;
                if let Some(asked) = retry_after {
                    wait = asked.min(options.max_backoff);
                }
            }
        }
        if attempt < attempts {
            std::thread::sleep(wait);
            backoff = (backoff * 2).min(options.max_backoff);
        }
    }
    Err(PushError::Unreachable { attempts, last })
}

/// Uploads a bundle (`changelog::Bundle::to_bytes`) of the signer's kiosk to the center at
/// `url` (e.g. `http://10.0.0.5:8080`); returns the signed ack's bytes
/// (`changelog::sync::open_ack`). Resumable: send the entries after the last ack's
/// `acceptedThroughSeq`; resending accepted entries is harmless.
pub fn push(url: &str, signer: &RequestSigner, bundle_bytes: &[u8]) -> Result<Vec<u8>, PushError> {
    push_with(url, signer, bundle_bytes, &PushOptions::default())
}

/// [`push`] with explicit retry settings.
pub fn push_with(
    url: &str,
    signer: &RequestSigner,
    bundle_bytes: &[u8],
    options: &PushOptions,
) -> Result<Vec<u8>, PushError> {
    let route_path = path(EVENTS_ROUTE, path_segment(signer.kiosk())?);
    with_retries(base(url)?, &route_path, signer, Some(bundle_bytes), options)
}

/// Fetches the latest signed ack of the signer's kiosk.
pub fn fetch_ack(url: &str, signer: &RequestSigner, options: &PushOptions) -> Result<Vec<u8>, PushError> {
    let route_path = path(ACK_ROUTE, path_segment(signer.kiosk())?);
    with_retries(base(url)?, &route_path, signer, None, options)
}

/// Fetches the signed snapshot (`changelog::sync::open_snapshot`) of a district the
/// signer's kiosk serves.
pub fn fetch_snapshot(
    url: &str,
    signer: &RequestSigner,
    district: &str,
    options: &PushOptions,
) -> Result<Vec<u8>, PushError> {
    let route_path = path(SNAPSHOT_ROUTE, path_segment(district)?);
    with_retries(base(url)?, &route_path, signer, None, options)
}
