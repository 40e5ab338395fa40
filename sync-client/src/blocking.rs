//! The blocking driver: sends what a [`PushSession`] or an [`Exchange`] asks for over
//! HTTP(S) with ureq, waiting the backoff they ask for first.

use std::time::Duration;

use changelog::request::RequestSigner;

use crate::session::{AckApplied, Event, Exchange, Method, PushError, PushOptions, PushSession, Request, Response};
use crate::tls::{Endpoint, Trust, TrustKind};

/// Largest answer read (answers are bounded by the center).
const MAX_ANSWER_BYTES: u64 = 256 * 1024 * 1024;

/// A connection pool to one center, with its certificate checks and time limit.
#[derive(Debug)]
pub struct Transport {
    agent: ureq::Agent,
    base: String,
    trust: TrustKind,
}

impl Transport {
    /// Checks the URL (`http://` only with the public roots) and sets up the agent.
    pub fn new(center: &Endpoint, options: &PushOptions) -> Result<Transport, PushError> {
        let url = center.url.trim_end_matches('/');
        if url.starts_with("http://") && center.trust != Trust::WebRoots {
            return Err(PushError::TlsRequired { url: url.to_owned() });
        }
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(PushError::Url(format!("{url:?} does not start with http:// or https://")));
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(options.timeout))
            .http_status_as_error(false)
            .tls_config(center.trust.tls_config())
            .build()
            .into();
        Ok(Transport { agent, base: url.to_owned(), trust: center.trust.kind() })
    }

    /// Waits `request.wait`, sends the request and reads the answer in full.
    pub fn send(&self, request: &Request<'_>) -> Response {
        if !request.wait.is_zero() {
            std::thread::sleep(request.wait);
        }
        let url = format!("{}{}", self.base, request.path);
        let result = match (request.method, request.body) {
            (Method::Get, _) => {
                let mut get = self.agent.get(&url);
                for (name, value) in request.headers {
                    get = get.header(*name, value);
                }
                get.call()
            }
            (Method::Post, body) => {
                let mut post = self.agent.post(&url);
                for (name, value) in request.headers {
                    post = post.header(*name, value);
                }
                match body {
                    Some(bytes) => post.send(bytes),
                    None => post.send_empty(),
                }
            }
        };
        let mut response = match result {
            Ok(r) => r,
            Err(e) => {
                return match rejected_certificate(&e) {
                    Some(detail) => Response::TlsRejected { trust: self.trust, detail },
                    None => Response::NoAnswer(e.to_string()),
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
        match response.body_mut().with_config().limit(MAX_ANSWER_BYTES).read_to_vec() {
            Ok(body) => Response::Answer { status, retry_after, body },
            Err(e) => Response::NoAnswer(format!("reading the answer: {e}")),
        }
    }

    /// Runs one exchange to its end.
    pub fn exchange(&self, mut exchange: Exchange) -> Result<Vec<u8>, PushError> {
        loop {
            let response = self.send(&exchange.request());
            if let Some(result) = exchange.on_response(response) {
                return result;
            }
        }
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

/// How a [`run`] ended.
#[derive(Debug)]
pub enum Ending {
    /// Every chunk went that could: the snapshot, or why it could not be fetched.
    Snapshot(Result<Vec<u8>, PushError>),
    /// An upload failed.
    Failed(PushError),
    /// The caller did not apply an ack (`apply_ack` returned `None`).
    Stopped,
}

/// Drives a push session to its end over `transport`. `apply_ack` verifies and applies
/// each chunk's signed ack (`None`: stop here); `progress` is called at the start, when an
/// ack is out and after it is applied (read the session's stage and counts).
pub fn run(
    transport: &Transport,
    session: &mut PushSession,
    apply_ack: &mut dyn FnMut(&PushSession, Vec<u8>) -> Option<AckApplied>,
    progress: &mut dyn FnMut(&PushSession),
) -> Ending {
    progress(session);
    loop {
        let Some(request) = session.next_request() else { return Ending::Stopped };
        let response = transport.send(&request);
        let mut event = session.on_response(response);
        loop {
            match event {
                Event::Continue => break,
                Event::Ack(bytes) => {
                    progress(session);
                    let Some(applied) = apply_ack(session, bytes) else { return Ending::Stopped };
                    event = session.on_ack_applied(applied);
                    if matches!(event, Event::Continue) {
                        progress(session);
                    }
                }
                Event::Snapshot(result) => return Ending::Snapshot(result),
                Event::Failed(e) => return Ending::Failed(e),
            }
        }
    }
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
    let exchange = Exchange::upload(signer, bundle_bytes.to_vec(), options)?;
    Transport::new(center, options)?.exchange(exchange)
}

/// Fetches the latest signed ack of the signer's kiosk.
pub fn fetch_ack(url: &str, signer: &RequestSigner, options: &PushOptions) -> Result<Vec<u8>, PushError> {
    fetch_ack_from(&Endpoint::new(url), signer, options)
}

/// [`fetch_ack`] from a center whose certificate is checked with its [`Trust`].
pub fn fetch_ack_from(center: &Endpoint, signer: &RequestSigner, options: &PushOptions) -> Result<Vec<u8>, PushError> {
    let exchange = Exchange::fetch_ack(signer, options)?;
    Transport::new(center, options)?.exchange(exchange)
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
    let exchange = Exchange::fetch_snapshot(signer, district, options)?;
    Transport::new(center, options)?.exchange(exchange)
}
