//! The three languages every user-facing text is given in.

use serde::{Deserialize, Serialize};

/// A user's language. Russian is the default, as on the regional portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Ru,
    Kk,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Ru, Lang::Kk, Lang::En];

    /// Parses `ru`, `kk` or `en`.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "ru" => Some(Lang::Ru),
            "kk" => Some(Lang::Kk),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ru => "ru",
            Lang::Kk => "kk",
            Lang::En => "en",
        }
    }
}

/// One text in the three languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub ru: &'static str,
    pub kk: &'static str,
    pub en: &'static str,
}

impl Text {
    pub const fn new(ru: &'static str, kk: &'static str, en: &'static str) -> Self {
        Text { ru, kk, en }
    }

    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Ru => self.ru,
            Lang::Kk => self.kk,
            Lang::En => self.en,
        }
    }
}

/// Something with a stable machine code and a text for people.
pub trait Localized {
    /// Stable, upper-snake-case code (for programs, logs and JS `error.code`).
    fn code(&self) -> &'static str;
    /// The message for a person, in `lang`.
    fn message(&self, lang: Lang) -> String;
}
