//! Image snapshots of main screens, rendered by wgpu (llvmpipe / lavapipe when there is no GPU).
//! Stored in `kiosk/tests/gui_snapshots/`; update with `UPDATE_SNAPSHOTS=true`.
//! Without any wgpu adapter (no Mesa) the test says so and passes: the flows are covered
//! by `gui_flows.rs` either way.
#![cfg(feature = "gui")]

use egui_kittest::kittest::Queryable;
use egui_kittest::{Harness, SnapshotOptions, SnapshotResults};
use kiosk::gui::KioskApp;
use store_gui::demo_world;

mod store_gui;

fn harness(screen: &str, login: &str, lang: &str) -> Harness<'static, KioskApp> {
    let dir = std::env::temp_dir().join(format!("kezek-gui-snap-{}-{screen}-{lang}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let app = KioskApp::new(Box::new(demo_world::backend(&dir.join("kiosk"))), dir.join("out"));
    let mut h = Harness::builder()
        .with_size([1280.0, 760.0])
        .with_max_steps(12)
        .with_theme(egui::Theme::Light)
        .build_ui_state(|ui, app: &mut KioskApp| app.frame_ui(ui), app);
    let ctx = h.ctx.clone();
    if !login.is_empty() {
        h.state_mut().demo_open(&ctx, login, demo_world::password(login), screen);
    }
    if let Some(lang) = rules::i18n::Lang::parse(lang) {
        h.state_mut().lang = lang;
    }
    h.run();
    h
}

#[test]
fn screens_look_as_recorded() {
    let mut h = harness("", "", "ru");
    if let Err(error) = h.render() {
        eprintln!("no wgpu renderer here, image snapshots skipped: {error}");
        return;
    }
    let options = SnapshotOptions::default().output_path("tests/gui_snapshots").threshold(2.0).max_failed_pixels(200);
    let mut results = SnapshotResults::new();
    h.snapshot_options("login_ru", &options);
    results.extend_harness(&mut h);
    for (name, login, screen, lang) in [
        ("journal_kk", "operator", "journal", "kk"),
        ("card_voucher_ru", "operator", "card-voucher", "ru"),
        ("staff_direction_en", "ddo", "staff", "en"),
    ] {
        let mut h = harness(screen, login, lang);
        assert!(h.query_all_by_label_contains("Kezek").next().is_some());
        h.snapshot_options(name, &options);
        results.extend_harness(&mut h);
    }
    results.unwrap();
}
