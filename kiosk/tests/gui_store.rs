//! The kiosk GUI driven by label over the real store ([`StoreBackend`] on a temporary data
//! folder), and `kezek-kiosk demo --headless`.
#![cfg(feature = "gui")]

use std::path::{Path, PathBuf};
use std::process::Command;

use egui::accesskit::Role as AxRole;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use kiosk::gui::backend::Backend;
use kiosk::gui::{KioskApp, Screen, StoreBackend};
use kiosk::{InitParams, Kiosk, NewOperator};
use rules::Role;
use rules::model::Status;

const OPERATOR_PASSWORD: &str = "operator-pass";
const DDO_PASSWORD: &str = "ddo-password";
const ADMIN_PASSWORD: &str = "admin-password";

/// A kiosk in district KOK with an operator, a kindergarten account and the demo data.
fn demo_kiosk(dir: &Path) {
    Kiosk::init(
        dir,
        &InitParams {
            district: "KOK".into(),
            name: "Тестовый отдел".into(),
            kiosk_id: Some("KOK-01".into()),
            admin_login: "admin".into(),
            admin_name: "Администратор".into(),
            admin_password: ADMIN_PASSWORD.into(),
        },
    )
    .expect("demo kiosk set-up");
    let mut kiosk = Kiosk::open(dir).expect("demo kiosk set-up");
    let admin = kiosk.login("admin", ADMIN_PASSWORD).expect("demo kiosk set-up");
    let kok: Vec<String> =
        kiosk.state().kindergartens().filter(|k| k.district == "KOK").map(|k| k.id.clone()).collect();
    for (login, password, role, kindergartens) in
        [("operator", OPERATOR_PASSWORD, Role::Operator, Vec::new()), ("ddo", DDO_PASSWORD, Role::Kindergarten, kok)]
    {
        let new = NewOperator { login: login.into(), name: format!("Тест {login}"), role, kindergartens };
        kiosk.add_operator(&admin, &new, password).expect("demo kiosk set-up");
    }
    kiosk.demo_load(&admin).expect("demo kiosk set-up");
}

fn harness(dir: &Path, out: PathBuf) -> Harness<'static, KioskApp> {
    let backend = StoreBackend::open(dir).expect("demo kiosk set-up");
    let app = KioskApp::new(Box::new(backend), out);
    Harness::builder()
        .with_size([1366.0, 900.0])
        .with_max_steps(12)
        .build_ui_state(|ui, app: &mut KioskApp| app.frame_ui(ui), app)
}

fn widget<'a>(h: &'a Harness<'static, KioskApp>, label: &'a str) -> egui_kittest::Node<'a> {
    let mut nodes: Vec<_> =
        h.query_all_by_label(label).filter(|n| n.accesskit_node().role() != AxRole::Label).collect();
    assert_eq!(nodes.len(), 1, "exactly one widget labelled {label:?}");
    nodes.remove(0)
}

fn click(h: &mut Harness<'static, KioskApp>, label: &str) {
    widget(h, label).scroll_to_me();
    h.run();
    widget(h, label).click();
    h.run();
}

fn type_into(h: &mut Harness<'static, KioskApp>, label: &str, text: &str) {
    widget(h, label).scroll_to_me();
    h.run();
    widget(h, label).click();
    h.run();
    widget(h, label).type_text(text);
    h.run();
}

fn shows(h: &Harness<'static, KioskApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

fn log_in(h: &mut Harness<'static, KioskApp>, login: &str, password: &str) {
    type_into(h, "Логин", login);
    type_into(h, "Пароль", password);
    click(h, "Войти");
    assert!(h.state().session().is_some(), "logged in as {login}");
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
    type_into(&mut h, "ФИО ребенка", "Сейітова Әйгерім");
    type_into(&mut h, "ИИН заявителя", "900517400015");
    type_into(&mut h, "ФИО заявителя", "Сейітова Гүлнұр");
    type_into(&mut h, "Номер телефона", "+7 701 555 12 34");
    type_into(&mut h, "Адрес регистрации", "г. Кокшетау, ул. Абая, 15");
    click(&mut h, "Встать в очередь");
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
    click(&mut h, "Язык обучения");
    click(&mut h, "Казахский");
    click(&mut h, "Год группы");
    click(&mut h, "2023");
    type_into(&mut h, "Количество свободных мест", "3");
    click(&mut h, "Сохранить");
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
