//! The push session's state machine, fed answers by hand (no network).

use std::time::Duration;

use changelog::request::{ChallengeBody, ErrorBody, RequestSigner, SignedRequest, verify_request};
use changelog::{Bundle, EntryBody, FORMAT_VERSION, GENESIS_HASH, KioskKey, Payload, SignedEntry};

use super::*;

const KIOSK: &str = "KOK-01";

fn entries(key: &KioskKey, n: u64) -> Vec<SignedEntry> {
    (1..=n)
        .map(|seq| {
            let body = EntryBody {
                version: FORMAT_VERSION,
                kiosk: KIOSK.into(),
                seq,
                prev_hash: GENESIS_HASH,
                kiosk_time: "2026-03-10T10:00:00+05:00".into(),
                last_contact: None,
                operator: "admin".into(),
                payload: Payload::KeyRotated { public_key: key.public_hex() }.to_json(),
            };
            SignedEntry::sign(&body, key.signing())
        })
        .collect()
}

fn options() -> PushOptions {
    PushOptions {
        attempts: 3,
        initial_backoff: Duration::from_millis(500),
        max_backoff: Duration::from_secs(4),
        timeout: Duration::from_secs(1),
    }
}

fn ok(body: &[u8]) -> Response {
    Response::Answer { status: 200, retry_after: None, body: body.to_vec() }
}

fn challenge(nonce: &str) -> Response {
    ok(ChallengeBody { nonce: nonce.into() }.to_json().as_bytes())
}

fn error(status: u16, code: &str, retry_after: Option<u64>) -> Response {
    Response::Answer {
        status,
        retry_after: retry_after.map(Duration::from_secs),
        body: ErrorBody::new(code, "why").to_json().into_bytes(),
    }
}

fn session(key: &KioskKey, n: u64, district: &str) -> PushSession {
    let signer = RequestSigner::new(key.signing().clone(), KIOSK, n, Vec::new());
    PushSession::new(signer, district, entries(key, n), &options()).unwrap()
}

/// Answers the challenge under way and checks the signed upload that follows: its entries.
fn upload_of(session: &mut PushSession, key: &KioskKey, nonce: &str) -> Vec<u64> {
    let request = session.next_request().unwrap();
    assert_eq!((request.method, request.path, request.body), (Method::Post, "/v1/kiosks/KOK-01/challenge", None));
    assert!(matches!(session.on_response(challenge(nonce)), Event::Continue));
    let request = session.next_request().unwrap();
    assert_eq!(
        (request.method, request.path, request.wait),
        (Method::Post, "/v1/kiosks/KOK-01/events", Duration::ZERO)
    );
    assert_eq!(request.headers[0], ("Content-Type", "application/octet-stream".to_owned()));
    let header = |name: &str| request.headers.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()).unwrap();
    let signed = SignedRequest {
        kiosk: header("kezek-kiosk"),
        nonce: header("kezek-nonce"),
        head: header("kezek-head").parse().unwrap(),
        signature: header("kezek-signature"),
        rotation: None,
    };
    assert_eq!(signed.nonce, nonce);
    let body = request.body.unwrap();
    verify_request(&key.verifying(), "POST", request.path, &signed, body).unwrap();
    let bundle = Bundle::read(body).unwrap().bundle;
    assert_eq!(bundle.kiosk, KIOSK);
    bundle.entries.iter().map(|e| e.body().unwrap().seq).collect()
}

fn expect_ack(event: Event, expected: &[u8]) {
    match event {
        Event::Ack(bytes) => assert_eq!(bytes, expected),
        other => panic!("expected an ack, got {other:?}"),
    }
}

/// Answers the challenge under way and checks that the snapshot fetch follows.
fn expect_snapshot_fetch(session: &mut PushSession) {
    assert_eq!(session.stage(), Stage::FetchingSnapshot);
    assert!(matches!(session.on_response(challenge("n9")), Event::Continue));
    let request = session.next_request().unwrap();
    assert_eq!((request.method, request.path, request.body), (Method::Get, "/v1/districts/KOK/snapshot", None));
    assert!(request.headers.iter().all(|(name, _)| *name != "Content-Type"));
    match session.on_response(ok(b"snapshot")) {
        Event::Snapshot(Ok(bytes)) => assert_eq!(bytes, b"snapshot"),
        other => panic!("expected the snapshot, got {other:?}"),
    }
    assert_eq!(session.stage(), Stage::Over);
    assert!(session.next_request().is_none());
}

const GOES_ON: AckApplied = AckApplied { advanced: true, quarantined: false };

#[test]
fn chunks_go_one_after_the_other_while_the_acks_advance() {
    let key = KioskKey::generate().unwrap();
    let mut session = session(&key, CHUNK_ENTRIES as u64 + 1, "KOK");
    assert_eq!((session.total(), session.sent(), session.stage()), (2001, 0, Stage::Uploading));
    let first = upload_of(&mut session, &key, "n1");
    assert_eq!((first.len(), first.first(), first.last()), (CHUNK_ENTRIES, Some(&1), Some(&2000)));
    expect_ack(session.on_response(ok(b"ack-1")), b"ack-1");
    assert_eq!((session.sent(), session.stage()), (2000, Stage::Applying));
    // Nothing is sent while the ack is being applied.
    assert!(session.next_request().is_none());
    // The ack advanced, nothing was set aside, one entry is left: it goes.
    assert!(matches!(session.on_ack_applied(GOES_ON), Event::Continue));
    assert_eq!(session.stage(), Stage::Uploading);
    assert_eq!(upload_of(&mut session, &key, "n2"), vec![2001]);
    expect_ack(session.on_response(ok(b"ack-2")), b"ack-2");
    assert_eq!(session.sent(), 2001);
    // The last chunk: the snapshot next, however the ack went.
    assert!(matches!(session.on_ack_applied(GOES_ON), Event::Continue));
    expect_snapshot_fetch(&mut session);
}

#[test]
fn a_quarantine_or_an_ack_that_does_not_advance_stops_the_upload() {
    let key = KioskKey::generate().unwrap();
    for applied in
        [AckApplied { advanced: true, quarantined: true }, AckApplied { advanced: false, quarantined: false }]
    {
        let mut session = session(&key, CHUNK_ENTRIES as u64 + 1, "KOK");
        upload_of(&mut session, &key, "n1");
        expect_ack(session.on_response(ok(b"ack")), b"ack");
        assert!(matches!(session.on_ack_applied(applied), Event::Continue));
        expect_snapshot_fetch(&mut session);
        assert_eq!(session.sent(), CHUNK_ENTRIES as u64, "{applied:?}");
    }
}

#[test]
fn with_nothing_pending_one_empty_bundle_goes() {
    let key = KioskKey::generate().unwrap();
    let mut session = session(&key, 0, "KOK");
    assert_eq!(upload_of(&mut session, &key, "n1"), Vec::<u64>::new());
    expect_ack(session.on_response(ok(b"ack")), b"ack");
    assert!(matches!(session.on_ack_applied(GOES_ON), Event::Continue));
    expect_snapshot_fetch(&mut session);
}

#[test]
fn failed_attempts_are_retried_from_the_challenge_after_a_backoff() {
    let key = KioskKey::generate().unwrap();
    let mut session = session(&key, 3, "KOK");
    // The center is busy and asks for 2 s; then no answer at all.
    assert!(matches!(session.on_response(error(503, "BUSY", Some(2))), Event::Continue));
    let request = session.next_request().unwrap();
    assert_eq!((request.path, request.wait), ("/v1/kiosks/KOK-01/challenge", Duration::from_secs(2)));
    assert!(matches!(session.on_response(Response::NoAnswer("connection refused".into())), Event::Continue));
    // The backoff doubled once already (500 ms → 1 s).
    assert_eq!(session.next_request().unwrap().wait, Duration::from_secs(1));
    // The third attempt gets through: a fresh challenge, a fresh signature.
    assert_eq!(upload_of(&mut session, &key, "n3"), vec![1, 2, 3]);
    expect_ack(session.on_response(ok(b"ack")), b"ack");
    assert!(matches!(session.on_ack_applied(GOES_ON), Event::Continue));
    expect_snapshot_fetch(&mut session);
}

#[test]
fn an_upload_that_keeps_failing_fails_the_push() {
    let key = KioskKey::generate().unwrap();
    let mut session = session(&key, 3, "KOK");
    upload_of(&mut session, &key, "n1");
    assert!(matches!(session.on_response(error(500, "INTERNAL", None)), Event::Continue));
    upload_of(&mut session, &key, "n2");
    assert!(matches!(session.on_response(error(429, "THROTTLED", Some(60))), Event::Continue));
    // Retry-After is capped by the longest backoff.
    assert_eq!(session.next_request().unwrap().wait, Duration::from_secs(4));
    upload_of(&mut session, &key, "n3");
    match session.on_response(Response::NoAnswer("timed out".into())) {
        Event::Failed(PushError::Unreachable { attempts: 3, last }) => assert_eq!(last, "timed out"),
        other => panic!("expected unreachable, got {other:?}"),
    }
    assert_eq!((session.stage(), session.sent()), (Stage::Over, 0));
    assert!(session.next_request().is_none());
}

#[test]
fn a_refusal_or_an_untrusted_certificate_is_final() {
    let key = KioskKey::generate().unwrap();
    let mut session = session(&key, 3, "KOK");
    upload_of(&mut session, &key, "n1");
    match session.on_response(error(409, "CHAIN_BROKEN", None)) {
        Event::Failed(PushError::Refused { status: 409, code, message }) => {
            assert_eq!((code.as_str(), message.as_str()), ("CHAIN_BROKEN", "why"));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(session.next_request().is_none());

    let mut session = self::session(&key, 3, "KOK");
    let rejected = Response::TlsRejected { trust: TrustKind::Pinned, detail: "UnknownIssuer".into() };
    assert!(matches!(
        session.on_response(rejected),
        Event::Failed(PushError::TlsRejected { trust: TrustKind::Pinned, .. })
    ));
    // An error answer that is not JSON (a proxy's page): no code, no message.
    let mut session = self::session(&key, 3, "KOK");
    let page = Response::Answer { status: 404, retry_after: None, body: b"<html>".to_vec() };
    assert!(matches!(
        session.on_response(page),
        Event::Failed(PushError::Refused { status: 404, code, message }) if code.is_empty() && message.is_empty()
    ));
}

#[test]
fn a_challenge_without_a_nonce_is_retried() {
    let key = KioskKey::generate().unwrap();
    let mut session = session(&key, 1, "KOK");
    assert!(matches!(session.on_response(ok(b"{}")), Event::Continue));
    let request = session.next_request().unwrap();
    assert_eq!((request.path, request.wait), ("/v1/kiosks/KOK-01/challenge", Duration::from_millis(500)));
}

#[test]
fn a_failed_snapshot_ends_the_push_without_failing_it() {
    let key = KioskKey::generate().unwrap();
    let mut session = session(&key, 1, "KOK");
    upload_of(&mut session, &key, "n1");
    expect_ack(session.on_response(ok(b"ack")), b"ack");
    assert!(matches!(session.on_ack_applied(GOES_ON), Event::Continue));
    assert!(matches!(session.on_response(challenge("n2")), Event::Continue));
    assert!(matches!(
        session.on_response(error(403, "NOT_YOUR_DISTRICT", None)),
        Event::Snapshot(Err(PushError::Refused { status: 403, .. }))
    ));
    assert_eq!((session.stage(), session.sent()), (Stage::Over, 1));
}

#[test]
fn bad_ids_are_refused_before_anything_is_sent() {
    let key = KioskKey::generate().unwrap();
    let signer = RequestSigner::new(key.signing().clone(), "KOK/01", 0, Vec::new());
    assert!(matches!(PushSession::new(signer, "KOK", Vec::new(), &options()), Err(PushError::Url(_))));
    let mut session = session(&key, 1, "KOK/../x");
    upload_of(&mut session, &key, "n1");
    expect_ack(session.on_response(ok(b"ack")), b"ack");
    assert!(matches!(session.on_ack_applied(GOES_ON), Event::Snapshot(Err(PushError::Url(_)))));
    assert!(session.next_request().is_none());
}
