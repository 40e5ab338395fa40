//! The kiosk builds on the center's snapshot: vouchers and directions the center issued
//! become part of the kiosk's state, its own later entries are replayed on top, and that
//! survives a restart and an interrupted import.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::path::Path;

use center::Center;
use common::{at, clock};
use kiosk::{InitParams, Kiosk, NewOperator, testkit};
use rules::model::{GroupLanguage, NewPlaces};
use rules::time::Date;
use rules::{Action, Command, Localized, Role, Status};

const KIOSK: &str = "AKK-02";

/// A kiosk with three registrations and places for their group year, registered at a
/// center that has ingested all of it and run a distribution round.
fn setup(root: &Path) -> (std::path::PathBuf, Center, changelog::VerifyingKey, Vec<String>) {
    kiosk::passwords::insecure_fast_hashing_for_tests();
    let dir = root.join("kiosk");
    let params = InitParams {
        district: "AKK".into(),
        name: "Akkol office".into(),
        kiosk_id: Some(KIOSK.into()),
        admin_login: "admin".into(),
        admin_name: "Admin".into(),
        admin_password: "admin-secret".into(),
    };
    Kiosk::init(&dir, &params).unwrap();
    kiosk::reference::use_demo_directory(&dir).unwrap();
    let mut k = Kiosk::open(&dir).unwrap();
    clock(&mut k, "2026-03-02T09:00:00+05:00");
    let admin = k.login("admin", "admin-secret").unwrap();
    let op = NewOperator { login: "op".into(), name: "Op".into(), role: Role::Operator, kindergartens: vec![] };
    k.add_operator(&admin, &op, "operator-secret").unwrap();
    let kg = NewOperator {
        login: "kg".into(),
        name: "Kg".into(),
        role: Role::Kindergarten,
        kindergartens: vec!["KG-AKK-01".into()],
    };
    k.add_operator(&admin, &kg, "staff-secret").unwrap();
    let op = k.login("op", "operator-secret").unwrap();
    let kids = testkit::children(4, Date::from_ymd(2026, 3, 1).unwrap(), 20);
    let mut ids = Vec::new();
    for (n, child) in kids.iter().enumerate() {
        let app = testkit::application("AKK", &child.0, child.1, n);
        ids.push(k.execute(&op, Command::Register { application: app }).unwrap().id);
    }
    let year = k.state().application(&ids[0]).unwrap().group_year();
    assert!(ids.iter().all(|id| k.state().application(id).unwrap().group_year() == year));
    let kg = k.login("kg", "staff-secret").unwrap();
    let places = NewPlaces {
        id: String::new(),
        kindergarten: "KG-AKK-01".into(),
        language: GroupLanguage::Ru,
        group_year: year,
        count: 3,
    };
    k.execute(&kg, Command::AddPlaces { places }).unwrap();

    let center_dir = root.join("center");
    let info = Center::init(&center_dir, None).unwrap();
    let key = changelog::public_key_from_hex(&info.public_key).unwrap();
    let mut center = Center::open(&center_dir).unwrap();
    center.add_kiosk(KIOSK, "AKK", &k.public_key_hex(), at("2026-03-01T09:00:00+05:00")).unwrap();
    kiosk::push::set_center(&k, None, Some(&info.public_key)).unwrap();
    let bundle = k.pending_bundle().unwrap().0.to_bytes();
    let ingested = center.ingest(&bundle, at("2026-03-02T10:00:00+05:00"), Some(KIOSK)).unwrap();
    kiosk::push::apply_ack(&mut k, &ingested.ack_bytes, &key).unwrap();
    center.distribute("AKK", at("2026-03-02T11:00:00+05:00")).unwrap();
    k.close();
    (dir, center, key, ids)
}

fn journal_status(k: &Kiosk, id: &str) -> Status {
    k.journal(&[]).unwrap().into_iter().find(|r| r.id == id).unwrap().status
}

#[test]
fn center_vouchers_become_kiosk_state_and_later_entries_replay_on_top() {
    let root = tempfile::tempdir().unwrap();
    let (dir, center, key, ids) = setup(root.path());
    let (snapshot, bytes) = center.snapshot("AKK", at("2026-03-02T11:30:00+05:00")).unwrap();
    assert_eq!(snapshot.kiosk_heads.get(KIOSK).copied(), Some(8));
    let issued: Vec<&str> =
        snapshot.applications.iter().filter(|a| a.status == Status::VoucherIssued).map(|a| a.id.as_str()).collect();
    assert_eq!(issued, ids[..3].iter().map(String::as_str).collect::<Vec<_>>(), "three places, three vouchers");

    let mut k = Kiosk::open(&dir).unwrap();
    clock(&mut k, "2026-03-03T09:00:00+05:00");
    // Before the snapshot the kiosk knows no voucher: confirming is refused by the rules.
    let op = k.login("op", "operator-secret").unwrap();
    let confirm = |id: &str| Command::Act { application: id.to_owned(), action: Action::ConfirmVoucher };
    assert!(k.execute(&op, confirm(&ids[0])).is_err());
    kiosk::push::apply_snapshot(&mut k, &bytes, &key).unwrap();
    assert_eq!(k.state().application(&ids[0]).unwrap().status, Status::VoucherIssued);
    assert_eq!(journal_status(&k, &ids[0]), Status::VoucherIssued, "the journal shows the center's status");
    assert_eq!(k.vouchers().unwrap().len(), 3);
    assert!(k.status().last_contact.is_some());

    // Offline: confirm, choose, accept.
    k.execute(&op, confirm(&ids[0])).unwrap();
    let choose = Action::ChooseKindergarten { kindergarten: "KG-AKK-01".into(), language: GroupLanguage::Ru };
    k.execute(&op, Command::Act { application: ids[0].clone(), action: choose }).unwrap();
    let kg = k.login("kg", "staff-secret").unwrap();
    k.execute(&kg, Command::Act { application: ids[0].clone(), action: Action::AcceptChild }).unwrap();
    assert_eq!(journal_status(&k, &ids[0]), Status::Enrolled);
    let direction = k.state().application(&ids[0]).unwrap().direction.clone().unwrap();
    assert_eq!(k.find_by_direction(&direction.number).unwrap().unwrap().id, ids[0]);
    let before: Vec<_> = k.state().applications().cloned().collect();
    let verify = k.verify().unwrap();
    assert!(verify.ok && verify.conflicts.is_empty(), "{verify:?}");
    k.close();

    // A restart rebuilds the same state: the kept snapshot, then the entries after it.
    let k = Kiosk::open(&dir).unwrap();
    assert_eq!(k.state().applications().cloned().collect::<Vec<_>>(), before);
    assert!(k.replay_problems().is_empty() && k.conflicts().is_empty());
    assert_eq!(journal_status(&k, &ids[0]), Status::Enrolled);
    assert!(k.open_report().notes.is_empty(), "{:?}", k.open_report().notes);
}

#[test]
fn an_older_or_foreign_snapshot_is_refused_and_changes_nothing() {
    let root = tempfile::tempdir().unwrap();
    let (dir, mut center, key, ids) = setup(root.path());
    let (_, older) = center.snapshot("AKK", at("2026-03-02T11:30:00+05:00")).unwrap();
    let (_, newer) = center.snapshot("AKK", at("2026-03-02T12:00:00+05:00")).unwrap();
    let mut k = Kiosk::open(&dir).unwrap();
    kiosk::push::apply_snapshot(&mut k, &newer, &key).unwrap();
    let state: Vec<_> = k.state().applications().cloned().collect();
    let err = kiosk::push::apply_snapshot(&mut k, &older, &key).unwrap_err();
    assert_eq!(err.code(), "OLDER_SNAPSHOT", "{err}");
    for lang in [rules::Lang::Ru, rules::Lang::Kk, rules::Lang::En] {
        assert!(!err.message(lang).is_empty());
    }
    assert_eq!(k.state().applications().cloned().collect::<Vec<_>>(), state);
    // The same snapshot again is harmless.
    kiosk::push::apply_snapshot(&mut k, &newer, &key).unwrap();
    // Another district's snapshot (signed by the same center) is refused.
    center.add_kiosk("KOK-09", "KOK", &k.public_key_hex(), at("2026-03-01T09:00:00+05:00")).unwrap();
    let (_, foreign) = center.snapshot("KOK", at("2026-03-02T12:30:00+05:00")).unwrap();
    assert!(kiosk::push::apply_snapshot(&mut k, &foreign, &key).is_err());
    // A snapshot signed by another key is refused before anything is written.
    let other = changelog::KioskKey::generate().unwrap();
    let forged =
        changelog::sync::sign(&center.snapshot("AKK", at("2026-03-02T13:00:00+05:00")).unwrap().0, other.signing());
    assert!(kiosk::push::apply_snapshot(&mut k, &forged, &key).is_err());
    assert_eq!(k.snapshot().unwrap().unwrap().1, newer);
    assert_eq!(journal_status(&k, &ids[0]), Status::VoucherIssued);
}

#[test]
fn an_import_interrupted_before_the_journal_was_rewritten_completes_on_the_next_start() {
    let root = tempfile::tempdir().unwrap();
    let (dir, center, _key, ids) = setup(root.path());
    let (_, bytes) = center.snapshot("AKK", at("2026-03-02T11:30:00+05:00")).unwrap();
    // The snapshot is durable but the kiosk stopped before rewriting its projections.
    let path = kiosk::store::Layout::new(&dir).blob(kiosk::store::Blob::Snapshot);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, &bytes).unwrap();
    let k = Kiosk::open(&dir).unwrap();
    assert_eq!(k.state().application(&ids[0]).unwrap().status, Status::VoucherIssued);
    assert_eq!(journal_status(&k, &ids[0]), Status::VoucherIssued);
    assert!(k.verify().unwrap().ok);
}

#[test]
fn entries_the_center_overtook_are_reported_as_conflicts_not_damage() {
    let root = tempfile::tempdir().unwrap();
    let (dir, mut center, key, ids) = setup(root.path());
    let (_, first) = center.snapshot("AKK", at("2026-03-02T11:30:00+05:00")).unwrap();
    let mut k = Kiosk::open(&dir).unwrap();
    kiosk::push::apply_snapshot(&mut k, &first, &key).unwrap();
    // Offline, the parent confirms voucher 1 at the kiosk ...
    clock(&mut k, "2026-03-03T09:00:00+05:00");
    let op = k.login("op", "operator-secret").unwrap();
    k.execute(&op, Command::Act { application: ids[1].clone(), action: Action::ConfirmVoucher }).unwrap();
    // ... while the center, not having it, lets the confirmation deadline pass: the
    // confirmation was made in time, so on the new base it still stands (as at the center).
    center.tick(at("2026-03-20T09:00:00+05:00")).unwrap();
    let (_, later) = center.snapshot("AKK", at("2026-03-20T09:30:00+05:00")).unwrap();
    kiosk::push::apply_snapshot(&mut k, &later, &key).unwrap();
    assert_eq!(k.state().application(&ids[1]).unwrap().status, Status::VoucherConfirmed);
    assert!(k.conflicts().is_empty(), "{:?}", k.conflicts());
    // Weeks later the center, still without it, archives the voucher (restore expired):
    // now the office's confirmation is an offline conflict for the center to decide.
    center.tick(at("2026-04-20T09:00:00+05:00")).unwrap();
    let (_, archived) = center.snapshot("AKK", at("2026-04-20T09:30:00+05:00")).unwrap();
    kiosk::push::apply_snapshot(&mut k, &archived, &key).unwrap();
    assert_eq!(k.state().application(&ids[1]).unwrap().status, Status::Archived);
    assert_eq!(k.conflicts().len(), 1, "{:?}", k.conflicts());
    assert!(k.replay_problems().is_empty());
    let verify = k.verify().unwrap();
    assert!(verify.ok, "an offline conflict is not log damage: {verify:?}");
    assert_eq!(verify.conflicts.len(), 1);
    assert_eq!(k.status().conflicts.len(), 1);
}

#[test]
fn a_checkpoint_on_a_base_resumes_and_one_on_another_base_is_not_used() {
    let root = tempfile::tempdir().unwrap();
    let (dir, center, key, ids) = setup(root.path());
    let (_, bytes) = center.snapshot("AKK", at("2026-03-02T11:30:00+05:00")).unwrap();
    let mut k = Kiosk::open(&dir).unwrap();
    kiosk::push::apply_snapshot(&mut k, &bytes, &key).unwrap();
    clock(&mut k, "2026-03-03T09:00:00+05:00");
    let op = k.login("op", "operator-secret").unwrap();
    k.execute(&op, Command::Act { application: ids[0].clone(), action: Action::ConfirmVoucher }).unwrap();
    let last = k.last_seq();
    let state: Vec<_> = k.state().applications().cloned().collect();
    let positions: Vec<_> = ids.iter().map(|id| k.state().position(id)).collect();
    k.close();

    // On the same base: resumed from the checkpoint, nothing replayed, the same state.
    let k = Kiosk::open(&dir).unwrap();
    assert_eq!((k.open_report().checkpoint_seq, k.open_report().replayed_entries), (last, 0));
    assert!(k.open_report().notes.is_empty(), "{:?}", k.open_report().notes);
    assert_eq!(k.state().applications().cloned().collect::<Vec<_>>(), state);
    assert_eq!(ids.iter().map(|id| k.state().position(id)).collect::<Vec<_>>(), positions);
    assert_eq!(journal_status(&k, &ids[0]), Status::VoucherConfirmed);
    drop(k);

    // Another (valid, later) snapshot kept on disk: the checkpoint was folded on the old
    // base, so the whole log is replayed on the new one.
    let (_, later) = center.snapshot("AKK", at("2026-03-02T12:00:00+05:00")).unwrap();
    let path = kiosk::store::Layout::new(&dir).blob(kiosk::store::Blob::Snapshot);
    std::fs::write(&path, &later).unwrap();
    let k = Kiosk::open(&dir).unwrap();
    assert_eq!((k.open_report().checkpoint_seq, k.open_report().replayed_entries), (0, last));
    let notes = &k.open_report().notes;
    assert!(notes.iter().any(|n| n.contains("made on another center snapshot")), "{notes:?}");
    assert_eq!(k.state().application(&ids[0]).unwrap().status, Status::VoucherConfirmed);
    k.close();
    let k = Kiosk::open(&dir).unwrap();
    assert_eq!((k.open_report().checkpoint_seq, k.open_report().replayed_entries), (last, 0));
}
