//! The center's authoritative state: [`Center`] over a [`CenterStore`]. Every change is
//! written to the store before memory changes, and memory is rebuilt from the store alone.
//!
//! - `data_folder`: `init` and `open` of a data folder;
//! - `registry`: registered kiosks, their keys, heads and clock contacts;
//! - `uploads`: a kiosk's bundle taken in (checks, clock window, quarantine, group commit);
//! - `documents`: the signed acks and snapshots, the report;
//! - `commands`: the center's own commands, in its signed log; `audit`: the audit trail;
//! - `reviews`: the reviewer queue and its decisions;
//! - `replay`: memory rebuilt from the store, catching up with servers sharing it;
//! - `errors`: one error type per operation ([`OpenError`], [`AccountError`],
//!   [`CommandFailure`], [`KioskError`], [`DocumentError`], …), their typed reasons, and
//!   [`CenterError`], the umbrella they convert into.

mod audit;
mod commands;
mod data_folder;
mod documents;
mod errors;
mod registry;
mod replay;
mod reviews;
mod uploads;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use changelog::sync::QuarantineNote;
use changelog::{Hash, KioskKey, SignedEntry, VerifyingKey};
use rules::model::Kindergarten;
use rules::{Calendar, Instant, State};

use crate::any_store::AnyStore;
use crate::fold::Fold;
use crate::store::{CenterOperator, CenterStore, ReviewDecision, SessionRecord, StoreError};

pub use audit::AuditRow;
pub use commands::{CenterRun, DirectoryImport, ExpiryNote, VoucherNote};
pub use data_folder::{DB_DIR, DEMO_KINDERGARTENS, DISTRICTS, InitInfo, STORE_FILE, district_codes, store_location};
pub use documents::ReportRow;
pub use errors::{
    AccountError, BadCredentials, BadSchedule, CenterError, CommandFailure, DocumentError, IngestError, Invalid,
    KioskError, Missing, NotServed, OpenError, PopulationError, ScheduleError, SetupFailure, UnknownDistrict,
    UnknownKiosk,
};
pub(crate) use registry::KioskState;
pub use registry::{KioskAuth, KioskInfo};
pub use reviews::{Decision, ReviewItem};
pub use uploads::{IngestReport, Ingested, MAX_NOTES_PER_KIOSK, QuarantineListing, Upload};

/// The kiosk id the center's own log entries carry.
pub const CENTER_ID: &str = "center";
/// Who the center's scheduled runs are logged as.
pub const SCHEDULER: &str = "scheduler";

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

impl<S: CenterStore> std::fmt::Debug for Center<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Center")
            .field("key", &self.key)
            .field("kiosks", &self.kiosks.len())
            .field("applications", &self.fold.state().applications().count())
            .finish_non_exhaustive()
    }
}

/// An entry as the accepted log stores it (`u32 LE length | body | signature`).
fn framed(entry: &SignedEntry) -> Vec<u8> {
    let mut out = Vec::with_capacity(entry.record_len());
    entry.write_record(&mut out);
    out
}

fn unframe(bytes: &[u8]) -> Result<SignedEntry, StoreError> {
    SignedEntry::read_record(bytes).map(|(e, _)| e).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl<S: CenterStore> Center<S> {
    /// A center over any store: replays the store's log.
    pub fn with_store(store: S, key: KioskKey, kindergartens: Vec<Kindergarten>) -> Result<Self, OpenError> {
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

    pub(crate) fn check_district(&self, district: &str) -> Result<(), UnknownDistrict> {
        if self.districts.iter().any(|d| d == district) { Ok(()) } else { Err(UnknownDistrict(district.to_owned())) }
    }
}
