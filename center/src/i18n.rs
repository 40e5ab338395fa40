//! The center's texts for people, from Fluent files in `center/locales/{ru,kk,en}/`, keyed by
//! error code (`center-INVALID_ARGUMENT`, `parent-NOT_IN_REGISTRY`,
//! `population-POPULATION_BAD_SIGNATURE`, `store-STORE_ROLE_CAN_REWRITE`, …) or by the
//! notifier's message (`notify-voucher-issued`); the parents' e-contract is `parent-contract`.
//! The rules' own errors keep their texts from `rules`.

use std::sync::OnceLock;

pub use host_i18n::{Catalog, FluentValue, Sources, check};
use rules::Lang;

macro_rules! files {
    ($lang:literal) => {
        &[
            ("parents.ftl", include_str!(concat!("../locales/", $lang, "/parents.ftl"))),
            ("population.ftl", include_str!(concat!("../locales/", $lang, "/population.ftl"))),
            ("notify.ftl", include_str!(concat!("../locales/", $lang, "/notify.ftl"))),
            ("contract.ftl", include_str!(concat!("../locales/", $lang, "/contract.ftl"))),
            ("store.ftl", include_str!(concat!("../locales/", $lang, "/store.ftl"))),
            ("errors.ftl", include_str!(concat!("../locales/", $lang, "/errors.ftl"))),
        ]
    };
}

/// The center's Fluent files, embedded at build time.
pub const SOURCES: Sources = Sources { ru: files!("ru"), kk: files!("kk"), en: files!("en") };

/// The center's texts, loaded once.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::new(&SOURCES))
}

/// The text of message `id` in `lang` with named arguments (the id itself when missing).
pub fn text(lang: Lang, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
    catalog().text(lang, id, args)
}
