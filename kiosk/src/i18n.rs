//! The kiosk's texts, from Fluent files in `kiosk/locales/{ru,kk,en}/`: the GUI's own words
//! (`main`, `operator`, `staff`, `center`), the error messages keyed by error code
//! (`errors`) and the command line's words (`cli`). One loader and one language picker
//! ([`tr`]) for the GUI, the CLI and the errors' [`rules::Localized::message`]. Texts of the
//! domain (statuses, actions, the rules' errors) come from `rules` in the same three languages.

use std::collections::HashMap;
use std::sync::OnceLock;

use fluent_bundle::FluentValue;
pub use host_i18n::message_ids;
use host_i18n::{Catalog, Source, Sources};
use rules::i18n::Lang;

/// The Fluent files of each language, embedded at build time.
pub const FILES: [&str; 6] = ["main.ftl", "operator.ftl", "staff.ftl", "center.ftl", "errors.ftl", "cli.ftl"];

macro_rules! sources {
    ($lang:literal) => {
        [
            include_str!(concat!("../locales/", $lang, "/main.ftl")),
            include_str!(concat!("../locales/", $lang, "/operator.ftl")),
            include_str!(concat!("../locales/", $lang, "/staff.ftl")),
            include_str!(concat!("../locales/", $lang, "/center.ftl")),
            include_str!(concat!("../locales/", $lang, "/errors.ftl")),
            include_str!(concat!("../locales/", $lang, "/cli.ftl")),
        ]
    };
}

/// The Fluent sources of `lang`, in [`FILES`] order.
pub fn sources(lang: Lang) -> [&'static str; FILES.len()] {
    match lang {
        Lang::Ru => sources!("ru"),
        Lang::Kk => sources!("kk"),
        Lang::En => sources!("en"),
    }
}

/// The kiosk's files loaded by the hosts' one Fluent loader ([`host_i18n`]), once.
fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    static FILES_OF: OnceLock<[[Source; FILES.len()]; 3]> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let files = FILES_OF.get_or_init(|| {
            Lang::ALL.map(|lang| {
                let texts = sources(lang);
                std::array::from_fn(|i| (FILES[i], texts[i]))
            })
        });
        Catalog::new(&Sources { ru: &files[0], kk: &files[1], en: &files[2] })
    })
}

/// The texts of `lang`, loaded once for the whole program (CLI, errors, GUI).
pub fn tr(lang: Lang) -> &'static Tr {
    static ALL: OnceLock<Translations> = OnceLock::new();
    ALL.get_or_init(Translations::default).get(lang)
}

/// One language's texts, with every message without arguments formatted once (egui asks
/// for them every frame).
pub struct Tr {
    lang: Lang,
    plain: HashMap<String, String>,
    /// Problems found while loading (parse errors), for tests.
    pub problems: Vec<String>,
}

impl std::fmt::Debug for Tr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tr").field("lang", &self.lang).field("messages", &self.plain.len()).finish_non_exhaustive()
    }
}

impl Tr {
    pub fn new(lang: Lang) -> Self {
        let catalog = catalog();
        let plain = catalog.ids(lang).iter().map(|id| (id.clone(), catalog.text(lang, id, &[]))).collect();
        let prefix = format!("{}/", lang.code());
        let problems = catalog.problems().iter().filter(|p| p.starts_with(&prefix)).cloned().collect();
        Tr { lang, plain, problems }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The text of a message without arguments (the id itself when missing).
    pub fn t<'a>(&'a self, id: &'a str) -> &'a str {
        self.plain.get(id).map_or(id, String::as_str)
    }

    /// The text of a message without arguments, `None` when there is no such message.
    pub fn lookup(&self, id: &str) -> Option<&str> {
        self.plain.get(id).map(String::as_str)
    }

    /// The text of a message with arguments (the id itself when missing).
    pub fn f(&self, id: &str, args: &[(&'static str, FluentValue<'_>)]) -> String {
        catalog().text(self.lang, id, args)
    }
}

/// The three languages, loaded once; switching is a pointer change.
#[derive(Debug)]
pub struct Translations {
    /// In [`Lang::ALL`] order.
    all: [Tr; 3],
}

impl Default for Translations {
    fn default() -> Self {
        Translations { all: Lang::ALL.map(Tr::new) }
    }
}

impl Translations {
    pub fn get(&self, lang: Lang) -> &Tr {
        &self.all[lang as usize]
    }
}
