//! The log's loading and checking: clean logs, torn appends, damage.

use super::*;
use changelog::{EntryBody, FORMAT_VERSION, KioskKey};
use rules::Command;

fn body(seq: u64, prev: Hash, payload: &Payload) -> EntryBody {
    EntryBody {
        version: FORMAT_VERSION,
        kiosk: "KOK-01".into(),
        seq,
        prev_hash: prev,
        kiosk_time: "2026-03-10T10:00:00+05:00".into(),
        last_contact: if seq.is_multiple_of(2) { Some("2026-03-09T10:00:00Z".into()) } else { None },
        operator: "admin".into(),
        payload: payload.to_json(),
    }
}

fn log(key: &KioskKey, n: u64) -> Vec<u8> {
    let mut prev = GENESIS_HASH;
    let mut out = Vec::new();
    for seq in 1..=n {
        let e =
            SignedEntry::sign(&body(seq, prev, &Payload::OperatorDisabled { login: format!("u{seq}") }), key.signing());
        prev = e.hash();
        e.write_record(&mut out);
    }
    out
}

fn count(bytes: &[u8], key: &KioskKey) -> (LoadSummary, u64) {
    let mut n = 0;
    let s = load(bytes, "KOK-01", key.verifying(), |_| n += 1);
    (s, n)
}

#[test]
fn the_in_place_decoder_agrees_with_postcard() {
    let payloads = [
        Payload::OperatorDisabled { login: "x".repeat(300) },
        Payload::Command { command: Command::Tick },
        Payload::KeyRotated { public_key: "ab".into() },
    ];
    for (i, p) in payloads.iter().enumerate() {
        for seq in [1u64, 127, 128, 300, 16_384, u64::MAX] {
            let b = body(seq, [u8::try_from(i).unwrap(); 32], p);
            let bytes = postcard::to_stdvec(&b).unwrap();
            let mine = decode_body(&bytes).unwrap();
            assert_eq!(mine.seq, b.seq);
            assert_eq!(mine.kiosk, b.kiosk);
            assert_eq!(mine.prev_hash, &b.prev_hash);
            assert_eq!(mine.kiosk_time, b.kiosk_time);
            assert_eq!(mine.last_contact, b.last_contact.as_deref());
            assert_eq!(mine.operator, b.operator);
            assert_eq!(mine.payload, b.payload.as_slice());
            assert_eq!(parse_payload(mine.payload).unwrap(), *p);
            // Every truncation fails in both decoders.
            for cut in 0..bytes.len() {
                let theirs = postcard::from_bytes::<EntryBody>(&bytes[..cut]);
                assert_eq!(decode_body(&bytes[..cut]).is_ok(), theirs.is_ok(), "cut at {cut}");
            }
        }
    }
}

#[test]
fn a_clean_log_loads_with_one_signature_check() {
    let key = KioskKey::generate().unwrap();
    for n in [1u64, 50, 2100] {
        let bytes = log(&key, n);
        let (s, applied) = count(&bytes, &key);
        assert_eq!((s.valid, applied, s.damage.clone()), (n, n, None));
        assert_eq!(s.valid_len, bytes.len() as u64);
        assert_eq!(s.offsets.len() as u64, n);
        if n <= 50 {
            assert_eq!(verify_all(&bytes, "KOK-01", key.verifying()).valid, n);
        }
    }
}

#[test]
fn a_torn_append_is_told_apart_from_damage() {
    let key = KioskKey::generate().unwrap();
    let bytes = log(&key, 10);
    let whole = log(&key, 9).len();
    let (s, _) = count(&bytes[..bytes.len() - 30], &key);
    assert_eq!((s.valid, s.damage), (9, None));
    assert_eq!(s.torn_tail, Some(TornTail { offset: whole as u64, len: (bytes.len() - 30 - whole) as u64 }));
    let mut zeros = bytes.clone();
    zeros.extend_from_slice(&[0; 300]);
    let (s, _) = count(&zeros, &key);
    assert_eq!((s.valid, s.damage.is_none()), (10, true));
    assert_eq!(s.torn_tail.unwrap().len, 300);
}

#[test]
fn a_length_field_past_the_end_is_a_torn_tail_only_for_the_last_unfinished_append() {
    let key = KioskKey::generate().unwrap();
    let bytes = log(&key, 10);
    let (clean, _) = count(&bytes, &key);
    let offset = |seq: usize| usize::try_from(clean.offsets[seq - 1]).unwrap();
    // The length field of a middle entry (4) and of the last one (10) made to reach past
    // the end of the file, within one maximal record: saved entries, never a torn tail.
    for seq in [4usize, 10] {
        let mut bad = bytes.clone();
        let past_end = u32::try_from(bytes.len() - offset(seq) + 100).unwrap();
        bad[offset(seq)..offset(seq) + 4].copy_from_slice(&past_end.to_le_bytes());
        let (s, _) = count(&bad, &key);
        assert_eq!(s.torn_tail, None, "entry {seq}");
        let damage = s.damage.unwrap();
        assert_eq!((damage.seq, damage.offset), (seq as u64, offset(seq) as u64), "entry {seq}");
        assert_eq!(s.valid, seq as u64 - 1);
    }
    // An interrupted group commit: two whole records, then half of the third.
    let more = log(&key, 13);
    let cut = offset(10) + (bytes.len() - offset(10)) + (more.len() - bytes.len()) * 5 / 6;
    let (s, _) = count(&more[..cut], &key);
    assert_eq!((s.valid, s.damage.is_none()), (12, true));
    assert!(s.torn_tail.is_some());
    // Half of the last record followed by zeros (the file grew before the data landed).
    let mut zero_filled = bytes[..bytes.len() - 40].to_vec();
    zero_filled.extend_from_slice(&[0; 20]);
    let (s, _) = count(&zero_filled, &key);
    assert_eq!((s.valid, s.damage.is_none()), (9, true));
    assert_eq!(s.torn_tail.unwrap().offset, offset(10) as u64);
}

#[test]
fn damage_names_the_first_bad_entry_and_keeps_those_before() {
    let key = KioskKey::generate().unwrap();
    for n in [20u64, 2100] {
        let bytes = log(&key, n);
        let (clean, _) = count(&bytes, &key);
        // Flip a bit in the signature of entry 7: the chain breaks at 8, the signature at 7.
        let e8 = usize::try_from(clean.offsets[7]).unwrap();
        let mut bad = bytes.clone();
        bad[e8 - 1] ^= 0x01;
        let (s, _) = count(&bad, &key);
        let damage = s.damage.unwrap();
        assert_eq!((damage.seq, damage.offset, damage.reason_code), (7, clean.offsets[6], "BAD_SIGNATURE"));
        assert_eq!((s.valid, s.valid_len), (6, clean.offsets[6]));
        assert_eq!(verify_all(&bad, "KOK-01", key.verifying()).damage.unwrap().seq, 7);
        // A wrong key: entry 1 is already bad.
        let other = KioskKey::generate().unwrap();
        assert_eq!(load(&bytes, "KOK-01", other.verifying(), |_| {}).damage.unwrap().seq, 1);
        // Garbage in the middle that is not a torn append.
        let mut middle = bytes[..usize::try_from(clean.offsets[5]).unwrap()].to_vec();
        middle.extend_from_slice(&[0xff; 100]);
        let (s, _) = count(&middle, &key);
        assert_eq!((s.damage.unwrap().seq, s.valid, s.torn_tail), (6, 5, None));
        // A flipped bit in the last entry's payload: only its signature can tell (the
        // slow path then checks every signature: small logs only, debug builds are slow).
        if n > 100 {
            continue;
        }
        let mut last = bytes.clone();
        let at = bytes.len() - 64 - 3;
        last[at] ^= 0x01;
        let (s, applied) = count(&last, &key);
        assert_eq!((s.damage.unwrap().seq, s.valid, applied), (n, n - 1, n));
    }
}
