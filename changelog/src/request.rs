//! The kiosk ↔ center HTTP protocol: paths, headers and request signatures, with no IO, so
//! that the center (server) and the kiosk (client) share one definition.
//!
//! Every kiosk request is signed by the kiosk's current key over
//! [`request_message`]: a domain tag, the method, the path, the kiosk id, a single-use nonce
//! the center handed out ([`CHALLENGE_ROUTE`]), the kiosk's own log head and the SHA-256
//! of the body. The center checks that signature right after reading the (size- and
//! time-limited) body and before it inflates, decodes or verifies anything in it, so a
//! forged request costs it one signature check; a replayed one finds its nonce spent.
//!
//! A kiosk that rotated its key since the center last saw its log signs with the new key
//! and sends the `keyRotated` entries (framed, signed by the key before each) in
//! [`HEADER_ROTATION`], so the center can follow the rotation with one more check per entry.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::{Payload, SignedEntry, public_key_from_hex};

/// `POST`: a change-log bundle (`application/octet-stream`); answers the signed ack.
pub const EVENTS_ROUTE: &str = "/v1/kiosks/{id}/events";
/// `GET`: the latest signed ack of the kiosk.
pub const ACK_ROUTE: &str = "/v1/kiosks/{id}/ack";
/// `POST` (empty body, unsigned): a fresh single-use nonce for the kiosk's next request.
pub const CHALLENGE_ROUTE: &str = "/v1/kiosks/{id}/challenge";
/// `GET`: the signed snapshot of a district the kiosk serves.
pub const SNAPSHOT_ROUTE: &str = "/v1/districts/{code}/snapshot";
/// `GET`: liveness and a few counters (no authentication, no personal data).
pub const HEALTH_ROUTE: &str = "/v1/health";

/// The bundle content type.
pub const OCTET_STREAM: &str = "application/octet-stream";
/// The content type of the challenge's answer and of every error answer.
pub const JSON: &str = "application/json";

/// The body of every error answer: `{"error":{"code":…,"message":…}}` (a missing field
/// reads as empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// [`ErrorBody`]'s inside: a stable code (`UNAUTHENTICATED`, …) and a message for people.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ErrorDetail {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
}

impl ErrorBody {
    pub fn new(code: &str, message: &str) -> ErrorBody {
        ErrorBody { error: ErrorDetail { code: code.to_owned(), message: message.to_owned() } }
    }

    /// The JSON text sent.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an error body serializes")
    }

    /// Reads an error answer; `None` when it is not one (e.g. a proxy's HTML page).
    pub fn parse(bytes: &[u8]) -> Option<ErrorBody> {
        serde_json::from_slice(bytes).ok()
    }
}

/// The answer to [`CHALLENGE_ROUTE`]: `{"nonce":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChallengeBody {
    pub nonce: String,
}

impl ChallengeBody {
    /// The JSON text sent.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a challenge serializes")
    }

    /// The nonce of a challenge answer, if it has one.
    pub fn parse(bytes: &[u8]) -> Option<ChallengeBody> {
        serde_json::from_slice(bytes).ok()
    }
}

/// The requesting kiosk's id.
pub const HEADER_KIOSK: &str = "kezek-kiosk";
/// The nonce from [`CHALLENGE_ROUTE`], hex.
pub const HEADER_NONCE: &str = "kezek-nonce";
/// The last sequence number of the kiosk's own log when it sent the request.
pub const HEADER_HEAD: &str = "kezek-head";
/// Ed25519 signature over [`request_message`], hex.
pub const HEADER_SIGNATURE: &str = "kezek-signature";
/// `keyRotated` entries the center may not know yet: hex of framed entries, comma-separated.
pub const HEADER_ROTATION: &str = "kezek-key-rotation";

/// Most `keyRotated` entries one request may carry in [`HEADER_ROTATION`].
pub const MAX_ROTATIONS_PER_REQUEST: usize = 4;
/// Nonce length in bytes.
pub const NONCE_BYTES: usize = 32;

const DOMAIN: &[u8] = b"kezek-request-v1";

/// A kiosk's path: `route` with `{id}` (or `{code}`) replaced.
pub fn path(route: &str, id: &str) -> String {
    route.replace("{id}", id).replace("{code}", id)
}

/// What a request signature covers. Fields are length-prefixed, so no two different
/// requests share a message.
pub fn request_message(method: &str, path: &str, kiosk: &str, nonce: &str, head: u64, body: &[u8]) -> Vec<u8> {
    let body_hash = Sha256::digest(body);
    let mut out = Vec::with_capacity(DOMAIN.len() + method.len() + path.len() + kiosk.len() + nonce.len() + 80);
    for field in [DOMAIN, method.as_bytes(), path.as_bytes(), kiosk.as_bytes(), nonce.as_bytes()] {
        out.extend_from_slice(&u32::try_from(field.len()).unwrap_or(u32::MAX).to_le_bytes());
        out.extend_from_slice(field);
    }
    out.extend_from_slice(&head.to_le_bytes());
    out.extend_from_slice(&body_hash);
    out
}

/// What a request signature is about, besides the body.
#[derive(Debug, Clone, Copy)]
pub struct RequestLine<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub kiosk: &'a str,
    pub nonce: &'a str,
    pub head: u64,
}

/// The headers a kiosk sends with a request (besides the content type).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedRequest {
    pub kiosk: String,
    pub nonce: String,
    pub head: u64,
    pub signature: String,
    /// [`HEADER_ROTATION`]'s value, when the kiosk rotated its key since its last ack.
    pub rotation: Option<String>,
}

impl SignedRequest {
    /// Signs a request with the kiosk's current key.
    pub fn sign(key: &SigningKey, line: &RequestLine<'_>, body: &[u8], rotations: &[SignedEntry]) -> SignedRequest {
        let RequestLine { method, path, kiosk, nonce, head } = *line;
        let signature = key.sign(&request_message(method, path, kiosk, nonce, head, body));
        let rotation = (!rotations.is_empty()).then(|| {
            rotations
                .iter()
                .map(|entry| {
                    let mut framed = Vec::with_capacity(entry.record_len());
                    entry.write_record(&mut framed);
                    hex::encode(framed)
                })
                .collect::<Vec<_>>()
                .join(",")
        });
        SignedRequest {
            kiosk: kiosk.to_owned(),
            nonce: nonce.to_owned(),
            head,
            signature: hex::encode(signature.to_bytes()),
            rotation,
        }
    }

    /// The header pairs to send.
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            (HEADER_KIOSK, self.kiosk.clone()),
            (HEADER_NONCE, self.nonce.clone()),
            (HEADER_HEAD, self.head.to_string()),
            (HEADER_SIGNATURE, self.signature.clone()),
        ];
        if let Some(rotation) = &self.rotation {
            out.push((HEADER_ROTATION, rotation.clone()));
        }
        out
    }
}

/// What a kiosk needs to sign its requests; cheap to clone into a worker thread.
#[derive(Clone)]
pub struct RequestSigner {
    key: SigningKey,
    kiosk: String,
    head: u64,
    rotations: Vec<SignedEntry>,
}

impl std::fmt::Debug for RequestSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestSigner").field("kiosk", &self.kiosk).field("head", &self.head).finish_non_exhaustive()
    }
}

impl RequestSigner {
    /// `key` is the kiosk's current key, `head` the last sequence number of its log, and
    /// `rotations` its `keyRotated` entries the center may not have yet (after the last ack).
    pub fn new(key: SigningKey, kiosk: &str, head: u64, rotations: Vec<SignedEntry>) -> RequestSigner {
        let mut rotations = rotations;
        let keep = rotations.len().saturating_sub(MAX_ROTATIONS_PER_REQUEST);
        rotations.drain(..keep);
        RequestSigner { key, kiosk: kiosk.to_owned(), head, rotations }
    }

    pub fn kiosk(&self) -> &str {
        &self.kiosk
    }

    /// Signs one request with a nonce from the center.
    pub fn sign(&self, method: &str, path: &str, nonce: &str, body: &[u8]) -> SignedRequest {
        let line = RequestLine { method, path, kiosk: &self.kiosk, nonce, head: self.head };
        SignedRequest::sign(&self.key, &line, body, &self.rotations)
    }
}

/// Why a request's signature was not accepted (all answered `401 UNAUTHENTICATED`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestAuthError {
    #[error("header {0} is missing or malformed")]
    Header(&'static str),
    #[error("the request signature does not verify against the kiosk's key")]
    BadSignature,
    #[error("the key rotation in the request does not follow from the kiosk's key: {0}")]
    BadRotation(String),
}

/// Parses a hex signature header.
fn parse_signature(text: &str) -> Result<Signature, RequestAuthError> {
    let bytes: [u8; 64] =
        hex::decode(text).ok().and_then(|b| b.try_into().ok()).ok_or(RequestAuthError::Header(HEADER_SIGNATURE))?;
    Ok(Signature::from_bytes(&bytes))
}

/// Follows the `keyRotated` entries of [`HEADER_ROTATION`] from `known` (the key the center
/// holds for the kiosk): each must be the kiosk's, after `accepted_head`, signed by the key
/// before it, and name a strong key. Returns the last key. At most
/// [`MAX_ROTATIONS_PER_REQUEST`] entries, each one signature check.
pub fn follow_rotations(
    header: &str,
    kiosk: &str,
    accepted_head: u64,
    known: VerifyingKey,
) -> Result<VerifyingKey, RequestAuthError> {
    let parts: Vec<&str> = header.split(',').collect();
    if parts.len() > MAX_ROTATIONS_PER_REQUEST {
        return Err(RequestAuthError::BadRotation(format!("more than {MAX_ROTATIONS_PER_REQUEST} rotations")));
    }
    let mut key = known;
    let mut after = accepted_head;
    for part in parts {
        if part.len() > 2 * (crate::MAX_ENTRY_BYTES as usize + 72) {
            return Err(RequestAuthError::BadRotation("entry too long".into()));
        }
        let bytes = hex::decode(part).map_err(|_| RequestAuthError::BadRotation("not hex".into()))?;
        let (entry, used) =
            SignedEntry::read_record(&bytes).map_err(|e| RequestAuthError::BadRotation(e.to_string()))?;
        if used != bytes.len() {
            return Err(RequestAuthError::BadRotation("bytes after the entry".into()));
        }
        if !entry.verify(&key) {
            return Err(RequestAuthError::BadRotation("not signed by the key before it".into()));
        }
        let body = entry.body().map_err(|e| RequestAuthError::BadRotation(e.to_string()))?;
        if body.kiosk != kiosk || body.seq <= after {
            return Err(RequestAuthError::BadRotation("not an entry of this kiosk after its accepted head".into()));
        }
        let Ok(Payload::KeyRotated { public_key }) = body.payload() else {
            return Err(RequestAuthError::BadRotation("not a keyRotated entry".into()));
        };
        let next = public_key_from_hex(&public_key).map_err(|e| RequestAuthError::BadRotation(e.to_string()))?;
        if next.is_weak() {
            return Err(RequestAuthError::BadRotation("weak key".into()));
        }
        key = next;
        after = body.seq;
    }
    Ok(key)
}

/// Checks a request's signature against `key`.
pub fn verify_request(
    key: &VerifyingKey,
    method: &str,
    path: &str,
    request: &SignedRequest,
    body: &[u8],
) -> Result<(), RequestAuthError> {
    let signature = parse_signature(&request.signature)?;
    let message = request_message(method, path, &request.kiosk, &request.nonce, request.head, body);
    key.verify(&message, &signature).map_err(|_| RequestAuthError::BadSignature)
}

/// A fresh random nonce, hex.
pub fn new_nonce() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; NONCE_BYTES];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EntryBody, FORMAT_VERSION, GENESIS_HASH, KioskKey};

    fn signed(key: &KioskKey, body: &[u8]) -> SignedRequest {
        let line = RequestLine { method: "POST", path: "/v1/kiosks/K/events", kiosk: "K", nonce: "ab", head: 3 };
        SignedRequest::sign(key.signing(), &line, body, &[])
    }

    #[test]
    fn a_signature_covers_every_field() {
        let key = KioskKey::generate().unwrap();
        let request = signed(&key, b"body");
        let v = key.verifying();
        assert_eq!(verify_request(&v, "POST", "/v1/kiosks/K/events", &request, b"body"), Ok(()));
        assert!(verify_request(&v, "GET", "/v1/kiosks/K/events", &request, b"body").is_err());
        assert!(verify_request(&v, "POST", "/v1/kiosks/K/ack", &request, b"body").is_err());
        assert!(verify_request(&v, "POST", "/v1/kiosks/K/events", &request, b"bodY").is_err());
        for changed in [
            SignedRequest { kiosk: "K2".into(), ..request.clone() },
            SignedRequest { nonce: "ac".into(), ..request.clone() },
            SignedRequest { head: 4, ..request.clone() },
            SignedRequest { signature: "00".repeat(64), ..request.clone() },
            SignedRequest { signature: "zz".into(), ..request.clone() },
        ] {
            assert!(verify_request(&v, "POST", "/v1/kiosks/K/events", &changed, b"body").is_err());
        }
        let other = KioskKey::generate().unwrap();
        assert!(verify_request(&other.verifying(), "POST", "/v1/kiosks/K/events", &request, b"body").is_err());
    }

    #[test]
    fn error_and_challenge_bodies_keep_their_json_shape() {
        let text = ErrorBody::new("UNAUTHENTICATED", "no").to_json();
        assert_eq!(text, r#"{"error":{"code":"UNAUTHENTICATED","message":"no"}}"#);
        assert_eq!(ErrorBody::parse(text.as_bytes()), Some(ErrorBody::new("UNAUTHENTICATED", "no")));
        assert_eq!(ErrorBody::parse(br#"{"error":{"code":"X"}}"#), Some(ErrorBody::new("X", "")));
        assert_eq!(ErrorBody::parse(b"<html>"), None);
        let challenge = ChallengeBody { nonce: "ab".into() };
        assert_eq!(challenge.to_json(), r#"{"nonce":"ab"}"#);
        assert_eq!(ChallengeBody::parse(br#"{"nonce":"ab"}"#), Some(challenge));
        assert_eq!(ChallengeBody::parse(br#"{"other":1}"#), None);
    }

    #[test]
    fn length_prefixes_keep_fields_apart() {
        assert_ne!(request_message("GET", "/ab", "c", "n", 1, b""), request_message("GET", "/a", "bc", "n", 1, b""));
    }

    fn rotation(old: &KioskKey, new: &KioskKey, kiosk: &str, seq: u64) -> SignedEntry {
        let body = EntryBody {
            version: FORMAT_VERSION,
            kiosk: kiosk.into(),
            seq,
            prev_hash: GENESIS_HASH,
            kiosk_time: "2026-03-10T10:00:00+05:00".into(),
            last_contact: None,
            operator: "admin".into(),
            payload: Payload::KeyRotated { public_key: new.public_hex() }.to_json(),
        };
        SignedEntry::sign(&body, old.signing())
    }

    #[test]
    fn rotations_are_followed_only_from_the_known_key() {
        let (k0, k1, k2) =
            (KioskKey::generate().unwrap(), KioskKey::generate().unwrap(), KioskKey::generate().unwrap());
        let line = RequestLine { method: "GET", path: "/p", kiosk: "K", nonce: "n", head: 9 };
        let rotations = [rotation(&k0, &k1, "K", 5), rotation(&k1, &k2, "K", 7)];
        let header = SignedRequest::sign(k2.signing(), &line, b"", &rotations);
        let chain = header.rotation.clone().unwrap();
        assert_eq!(follow_rotations(&chain, "K", 4, k0.verifying()), Ok(k2.verifying()));
        // Not from the key the center holds, already accepted, or another kiosk's.
        assert!(follow_rotations(&chain, "K", 4, k1.verifying()).is_err());
        assert!(follow_rotations(&chain, "K", 5, k0.verifying()).is_err());
        assert!(follow_rotations(&chain, "L", 4, k0.verifying()).is_err());
        assert!(follow_rotations("zz", "K", 4, k0.verifying()).is_err());
        let five = [chain.split(',').next().unwrap(); 5].join(",");
        assert!(follow_rotations(&five, "K", 4, k0.verifying()).is_err());
    }
}
