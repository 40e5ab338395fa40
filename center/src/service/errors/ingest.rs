//! Why an upload was refused as a whole: a kiosk's bundle over HTTP or from a USB stick,
//! the parents' channel's entries, quarantined entries offered again.

use std::fmt;

use rules::{Lang, Localized};

use super::reasoned::Reason;
use super::reasons::UnknownKiosk;
use crate::i18n::text;
use crate::store::StoreError;

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

/// Shown as the staff API and the command line show an upload refused for a staff member:
/// its code, then what went wrong.
impl Reason for IngestError {
    fn show(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {self}", self.code())
    }

    fn code(&self) -> &'static str {
        IngestError::code(self)
    }

    fn message(&self, lang: Lang) -> String {
        let kiosk = |kiosk: &str| vec![("kiosk", kiosk.to_owned().into())];
        let args = match self {
            IngestError::Store(e) => return Localized::message(e, lang),
            IngestError::UnknownKiosk(kiosk) => return Localized::message(&UnknownKiosk(kiosk.clone()), lang),
            IngestError::BadBundle(detail) | IngestError::Internal(detail) => vec![("detail", detail.as_str().into())],
            IngestError::KioskMismatch { expected, found } => {
                vec![("expected", expected.as_str().into()), ("found", found.as_str().into())]
            }
            IngestError::RevokedKiosk(id) => kiosk(id),
            IngestError::Unauthenticated { kiosk: id, seq } => {
                let mut args = kiosk(id);
                args.push(("seq", seq.to_string().into()));
                args
            }
        };
        text(lang, &format!("center-{}", self.code()), &args)
    }
}
