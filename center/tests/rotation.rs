//! A kiosk's key rotation as the center follows it: the `KeyRotated` entry is signed by the
//! old key, later entries by the new one; the old key signs nothing after the rotation.
#![allow(clippy::unwrap_used)]

mod common;

use center::{Center, IngestError};
use changelog::{KioskKey, Payload, fingerprint};
use common::*;
use rules::RightClass;

const DAY: &str = "2026-03-10T10:00:00+05:00";

fn register(kiosk: &mut TestKiosk, n: u32) -> u64 {
    let birth = "2023-04-04";
    kiosk.register_child(DAY, application(&format!("K1-R{n}"), &child_iin(birth, n), birth, RightClass::None))
}

/// Signs a `KeyRotated` with the current key and switches the kiosk to the new one.
fn rotate(kiosk: &mut TestKiosk, by: &str) -> (u64, KioskKey) {
    let next = KioskKey::generate().unwrap();
    let seq = kiosk.push(DAY, by, &Payload::KeyRotated { public_key: next.public_hex() });
    let old = std::mem::replace(&mut kiosk.key, next);
    (seq, old)
}

#[test]
fn the_center_follows_a_rotation_across_uploads_and_restarts() {
    let (dir, mut center) = center();
    let mut kiosk = TestKiosk::new("K1").with_staff(DAY);
    kiosk.register(&mut center);
    let original = kiosk.key.verifying();
    register(&mut kiosk, 1);
    let report = center.ingest(&kiosk.all(), at("2026-03-10T11:00:00+05:00"), None).unwrap().report;
    assert_eq!(report.accepted_through_seq, 3);

    let (rotated_at, _old) = rotate(&mut kiosk, "admin");
    register(&mut kiosk, 2);
    register(&mut kiosk, 3);
    let last = kiosk.next_seq() - 1;
    // The rotation and the entries after it, in one upload.
    let report = center.ingest(&kiosk.bundle(rotated_at, last), at("2026-03-10T12:00:00+05:00"), None).unwrap().report;
    assert_eq!((report.accepted_through_seq, report.accepted), (last, 3), "{report:?}");
    assert!(report.quarantined.is_empty());
    let info = &center.kiosks()[0];
    assert_eq!(info.current_fingerprint, fingerprint(&kiosk.key.verifying()));
    assert_eq!(info.fingerprint, fingerprint(&original), "the registered key stays on record");

    // After a restart the center still knows the new key: an upload starting after the
    // rotation (its first entry must verify) is accepted.
    drop(center);
    let mut center = Center::open(dir.path()).unwrap();
    let next = register(&mut kiosk, 4);
    let report = center.ingest(&kiosk.bundle(next, next), at("2026-03-10T13:00:00+05:00"), None).unwrap().report;
    assert_eq!(report.accepted_through_seq, next);
    assert_eq!(center.state().applications().count(), 4);

    // The whole history verifies from scratch at a center that knows only the original key.
    let (_fresh_dir, mut fresh) = common::center();
    fresh.add_kiosk("K1", DISTRICT, &hex::encode(original.to_bytes()), at(REGISTERED)).unwrap();
    let report = fresh.ingest(&kiosk.all(), at("2026-03-10T13:00:00+05:00"), None).unwrap().report;
    assert_eq!((report.accepted_through_seq, report.quarantined.len()), (next, 0), "{report:?}");
    assert_eq!(applications_json(&fresh), applications_json(&center));
}

#[test]
fn the_old_key_signs_nothing_after_the_rotation() {
    let (_dir, mut center) = center();
    let mut kiosk = TestKiosk::new("K1").with_staff(DAY);
    kiosk.register(&mut center);
    register(&mut kiosk, 1);
    let (rotated_at, old) = rotate(&mut kiosk, "admin");
    register(&mut kiosk, 2);
    // Someone with the old (lost or stolen) key signs the next entry.
    let new = std::mem::replace(&mut kiosk.key, old);
    let forged = register(&mut kiosk, 3);
    kiosk.key = new;
    register(&mut kiosk, 4);

    let report = center.ingest(&kiosk.all(), at("2026-03-10T12:00:00+05:00"), None).unwrap().report;
    assert_eq!(report.accepted_through_seq, forged - 1, "valid entries before are kept: {report:?}");
    // The forged entry does not verify under the key the kiosk held at its sequence (the new
    // one): it is set aside without a note. The kiosk's own entry after it waits with a note.
    let notes: Vec<(u64, &str)> = report.quarantined.iter().map(|q| (q.seq, q.code.as_str())).collect();
    assert_eq!(notes, [(forged + 1, "AFTER_QUARANTINED")]);
    assert_eq!(report.unattributed, 1);
    assert!(center.state().application("K1-R2").is_some() && center.state().application("K1-R3").is_none());
    assert!(rotated_at < forged);

    // An upload that starts with the forged entry is refused whole: nothing is stored.
    let before = center.quarantine().len();
    let err = center.ingest(&kiosk.bundle(forged, forged + 1), at("2026-03-10T13:00:00+05:00"), None).unwrap_err();
    assert!(matches!(err, IngestError::Unauthenticated { seq, .. } if seq == forged), "{err:?}");
    assert_eq!(center.quarantine().len(), before);
}

#[test]
fn a_rotation_to_a_weak_key_or_by_a_non_administrator_is_refused() {
    // The identity point: a small-order (weak) public key.
    let mut weak = [0u8; 32];
    weak[0] = 1;
    let cases =
        [("admin", hex::encode(weak), "BAD_KEY"), ("op", KioskKey::generate().unwrap().public_hex(), "WRONG_ROLE")];
    for (by, public_key, code) in cases {
        let (_dir, mut center) = center();
        let mut kiosk = TestKiosk::new("K1").with_staff(DAY);
        kiosk.register(&mut center);
        register(&mut kiosk, 1);
        let bad = kiosk.push(DAY, by, &Payload::KeyRotated { public_key });
        register(&mut kiosk, 2);
        let report = center.ingest(&kiosk.all(), at("2026-03-10T12:00:00+05:00"), None).unwrap().report;
        assert_eq!(report.accepted_through_seq, bad - 1, "{code}");
        assert_eq!((report.quarantined[0].seq, report.quarantined[0].code.as_str()), (bad, code));
        assert_eq!(center.kiosks()[0].current_fingerprint, fingerprint(&kiosk.key.verifying()), "{code}: key kept");
    }
}
