//! What the center sends back to a kiosk, as plain camelCase JSON inside a
//! [`SignedDocument`](crate::SignedDocument) signed by the center key:
//! - [`Ack`]: how far the center has accepted a kiosk's log, and what it set aside;
//! - [`Snapshot`]: a district's applications, queue positions and places, for the kiosk to
//!   show offline until the next sync (the parents' portal reads the same JSON).
//!
//! HTTP (see `docs/sync.md`): `POST /v1/kiosks/{id}/events` with a [`Bundle`](crate::Bundle)
//! as `application/octet-stream` answers with the signed [`Ack`];
//! `GET /v1/kiosks/{id}/ack` returns the latest one; `GET /v1/districts/{code}/snapshot`
//! returns the signed [`Snapshot`].

use std::collections::BTreeMap;

use rules::Instant;
use rules::model::{Application, GroupLanguage, Kindergarten, PlacesRecord};
use rules::queue::Ranked;
use serde::{Deserialize, Serialize};

use crate::document::{DocumentError, SignedDocument};
use ed25519_dalek::{SigningKey, VerifyingKey};

/// Version of the ack and snapshot JSON; a reader refuses a newer major version.
pub const SYNC_FORMAT_VERSION: u32 = 1;

fn sync_format_version() -> u32 {
    SYNC_FORMAT_VERSION
}

/// Every code a [`QuarantineNote`] may carry.
pub const QUARANTINE_CODES: [&str; 17] = [
    "DECODE",
    "WRONG_KIOSK",
    "FORK",
    "SEQUENCE_GAP",
    "BROKEN_CHAIN",
    "BAD_KEY",
    "BAD_SIGNATURE",
    "FORBIDDEN_COMMAND",
    "WRONG_KINDERGARTEN",
    "FORBIDDEN_ROLE",
    "LOGIN_REUSED",
    "UNKNOWN_OPERATOR",
    "WRONG_ROLE",
    "FOREIGN_ID",
    "OUT_OF_DISTRICT",
    "ACCOUNT_RULE",
    "AFTER_QUARANTINED",
];

/// One entry the center set aside (quarantined) instead of accepting it: the kiosk's stream
/// stops there until the problem is fixed (e.g. the missing entries of a gap are sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuarantineNote {
    pub kiosk: String,
    /// The entry's sequence number (the expected one when the entry could not be decoded).
    pub seq: u64,
    /// Stable code, one of [`QUARANTINE_CODES`]: what a kiosk explains in its operator's language.
    pub code: String,
    /// The center's detail (English), shown with that explanation.
    pub reason: String,
    /// Center time when the center first received it.
    pub received_at: Instant,
    /// Hex SHA-256 of the entry (`body || signature`), when it could be framed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_hash: Option<String>,
}

/// Which bound of the window a kiosk time broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ClockProblem {
    /// Earlier than the kiosk's last contact with the center (or its registration).
    BeforeLastContact,
    /// Later than the moment the center received it.
    AfterReceipt,
    /// Not an RFC 3339 instant.
    Unreadable,
    /// Earlier than the kiosk's previous entry: the kiosk clock went backwards. The entry
    /// keeps the previous entry's time, so the log's order stays the queue's order.
    Backwards,
}

/// A kiosk time outside `[window_from, window_to]`: the entry was accepted with its time
/// clamped into the window (`effective_time`, used as the rules' `now` and for queue order)
/// and flagged for review. Both times are kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClockFlag {
    pub kiosk: String,
    pub seq: u64,
    pub problem: ClockProblem,
    /// The kiosk's clock as written in the entry.
    pub kiosk_time: String,
    /// The time the center uses for the entry.
    pub effective_time: Instant,
    /// The kiosk's last contact with the center (or its registration).
    pub window_from: Instant,
    /// Receipt at the center.
    pub window_to: Instant,
}

/// An accepted entry whose command the rules refused against the center's state (an
/// offline conflict). It is kept and waits in the reviewer queue; it does not stop the stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewNote {
    pub kiosk: String,
    pub seq: u64,
    /// Rules error code (`DUPLICATE_CHILD`, `DEADLINE_PASSED`, `NO_FREE_PLACE`, …) or
    /// `KINDERGARTEN_SCOPE`.
    pub code: String,
    pub reason: String,
    /// For `DUPLICATE_CHILD`: the application that was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
}

/// The center's acknowledgement of a kiosk's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ack {
    #[serde(default = "sync_format_version")]
    pub format: u32,
    pub kiosk: String,
    /// Every entry up to and including this sequence number is durably stored at the
    /// center; the next upload starts after it. 0 when nothing has been accepted yet.
    pub accepted_through_seq: u64,
    /// Hex SHA-256 of the entry at `accepted_through_seq` (64 zeros when none).
    pub head_hash: String,
    /// Center time of this acknowledgement: the kiosk's new "last contact".
    pub center_time: Instant,
    /// The kiosk's entries after `accepted_through_seq` that the center set aside.
    #[serde(default)]
    pub quarantined: Vec<QuarantineNote>,
    /// Accepted entries whose kiosk time was clamped (not yet reviewed).
    #[serde(default)]
    pub flagged: Vec<ClockFlag>,
    /// Accepted entries whose command waits in the reviewer queue (not yet reviewed).
    #[serde(default)]
    pub review: Vec<ReviewNote>,
}

/// Free places in free choice of one kindergarten, language and group year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FreePlaces {
    pub kindergarten: String,
    pub language: GroupLanguage,
    pub group_year: i32,
    pub free: u32,
}

/// A district as the center sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Snapshot {
    #[serde(default = "sync_format_version")]
    pub format: u32,
    pub district: String,
    /// Center time of the snapshot: a kiosk that applies it has this as its last contact.
    pub generated_at: Instant,
    /// The holiday calendar's version the center's deadlines were computed with.
    pub calendar_version: String,
    /// Every application of the district, whatever its status, ordered by id.
    pub applications: Vec<Application>,
    /// Queued applications with their 1-based position, per queue in allocation order.
    pub positions: Vec<Ranked>,
    /// Every places record of the district.
    pub places: Vec<PlacesRecord>,
    /// Free places in free choice, per kindergarten, language and group year.
    pub free_places: Vec<FreePlaces>,
    /// The district's kindergartens, as the center's directory has them: a kiosk builds its
    /// directory from the latest verified snapshot.
    pub kindergartens: Vec<Kindergarten>,
    /// How many directory changes the center had made when it wrote this snapshot (0: the
    /// directory the center was created with).
    #[serde(default)]
    pub directory_version: u64,
    /// The calendar years the center set (decrees published since the calendar was built),
    /// in the order it set them: a kiosk builds the same calendar from them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calendar_years: Vec<rules::calendar::CalendarYear>,
    /// For each kiosk of the district, the last sequence number of its log that this
    /// snapshot includes: a kiosk rebuilds its state as this snapshot plus its own later
    /// entries.
    #[serde(default)]
    pub kiosk_heads: BTreeMap<String, u64>,
}

/// Signs `content` with the center key.
pub fn sign<T: Serialize>(content: &T, center: &SigningKey) -> Vec<u8> {
    SignedDocument::sign(content, center).to_bytes()
}

/// Reads and verifies a signed ack (as from `POST …/events`, `GET …/ack` or a USB file).
pub fn open_ack(bytes: &[u8], center: &VerifyingKey) -> Result<Ack, DocumentError> {
    let ack: Ack = SignedDocument::from_bytes(bytes)?.open(center)?;
    if ack.format > SYNC_FORMAT_VERSION {
        return Err(DocumentError::Content(format!("ack format {} is newer than {SYNC_FORMAT_VERSION}", ack.format)));
    }
    Ok(ack)
}

/// Reads and verifies a signed snapshot.
pub fn open_snapshot(bytes: &[u8], center: &VerifyingKey) -> Result<Snapshot, DocumentError> {
    let snapshot: Snapshot = SignedDocument::from_bytes(bytes)?.open(center)?;
    if snapshot.format > SYNC_FORMAT_VERSION {
        return Err(DocumentError::Content(format!(
            "snapshot format {} is newer than {SYNC_FORMAT_VERSION}",
            snapshot.format
        )));
    }
    Ok(snapshot)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KioskKey;

    #[test]
    fn acks_round_trip_and_tampering_is_caught() {
        let center = KioskKey::generate().unwrap();
        let ack = Ack {
            format: SYNC_FORMAT_VERSION,
            kiosk: "KOK-01".into(),
            accepted_through_seq: 7,
            head_hash: "00".repeat(32),
            center_time: "2026-03-10T10:00:00+05:00".parse().unwrap(),
            quarantined: vec![],
            flagged: vec![],
            review: vec![],
        };
        let bytes = sign(&ack, center.signing());
        assert_eq!(open_ack(&bytes, &center.verifying()).unwrap(), ack);
        let json = String::from_utf8_lossy(&bytes);
        assert!(json.contains("\"acceptedThroughSeq\":7"), "{json}");
        let mut tampered = bytes.clone();
        let at = tampered.len() - 70;
        tampered[at] ^= 1;
        assert!(open_ack(&tampered, &center.verifying()).is_err());
    }
}
