//! A small blocking client for kiosks: push a bundle, fetch the ack or a district snapshot.
//!
//! ```no_run
//! let bundle_bytes: Vec<u8> = Vec::new(); // changelog::Bundle::to_bytes()
//! let ack_bytes = center::client::push("http://127.0.0.1:8080", "KOK-01", &bundle_bytes)?;
//! // verify: changelog::sync::open_ack(&ack_bytes, &center_public_key)
//! # Ok::<(), center::client::PushError>(())
//! ```
//!
//! Connection failures, timeouts, 429 and 5xx are retried with exponential backoff; other
//! 4xx answers are final (the JSON error's code and message are returned).

use std::time::Duration;

use crate::http::OCTET_STREAM;

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
    Retry(String),
}

fn once(agent: &ureq::Agent, url: &str, body: Option<&[u8]>) -> Attempt {
    let result = match body {
        Some(bytes) => agent.post(url).header("Content-Type", OCTET_STREAM).send(bytes),
        None => agent.get(url).call(),
    };
    let mut response = match result {
        Ok(r) => r,
        Err(e) => return Attempt::Retry(e.to_string()),
    };
    let status = response.status().as_u16();
    let bytes = match response.body_mut().with_config().limit(256 * 1024 * 1024).read_to_vec() {
        Ok(b) => b,
        Err(e) => return Attempt::Retry(format!("reading the answer: {e}")),
    };
    if status == 200 {
        return Attempt::Done(bytes);
    }
    let parsed: Option<serde_json::Value> = serde_json::from_slice(&bytes).ok();
    let field =
        |name: &str| parsed.as_ref().and_then(|v| v["error"][name].as_str()).map(str::to_owned).unwrap_or_default();
    let (code, message) = (field("code"), field("message"));
    if status == 429 || status >= 500 {
        Attempt::Retry(format!("HTTP {status} {code} {message}"))
    } else {
        Attempt::Final(PushError::Refused { status, code, message })
    }
}

fn with_retries(url: &str, body: Option<&[u8]>, options: &PushOptions) -> Result<Vec<u8>, PushError> {
    let agent = agent(options.timeout);
    let attempts = options.attempts.max(1);
    let mut backoff = options.initial_backoff;
    let mut last = String::new();
    for attempt in 1..=attempts {
        match once(&agent, url, body) {
            Attempt::Done(bytes) => return Ok(bytes),
            Attempt::Final(e) => return Err(e),
            Attempt::Retry(why) => last = why,
        }
        if attempt < attempts {
            std::thread::sleep(backoff);
            backoff = (backoff * 2).min(options.max_backoff);
        }
    }
    Err(PushError::Unreachable { attempts, last })
}

/// Uploads a bundle (`changelog::Bundle::to_bytes`) of `kiosk_id` to the center at `url`
/// (e.g. `http://10.0.0.5:8080`); returns the signed ack's bytes
/// (`changelog::sync::open_ack`). Resumable: send the entries after the last ack's
/// `acceptedThroughSeq`; resending accepted entries is harmless.
pub fn push(url: &str, kiosk_id: &str, bundle_bytes: &[u8]) -> Result<Vec<u8>, PushError> {
    push_with(url, kiosk_id, bundle_bytes, &PushOptions::default())
}

/// [`push`] with explicit retry settings.
pub fn push_with(url: &str, kiosk_id: &str, bundle_bytes: &[u8], options: &PushOptions) -> Result<Vec<u8>, PushError> {
    let url = format!("{}/v1/kiosks/{}/events", base(url)?, path_segment(kiosk_id)?);
    with_retries(&url, Some(bundle_bytes), options)
}

/// Fetches the latest signed ack of a kiosk.
pub fn fetch_ack(url: &str, kiosk_id: &str, options: &PushOptions) -> Result<Vec<u8>, PushError> {
    let url = format!("{}/v1/kiosks/{}/ack", base(url)?, path_segment(kiosk_id)?);
    with_retries(&url, None, options)
}

/// Fetches a district's signed snapshot (`changelog::sync::open_snapshot`).
pub fn fetch_snapshot(url: &str, district: &str, options: &PushOptions) -> Result<Vec<u8>, PushError> {
    let url = format!("{}/v1/districts/{}/snapshot", base(url)?, path_segment(district)?);
    with_retries(&url, None, options)
}
