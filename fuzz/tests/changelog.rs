//! Fuzz targets of the change-log decoders: framed records and entry bodies, bundles
//! (compressed bytes and their inflated contents), and the center's signed documents
//! (acks and snapshots). Properties: no panic, a typed error for bad input, consistent
//! offsets for what was read, and no allocation far beyond the input from a length field.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;

use changelog::sync::{open_ack, open_snapshot, sign};
use changelog::{
    Bundle, BundleError, DecodeError, DocumentError, GENESIS_HASH, MAX_BUNDLE_BYTES, MAX_ENTRY_BYTES, SignedDocument,
    decode_records, verify_chain,
};
use common::*;
use fuzz::{CountingAllocator, config, corpus, maybe_write_corpus, mutated, mutated_json, peak_allocation};
use proptest::prelude::*;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Slack for fixed costs (error strings, formatting, the decompressor's window).
const SLACK: usize = 512 * 1024;

/// Framed records: what was read plus where it stopped adds up; every decoded body and
/// payload either decodes or gives a typed error; the chain check never panics.
fn check_records(bytes: &[u8]) {
    let ((entries, damage), peak) = peak_allocation(|| decode_records(bytes));
    assert!(peak <= 4 * bytes.len() + SLACK, "{peak} bytes allocated for {} input bytes", bytes.len());
    let used: usize = entries.iter().map(changelog::SignedEntry::record_len).sum();
    match &damage {
        None => assert_eq!(used, bytes.len()),
        Some((offset, error)) => {
            assert_eq!(used, *offset);
            assert!(matches!(error, DecodeError::Truncated { .. } | DecodeError::TooLarge { .. }), "{error:?}");
        }
    }
    for entry in &entries {
        assert!(entry.body_bytes().len() <= MAX_ENTRY_BYTES as usize);
        let (body, peak) = peak_allocation(|| entry.body());
        // A body's own length fields (strings, the payload) are bounded by serde's cautious
        // preallocation (at most 1 MiB) whatever they claim.
        assert!(peak <= 4 * entry.body_bytes().len() + 2 * SLACK + (1 << 20), "{peak} bytes for a body");
        match body {
            Ok(body) => {
                if let Err(e) = body.payload() {
                    assert!(matches!(e, DecodeError::Payload(_)), "{e:?}");
                }
            }
            Err(e) => assert!(matches!(e, DecodeError::Body(_) | DecodeError::Version(_)), "{e:?}"),
        }
    }
    let (bodies, error) = verify_chain(&entries, KIOSK, kiosk_key().verifying(), 0, GENESIS_HASH);
    assert!(bodies.len() <= entries.len());
    if let Some(error) = error {
        assert_eq!(error.index, bodies.len());
        assert_eq!(error.seq, bodies.len() as u64 + 1);
    } else {
        assert_eq!(bodies.len(), entries.len());
    }
}

/// A bundle: a typed error, or entries that re-encode to the same bundle contents.
fn check_bundle(bytes: &[u8]) {
    let (read, peak) = peak_allocation(|| Bundle::read(bytes));
    // Inflating is bounded by MAX_BUNDLE_BYTES; DEFLATE expands at most ~1032:1.
    let bound = (8 * 1100 * bytes.len()).min(4 * MAX_BUNDLE_BYTES) + SLACK;
    assert!(peak <= bound, "{peak} bytes allocated for a {}-byte bundle", bytes.len());
    match read {
        Ok(read) => {
            let again = Bundle::read(&read.bundle.to_bytes()).unwrap();
            assert_eq!(again.damage, None);
            assert_eq!(again.bundle, read.bundle);
            if let Some((_, error)) = &read.damage {
                assert!(matches!(error, DecodeError::Truncated { .. } | DecodeError::TooLarge { .. }), "{error:?}");
            }
            check_records(&records(&read.bundle.entries));
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// The contents of a bundle before compression (kiosk id header and records).
fn check_bundle_contents(raw: &[u8]) {
    let mut encoder = flate2::write::DeflateEncoder::new(b"KZKB\x01".to_vec(), flate2::Compression::fast());
    encoder.write_all(raw).unwrap();
    let bytes = encoder.finish().unwrap();
    match Bundle::read(&bytes) {
        Ok(read) => {
            let kiosk_len = usize::from(u16::from_le_bytes([raw[0], raw[1]]));
            assert_eq!(read.bundle.kiosk.as_bytes(), &raw[2..2 + kiosk_len]);
            let used: usize = read.bundle.entries.iter().map(changelog::SignedEntry::record_len).sum();
            match &read.damage {
                None => assert_eq!(used, raw.len() - 2 - kiosk_len),
                Some((offset, _)) => assert_eq!(used, *offset),
            }
        }
        Err(e) => assert!(matches!(e, BundleError::BadHeader | BundleError::TooManyEntries), "{e:?}"),
    }
    check_bundle(&bytes);
}

/// Signed documents: opening never panics, a forged or damaged one is refused.
fn check_document(bytes: &[u8]) {
    let (doc, peak) = peak_allocation(|| SignedDocument::from_bytes(bytes));
    assert!(peak <= bytes.len() + 1024, "{peak} bytes allocated for a {}-byte document", bytes.len());
    let key = center_key().verifying();
    let ack = open_ack(bytes, &key);
    let snapshot = open_snapshot(bytes, &key);
    if doc.is_err() {
        assert_eq!(ack, Err(DocumentError::NotADocument));
        assert_eq!(snapshot.map(|_| ()), Err(DocumentError::NotADocument));
    }
    if let Ok(ack) = ack {
        assert_eq!(open_ack(&sign(&ack, center_key().signing()), &key).unwrap(), ack);
    }
}

/// JSON signed by the right key but not the expected content: refused as content, never
/// taken for a forgery and never a panic.
fn check_signed_json(json: &[u8]) {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(json) else { return };
    let bytes = sign(&value, center_key().signing());
    let key = center_key().verifying();
    for error in [open_ack(&bytes, &key).err(), open_snapshot(&bytes, &key).err()].into_iter().flatten() {
        assert!(matches!(error, DocumentError::Content(_)), "{error:?}");
    }
}

/// The seeds of the corpus: valid records, bundles and documents made with the crate APIs,
/// plus hand-made hostile headers.
fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let entries = chain();
    let (_dir, mut center) = common::center();
    center.ingest(&bundle(&entries), at(NOW), Some(KIOSK)).unwrap();
    let (ack, _) = center.ack(KIOSK, at(NOW)).unwrap();
    let (snapshot, _) = center.snapshot(DISTRICT, at(NOW)).unwrap();
    assert_eq!(ack.accepted_through_seq, entries.len() as u64, "the seed chain is valid");
    let mut huge_record = u32::MAX.to_le_bytes().to_vec();
    huge_record.extend_from_slice(&[0; 80]);
    // A body whose payload claims 2^32 - 1 bytes (postcard varint).
    let mut huge_payload = vec![1, 2, b'K', b'1', 1];
    huge_payload.extend_from_slice(&[0; 32]);
    huge_payload.extend_from_slice(&[0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    let mut huge_payload_record = u32::try_from(huge_payload.len()).unwrap().to_le_bytes().to_vec();
    huge_payload_record.extend_from_slice(&huge_payload);
    huge_payload_record.extend_from_slice(&[0; 64]);
    let mut huge_document = b"KZKD".to_vec();
    huge_document.extend_from_slice(&u32::MAX.to_le_bytes());
    huge_document.extend_from_slice(b"{}");
    let mut bomb = flate2::write::DeflateEncoder::new(b"KZKB\x01".to_vec(), flate2::Compression::best());
    bomb.write_all(&[2, 0, b'K', b'1']).unwrap();
    bomb.write_all(&vec![0; MAX_BUNDLE_BYTES + 1]).unwrap();
    vec![
        ("records.bin", records(&entries)),
        ("bundle.kzb", bundle(&entries)),
        ("bundle-tail.kzb", bundle(&entries[5..])),
        ("ack.kzd", sign(&ack, center_key().signing())),
        ("snapshot.kzd", sign(&snapshot, center_key().signing())),
        ("ack.json", serde_json::to_vec(&ack).unwrap()),
        ("snapshot.json", serde_json::to_vec(&snapshot).unwrap()),
        ("record-claims-4gib.bin", huge_record),
        ("body-payload-claims-4gib.bin", huge_payload_record),
        ("document-claims-4gib.kzd", huge_document),
        ("bundle-inflates-past-limit.kzb", bomb.finish().unwrap()),
    ]
}

/// Every corpus file, and the seeds made afresh, through every check (files added after a
/// long run stay regressions).
#[test]
fn the_corpus_replays_without_panic() {
    let seeds = seeds();
    maybe_write_corpus("changelog", &seeds);
    let files = corpus("changelog");
    assert!(files.len() >= seeds.len(), "the corpus holds at least the seeds");
    let fresh = seeds.into_iter().map(|(name, bytes)| (format!("(fresh) {name}"), bytes));
    for (name, bytes) in files.into_iter().chain(fresh) {
        check_records(&bytes);
        check_bundle(&bytes);
        check_document(&bytes);
        check_signed_json(&bytes);
        if bytes.len() >= 2 && usize::from(u16::from_le_bytes([bytes[0], bytes[1]])) + 2 <= bytes.len() {
            check_bundle_contents(&bytes);
        }
        eprintln!("corpus changelog/{name}: ok");
    }
}

#[test]
fn length_fields_claiming_4_gib_are_refused_without_allocating() {
    let files = corpus("changelog");
    let get = |name: &str| files.iter().find(|(n, _)| n == name).unwrap().1.clone();
    let huge = get("record-claims-4gib.bin");
    let (result, peak) = peak_allocation(|| changelog::SignedEntry::read_record(&huge));
    assert_eq!(result.unwrap_err(), DecodeError::TooLarge { len: u32::MAX });
    assert!(peak < 1024, "{peak}");
    let (entries, damage) = decode_records(&get("body-payload-claims-4gib.bin"));
    assert!(damage.is_none());
    let (body, peak) = peak_allocation(|| entries[0].body());
    assert!(matches!(body, Err(DecodeError::Body(_))), "{body:?}");
    assert!(peak <= 2 << 20, "{peak}");
    let (doc, peak) = peak_allocation(|| SignedDocument::from_bytes(&get("document-claims-4gib.kzd")));
    assert_eq!(doc, Err(DocumentError::NotADocument));
    assert!(peak < 1024, "{peak}");
    let bomb = get("bundle-inflates-past-limit.kzb");
    assert!(bomb.len() < 1 << 20, "a small file");
    let (read, peak) = peak_allocation(|| Bundle::read(&bomb));
    assert_eq!(read, Err(BundleError::TooLarge));
    assert!(peak <= 2 * MAX_BUNDLE_BYTES + SLACK, "{peak}");
}

/// The corpus files whose names end with one of `suffixes`: the starting points of a target.
fn seeds_for(suffixes: &[&str]) -> Vec<Vec<u8>> {
    corpus("changelog")
        .into_iter()
        .filter(|(name, _)| suffixes.iter().any(|s| name.ends_with(s)))
        .map(|(_, b)| b)
        .collect()
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn mutated_records_decode_without_panic(bytes in mutated(seeds_for(&[".bin"]))) {
        check_records(&bytes);
    }

    #[test]
    fn mutated_signed_json_is_refused_as_content(json in mutated_json(seeds_for(&[".json"]))) {
        check_signed_json(&json);
    }
}

/// Bundle contents start with the kiosk id's length (u16 LE) and the id: a mutated length
/// that runs past the end is cut to what is there, so every case is tried (none rejected).
fn with_kiosk_id_in_bounds(mut raw: Vec<u8>) -> Vec<u8> {
    raw.resize(raw.len().max(2), 0);
    let available = u16::try_from(raw.len() - 2).unwrap_or(u16::MAX);
    let id_len = u16::from_le_bytes([raw[0], raw[1]]).min(available);
    raw[..2].copy_from_slice(&id_len.to_le_bytes());
    raw
}

proptest! {
    #![proptest_config(config(64))]

    #[test]
    fn mutated_bundle_contents_read_without_panic(raw in mutated(seeds_for(&["records.bin"]).into_iter().map(|records| {
        let mut raw = vec![2, 0, b'K', b'1'];
        raw.extend_from_slice(&records);
        raw
    }).collect())) {
        check_bundle_contents(&with_kiosk_id_in_bounds(raw));
    }

    #[test]
    fn mutated_bundles_read_without_panic(bytes in mutated(seeds_for(&["bundle.kzb", "bundle-tail.kzb"]))) {
        check_bundle(&bytes);
    }

    #[test]
    fn mutated_documents_open_without_panic(bytes in mutated(seeds_for(&[".kzd"]))) {
        check_document(&bytes);
    }
}
