//! How a parent proves who they are. The built-in adapter is the parent's IIN plus a
//! one-time code sent through the notifier ([`OtpIdentity`]); the national e-government
//! sign-in with a digital signature is the production adapter to add behind
//! [`IdentityAdapter`]. The adapter's [`IdentityAdapter::method`] is recorded with every
//! action the parent takes (`parent/<method>/<IIN>`).

use std::net::IpAddr;
use std::sync::Arc;

use rules::{Instant, Lang};

use super::ParentError;
use super::codes::{CODE_LIFETIME_SECS, CodeBook};
use crate::notify::{Message, Notifications, Recipient};

/// A sign-in asked for.
#[derive(Debug, Clone)]
pub struct SignInStart<'a> {
    pub iin: &'a str,
    /// The client's address (throttling).
    pub address: IpAddr,
    /// The language of what the parent is sent.
    pub lang: Lang,
    /// Where the parent can be reached, when the center knows it (an application of theirs).
    pub phone: Option<String>,
    pub email: Option<String>,
    pub now: Instant,
}

/// What the parent is told after a start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInStarted {
    /// How long the proof sent stays valid.
    pub expires_in_secs: i64,
}

/// An identity provider for parents.
pub trait IdentityAdapter: Send + Sync + std::fmt::Debug {
    /// The method's name, recorded with every action (`otp`).
    fn method(&self) -> &'static str;
    /// Starts a sign-in (the built-in adapter sends a code). Blocking: call it off the
    /// async executor.
    fn start(&self, request: &SignInStart<'_>) -> Result<SignInStarted, ParentError>;
    /// Checks the parent's `proof` for `iin` at `now`.
    fn finish(&self, iin: &str, proof: &str, now: Instant) -> Result<(), ParentError>;
}

/// IIN + a one-time code through the notifier.
#[derive(Debug)]
pub struct OtpIdentity {
    codes: CodeBook,
    notifications: Arc<Notifications>,
}

impl OtpIdentity {
    /// Codes in this process's memory (a server that owns its store).
    pub fn new(notifications: Arc<Notifications>) -> Self {
        OtpIdentity::with_codes(notifications, CodeBook::memory())
    }

    /// Codes kept in `codes` ([`CodeBook::shared`] for servers sharing one store).
    pub fn with_codes(notifications: Arc<Notifications>, codes: CodeBook) -> Self {
        OtpIdentity { codes, notifications }
    }
}

impl IdentityAdapter for OtpIdentity {
    fn method(&self) -> &'static str {
        super::OTP_METHOD
    }

    fn start(&self, request: &SignInStart<'_>) -> Result<SignInStarted, ParentError> {
        let code = self.codes.issue(request.iin, request.address, request.now).map_err(ParentError::Code)?;
        let to = Recipient {
            iin: request.iin.to_owned(),
            phone: request.phone.clone().filter(|p| !p.is_empty()),
            email: request.email.clone(),
        };
        let minutes = u32::try_from(CODE_LIFETIME_SECS / 60).unwrap_or(5);
        // The preference is what later messages (vouchers, deadlines) are written in.
        let _ = self.notifications.set_language(request.iin, request.lang);
        self.notifications
            .send_now(Message::sign_in_code(to, request.lang, &code, minutes, request.now))
            .map_err(|e| ParentError::NotSent(e.code().to_owned()))?;
        Ok(SignInStarted { expires_in_secs: CODE_LIFETIME_SECS })
    }

    fn finish(&self, iin: &str, proof: &str, now: Instant) -> Result<(), ParentError> {
        self.codes.redeem(iin, proof, now).map_err(ParentError::Code)
    }
}
