//! The kiosk service: open, log in, execute commands, query, sync bookkeeping.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use changelog::sync::Snapshot;
use changelog::{
    Bundle, EntryBody, FORMAT_VERSION, GENESIS_HASH, Hash, KioskKey, MAX_BUNDLE_BYTES, MAX_BUNDLE_ENTRIES,
    MAX_ENTRY_BYTES, Payload, SignedEntry, VerifyingKey, fingerprint,
};
use rules::authz::kiosk::{self as kiosk_authz, KioskActor, KioskDenied};
use rules::calendar::Calendar;
use rules::deadline::{VoucherDeadline, voucher_deadlines};
use rules::lifecycle::{self, AllowedAction};
use rules::model::{Application, Kindergarten, PlacesRecord};
use rules::time::kazakhstan_offset;
use rules::{Command, Event, Instant, Lang, Localized, Role, State, Status};
use serde::Serialize;

use crate::base::{self, Base};
use crate::errors::{
    AppendError, DemoError, InitError, InputError, LoginError, OpenError, OperatorError, QueryError, SyncError,
};
use crate::identity::{self, IDENTITY_FORMAT, Identity};
use crate::logfile::{self, Damage, EntryView, FullCheck, LoadSummary, TornTail};
use crate::operators::{self, NewOperator, OperatorInfo, Operators, Session};
use crate::passwords::{self, PasswordFile};
use crate::projection::{self, HistoryItem, META_BASE, Pending, VoucherRow, history_key, keyed};
use crate::reference;
use crate::store::{
    Blob, DiskStore, Layout, META_FORMAT, META_PROJECTED_SEQ, PROJECTION_FORMAT, ProjectionBatch, Store, StoreError,
    Tree, create_private_dir, write_atomically,
};
use crate::sync::{SnapshotInfo, SyncState};

#[path = "rotation.rs"]
pub mod rotation;

/// Writes per projection batch when catching up.
const CATCH_UP_CHUNK: usize = 5_000;

/// The kiosk clock: now, in Kazakhstan time, to the millisecond.
pub fn system_now() -> Instant {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = i64::try_from(since.as_secs()).unwrap_or(i64::MAX);
    let nanos = since.subsec_millis() * 1_000_000;
    let utc = chrono::DateTime::from_timestamp(secs, nanos).unwrap_or_default();
    Instant(utc.with_timezone(&kazakhstan_offset()))
}

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

/// A logged entry that the current rules reject on replay (e.g. after a rules change).
/// It stays in the log; its effects are missing from the local state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayProblem {
    pub seq: u64,
    pub code: String,
    pub message: String,
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
    pub notes: Vec<String>,
    pub open_ms: u64,
    /// Milliseconds spent in each step of opening (read, check, replay, projections).
    pub steps_ms: Vec<(String, f64)>,
}

/// The answer to a saved command: shown on the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    pub seq: u64,
    /// Registration number (register), places record id (addPlaces), application id
    /// (actions) or login (operator changes).
    pub id: String,
    pub command: String,
    pub at: Instant,
    pub operator: String,
    pub events: Vec<Event>,
}

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalRow {
    pub id: String,
    pub registered_at: Instant,
    pub district: String,
    pub queue_type: rules::QueueType,
    pub group_year: i32,
    pub right: rules::RightClass,
    pub child_name: String,
    pub child_iin: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
}

/// A history line with the operator's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardHistory {
    #[serde(flatten)]
    pub item: HistoryItem,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator_name: Option<String>,
}

/// Everything about one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    pub application: Application,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
    pub allowed_actions: Vec<AllowedAction>,
    /// The voucher's deadlines, each with `provisional`: it rests on a year of the calendar
    /// without a decree yet (`rules::deadline::voucher_deadlines`). Empty without a voucher.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deadlines: Vec<VoucherDeadline>,
    pub history: Vec<CardHistory>,
}

/// `status`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusReport {
    pub kiosk_id: String,
    pub district: String,
    pub name: String,
    pub public_key: String,
    pub fingerprint: String,
    pub data_dir: PathBuf,
    pub last_seq: u64,
    pub acknowledged_seq: u64,
    pub pending_entries: u64,
    pub last_sync_at: Option<String>,
    pub days_since_last_sync: Option<i64>,
    pub last_contact: Option<String>,
    pub snapshot: Option<SnapshotInfo>,
    pub log_health: LogHealth,
    pub log_bytes: u64,
    pub projected_seq: u64,
    pub projection_error: Option<String>,
    pub replay_problems: Vec<ReplayProblem>,
    /// Entries not yet at the center that the rules refuse on its latest snapshot (an
    /// offline conflict: the center decides them when they arrive).
    pub conflicts: Vec<ReplayProblem>,
    pub applications: usize,
    pub places_records: usize,
    pub operators_active: usize,
    pub open: OpenReport,
}

/// `verify`: every signature, a full replay and the projections compared.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    #[serde(flatten)]
    pub log: FullCheck,
    pub replay_problems: Vec<ReplayProblem>,
    /// Entries not yet at the center that the rules refuse on its latest snapshot.
    pub conflicts: Vec<ReplayProblem>,
    pub projection_mismatches: Vec<String>,
    pub ok: bool,
}

/// `export`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportReport {
    pub path: PathBuf,
    pub kiosk: String,
    /// Sequence numbers in the bundle (`None` when it is empty).
    pub first_seq: Option<u64>,
    pub last_seq: Option<u64>,
    pub entries: usize,
    pub bytes: usize,
    /// Pending entries left out because a bundle has limits (export again after upload).
    pub remaining: u64,
}

/// `demo-load`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoReport {
    pub registered: usize,
    pub places: usize,
    pub rejected: Vec<DemoRejection>,
    pub first_seq: u64,
    pub last_seq: u64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoRejection {
    pub at: Instant,
    pub command: String,
    pub code: String,
    pub message: String,
}

/// State folded from the log: rules state, accounts and the id counters.
#[derive(Debug, Clone)]
struct Model {
    state: State,
    /// Commands up to this sequence number are already in the state (the center's
    /// snapshot includes them): replaying them only advances the counters.
    covered_through: u64,
    operators: Operators,
    /// The public key (hex) named by the last `keyRotated` entry, if any.
    rotated_key: Option<String>,
    registrations: u64,
    places_records: u64,
    commands: u64,
}

impl Model {
    /// An empty model, or one that starts from a center snapshot. Before the first snapshot
    /// the kindergarten directory is `offline` (empty, or the demo one in demo mode).
    fn new(base: Option<&Base>, offline: &[Kindergarten]) -> Self {
        let (state, covered_through) = match base {
            Some(base) => (base.state.clone(), base.head),
            None => (State::new(Calendar::embedded(), offline.iter().cloned()), 0),
        };
        Model {
            state,
            covered_through,
            operators: Operators::default(),
            rotated_key: None,
            registrations: 0,
            places_records: 0,
            commands: 0,
        }
    }

    /// Counters and state after a command whose events are known.
    fn apply_command(&mut self, command: &Command, events: &[Event]) {
        self.commands += 1;
        match command {
            Command::Register { .. } => self.registrations += 1,
            Command::AddPlaces { .. } | Command::ReducePlaces { .. } => self.places_records += 1,
            _ => {}
        }
        for event in events {
            self.state.evolve(event);
        }
    }

    fn apply_operator_change(&mut self, payload: &Payload, seq: u64, at: &str, by: &str) {
        match payload {
            Payload::OperatorAdded { login, name, role, kindergartens } => self.operators.added(OperatorInfo {
                login: login.clone(),
                name: name.clone(),
                role: *role,
                kindergartens: kindergartens.clone(),
                active: true,
                added_seq: seq,
                added_at: at.to_owned(),
                added_by: by.to_owned(),
                disabled_seq: None,
                disabled_at: None,
                disabled_by: None,
            }),
            Payload::OperatorDisabled { login } => self.operators.disabled(login, seq, at, by),
            Payload::KeyRotated { public_key } => self.rotated_key = Some(public_key.clone()),
            // Commands replay elsewhere; the center's and the parents' channel's own entries
            // are never in a kiosk's log.
            Payload::Command { .. }
            | Payload::Audit { .. }
            | Payload::ParentLinked { .. }
            | Payload::ContractSigned { .. } => {}
        }
    }

    /// Replays one logged entry: the command is decided again at its recorded time.
    fn replay(&mut self, entry: &EntryView<'_>) -> (Option<&'static str>, Vec<Event>, Option<ReplayProblem>) {
        match &entry.payload {
            Payload::Command { command } if entry.seq <= self.covered_through => {
                self.apply_command(command, &[]);
                (Some(command.name()), Vec::new(), None)
            }
            Payload::Command { command } => {
                let decided = entry
                    .at
                    .ok_or_else(|| ("BAD_KIOSK_TIME".to_owned(), format!("not an instant: {:?}", entry.kiosk_time)))
                    .and_then(|now| {
                        self.state.decide(command, now).map_err(|e| (e.code().to_owned(), e.message(Lang::En)))
                    });
                match decided {
                    Ok(events) => {
                        self.apply_command(command, &events);
                        (Some(command.name()), events, None)
                    }
                    Err((code, message)) => {
                        // The number it took stays taken.
                        self.apply_command(command, &[]);
                        (Some(command.name()), Vec::new(), Some(ReplayProblem { seq: entry.seq, code, message }))
                    }
                }
            }
            other => {
                self.apply_operator_change(other, entry.seq, entry.kiosk_time, entry.operator);
                (None, Vec::new(), None)
            }
        }
    }
}

/// The log replayed into a model.
struct Replayed {
    /// Sequence number above which projection writes were collected.
    pending_after: u64,
    model: Model,
    /// Projection writes owed for entries above the `pending_after` given.
    pending: Pending,
    problems: Vec<ReplayProblem>,
    summary: LoadSummary,
}

/// Checks the log and replays its valid prefix (twice when only the final signature check
/// finds damage: the second run stops before it).
/// `pending_after` is asked once, when the first entry is replayed.
fn replay_log(
    bytes: &[u8],
    kiosk: &str,
    key: VerifyingKey,
    base: Option<&Base>,
    offline: &[Kindergarten],
    pending_after: &mut dyn FnMut() -> u64,
) -> Replayed {
    let mut threshold: Option<u64> = None;
    let mut run = |bytes: &[u8]| {
        let mut model = Model::new(base, offline);
        let mut pending = Pending::default();
        let mut problems = Vec::new();
        // The replayed events are freed on another thread: the replaying one is the
        // bottleneck of opening a large log.
        let (trash, bin) = std::sync::mpsc::channel::<Vec<Vec<Event>>>();
        let dropper = std::thread::spawn(move || bin.into_iter().for_each(drop));
        let mut spent: Vec<Vec<Event>> = Vec::with_capacity(1024);
        let summary = logfile::load(bytes, kiosk, key, |view| {
            let after = *threshold.get_or_insert_with(&mut *pending_after);
            let (command, events, problem) = model.replay(view);
            problems.extend(problem);
            if view.seq > after {
                pending.entry(view.seq, view.kiosk, view.kiosk_time, view.operator, command, &events);
            }
            spent.push(events);
            if spent.len() == spent.capacity() {
                let _ = trash.send(std::mem::replace(&mut spent, Vec::with_capacity(1024)));
            }
        });
        let _ = trash.send(spent);
        drop(trash);
        drop(dropper);
        let pending_after = *threshold.get_or_insert_with(&mut *pending_after);
        Replayed { pending_after, model, pending, problems, summary }
    };
    let first = run(bytes);
    if first.summary.valid < first.summary.applied {
        let valid_len = usize::try_from(first.summary.valid_len).unwrap_or(usize::MAX).min(bytes.len());
        let mut second = run(&bytes[..valid_len]);
        second.summary.damage = first.summary.damage;
        return second;
    }
    first
}

/// A demo item, in time order.
enum Item {
    Application(Box<rules::model::NewApplication>),
    Places(rules::model::NewPlaces),
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

/// Replay problems on a center snapshot are offline conflicts the center will decide;
/// without one they mean the log and the rules disagree.
fn split_problems(base: Option<&Base>, problems: Vec<ReplayProblem>) -> (Vec<ReplayProblem>, Vec<ReplayProblem>) {
    match base {
        Some(_) => (Vec::new(), problems),
        None => (problems, Vec::new()),
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// A command checked and decided, not yet written.
#[derive(Debug)]
struct Prepared {
    command: Command,
    events: Vec<Event>,
    id: String,
}

/// A kiosk: its signed log, projections, operators and the rules state.
///
/// Single-threaded: a GUI keeps it on one thread (or behind a mutex). Every method that
/// writes returns only after the entry is durable (fdatasync'ed).
pub struct Kiosk {
    layout: Layout,
    identity: Identity,
    key: KioskKey,
    verifying: VerifyingKey,
    store: Box<dyn Store>,
    model: Model,
    passwords: PasswordFile,
    sync: SyncState,
    last_seq: u64,
    last_hash: Hash,
    /// `offsets[i]`: byte offset of the record of sequence `i + 1`.
    offsets: Vec<u64>,
    valid_len: u64,
    health: LogHealth,
    open_report: OpenReport,
    replay_problems: Vec<ReplayProblem>,
    conflicts: Vec<ReplayProblem>,
    /// The center snapshot the state is built on, if any.
    base: Option<Base>,
    /// The kindergarten directory before the first snapshot: none, or the demo one.
    offline_directory: &'static [Kindergarten],
    /// A write failed and could not be undone: nothing more is appended until reopened.
    poisoned: bool,
    /// Projection writes that failed, retried before the next ones.
    unprojected: Option<ProjectionBatch>,
    projection_error: Option<String>,
    clock: Box<dyn Fn() -> Instant + Send>,
    _lock: File,
}

impl std::fmt::Debug for Kiosk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kiosk")
            .field("kiosk", &self.identity.kiosk_id)
            .field("data", &self.layout.root)
            .field("last_seq", &self.last_seq)
            .field("health", &self.health)
            .finish_non_exhaustive()
    }
}

fn lock_data_dir(layout: &Layout) -> Result<Option<File>, std::io::Error> {
    changelog::lock_folder(&layout.lock(), changelog::FOLDER_LOCK_WAIT)
}

fn read_projected_seq(store: &dyn Store) -> Result<(u64, bool), StoreError> {
    let format_ok = store.get(Tree::Meta, META_FORMAT)?.is_some_and(|f| f == PROJECTION_FORMAT);
    let seq =
        store.get(Tree::Meta, META_PROJECTED_SEQ)?.and_then(|v| v.try_into().ok().map(u64::from_be_bytes)).unwrap_or(0);
    Ok((seq, format_ok))
}

impl Kiosk {
    // ----------------------------------------------------------------- setup

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
        let mut replayed =
            replay_log(&bytes, &identity.kiosk_id, verifying, base.as_ref(), offline_directory, &mut projected_seq);
        let mut projected = replayed.pending_after;
        if projected > replayed.summary.valid {
            // Projections of entries the log no longer has (damage, an old backup): rebuild.
            projected = 0;
            replayed = replay_log(&bytes, &identity.kiosk_id, verifying, base.as_ref(), offline_directory, &mut || 0);
        }
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

    /// Replays the log's valid prefix (of `bytes`, the log as read) on the kiosk's base.
    fn replay_valid_prefix(&self, bytes: &[u8]) -> Replayed {
        let valid = usize::try_from(self.valid_len).unwrap_or(usize::MAX).min(bytes.len());
        replay_log(
            &bytes[..valid],
            &self.identity.kiosk_id,
            self.verifying,
            self.base.as_ref(),
            self.offline_directory,
            &mut || u64::MAX,
        )
    }

    /// Rebuilds the in-memory model from the base and the log's valid prefix.
    fn reload_model(&mut self) -> Result<(), StoreError> {
        let bytes = self.store.read_log(0, self.valid_len)?;
        let replayed = self.replay_valid_prefix(&bytes);
        if replayed.summary.valid != self.last_seq {
            return Err(StoreError::other("reload", "the log changed under the kiosk"));
        }
        self.model = replayed.model;
        (self.replay_problems, self.conflicts) = split_problems(self.base.as_ref(), replayed.problems);
        Ok(())
    }

    /// Writes the application and places trees again from the state, marked with the base.
    fn reproject_state(&mut self) {
        let store = &self.store;
        let mut existing = |tree: Tree| -> Result<Vec<Vec<u8>>, StoreError> {
            Ok(store.scan(tree, b"")?.into_iter().map(|(k, _)| k).collect())
        };
        let marker = self.base.as_ref().map(|b| b.sha256.clone());
        match projection::reproject_state(&self.model.state, &mut existing, marker.as_deref()) {
            Ok(batch) => self.project(batch),
            Err(e) => self.projection_error = Some(e.to_string()),
        }
    }

    /// Writes projections; a failure is kept and retried before the next writes.
    fn project(&mut self, batch: ProjectionBatch) {
        let batch = match self.unprojected.take() {
            Some(mut earlier) => {
                earlier.merge(batch);
                earlier
            }
            None => batch,
        };
        match self.store.apply(&batch) {
            Ok(()) => self.projection_error = None,
            Err(e) => {
                self.projection_error = Some(e.to_string());
                self.unprojected = Some(batch);
            }
        }
    }

    fn mirror_sync_state(&mut self) {
        let json = self.sync.to_bytes();
        let mirrored = self.store.get(Tree::Sync, b"state").ok().flatten();
        if mirrored.as_deref() == Some(json.as_slice()) {
            return;
        }
        let mut batch = ProjectionBatch::default();
        batch.put(Tree::Sync, b"state".to_vec(), json);
        batch.put(Tree::Sync, b"cursor".to_vec(), self.sync.acknowledged_seq.to_be_bytes().to_vec());
        match self.store.read_blob(Blob::Snapshot) {
            Ok(Some(snapshot)) => batch.put(Tree::Sync, b"snapshot".to_vec(), snapshot),
            Ok(None) => batch.remove(Tree::Sync, b"snapshot".to_vec()),
            Err(_) => {}
        }
        self.project(batch);
    }

    /// Replaces the clock (tests, demo tools). Entries record what it returns.
    pub fn set_clock(&mut self, clock: impl Fn() -> Instant + Send + 'static) {
        self.clock = Box::new(clock);
    }

    pub fn now(&self) -> Instant {
        (self.clock)()
    }

    // ----------------------------------------------------------------- identity

    pub fn identity(&self) -> &Identity {
        &self.identity
    }
    pub fn public_key_hex(&self) -> String {
        self.key.public_hex()
    }
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.key.verifying())
    }
    pub fn data_dir(&self) -> &Path {
        &self.layout.root
    }
    pub fn health(&self) -> &LogHealth {
        &self.health
    }
    pub fn open_report(&self) -> &OpenReport {
        &self.open_report
    }
    pub fn replay_problems(&self) -> &[ReplayProblem] {
        &self.replay_problems
    }
    /// Entries not yet at the center that the rules refuse on its latest snapshot.
    pub fn conflicts(&self) -> &[ReplayProblem] {
        &self.conflicts
    }
    /// The rules state (read-only): queue positions, free places, allowed actions.
    pub fn state(&self) -> &State {
        &self.model.state
    }
    /// Sequence number of the last entry (0: none).
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    // ----------------------------------------------------------------- accounts

    /// Checks a login and password (argon2id); the session is re-checked on every command.
    /// Throttled per login after failures, with the same work for unknown logins
    /// ([`operators::check_login`]).
    pub fn login(&self, login: &str, password: &str) -> Result<Session, LoginError> {
        operators::check_login(&self.layout.root, &self.model.operators, &self.passwords, login, password, &self.now())
    }

    /// Every account, active or not, by login.
    pub fn operators(&self) -> Vec<OperatorInfo> {
        self.model.operators.all().cloned().collect()
    }

    fn check_session(&self, session: &Session) -> Result<(), AppendError> {
        match self.model.operators.get(session.login()) {
            Some(info) if info.active && info.role == session.role() => Ok(()),
            _ => Err(AppendError::SessionRevoked { login: session.login().to_owned() }),
        }
    }

    /// Creates an account (administrators only). The password hash is stored locally,
    /// durably, before the log entry; the entry carries no hash.
    pub fn add_operator(
        &mut self,
        admin: &Session,
        new: &NewOperator,
        password: &str,
    ) -> Result<Receipt, OperatorError> {
        self.check_session(admin).map_err(OperatorError::Append)?;
        if admin.role() != Role::Admin {
            return Err(OperatorError::AdminOnly);
        }
        if !operators::valid_login(&new.login) {
            return Err(OperatorError::BadLogin { login: new.login.clone() });
        }
        if !operators::valid_operator_name(&new.name) {
            return Err(OperatorError::BadName);
        }
        if !Role::AT_KIOSK.contains(&new.role) {
            return Err(OperatorError::RoleNotForKiosk { role: new.role });
        }
        let mut kindergartens = new.kindergartens.clone();
        kindergartens.sort();
        kindergartens.dedup();
        match (new.role, kindergartens.is_empty()) {
            (Role::Kindergarten, true) => return Err(OperatorError::KindergartensRequired),
            (role, false) if role != Role::Kindergarten => return Err(OperatorError::KindergartensNotAllowed),
            _ => {}
        }
        if !kindergartens.is_empty() && self.model.state.kindergartens().next().is_none() {
            return Err(OperatorError::NoDirectory);
        }
        if let Some(unknown) = kindergartens.iter().find(|k| self.model.state.kindergarten(k).is_none()) {
            return Err(OperatorError::UnknownKindergarten { id: unknown.clone() });
        }
        if self.model.operators.get(&new.login).is_some() {
            return Err(OperatorError::LoginTaken { login: new.login.clone() });
        }
        if !passwords::acceptable(password) {
            return Err(OperatorError::WeakPassword);
        }
        self.writable().map_err(OperatorError::Append)?;
        let hash = passwords::hash(password).map_err(OperatorError::Hash)?;
        let mut updated = self.passwords.clone();
        updated.hashes.insert(new.login.clone(), hash);
        self.store
            .write_blob(Blob::Passwords, &updated.to_bytes())
            .map_err(|e| OperatorError::Append(AppendError::Storage(e)))?;
        self.passwords = updated;
        let payload = Payload::OperatorAdded {
            login: new.login.clone(),
            name: new.name.trim().to_owned(),
            role: new.role,
            kindergartens,
        };
        self.append_operator_change(admin, &payload, &new.login).map_err(OperatorError::Append)
    }

    /// Disables an account (administrators only; not oneself, not the last administrator).
    pub fn disable_operator(&mut self, admin: &Session, login: &str) -> Result<Receipt, OperatorError> {
        self.check_session(admin).map_err(OperatorError::Append)?;
        if admin.role() != Role::Admin {
            return Err(OperatorError::AdminOnly);
        }
        let info =
            self.model.operators.get(login).ok_or_else(|| OperatorError::UnknownLogin { login: login.to_owned() })?;
        if !info.active {
            return Err(OperatorError::AlreadyDisabled { login: login.to_owned() });
        }
        if login == admin.login() {
            return Err(OperatorError::CannotDisableSelf);
        }
        if info.role == Role::Admin && self.model.operators.active_admins() <= 1 {
            return Err(OperatorError::LastAdmin);
        }
        let payload = Payload::OperatorDisabled { login: login.to_owned() };
        self.append_operator_change(admin, &payload, login).map_err(OperatorError::Append)
    }

    fn append_operator_change(
        &mut self,
        admin: &Session,
        payload: &Payload,
        login: &str,
    ) -> Result<Receipt, AppendError> {
        let now = self.now();
        let record = self.encode(admin.login(), payload, now, self.last_seq + 1, self.last_hash)?;
        self.append_records(&record.0)?;
        let seq = self.commit_position(record.1, &record.0);
        let at = now.to_string();
        self.model.apply_operator_change(payload, seq, &at, admin.login());
        let mut pending = Pending::default();
        pending.entry(seq, &self.identity.kiosk_id, &at, admin.login(), None, &[]);
        for batch in pending.into_batches(&self.model.state, usize::MAX) {
            self.project(batch);
        }
        let command = match payload {
            Payload::OperatorAdded { .. } => "operatorAdded",
            Payload::KeyRotated { .. } => "keyRotated",
            _ => "operatorDisabled",
        };
        Ok(Receipt {
            seq,
            id: login.to_owned(),
            command: command.to_owned(),
            at: now,
            operator: admin.login().to_owned(),
            events: Vec::new(),
        })
    }

    // ----------------------------------------------------------------- commands

    fn writable(&self) -> Result<(), AppendError> {
        if let LogHealth::Damaged { damage } = &self.health {
            return Err(AppendError::LogDamaged(damage.clone()));
        }
        if self.poisoned {
            return Err(AppendError::RestartRequired);
        }
        Ok(())
    }

    /// Role, kindergarten binding, ids, then the rules. Changes nothing.
    fn prepare(&self, session: &Session, command: Command, now: Instant) -> Result<Prepared, AppendError> {
        // Who may: rules::authz::kiosk decides. Center-only commands and roles are refused
        // first; a kindergarten binding after the directory and id checks, as always.
        let actor = KioskActor { role: session.role(), kindergartens: session.kindergartens() };
        let allowed = kiosk_authz::may(&actor, &command, &self.model.state);
        if let Err(denied @ (KioskDenied::CenterOnly { .. } | KioskDenied::WrongRole { .. })) = &allowed {
            return Err(denied.clone().into());
        }
        let needs_directory = matches!(
            &command,
            Command::AddPlaces { .. }
                | Command::ReducePlaces { .. }
                | Command::Act { action: rules::Action::ChooseKindergarten { .. }, .. }
        );
        if needs_directory && self.model.state.kindergartens().next().is_none() {
            return Err(AppendError::NoDirectory);
        }
        let year = now.local_date().year();
        let mut command = command;
        let id = match &mut command {
            Command::Register { application } => {
                if !application.id.is_empty() {
                    return Err(AppendError::IdAssignedByKiosk);
                }
                if reference::district(&application.district).is_none() {
                    return Err(AppendError::Input(InputError::InvalidCommand {
                        detail: format!("unknown district {:?}", application.district),
                    }));
                }
                application.id = identity::registration_number(
                    &self.identity,
                    &application.district,
                    year,
                    self.model.registrations + 1,
                );
                application.id.clone()
            }
            Command::AddPlaces { places } | Command::ReducePlaces { places } => {
                if !places.id.is_empty() {
                    return Err(AppendError::IdAssignedByKiosk);
                }
                allowed?;
                places.id = identity::places_record_id(&self.identity, year, self.model.places_records + 1);
                places.id.clone()
            }
            Command::Act { application, .. } => {
                allowed?;
                application.clone()
            }
            Command::Distribute { .. }
            | Command::Tick
            | Command::SetKindergarten { .. }
            | Command::SetCalendarYear { .. } => String::new(),
        };
        let events = self.model.state.decide(&command, now).map_err(AppendError::Rejected)?;
        Ok(Prepared { command, events, id })
    }

    /// Signs one entry; returns its framed record and hash.
    fn encode(
        &self,
        operator: &str,
        payload: &Payload,
        now: Instant,
        seq: u64,
        prev_hash: Hash,
    ) -> Result<(Vec<u8>, Hash), AppendError> {
        let body = EntryBody {
            version: FORMAT_VERSION,
            kiosk: self.identity.kiosk_id.clone(),
            seq,
            prev_hash,
            kiosk_time: now.to_string(),
            last_contact: self.sync.last_contact.clone(),
            operator: operator.to_owned(),
            payload: payload.to_json(),
        };
        let entry = SignedEntry::sign(&body, self.key.signing());
        if entry.body_bytes().len() > MAX_ENTRY_BYTES as usize {
            return Err(AppendError::Input(InputError::InvalidCommand {
                detail: format!("the entry would exceed {MAX_ENTRY_BYTES} bytes"),
            }));
        }
        let mut record = Vec::with_capacity(entry.record_len());
        entry.write_record(&mut record);
        Ok((record, entry.hash()))
    }

    /// Appends records durably; on failure cuts the log back (or stops appending).
    fn append_records(&mut self, records: &[u8]) -> Result<(), AppendError> {
        self.writable()?;
        let before = self.valid_len;
        if let Err(e) = self.store.append_log(records) {
            if self.store.truncate_log(before).is_err() {
                self.poisoned = true;
            }
            return Err(AppendError::Storage(e));
        }
        Ok(())
    }

    /// Advances the log position after one durable record; returns its sequence number.
    fn commit_position(&mut self, hash: Hash, record: &[u8]) -> u64 {
        self.offsets.push(self.valid_len);
        self.valid_len += record.len() as u64;
        self.last_seq += 1;
        self.last_hash = hash;
        self.last_seq
    }

    /// Checks `command` for `session` at the kiosk clock, saves it durably, applies it.
    /// Ids (`application.id`, `places.id`) must be empty: the kiosk assigns them.
    pub fn execute(&mut self, session: &Session, command: Command) -> Result<Receipt, AppendError> {
        let now = self.now();
        self.execute_at(session, command, now)
    }

    /// Parses one JSON line (see the README) and executes it.
    pub fn execute_json(&mut self, session: &Session, line: &str) -> Result<Receipt, AppendError> {
        let command = crate::input::parse_command(line).map_err(AppendError::Input)?;
        self.execute(session, command)
    }

    /// [`Kiosk::execute`] at a given kiosk time (demo data with recorded times, tests).
    pub fn execute_at(&mut self, session: &Session, command: Command, now: Instant) -> Result<Receipt, AppendError> {
        self.writable()?;
        self.check_session(session)?;
        let prepared = self.prepare(session, command, now)?;
        let payload = Payload::Command { command: prepared.command };
        let (record, hash) = self.encode(session.login(), &payload, now, self.last_seq + 1, self.last_hash)?;
        self.append_records(&record)?;
        // Durable: now apply it.
        let seq = self.commit_position(hash, &record);
        let Payload::Command { command } = payload else { unreachable!("built above") };
        self.model.apply_command(&command, &prepared.events);
        let at = now.to_string();
        let mut pending = Pending::default();
        pending.entry(seq, &self.identity.kiosk_id, &at, session.login(), Some(command.name()), &prepared.events);
        for batch in pending.into_batches(&self.model.state, usize::MAX) {
            self.project(batch);
        }
        Ok(Receipt {
            seq,
            id: prepared.id,
            command: command.name().to_owned(),
            at: now,
            operator: session.login().to_owned(),
            events: prepared.events,
        })
    }

    /// Executes several commands with one `fdatasync` (group commit): each is checked
    /// against the state left by the ones before it; rejected ones write nothing. The
    /// receipts are returned only after all accepted entries are durable. If the write
    /// fails, none of them is saved and the outer `Err` says why.
    pub fn execute_batch_at(
        &mut self,
        session: &Session,
        commands: Vec<(Command, Instant)>,
    ) -> Result<Vec<Result<Receipt, AppendError>>, AppendError> {
        self.writable()?;
        self.check_session(session)?;
        let saved = (self.last_seq, self.last_hash, self.offsets.len(), self.valid_len);
        let mut buffer = Vec::new();
        let mut results = Vec::with_capacity(commands.len());
        let mut pending = Pending::default();
        let (mut seq, mut prev, mut offset) = (self.last_seq, self.last_hash, self.valid_len);
        let mut new_offsets = Vec::new();
        for (command, now) in commands {
            let prepared = match self.prepare(session, command, now) {
                Ok(p) => p,
                Err(e) => {
                    results.push(Err(e));
                    continue;
                }
            };
            let payload = Payload::Command { command: prepared.command };
            let (record, hash) = match self.encode(session.login(), &payload, now, seq + 1, prev) {
                Ok(r) => r,
                Err(e) => {
                    results.push(Err(e));
                    continue;
                }
            };
            seq += 1;
            prev = hash;
            new_offsets.push(offset);
            offset += record.len() as u64;
            buffer.extend_from_slice(&record);
            let Payload::Command { command } = payload else { unreachable!("built above") };
            // Applied before it is durable so the next command sees it; undone below if
            // the write fails.
            self.model.apply_command(&command, &prepared.events);
            let at = now.to_string();
            pending.entry(seq, &self.identity.kiosk_id, &at, session.login(), Some(command.name()), &prepared.events);
            results.push(Ok(Receipt {
                seq,
                id: prepared.id,
                command: command.name().to_owned(),
                at: now,
                operator: session.login().to_owned(),
                events: prepared.events,
            }));
        }
        if buffer.is_empty() {
            return Ok(results);
        }
        if let Err(e) = self.append_records(&buffer) {
            let (last_seq, last_hash, offsets_len, valid_len) = saved;
            self.last_seq = last_seq;
            self.last_hash = last_hash;
            self.offsets.truncate(offsets_len);
            self.valid_len = valid_len;
            // Undo the in-memory effects by replaying the log as it is on disk.
            if self.reload_model().is_err() {
                self.poisoned = true;
            }
            return Err(e);
        }
        self.offsets.extend(new_offsets);
        self.valid_len = offset;
        self.last_seq = seq;
        self.last_hash = prev;
        for batch in pending.into_batches(&self.model.state, CATCH_UP_CHUNK) {
            self.project(batch);
        }
        Ok(results)
    }

    // ----------------------------------------------------------------- queries

    fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, QueryError> {
        serde_json::from_slice(bytes).map_err(|e| QueryError::Corrupt { detail: e.to_string() })
    }

    /// An application by registration number (= id).
    pub fn application(&self, id: &str) -> Result<Option<Application>, QueryError> {
        match self.store.get(Tree::Applications, id.as_bytes()).map_err(QueryError::Store)? {
            Some(bytes) => Self::decode(&bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Every application of a child (any queue type, any status).
    pub fn find_by_iin(&self, iin: &str) -> Result<Vec<Application>, QueryError> {
        let prefix = keyed(iin.as_bytes(), "");
        let rows = self.store.scan(Tree::ByIin, &prefix).map_err(QueryError::Store)?;
        let mut out = Vec::new();
        for (key, _) in rows {
            let id = String::from_utf8_lossy(&key[prefix.len()..]).into_owned();
            out.extend(self.application(&id)?);
        }
        Ok(out)
    }

    /// The application a direction number belongs to.
    pub fn find_by_direction(&self, number: &str) -> Result<Option<Application>, QueryError> {
        match self.store.get(Tree::ByDirection, number.as_bytes()).map_err(QueryError::Store)? {
            Some(id) => self.application(&String::from_utf8_lossy(&id)),
            None => Ok(None),
        }
    }

    /// Applications in registration order, optionally only some statuses.
    pub fn journal(&self, statuses: &[Status]) -> Result<Vec<JournalRow>, QueryError> {
        let rows = self.store.scan(Tree::ByRegistered, b"").map_err(QueryError::Store)?;
        let mut out = Vec::with_capacity(rows.len());
        for (key, _) in rows {
            let id = String::from_utf8_lossy(key.get(13..).unwrap_or_default()).into_owned();
            let Some(app) = self.application(&id)? else { continue };
            if !statuses.is_empty() && !statuses.contains(&app.status) {
                continue;
            }
            out.push(JournalRow {
                position: self.model.state.position(&app.id),
                id: app.id.clone(),
                registered_at: app.registered_at,
                district: app.district.clone(),
                queue_type: app.queue_type,
                group_year: app.group_year(),
                right: app.right,
                child_name: app.child.name.clone(),
                child_iin: app.child.iin.clone(),
                status: app.status,
            });
        }
        Ok(out)
    }

    /// The application, its queue position, what can be done now and its history.
    pub fn card(&self, id: &str) -> Result<Option<Card>, QueryError> {
        let Some(application) = self.application(id)? else { return Ok(None) };
        let prefix = history_key(id, 0);
        let prefix = &prefix[..prefix.len() - 8];
        let mut history = Vec::new();
        for (_, value) in self.store.scan(Tree::History, prefix).map_err(QueryError::Store)? {
            let item: HistoryItem = Self::decode(&value)?;
            let operator_name = self.model.operators.get(&item.operator).map(|o| o.name.clone());
            history.push(CardHistory { item, operator_name });
        }
        let allowed_actions =
            lifecycle::allowed_actions(&application, self.now(), self.model.state.calendar()).unwrap_or_default();
        let deadlines =
            application.voucher.as_ref().map(|v| voucher_deadlines(v, self.model.state.calendar())).unwrap_or_default();
        Ok(Some(Card { position: self.model.state.position(id), allowed_actions, deadlines, history, application }))
    }

    /// Places records, by id.
    pub fn places(&self) -> Result<Vec<PlacesRecord>, QueryError> {
        self.store.scan(Tree::Places, b"").map_err(QueryError::Store)?.iter().map(|(_, v)| Self::decode(v)).collect()
    }

    /// Applications holding a voucher.
    pub fn vouchers(&self) -> Result<Vec<(String, VoucherRow)>, QueryError> {
        self.store
            .scan(Tree::Vouchers, b"")
            .map_err(QueryError::Store)?
            .iter()
            .map(|(k, v)| Ok((String::from_utf8_lossy(k).into_owned(), Self::decode(v)?)))
            .collect()
    }

    pub fn projected_seq(&self) -> u64 {
        read_projected_seq(self.store.as_ref()).map_or(0, |(s, _)| s)
    }

    /// Pending entries, last sync, key fingerprint, log health.
    pub fn status(&self) -> StatusReport {
        let last_sync_at = self.sync.last_sync_at().map(str::to_owned);
        let days_since_last_sync =
            last_sync_at.as_deref().and_then(|t| t.parse::<Instant>().ok()).map(|t| (self.now().0 - t.0).num_days());
        StatusReport {
            kiosk_id: self.identity.kiosk_id.clone(),
            district: self.identity.district.clone(),
            name: self.identity.name.clone(),
            public_key: self.key.public_hex(),
            fingerprint: self.fingerprint(),
            data_dir: self.layout.root.clone(),
            last_seq: self.last_seq,
            acknowledged_seq: self.sync.acknowledged_seq,
            pending_entries: self.last_seq.saturating_sub(self.sync.acknowledged_seq),
            last_sync_at,
            days_since_last_sync,
            last_contact: self.sync.last_contact.clone(),
            snapshot: self.sync.snapshot.clone(),
            log_health: self.health.clone(),
            log_bytes: self.store.log_len(),
            projected_seq: self.projected_seq(),
            projection_error: self.projection_error.clone(),
            replay_problems: self.replay_problems.clone(),
            conflicts: self.conflicts.clone(),
            applications: self.model.state.applications().count(),
            places_records: self.model.state.places().count(),
            operators_active: self.model.operators.all().filter(|o| o.active).count(),
            open: self.open_report.clone(),
        }
    }

    /// Checks the whole log again, every signature included, replays it and compares the
    /// projections with the replayed state.
    pub fn verify(&self) -> Result<VerifyReport, QueryError> {
        let bytes = self.store.read_log(0, u64::MAX).map_err(QueryError::Store)?;
        let check = logfile::verify_all(&bytes, &self.identity.kiosk_id, self.verifying);
        let Replayed { model, problems, .. } = self.replay_valid_prefix(&bytes);
        let (problems, conflicts) = split_problems(self.base.as_ref(), problems);
        drop(bytes);
        let mut mismatches = Vec::new();
        if self.projected_seq() == self.last_seq {
            for app in model.state.applications() {
                match self.application(&app.id) {
                    Ok(Some(projected)) if &projected == app => {}
                    Ok(Some(_)) => mismatches.push(format!("{}: differs", app.id)),
                    Ok(None) => mismatches.push(format!("{}: missing", app.id)),
                    Err(e) => mismatches.push(format!("{}: {e}", app.id)),
                }
            }
        }
        let ok = check.damage.is_none() && problems.is_empty() && mismatches.is_empty();
        Ok(VerifyReport { log: check, replay_problems: problems, conflicts, projection_mismatches: mismatches, ok })
    }

    // ----------------------------------------------------------------- sync

    pub fn sync_state(&self) -> &SyncState {
        &self.sync
    }

    /// What a push needs to sign its requests to the center: the current key, the log's
    /// head, and the key rotations after the last ack (the center may not know them yet).
    pub fn request_signer(&self) -> Result<changelog::request::RequestSigner, StoreError> {
        let rotations = self
            .entries_after(self.sync.acknowledged_seq)?
            .into_iter()
            .filter(|e| e.body().is_ok_and(|b| matches!(b.payload(), Ok(Payload::KeyRotated { .. }))))
            .collect();
        Ok(changelog::request::RequestSigner::new(
            self.key.signing().clone(),
            &self.identity.kiosk_id,
            self.last_seq,
            rotations,
        ))
    }

    /// Entries with a sequence number above `seq`, as stored (valid prefix only).
    pub fn entries_after(&self, seq: u64) -> Result<Vec<SignedEntry>, StoreError> {
        if seq >= self.last_seq {
            return Ok(Vec::new());
        }
        let from = self.offsets[usize::try_from(seq).unwrap_or(usize::MAX)];
        let bytes = self.store.read_log(from, self.valid_len)?;
        Ok(logfile::records(&bytes))
    }

    /// One entry, as stored (`None` beyond the valid prefix).
    pub fn entry(&self, seq: u64) -> Result<Option<SignedEntry>, StoreError> {
        let Some(index) = seq.checked_sub(1).and_then(|i| usize::try_from(i).ok()).filter(|i| *i < self.offsets.len())
        else {
            return Ok(None);
        };
        let end = self.offsets.get(index + 1).copied().unwrap_or(self.valid_len);
        let bytes = self.store.read_log(self.offsets[index], end)?;
        Ok(logfile::records(&bytes).into_iter().next())
    }

    /// The entries the center has not acknowledged, as a bundle (within bundle limits).
    pub fn pending_bundle(&self) -> Result<(Bundle, u64), SyncError> {
        let mut entries = self.entries_after(self.sync.acknowledged_seq).map_err(SyncError::Store)?;
        let total = entries.len();
        let mut bytes = 2 + self.identity.kiosk_id.len();
        let mut keep = 0;
        for e in &entries {
            if keep >= MAX_BUNDLE_ENTRIES || bytes + e.record_len() > MAX_BUNDLE_BYTES {
                break;
            }
            bytes += e.record_len();
            keep += 1;
        }
        entries.truncate(keep);
        Ok((Bundle { kiosk: self.identity.kiosk_id.clone(), entries }, (total - keep) as u64))
    }

    /// Writes the pending entries to `out` as a bundle (atomically, fsync'ed). The sync
    /// cursor does not move: only the center's acknowledgement moves it.
    pub fn export(&self, out: &Path) -> Result<ExportReport, SyncError> {
        let (bundle, remaining) = self.pending_bundle()?;
        let seqs: Vec<u64> = bundle.entries.iter().filter_map(|e| e.body().ok().map(|b| b.seq)).collect();
        let bytes = bundle.to_bytes();
        write_atomically(out, &bytes)
            .map_err(|e| SyncError::Write { path: out.display().to_string(), detail: e.to_string() })?;
        Ok(ExportReport {
            path: out.to_path_buf(),
            kiosk: bundle.kiosk,
            first_seq: seqs.first().copied(),
            last_seq: seqs.last().copied(),
            entries: seqs.len(),
            bytes: bytes.len(),
            remaining,
        })
    }

    fn save_sync(&mut self, updated: SyncState) -> Result<(), SyncError> {
        self.store.write_blob(Blob::SyncState, &updated.to_bytes()).map_err(SyncError::Store)?;
        self.sync = updated;
        self.mirror_sync_state();
        Ok(())
    }

    /// Records the center's acknowledgement (`Ack::accepted_through_seq`, `head_hash`,
    /// `center_time`) of every entry up to `seq`, durably. A lower `seq` than already
    /// acknowledged changes nothing. A `head_hash` that is not the hash of this kiosk's own
    /// entry `seq` means the logs have forked (e.g. a restored backup): refused.
    pub fn acknowledge(
        &mut self,
        seq: u64,
        head_hash: Option<Hash>,
        center_time: Option<Instant>,
    ) -> Result<(), SyncError> {
        if seq > self.last_seq {
            return Err(SyncError::AckBeyondLog { seq, last: self.last_seq });
        }
        if let Some(expected) = head_hash
            && seq > 0
        {
            let own = self.entry(seq).map_err(SyncError::Store)?.map(|e| e.hash());
            if own != Some(expected) {
                return Err(SyncError::Fork { seq });
            }
        }
        let mut updated = self.sync.clone();
        updated.acknowledged_seq = updated.acknowledged_seq.max(seq);
        updated.last_ack_received_at = Some(self.now().to_string());
        if let Some(t) = center_time {
            updated.last_contact = Some(t.to_string());
        }
        self.save_sync(updated)
    }

    /// Keeps the center's snapshot of this kiosk's district (`bytes` as received, already
    /// verified into `snapshot` by the caller) durably and rebases the state on it: the
    /// center's applications, vouchers, directions and places, with this kiosk's entries
    /// that the snapshot does not include replayed on top. A snapshot older than the one
    /// kept is refused.
    pub fn apply_snapshot(&mut self, bytes: &[u8], snapshot: Snapshot) -> Result<SnapshotInfo, SyncError> {
        if snapshot.district != self.identity.district {
            return Err(SyncError::WrongDistrict {
                expected: self.identity.district.clone(),
                found: snapshot.district,
            });
        }
        if let Some(kept) = &self.base
            && snapshot.generated_at < kept.generated_at
        {
            return Err(SyncError::OlderSnapshot {
                kept: kept.generated_at.to_string(),
                offered: snapshot.generated_at.to_string(),
            });
        }
        if self.poisoned {
            return Err(SyncError::RestartRequired);
        }
        let center_time = snapshot.generated_at;
        self.store.write_blob(Blob::Snapshot, bytes).map_err(SyncError::Store)?;
        let previous = self.base.replace(Base::new(snapshot, &self.identity.kiosk_id, bytes));
        if let Err(e) = self.reload_model() {
            self.base = previous;
            // The snapshot is kept: the next start rebases on it.
            self.poisoned = true;
            return Err(SyncError::Store(e));
        }
        self.reproject_state();
        let info = SnapshotInfo {
            received_at: self.now().to_string(),
            center_time: Some(center_time.to_string()),
            bytes: bytes.len() as u64,
            sha256: base::sha256_hex(bytes),
        };
        let mut updated = self.sync.clone();
        updated.snapshot = Some(info.clone());
        updated.last_contact = Some(center_time.to_string());
        // Force the mirror to take the new bytes.
        let mut batch = ProjectionBatch::default();
        batch.put(Tree::Sync, b"snapshot".to_vec(), bytes.to_vec());
        self.project(batch);
        self.save_sync(updated)?;
        Ok(info)
    }

    /// The latest center snapshot kept, with its receipt details.
    pub fn snapshot(&self) -> Result<Option<(SnapshotInfo, Vec<u8>)>, SyncError> {
        let Some(info) = self.sync.snapshot.clone() else { return Ok(None) };
        let bytes = self.store.read_blob(Blob::Snapshot).map_err(SyncError::Store)?.unwrap_or_default();
        Ok(Some((info, bytes)))
    }

    // ----------------------------------------------------------------- demo

    /// Loads `data/demo` places and applications through real commands at their recorded
    /// times, as two demo accounts an administrator creates (disabled afterwards).
    pub fn demo_load(&mut self, admin: &Session) -> Result<DemoReport, DemoError> {
        if admin.role() != Role::Admin {
            return Err(DemoError::AdminOnly);
        }
        if self.model.commands > 0 {
            return Err(DemoError::NotEmpty);
        }
        let first_seq = self.last_seq + 1;
        let free_login = |base: &str, ops: &Operators| {
            (1..=ops.all().count() + 1)
                .map(|n| if n == 1 { base.to_owned() } else { format!("{base}-{n}") })
                .find(|l| ops.get(l).is_none())
        };
        let mut secret = [0u8; 24];
        getrandom::fill(&mut secret).map_err(|e| DemoError::Operator(OperatorError::Hash(e.to_string())))?;
        let password = hex(&secret);
        let operator_login = free_login("demo-operator", &self.model.operators).unwrap_or_default();
        let staff_login = free_login("demo-kindergarten", &self.model.operators).unwrap_or_default();
        let new_operator = NewOperator {
            login: operator_login.clone(),
            name: "Демо-оператор".into(),
            role: Role::Operator,
            kindergartens: Vec::new(),
        };
        let new_staff = NewOperator {
            login: staff_login.clone(),
            name: "Демо-сотрудник ДДО".into(),
            role: Role::Kindergarten,
            kindergartens: reference::kindergartens().iter().map(|k| k.id.clone()).collect(),
        };
        self.add_operator(admin, &new_operator, &password).map_err(DemoError::Operator)?;
        self.add_operator(admin, &new_staff, &password).map_err(DemoError::Operator)?;
        let operator = Session::of(self.model.operators.get(&operator_login).expect("just added"));
        let staff = Session::of(self.model.operators.get(&staff_login).expect("just added"));

        let mut items: Vec<(Instant, Item)> = reference::demo_applications()
            .into_iter()
            .map(|d| (d.at, Item::Application(Box::new(d.application))))
            .chain(reference::demo_places().into_iter().map(|d| (d.at, Item::Places(d.places.into_new_places()))))
            .collect();
        items.sort_by_key(|item| item.0);
        let mut report = DemoReport { registered: 0, places: 0, rejected: Vec::new(), first_seq, last_seq: 0 };
        // Consecutive items of one account go in one group commit.
        let mut i = 0;
        while i < items.len() {
            let is_places = matches!(items[i].1, Item::Places(_));
            let mut group = Vec::new();
            while i < items.len() && matches!(items[i].1, Item::Places(_)) == is_places && group.len() < 100 {
                let (at, item) = &items[i];
                let command = match item {
                    Item::Application(a) => Command::Register { application: (**a).clone() },
                    Item::Places(p) => Command::AddPlaces { places: p.clone() },
                };
                group.push((command, *at));
                i += 1;
            }
            let times: Vec<(Instant, &'static str)> = group.iter().map(|(c, at)| (*at, c.name())).collect();
            let session = if is_places { &staff } else { &operator };
            let results = self.execute_batch_at(session, group).map_err(DemoError::Append)?;
            for (result, (at, name)) in results.into_iter().zip(times) {
                match result {
                    Ok(_) if is_places => report.places += 1,
                    Ok(_) => report.registered += 1,
                    Err(e) => report.rejected.push(DemoRejection {
                        at,
                        command: name.to_owned(),
                        code: e.code().to_owned(),
                        message: e.message(Lang::En),
                    }),
                }
            }
        }
        self.disable_operator(admin, &operator_login).map_err(DemoError::Operator)?;
        self.disable_operator(admin, &staff_login).map_err(DemoError::Operator)?;
        report.last_seq = self.last_seq;
        Ok(report)
    }

    /// Writes projections out (best effort; they are caught up from the log anyway) and
    /// closes the kiosk.
    pub fn close(mut self) {
        if let Some(batch) = self.unprojected.take() {
            let _ = self.store.apply(&batch);
        }
        let _ = self.store.flush_projections();
    }
}

impl Drop for Kiosk {
    fn drop(&mut self) {
        if let Some(batch) = self.unprojected.take() {
            let _ = self.store.apply(&batch);
        }
        // Freeing a large state takes a while: not on the caller's time (a process that
        // exits right after does not wait for it at all).
        if self.model.state.applications().nth(10_000).is_some() {
            let model = std::mem::replace(&mut self.model, Model::new(None, &[]));
            let base = self.base.take();
            std::thread::spawn(move || drop((model, base)));
        }
    }
}
