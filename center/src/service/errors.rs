//! The center's errors: [`CenterError`] for commands and staff actions, [`IngestError`]
//! for an upload refused as a whole. Each has a stable code (`code()`) by which the HTTP
//! answers, the console and the command line tell them apart; the errors of the rules and
//! of the population registry are carried as they are, with their own codes.

use rules::{CommandError, Lang, Localized};

use crate::population::RegistryError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum CenterError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Setup(String),
    #[error(transparent)]
    Key(#[from] changelog::KeyError),
    #[error("{0}")]
    Invalid(String),
    #[error("no kiosk {0}")]
    UnknownKiosk(String),
    #[error("no district {0}")]
    UnknownDistrict(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Unauthorized(String),
    /// The rules refused a center command (a round, expiry, a review decision, a directory
    /// or calendar change) or a distribution plan.
    #[error("{}: {}", .0.code(), .0.message(Lang::En))]
    Rules(CommandError),
    /// An upload taken in for a staff member (a USB file, quarantined entries offered
    /// again) was refused as a whole.
    #[error("{}: {}", .0.code(), .0)]
    Ingest(#[from] IngestError),
    /// A population registry file was refused, or the registry could not answer.
    #[error("{}: {}", .0.code(), .0)]
    Registry(#[from] RegistryError),
    /// A staff member asked for something their role or districts do not allow.
    #[error("{}", .0.message(Lang::En))]
    Denied(rules::authz::staff::StaffDenied),
    /// Wrong login or password, or a disabled account (which of these is not said).
    #[error("wrong login or password")]
    BadCredentials,
}

impl CenterError {
    pub fn code(&self) -> &'static str {
        match self {
            CenterError::Store(StoreError::Locked { .. }) => "DATA_LOCKED",
            CenterError::Store(StoreError::Damaged { .. }) => "LOG_DAMAGED",
            CenterError::Store(StoreError::Postgres(e)) => e.code(),
            CenterError::Store(_) => "STORE",
            CenterError::Setup(_) => "SETUP",
            CenterError::Key(e) => e.code(),
            CenterError::Invalid(_) => "INVALID_ARGUMENT",
            CenterError::UnknownKiosk(_) => "UNKNOWN_KIOSK",
            CenterError::UnknownDistrict(_) => "UNKNOWN_DISTRICT",
            CenterError::NotFound(_) => "NOT_FOUND",
            CenterError::Unauthorized(_) => "UNAUTHORIZED",
            CenterError::Rules(e) => e.code(),
            CenterError::Ingest(e) => e.code(),
            CenterError::Registry(e) => e.code(),
            CenterError::Denied(denied) => denied.code(),
            CenterError::BadCredentials => "BAD_CREDENTIALS",
        }
    }
}

/// Why an upload was refused as a whole (nothing was stored).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("not a readable bundle: {0}")]
    BadBundle(String),
    #[error("the bundle belongs to kiosk {found}, not {expected}")]
    KioskMismatch { expected: String, found: String },
    #[error("kiosk {0} is not registered")]
    UnknownKiosk(String),
    #[error("kiosk {0} is revoked")]
    RevokedKiosk(String),
    #[error("the first entry (sequence {seq}) of kiosk {kiosk} does not verify against its registered key")]
    Unauthenticated { kiosk: String, seq: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Something failed inside the center (a caught panic); nothing of the upload was stored.
    #[error("{0}")]
    Internal(String),
}

impl IngestError {
    pub fn code(&self) -> &'static str {
        match self {
            IngestError::BadBundle(_) => "BAD_BUNDLE",
            IngestError::KioskMismatch { .. } => "KIOSK_MISMATCH",
            IngestError::UnknownKiosk(_) => "UNKNOWN_KIOSK",
            IngestError::RevokedKiosk(_) => "REVOKED_KIOSK",
            IngestError::Unauthenticated { .. } => "UNAUTHENTICATED",
            IngestError::Store(_) => "STORE",
            IngestError::Internal(_) => "INTERNAL",
        }
    }
}
