//! The [`BackendError`]s the store backend gives of its own, and the kiosk's errors as ones.

use rules::i18n::Localized;

use crate::errors::GuiError;
use crate::gui::backend::BackendError;

/// A [`BackendError`] from any of the kiosk's localized errors.
pub fn localized(error: &impl Localized) -> BackendError {
    BackendError::localized(error)
}

pub(super) fn not_set_up() -> BackendError {
    BackendError::from(GuiError::KioskNotSetUp)
}

pub(super) fn unknown_application(id: &str) -> BackendError {
    BackendError::from(rules::error::CommandError::UnknownApplication { id: id.to_owned() })
}
