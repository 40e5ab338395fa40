//! Valid inputs the targets start from: a signed chain of kiosk `K1` (district KOK) with a
//! key rotation, its records and bundle, and a center that knows the kiosk.
#![allow(dead_code, clippy::unwrap_used)]

use center::Center;
use changelog::{Bundle, EntryBody, FORMAT_VERSION, GENESIS_HASH, KioskKey, Payload, SignedEntry};
use kiosk::testkit;
use rules::command::Role;
use rules::model::{GroupLanguage, NewPlaces};
use rules::{Action, Command, Date, Instant};

pub const KIOSK: &str = "K1";
pub const DISTRICT: &str = "KOK";
pub const REGISTERED: &str = "2026-03-02T09:00:00+05:00";
pub const NOW: &str = "2026-03-10T18:00:00+05:00";

pub fn at(text: &str) -> Instant {
    text.parse().unwrap()
}

/// Fixed keys: the seeds are the same bytes on every run.
pub fn kiosk_key() -> KioskKey {
    KioskKey::from_secret([7; 32])
}
pub fn rotated_key() -> KioskKey {
    KioskKey::from_secret([8; 32])
}
pub fn center_key() -> KioskKey {
    KioskKey::from_secret([9; 32])
}

/// The payloads of the seed chain, in order (the last but one rotates the key).
pub fn payloads() -> Vec<(&'static str, Payload)> {
    let today = Date::from_ymd(2026, 3, 10).unwrap();
    let kids = testkit::children(3, today, 700);
    let mut out = vec![
        (
            "admin",
            Payload::OperatorAdded {
                login: "op".into(),
                name: "Оператор".into(),
                role: Role::Operator,
                kindergartens: vec![],
            },
        ),
        (
            "admin",
            Payload::OperatorAdded {
                login: "kg".into(),
                name: "Сотрудник".into(),
                role: Role::Kindergarten,
                kindergartens: vec!["KG-KOK-01".into()],
            },
        ),
    ];
    for (n, (iin, birth)) in kids.iter().enumerate() {
        let mut application = testkit::application(DISTRICT, iin, *birth, n);
        application.id = format!("K1-2026-00000{n}");
        out.push(("op", Payload::Command { command: Command::Register { application } }));
    }
    let places = NewPlaces {
        id: "K1-2026-P000001".into(),
        kindergarten: "KG-KOK-01".into(),
        language: GroupLanguage::Ru,
        group_year: 2024,
        count: 2,
    };
    out.push(("kg", Payload::Command { command: Command::AddPlaces { places } }));
    out.push((
        "op",
        Payload::Command { command: Command::Act { application: "K1-2026-000001".into(), action: Action::Withdraw } },
    ));
    out.push(("admin", Payload::KeyRotated { public_key: rotated_key().public_hex() }));
    out.push(("admin", Payload::OperatorDisabled { login: "kg".into() }));
    out
}

/// The seed chain: signed by [`kiosk_key`], then by [`rotated_key`] after the rotation.
pub fn chain() -> Vec<SignedEntry> {
    let mut prev = GENESIS_HASH;
    let mut key = kiosk_key();
    let mut entries = Vec::new();
    for (seq, (operator, payload)) in (1..).zip(payloads()) {
        let body = EntryBody {
            version: FORMAT_VERSION,
            kiosk: KIOSK.into(),
            seq,
            prev_hash: prev,
            kiosk_time: "2026-03-10T10:00:00+05:00".into(),
            last_contact: (seq > 3).then(|| REGISTERED.to_owned()),
            operator: operator.into(),
            payload: payload.to_json(),
        };
        let entry = SignedEntry::sign(&body, key.signing());
        prev = entry.hash();
        if let Payload::KeyRotated { .. } = payload {
            key = rotated_key();
        }
        entries.push(entry);
    }
    entries
}

/// The framed records of `entries`, as in a log file.
pub fn records(entries: &[SignedEntry]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        e.write_record(&mut out);
    }
    out
}

pub fn bundle(entries: &[SignedEntry]) -> Vec<u8> {
    Bundle { kiosk: KIOSK.into(), entries: entries.to_vec() }.to_bytes()
}

/// A center in a temporary folder with the demo kindergartens and kiosk `K1` registered.
pub fn center() -> (tempfile::TempDir, Center) {
    let dir = tempfile::tempdir().unwrap();
    Center::init(dir.path(), None).unwrap();
    let mut center = Center::open(dir.path()).unwrap();
    center.add_kiosk(KIOSK, DISTRICT, &kiosk_key().public_hex(), at(REGISTERED)).unwrap();
    (dir, center)
}
