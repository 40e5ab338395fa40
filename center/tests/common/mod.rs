//! Fixtures: a center in a temporary directory with the demo kindergartens, and kiosks that
//! write signed change logs with the `changelog` crate directly.
#![allow(dead_code)]

pub mod folders;
pub mod hooked;
pub mod pg;
pub mod proc;

use center::Center;
use changelog::{Bundle, EntryBody, FORMAT_VERSION, GENESIS_HASH, Hash, KioskKey, Payload, SignedEntry};
use rules::command::Role;
use rules::model::{Applicant, GroupLanguage, Kinship, NewApplication, NewPlaces, Residence, ResidenceKind};
use rules::{Action, Command, Date, Instant, QueueType, RightClass};

pub const DISTRICT: &str = "KOK";
/// General queue, kk and ru groups (demo directory).
pub const KG: &str = "KG-KOK-01";
/// When the test kiosks are registered.
pub const REGISTERED: &str = "2026-03-02T09:00:00+05:00";

pub fn at(text: &str) -> Instant {
    text.parse().unwrap_or_else(|e| panic!("bad instant {text}: {e}"))
}

pub fn date(text: &str) -> Date {
    text.parse().unwrap_or_else(|e| panic!("bad date {text}: {e}"))
}

/// A new center with the demo kindergarten directory, on the embedded store, or on a fresh
/// PostgreSQL database when the run says so (`KEZEK_TEST_STORE=postgres`).
pub fn center() -> (tempfile::TempDir, Center) {
    let dir = tempfile::tempdir().unwrap();
    Center::init(dir.path(), None).unwrap();
    if pg::postgres_run() {
        std::fs::write(dir.path().join(center::STORE_FILE), pg::cluster().store()).unwrap();
    }
    let center = Center::open(dir.path()).unwrap();
    (dir, center)
}

/// A valid IIN for a child born on `birth` (2000s), distinct per `serial`.
pub fn child_iin(birth: &str, serial: u32) -> String {
    iin(birth, 5, serial)
}

pub fn adult_iin(serial: u32) -> String {
    iin("1990-01-15", 3, serial)
}

fn iin(birth: &str, century: u32, serial: u32) -> String {
    let sex = if century % 2 == 1 { rules::Sex::Male } else { rules::Sex::Female };
    rules::iin::encode_near(date(birth), sex, serial * 10).unwrap_or_else(|| panic!("no IIN near serial {serial}"))
}

pub fn application(id: &str, child_iin: &str, birth: &str, right: RightClass) -> NewApplication {
    NewApplication {
        id: id.into(),
        district: DISTRICT.into(),
        queue_type: QueueType::General,
        child_iin: child_iin.into(),
        child_name: "Ахметов Ерлан".into(),
        birth_date: date(birth),
        applicant: Applicant {
            iin: adult_iin(7),
            name: "Ахметова Айгуль".into(),
            kinship: Kinship::Mother,
            phone: "+7 701 000 00 00".into(),
            email: None,
        },
        residence: Residence {
            kind: ResidenceKind::Permanent, address: "г. Кокшетау, ул. Абая, 1".into()
        },
        non_resident: false,
        non_resident_documents: vec![],
        right,
        right_category: match right {
            RightClass::None => None,
            RightClass::First => Some("LARGE_FAMILY".into()),
            RightClass::Extraordinary => Some("MILITARY".into()),
        },
        right_document: None,
    }
}

/// A kiosk that signs its own chain.
#[derive(Debug)]
pub struct TestKiosk {
    pub id: String,
    pub key: KioskKey,
    pub entries: Vec<SignedEntry>,
    pub prev: Hash,
    pub last_contact: Option<String>,
}

impl TestKiosk {
    pub fn new(id: &str) -> Self {
        TestKiosk {
            id: id.into(),
            key: KioskKey::generate().unwrap(),
            entries: Vec::new(),
            prev: GENESIS_HASH,
            last_contact: None,
        }
    }

    /// Registers this kiosk at the center (district KOK).
    pub fn register(&self, center: &mut Center) {
        center.add_kiosk(&self.id, DISTRICT, &self.key.public_hex(), at(REGISTERED)).unwrap();
    }

    pub fn next_seq(&self) -> u64 {
        self.entries.len() as u64 + 1
    }

    /// Signs and appends an entry; returns its sequence number.
    pub fn push(&mut self, time: &str, operator: &str, payload: &Payload) -> u64 {
        let body = self.body(time, operator, payload);
        let entry = SignedEntry::sign(&body, self.key.signing());
        self.prev = entry.hash();
        self.entries.push(entry);
        body.seq
    }

    pub fn body(&self, time: &str, operator: &str, payload: &Payload) -> EntryBody {
        EntryBody {
            version: FORMAT_VERSION,
            kiosk: self.id.clone(),
            seq: self.next_seq(),
            prev_hash: self.prev,
            kiosk_time: time.into(),
            last_contact: self.last_contact.clone(),
            operator: operator.into(),
            payload: payload.to_json(),
        }
    }

    /// The usual start: an office operator `op` and kindergarten staff `kg` (for KG-KOK-01).
    pub fn with_staff(mut self, time: &str) -> Self {
        self.push(
            time,
            "admin",
            &Payload::OperatorAdded {
                login: "op".into(),
                name: "Оператор".into(),
                role: Role::Operator,
                kindergartens: vec![],
            },
        );
        self.push(
            time,
            "admin",
            &Payload::OperatorAdded {
                login: "kg".into(),
                name: "Сотрудник".into(),
                role: Role::Kindergarten,
                kindergartens: vec![KG.into()],
            },
        );
        self
    }

    pub fn register_child(&mut self, time: &str, app: NewApplication) -> u64 {
        self.register_child_as(time, "op", app)
    }

    /// A registration signed as `operator` (whoever that is: the center checks the role).
    pub fn register_child_as(&mut self, time: &str, operator: &str, app: NewApplication) -> u64 {
        self.push(time, operator, &Payload::Command { command: Command::Register { application: app } })
    }

    /// Registers the child `id` born on `birth` (IIN serial `serial`) with `right`.
    pub fn register_born(&mut self, time: &str, id: &str, birth: &str, serial: u32, right: RightClass) -> u64 {
        self.register_child(time, application(id, &child_iin(birth, serial), birth, right))
    }

    /// Registers at `time`, for each of `serials`, a child without a right born on `birth`:
    /// application `{prefix}{serial}`, IIN serial `serial`.
    pub fn register_children(&mut self, time: &str, prefix: &str, birth: &str, serials: impl IntoIterator<Item = u32>) {
        for serial in serials {
            self.register_born(time, &format!("{prefix}{serial}"), birth, serial, RightClass::None);
        }
    }

    /// A voucher taken up on `day` (`YYYY-MM-DD`): at `hour`:00 `op` confirms the voucher of
    /// `application`, at `hour`:10 chooses KG-KOK-01 (Russian group) for it.
    pub fn confirm_and_choose(&mut self, day: &str, hour: u32, application: &str) {
        self.act(&format!("{day}T{hour:02}:00:00+05:00"), "op", application, Action::ConfirmVoucher);
        self.act(
            &format!("{day}T{hour:02}:10:00+05:00"),
            "op",
            application,
            Action::ChooseKindergarten { kindergarten: KG.into(), language: GroupLanguage::Ru },
        );
    }

    /// [`TestKiosk::confirm_and_choose`], then at `hour`:30 `kg` refuses the child (group
    /// full), which goes to a reviewer.
    pub fn confirm_choose_and_be_refused(&mut self, day: &str, hour: u32, application: &str) {
        self.confirm_and_choose(day, hour, application);
        self.act(
            &format!("{day}T{hour:02}:30:00+05:00"),
            "kg",
            application,
            Action::RefuseChild { reason: "группа укомплектована".into() },
        );
    }

    pub fn act(&mut self, time: &str, operator: &str, application: &str, action: Action) -> u64 {
        self.push(
            time,
            operator,
            &Payload::Command { command: Command::Act { application: application.into(), action } },
        )
    }

    pub fn add_places(&mut self, time: &str, id: &str, group_year: i32, count: u32) -> u64 {
        let places =
            NewPlaces { id: id.into(), kindergarten: KG.into(), language: GroupLanguage::Ru, group_year, count };
        self.push(time, "kg", &Payload::Command { command: Command::AddPlaces { places } })
    }

    /// The bundle of entries `from..=to` (1-based sequence numbers).
    pub fn bundle(&self, from: u64, to: u64) -> Vec<u8> {
        let entries = self.entries[usize::try_from(from - 1).unwrap()..usize::try_from(to).unwrap()].to_vec();
        Bundle { kiosk: self.id.clone(), entries }.to_bytes()
    }

    pub fn all(&self) -> Vec<u8> {
        self.bundle(1, self.entries.len() as u64)
    }

    /// Signs requests as this kiosk, with its whole log as its head.
    pub fn signer(&self) -> changelog::request::RequestSigner {
        changelog::request::RequestSigner::new(
            self.key.signing().clone(),
            &self.id,
            self.entries.len() as u64,
            Vec::new(),
        )
    }
}

/// Kiosk `K1` of KOK on Tuesday 10 March 2026: its staff at 09:00, a child without a right
/// born on 5 May 2023 for each of `ids` at 10:00 (IIN serials 0, 1, …), and `places` places in
/// KG-KOK-01 for 2023 (`K1-P1`) at 11:00; registered at `center`, which ingests its log at
/// 12:00.
pub fn kok_queue(center: &mut Center, ids: &[&str], places: u32) -> TestKiosk {
    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    for (serial, id) in (0..).zip(ids) {
        kiosk.register_born("2026-03-10T10:00:00+05:00", id, "2023-05-05", serial, RightClass::None);
    }
    kiosk.add_places("2026-03-10T11:00:00+05:00", "K1-P1", 2023, places);
    kiosk.register(center);
    center.ingest(&kiosk.all(), at("2026-03-10T12:00:00+05:00"), None).unwrap();
    kiosk
}

/// A kiosk with staff and `n` registrations (applications `{id}-{i}`, IIN serials from
/// `serial`), one a minute from 10 March 2026 09:00 to 23:00 and on through the next days.
pub fn kiosk_with_registrations(id: &str, n: u32, serial: u32) -> TestKiosk {
    let mut kiosk = TestKiosk::new(id).with_staff("2026-03-10T08:00:00+05:00");
    for i in 0..n {
        let (day, minute) = (10 + i / 840, i % 840);
        kiosk.register_born(
            &format!("2026-03-{day:02}T{:02}:{:02}:00+05:00", 9 + minute / 60, minute % 60),
            &format!("{id}-{i}"),
            "2023-05-10",
            serial + i,
            RightClass::None,
        );
    }
    kiosk
}

/// The sequence numbers `from..=until` in uploads of at most three entries, as a kiosk pushes
/// them in small chunks.
pub fn small_uploads(from: u64, until: u64) -> Vec<(u64, u64)> {
    let mut chunks = Vec::new();
    let mut from = from;
    while from <= until {
        let to = (from + 2).min(until);
        chunks.push((from, to));
        from = to + 1;
    }
    chunks
}

/// The applications of a center as JSON, for comparing states.
pub fn applications_json(center: &Center) -> String {
    let apps: Vec<_> = center.state().applications().cloned().collect();
    serde_json::to_string(&apps).unwrap()
}

/// An HTTP agent that reports every status as a value.
pub fn http_agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build()
        .into()
}

/// A fresh nonce for `kiosk` from the center at `url`.
pub fn challenge(url: &str, kiosk: &str) -> String {
    let mut response = http_agent().post(&format!("{url}/v1/kiosks/{kiosk}/challenge")).send_empty().unwrap();
    let value: serde_json::Value = serde_json::from_slice(&response.body_mut().read_to_vec().unwrap()).unwrap();
    value["nonce"].as_str().unwrap_or_default().to_owned()
}

/// A request signed by `signer` as a kiosk would send it, with any content type and body;
/// the status and the answer's bytes.
pub fn signed_request(
    url: &str,
    signer: &changelog::request::RequestSigner,
    method: &str,
    path: &str,
    body: Option<(&str, &[u8])>,
) -> (u16, Vec<u8>) {
    let nonce = challenge(url, signer.kiosk());
    let request = signer.sign(method, path, &nonce, body.map_or(&[][..], |(_, b)| b));
    send_signed(url, &request, method, path, body)
}

/// Sends an already signed request (replays send the same one twice).
pub fn send_signed(
    url: &str,
    signed: &changelog::request::SignedRequest,
    method: &str,
    path: &str,
    body: Option<(&str, &[u8])>,
) -> (u16, Vec<u8>) {
    let agent = http_agent();
    let full = format!("{url}{path}");
    let response = if let ("POST", Some((content_type, bytes))) = (method, body) {
        let mut request = agent.post(&full).header("Content-Type", content_type);
        for (name, value) in signed.headers() {
            request = request.header(name, value);
        }
        request.send(bytes)
    } else {
        let mut request = agent.get(&full);
        for (name, value) in signed.headers() {
            request = request.header(name, value);
        }
        request.call()
    };
    let mut response = response.unwrap();
    let status = response.status().as_u16();
    (status, response.body_mut().with_config().limit(64 << 20).read_to_vec().unwrap())
}

/// The `error.code` of a JSON error answer.
pub fn error_code(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_owned))
        .unwrap_or_default()
}
