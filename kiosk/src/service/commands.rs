//! Commands: checked (session, role and scope by `rules::authz`, the directory, ids the
//! kiosk assigns), decided by the rules, signed, appended durably, then applied and
//! projected. One at a time ([`Kiosk::execute`]) or as a group commit
//! ([`Kiosk::execute_batch_at`]).

use changelog::{EntryBody, FORMAT_VERSION, Hash, MAX_ENTRY_BYTES, Payload, SignedEntry};
use rules::authz::kiosk::{self as kiosk_authz, KioskActor, KioskDenied};
use rules::{Command, Event, Instant};
use serde::Serialize;

use super::{CATCH_UP_CHUNK, Kiosk, LogHealth};
use crate::errors::{AppendError, InputError};
use crate::identity;
use crate::operators::Session;
use crate::projection::Pending;
use crate::reference;

/// The answer to a saved command: shown on the receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    pub seq: u64,
    /// Registration number (register), places record id (addPlaces), application id
    /// (actions) or login (operator changes).
    pub id: String,
    pub command: String,
    pub at: Instant,
    pub operator: String,
    pub events: Vec<Event>,
}

/// A command checked and decided, not yet written.
#[derive(Debug)]
struct Prepared {
    command: Command,
    events: Vec<Event>,
    id: String,
}

/// The receipt of `command`, saved by `session` as entry `seq` at `at`.
fn receipt(seq: u64, id: String, command: &Command, at: Instant, session: &Session, events: Vec<Event>) -> Receipt {
    Receipt { seq, id, command: command.name().to_owned(), at, operator: session.login().to_owned(), events }
}

impl Kiosk {
    pub(super) fn writable(&self) -> Result<(), AppendError> {
        if let LogHealth::Damaged { damage } = &self.health {
            return Err(AppendError::LogDamaged(damage.clone()));
        }
        if self.poisoned {
            return Err(AppendError::RestartRequired);
        }
        Ok(())
    }

    /// Role, kindergarten binding, ids, then the rules. Changes nothing.
    fn prepare(&self, session: &Session, command: Command, now: Instant) -> Result<Prepared, AppendError> {
        // Who may: rules::authz::kiosk decides. Center-only commands and roles are refused
        // first; a kindergarten binding after the directory and id checks, as always.
        let actor = KioskActor { role: session.role(), kindergartens: session.kindergartens() };
        let allowed = kiosk_authz::may(&actor, &command, &self.model.state);
        if let Err(denied @ (KioskDenied::CenterOnly { .. } | KioskDenied::WrongRole { .. })) = &allowed {
            return Err(denied.clone().into());
        }
        let needs_directory = matches!(
            &command,
            Command::AddPlaces { .. }
                | Command::ReducePlaces { .. }
                | Command::Act { action: rules::Action::ChooseKindergarten { .. }, .. }
        );
        if needs_directory && self.model.state.kindergartens().next().is_none() {
            return Err(AppendError::NoDirectory);
        }
        let year = now.local_date().year();
        let mut command = command;
        let id = match &mut command {
            Command::Register { application } => {
                if !application.id.is_empty() {
                    return Err(AppendError::IdAssignedByKiosk);
                }
                if reference::district(&application.district).is_none() {
                    return Err(AppendError::Input(InputError::InvalidCommand {
                        detail: format!("unknown district {:?}", application.district),
                    }));
                }
                application.id = identity::registration_number(
                    &self.identity,
                    &application.district,
                    year,
                    self.model.registrations + 1,
                );
                application.id.clone()
            }
            Command::AddPlaces { places } | Command::ReducePlaces { places } => {
                if !places.id.is_empty() {
                    return Err(AppendError::IdAssignedByKiosk);
                }
                allowed?;
                places.id = identity::places_record_id(&self.identity, year, self.model.places_records + 1);
                places.id.clone()
            }
            Command::Act { application, .. } => {
                allowed?;
                application.clone()
            }
            Command::Distribute { .. }
            | Command::Tick
            | Command::SetKindergarten { .. }
            | Command::SetCalendarYear { .. } => String::new(),
        };
        let events = self.model.state.decide(&command, now).map_err(AppendError::Rejected)?;
        Ok(Prepared { command, events, id })
    }

    /// Signs one entry; returns its framed record and hash.
    pub(super) fn encode(
        &self,
        operator: &str,
        payload: &Payload,
        now: Instant,
        seq: u64,
        prev_hash: Hash,
    ) -> Result<(Vec<u8>, Hash), AppendError> {
        let body = EntryBody {
            version: FORMAT_VERSION,
            kiosk: self.identity.kiosk_id.clone(),
            seq,
            prev_hash,
            kiosk_time: now.to_string(),
            last_contact: self.sync.last_contact.clone(),
            operator: operator.to_owned(),
            payload: payload.to_json(),
        };
        let entry = SignedEntry::sign(&body, self.key.signing());
        if entry.body_bytes().len() > MAX_ENTRY_BYTES as usize {
            return Err(AppendError::Input(InputError::InvalidCommand {
                detail: format!("the entry would exceed {MAX_ENTRY_BYTES} bytes"),
            }));
        }
        let mut record = Vec::with_capacity(entry.record_len());
        entry.write_record(&mut record);
        Ok((record, entry.hash()))
    }

    /// Appends records durably; on failure cuts the log back (or stops appending).
    pub(super) fn append_records(&mut self, records: &[u8]) -> Result<(), AppendError> {
        self.writable()?;
        let before = self.valid_len;
        if let Err(e) = self.store.append_log(records) {
            if self.store.truncate_log(before).is_err() {
                self.poisoned = true;
            }
            return Err(AppendError::Storage(e));
        }
        Ok(())
    }

    /// Advances the log position after one durable record; returns its sequence number.
    pub(super) fn commit_position(&mut self, hash: Hash, record: &[u8]) -> u64 {
        self.offsets.push(self.valid_len);
        self.valid_len += record.len() as u64;
        self.last_seq += 1;
        self.last_hash = hash;
        self.last_seq
    }

    /// Checks `command` for `session` at the kiosk clock, saves it durably, applies it.
    /// Ids (`application.id`, `places.id`) must be empty: the kiosk assigns them.
    pub fn execute(&mut self, session: &Session, command: Command) -> Result<Receipt, AppendError> {
        let now = self.now();
        self.execute_at(session, command, now)
    }

    /// Parses one JSON line (see the README) and executes it.
    pub fn execute_json(&mut self, session: &Session, line: &str) -> Result<Receipt, AppendError> {
        let command = crate::input::parse_command(line).map_err(AppendError::Input)?;
        self.execute(session, command)
    }

    /// [`Kiosk::execute`] at a given kiosk time (demo data with recorded times, tests).
    pub fn execute_at(&mut self, session: &Session, command: Command, now: Instant) -> Result<Receipt, AppendError> {
        self.writable()?;
        self.check_session(session)?;
        let prepared = self.prepare(session, command, now)?;
        let payload = Payload::Command { command: prepared.command };
        let (record, hash) = self.encode(session.login(), &payload, now, self.last_seq + 1, self.last_hash)?;
        self.append_records(&record)?;
        // Durable: now apply it.
        let seq = self.commit_position(hash, &record);
        let Payload::Command { command } = payload else { unreachable!("built above") };
        self.model.apply_command(&command, &prepared.events);
        let at = now.to_string();
        let mut pending = Pending::default();
        pending.entry(seq, &self.identity.kiosk_id, &at, session.login(), Some(command.name()), &prepared.events);
        for batch in pending.into_batches(&self.model.state, usize::MAX) {
            self.project(batch);
        }
        Ok(receipt(seq, prepared.id, &command, now, session, prepared.events))
    }

    /// Executes several commands with one `fdatasync` (group commit): each is checked
    /// against the state left by the ones before it; rejected ones write nothing. The
    /// receipts are returned only after all accepted entries are durable. If the write
    /// fails, none of them is saved and the outer `Err` says why.
    pub fn execute_batch_at(
        &mut self,
        session: &Session,
        commands: Vec<(Command, Instant)>,
    ) -> Result<Vec<Result<Receipt, AppendError>>, AppendError> {
        self.writable()?;
        self.check_session(session)?;
        let saved = (self.last_seq, self.last_hash, self.offsets.len(), self.valid_len);
        let mut buffer = Vec::new();
        let mut results = Vec::with_capacity(commands.len());
        let mut pending = Pending::default();
        let (mut seq, mut prev, mut offset) = (self.last_seq, self.last_hash, self.valid_len);
        let mut new_offsets = Vec::new();
        for (command, now) in commands {
            let prepared = match self.prepare(session, command, now) {
                Ok(p) => p,
                Err(e) => {
                    results.push(Err(e));
                    continue;
                }
            };
            let payload = Payload::Command { command: prepared.command };
            let (record, hash) = match self.encode(session.login(), &payload, now, seq + 1, prev) {
                Ok(r) => r,
                Err(e) => {
                    results.push(Err(e));
                    continue;
                }
            };
            seq += 1;
            prev = hash;
            new_offsets.push(offset);
            offset += record.len() as u64;
            buffer.extend_from_slice(&record);
            let Payload::Command { command } = payload else { unreachable!("built above") };
            // Applied before it is durable so the next command sees it; undone below if
            // the write fails.
            self.model.apply_command(&command, &prepared.events);
            let at = now.to_string();
            pending.entry(seq, &self.identity.kiosk_id, &at, session.login(), Some(command.name()), &prepared.events);
            results.push(Ok(receipt(seq, prepared.id, &command, now, session, prepared.events)));
        }
        if buffer.is_empty() {
            return Ok(results);
        }
        if let Err(e) = self.append_records(&buffer) {
            let (last_seq, last_hash, offsets_len, valid_len) = saved;
            self.last_seq = last_seq;
            self.last_hash = last_hash;
            self.offsets.truncate(offsets_len);
            self.valid_len = valid_len;
            // Undo the in-memory effects by replaying the log as it is on disk.
            if self.reload_model().is_err() {
                self.poisoned = true;
            }
            return Err(e);
        }
        self.offsets.extend(new_offsets);
        self.valid_len = offset;
        self.last_seq = seq;
        self.last_hash = prev;
        for batch in pending.into_batches(&self.model.state, CATCH_UP_CHUNK) {
            self.project(batch);
        }
        Ok(results)
    }
}
