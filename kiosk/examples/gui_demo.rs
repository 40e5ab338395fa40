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
//! `KEZEK_DEMO_STORE=DIR` opens the real store in `DIR` instead (made with
//! `kezek-kiosk --data DIR demo --headless`; passwords `<login>-demo`);
//! `KEZEK_DEMO_WIDTH=1280` sets the window width.

use std::path::PathBuf;

use kiosk::gui::{self, Backend, KioskApp, MemoryBackend, StoreBackend};

fn main() -> eframe::Result {
    let setup = std::env::args().any(|a| a == "--setup");
    let store = std::env::var_os("KEZEK_DEMO_STORE").map(PathBuf::from);
    let backend: Box<dyn Backend> = match &store {
        Some(dir) => match StoreBackend::open(dir) {
            Ok(backend) => Box::new(backend),
            Err(error) => {
                eprintln!("{}: {}", error.code, error.en);
                std::process::exit(1);
            }
        },
        None if setup => Box::new(MemoryBackend::empty()),
        None => Box::new(MemoryBackend::demo().with_running_clock()),
    };
    let width: f32 = std::env::var("KEZEK_DEMO_WIDTH").ok().and_then(|w| w.parse().ok()).unwrap_or(1366.0);
    let output_dir =
        std::env::var_os("KEZEK_DEMO_OUT").map_or_else(|| std::env::temp_dir().join("kezek-demo"), PathBuf::from);
    let login = std::env::var("KEZEK_DEMO_LOGIN").ok();
    let screen = std::env::var("KEZEK_DEMO_SCREEN").ok();
    let lang = std::env::var("KEZEK_DEMO_LANG").ok().and_then(|l| rules::i18n::Lang::parse(&l));
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Kezek")
            .with_inner_size([width, 800.0])
            .with_min_inner_size([1024.0, 640.0]),
        ..Default::default()
    };
    if login.is_none() && screen.is_none() && lang.is_none() {
        return gui::run(backend, output_dir);
    }
    eframe::run_native(
        "Kezek",
        options,
        Box::new(move |cc| {
            let mut app = KioskApp::new(backend, output_dir);
            if let Some(login) = login {
                let password = if store.is_some() { format!("{login}-demo") } else { login.clone() };
                app.demo_open(&cc.egui_ctx, &login, &password, screen.as_deref().unwrap_or(""));
            }
            if let Some(lang) = lang {
                app.lang = lang;
            }
            Ok(Box::new(app))
        }),
    )
}
