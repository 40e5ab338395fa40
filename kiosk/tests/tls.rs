//! A kiosk pushes to a center over TLS: the real `kezek-kiosk` (`center set --pin-cert` /
//! `--ca-file`, `push`) and the GUI's push worker, against the center's real TLS server
//! (`center::http::spawn_tls`, the accept loop `kezek-center serve --tls-cert --tls-key`
//! runs). A certificate the kiosk does not trust stops the push at once with a clear error in
//! the operator's language, and the kiosk's log is left as it was.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Fixture, code, run, stderr, stdout};
use kiosk::Kiosk;
use kiosk::gui::StoreBackend;
use kiosk::gui::backend::{Backend, ProgressSink, PushPhase};
use serde_json::Value;

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

/// A test CA (its certificate) and a certificate for [`NAMES`] it issued.
fn ca_and_issued() -> (String, Pem) {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(rcgen::DnType::CommonName, "Kezek test CA");
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert =
        rcgen::CertificateParams::new(NAMES.map(str::to_owned).to_vec()).unwrap().signed_by(&key, &issuer).unwrap();
    (ca_cert.pem(), Pem { cert: cert.pem(), key: key.serialize_pem() })
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A kiosk (`KOK-03`, its operators pending) and a center over TLS with `pem` that knows it.
struct Setup {
    fixture: Fixture,
    center: center::http::App,
    server: center::http::ServerHandle,
    center_key: String,
}

fn setup(pem: &Pem) -> Setup {
    let fixture = Fixture::new();
    let center_dir = fixture.dir.path().join("center");
    let center_key = center::Center::init(&center_dir, None).unwrap().public_key;
    let mut center = center::Center::open(&center_dir).unwrap();
    let kiosk_key = Kiosk::open(&fixture.data()).unwrap().public_key_hex();
    center.add_kiosk("KOK-03", "KOK", &kiosk_key, "2020-01-01T00:00:00+05:00".parse().unwrap()).unwrap();
    let app = center::http::App::new(center, Arc::new(center::now));
    let cert = write(fixture.dir.path(), "center.crt", &pem.cert);
    let key = write(fixture.dir.path(), "center.key", &pem.key);
    let acceptor = center::tls::acceptor(&cert, &key).unwrap();
    let server = center::http::spawn_tls("127.0.0.1:0", app.clone(), acceptor).unwrap();
    Setup { fixture, center: app, server, center_key }
}

impl Setup {
    fn kiosk(&self, lang: &str, args: &[&str]) -> std::process::Output {
        let mut c = common::cli_in(&self.fixture.data(), lang);
        c.args(args);
        run(c, "")
    }

    fn center_set(&self, args: &[&str]) -> Value {
        let url = self.server.url();
        let mut all = vec!["center", "set", "--url", url.as_str(), "--key", self.center_key.as_str()];
        all.extend_from_slice(args);
        let o = self.kiosk("en", &all);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        serde_json::from_str(&stdout(&o)).unwrap()
    }

    fn pending(&self) -> u64 {
        Kiosk::open(&self.fixture.data()).unwrap().status().pending_entries
    }

    /// What the center accepted from the kiosk.
    fn accepted(&self) -> u64 {
        let center = self.center.center.lock().unwrap();
        center.kiosks().into_iter().find(|k| k.id == "KOK-03").unwrap().accepted_through_seq
    }
}

#[test]
fn a_kiosk_pinned_to_the_center_certificate_pushes_over_tls() {
    let pem = self_signed();
    let s = setup(&pem);
    let given = write(s.fixture.dir.path(), "given.pem", &pem.cert);
    let config = s.center_set(&["--pin-cert", given.to_str().unwrap()]);
    assert_eq!(config["tls"]["trust"], "pinned", "{config}");
    assert_eq!(config["tls"]["sha256"].as_array().unwrap().len(), 1, "{config}");
    // The kiosk keeps its own copy: the file it was given may go.
    std::fs::remove_file(&given).unwrap();
    assert!(s.fixture.data().join(kiosk::push::CENTER_CERT_FILE).exists());

    let pending = s.pending();
    assert!(pending > 0);
    let o = s.kiosk("en", &["push"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["acceptedThroughSeq"].as_u64(), Some(pending), "{report}");
    assert_eq!(report["pending"].as_u64(), Some(0));
    assert!(report["snapshotAt"].is_string(), "the signed snapshot came too: {report}");
    assert_eq!(s.accepted(), pending);

    // A pinned certificate is never sent over plain http://.
    let o = s.kiosk("en", &["center", "set", "--url", &s.server.url().replace("https://", "http://")]);
    assert!(code(&o) != 0 && stderr(&o).contains("CENTER_URL_NOT_HTTPS"), "{}", stderr(&o));
    // Cleared, the copy goes too.
    let o = s.kiosk("en", &["center", "set", "--clear-tls"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!s.fixture.data().join(kiosk::push::CENTER_CERT_FILE).exists());
    let o = s.kiosk("en", &["center", "show"]);
    let shown: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(shown.get("tls").is_none(), "the public roots again: {shown}");
}

#[test]
fn a_kiosk_pinned_to_another_certificate_refuses_with_a_clear_error() {
    let s = setup(&self_signed());
    let impostor = write(s.fixture.dir.path(), "impostor.pem", &self_signed().cert);
    s.center_set(&["--pin-cert", impostor.to_str().unwrap()]);
    let log = s.fixture.data().join("log").join("entries.bin");
    let (log_before, pending) = (std::fs::read(&log).unwrap(), s.pending());

    let texts = [
        ("en", "The center's certificate is not the one this kiosk trusts"),
        ("ru", "Сертификат центра не тот, которому доверяет этот киоск"),
        ("kk", "Орталықтың сертификаты бұл киоск сенетін сертификат емес"),
    ];
    for (lang, text) in texts {
        let started = Instant::now();
        // Five attempts allowed: a retried failure would wait 0.5 + 1 + 2 + 4 s.
        let o = s.kiosk(lang, &["push", "--attempts", "5"]);
        let took = started.elapsed();
        let err = stderr(&o);
        assert_eq!(code(&o), 1, "{err}");
        assert!(err.contains("TLS_CERT_REJECTED") && err.contains(text) && err.contains("--pin-cert"), "{err}");
        assert!(took < Duration::from_secs(5), "{lang}: {took:?}: retried?");
    }
    assert_eq!(std::fs::read(&log).unwrap(), log_before, "the log is untouched");
    assert_eq!(s.pending(), pending);
    assert_eq!(s.accepted(), 0, "nothing reached the center");

    // The GUI's push worker reads the same settings and stops the same way.
    let mut backend = StoreBackend::open(&s.fixture.data()).unwrap();
    let sink = ProgressSink::default();
    backend.push(&s.server.url(), &sink).unwrap();
    let started = Instant::now();
    while backend.poll_push() {
        assert!(started.elapsed() < Duration::from_secs(5), "the push did not stop at once");
        std::thread::sleep(Duration::from_millis(10));
    }
    match sink.phase() {
        PushPhase::Failed(e) => {
            assert_eq!(e.code, "TLS_CERT_REJECTED");
            assert!(e.ru.contains("center set --pin-cert") && e.kk.contains("--pin-cert"), "{e:?}");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    drop(backend);
    assert_eq!(std::fs::read(&log).unwrap(), log_before, "the log is untouched");
    assert_eq!(s.accepted(), 0);
}

#[test]
fn a_kiosk_with_the_center_ca_file_pushes_and_the_gui_worker_too() {
    let (ca, issued) = ca_and_issued();
    let s = setup(&issued);
    s.center_set(&[]);
    // A certificate a CA issued is not pinned: the kiosk is told to use the CA.
    let leaf = write(s.fixture.dir.path(), "leaf.pem", &issued.cert);
    let o = s.kiosk("en", &["center", "set", "--pin-cert", leaf.to_str().unwrap()]);
    let err = stderr(&o);
    assert!(code(&o) != 0 && err.contains("TLS_TRUST_FILE") && err.contains("not self-signed"), "{err}");

    let ca_file = write(s.fixture.dir.path(), "ca.pem", &ca);
    let config = s.center_set(&["--ca-file", ca_file.to_str().unwrap()]);
    assert_eq!(config["tls"]["trust"], "ca", "{config}");

    // The GUI's push worker first (it reads `center.json` too) ...
    let pending = s.pending();
    let mut backend = StoreBackend::open(&s.fixture.data()).unwrap();
    let sink = ProgressSink::default();
    backend.push(&s.server.url(), &sink).unwrap();
    let started = Instant::now();
    while backend.poll_push() {
        assert!(started.elapsed() < Duration::from_mins(1), "the push did not end");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(matches!(sink.phase(), PushPhase::Done { .. }), "{:?}", sink.phase());
    drop(backend);
    assert_eq!(s.accepted(), pending);

    // ... then the CLI, with nothing left to send.
    let o = s.kiosk("en", &["push"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(report["acceptedThroughSeq"].as_u64(), Some(pending), "{report}");
}
