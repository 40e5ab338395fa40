//! The center owns the kindergarten directory: a region's own 40 kindergartens (none of them
//! in the demo set) go from the center to two kiosks, one by push and one by USB files;
//! before that the kiosks know no kindergarten and say why places and choices must wait;
//! after it, staff bind to the new kindergartens, add places, and a parent's choice of one
//! reaches the center.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

use std::path::Path;
use std::sync::Arc;

use center::Center;
use center::client::PushOptions;
use kiosk::{InitParams, Kiosk, NewOperator, testkit};
use rules::Localized;
use rules::model::{GroupLanguage, Kindergarten, NewPlaces, Status};
use rules::time::Date;
use rules::{Action, Command, Instant, Role};

const ADMIN: &str = "admin-secret";

fn at(text: &str) -> Instant {
    text.parse().unwrap()
}

/// The region's directory: 40 kindergartens of KOK that the demo set does not have.
fn regional_directory() -> Vec<Kindergarten> {
    (1..=40)
        .map(|n| {
            serde_json::from_value(serde_json::json!({
                "id": format!("KOK-DDO-{n:03}"),
                "district": "KOK",
                "queueType": "general",
                "name": {
                    "ru": format!("Ясли-сад № {n}"),
                    "kk": format!("№ {n} бөбекжай-балабақша"),
                    "en": format!("Nursery-kindergarten No. {n}")
                },
                "ownership": if n % 10 == 0 { "mini_centre" } else { "state" },
                "address": format!("г. Кокшетау, ул. Строительная, {n}"),
                "phone": "+7 7162 000000",
                "languages": ["kk", "ru"]
            }))
            .unwrap()
        })
        .collect()
}

/// A production kiosk (no demo directory) with its administrator and an office operator.
fn kiosk_without_directory(dir: &Path, id: &str) -> Kiosk {
    kiosk::passwords::insecure_fast_hashing_for_tests();
    let params = InitParams {
        district: "KOK".into(),
        name: format!("Office {id}"),
        kiosk_id: Some(id.into()),
        admin_login: "admin".into(),
        admin_name: "Admin".into(),
        admin_password: ADMIN.into(),
    };
    Kiosk::init(dir, &params).unwrap();
    let mut kiosk = Kiosk::open(dir).unwrap();
    let admin = kiosk.login("admin", ADMIN).unwrap();
    let op = NewOperator { login: "op".into(), name: "Op".into(), role: Role::Operator, kindergartens: vec![] };
    kiosk.add_operator(&admin, &op, "operator-secret").unwrap();
    kiosk
}

fn staff(kiosk: &mut Kiosk, kindergarten: &str) -> Result<(), kiosk::OperatorError> {
    let admin = kiosk.login("admin", ADMIN).unwrap();
    let kg = NewOperator {
        login: format!("kg-{}", kindergarten.to_lowercase()),
        name: "Сотрудник".into(),
        role: Role::Kindergarten,
        kindergartens: vec![kindergarten.into()],
    };
    kiosk.add_operator(&admin, &kg, "staff-secret").map(|_| ())
}

fn quick() -> PushOptions {
    PushOptions {
        attempts: 3,
        initial_backoff: std::time::Duration::from_millis(50),
        max_backoff: std::time::Duration::from_millis(200),
        timeout: std::time::Duration::from_secs(30),
    }
}

#[test]
fn a_regional_directory_reaches_kiosks_by_push_and_by_usb_and_is_used_there() {
    let root = tempfile::tempdir().unwrap();
    let center_dir = root.path().join("center");
    let key_hex = Center::init(&center_dir, None).unwrap().public_key;
    let mut center = Center::open(&center_dir).unwrap();
    let import =
        center.import_directory(regional_directory(), "admin-ivanova", at("2026-11-02T09:00:00+05:00")).unwrap();
    assert_eq!((import.changed.len(), import.unchanged, import.version), (40, 0, 40));
    // Loading the same file again changes nothing.
    let again =
        center.import_directory(regional_directory(), "admin-ivanova", at("2026-11-02T09:05:00+05:00")).unwrap();
    assert_eq!((again.changed.len(), again.unchanged, again.version), (0, 40, 40));
    // A directory entry for a district the center does not know is refused.
    let mut stray = regional_directory().remove(0);
    stray.district = "NOPE".into();
    assert_eq!(
        center.set_kindergarten(stray, "admin-ivanova", at("2026-11-02T09:06:00+05:00")).unwrap_err().code(),
        "UNKNOWN_DISTRICT"
    );

    // Kiosk A knows no kindergarten before its first sync: it registers, but places and
    // staff accounts wait, and it says why.
    let a_dir = root.path().join("kok-01");
    let mut a = kiosk_without_directory(&a_dir, "KOK-01");
    assert!(a.state().kindergartens().next().is_none());
    let error = staff(&mut a, "KOK-DDO-001").unwrap_err();
    assert_eq!(error.code(), "NO_DIRECTORY");
    assert!(error.message(rules::Lang::Kk).contains("синхрондау"), "{}", error.message(rules::Lang::Kk));
    let kids = testkit::children(3, Date::from_ymd(2026, 11, 1).unwrap(), 400);
    let op = a.login("op", "operator-secret").unwrap();
    let registered = a
        .execute(&op, Command::Register { application: testkit::application("KOK", &kids[0].0, kids[0].1, 1) })
        .unwrap();
    let child = registered.id.clone();
    let places = NewPlaces {
        id: String::new(),
        kindergarten: "KOK-DDO-001".into(),
        language: GroupLanguage::Kk,
        group_year: kids[0].1.year(),
        count: 2,
    };

    // The center learns the kiosk and serves it over HTTP.
    let registered_at = at("2026-01-01T00:00:00+05:00");
    center.add_kiosk("KOK-01", "KOK", &a.public_key_hex(), registered_at).unwrap();
    let b_dir = root.path().join("kok-02");
    let mut b = kiosk_without_directory(&b_dir, "KOK-02");
    center.add_kiosk("KOK-02", "KOK", &b.public_key_hex(), registered_at).unwrap();
    let app = center::http::App::new(center, Arc::new(center::now));
    let server = center::http::spawn("127.0.0.1:0", app.clone()).unwrap();
    kiosk::push::set_center(&a, Some(&server.url()), Some(&key_hex)).unwrap();
    let pushed = kiosk::push::push_with(&mut a, "", &quick(), &mut |_| {}).unwrap();
    assert!(pushed.snapshot_error.is_none(), "{:?}", pushed.snapshot_error);

    // The snapshot brought the center's directory: the 40 regional kindergartens are there.
    for n in 1..=40 {
        let k = a.state().kindergarten(&format!("KOK-DDO-{n:03}")).unwrap_or_else(|| panic!("KOK-DDO-{n:03}"));
        assert_eq!(k.district, "KOK");
    }
    staff(&mut a, "KOK-DDO-001").unwrap();
    let kg = a.login("kg-kok-ddo-001", "staff-secret").unwrap();
    a.execute(&kg, Command::AddPlaces { places: places.clone() }).unwrap();
    kiosk::push::push_with(&mut a, "", &quick(), &mut |_| {}).unwrap();

    // The distribution round publishes the places and issues the child a voucher.
    let round = app.center.lock().unwrap().distribute("KOK", center::now()).unwrap();
    assert_eq!(round.vouchers.iter().map(|v| v.application.clone()).collect::<Vec<_>>(), vec![child.clone()]);
    kiosk::push::push_with(&mut a, "", &quick(), &mut |_| {}).unwrap();
    let op = a.login("op", "operator-secret").unwrap();
    a.execute(&op, Command::Act { application: child.clone(), action: Action::ConfirmVoucher }).unwrap();
    a.execute(
        &op,
        Command::Act {
            application: child.clone(),
            action: Action::ChooseKindergarten { kindergarten: "KOK-DDO-001".into(), language: GroupLanguage::Kk },
        },
    )
    .unwrap();
    kiosk::push::push_with(&mut a, "", &quick(), &mut |_| {}).unwrap();
    {
        let center = app.center.lock().unwrap();
        let application = center.state().application(&child).unwrap();
        assert_eq!(application.status, Status::DirectionIssued);
        assert_eq!(application.direction.as_ref().unwrap().kindergarten, "KOK-DDO-001");
    }

    // Kiosk B has no connection: its bundle goes to the center on a USB stick, and the
    // center's snapshot comes back the same way, with the directory.
    let (bundle, _) = b.pending_bundle().unwrap();
    let bundle_file = root.path().join("kok-02.kzb");
    std::fs::write(&bundle_file, bundle.to_bytes()).unwrap();
    let snapshot_file = root.path().join("kok.snapshot");
    {
        let mut center = app.center.lock().unwrap();
        center.ingest(&std::fs::read(&bundle_file).unwrap(), center::now(), None).unwrap();
        let (snapshot, bytes) = center.snapshot("KOK", center::now()).unwrap();
        assert_eq!(snapshot.directory_version, 40);
        assert!(snapshot.kindergartens.iter().any(|k| k.id == "KOK-DDO-040"));
        std::fs::write(&snapshot_file, bytes).unwrap();
    }
    kiosk::push::set_center(&b, None, Some(&key_hex)).unwrap();
    kiosk::push::import_snapshot(&mut b, &snapshot_file).unwrap();
    staff(&mut b, "KOK-DDO-002").unwrap();
    let kg = b.login("kg-kok-ddo-002", "staff-secret").unwrap();
    let receipt = b
        .execute(
            &kg,
            Command::AddPlaces {
                places: NewPlaces { kindergarten: "KOK-DDO-002".into(), language: GroupLanguage::Ru, ..places },
            },
        )
        .unwrap();
    assert!(receipt.id.starts_with("KOK-02-"), "{}", receipt.id);
    // A closed kindergarten takes no new places.
    let mut closed = regional_directory().remove(2);
    closed.open = false;
    app.center.lock().unwrap().set_kindergarten(closed, "admin-ivanova", center::now()).unwrap();
    let (_, bytes) = app.center.lock().unwrap().snapshot("KOK", center::now()).unwrap();
    std::fs::write(&snapshot_file, bytes).unwrap();
    kiosk::push::import_snapshot(&mut b, &snapshot_file).unwrap();
    staff(&mut b, "KOK-DDO-003").unwrap();
    let kg = b.login("kg-kok-ddo-003", "staff-secret").unwrap();
    let refused = b
        .execute(
            &kg,
            Command::AddPlaces {
                places: NewPlaces {
                    id: String::new(),
                    kindergarten: "KOK-DDO-003".into(),
                    language: GroupLanguage::Kk,
                    group_year: 2023,
                    count: 1,
                },
            },
        )
        .unwrap_err();
    assert_eq!(refused.code(), "KINDERGARTEN_CLOSED");
}

/// The center publishes a decree for a provisional year: it is in the center's log (a
/// restart keeps it), the next snapshot carries it, and a kiosk counts its deadlines with it.
#[test]
fn a_calendar_decree_reaches_kiosks_in_the_snapshot() {
    use rules::calendar::{CalendarYear, YearStatus};
    let root = tempfile::tempdir().unwrap();
    let center_dir = root.path().join("center");
    let key_hex = Center::init(&center_dir, None).unwrap().public_key;
    let mut center = Center::open(&center_dir).unwrap();
    let decree = CalendarYear {
        year: 2027,
        provisional: false,
        kurban_ait: "2027-05-16".parse().unwrap(),
        extra_days_off: vec!["2027-01-08".parse().unwrap()],
        extra_working_days: vec!["2027-01-16".parse().unwrap()],
        source: "Постановление Правительства (test)".into(),
    };
    let run = center.set_calendar_year(decree.clone(), "admin-ivanova", at("2026-12-10T10:00:00+05:00")).unwrap();
    assert!(run.center_seq.is_some(), "an entry of the center's own log");
    drop(center);
    let center = Center::open(&center_dir).unwrap();
    assert_eq!(center.state().calendar().year_status(2027), Ok(YearStatus::Official), "kept across a restart");
    let (snapshot, bytes) = center.snapshot("KOK", at("2026-12-10T11:00:00+05:00")).unwrap();
    assert_eq!(snapshot.calendar_years, vec![decree]);
    assert!(snapshot.calendar_version.ends_with("+2027"), "{}", snapshot.calendar_version);

    let dir = root.path().join("kok-01");
    let mut kiosk = kiosk_without_directory(&dir, "KOK-01");
    assert_eq!(kiosk.state().calendar().year_status(2027), Ok(YearStatus::Provisional));
    kiosk::push::set_center(&kiosk, None, Some(&key_hex)).unwrap();
    let file = root.path().join("kok.snapshot");
    std::fs::write(&file, bytes).unwrap();
    kiosk::push::import_snapshot(&mut kiosk, &file).unwrap();
    assert_eq!(kiosk.state().calendar().year_status(2027), Ok(YearStatus::Official));
    assert_eq!(kiosk.state().calendar().is_working_day("2027-01-08".parse().unwrap()), Ok(false));
    // And after the kiosk restarts, from its kept snapshot.
    drop(kiosk);
    let kiosk = Kiosk::open(&dir).unwrap();
    assert_eq!(kiosk.state().calendar().is_working_day("2027-01-08".parse().unwrap()), Ok(false));
}
