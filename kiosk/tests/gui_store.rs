//! The kiosk GUI driven by label over the real store ([`StoreBackend`] on a temporary data
//! folder), and `kezek-kiosk demo --headless`.
#![cfg(feature = "gui")]

mod store_gui;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use egui::accesskit::Role as AxRole;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kiosk::gui::backend::Backend;
use kiosk::gui::{KioskApp, Screen, StoreBackend};
use kiosk::{Kiosk, NewOperator};
use rules::Role;
use rules::model::Status;
use store_gui::forms::{SEITOVA, apply_for, refuse_by_iin, save_free_places};
use store_gui::{click, demo_world, harness, harness_over, log_in, shows, status_of, type_into, widget};

const OPERATOR_PASSWORD: &str = "operator-demo";
const DDO_PASSWORD: &str = "ddo-demo";
const ADMIN_PASSWORD: &str = "admin-demo";

/// A kiosk in district KOK with the demo accounts and the demo data, nothing sent yet.
fn demo_kiosk(dir: &Path) {
    kiosk::passwords::insecure_fast_hashing_for_tests();
    demo_world::unsynced_kiosk(dir).close();
}

#[test]
fn first_run_shows_the_setup_screen() {
    let tmp = tempfile::tempdir().expect("run kezek-kiosk");
    let backend = StoreBackend::open(&tmp.path().join("kiosk")).expect("run kezek-kiosk");
    assert!(backend.needs_setup());
    let h = {
        let app = KioskApp::new(Box::new(backend), tmp.path().join("out"));
        Harness::builder()
            .with_size([1366.0, 900.0])
            .with_max_steps(12)
            .build_ui_state(|ui, app: &mut KioskApp| app.frame_ui(ui), app)
    };
    assert!(shows(&h, "Первичная настройка киоска"));
}

#[test]
fn operator_and_staff_flows_on_the_real_store() {
    let tmp = tempfile::tempdir().expect("run kezek-kiosk");
    let dir = tmp.path().join("kiosk");
    let out = tmp.path().join("out");
    demo_kiosk(&dir);

    // A wrong password: an error, no session.
    let mut h = harness(&dir, out.clone());
    type_into(&mut h, "Логин", "operator");
    type_into(&mut h, "Пароль", "wrong-password");
    click(&mut h, "Войти");
    assert!(h.state().session().is_none());

    // The operator's journal: every demo application; find by IIN; the card.
    drop(h);
    let mut h = harness(&dir, out.clone());
    log_in(&mut h, "operator", OPERATOR_PASSWORD);
    assert_eq!(h.state().screen, Screen::Journal);
    assert!(shows(&h, "Найдено заявлений: 300"));
    type_into(&mut h, "Поиск: ИИН ребенка, регистрационный номер или ФИО", "201022634058");
    assert!(shows(&h, "Найдено заявлений: 1"));
    click(&mut h, "KOK-01-2021-000002");
    assert_eq!(h.state().screen, Screen::Card);
    assert!(shows(&h, "Хабибуллина Вероника"));
    let card = h.state().backend().card("KOK-01-2021-000002").expect("run kezek-kiosk");
    assert_eq!(card.history.len(), 1, "{:?}", card.history);
    assert_eq!(card.history[0].kiosk, "KOK-01");
    assert!(card.local_position.is_some());
    assert!(card.center_position.is_none(), "no center snapshot yet");

    // An invalid IIN is caught before anything is saved.
    click(&mut h, "Постановка в очередь");
    type_into(&mut h, "ИИН ребенка", "230310600012");
    assert!(shows(&h, "Неверная контрольная цифра ИИН"));
    click(&mut h, "Встать в очередь");
    assert!(h.state().dialog().is_none());
    assert!(h.state().saved.is_none());
    drop(h);

    // A valid application: confirmation, saved in the signed log, receipt.
    let mut h = harness(&dir, out.clone());
    log_in(&mut h, "operator", OPERATOR_PASSWORD);
    click(&mut h, "Постановка в очередь");
    type_into(&mut h, "ИИН ребенка", "230310600011");
    apply_for(&mut h, &SEITOVA);
    assert!(shows(&h, "Проверьте данные заявления"));
    click(&mut h, "Сохранить");
    let saved = h.state().saved.clone().expect("saved");
    let id = saved.receipt.id.clone();
    assert!(id.starts_with("KOK-01-"), "{id}");
    assert!(shows(&h, "Заявление сохранено"));
    assert_eq!(h.state().backend().card(&id).expect("run kezek-kiosk").application.status, Status::Queued);
    assert_eq!(h.state().backend().sync_status().pending, 333);
    drop(h);

    // It survived: reopen the store and find it.
    let kiosk = Kiosk::open(&dir).expect("run kezek-kiosk");
    assert_eq!(
        kiosk.application(&id).expect("run kezek-kiosk").expect("run kezek-kiosk").child.name,
        "Сейітова Әйгерім"
    );
    drop(kiosk);

    // Kindergarten staff add free places (their role, their kindergarten).
    let mut h = harness(&dir, out);
    log_in(&mut h, "ddo", DDO_PASSWORD);
    assert_eq!(h.state().screen, Screen::Staff);
    let kg = h.state().session().expect("run kezek-kiosk").kindergartens[0].clone();
    let before = h.state().backend().places(&kg).expect("run kezek-kiosk").len();
    click(&mut h, "База свободных мест в ДДО");
    save_free_places(&mut h, "Казахский", "2023", "3");
    assert!(shows(&h, "Сохранить свободные места?"));
    click(&mut h, "ОК");
    assert!(shows(&h, "Места сохранены"));
    let after = h.state().backend().places(&kg).expect("run kezek-kiosk");
    assert_eq!(after.len(), before + 1);
    // The kiosk enforces roles: staff may not register.
    let err = h.state_mut().backend_mut().act(&id, rules::command::Action::Withdraw).unwrap_err();
    assert!(!err.code.is_empty() && !err.ru.is_empty() && !err.kk.is_empty() && !err.en.is_empty());
}

fn demo_run(data: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kezek-kiosk"))
        .args(["--data"])
        .arg(data)
        .args(["--lang", "en", "demo", "--headless"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("KEZEK_KIOSK_DATA")
        .output()
        .expect("run kezek-kiosk");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn demo_headless_walk_through_and_a_second_run_reuses_the_data() {
    let tmp = tempfile::tempdir().expect("run kezek-kiosk");
    let data = tmp.path().join("demo");
    let (code, stdout, stderr) = demo_run(&data);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    for text in [
        "The demo kiosk was created",
        "Kiosk: KOK-01",
        "Key fingerprint: ",
        "Applications loaded: 300",
        "Journal: the first 10 rows (total 300)",
        "Application card",
        "Allowed actions (rules)",
        "Withdraw from the queue",
        "History:",
        "Change log: healthy",
        "Log verification: OK",
        "operator / operator-demo",
    ] {
        assert!(stdout.contains(text), "{text:?} in\n{stdout}");
    }
    let journal_rows = stdout
        .lines()
        .skip_while(|l| !l.contains("Journal: the first 10 rows"))
        .skip(2)
        .take_while(|l| !l.is_empty())
        .count();
    assert_eq!(journal_rows, 10, "{stdout}");
    let counts = |s: &str| s.lines().find(|l| l.starts_with("Applications loaded")).map(str::to_owned);

    let (code, again, stderr) = demo_run(&data);
    assert_eq!(code, 0, "{again}\n{stderr}");
    assert!(again.contains("reusing it"), "{again}");
    assert_eq!(counts(&stdout), counts(&again), "nothing loaded twice");
}

/// A real center on 127.0.0.1 (its own data folder, the system clock) that knows the kiosk
/// in `kiosk_dir`; the kiosk gets the center's public key (and `url` when `with_url`).
fn center_for(tmp: &Path, kiosk_dir: &Path, with_url: bool) -> (center::http::App, center::http::ServerHandle) {
    // The demo data spans the demo directory's three districts (its staff account is bound
    // to every demo kindergarten): the center lets this kiosk serve them all.
    center_serving(tmp, kiosk_dir, with_url, &["AKK", "ZER"])
}

/// [`center_for`], the kiosk serving its own district and `more`.
fn center_serving(
    tmp: &Path,
    kiosk_dir: &Path,
    with_url: bool,
    more: &[&str],
) -> (center::http::App, center::http::ServerHandle) {
    let center_dir = tmp.join("center");
    let key = center::Center::init(&center_dir, None).expect("center set-up").public_key;
    let mut center = center::Center::open(&center_dir).expect("center set-up");
    let kiosk = Kiosk::open(kiosk_dir).expect("center set-up");
    let registered: rules::Instant = "2020-01-01T00:00:00+05:00".parse().expect("center set-up");
    center.add_kiosk("KOK-01", "KOK", &kiosk.public_key_hex(), registered).expect("center set-up");
    for district in more {
        center.add_served_district("KOK-01", district).expect("center set-up");
    }
    let app = center::http::App::new(center, Arc::new(center::now));
    let server = center::http::spawn("127.0.0.1:0", app.clone()).expect("center set-up");
    let url = server.url();
    kiosk::push::set_center(&kiosk, with_url.then_some(url.as_str()), Some(&key)).expect("center set-up");
    (app, server)
}

fn quick_retries() -> center::client::PushOptions {
    center::client::PushOptions {
        attempts: 3,
        initial_backoff: Duration::from_secs(1),
        max_backoff: Duration::from_secs(2),
        timeout: Duration::from_secs(20),
    }
}

/// Frames until the background push is over (the UI keeps drawing meanwhile).
fn wait_for_push(h: &mut Harness<'static, KioskApp>) -> u32 {
    let started = std::time::Instant::now();
    let mut frames = 0;
    while h.state().pushing() {
        assert!(started.elapsed() < Duration::from_secs(90), "the push did not end");
        std::thread::sleep(Duration::from_millis(10));
        h.step();
        frames += 1;
    }
    h.run();
    frames
}

#[test]
fn push_to_a_real_center_runs_in_the_background_with_progress() {
    let tmp = tempfile::tempdir().expect("run kezek-kiosk");
    let dir = tmp.path().join("kiosk");
    demo_kiosk(&dir);
    let (center, server) = center_for(tmp.path(), &dir, false);
    let pending = Kiosk::open(&dir).expect("run kezek-kiosk").status().pending_entries;
    assert!(pending > 300, "{pending}");

    let mut h = harness(&dir, tmp.path().join("out"));
    log_in(&mut h, "operator", OPERATOR_PASSWORD);
    // No URL yet: nothing starts by itself.
    h.run();
    assert!(!h.state().pushing());
    click(&mut h, "Синхронизация");
    assert!(shows(&h, "Автоматическая синхронизация начнётся"));
    type_into(&mut h, "Адрес центра", &server.url());
    click(&mut h, "Отправить в центр");
    let frames = wait_for_push(&mut h);
    eprintln!("push over after {frames} extra frames");
    assert!(shows(&h, &format!("Готово: центр принял {pending}")), "done with the count");
    let status = h.state().backend().sync_status();
    assert_eq!(status.pending, 0);
    assert!(status.last_sync.is_some() && status.snapshot_at.is_some(), "{status:?}");
    assert_eq!(status.center_url.as_deref(), Some(server.url().as_str()), "the URL is kept for automatic pushes");
    assert!(!shows(&h, "Синхронизации ещё не было"));
    assert!(shows(&h, "Последняя синхронизация:"));
    assert_eq!(center.center.lock().expect("center").state().applications().count(), 300);
    // The center's snapshot is kept: the card shows the center's position.
    let queued = h.state().backend().find(&kiosk::gui::backend::Lookup::ChildIin("201022634058".into()));
    let id = queued.expect("run kezek-kiosk")[0].id.clone();
    assert!(h.state().backend().card(&id).expect("run kezek-kiosk").center_position.is_some());
    drop(h);
    // Durable: a reopened kiosk has nothing pending and remembers the URL.
    let kiosk = Kiosk::open(&dir).expect("run kezek-kiosk");
    assert_eq!(kiosk.status().pending_entries, 0);
    assert_eq!(kiosk::push::center_config(&kiosk).expect("run kezek-kiosk").and_then(|c| c.url), Some(server.url()));
}

#[test]
fn an_unreachable_center_shows_an_error_and_the_ui_keeps_working() {
    let tmp = tempfile::tempdir().expect("run kezek-kiosk");
    let dir = tmp.path().join("kiosk");
    demo_kiosk(&dir);
    let (_center, server) = center_for(tmp.path(), &dir, false);
    drop(server);
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("run kezek-kiosk").local_addr().expect("addr");
    let url = format!("http://{closed}");
    let pending = Kiosk::open(&dir).expect("run kezek-kiosk").status().pending_entries;

    let mut backend = StoreBackend::open(&dir).expect("run kezek-kiosk");
    backend.set_push_options(quick_retries());
    let mut h = harness_over(backend, tmp.path().join("out"));
    log_in(&mut h, "operator", OPERATOR_PASSWORD);
    click(&mut h, "Синхронизация");
    type_into(&mut h, "Адрес центра", &url);
    let started = std::time::Instant::now();
    click(&mut h, "Отправить в центр");
    // Three attempts with 1 s and 2 s between them: the push is still running, and the
    // operator works on meanwhile.
    assert!(h.state().pushing(), "the push runs in the background");
    assert!(shows(&h, "Идёт синхронизация с центром"));
    click(&mut h, "Журнал заявлений");
    type_into(&mut h, "Поиск: ИИН ребенка, регистрационный номер или ФИО", "201022634058");
    assert!(shows(&h, "Найдено заявлений: 1"));
    assert!(h.state().pushing(), "searching the journal did not wait for the push");
    let frames = wait_for_push(&mut h);
    assert!(frames > 20, "the window kept drawing while the push waited ({frames} frames)");
    assert!(started.elapsed() >= Duration::from_secs(3), "every retry was made");
    assert!(shows(&h, "Нет связи с центром"), "the status bar says so");
    click(&mut h, "Синхронизация");
    assert!(shows(&h, "Центр недоступен (3 попыток"), "a clear error");
    assert!(shows(&h, "Данные сохранены на киоске"));
    assert!(shows(&h, "CENTER_UNREACHABLE"));
    // Nothing lost, nothing marked as sent.
    assert_eq!(h.state().backend().sync_status().pending, pending);
    drop(h);
    assert_eq!(Kiosk::open(&dir).expect("run kezek-kiosk").status().pending_entries, pending);
}

#[test]
fn automatic_push_every_n_minutes_with_a_persisted_period() {
    let tmp = tempfile::tempdir().expect("run kezek-kiosk");
    let dir = tmp.path().join("kiosk");
    demo_kiosk(&dir);
    let (center, _server) = center_for(tmp.path(), &dir, true);

    // The kiosk clock runs from a test-controlled offset.
    let offset = Arc::new(AtomicI64::new(0));
    let mut kiosk = Kiosk::open(&dir).expect("run kezek-kiosk");
    let base = kiosk.now();
    let shift = Arc::clone(&offset);
    kiosk.set_clock(move || rules::Instant(base.0 + chrono::Duration::seconds(shift.load(Ordering::SeqCst))));
    let mut h = harness_over(StoreBackend::from_kiosk(kiosk), tmp.path().join("out"));
    assert_eq!(h.state().backend().sync_status().auto_minutes, 5, "the default period");
    // Never synced, a URL configured: the first frame starts a push, before anyone logs in.
    h.run();
    wait_for_push(&mut h);
    assert_eq!(h.state().backend().sync_status().pending, 0);

    // New work; within the period nothing is sent.
    log_in(&mut h, "operator", OPERATOR_PASSWORD);
    let id = "KOK-01-2021-000002";
    h.state_mut().backend_mut().act(id, rules::command::Action::Withdraw).expect("run kezek-kiosk");
    offset.store(4 * 60, Ordering::SeqCst);
    h.run();
    assert!(!h.state().pushing());
    assert_eq!(h.state().backend().sync_status().pending, 1);
    // Five minutes after the last push: sent in the background.
    offset.store(5 * 60 + 1, Ordering::SeqCst);
    h.run();
    wait_for_push(&mut h);
    assert_eq!(h.state().backend().sync_status().pending, 0);
    let at_center = center.center.lock().expect("center").state().application(id).map(|a| a.status);
    assert_eq!(at_center, Some(Status::Archived));

    // The operator sets 10 minutes; kept in the data folder.
    click(&mut h, "Синхронизация");
    click(&mut h, "Автоматическая синхронизация");
    click(&mut h, "Каждые 10 мин");
    assert_eq!(h.state().backend().sync_status().auto_minutes, 10);
    h.state_mut().backend_mut().act("KOK-01-2021-000003", rules::command::Action::Withdraw).ok();
    offset.store(11 * 60, Ordering::SeqCst);
    h.run();
    assert!(!h.state().pushing(), "not due before ten minutes");
    drop(h);
    let reopened = StoreBackend::open(&dir).expect("run kezek-kiosk");
    assert_eq!(reopened.sync_status().auto_minutes, 10);
}

fn first_with(h: &mut Harness<'static, KioskApp>, status: Status, skip: &[String]) -> String {
    let filter = kiosk::gui::backend::JournalFilter { status: Some(status), ..Default::default() };
    let page = h.state_mut().backend_mut().journal(&filter, 0..1_000).expect("journal");
    page.rows.iter().map(|r| r.id.clone()).find(|id| !skip.contains(id)).expect("an application with that status")
}

fn open_card(h: &mut Harness<'static, KioskApp>, id: &str) {
    click(h, "Журнал заявлений");
    let search = "Поиск: ИИН ребенка, регистрационный номер или ФИО";
    clear(h, search);
    type_into(h, search, id);
    click(h, id);
    assert_eq!(h.state().screen, Screen::Card);
}

fn clear(h: &mut Harness<'static, KioskApp>, label: &str) {
    widget(h, label).click();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.key_press(egui::Key::Backspace);
    h.run();
}

fn log_out_and_in(h: &mut Harness<'static, KioskApp>, login: &str, password: &str) {
    click(h, "Выйти");
    log_in(h, login, password);
}

/// Vouchers come from the center: the kiosk pushes its log, the center distributes, the
/// kiosk takes the signed snapshot back; then the operator and the kindergarten staff work on
/// them in the GUI, and the center accepts everything they did.
#[test]
fn vouchers_from_the_center_confirmed_chosen_accepted_refused_departed() {
    let tmp = tempfile::tempdir().expect("run kezek-kiosk");
    let dir = tmp.path().join("kiosk");
    demo_kiosk(&dir);
    let (center, _server) = center_for(tmp.path(), &dir, true);
    let mut h = harness(&dir, tmp.path().join("out"));
    h.run();
    wait_for_push(&mut h);
    assert_eq!(h.state().backend().sync_status().pending, 0, "the first automatic push sent everything");
    let run = center.center.lock().expect("center").distribute("KOK", center::now()).expect("distribution");
    assert!(!run.vouchers.is_empty(), "the center issued vouchers");

    log_in(&mut h, "operator", OPERATOR_PASSWORD);
    click(&mut h, "Синхронизация");
    click(&mut h, "Отправить в центр");
    wait_for_push(&mut h);
    let journal = |h: &mut Harness<'static, KioskApp>, status| {
        let filter = kiosk::gui::backend::JournalFilter { status: Some(status), ..Default::default() };
        h.state_mut().backend_mut().journal(&filter, 0..0).expect("journal").total
    };
    let issued = journal(&mut h, Status::VoucherIssued);
    assert!(issued >= 2, "the center's vouchers are in the kiosk's journal ({issued})");

    // The operator confirms two vouchers and chooses a kindergarten for each.
    let mut chosen = Vec::new();
    for _ in 0..2 {
        let id = first_with(&mut h, Status::VoucherIssued, &chosen);
        open_card(&mut h, &id);
        assert!(shows(&h, "Выдан ваучер"));
        click(&mut h, "Подтвердить заинтересованность");
        click(&mut h, "Подтвердить");
        assert_eq!(status_of(&h, &id), Status::VoucherConfirmed);
        click(&mut h, "Выбрать дошкольную организацию");
        assert!(shows(&h, "Свободно мест"), "free places listed");
        h.query_all_by_role(AxRole::RadioButton).next().expect("a choice").click();
        h.run();
        click(&mut h, "Подтвердить");
        assert_eq!(status_of(&h, &id), Status::DirectionIssued);
        chosen.push(id);
    }

    // Kindergarten staff: accept one child (by direction number), refuse the other (by IIN).
    log_out_and_in(&mut h, "ddo", DDO_PASSWORD);
    assert_eq!(h.state().screen, Screen::Staff);
    let card = h.state().backend().card(&chosen[0]).expect("card");
    let number = card.application.direction.expect("direction").number;
    click(&mut h, "По номеру направления");
    type_into(&mut h, "Номер направления", &number);
    click(&mut h, "Поиск");
    click(&mut h, "Принять в ДДО");
    click(&mut h, "Подтвердить");
    assert_eq!(status_of(&h, &chosen[0]), Status::Enrolled);
    let iin = h.state().backend().card(&chosen[1]).expect("card").application.child.iin;
    refuse_by_iin(&mut h, &iin, "Нет медицинской справки");
    assert_eq!(status_of(&h, &chosen[1]), Status::RefusalReview);

    // The enrolled child leaves; the freed place is offered for publication.
    click(&mut h, "Список числящихся детей");
    assert!(h.state().staff.enrolled.iter().any(|c| c.application == chosen[0]));
    click(&mut h, "Убыл");
    type_into(&mut h, "Причина убытия", "Переезд в другой город");
    click(&mut h, "Подтвердить");
    assert_eq!(status_of(&h, &chosen[0]), Status::Departed);
    assert!(shows(&h, "Опубликовать освободившееся место?"));
    click(&mut h, "ОК");

    // The same screen in Kazakh and English.
    click(&mut h, "Қазақша");
    assert!(shows(&h, "Синхрондау"));
    click(&mut h, "English");
    assert!(shows(&h, "Synchronisation"));
    click(&mut h, "Русский");

    // Everything goes to the center, which accepts it (nothing set aside).
    click(&mut h, "Синхронизация");
    click(&mut h, "Отправить в центр");
    wait_for_push(&mut h);
    let status = h.state().backend().sync_status();
    assert_eq!((status.pending, status.quarantine.len()), (0, 0), "{status:?}");
    let at_center = |id: &str| center.center.lock().expect("center").state().application(id).map(|a| a.status);
    assert_eq!(at_center(&chosen[0]), Some(Status::Departed));
    assert_eq!(at_center(&chosen[1]), Some(Status::RefusalReview));
}

/// The administrator enters the center's key in the GUI (no CLI); a wrong one is refused and
/// operators do not get the field; then a push verifies the center's answers with it.
#[test]
fn the_administrator_sets_the_center_key_then_a_push_works() {
    let tmp = tempfile::tempdir().expect("run kezek-kiosk");
    let dir = tmp.path().join("kiosk");
    demo_kiosk(&dir);
    let (_center, server) = center_for(tmp.path(), &dir, false);
    let key = kiosk::push::center_config(&Kiosk::open(&dir).expect("run kezek-kiosk"))
        .expect("run kezek-kiosk")
        .expect("set")
        .public_key;
    std::fs::remove_file(dir.join(kiosk::push::CENTER_FILE)).expect("run kezek-kiosk");

    let mut h = harness(&dir, tmp.path().join("out"));
    log_in(&mut h, "operator", OPERATOR_PASSWORD);
    click(&mut h, "Синхронизация");
    assert!(shows(&h, "не задан: синхронизация невозможна"));
    assert!(h.query_all_by_label_contains("Открытый ключ центра (64").next().is_none(), "operators may not set it");
    type_into(&mut h, "Адрес центра", &server.url());
    click(&mut h, "Отправить в центр");
    wait_for_push(&mut h);
    assert!(shows(&h, "CENTER_KEY_NOT_SET"), "a clear error without the key");

    log_out_and_in(&mut h, "admin", ADMIN_PASSWORD);
    click(&mut h, "Синхронизация");
    let field = "Открытый ключ центра (64 шестнадцатеричных символа, от администратора центра)";
    type_into(&mut h, field, "not-a-key");
    click(&mut h, "Сохранить ключ");
    assert!(shows(&h, "BAD_CENTER_KEY"));
    clear(&mut h, field);
    type_into(&mut h, field, &key);
    click(&mut h, "Сохранить ключ");
    assert!(shows(&h, "Ключ центра сохранён"));
    assert_eq!(h.state().backend().sync_status().center_key.as_deref(), Some(key.as_str()));
    click(&mut h, "Отправить в центр");
    wait_for_push(&mut h);
    assert_eq!(h.state().backend().sync_status().pending, 0, "the push succeeded with the key");
}

/// A kiosk restored from a backup writes a different entry under a number the center has
/// already accepted: the push stops with FORK, the sync screen says what happened and what to
/// do in the operator's language, and nothing is lost on either side.
#[test]
fn a_kiosk_restored_from_a_backup_is_told_it_forked_in_its_language() {
    let tmp = tempfile::tempdir().expect("run kezek-kiosk");
    let dir = tmp.path().join("kiosk");
    let backup = tmp.path().join("backup");
    demo_kiosk(&dir);
    let (center, server) = center_for(tmp.path(), &dir, true);
    let copied = Command::new("cp").arg("-a").arg(&dir).arg(&backup).status().expect("cp");
    assert!(copied.success());

    let add_operator = |login: &str| {
        let mut kiosk = Kiosk::open(&dir).expect("run kezek-kiosk");
        let admin = kiosk.login("admin", ADMIN_PASSWORD).expect("run kezek-kiosk");
        let new = NewOperator { login: login.into(), name: login.into(), role: Role::Operator, kindergartens: vec![] };
        kiosk.add_operator(&admin, &new, OPERATOR_PASSWORD).expect("run kezek-kiosk");
    };
    add_operator("first-timeline");
    let mut kiosk = Kiosk::open(&dir).expect("run kezek-kiosk");
    kiosk::push::push(&mut kiosk, &server.url(), &mut |_| {}).expect("the first push");
    let forked_seq = kiosk.last_seq();
    drop(kiosk);

    // The office restores last week's backup and carries on.
    std::fs::remove_dir_all(&dir).expect("restore");
    let restored = Command::new("cp").arg("-a").arg(&backup).arg(&dir).status().expect("cp");
    assert!(restored.success());
    add_operator("second-timeline");

    let mut backend = StoreBackend::open(&dir).expect("run kezek-kiosk");
    backend.set_push_options(quick_retries());
    let mut h = harness_over(backend, tmp.path().join("out"));
    log_in(&mut h, "operator", OPERATOR_PASSWORD);
    click(&mut h, "Синхронизация");
    click(&mut h, "Отправить в центр");
    wait_for_push(&mut h);
    let status = h.state().backend().sync_status();
    assert!(
        matches!(&status.last_attempt, Some((_, kiosk::gui::backend::SyncOutcome::Failed(e))) if e.code == "FORK"),
        "{status:?}"
    );
    assert_eq!(status.pending, forked_seq, "nothing of the kiosk's log is dropped");
    assert!(shows(&h, &format!("Запись № {forked_seq} в центре не совпадает")), "explained in Russian");
    assert!(shows(&h, "Не вводите новые данные"), "and what to do");
    click(&mut h, "Қазақша");
    assert!(shows(&h, "ескі көшірмеден қалпына келтірілген"), "explained in Kazakh");
    click(&mut h, "English");
    assert!(shows(&h, "restored from an old copy"), "explained in English");
    // The center kept the first timeline's entry.
    let kiosks = center.center.lock().expect("center").kiosks();
    assert_eq!(kiosks[0].accepted_through_seq, forked_seq, "the center keeps what it accepted");
}

/// What the center set aside is explained by its code in the operator's language; the
/// center's own (English) detail and the code stay beside it for support.
#[test]
fn quarantined_entries_are_explained_in_the_operators_language() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("kiosk");
    let mut kiosk = kiosk::testkit::staffed_kiosk(&dir, "KOK", "KOK-01", None);
    let operator = kiosk.login("op", kiosk::testkit::OPERATOR_PASSWORD).expect("operator");
    // A child of the neighbouring district, registered here while offline; the center has not
    // let this kiosk serve that district.
    let today = rules::Date::from_ymd(2026, 11, 24).expect("date");
    let (iin, birth) = kiosk::testkit::children(1, today, 300).remove(0);
    let application = kiosk::testkit::application("ZER", &iin, birth, 1);
    let seq = kiosk.execute(&operator, rules::Command::Register { application }).expect("taken offline").seq;
    drop(kiosk);
    let (_center, server) = center_serving(tmp.path(), &dir, false, &[]);

    let mut h = harness(&dir, tmp.path().join("out"));
    log_in(&mut h, "op", kiosk::testkit::OPERATOR_PASSWORD);
    click(&mut h, "Синхронизация");
    type_into(&mut h, "Адрес центра", &server.url());
    click(&mut h, "Отправить в центр");
    wait_for_push(&mut h);
    let status = h.state().backend().sync_status();
    assert_eq!(status.quarantine.len(), 1, "{status:?}");
    assert_eq!((status.quarantine[0].seq, status.quarantine[0].reason.code.as_str()), (seq, "OUT_OF_DISTRICT"));
    assert!(shows(&h, &format!("Запись № {seq} (")));
    assert!(shows(&h, "Запись относится к району или детскому саду, который этот киоск не обслуживает."));
    assert!(shows(&h, "(OUT_OF_DISTRICT)"), "the center's detail and the code, for support");
    click(&mut h, "Қазақша");
    assert!(shows(&h, "Жазба осы киоск қызмет көрсетпейтін ауданға немесе балабақшаға қатысты."));
    click(&mut h, "English");
    assert!(shows(&h, "The entry concerns a district or kindergarten this kiosk is not registered to serve."));
}
