//! Fuzz target of the center's HTTP body path: `POST /v1/kiosks/{id}/events` with mutated
//! bundles, odd kiosk ids and content types, through the axum router in-process
//! (`tower::ServiceExt::oneshot`, the same router `kezek-center serve` runs).
//! Every request is signed as kiosk K1 would sign it (a fresh nonce from the challenge
//! route, the key the center holds for K1), so the mutated bodies reach the body checks.
//! Properties: no panic and no 5xx; every refusal is a JSON error whose code matches its
//! status; every 200 is an ack signed by the center for that kiosk; whatever was accepted
//! is a prefix of the kiosk's real chain (no damaged or forged entry is ever accepted);
//! the server still answers `GET /v1/health` afterwards.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use center::http::{App, MAX_BODY_BYTES, router};
use changelog::sync::open_ack;
use common::*;
use fuzz::{config, corpus, maybe_write_corpus, mutated};
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use tower::ServiceExt;

struct Target {
    router: axum::Router,
    runtime: tokio::runtime::Runtime,
    center_key: changelog::VerifyingKey,
    app: App,
}

impl Target {
    fn new(center: center::Center) -> Self {
        let center_key = center.public_key();
        let app = App::new(center, Arc::new(|| at(NOW)));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        Target { router: router(app.clone()), runtime, center_key, app }
    }

    /// K1's signer with the key the center holds for it now (the chain rotates it).
    fn signer(&self) -> changelog::request::RequestSigner {
        let held = self.app.center.lock().unwrap().kiosk_auth()[KIOSK].key;
        let key = [kiosk_key(), rotated_key()].into_iter().find(|k| k.verifying() == held).unwrap();
        changelog::request::RequestSigner::new(key.signing().clone(), KIOSK, 100, Vec::new())
    }

    /// A signed request of K1 for `path` (a nonce from the challenge route first).
    fn signed(&self, method: &str, path: &str, body: &[u8]) -> axum::http::request::Builder {
        let (_, answer) =
            self.send(Request::post(format!("/v1/kiosks/{KIOSK}/challenge")).body(Body::empty()).unwrap());
        let nonce: serde_json::Value = serde_json::from_slice(&answer).unwrap();
        let signed = self.signer().sign(method, path, nonce["nonce"].as_str().unwrap(), body);
        let mut request = Request::builder().method(method).uri(path);
        for (name, value) in signed.headers() {
            request = request.header(name, value);
        }
        request
    }

    fn send(&self, request: Request<Body>) -> (StatusCode, Vec<u8>) {
        self.runtime.block_on(async {
            let response = self.router.clone().oneshot(request).await.unwrap();
            let status = response.status();
            (status, axum::body::to_bytes(response.into_body(), 64 << 20).await.unwrap().to_vec())
        })
    }

    fn post(&self, path_id: &str, content_type: Option<&str>, body: Vec<u8>) -> (StatusCode, Vec<u8>) {
        let path = format!("/v1/kiosks/{path_id}/events");
        let mut request = self.signed("POST", &path, &body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        self.send(request.body(Body::from(body)).unwrap())
    }

    fn health(&self) -> StatusCode {
        self.send(Request::get("/v1/health").body(Body::empty()).unwrap()).0
    }
}

/// Checks one answer: the status is one the API documents for bad input, the error code
/// matches it, and a 200 is a valid ack.
/// (Only K1 is registered, so only K1, however its id is spelled in the path, gets one.)
fn check_answer(target: &Target, status: StatusCode, body: &[u8]) {
    if status == StatusCode::OK {
        let ack = open_ack(body, &target.center_key).unwrap();
        assert_eq!(ack.kiosk, KIOSK);
        return;
    }
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_else(|_| panic!("{status}: not JSON"));
    let code = json["error"]["code"].as_str().unwrap_or_else(|| panic!("{status}: no code in {json}"));
    assert!(!json["error"]["message"].as_str().unwrap().is_empty());
    let expected: &[&str] = match status.as_u16() {
        400 => &["BAD_BUNDLE", "KIOSK_MISMATCH", "BAD_BODY", "BAD_PATH"],
        401 => &["UNAUTHENTICATED"],
        403 => &["UNKNOWN_KIOSK", "REVOKED_KIOSK"],
        404 => &["NOT_FOUND"],
        413 => &["PAYLOAD_TOO_LARGE"],
        415 => &["UNSUPPORTED_MEDIA_TYPE"],
        other => panic!("status {other} ({code}) for bad input"),
    };
    assert!(expected.contains(&code), "{status} with {code}");
}

/// What the center accepted from K1 is a prefix of the real chain.
fn check_accepted_prefix(target: &Target) {
    let path = format!("/v1/kiosks/{KIOSK}/ack");
    let (status, body) = target.send(target.signed("GET", &path, &[]).body(Body::empty()).unwrap());
    assert_eq!(status, StatusCode::OK);
    let ack = open_ack(&body, &target.center_key).unwrap();
    let entries = chain();
    let seq = usize::try_from(ack.accepted_through_seq).unwrap();
    assert!(seq <= entries.len());
    if seq > 0 {
        assert_eq!(ack.head_hash, hex::encode(entries[seq - 1].hash()), "accepted a foreign entry at {seq}");
    }
    assert_eq!(target.health(), StatusCode::OK);
}

/// Path segments: the real id, another registered-nowhere id, and hostile ones.
fn path_id() -> impl Strategy<Value = String> {
    let percent = proptest::collection::vec(any::<u8>(), 0..40).prop_map(|bytes| {
        let mut out = String::new();
        for pair in hex::encode_upper(bytes).as_bytes().chunks(2) {
            out.push('%');
            out.push_str(std::str::from_utf8(pair).unwrap());
        }
        out
    });
    prop_oneof![
        12 => Just(KIOSK.to_owned()),
        1 => Just("K2".to_owned()),
        1 => Just("..%2F..%2Fetc%2Fpasswd".to_owned()),
        1 => Just("K1%00".to_owned()),
        1 => Just("A".repeat(20_000)),
        1 => percent,
    ]
}

fn content_type() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        12 => Just(Some("application/octet-stream".to_owned())),
        1 => Just(Some("Application/Octet-Stream; charset=binary".to_owned())),
        1 => Just(Some("application/json".to_owned())),
        1 => Just(Some("text/plain; charset=utf-8".to_owned())),
        1 => Just(Some(String::new())),
        1 => Just(None),
        1 => "[ -~]{0,40}".prop_map(Some),
    ]
}

/// The contents of a bundle (after its 5-byte header), if it inflates.
fn inflate(bundle: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut raw = Vec::new();
    flate2::read::DeflateDecoder::new(bundle.get(5..)?).read_to_end(&mut raw).ok()?;
    Some(raw)
}

fn deflate(raw: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::DeflateEncoder::new(b"KZKB\x01".to_vec(), flate2::Compression::fast());
    encoder.write_all(raw).unwrap();
    encoder.finish().unwrap()
}

fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let entries = chain();
    vec![
        ("bundle-all.kzb", bundle(&entries)),
        ("bundle-first-three.kzb", bundle(&entries[..3])),
        ("bundle-after-three.kzb", bundle(&entries[3..])),
    ]
}

#[test]
fn the_corpus_replays_and_the_server_keeps_serving() {
    let seeds = seeds();
    maybe_write_corpus("center_http", &seeds);
    let (_dir, center) = common::center();
    let target = Target::new(center);
    let files = corpus("center_http");
    assert!(files.len() >= seeds.len());
    for (name, bytes) in files {
        let (status, body) = target.post(KIOSK, Some("application/octet-stream"), bytes);
        check_answer(&target, status, &body);
        eprintln!("corpus center_http/{name}: {status}");
    }
    check_accepted_prefix(&target);
}

#[test]
fn mutated_uploads_are_refused_cleanly_and_forgeries_never_accepted() {
    let (_dir, center) = common::center();
    let target = Target::new(center);
    let seeds: Vec<Vec<u8>> = corpus("center_http").into_iter().map(|(_, b)| b).collect();
    // Mutating the inflated contents reaches the entry checks; mutating the compressed
    // bytes mostly tests the inflater.
    let contents: Vec<Vec<u8>> = seeds.iter().filter_map(|b| inflate(b)).collect();
    let bodies = prop_oneof![mutated(seeds), mutated(contents).prop_map(|raw| deflate(&raw))];
    let mut runner = TestRunner::new(config(64));
    let strategy = (path_id(), content_type(), bodies);
    runner
        .run(&strategy, |(id, content_type, body)| {
            let (status, answer) = target.post(&id, content_type.as_deref(), body);
            check_answer(&target, status, &answer);
            Ok(())
        })
        .unwrap();
    check_accepted_prefix(&target);
    // The real chain still goes through after all that.
    let (status, body) = target.post(KIOSK, Some("application/octet-stream"), bundle(&chain()));
    check_answer(&target, status, &body);
    check_accepted_prefix(&target);
}

#[test]
fn an_oversized_body_is_413_and_the_router_keeps_serving() {
    let (_dir, center) = common::center();
    let target = Target::new(center);
    let (status, body) = target.post(KIOSK, Some("application/octet-stream"), vec![0; MAX_BODY_BYTES + 1]);
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    check_answer(&target, status, &body);
    assert_eq!(target.health(), StatusCode::OK);
}
