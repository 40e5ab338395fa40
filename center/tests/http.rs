//! The HTTP API for real, on 127.0.0.1 with an ephemeral port.
#![allow(clippy::unwrap_used, clippy::type_complexity, clippy::too_many_lines)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use center::client::{PushError, PushOptions, fetch_ack, fetch_snapshot, push, push_with};
use center::http::{App, spawn};
use changelog::SignedEntry;
use changelog::sync::{open_ack, open_snapshot};
use common::*;
use rules::RightClass;

const NOW: &str = "2026-03-10T18:00:00+05:00";

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into()
}

/// Status and parsed JSON error of a raw POST.
fn post(url: &str, content_type: &str, body: &[u8]) -> (u16, serde_json::Value) {
    let mut response = agent().post(url).header("Content-Type", content_type).send(body).unwrap();
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
}

fn get(url: &str) -> (u16, Vec<u8>) {
    let mut response = agent().get(url).call().unwrap();
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
    for i in 0..3 {
        kiosk.register_child(
            "2026-03-10T10:00:00+05:00",
            application(&format!("A{i}"), &child_iin("2023-05-05", i), "2023-05-05", RightClass::None),
        );
    }
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
    let ack = open_ack(&push(&url, "K1", &kiosk.all()).unwrap(), &center_key).unwrap();
    assert_eq!((ack.kiosk.as_str(), ack.accepted_through_seq), ("K1", 5));
    assert_eq!(ack.center_time, at(NOW));
    let again = open_ack(&push(&url, "K1", &kiosk.all()).unwrap(), &center_key).unwrap();
    assert_eq!(again.accepted_through_seq, 5);
    kiosk.register_child(
        "2026-03-10T11:00:00+05:00",
        application("A9", &child_iin("2023-05-06", 9), "2023-05-06", RightClass::None),
    );
    let resumed = open_ack(&push(&url, "K1", &kiosk.bundle(6, 6)).unwrap(), &center_key).unwrap();
    assert_eq!(resumed.accepted_through_seq, 6);
    assert_eq!(app.center.lock().unwrap().state().applications().count(), 4);
    let fetched = open_ack(&fetch_ack(&url, "K1", &quick()).unwrap(), &center_key).unwrap();
    assert_eq!(fetched.accepted_through_seq, 6);

    // Snapshot.
    let snapshot = open_snapshot(&fetch_snapshot(&url, DISTRICT, &quick()).unwrap(), &center_key).unwrap();
    assert_eq!(snapshot.positions.len(), 4);

    // Bad input, each refused with a JSON error and without changing anything.
    let events = format!("{url}/v1/kiosks/K1/events");
    let (status, error) = post(&events, "application/json", &kiosk.all());
    assert_eq!((status, error["error"]["code"].as_str()), (415, Some("UNSUPPORTED_MEDIA_TYPE")));
    let (status, error) = post(&events, "application/octet-stream", &vec![0u8; 17 * 1024 * 1024]);
    assert_eq!(status, 413, "{error}");
    assert_eq!(error["error"]["code"], "PAYLOAD_TOO_LARGE");
    let (status, error) = post(&events, "application/octet-stream", b"not a bundle");
    assert_eq!((status, error["error"]["code"].as_str()), (400, Some("BAD_BUNDLE")));
    let (status, error) = post(&format!("{url}/v1/kiosks/K2/events"), "application/octet-stream", &kiosk.all());
    assert_eq!((status, error["error"]["code"].as_str()), (400, Some("KIOSK_MISMATCH")));
    let stranger = TestKiosk::new("K9").with_staff("2026-03-10T09:00:00+05:00");
    let (status, error) = post(&format!("{url}/v1/kiosks/K9/events"), "application/octet-stream", &stranger.all());
    assert_eq!((status, error["error"]["code"].as_str()), (403, Some("UNKNOWN_KIOSK")));
    kiosk.register_child(
        "2026-03-10T12:00:00+05:00",
        application("A10", &child_iin("2023-05-07", 10), "2023-05-07", RightClass::None),
    );
    let mut signature = *kiosk.entries[6].signature();
    signature[0] ^= 1;
    let forged = vec![SignedEntry::from_parts(kiosk.entries[6].body_bytes().to_vec(), signature)];
    let forged = changelog::Bundle { kiosk: "K1".into(), entries: forged }.to_bytes();
    let (status, error) = post(&events, "application/octet-stream", &forged);
    assert_eq!((status, error["error"]["code"].as_str()), (401, Some("UNAUTHENTICATED")));
    assert_eq!(app.center.lock().unwrap().state().applications().count(), 4);
    assert!(app.center.lock().unwrap().quarantine().is_empty());

    let (status, body) = get(&format!("{url}/v1/districts/NOPE/snapshot"));
    assert_eq!(status, 404, "{}", String::from_utf8_lossy(&body));
    let (status, _) = get(&format!("{url}/v1/kiosks/K9/ack"));
    assert_eq!(status, 404);
    let (status, body) = get(&format!("{url}/v2/nothing"));
    assert_eq!(status, 404);
    assert!(String::from_utf8_lossy(&body).contains("NOT_FOUND"));

    // The client reports refusals as final and network failures as transient.
    match push_with(&url, "K9", &stranger.all(), &quick()) {
        Err(PushError::Refused { status: 403, code, .. }) => assert_eq!(code, "UNKNOWN_KIOSK"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let addr = server.addr;
    drop(server);
    let gone = push_with(&format!("http://{addr}"), "K1", &kiosk.all(), &quick()).unwrap_err();
    assert!(gone.is_transient(), "{gone:?}");
    assert!(matches!(push_with("ftp://x", "K1", b"", &quick()), Err(PushError::Url(_))));
}
