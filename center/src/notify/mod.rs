//! The notifier: messages to parents (sign-in codes, vouchers, deadlines, refusal decisions)
//! through a durable outbox.
//!
//! - [`Outbox`] (`outbox.rs`): the queue in `<data>/outbox/outbox.jsonl`, append-only JSON
//!   lines, each `fdatasync`ed; every key ever enqueued is remembered, so a message is
//!   enqueued once across restarts. Pending messages are retried with exponential backoff.
//! - [`Notifier`]: how a message leaves. [`FileNotifier`] (`file.rs`) appends it to
//!   `<data>/outbox/delivered.jsonl`; [`SmtpNotifier`] (`smtp.rs`) sends an e-mail.
//! - [`due`] (`due.rs`): the messages the state owes, derived deterministically (same state,
//!   same keys), so a scan may run at every poll.
//! - [`messages`] (`messages.rs`): every text, in Russian, Kazakh and English.
//! - [`Notifications`]: the service the server holds.
//!
//! Delivery is at least once with a window: if the process dies after a notifier delivered
//! a message and before the outbox recorded it, the message is delivered again after the
//! restart. The file notifier checks its own keys and writes no second line; an SMTP
//! server receives the e-mail twice, with the same `Message-ID` (derived from the key).

pub mod due;
pub mod file;
pub mod messages;
pub mod outbox;
pub mod smtp;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use rules::{Calendar, Instant, Lang, State};
use serde::{Deserialize, Serialize};

pub use due::{RefusalDecision, due_messages};
pub use file::FileNotifier;
pub use outbox::{DeliveryReport, Outbox};
pub use smtp::SmtpNotifier;

/// The folder of the outbox and the file notifier, inside the data folder.
pub const OUTBOX_DIR: &str = "outbox";
/// The file notifier's file, inside [`OUTBOX_DIR`].
pub const DELIVERED_FILE: &str = "delivered.jsonl";
/// The parents' language preferences, inside [`OUTBOX_DIR`].
pub const LANGUAGES_FILE: &str = "languages.jsonl";

/// What a message is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MessageKind {
    SignInCode,
    VoucherIssued,
    DeadlineTomorrow,
    RefusalDecided,
}

/// Who a message is for: the parent (applicant), and where they can be reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recipient {
    pub iin: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// One message to a parent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Deterministic: the same occasion gives the same key, and a key is sent once.
    pub key: String,
    pub kind: MessageKind,
    pub to: Recipient,
    pub lang: Lang,
    pub subject: String,
    pub text: String,
    pub created_at: Instant,
}

impl Message {
    /// A one-time sign-in code for the parent `to`, valid `minutes`, in `lang`; key
    /// `code:{iin}:{now}` (one per code sent).
    pub fn sign_in_code(to: Recipient, lang: Lang, code: &str, minutes: u32, now: Instant) -> Message {
        let texts = messages::sign_in_code(lang, code, minutes);
        Message {
            key: format!("code:{}:{now}", to.iin),
            kind: MessageKind::SignInCode,
            to,
            lang,
            subject: texts.subject,
            text: texts.text,
            created_at: now,
        }
    }
}

/// Why a message was not enqueued or delivered.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    /// The recipient has no address this notifier can use (an e-mail for SMTP).
    #[error("message {key}: the recipient has no address for this notifier")]
    NoAddress { key: String },
    /// An address or the sender is not usable.
    #[error("bad address: {0}")]
    BadAddress(String),
    /// The transport (SMTP server, network) failed; worth trying again.
    #[error("delivery failed: {0}")]
    Transport(String),
    /// A file of the outbox could not be read or written.
    #[error("{path}: {error}")]
    Io { path: PathBuf, error: std::io::Error },
    /// The notifier's configuration is unusable.
    #[error("notifier setup: {0}")]
    Setup(String),
}

impl NotifyError {
    pub fn code(&self) -> &'static str {
        match self {
            NotifyError::NoAddress { .. } => "NO_ADDRESS",
            NotifyError::BadAddress(_) => "BAD_ADDRESS",
            NotifyError::Transport(_) => "TRANSPORT",
            NotifyError::Io { .. } => "IO",
            NotifyError::Setup(_) => "SETUP",
        }
    }

    /// Trying again cannot help: the recipient has no usable address.
    pub fn is_permanent(&self) -> bool {
        matches!(self, NotifyError::NoAddress { .. } | NotifyError::BadAddress(_))
    }

    pub(crate) fn io(path: &Path, error: std::io::Error) -> Self {
        NotifyError::Io { path: path.to_owned(), error }
    }
}

/// How messages leave the center.
pub trait Notifier: Send + Sync {
    /// A short name for logs (`file`, `smtp`).
    fn name(&self) -> &'static str;
    /// Delivers one message; `Ok` once it is handed over durably (written, accepted by the
    /// SMTP server).
    fn deliver(&self, message: &Message) -> Result<(), NotifyError>;
}

/// The notifier service the server holds: the outbox, the notifier and the parents'
/// language preferences, behind one lock (delivery itself runs outside it).
pub struct Notifications {
    notifier: Box<dyn Notifier>,
    inner: Mutex<Inner>,
}

struct Inner {
    outbox: Outbox,
    languages: BTreeMap<String, Lang>,
    languages_path: PathBuf,
}

impl std::fmt::Debug for Notifications {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifications").field("notifier", &self.notifier.name()).finish_non_exhaustive()
    }
}

#[derive(Serialize, Deserialize)]
struct LanguageLine {
    iin: String,
    lang: Lang,
}

impl Notifications {
    /// Opens (creating) `<data_dir>/outbox/` with `notifier`.
    pub fn open(data_dir: &Path, notifier: Box<dyn Notifier>) -> Result<Self, NotifyError> {
        let dir = data_dir.join(OUTBOX_DIR);
        let outbox = Outbox::open(&dir)?;
        let languages_path = dir.join(LANGUAGES_FILE);
        let mut languages = BTreeMap::new();
        for line in outbox::read_lines::<LanguageLine>(&languages_path)? {
            languages.insert(line.iin, line.lang);
        }
        Ok(Notifications { notifier, inner: Mutex::new(Inner { outbox, languages, languages_path }) })
    }

    /// The file notifier on `<data_dir>/outbox/delivered.jsonl` (the default).
    pub fn open_with_file(data_dir: &Path) -> Result<Self, NotifyError> {
        let notifier = FileNotifier::open(&data_dir.join(OUTBOX_DIR).join(DELIVERED_FILE))?;
        Notifications::open(data_dir, Box::new(notifier))
    }

    pub fn notifier_name(&self) -> &'static str {
        self.notifier.name()
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Enqueues `message` and tries to deliver it at once. `Ok(true)`: delivered now (or
    /// before); `Ok(false)`: kept in the outbox, retried by [`Notifications::deliver_due`].
    /// An error only when the outbox could not record the message.
    pub fn send_now(&self, message: Message) -> Result<bool, NotifyError> {
        let key = message.key.clone();
        let now = message.created_at;
        self.inner().outbox.enqueue(message)?;
        let report = self.deliver_keys(Some(&key), now);
        Ok(report.delivered > 0 || self.inner().outbox.is_delivered(&key))
    }

    /// The parent's language (Russian unless they chose another).
    pub fn language(&self, iin: &str) -> Lang {
        self.inner().languages.get(iin).copied().unwrap_or_default()
    }

    /// Records the parent's language, durably.
    pub fn set_language(&self, iin: &str, lang: Lang) -> Result<(), NotifyError> {
        let mut inner = self.inner();
        if inner.languages.get(iin) == Some(&lang) {
            return Ok(());
        }
        outbox::append_line(&inner.languages_path, &LanguageLine { iin: iin.to_owned(), lang })?;
        inner.languages.insert(iin.to_owned(), lang);
        Ok(())
    }

    /// Enqueues every message `state` owes at `now` that was never enqueued; the number of
    /// new ones. `refusals` are the reviewers' decisions on refusals (from the center's log:
    /// [`crate::Center::refusal_decisions`]).
    pub fn scan(
        &self,
        state: &State,
        calendar: &Calendar,
        refusals: &[RefusalDecision],
        now: Instant,
    ) -> Result<usize, NotifyError> {
        let mut inner = self.inner();
        let languages = inner.languages.clone();
        let lang = |iin: &str| languages.get(iin).copied().unwrap_or_default();
        let mut added = 0;
        for message in due_messages(state, calendar, refusals, &lang, now) {
            if inner.outbox.knows(&message.key) {
                continue;
            }
            if inner.outbox.enqueue(message)? {
                added += 1;
            }
        }
        Ok(added)
    }

    /// [`Notifications::scan`] on a center's state and log.
    pub fn scan_center<S: crate::store::CenterStore>(
        &self,
        center: &crate::Center<S>,
        now: Instant,
    ) -> Result<usize, NotifyError> {
        let state = center.state();
        self.scan(state, state.calendar(), &center.refusal_decisions(), now)
    }

    /// Delivers the pending messages whose retry time has come.
    pub fn deliver_due(&self, now: Instant) -> DeliveryReport {
        self.deliver_keys(None, now)
    }

    /// Delivers `only` (at once, whatever its backoff) or every message due; the notifier
    /// runs outside the lock, a message being delivered is not picked up twice.
    fn deliver_keys(&self, only: Option<&str>, now: Instant) -> DeliveryReport {
        let batch = {
            let mut inner = self.inner();
            match only {
                Some(key) => inner.outbox.take(key).into_iter().collect(),
                None => inner.outbox.take_due(now),
            }
        };
        let mut report = DeliveryReport::default();
        for message in batch {
            let result = self.notifier.deliver(&message);
            let mut inner = self.inner();
            if let Err(e) = inner.outbox.finish(&message.key, &result, now) {
                report.errors.push(format!("{}: {e}", message.key));
            }
            drop(inner);
            outbox::tally(&mut report, &message.key, result);
        }
        let inner = self.inner();
        report.pending = inner.outbox.pending_count();
        report
    }

    /// The outbox's pending messages (undelivered), oldest first.
    pub fn pending(&self) -> Vec<Message> {
        self.inner().outbox.pending()
    }
}
