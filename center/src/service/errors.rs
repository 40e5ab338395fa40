//! The center's errors: [`CenterError`] for commands and staff actions, [`IngestError`]
//! for an upload refused as a whole. Each has a stable code (`code()`) that the HTTP
//! answers, the console and the command line show.

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
    #[error("{code}: {message}")]
    Rules { code: String, message: String },
    /// A staff member asked for something their role or districts do not allow.
    #[error("{}", rules::Localized::message(.0, rules::Lang::En))]
    Denied(rules::authz::staff::StaffDenied),
    /// Wrong login or password, or a disabled account (which of these is not said).
    #[error("wrong login or password")]
    BadCredentials,
}

impl CenterError {
    pub fn code(&self) -> &str {
        match self {
            CenterError::Store(StoreError::Locked { .. }) => "DATA_LOCKED",
            CenterError::Store(StoreError::Damaged { .. }) => "LOG_DAMAGED",
            CenterError::Store(_) => "STORE",
            CenterError::Setup(_) => "SETUP",
            CenterError::Key(e) => e.code(),
            CenterError::Invalid(_) => "INVALID_ARGUMENT",
            CenterError::UnknownKiosk(_) => "UNKNOWN_KIOSK",
            CenterError::UnknownDistrict(_) => "UNKNOWN_DISTRICT",
            CenterError::NotFound(_) => "NOT_FOUND",
            CenterError::Unauthorized(_) => "UNAUTHORIZED",
            CenterError::Rules { code, .. } => code,
            CenterError::Denied(denied) => rules::Localized::code(denied),
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
