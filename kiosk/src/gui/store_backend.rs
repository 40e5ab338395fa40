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
//!
//! Its parts: the center's snapshot as the GUI reads it (`center_view`), who added each
//! places record (`places_authors`), the GUI's settings file (`settings`), the push in the
//! background (`sync`), and the errors it gives of its own (`errors`).

mod center_view;
mod errors;
mod places_authors;
mod settings;
mod sync;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use rules::command::{Action, Command};
use rules::model::{Application, Kindergarten, NewApplication, NewPlaces, PlacesRecord, Warning};
use rules::time::{Date, Instant};
use sync_client::PushOptions;

use super::backend::{
    AddedBy, Backend, BackendError, Card, CenterPosition, DEFAULT_AUTO_MINUTES, EnrolledChild, ExportReport,
    FreeChoice, FreeSlot, HistoryEntry, ImportReport, JournalFilter, JournalPage, JournalRow, KioskInfo, KioskSetup,
    Lookup, NewOperator, Operator, PlacesInput, PlacesRow, ProgressSink, QuarantineNote, RankSnapshots, Receipt,
    Session, Stats, SyncOutcome, SyncStatus,
};
use super::push_worker::PushJob;
use super::state_views::{
    JournalCache, enrolled_children, free_choices, journal_row, not_logged_in, registration_warnings, stats, week_start,
};
use crate::errors::GuiError;
use crate::{InitParams, Kiosk, OpenError};
use center_view::CenterView;
pub use errors::localized;
use errors::{not_set_up, unknown_application};
use places_authors::PlacesAuthors;
pub use settings::{GUI_SETTINGS_FILE, MAX_AUTO_MINUTES};

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
        if let Some(minutes) = settings::saved_auto_minutes(&self.dir) {
            self.auto_minutes = minutes;
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
        self.center = self.kiosk.as_ref().and_then(CenterView::of);
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
        Ok(Some(center.rank_snapshots(&app, self.store()?.state())))
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
        self.current_sync_status()
    }

    fn push(&mut self, url: &str, progress: &ProgressSink) -> Result<(), BackendError> {
        self.start_push(url, progress)
    }

    fn poll_push(&mut self) -> bool {
        self.poll_running_push()
    }

    fn set_center_key(&mut self, key_hex: &str) -> Result<(), BackendError> {
        self.set_center_key_as_admin(key_hex)
    }

    fn set_auto_sync(&mut self, minutes: u32) -> Result<(), BackendError> {
        settings::save_auto_minutes(&self.dir, minutes)?;
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
            return Err(BackendError::from(GuiError::OperatorRole));
        };
        let new = crate::NewOperator {
            login: operator.login.trim().to_owned(),
            name: operator.name.trim().to_owned(),
            role,
            kindergartens: if rules::authz::accounts::binds_kindergartens(role) {
                operator.kindergartens.clone()
            } else {
                Vec::new()
            },
        };
        let (kiosk, session) = self.store_and_session()?;
        kiosk.add_operator(&session, &new, &operator.password).map_err(|e| localized(&e))?;
        Ok(())
    }

    fn set_operator_active(&mut self, login: &str, active: bool) -> Result<(), BackendError> {
        if active {
            return Err(BackendError::from(GuiError::OperatorEnable));
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
