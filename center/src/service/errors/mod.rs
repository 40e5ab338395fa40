//! The center's errors: one type per operation ([`OpenError`], [`AccountError`],
//! [`CommandFailure`], [`KioskError`], [`DocumentError`], [`PopulationError`],
//! [`ScheduleError`], [`IngestError`]), so that a signature says what an operation can fail
//! with; the typed reasons they carry ([`reasons`]); and [`CenterError`], the umbrella the
//! HTTP layer and the command line convert them into, by the kind of failure (which decides
//! the HTTP status). Each has a stable code (`code()`) by which the HTTP answers, the console
//! and the command line tell them apart, a message in ru/kk/en from
//! `center/locales/*/errors.ftl` ([`rules::Localized`]), and as `Display` what the command line
//! prints; the errors of the rules, of the population registry and of the store are carried
//! as they are, with their own codes and texts.

mod ingest;
mod operations;
pub(crate) mod reasoned;
pub mod reasons;

use changelog::KeyError;
use rules::CommandError;
use rules::authz::staff::StaffDenied;

use crate::population::RegistryError;
use crate::store::StoreError;
use reasoned::{Reason, reasoned};

pub use ingest::IngestError;
pub use operations::{
    AccountError, CommandFailure, DocumentError, KioskError, OpenError, PopulationError, ScheduleError,
};
pub use reasons::{
    BadCredentials, BadSchedule, Invalid, Missing, NotServed, SetupFailure, UnknownDistrict, UnknownKiosk,
};

/// The umbrella: the enum, each of its variants carrying one [`Reason`] but the first (a unit
/// variant standing for a reason without data: `Unit = Reason`), `From` each reason,
/// [`reasoned!`].
macro_rules! umbrella {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $(#[$unit_doc:meta])* $unit:ident = $unit_reason:ident,
            $($(#[$doc:meta])* $variant:ident($reason:ty)),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug)]
        pub enum $name {
            $(#[$unit_doc])* $unit,
            $($(#[$doc])* $variant($reason),)+
        }

        impl $name {
            fn reason(&self) -> &dyn Reason {
                match self {
                    $($name::$variant(e) => e,)+
                    $name::$unit => &$unit_reason,
                }
            }
        }

        $(
            impl From<$reason> for $name {
                fn from(e: $reason) -> Self {
                    $name::$variant(e)
                }
            }
        )+

        impl From<$unit_reason> for $name {
            fn from(_: $unit_reason) -> Self {
                $name::$unit
            }
        }

        reasoned!($name);
    };
}

umbrella! {
    /// Any failure of the center, by kind: what the staff API answers (the kind decides the
    /// status) and the command line prints. Every operation's error converts into it keeping
    /// its reason, so its code, message and `Display` stay the same.
    pub enum CenterError {
        /// Wrong login or password, or a disabled account (which of these is not said).
        BadCredentials = BadCredentials,
        /// The store failed (`DATA_LOCKED`, `LOG_DAMAGED`, the PostgreSQL set-up's codes, else
        /// `STORE`).
        Store(StoreError),
        /// The data folder, the machine or the center's own files are not right (`SETUP`).
        Setup(SetupFailure),
        /// A key file or a public key (its own code).
        Key(KeyError),
        /// What a request asked for is refused as it is (`INVALID_ARGUMENT`).
        Invalid(Invalid),
        UnknownKiosk(UnknownKiosk),
        UnknownDistrict(UnknownDistrict),
        /// What a request named is not there (`NOT_FOUND`).
        NotFound(Missing),
        /// A kiosk asked for what is not its own (`UNAUTHORIZED`).
        Unauthorized(NotServed),
        /// The rules refused a center command (a round, expiry, a review decision, a directory
        /// or calendar change) or a distribution plan.
        Rules(CommandError),
        /// An upload taken in for a staff member (a USB file, quarantined entries offered
        /// again) was refused as a whole.
        Ingest(IngestError),
        /// A population registry file was refused, or the registry could not answer.
        Registry(RegistryError),
        /// A staff member asked for something their role or districts do not allow.
        Denied(StaffDenied),
    }
}
