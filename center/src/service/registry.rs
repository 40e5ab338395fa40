//! The kiosk registry: registered kiosks (and the parents' channel), their keys, heads,
//! districts, and the contacts that bound their clocks.

use std::collections::{BTreeMap, HashMap};

use changelog::sync::ClockFlag;
use changelog::{GENESIS_HASH, Hash, VerifyingKey, fingerprint, public_key_from_hex};
use rules::Instant;
use rules::authz::parent::CHANNEL_ID;
use serde::{Deserialize, Serialize};

use super::{CENTER_ID, Center, DocumentError, Invalid, KioskError, SetupFailure, UnknownKiosk};
use crate::ingest::KioskOperator;
use crate::store::{CenterStore, Contact, KioskRecord};

/// Most contacts kept per kiosk beyond its accepted head (the oldest are dropped).
const MAX_CONTACTS: usize = 64;

/// What the HTTP layer needs to authenticate a kiosk's requests without the center's lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KioskAuth {
    /// The key now in force (rotations followed).
    pub key: VerifyingKey,
    /// The accepted head (a request may carry rotations after it).
    pub head: u64,
    pub revoked: bool,
    /// Districts it serves.
    pub districts: Vec<String>,
}

/// A registered kiosk as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KioskInfo {
    pub id: String,
    pub district: String,
    pub public_key: String,
    pub fingerprint: String,
    pub registered_at: Instant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Instant>,
    pub accepted_through_seq: u64,
    /// The key now in force (after rotations), as a fingerprint.
    pub current_fingerprint: String,
    pub operators: usize,
    /// Districts it serves: its own first.
    pub districts: Vec<String>,
    /// The last time the center heard from it (an upload, or a signed request answered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Instant>,
}

#[derive(Debug)]
pub(crate) struct KioskState {
    pub(crate) record: KioskRecord,
    pub(super) key: VerifyingKey,
    /// Keys in force from a sequence number on.
    pub(super) keys: Vec<(u64, VerifyingKey)>,
    pub(super) hashes: Vec<Hash>,
    pub(super) operators: HashMap<String, KioskOperator>,
    pub(super) last_effective: Option<Instant>,
    /// Kiosk time (as written) of accepted entries with a command, for review listings.
    pub(super) flags: BTreeMap<u64, ClockFlag>,
    /// The last upload received or signed request answered.
    pub(super) last_seen: Option<Instant>,
}

impl KioskState {
    /// A kiosk as its stored record says, before its log is read.
    pub(super) fn registered(record: KioskRecord) -> Result<KioskState, SetupFailure> {
        let key = public_key_from_hex(&record.public_key)
            .map_err(|source| SetupFailure::KioskKey { kiosk: record.id.clone(), source })?;
        let last_seen = record.contacts.iter().map(|c| c.at).chain(record.contact_floor).max();
        Ok(KioskState { last_seen, ..KioskState::new(record, key) })
    }

    /// A kiosk with `key` in force, before any of its entries.
    fn new(record: KioskRecord, key: VerifyingKey) -> KioskState {
        KioskState {
            record,
            key,
            keys: vec![(1, key)],
            hashes: Vec::new(),
            operators: HashMap::new(),
            last_effective: None,
            flags: BTreeMap::new(),
            last_seen: None,
        }
    }

    pub(crate) fn head_seq(&self) -> u64 {
        self.hashes.len() as u64
    }
    pub(super) fn head_hash(&self) -> Hash {
        self.hashes.last().copied().unwrap_or(GENESIS_HASH)
    }
    pub(super) fn key_at(&self, seq: u64) -> VerifyingKey {
        self.keys.iter().rev().find(|(from, _)| *from <= seq).map_or(self.key, |(_, k)| *k)
    }
    pub(crate) fn info(&self) -> KioskInfo {
        KioskInfo {
            id: self.record.id.clone(),
            district: self.record.district.clone(),
            public_key: self.record.public_key.clone(),
            fingerprint: public_key_from_hex(&self.record.public_key).map(|k| fingerprint(&k)).unwrap_or_default(),
            registered_at: self.record.registered_at,
            revoked_at: self.record.revoked_at,
            accepted_through_seq: self.head_seq(),
            current_fingerprint: fingerprint(&self.key),
            operators: self.operators.values().filter(|o| !o.disabled).count(),
            districts: self.districts(),
            last_seen: self.last_seen,
        }
    }

    pub(super) fn auth(&self) -> KioskAuth {
        KioskAuth {
            key: self.key,
            head: self.head_seq(),
            revoked: self.record.revoked_at.is_some(),
            districts: self.districts(),
        }
    }

    pub(super) fn seen(&mut self, at: Instant) {
        self.last_seen = Some(self.last_seen.map_or(at, |last| last.max(at)));
    }

    pub(super) fn districts(&self) -> Vec<String> {
        let mut out = vec![self.record.district.clone()];
        out.extend(self.record.also_serves.iter().filter(|d| **d != self.record.district).cloned());
        out
    }

    /// The earliest kiosk time the entry `seq` may carry: the registration, and every
    /// contact the kiosk asked for while its log ended before `seq`.
    pub(super) fn floor(&self, seq: u64) -> Instant {
        let mut floor = self.record.registered_at;
        if let Some(at) = self.record.contact_floor {
            floor = floor.max(at);
        }
        for contact in self.record.contacts.iter().filter(|c| c.head < seq) {
            floor = floor.max(contact.at);
        }
        floor
    }
}

/// Records a contact (an ack or snapshot answering a signed request with the kiosk's head).
fn add_contact(record: &mut KioskRecord, accepted_head: u64, contact: Contact) {
    record.contacts.push(contact);
    fold_contacts(record, accepted_head);
    if record.contacts.len() > MAX_CONTACTS {
        let extra = record.contacts.len() - MAX_CONTACTS;
        record.contacts.drain(..extra);
    }
}

/// Contacts at or below the accepted head bound every later entry alike: they fold into
/// the floor (a compaction only: [`KioskState::floor`] gives the same answer either way).
pub(super) fn fold_contacts(record: &mut KioskRecord, accepted_head: u64) {
    let (past, pending): (Vec<Contact>, Vec<Contact>) = record.contacts.iter().partition(|c| c.head <= accepted_head);
    for c in past {
        record.contact_floor = Some(record.contact_floor.map_or(c.at, |f| f.max(c.at)));
    }
    record.contacts = pending;
}

impl<S: CenterStore> Center<S> {
    /// Registers a kiosk's public key (hex) for a district.
    pub fn add_kiosk(
        &mut self,
        id: &str,
        district: &str,
        public_key: &str,
        at: Instant,
    ) -> Result<KioskInfo, KioskError> {
        let valid_id = !id.is_empty()
            && id.len() <= 64
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
        if !valid_id || id == CENTER_ID || id == CHANNEL_ID {
            return Err(Invalid::KioskId(id.to_owned()).into());
        }
        self.check_district(district)?;
        if self.kiosks.contains_key(id) {
            return Err(Invalid::KioskRegistered(id.to_owned()).into());
        }
        let key = public_key_from_hex(public_key).map_err(Invalid::PublicKey)?;
        if key.is_weak() {
            return Err(Invalid::WeakKey.into());
        }
        self.add_source(id, district, key, at)
    }

    /// Registers a source of signed entries (a kiosk, or the parents' channel) with its key;
    /// the caller has checked the id, the district and the key.
    pub(crate) fn add_source(
        &mut self,
        id: &str,
        district: &str,
        key: VerifyingKey,
        at: Instant,
    ) -> Result<KioskInfo, KioskError> {
        let record = KioskRecord {
            id: id.to_owned(),
            district: district.to_owned(),
            public_key: hex::encode(key.to_bytes()),
            registered_at: at,
            revoked_at: None,
            also_serves: Vec::new(),
            contact_floor: None,
            contacts: Vec::new(),
        };
        self.store.put_kiosk(&record)?;
        let state = KioskState::new(record, key);
        let info = state.info();
        self.kiosks.insert(id.to_owned(), state);
        Ok(info)
    }

    /// The key in force of the parents' channel, once registered.
    pub(crate) fn channel_key(&self) -> Option<VerifyingKey> {
        self.kiosks.get(CHANNEL_ID).map(|s| s.key)
    }

    /// A source's accepted head: sequence number and hash.
    pub(crate) fn source_head(&self, id: &str) -> Option<(u64, Hash)> {
        self.kiosks.get(id).map(|s| (s.head_seq(), s.head_hash()))
    }

    /// An account (or, for the parents' channel, a parent's links) of a source's log.
    pub(crate) fn source_operator(&self, id: &str, login: &str) -> Option<KioskOperator> {
        self.kiosks.get(id).and_then(|s| s.operators.get(login).cloned())
    }

    /// Revokes a kiosk: its uploads are refused from now on; what it sent before stays.
    pub fn revoke_kiosk(&mut self, id: &str, at: Instant) -> Result<KioskInfo, KioskError> {
        let state = self.kiosks.get_mut(id).ok_or_else(|| UnknownKiosk(id.to_owned()))?;
        if state.record.revoked_at.is_none() {
            let mut record = state.record.clone();
            record.revoked_at = Some(at);
            self.store.put_kiosk(&record)?;
            state.record = record;
        }
        Ok(state.info())
    }

    pub fn kiosks(&self) -> Vec<KioskInfo> {
        self.kiosks.values().map(KioskState::info).collect()
    }

    /// Lets a kiosk also serve `district` (cross-district registrations and actions).
    pub fn add_served_district(&mut self, id: &str, district: &str) -> Result<KioskInfo, KioskError> {
        self.check_district(district)?;
        let state = self.kiosks.get_mut(id).ok_or_else(|| UnknownKiosk(id.to_owned()))?;
        if !state.districts().iter().any(|d| d == district) {
            let mut record = state.record.clone();
            record.also_serves.push(district.to_owned());
            self.store.put_kiosk(&record)?;
            state.record = record;
        }
        Ok(state.info())
    }

    /// Keys, heads and districts of every kiosk, for request authentication.
    pub fn kiosk_auth(&self) -> HashMap<String, KioskAuth> {
        self.kiosks.iter().map(|(id, k)| (id.clone(), k.auth())).collect()
    }

    /// [`Center::kiosk_auth`] of one kiosk (after an ingest changed it).
    pub fn kiosk_auth_of(&self, id: &str) -> Option<KioskAuth> {
        self.kiosks.get(id).map(KioskState::auth)
    }

    pub fn kiosk_count(&self) -> usize {
        self.kiosks.len()
    }

    /// Records that the center answered a signed request of `kiosk` whose own log ended at
    /// `head`: entries after `head` cannot carry an earlier kiosk time.
    pub(super) fn record_contact(&mut self, kiosk: &str, contact: Contact) -> Result<(), DocumentError> {
        let state = self.kiosks.get_mut(kiosk).ok_or_else(|| UnknownKiosk(kiosk.to_owned()))?;
        let mut record = state.record.clone();
        add_contact(&mut record, state.head_seq(), contact);
        self.store.note_kiosk(&record)?;
        state.record = record;
        state.seen(contact.at);
        Ok(())
    }
}
