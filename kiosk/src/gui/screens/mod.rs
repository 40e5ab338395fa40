//! One module per screen; each drawing function ends in `_ui` and returns the
//! [`UiCommand`](super::app::UiCommand)s its widgets produced.

pub mod admin;
pub mod card;
pub mod journal;
pub mod login;
pub mod register;
pub mod staff;
pub mod stats;
pub mod sync;
