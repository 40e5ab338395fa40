//! The library API the GUI and sync build on: open, login, execute, queries, sync state.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::path::Path;

use kiosk::{Kiosk, LogHealth, Session, testkit};
use rules::{Command, Role, Status};

fn init(dir: &Path) {
    let k = testkit::staffed_kiosk(dir, "AKK", "AKK-02", Some("KG-AKK-01"));
    assert_eq!(k.identity().kiosk_id, "AKK-02");
    k.close();
}

fn register(k: &mut Kiosk, s: &Session, child: &(String, rules::time::Date), n: usize) -> kiosk::Receipt {
    k.execute(s, Command::Register { application: testkit::application("AKK", &child.0, child.1, n) }).unwrap()
}

#[test]
fn reopening_replays_the_log_to_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let kids = common::children(5, 100);
    let (journal, receipts) = {
        let mut k = Kiosk::open(dir.path()).unwrap();
        let s = k.login("op", "operator-secret").unwrap();
        let receipts: Vec<_> = kids.iter().enumerate().map(|(i, c)| register(&mut k, &s, c, i)).collect();
        let json = format!(r#"{{"type":"act","application":"{}","action":{{"type":"withdraw"}}}}"#, receipts[2].id);
        let withdrawn = k.execute_json(&s, &json).unwrap();
        assert_eq!(withdrawn.seq, 9);
        (k.journal(&[]).unwrap(), receipts)
    };
    assert_eq!(receipts.iter().map(|r| r.seq).collect::<Vec<_>>(), [4, 5, 6, 7, 8]);
    let k = Kiosk::open(dir.path()).unwrap();
    assert_eq!(k.journal(&[]).unwrap(), journal, "same journal after replay");
    assert_eq!(k.state().application(&receipts[2].id).unwrap().status, Status::Archived);
    assert_eq!(k.state().position(&receipts[3].id), Some(3));
    assert!(k.replay_problems().is_empty());
    assert_eq!(k.open_report().projected_from, 0, "projections were up to date: {:?}", k.open_report().notes);
    // Lookups through the projections.
    assert_eq!(k.find_by_iin(&kids[0].0).unwrap()[0].id, receipts[0].id);
    assert_eq!(k.application(&receipts[1].id).unwrap().unwrap().child.iin, kids[1].0);
    assert!(k.find_by_direction("nope").unwrap().is_none());
    assert_eq!(k.journal(&[Status::Archived]).unwrap().len(), 1);
    let card = k.card(&receipts[2].id).unwrap().unwrap();
    assert_eq!(card.history.len(), 2);
    assert_eq!(card.history[1].item.command, "withdraw");
    // A second process (or window) cannot open the same data at once.
    let err = Kiosk::open(dir.path()).unwrap_err();
    assert_eq!(rules::Localized::code(&err), "DATA_LOCKED");
    drop(k);
    // Projections lost: rebuilt from the log at open.
    std::fs::remove_dir_all(dir.path().join("db")).unwrap();
    let k = Kiosk::open(dir.path()).unwrap();
    assert!(k.open_report().projections_rebuilt);
    assert_eq!(k.journal(&[]).unwrap(), journal);
    assert_eq!(k.projected_seq(), 9);
    assert!(k.verify().unwrap().ok);
}

#[test]
fn group_commit_applies_in_order_and_rejects_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let kids = common::children(3, 200);
    let mut k = Kiosk::open(dir.path()).unwrap();
    let s = k.login("op", "operator-secret").unwrap();
    let now = k.now();
    let command = |i: usize| Command::Register { application: testkit::application("AKK", &kids[i].0, kids[i].1, i) };
    let results = k.execute_batch_at(&s, vec![(command(0), now), (command(0), now), (command(1), now)]).unwrap();
    assert_eq!(results[0].as_ref().unwrap().seq, 4);
    assert_eq!(rules::Localized::code(results[1].as_ref().unwrap_err()), "DUPLICATE_CHILD");
    assert_eq!(results[2].as_ref().unwrap().seq, 5);
    assert_eq!(results[2].as_ref().unwrap().id, format!("AKK-02-{}-000002", now.local_date().year()));
    assert_eq!(k.last_seq(), 5);
    drop(k);
    let k = Kiosk::open(dir.path()).unwrap();
    assert_eq!(k.last_seq(), 5);
    assert!(k.verify().unwrap().ok);
}

#[test]
fn sessions_are_rechecked_and_roles_enforced() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let mut k = Kiosk::open(dir.path()).unwrap();
    assert_eq!(rules::Localized::code(&k.login("op", "nope").unwrap_err()), "LOGIN_FAILED");
    assert_eq!(rules::Localized::code(&k.login("ghost", "nope").unwrap_err()), "LOGIN_FAILED");
    let admin = k.login("admin", "admin-secret").unwrap();
    let op = k.login("op", "operator-secret").unwrap();
    assert_eq!((op.role(), op.name()), (Role::Operator, "Op"));
    let kid = &common::children(1, 300)[0];
    k.disable_operator(&admin, "op").unwrap();
    let err =
        k.execute(&op, Command::Register { application: testkit::application("AKK", &kid.0, kid.1, 0) }).unwrap_err();
    assert_eq!(rules::Localized::code(&err), "SESSION_REVOKED");
    let err = k
        .execute(&admin, Command::Register { application: testkit::application("AKK", &kid.0, kid.1, 0) })
        .unwrap_err();
    assert_eq!(rules::Localized::code(&err), "WRONG_ROLE");
    let err = k.execute(&admin, Command::Tick).unwrap_err();
    assert_eq!(rules::Localized::code(&err), "CENTER_ONLY");
    assert_eq!(k.last_seq(), 4, "only the disable entry was added");
}

#[test]
fn sync_cursor_snapshot_and_export_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let kids = common::children(3, 400);
    {
        let mut k = Kiosk::open(dir.path()).unwrap();
        let s = k.login("op", "operator-secret").unwrap();
        for (i, c) in kids.iter().enumerate() {
            register(&mut k, &s, c, i);
        }
        assert_eq!(k.entries_after(0).unwrap().len(), 6);
        assert_eq!(k.entries_after(4).unwrap().len(), 2);
        assert_eq!(k.entries_after(6).unwrap().len(), 0);
        assert_eq!(k.entries_after(60).unwrap().len(), 0);
        let center_time: rules::Instant = "2026-03-10T09:00:00Z".parse().unwrap();
        let head = k.entry(4).unwrap().unwrap().hash();
        assert_eq!(rules::Localized::code(&k.acknowledge(4, Some([7; 32]), None).unwrap_err()), "FORK");
        k.acknowledge(4, Some(head), Some(center_time)).unwrap();
        assert_eq!(rules::Localized::code(&k.acknowledge(99, None, None).unwrap_err()), "ACK_BEYOND_LOG");
        k.acknowledge(2, None, None).unwrap();
        assert!(k.entry(7).unwrap().is_none());
        assert_eq!(k.entry(6).unwrap().unwrap().body().unwrap().seq, 6);
        assert_eq!(k.sync_state().acknowledged_seq, 4, "the cursor never goes back");
        let center = changelog::KioskKey::generate().unwrap();
        kiosk::push::set_center(&k, None, Some(&center.public_hex())).unwrap();
        let snapshot = changelog::sync::Snapshot {
            format: changelog::sync::SYNC_FORMAT_VERSION,
            district: "AKK".into(),
            generated_at: center_time,
            calendar_version: "test".into(),
            applications: vec![],
            positions: vec![],
            places: vec![],
            free_places: vec![],
            kindergartens: vec![],
            directory_version: 0,
            calendar_years: Vec::new(),
            kiosk_heads: std::collections::BTreeMap::new(),
        };
        let signed = changelog::sync::sign(&snapshot, center.signing());
        let info = kiosk::push::apply_snapshot(&mut k, &signed, &center.verifying()).unwrap().1;
        assert_eq!(info.bytes, signed.len() as u64);
        std::fs::write(dir.path().join("signed-snapshot"), &signed).unwrap();
        // New entries carry the last contact with the center.
        let r = register(&mut k, &s, &common::children(1, 450)[0], 9);
        let entry = k.entries_after(r.seq - 1).unwrap().remove(0);
        assert_eq!(entry.body().unwrap().last_contact.as_deref(), Some(center_time.to_string().as_str()));
    }
    let k = Kiosk::open(dir.path()).unwrap();
    let status = k.status();
    assert_eq!((status.last_seq, status.acknowledged_seq, status.pending_entries), (7, 4, 3));
    assert!(status.last_sync_at.is_some());
    assert_eq!(status.days_since_last_sync, Some(0));
    let (info, bytes) = k.snapshot().unwrap().unwrap();
    assert_eq!(bytes, std::fs::read(dir.path().join("signed-snapshot")).unwrap());
    assert_eq!(info.bytes, bytes.len() as u64);
    let out = dir.path().join("pending.kzb");
    let report = k.export(&out).unwrap();
    assert_eq!((report.first_seq, report.last_seq, report.entries), (Some(5), Some(7), 3));
    let read = changelog::Bundle::read(&std::fs::read(&out).unwrap()).unwrap();
    let before = k.entries_after(3).unwrap().remove(0);
    let key = changelog::public_key_from_hex(&k.public_key_hex()).unwrap();
    let (bodies, error) = changelog::verify_chain(&read.bundle.entries, "AKK-02", key, 4, before.hash());
    assert_eq!((bodies.len(), error), (3, None));
}

#[test]
fn an_interrupted_append_is_cut_off_and_kept_aside() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let log = dir.path().join("log/entries.bin");
    let whole = std::fs::read(&log).unwrap();
    // The first 60 bytes of a record (a copy of the first one), as a crash in the middle of
    // a write leaves it.
    let piece = &whole[..60];
    let mut torn = whole.clone();
    torn.extend_from_slice(piece);
    let prefix_len = whole.len();
    std::fs::write(&log, &torn).unwrap();
    let k = Kiosk::open(dir.path()).unwrap();
    assert_eq!(*k.health(), LogHealth::Ok);
    let report = k.open_report();
    assert_eq!(report.torn_tail.as_ref().unwrap().offset, prefix_len as u64);
    let saved = report.torn_tail_saved_to.clone().unwrap();
    assert_eq!(std::fs::read(saved).unwrap(), piece);
    assert_eq!(std::fs::read(&log).unwrap(), whole);
    assert_eq!(k.last_seq(), 3);
    assert!(k.verify().unwrap().ok);
}

#[test]
fn a_wrong_key_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let key = dir.path().join("kiosk.key");
    std::fs::remove_file(&key).unwrap();
    changelog::KioskKey::generate().unwrap().save(&key).unwrap();
    assert_eq!(rules::Localized::code(&Kiosk::open(dir.path()).unwrap_err()), "KEY_MISMATCH");
    std::fs::remove_file(&key).unwrap();
    assert_eq!(rules::Localized::code(&Kiosk::open(dir.path()).unwrap_err()), "KEY_UNREADABLE");
}
