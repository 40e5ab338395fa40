//! The checkpoint of the folded state (`local/checkpoint.bin`): an open that resumes from
//! it shows what a full replay shows, replays only the entries after it, and a damaged,
//! forged, foreign or stale checkpoint is never used (the open replays the whole log, says
//! why, and the next close writes a good one).
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use changelog::{EntryBody, FORMAT_VERSION, KioskKey, Payload, SignedEntry};
use common::clock;
use ed25519_dalek::Signer;
use kiosk::store::{Blob, Layout};
use kiosk::{Kiosk, NewOperator, Session, testkit};
use rules::model::{GroupLanguage, NewPlaces};
use rules::{Action, Command, Role};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

const KIOSK: &str = "KOK-07";

fn checkpoint_path(dir: &Path) -> PathBuf {
    Layout::new(dir).blob(Blob::Checkpoint)
}

fn log_path(dir: &Path) -> PathBuf {
    Layout::new(dir).log()
}

fn operator(k: &Kiosk) -> Session {
    k.login("op", testkit::OPERATOR_PASSWORD).unwrap()
}

/// `n` registrations (children distinct per `salt`).
fn register(k: &mut Kiosk, n: usize, salt: usize) -> Vec<String> {
    let op = operator(k);
    let kids = common::children(n, salt);
    kids.iter()
        .enumerate()
        .map(|(i, child)| {
            let application = testkit::application("KOK", &child.0, child.1, salt + i);
            k.execute(&op, Command::Register { application }).unwrap().id
        })
        .collect()
}

/// A kiosk with operators (one disabled), registrations, a withdrawal and places.
fn kiosk_with_history(dir: &Path) -> Kiosk {
    let mut k = testkit::staffed_kiosk(dir, "KOK", KIOSK, Some("KG-KOK-01"));
    clock(&mut k, "2026-03-02T09:00:00+05:00");
    let ids = register(&mut k, 12, 0);
    let op = operator(&k);
    k.execute(&op, Command::Act { application: ids[3].clone(), action: Action::Withdraw }).unwrap();
    let kg = k.login("kg", testkit::STAFF_PASSWORD).unwrap();
    let year = k.state().application(&ids[0]).unwrap().group_year();
    let places = NewPlaces {
        id: String::new(),
        kindergarten: "KG-KOK-01".into(),
        language: GroupLanguage::Ru,
        group_year: year,
        count: 2,
    };
    k.execute(&kg, Command::AddPlaces { places }).unwrap();
    let admin = k.login("admin", testkit::ADMIN_PASSWORD).unwrap();
    let temp = NewOperator { login: "temp".into(), name: "Temp".into(), role: Role::Operator, kindergartens: vec![] };
    k.add_operator(&admin, &temp, "temp-password-1").unwrap();
    k.disable_operator(&admin, "temp").unwrap();
    k
}

/// What users see of the state: applications with statuses and positions, places, free
/// slots, operators, counters (through the status report) and replay problems.
fn view(k: &Kiosk) -> Value {
    let state = k.state();
    let applications: Vec<Value> =
        state.applications().map(|a| json!({"application": a, "position": state.position(&a.id)})).collect();
    let places: Vec<_> = state.places().collect();
    let free: Vec<String> = state.free_slots().iter().map(|(s, n)| format!("{s:?}={n}")).collect();
    let status = k.status();
    json!({
        "applications": applications,
        "journal": k.journal(&[]).unwrap(),
        "places": places,
        "free": free,
        "operators": k.operators(),
        "lastSeq": k.last_seq(),
        "statusApplications": status.applications,
        "statusPlaces": status.places_records,
        "replayProblems": k.replay_problems(),
        "conflicts": k.conflicts(),
        "calendar": state.calendar().version(),
        "health": k.health(),
    })
}

/// The ids the next registration and places record get (the counters a checkpoint keeps):
/// saved on a copy of the folder, which is removed.
fn next_ids(dir: &Path) -> (String, String) {
    let copy = dir.with_extension("next-ids");
    let _ = fs::remove_dir_all(&copy);
    copy_dir(dir, &copy);
    let mut k = Kiosk::open(&copy).unwrap();
    clock(&mut k, "2026-03-05T09:00:00+05:00");
    let id = register(&mut k, 1, 500)[0].clone();
    let kg = k.login("kg", testkit::STAFF_PASSWORD).unwrap();
    let year = k.state().application(&id).unwrap().group_year();
    let places = NewPlaces {
        id: String::new(),
        kindergarten: "KG-KOK-01".into(),
        language: GroupLanguage::Kk,
        group_year: year,
        count: 1,
    };
    let places = k.execute(&kg, Command::AddPlaces { places }).unwrap().id;
    drop(k);
    fs::remove_dir_all(&copy).unwrap();
    (id, places)
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The view and next ids of a full replay: the folder opened without its checkpoint (on a
/// copy, so the folder itself is left as it is).
fn full_replay(dir: &Path) -> (Value, (String, String)) {
    let copy = dir.with_extension("full");
    let _ = fs::remove_dir_all(&copy);
    copy_dir(dir, &copy);
    let _ = fs::remove_file(checkpoint_path(&copy));
    let k = Kiosk::open(&copy).unwrap();
    assert_eq!(k.open_report().checkpoint_seq, 0);
    assert_eq!(k.open_report().replayed_entries, k.last_seq());
    let seen = view(&k);
    drop(k);
    fs::remove_file(checkpoint_path(&copy)).unwrap();
    let ids = next_ids(&copy);
    fs::remove_dir_all(&copy).unwrap();
    (seen, ids)
}

/// Opens `dir` and checks that it resumed from a checkpoint through `seq`, replaying only
/// the entries after it, with what a full replay shows; the kiosk opened again after
/// that, and how many entries the resuming open replayed.
fn assert_resumes(dir: &Path, seq: u64) -> (Kiosk, u64) {
    let (full_view, full_ids) = full_replay(dir);
    let k = Kiosk::open(dir).unwrap();
    let report = k.open_report();
    assert_eq!(report.checkpoint_seq, seq, "{:?}", report.notes);
    assert_eq!(report.replayed_entries, k.last_seq() - seq);
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    assert_eq!(view(&k), full_view);
    let replayed = report.replayed_entries;
    drop(k);
    // Dropping wrote a newer checkpoint if one was due; the ids do not depend on it.
    assert_eq!(next_ids(dir), full_ids);
    (Kiosk::open(dir).unwrap(), replayed)
}

/// Opens `dir` with a checkpoint that must not be used: the full replay's state, a note
/// containing `why`, and after the close a good checkpoint that the next open uses.
fn assert_refused(dir: &Path, why: &str) {
    let (full_view, _) = full_replay(dir);
    let k = Kiosk::open(dir).unwrap();
    let report = k.open_report().clone();
    assert_eq!(report.checkpoint_seq, 0);
    assert_eq!(report.replayed_entries, k.last_seq());
    assert!(
        report.notes.iter().any(|n| n.contains("checkpoint is not used") && n.contains(why)),
        "expected a note with {why:?}: {:?}",
        report.notes
    );
    assert_eq!(view(&k), full_view);
    let last = k.last_seq();
    k.close();
    let k = Kiosk::open(dir).unwrap();
    assert_eq!(k.open_report().checkpoint_seq, last, "a good checkpoint was written: {:?}", k.open_report().notes);
    assert_eq!(k.open_report().replayed_entries, 0);
    assert_eq!(view(&k), full_view);
}

/// A kiosk with history, closed (so a checkpoint through its last entry is written).
fn closed_kiosk(root: &Path) -> (PathBuf, u64) {
    let dir = root.join("kiosk");
    let k = kiosk_with_history(&dir);
    let last = k.last_seq();
    k.close();
    assert!(checkpoint_path(&dir).exists());
    (dir, last)
}

#[test]
fn an_open_resumes_from_the_checkpoint_and_shows_what_a_full_replay_shows() {
    let root = tempfile::tempdir().unwrap();
    let (dir, last) = closed_kiosk(root.path());
    let (mut k, replayed) = assert_resumes(&dir, last);
    assert_eq!(replayed, 0);
    assert!(k.verify().unwrap().ok, "verify checks every signature, as before");

    // Entries after the checkpoint are replayed on it: keep this checkpoint, add entries.
    let kept = fs::read(checkpoint_path(&dir)).unwrap();
    clock(&mut k, "2026-03-03T09:00:00+05:00");
    let ids = register(&mut k, 3, 100);
    let op = operator(&k);
    k.execute(&op, Command::Act { application: ids[0].clone(), action: Action::Withdraw }).unwrap();
    let later = k.last_seq();
    k.close();
    fs::write(checkpoint_path(&dir), &kept).unwrap();
    let (k, replayed) = assert_resumes(&dir, last);
    assert_eq!((k.last_seq(), replayed), (later, 4));
}

#[test]
fn a_checkpoint_resumes_across_a_key_rotation_before_and_after_it() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("kiosk");
    let mut k = kiosk_with_history(&dir);
    let admin = k.login("admin", testkit::ADMIN_PASSWORD).unwrap();
    k.rotate_key(&admin, None).unwrap();
    register(&mut k, 2, 200);
    let first = k.last_seq();
    k.close();
    // Made after the rotation: signed by the new key.
    let (k, _) = assert_resumes(&dir, first);
    let kept = fs::read(checkpoint_path(&dir)).unwrap();
    drop(k);
    // A rotation after the checkpoint: the kept one (signed by the key current at its
    // entry, the one the rotation replaced) still resumes.
    let mut k = Kiosk::open(&dir).unwrap();
    let admin = k.login("admin", testkit::ADMIN_PASSWORD).unwrap();
    k.rotate_key(&admin, None).unwrap();
    register(&mut k, 2, 300);
    k.close();
    fs::write(checkpoint_path(&dir), &kept).unwrap();
    let (_, replayed) = assert_resumes(&dir, first);
    assert_eq!(replayed, 3);
}

/// Appends an entry signed with the kiosk's own key (as the kiosk would have written it).
fn append_own_entry(dir: &Path, payload: &Payload) {
    let key = KioskKey::load(&Layout::new(dir).key()).unwrap();
    let bytes = fs::read(log_path(dir)).unwrap();
    let entries = kiosk::logfile::records(&bytes);
    let last = entries.last().unwrap();
    let body = EntryBody {
        version: FORMAT_VERSION,
        kiosk: KIOSK.into(),
        seq: entries.len() as u64 + 1,
        prev_hash: last.hash(),
        kiosk_time: "2026-03-04T09:00:00.000+05:00".into(),
        last_contact: None,
        operator: "op".into(),
        payload: payload.to_json(),
    };
    let mut record = Vec::new();
    SignedEntry::sign(&body, key.signing()).write_record(&mut record);
    let mut log = bytes;
    log.extend_from_slice(&record);
    fs::write(log_path(dir), log).unwrap();
}

#[test]
fn replay_problems_of_the_folded_entries_are_kept() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = closed_kiosk(root.path());
    // Entries the rules refuse on replay (written by an older build, say).
    let refused = Command::Act { application: "KOK-07-1999-000001".into(), action: Action::Withdraw };
    append_own_entry(&dir, &Payload::Command { command: refused.clone() });
    append_own_entry(&dir, &Payload::Command { command: refused });
    let k = Kiosk::open(&dir).unwrap();
    assert_eq!(k.replay_problems().len(), 2, "{:?}", k.replay_problems());
    let problems = k.replay_problems().to_vec();
    let last = k.last_seq();
    k.close();
    let (k, _) = assert_resumes(&dir, last);
    assert_eq!(k.replay_problems(), problems.as_slice());
}

// ------------------------------------------------------------------ refused checkpoints

#[test]
fn a_flipped_byte_anywhere_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = closed_kiosk(root.path());
    let good = fs::read(checkpoint_path(&dir)).unwrap();
    // In the body (mid-file), in the header, in the signature.
    let signature_at = 20 + u32::from_le_bytes(good[16..20].try_into().unwrap()) as usize + 10;
    for (at, why) in
        [(good.len() / 2, "body is not the one signed"), (30, ""), (signature_at, "signature does not verify")]
    {
        let mut bad = good.clone();
        bad[at] ^= 0x10;
        fs::write(checkpoint_path(&dir), &bad).unwrap();
        assert_refused(&dir, why);
        fs::write(checkpoint_path(&dir), &good).unwrap();
    }
}

#[test]
fn junk_after_or_a_cut_in_the_checkpoint_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = closed_kiosk(root.path());
    let good = fs::read(checkpoint_path(&dir)).unwrap();
    let mut longer = good.clone();
    longer.extend_from_slice(b"{\"junk\":1}");
    fs::write(checkpoint_path(&dir), &longer).unwrap();
    assert_refused(&dir, "body is not the one signed");
    for cut in [good.len() - 1, good.len() / 2, 40, 10, 0] {
        fs::write(checkpoint_path(&dir), &good[..cut]).unwrap();
        assert_refused(&dir, "");
    }
}

/// The header's layout (`service/checkpoint.rs`), to re-sign a changed one as a forger or
/// another build would.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Header {
    format: u32,
    kiosk: String,
    seq: u64,
    entry_hash: [u8; 32],
    entry_offset: u64,
    log_len: u64,
    base_sha256: Option<String>,
    offline_directory: u64,
    fold_fingerprint: String,
    signing_key: [u8; 32],
    body_len: u64,
    body_sha256: [u8; 32],
}

const MAGIC: &[u8] = b"KEZEK-CHECKPOINT";
const SIGNING_CONTEXT: &[u8] = b"kezek-kiosk checkpoint\0";

fn split(file: &[u8]) -> (Header, Vec<u8>) {
    let len = u32::from_le_bytes(file[16..20].try_into().unwrap()) as usize;
    let header: Header = postcard::from_bytes(&file[20..20 + len]).unwrap();
    (header, file[20 + len + 64..].to_vec())
}

/// The checkpoint with its header and body changed by `edit`, signed by `key`.
fn resigned(file: &[u8], key: &KioskKey, edit: impl FnOnce(&mut Header, &mut Vec<u8>)) -> Vec<u8> {
    use sha2::Digest;
    let (mut header, mut body) = split(file);
    edit(&mut header, &mut body);
    header.signing_key = key.verifying().to_bytes();
    header.body_len = body.len() as u64;
    header.body_sha256 = sha2::Sha256::digest(&body).into();
    let header = postcard::to_stdvec(&header).unwrap();
    let mut message = SIGNING_CONTEXT.to_vec();
    message.extend_from_slice(&header);
    let signature = key.signing().sign(&message);
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&u32::try_from(header.len()).unwrap().to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&signature.to_bytes());
    out.extend_from_slice(&body);
    out
}

fn own_key(dir: &Path) -> KioskKey {
    KioskKey::load(&Layout::new(dir).key()).unwrap()
}

#[test]
fn a_checkpoint_signed_by_another_key_is_refused_even_when_well_formed() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = closed_kiosk(root.path());
    let good = fs::read(checkpoint_path(&dir)).unwrap();
    // Signed by a forger, with the forger's key named in the header (what it holds is
    // beside the point: any key but the log's is refused).
    let forger = KioskKey::generate().unwrap();
    let by_forger = resigned(&good, &forger, |_, _| {});
    fs::write(checkpoint_path(&dir), &by_forger).unwrap();
    assert_refused(&dir, "not signed by this kiosk's key");
    // The same checkpoint signed by the kiosk's key, with the forger's key still named in
    // the header: the signature does not verify.
    let mut wrong_name = resigned(&good, &own_key(&dir), |_, _| {});
    let (header, _) = split(&wrong_name);
    let at = wrong_name.windows(32).position(|w| w == header.signing_key).unwrap();
    wrong_name[at..at + 32].copy_from_slice(&forger.verifying().to_bytes());
    fs::write(checkpoint_path(&dir), &wrong_name).unwrap();
    assert_refused(&dir, "signature does not verify");
}

#[test]
fn a_checkpoint_from_another_kiosk_folder_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = closed_kiosk(root.path());
    // Another kiosk (another id) and one with the same id set up again (another key).
    let other = root.path().join("other");
    let k = testkit::staffed_kiosk(&other, "KOK", "KOK-08", None);
    k.close();
    fs::copy(checkpoint_path(&other), checkpoint_path(&dir)).unwrap();
    assert_refused(&dir, "made by kiosk KOK-08");
    let twin = root.path().join("twin");
    let mut k = kiosk_with_history(&twin);
    register(&mut k, 1, 900);
    k.close();
    fs::copy(checkpoint_path(&twin), checkpoint_path(&dir)).unwrap();
    assert_refused(&dir, "");
}

#[test]
fn a_checkpoint_beyond_the_log_or_of_another_log_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = closed_kiosk(root.path());
    let backup = fs::read(log_path(&dir)).unwrap();
    let mut k = Kiosk::open(&dir).unwrap();
    clock(&mut k, "2026-03-03T09:00:00+05:00");
    register(&mut k, 3, 100);
    k.close();
    let ahead = fs::read(checkpoint_path(&dir)).unwrap();

    // The log restored from an older backup: the checkpoint's entry is not there.
    fs::write(log_path(&dir), &backup).unwrap();
    fs::write(checkpoint_path(&dir), &ahead).unwrap();
    assert_refused(&dir, "the log is shorter than its entry");

    // The log then grew otherwise: the checkpoint's entry exists but is another one.
    let mut k = Kiosk::open(&dir).unwrap();
    clock(&mut k, "2026-03-04T09:00:00+05:00");
    register(&mut k, 5, 700);
    drop(k);
    fs::write(checkpoint_path(&dir), &ahead).unwrap();
    assert_refused(&dir, "is not the one it was made at");
}

#[test]
fn a_checkpoint_of_other_rules_or_another_format_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = closed_kiosk(root.path());
    let good = fs::read(checkpoint_path(&dir)).unwrap();
    let key = own_key(&dir);
    // Signed by the kiosk itself, by a build whose rules differ.
    let other_rules = resigned(&good, &key, |h, _| h.fold_fingerprint = "0".repeat(64));
    fs::write(checkpoint_path(&dir), &other_rules).unwrap();
    assert_refused(&dir, "folded by other rules");
    let other_format = resigned(&good, &key, |h, _| h.format += 1);
    fs::write(checkpoint_path(&dir), &other_format).unwrap();
    assert_refused(&dir, "of format");
    // Made at another entry than it claims (a well-signed header lying about its entry).
    let shifted = resigned(&good, &key, |h, _| h.seq -= 1);
    fs::write(checkpoint_path(&dir), &shifted).unwrap();
    assert_refused(&dir, "is not the one it was made at");
    // On a base the kiosk does not have.
    let based = resigned(&good, &key, |h, _| h.base_sha256 = Some("ab".repeat(32)));
    fs::write(checkpoint_path(&dir), &based).unwrap();
    assert_refused(&dir, "center snapshot that is not kept");
}

#[test]
fn a_leftover_temp_file_is_never_read_and_is_removed() {
    let root = tempfile::tempdir().unwrap();
    let (dir, last) = closed_kiosk(root.path());
    let good = fs::read(checkpoint_path(&dir)).unwrap();
    let tmp = checkpoint_path(&dir).with_extension("bin.tmp");
    // A write killed half-way, next to a good checkpoint: the good one is used.
    fs::write(&tmp, &good[..good.len() / 2]).unwrap();
    let k = Kiosk::open(&dir).unwrap();
    assert_eq!(k.open_report().checkpoint_seq, last);
    assert!(k.open_report().notes.iter().any(|n| n.contains("temp file was removed")), "{:?}", k.open_report().notes);
    assert!(!tmp.exists());
    drop(k);
    // A whole, good checkpoint left as the temp file only (killed before the rename): not
    // read either; the whole log is replayed.
    fs::rename(checkpoint_path(&dir), &tmp).unwrap();
    let k = Kiosk::open(&dir).unwrap();
    assert_eq!(k.open_report().checkpoint_seq, 0);
    assert_eq!(k.open_report().replayed_entries, last);
    assert!(!tmp.exists());
    k.close();
    assert_eq!(Kiosk::open(&dir).unwrap().open_report().checkpoint_seq, last);
}

#[test]
fn a_killed_command_line_run_leaves_a_kiosk_that_opens_to_the_same_state() {
    // The real binary is killed while it works (its close writes the checkpoint); whatever
    // it left, the next open shows what a full replay shows.
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = closed_kiosk(root.path());
    let (full_view, _) = full_replay(&dir);
    for delay_ms in [0u64, 5, 10, 20, 40, 80] {
        fs::remove_file(checkpoint_path(&dir)).unwrap_or(());
        let mut child = common::cli(&dir)
            .arg("status")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let k = Kiosk::open(&dir).unwrap();
        assert_eq!(view(&k), full_view, "after a kill at {delay_ms} ms: {:?}", k.open_report().notes);
        drop(k);
    }
}

#[test]
fn every_entry_is_still_checked_a_checkpoint_hides_no_damage_in_the_entries_it_folded() {
    let root = tempfile::tempdir().unwrap();
    let (dir, last) = closed_kiosk(root.path());
    let log = fs::read(log_path(&dir)).unwrap();
    // A byte changed in the payload of an entry the checkpoint folded (its command is
    // never parsed at an open that resumes), then in an entry's signature.
    let entries = kiosk::logfile::records(&log);
    let mut offset = 0;
    let mut offsets = Vec::new();
    for entry in &entries {
        offsets.push(offset);
        offset += 4 + entry.body_bytes().len() + 64;
    }
    let target = 6; // a registration
    let body_len = entries[target - 1].body_bytes().len();
    for at in [offsets[target - 1] + 4 + body_len - 3, offsets[target - 1] + 4 + body_len + 10] {
        let mut damaged = log.clone();
        damaged[at] ^= 0x01;
        fs::write(log_path(&dir), &damaged).unwrap();
        // What an open without any checkpoint reports.
        let copy = root.path().join("without");
        let _ = fs::remove_dir_all(&copy);
        copy_dir(&dir, &copy);
        fs::remove_file(checkpoint_path(&copy)).unwrap();
        let without = Kiosk::open(&copy).unwrap().health().clone();
        assert!(matches!(&without, kiosk::LogHealth::Damaged { damage } if damage.seq == target as u64), "{without:?}");

        let k = Kiosk::open(&dir).unwrap();
        assert_eq!(k.health(), &without, "the same damage, found with the checkpoint there");
        assert_eq!(k.last_seq(), target as u64 - 1);
        assert_eq!(k.open_report().checkpoint_seq, 0);
        assert!(k.open_report().notes.iter().any(|n| n.contains("the log is damaged")), "{:?}", k.open_report().notes);
        drop(k);
        // A damaged log gets no checkpoint: the one there is the good log's. (The damaged
        // open rebuilt the projections up to the damage, so with the good log back they
        // are behind the checkpoint, which then is not used either: said in a note.)
        fs::write(log_path(&dir), &log).unwrap();
        let k = Kiosk::open(&dir).unwrap();
        assert_eq!((k.health(), k.last_seq()), (&kiosk::LogHealth::Ok, last));
        let notes = &k.open_report().notes;
        assert!(notes.iter().any(|n| n.contains("projections are behind")), "{notes:?}");
        drop(k);
    }
}

#[test]
fn a_forged_body_claiming_millions_of_applications_is_refused_without_harm() {
    let root = tempfile::tempdir().unwrap();
    let (dir, _) = closed_kiosk(root.path());
    let good = fs::read(checkpoint_path(&dir)).unwrap();
    let other_key = KioskKey::generate().unwrap();
    // A body whose application count says ten million, then ends: signed by the forger,
    // so it is decoded before the key is found not to be the kiosk's.
    for count in [10_000_000u64, u64::MAX] {
        let forged = resigned(&good, &other_key, |_, body| {
            let mut claim = vec![0u8]; // no small parts
            let mut n = count;
            loop {
                let byte = u8::try_from(n & 0x7f).unwrap();
                n >>= 7;
                if n == 0 {
                    claim.push(byte);
                    break;
                }
                claim.push(byte | 0x80);
            }
            *body = claim;
        });
        fs::write(checkpoint_path(&dir), &forged).unwrap();
        assert_refused(&dir, "unreadable");
    }
}

#[test]
fn an_undone_group_commit_and_a_failed_checkpoint_write_leave_a_checkpoint_that_matches() {
    use common::hooked::{Write, open_hooked};
    let root = tempfile::tempdir().unwrap();
    let (dir, last) = closed_kiosk(root.path());
    // A group commit whose append the full disk cuts short: undone (the log cut back, the
    // model replayed again from the log).
    let full = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let disk_full = full.clone();
    let mut k = open_hooked(&dir, move |disk, write| match write {
        Write::Append(bytes) if disk_full.load(std::sync::atomic::Ordering::SeqCst) => {
            disk.append_half(bytes);
            Err(kiosk::StoreError::io("append to log", &std::io::Error::from(std::io::ErrorKind::StorageFull)))
        }
        _ => Ok(()),
    });
    assert_eq!(k.open_report().checkpoint_seq, last);
    let op = operator(&k);
    let batch = common::children(3, 400)
        .iter()
        .enumerate()
        .map(|(i, child)| {
            let application = testkit::application("KOK", &child.0, child.1, 400 + i);
            (Command::Register { application }, common::at("2026-03-03T09:00:00+05:00"))
        })
        .collect();
    assert!(k.execute_batch_at(&op, batch).is_err());
    assert_eq!(k.last_seq(), last);
    full.store(false, std::sync::atomic::Ordering::SeqCst);
    register(&mut k, 2, 450);
    k.close();
    // The close wrote a checkpoint of the state after the undo and the two registrations.
    let (_, replayed) = assert_resumes(&dir, last + 2);
    assert_eq!(replayed, 0);

    // A checkpoint write the full disk refuses: the older checkpoint stays and still
    // matches; the entries after it are replayed.
    let mut k = open_hooked(&dir, |_, write| match write {
        Write::Blob => {
            Err(kiosk::StoreError::io("write checkpoint", &std::io::Error::from(std::io::ErrorKind::StorageFull)))
        }
        _ => Ok(()),
    });
    register(&mut k, 3, 460);
    k.close();
    let (_, replayed) = assert_resumes(&dir, last + 2);
    assert_eq!(replayed, 3);
}
