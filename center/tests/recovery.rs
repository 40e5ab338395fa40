//! Recovery of the accepted log through the real `kezek-center` binary: a flipped byte in
//! the middle refuses to start (`LOG_DAMAGED`, the byte offset named) and leaves the file
//! byte-identical; zeros appended by an interrupted append are kept aside, then cut, and
//! every acknowledged entry is still there. Also: the files the center writes for people
//! (snapshot, ack) are readable by their owner only.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::proc::{cli, init_center, init_center_embedded};
use common::*;

/// A center with the kiosk's whole log ingested from a file; returns the ack's JSON.
fn ingested(data: &Path, kiosk: &TestKiosk) -> serde_json::Value {
    init_center_embedded(data, &[kiosk]);
    let file = data.join("upload.kzb");
    std::fs::write(&file, kiosk.all()).unwrap();
    let out = cli(data, &["ingest", file.to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["acceptedThroughSeq"], kiosk.entries.len() as u64);
    ack_of(data)
}

fn ack_of(data: &Path) -> serde_json::Value {
    let out = cli(data, &["ack", "--kiosk", "K1", "--out", data.join("k1.ack").to_str().unwrap()], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Offsets of the records of an accepted log (`u32 LE length | u32 CRC | payload`).
fn record_offsets(bytes: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = 0;
    while at + 8 <= bytes.len() {
        out.push(at);
        at += 8 + u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    }
    assert_eq!(at, bytes.len(), "a clean log");
    out
}

fn json_error(stderr: &[u8]) -> serde_json::Value {
    let text = String::from_utf8_lossy(stderr);
    let line = text.lines().find(|l| l.starts_with("{\"error\"")).unwrap_or_else(|| panic!("no JSON error in {text}"));
    serde_json::from_str(line).unwrap()
}

fn cut_files(db: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(db)
        .unwrap()
        .map(|i| i.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".cut-"))
        .collect();
    names.sort();
    names
}

#[test]
fn a_byte_flipped_mid_log_refuses_to_start_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("center");
    let kiosk = kiosk_with_registrations("K1", 6, 300);
    ingested(&data, &kiosk);
    let log = data.join("db/accepted.log");
    let clean = std::fs::read(&log).unwrap();
    let offsets = record_offsets(&clean);
    // The kiosk's entries, and the center's own entries recording what the command line on
    // the folder did: kiosk.add, ingest.file, export.ack.
    assert_eq!(offsets.len(), kiosk.entries.len() + 3);

    let middle = clean.len() / 2;
    let record = *offsets.iter().rev().find(|o| **o <= middle).unwrap();
    let mut damaged = clean.clone();
    damaged[middle] ^= 0x20;
    std::fs::write(&log, &damaged).unwrap();
    for args in [&["report"][..], &["kiosk", "list"], &["ack", "--kiosk", "K1", "--out", "/dev/null"]] {
        let out = cli(&data, args, &[]);
        assert!(!out.status.success(), "{args:?} must not start on a damaged log");
        let error = json_error(&out.stderr);
        assert_eq!(error["error"]["code"], "LOG_DAMAGED", "{error}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains(&format!("byte offset {record}")), "{message}");
        assert!(message.contains("backup"), "what to do: {message}");
        assert_eq!(std::fs::read(&log).unwrap(), damaged, "{args:?}: the file is byte-identical");
        assert!(cut_files(&data.join("db")).is_empty());
    }
}

#[test]
fn zeros_appended_to_the_log_are_kept_aside_and_every_acknowledged_entry_stays() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("center");
    let kiosk = kiosk_with_registrations("K1", 6, 300);
    let ack = ingested(&data, &kiosk);
    let log = data.join("db/accepted.log");
    let clean = std::fs::read(&log).unwrap();
    let mut grown = clean.clone();
    grown.extend_from_slice(&[0; 4096]);
    std::fs::write(&log, &grown).unwrap();

    let out = cli(&data, &["report"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(&log).unwrap(), clean, "only the zeros were cut");
    let aside = format!("accepted.log.cut-{}", clean.len());
    assert_eq!(cut_files(&data.join("db")), vec![aside.clone()]);
    assert_eq!(std::fs::read(data.join("db").join(aside)).unwrap(), vec![0; 4096]);
    let after = ack_of(&data);
    assert_eq!(after["acceptedThroughSeq"], ack["acceptedThroughSeq"]);
    assert_eq!(after["headHash"], ack["headHash"]);
    assert_eq!(after["acceptedThroughSeq"], kiosk.entries.len() as u64);
}

#[cfg(unix)]
#[test]
fn snapshot_and_ack_files_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("center");
    let kiosk = kiosk_with_registrations("K1", 2, 300);
    init_center(&data, &[&kiosk]);
    let file = dir.path().join("upload.kzb");
    std::fs::write(&file, kiosk.all()).unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let ack_out = dir.path().join("ingest.ack");
    let snapshot = dir.path().join("kok.snapshot");
    let ack = dir.path().join("k1.ack");
    // One of them exists already with a wide mode: it is narrowed, not kept.
    std::fs::write(&snapshot, b"old").unwrap();
    std::fs::set_permissions(&snapshot, std::fs::Permissions::from_mode(0o644)).unwrap();
    for args in [
        vec!["ingest", file.to_str().unwrap(), "--ack-out", ack_out.to_str().unwrap()],
        vec!["snapshot", "--district", DISTRICT, "--out", snapshot.to_str().unwrap()],
        vec!["ack", "--kiosk", "K1", "--out", ack.to_str().unwrap()],
    ] {
        let out = cli(&data, &args, &[]);
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    for path in [&ack_out, &snapshot, &ack] {
        assert_eq!(mode(path), 0o600, "{}", path.display());
    }
    assert_ne!(std::fs::read(&snapshot).unwrap(), b"old");
}
