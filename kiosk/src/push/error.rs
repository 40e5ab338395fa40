//! Why a push or an import failed ([`PushError`]); the messages are in
//! `kiosk/locales/{ru,kk,en}/errors.ftl`, one per code.

use fluent_bundle::FluentValue;
use rules::{Lang, Localized};
use sync_client::TrustKind;

use crate::errors::{SyncError, text};

/// Why a push or an import failed. Nothing the center did not sign is applied.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("the center's public key is not set (center set --key HEX)")]
    NoCenterKey,
    #[error("no center URL (center set --url URL or push --url URL)")]
    NoUrl,
    #[error("bad center key: {0}")]
    BadKey(String),
    #[error("center configuration {path}: {detail}")]
    Config { path: String, detail: String },
    #[error("the center could not be reached after {attempts} attempts: {last}")]
    Unreachable { attempts: u32, last: String, last_sync_at: Option<String>, days_since_last_sync: Option<i64> },
    #[error("the center refused ({status} {code}): {message}")]
    Refused { status: u16, code: String, message: String },
    #[error("bad URL: {0}")]
    Url(String),
    #[error("the center's TLS certificate is not trusted ({trust:?}): {detail}")]
    TlsRejected { trust: TrustKind, detail: String },
    #[error("{url}: a CA file or a pinned certificate is set, the center's URL must start with https://")]
    TlsRequired { url: String },
    #[error("certificate file {path}: {detail}")]
    TlsFile { path: String, detail: String },
    #[error("the acknowledgement is not valid: {0}")]
    BadAck(String),
    #[error("the snapshot is not valid: {0}")]
    BadSnapshot(String),
    #[error("the file is for {found}, this kiosk is {expected}")]
    WrongKiosk { expected: String, found: String },
    #[error("cannot read {path}: {detail}")]
    Read { path: String, detail: String },
    #[error(transparent)]
    Sync(SyncError),
}

/// Errors of `import_ack` / `import_snapshot` (the same codes as a push).
pub type ImportError = PushError;

impl PushError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, PushError::Unreachable { .. })
    }
}

/// `CENTER_UNREACHABLE`'s `$since`: which of its closing sentences applies.
fn since(at: Option<&str>, days: Option<i64>) -> &'static str {
    match (at, days) {
        (Some(_), Some(_)) => "days",
        (Some(_), None) => "at",
        _ => "never",
    }
}

/// `TLS_CERT_REJECTED`'s `$trust`: which trust refused the certificate.
fn trust_name(trust: TrustKind) -> &'static str {
    match trust {
        TrustKind::Pinned => "pinned",
        TrustKind::Ca => "ca",
        TrustKind::WebRoots => "web-roots",
    }
}

impl Localized for PushError {
    fn code(&self) -> &'static str {
        match self {
            PushError::NoCenterKey => "CENTER_KEY_NOT_SET",
            PushError::NoUrl => "CENTER_URL_NOT_SET",
            PushError::BadKey(_) => "BAD_CENTER_KEY",
            PushError::Config { .. } => "CENTER_CONFIG",
            PushError::Unreachable { .. } => "CENTER_UNREACHABLE",
            PushError::Refused { .. } => "CENTER_REFUSED",
            PushError::Url(_) => "BAD_CENTER_URL",
            PushError::TlsRejected { .. } => "TLS_CERT_REJECTED",
            PushError::TlsRequired { .. } => "CENTER_URL_NOT_HTTPS",
            PushError::TlsFile { .. } => "TLS_TRUST_FILE",
            PushError::BadAck(_) => "BAD_ACK",
            PushError::BadSnapshot(_) => "BAD_SNAPSHOT",
            PushError::WrongKiosk { .. } => "WRONG_KIOSK",
            PushError::Read { .. } => "READ_FAILED",
            PushError::Sync(e) => e.code(),
        }
    }
    fn message(&self, lang: Lang) -> String {
        let args: Vec<(&'static str, FluentValue<'_>)> = match self {
            PushError::Sync(e) => return e.message(lang),
            PushError::NoCenterKey | PushError::NoUrl => Vec::new(),
            PushError::BadKey(detail)
            | PushError::Url(detail)
            | PushError::BadAck(detail)
            | PushError::BadSnapshot(detail) => vec![("detail", detail.into())],
            PushError::Config { path, detail }
            | PushError::TlsFile { path, detail }
            | PushError::Read { path, detail } => {
                vec![("path", path.into()), ("detail", detail.into())]
            }
            PushError::Unreachable { attempts, last, last_sync_at, days_since_last_sync } => {
                let mut args = vec![
                    ("attempts", (*attempts).into()),
                    ("last", last.into()),
                    ("since", since(last_sync_at.as_deref(), *days_since_last_sync).into()),
                ];
                if let Some(at) = last_sync_at {
                    args.push(("at", at.into()));
                }
                if let Some(days) = days_since_last_sync {
                    args.push(("days", (*days).into()));
                }
                args
            }
            PushError::Refused { status, code, message } => {
                vec![("status", (*status).into()), ("code", code.into()), ("message", message.into())]
            }
            PushError::TlsRejected { trust, detail } => {
                vec![("trust", trust_name(*trust).into()), ("detail", detail.into())]
            }
            PushError::TlsRequired { url } => vec![("url", url.into())],
            PushError::WrongKiosk { expected, found } => vec![("expected", expected.into()), ("found", found.into())],
        };
        text(lang, self.code(), &args)
    }
}
