//! A key rotation whose `keyRotated` append fails and whose cut-back fails too: the pending
//! key `kiosk.key.new` stays (the log may name it), and the next open finishes the rotation
//! when the entry reached the log, or undoes it when it did not. Never a log naming a key
//! nobody has.
#![allow(clippy::unwrap_used)]

mod common;

use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};

use common::hooked::{Write, open_hooked};
use kiosk::{Kiosk, LogHealth, StoreError, testkit};
use rules::Localized;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Append {
    Works,
    /// Half of the record is written, then the disk is full.
    Half,
    /// The whole record is written, then its fdatasync fails (EIO).
    WholeThenSyncFails,
}

#[derive(Debug, Clone, Copy)]
struct Plan {
    append: Append,
    truncate_fails: bool,
}

fn open_failing(dir: &Path, plan: &Arc<Mutex<Plan>>) -> Kiosk {
    let plan = Arc::clone(plan);
    open_hooked(dir, move |disk, write| {
        let now = *plan.lock().unwrap();
        match write {
            Write::Append(bytes) => match now.append {
                Append::Works => Ok(()),
                Append::Half => {
                    disk.append_half(bytes);
                    Err(StoreError::io("append to log", &io::Error::new(io::ErrorKind::StorageFull, "disk full")))
                }
                Append::WholeThenSyncFails => Err(disk.written_then_sync_fails(bytes)),
            },
            Write::Truncate if now.truncate_fails => Err(StoreError::io("cut log", &io::Error::from_raw_os_error(5))),
            _ => Ok(()),
        }
    })
}

/// Rotates with `append` failing and the cut failing; returns the public key before.
fn failed_rotation(dir: &Path, append: Append) -> String {
    testkit::staffed_kiosk(dir, "KOK", "KOK-07", None).close();
    let plan = Arc::new(Mutex::new(Plan { append, truncate_fails: true }));
    let mut k = open_failing(dir, &plan);
    let before = k.public_key_hex();
    let admin = k.login("admin", testkit::ADMIN_PASSWORD).unwrap();
    let error = k.rotate_key(&admin, None).unwrap_err();
    assert!(["DISK_FULL", "STORAGE_ERROR"].contains(&error.code()), "{}", error.code());
    assert!(dir.join("kiosk.key.new").exists(), "the log may name the new key: it stays");
    *plan.lock().unwrap() = Plan { append: Append::Works, truncate_fails: false };
    assert_eq!(k.rotate_key(&admin, None).unwrap_err().code(), "RESTART_REQUIRED");
    assert!(dir.join("kiosk.key.new").exists());
    drop(k);
    before
}

/// The next open settles the key; the kiosk then writes, and the whole log verifies.
fn reopen_writes_and_verifies(dir: &Path) -> Kiosk {
    let mut k = Kiosk::open(dir).unwrap();
    assert_eq!(*k.health(), LogHealth::Ok);
    assert!(!dir.join("kiosk.key.new").exists(), "settled at open");
    let admin = k.login("admin", testkit::ADMIN_PASSWORD).unwrap();
    let op = kiosk::NewOperator {
        login: "op2".into(),
        name: "Op 2".into(),
        role: rules::Role::Operator,
        kindergartens: vec![],
    };
    k.add_operator(&admin, &op, "another-secret").unwrap();
    let report = k.verify().unwrap();
    assert!(report.ok, "{report:?}");
    k
}

#[test]
fn a_whole_key_rotated_entry_that_could_not_be_cut_finishes_the_rotation_at_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let before = failed_rotation(dir.path(), Append::WholeThenSyncFails);
    let k = reopen_writes_and_verifies(dir.path());
    assert_ne!(k.public_key_hex(), before, "the log names the new key, and the kiosk has it");
}

#[test]
fn a_torn_key_rotated_entry_that_could_not_be_cut_is_undone_at_the_next_open() {
    let dir = tempfile::tempdir().unwrap();
    let before = failed_rotation(dir.path(), Append::Half);
    let k = reopen_writes_and_verifies(dir.path());
    assert!(k.open_report().torn_tail.is_some());
    assert_eq!(k.public_key_hex(), before, "the entry never reached the log: the old key stays");
}
