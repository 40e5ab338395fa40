//! The center: kiosk registry, ingest, authoritative state, center commands, documents.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use changelog::sync::{
    Ack, ClockFlag, ClockProblem, FreePlaces, QuarantineNote, ReviewNote, SYNC_FORMAT_VERSION, Snapshot,
};
use changelog::{
    Bundle, EntryBody, FORMAT_VERSION, GENESIS_HASH, Hash, KioskKey, Payload, SignedDocument, SignedEntry,
    VerifyingKey, fingerprint, public_key_from_hex,
};
use rules::authz::parent::CHANNEL_ID;
use rules::authz::staff::StaffAction;
use rules::command::Event;
use rules::model::{Kindergarten, PlacesState, Status};
use rules::queue::Ranked;
use rules::{Calendar, Command, Instant, State};
use serde::{Deserialize, Serialize};

use crate::accounts::StaffUser;
use crate::any_store::AnyStore;
use crate::fold::{Fold, FoldItem, FoldKey, Source};
use crate::ingest::{self, KioskOperator, KioskView};
use crate::store::{
    CenterOperator, CenterStore, Commit, Contact, KioskRecord, LogRecord, QuarantineRecord, ReviewDecision,
    SessionRecord, SledStore, StoreError,
};

/// Most quarantine notes kept per kiosk: a kiosk (or a thief of its key) cannot fill the
/// center's store or its acks with notes.
pub const MAX_NOTES_PER_KIOSK: usize = 1_000;
/// Most contacts kept per kiosk beyond its accepted head (the oldest are dropped).
const MAX_CONTACTS: usize = 64;

/// The kiosk id the center's own log entries carry.
pub const CENTER_ID: &str = "center";
/// The demo kindergarten directory, used when `init` is given none.
pub const DEMO_KINDERGARTENS: &str = include_str!("../../data/demo/kindergartens.json");
/// Akmola region's districts.
pub const DISTRICTS: &str = include_str!("../../data/districts.json");

const KEY_FILE: &str = "center.key";
/// Where the store lives when it is not the embedded one in `db/`: one line, a
/// `postgres://` URL (credentials belong in `~/.pgpass` or `PGPASSWORD`, not here).
pub const STORE_FILE: &str = "store.url";
const PUB_FILE: &str = "center.pub";
const KINDERGARTENS_FILE: &str = "kindergartens.json";
/// The embedded store's folder inside the data folder.
pub const DB_DIR: &str = "db";

#[derive(Debug, thiserror::Error)]
pub enum CenterError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Setup(String),
    #[error(transparent)]
    Key(#[from] changelog::KeyError),
    #[error("{0}")]
    Invalid(String),
    #[error("no kiosk {0}")]
    UnknownKiosk(String),
    #[error("no district {0}")]
    UnknownDistrict(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{code}: {message}")]
    Rules { code: String, message: String },
    /// A staff member asked for something their role or districts do not allow.
    #[error("{}", rules::Localized::message(.0, rules::Lang::En))]
    Denied(rules::authz::staff::StaffDenied),
    /// Wrong login or password, or a disabled account (which of these is not said).
    #[error("wrong login or password")]
    BadCredentials,
}

impl CenterError {
    pub fn code(&self) -> &str {
        match self {
            CenterError::Store(StoreError::Locked { .. }) => "DATA_LOCKED",
            CenterError::Store(StoreError::Damaged { .. }) => "LOG_DAMAGED",
            CenterError::Store(StoreError::Postgres(e)) => e.code(),
            CenterError::Store(_) => "STORE",
            CenterError::Setup(_) => "SETUP",
            CenterError::Key(e) => e.code(),
            CenterError::Invalid(_) => "INVALID_ARGUMENT",
            CenterError::UnknownKiosk(_) => "UNKNOWN_KIOSK",
            CenterError::UnknownDistrict(_) => "UNKNOWN_DISTRICT",
            CenterError::NotFound(_) => "NOT_FOUND",
            CenterError::Unauthorized(_) => "UNAUTHORIZED",
            CenterError::Rules { code, .. } => code,
            CenterError::Denied(denied) => rules::Localized::code(denied),
            CenterError::BadCredentials => "BAD_CREDENTIALS",
        }
    }
}

/// Why an upload was refused as a whole (nothing was stored).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("not a readable bundle: {0}")]
    BadBundle(String),
    #[error("the bundle belongs to kiosk {found}, not {expected}")]
    KioskMismatch { expected: String, found: String },
    #[error("kiosk {0} is not registered")]
    UnknownKiosk(String),
    #[error("kiosk {0} is revoked")]
    RevokedKiosk(String),
    #[error("the first entry (sequence {seq}) of kiosk {kiosk} does not verify against its registered key")]
    Unauthenticated { kiosk: String, seq: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Something failed inside the center (a caught panic); nothing of the upload was stored.
    #[error("{0}")]
    Internal(String),
}

impl IngestError {
    pub fn code(&self) -> &'static str {
        match self {
            IngestError::BadBundle(_) => "BAD_BUNDLE",
            IngestError::KioskMismatch { .. } => "KIOSK_MISMATCH",
            IngestError::UnknownKiosk(_) => "UNKNOWN_KIOSK",
            IngestError::RevokedKiosk(_) => "REVOKED_KIOSK",
            IngestError::Unauthenticated { .. } => "UNAUTHENTICATED",
            IngestError::Store(_) => "STORE",
            IngestError::Internal(_) => "INTERNAL",
        }
    }
}

/// What one upload did (the `ingest` command prints it as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestReport {
    pub kiosk: String,
    pub received_at: Instant,
    /// Entries in the bundle.
    pub entries: usize,
    /// Newly accepted entries.
    pub accepted: usize,
    /// Entries already accepted before, resent identically (changed nothing).
    pub duplicates: usize,
    pub accepted_through_seq: u64,
    pub head_hash: String,
    /// Entries set aside, with the reason; the first one stopped the kiosk's stream.
    pub quarantined: Vec<QuarantineNote>,
    /// Accepted entries whose kiosk time was clamped.
    pub flagged: Vec<ClockFlag>,
    /// Accepted entries of this upload that the rules refused (in the reviewer queue), and
    /// entries of any kiosk whose outcome this upload changed.
    pub review: Vec<ReviewNote>,
    /// Entries of other uploads that now apply because of this one (e.g. a duplicate kept instead).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub now_applied: Vec<ReviewNote>,
    /// Entries set aside without a note: not signed by the kiosk (junk), or past the cap of
    /// notes per kiosk.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unattributed: usize,
    /// Where the bundle was cut or damaged, if it was (the entries before it were used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub damage: Option<String>,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A result of `ingest`: the report and the signed acknowledgement.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub report: IngestReport,
    pub ack: Ack,
    pub ack_bytes: Vec<u8>,
}

/// What the HTTP layer needs to authenticate a kiosk's requests without the center's lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskAuth {
    /// The key now in force (rotations followed).
    pub key: VerifyingKey,
    /// The accepted head (a request may carry rotations after it).
    pub head: u64,
    pub revoked: bool,
    /// Districts it serves.
    pub districts: Vec<String>,
}

/// One upload for [`Center::ingest_group`].
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    pub bytes: &'a [u8],
    /// The kiosk the request was authenticated as (the bundle must be its).
    pub expected_kiosk: Option<&'a str>,
    /// The kiosk's own log head, as it signed it in the request: the ack answering this
    /// upload is a contact for the clock window of the entries after it. `None` for a USB
    /// file (the kiosk may have written more since it exported it).
    pub contact_head: Option<u64>,
}

/// A registered kiosk as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KioskInfo {
    pub id: String,
    pub district: String,
    pub public_key: String,
    pub fingerprint: String,
    pub registered_at: Instant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Instant>,
    pub accepted_through_seq: u64,
    /// The key now in force (after rotations), as a fingerprint.
    pub current_fingerprint: String,
    pub operators: usize,
    /// Districts it serves: its own first.
    pub districts: Vec<String>,
    /// The last time the center heard from it (an upload, or a signed request answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Instant>,
}

/// One center command's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CenterRun {
    pub command: String,
    pub at: Instant,
    /// The center log's sequence number of the entry, if one was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center_seq: Option<u64>,
    pub vouchers: Vec<VoucherNote>,
    pub published: Vec<String>,
    pub expired: Vec<ExpiryNote>,
    pub events: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoucherNote {
    pub application: String,
    pub confirm_deadline: Instant,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpiryNote {
    pub application: String,
    pub status: Status,
    pub at: Instant,
}

/// What a directory import changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryImport {
    /// Kindergartens added or changed, each a center log entry.
    pub changed: Vec<String>,
    pub unchanged: usize,
    /// The directory version after the import.
    pub version: u64,
}

/// One item of the reviewer queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewItem {
    /// `R-<application>` (kindergarten refusal), `E-<kiosk>-<seq>` (refused entry),
    /// `C-<kiosk>-<seq>` (clock flag).
    pub id: String,
    /// `refusal`, `duplicate`, `conflict` or `clock`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kiosk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application: Option<String>,
    pub code: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<Command>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_time: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kiosk_time: Option<String>,
    /// `open`, `upheld` or `overruled`.
    pub status: String,
    /// The district whose reviewers decide it: the application's, else the kiosk's.
    pub district: String,
}

/// A reviewer's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Uphold,
    Overrule,
}

/// A quarantine note as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuarantineListing {
    #[serde(flatten)]
    pub note: QuarantineNote,
    /// The same entry was accepted later (e.g. a gap was filled by a resend).
    pub resolved: bool,
}

/// Per district and group year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportRow {
    pub district: String,
    pub group_year: i32,
    pub queued: u32,
    pub vouchers_outstanding: u32,
    pub voucher_issued: u32,
    pub voucher_confirmed: u32,
    pub stop_listed: u32,
    pub directions: u32,
    pub refusal_review: u32,
    pub enrolled: u32,
    pub departed: u32,
    pub archived: u32,
    pub places_pending: u32,
    pub places_published: u32,
    pub places_free: u32,
}

/// An upload checked and turned into records, not yet stored.
#[derive(Debug)]
struct Prepared {
    kiosk_id: String,
    entries: usize,
    duplicates: usize,
    hashes: Vec<Hash>,
    key: Option<VerifyingKey>,
    keys: Vec<(u64, VerifyingKey)>,
    operators: HashMap<String, KioskOperator>,
    last_effective: Option<Instant>,
    flagged: Vec<ClockFlag>,
    items: Vec<FoldItem>,
    commit: Commit,
    /// Entries set aside without a note (not signed by the kiosk, or over the cap).
    unattributed: usize,
    damage: Option<String>,
}

#[derive(Debug)]
pub(crate) struct KioskState {
    pub(crate) record: KioskRecord,
    key: VerifyingKey,
    /// Keys in force from a sequence number on.
    keys: Vec<(u64, VerifyingKey)>,
    hashes: Vec<Hash>,
    operators: HashMap<String, KioskOperator>,
    last_effective: Option<Instant>,
    /// Kiosk time (as written) of accepted entries with a command, for review listings.
    flags: BTreeMap<u64, ClockFlag>,
    /// The last upload received or signed request answered.
    last_seen: Option<Instant>,
}

impl KioskState {
    /// A kiosk as its stored record says, before its log is read.
    fn registered(record: KioskRecord) -> Result<KioskState, CenterError> {
        let key = public_key_from_hex(&record.public_key).map_err(|e| CenterError::Setup(e.to_string()))?;
        let last_seen = record.contacts.iter().map(|c| c.at).chain(record.contact_floor).max();
        Ok(KioskState {
            record,
            key,
            keys: vec![(1, key)],
            hashes: Vec::new(),
            operators: HashMap::new(),
            last_effective: None,
            flags: BTreeMap::new(),
            last_seen,
        })
    }

    pub(crate) fn head_seq(&self) -> u64 {
        self.hashes.len() as u64
    }
    fn head_hash(&self) -> Hash {
        self.hashes.last().copied().unwrap_or(GENESIS_HASH)
    }
    fn key_at(&self, seq: u64) -> VerifyingKey {
        self.keys.iter().rev().find(|(from, _)| *from <= seq).map_or(self.key, |(_, k)| *k)
    }
    pub(crate) fn info(&self) -> KioskInfo {
        KioskInfo {
            id: self.record.id.clone(),
            district: self.record.district.clone(),
            public_key: self.record.public_key.clone(),
            fingerprint: public_key_from_hex(&self.record.public_key).map(|k| fingerprint(&k)).unwrap_or_default(),
            registered_at: self.record.registered_at,
            revoked_at: self.record.revoked_at,
            accepted_through_seq: self.head_seq(),
            current_fingerprint: fingerprint(&self.key),
            operators: self.operators.values().filter(|o| !o.disabled).count(),
            districts: self.districts(),
            last_seen: self.last_seen,
        }
    }

    fn auth(&self) -> KioskAuth {
        KioskAuth {
            key: self.key,
            head: self.head_seq(),
            revoked: self.record.revoked_at.is_some(),
            districts: self.districts(),
        }
    }

    fn seen(&mut self, at: Instant) {
        self.last_seen = Some(self.last_seen.map_or(at, |last| last.max(at)));
    }

    fn districts(&self) -> Vec<String> {
        let mut out = vec![self.record.district.clone()];
        out.extend(self.record.also_serves.iter().filter(|d| **d != self.record.district).cloned());
        out
    }

    /// The earliest kiosk time the entry `seq` may carry: the registration, and every
    /// contact the kiosk asked for while its log ended before `seq`.
    fn floor(&self, seq: u64) -> Instant {
        let mut floor = self.record.registered_at;
        if let Some(at) = self.record.contact_floor {
            floor = floor.max(at);
        }
        for contact in self.record.contacts.iter().filter(|c| c.head < seq) {
            floor = floor.max(contact.at);
        }
        floor
    }
}

/// Records a contact (an ack or snapshot answering a signed request with the kiosk's head).
fn add_contact(record: &mut KioskRecord, accepted_head: u64, contact: Contact) {
    record.contacts.push(contact);
    fold_contacts(record, accepted_head);
    if record.contacts.len() > MAX_CONTACTS {
        let extra = record.contacts.len() - MAX_CONTACTS;
        record.contacts.drain(..extra);
    }
}

/// Contacts at or below the accepted head bound every later entry alike: they fold into
/// the floor (a compaction only: [`KioskState::floor`] gives the same answer either way).
fn fold_contacts(record: &mut KioskRecord, accepted_head: u64) {
    let (past, pending): (Vec<Contact>, Vec<Contact>) = record.contacts.iter().partition(|c| c.head <= accepted_head);
    for c in past {
        record.contact_floor = Some(record.contact_floor.map_or(c.at, |f| f.max(c.at)));
    }
    record.contacts = pending;
}

/// The center.
pub struct Center<S: CenterStore = AnyStore> {
    pub(crate) store: S,
    key: KioskKey,
    kindergartens: Vec<Kindergarten>,
    districts: Vec<String>,
    pub(crate) kiosks: BTreeMap<String, KioskState>,
    pub(crate) operators: BTreeMap<String, CenterOperator>,
    pub(crate) fold: Fold,
    own_hashes: Vec<Hash>,
    /// Directory changes in the center's own log.
    directory_version: u64,
    /// Calendar years set in the center's own log, in order.
    calendar_years: Vec<rules::calendar::CalendarYear>,
    /// Per kiosk, notes by (sequence, entry hash): at most [`MAX_NOTES_PER_KIOSK`].
    pub(crate) quarantine: BTreeMap<String, BTreeMap<(u64, Option<String>), QuarantineNote>>,
    reviews: BTreeMap<String, ReviewDecision>,
    /// Signed-in staff by token hash.
    pub(crate) sessions: HashMap<String, SessionRecord>,
    /// Every entry of the center's own log, as the audit trail lists it.
    audit: Vec<AuditRow>,
    /// The last deadline-expiry run, by anyone.
    last_tick: Option<Instant>,
    /// The last scheduled distribution round of each district.
    scheduled_rounds: BTreeMap<String, Instant>,
    /// A write failed in a way that may or may not have reached the store.
    stale: bool,
    /// The store's position of the last log record applied.
    log_pos: u64,
    /// The store's generation of the small records when last read.
    generation: u64,
    /// The public queue's last version per district.
    pub(crate) publications: crate::public_queue::Publications,
    /// The data folder, when opened from one (the population registry's files live there).
    data_dir: Option<PathBuf>,
}

/// Who the center's scheduled runs are logged as.
pub const SCHEDULER: &str = "scheduler";

/// One entry of the center's own log, as the audit trail shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditRow {
    /// The center log's sequence number.
    pub seq: u64,
    pub at: Instant,
    /// The staff login, `scheduler`, or `center` (the command line on the data folder).
    pub by: String,
    /// A rules command's name (`distribute`, `tick`, `upholdRefusal`, …) or a staff action
    /// (`kiosk.add`, `user.disable`, `review.overrule`, `export.snapshot`, …).
    pub action: String,
    /// What it was about: a district, an application, a kiosk, a login, a review item.
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl AuditRow {
    fn of(seq: u64, at: Instant, by: &str, payload: &Payload) -> Option<AuditRow> {
        let (action, subject, note) = match payload {
            Payload::Command { command } => {
                let subject = match command {
                    Command::Register { application } => application.id.clone(),
                    Command::AddPlaces { places } | Command::ReducePlaces { places } => places.id.clone(),
                    Command::Act { application, .. } => application.clone(),
                    Command::Distribute { district } => district.clone(),
                    Command::Tick => String::new(),
                    Command::SetKindergarten { kindergarten } => kindergarten.id.clone(),
                    Command::SetCalendarYear { year } => year.year.to_string(),
                };
                (command.name().to_owned(), subject, None)
            }
            Payload::Audit { action, subject, note } => (action.clone(), subject.clone(), note.clone()),
            _ => return None,
        };
        Some(AuditRow { seq, at, by: by.to_owned(), action, subject, note })
    }
}

impl<S: CenterStore> std::fmt::Debug for Center<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Center")
            .field("key", &self.key)
            .field("kiosks", &self.kiosks.len())
            .field("applications", &self.fold.state().applications().count())
            .finish_non_exhaustive()
    }
}

/// What `init` made.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InitInfo {
    pub public_key: String,
    pub fingerprint: String,
    pub data: PathBuf,
}

/// The store location written in the data folder's [`STORE_FILE`], if there is one.
pub fn store_location(dir: &Path) -> Result<Option<String>, CenterError> {
    match std::fs::read_to_string(dir.join(STORE_FILE)) {
        Ok(text) => Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(CenterError::Setup(format!("{}: {e}", dir.join(STORE_FILE).display()))),
    }
}

/// Parses the district list (`data/districts.json` shape).
pub fn district_codes(json: &str) -> Vec<String> {
    #[derive(Deserialize)]
    struct D {
        code: String,
    }
    serde_json::from_str::<Vec<D>>(json).map(|v| v.into_iter().map(|d| d.code).collect()).unwrap_or_default()
}

fn framed(entry: &SignedEntry) -> Vec<u8> {
    let mut out = Vec::with_capacity(entry.record_len());
    entry.write_record(&mut out);
    out
}

fn unframe(bytes: &[u8]) -> Result<SignedEntry, StoreError> {
    SignedEntry::read_record(bytes).map(|(e, _)| e).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The time the center uses for an entry: its kiosk time clamped into the window, and never
/// before the kiosk's previous entry (the log's order is the queue's order); each correction
/// is flagged, never made silently.
fn effective_time(
    kiosk: &str,
    seq: u64,
    kiosk_time: &str,
    (from, to): (Instant, Instant),
    previous: Option<Instant>,
) -> (Instant, Option<ClockFlag>) {
    let (clamped, flag) = clamp_time(kiosk, seq, kiosk_time, from, to);
    match previous {
        Some(last) if clamped < last => {
            let flag = match flag {
                Some(flag) => ClockFlag { effective_time: last, ..flag },
                None => ClockFlag {
                    kiosk: kiosk.to_owned(),
                    seq,
                    problem: ClockProblem::Backwards,
                    kiosk_time: kiosk_time.to_owned(),
                    effective_time: last,
                    window_from: from.min(to),
                    window_to: to,
                },
            };
            (last, Some(flag))
        }
        _ => (clamped, flag),
    }
}

/// The window check: clamps `kiosk_time` into `[from, to]`.
fn clamp_time(kiosk: &str, seq: u64, kiosk_time: &str, from: Instant, to: Instant) -> (Instant, Option<ClockFlag>) {
    let from = from.min(to);
    let flag = |problem, effective| ClockFlag {
        kiosk: kiosk.to_owned(),
        seq,
        problem,
        kiosk_time: kiosk_time.to_owned(),
        effective_time: effective,
        window_from: from,
        window_to: to,
    };
    match kiosk_time.parse::<Instant>() {
        Err(_) => (to, Some(flag(ClockProblem::Unreadable, to))),
        Ok(t) if t < from => (from, Some(flag(ClockProblem::BeforeLastContact, from))),
        Ok(t) if t > to => (to, Some(flag(ClockProblem::AfterReceipt, to))),
        Ok(t) => (t, None),
    }
}

impl Center<AnyStore> {
    /// Creates a center in `dir`: a key pair (private key 0600), the kindergarten directory
    /// (`kindergartens`, or the demo one) and an empty store.
    pub fn init(dir: &Path, kindergartens: Option<&Path>) -> Result<InitInfo, CenterError> {
        Center::init_with(dir, kindergartens, None)
    }

    /// [`Center::init`] with the private key encrypted by `passphrase` when one is given.
    pub fn init_with(
        dir: &Path,
        kindergartens: Option<&Path>,
        passphrase: Option<&str>,
    ) -> Result<InitInfo, CenterError> {
        let setup = |what: &str, e: &dyn std::fmt::Display| CenterError::Setup(format!("{what}: {e}"));
        std::fs::create_dir_all(dir).map_err(|e| setup(&dir.display().to_string(), &e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| setup("data dir", &e))?;
        }
        let key_path = dir.join(KEY_FILE);
        if key_path.exists() {
            return Err(CenterError::Setup(format!(
                "{} exists: the center is initialised already",
                key_path.display()
            )));
        }
        let directory = match kindergartens {
            Some(path) => std::fs::read_to_string(path).map_err(|e| setup(&path.display().to_string(), &e))?,
            None => DEMO_KINDERGARTENS.to_owned(),
        };
        let parsed: Vec<Kindergarten> =
            serde_json::from_str(&directory).map_err(|e| setup("kindergarten directory", &e))?;
        let key = KioskKey::generate().map_err(|e| setup("key", &e))?;
        match passphrase {
            Some(passphrase) => key.save_encrypted(&key_path, passphrase, changelog::KdfParams::for_new_files())?,
            None => key.save(&key_path)?,
        }
        std::fs::write(dir.join(PUB_FILE), format!("{}\n", key.public_hex())).map_err(|e| setup("public key", &e))?;
        std::fs::write(
            dir.join(KINDERGARTENS_FILE),
            serde_json::to_vec_pretty(&parsed).map_err(|e| setup("json", &e))?,
        )
        .map_err(|e| setup("kindergartens", &e))?;
        SledStore::open(&dir.join(DB_DIR))?;
        // The parents' channel's key, made now so that `serve` writes no key file.
        crate::parents::load_or_create_key(dir)?;
        crate::store::sync_tree(dir)?;
        Ok(InitInfo { public_key: key.public_hex(), fingerprint: fingerprint(&key.verifying()), data: dir.to_owned() })
    }

    /// Opens the center in `dir` and rebuilds its state from the accepted log.
    pub fn open(dir: &Path) -> Result<Self, CenterError> {
        Center::open_with(dir, None)
    }

    /// [`Center::open`] with the passphrase of an encrypted key file.
    pub fn open_with(dir: &Path, passphrase: Option<&str>) -> Result<Self, CenterError> {
        let location = store_location(dir)?;
        Center::open_at(dir, passphrase, location.as_deref())
    }

    /// Opens the center whose key and directory are in `dir` and whose store is at `store`
    /// (a `postgres://` URL), or in `dir` when `store` is `None`.
    pub fn open_at(dir: &Path, passphrase: Option<&str>, store: Option<&str>) -> Result<Self, CenterError> {
        let key_path = dir.join(KEY_FILE);
        if !key_path.exists() {
            return Err(CenterError::Setup(format!("{} is missing (run `init` first)", key_path.display())));
        }
        let key = KioskKey::load_with(&key_path, passphrase)?;
        let directory = std::fs::read_to_string(dir.join(KINDERGARTENS_FILE))
            .map_err(|e| CenterError::Setup(format!("{}: {e}", dir.join(KINDERGARTENS_FILE).display())))?;
        let kindergartens: Vec<Kindergarten> =
            serde_json::from_str(&directory).map_err(|e| CenterError::Setup(format!("kindergarten directory: {e}")))?;
        let store = AnyStore::open(&dir.join(DB_DIR), store)?;
        let mut center = Center::with_store(store, key, kindergartens)?;
        center.data_dir = Some(dir.to_owned());
        Ok(center)
    }
}

impl<S: CenterStore> Center<S> {
    /// A center over any store: replays the store's log.
    pub fn with_store(store: S, key: KioskKey, kindergartens: Vec<Kindergarten>) -> Result<Self, CenterError> {
        let mut districts = district_codes(DISTRICTS);
        for k in &kindergartens {
            if !districts.contains(&k.district) {
                districts.push(k.district.clone());
            }
        }
        let mut center = Center {
            kiosks: BTreeMap::new(),
            operators: BTreeMap::new(),
            reviews: BTreeMap::new(),
            quarantine: BTreeMap::new(),
            sessions: HashMap::new(),
            audit: Vec::new(),
            last_tick: None,
            scheduled_rounds: BTreeMap::new(),
            stale: false,
            log_pos: 0,
            generation: 0,
            publications: crate::public_queue::Publications::default(),
            data_dir: None,
            fold: Fold::new(State::new(Calendar::embedded(), kindergartens.clone())),
            own_hashes: Vec::new(),
            directory_version: 0,
            calendar_years: Vec::new(),
            kindergartens,
            districts,
            key,
            store,
        };
        center.reload()?;
        Ok(center)
    }

    /// After a failed write whose outcome the store cannot tell (a database connection lost
    /// while committing), the memory is rebuilt from the store before the next write, so that
    /// what did commit is neither lost from view nor written twice.
    fn resync_if_stale(&mut self) {
        if self.stale && self.reload().is_ok() {
            self.stale = false;
        }
    }

    /// Rebuilds everything in memory from the store (at open, and after a caught panic left
    /// the memory state in doubt).
    pub fn reload(&mut self) -> Result<(), CenterError> {
        // Read first: a change made while the rest is read bumps it again.
        self.generation = self.store.generation()?;
        self.audit = Vec::new();
        self.last_tick = None;
        self.scheduled_rounds = BTreeMap::new();
        self.publications = crate::public_queue::Publications::default();
        self.kiosks = BTreeMap::new();
        self.own_hashes = Vec::new();
        self.directory_version = 0;
        self.calendar_years = Vec::new();
        self.reload_registry()?;
        self.replay()
    }

    fn replay(&mut self) -> Result<(), CenterError> {
        let mut records = Vec::new();
        self.log_pos = self.store.read_log_after(0, &mut |record| {
            records.push(record);
            Ok(())
        })?;
        let mut items = Vec::new();
        for record in records {
            if let Some(item) = self.absorb(record)? {
                items.push(item);
            }
        }
        let initial = State::new(Calendar::embedded(), self.kindergartens.clone());
        self.fold = Fold::replay(initial, items, self.own_hashes.len() as u64);
        Ok(())
    }

    /// Takes one stored log record into the kiosks' and the center's bookkeeping; the
    /// command to fold, if it has one.
    fn absorb(&mut self, record: LogRecord) -> Result<Option<FoldItem>, CenterError> {
        match record {
            LogRecord::Kiosk { kiosk, seq, entry, received_at, epoch, effective, flag } => {
                let entry = unframe(&entry)?;
                let body = entry.body().map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let payload = ingest::decode_payload(&body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let state = self
                    .kiosks
                    .get_mut(&kiosk)
                    .ok_or_else(|| StoreError::Corrupt(format!("log names unknown kiosk {kiosk}")))?;
                if seq != state.head_seq() + 1 {
                    return Err(StoreError::Corrupt(format!("log of kiosk {kiosk} jumps to {seq}")).into());
                }
                // Role checks passed at ingest; this only rebuilds the operator list.
                let _ = ingest::check_role(&mut state.operators, &body, &payload);
                if let Payload::KeyRotated { public_key } = &payload
                    && let Ok(next) = public_key_from_hex(public_key)
                {
                    state.key = next;
                    state.keys.push((seq + 1, next));
                }
                let item = kiosk_item(&state.operators, &body, payload, epoch, effective);
                if item.is_some() {
                    state.last_effective = Some(effective);
                }
                state.hashes.push(entry.hash());
                state.seen(received_at);
                if let Some(flag) = flag {
                    state.flags.insert(seq, flag);
                }
                Ok(item)
            }
            LogRecord::Center { seq, entry } => {
                let entry = unframe(&entry)?;
                let body = entry.body().map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let now: Instant =
                    body.kiosk_time.parse().map_err(|_| StoreError::Corrupt("center entry time".into()))?;
                let mut item = None;
                if let Ok(payload) = body.payload() {
                    self.note_own_entry(seq, now, &body.operator, &payload);
                    if let Payload::Command { command } = payload {
                        item = Some(center_item(seq, command, now));
                    }
                }
                self.own_hashes.push(entry.hash());
                Ok(item)
            }
        }
    }

    /// Reads what other servers sharing the store wrote since this one last looked (new
    /// log records, and kiosks, accounts, sessions, reviews and quarantine when they
    /// changed) and applies it in the store's order. Whether anything changed. Nothing to
    /// do on a store only this process opens.
    pub fn catch_up(&mut self) -> Result<bool, CenterError> {
        if !self.store.shared() {
            return Ok(false);
        }
        let mut changed = false;
        let generation = self.store.generation()?;
        if generation != self.generation {
            self.reload_registry()?;
            self.generation = generation;
            changed = true;
        }
        let mut records = Vec::new();
        let position = self.store.read_log_after(self.log_pos, &mut |record| {
            records.push(record);
            Ok(())
        })?;
        if records.is_empty() {
            return Ok(changed);
        }
        // A kiosk registered since the registry was read: read it again first.
        let unknown =
            records.iter().any(|r| matches!(r, LogRecord::Kiosk { kiosk, .. } if !self.kiosks.contains_key(kiosk)));
        if unknown {
            self.generation = self.store.generation()?;
            self.reload_registry()?;
        }
        let mut batch = Vec::new();
        for record in records {
            // This server's own writes are in the store too: already taken in.
            let known = match &record {
                LogRecord::Kiosk { kiosk, seq, .. } => self.kiosks.get(kiosk).is_some_and(|k| *seq <= k.head_seq()),
                LogRecord::Center { seq, .. } => *seq <= self.own_hashes.len() as u64,
            };
            if known {
                continue;
            }
            let is_center = matches!(record, LogRecord::Center { .. });
            let item = self.absorb(record)?;
            if is_center && !batch.is_empty() {
                self.fold.add_kiosk_items(std::mem::take(&mut batch));
            }
            match item {
                Some(item) if is_center => {
                    let _ = self.fold.add_center_item(&item);
                }
                Some(item) => batch.push(item),
                None if is_center => self.fold.close_epoch(),
                None => {}
            }
        }
        if !batch.is_empty() {
            self.fold.add_kiosk_items(batch);
        }
        self.log_pos = position;
        Ok(true)
    }

    /// Runs `f` as the only writer among the servers sharing the store, after catching up
    /// with them; whether catching up changed anything comes back too. The write lock is
    /// released however `f` ends.
    pub fn with_write_lock<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> Result<(T, bool), CenterError> {
        self.store.lock_writes()?;
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let changed = self.catch_up()?;
            Ok::<_, CenterError>((f(self), changed))
        }));
        // Released whatever happened: a lock left held would stop every server.
        self.store.unlock_writes();
        match out {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }

    /// Whether other servers may write to the same store.
    pub fn store_shared(&self) -> bool {
        self.store.shared()
    }

    /// The shared store's location, if the store is shared.
    pub fn shared_store_url(&self) -> Option<&str> {
        self.store.shared_url()
    }

    /// Whether this server runs the scheduled work now (always, on a store it owns alone).
    pub fn leads(&mut self) -> bool {
        self.store.try_lead()
    }

    /// Re-reads the small records other servers may have changed; the kiosks' log-derived
    /// state (heads, keys, operators) is kept.
    fn reload_registry(&mut self) -> Result<(), CenterError> {
        self.operators = self.store.operators()?.into_iter().map(|o| (o.login.clone(), o)).collect();
        self.reviews = self.store.reviews()?.into_iter().map(|r| (r.item.clone(), r)).collect();
        self.sessions = self.store.sessions()?.into_iter().map(|r| (r.token_hash.clone(), r)).collect();
        for record in self.store.kiosks()? {
            let last_seen = record.contacts.iter().map(|c| c.at).chain(record.contact_floor).max();
            if let Some(state) = self.kiosks.get_mut(&record.id) {
                if let Some(seen) = last_seen {
                    state.seen(seen);
                }
                state.record = record;
            } else {
                self.kiosks.insert(record.id.clone(), KioskState::registered(record)?);
            }
        }
        self.quarantine = BTreeMap::new();
        for q in self.store.quarantine()? {
            let notes = self.quarantine.entry(q.note.kiosk.clone()).or_default();
            if notes.len() < MAX_NOTES_PER_KIOSK {
                notes.insert((q.note.seq, q.note.entry_hash.clone()), q.note);
            }
        }
        Ok(())
    }

    /// The data folder the center was opened from (`None` for a center built over a store).
    pub fn data_dir(&self) -> Option<&Path> {
        self.data_dir.as_deref()
    }

    pub fn public_key(&self) -> VerifyingKey {
        self.key.verifying()
    }

    pub(crate) fn signing_key(&self) -> &changelog::SigningKey {
        self.key.signing()
    }

    /// Changes whenever the log grows (the center's entries, any kiosk's head): what a
    /// cached answer derived from the state is checked against.
    pub(crate) fn log_fingerprint(&self) -> (u64, u64) {
        let heads = self.kiosks.values().map(KioskState::head_seq).sum();
        (self.own_hashes.len() as u64, heads)
    }

    pub fn state(&self) -> &State {
        self.fold.state()
    }

    /// The directory the center was created with (`kindergartens.json`); the current one,
    /// with the changes in the center's log, is [`Center::directory`].
    pub fn initial_kindergartens(&self) -> &[Kindergarten] {
        &self.kindergartens
    }

    /// A kiosk's own district (empty for an unknown kiosk).
    fn kiosk_district(&self, kiosk: &str) -> String {
        self.kiosks.get(kiosk).map(|k| k.record.district.clone()).unwrap_or_default()
    }

    /// The districts the center knows (the region's, and any in the directory).
    pub fn districts(&self) -> &[String] {
        &self.districts
    }

    pub(crate) fn check_district(&self, district: &str) -> Result<(), CenterError> {
        if self.districts.iter().any(|d| d == district) {
            Ok(())
        } else {
            Err(CenterError::UnknownDistrict(district.to_owned()))
        }
    }

    // ----- kiosks and operators -----

    /// Registers a kiosk's public key (hex) for a district.
    pub fn add_kiosk(
        &mut self,
        id: &str,
        district: &str,
        public_key: &str,
        at: Instant,
    ) -> Result<KioskInfo, CenterError> {
        let valid_id = !id.is_empty()
            && id.len() <= 64
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
        if !valid_id || id == CENTER_ID || id == CHANNEL_ID {
            return Err(CenterError::Invalid(format!(
                "kiosk id {id:?}: 1–64 of A–Z a–z 0–9 - _ . and not {CENTER_ID:?} or {CHANNEL_ID:?}"
            )));
        }
        self.add_source(id, district, public_key, at)
    }

    /// Registers a source of signed entries (a kiosk, or the parents' channel).
    pub(crate) fn add_source(
        &mut self,
        id: &str,
        district: &str,
        public_key: &str,
        at: Instant,
    ) -> Result<KioskInfo, CenterError> {
        self.check_district(district)?;
        if self.kiosks.contains_key(id) {
            return Err(CenterError::Invalid(format!("kiosk {id} is registered already")));
        }
        let key = public_key_from_hex(public_key).map_err(|e| CenterError::Invalid(e.to_string()))?;
        if key.is_weak() {
            return Err(CenterError::Invalid("weak public key".into()));
        }
        let record = KioskRecord {
            id: id.to_owned(),
            district: district.to_owned(),
            public_key: hex::encode(key.to_bytes()),
            registered_at: at,
            revoked_at: None,
            also_serves: Vec::new(),
            contact_floor: None,
            contacts: Vec::new(),
        };
        self.store.put_kiosk(&record)?;
        let state = KioskState {
            record,
            key,
            keys: vec![(1, key)],
            hashes: Vec::new(),
            operators: HashMap::new(),
            last_effective: None,
            flags: BTreeMap::new(),
            last_seen: None,
        };
        let info = state.info();
        self.kiosks.insert(id.to_owned(), state);
        Ok(info)
    }

    /// The key in force of the parents' channel, once registered.
    pub(crate) fn channel_key(&self) -> Option<VerifyingKey> {
        self.kiosks.get(CHANNEL_ID).map(|s| s.key)
    }

    /// A source's accepted head: sequence number and hash.
    pub(crate) fn source_head(&self, id: &str) -> Option<(u64, Hash)> {
        self.kiosks.get(id).map(|s| (s.head_seq(), s.head_hash()))
    }

    /// An account (or, for the parents' channel, a parent's links) of a source's log.
    pub(crate) fn source_operator(&self, id: &str, login: &str) -> Option<KioskOperator> {
        self.kiosks.get(id).and_then(|s| s.operators.get(login).cloned())
    }

    /// Revokes a kiosk: its uploads are refused from now on; what it sent before stays.
    pub fn revoke_kiosk(&mut self, id: &str, at: Instant) -> Result<KioskInfo, CenterError> {
        let state = self.kiosks.get_mut(id).ok_or_else(|| CenterError::UnknownKiosk(id.to_owned()))?;
        if state.record.revoked_at.is_none() {
            let mut record = state.record.clone();
            record.revoked_at = Some(at);
            self.store.put_kiosk(&record)?;
            state.record = record;
        }
        Ok(state.info())
    }

    pub fn kiosks(&self) -> Vec<KioskInfo> {
        self.kiosks.values().map(KioskState::info).collect()
    }

    /// Lets a kiosk also serve `district` (cross-district registrations and actions).
    pub fn add_served_district(&mut self, id: &str, district: &str) -> Result<KioskInfo, CenterError> {
        self.check_district(district)?;
        let state = self.kiosks.get_mut(id).ok_or_else(|| CenterError::UnknownKiosk(id.to_owned()))?;
        if !state.districts().iter().any(|d| d == district) {
            let mut record = state.record.clone();
            record.also_serves.push(district.to_owned());
            self.store.put_kiosk(&record)?;
            state.record = record;
        }
        Ok(state.info())
    }

    /// Keys, heads and districts of every kiosk, for request authentication.
    pub fn kiosk_auth(&self) -> HashMap<String, KioskAuth> {
        self.kiosks.iter().map(|(id, k)| (id.clone(), k.auth())).collect()
    }

    /// [`Center::kiosk_auth`] of one kiosk (after an ingest changed it).
    pub fn kiosk_auth_of(&self, id: &str) -> Option<KioskAuth> {
        self.kiosks.get(id).map(KioskState::auth)
    }

    pub fn kiosk_count(&self) -> usize {
        self.kiosks.len()
    }

    /// Records that the center answered a signed request of `kiosk` whose own log ended at
    /// `head`: entries after `head` cannot carry an earlier kiosk time.
    fn record_contact(&mut self, kiosk: &str, contact: Contact) -> Result<(), CenterError> {
        let state = self.kiosks.get_mut(kiosk).ok_or_else(|| CenterError::UnknownKiosk(kiosk.to_owned()))?;
        let mut record = state.record.clone();
        add_contact(&mut record, state.head_seq(), contact);
        self.store.note_kiosk(&record)?;
        state.record = record;
        state.seen(contact.at);
        Ok(())
    }

    /// The signed ack answering a kiosk's signed request (a contact for its clock window).
    pub fn ack_to_kiosk(&mut self, kiosk: &str, now: Instant, head: u64) -> Result<Vec<u8>, CenterError> {
        self.record_contact(kiosk, Contact { at: now, head })?;
        self.ack(kiosk, now).map(|(_, bytes)| bytes)
    }

    /// The signed snapshot answering a kiosk's signed request; the kiosk must serve `district`.
    pub fn snapshot_to_kiosk(
        &mut self,
        kiosk: &str,
        district: &str,
        now: Instant,
        head: u64,
    ) -> Result<Vec<u8>, CenterError> {
        let serves = self.kiosks.get(kiosk).is_some_and(|k| k.districts().iter().any(|d| d == district));
        if !serves {
            return Err(CenterError::Unauthorized(format!("kiosk {kiosk} does not serve district {district}")));
        }
        let bytes = self.snapshot(district, now)?.1;
        self.record_contact(kiosk, Contact { at: now, head })?;
        Ok(bytes)
    }

    // ----- ingest -----

    /// Every check of an upload and the records to store; changes nothing.
    fn prepare(
        &self,
        bytes: &[u8],
        received_at: Instant,
        expected_kiosk: Option<&str>,
    ) -> Result<Prepared, IngestError> {
        let read = Bundle::read(bytes).map_err(|e| IngestError::BadBundle(e.to_string()))?;
        let bundle = read.bundle;
        if let Some(expected) = expected_kiosk
            && expected != bundle.kiosk
        {
            return Err(IngestError::KioskMismatch { expected: expected.to_owned(), found: bundle.kiosk });
        }
        let kiosk_id = bundle.kiosk.clone();
        let state = self.kiosks.get(&kiosk_id).ok_or_else(|| IngestError::UnknownKiosk(kiosk_id.clone()))?;
        if state.record.revoked_at.is_some() {
            return Err(IngestError::RevokedKiosk(kiosk_id));
        }
        let entries = &bundle.entries;
        // The parents' channel serves every district of the center.
        let districts = if kiosk_id == CHANNEL_ID { self.districts.clone() } else { state.districts() };
        let view = KioskView {
            id: &kiosk_id,
            head_seq: state.head_seq(),
            head_hash: state.head_hash(),
            hashes: &state.hashes,
            key: state.key,
            operators: &state.operators,
            scope: rules::authz::SourceScope { id: &kiosk_id, districts: &districts },
            state: self.fold.state(),
        };
        let outcome = ingest::check(&view, entries);

        // No unauthenticated writes: the first entry must be the kiosk's.
        if let Some(stop) = outcome.stop.as_ref().filter(|s| s.index == 0) {
            match stop.code {
                "DECODE" | "WRONG_KIOSK" => {
                    return Err(IngestError::BadBundle(format!("first entry: {}", stop.reason)));
                }
                "BAD_SIGNATURE" => return Err(IngestError::Unauthenticated { kiosk: kiosk_id, seq: stop.seq }),
                _ => {
                    if !entries[0].verify(&state.key_at(stop.seq)) {
                        return Err(IngestError::Unauthenticated { kiosk: kiosk_id, seq: stop.seq });
                    }
                }
            }
        }

        // Effective times and fold items.
        let epoch = self.fold.epoch();
        let hashes: Vec<Hash> = outcome.accepted.iter().map(|c| c.hash).collect();
        let mut log = Vec::with_capacity(outcome.accepted.len());
        let mut items = Vec::new();
        let mut flagged = Vec::new();
        let mut last_effective = state.last_effective;
        let mut operators = state.operators.clone();
        let mut keys = Vec::new();
        for checked in outcome.accepted {
            let body = &checked.body;
            // The floor comes from the center's own records; the kiosk's claimed last contact
            // can only raise it (a kiosk that omits or back-dates it gains nothing).
            let mut from = state.floor(body.seq);
            if let Some(contact) = body.last_contact.as_deref().and_then(|c| c.parse::<Instant>().ok())
                && contact <= received_at
            {
                from = from.max(contact);
            }
            // Only commands are ordered by their time: an account change or key rotation
            // (e.g. what `init` writes before the kiosk is registered) is neither flagged nor
            // a lower bound for the commands after it.
            let is_command = matches!(checked.payload, Payload::Command { .. });
            let (effective, flag) = effective_time(
                &kiosk_id,
                body.seq,
                &body.kiosk_time,
                (from, received_at),
                last_effective.filter(|_| is_command),
            );
            if is_command {
                last_effective = Some(effective);
            }
            let flag = flag.filter(|_| is_command);
            let _ = ingest::check_role(&mut operators, body, &checked.payload);
            if let Payload::KeyRotated { public_key } = &checked.payload
                && let Ok(next) = public_key_from_hex(public_key)
            {
                keys.push((body.seq + 1, next));
            }
            let index = checked.index;
            let seq = body.seq;
            if let Some(item) = kiosk_item(&operators, body, checked.payload, epoch, effective) {
                items.push(item);
            }
            if let Some(flag) = &flag {
                flagged.push(flag.clone());
            }
            log.push(LogRecord::Kiosk {
                kiosk: kiosk_id.clone(),
                seq,
                entry: framed(&entries[index]),
                received_at,
                epoch,
                effective,
                flag,
            });
        }

        // Quarantine: the stopping entry and everything after it in the bundle, as notes only
        // for entries the kiosk itself signed (with the key it held at that sequence), and at
        // most MAX_NOTES_PER_KIOSK per kiosk: junk after a replayed entry leaves nothing behind.
        let mut quarantine = Vec::new();
        let mut unattributed = 0;
        if let Some(stop) = &outcome.stop {
            let room = MAX_NOTES_PER_KIOSK.saturating_sub(self.quarantine.get(&kiosk_id).map_or(0, BTreeMap::len));
            let mut all_keys = state.keys.clone();
            all_keys.extend(keys.iter().copied());
            let key_at = |seq: u64| all_keys.iter().rev().find(|(from, _)| *from <= seq).map_or(state.key, |(_, k)| *k);
            for (offset, entry) in entries[stop.index..].iter().enumerate() {
                let signed_by_kiosk = entry.body().is_ok_and(|b| b.kiosk == kiosk_id && entry.verify(&key_at(b.seq)));
                if !signed_by_kiosk || quarantine.len() >= room {
                    unattributed += 1;
                    continue;
                }
                let seq = entry.body().map_or(stop.seq.saturating_add(offset as u64), |b| b.seq);
                let (code, reason) = if offset == 0 {
                    (stop.code.to_owned(), stop.reason.clone())
                } else {
                    (
                        "AFTER_QUARANTINED".to_owned(),
                        format!("follows quarantined entry {} of kiosk {kiosk_id}", stop.seq),
                    )
                };
                debug_assert!(
                    changelog::sync::QUARANTINE_CODES.contains(&code.as_str()),
                    "{code} is missing from QUARANTINE_CODES (kiosks explain it by that list)"
                );
                quarantine.push(QuarantineRecord {
                    note: QuarantineNote {
                        kiosk: kiosk_id.clone(),
                        seq,
                        code,
                        reason,
                        received_at,
                        entry_hash: Some(hex::encode(entry.hash())),
                    },
                    entry: Some(hex::encode(framed(entry))),
                });
            }
        }

        Ok(Prepared {
            kiosk_id,
            entries: entries.len(),
            duplicates: outcome.duplicates,
            hashes,
            key: outcome.key,
            keys,
            operators,
            last_effective,
            flagged,
            items,
            commit: Commit { log, quarantine },
            unattributed,
            damage: read.damage.map(|(offset, e)| format!("bundle damaged at byte {offset} of its records: {e}")),
        })
    }

    /// Ingests one bundle received at `received_at` (HTTP upload or USB file). When
    /// `expected_kiosk` is given (the URL's id), the bundle must be that kiosk's.
    /// The accepted entries are durable before this returns.
    pub fn ingest(
        &mut self,
        bytes: &[u8],
        received_at: Instant,
        expected_kiosk: Option<&str>,
    ) -> Result<Ingested, IngestError> {
        self.resync_if_stale();
        let prepared = self.prepare(bytes, received_at, expected_kiosk)?;
        if let Err(e) = self.store.commit(&prepared.commit) {
            self.stale = true;
            return Err(e.into());
        }
        Ok(self.apply_prepared(prepared, received_at))
    }

    /// Ingests several uploads with one durable commit for each run of uploads from
    /// distinct kiosks (group commit: the server drains its queue of uploads this way).
    /// The result for each upload is what [`Center::ingest`] would give in the same order.
    pub fn ingest_group(&mut self, uploads: &[Upload<'_>], received_at: Instant) -> Vec<Result<Ingested, IngestError>> {
        self.resync_if_stale();
        let mut results: Vec<Option<Result<Ingested, IngestError>>> = uploads.iter().map(|_| None).collect();
        let mut next = 0;
        while next < uploads.len() {
            let mut group: Vec<(usize, Prepared)> = Vec::new();
            while next < uploads.len() {
                let upload = uploads[next];
                match self.prepare(upload.bytes, received_at, upload.expected_kiosk) {
                    Ok(prepared) => {
                        if group.iter().any(|(_, p)| p.kiosk_id == prepared.kiosk_id) {
                            break; // the same kiosk again: after this group is committed
                        }
                        group.push((next, prepared));
                    }
                    Err(e) => results[next] = Some(Err(e)),
                }
                next += 1;
            }
            let mut commit = Commit::default();
            for (_, p) in &mut group {
                commit.log.append(&mut p.commit.log);
                commit.quarantine.extend(p.commit.quarantine.iter().cloned());
            }
            match self.store.commit(&commit) {
                Ok(()) => {
                    for (index, prepared) in group {
                        let kiosk = prepared.kiosk_id.clone();
                        results[index] = Some(Ok(self.apply_prepared(prepared, received_at)));
                        if let Some(head) = uploads[index].contact_head {
                            // The ack answering this upload is a contact; losing it in a
                            // store failure only leaves the window wider.
                            let _ = self.record_contact(&kiosk, Contact { at: received_at, head });
                        }
                    }
                }
                Err(e) => {
                    self.stale = true;
                    for (index, _) in group {
                        results[index] = Some(Err(IngestError::Store(StoreError::Db(e.to_string()))));
                    }
                }
            }
        }
        results.into_iter().map(|r| r.expect("every upload has a result")).collect()
    }

    /// In-memory part of an ingest, after its records are durable.
    fn apply_prepared(&mut self, prepared: Prepared, received_at: Instant) -> Ingested {
        let Prepared {
            kiosk_id,
            entries,
            duplicates,
            hashes,
            key,
            keys,
            operators,
            last_effective,
            flagged,
            items,
            commit,
            unattributed,
            damage,
        } = prepared;
        let accepted = hashes.len();
        let state = self.kiosks.get_mut(&kiosk_id).expect("prepared for a registered kiosk");
        state.hashes.extend(hashes);
        state.seen(received_at);
        state.operators = operators;
        state.last_effective = last_effective;
        if let Some(key) = key {
            state.key = key;
        }
        state.keys.extend(keys);
        for flag in &flagged {
            state.flags.insert(flag.seq, flag.clone());
        }
        let head = state.head_seq();
        fold_contacts(&mut state.record, head);
        let notes = self.quarantine.entry(kiosk_id.clone()).or_default();
        for q in &commit.quarantine {
            if notes.len() < MAX_NOTES_PER_KIOSK {
                notes.entry((q.note.seq, q.note.entry_hash.clone())).or_insert_with(|| q.note.clone());
            }
        }
        let new_sources: Vec<Source> = items.iter().map(|i| i.source.clone()).collect();
        let changes = self.fold.add_kiosk_items(items);

        let mut review: Vec<ReviewNote> = new_sources.iter().filter_map(|s| self.review_note(s)).collect();
        for source in &changes.rejected {
            if !new_sources.contains(source)
                && let Some(note) = self.review_note(source)
            {
                review.push(note);
            }
        }
        let now_applied = changes
            .applied
            .iter()
            .filter_map(|s| match s {
                Source::Kiosk { kiosk, seq } => Some(ReviewNote {
                    kiosk: kiosk.clone(),
                    seq: *seq,
                    code: "APPLIED".into(),
                    reason: "no longer in conflict after this upload".into(),
                    duplicate_of: None,
                }),
                Source::Center { .. } => None,
            })
            .collect();
        let state = &self.kiosks[&kiosk_id];
        let report = IngestReport {
            kiosk: kiosk_id.clone(),
            received_at,
            entries,
            accepted,
            duplicates,
            accepted_through_seq: state.head_seq(),
            head_hash: hex::encode(state.head_hash()),
            quarantined: commit.quarantine.iter().map(|q| q.note.clone()).collect(),
            flagged,
            review,
            now_applied,
            unattributed,
            damage,
        };
        let (ack, ack_bytes) = self.ack(&kiosk_id, received_at).expect("the kiosk is registered");
        Ingested { report, ack, ack_bytes }
    }

    fn review_note(&self, source: &Source) -> Option<ReviewNote> {
        let rejection = self.fold.rejection(source)?;
        let Source::Kiosk { kiosk, seq } = source else { return None };
        Some(ReviewNote {
            kiosk: kiosk.clone(),
            seq: *seq,
            code: rejection.code.clone(),
            reason: rejection.reason.clone(),
            duplicate_of: rejection.duplicate_of.clone(),
        })
    }

    /// The signed acknowledgement of a kiosk's log at `now`.
    pub fn ack(&self, kiosk: &str, now: Instant) -> Result<(Ack, Vec<u8>), CenterError> {
        let state = self.kiosks.get(kiosk).ok_or_else(|| CenterError::UnknownKiosk(kiosk.to_owned()))?;
        let head = state.head_seq();
        let mut quarantined: BTreeMap<u64, QuarantineNote> = BTreeMap::new();
        for note in self.quarantine.get(kiosk).into_iter().flat_map(BTreeMap::values).filter(|n| n.seq > head) {
            quarantined.insert(note.seq, note.clone());
        }
        let open = |id: String| !self.reviews.contains_key(&id);
        let flagged = state.flags.values().filter(|f| open(format!("C-{kiosk}-{}", f.seq))).cloned().collect();
        let review = self
            .fold
            .rejections()
            .keys()
            .filter(|s| matches!(s, Source::Kiosk { kiosk: k, seq } if k == kiosk && open(format!("E-{kiosk}-{seq}"))))
            .filter_map(|s| self.review_note(s))
            .collect();
        let ack = Ack {
            format: SYNC_FORMAT_VERSION,
            kiosk: kiosk.to_owned(),
            accepted_through_seq: head,
            head_hash: hex::encode(state.head_hash()),
            center_time: now,
            quarantined: quarantined.into_values().collect(),
            flagged,
            review,
        };
        let bytes = SignedDocument::sign(&ack, self.key.signing()).to_bytes();
        Ok((ack, bytes))
    }

    // ----- snapshots and reports -----

    /// The signed snapshot of a district at `now`.
    pub fn snapshot(&self, district: &str, now: Instant) -> Result<(Snapshot, Vec<u8>), CenterError> {
        self.check_district(district)?;
        let state = self.fold.state();
        let applications = state.applications().filter(|a| a.district == district).cloned().collect();
        let mut positions = Vec::new();
        for queue in state.queue_index().queues() {
            if queue.district != district {
                continue;
            }
            for (i, id) in state.queue_index().allocation_order(queue, usize::MAX).into_iter().enumerate() {
                positions.push(Ranked {
                    id: id.to_owned(),
                    district: queue.district.clone(),
                    queue_type: queue.queue_type,
                    group_year: queue.group_year,
                    position: u32::try_from(i + 1).unwrap_or(u32::MAX),
                });
            }
        }
        let places = state.places().filter(|p| p.district == district).cloned().collect();
        let free_places = state
            .free_slots()
            .into_iter()
            .filter(|(slot, _)| state.kindergarten(&slot.kindergarten).is_some_and(|k| k.district == district))
            .map(|(slot, free)| FreePlaces {
                kindergarten: slot.kindergarten,
                language: slot.language,
                group_year: slot.group_year,
                free,
            })
            .collect();
        let snapshot = Snapshot {
            format: SYNC_FORMAT_VERSION,
            district: district.to_owned(),
            generated_at: now,
            calendar_version: state.calendar().version().to_owned(),
            applications,
            positions,
            places,
            free_places,
            kindergartens: state.kindergartens().filter(|k| k.district == district).cloned().collect(),
            directory_version: self.directory_version,
            calendar_years: self.calendar_years.clone(),
            kiosk_heads: self
                .kiosks
                .iter()
                .filter(|(_, k)| k.record.district == district)
                .map(|(id, k)| (id.clone(), k.head_seq()))
                .collect(),
        };
        let bytes = SignedDocument::sign(&snapshot, self.key.signing()).to_bytes();
        Ok((snapshot, bytes))
    }

    /// Queue sizes, vouchers, places and enrollments per district and group year.
    pub fn report(&self) -> Vec<ReportRow> {
        let state = self.fold.state();
        let mut rows: BTreeMap<(String, i32), ReportRow> = BTreeMap::new();
        for app in state.applications() {
            let r = row(&mut rows, &app.district, app.group_year());
            match app.status {
                Status::Queued => r.queued += 1,
                Status::VoucherIssued => r.voucher_issued += 1,
                Status::VoucherConfirmed => r.voucher_confirmed += 1,
                Status::StopListed => r.stop_listed += 1,
                Status::DirectionIssued => r.directions += 1,
                Status::RefusalReview => r.refusal_review += 1,
                Status::Enrolled => r.enrolled += 1,
                Status::Departed => r.departed += 1,
                Status::Archived => r.archived += 1,
            }
            if matches!(app.status, Status::VoucherIssued | Status::VoucherConfirmed | Status::StopListed) {
                r.vouchers_outstanding += 1;
            }
        }
        for record in state.places() {
            let r = row(&mut rows, &record.district, record.group_year);
            match record.state {
                PlacesState::Pending => r.places_pending += record.count,
                PlacesState::FreeChoice if record.reduction => {
                    r.places_published = r.places_published.saturating_sub(record.count);
                }
                PlacesState::FreeChoice => r.places_published += record.count,
            }
        }
        for (slot, free) in state.free_slots() {
            if let Some(k) = state.kindergarten(&slot.kindergarten) {
                row(&mut rows, &k.district, slot.group_year).places_free += free;
            }
        }
        rows.into_values().collect()
    }

    /// Every quarantine note, with whether the same entry was accepted since.
    pub fn quarantine(&self) -> Vec<QuarantineListing> {
        let mut out = Vec::new();
        for (kiosk, notes) in &self.quarantine {
            let hashes = self.kiosks.get(kiosk).map(|k| k.hashes.as_slice()).unwrap_or_default();
            for note in notes.values() {
                let accepted =
                    usize::try_from(note.seq).ok().and_then(|s| s.checked_sub(1)).and_then(|i| hashes.get(i));
                let resolved = accepted.is_some_and(|h| note.entry_hash.as_deref() == Some(hex::encode(h).as_str()));
                out.push(QuarantineListing { note: note.clone(), resolved });
            }
        }
        out.sort_by(|a, b| (&a.note.kiosk, a.note.seq).cmp(&(&b.note.kiosk, b.note.seq)));
        out
    }

    // ----- center commands -----

    fn run_center(
        &mut self,
        command: Command,
        operator: &str,
        at: Instant,
        skip_if_empty: bool,
    ) -> Result<CenterRun, CenterError> {
        self.resync_if_stale();
        let events = self.fold.decide(&command, at).map_err(|e| CenterError::Rules {
            code: rules::Localized::code(&e).to_owned(),
            message: rules::Localized::message(&e, rules::Lang::En),
        })?;
        let mut run = CenterRun {
            command: command.name().to_owned(),
            at,
            center_seq: None,
            vouchers: Vec::new(),
            published: Vec::new(),
            expired: Vec::new(),
            events: events.len(),
        };
        for event in &events {
            match event {
                Event::VoucherIssued { application, confirm_deadline, .. } => {
                    run.vouchers
                        .push(VoucherNote { application: application.clone(), confirm_deadline: *confirm_deadline });
                }
                Event::PlacesPublished { record, .. } => run.published.push(record.clone()),
                Event::StopListed { application, at, .. } => {
                    run.expired.push(ExpiryNote {
                        application: application.clone(),
                        status: Status::StopListed,
                        at: *at,
                    });
                }
                Event::Archived { application, at, .. } => {
                    run.expired.push(ExpiryNote {
                        application: application.clone(),
                        status: Status::Archived,
                        at: *at,
                    });
                }
                _ => {}
            }
        }
        if events.is_empty() && skip_if_empty {
            return Ok(run);
        }
        let seq = self.append_own(operator, &Payload::Command { command: command.clone() }, at)?;
        let _ = self.fold.add_center_item(&center_item(seq, command, at));
        run.center_seq = Some(seq);
        Ok(run)
    }

    /// Appends an entry to the center's own log, signed by the center key and naming
    /// `operator`; durable when this returns.
    fn append_own(&mut self, operator: &str, payload: &Payload, at: Instant) -> Result<u64, CenterError> {
        let seq = self.own_hashes.len() as u64 + 1;
        let body = EntryBody {
            version: FORMAT_VERSION,
            kiosk: CENTER_ID.to_owned(),
            seq,
            prev_hash: self.own_hashes.last().copied().unwrap_or(GENESIS_HASH),
            kiosk_time: at.to_string(),
            last_contact: None,
            operator: operator.to_owned(),
            payload: payload.to_json(),
        };
        let entry = SignedEntry::sign(&body, self.key.signing());
        let commit = Commit { log: vec![LogRecord::Center { seq, entry: framed(&entry) }], quarantine: Vec::new() };
        if let Err(e) = self.store.commit(&commit) {
            self.stale = true;
            return Err(e.into());
        }
        self.own_hashes.push(entry.hash());
        self.note_own_entry(seq, at, operator, payload);
        Ok(seq)
    }

    /// Bookkeeping of one center entry (written now or replayed): directory and calendar
    /// versions, the scheduler's last runs, the audit trail.
    fn note_own_entry(&mut self, seq: u64, at: Instant, operator: &str, payload: &Payload) {
        if let Payload::Command { command } = payload {
            match command {
                Command::SetKindergarten { .. } => self.directory_version += 1,
                Command::SetCalendarYear { year } => self.calendar_years.push(year.clone()),
                Command::Tick => self.last_tick = Some(self.last_tick.map_or(at, |t| t.max(at))),
                Command::Distribute { district } if operator == SCHEDULER => {
                    let last = self.scheduled_rounds.entry(district.clone()).or_insert(at);
                    *last = (*last).max(at);
                }
                _ => {}
            }
        }
        if let Payload::Audit { action, subject, note } = payload
            && action == crate::public_queue::PUBLISH_ACTION
        {
            self.note_publication(subject, note.as_deref());
        }
        if let Some(row) = AuditRow::of(seq, at, operator, payload) {
            self.audit.push(row);
        }
    }

    /// Writes a staff action to the center's own log (the audit trail).
    pub(crate) fn audit_action(
        &mut self,
        by: &str,
        action: &str,
        subject: &str,
        note: Option<String>,
        at: Instant,
    ) -> Result<u64, CenterError> {
        let payload = Payload::Audit { action: action.to_owned(), subject: subject.to_owned(), note };
        let seq = self.append_own(by, &payload, at)?;
        self.fold.close_epoch();
        Ok(seq)
    }

    /// The audit trail: every entry of the center's own log, newest first, at most `limit`.
    pub fn audit_trail(&self, limit: usize) -> Vec<AuditRow> {
        self.audit.iter().rev().take(limit).cloned().collect()
    }

    /// The reviewers' decisions on kindergartens' refusals (upheld or overruled), oldest
    /// first, from the center's own log: what the notifier tells the parents.
    pub fn refusal_decisions(&self) -> Vec<crate::notify::RefusalDecision> {
        let upheld = rules::ActionKind::UpholdRefusal.as_str();
        let overruled = rules::ActionKind::OverruleRefusal.as_str();
        self.audit
            .iter()
            .filter(|r| r.action == upheld || r.action == overruled)
            .map(|r| crate::notify::RefusalDecision {
                application: r.subject.clone(),
                upheld: r.action == upheld,
                at: r.at,
            })
            .collect()
    }

    /// When deadline expiry last ran, and each district's last scheduled round.
    pub fn schedule_state(&self) -> (Option<Instant>, &BTreeMap<String, Instant>) {
        (self.last_tick, &self.scheduled_rounds)
    }

    /// A distribution round for a district (center log entry).
    pub fn distribute(&mut self, district: &str, at: Instant) -> Result<CenterRun, CenterError> {
        self.distribute_as(CENTER_ID, district, at)
    }

    /// A distribution round started by `by` (a staff login, or [`SCHEDULER`]). A round of
    /// the scheduler is logged even when it issues nothing: the log is its record of having run.
    pub fn distribute_as(&mut self, by: &str, district: &str, at: Instant) -> Result<CenterRun, CenterError> {
        self.check_district(district)?;
        self.run_center(Command::Distribute { district: district.to_owned() }, by, at, by != SCHEDULER)
    }

    /// Adds a kindergarten to the directory or replaces its entry (a center log entry naming
    /// `operator`); the next snapshots carry it to the district's kiosks.
    pub fn set_kindergarten(
        &mut self,
        kindergarten: Kindergarten,
        operator: &str,
        at: Instant,
    ) -> Result<CenterRun, CenterError> {
        self.check_district(&kindergarten.district)?;
        self.run_center(Command::SetKindergarten { kindergarten }, operator, at, false)
    }

    /// Loads a directory (a JSON array of kindergartens): one center log entry for each
    /// kindergarten that is new or differs from the directory's entry; the rest is left as
    /// it is (a kindergarten missing from the file is not removed: close it with `open: false`).
    pub fn import_directory(
        &mut self,
        kindergartens: Vec<Kindergarten>,
        operator: &str,
        at: Instant,
    ) -> Result<DirectoryImport, CenterError> {
        let mut seen = std::collections::HashSet::new();
        for k in &kindergartens {
            if !seen.insert(k.id.as_str()) {
                return Err(CenterError::Invalid(format!("kindergarten {} is twice in the file", k.id)));
            }
            self.check_district(&k.district)?;
        }
        let mut report = DirectoryImport { changed: Vec::new(), unchanged: 0, version: self.directory_version };
        for k in kindergartens {
            if self.fold.state().kindergarten(&k.id) == Some(&k) {
                report.unchanged += 1;
                continue;
            }
            let id = k.id.clone();
            self.set_kindergarten(k, operator, at)?;
            report.changed.push(id);
        }
        report.version = self.directory_version;
        Ok(report)
    }

    /// Sets a year of the working-day calendar (a decree published): a center log entry
    /// naming `operator`; deadlines computed from now on use it, and the next snapshots carry
    /// it to kiosks. Deadlines already given stay as they were.
    pub fn set_calendar_year(
        &mut self,
        year: rules::calendar::CalendarYear,
        operator: &str,
        at: Instant,
    ) -> Result<CenterRun, CenterError> {
        self.run_center(Command::SetCalendarYear { year }, operator, at, false)
    }

    /// The directory as the center holds it now.
    pub fn directory(&self) -> (u64, Vec<Kindergarten>) {
        (self.directory_version, self.fold.state().kindergartens().cloned().collect())
    }

    /// Deadline expiry and age-out due at `at` (a center log entry when anything expired).
    pub fn tick(&mut self, at: Instant) -> Result<CenterRun, CenterError> {
        self.tick_as(CENTER_ID, at)
    }

    /// [`Center::tick`] started by `by`; the scheduler's runs are logged even when nothing expired.
    pub fn tick_as(&mut self, by: &str, at: Instant) -> Result<CenterRun, CenterError> {
        self.run_center(Command::Tick, by, at, by != SCHEDULER)
    }

    // ----- reviewer queue -----

    /// Every review item, open and decided.
    pub fn review_items(&self) -> Vec<ReviewItem> {
        let status = |id: &str| self.reviews.get(id).map_or_else(|| "open".to_owned(), |d| d.decision.clone());
        let mut items = Vec::new();
        for app in self.fold.state().applications().filter(|a| a.status == Status::RefusalReview) {
            let id = format!("R-{}", app.id);
            items.push(ReviewItem {
                status: "open".into(),
                district: app.district.clone(),
                id,
                kind: "refusal".into(),
                kiosk: None,
                seq: None,
                application: Some(app.id.clone()),
                code: "REFUSAL_REVIEW".into(),
                reason: app.direction.as_ref().and_then(|d| d.refusal_reason.clone()).unwrap_or_default(),
                duplicate_of: None,
                command: None,
                effective_time: None,
                kiosk_time: None,
            });
        }
        for (source, rejection) in self.fold.rejections() {
            let Source::Kiosk { kiosk, seq } = source else { continue };
            let id = format!("E-{kiosk}-{seq}");
            let application = match &rejection.item.command {
                Command::Register { application } => Some(application.id.clone()),
                Command::Act { application, .. } => Some(application.clone()),
                _ => None,
            };
            let district = match &rejection.item.command {
                Command::Register { application } => Some(application.district.clone()),
                _ => application.as_deref().and_then(|a| self.fold.state().application(a)).map(|a| a.district.clone()),
            }
            .unwrap_or_else(|| self.kiosk_district(kiosk));
            items.push(ReviewItem {
                status: status(&id),
                district,
                id,
                kind: if rejection.code == "DUPLICATE_CHILD" { "duplicate" } else { "conflict" }.into(),
                kiosk: Some(kiosk.clone()),
                seq: Some(*seq),
                application,
                code: rejection.code.clone(),
                reason: rejection.reason.clone(),
                duplicate_of: rejection.duplicate_of.clone(),
                command: Some(rejection.item.command.clone()),
                effective_time: Some(rejection.item.now),
                kiosk_time: None,
            });
        }
        for (kiosk, state) in &self.kiosks {
            for flag in state.flags.values() {
                let id = format!("C-{kiosk}-{}", flag.seq);
                items.push(ReviewItem {
                    status: status(&id),
                    district: state.record.district.clone(),
                    id,
                    kind: "clock".into(),
                    kiosk: Some(kiosk.clone()),
                    seq: Some(flag.seq),
                    application: None,
                    code: format!(
                        "CLOCK_{}",
                        serde_json::to_value(flag.problem)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default()
                    ),
                    reason: format!(
                        "kiosk time {} outside [{}, {}]; used {}",
                        flag.kiosk_time, flag.window_from, flag.window_to, flag.effective_time
                    ),
                    duplicate_of: None,
                    command: None,
                    effective_time: Some(flag.effective_time),
                    kiosk_time: Some(flag.kiosk_time.clone()),
                });
            }
        }
        items
    }

    /// A reviewer's decision on an item (`login` must be a reviewer; `password` is checked).
    /// - `R-<app>`: uphold or overrule the kindergarten's refusal (a center log entry);
    /// - `E-<kiosk>-<seq>`: uphold = the refusal of the entry stands; overrule = its command
    ///   is decided again on today's state as of the entry's effective time, as a center log
    ///   entry (the rules must accept it so);
    /// - `C-<kiosk>-<seq>`: uphold = the clamped time stands (a clock flag cannot be overruled).
    pub fn review(
        &mut self,
        item: &str,
        decision: Decision,
        user: &StaffUser,
        at: Instant,
        note: Option<String>,
    ) -> Result<ReviewItem, CenterError> {
        let current = self
            .review_items()
            .into_iter()
            .find(|i| i.id == item)
            .ok_or_else(|| CenterError::NotFound(format!("no review item {item}")))?;
        self.allow(user, StaffAction::Review, Some(&current.district))?;
        let login = user.login.as_str();
        if current.status != "open" {
            return Err(CenterError::Invalid(format!("review item {item} is {} already", current.status)));
        }
        match (current.kind.as_str(), decision) {
            ("refusal", _) => {
                let action = if decision == Decision::Uphold {
                    rules::Action::UpholdRefusal
                } else {
                    rules::Action::OverruleRefusal
                };
                let application = current.application.clone().unwrap_or_default();
                self.run_center(Command::Act { application, action }, login, at, false)?;
            }
            ("clock", Decision::Overrule) => {
                return Err(CenterError::Invalid("a clamped kiosk time cannot be overruled, only upheld".into()));
            }
            (_, Decision::Overrule) => {
                let command = current.command.clone().ok_or_else(|| CenterError::Invalid("nothing to apply".into()))?;
                // Decided as of the entry's own (effective) time, not the review's: a
                // registration keeps its instant, a confirmation made in time stands.
                self.run_center(command, login, current.effective_time.unwrap_or(at), false)?;
            }
            (_, Decision::Uphold) => {}
        }
        let decided = ReviewDecision {
            item: item.to_owned(),
            decision: if decision == Decision::Uphold { "upheld" } else { "overruled" }.into(),
            reviewer: login.to_owned(),
            at,
            note: note.clone(),
        };
        let action = if decision == Decision::Uphold { "review.uphold" } else { "review.overrule" };
        self.audit_action(login, action, item, note, at)?;
        if current.kind != "refusal" {
            self.store.put_review(&decided)?;
            self.reviews.insert(item.to_owned(), decided.clone());
        }
        Ok(ReviewItem { status: decided.decision, ..current })
    }
}

fn row<'a>(rows: &'a mut BTreeMap<(String, i32), ReportRow>, district: &str, year: i32) -> &'a mut ReportRow {
    rows.entry((district.to_owned(), year)).or_insert_with(|| ReportRow {
        district: district.to_owned(),
        group_year: year,
        ..ReportRow::default()
    })
}

fn center_item(seq: u64, command: Command, now: Instant) -> FoldItem {
    FoldItem {
        key: FoldKey { epoch: seq - 1, center: true, time: now.sort_key(), kiosk: String::new(), seq },
        source: Source::Center { seq },
        command,
        now,
        scope: None,
    }
}

fn kiosk_item(
    operators: &HashMap<String, KioskOperator>,
    body: &EntryBody,
    payload: Payload,
    epoch: u64,
    effective: Instant,
) -> Option<FoldItem> {
    let Payload::Command { command } = payload else { return None };
    let scope = rules::authz::kiosk::bound_to_kindergartens(&command)
        .then(|| operators.get(&body.operator).map(|o| o.kindergartens.clone()).unwrap_or_default());
    Some(FoldItem {
        key: FoldKey { epoch, center: false, time: effective.sort_key(), kiosk: body.kiosk.clone(), seq: body.seq },
        source: Source::Kiosk { kiosk: body.kiosk.clone(), seq: body.seq },
        command,
        now: effective,
        scope,
    })
}
