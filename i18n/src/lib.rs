//! The hosts' texts (the center, the kiosk's GUI, command line and errors), from Fluent files in
//! Russian, Kazakh and English, keyed by error code: `parent-NOT_IN_REGISTRY = …{ $child }…`.
//! The domain's own texts (`rules::CommandError`, statuses, …) stay in `rules`, compact and
//! built in for the WASM package.
//!
//! A host embeds its files with `include_str!` into a [`Sources`], builds one [`Catalog`]
//! (all three languages, loaded once) and asks it for a message by id with named
//! arguments; the kiosk builds its texts (`kiosk/src/i18n.rs`) on it too. Arguments are placed without
//! Unicode isolation marks: the texts go into JSON answers, e-mails and terminals as they are.
//! [`check`] reports, for tests, parse errors and ids missing in one of the languages.

use std::collections::{BTreeMap, BTreeSet};

pub use fluent_bundle::FluentValue;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use fluent_syntax::ast;
pub use rules::Lang;

/// One Fluent file: its name (for problem reports) and its text.
pub type Source = (&'static str, &'static str);

/// A host's Fluent files, per language (the same file names in each).
#[derive(Debug, Clone, Copy)]
pub struct Sources {
    pub ru: &'static [Source],
    pub kk: &'static [Source],
    pub en: &'static [Source],
}

impl Sources {
    /// The files of `lang`.
    pub fn get(&self, lang: Lang) -> &'static [Source] {
        match lang {
            Lang::Ru => self.ru,
            Lang::Kk => self.kk,
            Lang::En => self.en,
        }
    }
}

/// Message ids defined in a Fluent source (terms and comments left out), in file order;
/// what parses of a broken source.
pub fn message_ids(source: &str) -> Vec<String> {
    let resource = match fluent_syntax::parser::parse(source) {
        Ok(resource) | Err((resource, _)) => resource,
    };
    resource
        .body
        .iter()
        .filter_map(|entry| match entry {
            ast::Entry::Message(message) => Some(message.id.name.to_owned()),
            _ => None,
        })
        .collect()
}

/// Problems of a host's sources: parse errors, an id defined twice in one language, an id
/// missing in a language where another has it, a message without a value. Empty when all is
/// well.
pub fn check(sources: &Sources) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ids: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    for lang in Lang::ALL {
        let set = ids.entry(lang.code()).or_default();
        for (file, source) in sources.get(lang) {
            let resource = match fluent_syntax::parser::parse(*source) {
                Ok(resource) => resource,
                Err((resource, errors)) => {
                    problems.extend(errors.iter().map(|e| format!("{}/{file}: parse error {e:?}", lang.code())));
                    resource
                }
            };
            for entry in &resource.body {
                if let ast::Entry::Message(message) = entry {
                    let id = message.id.name;
                    if message.value.is_none() {
                        problems.push(format!("{}/{file}: {id} has no value", lang.code()));
                    }
                    if !set.insert(id.to_owned()) {
                        problems.push(format!("{}/{file}: {id} is defined twice", lang.code()));
                    }
                }
            }
        }
    }
    let all: BTreeSet<&String> = ids.values().flatten().collect();
    for (lang, set) in &ids {
        for id in all.iter().filter(|id| !set.contains(id.as_str())) {
            problems.push(format!("{lang}: {id} is missing"));
        }
    }
    problems
}

/// One language's bundle.
struct Bundle {
    bundle: FluentBundle<FluentResource>,
    ids: Vec<String>,
}

impl Bundle {
    fn new(lang: Lang, sources: &[Source], problems: &mut Vec<String>) -> Self {
        let id: unic_langid::LanguageIdentifier = lang.code().parse().unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // The texts go into JSON, e-mails and terminals as they are: no isolation marks.
        bundle.set_use_isolating(false);
        let mut ids = Vec::new();
        for (file, source) in sources {
            ids.extend(message_ids(source));
            let resource = match FluentResource::try_new((*source).to_owned()) {
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
        Bundle { bundle, ids }
    }
}

/// A host's texts in the three languages, loaded once (`Send + Sync`: one for a server).
pub struct Catalog {
    ru: Bundle,
    kk: Bundle,
    en: Bundle,
    problems: Vec<String>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("messages", &self.ru.ids.len())
            .field("problems", &self.problems)
            .finish_non_exhaustive()
    }
}

impl Catalog {
    pub fn new(sources: &Sources) -> Self {
        let mut problems = Vec::new();
        let ru = Bundle::new(Lang::Ru, sources.ru, &mut problems);
        let kk = Bundle::new(Lang::Kk, sources.kk, &mut problems);
        let en = Bundle::new(Lang::En, sources.en, &mut problems);
        Catalog { ru, kk, en, problems }
    }

    fn bundle(&self, lang: Lang) -> &Bundle {
        match lang {
            Lang::Ru => &self.ru,
            Lang::Kk => &self.kk,
            Lang::En => &self.en,
        }
    }

    /// Problems found while loading (parse errors, ids defined twice), for tests.
    pub fn problems(&self) -> &[String] {
        &self.problems
    }

    /// The message ids of `lang`, in file order.
    pub fn ids(&self, lang: Lang) -> &[String] {
        &self.bundle(lang).ids
    }

    /// Whether `lang` has a message `id` with a value.
    pub fn has(&self, lang: Lang, id: &str) -> bool {
        self.bundle(lang).bundle.get_message(id).and_then(|m| m.value()).is_some()
    }

    /// The text of message `id` in `lang` with named arguments; `None` when there is no such
    /// message.
    pub fn lookup(&self, lang: Lang, id: &str, args: &[(&str, FluentValue<'_>)]) -> Option<String> {
        let bundle = &self.bundle(lang).bundle;
        let pattern = bundle.get_message(id)?.value()?;
        let fluent_args = (!args.is_empty()).then(|| {
            let mut fluent_args = FluentArgs::new();
            for (name, value) in args {
                fluent_args.set(*name, value.clone());
            }
            fluent_args
        });
        let mut errors = Vec::new();
        Some(bundle.format_pattern(pattern, fluent_args.as_ref(), &mut errors).into_owned())
    }

    /// The text of message `id` in `lang` with named arguments (the id itself when missing).
    pub fn text(&self, lang: Lang, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        self.lookup(lang, id, args).unwrap_or_else(|| id.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: Sources = Sources {
        ru: &[("a.ftl", "hello = Привет, { $name }!\nbye = Пока\n")],
        kk: &[("a.ftl", "hello = Сәлем, { $name }!\nbye = Сау бол\n")],
        en: &[("a.ftl", "hello = Hello, { $name }!\nbye = Bye\n")],
    };

    #[test]
    fn looks_up_with_arguments_and_no_isolation_marks() {
        let catalog = Catalog::new(&GOOD);
        assert!(catalog.problems().is_empty(), "{:?}", catalog.problems());
        assert_eq!(catalog.text(Lang::Kk, "hello", &[("name", "Әлия".into())]), "Сәлем, Әлия!");
        assert_eq!(catalog.text(Lang::En, "hello", &[("name", FluentValue::from(3))]), "Hello, 3!");
        assert_eq!(catalog.text(Lang::Ru, "bye", &[]), "Пока");
        assert_eq!(catalog.text(Lang::Ru, "nothing", &[]), "nothing");
        assert_eq!(catalog.lookup(Lang::Ru, "nothing", &[]), None);
        assert!(catalog.has(Lang::En, "bye") && !catalog.has(Lang::En, "nothing"));
        assert_eq!(catalog.ids(Lang::Ru), ["hello", "bye"]);
        assert!(check(&GOOD).is_empty());
    }

    #[test]
    fn check_reports_missing_ids_parse_errors_and_doubles() {
        let broken = Sources {
            ru: &[("a.ftl", "hello = Привет\nbye = Пока\n")],
            kk: &[("a.ftl", "hello = Сәлем\n")],
            en: &[("a.ftl", "hello = Hello\nbye = { $oops\nhello = again\n")],
        };
        let problems = check(&broken);
        assert!(problems.iter().any(|p| p == "kk: bye is missing"), "{problems:?}");
        assert!(problems.iter().any(|p| p.starts_with("en/a.ftl: parse error")), "{problems:?}");
        assert!(problems.iter().any(|p| p == "en/a.ftl: hello is defined twice"), "{problems:?}");
        assert!(!Catalog::new(&broken).problems().is_empty());
    }

    #[test]
    fn a_catalog_is_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Catalog>();
    }
}
