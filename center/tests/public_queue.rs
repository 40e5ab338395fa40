//! The public queue on the real server: nothing personal in it, signed and chained, and
//! the independent verifier (`tools/verify-queue.py`, Python standard library only) passes
//! on what the center published and fails on a queue with one position changed, a forged
//! signature, or a version left out of the chain.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use center::http::{App, spawn};
use changelog::SignedDocument;
use changelog::public::PublicQueue;
use common::*;
use rules::RightClass;

fn verifier() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/verify-queue.py")
}

/// Runs the verifier on `files`; (passed, what it printed).
fn verify(key: &str, files: &[&Path]) -> (bool, String) {
    let out = Command::new("python3")
        .arg(verifier())
        .args(["--key", key])
        .args(files)
        .output()
        .expect("python3 runs (scripts/bootstrap.sh installs it)");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn get(url: &str) -> (u16, Vec<u8>) {
    let mut response = http_agent().get(url).call().unwrap();
    (response.status().as_u16(), response.body_mut().read_to_vec().unwrap())
}

#[test]
fn the_public_queue_has_nothing_personal_and_checks_out_with_the_independent_verifier() {
    let (dir, mut center) = center();
    // A mixed queue: rights, offsets, equal instants, a voucher, two queues.
    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    let people = [
        ("K1-A", "2023-05-05", 0, RightClass::None, "2026-03-10T10:00:00+05:00"),
        ("K1-B", "2023-05-05", 1, RightClass::First, "2026-03-10T10:00:00+05:00"),
        ("K1-C", "2023-05-05", 2, RightClass::None, "2026-03-10T10:00:00+05:00"),
        ("K1-D", "2023-05-05", 3, RightClass::Extraordinary, "2026-03-10T10:00:01+05:00"),
        ("K1-E", "2023-05-05", 4, RightClass::None, "2026-03-10T10:00:02+05:00"),
        ("K1-F", "2023-05-05", 5, RightClass::None, "2026-03-10T10:00:03+05:00"),
        ("K1-G", "2023-05-05", 6, RightClass::First, "2026-03-10T10:00:04+05:00"),
        ("K1-H", "2024-02-02", 7, RightClass::None, "2026-03-10T10:00:05+05:00"),
    ];
    for (id, birth, serial, right, time) in people {
        kiosk.register_child(time, application(id, &child_iin(birth, serial), birth, right));
    }
    kiosk.add_places("2026-03-10T11:00:00+05:00", "K1-P1", 2023, 1);
    kiosk.register(&mut center);
    center.ingest(&kiosk.all(), at("2026-03-10T12:00:00+05:00"), None).unwrap();
    let secrets: Vec<String> = center
        .state()
        .applications()
        .flat_map(|a| {
            [
                a.child.iin.clone(),
                a.child.name.clone(),
                a.applicant.iin.clone(),
                a.applicant.name.clone(),
                a.applicant.phone.clone(),
                a.residence.address.clone(),
            ]
        })
        .collect();
    let key = hex::encode(center.public_key().to_bytes());
    let clock = Arc::new(Mutex::new(at("2026-03-10T12:30:00+05:00")));
    let inner = Arc::clone(&clock);
    let app = App::new(center, Arc::new(move || *inner.lock().unwrap()));
    let server = spawn("127.0.0.1:0", app.clone()).unwrap();
    let url = format!("{}/v1/public/districts/KOK/queue", server.url());

    let (status, v1) = get(&url);
    assert_eq!(status, 200);
    let (again_status, again) = get(&url);
    assert_eq!((again_status, &again), (200, &v1), "nothing changed: the same version, byte for byte");
    // Nothing personal: no IIN, name, phone or address of any family, anywhere in the bytes.
    let text = String::from_utf8_lossy(&v1);
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "the public queue contains {secret:?}");
    }
    let doc: PublicQueue =
        SignedDocument::from_bytes(&v1).unwrap().open(&app.center.lock().unwrap().public_key()).unwrap();
    assert_eq!((doc.version, doc.previous.as_deref()), (1, None));
    let position = |doc: &PublicQueue, id: &str| doc.rows.iter().find(|r| r.registration == id).unwrap().position;
    // D (extraordinary) first; then B (first), A, C, E (general, A before C by id), G (first), F.
    for (id, expected) in [("K1-D", 1), ("K1-B", 2), ("K1-A", 3), ("K1-C", 4), ("K1-E", 5), ("K1-G", 6), ("K1-F", 7)] {
        assert_eq!(position(&doc, id), Some(expected), "{id}");
    }
    assert_eq!(position(&doc, "K1-H"), Some(1), "its own queue (2024)");

    // A round gives D a voucher: a new version, chained to the first.
    app.center.lock().unwrap().distribute("KOK", at("2026-03-10T18:00:00+05:00")).unwrap();
    *clock.lock().unwrap() = at("2026-03-10T18:05:00+05:00");
    let (_, v2) = get(&url);
    let doc2: PublicQueue =
        SignedDocument::from_bytes(&v2).unwrap().open(&app.center.lock().unwrap().public_key()).unwrap();
    assert_eq!(doc2.version, 2);
    assert_eq!(doc2.previous.as_deref(), Some(hex::encode(sha256(&v1)).as_str()));
    let d = doc2.rows.iter().find(|r| r.registration == "K1-D").unwrap();
    assert_eq!((d.position, d.deadline.map(|x| x.at)), (None, Some(at("2026-03-12T23:59:59+05:00"))));
    assert_eq!(position(&doc2, "K1-B"), Some(1));

    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = tmp.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let (f1, f2) = (write("v1.bin", &v1), write("v2.bin", &v2));
    let (ok, out) = verify(&key, &[&f1, &f2]);
    assert!(ok, "{out}");
    assert!(out.contains("OK: 2 version(s)"), "{out}");

    // One position changed by whoever holds the center's key: the signature holds, the
    // positions do not.
    let mut forged = doc2.clone();
    forged.rows.iter_mut().find(|r| r.registration == "K1-A").unwrap().position = Some(1);
    forged.rows.iter_mut().find(|r| r.registration == "K1-B").unwrap().position = Some(2);
    let signing = changelog::KioskKey::load(&dir.path().join("center.key")).unwrap();
    let resigned = SignedDocument::sign(&forged, signing.signing()).to_bytes();
    let (ok, out) = verify(&key, &[&f1, &write("v2-forged.bin", &resigned)]);
    assert!(!ok && out.contains("K1-A") && out.contains("the rules give 2"), "{out}");
    // The same change without the key: the signature fails.
    let mut tampered = v2.clone();
    let at_pos = tampered.windows(11).position(|w| w == b"\"position\":").unwrap();
    tampered[at_pos + 11] = if tampered[at_pos + 11] == b'1' { b'2' } else { b'1' };
    let (ok, out) = verify(&key, &[&f1, &write("v2-tampered.bin", &tampered)]);
    assert!(!ok && out.contains("signature"), "{out}");
    // A version quietly replaced: the next one's chain no longer fits.
    let (ok, out) = verify(&key, &[&write("v1-other.bin", &resigned), &f2]);
    assert!(!ok && out.contains("chain"), "{out}");

    // Restarted, the center goes on from the same chain, and makes version 2 again byte for byte.
    drop(server);
    drop(app);
    let mut reopened = center::Center::open(dir.path()).unwrap();
    let again = reopened.public_queue("KOK", at("2026-03-11T09:00:00+05:00")).unwrap();
    assert_eq!(again, v2);
    assert_eq!(reopened.public_queue("NOPE", at("2026-03-11T09:00:00+05:00")).unwrap_err().code(), "UNKNOWN_DISTRICT");
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}
