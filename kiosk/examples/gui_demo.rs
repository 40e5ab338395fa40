//! The kiosk GUI on the demo world in a real window: a real kiosk with `data/demo`, a center's
//! snapshot with vouchers and a morning of unsent local work (built in a temporary folder by
//! `tests/store_gui/demo_world.rs`, with a real center), its clock running from 24 Nov 2026.
//!
//! ```sh
//! cargo run -p kezek-kiosk --features gui --example gui_demo            # log in: operator/operator-demo, ddo/ddo-demo, admin/admin-demo
//! cargo run -p kezek-kiosk --features gui --example gui_demo -- --setup # first-run set-up of an empty kiosk
//! ```
//!
//! For screenshots (`scripts/screenshots.sh`) the window can open on a given screen:
//! `KEZEK_DEMO_LOGIN=operator KEZEK_DEMO_SCREEN=card:KOK-01-2026-000001 KEZEK_DEMO_LANG=kk`.
//! Screens: `journal`, `register`, `register-filled`, `card:<id>`, `card-voucher`, `staff`,
//! `staff-places`, `staff-enrolled`, `sync`, `admin`, `stats`.
//! `KEZEK_DEMO_STORE=DIR` opens the real store in `DIR` instead (made with
//! `kezek-kiosk --data DIR demo --headless`; passwords `<login>-demo`);
//! `KEZEK_DEMO_WIDTH=1280` sets the window width.

use std::path::{Path, PathBuf};

use kiosk::Kiosk;
use kiosk::gui::{self, Backend, KioskApp, StoreBackend};

#[path = "../tests/store_gui/demo_world.rs"]
mod demo_world;

/// A copy of the demo world in `dir`, its clock running from [`demo_world::NOW`].
fn demo_world_running(dir: &Path) -> StoreBackend {
    demo_world::copy_to(dir);
    let mut kiosk = Kiosk::open(dir).unwrap_or_else(|error| {
        eprintln!("{error:?}");
        std::process::exit(1)
    });
    let base = demo_world::at(demo_world::NOW);
    let started = std::time::Instant::now();
    kiosk.set_clock(move || rules::Instant(base.0 + chrono::Duration::from_std(started.elapsed()).unwrap_or_default()));
    StoreBackend::from_kiosk(kiosk)
}

fn main() -> eframe::Result {
    let setup = std::env::args().any(|a| a == "--setup");
    let store = std::env::var_os("KEZEK_DEMO_STORE").map(PathBuf::from);
    let open = |dir: &Path| {
        StoreBackend::open(dir).unwrap_or_else(|error| {
            eprintln!("{}: {}", error.code, error.en);
            std::process::exit(1)
        })
    };
    let backend: Box<dyn Backend> = if let Some(dir) = &store {
        Box::new(open(dir))
    } else {
        let dir = std::env::temp_dir().join(format!("kezek-gui-demo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        if setup { Box::new(open(&dir.join("kiosk"))) } else { Box::new(demo_world_running(&dir.join("kiosk"))) }
    };
    let width: f32 = std::env::var("KEZEK_DEMO_WIDTH").ok().and_then(|w| w.parse().ok()).unwrap_or(1366.0);
    let output_dir =
        std::env::var_os("KEZEK_DEMO_OUT").map_or_else(|| std::env::temp_dir().join("kezek-demo"), PathBuf::from);
    let login = std::env::var("KEZEK_DEMO_LOGIN").ok();
    let screen = std::env::var("KEZEK_DEMO_SCREEN").ok();
    let lang = std::env::var("KEZEK_DEMO_LANG").ok().and_then(|l| rules::i18n::Lang::parse(&l));
    if login.is_none() && screen.is_none() && lang.is_none() {
        return gui::run(backend, output_dir);
    }
    gui::run_with([width, 800.0], move |cc| {
        let mut app = KioskApp::new(backend, output_dir);
        if let Some(login) = login {
            let password = format!("{login}-demo");
            app.demo_open(&cc.egui_ctx, &login, &password, screen.as_deref().unwrap_or(""));
        }
        if let Some(lang) = lang {
            app.lang = lang;
        }
        app
    })
}
