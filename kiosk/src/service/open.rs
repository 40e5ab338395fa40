//! Setting a kiosk up ([`Kiosk::init`]) and opening it: lock, identity, key, the log
//! checked and replayed (on the center's snapshot, if one is kept), an interrupted append
//! set aside, projections caught up. A checkpoint of the folded state that matches the log
//! (`checkpoint/`) spares replaying the entries it folded.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use changelog::{EntryBody, FORMAT_VERSION, GENESIS_HASH, KioskKey, Payload, SignedEntry, fingerprint};
use rules::Role;
use serde::Serialize;

use super::checkpoint::{self, Binding};
use super::replay::{Replayed, Resume, Resumed, replay_log, split_problems};
use super::{CATCH_UP_CHUNK, Kiosk, rotation, system_now};
use crate::base::Base;
use crate::errors::{InitError, OpenError};
use crate::identity::{self, IDENTITY_FORMAT, Identity};
use crate::logfile::{Damage, TornTail};
use crate::operators;
use crate::passwords::{self, PasswordFile};
use crate::projection::META_BASE;
use crate::reference;
use crate::store::{
    Blob, DiskStore, Layout, META_FORMAT, META_PROJECTED_SEQ, PROJECTION_FORMAT, Store, StoreError, Tree,
    create_private_dir, write_atomically,
};
use crate::sync::SyncState;

/// What `init` needs.
#[derive(Debug, Clone)]
pub struct InitParams {
    pub district: String,
    pub name: String,
    /// `None`: `DISTRICT-NNNN` from the public key.
    pub kiosk_id: Option<String>,
    pub admin_login: String,
    pub admin_name: String,
    pub admin_password: String,
}

/// What `init` tells the center's administrator.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InitReport {
    pub identity: Identity,
    pub fingerprint: String,
    pub admin_login: String,
    pub data_dir: PathBuf,
}

/// Health of the log found at open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum LogHealth {
    Ok,
    /// Entries from `damage.seq` on do not verify; nothing is appended any more.
    Damaged {
        damage: Damage,
    },
}

/// What happened while opening.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenReport {
    /// An interrupted append found at the end and cut off (never reported as saved).
    pub torn_tail: Option<TornTail>,
    /// Where its bytes were kept, if they were not zeros.
    pub torn_tail_saved_to: Option<String>,
    /// Projection entries caught up at open (`from..=to`), and whether from scratch.
    pub projected_from: u64,
    pub projected_to: u64,
    pub projections_rebuilt: bool,
    /// The sequence number a checkpoint of the folded state was used through (0: none, the
    /// whole log was replayed).
    pub checkpoint_seq: u64,
    /// Entries whose commands were decided again (those after the checkpoint, or all).
    pub replayed_entries: u64,
    pub notes: Vec<String>,
    pub open_ms: u64,
    /// Milliseconds spent in each step of opening (read, check, replay, projections).
    pub steps_ms: Vec<(String, f64)>,
}

/// The kept center snapshot as a base, if there is one that verifies; otherwise a note says
/// why the kiosk runs on its own log alone.
fn load_base(store: &dyn Store, layout: &Layout, identity: &Identity, report: &mut OpenReport) -> Option<Base> {
    let bytes = match store.read_blob(Blob::Snapshot) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return None,
        Err(e) => {
            report.notes.push(format!("the center snapshot is unreadable ({e}); the state is this kiosk's log alone"));
            return None;
        }
    };
    let loaded = crate::push::center_config_in(&layout.root)
        .map_err(|e| e.to_string())
        .and_then(|c| c.ok_or_else(|| "no center key is set".to_owned()))
        .and_then(|c| changelog::public_key_from_hex(&c.public_key).map_err(|e| e.to_string()))
        .and_then(|key| Base::load(&bytes, &key, &identity.kiosk_id, &identity.district));
    match loaded {
        Ok(base) => Some(base),
        Err(e) => {
            report.notes.push(format!("the center snapshot is not used ({e}); the state is this kiosk's log alone"));
            None
        }
    }
}

/// The checkpoint to resume from, if one is kept and matches what the kiosk is built on
/// and the log as read; otherwise why not (a note), or nothing if there is none.
fn load_checkpoint(
    store: &dyn Store,
    layout: &Layout,
    binding: Binding<'_>,
    log: &[u8],
    notes: &mut Vec<String>,
) -> (Option<Resume>, Option<String>) {
    // An interrupted write leaves its temp file (see `write_atomically`): never read, and
    // removed here (the folder is locked, so no write of this kiosk is under way).
    let mut tmp_name = Blob::Checkpoint.relative_path().to_owned();
    tmp_name.push_str(".tmp");
    let tmp = layout.root.join(tmp_name);
    if tmp.exists() && fs::remove_file(&tmp).is_ok() {
        notes.push("a checkpoint write was interrupted; its temp file was removed unread".to_owned());
    }
    match store.read_blob(Blob::Checkpoint) {
        Ok(None) => (None, None),
        Ok(Some(bytes)) => match checkpoint::decode(&bytes, binding, log) {
            Ok(resume) => (Some(resume), None),
            Err(why) => (None, Some(why)),
        },
        Err(e) => (None, Some(format!("it is unreadable ({e})"))),
    }
}

fn lock_data_dir(layout: &Layout) -> Result<Option<File>, std::io::Error> {
    changelog::lock_folder(&layout.lock(), changelog::FOLDER_LOCK_WAIT)
}

pub(super) fn read_projected_seq(store: &dyn Store) -> Result<(u64, bool), StoreError> {
    let format_ok = store.get(Tree::Meta, META_FORMAT)?.is_some_and(|f| f == PROJECTION_FORMAT);
    let seq =
        store.get(Tree::Meta, META_PROJECTED_SEQ)?.and_then(|v| v.try_into().ok().map(u64::from_be_bytes)).unwrap_or(0);
    Ok((seq, format_ok))
}

impl Kiosk {
    /// Creates a kiosk in `dir`: the signing key (0600), the first administrator and the
    /// log's first entry. `dir` may exist if it is empty of kiosk files.
    pub fn init(dir: &Path, params: &InitParams) -> Result<InitReport, InitError> {
        Self::init_with_passphrase(dir, params, rotation::configured_passphrase().as_deref())
    }

    /// [`Kiosk::init`] with the key file encrypted by `passphrase` when one is given.
    pub fn init_with_passphrase(
        dir: &Path,
        params: &InitParams,
        passphrase: Option<&str>,
    ) -> Result<InitReport, InitError> {
        let layout = Layout::new(dir);
        let display = dir.display().to_string();
        if reference::district(&params.district).is_none() {
            return Err(InitError::UnknownDistrict { code: params.district.clone() });
        }
        if params.name.trim().is_empty() || params.name.chars().count() > 200 {
            return Err(InitError::BadName);
        }
        if let Some(id) = &params.kiosk_id
            && !identity::valid_kiosk_id(id, &params.district)
        {
            return Err(InitError::BadKioskId { id: id.clone(), district: params.district.clone() });
        }
        if !operators::valid_login(&params.admin_login) {
            return Err(InitError::BadLogin { login: params.admin_login.clone() });
        }
        if !operators::valid_operator_name(&params.admin_name) {
            return Err(InitError::BadOperatorName);
        }
        if !passwords::acceptable(&params.admin_password) {
            return Err(InitError::WeakPassword);
        }
        if layout.identity().exists() {
            return Err(InitError::AlreadyInitialized { dir: display });
        }
        if layout.key().exists() || layout.log().metadata().is_ok_and(|m| m.len() > 0) {
            return Err(InitError::Incomplete { dir: display });
        }
        create_private_dir(dir).map_err(|e| InitError::Store(StoreError::io("create the data folder", &e)))?;
        let lock = lock_data_dir(&layout)
            .map_err(|e| InitError::Store(StoreError::io("lock the data folder", &e)))?
            .ok_or(InitError::Locked { dir: display })?;

        let key = KioskKey::generate().map_err(|e| InitError::Key(e.to_string()))?;
        let public_key = key.verifying().to_bytes();
        let kiosk_id =
            params.kiosk_id.clone().unwrap_or_else(|| identity::default_kiosk_id(&params.district, &public_key));
        let now = system_now();
        let identity = Identity {
            format: IDENTITY_FORMAT,
            kiosk_id: kiosk_id.clone(),
            district: params.district.clone(),
            name: params.name.trim().to_owned(),
            public_key: key.public_hex(),
            created_at: now.to_string(),
        };
        rotation::save_key(&key, &layout.key(), passphrase).map_err(|e| InitError::Key(e.to_string()))?;
        crate::store::sync_dir(dir).map_err(|e| InitError::Store(StoreError::io("save the key", &e)))?;

        let mut store = DiskStore::open(dir).map_err(InitError::Store)?;
        let hash = passwords::hash(&params.admin_password).map_err(InitError::Key)?;
        let mut pw = PasswordFile::default();
        pw.hashes.insert(params.admin_login.clone(), hash);
        store.write_blob(Blob::Passwords, &pw.to_bytes()).map_err(InitError::Store)?;

        let body = EntryBody {
            version: FORMAT_VERSION,
            kiosk: kiosk_id,
            seq: 1,
            prev_hash: GENESIS_HASH,
            kiosk_time: now.to_string(),
            last_contact: None,
            operator: params.admin_login.clone(),
            payload: Payload::OperatorAdded {
                login: params.admin_login.clone(),
                name: params.admin_name.trim().to_owned(),
                role: Role::Admin,
                kindergartens: Vec::new(),
            }
            .to_json(),
        };
        let entry = SignedEntry::sign(&body, key.signing());
        let mut record = Vec::new();
        entry.write_record(&mut record);
        store.append_log(&record).map_err(InitError::Store)?;
        // kiosk.json last: its presence means the setup finished.
        let json = serde_json::to_vec_pretty(&identity).expect("identity serializes");
        write_atomically(&layout.identity(), &json)
            .map_err(|e| InitError::Store(StoreError::io("write kiosk.json", &e)))?;
        drop(store);
        drop(lock);
        Ok(InitReport {
            fingerprint: fingerprint(&key.verifying()),
            identity,
            admin_login: params.admin_login.clone(),
            data_dir: dir.to_path_buf(),
        })
    }

    /// Opens the kiosk in `dir` on the disk store.
    pub fn open(dir: &Path) -> Result<Self, OpenError> {
        Self::open_with(dir, |store| Box::new(store))
    }

    /// Opens the kiosk whose key file is encrypted with `passphrase` (a plain one opens too).
    pub fn open_with_passphrase(dir: &Path, passphrase: Option<&str>) -> Result<Self, OpenError> {
        Self::open_full(dir, passphrase, |store| Box::new(store))
    }

    /// Opens the kiosk with the disk store wrapped by `wrap` (tests simulate failures so).
    pub fn open_with(dir: &Path, wrap: impl FnOnce(DiskStore) -> Box<dyn Store>) -> Result<Self, OpenError> {
        Self::open_full(dir, rotation::configured_passphrase().as_deref(), wrap)
    }

    fn open_full(
        dir: &Path,
        passphrase: Option<&str>,
        wrap: impl FnOnce(DiskStore) -> Box<dyn Store>,
    ) -> Result<Self, OpenError> {
        let started = std::time::Instant::now();
        let layout = Layout::new(dir);
        let display = dir.display().to_string();
        if !layout.identity().exists() {
            return Err(OpenError::NotInitialized { dir: display });
        }
        let lock = lock_data_dir(&layout)
            .map_err(|e| OpenError::Store(StoreError::io("lock the data folder", &e)))?
            .ok_or(OpenError::Locked { dir: display })?;
        let identity: Identity = fs::read(layout.identity())
            .map_err(|e| e.to_string())
            .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
            .map_err(|detail| OpenError::Identity { detail })?;
        let key = rotation::load_key(&layout, passphrase)?;
        // The log verifies from the registered key on, following its rotations.
        let verifying = changelog::public_key_from_hex(&identity.public_key)
            .map_err(|e| OpenError::Identity { detail: e.to_string() })?;
        let mut report = OpenReport::default();
        let mut step = std::time::Instant::now();
        let mut lap = |report: &mut OpenReport, name: &str| {
            report.steps_ms.push((name.to_owned(), step.elapsed().as_secs_f64() * 1000.0));
            step = std::time::Instant::now();
        };
        lap(&mut report, "lock+identity+key");
        let disk = DiskStore::open(dir).map_err(OpenError::Store)?;
        lap(&mut report, "open store");
        let mut store = wrap(disk);

        let bytes = store.read_log(0, u64::MAX).map_err(OpenError::Store)?;
        if bytes.is_empty() {
            return Err(OpenError::LogMissing);
        }
        lap(&mut report, "read log");
        // What the projections hold is asked only when the first entry is replayed: sled
        // opens meanwhile (see `DiskStore`).
        let mut meta_error = None;
        let mut projected_seq = || match read_projected_seq(store.as_ref()) {
            Ok((seq, true)) => seq,
            Ok((_, false)) => 0,
            Err(e) => {
                meta_error = Some(e);
                0
            }
        };
        let base = load_base(store.as_ref(), &layout, &identity, &mut report);
        let offline_directory = reference::offline_directory(dir);
        let binding = Binding {
            kiosk: &identity.kiosk_id,
            base_sha256: base.as_ref().map(|b| b.sha256.as_str()),
            offline_directory: offline_directory.len(),
        };
        let (resume, checkpoint_problem) = load_checkpoint(store.as_ref(), &layout, binding, &bytes, &mut report.notes);
        lap(&mut report, "checkpoint");
        let mut replayed = replay_log(
            &bytes,
            &identity.kiosk_id,
            verifying,
            base.as_ref(),
            offline_directory,
            &mut projected_seq,
            resume,
        );
        // What became of the checkpoint is told by this replay (a rebuild below replays
        // everything anyway).
        let resumed = std::mem::take(&mut replayed.resumed);
        let mut projected = replayed.pending_after;
        if projected > replayed.summary.valid {
            // Projections of entries the log no longer has (damage, an old backup): rebuild.
            projected = 0;
            replayed =
                replay_log(&bytes, &identity.kiosk_id, verifying, base.as_ref(), offline_directory, &mut || 0, None);
        }
        let checkpoint_seq = match &resumed {
            Resumed::Used { .. } if projected == 0 => 0,
            Resumed::Used { seq } => *seq,
            Resumed::Rejected(why) => {
                report.notes.push(format!("the checkpoint is not used ({why}); the whole log was replayed"));
                0
            }
            Resumed::NotOffered => {
                if let Some(why) = &checkpoint_problem {
                    report.notes.push(format!("the checkpoint is not used ({why}); the whole log was replayed"));
                }
                0
            }
        };
        report.checkpoint_seq = checkpoint_seq;
        report.replayed_entries = replayed.decided_again;
        if let Some(e) = meta_error {
            report.notes.push(format!("projection metadata unreadable: {e}"));
        }
        report.notes.extend(store.notes());
        let rebuild = projected == 0;
        if rebuild {
            store.clear_projections().map_err(OpenError::Store)?;
        }
        lap(&mut report, "check chain and replay");
        report.steps_ms.push(("(of which waiting for parsing)".to_owned(), replayed.summary.waited_for_parsing_ms));
        let summary = &replayed.summary;
        if let Some(torn) = &summary.torn_tail {
            let tail = &bytes[usize::try_from(torn.offset).unwrap_or(usize::MAX).min(bytes.len())..];
            if tail.iter().any(|b| *b != 0) {
                let path = layout.log_dir().join(format!("torn-{}-{}.bin", torn.offset, system_now().0.timestamp()));
                write_atomically(&path, tail)
                    .map_err(|e| OpenError::Store(StoreError::io("keep the interrupted append aside", &e)))?;
                report.torn_tail_saved_to = Some(path.display().to_string());
            }
            store.truncate_log(torn.offset).map_err(OpenError::Store)?;
            report.torn_tail = Some(torn.clone());
        }
        // Freeing the log buffer is not on the critical path.
        std::thread::spawn(move || drop(bytes));

        let passwords = match store.read_blob(Blob::Passwords).map_err(OpenError::Store)? {
            Some(b) => PasswordFile::from_bytes(&b).unwrap_or_else(|e| {
                report
                    .notes
                    .push(format!("local/passwords.json is unreadable ({e}); nobody can log in until it is restored"));
                PasswordFile::default()
            }),
            None => PasswordFile::default(),
        };
        let sync = match store.read_blob(Blob::SyncState).map_err(OpenError::Store)? {
            Some(b) => SyncState::from_bytes(&b).unwrap_or_else(|e| {
                report.notes.push(format!("sync/state.json is unreadable ({e}); all entries count as pending again"));
                SyncState::default()
            }),
            None => SyncState::default(),
        };
        lap(&mut report, "blobs");

        let Replayed { model, pending, problems, summary, .. } = replayed;
        let current_key = model.rotated_key.as_deref().unwrap_or(&identity.public_key);
        let key = rotation::settle_key(&layout, key, passphrase, current_key)?;
        let (replay_problems, conflicts) = split_problems(base.as_ref(), problems);
        let health = match &summary.damage {
            Some(d) => LogHealth::Damaged { damage: d.clone() },
            None => LogHealth::Ok,
        };
        report.projections_rebuilt = rebuild && summary.valid > 0;
        let mut kiosk = Kiosk {
            layout,
            identity,
            key,
            verifying,
            store,
            model,
            passwords,
            sync,
            last_seq: summary.valid,
            last_hash: summary.last_hash,
            offsets: summary.offsets,
            valid_len: summary.valid_len,
            health,
            open_report: report,
            replay_problems,
            conflicts,
            base,
            offline_directory,
            poisoned: false,
            unprojected: None,
            projection_error: None,
            clock: Box::new(system_now),
            checkpoint_seq,
            _lock: lock,
        };
        if !pending.is_empty() {
            kiosk.open_report.projected_from = projected + 1;
            kiosk.open_report.projected_to = kiosk.last_seq;
            for batch in pending.into_batches(&kiosk.model.state, CATCH_UP_CHUNK) {
                kiosk.project(batch);
            }
        }
        // The state trees were built on another base (a snapshot import was interrupted,
        // or the projections were rebuilt): write them again from the state.
        let projected_base = kiosk.store.get(Tree::Meta, META_BASE).ok().flatten();
        let base_sha = kiosk.base.as_ref().map(|b| b.sha256.as_bytes().to_vec());
        if projected_base != base_sha || (rebuild && base_sha.is_some()) {
            kiosk.reproject_state();
        }
        kiosk.mirror_sync_state();
        let mut report = std::mem::take(&mut kiosk.open_report);
        lap(&mut report, "projections");
        report.open_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        kiosk.open_report = report;
        Ok(kiosk)
    }
}
