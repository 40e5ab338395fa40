//! What the kiosk remembers about its contact with the center.

use serde::{Deserialize, Serialize};

/// Durable sync state (`sync/state.json`, mirrored in the `sync` tree).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SyncState {
    /// Last sequence number the center acknowledged (0: none). Entries after it are pending.
    pub acknowledged_seq: u64,
    /// Center time of the last acknowledgement or snapshot applied; written into every new
    /// entry's `last_contact`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_contact: Option<String>,
    /// Kiosk time when the last acknowledgement arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ack_received_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotInfo>,
}

/// The latest center snapshot kept (its bytes are in `sync/snapshot.bin`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SnapshotInfo {
    /// Kiosk time when it was received.
    pub received_at: String,
    /// Center time it carries, if the caller knew it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center_time: Option<String>,
    pub bytes: u64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
}

impl SyncState {
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("sync state serializes")
    }
    /// Kiosk time of the last successful contact (acknowledgement or snapshot), if any.
    pub fn last_sync_at(&self) -> Option<&str> {
        let ack = self.last_ack_received_at.as_deref();
        let snap = self.snapshot.as_ref().map(|s| s.received_at.as_str());
        match (ack, snap) {
            (Some(a), Some(s)) => {
                let (pa, ps) = (a.parse::<rules::Instant>().ok(), s.parse::<rules::Instant>().ok());
                if pa >= ps { Some(a) } else { Some(s) }
            }
            (a, s) => a.or(s),
        }
    }
}
