//! Reading the kiosk: applications from the projections (by id, child IIN, direction
//! number, the journal), an application's card, places, vouchers, `status`, and `verify`
//! (every signature, a full replay and the projections compared).

use std::path::PathBuf;

use rules::deadline::{VoucherDeadline, voucher_deadlines};
use rules::lifecycle::{self, AllowedAction};
use rules::model::{Application, PlacesRecord};
use rules::{Instant, Status};
use serde::Serialize;

use super::open::read_projected_seq;
use super::replay::{Replayed, split_problems};
use super::{Kiosk, LogHealth, OpenReport, ReplayProblem};
use crate::errors::QueryError;
use crate::logfile::{self, FullCheck};
use crate::projection::{HistoryItem, VoucherRow, history_key, keyed};
use crate::store::Tree;
use crate::sync::SnapshotInfo;

/// One line of the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalRow {
    pub id: String,
    pub registered_at: Instant,
    pub district: String,
    pub queue_type: rules::QueueType,
    pub group_year: i32,
    pub right: rules::RightClass,
    pub child_name: String,
    pub child_iin: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
}

/// A history line with the operator's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CardHistory {
    #[serde(flatten)]
    pub item: HistoryItem,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operator_name: Option<String>,
}

/// Everything about one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    pub application: Application,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
    pub allowed_actions: Vec<AllowedAction>,
    /// The voucher's deadlines, each with `provisional`: it rests on a year of the calendar
    /// without a decree yet (`rules::deadline::voucher_deadlines`). Empty without a voucher.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deadlines: Vec<VoucherDeadline>,
    pub history: Vec<CardHistory>,
}

/// `status`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusReport {
    pub kiosk_id: String,
    pub district: String,
    pub name: String,
    pub public_key: String,
    pub fingerprint: String,
    pub data_dir: PathBuf,
    pub last_seq: u64,
    pub acknowledged_seq: u64,
    pub pending_entries: u64,
    pub last_sync_at: Option<String>,
    pub days_since_last_sync: Option<i64>,
    pub last_contact: Option<String>,
    pub snapshot: Option<SnapshotInfo>,
    pub log_health: LogHealth,
    pub log_bytes: u64,
    pub projected_seq: u64,
    pub projection_error: Option<String>,
    pub replay_problems: Vec<ReplayProblem>,
    /// Entries not yet at the center that the rules refuse on its latest snapshot (an
    /// offline conflict: the center decides them when they arrive).
    pub conflicts: Vec<ReplayProblem>,
    pub applications: usize,
    pub places_records: usize,
    pub operators_active: usize,
    pub open: OpenReport,
}

/// `verify`: every signature, a full replay and the projections compared.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    #[serde(flatten)]
    pub log: FullCheck,
    pub replay_problems: Vec<ReplayProblem>,
    /// Entries not yet at the center that the rules refuse on its latest snapshot.
    pub conflicts: Vec<ReplayProblem>,
    pub projection_mismatches: Vec<String>,
    pub ok: bool,
}

impl Kiosk {
    fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, QueryError> {
        serde_json::from_slice(bytes).map_err(|e| QueryError::Corrupt { detail: e.to_string() })
    }

    /// An application by registration number (= id).
    pub fn application(&self, id: &str) -> Result<Option<Application>, QueryError> {
        match self.store.get(Tree::Applications, id.as_bytes()).map_err(QueryError::Store)? {
            Some(bytes) => Self::decode(&bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Every application of a child (any queue type, any status).
    pub fn find_by_iin(&self, iin: &str) -> Result<Vec<Application>, QueryError> {
        let prefix = keyed(iin.as_bytes(), "");
        let rows = self.store.scan(Tree::ByIin, &prefix).map_err(QueryError::Store)?;
        let mut out = Vec::new();
        for (key, _) in rows {
            let id = String::from_utf8_lossy(&key[prefix.len()..]).into_owned();
            out.extend(self.application(&id)?);
        }
        Ok(out)
    }

    /// The application a direction number belongs to.
    pub fn find_by_direction(&self, number: &str) -> Result<Option<Application>, QueryError> {
        match self.store.get(Tree::ByDirection, number.as_bytes()).map_err(QueryError::Store)? {
            Some(id) => self.application(&String::from_utf8_lossy(&id)),
            None => Ok(None),
        }
    }

    /// Applications in registration order, optionally only some statuses.
    pub fn journal(&self, statuses: &[Status]) -> Result<Vec<JournalRow>, QueryError> {
        let rows = self.store.scan(Tree::ByRegistered, b"").map_err(QueryError::Store)?;
        let mut out = Vec::with_capacity(rows.len());
        for (key, _) in rows {
            let id = String::from_utf8_lossy(key.get(13..).unwrap_or_default()).into_owned();
            let Some(app) = self.application(&id)? else { continue };
            if !statuses.is_empty() && !statuses.contains(&app.status) {
                continue;
            }
            out.push(JournalRow {
                position: self.model.state.position(&app.id),
                id: app.id.clone(),
                registered_at: app.registered_at,
                district: app.district.clone(),
                queue_type: app.queue_type,
                group_year: app.group_year(),
                right: app.right,
                child_name: app.child.name.clone(),
                child_iin: app.child.iin.clone(),
                status: app.status,
            });
        }
        Ok(out)
    }

    /// The application, its queue position, what can be done now and its history.
    pub fn card(&self, id: &str) -> Result<Option<Card>, QueryError> {
        let Some(application) = self.application(id)? else { return Ok(None) };
        let prefix = history_key(id, 0);
        let prefix = &prefix[..prefix.len() - 8];
        let mut history = Vec::new();
        for (_, value) in self.store.scan(Tree::History, prefix).map_err(QueryError::Store)? {
            let item: HistoryItem = Self::decode(&value)?;
            let operator_name = self.model.operators.get(&item.operator).map(|o| o.name.clone());
            history.push(CardHistory { item, operator_name });
        }
        let allowed_actions =
            lifecycle::allowed_actions(&application, self.now(), self.model.state.calendar()).unwrap_or_default();
        let deadlines =
            application.voucher.as_ref().map(|v| voucher_deadlines(v, self.model.state.calendar())).unwrap_or_default();
        Ok(Some(Card { position: self.model.state.position(id), allowed_actions, deadlines, history, application }))
    }

    /// Places records, by id.
    pub fn places(&self) -> Result<Vec<PlacesRecord>, QueryError> {
        self.store.scan(Tree::Places, b"").map_err(QueryError::Store)?.iter().map(|(_, v)| Self::decode(v)).collect()
    }

    /// Applications holding a voucher.
    pub fn vouchers(&self) -> Result<Vec<(String, VoucherRow)>, QueryError> {
        self.store
            .scan(Tree::Vouchers, b"")
            .map_err(QueryError::Store)?
            .iter()
            .map(|(k, v)| Ok((String::from_utf8_lossy(k).into_owned(), Self::decode(v)?)))
            .collect()
    }

    pub fn projected_seq(&self) -> u64 {
        read_projected_seq(self.store.as_ref()).map_or(0, |(s, _)| s)
    }

    /// Pending entries, last sync, key fingerprint, log health.
    pub fn status(&self) -> StatusReport {
        let last_sync_at = self.sync.last_sync_at().map(str::to_owned);
        let days_since_last_sync =
            last_sync_at.as_deref().and_then(|t| t.parse::<Instant>().ok()).map(|t| (self.now().0 - t.0).num_days());
        StatusReport {
            kiosk_id: self.identity.kiosk_id.clone(),
            district: self.identity.district.clone(),
            name: self.identity.name.clone(),
            public_key: self.key.public_hex(),
            fingerprint: self.fingerprint(),
            data_dir: self.layout.root.clone(),
            last_seq: self.last_seq,
            acknowledged_seq: self.sync.acknowledged_seq,
            pending_entries: self.last_seq.saturating_sub(self.sync.acknowledged_seq),
            last_sync_at,
            days_since_last_sync,
            last_contact: self.sync.last_contact.clone(),
            snapshot: self.sync.snapshot.clone(),
            log_health: self.health.clone(),
            log_bytes: self.store.log_len(),
            projected_seq: self.projected_seq(),
            projection_error: self.projection_error.clone(),
            replay_problems: self.replay_problems.clone(),
            conflicts: self.conflicts.clone(),
            applications: self.model.state.applications().count(),
            places_records: self.model.state.places().count(),
            operators_active: self.model.operators.all().filter(|o| o.active).count(),
            open: self.open_report.clone(),
        }
    }

    /// Checks the whole log again, every signature included, replays it and compares the
    /// projections with the replayed state.
    pub fn verify(&self) -> Result<VerifyReport, QueryError> {
        let bytes = self.store.read_log(0, u64::MAX).map_err(QueryError::Store)?;
        let check = logfile::verify_all(&bytes, &self.identity.kiosk_id, self.verifying);
        let Replayed { model, problems, .. } = self.replay_valid_prefix(&bytes);
        let (problems, conflicts) = split_problems(self.base.as_ref(), problems);
        drop(bytes);
        let mut mismatches = Vec::new();
        if self.projected_seq() == self.last_seq {
            for app in model.state.applications() {
                match self.application(&app.id) {
                    Ok(Some(projected)) if &projected == app => {}
                    Ok(Some(_)) => mismatches.push(format!("{}: differs", app.id)),
                    Ok(None) => mismatches.push(format!("{}: missing", app.id)),
                    Err(e) => mismatches.push(format!("{}: {e}", app.id)),
                }
            }
        }
        let ok = check.damage.is_none() && problems.is_empty() && mismatches.is_empty();
        Ok(VerifyReport { log: check, replay_problems: problems, conflicts, projection_mismatches: mismatches, ok })
    }
}
