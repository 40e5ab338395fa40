//! The kiosk's texts, from Fluent files in `kiosk/locales/{ru,kk,en}/`: the GUI's own words
//! (`main`, `operator`, `staff`, `center`), the error messages keyed by error code
//! (`errors`) and the command line's words (`cli`). One loader and one language picker
//! ([`tr`]) for the GUI, the CLI and the errors' [`rules::Localized::message`]. Texts of the
//! domain (statuses, actions, the rules' errors) come from `rules` in the same three languages.

use std::collections::HashMap;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
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

/// Message ids defined in a Fluent source (lines `id = …` at the start of a line).
pub fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|line| line.starts_with(|c: char| c.is_ascii_alphabetic()))
        .filter_map(|line| line.split_once('=').map(|(id, _)| id.trim().to_owned()))
        .collect()
}

/// The texts of `lang`, loaded once for the whole program (CLI, errors, GUI).
pub fn tr(lang: Lang) -> &'static Tr {
    static ALL: OnceLock<Translations> = OnceLock::new();
    ALL.get_or_init(Translations::default).get(lang)
}

/// One language's bundle, with every message without arguments formatted once.
pub struct Tr {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
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
        let id: unic_langid::LanguageIdentifier = lang.code().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // Texts are shown as they are (egui, a terminal): no Unicode isolation marks around arguments.
        bundle.set_use_isolating(false);
        let mut problems = Vec::new();
        let mut ids = Vec::new();
        for (file, source) in FILES.iter().zip(sources(lang)) {
            ids.extend(message_ids(source));
            let resource = match FluentResource::try_new(source.to_owned()) {
                Ok(resource) => resource,
                Err((resource, errors)) => {
                    problems.extend(errors.iter().map(|e| format!("{}/{file}: {e:?}", lang.code())));
                    resource
                }
            };
            if let Err(errors) = bundle.add_resource(resource) {
                problems.extend(errors.iter().map(|e| format!("{}/{file}: {e:?}", lang.code())));
            }
        }
        let mut tr = Tr { lang, bundle, plain: HashMap::new(), problems };
        for id in ids {
            let text = tr.format(&id, None);
            tr.plain.insert(id, text);
        }
        tr
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The message formatted (the id itself when missing; a missing argument stays `{$name}`).
    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut errors = Vec::new();
        self.bundle.format_pattern(pattern, args, &mut errors).into_owned()
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
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            fluent_args.set(*name, value.clone());
        }
        self.format(id, Some(&fluent_args))
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
