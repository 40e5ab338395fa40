//! The GUI's texts: the kiosk's one Fluent loader and language picker, [`crate::i18n`]
//! (`kiosk/locales/{ru,kk,en}/*.ftl`), shared with the command line and the error messages.

pub use crate::i18n::{FILES, Tr, Translations, message_ids, sources, tr};
