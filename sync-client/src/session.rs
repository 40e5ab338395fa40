//! The push, with no IO: what to send next, and what an answer means.
//!
//! An [`Exchange`] is one signed request with its retries: a challenge (`POST`, unsigned)
//! for a fresh nonce, then the request signed over it; a connection failure, a timeout, a
//! 429 or a 5xx starts again from the challenge after a backoff (the center's `Retry-After`
//! when it sends one), until the attempts run out; another 4xx, or a certificate the kiosk
//! does not trust, is final.
//!
//! A [`PushSession`] is a kiosk's whole push: the pending entries in chunks (at most
//! [`CHUNK_ENTRIES`] entries and `MAX_BUNDLE_BYTES` bytes each), each chunk's upload
//! answered by a signed ack that the caller verifies and applies before the session goes on,
//! then the district snapshot. It only says what to send ([`PushSession::next_request`]) and
//! takes what came back ([`PushSession::on_response`], [`PushSession::on_ack_applied`]); the
//! HTTP and the waiting are the driver's ([`crate::blocking`]).

use std::time::Duration;

use changelog::request::{
    ACK_ROUTE, CHALLENGE_ROUTE, ChallengeBody, EVENTS_ROUTE, ErrorBody, OCTET_STREAM, RequestSigner, SNAPSHOT_ROUTE,
    path,
};
use changelog::{Bundle, MAX_BUNDLE_BYTES, SignedEntry};

use crate::tls::TrustKind;

/// Entries per upload request: progress is reported and the ack applied between chunks,
/// so an interrupted upload resumes after the last acknowledged chunk.
pub const CHUNK_ENTRIES: usize = 2_000;

/// How many of `rest` go in the next upload: at most [`CHUNK_ENTRIES`] entries and
/// `MAX_BUNDLE_BYTES` bytes (at least one).
pub fn chunk_len(kiosk_id: &str, rest: &[SignedEntry]) -> usize {
    let mut bytes = 2 + kiosk_id.len();
    let mut take = 0;
    for e in rest.iter().take(CHUNK_ENTRIES) {
        if take > 0 && bytes + e.record_len() > MAX_BUNDLE_BYTES {
            break;
        }
        bytes += e.record_len();
        take += 1;
    }
    take
}

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
    /// The center's certificate did not verify against the kiosk's [`Trust`](crate::Trust)
    /// (final: a retry meets the same certificate).
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

/// The HTTP method of a [`Request`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// What to send next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<'a> {
    /// Wait this long first (the backoff after a failed attempt; zero otherwise).
    pub wait: Duration,
    pub method: Method,
    /// The path after the center's base URL, e.g. `/v1/kiosks/KOK-01/events`.
    pub path: &'a str,
    /// Headers, in order (the content type, then the request's signature).
    pub headers: &'a [(&'static str, String)],
    /// The body; `None`: none (a `GET`, or the challenge's empty `POST`).
    pub body: Option<&'a [u8]>,
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// The center answered (any status), its body read in full.
    Answer { status: u16, retry_after: Option<Duration>, body: Vec<u8> },
    /// No answer: connection refused or reset, timeout, the body could not be read.
    NoAnswer(String),
    /// The center's certificate did not verify against the kiosk's trust (final).
    TlsRejected { trust: TrustKind, detail: String },
}

/// What one attempt came to.
enum Attempt {
    Done(Vec<u8>),
    Final(PushError),
    /// Why, and how long the center asked us to wait.
    Retry(String, Option<Duration>),
}

fn attempt(response: Response) -> Attempt {
    match response {
        Response::NoAnswer(why) => Attempt::Retry(why, None),
        Response::TlsRejected { trust, detail } => Attempt::Final(PushError::TlsRejected { trust, detail }),
        Response::Answer { status: 200, body, .. } => Attempt::Done(body),
        Response::Answer { status, retry_after, body } => {
            let ErrorBody { error } = ErrorBody::parse(&body).unwrap_or_default();
            let (code, message) = (error.code, error.message);
            if status == 429 || status >= 500 {
                Attempt::Retry(format!("HTTP {status} {code} {message}"), retry_after)
            } else {
                Attempt::Final(PushError::Refused { status, code, message })
            }
        }
    }
}

fn path_segment(text: &str) -> Result<&str, PushError> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.') {
        Ok(text)
    } else {
        Err(PushError::Url(format!("{text:?} is not a valid id")))
    }
}

/// One signed request with its retries (no IO): the challenge, then the request.
#[derive(Debug)]
pub struct Exchange {
    signer: RequestSigner,
    options: PushOptions,
    method: Method,
    path: String,
    challenge_path: String,
    body: Option<Vec<u8>>,
    /// The attempt under way (from 1).
    attempt: u32,
    wait: Duration,
    backoff: Duration,
    /// The signed request's headers once the nonce is in; empty while the challenge is due.
    headers: Vec<(&'static str, String)>,
    signed: bool,
}

impl Exchange {
    fn new(signer: &RequestSigner, options: &PushOptions, method: Method, path: String, body: Option<Vec<u8>>) -> Self {
        Exchange {
            challenge_path: changelog::request::path(CHALLENGE_ROUTE, signer.kiosk()),
            signer: signer.clone(),
            options: options.clone(),
            method,
            path,
            body,
            attempt: 1,
            wait: Duration::ZERO,
            backoff: options.initial_backoff,
            headers: Vec::new(),
            signed: false,
        }
    }

    /// `POST` a bundle (`changelog::Bundle::to_bytes`) of the signer's kiosk; answered by the signed ack.
    pub fn upload(signer: &RequestSigner, bundle_bytes: Vec<u8>, options: &PushOptions) -> Result<Self, PushError> {
        let path = path(EVENTS_ROUTE, path_segment(signer.kiosk())?);
        Ok(Exchange::new(signer, options, Method::Post, path, Some(bundle_bytes)))
    }

    /// `GET` the latest signed ack of the signer's kiosk.
    pub fn fetch_ack(signer: &RequestSigner, options: &PushOptions) -> Result<Self, PushError> {
        let path = path(ACK_ROUTE, path_segment(signer.kiosk())?);
        Ok(Exchange::new(signer, options, Method::Get, path, None))
    }

    /// `GET` the signed snapshot of a district the signer's kiosk serves.
    pub fn fetch_snapshot(signer: &RequestSigner, district: &str, options: &PushOptions) -> Result<Self, PushError> {
        let path = path(SNAPSHOT_ROUTE, path_segment(district)?);
        Ok(Exchange::new(signer, options, Method::Get, path, None))
    }

    /// What to send now.
    pub fn request(&self) -> Request<'_> {
        if self.signed {
            Request {
                wait: Duration::ZERO,
                method: self.method,
                path: &self.path,
                headers: &self.headers,
                body: self.body.as_deref(),
            }
        } else {
            Request { wait: self.wait, method: Method::Post, path: &self.challenge_path, headers: &[], body: None }
        }
    }

    /// Takes the answer to [`Exchange::request`]: `None` while there is more to send, else
    /// the answer's body or why the exchange failed.
    pub fn on_response(&mut self, response: Response) -> Option<Result<Vec<u8>, PushError>> {
        let outcome = match attempt(response) {
            Attempt::Done(bytes) if !self.signed => match ChallengeBody::parse(&bytes) {
                Some(ChallengeBody { nonce }) => {
                    let body = self.body.as_deref().unwrap_or_default();
                    let signed = self.signer.sign(self.method.as_str(), &self.path, &nonce, body);
                    self.headers.clear();
                    if self.body.is_some() {
                        self.headers.push(("Content-Type", OCTET_STREAM.to_owned()));
                    }
                    self.headers.extend(signed.headers());
                    self.signed = true;
                    return None;
                }
                None => Attempt::Retry("the center's challenge has no nonce".into(), None),
            },
            other => other,
        };
        match outcome {
            Attempt::Done(bytes) => Some(Ok(bytes)),
            Attempt::Final(e) => Some(Err(e)),
            Attempt::Retry(last, retry_after) => {
                let attempts = self.options.attempts.max(1);
                if self.attempt >= attempts {
                    return Some(Err(PushError::Unreachable { attempts, last }));
                }
                self.wait = retry_after.map_or(self.backoff, |asked| asked.min(self.options.max_backoff));
                self.backoff = (self.backoff * 2).min(self.options.max_backoff);
                self.attempt += 1;
                self.signed = false;
                self.headers.clear();
                None
            }
        }
    }
}

/// What the caller found applying an upload's ack ([`PushSession::on_ack_applied`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckApplied {
    /// The kiosk's acknowledged sequence number went up.
    pub advanced: bool,
    /// The center set some of the kiosk's entries aside.
    pub quarantined: bool,
}

/// Where a push is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Uploading a chunk (its challenge, the upload, their retries).
    Uploading,
    /// The chunk's ack is out: waiting for [`PushSession::on_ack_applied`].
    Applying,
    FetchingSnapshot,
    /// Over: the snapshot came (or could not), or the push failed.
    Over,
}

/// What a response (or an applied ack) means for the caller.
#[derive(Debug)]
pub enum Event {
    /// Nothing for the caller: send [`PushSession::next_request`].
    Continue,
    /// The signed ack of the chunk just uploaded: verify and apply it, then call
    /// [`PushSession::on_ack_applied`] (nothing is sent until then).
    Ack(Vec<u8>),
    /// The push is over: the signed district snapshot, or why it could not be fetched
    /// (the entries are at the center all the same).
    Snapshot(Result<Vec<u8>, PushError>),
    /// The push failed; nothing more is sent.
    Failed(PushError),
}

#[derive(Debug)]
enum State {
    Uploading(Exchange),
    Applying,
    FetchingSnapshot(Exchange),
    Over,
}

/// A kiosk's push, with no IO (see the module's documentation).
#[derive(Debug)]
pub struct PushSession {
    signer: RequestSigner,
    options: PushOptions,
    district: String,
    entries: Vec<SignedEntry>,
    /// Entries before this index are in an upload already.
    next: usize,
    /// Entries of the upload under way.
    in_flight: u64,
    /// Entries whose upload the center answered with an ack.
    sent: u64,
    state: State,
}

impl PushSession {
    /// A push of `entries` (the kiosk's entries after its last ack) by the signer's kiosk,
    /// then a fetch of `district`'s snapshot. With nothing pending one empty bundle still
    /// goes: its ack is the center's contact.
    pub fn new(
        signer: RequestSigner,
        district: &str,
        entries: Vec<SignedEntry>,
        options: &PushOptions,
    ) -> Result<PushSession, PushError> {
        path_segment(signer.kiosk())?;
        let mut session = PushSession {
            signer,
            options: options.clone(),
            district: district.to_owned(),
            entries,
            next: 0,
            in_flight: 0,
            sent: 0,
            state: State::Over,
        };
        session.state = State::Uploading(session.next_upload()?);
        Ok(session)
    }

    fn next_upload(&mut self) -> Result<Exchange, PushError> {
        let rest = &self.entries[self.next..];
        let take = chunk_len(self.signer.kiosk(), rest);
        let bundle = Bundle { kiosk: self.signer.kiosk().to_owned(), entries: rest[..take].to_vec() };
        self.next += take;
        self.in_flight = take as u64;
        Exchange::upload(&self.signer, bundle.to_bytes(), &self.options)
    }

    /// Entries in all.
    pub fn total(&self) -> u64 {
        self.entries.len() as u64
    }

    /// Entries the center acknowledged.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    pub fn stage(&self) -> Stage {
        match self.state {
            State::Uploading(_) => Stage::Uploading,
            State::Applying => Stage::Applying,
            State::FetchingSnapshot(_) => Stage::FetchingSnapshot,
            State::Over => Stage::Over,
        }
    }

    /// What to send now; `None` while an ack is out ([`Event::Ack`]) and once the push is over.
    pub fn next_request(&self) -> Option<Request<'_>> {
        match &self.state {
            State::Uploading(exchange) | State::FetchingSnapshot(exchange) => Some(exchange.request()),
            State::Applying | State::Over => None,
        }
    }

    /// Takes the answer to [`PushSession::next_request`] (an answer when none was asked
    /// for is ignored).
    pub fn on_response(&mut self, response: Response) -> Event {
        match &mut self.state {
            State::Uploading(exchange) => match exchange.on_response(response) {
                None => Event::Continue,
                Some(Ok(ack)) => {
                    self.sent += self.in_flight;
                    self.in_flight = 0;
                    self.state = State::Applying;
                    Event::Ack(ack)
                }
                Some(Err(e)) => {
                    self.state = State::Over;
                    Event::Failed(e)
                }
            },
            State::FetchingSnapshot(exchange) => match exchange.on_response(response) {
                None => Event::Continue,
                Some(result) => {
                    self.state = State::Over;
                    Event::Snapshot(result)
                }
            },
            State::Applying | State::Over => Event::Continue,
        }
    }

    /// The caller applied the ack of [`Event::Ack`]. The next chunk goes only when there is
    /// one, the center set nothing aside and the ack moved the kiosk's acknowledged
    /// sequence number on (else the same entries would go again and again); otherwise the
    /// snapshot is fetched.
    pub fn on_ack_applied(&mut self, applied: AckApplied) -> Event {
        if !matches!(self.state, State::Applying) {
            return Event::Continue;
        }
        let go_on = self.next < self.entries.len() && !applied.quarantined && applied.advanced;
        let next = if go_on {
            self.next_upload().map(State::Uploading)
        } else {
            Exchange::fetch_snapshot(&self.signer, &self.district, &self.options).map(State::FetchingSnapshot)
        };
        match next {
            Ok(state) => {
                self.state = state;
                Event::Continue
            }
            Err(e) => {
                self.state = State::Over;
                if go_on { Event::Failed(e) } else { Event::Snapshot(Err(e)) }
            }
        }
    }
}
