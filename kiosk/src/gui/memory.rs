//! An in-memory [`Backend`] over `rules::State`, for tests, the demo and GUI development.
//!
//! Every change runs through the real rules (`State::decide`, then `State::evolve`) and is
//! recorded in an in-memory log with a sequence number, operator and kiosk, so that the
//! history, the pending count and the export look like the real kiosk's. Nothing is
//! persisted. A push to a URL starting with `memory:` is accepted by a simulated center;
//! any other URL fails with a clear error, because this backend has no network. Automatic
//! pushes are off until set (the simulated center answers at once, so tests stay exact).

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;

use chrono::{DateTime, Datelike, Duration};
use rules::calendar::Calendar;
use rules::command::{Action, Command, Event, Role};
use rules::i18n::Text;
use rules::iin::check_digit;
use rules::model::{
    Applicant, Application, Kindergarten, Kinship, NewApplication, NewPlaces, PlacesRecord, QueueType, Residence,
    ResidenceKind, RightClass, Status, Warning,
};
use rules::queue::RankEntry;
use rules::state::State;
use rules::time::{Date, Instant};
use serde_json::Value;

use super::backend::{
    AddedBy, Backend, BackendError, Card, CenterPosition, EnrolledChild, ExportReport, FreeChoice, FreeSlot,
    HistoryEntry, ImportReport, JournalFilter, JournalPage, JournalRow, KioskInfo, KioskSetup, Lookup, NewOperator,
    Operator, PlacesInput, PlacesRow, ProgressSink, PushPhase, PushStage, QuarantineNote, RankSnapshots, Receipt,
    Session, Stats, SyncOutcome, SyncStatus,
};
use super::reference;
use super::state_views::{
    JournalCache, enrolled_children, free_choices, journal_row, not_logged_in, rank_entry, registration_warnings,
    stats, week_start,
};

const CENTER: &str = "center";

/// The instant of the demo's last center snapshot (a distribution round).
pub const DEMO_SNAPSHOT_AT: &str = "2026-11-20T18:00:00+05:00";
/// The demo kiosk clock starts here.
pub const DEMO_NOW: &str = "2026-11-24T10:00:00+05:00";

fn instant(text: &str) -> Instant {
    text.parse().unwrap_or_else(|_| Instant(DateTime::UNIX_EPOCH.fixed_offset()))
}

fn plus_minutes(at: Instant, minutes: i64) -> Instant {
    Instant(at.0 + Duration::minutes(minutes))
}

#[derive(Debug, Clone)]
struct LogEntry {
    /// This kiosk's sequence number; `None` for what came from the center.
    seq: Option<u64>,
    at: Instant,
    who: String,
    kiosk: String,
    event: Event,
}

#[derive(Debug, Clone)]
struct User {
    operator: Operator,
    password: String,
}

#[derive(Debug, Clone)]
struct Snapshot {
    at: Instant,
    positions: HashMap<String, u32>,
    entries: Vec<RankEntry>,
}

#[derive(Debug, Clone, Copy)]
struct Clock {
    base: Instant,
    /// When set, the clock runs from `base` in real time (the demo); otherwise it stands still (tests).
    started: Option<std::time::Instant>,
}

impl Clock {
    fn now(&self) -> Instant {
        match self.started {
            Some(start) => {
                let elapsed = Duration::from_std(start.elapsed()).unwrap_or_default();
                Instant(self.base.0 + elapsed)
            }
            None => self.base,
        }
    }
}

/// See the module docs.
#[derive(Debug)]
pub struct MemoryBackend {
    state: State,
    log: Vec<LogEntry>,
    by_application: HashMap<String, Vec<usize>>,
    kiosk: Option<KioskInfo>,
    users: Vec<User>,
    session: Option<Session>,
    clock: Clock,
    next_seq: u64,
    synced_seq: u64,
    last_sync: Option<Instant>,
    last_attempt: Option<(Instant, SyncOutcome)>,
    center_url: Option<String>,
    auto_minutes: u32,
    center_key: Option<String>,
    snapshot: Option<Snapshot>,
    quarantine: Vec<QuarantineNote>,
    next_application: u32,
    next_places: u32,
    cache: Option<JournalCache>,
}

fn demo_kindergartens() -> Vec<Kindergarten> {
    serde_json::from_str(include_str!("../../../data/demo/kindergartens.json")).unwrap_or_default()
}

fn err(code: &str, ru: impl Into<String>, kk: impl Into<String>, en: impl Into<String>) -> BackendError {
    BackendError::new(code, ru, kk, en)
}

fn not_permitted() -> BackendError {
    BackendError::text(
        "NOT_PERMITTED",
        Text::new(
            "Это действие недоступно для вашей роли",
            "Бұл әрекет сіздің рөліңізге қолжетімсіз",
            "Your role may not do this",
        ),
    )
}

fn io_error(path: &Path, error: &std::io::Error) -> BackendError {
    let path = path.display();
    err(
        "IO_ERROR",
        format!("Не удалось открыть или записать файл {path}: {error}"),
        format!("{path} файлын ашу немесе жазу мүмкін болмады: {error}"),
        format!("Could not open or write {path}: {error}"),
    )
}

/// A valid IIN for a child born on `birth` (serials are tried from `serial` on).
pub fn make_iin(birth: Date, male: bool, serial: u32) -> String {
    let year = birth.year();
    let century = match (year / 100, male) {
        (18, true) => 1,
        (18, false) => 2,
        (19, true) => 3,
        (19, false) => 4,
        (_, true) => 5,
        (_, false) => 6,
    };
    let date = format!("{:02}{:02}{:02}", year % 100, birth.0.month(), birth.0.day());
    let mut serial = serial % 10_000;
    loop {
        let first = format!("{date}{century}{serial:04}");
        let digits: Vec<u32> = first.bytes().map(|b| u32::from(b - b'0')).collect();
        if let Some(check) = check_digit(&digits) {
            return format!("{first}{check}");
        }
        serial = (serial + 1) % 10_000;
    }
}

const GIVEN_M: [&str; 8] = ["Әлихан", "Нұрсұлтан", "Ерасыл", "Арсен", "Максим", "Іскандер", "Данияр", "Тимур"];
const GIVEN_F: [&str; 8] = ["Әйгерім", "Аружан", "Ғазиза", "Мария", "Өмірзая", "Ұлжан", "Аяулым", "Софья"];
const SURNAMES: [&str; 8] = ["Қасымов", "Сейітов", "Жұмабаев", "Иванов", "Нұрланов", "Оспанов", "Әбенов", "Петров"];

fn child_name(i: usize, male: bool) -> String {
    let surname = SURNAMES[i % SURNAMES.len()];
    if male {
        format!("{surname} {}", GIVEN_M[(i / 8) % GIVEN_M.len()])
    } else {
        format!("{surname}а {}", GIVEN_F[(i / 8) % GIVEN_F.len()])
    }
}

impl MemoryBackend {
    /// A kiosk before its first-run set-up: no district, no users; the demo kindergartens.
    pub fn empty() -> Self {
        MemoryBackend {
            state: State::new(Calendar::embedded(), demo_kindergartens()),
            log: Vec::new(),
            by_application: HashMap::new(),
            kiosk: None,
            users: Vec::new(),
            session: None,
            clock: Clock { base: instant(DEMO_NOW), started: None },
            next_seq: 1,
            synced_seq: 0,
            last_sync: None,
            last_attempt: None,
            center_url: None,
            auto_minutes: 0,
            center_key: None,
            snapshot: None,
            quarantine: Vec::new(),
            next_application: 1,
            next_places: 1,
            cache: None,
        }
    }

    fn with_demo_users() -> Self {
        let mut backend = MemoryBackend::empty();
        backend.kiosk = Some(KioskInfo {
            id: "KOK-01".into(),
            name: "Отдел образования г. Кокшетау, окно 1".into(),
            district: "KOK".into(),
        });
        let user = |login: &str, name: &str, role: Role, kindergartens: &[&str]| User {
            operator: Operator {
                login: login.into(),
                name: name.into(),
                role,
                kindergartens: kindergartens.iter().map(|k| (*k).to_owned()).collect(),
                active: true,
            },
            password: login.into(),
        };
        backend.users = vec![
            user("admin", "Сәрсенова Гүлнар", Role::Admin, &[]),
            user("operator", "Қасымова Айгүл", Role::Operator, &[]),
            user("ddo", "Ержанова Динара", Role::Kindergarten, &["KG-KOK-01", "KG-KOK-02", "KG-KOK-03"]),
            user("reviewer", "Бекова Әсел", Role::Reviewer, &[]),
        ];
        backend
    }

    /// The demo: `data/demo` (300 applications, 25 places records) up to a center snapshot
    /// on 20 Nov 2026 with a distribution round, then some local work at this kiosk
    /// (confirmations, choices, enrollments and new registrations) not yet synced.
    /// Users (login = password): `admin`, `operator`, `ddo` (kindergarten staff), `reviewer`.
    pub fn demo() -> Self {
        let mut backend = MemoryBackend::with_demo_users();
        let mut items: Vec<(Instant, Command)> = Vec::new();
        let mut per_year: BTreeMap<(String, i32), u32> = BTreeMap::new();
        for line in include_str!("../../../data/demo/applications.jsonl").lines() {
            let Ok(value) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            let Some(at) = value["at"].as_str().and_then(|t| t.parse::<Instant>().ok()) else {
                continue;
            };
            let Ok(mut application) = serde_json::from_value::<NewApplication>(value["application"].clone()) else {
                continue;
            };
            let n = per_year.entry((application.district.clone(), at.local_date().year())).or_default();
            *n += 1;
            application.id = format!("{}.{}.{:04}", application.district, at.local_date().year(), n);
            items.push((at, Command::Register { application }));
        }
        for (i, line) in include_str!("../../../data/demo/places.jsonl").lines().enumerate() {
            let Ok(value) = serde_json::from_str::<Value>(line) else {
                continue;
            };
            let Some(at) = value["at"].as_str().and_then(|t| t.parse::<Instant>().ok()) else {
                continue;
            };
            let mut places = value["places"].clone();
            places["id"] = Value::String(format!("P.{:03}", i + 1));
            let Ok(places) = serde_json::from_value::<NewPlaces>(places) else {
                continue;
            };
            items.push((at, Command::AddPlaces { places }));
        }
        items.sort_by_key(|(at, _)| *at);
        for (at, command) in items {
            let local = matches!(&command, Command::Register { application } if application.district == "KOK");
            if local {
                backend.record(&command, at, "operator", true).ok();
            } else {
                backend.record_center(&command, at);
            }
        }
        let snapshot_at = instant(DEMO_SNAPSHOT_AT);
        for district in ["KOK", "AKK", "ZER"] {
            backend.record_center(&Command::Distribute { district: district.into() }, snapshot_at);
        }
        backend.synced_seq = backend.next_seq - 1;
        backend.take_snapshot(snapshot_at);
        backend.last_sync = Some(plus_minutes(snapshot_at, 5));
        backend.last_attempt =
            Some((plus_minutes(snapshot_at, 5), SyncOutcome::Ok { accepted: 4, snapshot_error: None }));
        backend.center_url = Some("memory://center".into());
        // A stand-in key (RFC 8032 test vector 1): the simulated center signs nothing.
        backend.center_key = Some("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a".into());
        backend.demo_local_work();
        // As the center reports a gap in a kiosk's stream (its detail is English).
        backend.quarantine.push(QuarantineNote::from(&changelog::sync::QuarantineNote {
            kiosk: "KOK-01".into(),
            seq: 5,
            code: "SEQUENCE_GAP".into(),
            reason: "expected sequence 3, found 5".into(),
            received_at: plus_minutes(snapshot_at, 5),
            entry_hash: Some("5f0c2a9be17d4e83a6b1c0d9f2e47a18b3c5d6e7f8091a2b3c4d5e6f708192a3".into()),
        }));
        backend.clock = Clock { base: instant(DEMO_NOW), started: None };
        backend.cache = None;
        backend
    }

    /// Local work after the snapshot (Monday 23 Nov 2026), not yet sent to the center.
    fn demo_local_work(&mut self) {
        let monday = instant("2026-11-23T10:00:00+05:00");
        let issued: Vec<String> = self
            .state
            .applications()
            .filter(|a| a.district == "KOK" && a.status == Status::VoucherIssued)
            .map(|a| a.id.clone())
            .collect();
        let mut minute = 0;
        for (i, id) in issued.iter().enumerate() {
            if i % 3 == 2 {
                continue; // leave some to confirm on screen
            }
            minute += 3;
            let confirm = Command::Act { application: id.clone(), action: Action::ConfirmVoucher };
            self.record(&confirm, plus_minutes(monday, minute), "operator", false).ok();
            if i % 3 == 0 {
                let choices = self.free_choice(id).unwrap_or_default();
                let pick = choices
                    .iter()
                    .find(|c| ["KG-KOK-01", "KG-KOK-02", "KG-KOK-03"].contains(&c.kindergarten.id.as_str()))
                    .or_else(|| choices.first());
                if let Some(choice) = pick {
                    let choose = Command::Act {
                        application: id.clone(),
                        action: Action::ChooseKindergarten {
                            kindergarten: choice.kindergarten.id.clone(),
                            language: choice.language,
                        },
                    };
                    self.record(&choose, plus_minutes(monday, minute + 60), "operator", false).ok();
                }
            }
        }
        let directed: Vec<String> = self
            .state
            .applications()
            .filter(|a| a.status == Status::DirectionIssued)
            .filter(|a| a.direction.as_ref().is_some_and(|d| d.kindergarten == "KG-KOK-01"))
            .map(|a| a.id.clone())
            .collect();
        for id in directed.iter().take(2) {
            let accept = Command::Act { application: id.clone(), action: Action::AcceptChild };
            self.record(&accept, instant("2026-11-23T16:00:00+05:00"), "ddo", false).ok();
        }
        // Newcomers with a right: they move others' positions (see "why did my position change").
        for (i, right) in [RightClass::First, RightClass::Extraordinary, RightClass::None].into_iter().enumerate() {
            let birth =
                Date::from_ymd(2023, 3, 10 + u32::try_from(i).unwrap_or(0)).unwrap_or(Date(chrono::NaiveDate::MIN));
            let mut application = synthetic_application(i + 7, birth, "KOK", right);
            application.id = String::new();
            let id = format!("KOK-01.2026.{:04}", self.next_application);
            self.next_application += 1;
            application.id = id;
            let at = plus_minutes(monday, 200 + 7 * i64::try_from(i).unwrap_or(0));
            self.record(&Command::Register { application }, at, "operator", false).ok();
        }
    }

    /// `n` synthetic applications (for the 50,000-row journal benchmark), with the demo users.
    pub fn synthetic(n: usize) -> Self {
        let mut backend = MemoryBackend::with_demo_users();
        let start = instant("2021-01-04T09:00:00+05:00");
        let span_minutes: i64 = 5 * 365 * 24 * 60;
        let step = span_minutes / i64::try_from(n.max(1)).unwrap_or(1);
        for i in 0..n {
            let at = plus_minutes(start, step * i64::try_from(i).unwrap_or(0) + 1);
            let year_back = i64::try_from(i % 5).unwrap_or(0);
            let birth_year = (at.local_date().year() - 1 - i32::try_from(year_back % 2).unwrap_or(0)).clamp(2020, 2025);
            let birth = Date::from_ymd(
                birth_year,
                u32::try_from(i % 12).unwrap_or(0) + 1,
                u32::try_from(i % 28).unwrap_or(0) + 1,
            )
            .unwrap_or(Date(chrono::NaiveDate::MIN));
            let right = match i % 20 {
                0 => RightClass::Extraordinary,
                1..=4 => RightClass::First,
                _ => RightClass::None,
            };
            let district = ["KOK", "AKK", "ZER"][i % 3];
            let mut application = synthetic_application(i, birth, district, right);
            application.id = format!("{district}.{}.{:06}", at.local_date().year(), i + 1);
            let command = Command::Register { application };
            if let Ok(events) = backend.state.execute(&command, at) {
                for event in events {
                    backend.push_log(None, at, CENTER, CENTER, event);
                }
            }
        }
        backend.cache = None;
        backend
    }

    /// Starts the clock running in real time from `now` (the demo window).
    #[must_use]
    pub fn with_running_clock(mut self) -> Self {
        self.clock.started = Some(std::time::Instant::now());
        self
    }

    /// Sets the (standing) clock, for tests.
    pub fn set_now(&mut self, now: Instant) {
        self.clock = Clock { base: now, started: None };
    }

    fn push_log(&mut self, seq: Option<u64>, at: Instant, who: &str, kiosk: &str, event: Event) {
        let index = self.log.len();
        if let Some(id) = event.application_id() {
            self.by_application.entry(id.to_owned()).or_default().push(index);
        }
        self.log.push(LogEntry { seq, at, who: who.to_owned(), kiosk: kiosk.to_owned(), event });
    }

    /// Decides and applies a command as this kiosk's own entry (`synced` for demo history).
    fn record(&mut self, command: &Command, at: Instant, who: &str, synced: bool) -> Result<Vec<Event>, BackendError> {
        let events = self.state.decide(command, at)?;
        let kiosk = self.kiosk.as_ref().map_or_else(String::new, |k| k.id.clone());
        let mut last_seq = 0;
        for event in &events {
            last_seq = self.next_seq;
            self.next_seq += 1;
            self.state.evolve(event);
            self.push_log(Some(last_seq), at, who, &kiosk, event.clone());
        }
        if synced {
            self.synced_seq = last_seq.max(self.synced_seq);
        }
        self.cache = None;
        Ok(events)
    }

    /// Applies what the center decided (other kiosks, distribution rounds).
    fn record_center(&mut self, command: &Command, at: Instant) {
        if let Ok(events) = self.state.decide(command, at) {
            for event in events {
                self.state.evolve(&event);
                self.push_log(None, at, CENTER, CENTER, event);
            }
        }
        self.cache = None;
    }

    fn take_snapshot(&mut self, at: Instant) {
        let positions = self
            .state
            .applications()
            .filter(|a| a.status == Status::Queued)
            .filter_map(|a| self.state.position(&a.id).map(|p| (a.id.clone(), p)))
            .collect();
        let entries = self.state.applications().map(rank_entry).collect();
        self.snapshot = Some(Snapshot { at, positions, entries });
    }

    fn session(&self) -> Result<&Session, BackendError> {
        self.session.as_ref().ok_or_else(not_logged_in)
    }

    fn who(&self) -> String {
        self.session.as_ref().map_or_else(String::new, |s| s.login.clone())
    }

    fn row(&self, app: &Application) -> JournalRow {
        journal_row(app, self.state.position(&app.id))
    }

    fn cache(&mut self) -> &mut JournalCache {
        if self.cache.is_none() {
            self.cache = Some(JournalCache::new(self.state.applications().map(|a| self.row(a)).collect()));
        }
        self.cache.get_or_insert_with(JournalCache::default)
    }

    fn application(&self, id: &str) -> Result<&Application, BackendError> {
        self.state
            .application(id)
            .ok_or_else(|| BackendError::from(rules::error::CommandError::UnknownApplication { id: id.to_owned() }))
    }

    /// `AddPlaces` or (`reduce`) `ReducePlaces` as the logged-in staff member, numbered here
    /// as the kiosk numbers it; the rules decide (free places, counts) as they do at the kiosk.
    fn places_command(&mut self, places: &PlacesInput, reduce: bool) -> Result<String, BackendError> {
        let session = self.session()?.clone();
        if session.role != Role::Kindergarten || !session.kindergartens.contains(&places.kindergarten) {
            return Err(not_permitted());
        }
        let kiosk = self.kiosk.as_ref().map_or_else(String::new, |k| k.id.clone());
        let id = format!("{kiosk}.P{:04}", self.next_places);
        let record = NewPlaces {
            id: id.clone(),
            kindergarten: places.kindergarten.clone(),
            language: places.language,
            group_year: places.group_year,
            count: places.count,
        };
        let command =
            if reduce { Command::ReducePlaces { places: record } } else { Command::AddPlaces { places: record } };
        let now = self.now();
        self.record(&command, now, &session.login, false)?;
        self.next_places += 1;
        Ok(id)
    }
}

fn synthetic_application(i: usize, birth: Date, district: &str, right: RightClass) -> NewApplication {
    let male = i.is_multiple_of(2);
    let serial = u32::try_from((i / 10) % 10_000).unwrap_or(0);
    let parent_birth = Date::from_ymd(1985 + i32::try_from(i % 15).unwrap_or(0), 5, 17).unwrap_or(birth);
    let category = match right {
        RightClass::Extraordinary => Some("MILITARY".to_owned()),
        RightClass::First => Some("LARGE_FAMILY".to_owned()),
        RightClass::None => None,
    };
    NewApplication {
        id: String::new(),
        district: district.to_owned(),
        queue_type: QueueType::General,
        child_iin: make_iin(birth, male, serial),
        child_name: child_name(i, male),
        birth_date: birth,
        applicant: Applicant {
            iin: make_iin(parent_birth, false, serial),
            name: format!("{}а Гүлмира", SURNAMES[i % SURNAMES.len()]),
            kinship: Kinship::Mother,
            phone: format!("+7 701 {:03} {:02} {:02}", i % 1000, i % 100, (i / 100) % 100),
            email: None,
        },
        residence: Residence {
            kind: ResidenceKind::Permanent, address: "г. Кокшетау, ул. Абая, 1".into()
        },
        non_resident: false,
        non_resident_documents: Vec::new(),
        right,
        right_document: category.as_ref().map(|_| "Справка № 1".to_owned()),
        right_category: category,
    }
}

impl Backend for MemoryBackend {
    fn needs_setup(&self) -> bool {
        self.kiosk.is_none() || self.users.is_empty()
    }

    fn init_kiosk(&mut self, setup: &KioskSetup) -> Result<KioskInfo, BackendError> {
        if !reference::districts().iter().any(|d| d.code == setup.district) {
            return Err(err("SETUP_DISTRICT", "Выберите район", "Ауданды таңдаңыз", "Choose a district"));
        }
        if setup.kiosk_name.trim().is_empty()
            || setup.admin_login.trim().is_empty()
            || setup.admin_name.trim().is_empty()
        {
            return Err(err(
                "SETUP_EMPTY",
                "Заполните название киоска, логин и ФИО администратора",
                "Киоск атауын, әкімшінің логині мен аты-жөнін толтырыңыз",
                "Fill in the kiosk name and the administrator's login and name",
            ));
        }
        if setup.admin_password.chars().count() < 4 {
            return Err(err(
                "PASSWORD_SHORT",
                "Пароль должен быть не короче 4 символов",
                "Құпиясөз кемінде 4 таңбадан тұруы керек",
                "The password must be at least 4 characters",
            ));
        }
        let info = KioskInfo {
            id: format!("{}-01", setup.district),
            name: setup.kiosk_name.trim().to_owned(),
            district: setup.district.clone(),
        };
        self.kiosk = Some(info.clone());
        self.users.push(User {
            operator: Operator {
                login: setup.admin_login.trim().to_owned(),
                name: setup.admin_name.trim().to_owned(),
                role: Role::Admin,
                kindergartens: Vec::new(),
                active: true,
            },
            password: setup.admin_password.clone(),
        });
        Ok(info)
    }

    fn kiosk_info(&self) -> Option<KioskInfo> {
        self.kiosk.clone()
    }

    fn key_fingerprint(&self) -> String {
        // FNV-1a over the kiosk id: a stand-in; the real kiosk shows its ed25519 key's fingerprint.
        let id = self.kiosk.as_ref().map_or("", |k| k.id.as_str());
        let mut parts = Vec::new();
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for round in 0..4u8 {
            for byte in id.bytes().chain([round]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
            parts.push(format!("{:04x}", hash & 0xffff));
            parts.push(format!("{:04x}", (hash >> 16) & 0xffff));
        }
        format!("ed25519 {}", parts.join(":"))
    }

    fn now(&self) -> Instant {
        self.clock.now()
    }

    fn login(&mut self, login: &str, password: &str) -> Result<Session, BackendError> {
        let user = self.users.iter().find(|u| u.operator.login == login.trim() && u.password == password).ok_or_else(
            || err("AUTH_FAILED", "Неверный логин или пароль", "Логин немесе құпиясөз қате", "Wrong login or password"),
        )?;
        if !user.operator.active {
            return Err(err(
                "AUTH_DISABLED",
                "Учётная запись отключена администратором",
                "Есептік жазбаны әкімші өшірген",
                "The administrator has disabled this account",
            ));
        }
        let session = Session {
            login: user.operator.login.clone(),
            name: user.operator.name.clone(),
            role: user.operator.role,
            kindergartens: user.operator.kindergartens.clone(),
        };
        self.session = Some(session.clone());
        Ok(session)
    }

    fn logout(&mut self) {
        self.session = None;
    }

    fn kindergartens(&self) -> Vec<Kindergarten> {
        self.state.kindergartens().cloned().collect()
    }

    fn check_registration(&self, application: &NewApplication) -> Result<Vec<Warning>, BackendError> {
        let mut application = application.clone();
        if application.id.is_empty() {
            application.id = "CHECK".into();
        }
        let events = self.state.decide(&Command::Register { application }, self.now())?;
        Ok(registration_warnings(&events))
    }

    fn register(&mut self, mut application: NewApplication) -> Result<Receipt, BackendError> {
        let session = self.session()?;
        if session.role != Role::Operator {
            return Err(not_permitted());
        }
        let kiosk = self.kiosk.clone().ok_or_else(not_logged_in)?;
        let now = self.now();
        if application.district.is_empty() {
            application.district.clone_from(&kiosk.district);
        }
        application.id = format!("{}.{}.{:04}", kiosk.id, now.local_date().year(), self.next_application);
        let id = application.id.clone();
        let who = self.who();
        let events = self.record(&Command::Register { application }, now, &who, false)?;
        self.next_application += 1;
        let warnings = registration_warnings(&events);
        Ok(Receipt { id, seq: self.next_seq - 1, registered_at: now, warnings })
    }

    fn act(&mut self, id: &str, action: Action) -> Result<(), BackendError> {
        let session = self.session()?.clone();
        if session.role != action.kind().role() {
            return Err(not_permitted());
        }
        if session.role == Role::Kindergarten {
            let app = self.application(id)?;
            let ours = app.direction.as_ref().is_some_and(|d| session.kindergartens.contains(&d.kindergarten));
            if !ours {
                return Err(not_permitted());
            }
        }
        let now = self.now();
        self.record(&Command::Act { application: id.to_owned(), action }, now, &session.login, false)?;
        Ok(())
    }

    fn find(&self, lookup: &Lookup) -> Result<Vec<JournalRow>, BackendError> {
        let rows = match lookup {
            Lookup::ChildIin(iin) => {
                let iin = iin.trim();
                self.state.applications().filter(|a| a.child.iin == iin).map(|a| self.row(a)).collect()
            }
            Lookup::RegistrationNumber(number) => {
                let number = number.trim();
                self.state.applications().filter(|a| a.id.eq_ignore_ascii_case(number)).map(|a| self.row(a)).collect()
            }
            Lookup::DirectionNumber(number) => {
                let number = number.trim();
                self.state
                    .applications()
                    .filter(|a| a.direction.as_ref().is_some_and(|d| d.number.eq_ignore_ascii_case(number)))
                    .map(|a| self.row(a))
                    .collect()
            }
        };
        Ok(rows)
    }

    fn journal(&mut self, filter: &JournalFilter, range: Range<usize>) -> Result<JournalPage, BackendError> {
        Ok(self.cache().page(filter, range))
    }

    fn card(&self, id: &str) -> Result<Card, BackendError> {
        let application = self.application(id)?.clone();
        let history = self
            .by_application
            .get(id)
            .map(|indexes| {
                indexes
                    .iter()
                    .map(|i| {
                        let entry = &self.log[*i];
                        HistoryEntry {
                            at: entry.at,
                            who: entry.who.clone(),
                            kiosk: entry.kiosk.clone(),
                            event: entry.event.clone(),
                            synced: entry.seq.is_none_or(|s| s <= self.synced_seq),
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        let sizes = self.state.queue_index().sizes(&application.queue_key());
        Ok(Card {
            local_position: self.state.position(id),
            center_position: self
                .snapshot
                .as_ref()
                .and_then(|s| s.positions.get(id).map(|p| CenterPosition { position: *p, snapshot_at: s.at })),
            queue_size: sizes.extraordinary + sizes.first + sizes.general,
            history,
            application,
        })
    }

    fn rank_snapshots(&self, id: &str) -> Result<Option<RankSnapshots>, BackendError> {
        let app = self.application(id)?;
        let Some(snapshot) = &self.snapshot else {
            return Ok(None);
        };
        let key = app.queue_key();
        let same_queue = |e: &RankEntry| {
            e.district == key.district && e.queue_type == key.queue_type && e.birth_date.year() == key.group_year
        };
        let before = snapshot.entries.iter().filter(|e| same_queue(e)).cloned().collect();
        let after = self.state.applications().map(rank_entry).filter(same_queue).collect();
        Ok(Some(RankSnapshots { before_at: snapshot.at, before, after }))
    }

    fn free_choice(&self, id: &str) -> Result<Vec<FreeChoice>, BackendError> {
        Ok(free_choices(&self.state, self.application(id)?))
    }

    fn add_places(&mut self, places: &PlacesInput) -> Result<String, BackendError> {
        self.places_command(places, false)
    }

    fn reduce_places(&mut self, places: &PlacesInput) -> Result<String, BackendError> {
        self.places_command(places, true)
    }

    fn places_table(&self, kindergarten: &str) -> Result<Vec<PlacesRow>, BackendError> {
        Ok(self
            .places(kindergarten)?
            .into_iter()
            .map(|record| {
                // The log entry whose event saved the record; the center's are not this kiosk's.
                let added_by = self
                    .log
                    .iter()
                    .find(|e| {
                        e.seq.is_some()
                            && matches!(&e.event, Event::PlacesAdded { record: r } | Event::PlacesReduced { record: r }
                                if r.id == record.id)
                    })
                    .map(|e| AddedBy {
                        login: e.who.clone(),
                        name: self.users.iter().find(|u| u.operator.login == e.who).map(|u| u.operator.name.clone()),
                        kiosk: e.kiosk.clone(),
                    });
                PlacesRow::new(record, &self.state, added_by)
            })
            .collect())
    }

    fn free_slots(&self, kindergarten: &str) -> Result<Vec<FreeSlot>, BackendError> {
        Ok(FreeSlot::of(&self.state, kindergarten))
    }

    fn places(&self, kindergarten: &str) -> Result<Vec<PlacesRecord>, BackendError> {
        let mut records: Vec<PlacesRecord> =
            self.state.places().filter(|p| p.kindergarten == kindergarten).cloned().collect();
        records.sort_by_key(|r| std::cmp::Reverse(r.added_at));
        Ok(records)
    }

    fn enrolled(&self, kindergarten: &str) -> Result<Vec<EnrolledChild>, BackendError> {
        Ok(enrolled_children(&self.state, kindergarten))
    }

    fn sync_status(&self) -> SyncStatus {
        SyncStatus {
            pending: self.log.iter().filter(|e| e.seq.is_some_and(|s| s > self.synced_seq)).count() as u64,
            last_sync: self.last_sync,
            last_attempt: self.last_attempt.clone(),
            center_url: self.center_url.clone(),
            snapshot_at: self.snapshot.as_ref().map(|s| s.at),
            quarantine: self.quarantine.clone(),
            auto_minutes: self.auto_minutes,
            center_key: self.center_key.clone(),
        }
    }

    fn poll_push(&mut self) -> bool {
        false
    }

    fn set_auto_sync(&mut self, minutes: u32) -> Result<(), BackendError> {
        self.auto_minutes = minutes;
        Ok(())
    }

    fn set_center_key(&mut self, key_hex: &str) -> Result<(), BackendError> {
        if self.session.as_ref().map(|s| s.role) != Some(Role::Admin) {
            return Err(not_permitted());
        }
        let key = key_hex.trim().to_ascii_lowercase();
        if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(err(
                "BAD_CENTER_KEY",
                "Неверный ключ центра (ожидается 64 шестнадцатеричных символа)",
                "Орталық кілті қате (64 он алтылық таңба күтіледі)",
                "Bad center key (expected 64 hex characters)",
            ));
        }
        self.center_key = Some(key);
        Ok(())
    }

    fn push(&mut self, url: &str, progress: &ProgressSink) -> Result<(), BackendError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(err(
                "SYNC_NO_URL",
                "Укажите адрес центра",
                "Орталықтың мекенжайын көрсетіңіз",
                "Enter the center's address",
            ));
        }
        self.center_url = Some(url.to_owned());
        let now = self.now();
        progress.report(PushPhase::Connecting);
        if !url.starts_with("memory:") {
            let error = err(
                "NETWORK_UNREACHABLE",
                format!(
                    "Центр по адресу {url} недоступен: нет сети. Данные сохранены в киоске, повторите позже или выгрузите файл"
                ),
                format!(
                    "{url} мекенжайындағы орталық қолжетімсіз: желі жоқ. Деректер киоскте сақталды, кейінірек қайталаңыз немесе файлға жүктеңіз"
                ),
                format!(
                    "The center at {url} cannot be reached: no network. The data is kept on the kiosk; retry later or export a file"
                ),
            );
            self.last_attempt = Some((now, SyncOutcome::Failed(error.clone())));
            progress.report(PushPhase::Failed(error));
            return Ok(());
        }
        let pending: Vec<u64> = self.log.iter().filter_map(|e| e.seq).filter(|s| *s > self.synced_seq).collect();
        let total = pending.len() as u64;
        for (i, chunk) in pending.chunks(50).enumerate() {
            let sent = (i * 50 + chunk.len()) as u64;
            progress.report(PushPhase::Working { stage: PushStage::Uploading, sent, total });
        }
        self.synced_seq = self.next_seq - 1;
        self.last_sync = Some(now);
        self.last_attempt = Some((now, SyncOutcome::Ok { accepted: total, snapshot_error: None }));
        self.take_snapshot(now);
        self.cache = None;
        progress.report(PushPhase::Done { accepted: total });
        Ok(())
    }

    fn export_bundle(&mut self, path: &Path) -> Result<ExportReport, BackendError> {
        let mut out = String::new();
        let mut entries = 0;
        for entry in self.log.iter().filter(|e| e.seq.is_some_and(|s| s > self.synced_seq)) {
            let line = serde_json::json!({
                "seq": entry.seq,
                "at": entry.at.to_string(),
                "operator": entry.who,
                "kiosk": entry.kiosk,
                "event": entry.event,
            });
            out.push_str(&line.to_string());
            out.push('\n');
            entries += 1;
        }
        crate::store::write_private_file(path, out.as_bytes()).map_err(|e| io_error(path, &e))?;
        Ok(ExportReport { entries, path: path.display().to_string() })
    }

    fn import_snapshot(&mut self, path: &Path) -> Result<ImportReport, BackendError> {
        let text = std::fs::read_to_string(path).map_err(|e| io_error(path, &e))?;
        let invalid = || {
            err(
                "SNAPSHOT_INVALID",
                "Файл не является снимком центра",
                "Файл орталықтың суреті емес",
                "The file is not a center snapshot",
            )
        };
        let value: Value = serde_json::from_str(&text).map_err(|_| invalid())?;
        let at: Instant = value["snapshotAt"].as_str().and_then(|t| t.parse().ok()).ok_or_else(invalid)?;
        let events: Vec<Event> = serde_json::from_value(value["events"].clone()).unwrap_or_default();
        for event in events {
            self.state.evolve(&event);
            self.push_log(None, at, CENTER, CENTER, event);
        }
        self.take_snapshot(at);
        self.cache = None;
        Ok(ImportReport { snapshot_at: at, applications: self.state.applications().count() as u64 })
    }

    fn operators(&self) -> Result<Vec<Operator>, BackendError> {
        Ok(self.users.iter().map(|u| u.operator.clone()).collect())
    }

    fn add_operator(&mut self, operator: &NewOperator) -> Result<(), BackendError> {
        if self.session()?.role != Role::Admin {
            return Err(not_permitted());
        }
        let login = operator.login.trim();
        if login.is_empty() || operator.name.trim().is_empty() {
            return Err(err(
                "OPERATOR_EMPTY",
                "Укажите логин и ФИО",
                "Логин мен аты-жөнін көрсетіңіз",
                "Enter a login and a name",
            ));
        }
        if self.users.iter().any(|u| u.operator.login == login) {
            return Err(err(
                "OPERATOR_EXISTS",
                format!("Логин {login} уже занят"),
                format!("{login} логині бос емес"),
                format!("The login {login} is taken"),
            ));
        }
        let Some(role) = operator.role else {
            return Err(err("OPERATOR_ROLE", "Выберите роль", "Рөлді таңдаңыз", "Choose a role"));
        };
        if role == Role::Kindergarten && operator.kindergartens.is_empty() {
            return Err(err(
                "OPERATOR_KINDERGARTEN",
                "Выберите хотя бы один детский сад",
                "Кемінде бір балабақшаны таңдаңыз",
                "Choose at least one kindergarten",
            ));
        }
        if operator.password.chars().count() < 4 {
            return Err(err(
                "PASSWORD_SHORT",
                "Пароль должен быть не короче 4 символов",
                "Құпиясөз кемінде 4 таңбадан тұруы керек",
                "The password must be at least 4 characters",
            ));
        }
        self.users.push(User {
            operator: Operator {
                login: login.to_owned(),
                name: operator.name.trim().to_owned(),
                role,
                kindergartens: if role == Role::Kindergarten { operator.kindergartens.clone() } else { Vec::new() },
                active: true,
            },
            password: operator.password.clone(),
        });
        Ok(())
    }

    fn set_operator_active(&mut self, login: &str, active: bool) -> Result<(), BackendError> {
        let me = self.session()?.clone();
        if me.role != Role::Admin {
            return Err(not_permitted());
        }
        if me.login == login && !active {
            return Err(err(
                "OPERATOR_SELF",
                "Нельзя отключить собственную учётную запись",
                "Өз есептік жазбаңызды өшіруге болмайды",
                "You cannot disable your own account",
            ));
        }
        let user = self.users.iter_mut().find(|u| u.operator.login == login).ok_or_else(|| {
            err("OPERATOR_UNKNOWN", "Пользователь не найден", "Пайдаланушы табылмады", "No such user")
        })?;
        user.operator.active = active;
        Ok(())
    }

    fn stats(&self) -> Result<Stats, BackendError> {
        let district = self.kiosk.as_ref().map(|k| k.district.clone());
        let mut weeks: BTreeMap<Date, (u32, u32)> = BTreeMap::new();
        for entry in &self.log {
            let (vouchers, enrollments) = match &entry.event {
                Event::VoucherIssued { .. } => (1, 0),
                Event::ChildEnrolled { .. } => (0, 1),
                _ => continue,
            };
            let slot = weeks.entry(week_start(entry.at.local_date())).or_default();
            slot.0 += vouchers;
            slot.1 += enrollments;
        }
        Ok(stats(&self.state, |d| district.as_deref().is_none_or(|k| k == d), weeks))
    }
}
