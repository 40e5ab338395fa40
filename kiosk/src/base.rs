//! The center's view a kiosk builds on.
//!
//! A kiosk's state is the latest verified center snapshot of its district (the base) with
//! the kiosk's own entries that the snapshot does not include replayed on top, each decided
//! again at its recorded time. Entries the snapshot includes (up to its `kioskHeads` value
//! for this kiosk) were judged by the center: they only advance the id counters. Without a
//! snapshot the base is empty and every entry is replayed, as before the first sync.

use changelog::VerifyingKey;
use changelog::sync::{Snapshot, open_snapshot};
use rules::calendar::Calendar;
use rules::{Instant, State};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct Base {
    pub state: State,
    /// This kiosk's last sequence number the snapshot includes.
    pub head: u64,
    pub generated_at: Instant,
    /// Hex SHA-256 of the snapshot's signed bytes: the projections record which base
    /// they were built on.
    pub sha256: String,
}

impl Base {
    pub fn new(snapshot: Snapshot, kiosk: &str, bytes: &[u8]) -> Self {
        let head = snapshot.kiosk_heads.get(kiosk).copied().unwrap_or(0);
        // The center owns the directory and the calendar's updates: the snapshot's replace
        // whatever the kiosk had. (Years the center refused never reach a snapshot; should
        // one not apply here, the embedded calendar stays, as before the update.)
        let calendar = Calendar::with_years_static(&snapshot.calendar_years).unwrap_or_else(|_| Calendar::embedded());
        let state = State::restore(calendar, snapshot.kindergartens, snapshot.applications, snapshot.places);
        Base { state, head, generated_at: snapshot.generated_at, sha256: sha256_hex(bytes) }
    }

    /// The kept snapshot bytes as a base, verified with the center key again (the file
    /// could have been changed on disk since it was imported).
    pub fn load(bytes: &[u8], center: &VerifyingKey, kiosk: &str, district: &str) -> Result<Self, String> {
        let snapshot = open_snapshot(bytes, center).map_err(|e| e.to_string())?;
        if snapshot.district != district {
            return Err(format!("the snapshot is of district {}, not {district}", snapshot.district));
        }
        Ok(Base::new(snapshot, kiosk, bytes))
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    Sha256::digest(bytes).iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
