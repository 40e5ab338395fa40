//! The kindergarten staff's places screen on the real store ([`StoreBackend`] on a temporary
//! data folder, driven by label): the table with the free places of each record's slot and
//! who added each record, and the reduction of free places (`reducePlaces`) with its
//! confirmation and the rules' `REDUCTION_OVER_FREE` in the operator's language.
#![cfg(feature = "gui")]

mod store_gui;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kiosk::gui::backend::{PlacesInput, PlacesRow};
use kiosk::gui::{KioskApp, Screen};
use kiosk::{Kiosk, NewOperator, testkit};
use rules::Role;
use rules::model::{GroupLanguage, PlacesState};
use rules::state::PlaceSlot;
use store_gui::forms::save_free_places;
use store_gui::{click, harness, log_in, shows, type_into};

const KINDERGARTEN: &str = "KG-KOK-01";
const SECOND_STAFF_PASSWORD: &str = "second-staff-secret";

fn rows(h: &Harness<'static, KioskApp>) -> Vec<PlacesRow> {
    h.state().staff.places.clone()
}

/// Staff pick the slot, the count, and confirm.
fn reduce(h: &mut Harness<'static, KioskApp>, slot: &str, count: &str) {
    click(h, "Группа со свободными местами");
    click(h, slot);
    type_into(h, "Сколько мест убрать", count);
    click(h, "Уменьшить свободные места");
    assert!(shows(h, "Уменьшить свободные места?"), "the confirmation step");
    click(h, "Убрать места");
    assert!(h.state().staff.reducing.is_none(), "the confirmation closed");
}

#[test]
fn staff_reduce_published_places_and_see_free_places_and_who_added_each_record() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("kiosk");
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).expect("the USB stick");

    // A kiosk with two staff accounts of one kindergarten, and a center that knows the kiosk.
    let mut kiosk = testkit::staffed_kiosk(&dir, "KOK", "KOK-01", Some(KINDERGARTEN));
    let admin = kiosk.login("admin", testkit::ADMIN_PASSWORD).expect("admin");
    let second = NewOperator {
        login: "kg2".into(),
        name: "Сейтова Айжан".into(),
        role: Role::Kindergarten,
        kindergartens: vec![KINDERGARTEN.into()],
    };
    kiosk.add_operator(&admin, &second, SECOND_STAFF_PASSWORD).expect("second staff account");
    let center_dir = tmp.path().join("center");
    let key = center::Center::init(&center_dir, None).expect("center").public_key;
    let mut center = center::Center::open(&center_dir).expect("center");
    let registered: rules::Instant = "2020-01-01T00:00:00+05:00".parse().expect("instant");
    center.add_kiosk("KOK-01", "KOK", &kiosk.public_key_hex(), registered).expect("center knows the kiosk");
    kiosk::push::set_center(&kiosk, None, Some(&key)).expect("center key");
    drop(kiosk);

    // Staff member kg adds 3 places: pending, nothing free to reduce yet.
    let mut h = harness(&dir, out.clone());
    log_in(&mut h, "kg", testkit::STAFF_PASSWORD);
    assert_eq!(h.state().screen, Screen::Staff);
    click(&mut h, "База свободных мест в ДДО");
    assert!(shows(&h, "Свободных мест в свободном выборе нет"));
    save_free_places(&mut h, "Казахский", "2023", "3");
    click(&mut h, "ОК");
    assert!(shows(&h, "Места сохранены"));
    let added = rows(&h);
    assert_eq!(added.len(), 1);
    assert_eq!((added[0].record.count, added[0].record.state, added[0].free_now), (3, PlacesState::Pending, 0));
    assert_eq!(added[0].added_by.as_ref().map(|b| (b.login.as_str(), b.name.as_deref())), Some(("kg", Some("Kg"))));
    assert!(shows(&h, "kg — Kg"), "who added it, in the table");
    // Pending places are not in free choice: the rules refuse to take them away.
    let pending =
        PlacesInput { kindergarten: KINDERGARTEN.into(), language: GroupLanguage::Kk, group_year: 2023, count: 1 };
    let refused = h.state_mut().backend_mut().reduce_places(&pending).unwrap_err();
    assert_eq!(refused.code, "REDUCTION_OVER_FREE");

    // USB round trip: the center gets the log, publishes the places, the kiosk imports its snapshot.
    click(&mut h, "Синхронизация");
    click(&mut h, "Выгрузить в файл");
    assert!(shows(&h, "Выгружено записей"), "{:?}", h.state().notice());
    let bundle = std::fs::read(out.join("kezek-export.jsonl")).expect("export file");
    let ingested = center.ingest(&bundle, center::now(), Some("KOK-01")).expect("center ingests");
    assert!(ingested.report.quarantined.is_empty(), "{:?}", ingested.report.quarantined);
    center.distribute("KOK", center::now()).expect("distribution publishes the places");
    let (snapshot, bytes) = center.snapshot("KOK", center::now()).expect("snapshot");
    assert!(snapshot.places.iter().any(|p| p.id == added[0].record.id && p.state == PlacesState::FreeChoice));
    std::fs::write(out.join("kezek-snapshot.json"), bytes).expect("snapshot file");
    click(&mut h, "Загрузить снимок");
    assert!(shows(&h, "Снимок центра на"), "imported");

    // In free choice now: 3 free in the slot.
    click(&mut h, "Рабочий кабинет сотрудника ДДО");
    click(&mut h, "База свободных мест в ДДО");
    let published = rows(&h);
    assert_eq!(published.len(), 1);
    assert_eq!((published[0].record.state, published[0].free_now), (PlacesState::FreeChoice, 3));
    assert!(shows(&h, "В свободном выборе"));

    // The second staff member takes one place away.
    click(&mut h, "Выйти");
    log_in(&mut h, "kg2", SECOND_STAFF_PASSWORD);
    click(&mut h, "База свободных мест в ДДО");
    reduce(&mut h, "Казахский, 2023 г. — свободно 3", "1");
    assert!(shows(&h, "Свободные места уменьшены"), "{:?}", h.state().notice());
    let table = rows(&h);
    assert_eq!(table.len(), 2, "the correction is a record of its own");
    let correction = table.iter().find(|r| r.record.reduction).expect("the correction row");
    let original = table.iter().find(|r| !r.record.reduction).expect("the original row");
    assert_eq!(original.record, published[0].record, "the original record did not change");
    assert_eq!((correction.record.count, correction.free_now, original.free_now), (1, 2, 2));
    assert_eq!(
        correction.added_by.as_ref().map(|b| (b.login.as_str(), b.name.as_deref(), b.kiosk.as_str())),
        Some(("kg2", Some("Сейтова Айжан"), "KOK-01"))
    );
    assert_eq!(original.added_by.as_ref().map(|b| b.login.as_str()), Some("kg"));
    // What the table shows: the correction as −1, the free places of the slot, who added each.
    assert_eq!(h.query_all_by_label("\u{2212}1").count(), 1, "the correction as \u{2212}1");
    assert_eq!(h.query_all_by_label("корректировка").count(), 1, "marked as a correction");
    assert!(shows(&h, "Свободно сейчас") && shows(&h, "Кто добавил"));
    assert!(h.query_all_by_label("2").count() >= 2, "free now: 2 on both rows");
    assert!(shows(&h, "kg2 — Сейтова Айжан"));
    assert!(shows(&h, "kg — Kg"));
    let slot = PlaceSlot { kindergarten: KINDERGARTEN.into(), language: GroupLanguage::Kk, group_year: 2023 };

    // More than is free: the rules refuse, in the operator's language, and nothing is written.
    let pending_entries = h.state().backend().sync_status().pending;
    reduce(&mut h, "Казахский, 2023 г. — свободно 2", "5");
    assert!(shows(&h, "REDUCTION_OVER_FREE"));
    assert!(shows(&h, "Можно убрать не больше свободных мест в свободном выборе: сейчас их 2"));
    assert_eq!(h.state().backend().sync_status().pending, pending_entries, "nothing written");
    assert_eq!(rows(&h), table, "the table is unchanged");
    click(&mut h, "Қазақша");
    assert!(shows(&h, "Еркін таңдаудағы бос орындардан артық алып тастауға болмайды: қазір олар 2"));
    assert!(shows(&h, "Кім қосты") && h.query_all_by_label("түзету").next().is_some());
    click(&mut h, "English");
    assert!(shows(&h, "At most the free places in free choice can be taken away: 2 now"));
    assert!(shows(&h, "Added by") && h.query_all_by_label("correction").next().is_some());
    click(&mut h, "Русский");
    drop(h);

    // Durable: the reopened kiosk has the correction, and 2 free places in the slot.
    let kiosk = Kiosk::open(&dir).expect("reopen");
    let records: Vec<_> = kiosk.places().expect("places").into_iter().filter(|p| p.reduction).collect();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].count, 1);
    assert_eq!(kiosk.state().free_places(&slot), 2);
    let verified = kiosk.verify().expect("verify");
    assert!(verified.ok, "{verified:?}");
}
