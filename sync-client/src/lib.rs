//! Kezek's kiosk-side sync client: a kiosk pushes its signed change log to the center and
//! fetches the signed ack and its district's snapshot. Every request is signed by the kiosk
//! ([`RequestSigner`](changelog::request::RequestSigner)) over a single-use nonce the center
//! hands out first; the paths, headers and JSON shapes are `changelog::request`'s, which
//! the center's router uses too.
//!
//! - [`session`]: the push with no IO ([`PushSession`], [`Exchange`]): what to send next,
//!   what an answer means, the retries and the chunks;
//! - [`blocking`]: the driver that does the HTTP (ureq) and the one-call helpers;
//! - [`tls`]: which certificates an `https://` center may present ([`Trust`]).
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let key = changelog::KioskKey::generate()?;
//! let signer = changelog::request::RequestSigner::new(key.signing().clone(), "KOK-01", 0, Vec::new());
//! let bundle_bytes: Vec<u8> = Vec::new(); // changelog::Bundle::to_bytes()
//! let ack_bytes = sync_client::push("http://127.0.0.1:8080", &signer, &bundle_bytes)?;
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

pub mod blocking;
pub mod session;
pub mod tls;

pub use blocking::{
    Ending, Transport, fetch_ack, fetch_ack_from, fetch_snapshot, fetch_snapshot_from, push, push_to, push_with, run,
};
pub use session::{
    AckApplied, CHUNK_ENTRIES, Event, Exchange, Method, PushError, PushOptions, PushSession, Request, Response, Stage,
    chunk_len,
};
pub use tls::{Endpoint, Trust, TrustKind};

#[cfg(test)]
mod tests;
