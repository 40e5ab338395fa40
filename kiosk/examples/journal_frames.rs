//! Frame times of the journal with 50,000 applications, in a headless `egui_kittest` harness
//! over a real kiosk (registered in signed group commits in a temporary folder first):
//! scrolling through the table and typing a filter. Prints p50/p95/p99/max per phase
//! (CPU time of one egui pass plus tessellation; the GPU upload is not included).
//!
//! `cargo run --release -p kezek-kiosk --features gui --example journal_frames [-- N]`

use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kiosk::gui::backend::JournalFilter;
use kiosk::gui::{KioskApp, StoreBackend};
use kiosk::testkit;
use rules::command::Command;
use rules::time::Date;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(phase: &str, mut times: Vec<Duration>) -> Duration {
    times.sort();
    let p99 = percentile(&times, 0.99);
    println!(
        "{phase:<28} frames {:>4}  p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        times.len(),
        percentile(&times, 0.50).as_secs_f64() * 1e3,
        percentile(&times, 0.95).as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    p99
}

fn frame(h: &mut Harness<'static, KioskApp>) -> Duration {
    let start = Instant::now();
    h.step();
    let shapes = h.output().shapes.clone();
    let ppp = h.output().pixels_per_point;
    let _ = h.ctx.tessellate(shapes, ppp);
    start.elapsed()
}

/// A kiosk in `dir` with `n` registrations in the three demo districts, five years of them.
fn synthetic_kiosk(dir: &std::path::Path, n: usize) -> kiosk::Kiosk {
    let mut kiosk = testkit::staffed_kiosk(dir, "KOK", "KOK-01", None);
    let operator = kiosk.login("op", testkit::OPERATOR_PASSWORD).expect("the operator");
    let today = Date::from_ymd(2026, 11, 24).expect("a date");
    let start: rules::Instant = "2021-01-04T09:00:00+05:00".parse().expect("an instant");
    let step = chrono::Duration::minutes(5 * 365 * 24 * 60 / i64::try_from(n.max(1)).unwrap_or(1));
    let children = testkit::children(n, today, 5 * 365);
    for (chunk, group) in children.chunks(1_000).enumerate() {
        let commands = group
            .iter()
            .enumerate()
            .map(|(i, (iin, birth))| {
                let index = chunk * 1_000 + i;
                let district = ["KOK", "AKK", "ZER"][index % 3];
                let application = testkit::application(district, iin, *birth, index);
                let at = rules::Instant(start.0 + step * i32::try_from(index).unwrap_or(0));
                (Command::Register { application }, at)
            })
            .collect();
        kiosk.execute_batch_at(&operator, commands).expect("registered");
    }
    kiosk
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(50_000);
    let built = Instant::now();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let backend = StoreBackend::from_kiosk(synthetic_kiosk(&dir.path().join("kiosk"), n));
    println!("{n} applications registered in {:.1} s", built.elapsed().as_secs_f64());
    let app = KioskApp::new(Box::new(backend), std::env::temp_dir().join("kezek-bench"));
    let mut h = Harness::builder()
        .with_size([1366.0, 768.0])
        .with_max_steps(50)
        .build_ui_state(|ui, app: &mut KioskApp| app.frame_ui(ui), app);
    let ctx = h.ctx.clone();
    h.state_mut().demo_open(&ctx, "op", testkit::OPERATOR_PASSWORD, "journal");
    h.run();
    println!("journal shows {} rows", h.state().journal.total());
    let first = h.state_mut().backend_mut().journal(&JournalFilter::default(), 0..1).expect("the journal").rows;

    // Warm-up, then idle frames.
    for _ in 0..20 {
        frame(&mut h);
    }
    let idle: Vec<Duration> = (0..100).map(|_| frame(&mut h)).collect();

    // Scrolling: mouse wheel over the table, 300 frames down, 100 up.
    let table = h.get_by_label(&first[0].id).rect().center();
    h.hover_at(table);
    let mut scroll = Vec::new();
    for i in 0..400 {
        let dy = if i < 300 { -120.0 } else { 240.0 };
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, dy),
            phase: egui::TouchPhase::Move,
            modifiers: egui::Modifiers::NONE,
            source: egui::MouseWheelSource::Wheel,
        });
        scroll.push(frame(&mut h));
    }

    // Typing a filter, a character per frame (each change re-queries the backend), then clearing it.
    let search = h.get_by_label("Поиск: ИИН ребенка, регистрационный номер или ФИО");
    search.click();
    let mut typing = Vec::new();
    for _ in 0..3 {
        for c in ["К", "а", "с", "ы", "м", "о", "в"] {
            h.event(egui::Event::Text(c.to_owned()));
            typing.push(frame(&mut h));
            typing.push(frame(&mut h));
        }
        for _ in 0..7 {
            h.key_press(egui::Key::Backspace);
            typing.push(frame(&mut h));
            typing.push(frame(&mut h));
        }
    }
    report("idle", idle);
    let p99_scroll = report("scrolling", scroll);
    let p99_typing = report("typing a filter", typing);
    let goal = Duration::from_millis(16);
    println!(
        "goal p99 < 16 ms: scrolling {}, filtering {}",
        if p99_scroll < goal { "met" } else { "NOT met" },
        if p99_typing < goal { "met" } else { "NOT met" }
    );
}
