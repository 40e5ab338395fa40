//! The [`BackendError`]s the store backend gives of its own, and the kiosk's errors as ones.

use rules::i18n::{Lang, Localized, Text};

use crate::gui::backend::BackendError;

/// A [`BackendError`] from any of the kiosk's localized errors.
pub fn localized(error: &impl Localized) -> BackendError {
    BackendError {
        code: error.code().to_owned(),
        ru: error.message(Lang::Ru),
        kk: error.message(Lang::Kk),
        en: error.message(Lang::En),
    }
}

pub(super) fn not_set_up() -> BackendError {
    BackendError::text(
        "NOT_INITIALIZED",
        Text::new("Киоск ещё не настроен", "Киоск әлі бапталмаған", "The kiosk is not set up yet"),
    )
}

pub(super) fn unknown_application(id: &str) -> BackendError {
    BackendError::from(rules::error::CommandError::UnknownApplication { id: id.to_owned() })
}
