//! What the GUI needs from the kiosk: the [`Backend`] trait and the values it passes.
//!
//! The GUI never writes anything itself: every change goes through one of these methods,
//! called from [`crate::gui::KioskApp`]'s single `apply_command` after a frame.
//! [`crate::gui::StoreBackend`] implements it over the real kiosk (sled projections and the
//! signed change log); GUI tests run that same implementation on a temporary folder.
//!
//! Reads take `&self` except [`Backend::journal`], which may keep a cache.

use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use rules::command::{Action, Event, Role};
use rules::error::CommandError;
use rules::i18n::{Lang, Localized};
use rules::model::{
    Application, GroupLanguage, Kindergarten, NewApplication, PlacesRecord, QueueType, RightClass, Status, Warning,
};
use rules::queue::RankEntry;
use rules::time::{Date, Instant};

pub use crate::push::PushStage;

/// An error with a stable code and a message in the three languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendError {
    pub code: String,
    pub ru: String,
    pub kk: String,
    pub en: String,
}

impl BackendError {
    /// An error with the same wording pattern in all three languages.
    pub fn new(code: impl Into<String>, ru: impl Into<String>, kk: impl Into<String>, en: impl Into<String>) -> Self {
        BackendError { code: code.into(), ru: ru.into(), kk: kk.into(), en: en.into() }
    }

    /// A kiosk error with its code and its message in each language.
    pub fn localized(error: &impl Localized) -> Self {
        BackendError::new(error.code(), error.message(Lang::Ru), error.message(Lang::Kk), error.message(Lang::En))
    }

    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ru => &self.ru,
            Lang::Kk => &self.kk,
            Lang::En => &self.en,
        }
    }
}

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.en)
    }
}

impl std::error::Error for BackendError {}

impl From<crate::errors::GuiError> for BackendError {
    fn from(error: crate::errors::GuiError) -> Self {
        BackendError::localized(&error)
    }
}

impl From<CommandError> for BackendError {
    fn from(error: CommandError) -> Self {
        BackendError {
            code: error.code().to_owned(),
            ru: error.message(Lang::Ru),
            kk: error.message(Lang::Kk),
            en: error.message(Lang::En),
        }
    }
}

/// Who is logged in and what they may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub login: String,
    pub name: String,
    pub role: Role,
    /// Kindergarten ids a kindergarten staff member works for (empty for other roles).
    pub kindergartens: Vec<String>,
}

/// This kiosk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskInfo {
    pub id: String,
    pub name: String,
    /// District code (`data/districts.json`).
    pub district: String,
}

/// First-run set-up (`kezek-kiosk init`): the kiosk's district and name and its first administrator.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KioskSetup {
    pub district: String,
    pub kiosk_name: String,
    pub admin_login: String,
    pub admin_name: String,
    pub admin_password: String,
}

/// What the operator gets back when an application is saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The registration number.
    pub id: String,
    /// The sequence number of the change-log entry that holds it.
    pub seq: u64,
    pub registered_at: Instant,
    pub warnings: Vec<Warning>,
}

/// How to find an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    ChildIin(String),
    RegistrationNumber(String),
    DirectionNumber(String),
}

/// Journal columns that can be sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortColumn {
    Id,
    ChildName,
    ChildIin,
    Status,
    QueueType,
    GroupYear,
    #[default]
    RegisteredAt,
    Position,
}

/// Which applications the journal shows, in which order.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct JournalFilter {
    /// Matches a child IIN, a registration number or a part of the child's name (any case).
    pub text: String,
    pub status: Option<Status>,
    pub queue_type: Option<QueueType>,
    pub group_year: Option<i32>,
    pub sort: SortColumn,
    pub descending: bool,
}

/// One journal line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalRow {
    pub id: String,
    pub child_name: String,
    pub child_iin: String,
    pub status: Status,
    pub queue_type: QueueType,
    pub group_year: i32,
    pub right: RightClass,
    pub registered_at: Instant,
    /// Position in the queue as the kiosk computes it (queued applications only).
    pub position: Option<u32>,
}

/// A window of the journal: `rows` start at `offset` of `total` matching rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct JournalPage {
    pub total: usize,
    pub offset: usize,
    pub rows: Vec<JournalRow>,
}

/// Where an entry of an application's history came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub at: Instant,
    /// Operator login (or "center").
    pub who: String,
    /// Kiosk id, or "center" for what came with a snapshot.
    pub kiosk: String,
    pub event: Event,
    /// Whether the center has it already.
    pub synced: bool,
}

/// The queue position the center computed, as of its last snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CenterPosition {
    pub position: u32,
    pub snapshot_at: Instant,
}

/// Everything the application card shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub application: Application,
    pub history: Vec<HistoryEntry>,
    /// Position computed by the kiosk from what it knows (queued only).
    pub local_position: Option<u32>,
    /// Position from the center's last snapshot.
    pub center_position: Option<CenterPosition>,
    /// Queued applications in the same queue, as the kiosk knows it.
    pub queue_size: u32,
}

/// The queue of one application at the center's last snapshot and now: input of
/// `rules::queue::explain_position`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankSnapshots {
    pub before_at: Instant,
    pub before: Vec<RankEntry>,
    pub after: Vec<RankEntry>,
}

/// A kindergarten with free places in free choice for one application's group year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeChoice {
    pub kindergarten: Kindergarten,
    pub language: GroupLanguage,
    pub free: u32,
}

/// Free places a kindergarten adds (the backend assigns the record id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacesInput {
    pub kindergarten: String,
    pub language: GroupLanguage,
    pub group_year: i32,
    pub count: u32,
}

/// Who saved a places record: the operator of the change-log entry that holds it (the
/// same entry and operator accounts the application card's history names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedBy {
    pub login: String,
    /// The operator's name (`None` for an account this kiosk does not know).
    pub name: Option<String>,
    /// The kiosk whose log holds the entry.
    pub kiosk: String,
}

/// One line of the staff's places table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacesRow {
    pub record: PlacesRecord,
    /// Free places in free choice in the record's slot (kindergarten, language, group year)
    /// now, from the rules state.
    pub free_now: u32,
    /// `None` when the record is not in this kiosk's log (it came with a center snapshot).
    pub added_by: Option<AddedBy>,
}

impl PlacesRow {
    /// The row of `record`, with the free places of its slot in `state`.
    pub fn new(record: PlacesRecord, state: &rules::state::State, added_by: Option<AddedBy>) -> Self {
        let slot = rules::state::PlaceSlot {
            kindergarten: record.kindergarten.clone(),
            language: record.language,
            group_year: record.group_year,
        };
        PlacesRow { free_now: state.free_places(&slot), record, added_by }
    }
}

/// Free places in free choice of one slot of a kindergarten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreeSlot {
    pub language: GroupLanguage,
    pub group_year: i32,
    pub free: u32,
}

impl FreeSlot {
    /// The slots of `kindergarten` with at least one free place in free choice in `state`.
    pub fn of(state: &rules::state::State, kindergarten: &str) -> Vec<FreeSlot> {
        state
            .free_slots()
            .into_iter()
            .filter(|(slot, _)| slot.kindergarten == kindergarten)
            .map(|(slot, free)| FreeSlot { language: slot.language, group_year: slot.group_year, free })
            .collect()
    }
}

/// A child enrolled in a kindergarten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolledChild {
    pub application: String,
    pub child_iin: String,
    pub child_name: String,
    pub direction: String,
    pub group_year: i32,
    pub language: GroupLanguage,
    pub enrolled_at: Option<Instant>,
}

/// Result of the last synchronisation attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    /// The center has the entries; `snapshot_error` says why no new snapshot came with them.
    Ok {
        accepted: u64,
        snapshot_error: Option<BackendError>,
    },
    Failed(BackendError),
}

/// An entry the center refused and set aside for review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantineNote {
    pub seq: u64,
    pub event_id: String,
    pub at: Instant,
    pub reason: BackendError,
}

impl From<&changelog::sync::QuarantineNote> for QuarantineNote {
    /// The center's reason is English in every language: the sync screen explains it by its
    /// code in the operator's language and shows this detail beside it.
    fn from(note: &changelog::sync::QuarantineNote) -> Self {
        let event_id =
            note.entry_hash.as_deref().map_or_else(|| "—".to_owned(), |hash| hash.chars().take(16).collect());
        QuarantineNote {
            seq: note.seq,
            event_id,
            at: note.received_at,
            reason: BackendError::new(&note.code, &note.reason, &note.reason, &note.reason),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncStatus {
    /// Change-log entries the center does not have yet.
    pub pending: u64,
    pub last_sync: Option<Instant>,
    pub last_attempt: Option<(Instant, SyncOutcome)>,
    pub center_url: Option<String>,
    /// The date of the last center snapshot the kiosk has.
    pub snapshot_at: Option<Instant>,
    pub quarantine: Vec<QuarantineNote>,
    /// Minutes between automatic pushes to `center_url` (0: only when the operator asks).
    pub auto_minutes: u32,
    /// The center's public key (hex) that acks and snapshots are verified with, once set.
    pub center_key: Option<String>,
}

/// Minutes between automatic pushes unless the operator changes it.
pub const DEFAULT_AUTO_MINUTES: u32 = 5;

/// Where a push stands; shared between the backend (which may run it on a thread) and the GUI.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PushPhase {
    #[default]
    Idle,
    Connecting,
    /// A stage of the push and the entries the center has acknowledged so far.
    Working {
        stage: PushStage,
        sent: u64,
        total: u64,
    },
    Done {
        accepted: u64,
    },
    Failed(BackendError),
}

/// Hands push progress to the GUI. Cheap to clone; `Send`, so a backend may report from a thread.
#[derive(Clone, Default)]
pub struct ProgressSink {
    phase: Arc<Mutex<PushPhase>>,
    wake: Option<Arc<dyn Fn() + Send + Sync>>,
}

impl std::fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgressSink").field("phase", &self.phase()).finish_non_exhaustive()
    }
}

impl ProgressSink {
    /// A sink that calls `wake` (e.g. `egui::Context::request_repaint`) on each report.
    pub fn new(wake: impl Fn() + Send + Sync + 'static) -> Self {
        ProgressSink { phase: Arc::default(), wake: Some(Arc::new(wake)) }
    }

    pub fn report(&self, phase: PushPhase) {
        *self.phase.lock().unwrap_or_else(PoisonError::into_inner) = phase;
        if let Some(wake) = &self.wake {
            wake();
        }
    }

    pub fn phase(&self) -> PushPhase {
        self.phase.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Asks for a frame without changing the phase (a worker has something for the UI thread).
    pub fn wake(&self) {
        if let Some(wake) = &self.wake {
            wake();
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReport {
    pub entries: u64,
    pub path: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub snapshot_at: Instant,
    pub applications: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub kindergartens: Vec<String>,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewOperator {
    pub login: String,
    pub name: String,
    pub role: Option<Role>,
    pub password: String,
    pub kindergartens: Vec<String>,
}

/// Queued applications in one queue of the kiosk's district.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueCount {
    pub queue_type: QueueType,
    pub group_year: i32,
    pub count: u32,
}

/// Vouchers issued and children enrolled in the week starting `week`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekCount {
    pub week: Date,
    pub vouchers: u32,
    pub enrollments: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stats {
    pub queues: Vec<QueueCount>,
    pub weeks: Vec<WeekCount>,
    /// Applications per status.
    pub statuses: Vec<(Status, u32)>,
}

/// Everything the GUI asks of the kiosk. See the module docs.
pub trait Backend {
    // --- the kiosk and who uses it ---
    /// True before the first-run set-up (no district, no administrator yet).
    fn needs_setup(&self) -> bool;
    /// First-run set-up: district, kiosk name and the first administrator.
    fn init_kiosk(&mut self, setup: &KioskSetup) -> Result<KioskInfo, BackendError>;
    fn kiosk_info(&self) -> Option<KioskInfo>;
    /// Fingerprint of the kiosk's ed25519 public key, as the administrator registers it at the center.
    fn key_fingerprint(&self) -> String;
    /// The kiosk clock (the GUI never reads the system clock itself).
    fn now(&self) -> Instant;
    fn login(&mut self, login: &str, password: &str) -> Result<Session, BackendError>;
    /// Seconds `login` must wait after failed attempts before the next one is checked
    /// (0: none). A backend without throttling answers 0.
    fn login_wait_seconds(&self, _login: &str) -> u64 {
        0
    }
    fn logout(&mut self);

    // --- reference data ---
    fn kindergartens(&self) -> Vec<Kindergarten>;
    /// The working-day calendar deadlines are counted with (the center's updates included).
    fn calendar(&self) -> &'static rules::Calendar {
        rules::Calendar::embedded()
    }

    // --- office operator ---
    /// Runs the rules on a new application without saving (for the confirmation dialog).
    fn check_registration(&self, application: &NewApplication) -> Result<Vec<Warning>, BackendError>;
    /// Saves a new application; `application.id` is empty: the backend numbers it.
    fn register(&mut self, application: NewApplication) -> Result<Receipt, BackendError>;
    /// Records an action on an application (checked by the rules, persisted before `Ok`).
    fn act(&mut self, id: &str, action: Action) -> Result<(), BackendError>;
    fn find(&self, lookup: &Lookup) -> Result<Vec<JournalRow>, BackendError>;
    /// The rows `range` of the journal under `filter` (the GUI asks only for visible rows).
    fn journal(&mut self, filter: &JournalFilter, range: Range<usize>) -> Result<JournalPage, BackendError>;
    fn card(&self, id: &str) -> Result<Card, BackendError>;
    /// The application's queue at the last center snapshot and now (`None` without a snapshot).
    fn rank_snapshots(&self, id: &str) -> Result<Option<RankSnapshots>, BackendError>;
    /// Kindergartens with free places in free choice for this application.
    fn free_choice(&self, id: &str) -> Result<Vec<FreeChoice>, BackendError>;

    // --- kindergarten staff ---
    /// Saves a places record (immutable once saved); returns its id.
    fn add_places(&mut self, places: &PlacesInput) -> Result<String, BackendError>;
    /// Takes free places in free choice away again (`Command::ReducePlaces`): a correction
    /// saved as a record of its own, checked by the rules (`REDUCTION_OVER_FREE`); returns its id.
    fn reduce_places(&mut self, places: &PlacesInput) -> Result<String, BackendError>;
    fn places(&self, kindergarten: &str) -> Result<Vec<PlacesRecord>, BackendError>;
    /// The kindergarten's places records, newest first, with the free places of each
    /// record's slot now and who added it.
    fn places_table(&self, kindergarten: &str) -> Result<Vec<PlacesRow>, BackendError>;
    /// The kindergarten's slots with free places in free choice (what can be reduced).
    fn free_slots(&self, kindergarten: &str) -> Result<Vec<FreeSlot>, BackendError>;
    fn enrolled(&self, kindergarten: &str) -> Result<Vec<EnrolledChild>, BackendError>;

    // --- synchronisation ---
    fn sync_status(&self) -> SyncStatus;
    /// Starts sending pending entries to the center at `url`, reporting through `progress`
    /// (possibly from a thread, after returning). `Err` only when the push cannot start at all.
    fn push(&mut self, url: &str, progress: &ProgressSink) -> Result<(), BackendError>;
    /// Moves a running push along on the UI thread (applies what its worker received);
    /// called every frame. True while a push is running.
    fn poll_push(&mut self) -> bool;
    /// Minutes between automatic pushes (0: off), kept across restarts.
    fn set_auto_sync(&mut self, minutes: u32) -> Result<(), BackendError>;
    /// Sets the center's public key (64 hex characters); administrators only.
    fn set_center_key(&mut self, key_hex: &str) -> Result<(), BackendError>;
    /// Writes pending entries to a file for the USB fallback.
    fn export_bundle(&mut self, path: &Path) -> Result<ExportReport, BackendError>;
    fn import_snapshot(&mut self, path: &Path) -> Result<ImportReport, BackendError>;

    // --- administrator ---
    fn operators(&self) -> Result<Vec<Operator>, BackendError>;
    fn add_operator(&mut self, operator: &NewOperator) -> Result<(), BackendError>;
    fn set_operator_active(&mut self, login: &str, active: bool) -> Result<(), BackendError>;

    // --- statistics ---
    fn stats(&self) -> Result<Stats, BackendError>;
}
