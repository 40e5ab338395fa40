//! The kiosk GUI (eframe/egui), behind the `gui` feature.
//!
//! - [`backend`]: the [`Backend`] trait: everything the GUI asks of the kiosk store.
//! - [`store_backend`]: [`StoreBackend`], the trait over the real kiosk ([`crate::Kiosk`]);
//!   what it derives from the rules state (journal rows and orders, statistics…) is in
//!   `state_views`. Tests and the window demo run it too, on a temporary data folder.
//! - [`app`]: [`KioskApp`]: screens return [`UiCommand`]s, which one `apply_command` runs
//!   against the backend after the frame. Functions that take `&mut egui::Ui` end in `_ui`.
//! - Texts: `kiosk/locales/{ru,kk,en}/*.ftl` (Fluent) for the GUI's own words; statuses,
//!   actions, errors and warnings come from `rules` in the same three languages.
//!
//! No rule is decided here: allowed actions, deadlines, positions and messages come from
//! `rules` (directly, or through the backend which runs the rules).

pub mod app;
pub mod backend;
pub mod format;
pub mod i18n;
mod push_worker;
pub mod receipt;
pub mod reference;
pub mod screens;
mod state_views;
pub mod store_backend;
pub mod theme;
pub mod ui;
pub mod widgets;

pub use app::{KioskApp, Screen, UiCommand};
pub use backend::Backend;
pub use store_backend::StoreBackend;

/// Opens the kiosk window over `backend`; receipts and child cards go to `output_dir`.
pub fn run(backend: Box<dyn Backend>, output_dir: std::path::PathBuf) -> eframe::Result {
    run_with([1366.0, 768.0], move |_cc| KioskApp::new(backend, output_dir))
}

/// Opens the kiosk window, `inner_size` points wide and high at first, on the app `build`
/// makes (the demo logs an account in before the first frame).
pub fn run_with(
    inner_size: [f32; 2],
    build: impl FnOnce(&eframe::CreationContext<'_>) -> KioskApp + 'static,
) -> eframe::Result {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Kezek")
            .with_inner_size(inner_size)
            .with_min_inner_size([1024.0, 640.0]),
        ..Default::default()
    };
    eframe::run_native("Kezek", options, Box::new(move |cc| Ok(Box::new(build(cc)))))
}
