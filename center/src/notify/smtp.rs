//! The SMTP notifier (lettre, rustls): one e-mail per message to the recipient's address.
//!
//! The server is given as lettre's URL: `smtps://user:pass@host` (TLS from the start, port
//! 465), `smtp://user:pass@host?tls=required` (STARTTLS, port 587), or `smtp://host:port`
//! (no TLS: a relay on the same host or a test server).
//!
//! The `Message-ID` is derived from the message's key, so an e-mail sent again after a crash
//! (delivered, not yet marked in the outbox) carries the same id as the first.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{SmtpTransport, Transport};
use sha2::Digest;

use super::{Message, Notifier, NotifyError};

/// How long one SMTP exchange may take.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Sends messages by e-mail.
pub struct SmtpNotifier {
    transport: SmtpTransport,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpNotifier").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

/// The `Message-ID` of the e-mail for a message key: `<sha256(key) in hex@kezek>`.
pub fn message_id(key: &str) -> String {
    format!("<{}@kezek>", hex::encode(sha2::Sha256::digest(key.as_bytes())))
}

impl SmtpNotifier {
    /// A notifier sending through the server at `url` (lettre's URL form) from `from`.
    pub fn new(url: &str, from: &str) -> Result<SmtpNotifier, NotifyError> {
        let from: Mailbox = from.parse().map_err(|e| NotifyError::BadAddress(format!("--smtp-from {from:?}: {e}")))?;
        let transport = SmtpTransport::from_url(url)
            .map_err(|e| NotifyError::Setup(format!("--smtp-url: {e}")))?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        Ok(SmtpNotifier { transport, from })
    }
}

impl Notifier for SmtpNotifier {
    fn name(&self) -> &'static str {
        "smtp"
    }

    fn deliver(&self, message: &Message) -> Result<(), NotifyError> {
        let Some(address) = message.to.email.as_deref().filter(|a| !a.trim().is_empty()) else {
            return Err(NotifyError::NoAddress { key: message.key.clone() });
        };
        let to: Mailbox = address
            .trim()
            .parse()
            .map_err(|e| NotifyError::BadAddress(format!("{address:?} ({}): {e}", message.key)))?;
        let email = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .message_id(Some(message_id(&message.key)))
            .header(ContentType::TEXT_PLAIN)
            .body(message.text.clone())
            .map_err(|e| NotifyError::BadAddress(format!("{}: {e}", message.key)))?;
        self.transport.send(&email).map(|_| ()).map_err(|e| NotifyError::Transport(e.to_string()))
    }
}
