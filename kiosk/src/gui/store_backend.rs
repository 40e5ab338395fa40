//! [`StoreBackend`]: the GUI's [`Backend`] over the real kiosk store ([`crate::Kiosk`]).
//!
//! Every change goes through [`Kiosk::execute`] with the logged-in operator's kiosk session,
//! so roles and rules are enforced by the kiosk and the change is fdatasync'ed in the signed
//! log before the GUI hears `Ok`. Reads come from the kiosk's projections and its replayed
//! `rules::State`. The journal rows are read once after each change and then filtered and
//! sorted in memory (cheap for 50 000 rows); the GUI only asks for the visible window.
//!
//! The center's queue positions come from the latest snapshot the kiosk keeps
//! ([`Kiosk::snapshot`]); it was verified with the center key when it was imported.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use rules::command::{Action, Command, Role};
use rules::i18n::{Lang, Localized, Text};
use rules::model::{Application, Kindergarten, NewApplication, NewPlaces, PlacesRecord, Warning};
use rules::queue::RankEntry;
use rules::time::{Date, Instant};

use super::backend::{
    AddedBy, Backend, BackendError, Card, CenterPosition, DEFAULT_AUTO_MINUTES, EnrolledChild, ExportReport,
    FreeChoice, FreeSlot, HistoryEntry, ImportReport, JournalFilter, JournalPage, JournalRow, KioskInfo, KioskSetup,
    Lookup, NewOperator, Operator, PlacesInput, PlacesRow, ProgressSink, PushPhase, QuarantineNote, RankSnapshots,
    Receipt, Session, Stats, SyncOutcome, SyncStatus,
};
use super::push_worker::PushJob;
use super::state_views::{
    JournalCache, enrolled_children, free_choices, journal_row, not_logged_in, rank_entry, registration_warnings,
    stats, week_start,
};
use crate::{InitParams, Kiosk, OpenError};
use serde::{Deserialize, Serialize};
use sync_client::PushOptions;

/// A [`BackendError`] from any of the kiosk's localized errors.
pub fn localized(error: &impl Localized) -> BackendError {
    BackendError {
        code: error.code().to_owned(),
        ru: error.message(Lang::Ru),
        kk: error.message(Lang::Kk),
        en: error.message(Lang::En),
    }
}

fn not_set_up() -> BackendError {
    BackendError::text(
        "NOT_INITIALIZED",
        Text::new("Киоск ещё не настроен", "Киоск әлі бапталмаған", "The kiosk is not set up yet"),
    )
}

fn unknown_application(id: &str) -> BackendError {
    BackendError::from(rules::error::CommandError::UnknownApplication { id: id.to_owned() })
}

/// The content of a signed center document (`MAGIC`, u32 LE length, JSON, signature), read
/// without checking the signature again (the kiosk checked it when it imported the file).
fn document_json(bytes: &[u8]) -> Option<&[u8]> {
    let start = bytes.iter().position(|b| *b == b'{')?;
    let len_bytes: [u8; 4] = bytes.get(start.checked_sub(4)?..start)?.try_into().ok()?;
    let len = usize::try_from(u32::from_le_bytes(len_bytes)).ok()?;
    bytes.get(start..start.checked_add(len)?)
}

/// The center snapshot as the GUI uses it.
#[derive(Debug, Clone)]
struct CenterView {
    at: Instant,
    positions: HashMap<String, u32>,
    entries: Vec<RankEntry>,
}

/// Which operator's entry created each places record, read from the kiosk's log: the same
/// entries the application history is built from. Filled incrementally: the log only grows.
#[derive(Debug, Default)]
struct PlacesAuthors {
    /// The last sequence number looked at.
    scanned: u64,
    /// Record id → operator login of the entry that holds it.
    by_record: HashMap<String, String>,
}

impl PlacesAuthors {
    /// Reads the entries after the last one seen. An entry that cannot be decoded is
    /// skipped (the kiosk reports log damage itself).
    fn catch_up(&mut self, kiosk: &Kiosk) -> Result<(), BackendError> {
        if kiosk.last_seq() < self.scanned {
            *self = PlacesAuthors::default();
        }
        if kiosk.last_seq() == self.scanned {
            return Ok(());
        }
        let entries = kiosk.entries_after(self.scanned).map_err(|e| localized(&crate::QueryError::Store(e)))?;
        for entry in entries {
            let Ok(body) = entry.body() else { continue };
            self.scanned = self.scanned.max(body.seq);
            // Only places commands can name a record (cheap test before parsing the JSON).
            if !body.payload.windows(6).any(|w| w == b"Places") {
                continue;
            }
            if let Ok(changelog::Payload::Command {
                command: Command::AddPlaces { places } | Command::ReducePlaces { places },
            }) = serde_json::from_slice(&body.payload)
            {
                self.by_record.insert(places.id, body.operator);
            }
        }
        self.scanned = self.scanned.max(kiosk.last_seq());
        Ok(())
    }
}

/// See the module docs.
pub struct StoreBackend {
    dir: PathBuf,
    kiosk: Option<Kiosk>,
    session: Option<crate::Session>,
    cache: Option<JournalCache>,
    center: Option<CenterView>,
    center_url: Option<String>,
    last_attempt: Option<(Instant, SyncOutcome)>,
    running: Option<(PushJob, ProgressSink)>,
    push_options: PushOptions,
    quarantine: Vec<QuarantineNote>,
    auto_minutes: u32,
    center_key: Option<String>,
    places_authors: Mutex<PlacesAuthors>,
}

/// GUI settings kept in the data folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GuiSettings {
    auto_sync_minutes: u32,
}

/// File in the data folder holding the GUI settings (`GuiSettings`).
pub const GUI_SETTINGS_FILE: &str = "gui.json";

/// Longest period between automatic pushes the sync screen accepts (a day).
pub const MAX_AUTO_MINUTES: u32 = 24 * 60;

impl std::fmt::Debug for StoreBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreBackend").field("dir", &self.dir).field("kiosk", &self.kiosk).finish_non_exhaustive()
    }
}

impl StoreBackend {
    /// Opens the kiosk in `dir`; a folder without a kiosk gives the first-run set-up.
    pub fn open(dir: &Path) -> Result<Self, BackendError> {
        let kiosk = match Kiosk::open(dir) {
            Ok(kiosk) => Some(kiosk),
            Err(OpenError::NotInitialized { .. }) => None,
            Err(e) => return Err(localized(&e)),
        };
        Ok(Self::with_kiosk(dir, kiosk))
    }

    /// Over a kiosk already open (tests set its clock).
    pub fn from_kiosk(kiosk: Kiosk) -> Self {
        let dir = kiosk.data_dir().to_path_buf();
        Self::with_kiosk(&dir, Some(kiosk))
    }

    fn with_kiosk(dir: &Path, kiosk: Option<Kiosk>) -> Self {
        let mut backend = StoreBackend {
            dir: dir.to_path_buf(),
            kiosk,
            session: None,
            cache: None,
            center: None,
            center_url: None,
            last_attempt: None,
            running: None,
            push_options: PushOptions::default(),
            quarantine: Vec::new(),
            auto_minutes: DEFAULT_AUTO_MINUTES,
            center_key: None,
            places_authors: Mutex::default(),
        };
        backend.reload_center();
        backend.reload_settings();
        backend
    }

    /// Retries and timeouts of pushes started from now on (tests shorten them).
    pub fn set_push_options(&mut self, options: PushOptions) {
        self.push_options = options;
    }

    /// The center URL from `center.json` and the GUI settings; missing or unreadable
    /// files leave the defaults (the sync screen shows what is in use).
    fn reload_settings(&mut self) {
        if let Some(kiosk) = &self.kiosk
            && let Ok(Some(config)) = crate::push::center_config(kiosk)
        {
            self.center_url = config.url;
            self.center_key = Some(config.public_key);
        }
        let settings = std::fs::read(self.dir.join(GUI_SETTINGS_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<GuiSettings>(&bytes).ok());
        if let Some(settings) = settings {
            self.auto_minutes = settings.auto_sync_minutes.min(MAX_AUTO_MINUTES);
        }
    }

    /// The kiosk underneath (`None` before the set-up).
    pub fn kiosk(&self) -> Option<&Kiosk> {
        self.kiosk.as_ref()
    }

    pub fn kiosk_mut(&mut self) -> Option<&mut Kiosk> {
        self.cache = None;
        self.kiosk.as_mut()
    }

    fn reload_center(&mut self) {
        self.center = self.kiosk.as_ref().and_then(|k| {
            let (_, bytes) = k.snapshot().ok()??;
            let json = document_json(&bytes)?;
            let snapshot: changelog::sync::Snapshot = serde_json::from_slice(json).ok()?;
            Some(CenterView {
                at: snapshot.generated_at,
                positions: snapshot.positions.iter().map(|r| (r.id.clone(), r.position)).collect(),
                entries: snapshot.applications.iter().map(rank_entry).collect(),
            })
        });
    }

    fn store(&self) -> Result<&Kiosk, BackendError> {
        self.kiosk.as_ref().ok_or_else(not_set_up)
    }

    fn store_and_session(&mut self) -> Result<(&mut Kiosk, crate::Session), BackendError> {
        let session = self.session.clone().ok_or_else(not_logged_in)?;
        self.cache = None;
        let kiosk = self.kiosk.as_mut().ok_or_else(not_set_up)?;
        Ok((kiosk, session))
    }

    fn execute(&mut self, command: Command) -> Result<crate::Receipt, BackendError> {
        let (kiosk, session) = self.store_and_session()?;
        kiosk.execute(&session, command).map_err(|e| localized(&e))
    }

    fn application(&self, id: &str) -> Result<Application, BackendError> {
        self.store()?.application(id).map_err(|e| localized(&e))?.ok_or_else(|| unknown_application(id))
    }

    fn row(&self, app: &Application) -> JournalRow {
        journal_row(app, self.kiosk.as_ref().and_then(|k| k.state().position(&app.id)))
    }

    fn cache(&mut self) -> Result<&mut JournalCache, BackendError> {
        if self.cache.is_none() {
            let rows: Vec<JournalRow> = self
                .store()?
                .journal(&[])
                .map_err(|e| localized(&e))?
                .into_iter()
                .map(|r| JournalRow {
                    id: r.id,
                    child_name: r.child_name,
                    child_iin: r.child_iin,
                    status: r.status,
                    queue_type: r.queue_type,
                    group_year: r.group_year,
                    right: r.right,
                    registered_at: r.registered_at,
                    position: r.position,
                })
                .collect();
            self.cache = Some(JournalCache::new(rows));
        }
        Ok(self.cache.get_or_insert_with(JournalCache::default))
    }
}

impl Backend for StoreBackend {
    fn needs_setup(&self) -> bool {
        self.kiosk.is_none()
    }

    fn init_kiosk(&mut self, setup: &KioskSetup) -> Result<KioskInfo, BackendError> {
        let params = InitParams {
            district: setup.district.clone(),
            name: setup.kiosk_name.trim().to_owned(),
            kiosk_id: None,
            admin_login: setup.admin_login.trim().to_owned(),
            admin_name: setup.admin_name.trim().to_owned(),
            admin_password: setup.admin_password.clone(),
        };
        Kiosk::init(&self.dir, &params).map_err(|e| localized(&e))?;
        let kiosk = Kiosk::open(&self.dir).map_err(|e| localized(&e))?;
        self.kiosk = Some(kiosk);
        self.cache = None;
        self.places_authors = Mutex::default();
        self.reload_center();
        self.reload_settings();
        self.kiosk_info().ok_or_else(not_set_up)
    }

    fn kiosk_info(&self) -> Option<KioskInfo> {
        self.kiosk.as_ref().map(|k| KioskInfo {
            id: k.identity().kiosk_id.clone(),
            name: k.identity().name.clone(),
            district: k.identity().district.clone(),
        })
    }

    fn key_fingerprint(&self) -> String {
        self.kiosk.as_ref().map(Kiosk::fingerprint).unwrap_or_default()
    }

    fn now(&self) -> Instant {
        self.kiosk.as_ref().map_or_else(crate::system_now, Kiosk::now)
    }

    fn login(&mut self, login: &str, password: &str) -> Result<Session, BackendError> {
        let kiosk = self.store()?;
        let session = kiosk.login(login.trim(), password).map_err(|e| localized(&e))?;
        let gui = Session {
            login: session.login().to_owned(),
            name: session.name().to_owned(),
            role: session.role(),
            kindergartens: session.kindergartens().to_vec(),
        };
        self.session = Some(session);
        Ok(gui)
    }

    fn login_wait_seconds(&self, login: &str) -> u64 {
        self.kiosk.as_ref().map_or(0, |k| crate::operators::login_wait_seconds(k, login))
    }

    fn logout(&mut self) {
        self.session = None;
    }

    fn calendar(&self) -> &'static rules::Calendar {
        self.kiosk.as_ref().map_or_else(rules::Calendar::embedded, |k| k.state().calendar())
    }

    fn kindergartens(&self) -> Vec<Kindergarten> {
        match &self.kiosk {
            Some(k) => k.state().kindergartens().cloned().collect(),
            None => crate::reference::kindergartens().to_vec(),
        }
    }

    fn check_registration(&self, application: &NewApplication) -> Result<Vec<Warning>, BackendError> {
        let kiosk = self.store()?;
        let mut application = application.clone();
        if application.id.is_empty() {
            application.id = "CHECK".into();
        }
        if application.district.is_empty() {
            application.district.clone_from(&kiosk.identity().district);
        }
        let events = kiosk.state().decide(&Command::Register { application }, kiosk.now())?;
        Ok(registration_warnings(&events))
    }

    fn register(&mut self, mut application: NewApplication) -> Result<Receipt, BackendError> {
        if application.district.is_empty() {
            application.district.clone_from(&self.store()?.identity().district);
        }
        application.id = String::new();
        let receipt = self.execute(Command::Register { application })?;
        let warnings = registration_warnings(&receipt.events);
        Ok(Receipt { id: receipt.id, seq: receipt.seq, registered_at: receipt.at, warnings })
    }

    fn act(&mut self, id: &str, action: Action) -> Result<(), BackendError> {
        self.execute(Command::Act { application: id.to_owned(), action })?;
        Ok(())
    }

    fn find(&self, lookup: &Lookup) -> Result<Vec<JournalRow>, BackendError> {
        let kiosk = self.store()?;
        let apps = match lookup {
            Lookup::ChildIin(iin) => kiosk.find_by_iin(iin.trim()).map_err(|e| localized(&e))?,
            Lookup::RegistrationNumber(number) => {
                let number = number.trim();
                match kiosk.application(number).map_err(|e| localized(&e))? {
                    Some(app) => vec![app],
                    None => kiosk.application(&number.to_uppercase()).map_err(|e| localized(&e))?.into_iter().collect(),
                }
            }
            Lookup::DirectionNumber(number) => {
                kiosk.find_by_direction(number.trim()).map_err(|e| localized(&e))?.into_iter().collect()
            }
        };
        Ok(apps.iter().map(|a| self.row(a)).collect())
    }

    fn journal(&mut self, filter: &JournalFilter, range: Range<usize>) -> Result<JournalPage, BackendError> {
        Ok(self.cache()?.page(filter, range))
    }

    fn card(&self, id: &str) -> Result<Card, BackendError> {
        let kiosk = self.store()?;
        let card = kiosk.card(id).map_err(|e| localized(&e))?.ok_or_else(|| unknown_application(id))?;
        let own = kiosk.identity().kiosk_id.clone();
        let acknowledged = kiosk.sync_state().acknowledged_seq;
        let mut history = Vec::new();
        for line in &card.history {
            let at: Instant = line.item.at.parse().unwrap_or(card.application.registered_at);
            for event in &line.item.detail {
                history.push(HistoryEntry {
                    at,
                    who: line.item.operator.clone(),
                    kiosk: line.item.kiosk.clone(),
                    event: event.clone(),
                    synced: line.item.kiosk != own || line.item.seq <= acknowledged,
                });
            }
        }
        let sizes = kiosk.state().queue_index().sizes(&card.application.queue_key());
        Ok(Card {
            local_position: kiosk.state().position(id),
            center_position: self
                .center
                .as_ref()
                .and_then(|c| c.positions.get(id).map(|p| CenterPosition { position: *p, snapshot_at: c.at })),
            queue_size: sizes.extraordinary + sizes.first + sizes.general,
            history,
            application: card.application,
        })
    }

    fn rank_snapshots(&self, id: &str) -> Result<Option<RankSnapshots>, BackendError> {
        let app = self.application(id)?;
        let Some(center) = &self.center else {
            return Ok(None);
        };
        let key = app.queue_key();
        let same_queue = |e: &RankEntry| {
            e.district == key.district && e.queue_type == key.queue_type && e.birth_date.year() == key.group_year
        };
        let before = center.entries.iter().filter(|e| same_queue(e)).cloned().collect();
        let after = self.store()?.state().applications().map(rank_entry).filter(same_queue).collect();
        Ok(Some(RankSnapshots { before_at: center.at, before, after }))
    }

    fn free_choice(&self, id: &str) -> Result<Vec<FreeChoice>, BackendError> {
        Ok(free_choices(self.store()?.state(), &self.application(id)?))
    }

    fn add_places(&mut self, places: &PlacesInput) -> Result<String, BackendError> {
        let receipt = self.execute(Command::AddPlaces { places: new_places(places) })?;
        Ok(receipt.id)
    }

    fn reduce_places(&mut self, places: &PlacesInput) -> Result<String, BackendError> {
        let receipt = self.execute(Command::ReducePlaces { places: new_places(places) })?;
        Ok(receipt.id)
    }

    fn places_table(&self, kindergarten: &str) -> Result<Vec<PlacesRow>, BackendError> {
        let records = self.places(kindergarten)?;
        let kiosk = self.store()?;
        let mut authors = self.places_authors.lock().unwrap_or_else(PoisonError::into_inner);
        authors.catch_up(kiosk)?;
        let names: HashMap<String, String> = kiosk.operators().into_iter().map(|o| (o.login, o.name)).collect();
        let own = &kiosk.identity().kiosk_id;
        Ok(records
            .into_iter()
            .map(|record| {
                let added_by = authors.by_record.get(&record.id).map(|login| AddedBy {
                    login: login.clone(),
                    name: names.get(login).cloned(),
                    kiosk: own.clone(),
                });
                PlacesRow::new(record, kiosk.state(), added_by)
            })
            .collect())
    }

    fn free_slots(&self, kindergarten: &str) -> Result<Vec<FreeSlot>, BackendError> {
        Ok(FreeSlot::of(self.store()?.state(), kindergarten))
    }

    fn places(&self, kindergarten: &str) -> Result<Vec<PlacesRecord>, BackendError> {
        let mut records: Vec<PlacesRecord> = self
            .store()?
            .places()
            .map_err(|e| localized(&e))?
            .into_iter()
            .filter(|p| p.kindergarten == kindergarten)
            .collect();
        records.sort_by_key(|r| std::cmp::Reverse(r.added_at));
        Ok(records)
    }

    fn enrolled(&self, kindergarten: &str) -> Result<Vec<EnrolledChild>, BackendError> {
        Ok(enrolled_children(self.store()?.state(), kindergarten))
    }

    fn sync_status(&self) -> SyncStatus {
        let Some(kiosk) = &self.kiosk else {
            return SyncStatus::default();
        };
        let sync = kiosk.sync_state();
        SyncStatus {
            pending: kiosk.last_seq().saturating_sub(sync.acknowledged_seq),
            last_sync: sync.last_sync_at().and_then(|t| t.parse().ok()),
            last_attempt: self.last_attempt.clone(),
            center_url: self.center_url.clone(),
            snapshot_at: self.center.as_ref().map(|c| c.at).or_else(|| {
                sync.snapshot.as_ref().and_then(|s| s.center_time.as_deref().unwrap_or(&s.received_at).parse().ok())
            }),
            quarantine: self.quarantine.clone(),
            auto_minutes: self.auto_minutes,
            center_key: self.center_key.clone(),
        }
    }

    fn push(&mut self, url: &str, progress: &ProgressSink) -> Result<(), BackendError> {
        let url = url.trim().trim_end_matches('/');
        if url.is_empty() {
            return Err(BackendError::text(
                "SYNC_NO_URL",
                Text::new("Укажите адрес центра", "Орталықтың мекенжайын көрсетіңіз", "Enter the center's address"),
            ));
        }
        if self.running.is_some() {
            return Err(BackendError::text(
                "SYNC_RUNNING",
                Text::new("Синхронизация уже идёт", "Синхрондау жүріп жатыр", "A synchronisation is already running"),
            ));
        }
        let kiosk = self.kiosk.as_mut().ok_or_else(not_set_up)?;
        progress.report(PushPhase::Connecting);
        // The URL the operator typed becomes the one automatic pushes use.
        let started = if self.center_url.as_deref() == Some(url) {
            Ok(())
        } else {
            crate::push::set_center(kiosk, Some(url), None).map(|_| ()).map_err(|e| localized(&e))
        }
        .and_then(|()| PushJob::start(kiosk, url, self.push_options.clone(), progress.clone()));
        match started {
            Ok(job) => {
                self.center_url = Some(url.to_owned());
                self.running = Some((job, progress.clone()));
            }
            Err(error) => {
                self.last_attempt = Some((self.now(), SyncOutcome::Failed(error.clone())));
                progress.report(PushPhase::Failed(error));
            }
        }
        Ok(())
    }

    fn poll_push(&mut self) -> bool {
        let (Some((job, progress)), Some(kiosk)) = (&mut self.running, &mut self.kiosk) else {
            return false;
        };
        let Some(result) = job.poll(kiosk) else {
            return true;
        };
        let progress = progress.clone();
        self.running = None;
        self.cache = None;
        let now = self.now();
        match result {
            Ok(finished) => {
                self.quarantine = finished.quarantined.iter().map(QuarantineNote::from).collect();
                self.reload_center();
                self.last_attempt =
                    Some((now, SyncOutcome::Ok { accepted: finished.sent, snapshot_error: finished.snapshot_error }));
                progress.report(PushPhase::Done { accepted: finished.sent });
            }
            Err(error) => {
                self.last_attempt = Some((now, SyncOutcome::Failed(error.clone())));
                progress.report(PushPhase::Failed(error));
            }
        }
        false
    }

    fn set_center_key(&mut self, key_hex: &str) -> Result<(), BackendError> {
        let (kiosk, session) = self.store_and_session()?;
        if session.role() != Role::Admin {
            return Err(BackendError::text(
                "ADMIN_ONLY",
                Text::new(
                    "Ключ центра задаёт только администратор киоска",
                    "Орталық кілтін тек киоск әкімшісі орнатады",
                    "Only the kiosk administrator sets the center's key",
                ),
            ));
        }
        let config = crate::push::set_center(kiosk, None, Some(key_hex)).map_err(|e| localized(&e))?;
        self.center_key = Some(config.public_key);
        Ok(())
    }

    fn set_auto_sync(&mut self, minutes: u32) -> Result<(), BackendError> {
        if minutes > MAX_AUTO_MINUTES {
            return Err(BackendError::new(
                "SYNC_PERIOD",
                format!("Период автосинхронизации — не больше {MAX_AUTO_MINUTES} минут"),
                format!("Автосинхрондау кезеңі — {MAX_AUTO_MINUTES} минуттан аспайды"),
                format!("The automatic sync period is at most {MAX_AUTO_MINUTES} minutes"),
            ));
        }
        let path = self.dir.join(GUI_SETTINGS_FILE);
        let bytes = serde_json::to_vec_pretty(&GuiSettings { auto_sync_minutes: minutes }).unwrap_or_default();
        crate::store::write_atomically(&path, &bytes).map_err(|e| {
            let path = path.display();
            BackendError::new(
                "SETTINGS_WRITE",
                format!("Не удалось сохранить настройки {path}: {e}"),
                format!("{path} баптауларын сақтау мүмкін болмады: {e}"),
                format!("Could not save the settings {path}: {e}"),
            )
        })?;
        self.auto_minutes = minutes;
        Ok(())
    }

    fn export_bundle(&mut self, path: &Path) -> Result<ExportReport, BackendError> {
        let report = self.store()?.export(path).map_err(|e| localized(&e))?;
        Ok(ExportReport { entries: report.entries as u64, path: report.path.display().to_string() })
    }

    fn import_snapshot(&mut self, path: &Path) -> Result<ImportReport, BackendError> {
        self.cache = None;
        let kiosk = self.kiosk.as_mut().ok_or_else(not_set_up)?;
        let report = crate::push::import_snapshot(kiosk, path).map_err(|e| localized(&e))?;
        self.reload_center();
        Ok(ImportReport { snapshot_at: report.generated_at, applications: report.applications as u64 })
    }

    fn operators(&self) -> Result<Vec<Operator>, BackendError> {
        Ok(self
            .store()?
            .operators()
            .into_iter()
            .map(|o| Operator {
                login: o.login,
                name: o.name,
                role: o.role,
                kindergartens: o.kindergartens,
                active: o.active,
            })
            .collect())
    }

    fn add_operator(&mut self, operator: &NewOperator) -> Result<(), BackendError> {
        let Some(role) = operator.role else {
            return Err(BackendError::text(
                "OPERATOR_ROLE",
                Text::new("Выберите роль", "Рөлді таңдаңыз", "Choose a role"),
            ));
        };
        let new = crate::NewOperator {
            login: operator.login.trim().to_owned(),
            name: operator.name.trim().to_owned(),
            role,
            kindergartens: if role == Role::Kindergarten { operator.kindergartens.clone() } else { Vec::new() },
        };
        let (kiosk, session) = self.store_and_session()?;
        kiosk.add_operator(&session, &new, &operator.password).map_err(|e| localized(&e))?;
        Ok(())
    }

    fn set_operator_active(&mut self, login: &str, active: bool) -> Result<(), BackendError> {
        if active {
            return Err(BackendError::text(
                "OPERATOR_ENABLE",
                Text::new(
                    "Отключённую учётную запись нельзя включить снова: создайте новую",
                    "Өшірілген есептік жазбаны қайта қосуға болмайды: жаңасын жасаңыз",
                    "A disabled account cannot be enabled again: create a new one",
                ),
            ));
        }
        let (kiosk, session) = self.store_and_session()?;
        kiosk.disable_operator(&session, login).map_err(|e| localized(&e))?;
        Ok(())
    }

    fn stats(&self) -> Result<Stats, BackendError> {
        let kiosk = self.store()?;
        let district = kiosk.identity().district.clone();
        let state = kiosk.state();
        let mut weeks: BTreeMap<Date, (u32, u32)> = BTreeMap::new();
        for app in state.applications().filter(|a| a.district == district) {
            if let Some(v) = &app.voucher {
                weeks.entry(week_start(v.issued_at.local_date())).or_default().0 += 1;
            }
            if let Some(at) = app.direction.as_ref().and_then(|d| d.enrolled_at) {
                weeks.entry(week_start(at.local_date())).or_default().1 += 1;
            }
        }
        Ok(stats(state, |d| d == district, weeks))
    }
}

/// A places record as the form gives it; the kiosk assigns its id.
fn new_places(places: &PlacesInput) -> NewPlaces {
    NewPlaces {
        id: String::new(),
        kindergarten: places.kindergarten.clone(),
        language: places.language,
        group_year: places.group_year,
        count: places.count,
    }
}
