//! The center's durable store, behind [`CenterStore`]: [`SledStore`] (embedded, the
//! default) or [`crate::pg_store::PgStore`] (PostgreSQL).
//!
//! What is stored is the truth; everything else (the rules state, heads, kiosk operators,
//! the reviewer queue) is rebuilt from it on start:
//! - the accepted log: every accepted kiosk entry with its receipt time, epoch and
//!   effective time, and every center entry, in acceptance order;
//! - the kiosk registry and the center's operators;
//! - quarantine notes (with the raw entries) and review decisions.

mod accepted_log;
mod embedded;

use changelog::sync::{ClockFlag, QuarantineNote};
use rules::Instant;
use rules::authz::staff::StaffRole;
use serde::{Deserialize, Serialize};

pub use embedded::{SledStore, sync_tree};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store: {0}")]
    Db(String),
    #[error("store file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("store record is damaged: {0}")]
    Corrupt(String),
    #[error("the data folder {path} is in use by another kezek-center process")]
    Locked { path: String },
    /// The accepted log is damaged somewhere other than an unfinished last append. Nothing
    /// was cut or rewritten: the file is as it was found.
    #[error(
        "the accepted log {path} is damaged at byte offset {offset} ({reason}); the center did not start and left \
         the file unchanged. What to do: copy the data folder aside, then restore it from a backup, or set up a \
         fresh center and ingest the kiosks' logs again (they are the signed originals); bytes {offset} and later \
         may hold acknowledged entries, do not cut them"
    )]
    Damaged { path: String, offset: u64, reason: String },
    /// The PostgreSQL database is not set up, or the server's role could rewrite the log.
    #[error(transparent)]
    Postgres(crate::pg_store::PgSetupError),
}

impl StoreError {
    /// `DATA_LOCKED`, `LOG_DAMAGED`, the PostgreSQL set-up's own codes, else `STORE`.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Locked { .. } => "DATA_LOCKED",
            StoreError::Damaged { .. } => "LOG_DAMAGED",
            StoreError::Postgres(e) => e.code(),
            StoreError::Db(_) | StoreError::Io { .. } | StoreError::Corrupt(_) => "STORE",
        }
    }
}

impl rules::Localized for StoreError {
    fn code(&self) -> &'static str {
        StoreError::code(self)
    }

    /// From `center/locales/{ru,kk,en}/store.ftl`, keyed `store-CODE`.
    fn message(&self, lang: rules::Lang) -> String {
        use crate::i18n::FluentValue;
        let args: Vec<(&str, FluentValue<'_>)> = match self {
            StoreError::Postgres(e) => return rules::Localized::message(e, lang),
            StoreError::Locked { path } => vec![("path", path.as_str().into())],
            StoreError::Damaged { path, offset, .. } => {
                vec![("path", path.as_str().into()), ("offset", offset.to_string().into())]
            }
            StoreError::Db(_) | StoreError::Io { .. } | StoreError::Corrupt(_) => {
                vec![("detail", self.to_string().into())]
            }
        };
        crate::i18n::text(lang, &format!("store-{}", self.code()), &args)
    }
}

/// A registered kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KioskRecord {
    pub id: String,
    pub district: String,
    /// The key registered by an administrator (hex); rotations are in the log.
    pub public_key: String,
    pub registered_at: Instant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Instant>,
    /// Districts the kiosk serves besides its own (cross-district registrations), added by
    /// a center administrator.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also_serves: Vec<String>,
    /// The clock floor of every entry after the kiosk's accepted head: the latest contact
    /// (ack or snapshot over a signed request) the center issued whose kiosk head was at or
    /// below the accepted head.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_floor: Option<Instant>,
    /// Later contacts, each with the kiosk's own log head when it asked: an entry after that
    /// head was written after the contact.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
}

/// One answer the center gave a kiosk's signed request (an ack or a snapshot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub at: Instant,
    /// The last sequence number of the kiosk's log when it sent the request (signed by it).
    pub head: u64,
}

/// A center staff account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CenterOperator {
    pub login: String,
    pub name: String,
    pub role: StaffRole,
    /// Districts a reviewer or distributor works for (`rules::authz::staff`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub districts: Vec<String>,
    /// argon2id PHC string.
    pub password_hash: String,
    pub created_at: Instant,
    #[serde(default)]
    pub disabled: bool,
}

/// A signed-in staff session. The token itself is never stored: only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionRecord {
    /// Hex SHA-256 of the session token.
    pub token_hash: String,
    pub login: String,
    pub created_at: Instant,
    pub expires_at: Instant,
    /// The console's anti-forgery token for this session's forms.
    pub csrf: String,
}

/// One record of the accepted log (postcard-encoded: no field may be skipped when serialized).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogRecord {
    /// A kiosk entry, accepted after every check of the change log.
    Kiosk {
        kiosk: String,
        seq: u64,
        /// The framed entry as received: `u32 LE length | body | signature`.
        entry: Vec<u8>,
        received_at: Instant,
        /// Number of center entries in the log when it was received.
        epoch: u64,
        /// Kiosk time clamped into its window, never earlier than the kiosk's previous entry.
        effective: Instant,
        flag: Option<ClockFlag>,
    },
    /// A center entry (distribution, tick, review decision), signed by the center key.
    Center { seq: u64, entry: Vec<u8> },
}

/// A quarantined entry with its note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuarantineRecord {
    pub note: QuarantineNote,
    /// The framed entry, hex (kept for investigation).
    pub entry: Option<String>,
}

/// A reviewer's decision on a review item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewDecision {
    pub item: String,
    /// `upheld` or `overruled`.
    pub decision: String,
    pub reviewer: String,
    pub at: Instant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// What one ingest or center command writes, all durable before the call returns.
#[derive(Debug, Clone, Default)]
pub struct Commit {
    pub log: Vec<LogRecord>,
    pub quarantine: Vec<QuarantineRecord>,
}

/// Persistence of the center. Every mutating call is durable when it returns.
pub trait CenterStore: Send {
    fn kiosks(&self) -> Result<Vec<KioskRecord>, StoreError>;
    fn put_kiosk(&mut self, kiosk: &KioskRecord) -> Result<(), StoreError>;
    /// Writes a kiosk record without waiting for the disk: it is durable with the next
    /// commit or sync, and may be lost in a crash before that (used for contacts, which
    /// only narrow the clock window).
    fn note_kiosk(&mut self, kiosk: &KioskRecord) -> Result<(), StoreError>;
    fn operators(&self) -> Result<Vec<CenterOperator>, StoreError>;
    fn put_operator(&mut self, operator: &CenterOperator) -> Result<(), StoreError>;
    /// Visits the accepted log in acceptance order.
    fn read_log(&self, visit: &mut dyn FnMut(LogRecord) -> Result<(), StoreError>) -> Result<(), StoreError>;
    /// Appends log records and quarantine notes atomically enough: the log part is one batch;
    /// a quarantine note lost to a crash is recreated when the kiosk resends.
    fn commit(&mut self, commit: &Commit) -> Result<(), StoreError>;
    /// Quarantine notes ordered by kiosk and sequence (a note for the same entry bytes is kept once).
    fn quarantine(&self) -> Result<Vec<QuarantineRecord>, StoreError>;
    fn put_review(&mut self, decision: &ReviewDecision) -> Result<(), StoreError>;
    fn reviews(&self) -> Result<Vec<ReviewDecision>, StoreError>;
    /// Staff sessions (a restart keeps staff signed in until their sessions expire).
    fn sessions(&self) -> Result<Vec<SessionRecord>, StoreError>;
    fn put_session(&mut self, session: &SessionRecord) -> Result<(), StoreError>;
    fn remove_session(&mut self, token_hash: &str) -> Result<(), StoreError>;

    // ----- several servers on one store (PostgreSQL); a store one process owns needs none -----

    /// Whether other servers may write to this store at the same time.
    fn shared(&self) -> bool {
        false
    }
    /// Where a shared store is (for the servers' other shared state, such as nonces).
    fn shared_url(&self) -> Option<&str> {
        None
    }
    /// Visits the log records after position `after` (0: from the start) in order; returns
    /// the position of the last one (or `after`). Positions only grow.
    fn read_log_after(
        &self,
        after: u64,
        visit: &mut dyn FnMut(LogRecord) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        let mut position = 0u64;
        self.read_log(&mut |record| {
            position += 1;
            if position > after { visit(record) } else { Ok(()) }
        })?;
        Ok(position.max(after))
    }
    /// Changes whenever another server changed kiosks, accounts, sessions, reviews or quarantine.
    fn generation(&self) -> Result<u64, StoreError> {
        Ok(0)
    }
    /// Waits until no other server writes (held until [`CenterStore::unlock_writes`]).
    fn lock_writes(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    fn unlock_writes(&mut self) {}
    /// Whether this server leads the scheduled work (at most one server does; the lead
    /// moves when the leader dies).
    fn try_lead(&mut self) -> bool {
        true
    }
}

pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    postcard::to_stdvec(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<T, StoreError> {
    postcard::from_bytes(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))
}
