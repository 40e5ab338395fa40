//! The parents' channel (seeds 001, 002 and 004; docs/PARENTS.md): sign-in with a one-time
//! code through the notifier, the parent–child link checked with the population registry,
//! and the parent's actions written as signed entries of the channel's own log.
//!
//! - [`channel`]: the channel as a source of signed entries (key, registration, writing);
//! - [`identity`]: how a parent proves who they are ([`IdentityAdapter`]; built in: IIN and
//!   a one-time code through the notifier);
//! - [`codes`]: the one-time codes and their throttling;
//! - [`service`]: what a parent can do, as methods of the center;
//! - [`views`]: what a parent sees of their children's applications, choices, the contract;
//! - [`api`]: the HTTP routes under `/v1/parent/…`; `caller`: the signed-in parent they act for.

pub mod api;
mod caller;
pub mod channel;
pub mod codes;
pub mod identity;
pub mod service;
pub mod views;

use std::sync::Arc;
use std::time::Duration;

use changelog::KioskKey;
use rules::authz::parent::ParentDenied;
use rules::{CommandError, Lang, Localized};

use crate::i18n::FluentValue;
use crate::population::RegistryError;
use crate::service::{CenterError, SetupFailure};
use crate::store::StoreError;

pub use channel::{KEY_FILE, load_or_create_key};
pub use codes::{CodeBook, CodeError};
pub use identity::{IdentityAdapter, OtpIdentity, SignInStart, SignInStarted};
pub use service::{LinkedChild, ParentIdentity};
pub use views::{ApplicationView, Choice, Contract};

/// The identity adapter's name for IIN + one-time code (recorded with every action).
pub const OTP_METHOD: &str = "otp";

/// The parents' channel of a server: its key, how parents sign in, its options.
#[derive(Debug, Clone)]
pub struct ParentsChannel {
    pub(crate) key: Arc<KioskKey>,
    pub(crate) identity: Arc<dyn IdentityAdapter>,
    pub(crate) options: ParentOptions,
}

/// How the parents' sign-in behaves.
#[derive(Debug, Clone)]
pub struct ParentOptions {
    /// How long a parent's session lasts.
    pub session_lifetime: Duration,
    /// Whether the cookie is marked `Secure` (off only for plain loopback HTTP).
    pub secure_cookie: bool,
}

impl Default for ParentOptions {
    fn default() -> Self {
        ParentOptions { session_lifetime: Duration::from_mins(30), secure_cookie: true }
    }
}

impl ParentsChannel {
    pub fn new(key: KioskKey, identity: Arc<dyn IdentityAdapter>, options: ParentOptions) -> Self {
        ParentsChannel { key: Arc::new(key), identity, options }
    }
}

/// Why a parent's request was not done.
#[derive(Debug)]
pub enum ParentError {
    /// `rules::authz::parent` refused it.
    Denied(ParentDenied),
    /// The rules refused the command.
    Rules(CommandError),
    /// The population registry could not answer, or the IIN is not valid.
    Registry(RegistryError),
    /// The registry does not list this parent and child.
    NotInRegistry { child: String },
    /// Sign-in code problems.
    Code(CodeError),
    /// The notifier could not send the sign-in code (its error code).
    NotSent(String),
    /// The contract hash sent with a choice is not the hash of the contract for it.
    ContractMismatch,
    /// No such application among the parent's, or no such kindergarten.
    NotFound(String),
    /// The request itself is not valid.
    Invalid(String),
    /// The channel's entry was refused at ingest or by the fold.
    Refused { code: String, reason: String },
    /// The center could not do it (store, setup).
    Center(CenterError),
}

impl From<CenterError> for ParentError {
    fn from(e: CenterError) -> Self {
        ParentError::Center(e)
    }
}

impl From<StoreError> for ParentError {
    fn from(e: StoreError) -> Self {
        ParentError::Center(e.into())
    }
}

impl From<SetupFailure> for ParentError {
    fn from(e: SetupFailure) -> Self {
        ParentError::Center(e.into())
    }
}

impl ParentError {
    pub fn code(&self) -> String {
        match self {
            ParentError::Denied(d) => d.code().to_owned(),
            ParentError::Rules(e) => e.code().to_owned(),
            ParentError::Registry(e) => e.code().to_owned(),
            ParentError::NotInRegistry { .. } => "NOT_IN_REGISTRY".into(),
            ParentError::Code(CodeError::Throttled { .. }) => "THROTTLED".into(),
            ParentError::Code(CodeError::NoCode) => "NO_CODE".into(),
            ParentError::Code(CodeError::Expired) => "CODE_EXPIRED".into(),
            ParentError::Code(CodeError::Wrong { .. }) => "WRONG_CODE".into(),
            ParentError::Code(CodeError::Unavailable) => "STORE_UNAVAILABLE".into(),
            ParentError::ContractMismatch => "CONTRACT_MISMATCH".into(),
            ParentError::NotFound(_) => "NOT_FOUND".into(),
            ParentError::Invalid(_) => "INVALID".into(),
            ParentError::Refused { code, .. } | ParentError::NotSent(code) => code.clone(),
            ParentError::Center(e) => e.code().to_owned(),
        }
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> u16 {
        match self {
            ParentError::Denied(ParentDenied::UnknownApplication { .. }) | ParentError::NotFound(_) => 404,
            ParentError::Denied(_) | ParentError::NotInRegistry { .. } => 403,
            ParentError::Code(CodeError::Throttled { .. }) => 429,
            ParentError::Registry(RegistryError::NotImported | RegistryError::Unavailable(_))
            | ParentError::Center(CenterError::Store(_))
            | ParentError::Code(CodeError::Unavailable)
            | ParentError::NotSent(_) => 503,
            ParentError::Code(_) => 401,
            ParentError::Center(CenterError::Setup(_)) => 500,
            ParentError::Rules(_)
            | ParentError::Registry(_)
            | ParentError::ContractMismatch
            | ParentError::Invalid(_)
            | ParentError::Center(_) => 400,
            ParentError::Refused { .. } => 409,
        }
    }

    /// The id of this error's text in `center/locales/*/parents.ftl` and its arguments;
    /// `None` for the errors whose text comes from `rules` or from the population registry.
    fn message_parts(&self) -> Option<(&'static str, Vec<(&'static str, FluentValue<'_>)>)> {
        let why = |why: &str| vec![("why", FluentValue::from(why.to_owned()))];
        Some(match self {
            ParentError::Denied(_) | ParentError::Rules(_) | ParentError::Registry(_) => return None,
            ParentError::NotInRegistry { child } => {
                ("parent-NOT_IN_REGISTRY", vec![("child", FluentValue::from(child.as_str()))])
            }
            ParentError::Code(CodeError::Throttled { wait_secs }) => {
                ("parent-THROTTLED", vec![("minutes", FluentValue::from(((wait_secs + 59) / 60).to_string()))])
            }
            ParentError::Code(CodeError::NoCode) => ("parent-NO_CODE", Vec::new()),
            ParentError::Code(CodeError::Unavailable) => ("parent-STORE_UNAVAILABLE", Vec::new()),
            ParentError::Code(CodeError::Expired) => ("parent-CODE_EXPIRED", Vec::new()),
            ParentError::Code(CodeError::Wrong { tries_left }) => {
                ("parent-WRONG_CODE", vec![("n", FluentValue::from(tries_left.to_string()))])
            }
            ParentError::NotSent(_) => ("parent-NOT_SENT", Vec::new()),
            ParentError::ContractMismatch => ("parent-CONTRACT_MISMATCH", Vec::new()),
            ParentError::NotFound(what) => ("parent-NOT_FOUND", vec![("what", FluentValue::from(what.as_str()))]),
            ParentError::Invalid(reason) => ("parent-INVALID", why(reason)),
            ParentError::Refused { reason, .. } => ("parent-REFUSED", why(reason)),
            ParentError::Center(e) => ("parent-CENTER", why(e.code())),
        })
    }

    /// The id of this error's text in `center/locales/*/parents.ftl`; `None` for the errors
    /// whose text comes from `rules` or from the population registry.
    pub fn message_id(&self) -> Option<&'static str> {
        self.message_parts().map(|(id, _)| id)
    }

    pub fn message(&self, lang: Lang) -> String {
        match self {
            ParentError::Denied(d) => d.message(lang),
            ParentError::Rules(e) => e.message(lang),
            ParentError::Registry(e) => e.message(lang),
            _ => match self.message_parts() {
                Some((id, args)) => crate::i18n::text(lang, id, &args),
                None => self.code(),
            },
        }
    }
}
