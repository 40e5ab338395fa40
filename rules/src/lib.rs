//! Kezek's domain rules: IIN validation, the working-day calendar, voucher deadlines,
//! status transitions, queue ordering and distribution.
//!
//! This crate does no IO, reads no clock and uses no randomness: `now` is always an
//! argument and the holiday calendar is data embedded at build time. The same code runs
//! in the kiosk, at the center and, compiled to WebAssembly, in the parents' portal.
//!
//! Every state change is a [`Command`] that [`State::decide`] checks against the current
//! state, yielding [`Event`]s; the state is a fold of events ([`State::evolve`]). A host
//! persists the events before it applies them and reports success.

pub mod authz;
pub mod calendar;
pub mod category;
pub mod command;
pub mod countdown;
pub mod deadline;
pub mod error;
pub mod free_choice;
pub mod i18n;
pub mod iin;
pub mod lifecycle;
pub mod model;
pub mod queue;
pub mod state;
pub mod time;

pub use calendar::Calendar;
pub use command::{Action, ActionKind, Command, Event, Role};
pub use error::CommandError;
pub use i18n::{Lang, Localized, Text};
pub use iin::{Iin, IinError, Sex};
pub use model::{Application, QueueKey, QueueType, RightClass, Status};
pub use state::State;
pub use time::{Date, Instant};
