//! The memory rebuilt from the store: at open, after a failure left it in doubt, and
//! while catching up with other servers sharing the store.

use std::collections::BTreeMap;

use changelog::{Payload, public_key_from_hex};
use rules::{Calendar, Instant, State};

use super::commands::center_item;
use super::registry::KioskState;
use super::uploads::{MAX_NOTES_PER_KIOSK, kiosk_item};
use super::{Center, OpenError, unframe};
use crate::fold::{Fold, FoldItem};
use crate::ingest;
use crate::store::{CenterStore, LogRecord, StoreError};

impl<S: CenterStore> Center<S> {
    /// After a failed write whose outcome the store cannot tell (a database connection lost
    /// while committing), the memory is rebuilt from the store before the next write, so that
    /// what did commit is neither lost from view nor written twice.
    pub(super) fn resync_if_stale(&mut self) {
        if self.stale && self.reload().is_ok() {
            self.stale = false;
        }
    }

    /// Rebuilds everything in memory from the store (at open, and after a caught panic left
    /// the memory state in doubt).
    pub fn reload(&mut self) -> Result<(), OpenError> {
        // Read first: a change made while the rest is read bumps it again.
        self.generation = self.store.generation()?;
        self.audit = Vec::new();
        self.last_tick = None;
        self.scheduled_rounds = BTreeMap::new();
        self.publications = crate::public_queue::Publications::default();
        self.kiosks = BTreeMap::new();
        self.own_hashes = Vec::new();
        self.directory_version = 0;
        self.calendar_years = Vec::new();
        self.reload_registry()?;
        self.replay()
    }

    fn replay(&mut self) -> Result<(), OpenError> {
        let mut records = Vec::new();
        self.log_pos = self.store.read_log_after(0, &mut |record| {
            records.push(record);
            Ok(())
        })?;
        let mut items = Vec::new();
        for record in records {
            if let Some(item) = self.absorb(record)? {
                items.push(item);
            }
        }
        let initial = State::new(Calendar::embedded(), self.kindergartens.clone());
        self.fold = Fold::replay(initial, items, self.own_hashes.len() as u64);
        Ok(())
    }

    /// Takes one stored log record into the kiosks' and the center's bookkeeping; the
    /// command to fold, if it has one.
    fn absorb(&mut self, record: LogRecord) -> Result<Option<FoldItem>, OpenError> {
        match record {
            LogRecord::Kiosk { kiosk, seq, entry, received_at, epoch, effective, flag } => {
                let entry = unframe(&entry)?;
                let body = entry.body().map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let payload = ingest::decode_payload(&body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let state = self
                    .kiosks
                    .get_mut(&kiosk)
                    .ok_or_else(|| StoreError::Corrupt(format!("log names unknown kiosk {kiosk}")))?;
                if seq != state.head_seq() + 1 {
                    return Err(StoreError::Corrupt(format!("log of kiosk {kiosk} jumps to {seq}")).into());
                }
                // Role checks passed at ingest; this only rebuilds the operator list.
                let _ = ingest::check_role(&mut state.operators, &body, &payload);
                if let Payload::KeyRotated { public_key } = &payload
                    && let Ok(next) = public_key_from_hex(public_key)
                {
                    state.key = next;
                    state.keys.push((seq + 1, next));
                }
                let item = kiosk_item(&state.operators, &body, payload, epoch, effective);
                if item.is_some() {
                    state.last_effective = Some(effective);
                }
                state.hashes.push(entry.hash());
                state.seen(received_at);
                if let Some(flag) = flag {
                    state.flags.insert(seq, flag);
                }
                Ok(item)
            }
            LogRecord::Center { seq, entry } => {
                let entry = unframe(&entry)?;
                let body = entry.body().map_err(|e| StoreError::Corrupt(e.to_string()))?;
                let now: Instant =
                    body.kiosk_time.parse().map_err(|_| StoreError::Corrupt("center entry time".into()))?;
                let mut item = None;
                if let Ok(payload) = body.payload() {
                    self.note_own_entry(seq, now, &body.operator, &payload);
                    if let Payload::Command { command } = payload {
                        item = Some(center_item(seq, command, now));
                    }
                }
                self.own_hashes.push(entry.hash());
                Ok(item)
            }
        }
    }

    /// Reads what other servers sharing the store wrote since this one last looked (new
    /// log records, and kiosks, accounts, sessions, reviews and quarantine when they
    /// changed) and applies it in the store's order. Whether anything changed. Nothing to
    /// do on a store only this process opens.
    pub fn catch_up(&mut self) -> Result<bool, OpenError> {
        if !self.store.shared() {
            return Ok(false);
        }
        let mut changed = false;
        let generation = self.store.generation()?;
        if generation != self.generation {
            self.reload_registry()?;
            self.generation = generation;
            changed = true;
        }
        let mut records = Vec::new();
        let position = self.store.read_log_after(self.log_pos, &mut |record| {
            records.push(record);
            Ok(())
        })?;
        if records.is_empty() {
            return Ok(changed);
        }
        // A kiosk registered since the registry was read: read it again first.
        let unknown =
            records.iter().any(|r| matches!(r, LogRecord::Kiosk { kiosk, .. } if !self.kiosks.contains_key(kiosk)));
        if unknown {
            self.generation = self.store.generation()?;
            self.reload_registry()?;
        }
        let mut batch = Vec::new();
        for record in records {
            // This server's own writes are in the store too: already taken in.
            let known = match &record {
                LogRecord::Kiosk { kiosk, seq, .. } => self.kiosks.get(kiosk).is_some_and(|k| *seq <= k.head_seq()),
                LogRecord::Center { seq, .. } => *seq <= self.own_hashes.len() as u64,
            };
            if known {
                continue;
            }
            let is_center = matches!(record, LogRecord::Center { .. });
            let item = self.absorb(record)?;
            if is_center && !batch.is_empty() {
                self.fold.add_kiosk_items(std::mem::take(&mut batch));
            }
            match item {
                Some(item) if is_center => {
                    let _ = self.fold.add_center_item(&item);
                }
                Some(item) => batch.push(item),
                None if is_center => self.fold.close_epoch(),
                None => {}
            }
        }
        if !batch.is_empty() {
            self.fold.add_kiosk_items(batch);
        }
        self.log_pos = position;
        Ok(true)
    }

    /// Runs `f` as the only writer among the servers sharing the store, after catching up
    /// with them; whether catching up changed anything comes back too. The write lock is
    /// released however `f` ends.
    pub fn with_write_lock<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> Result<(T, bool), OpenError> {
        self.store.lock_writes()?;
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let changed = self.catch_up()?;
            Ok::<_, OpenError>((f(self), changed))
        }));
        // Released whatever happened: a lock left held would stop every server.
        self.store.unlock_writes();
        match out {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }

    /// Whether other servers may write to the same store.
    pub fn store_shared(&self) -> bool {
        self.store.shared()
    }

    /// The shared store's location, if the store is shared.
    pub fn shared_store_url(&self) -> Option<&str> {
        self.store.shared_url()
    }

    /// Whether this server runs the scheduled work now (always, on a store it owns alone).
    pub fn leads(&mut self) -> bool {
        self.store.try_lead()
    }

    /// Re-reads the small records other servers may have changed; the kiosks' log-derived
    /// state (heads, keys, operators) is kept.
    fn reload_registry(&mut self) -> Result<(), OpenError> {
        self.operators = self.store.operators()?.into_iter().map(|o| (o.login.clone(), o)).collect();
        self.reviews = self.store.reviews()?.into_iter().map(|r| (r.item.clone(), r)).collect();
        self.sessions = self.store.sessions()?.into_iter().map(|r| (r.token_hash.clone(), r)).collect();
        for record in self.store.kiosks()? {
            let last_seen = record.contacts.iter().map(|c| c.at).chain(record.contact_floor).max();
            if let Some(state) = self.kiosks.get_mut(&record.id) {
                if let Some(seen) = last_seen {
                    state.seen(seen);
                }
                state.record = record;
            } else {
                self.kiosks.insert(record.id.clone(), KioskState::registered(record)?);
            }
        }
        self.quarantine = BTreeMap::new();
        for q in self.store.quarantine()? {
            let notes = self.quarantine.entry(q.note.kiosk.clone()).or_default();
            if notes.len() < MAX_NOTES_PER_KIOSK {
                notes.insert((q.note.seq, q.note.entry_hash.clone()), q.note);
            }
        }
        Ok(())
    }
}
