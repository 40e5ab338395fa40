//! Projections: what the trees hold and how entries turn into writes.

use std::collections::BTreeSet;

use rules::model::{Application, PlacesRecord};
use rules::{Event, Instant, State};
use serde::{Deserialize, Serialize};

use crate::store::{ProjectionBatch, Tree};

/// One line of an application's history: an entry of a kiosk's log that touched it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryItem {
    pub seq: u64,
    pub kiosk: String,
    /// Kiosk clock when the entry was made.
    pub at: String,
    pub operator: String,
    /// Command name as in JSON (`register`, `withdraw`, …).
    pub command: String,
    /// Event types it caused (`registered`, `archived`, …).
    pub events: Vec<String>,
    /// The events themselves, as the entry caused them (what the card shows: the departure's
    /// reason, the extension's days, the refusal's reason).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub detail: Vec<Event>,
}

/// The value of the `vouchers` tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoucherRow {
    pub status: rules::Status,
    pub voucher: rules::model::Voucher,
}

/// Orders instants bytewise: seconds (sign-flipped) then nanoseconds, big-endian.
pub fn instant_key(at: Instant) -> [u8; 12] {
    let (secs, nanos) = at.sort_key();
    let mut out = [0u8; 12];
    #[allow(clippy::cast_sign_loss)]
    out[..8].copy_from_slice(&((secs as u64) ^ (1 << 63)).to_be_bytes());
    out[8..].copy_from_slice(&nanos.to_be_bytes());
    out
}

pub fn keyed(prefix: &[u8], id: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(prefix.len() + 1 + id.len());
    key.extend_from_slice(prefix);
    key.push(0);
    key.extend_from_slice(id.as_bytes());
    key
}

pub fn history_key(id: &str, seq: u64) -> Vec<u8> {
    let mut key = keyed(id.as_bytes(), "");
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

fn put_application(batch: &mut ProjectionBatch, app: &Application) {
    let json = serde_json::to_vec(app).expect("applications serialize");
    batch.put(Tree::Applications, app.id.as_bytes(), json);
    batch.put(Tree::ByIin, keyed(app.child.iin.as_bytes(), &app.id), Vec::new());
    batch.put(Tree::ByRegistered, keyed(&instant_key(app.registered_at), &app.id), Vec::new());
    if let Some(direction) = &app.direction {
        batch.put(Tree::ByDirection, direction.number.as_bytes(), app.id.as_bytes());
    }
    match &app.voucher {
        Some(voucher) => {
            let row = VoucherRow { status: app.status, voucher: voucher.clone() };
            batch.put(Tree::Vouchers, app.id.as_bytes(), serde_json::to_vec(&row).expect("vouchers serialize"));
        }
        None => batch.remove(Tree::Vouchers, app.id.as_bytes()),
    }
}

fn put_places(batch: &mut ProjectionBatch, record: &PlacesRecord) {
    batch.put(Tree::Places, record.id.as_bytes(), serde_json::to_vec(record).expect("places serialize"));
}

/// The trees that hold applications and places (everything but history, sync and meta).
const STATE_TREES: [Tree; 6] =
    [Tree::Applications, Tree::ByIin, Tree::ByDirection, Tree::ByRegistered, Tree::Vouchers, Tree::Places];

/// Rewrites the application and places trees from `state` (after the kiosk rebased on a
/// center snapshot): every key there now is removed, then the state written; `existing`
/// gives the keys a tree holds. History stays: it is this kiosk's own.
pub fn reproject_state(
    state: &State,
    existing: &mut dyn FnMut(Tree) -> Result<Vec<Vec<u8>>, crate::store::StoreError>,
    base_marker: Option<&str>,
) -> Result<ProjectionBatch, crate::store::StoreError> {
    let mut batch = ProjectionBatch::default();
    for tree in STATE_TREES {
        for key in existing(tree)? {
            batch.remove(tree, key);
        }
    }
    for app in state.applications() {
        put_application(&mut batch, app);
    }
    for record in state.places() {
        put_places(&mut batch, record);
    }
    match base_marker {
        Some(sha) => batch.put(Tree::Meta, META_BASE, sha.as_bytes()),
        None => batch.remove(Tree::Meta, META_BASE),
    }
    Ok(batch)
}

/// Key in the meta tree: SHA-256 (hex) of the center snapshot the state trees were
/// rebuilt on (absent: no snapshot).
pub const META_BASE: &[u8] = b"base";

/// Writes owed to the projections for a run of entries: collected while entries are
/// applied, turned into batches from the state after the last of them.
#[derive(Debug, Default)]
pub struct Pending {
    applications: BTreeSet<String>,
    places: BTreeSet<String>,
    history: Vec<(String, HistoryItem)>,
    last_seq: Option<u64>,
}

impl Pending {
    /// Notes one applied entry (commands and operator changes alike).
    pub fn entry(&mut self, seq: u64, kiosk: &str, at: &str, operator: &str, command: Option<&str>, events: &[Event]) {
        self.last_seq = Some(seq);
        let Some(command) = command else { return };
        let mut touched: BTreeSet<&str> = BTreeSet::new();
        for event in events {
            match event {
                Event::PlacesAdded { record } | Event::PlacesReduced { record } => {
                    self.places.insert(record.id.clone());
                }
                Event::PlacesPublished { record, .. } => {
                    self.places.insert(record.clone());
                }
                other => {
                    if let Some(id) = other.application_id() {
                        touched.insert(id);
                    }
                }
            }
        }
        for id in touched {
            self.applications.insert(id.to_owned());
            let item = HistoryItem {
                seq,
                kiosk: kiosk.to_owned(),
                at: at.to_owned(),
                operator: operator.to_owned(),
                command: command.to_owned(),
                events: events.iter().filter(|e| e.application_id() == Some(id)).map(|e| e.name().to_owned()).collect(),
                detail: events.iter().filter(|e| e.application_id() == Some(id)).cloned().collect(),
            };
            self.history.push((id.to_owned(), item));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.last_seq.is_none()
    }

    /// Batches of at most `chunk` writes; the last one sets `projected_seq`.
    pub fn into_batches(self, state: &State, chunk: usize) -> Vec<ProjectionBatch> {
        let mut batches = Vec::new();
        let mut current = ProjectionBatch::default();
        let mut flush = |current: &mut ProjectionBatch, force: bool| {
            if current.puts.len() >= chunk || (force && !current.is_empty()) {
                batches.push(std::mem::take(current));
            }
        };
        for (id, item) in &self.history {
            current.put(
                Tree::History,
                history_key(id, item.seq),
                serde_json::to_vec(item).expect("history serializes"),
            );
            flush(&mut current, false);
        }
        for id in &self.applications {
            if let Some(app) = state.application(id) {
                put_application(&mut current, app);
                flush(&mut current, false);
            }
        }
        for id in &self.places {
            if let Some(record) = state.places().find(|r| &r.id == id) {
                put_places(&mut current, record);
                flush(&mut current, false);
            }
        }
        current.projected_seq = self.last_seq;
        flush(&mut current, true);
        batches
    }
}
