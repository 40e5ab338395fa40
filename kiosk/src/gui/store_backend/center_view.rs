//! The center's latest snapshot as the GUI uses it: the center's queue positions and the
//! queues they were ranked from (for "why did my position change").

use std::collections::HashMap;

use rules::model::Application;
use rules::queue::RankEntry;
use rules::time::Instant;

use crate::Kiosk;
use crate::gui::backend::RankSnapshots;
use crate::gui::state_views::rank_entry;

/// The center snapshot as the GUI uses it.
#[derive(Debug, Clone)]
pub(super) struct CenterView {
    pub(super) at: Instant,
    pub(super) positions: HashMap<String, u32>,
    entries: Vec<RankEntry>,
}

impl CenterView {
    /// The latest snapshot the kiosk keeps (`None` without one). It was verified with the
    /// center key when it was imported, so it is read here without checking it again.
    pub(super) fn of(kiosk: &Kiosk) -> Option<CenterView> {
        let (_, bytes) = kiosk.snapshot().ok()??;
        let json = document_json(&bytes)?;
        let snapshot: changelog::sync::Snapshot = serde_json::from_slice(json).ok()?;
        Some(CenterView {
            at: snapshot.generated_at,
            positions: snapshot.positions.iter().map(|r| (r.id.clone(), r.position)).collect(),
            entries: snapshot.applications.iter().map(rank_entry).collect(),
        })
    }

    /// `app`'s queue as the center ranked it and as the kiosk's `state` has it now.
    pub(super) fn rank_snapshots(&self, app: &Application, state: &rules::State) -> RankSnapshots {
        let key = app.queue_key();
        let same_queue = |e: &RankEntry| {
            e.district == key.district && e.queue_type == key.queue_type && e.birth_date.year() == key.group_year
        };
        let before = self.entries.iter().filter(|e| same_queue(e)).cloned().collect();
        let after = state.applications().map(rank_entry).filter(same_queue).collect();
        RankSnapshots { before_at: self.at, before, after }
    }
}

/// The content of a signed center document (`MAGIC`, u32 LE length, JSON, signature), read
/// without checking the signature again (the kiosk checked it when it imported the file).
fn document_json(bytes: &[u8]) -> Option<&[u8]> {
    let start = bytes.iter().position(|b| *b == b'{')?;
    let len_bytes: [u8; 4] = bytes.get(start.checked_sub(4)?..start)?.try_into().ok()?;
    let len = usize::try_from(u32::from_le_bytes(len_bytes)).ok()?;
    bytes.get(start..start.checked_add(len)?)
}
