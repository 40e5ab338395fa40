//! Names the forms show for reference codes: districts (from [`crate::reference`], embedded
//! from `data/districts.json`) and privilege categories (from `rules::category`, the very list
//! the rules check registrations against).

use rules::i18n::Lang;

pub use crate::reference::districts;

pub fn district_name(code: &str, lang: Lang) -> String {
    crate::reference::district(code).map_or_else(|| code.to_owned(), |d| d.name.get(lang).to_owned())
}

pub fn category_name(code: &str, lang: Lang) -> String {
    rules::category::find(code).map_or_else(|| code.to_owned(), |c| c.name().get(lang).to_owned())
}
