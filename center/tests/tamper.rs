//! Tamper suite against the center. Each case: the tampering is detected, the report names
//! the entry with the exact code and reason when the kiosk itself signed it (an entry that
//! is not the kiosk's signed entry is set aside without a note and counted as unattributed;
//! the notes of the kiosk's entries after it name it), and every valid entry before it is
//! kept (the accepted head and the state are those of a clean center given only those
//! entries); the genuine entries are then accepted when resent.
//!
//! Where else a case is tested: bit flip in a signature, gap, fork, unknown and revoked kiosk
//! also in `ingest.rs`; the old key after a rotation in `rotation.rs`; a tampered bundle and a
//! fork through the real binaries in `tests/tests/sync_e2e.rs`. Forged center snapshots and
//! acks at the kiosk are in `kiosk/tests/tamper.rs` (they need the kiosk crate).
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use center::{Center, IngestError, IngestReport};
use changelog::sync::{ClockProblem, open_ack};
use changelog::{Bundle, EntryBody, KioskKey, Payload, SignedEntry};
use common::*;
use rules::RightClass;

const RECEIVED: &str = "2026-03-10T18:00:00+05:00";
/// Entries of the test kiosk: 2 staff entries and 6 registrations.
const N: u64 = 8;
/// The entry tampered with in most cases.
const BAD: u64 = 5;
/// The reason of a gap at [`BAD`].
const GAP: &str = "expected sequence 5, found 6";

fn kiosk(id: &str) -> TestKiosk {
    let mut kiosk = TestKiosk::new(id).with_staff("2026-03-10T09:00:00+05:00");
    let serial = u32::from(id.as_bytes()[id.len() - 1]) * 100;
    for i in 0..6 {
        kiosk.register_child(
            &format!("2026-03-10T10:{i:02}:00+05:00"),
            application(&format!("{id}-{i}"), &child_iin("2023-05-10", serial + i), "2023-05-10", RightClass::None),
        );
    }
    kiosk
}

fn index(seq: u64) -> usize {
    usize::try_from(seq - 1).unwrap()
}

fn upload(id: &str, entries: Vec<SignedEntry>) -> Vec<u8> {
    Bundle { kiosk: id.into(), entries }.to_bytes()
}

/// The state of a clean center that got only `kiosk`'s entries `1..=kept`.
fn clean_state(kiosk: &TestKiosk, kept: u64) -> String {
    let (_dir, mut center) = center();
    kiosk.register(&mut center);
    if kept > 0 {
        center.ingest(&kiosk.bundle(1, kept), at(RECEIVED), None).unwrap();
    }
    applications_json(&center)
}

/// A body re-encoded after `change`, with the original signature.
fn tampered_body(entry: &SignedEntry, change: impl FnOnce(&mut EntryBody)) -> SignedEntry {
    let mut body = entry.body().unwrap();
    change(&mut body);
    SignedEntry::from_parts(postcard::to_stdvec(&body).unwrap(), *entry.signature())
}

/// How the entry that stops an upload is recorded.
#[derive(Debug, Clone, Copy)]
enum Stop<'a> {
    /// The kiosk signed it (with the key it held at that sequence): a note with this code and
    /// reason.
    Noted(&'a str, &'a str),
    /// It is not the kiosk's signed entry (a forgery or damage, caught by the check named
    /// here): set aside without a note, counted as unattributed.
    Unsigned(&'a str),
}

/// Checks a stopped upload: the quarantine notes (first the failing entry with its code and
/// reason when the kiosk signed it, then `AFTER_QUARANTINED` for the rest), the head and the
/// state of the `kept` genuine entries, the notes in the kiosk's ack; then the genuine resend
/// completes.
fn assert_stopped(
    center: &mut Center,
    kiosk: &TestKiosk,
    report: &IngestReport,
    kept: u64,
    quarantined: &[u64],
    stop: Stop<'_>,
) {
    let (Stop::Noted(code, _) | Stop::Unsigned(code)) = stop;
    let case = format!("{code}: {report:?}");
    assert_eq!(report.accepted_through_seq, kept, "{case}");
    assert_eq!(report.head_hash, hex::encode(kiosk.entries[index(kept)].hash()), "{case}");
    let notes: Vec<(u64, &str)> = report.quarantined.iter().map(|n| (n.seq, n.code.as_str())).collect();
    let mut expected = match stop {
        Stop::Noted(code, _) => vec![(quarantined[0], code)],
        Stop::Unsigned(_) => vec![],
    };
    expected.extend(quarantined[1..].iter().map(|s| (*s, "AFTER_QUARANTINED")));
    assert_eq!(notes, expected, "{case}");
    assert_eq!(report.unattributed, usize::from(matches!(stop, Stop::Unsigned(_))), "{case}");
    if let Stop::Noted(_, reason) = stop {
        assert_eq!(report.quarantined[0].reason, reason, "{case}");
    }
    for note in &report.quarantined {
        assert_eq!(note.kiosk, kiosk.id);
        if note.seq != quarantined[0] {
            assert_eq!(note.reason, format!("follows quarantined entry {} of kiosk {}", quarantined[0], kiosk.id));
        }
    }
    assert_eq!(center.kiosks().iter().find(|k| k.id == kiosk.id).unwrap().accepted_through_seq, kept, "{case}");
    assert_eq!(applications_json(center), clean_state(kiosk, kept), "{case}: the valid entries before it are kept");
    let ack = open_ack(&center.ack(&kiosk.id, at(RECEIVED)).unwrap().1, &center.public_key()).unwrap();
    assert_eq!(ack.accepted_through_seq, kept);
    let acked: Vec<(u64, &str)> = ack.quarantined.iter().map(|n| (n.seq, n.code.as_str())).collect();
    let mut sorted = expected.clone();
    sorted.sort_unstable();
    assert_eq!(acked, sorted, "{case}: the ack says so");
    let listed = center.quarantine();
    let open: Vec<(u64, &str)> =
        listed.iter().filter(|q| !q.resolved).map(|q| (q.note.seq, q.note.code.as_str())).collect();
    assert_eq!(open, sorted, "{listed:?}");

    let resent = center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap().report;
    assert_eq!(resent.accepted_through_seq, N, "{case}: the genuine entries are accepted");
    assert!(resent.quarantined.is_empty());
    assert_eq!(applications_json(center), clean_state(kiosk, N));
}

/// A center with the kiosk registered and its two staff entries accepted.
fn started(kiosk: &TestKiosk) -> (tempfile::TempDir, Center) {
    let (dir, mut center) = center();
    kiosk.register(&mut center);
    let report = center.ingest(&kiosk.bundle(1, 2), at(RECEIVED), None).unwrap().report;
    assert_eq!(report.accepted_through_seq, 2);
    (dir, center)
}

#[test]
fn a_bit_flipped_in_a_payload_is_a_bad_signature() {
    let kiosk = kiosk("K1");
    let (_dir, mut center) = started(&kiosk);
    let mut entries = kiosk.entries.clone();
    let good = &entries[index(BAD)];
    // One bit of the application id ("K1-2" becomes "K1-3"): still a valid payload.
    let mut body = good.body_bytes().to_vec();
    let at_id = body.windows(5).position(|w| w == b"\"K1-2").unwrap() + 4;
    body[at_id] ^= 0x01;
    let flipped = SignedEntry::from_parts(body, *good.signature());
    assert!(matches!(flipped.body().unwrap().payload(), Ok(Payload::Command { .. })), "still decodes");
    entries[index(BAD)] = flipped;
    let report = center.ingest(&upload("K1", entries), at(RECEIVED), None).unwrap().report;
    assert_stopped(&mut center, &kiosk, &report, BAD - 1, &[5, 6, 7, 8], Stop::Unsigned("BAD_SIGNATURE"));
}

#[test]
fn a_bit_flipped_in_a_signature_is_a_bad_signature() {
    let kiosk = kiosk("K1");
    let (_dir, mut center) = started(&kiosk);
    let mut entries = kiosk.entries.clone();
    let mut signature = *entries[index(BAD)].signature();
    signature[40] ^= 0x08;
    entries[index(BAD)] = SignedEntry::from_parts(entries[index(BAD)].body_bytes().to_vec(), signature);
    let report = center.ingest(&upload("K1", entries), at(RECEIVED), None).unwrap().report;
    assert_stopped(&mut center, &kiosk, &report, BAD - 1, &[5, 6, 7, 8], Stop::Unsigned("BAD_SIGNATURE"));
}

#[test]
fn a_bit_flipped_in_a_previous_hash_breaks_the_chain() {
    let kiosk = kiosk("K1");
    let (_dir, mut center) = started(&kiosk);
    let mut entries = kiosk.entries.clone();
    entries[index(BAD)] = tampered_body(&entries[index(BAD)], |b| b.prev_hash[7] ^= 0x20);
    let report = center.ingest(&upload("K1", entries), at(RECEIVED), None).unwrap().report;
    assert_stopped(&mut center, &kiosk, &report, BAD - 1, &[5, 6, 7, 8], Stop::Unsigned("BROKEN_CHAIN"));
}

#[test]
fn an_entry_the_kiosk_signed_over_a_wrong_previous_hash_breaks_the_chain() {
    // The kiosk's own key signed the broken link (a faulty or modified kiosk): the chain check
    // names it.
    let kiosk = kiosk("K1");
    let (_dir, mut center) = started(&kiosk);
    let mut entries = kiosk.entries.clone();
    let mut body = entries[index(BAD)].body().unwrap();
    body.prev_hash[7] ^= 0x20;
    entries[index(BAD)] = SignedEntry::sign(&body, kiosk.key.signing());
    let report = center.ingest(&upload("K1", entries), at(RECEIVED), None).unwrap().report;
    let reason = "previous-hash mismatch: the entry does not continue the accepted chain";
    assert_stopped(&mut center, &kiosk, &report, BAD - 1, &[5, 6, 7, 8], Stop::Noted("BROKEN_CHAIN", reason));
}

#[test]
fn reordered_entries_are_a_gap() {
    let kiosk = kiosk("K1");
    let (_dir, mut center) = started(&kiosk);
    let mut entries = kiosk.entries.clone();
    entries.swap(index(5), index(6));
    let report = center.ingest(&upload("K1", entries), at(RECEIVED), None).unwrap().report;
    assert_stopped(&mut center, &kiosk, &report, 4, &[6, 5, 7, 8], Stop::Noted("SEQUENCE_GAP", GAP));
}

#[test]
fn a_missing_entry_is_a_gap() {
    let kiosk = kiosk("K1");
    let (_dir, mut center) = started(&kiosk);
    let mut entries = kiosk.entries.clone();
    entries.remove(index(BAD));
    let report = center.ingest(&upload("K1", entries), at(RECEIVED), None).unwrap().report;
    assert_stopped(&mut center, &kiosk, &report, 4, &[6, 7, 8], Stop::Noted("SEQUENCE_GAP", GAP));
}

#[test]
fn a_replayed_bundle_changes_nothing() {
    let kiosk = kiosk("K1");
    let (dir, mut center) = started(&kiosk);
    let first = center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap().report;
    assert_eq!((first.accepted, first.accepted_through_seq), (6, N));
    let state = applications_json(&center);
    let log = std::fs::read(dir.path().join("db/accepted.log")).unwrap();
    let quarantine = center.quarantine();
    for later in ["2026-03-10T19:00:00+05:00", "2026-03-12T09:00:00+05:00"] {
        let replay = center.ingest(&kiosk.all(), at(later), None).unwrap().report;
        assert_eq!((replay.accepted, replay.duplicates, replay.accepted_through_seq), (0, 8, N));
        assert!(replay.quarantined.is_empty() && replay.flagged.is_empty() && replay.review.is_empty());
        assert_eq!(replay.head_hash, first.head_hash);
    }
    assert_eq!(applications_json(&center), state);
    assert_eq!(center.quarantine(), quarantine);
    assert_eq!(std::fs::read(dir.path().join("db/accepted.log")).unwrap(), log, "nothing more was stored");
    drop(center);
    assert_eq!(applications_json(&Center::open(dir.path()).unwrap()), state);
}

#[test]
fn a_truncated_file_keeps_the_whole_entries_before_the_cut() {
    let kiosk = kiosk("K1");
    let bytes = kiosk.all();
    let mut seen = Vec::new();
    for cut in [bytes.len() / 2, bytes.len() * 3 / 4, bytes.len() - 1] {
        let (_dir, mut center) = started(&kiosk);
        let report = center.ingest(&bytes[..cut], at(RECEIVED), None).unwrap().report;
        let kept = report.accepted_through_seq;
        assert!(report.damage.as_deref().is_some_and(|d| d.starts_with("bundle damaged at byte")), "{report:?}");
        assert!((2..=N).contains(&kept), "cut at {cut}: {report:?}");
        assert!(report.quarantined.is_empty(), "nothing after the cut was read");
        assert_eq!(report.head_hash, hex::encode(kiosk.entries[index(kept)].hash()));
        assert_eq!(applications_json(&center), clean_state(&kiosk, kept));
        let resent = center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap().report;
        assert_eq!(resent.accepted_through_seq, N);
        seen.push(kept);
    }
    assert!(seen[0] < N, "half a file is not all of it: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "a shorter file keeps no more: {seen:?}");
}

#[test]
fn entries_signed_by_an_unknown_key() {
    let kiosk = kiosk("K1");
    let (_dir, mut center) = started(&kiosk);
    let stranger = KioskKey::generate().unwrap();
    let sign = |e: &SignedEntry| SignedEntry::sign(&e.body().unwrap(), stranger.signing());
    // In the middle of a genuine upload: stops there.
    let mut entries = kiosk.entries.clone();
    entries[index(BAD)] = sign(&entries[index(BAD)]);
    let report = center.ingest(&upload("K1", entries), at(RECEIVED), None).unwrap().report;
    assert_stopped(&mut center, &kiosk, &report, BAD - 1, &[5, 6, 7, 8], Stop::Unsigned("BAD_SIGNATURE"));
    // A whole upload by the stranger: refused, nothing stored.
    let (_dir, mut center) = started(&kiosk);
    let before = (applications_json(&center), center.quarantine());
    let forged: Vec<SignedEntry> = kiosk.entries[2..].iter().map(sign).collect();
    let err = center.ingest(&upload("K1", forged), at(RECEIVED), None).unwrap_err();
    assert!(matches!(&err, IngestError::Unauthenticated { kiosk, seq: 3 } if kiosk == "K1"), "{err:?}");
    assert_eq!(err.code(), "UNAUTHENTICATED");
    assert_eq!((applications_json(&center), center.quarantine()), before);
    assert_eq!(center.kiosks()[0].accepted_through_seq, 2);
}

#[test]
fn entries_signed_by_a_revoked_key() {
    // The kiosk is revoked: even its genuine entries are refused whole; what came before stays.
    let kiosk = kiosk("K1");
    let (_dir, mut center) = started(&kiosk);
    let before = applications_json(&center);
    center.revoke_kiosk("K1", at("2026-03-10T12:00:00+05:00")).unwrap();
    let err = center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap_err();
    assert_eq!(err.code(), "REVOKED_KIOSK");
    assert_eq!((applications_json(&center), center.kiosks()[0].accepted_through_seq), (before, 2));

    // A key rotated out: the old key signs nothing after the rotation.
    let (_dir, mut center) = common::center();
    let mut rotated = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    rotated.register(&mut center);
    let next = KioskKey::generate().unwrap();
    rotated.push("2026-03-10T09:30:00+05:00", "admin", &Payload::KeyRotated { public_key: next.public_hex() });
    let old = std::mem::replace(&mut rotated.key, next);
    for i in 0..3 {
        rotated.register_child(
            "2026-03-10T10:00:00+05:00",
            application(&format!("K1-R{i}"), &child_iin("2023-06-06", 40 + i), "2023-06-06", RightClass::None),
        );
    }
    let mut entries = rotated.entries.clone();
    entries[4] = SignedEntry::sign(&entries[4].body().unwrap(), old.signing());
    let report = center.ingest(&upload("K1", entries), at(RECEIVED), None).unwrap().report;
    assert_eq!(report.accepted_through_seq, 4, "{report:?}");
    assert_eq!(report.head_hash, hex::encode(rotated.entries[3].hash()));
    // Entry 5 does not verify under the key in force (the new one): no note for it, the
    // kiosk's own entry after it waits behind it.
    let notes: Vec<(u64, &str, &str)> =
        report.quarantined.iter().map(|n| (n.seq, n.code.as_str(), n.reason.as_str())).collect();
    assert_eq!(notes, vec![(6, "AFTER_QUARANTINED", "follows quarantined entry 5 of kiosk K1")]);
    assert_eq!(report.unattributed, 1);
    assert_eq!(center.state().applications().count(), 1, "K1-R0 (entry 4) is kept");
    assert!(center.state().application("K1-R0").is_some());
}

#[test]
fn an_entry_of_kiosk_a_signed_with_kiosk_b_key() {
    let a = kiosk("KA");
    let b = kiosk("KB");
    let (_dir, mut center) = started(&a);
    b.register(&mut center);
    // A's own entry, signed with B's (registered, valid) key.
    let mut entries = a.entries.clone();
    entries[index(BAD)] = SignedEntry::sign(&entries[index(BAD)].body().unwrap(), b.key.signing());
    let report = center.ingest(&upload("KA", entries), at(RECEIVED), None).unwrap().report;
    assert_stopped(&mut center, &a, &report, BAD - 1, &[5, 6, 7, 8], Stop::Unsigned("BAD_SIGNATURE"));
    assert_eq!(center.kiosks().iter().find(|k| k.id == "KB").unwrap().accepted_through_seq, 0);

    // B's genuine entry slipped into A's upload.
    let (_dir, mut center) = started(&a);
    b.register(&mut center);
    let mut entries = a.entries.clone();
    entries[index(BAD)] = b.entries[index(BAD)].clone();
    let report = center.ingest(&upload("KA", entries), at(RECEIVED), None).unwrap().report;
    // B's entry is no entry of A's: set aside without a note under A.
    assert_stopped(&mut center, &a, &report, BAD - 1, &[5, 6, 7, 8], Stop::Unsigned("WRONG_KIOSK"));

    // A whole upload of A's entries signed by B, sent as A or as B: refused, nothing stored.
    let (_dir, mut center) = started(&a);
    b.register(&mut center);
    let forged: Vec<SignedEntry> =
        a.entries[2..].iter().map(|e| SignedEntry::sign(&e.body().unwrap(), b.key.signing())).collect();
    let err = center.ingest(&upload("KA", forged.clone()), at(RECEIVED), None).unwrap_err();
    assert_eq!(err.code(), "UNAUTHENTICATED");
    let err = center.ingest(&upload("KA", forged), at(RECEIVED), Some("KB")).unwrap_err();
    assert_eq!(err.code(), "KIOSK_MISMATCH");
    assert_eq!(center.state().applications().count(), 0);
    assert!(center.quarantine().is_empty());
}

#[test]
fn a_kiosk_restored_from_an_old_backup_forks() {
    let kiosk = kiosk("K1");
    let (_dir, mut center) = started(&kiosk);
    center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap();
    let state = applications_json(&center);
    // The backup held entries 1..=4; the restored kiosk goes on with other entries 5, 6.
    let mut restored = TestKiosk {
        entries: kiosk.entries[..4].to_vec(),
        prev: kiosk.entries[3].hash(),
        key: KioskKey::from_secret(kiosk.key.signing().to_bytes()),
        ..TestKiosk::new("K1")
    };
    for i in 0..2 {
        restored.register_child(
            "2026-03-10T11:00:00+05:00",
            application(&format!("K1-NEW-{i}"), &child_iin("2023-07-07", 60 + i), "2023-07-07", RightClass::None),
        );
    }
    let report = center.ingest(&restored.all(), at(RECEIVED), None).unwrap().report;
    assert_eq!((report.accepted, report.duplicates), (0, 4));
    assert_eq!(report.accepted_through_seq, N, "the accepted chain stays");
    assert_eq!(report.head_hash, hex::encode(kiosk.entries[index(N)].hash()));
    let notes: Vec<(u64, &str)> = report.quarantined.iter().map(|n| (n.seq, n.code.as_str())).collect();
    assert_eq!(notes, vec![(5, "FORK"), (6, "AFTER_QUARANTINED")]);
    assert_eq!(report.quarantined[0].reason, "sequence 5 was accepted with different content (fork)");
    assert_eq!(applications_json(&center), state);
    assert!(center.state().application("K1-NEW-0").is_none());
    // The ack the restored kiosk gets names the center's head, which its own entry 8 does
    // not match (it has none): the kiosk stops and reports (kiosk/tests/tamper.rs).
    let ack = open_ack(&center.ack("K1", at(RECEIVED)).unwrap().1, &center.public_key()).unwrap();
    assert_eq!(ack.accepted_through_seq, N);
    assert!(ack.quarantined.iter().all(|n| n.seq > N), "notes at or below the head are not the kiosk's to resend");
}

#[test]
fn a_kiosk_clock_far_in_the_future_is_clamped_and_flagged() {
    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    let (_dir, mut center) = center();
    kiosk.register(&mut center);
    let future = "2031-01-01T10:00:00+05:00";
    let seq =
        kiosk.register_child(future, application("K1-F", &child_iin("2023-08-08", 1), "2023-08-08", RightClass::None));
    let report = center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap().report;
    assert_eq!(report.accepted_through_seq, seq, "accepted anyway");
    assert_eq!(report.flagged.len(), 1);
    let flag = &report.flagged[0];
    assert_eq!((flag.seq, flag.problem), (seq, ClockProblem::AfterReceipt));
    assert_eq!(flag.kiosk_time, future, "the kiosk's time is kept");
    assert_eq!((flag.effective_time, flag.window_from, flag.window_to), (at(RECEIVED), at(REGISTERED), at(RECEIVED)));
    assert_eq!(center.state().application("K1-F").unwrap().registered_at, at(RECEIVED));
    let items = center.review_items();
    let item = items.iter().find(|i| i.id == format!("C-K1-{seq}")).expect("listed for review");
    assert_eq!(item.kind, "clock");
    assert_eq!(item.kiosk_time.as_deref(), Some(future));
    assert_eq!(item.effective_time, Some(at(RECEIVED)));
}

#[test]
fn a_kiosk_clock_before_its_last_snapshot_is_clamped_and_flagged() {
    let (_dir, mut center) = center();
    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    kiosk.register(&mut center);
    center.ingest(&kiosk.all(), at("2026-03-10T09:30:00+05:00"), None).unwrap();
    // The kiosk took the center's snapshot at 12:00; its clock then went back to 08:00.
    let snapshot = center.snapshot(DISTRICT, at("2026-03-10T12:00:00+05:00")).unwrap().0;
    kiosk.last_contact = Some(snapshot.generated_at.to_string());
    let early = "2026-03-10T08:00:00+05:00";
    let seq =
        kiosk.register_child(early, application("K1-B", &child_iin("2023-08-09", 2), "2023-08-09", RightClass::None));
    let fine = kiosk.register_child(
        "2026-03-10T13:00:00+05:00",
        application("K1-C", &child_iin("2023-08-10", 3), "2023-08-10", RightClass::None),
    );
    let report = center.ingest(&kiosk.bundle(seq, fine), at(RECEIVED), None).unwrap().report;
    assert_eq!(report.accepted_through_seq, fine, "accepted anyway");
    assert_eq!(report.flagged.len(), 1, "{report:?}");
    let flag = &report.flagged[0];
    assert_eq!((flag.seq, flag.problem), (seq, ClockProblem::BeforeLastContact));
    assert_eq!(flag.kiosk_time, early);
    assert_eq!(flag.effective_time, snapshot.generated_at, "clamped to the snapshot's time");
    assert_eq!((flag.window_from, flag.window_to), (snapshot.generated_at, at(RECEIVED)));
    assert_eq!(center.state().application("K1-B").unwrap().registered_at, snapshot.generated_at);
    assert_eq!(center.state().application("K1-C").unwrap().registered_at, at("2026-03-10T13:00:00+05:00"));
    let ack = center.ack("K1", at(RECEIVED)).unwrap().0;
    assert!(ack.flagged.iter().any(|f| f.seq == seq && f.problem == ClockProblem::BeforeLastContact));
}
