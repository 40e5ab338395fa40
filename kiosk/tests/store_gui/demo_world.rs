//! The demo world of the GUI tests and of the window demo (`examples/gui_demo.rs`): a real
//! kiosk, KOK-01, with the demo accounts and `data/demo` registered at it, whose log a real
//! center has ingested and distributed (so the kiosk holds the center's snapshot with its
//! vouchers), followed by a morning of local work that has not been sent yet: confirmed
//! vouchers, chosen kindergartens, children accepted, newcomers with a right.
//!
//! It is built once per process and copied for each use, because the demo data takes a few
//! seconds to register and sign.
#![allow(dead_code)] // each test file uses its own part

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kiosk::gui::StoreBackend;
use kiosk::{InitParams, Kiosk, NewOperator, Session, testkit};
use rules::Role;
use rules::command::{Action, Command};
use rules::model::{RightClass, Status};
use rules::time::{Date, Instant};

/// The kiosk's clock while the tests and the demo window run.
pub const NOW: &str = "2026-11-24T10:00:00+05:00";
/// When the center ran its distribution round and sent its snapshot.
pub const SNAPSHOT_AT: &str = "2026-11-20T18:00:00+05:00";
/// The morning of local work, after the snapshot.
const LOCAL_WORK_AT: &str = "2026-11-23T10:00:00+05:00";
pub const KIOSK_ID: &str = "KOK-01";
pub const DISTRICT: &str = "KOK";

/// The demo accounts, as `kezek-kiosk demo` makes them: login, password, name, role.
pub const ACCOUNTS: [(&str, &str, &str, Role); 3] = [
    ("admin", "admin-demo", "Сәрсенова Гүлнар", Role::Admin),
    ("operator", "operator-demo", "Қасымова Айгүл", Role::Operator),
    ("ddo", "ddo-demo", "Ержанова Динара", Role::Kindergarten),
];

/// The password of a demo account.
pub fn password(login: &str) -> &'static str {
    ACCOUNTS.iter().find(|a| a.0 == login).map_or("", |a| a.1)
}

pub fn at(text: &str) -> Instant {
    text.parse().expect("a demo instant")
}

fn minutes_after(start: Instant, minutes: i64) -> Instant {
    Instant(start.0 + chrono::Duration::minutes(minutes))
}

/// A copy of the demo world's kiosk folder at `dir` (which must not exist yet).
pub fn copy_to(dir: &Path) {
    copy_dir(&template().join("kiosk"), dir);
}

/// A copy of the demo world's center folder at `dir` (which must not exist yet).
pub fn copy_center_to(dir: &Path) {
    copy_dir(&template().join("center"), dir);
}

/// The GUI's backend on a fresh copy of the demo kiosk in `dir`, its clock standing at [`NOW`].
pub fn backend(dir: &Path) -> StoreBackend {
    copy_to(dir);
    let mut kiosk = Kiosk::open(dir).expect("open the demo kiosk");
    let now = at(NOW);
    kiosk.set_clock(move || now);
    StoreBackend::from_kiosk(kiosk)
}

/// The demo world, built on first use in a folder that lives as long as the process, and
/// how many applications its kiosk holds.
fn world() -> &'static (PathBuf, usize) {
    static WORLD: OnceLock<(PathBuf, usize)> = OnceLock::new();
    WORLD.get_or_init(|| {
        let root = std::env::temp_dir().join(format!("kezek-demo-world-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let applications = build(&root);
        (root, applications)
    })
}

pub fn template() -> &'static Path {
    &world().0
}

/// The applications the demo kiosk holds (the journal's unfiltered count).
pub fn applications() -> usize {
    world().1
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("copy the demo kiosk");
    for entry in std::fs::read_dir(from).expect("copy the demo kiosk") {
        let entry = entry.expect("copy the demo kiosk");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("copy the demo kiosk").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy the demo kiosk");
        }
    }
}

/// Builds the demo world in `root` (the kiosk in `root/kiosk`, the center in `root/center`)
/// and returns how many applications the kiosk holds.
pub fn build(root: &Path) -> usize {
    kiosk::passwords::insecure_fast_hashing_for_tests();
    let dir = root.join("kiosk");
    let mut kiosk = unsynced_kiosk(&dir);
    let key = center_round(root, &mut kiosk);
    local_work(&mut kiosk);
    kiosk::push::set_center(&kiosk, None, Some(&key)).expect("the demo world");
    let applications = kiosk.state().applications().count();
    kiosk.close();
    applications
}

/// The first part of the demo world: the kiosk with the demo accounts and the demo data,
/// nothing sent to a center yet.
pub fn unsynced_kiosk(dir: &Path) -> Kiosk {
    let (admin_login, admin_password, admin_name, _) = ACCOUNTS[0];
    let params = InitParams {
        district: DISTRICT.into(),
        name: "Отдел образования г. Кокшетау, окно 1".into(),
        kiosk_id: Some(KIOSK_ID.into()),
        admin_login: admin_login.into(),
        admin_name: admin_name.into(),
        admin_password: admin_password.into(),
    };
    Kiosk::init(dir, &params).expect("the demo world");
    kiosk::reference::use_demo_directory(dir).expect("the demo world");
    let mut kiosk = Kiosk::open(dir).expect("the demo world");
    // The demo data's own instants start in 2021: the accounts exist before them.
    let start = at("2021-01-04T09:00:00+05:00");
    kiosk.set_clock(move || start);
    let admin = kiosk.login(admin_login, admin_password).expect("the demo world");
    let own: Vec<String> =
        kiosk.state().kindergartens().filter(|k| k.district == DISTRICT).map(|k| k.id.clone()).collect();
    for (login, password, name, role) in &ACCOUNTS[1..] {
        let kindergartens = if *role == Role::Kindergarten { own.clone() } else { Vec::new() };
        let new = NewOperator { login: (*login).into(), name: (*name).into(), role: *role, kindergartens };
        kiosk.add_operator(&admin, &new, password).expect("the demo world");
    }
    kiosk.demo_load(&admin).expect("the demo world");
    kiosk
}

/// The center ingests everything the kiosk logged, runs a round in each district and sends
/// the kiosk its district's snapshot. Returns the center's public key.
fn center_round(root: &Path, kiosk: &mut Kiosk) -> String {
    let center_dir = root.join("center");
    let info = center::Center::init(&center_dir, None).expect("the demo world");
    let key = changelog::public_key_from_hex(&info.public_key).expect("the demo world");
    let mut center = center::Center::open(&center_dir).expect("the demo world");
    center
        .add_kiosk(KIOSK_ID, DISTRICT, &kiosk.public_key_hex(), at("2021-01-01T00:00:00+05:00"))
        .expect("the demo world");
    // The demo data registers children of the two neighbouring districts at this office too.
    for district in ["AKK", "ZER"] {
        center.add_served_district(KIOSK_ID, district).expect("the demo world");
    }
    let snapshot_at = at(SNAPSHOT_AT);
    // The office sends its log in the afternoon and fetches the snapshot just after the round.
    let sent_at = minutes_after(snapshot_at, -60);
    let synced_at = minutes_after(snapshot_at, 5);
    kiosk.set_clock(move || sent_at);
    let bundle = kiosk.pending_bundle().expect("the demo world").0.to_bytes();
    let ingested = center.ingest(&bundle, sent_at, Some(KIOSK_ID)).expect("the demo world");
    assert!(ingested.ack.quarantined.is_empty(), "the center accepts the demo data: {:?}", ingested.ack.quarantined);
    kiosk::push::apply_ack(kiosk, &ingested.ack_bytes, &key).expect("the demo world");
    for district in [DISTRICT, "AKK", "ZER"] {
        center.distribute(district, snapshot_at).expect("the demo world");
    }
    let (_, bytes) = center.snapshot(DISTRICT, synced_at).expect("the demo world");
    kiosk.set_clock(move || synced_at);
    kiosk::push::apply_snapshot(kiosk, &bytes, &key).expect("the demo world");
    info.public_key
}

fn login(kiosk: &Kiosk, name: &str) -> Session {
    kiosk.login(name, password(name)).expect("the demo world")
}

/// Monday morning after the snapshot: two thirds of the vouchers confirmed, a kindergarten
/// chosen for half of those, two children accepted, three newcomers (two with a right, so
/// that positions move since the snapshot). None of it sent to the center yet.
fn local_work(kiosk: &mut Kiosk) {
    let monday = at(LOCAL_WORK_AT);
    let operator = login(kiosk, "operator");
    let staff = login(kiosk, "ddo");
    let issued: Vec<String> = kiosk
        .state()
        .applications()
        .filter(|a| a.district == DISTRICT && a.status == Status::VoucherIssued)
        .map(|a| a.id.clone())
        .collect();
    let mut minute = 0;
    for (i, id) in issued.iter().enumerate() {
        if i % 3 == 2 {
            continue; // some stay for the operator to confirm on screen
        }
        minute += 3;
        let confirm = Command::Act { application: id.clone(), action: Action::ConfirmVoucher };
        kiosk.execute_at(&operator, confirm, minutes_after(monday, minute)).expect("the demo world");
        if i % 3 == 0 {
            choose_a_kindergarten(kiosk, &operator, id, minutes_after(monday, minute + 60));
        }
    }
    let mine = staff.kindergartens().to_vec();
    let directed: Vec<String> = kiosk
        .state()
        .applications()
        .filter(|a| a.status == Status::DirectionIssued)
        .filter(|a| a.direction.as_ref().is_some_and(|d| mine.contains(&d.kindergarten)))
        .map(|a| a.id.clone())
        .collect();
    for id in directed.iter().take(2) {
        let accept = Command::Act { application: id.clone(), action: Action::AcceptChild };
        kiosk.execute_at(&staff, accept, minutes_after(monday, 360)).expect("the demo world");
    }
    newcomers(kiosk, &operator, minutes_after(monday, 200));
}

/// The first free place of the application's group year in the staff's kindergartens, or
/// any other of the district.
fn choose_a_kindergarten(kiosk: &mut Kiosk, operator: &Session, id: &str, when: Instant) {
    let state = kiosk.state();
    let Some(application) = state.application(id) else { return };
    let year = application.group_year();
    let mut slots: Vec<_> = state
        .free_slots()
        .into_iter()
        .filter(|(slot, free)| slot.group_year == year && *free > 0)
        .filter(|(slot, _)| {
            state
                .kindergarten(&slot.kindergarten)
                .is_some_and(|k| k.district == application.district && k.queue_type == application.queue_type)
        })
        .map(|(slot, _)| slot)
        .collect();
    slots.sort_by_key(|slot| !["KG-KOK-01", "KG-KOK-02", "KG-KOK-03"].contains(&slot.kindergarten.as_str()));
    let Some(slot) = slots.first().cloned() else { return };
    let choose = Command::Act {
        application: id.to_owned(),
        action: Action::ChooseKindergarten { kindergarten: slot.kindergarten, language: slot.language },
    };
    kiosk.execute_at(operator, choose, when).expect("the demo world");
}

fn newcomers(kiosk: &mut Kiosk, operator: &Session, from: Instant) {
    let rights = [
        (RightClass::First, Some("LARGE_FAMILY")),
        (RightClass::Extraordinary, Some("MILITARY")),
        (RightClass::None, None),
    ];
    for (i, (right, category)) in rights.into_iter().enumerate() {
        let day = 10 + u32::try_from(i).unwrap_or(0);
        let birth = Date::from_ymd(2023, 3, day).expect("a demo date");
        let iin = (0..100).find_map(|serial| testkit::iin_for(birth, i % 2 == 0, 700 + serial)).expect("an IIN");
        let mut application = testkit::application(DISTRICT, &iin, birth, 7_000 + i);
        application.right = right;
        application.right_category = category.map(str::to_owned);
        application.right_document = category.map(|_| "Справка № 1".to_owned());
        let when = minutes_after(from, 7 * i64::try_from(i).unwrap_or(0));
        kiosk.execute_at(operator, Command::Register { application }, when).expect("the demo world");
    }
}
