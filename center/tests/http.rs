//! The HTTP API for real, on 127.0.0.1 with an ephemeral port.
#![allow(clippy::unwrap_used, clippy::type_complexity, clippy::too_many_lines)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use center::client::{PushError, PushOptions, fetch_ack, fetch_snapshot, push, push_with};
use center::http::{App, MAX_BODY_BYTES, spawn};
use changelog::SignedEntry;
use changelog::sync::{open_ack, open_snapshot};
use common::*;
use rules::RightClass;

const NOW: &str = "2026-03-10T18:00:00+05:00";

fn get(url: &str) -> (u16, Vec<u8>) {
    let mut response = http_agent().get(url).call().unwrap();
    let status = response.status().as_u16();
    (status, response.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap())
}

fn quick() -> PushOptions {
    PushOptions {
        attempts: 2,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(20),
        timeout: Duration::from_secs(30),
    }
}

#[test]
fn the_http_api_end_to_end() {
    let (_dir, mut center) = center();
    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    kiosk.register_children("2026-03-10T10:00:00+05:00", "K1-A", "2023-05-05", 0..3);
    kiosk.register(&mut center);
    let center_key = center.public_key();
    let app = App::new(center, Arc::new(|| at(NOW)));
    let server = spawn("127.0.0.1:0", app.clone()).unwrap();
    let url = server.url();

    let (status, body) = get(&format!("{url}/v1/health"));
    assert_eq!(status, 200);
    let health: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(health["status"], "ok");

    // Push, verify the ack, push again (idempotent), then resume with one more entry.
    let ack = open_ack(&push(&url, &kiosk.signer(), &kiosk.all()).unwrap(), &center_key).unwrap();
    assert_eq!((ack.kiosk.as_str(), ack.accepted_through_seq), ("K1", 5));
    assert_eq!(ack.center_time, at(NOW));
    let again = open_ack(&push(&url, &kiosk.signer(), &kiosk.all()).unwrap(), &center_key).unwrap();
    assert_eq!(again.accepted_through_seq, 5);
    kiosk.register_child(
        "2026-03-10T11:00:00+05:00",
        application("K1-A9", &child_iin("2023-05-06", 9), "2023-05-06", RightClass::None),
    );
    let resumed = open_ack(&push(&url, &kiosk.signer(), &kiosk.bundle(6, 6)).unwrap(), &center_key).unwrap();
    assert_eq!(resumed.accepted_through_seq, 6);
    assert_eq!(app.center.lock().unwrap().state().applications().count(), 4);
    let fetched = open_ack(&fetch_ack(&url, &kiosk.signer(), &quick()).unwrap(), &center_key).unwrap();
    assert_eq!(fetched.accepted_through_seq, 6);

    // Snapshot.
    let snapshot =
        open_snapshot(&fetch_snapshot(&url, &kiosk.signer(), DISTRICT, &quick()).unwrap(), &center_key).unwrap();
    assert_eq!(snapshot.positions.len(), 4);

    // Bad input, each refused with a JSON error and without changing anything.
    let signer = kiosk.signer();
    let events = "/v1/kiosks/K1/events";
    let octets = "application/octet-stream";
    let (status, body) = signed_request(&url, &signer, "POST", events, Some(("application/json", &kiosk.all())));
    assert_eq!((status, error_code(&body).as_str()), (415, "UNSUPPORTED_MEDIA_TYPE"));
    // One byte over the limit: a body much larger races the server closing the connection
    // after its 413 against the client still writing (a broken pipe instead of the answer).
    let (status, body) = signed_request(&url, &signer, "POST", events, Some((octets, &vec![0u8; MAX_BODY_BYTES + 1])));
    assert_eq!((status, error_code(&body).as_str()), (413, "PAYLOAD_TOO_LARGE"));
    let (status, body) = signed_request(&url, &signer, "POST", events, Some((octets, b"not a bundle")));
    assert_eq!((status, error_code(&body).as_str()), (400, "BAD_BUNDLE"));
    // A bundle of another kiosk, signed by this one.
    let other = TestKiosk::new("K2").with_staff("2026-03-10T09:00:00+05:00");
    let (status, body) = signed_request(&url, &signer, "POST", events, Some((octets, &other.all())));
    assert_eq!((status, error_code(&body).as_str()), (400, "KIOSK_MISMATCH"));
    // The path's kiosk is not the signer's.
    let (status, body) = signed_request(&url, &signer, "POST", "/v1/kiosks/K2/events", Some((octets, &kiosk.all())));
    assert_eq!((status, error_code(&body).as_str()), (401, "UNAUTHENTICATED"));
    let stranger = TestKiosk::new("K9").with_staff("2026-03-10T09:00:00+05:00");
    let (status, body) = post_unsigned(&format!("{url}/v1/kiosks/K9/challenge"));
    assert_eq!((status, error_code(&body).as_str()), (403, "UNKNOWN_KIOSK"));
    kiosk.register_child(
        "2026-03-10T12:00:00+05:00",
        application("K1-A10", &child_iin("2023-05-07", 10), "2023-05-07", RightClass::None),
    );
    let mut signature = *kiosk.entries[6].signature();
    signature[0] ^= 1;
    let forged = vec![SignedEntry::from_parts(kiosk.entries[6].body_bytes().to_vec(), signature)];
    let forged = changelog::Bundle { kiosk: "K1".into(), entries: forged }.to_bytes();
    let (status, body) = signed_request(&url, &signer, "POST", events, Some((octets, &forged)));
    assert_eq!((status, error_code(&body).as_str()), (401, "UNAUTHENTICATED"));
    assert_eq!(app.center.lock().unwrap().state().applications().count(), 4);
    assert!(app.center.lock().unwrap().quarantine().is_empty());

    let (status, body) = signed_request(&url, &signer, "GET", "/v1/districts/NOPE/snapshot", None);
    assert_eq!((status, error_code(&body).as_str()), (403, "OUT_OF_DISTRICT"), "{}", String::from_utf8_lossy(&body));
    let (status, body) = get(&format!("{url}/v1/districts/{DISTRICT}/snapshot"));
    assert_eq!((status, error_code(&body).as_str()), (401, "UNAUTHENTICATED"), "no snapshot without a signature");
    let (status, _) = get(&format!("{url}/v1/kiosks/K1/ack"));
    assert_eq!(status, 401);
    let (status, body) = get(&format!("{url}/v2/nothing"));
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("NOT_FOUND"));

    // The client reports refusals as final and network failures as transient.
    match push_with(&url, &stranger.signer(), &stranger.all(), &quick()) {
        Err(PushError::Refused { status: 403, code, .. }) => assert_eq!(code, "UNKNOWN_KIOSK"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let addr = server.addr;
    drop(server);
    let gone = push_with(&format!("http://{addr}"), &signer, &kiosk.all(), &quick()).unwrap_err();
    assert!(gone.is_transient(), "{gone:?}");
    assert!(matches!(push_with("ftp://x", &signer, b"", &quick()), Err(PushError::Url(_))));
}

fn post_unsigned(url: &str) -> (u16, Vec<u8>) {
    let mut response = http_agent().post(url).send_empty().unwrap();
    let status = response.status().as_u16();
    (status, response.body_mut().read_to_vec().unwrap())
}
