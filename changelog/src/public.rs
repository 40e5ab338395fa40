//! The public queue of a district: what anyone may read and check, with nothing personal
//! in it (registration numbers, queue, group year, class of right, registration instant,
//! status, position, the deadline running). Signed by the center key inside a
//! [`SignedDocument`](crate::SignedDocument); each version names the SHA-256 of the signed
//! bytes of the version before, so that a published queue cannot be rewritten quietly.
//!
//! `tools/verify-queue.py` checks a series of versions with the Python standard library
//! alone: signatures, the chain, and every position recomputed by the ordering rules.

use rules::Instant;
use rules::deadline::DeadlineKind;
use rules::model::{QueueType, RightClass, Status};
use serde::{Deserialize, Serialize};

/// Version of the public queue's JSON.
pub const PUBLIC_FORMAT_VERSION: u32 = 1;

/// One published version of a district's queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicQueue {
    pub format: u32,
    pub district: String,
    /// 1 for the first version of the district, then one more for each change.
    pub version: u64,
    /// Hex SHA-256 of the previous version's signed bytes (none for version 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// When this version was published (the queue is as of then).
    pub published_at: Instant,
    /// Every application of the district, by queue type, group year, then position (queued
    /// ones) or registration number.
    pub rows: Vec<PublicRow>,
}

/// One application, without personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicRow {
    /// The registration number.
    pub registration: String,
    pub queue_type: QueueType,
    pub group_year: i32,
    pub right: RightClass,
    /// At full precision, with the offset it was registered with.
    pub registered_at: Instant,
    pub status: Status,
    /// 1-based position in the queue's allocation order (queued applications only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
    /// The deadline the application waits on (voucher issued, confirmed, stop-listed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<PublicDeadline>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicDeadline {
    pub kind: DeadlineKind,
    pub at: Instant,
}
