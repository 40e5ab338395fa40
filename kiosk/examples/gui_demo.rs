//! The kiosk GUI on the in-memory demo backend (`data/demo`), in a real window.
//!
//! ```sh
//! cargo run -p kezek-kiosk --features gui --example gui_demo            # log in: operator/operator, ddo/ddo, admin/admin, reviewer/reviewer
//! cargo run -p kezek-kiosk --features gui --example gui_demo -- --setup # first-run set-up of an empty kiosk
//! ```
//!
//! For screenshots (`scripts/screenshots.sh`) the window can open on a given screen:
//! `KEZEK_DEMO_LOGIN=operator KEZEK_DEMO_SCREEN=card:KOK.2026.0001 KEZEK_DEMO_LANG=kk`.
//! Screens: `journal`, `register`, `register-filled`, `card:<id>`, `card-voucher`, `staff`,
//! `staff-places`, `staff-enrolled`, `sync`, `admin`, `stats`.

use std::path::PathBuf;

use kiosk::gui::{self, KioskApp, MemoryBackend};

fn main() -> eframe::Result {
    let setup = std::env::args().any(|a| a == "--setup");
    let backend = if setup { MemoryBackend::empty() } else { MemoryBackend::demo().with_running_clock() };
    let output_dir =
        std::env::var_os("KEZEK_DEMO_OUT").map_or_else(|| std::env::temp_dir().join("kezek-demo"), PathBuf::from);
    let login = std::env::var("KEZEK_DEMO_LOGIN").ok();
    let screen = std::env::var("KEZEK_DEMO_SCREEN").ok();
    let lang = std::env::var("KEZEK_DEMO_LANG").ok().and_then(|l| rules::i18n::Lang::parse(&l));
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Kezek")
            .with_inner_size([1366.0, 800.0])
            .with_min_inner_size([1024.0, 640.0]),
        ..Default::default()
    };
    if login.is_none() && screen.is_none() && lang.is_none() {
        return gui::run(Box::new(backend), output_dir);
    }
    eframe::run_native(
        "Kezek",
        options,
        Box::new(move |cc| {
            let mut app = KioskApp::new(Box::new(backend), output_dir);
            if let Some(login) = login {
                app.demo_open(&cc.egui_ctx, &login, screen.as_deref().unwrap_or(""));
            }
            if let Some(lang) = lang {
                app.lang = lang;
            }
            Ok(Box::new(app))
        }),
    )
}
