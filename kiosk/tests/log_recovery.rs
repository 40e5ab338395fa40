//! What the real `kezek-kiosk` cuts from its log at start: only an unfinished last append,
//! kept aside first. A damaged length field of a saved entry (pointing past the end of the
//! file) is damage: nothing is cut, nothing more is appended, the file stays as it is.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::*;

/// Offsets of the records of a kiosk log (`u32 LE body length | body | 64-byte signature`).
fn record_offsets(bytes: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 4 <= bytes.len() {
        out.push(at);
        at += 4 + u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize + 64;
    }
    assert_eq!(at, bytes.len(), "a clean log");
    out
}

fn torn_files(log_dir: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(log_dir)
        .unwrap()
        .map(|i| i.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("torn-"))
        .collect()
}

fn fixture_with_registrations(n: usize, salt: usize) -> Fixture {
    let f = Fixture::new();
    let kids = children(n, salt);
    let lines: Vec<String> = kids.iter().enumerate().map(|(i, c)| register_line("KOK", c, i)).collect();
    let (code, results) = f.apply_as_operator(&lines);
    assert_eq!(code, 0, "{results:?}");
    f
}

#[test]
fn a_damaged_length_field_of_a_saved_entry_is_refused_and_the_file_left_as_it_is() {
    let f = fixture_with_registrations(4, 610);
    let log = f.data().join("log/entries.bin");
    let clean = std::fs::read(&log).unwrap();
    let offsets = record_offsets(&clean);
    assert_eq!(offsets.len(), 7, "init, two accounts, four registrations");
    // Entry 5's length field reaches past the end of the file, within one maximal record:
    // it used to be taken for an unfinished append and cut with everything after it.
    let at = offsets[4];
    let mut damaged = clean.clone();
    let past_end = u32::try_from(clean.len() - at + 500).unwrap();
    damaged[at..at + 4].copy_from_slice(&past_end.to_le_bytes());
    std::fs::write(&log, &damaged).unwrap();

    let (code, status) = f.json(&["status", "--format", "json"]);
    assert_eq!(code, 0, "the entries before the damage can still be read: {status}");
    let damage = &status["logHealth"]["damage"];
    assert_eq!(damage["seq"], 5, "{status}");
    assert_eq!(damage["offset"], at as u64, "{status}");
    assert!(status["open"]["tornTail"].is_null(), "{status}");

    let kids = children(1, 640);
    let mut c = f.cli_with_password(OPERATOR_PASSWORD);
    c.args(["apply", "--json-lines", "--operator", "op"]);
    let o = run(c, &format!("{}\n", register_line("KOK", &kids[0], 9)));
    assert_ne!(common::code(&o), 0);
    let said = format!("{}{}", stdout(&o), stderr(&o));
    assert!(said.contains("LOG_DAMAGED"), "{said}");
    assert_eq!(std::fs::read(&log).unwrap(), damaged, "byte-identical");
    assert!(torn_files(&f.data().join("log")).is_empty());
}

#[test]
fn a_real_torn_tail_is_kept_aside_then_cut() {
    let f = fixture_with_registrations(2, 650);
    let log = f.data().join("log/entries.bin");
    let clean = std::fs::read(&log).unwrap();
    let offsets = record_offsets(&clean);
    // The first 150 bytes of a record like the last one: an append cut by a power loss.
    let last = &clean[offsets[offsets.len() - 1]..];
    let mut torn = clean.clone();
    torn.extend_from_slice(&last[..150]);
    std::fs::write(&log, &torn).unwrap();

    let (code, status) = f.json(&["status", "--format", "json"]);
    assert_eq!(code, 0, "{status}");
    assert!(status["logHealth"]["damage"].is_null(), "{status}");
    assert_eq!(status["open"]["tornTail"]["offset"], clean.len() as u64, "{status}");
    assert_eq!(std::fs::read(&log).unwrap(), clean, "only the unfinished append is cut");
    let kept = torn_files(&f.data().join("log"));
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read(&kept[0]).unwrap(), &last[..150]);
    assert!(kept[0].file_name().unwrap().to_string_lossy().starts_with(&format!("torn-{}-", clean.len())));
    // And the kiosk goes on writing after it.
    let kids = children(1, 660);
    let (code, results) = f.apply_as_operator(&[register_line("KOK", &kids[0], 9)]);
    assert_eq!(code, 0, "{results:?}");
}
