//! The kiosk GUI driven by label, as a person would, on the real kiosk: the demo world
//! (`store_gui::demo_world`, a kiosk with the demo data and a center's snapshot) copied into
//! a temporary data folder for each test.
#![cfg(feature = "gui")]

mod store_gui;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kiosk::gui::backend::JournalFilter;
use kiosk::gui::{KioskApp, Screen, StoreBackend};
use rules::model::Status;
use store_gui::demo_world;
use store_gui::forms::{Applicant, SEITOVA, apply_for, refuse_by_iin, save_free_places};
use store_gui::{clear, click, harness_over, shows, status_of, type_into};
use tempfile::TempDir;

/// The GUI on a fresh copy of the demo world; the folder lives as long as the returned guard.
fn harness(name: &str) -> (TempDir, Harness<'static, KioskApp>) {
    let tmp = tempfile::Builder::new().prefix(&format!("kezek-gui-{name}-")).tempdir().expect("temp dir");
    let backend = demo_world::backend(&tmp.path().join("kiosk"));
    let h = harness_over(backend, tmp.path().join("out"));
    (tmp, h)
}

fn log_in(h: &mut Harness<'static, KioskApp>, login: &str) {
    store_gui::log_in(h, login, demo_world::password(login));
}

fn first_with(h: &mut Harness<'static, KioskApp>, status: Status) -> String {
    let filter = JournalFilter { status: Some(status), ..JournalFilter::default() };
    let page = h.state_mut().backend_mut().journal(&filter, 0..1).expect("journal");
    page.rows.first().map(|r| r.id.clone()).expect("an application with that status")
}

fn open_card(h: &mut Harness<'static, KioskApp>, id: &str) {
    type_into(h, "Поиск: ИИН ребенка, регистрационный номер или ФИО", id);
    click(h, id);
    assert_eq!(h.state().screen, Screen::Card);
}

#[test]
fn login_shows_the_journal_and_a_wrong_password_an_error() {
    let (_tmp, mut h) = harness("login");
    type_into(&mut h, "Логин", "operator");
    type_into(&mut h, "Пароль", "wrong");
    click(&mut h, "Войти");
    assert!(h.state().session().is_none());
    assert!(shows(&h, "Неверный логин или пароль"));
    assert!(shows(&h, "LOGIN_FAILED"));

    let (_tmp, mut h) = harness("login-ok");
    log_in(&mut h, "operator");
    assert_eq!(h.state().screen, Screen::Journal);
    let total = demo_world::applications();
    assert!(total > 100, "the demo world holds the demo data: {total}");
    assert!(shows(&h, &format!("Найдено заявлений: {total}")));
    assert!(shows(&h, "Не отправлено в центр"));
}

#[test]
fn first_run_setup_then_admin_login() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let backend = StoreBackend::open(&tmp.path().join("kiosk")).expect("a folder with no kiosk yet");
    let mut h = harness_over(backend, tmp.path().join("out"));
    assert!(shows(&h, "Первичная настройка киоска"));
    type_into(&mut h, "Название киоска (отдел, окно)", "Отдел образования, окно 2");
    type_into(&mut h, "Логин администратора", "boss");
    type_into(&mut h, "ФИО администратора", "Әбенова Сәуле");
    type_into(&mut h, "Пароль администратора", "boss-secret-1");
    type_into(&mut h, "Пароль ещё раз", "boss-secret-1");
    click(&mut h, "Сохранить настройку");
    // No district chosen yet: the backend says so.
    assert!(shows(&h, "Выберите район или город"));
    click(&mut h, "Район или город");
    click(&mut h, "Аккольский район");
    click(&mut h, "Сохранить настройку");
    assert!(shows(&h, "Киоск настроен"), "set-up done");
    type_into(&mut h, "Пароль", "boss-secret-1");
    click(&mut h, "Войти");
    assert_eq!(h.state().screen, Screen::Admin);
    assert!(shows(&h, "Отпечаток ключа киоска"));
}

#[test]
fn register_a_valid_application_with_confirmation_and_receipt() {
    let (_tmp, mut h) = harness("register");
    log_in(&mut h, "operator");
    click(&mut h, "Постановка в очередь");
    type_into(&mut h, "ИИН ребенка", "230310600011");
    // Live check by rules::iin: the birth date and sex the IIN encodes.
    assert!(shows(&h, "По ИИН: дата рождения 10.03.2023, пол женский"));
    apply_for(&mut h, &SEITOVA);
    assert!(shows(&h, "Проверьте данные заявления"), "confirmation dialog");
    click(&mut h, "Сохранить");
    let saved = h.state().saved.clone().expect("saved");
    assert!(saved.receipt.id.starts_with("KOK-01-2026-"), "{}", saved.receipt.id);
    assert!(shows(&h, "Заявление сохранено"));
    assert!(shows(&h, &saved.receipt.id));
    let path = saved.file.expect("receipt written").expect("receipt file");
    let html = std::fs::read_to_string(&path).expect("receipt");
    assert!(html.contains(&saved.receipt.id) && html.contains("Сейітова Әйгерім"));
    assert_eq!(status_of(&h, &saved.receipt.id), Status::Queued);
}

#[test]
fn an_invalid_iin_is_shown_and_nothing_is_saved() {
    let (_tmp, mut h) = harness("invalid");
    log_in(&mut h, "operator");
    click(&mut h, "Постановка в очередь");
    type_into(&mut h, "ИИН ребенка", "230310600012");
    assert!(shows(&h, "Неверная контрольная цифра ИИН"));
    type_into(&mut h, "ИИН заявителя", "12345");
    assert!(shows(&h, "ИИН должен состоять ровно из 12 цифр"));
    click(&mut h, "Встать в очередь");
    assert!(h.state().dialog().is_none(), "no confirmation for an invalid IIN");
    assert!(h.state().saved.is_none());
    assert!(shows(&h, "ИИН ребенка: Неверная контрольная цифра ИИН"));
}

#[test]
fn the_rules_reject_a_duplicate_child_with_their_message() {
    let (_tmp, mut h) = harness("duplicate");
    log_in(&mut h, "operator");
    click(&mut h, "Постановка в очередь");
    type_into(&mut h, "ИИН ребенка", "201022634058");
    let applicant = Applicant {
        child_name: "Хабибуллина Вероника",
        iin: "900517400015",
        name: "Хабибуллина Евгения",
        phone: "+7 702 191 67 57",
        address: "г. Кокшетау",
    };
    apply_for(&mut h, &applicant);
    assert!(h.state().dialog().is_none());
    assert!(shows(&h, "Ребёнок уже стоит в этой очереди"));
    assert!(shows(&h, "DUPLICATE_CHILD"));
}

#[test]
fn find_in_the_journal_by_iin_and_filter_by_status() {
    let (_tmp, mut h) = harness("journal");
    log_in(&mut h, "operator");
    type_into(&mut h, "Поиск: ИИН ребенка, регистрационный номер или ФИО", "201022634058");
    assert!(shows(&h, "Найдено заявлений: 1"));
    let filter = JournalFilter { text: "201022634058".into(), ..JournalFilter::default() };
    let rows = h.state_mut().backend_mut().journal(&filter, 0..2).expect("journal").rows;
    assert_eq!(rows.len(), 1, "one application of this child");
    click(&mut h, &rows[0].id);
    assert_eq!(h.state().screen, Screen::Card);
    assert!(shows(&h, "Хабибуллина Вероника Максимовна"));
    assert!(shows(&h, "Информация о ребенке"));

    click(&mut h, "К журналу");
    clear(&mut h, "Поиск: ИИН ребенка, регистрационный номер или ФИО");
    click(&mut h, "Статус");
    click(&mut h, "Выдан ваучер");
    let total = h.state().journal.total();
    assert!(total > 0 && total < demo_world::applications(), "filtered to vouchers: {total}");
}

#[test]
fn confirm_a_voucher_with_a_confirmation_dialog() {
    let (_tmp, mut h) = harness("confirm");
    log_in(&mut h, "operator");
    let id = first_with(&mut h, Status::VoucherIssued);
    open_card(&mut h, &id);
    assert!(shows(&h, "Выдан ваучер"));
    assert!(shows(&h, "осталось рабочих дней"), "deadline with working days left");
    click(&mut h, "Подтвердить заинтересованность");
    assert!(h.state().dialog().is_some());
    click(&mut h, "Подтвердить");
    assert_eq!(status_of(&h, &id), Status::VoucherConfirmed);
    assert!(shows(&h, "Ваучер подтверждён, выбор детского сада"));
    assert!(shows(&h, "Выбрать детский сад и заключить договор до"));
}

#[test]
fn choose_a_kindergarten_from_free_places() {
    let (_tmp, mut h) = harness("choose");
    log_in(&mut h, "operator");
    let id = first_with(&mut h, Status::VoucherConfirmed);
    open_card(&mut h, &id);
    click(&mut h, "Выбрать дошкольную организацию");
    assert!(shows(&h, "Свободно мест"), "free places listed");
    h.query_all_by_role(Role::RadioButton).next().expect("a choice").click();
    h.run();
    click(&mut h, "Подтвердить");
    assert_eq!(status_of(&h, &id), Status::DirectionIssued);
    assert!(shows(&h, "Выдано направление в ДДО"));
}

#[test]
fn kindergarten_staff_accept_and_refuse() {
    let (_tmp, mut h) = harness("staff");
    log_in(&mut h, "ddo");
    assert_eq!(h.state().screen, Screen::Staff);
    let mine = h.state().session().expect("session").kindergartens.clone();
    let filter = JournalFilter { status: Some(Status::DirectionIssued), ..JournalFilter::default() };
    let rows = h.state_mut().backend_mut().journal(&filter, 0..500).expect("journal").rows;
    let directions: Vec<(String, String, String)> = rows
        .iter()
        .filter_map(|r| {
            let card = h.state().backend().card(&r.id).ok()?;
            let d = card.application.direction?;
            mine.contains(&d.kindergarten).then(|| (r.id.clone(), d.number, card.application.child.iin))
        })
        .collect();
    assert!(directions.len() >= 2, "demo has directions to the staff's kindergartens");

    let (id, number, _) = &directions[0];
    click(&mut h, "По номеру направления");
    type_into(&mut h, "Номер направления", number);
    click(&mut h, "Поиск");
    assert!(shows(&h, "Скачать карточку ребенка"));
    click(&mut h, "Принять в ДДО");
    click(&mut h, "Подтвердить");
    assert_eq!(status_of(&h, id), Status::Enrolled);

    click(&mut h, "Скачать карточку ребенка");
    let file = h.state().staff.file.clone().expect("card written").expect("file");
    assert!(std::fs::read_to_string(file).expect("text").contains(number.as_str()));

    let (id, _, iin) = &directions[1];
    refuse_by_iin(&mut h, iin, "Нет медицинской справки");
    assert_eq!(status_of(&h, id), Status::RefusalReview);
}

#[test]
fn mark_departed_then_publish_the_freed_place() {
    let (_tmp, mut h) = harness("departed");
    log_in(&mut h, "ddo");
    click(&mut h, "Список числящихся детей");
    let child = h.state().staff.enrolled.first().cloned().expect("an enrolled child in the demo");
    h.get_all_by_label("Убыл").next().expect("button").click();
    h.run();
    type_into(&mut h, "Причина убытия", "Переезд в другой город");
    click(&mut h, "Подтвердить");
    assert_eq!(status_of(&h, &child.application), Status::Departed);
    // The card's history holds the event as it was logged, the reason included.
    let card = h.state().backend().card(&child.application).expect("card");
    let departed = card.history.iter().find_map(|line| match &line.event {
        rules::command::Event::ChildDeparted { departure, .. } => Some(departure.reason.clone()),
        _ => None,
    });
    assert_eq!(departed.as_deref(), Some("Переезд в другой город"), "{:?}", card.history);
    assert!(shows(&h, "Опубликовать освободившееся место?"));
    assert!(shows(&h, "Сохраненные данные редактированию не подлежат"));
    let before = h.state().staff.places.len();
    click(&mut h, "ОК");
    assert_eq!(h.state().staff.places.len(), before + 1);
    click(&mut h, "База свободных мест в ДДО");
    assert!(shows(&h, "Ожидает"));
}

#[test]
fn add_free_places_with_the_immutability_warning() {
    let (_tmp, mut h) = harness("places");
    log_in(&mut h, "ddo");
    click(&mut h, "База свободных мест в ДДО");
    save_free_places(&mut h, "Казахский", "2023", "3");
    assert!(shows(&h, "Сохранить свободные места?"));
    click(&mut h, "ОК");
    assert!(shows(&h, "Места сохранены"));
}

#[test]
fn switch_language_on_every_screen() {
    let (_tmp, mut h) = harness("lang");
    click(&mut h, "Қазақша");
    assert!(shows(&h, "Жүйеге кіру"));
    type_into(&mut h, "Логин", "operator");
    type_into(&mut h, "Құпиясөз", demo_world::password("operator"));
    click(&mut h, "Кіру");
    let total = demo_world::applications();
    assert!(shows(&h, &format!("Табылған өтініштер: {total}")));
    assert!(shows(&h, "Кезекте"), "status from rules in Kazakh");
    click(&mut h, "English");
    assert!(shows(&h, &format!("Applications found: {total}")));
    assert!(shows(&h, "In the queue"));
    click(&mut h, "Statistics");
    assert!(shows(&h, "Queue by group year and queue type"));
    click(&mut h, "Synchronisation");
    assert!(shows(&h, "Entries not yet sent to the center"));
    click(&mut h, "Русский");
    assert!(shows(&h, "Записей не отправлено в центр"));
}

/// The USB round trip: the operator exports the unsent entries to a file, the center ingests
/// that file and writes its snapshot, and the operator imports it; a missing or altered file
/// is refused with its code and changes nothing.
#[test]
fn usb_export_and_snapshot_import_with_clear_errors() {
    let (tmp, mut h) = harness("usb");
    log_in(&mut h, "operator");
    click(&mut h, "Синхронизация");
    let pending = h.state().backend().sync_status().pending;
    assert!(pending > 0, "the demo world has unsent local work");
    let stick = tmp.path().join("usb");
    std::fs::create_dir_all(&stick).expect("the USB stick");
    let export = stick.join("KOK-01.kzb");
    clear(&mut h, "Файл для выгрузки");
    type_into(&mut h, "Файл для выгрузки", &export.display().to_string());
    click(&mut h, "Выгрузить в файл");
    assert!(shows(&h, &format!("Выгружено записей: {pending}")));

    // At the center: the file is ingested as it is (signed entries), and a snapshot written.
    let center_dir = tmp.path().join("center");
    demo_world::copy_center_to(&center_dir);
    let mut center = center::Center::open(&center_dir).expect("the center");
    let bundle = std::fs::read(&export).expect("the exported file");
    let now = demo_world::at(demo_world::NOW);
    let ingested = center.ingest(&bundle, now, Some(demo_world::KIOSK_ID)).expect("the center ingests the file");
    assert_eq!(ingested.report.accepted as u64, pending, "every exported entry is accepted");
    assert!(ingested.report.quarantined.is_empty());
    let snapshot_at = demo_world::at("2026-11-24T10:30:00+05:00");
    let (_, snapshot) = center.snapshot(demo_world::DISTRICT, snapshot_at).expect("a snapshot");
    drop(center);
    let snapshot_file = stick.join("snapshot-KOK.json");
    std::fs::write(&snapshot_file, &snapshot).expect("the USB stick");

    // A file that is not there, then one with a byte changed: refused, nothing changes.
    h.state_mut().sync.import_path = stick.join("missing.json").display().to_string();
    click(&mut h, "Загрузить снимок");
    assert!(shows(&h, "READ_FAILED"));
    let mut altered = snapshot.clone();
    let middle = altered.len() / 2;
    altered[middle] ^= 0x01;
    let altered_file = stick.join("snapshot-altered.json");
    std::fs::write(&altered_file, &altered).expect("the USB stick");
    h.state_mut().sync.import_path = altered_file.display().to_string();
    click(&mut h, "Загрузить снимок");
    assert!(shows(&h, "BAD_SNAPSHOT"), "an altered snapshot is refused");
    let before = h.state().backend().sync_status();
    assert_ne!(before.snapshot_at, Some(snapshot_at), "the altered snapshot was not kept");

    h.state_mut().sync.import_path = snapshot_file.display().to_string();
    click(&mut h, "Загрузить снимок");
    assert!(shows(&h, "Снимок центра на 24.11.2026 10:30 загружен"));
    assert_eq!(h.state().backend().sync_status().snapshot_at, Some(snapshot_at));
}

#[test]
fn admin_adds_and_disables_an_operator() {
    let (_tmp, mut h) = harness("admin");
    log_in(&mut h, "admin");
    let fingerprint = h.state().backend().key_fingerprint();
    assert!(!fingerprint.is_empty() && shows(&h, &fingerprint), "the key fingerprint to register at the center");
    type_into(&mut h, "Логин", "oper2");
    type_into(&mut h, "ФИО", "Нұрланова Жанар");
    click(&mut h, "Роль");
    click(&mut h, "Оператор отдела");
    type_into(&mut h, "Пароль", "oper2-password");
    click(&mut h, "Добавить пользователя");
    assert!(shows(&h, "Пользователь oper2 добавлен"));
    click(&mut h, "Отключить oper2");
    let ops = h.state().backend().operators().expect("operators");
    assert!(!ops.iter().find(|o| o.login == "oper2").expect("oper2").active);
    click(&mut h, "Выйти");
    type_into(&mut h, "Логин", "oper2");
    type_into(&mut h, "Пароль", "oper2-password");
    click(&mut h, "Войти");
    assert!(shows(&h, "OPERATOR_DISABLED"));
}

#[test]
fn card_explains_a_position_change() {
    let (_tmp, mut h) = harness("explain");
    log_in(&mut h, "operator");
    // A queued application behind the newcomers registered after the snapshot.
    let filter = JournalFilter { status: Some(Status::Queued), ..JournalFilter::default() };
    let rows = h.state_mut().backend_mut().journal(&filter, 0..400).expect("journal").rows;
    let moved = rows
        .iter()
        .find(|r| {
            h.state()
                .backend()
                .card(&r.id)
                .is_ok_and(|c| c.center_position.is_some_and(|p| Some(p.position) != c.local_position))
        })
        .map(|r| r.id.clone())
        .expect("a position that changed since the snapshot");
    open_card(&mut h, &moved);
    assert!(shows(&h, "Номер очереди (данные центра)"));
    click(&mut h, "Почему изменился номер очереди?");
    assert!(shows(&h, "Впереди появилось заявление"));
}
