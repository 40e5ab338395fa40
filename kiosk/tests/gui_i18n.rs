//! The Fluent files: same messages in the three languages, no parse errors, Kazakh letters drawn.
#![cfg(feature = "gui")]

mod store_gui;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use kiosk::gui::KioskApp;
use kiosk::gui::i18n::{FILES, Tr, message_ids, sources};
use rules::i18n::Lang;

#[test]
fn every_language_defines_the_same_messages_without_errors() {
    for (i, file) in FILES.iter().enumerate() {
        let mut ru = message_ids(sources(Lang::Ru)[i]);
        ru.sort();
        assert!(!ru.is_empty(), "{file}");
        for lang in [Lang::Kk, Lang::En] {
            let mut other = message_ids(sources(lang)[i]);
            other.sort();
            assert_eq!(ru, other, "{}/{file} differs from ru/{file}", lang.code());
        }
    }
    for lang in Lang::ALL {
        let tr = Tr::new(lang);
        assert!(tr.problems.is_empty(), "{:?}", tr.problems);
        // Arguments are substituted without Unicode isolation marks (egui would draw them as boxes).
        let text = tr.f("journal-found", &[("count", 7.into())]);
        assert!(text.ends_with('7') && !text.contains('\u{2068}'), "{text:?}");
    }
    assert_eq!(Tr::new(Lang::Kk).t("nav-journal"), "Өтініштер журналы");
    // Every reason the center may quarantine an entry for is explained in every language.
    for lang in Lang::ALL {
        let tr = Tr::new(lang);
        for code in changelog::sync::QUARANTINE_CODES {
            assert!(tr.lookup(&format!("quarantine-{code}")).is_some(), "{}: no explanation of {code}", lang.code());
        }
    }
    // "Time since": only the units that matter.
    let ago = |lang, d: i64, h: i64, m: i64| {
        Tr::new(lang).f("ago", &[("days", d.into()), ("hours", h.into()), ("minutes", m.into())])
    };
    assert_eq!(ago(Lang::Ru, 0, 0, 0), "только что");
    assert_eq!(ago(Lang::Ru, 0, 0, 7), "7 мин назад");
    assert_eq!(ago(Lang::Kk, 0, 3, 5), "3 сағ 5 мин бұрын");
    assert_eq!(ago(Lang::En, 2, 4, 59), "2 d 4 h ago");
}

/// The harness panics on any character the fonts cannot draw: the Kazakh screens render.
#[test]
fn kazakh_letters_render_with_the_default_fonts() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let backend = store_gui::demo_world::backend(&tmp.path().join("kiosk"));
    let app = KioskApp::new(Box::new(backend), tmp.path().join("out"));
    let mut h = Harness::builder()
        .with_size([1366.0, 900.0])
        .with_max_steps(12)
        .build_ui_state(|ui, app: &mut KioskApp| app.frame_ui(ui), app);
    h.get_by_label("Қазақша").click();
    h.run();
    let ctx = h.ctx.clone();
    h.state_mut().demo_open(&ctx, "operator", store_gui::demo_world::password("operator"), "card-voucher");
    h.run();
    assert!(h.query_all_by_label_contains("Ә").next().is_some() || h.query_all_by_label_contains("ә").next().is_some());
    assert!(h.query_all_by_label_contains("Ағымдағы мәртебе").next().is_some());
    let letters = "ӘҒҚҢӨҰҮҺІ әғқңөұүһі";
    ctx.fonts_mut(|fonts| {
        for c in letters.chars().filter(|c| !c.is_whitespace()) {
            assert!(fonts.has_glyph(&egui::FontId::proportional(18.0), c), "no glyph for {c}");
        }
    });
}
