//! TLS between kiosks and the center, against the real `kezek-center serve --tls-cert
//! --tls-key` on 127.0.0.1 and the kiosks' client (`center::client`, the transport of
//! `kezek-kiosk push` and of the GUI's push worker) with its certificate checks. Test
//! certificates are made here with rcgen: self-signed ones for pinning, a test CA and a
//! certificate it issued.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use center::client::{Endpoint, PushError, PushOptions, Trust, TrustKind, fetch_ack_from, push_to, push_with};
use changelog::request::RequestSigner;
use changelog::sync::open_ack;
use common::proc::{BIN, Server, init_center};
use common::*;

/// The names every test certificate is valid for.
const NAMES: [&str; 2] = ["localhost", "127.0.0.1"];

/// A certificate and its private key, PEM.
struct Pem {
    cert: String,
    key: String,
}

fn self_signed() -> Pem {
    let certified = rcgen::generate_simple_self_signed(NAMES.map(str::to_owned).to_vec()).unwrap();
    Pem { cert: certified.cert.pem(), key: certified.signing_key.serialize_pem() }
}

/// A test CA and a certificate for [`NAMES`] it issued.
fn ca_and_issued() -> (Pem, Pem) {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "Kezek test CA");
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let ca = Pem { cert: ca_cert.pem(), key: ca_key.serialize_pem() };
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert =
        rcgen::CertificateParams::new(NAMES.map(str::to_owned).to_vec()).unwrap().signed_by(&key, &issuer).unwrap();
    (ca, Pem { cert: cert.pem(), key: key.serialize_pem() })
}

/// A self-signed certificate for [`NAMES`] made with `adjust`.
fn self_signed_with(adjust: impl FnOnce(&mut rcgen::CertificateParams)) -> Pem {
    let mut params = rcgen::CertificateParams::new(NAMES.map(str::to_owned).to_vec()).unwrap();
    adjust(&mut params);
    let key = rcgen::KeyPair::generate().unwrap();
    Pem { cert: params.self_signed(&key).unwrap().pem(), key: key.serialize_pem() }
}

/// Expired a year before the tests were written.
fn expired(params: &mut rcgen::CertificateParams) {
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2021, 1, 1);
}

/// A CA certificate (basicConstraints CA:TRUE), as `openssl req -x509` makes by default.
fn ca_true(params: &mut rcgen::CertificateParams) {
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
}

/// Writes `pem`'s certificate and key into `dir`; their paths.
fn write(dir: &Path, name: &str, pem: &Pem) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join(format!("{name}.crt")), dir.join(format!("{name}.key")));
    std::fs::write(&cert, &pem.cert).unwrap();
    std::fs::write(&key, &pem.key).unwrap();
    (cert, key)
}

fn kiosk() -> TestKiosk {
    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    kiosk.register_children("2026-03-10T10:00:00+05:00", "K1-A", "2023-05-05", 0..3);
    kiosk
}

/// `serve` over TLS with `cert` and `key` on an ephemeral port of 127.0.0.1.
fn serve_tls(data: &Path, cert: &Path, key: &Path, env: &[(&str, String)]) -> Server {
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let args = ["serve", "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key", key];
    let server = Server::try_start_with(data, &args, env).unwrap_or_else(|e| panic!("the server did not start: {e}"));
    assert!(server.url.starts_with("https://127.0.0.1:"), "{}", server.url);
    server
}

/// A center in `dir` with [`kiosk`] registered; the center's key.
fn center_in(dir: &Path, kiosk: &TestKiosk) -> (PathBuf, changelog::VerifyingKey) {
    let data = dir.join("center");
    let key = init_center(&data, &[kiosk]);
    (data, key)
}

/// A center in `dir` with `kiosk` registered, served over TLS with `pem` (written into `dir`
/// as `center.crt` and `center.key`) and `env`; the center's key and the server.
fn center_over_tls(
    dir: &Path,
    kiosk: &TestKiosk,
    pem: &Pem,
    env: &[(&str, String)],
) -> (changelog::VerifyingKey, Server) {
    let (data, center_key) = center_in(dir, kiosk);
    let (cert, key) = write(dir, "center", pem);
    (center_key, serve_tls(&data, &cert, &key, env))
}

/// Retries that would show: five attempts, two seconds apart.
fn patient() -> PushOptions {
    PushOptions {
        attempts: 5,
        initial_backoff: Duration::from_secs(2),
        max_backoff: Duration::from_secs(2),
        timeout: Duration::from_secs(30),
    }
}

/// What the center has acknowledged of the kiosk (a signer that claims no log).
fn accepted_through(center: &Endpoint, kiosk: &TestKiosk, key: &changelog::VerifyingKey) -> u64 {
    let signer = RequestSigner::new(kiosk.key.signing().clone(), &kiosk.id, 0, Vec::new());
    open_ack(&fetch_ack_from(center, &signer, &patient()).unwrap(), key).unwrap().accepted_through_seq
}

#[test]
fn a_kiosk_pinned_to_the_center_certificate_pushes_over_tls() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = kiosk();
    let pem = self_signed();
    let (center_key, server) = center_over_tls(dir.path(), &kiosk, &pem, &[]);

    let pinned = Endpoint::new(&server.url).with_trust(Trust::pinned_pem(pem.cert.as_bytes()).unwrap());
    let ack = open_ack(&push_to(&pinned, &kiosk.signer(), &kiosk.all(), &patient()).unwrap(), &center_key).unwrap();
    assert_eq!((ack.kiosk.as_str(), ack.accepted_through_seq), ("K1", 5));
    // By the host name too (the certificate names both).
    let by_name = Endpoint { url: server.url.replace("127.0.0.1", "localhost"), ..pinned.clone() };
    assert_eq!(accepted_through(&by_name, &kiosk, &center_key), 5);

    // A pinned certificate is never sent over plain http://.
    let plain = Endpoint { url: server.url.replace("https://", "http://"), ..pinned };
    assert!(matches!(push_to(&plain, &kiosk.signer(), &kiosk.all(), &patient()), Err(PushError::TlsRequired { .. })));
}

#[test]
fn a_kiosk_pinned_to_another_certificate_refuses_at_once_and_sends_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = kiosk();
    let pem = self_signed();
    let (center_key, server) = center_over_tls(dir.path(), &kiosk, &pem, &[]);

    // Same subject name and host names as the center's, another key: an impostor's.
    let impostor = self_signed();
    let wrong = Endpoint::new(&server.url).with_trust(Trust::pinned_pem(impostor.cert.as_bytes()).unwrap());
    let started = Instant::now();
    match push_to(&wrong, &kiosk.signer(), &kiosk.all(), &patient()) {
        Err(PushError::TlsRejected { trust: TrustKind::Pinned, detail }) => {
            assert!(detail.contains("certificate"), "{detail}");
        }
        other => panic!("expected TlsRejected, got {other:?}"),
    }
    // Final: no retry (the first would wait two seconds).
    assert!(started.elapsed() < Duration::from_millis(1_500), "{:?}", started.elapsed());
    // The public roots do not know a self-signed certificate either.
    match push_with(&server.url, &kiosk.signer(), &kiosk.all(), &patient()) {
        Err(e @ PushError::TlsRejected { trust: TrustKind::WebRoots, .. }) => assert!(!e.is_transient()),
        other => panic!("expected TlsRejected, got {other:?}"),
    }

    // Nothing reached the center.
    let right = Endpoint::new(&server.url).with_trust(Trust::pinned_pem(pem.cert.as_bytes()).unwrap());
    assert_eq!(accepted_through(&right, &kiosk, &center_key), 0);
}

#[test]
fn a_kiosk_trusting_the_center_ca_pushes() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = kiosk();
    let (ca, issued) = ca_and_issued();
    let (center_key, server) = center_over_tls(dir.path(), &kiosk, &issued, &[]);

    let trusted = Endpoint::new(&server.url).with_trust(Trust::ca_pem(ca.cert.as_bytes()).unwrap());
    let ack = open_ack(&push_to(&trusted, &kiosk.signer(), &kiosk.all(), &patient()).unwrap(), &center_key).unwrap();
    assert_eq!(ack.accepted_through_seq, 5);

    // Another CA's kiosk refuses, at once.
    let (other_ca, _) = ca_and_issued();
    let other = Endpoint::new(&server.url).with_trust(Trust::ca_pem(other_ca.cert.as_bytes()).unwrap());
    let started = Instant::now();
    assert!(matches!(
        push_to(&other, &kiosk.signer(), &kiosk.all(), &patient()),
        Err(PushError::TlsRejected { trust: TrustKind::Ca, .. })
    ));
    assert!(started.elapsed() < Duration::from_millis(1_500), "{:?}", started.elapsed());

    // A certificate a CA issued is not pinned (it would not verify as its own anchor): the
    // kiosk is told to trust the CA instead.
    let refused = Trust::pinned_pem(issued.cert.as_bytes()).unwrap_err();
    assert!(refused.contains("not self-signed"), "{refused}");
    assert!(Trust::ca_pem(b"not a certificate").is_err());
}

#[test]
fn a_pinned_certificate_for_another_host_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = kiosk();
    let certified = rcgen::generate_simple_self_signed(vec!["center.example".to_owned()]).unwrap();
    let pem = Pem { cert: certified.cert.pem(), key: certified.signing_key.serialize_pem() };
    let (_, server) = center_over_tls(dir.path(), &kiosk, &pem, &[]);

    // The right certificate, but the kiosk reaches the center by a name it does not carry.
    let pinned = Endpoint::new(&server.url).with_trust(Trust::pinned_pem(pem.cert.as_bytes()).unwrap());
    match push_to(&pinned, &kiosk.signer(), &kiosk.all(), &patient()) {
        Err(PushError::TlsRejected { trust: TrustKind::Pinned, detail }) => {
            assert!(detail.contains("not valid for name"), "{detail}");
        }
        other => panic!("expected TlsRejected, got {other:?}"),
    }
}

#[test]
fn only_one_current_self_signed_certificate_can_be_pinned() {
    let pem = self_signed();
    assert!(Trust::pinned_pem(pem.cert.as_bytes()).is_ok());
    // A chain (two certificates): pin one, or trust the CA.
    let (ca, issued) = ca_and_issued();
    let chain = format!("{}{}", issued.cert, ca.cert);
    let refused = Trust::pinned_pem(chain.as_bytes()).unwrap_err();
    assert!(refused.contains("2 certificates"), "{refused}");
    // Issued by a CA.
    let refused = Trust::pinned_pem(issued.cert.as_bytes()).unwrap_err();
    assert!(refused.contains("not self-signed"), "{refused}");
    // Expired.
    let refused = Trust::pinned_pem(self_signed_with(expired).cert.as_bytes()).unwrap_err();
    assert!(refused.contains("expired"), "{refused}");
    // A CA certificate: never the center's own.
    let refused = Trust::pinned_pem(self_signed_with(ca_true).cert.as_bytes()).unwrap_err();
    assert!(refused.contains("CA:TRUE") && refused.contains("CA:FALSE"), "{refused}");
    // Not a certificate at all.
    assert!(Trust::pinned_pem(pem.key.as_bytes()).is_err());
    assert!(Trust::pinned_pem(b"").is_err());
}

/// `serve ARGS…` that is expected to stop at once: whether it succeeded, its stderr. A server
/// still running after 30 s is killed and counts as a failure to refuse.
fn serve_output(data: &Path, args: &[&str]) -> (bool, String) {
    let mut child = std::process::Command::new(BIN)
        .arg("--data")
        .arg(data)
        .arg("serve")
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`serve {args:?}` is still running: it should have refused to start");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (status.success(), stderr)
}

#[test]
fn plain_http_off_loopback_needs_insecure_http() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("center");
    init_center(&data, &[]);

    let (ok, stderr) = serve_output(&data, &["--listen", "0.0.0.0:0"]);
    assert!(!ok);
    assert!(stderr.contains("INSECURE_HTTP") && stderr.contains("--tls-cert"), "{stderr}");

    let open = Server::try_start_with(&data, &["serve", "--listen", "0.0.0.0:0", "--insecure-http"], &[]).unwrap();
    assert!(open.url.starts_with("http://0.0.0.0:"), "{}", open.url);
    drop(open);
    for loopback in ["127.0.0.1:0", "localhost:0"] {
        let server = Server::try_start_with(&data, &["serve", "--listen", loopback], &[]).unwrap();
        assert!(server.url.starts_with("http://"), "{}", server.url);
    }
    let pem = self_signed();
    let (cert, key) = write(dir.path(), "center", &pem);
    let (cert, key) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let tls =
        Server::try_start_with(&data, &["serve", "--listen", "0.0.0.0:0", "--tls-cert", cert, "--tls-key", key], &[])
            .unwrap();
    assert!(tls.url.starts_with("https://0.0.0.0:"), "{}", tls.url);
}

#[test]
fn unusable_certificate_files_stop_the_server_with_their_code() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("center");
    init_center(&data, &[]);
    let (cert, key) = write(dir.path(), "center", &self_signed());
    let (_, other_key) = write(dir.path(), "other", &self_signed());
    let missing = dir.path().join("missing.crt");
    let (ca_cert, ca_key) = write(dir.path(), "ca-true", &self_signed_with(ca_true));
    let (old_cert, old_key) = write(dir.path(), "expired", &self_signed_with(expired));
    let cases: [(&Path, &Path, &str); 6] = [
        (&missing, &key, "TLS_CERT_UNREADABLE"),
        (&key, &key, "TLS_CERT_UNREADABLE"),
        (&cert, &cert, "TLS_KEY_UNREADABLE"),
        (&cert, &other_key, "TLS_KEY_MISMATCH"),
        (&ca_cert, &ca_key, "TLS_CERT_IS_CA"),
        (&old_cert, &old_key, "TLS_CERT_EXPIRED"),
    ];
    for (cert, key, code) in cases {
        let (ok, stderr) = serve_output(
            &data,
            &["--listen", "127.0.0.1:0", "--tls-cert", cert.to_str().unwrap(), "--tls-key", key.to_str().unwrap()],
        );
        assert!(!ok && stderr.contains(code), "{code}: {stderr}");
    }
    // Both or neither.
    let (ok, stderr) = serve_output(&data, &["--listen", "127.0.0.1:0", "--tls-cert", cert.to_str().unwrap()]);
    assert!(!ok && stderr.contains("--tls-key"), "{stderr}");
}

fn connect(url: &str) -> TcpStream {
    TcpStream::connect(url.trim_start_matches("https://")).unwrap()
}

/// Whether the server closed `stream` (end of file or a reset), polling until `within`.
fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return false;
            }
            Err(_) => return true,
        }
    }
}

#[test]
fn a_stalled_handshake_blocks_no_one_and_is_dropped_after_the_header_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = kiosk();
    let pem = self_signed();
    let timeout = Duration::from_secs(4);
    let env = [("KEZEK_HEADER_TIMEOUT_SECS", timeout.as_secs().to_string())];
    let (center_key, server) = center_over_tls(dir.path(), &kiosk, &pem, &env);

    // One says nothing; one starts a ClientHello record and stops.
    let opened = Instant::now();
    let mut silent = connect(&server.url);
    let mut partial = connect(&server.url);
    partial.write_all(&[0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00]).unwrap();

    // Another kiosk pushes meanwhile, while both are still open.
    let pinned = Endpoint::new(&server.url).with_trust(Trust::pinned_pem(pem.cert.as_bytes()).unwrap());
    let ack = open_ack(&push_to(&pinned, &kiosk.signer(), &kiosk.all(), &patient()).unwrap(), &center_key).unwrap();
    assert_eq!(ack.accepted_through_seq, 5);
    assert!(opened.elapsed() < timeout, "the push waited for the stalled handshakes: {:?}", opened.elapsed());
    assert!(!closed_within(&mut silent, Duration::from_millis(100)), "closed before the header timeout");

    // Both are closed once the header timeout has passed.
    assert!(closed_within(&mut silent, timeout + Duration::from_secs(5)));
    assert!(closed_within(&mut partial, Duration::from_secs(2)));
    let waited = opened.elapsed();
    assert!(waited + Duration::from_millis(200) >= timeout && waited < timeout * 3, "{waited:?}");
}

#[test]
fn a_plain_http_request_to_the_tls_port_gets_nothing_served() {
    let dir = tempfile::tempdir().unwrap();
    let kiosk = kiosk();
    let (_, server) = center_over_tls(dir.path(), &kiosk, &self_signed(), &[]);

    let mut stream = connect(&server.url);
    stream.write_all(b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    assert!(!text.contains("HTTP/1.") && !text.contains("status") && !text.contains("centerKey"), "{text}");

    // The kiosks' client over http:// gets no answer either.
    let plain = server.url.replace("https://", "http://");
    let once = PushOptions { attempts: 1, ..patient() };
    assert!(matches!(push_with(&plain, &kiosk.signer(), &kiosk.all(), &once), Err(PushError::Unreachable { .. })));
}
