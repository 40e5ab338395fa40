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
//!
//! An `https://` center must present a certificate the kiosk trusts ([`Trust`], given with
//! an [`Endpoint`]): one issued by a public CA (the Mozilla roots bundled with the client,
//! the default), by the CA of a CA file, or the center's own self-signed certificate,
//! pinned. A certificate that does not verify is final ([`PushError::TlsRejected`]): it is
//! not retried.

use std::sync::Arc;
use std::time::Duration;

use tokio_rustls::rustls;

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

/// Which certificates an `https://` center may present.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Trust {
    /// Certificates issued by a public CA: the Mozilla root certificates bundled with the
    /// client (`webpki-roots`).
    #[default]
    WebRoots,
    /// Certificates issued by one of these CAs (DER), e.g. the organisation's own CA.
    Ca(Arc<Vec<Vec<u8>>>),
    /// The center's own self-signed certificate (DER), the only one accepted.
    Pinned(Arc<Vec<u8>>),
}

/// Which kind of [`Trust`] refused a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TrustKind {
    WebRoots,
    Ca,
    Pinned,
}

impl Trust {
    /// Trust the CA certificates of a PEM file's text (at least one).
    pub fn ca_pem(pem: &[u8]) -> Result<Trust, String> {
        let certs = crate::tls::certificates_from_pem(pem)?;
        for cert in &certs {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(cert.clone()).map_err(|e| format!("not a usable CA certificate: {e}"))?;
        }
        Ok(Trust::Ca(Arc::new(certs.into_iter().map(|c| c.to_vec()).collect())))
    }

    /// Pin the certificate of a PEM file's text: exactly one, self-signed, not a CA certificate, not expired
    /// (a certificate issued by a CA is trusted with [`Trust::ca_pem`] and that CA instead).
    pub fn pinned_pem(pem: &[u8]) -> Result<Trust, String> {
        use crate::tls::SelfCheck;
        let mut certs = crate::tls::certificates_from_pem(pem)?;
        if certs.len() != 1 {
            return Err(format!(
                "{} certificates in it: pin the center's one certificate, or trust its CA with a CA file",
                certs.len()
            ));
        }
        let cert = certs.remove(0);
        match crate::tls::self_check(&cert) {
            SelfCheck::SelfSigned => Ok(Trust::Pinned(Arc::new(cert.to_vec()))),
            SelfCheck::IssuedByCa => {
                Err("the certificate is not self-signed: trust the CA that issued it with a CA file instead".into())
            }
            SelfCheck::IsCa => Err("the certificate is a CA certificate (basicConstraints CA:TRUE), which is never \
                 accepted as the center's own: the center needs a certificate made with \
                 basicConstraints CA:FALSE (docs/OPERATIONS.md)"
                .into()),
            SelfCheck::Dates(detail) | SelfCheck::Other(detail) => Err(detail),
        }
    }

    pub fn kind(&self) -> TrustKind {
        match self {
            Trust::WebRoots => TrustKind::WebRoots,
            Trust::Ca(_) => TrustKind::Ca,
            Trust::Pinned(_) => TrustKind::Pinned,
        }
    }

    fn tls_config(&self) -> ureq::tls::TlsConfig {
        use ureq::tls::{Certificate, RootCerts, TlsConfig};
        let roots = match self {
            Trust::WebRoots => RootCerts::WebPki,
            // A self-signed certificate as the only trust anchor: rustls-webpki accepts the
            // center's certificate when it is this one (its own issuer), for the URL's host
            // name, within its dates.
            Trust::Pinned(der) => RootCerts::new_with_certs(&[Certificate::from_der(der).to_owned()]),
            Trust::Ca(certs) => RootCerts::new_with_certs(
                &certs.iter().map(|c| Certificate::from_der(c).to_owned()).collect::<Vec<_>>(),
            ),
        };
        TlsConfig::builder().root_certs(roots).unversioned_rustls_crypto_provider(crate::tls::crypto_provider()).build()
    }
}

/// The center: its base URL and which certificate it must present over `https://`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub url: String,
    pub trust: Trust,
}

impl Endpoint {
    /// The center at `url`, trusting the public roots.
    pub fn new(url: impl Into<String>) -> Endpoint {
        Endpoint { url: url.into(), trust: Trust::WebRoots }
    }

    #[must_use]
    pub fn with_trust(self, trust: Trust) -> Endpoint {
        Endpoint { trust, ..self }
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
    /// The center's certificate did not verify against the kiosk's [`Trust`] (final: a
    /// retry meets the same certificate).
    #[error("the center's TLS certificate is not trusted ({trust:?}): {detail}")]
    TlsRejected { trust: TrustKind, detail: String },
    /// A CA file or a pinned certificate is set, and the URL is not `https://`.
    #[error("{url}: a CA file or a pinned certificate is set for the center, the URL must start with https://")]
    TlsRequired { url: String },
}

impl PushError {
    /// Whether a later try may succeed (the kiosk keeps its log and tries again later).
    pub fn is_transient(&self) -> bool {
        matches!(self, PushError::Unreachable { .. })
    }
}

fn agent(timeout: Duration, trust: &Trust) -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .tls_config(trust.tls_config())
        .build()
        .into()
}

fn base(center: &Endpoint) -> Result<&str, PushError> {
    let url = center.url.trim_end_matches('/');
    if url.starts_with("https://") {
        Ok(url)
    } else if url.starts_with("http://") {
        if center.trust == Trust::WebRoots { Ok(url) } else { Err(PushError::TlsRequired { url: url.to_owned() }) }
    } else {
        Err(PushError::Url(format!("{url:?} does not start with http:// or https://")))
    }
}

/// The certificate error of a failed connection, if that is why it failed.
fn rejected_certificate(error: &ureq::Error) -> Option<String> {
    let tls = match error {
        ureq::Error::Rustls(e) => e,
        ureq::Error::Io(e) => e.get_ref()?.downcast_ref::<rustls::Error>()?,
        _ => return None,
    };
    matches!(tls, rustls::Error::InvalidCertificate(_) | rustls::Error::NoCertificatesPresented)
        .then(|| tls.to_string())
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
fn answer(result: Result<ureq::http::Response<ureq::Body>, ureq::Error>, trust: TrustKind) -> Attempt {
    let mut response = match result {
        Ok(r) => r,
        Err(e) => {
            return match rejected_certificate(&e) {
                Some(detail) => Attempt::Final(PushError::TlsRejected { trust, detail }),
                None => Attempt::Retry(e.to_string(), None),
            };
        }
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
fn once(
    agent: &ureq::Agent,
    (base, trust): (&str, TrustKind),
    route_path: &str,
    signer: &RequestSigner,
    body: Option<&[u8]>,
) -> Attempt {
    let challenge = path(CHALLENGE_ROUTE, signer.kiosk());
    let nonce = match answer(agent.post(&format!("{base}{challenge}")).send_empty(), trust) {
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
    answer(result, trust)
}

fn with_retries(
    center: &Endpoint,
    route_path: &str,
    signer: &RequestSigner,
    body: Option<&[u8]>,
    options: &PushOptions,
) -> Result<Vec<u8>, PushError> {
    let base = base(center)?;
    let agent = agent(options.timeout, &center.trust);
    let attempts = options.attempts.max(1);
    let mut backoff = options.initial_backoff;
    let mut last = String::new();
    for attempt in 1..=attempts {
        let mut wait = backoff;
        match once(&agent, (base, center.trust.kind()), route_path, signer, body) {
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
/// `url` (e.g. `https://center.example:8443`, its certificate checked against the public
/// roots); returns the signed ack's bytes (`changelog::sync::open_ack`). Resumable: send the
/// entries after the last ack's `acceptedThroughSeq`; resending accepted entries is harmless.
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
    push_to(&Endpoint::new(url), signer, bundle_bytes, options)
}

/// [`push_with`] to a center whose certificate is checked with its [`Trust`].
pub fn push_to(
    center: &Endpoint,
    signer: &RequestSigner,
    bundle_bytes: &[u8],
    options: &PushOptions,
) -> Result<Vec<u8>, PushError> {
    let route_path = path(EVENTS_ROUTE, path_segment(signer.kiosk())?);
    with_retries(center, &route_path, signer, Some(bundle_bytes), options)
}

/// Fetches the latest signed ack of the signer's kiosk.
pub fn fetch_ack(url: &str, signer: &RequestSigner, options: &PushOptions) -> Result<Vec<u8>, PushError> {
    fetch_ack_from(&Endpoint::new(url), signer, options)
}

/// [`fetch_ack`] from a center whose certificate is checked with its [`Trust`].
pub fn fetch_ack_from(center: &Endpoint, signer: &RequestSigner, options: &PushOptions) -> Result<Vec<u8>, PushError> {
    let route_path = path(ACK_ROUTE, path_segment(signer.kiosk())?);
    with_retries(center, &route_path, signer, None, options)
}

/// Fetches the signed snapshot (`changelog::sync::open_snapshot`) of a district the
/// signer's kiosk serves.
pub fn fetch_snapshot(
    url: &str,
    signer: &RequestSigner,
    district: &str,
    options: &PushOptions,
) -> Result<Vec<u8>, PushError> {
    fetch_snapshot_from(&Endpoint::new(url), signer, district, options)
}

/// [`fetch_snapshot`] from a center whose certificate is checked with its [`Trust`].
pub fn fetch_snapshot_from(
    center: &Endpoint,
    signer: &RequestSigner,
    district: &str,
    options: &PushOptions,
) -> Result<Vec<u8>, PushError> {
    let route_path = path(SNAPSHOT_ROUTE, path_segment(district)?);
    with_retries(center, &route_path, signer, None, options)
}
