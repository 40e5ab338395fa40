//! The byte format as documented in docs/change-log.md: the worked example there is what
//! the code writes, and the independent Python verifier (kiosk/tools/verify-log.py) accepts
//! a real log and bundle and rejects a damaged one.
#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

use changelog::{EntryBody, FORMAT_VERSION, GENESIS_HASH, KioskKey, Payload, SignedEntry};
use common::*;

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        write!(s, "{b:02x}").unwrap();
        s
    })
}

/// The example of docs/change-log.md, "Worked example".
#[test]
fn the_documented_example_is_what_the_code_writes() {
    let key = KioskKey::from_secret([7u8; 32]);
    assert_eq!(key.public_hex(), "ea4a6c63e29c520abef5507b132ec5f9954776aebebe7b92421eea691446d22c");
    let body = EntryBody {
        version: FORMAT_VERSION,
        kiosk: "KOK-03".into(),
        seq: 1,
        prev_hash: GENESIS_HASH,
        kiosk_time: "2026-03-10T10:00:00.000+05:00".into(),
        last_contact: None,
        operator: "admin".into(),
        payload: Payload::OperatorAdded {
            login: "admin".into(),
            name: "Admin".into(),
            role: rules::Role::Admin,
            kindergartens: vec![],
        }
        .to_json(),
    };
    let entry = SignedEntry::sign(&body, key.signing());
    assert_eq!(
        hex(entry.body_bytes()),
        "01064b4f4b2d30330100000000000000000000000000000000000000000000000000000000000000001d323032362d30332d31305431303a30303a30302e3030302b30353a3030000561646d696e597b2274797065223a226f70657261746f724164646564222c226c6f67696e223a2261646d696e222c226e616d65223a2241646d696e222c22726f6c65223a2261646d696e222c226b696e64657267617274656e73223a5b5d7d"
    );
    assert_eq!(
        hex(entry.signature()),
        "1b6ea44acaa7f78404facbbfdb4c33a5d09a63d7ae267da45e01b7dbb1e467e054c94ef8f227f1b0eb25c64a88d5ababfeb59fa35fca78d0159e87ae96f93401"
    );
    assert_eq!(hex(&entry.hash()), "a8a2c793166e9fa62f055c8ac8a5ae14105bd8510e1f3ec0ec0a9d9ff227b21a");
    let mut record = Vec::new();
    entry.write_record(&mut record);
    assert_eq!(&record[..4], &168u32.to_le_bytes());
    let command = Payload::Command {
        command: kiosk::input::parse_command(
            r#"{"type":"act","application":"KOK-03-2026-000042","action":{"type":"confirmVoucher"}}"#,
        )
        .unwrap(),
    };
    assert_eq!(
        String::from_utf8(command.to_json()).unwrap(),
        r#"{"type":"command","command":{"type":"act","application":"KOK-03-2026-000042","action":{"type":"confirmVoucher"}}}"#
    );
    let second = EntryBody {
        seq: 2,
        prev_hash: entry.hash(),
        last_contact: Some("2026-03-09T18:00:00+05:00".into()),
        operator: "aigerim".into(),
        payload: command.to_json(),
        ..body
    };
    assert!(hex(SignedEntry::sign(&second, key.signing()).body_bytes()).starts_with(
        "01064b4f4b2d303302a8a2c793166e9fa62f055c8ac8a5ae14105bd8510e1f3ec0ec0a9d9ff227b21a1d323032362d30332d31305431303a30303a30302e3030302b30353a30300119323032362d30332d30395431383a30303a30302b30353a3030076169676572696d71"
    ));
}

fn python_verifier_available() -> bool {
    Command::new("python3").args(["-c", "import cryptography"]).output().is_ok_and(|o| o.status.success())
}

#[test]
fn an_independent_verifier_follows_the_documented_format() {
    if !python_verifier_available() {
        eprintln!("SKIPPED: python3 with the `cryptography` package is not installed");
        return;
    }
    let tool = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/verify-log.py");
    let f = Fixture::new();
    let kids = children(3, 800);
    let (rc, _) =
        f.apply_as_operator(&kids.iter().enumerate().map(|(i, k)| register_line("KOK", k, i)).collect::<Vec<_>>());
    assert_eq!(rc, 0);
    let (_, status) = f.json(&["status", "--format", "json"]);
    let key = status["publicKey"].as_str().unwrap();
    let log = f.data().join("log/entries.bin");
    let o = Command::new("python3").arg(tool).arg(&log).arg(key).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("OK kiosk=KOK-03 entries=6 last_seq=6"));
    let bundle = f.dir.path().join("b.kzb");
    assert_eq!(code(&run(f.cli_with_args(&["export", "--out", bundle.to_str().unwrap()]), "")), 0);
    let o = Command::new("python3").arg(tool).arg(&bundle).arg(key).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
    // One flipped bit in a signature: found at its entry.
    let mut bytes = std::fs::read(&log).unwrap();
    let first_len = u32::from_le_bytes(bytes[..4].try_into().unwrap()) as usize;
    bytes[4 + first_len + 10] ^= 1;
    let damaged = f.dir.path().join("damaged.bin");
    std::fs::write(&damaged, bytes).unwrap();
    let o = Command::new("python3").arg(tool).arg(&damaged).arg(key).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("BAD entry 1: bad signature"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}
