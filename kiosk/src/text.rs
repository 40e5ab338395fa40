//! Texts in the three languages (ru, kk, en) picked inline: left for the messages of
//! `store`, `logfile` and `push` until they join the others in `locales/*/errors.ftl`
//! (looked up by error code through [`crate::i18n`]).

use rules::Lang;

/// Picks one of three already formatted texts.
pub(crate) fn pick(lang: Lang, ru: String, kk: String, en: String) -> String {
    match lang {
        Lang::Ru => ru,
        Lang::Kk => kk,
        Lang::En => en,
    }
}

/// Picks one of three static texts.
pub(crate) fn pick_str(lang: Lang, ru: &str, kk: &str, en: &str) -> String {
    match lang {
        Lang::Ru => ru,
        Lang::Kk => kk,
        Lang::En => en,
    }
    .to_owned()
}
