//! Who added each places record, read from the kiosk's log.

use std::collections::HashMap;

use rules::command::Command;

use super::errors::localized;
use crate::Kiosk;
use crate::gui::backend::BackendError;

/// Which operator's entry created each places record, read from the kiosk's log: the same
/// entries the application history is built from. Filled incrementally: the log only grows.
#[derive(Debug, Default)]
pub(super) struct PlacesAuthors {
    /// The last sequence number looked at.
    scanned: u64,
    /// Record id → operator login of the entry that holds it.
    pub(super) by_record: HashMap<String, String>,
}

impl PlacesAuthors {
    /// Reads the entries after the last one seen. An entry that cannot be decoded is
    /// skipped (the kiosk reports log damage itself).
    pub(super) fn catch_up(&mut self, kiosk: &Kiosk) -> Result<(), BackendError> {
        if kiosk.last_seq() < self.scanned {
            *self = PlacesAuthors::default();
        }
        if kiosk.last_seq() == self.scanned {
            return Ok(());
        }
        let entries = kiosk.entries_after(self.scanned).map_err(|e| localized(&crate::QueryError::Store(e)))?;
        for entry in entries {
            let Ok(body) = entry.body() else { continue };
            self.scanned = self.scanned.max(body.seq);
            // Only places commands can name a record (cheap test before parsing the JSON).
            if !body.payload.windows(6).any(|w| w == b"Places") {
                continue;
            }
            if let Ok(changelog::Payload::Command {
                command: Command::AddPlaces { places } | Command::ReducePlaces { places },
            }) = serde_json::from_slice(&body.payload)
            {
                self.by_record.insert(places.id, body.operator);
            }
        }
        self.scanned = self.scanned.max(kiosk.last_seq());
        Ok(())
    }
}
