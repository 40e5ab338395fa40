//! Driving the kiosk GUI over the real store by label (`egui_kittest`), for the test files
//! that need it (`gui_store.rs`, `gui_places.rs`, `gui_flows.rs`), and the office's forms
//! filled in as a person would (`forms`).
#![allow(dead_code)] // each test file uses its own part

pub mod demo_world;
pub mod forms;

use std::path::{Path, PathBuf};

use egui::accesskit::Role as AxRole;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use kiosk::gui::{KioskApp, StoreBackend};
use rules::model::Status;

/// The GUI over the kiosk in `dir`, printing into `out`, at an office screen's size.
pub fn harness(dir: &Path, out: PathBuf) -> Harness<'static, KioskApp> {
    harness_over(StoreBackend::open(dir).expect("open the test kiosk"), out)
}

pub fn harness_over(backend: StoreBackend, out: PathBuf) -> Harness<'static, KioskApp> {
    let app = KioskApp::new(Box::new(backend), out);
    Harness::builder()
        .with_size([1366.0, 900.0])
        .with_max_steps(12)
        .build_ui_state(|ui, app: &mut KioskApp| app.frame_ui(ui), app)
}

/// The one widget (not a plain text label) with this label.
pub fn widget<'a>(h: &'a Harness<'static, KioskApp>, label: &'a str) -> egui_kittest::Node<'a> {
    let mut nodes: Vec<_> =
        h.query_all_by_label(label).filter(|n| n.accesskit_node().role() != AxRole::Label).collect();
    assert_eq!(nodes.len(), 1, "exactly one widget labelled {label:?}");
    nodes.remove(0)
}

/// Clicks the widget, after checking that it lies inside the window (an office screen).
pub fn click(h: &mut Harness<'static, KioskApp>, label: &str) {
    widget(h, label).scroll_to_me();
    h.run();
    let node = widget(h, label);
    let rect = node.rect();
    assert!(rect.max.x <= 1366.0, "{label:?} lies outside the window: {rect:?}");
    node.click();
    h.run();
}

/// Empties a text field.
pub fn clear(h: &mut Harness<'static, KioskApp>, label: &str) {
    widget(h, label).click();
    h.run();
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    h.key_press(egui::Key::Backspace);
    h.run();
}

pub fn type_into(h: &mut Harness<'static, KioskApp>, label: &str, text: &str) {
    widget(h, label).scroll_to_me();
    h.run();
    widget(h, label).click();
    h.run();
    widget(h, label).type_text(text);
    h.run();
}

/// The status of application `id` as the kiosk has it.
pub fn status_of(h: &Harness<'static, KioskApp>, id: &str) -> Status {
    h.state().backend().card(id).expect("card").application.status
}

pub fn shows(h: &Harness<'static, KioskApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

pub fn log_in(h: &mut Harness<'static, KioskApp>, login: &str, password: &str) {
    type_into(h, "Логин", login);
    type_into(h, "Пароль", password);
    click(h, "Войти");
    assert!(h.state().session().is_some(), "logged in as {login}");
}
