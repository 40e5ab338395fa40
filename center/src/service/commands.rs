//! The center's own commands (distribution rounds, expiry, the directory, the calendar),
//! decided by the rules and written to the center's own signed log before they apply.

use std::collections::BTreeMap;

use changelog::{EntryBody, FORMAT_VERSION, GENESIS_HASH, Payload, SignedEntry};
use rules::command::Event;
use rules::model::{Kindergarten, Status};
use rules::{Command, Instant};
use serde::{Deserialize, Serialize};

use super::audit::AuditRow;
use super::{CENTER_ID, Center, CommandFailure, Invalid, SCHEDULER, framed};
use crate::fold::{FoldItem, FoldKey, Source};
use crate::store::{CenterStore, Commit, LogRecord, StoreError};

/// One center command's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CenterRun {
    pub command: String,
    pub at: Instant,
    /// The center log's sequence number of the entry, if one was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub center_seq: Option<u64>,
    pub vouchers: Vec<VoucherNote>,
    pub published: Vec<String>,
    pub expired: Vec<ExpiryNote>,
    pub events: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VoucherNote {
    pub application: String,
    pub confirm_deadline: Instant,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpiryNote {
    pub application: String,
    pub status: Status,
    pub at: Instant,
}

/// What a directory import changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryImport {
    /// Kindergartens added or changed, each a center log entry.
    pub changed: Vec<String>,
    pub unchanged: usize,
    /// The directory version after the import.
    pub version: u64,
}

pub(super) fn center_item(seq: u64, command: Command, now: Instant) -> FoldItem {
    FoldItem {
        key: FoldKey { epoch: seq - 1, center: true, time: now.sort_key(), kiosk: String::new(), seq },
        source: Source::Center { seq },
        command,
        now,
        scope: None,
    }
}

impl<S: CenterStore> Center<S> {
    pub(super) fn run_center(
        &mut self,
        command: Command,
        operator: &str,
        at: Instant,
        skip_if_empty: bool,
    ) -> Result<CenterRun, CommandFailure> {
        self.resync_if_stale();
        let events = self.fold.decide(&command, at)?;
        let mut run = CenterRun {
            command: command.name().to_owned(),
            at,
            center_seq: None,
            vouchers: Vec::new(),
            published: Vec::new(),
            expired: Vec::new(),
            events: events.len(),
        };
        for event in &events {
            match event {
                Event::VoucherIssued { application, confirm_deadline, .. } => {
                    run.vouchers
                        .push(VoucherNote { application: application.clone(), confirm_deadline: *confirm_deadline });
                }
                Event::PlacesPublished { record, .. } => run.published.push(record.clone()),
                Event::StopListed { application, at, .. } => {
                    run.expired.push(ExpiryNote {
                        application: application.clone(),
                        status: Status::StopListed,
                        at: *at,
                    });
                }
                Event::Archived { application, at, .. } => {
                    run.expired.push(ExpiryNote {
                        application: application.clone(),
                        status: Status::Archived,
                        at: *at,
                    });
                }
                _ => {}
            }
        }
        if events.is_empty() && skip_if_empty {
            return Ok(run);
        }
        let seq = self.append_own(operator, &Payload::Command { command: command.clone() }, at)?;
        let _ = self.fold.add_center_item(&center_item(seq, command, at));
        run.center_seq = Some(seq);
        Ok(run)
    }

    /// Appends an entry to the center's own log, signed by the center key and naming
    /// `operator`; durable when this returns.
    pub(super) fn append_own(&mut self, operator: &str, payload: &Payload, at: Instant) -> Result<u64, StoreError> {
        let seq = self.own_hashes.len() as u64 + 1;
        let body = EntryBody {
            version: FORMAT_VERSION,
            kiosk: CENTER_ID.to_owned(),
            seq,
            prev_hash: self.own_hashes.last().copied().unwrap_or(GENESIS_HASH),
            kiosk_time: at.to_string(),
            last_contact: None,
            operator: operator.to_owned(),
            payload: payload.to_json(),
        };
        let entry = SignedEntry::sign(&body, self.key.signing());
        let commit = Commit { log: vec![LogRecord::Center { seq, entry: framed(&entry) }], quarantine: Vec::new() };
        if let Err(e) = self.store.commit(&commit) {
            self.stale = true;
            return Err(e);
        }
        self.own_hashes.push(entry.hash());
        self.note_own_entry(seq, at, operator, payload);
        Ok(seq)
    }

    /// Bookkeeping of one center entry (written now or replayed): directory and calendar
    /// versions, the scheduler's last runs, the audit trail.
    pub(super) fn note_own_entry(&mut self, seq: u64, at: Instant, operator: &str, payload: &Payload) {
        if let Payload::Command { command } = payload {
            match command {
                Command::SetKindergarten { .. } => self.directory_version += 1,
                Command::SetCalendarYear { year } => self.calendar_years.push(year.clone()),
                Command::Tick => self.last_tick = Some(self.last_tick.map_or(at, |t| t.max(at))),
                Command::Distribute { district } if operator == SCHEDULER => {
                    let last = self.scheduled_rounds.entry(district.clone()).or_insert(at);
                    *last = (*last).max(at);
                }
                _ => {}
            }
        }
        if let Payload::Audit { action, subject, note } = payload
            && action == crate::public_queue::PUBLISH_ACTION
        {
            self.note_publication(subject, note.as_deref());
        }
        if let Some(row) = AuditRow::of(seq, at, operator, payload) {
            self.audit.push(row);
        }
    }

    /// When deadline expiry last ran, and each district's last scheduled round.
    pub fn schedule_state(&self) -> (Option<Instant>, &BTreeMap<String, Instant>) {
        (self.last_tick, &self.scheduled_rounds)
    }

    /// A distribution round for a district (center log entry).
    pub fn distribute(&mut self, district: &str, at: Instant) -> Result<CenterRun, CommandFailure> {
        self.distribute_as(CENTER_ID, district, at)
    }

    /// A distribution round started by `by` (a staff login, or [`SCHEDULER`]). A round of
    /// the scheduler is logged even when it issues nothing: the log is its record of having run.
    pub fn distribute_as(&mut self, by: &str, district: &str, at: Instant) -> Result<CenterRun, CommandFailure> {
        self.check_district(district)?;
        self.run_center(Command::Distribute { district: district.to_owned() }, by, at, by != SCHEDULER)
    }

    /// Adds a kindergarten to the directory or replaces its entry (a center log entry naming
    /// `operator`); the next snapshots carry it to the district's kiosks.
    pub fn set_kindergarten(
        &mut self,
        kindergarten: Kindergarten,
        operator: &str,
        at: Instant,
    ) -> Result<CenterRun, CommandFailure> {
        self.check_district(&kindergarten.district)?;
        self.run_center(Command::SetKindergarten { kindergarten }, operator, at, false)
    }

    /// Loads a directory (a JSON array of kindergartens): one center log entry for each
    /// kindergarten that is new or differs from the directory's entry; the rest is left as
    /// it is (a kindergarten missing from the file is not removed: close it with `open: false`).
    pub fn import_directory(
        &mut self,
        kindergartens: Vec<Kindergarten>,
        operator: &str,
        at: Instant,
    ) -> Result<DirectoryImport, CommandFailure> {
        let mut seen = std::collections::HashSet::new();
        for k in &kindergartens {
            if !seen.insert(k.id.as_str()) {
                return Err(Invalid::DuplicateKindergarten(k.id.clone()).into());
            }
            self.check_district(&k.district)?;
        }
        let mut report = DirectoryImport { changed: Vec::new(), unchanged: 0, version: self.directory_version };
        for k in kindergartens {
            if self.fold.state().kindergarten(&k.id) == Some(&k) {
                report.unchanged += 1;
                continue;
            }
            let id = k.id.clone();
            self.set_kindergarten(k, operator, at)?;
            report.changed.push(id);
        }
        report.version = self.directory_version;
        Ok(report)
    }

    /// Sets a year of the working-day calendar (a decree published): a center log entry
    /// naming `operator`; deadlines computed from now on use it, and the next snapshots carry
    /// it to kiosks. Deadlines already given stay as they were.
    pub fn set_calendar_year(
        &mut self,
        year: rules::calendar::CalendarYear,
        operator: &str,
        at: Instant,
    ) -> Result<CenterRun, CommandFailure> {
        self.run_center(Command::SetCalendarYear { year }, operator, at, false)
    }

    /// The directory as the center holds it now.
    pub fn directory(&self) -> (u64, Vec<Kindergarten>) {
        (self.directory_version, self.fold.state().kindergartens().cloned().collect())
    }

    /// Deadline expiry and age-out due at `at` (a center log entry when anything expired).
    pub fn tick(&mut self, at: Instant) -> Result<CenterRun, CommandFailure> {
        self.tick_as(CENTER_ID, at)
    }

    /// [`Center::tick`] started by `by`; the scheduler's runs are logged even when nothing expired.
    pub fn tick_as(&mut self, by: &str, at: Instant) -> Result<CenterRun, CommandFailure> {
        self.run_center(Command::Tick, by, at, by != SCHEDULER)
    }
}
