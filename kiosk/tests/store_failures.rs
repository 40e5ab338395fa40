//! A full disk or an I/O error, simulated by a store that fails at each step of a command
//! (log write, log fdatasync, projection write, blob write): nothing half-written stays,
//! nothing saved is lost, and the next open verifies.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};

use common::hooked::{Write, open_hooked};
use kiosk::{Kiosk, LogHealth, NewOperator, StoreError, testkit};
use rules::{Command, Localized, Role};

/// Which writes fail.
#[derive(Debug, Default, Clone)]
#[allow(clippy::struct_excessive_bools)]
struct Plan {
    /// Every write after this many writes fails (appends write half their bytes first).
    fail_after: Option<u64>,
    /// Only log appends fail (half written), the rest works.
    appends: bool,
    truncates: bool,
    projections: bool,
    blobs: bool,
    /// A failing append writes all its bytes, then its fdatasync fails with EIO.
    sync_fails: bool,
    writes: u64,
}

fn full(op: &str) -> StoreError {
    StoreError::io(op, &io::Error::new(io::ErrorKind::StorageFull, "No space left on device"))
}

/// Counts a write; says whether it must fail (`kind` selects the targeted switches).
fn fails(plan: &Mutex<Plan>, kind: fn(&Plan) -> bool) -> bool {
    let mut plan = plan.lock().unwrap();
    plan.writes += 1;
    kind(&plan) || plan.fail_after.is_some_and(|n| plan.writes > n)
}

fn init(dir: &Path) {
    testkit::staffed_kiosk(dir, "KOK", "KOK-05", None).close();
}

fn open_failing(dir: &Path, plan: &Arc<Mutex<Plan>>) -> Kiosk {
    let plan = Arc::clone(plan);
    open_hooked(dir, move |disk, write| {
        let targeted: fn(&Plan) -> bool = match write {
            Write::Append(_) => |p| p.appends,
            Write::Truncate => |p| p.truncates,
            Write::Apply | Write::ClearProjections => |p| p.projections,
            Write::Blob => |p| p.blobs,
        };
        if !fails(&plan, targeted) {
            return Ok(());
        }
        Err(match write {
            // The record reaches the page cache, then its fdatasync fails.
            Write::Append(bytes) if plan.lock().unwrap().sync_fails => disk.written_then_sync_fails(bytes),
            Write::Append(bytes) => {
                // Half of it reaches the disk, then the disk is full.
                disk.append_half(bytes);
                full("append to log")
            }
            Write::Truncate => full("cut log"),
            Write::Apply => full("update projections"),
            Write::ClearProjections => full("clear projections"),
            Write::Blob => full("write blob"),
        })
    })
}

fn register(n: usize, child: &(String, rules::time::Date)) -> Command {
    Command::Register { application: testkit::application("KOK", &child.0, child.1, n) }
}

/// Reopens on a healthy disk and checks: log verifies, exactly `expected` entries, every
/// saved registration findable, nothing else.
fn check_after(dir: &Path, expected: u64, saved: &[String], lost: &[String]) {
    let k = Kiosk::open(dir).unwrap();
    assert_eq!(*k.health(), LogHealth::Ok);
    assert_eq!(k.last_seq(), expected);
    let report = k.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.log.valid, expected);
    for id in saved {
        assert!(k.application(id).unwrap().is_some(), "saved {id} is there");
        assert!(k.state().application(id).is_some());
    }
    for iin in lost {
        assert!(k.find_by_iin(iin).unwrap().is_empty(), "unsaved child {iin} is not there");
    }
}

#[test]
fn a_full_disk_during_an_append_leaves_nothing_half_written() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let kids = common::children(3, 500);
    let plan = Arc::new(Mutex::new(Plan::default()));
    let mut k = open_failing(dir.path(), &plan);
    let op = k.login("op", "operator-secret").unwrap();
    let first = k.execute(&op, register(0, &kids[0])).unwrap();
    plan.lock().unwrap().appends = true;
    let log_len = std::fs::metadata(dir.path().join("log/entries.bin")).unwrap().len();
    let err = k.execute(&op, register(1, &kids[1])).unwrap_err();
    assert_eq!(err.code(), "DISK_FULL");
    assert!(err.message(rules::Lang::Ru).contains("Диск заполнен"));
    assert_eq!(
        std::fs::metadata(dir.path().join("log/entries.bin")).unwrap().len(),
        log_len,
        "the half record was cut"
    );
    assert_eq!(k.last_seq(), first.seq);
    assert!(k.state().active_application_of(&kids[1].0, rules::QueueType::General).is_none());
    // Space is back: the next command is saved with the next number, no gap.
    plan.lock().unwrap().appends = false;
    let third = k.execute(&op, register(2, &kids[2])).unwrap();
    assert_eq!(third.seq, first.seq + 1);
    assert!(third.id.ends_with("000002"), "the failed registration used no number: {}", third.id);
    drop(k);
    check_after(dir.path(), third.seq, &[first.id, third.id], &[kids[1].0.clone()]);
}

#[test]
fn a_failed_fdatasync_after_a_whole_record_leaves_nothing_either() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let kids = common::children(3, 580);
    let plan = Arc::new(Mutex::new(Plan::default()));
    let mut k = open_failing(dir.path(), &plan);
    let op = k.login("op", "operator-secret").unwrap();
    let first = k.execute(&op, register(0, &kids[0])).unwrap();
    *plan.lock().unwrap() = Plan { appends: true, sync_fails: true, ..Plan::default() };
    let log_len = std::fs::metadata(dir.path().join("log/entries.bin")).unwrap().len();
    let err = k.execute(&op, register(1, &kids[1])).unwrap_err();
    assert_eq!(err.code(), "STORAGE_ERROR");
    for lang in [rules::Lang::Ru, rules::Lang::Kk, rules::Lang::En] {
        assert!(!err.message(lang).is_empty());
    }
    assert_eq!(
        std::fs::metadata(dir.path().join("log/entries.bin")).unwrap().len(),
        log_len,
        "the whole record that was never synced is cut"
    );
    assert_eq!(k.last_seq(), first.seq);
    *plan.lock().unwrap() = Plan::default();
    let third = k.execute(&op, register(2, &kids[2])).unwrap();
    assert_eq!(third.seq, first.seq + 1, "no gap, no double");
    drop(k);
    check_after(dir.path(), third.seq, &[first.id, third.id], &[kids[1].0.clone()]);
}

#[test]
fn when_the_cut_fails_too_the_kiosk_stops_and_the_next_open_repairs() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let kids = common::children(2, 520);
    let plan = Arc::new(Mutex::new(Plan { appends: true, truncates: true, ..Plan::default() }));
    let mut k = open_failing(dir.path(), &plan);
    let op = k.login("op", "operator-secret").unwrap();
    assert_eq!(k.execute(&op, register(0, &kids[0])).unwrap_err().code(), "DISK_FULL");
    *plan.lock().unwrap() = Plan::default();
    assert_eq!(k.execute(&op, register(1, &kids[1])).unwrap_err().code(), "RESTART_REQUIRED");
    drop(k);
    let k = Kiosk::open(dir.path()).unwrap();
    assert!(k.open_report().torn_tail.is_some(), "the half record is found and cut");
    drop(k);
    check_after(dir.path(), 2, &[], &[kids[0].0.clone(), kids[1].0.clone()]);
}

#[test]
fn failing_projections_lose_nothing_and_catch_up() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let kids = common::children(3, 540);
    let plan = Arc::new(Mutex::new(Plan { projections: true, ..Plan::default() }));
    let mut k = open_failing(dir.path(), &plan);
    let op = k.login("op", "operator-secret").unwrap();
    let a = k.execute(&op, register(0, &kids[0])).unwrap();
    let b = k.execute(&op, register(1, &kids[1])).unwrap();
    assert!(k.status().projection_error.is_some());
    assert!(k.application(&a.id).unwrap().is_none(), "projection behind");
    plan.lock().unwrap().projections = false;
    let c = k.execute(&op, register(2, &kids[2])).unwrap();
    assert!(k.application(&a.id).unwrap().is_some(), "retried with the next write");
    assert_eq!(k.projected_seq(), c.seq);
    drop(k);
    check_after(dir.path(), c.seq, &[a.id, b.id, c.id], &[]);
}

#[test]
fn a_failing_password_write_adds_no_account() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path());
    let plan = Arc::new(Mutex::new(Plan { blobs: true, ..Plan::default() }));
    let mut k = open_failing(dir.path(), &plan);
    let admin = k.login("admin", "admin-secret").unwrap();
    let new = NewOperator { login: "op2".into(), name: "Op 2".into(), role: Role::Operator, kindergartens: vec![] };
    assert_eq!(k.add_operator(&admin, &new, "operator-secret").unwrap_err().code(), "DISK_FULL");
    assert_eq!(k.last_seq(), 2);
    assert!(k.operators().iter().all(|o| o.login != "op2"));
    assert_eq!(k.acknowledge(1, None, None).unwrap_err().code(), "DISK_FULL");
    assert_eq!(k.sync_state().acknowledged_seq, 0);
    drop(k);
    check_after(dir.path(), 2, &[], &[]);
}

#[test]
fn whatever_write_fails_first_what_was_saved_stays_saved() {
    // Run the same session with the disk filling up after 0, 1, 2, … writes.
    // A failing append is torn (half written, disk full) or whole (its fdatasync fails).
    let kids = common::children(6, 560);
    let mut extra_records = 0;
    for (fail_after, sync_fails) in (0..16u64).flat_map(|n| [(n, false), (n, true)]) {
        let dir = tempfile::tempdir().unwrap();
        init(dir.path());
        let plan = Arc::new(Mutex::new(Plan { fail_after: Some(fail_after), sync_fails, ..Plan::default() }));
        let mut k = open_failing(dir.path(), &plan);
        let admin = k.login("admin", "admin-secret").unwrap();
        let op = k.login("op", "operator-secret").unwrap();
        let mut saved = Vec::new();
        let mut lost = Vec::new();
        let mut entries = 2u64;
        let mut kg_added = false;
        for (i, child) in kids.iter().enumerate() {
            if i == 3 {
                let new = NewOperator {
                    login: "kg".into(),
                    name: "Kg".into(),
                    role: Role::Kindergarten,
                    kindergartens: vec!["KG-KOK-01".into()],
                };
                kg_added = k.add_operator(&admin, &new, "staff-secret").is_ok();
                if kg_added {
                    entries += 1;
                }
            }
            match k.execute(&op, register(i, child)) {
                Ok(r) => {
                    assert_eq!(r.seq, entries + 1, "no gap");
                    entries += 1;
                    saved.push(r.id);
                }
                Err(e) => {
                    assert!(
                        matches!(e.code(), "DISK_FULL" | "STORAGE_ERROR" | "RESTART_REQUIRED"),
                        "{fail_after}: {e}"
                    );
                    lost.push(child.0.clone());
                }
            }
        }
        drop(k);
        let unsynced = Kiosk::open(dir.path()).unwrap().last_seq() - entries;
        if sync_fails && unsynced == 1 {
            // The fdatasync failed and so did the cut (the disk stays broken): the kiosk stopped
            // (RESTART_REQUIRED), and the whole record that reached the file is read back on
            // the next open. It is the first command that failed, never a later one.
            let first_lost = lost.first().cloned();
            let reopened = Kiosk::open(dir.path()).unwrap();
            let found = first_lost.is_some_and(|iin| !reopened.find_by_iin(&iin).unwrap().is_empty());
            let operator = !kg_added && reopened.operators().iter().any(|o| o.login == "kg");
            assert!(found != operator, "{fail_after}: the extra entry is the first failed command");
            drop(reopened);
            let still_lost = if found { lost.get(1..).unwrap_or_default() } else { &lost[..] };
            check_after(dir.path(), entries + 1, &saved, still_lost);
            extra_records += 1;
        } else {
            check_after(dir.path(), entries, &saved, &lost);
        }
    }
    assert!(extra_records > 0, "the sweep reaches a failed fdatasync whose cut fails too");
}
