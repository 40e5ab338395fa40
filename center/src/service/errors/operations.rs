//! One error type per operation of the center: what each can fail with, as typed reasons
//! ([`super::reasons`]), the store's errors and the rules' refusals as they are. Each variant's
//! code, message and `Display` are its reason's ([`super::reasoned`]).

use changelog::KeyError;
use rules::CommandError;
use rules::authz::staff::StaffDenied;

use super::IngestError;
use super::reasoned::{Reason, operation_errors, reasoned};
use super::reasons::{
    BadCredentials, BadSchedule, Invalid, Missing, NotServed, SetupFailure, UnknownDistrict, UnknownKiosk,
};
use crate::population::RegistryError;
use crate::store::StoreError;

operation_errors! {
    /// The data folder or the store could not be opened, set up, moved (`migrate`) or read
    /// back into memory: the store (`DATA_LOCKED`, `LOG_DAMAGED`, the PostgreSQL set-up's
    /// codes, else `STORE`), the center's key file, the folder's own files, a database that
    /// holds entries already to migrate into (`INVALID_ARGUMENT`).
    pub enum OpenError { Store(StoreError), Key(KeyError), Setup(SetupFailure), Invalid(Invalid) }

    /// A staff account could not be added, disabled or signed in to: wrong credentials, the
    /// account refused by `rules::authz::staff` (its districts, the last admin, one's own), a
    /// bad login or name, a login taken, a weak password, no such account, an unknown
    /// district, no randomness or no password hash, the store.
    pub enum AccountError {
        BadCredentials(BadCredentials), Denied(StaffDenied), Invalid(Invalid), NotFound(Missing),
        UnknownDistrict(UnknownDistrict), Setup(SetupFailure), Store(StoreError),
    }

    /// A center command (a distribution round or its plan, deadline expiry, a directory or
    /// calendar change) or a reviewer's decision was not done: the rules refused it, the
    /// reviewer may not decide it, a kindergarten twice in a directory file, a review item
    /// decided already or not there, a clock flag overruled, an unknown district, the store.
    pub enum CommandFailure {
        Rules(CommandError), Denied(StaffDenied), Invalid(Invalid), NotFound(Missing),
        UnknownDistrict(UnknownDistrict), Store(StoreError),
    }

    /// A kiosk (or the parents' channel) could not be registered, revoked or given a district,
    /// or its quarantined entries could not be offered to ingest again: an unknown kiosk or
    /// district, a bad kiosk id, one registered already, a public key that is not one or is
    /// weak, nothing quarantined, the entries refused as a whole, the store.
    pub enum KioskError {
        UnknownKiosk(UnknownKiosk), UnknownDistrict(UnknownDistrict), Invalid(Invalid), NotFound(Missing),
        Ingest(IngestError), Store(StoreError),
    }

    /// A signed document (a kiosk's ack, a district's snapshot, the public queue) could not be
    /// made, or the contact it answers could not be recorded: an unknown kiosk or district, a
    /// kiosk asking for a district it does not serve, content that did not encode, the store.
    pub enum DocumentError {
        UnknownKiosk(UnknownKiosk), UnknownDistrict(UnknownDistrict), NotServed(NotServed), Invalid(Invalid),
        Store(StoreError),
    }

    /// A population registry key could not be trusted, or a pairs file imported: the file or
    /// the key refused, the registry's files not read or written, or the center's log not
    /// recording it.
    pub enum PopulationError { Registry(RegistryError), Store(StoreError) }
}

/// The schedule file (`schedule.json`) could not be read (`SETUP`), or does not say a
/// schedule (`BAD_SCHEDULE`). Only `serve` reads it: it is not a failure of a request.
#[derive(Debug)]
pub enum ScheduleError {
    Setup(SetupFailure),
    Malformed(BadSchedule),
}

impl ScheduleError {
    fn reason(&self) -> &dyn Reason {
        match self {
            ScheduleError::Setup(e) => e,
            ScheduleError::Malformed(e) => e,
        }
    }
}

reasoned!(ScheduleError);
