//! Bad input against the center: HTTP requests to a server on 127.0.0.1 (oversized,
//! streamed and malformed bodies, wrong content types, odd paths and methods, broken
//! HTTP), each answered with a typed 4xx while the server keeps serving; and bad file
//! arguments to `kezek-center ingest`, each a typed error with exit code 1 that loses
//! nothing already stored. (The happy path and the first refusals are in http.rs/cli.rs.)
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use center::http::{App, MAX_BODY_BYTES, spawn};
use changelog::request::{RequestSigner, SignedRequest};
use common::proc::{as_strs, kiosk_add_args};
use common::*;

const NOW: &str = "2026-03-10T18:00:00+05:00";

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_mins(1)))
        .build()
        .into()
}

/// Status and `error.code` of a JSON answer (`None` when the body is not our JSON error).
fn answer(mut response: ureq::http::Response<ureq::Body>) -> (u16, Option<String>) {
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    (status, json["error"]["code"].as_str().map(str::to_owned))
}

/// Adds the headers of a signed request.
fn with_signature<B>(mut request: ureq::RequestBuilder<B>, signed: &SignedRequest) -> ureq::RequestBuilder<B> {
    for (name, value) in signed.headers() {
        request = request.header(name, value);
    }
    request
}

/// A POST signed by `signer` over `path` and `body`, with any content type or none.
fn post_signed(
    url: &str,
    signer: &RequestSigner,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> (u16, Option<String>) {
    let headers = signer.sign("POST", path, &challenge(url, signer.kiosk()), body);
    let mut request = with_signature(agent().post(format!("{url}{path}")), &headers);
    if let Some(content_type) = content_type {
        request = request.header("Content-Type", content_type);
    }
    answer(request.send(body).unwrap())
}

/// A POST without the signed-request headers.
fn post_unsigned(url: &str, content_type: Option<&str>, body: &[u8]) -> (u16, Option<String>) {
    let mut request = agent().post(url);
    if let Some(content_type) = content_type {
        request = request.header("Content-Type", content_type);
    }
    answer(request.send(body).unwrap())
}

fn get(url: &str) -> (u16, Option<String>) {
    answer(agent().get(url).call().unwrap())
}

/// Sends raw bytes on a new connection; returns the status line's code, if any came.
fn raw(addr: SocketAddr, bytes: &[u8]) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    // The server may close early (a header too large): what it answered still counts.
    let _ = stream.write_all(bytes);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    text.strip_prefix("HTTP/1.1 ").and_then(|rest| rest.get(..3)).and_then(|code| code.parse().ok())
}

struct Server {
    handle: center::http::ServerHandle,
    app: App,
    url: String,
    kiosk: TestKiosk,
    /// Signs requests as K1.
    signer: RequestSigner,
}

impl Server {
    /// A center with kiosk K1 and its first five entries accepted.
    fn start() -> (tempfile::TempDir, Self) {
        let (dir, mut center) = center();
        let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
        kiosk.register_children("2026-03-10T10:00:00+05:00", "K1-A", "2023-05-05", 0..3);
        kiosk.register(&mut center);
        center.ingest(&kiosk.all(), at(NOW), Some("K1")).unwrap();
        let app = App::new(center, Arc::new(|| at(NOW)));
        let handle = spawn("127.0.0.1:0", app.clone()).unwrap();
        let url = handle.url();
        let signer = kiosk.signer();
        (dir, Server { handle, app, url, kiosk, signer })
    }

    fn events(&self, id: &str) -> String {
        format!("{}/v1/kiosks/{id}/events", self.url)
    }

    /// A POST to K1's events signed by K1.
    fn post(&self, content_type: Option<&str>, body: &[u8]) -> (u16, Option<String>) {
        post_signed(&self.url, &self.signer, "/v1/kiosks/K1/events", content_type, body)
    }

    /// The server answers, and nothing it had accepted was lost or changed.
    fn assert_serving(&self, after: &str) {
        let (status, _) = get(&format!("{}/v1/health", self.url));
        assert_eq!(status, 200, "health after {after}");
        let center = self.app.center.lock().unwrap();
        assert_eq!(center.state().applications().count(), 3, "after {after}");
        assert_eq!(center.ack("K1", at(NOW)).unwrap().0.accepted_through_seq, 5, "after {after}");
    }
}

#[test]
fn oversized_and_malformed_bodies_are_refused_and_the_server_keeps_serving() {
    let (_dir, server) = Server::start();
    let events = server.events("K1");
    let octets = Some("application/octet-stream");

    // Every body below is sent by the kiosk itself, correctly signed: the size limit and the
    // bundle checks hold for an authenticated kiosk too.
    // One byte over the limit, with a length, and streamed without one (chunked).
    let (status, code) = server.post(octets, &vec![7u8; MAX_BODY_BYTES + 1]);
    assert_eq!((status, code.as_deref()), (413, Some("PAYLOAD_TOO_LARGE")));
    server.assert_serving("an oversized body");
    let streamed = vec![0u8; MAX_BODY_BYTES + 4096];
    let signed = server.signer.sign("POST", "/v1/kiosks/K1/events", &challenge(&server.url, "K1"), &streamed);
    let chunked = with_signature(agent().post(&events), &signed)
        .header("Content-Type", "application/octet-stream")
        .send(ureq::SendBody::from_reader(&mut streamed.as_slice()))
        .unwrap();
    assert_eq!(answer(chunked), (413, Some("PAYLOAD_TOO_LARGE".into())));
    server.assert_serving("an oversized chunked body");
    // Exactly at the limit is read (and refused as not a bundle).
    let (status, code) = server.post(octets, &vec![7u8; MAX_BODY_BYTES]);
    assert_eq!((status, code.as_deref()), (400, Some("BAD_BUNDLE")));
    // Without the signed-request headers no body is read.
    let (status, code) = post_unsigned(&events, octets, b"not a bundle");
    assert_eq!((status, code.as_deref()), (401, Some("UNAUTHENTICATED")));
    server.assert_serving("an unsigned body");

    let all = server.kiosk.all();
    let mut bad_version = all.clone();
    bad_version[4] = 9;
    let mut cut_header = b"KZKB\x01".to_vec();
    cut_header.extend_from_slice(&[0x03, 0x00]);
    for (name, body) in [
        ("empty", Vec::new()),
        ("magic only", b"KZKB".to_vec()),
        ("unknown version", bad_version),
        ("deflate garbage", b"KZKB\x01\xff\xff\xff\xff".to_vec()),
        ("an empty deflate stream", cut_header),
        ("JSON", br#"{"kiosk":"K1","entries":[]}"#.to_vec()),
        ("text", "не пакет".as_bytes().to_vec()),
    ] {
        let (status, code) = server.post(octets, &body);
        assert_eq!((status, code.as_deref()), (400, Some("BAD_BUNDLE")), "{name}");
        server.assert_serving(name);
    }
}

#[test]
fn wrong_content_types_are_415() {
    let (_dir, server) = Server::start();
    let events = server.events("K1");
    let bundle = server.kiosk.all();
    // Signed by the kiosk, and still refused: the content type is checked first.
    for content_type in [
        None,
        Some(""),
        Some("text/plain"),
        Some("application/json"),
        Some("multipart/form-data; boundary=x"),
        Some("application/octet-streamx"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let (status, code) = server.post(content_type, &bundle);
        assert_eq!((status, code.as_deref()), (415, Some("UNSUPPORTED_MEDIA_TYPE")), "{content_type:?}");
        // Before the signature headers are looked at.
        let (status, code) = post_unsigned(&events, content_type, &bundle);
        assert_eq!((status, code.as_deref()), (415, Some("UNSUPPORTED_MEDIA_TYPE")), "{content_type:?}");
        server.assert_serving("a wrong content type");
    }
    // Parameters and case do not matter.
    let (status, _) = server.post(Some("Application/Octet-Stream; charset=binary"), &bundle);
    assert_eq!(status, 200);
}

#[test]
fn odd_paths_and_methods_get_typed_errors() {
    let (_dir, server) = Server::start();
    let url = &server.url;
    let bundle = server.kiosk.all();
    let octets = Some("application/octet-stream");
    // Not UTF-8 once percent-decoded: refused before the signature is looked at.
    for path in ["/v1/kiosks/%FF%FE/events", "/v1/kiosks/K1%C0%80/events"] {
        let (status, code) = post_signed(url, &server.signer, path, octets, &bundle);
        assert_eq!((status, code.as_deref()), (400, Some("BAD_PATH")), "{path}");
    }
    for path in ["/v1/kiosks/%FF/ack", "/v1/districts/%C3%28/snapshot"] {
        let (status, body) = signed_request(url, &server.signer, "GET", path, None);
        assert_eq!((status, error_code(&body).as_str()), (400, "BAD_PATH"), "{path}");
    }
    let (status, code) = post_unsigned(&format!("{url}/v1/kiosks/%FF/challenge"), None, b"");
    assert_eq!((status, code.as_deref()), (400, Some("BAD_PATH")));
    server.assert_serving("paths that are not UTF-8");
    // Ids that are no kiosk: traversal, NUL, a long one; a district that does not exist.
    let long = "K".repeat(8 * 1024);
    for id in ["..%2F..%2Fetc%2Fpasswd", "K1%00", "K1%2F..", long.as_str(), "%D0%9A1"] {
        // K1's signed request sent to another kiosk's path: the signed id is not the path's.
        let (status, code) = post_signed(url, &server.signer, &format!("/v1/kiosks/{id}/events"), octets, &bundle);
        assert_eq!((status, code.as_deref()), (401, Some("UNAUTHENTICATED")), "{id:.40}");
        let (status, body) = signed_request(url, &server.signer, "GET", &format!("/v1/kiosks/{id}/ack"), None);
        assert_eq!((status, error_code(&body).as_str()), (401, "UNAUTHENTICATED"), "{id:.40}");
        // No nonce for a kiosk that is not registered.
        let (status, code) = post_unsigned(&format!("{url}/v1/kiosks/{id}/challenge"), None, b"");
        assert_eq!((status, code.as_deref()), (403, Some("UNKNOWN_KIOSK")), "{id:.40}");
    }
    // A kiosk that is not registered, signing as itself (it got no nonce, so it makes one up).
    let stranger = TestKiosk::new(&long).with_staff("2026-03-10T09:00:00+05:00");
    let path = format!("/v1/kiosks/{long}/events");
    let signed = stranger.signer().sign("POST", &path, &"0".repeat(64), &stranger.all());
    let (status, body) = send_signed(url, &signed, "POST", &path, Some(("application/octet-stream", &stranger.all())));
    assert_eq!((status, error_code(&body).as_str()), (403, "UNKNOWN_KIOSK"));
    // A district that does not exist is no district the kiosk serves.
    let nowhere = format!("/v1/districts/{}/snapshot", "Ж".repeat(4096));
    let (status, body) = signed_request(url, &server.signer, "GET", &nowhere, None);
    assert_eq!((status, error_code(&body).as_str()), (403, "OUT_OF_DISTRICT"));
    server.assert_serving("ids that are no kiosk");
    // Routes that do not exist, and methods a route does not take.
    // (`/` is the staff console's address: it redirects to `/console/`, see tests/console.rs.)
    for path in ["/v1", "/v1/kiosks/K1", "/v1/kiosks/K1/events/extra", "/../../etc/passwd", "/v1/health/"] {
        assert_eq!(get(&format!("{url}{path}")), (404, Some("NOT_FOUND".into())), "{path}");
    }
    assert_eq!(get(&server.events("K1")), (405, Some("METHOD_NOT_ALLOWED".into())));
    assert_eq!(get(&format!("{url}/v1/kiosks/K1/challenge")), (405, Some("METHOD_NOT_ALLOWED".into())));
    let (status, code) = post_unsigned(&format!("{url}/v1/health"), octets, b"");
    assert_eq!((status, code.as_deref()), (405, Some("METHOD_NOT_ALLOWED")));
    let deleted = answer(agent().delete(&format!("{url}/v1/kiosks/K1/ack")).call().unwrap());
    assert_eq!(deleted, (405, Some("METHOD_NOT_ALLOWED".into())));
    server.assert_serving("unknown routes");
}

#[test]
fn broken_http_is_refused_and_the_server_keeps_serving() {
    let (_dir, server) = Server::start();
    let addr = server.handle.addr;
    let huge_path = format!("GET /v1/kiosks/{}/ack HTTP/1.1\r\nHost: x\r\n\r\n", "K".repeat(200 * 1024));
    let huge_header = format!("GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Junk: {}\r\n\r\n", "j".repeat(1 << 20));
    for (name, bytes) in [
        ("garbage", b"\x00\x01\x02 not http at all\r\n\r\n".to_vec()),
        ("a request line without a version", b"GET /v1/health\r\n\r\n".to_vec()),
        ("a 200 KiB path", huge_path.into_bytes()),
        ("a 1 MiB header", huge_header.into_bytes()),
        ("an invalid UTF-8 path", b"GET /v1/kiosks/\xff\xfe/ack HTTP/1.1\r\nHost: x\r\n\r\n".to_vec()),
        (
            "a bad content length",
            b"POST /v1/kiosks/K1/events HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n".to_vec(),
        ),
    ] {
        let status = raw(addr, &bytes);
        assert!(status.is_none_or(|s| (400..500).contains(&s)), "{name}: {status:?}");
        server.assert_serving(name);
    }
    // A body cut short: the client goes away after 10 of 1000 announced bytes. It carries
    // the kiosk's signed-request headers, so the server does start reading the body.
    let announced = [&b"KZKB\x01abcde"[..], &[0u8; 990]].concat();
    let signed = server.signer.sign("POST", "/v1/kiosks/K1/events", &challenge(&server.url, "K1"), &announced);
    let mut cut =
        b"POST /v1/kiosks/K1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n".to_vec();
    for (name, value) in signed.headers() {
        cut.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    cut.extend_from_slice(b"Content-Length: 1000\r\n\r\nKZKB\x01abcde");
    let status = raw(addr, &cut);
    assert!(status.is_none_or(|s| (400..500).contains(&s)), "a cut body: {status:?}");
    server.assert_serving("a body cut short");
}

fn cli(data: &Path, args: &[&str]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_kezek-center")).arg("--data").arg(data).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (output.status.code().unwrap_or(-1), stderr)
}

#[test]
fn bad_ingest_file_arguments_are_typed_errors_and_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("center");
    let init = common::proc::init_args();
    assert_eq!(cli(&data, &init.iter().map(String::as_str).collect::<Vec<_>>()).0, 0);
    let kiosk = TestKiosk::new("K1").with_staff("2026-03-10T08:00:00+05:00");
    let (code, err) = cli(&data, &as_strs(&kiosk_add_args(&kiosk)));
    assert_eq!(code, 0, "{err}");
    let good = dir.path().join("k1.kzb");
    std::fs::write(&good, kiosk.all()).unwrap();
    let good = good.to_str().unwrap().to_owned();
    assert_eq!(cli(&data, &["ingest", &good, "--at", NOW]).0, 0);

    let not_a_bundle = dir.path().join("notes.txt");
    std::fs::write(&not_a_bundle, "hello").unwrap();
    let file_as_folder = format!("{}/inside.kzb", not_a_bundle.display());
    let folder = dir.path().to_str().unwrap().to_owned();
    let traversal = format!("{folder}/../../../../../../../../etc/passwd");
    let missing = format!("{folder}/missing.kzb");
    let big = dir.path().join("big.kzb");
    std::fs::File::create(&big).unwrap().set_len(changelog::MAX_BUNDLE_BYTES as u64 + 1).unwrap();
    let big = big.to_str().unwrap().to_owned();
    for (name, path, expected) in [
        ("a missing file", missing.as_str(), "IO"),
        ("a folder", folder.as_str(), "IO"),
        ("a path through a file", file_as_folder.as_str(), "IO"),
        ("a traversal to /etc/passwd", traversal.as_str(), "BAD_BUNDLE"),
        ("text", not_a_bundle.to_str().unwrap(), "BAD_BUNDLE"),
        ("a file over the bundle limit", big.as_str(), "TOO_LARGE"),
        ("an endless device", "/dev/zero", "TOO_LARGE"),
    ] {
        let (code, err) = cli(&data, &["ingest", path, "--at", NOW]);
        assert_eq!(code, 1, "{name}: {err}");
        assert!(err.contains(expected), "{name}: {err}");
    }
    // An ack can not be written into a folder or through a file; the ingest itself is kept.
    for out in [folder.as_str(), file_as_folder.as_str()] {
        let (code, err) = cli(&data, &["ingest", &good, "--at", NOW, "--ack-out", out]);
        assert_eq!(code, 1, "{out}: {err}");
        assert!(err.contains("IO"), "{err}");
    }
    // Nothing stored was lost: the center still has the kiosk's two entries.
    let center = center::Center::open(&data).unwrap();
    assert_eq!(center.ack("K1", at(NOW)).unwrap().0.accepted_through_seq, 2);
}
