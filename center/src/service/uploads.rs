//! Taking a kiosk's upload in: every check of the bundle, the clock window of each entry,
//! quarantine, the durable commit (one per group of uploads), then the fold and the ack.

use std::collections::{BTreeMap, HashMap};

use changelog::sync::{Ack, ClockFlag, ClockProblem, QuarantineNote, ReviewNote};
use changelog::{Bundle, EntryBody, Hash, Payload, VerifyingKey, public_key_from_hex};
use rules::Instant;
use rules::authz::parent::CHANNEL_ID;
use serde::{Deserialize, Serialize};

use super::registry::fold_contacts;
use super::{Center, IngestError, framed};
use crate::fold::{FoldItem, FoldKey, Source};
use crate::ingest::{self, KioskOperator, KioskView};
use crate::store::{CenterStore, Commit, Contact, LogRecord, QuarantineRecord, StoreError};

/// Most quarantine notes kept per kiosk: a kiosk (or a thief of its key) cannot fill the
/// center's store or its acks with notes.
pub const MAX_NOTES_PER_KIOSK: usize = 1_000;

/// What one upload did (the `ingest` command prints it as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IngestReport {
    pub kiosk: String,
    pub received_at: Instant,
    /// Entries in the bundle.
    pub entries: usize,
    /// Newly accepted entries.
    pub accepted: usize,
    /// Entries already accepted before, resent identically (changed nothing).
    pub duplicates: usize,
    pub accepted_through_seq: u64,
    pub head_hash: String,
    /// Entries set aside, with the reason; the first one stopped the kiosk's stream.
    pub quarantined: Vec<QuarantineNote>,
    /// Accepted entries whose kiosk time was clamped.
    pub flagged: Vec<ClockFlag>,
    /// Accepted entries of this upload that the rules refused (in the reviewer queue), and
    /// entries of any kiosk whose outcome this upload changed.
    pub review: Vec<ReviewNote>,
    /// Entries of other uploads that now apply because of this one (e.g. a duplicate kept instead).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub now_applied: Vec<ReviewNote>,
    /// Entries set aside without a note: not signed by the kiosk (junk), or past the cap of
    /// notes per kiosk.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unattributed: usize,
    /// Where the bundle was cut or damaged, if it was (the entries before it were used).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub damage: Option<String>,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A result of `ingest`: the report and the signed acknowledgement.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub report: IngestReport,
    pub ack: Ack,
    pub ack_bytes: Vec<u8>,
}

/// One upload for [`Center::ingest_group`].
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    pub bytes: &'a [u8],
    /// The kiosk the request was authenticated as (the bundle must be its).
    pub expected_kiosk: Option<&'a str>,
    /// The kiosk's own log head, as it signed it in the request: the ack answering this
    /// upload is a contact for the clock window of the entries after it. `None` for a USB
    /// file (the kiosk may have written more since it exported it).
    pub contact_head: Option<u64>,
}

/// A quarantine note as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuarantineListing {
    #[serde(flatten)]
    pub note: QuarantineNote,
    /// The same entry was accepted later (e.g. a gap was filled by a resend).
    pub resolved: bool,
}

/// An upload checked and turned into records, not yet stored.
#[derive(Debug)]
struct Prepared {
    kiosk_id: String,
    entries: usize,
    duplicates: usize,
    hashes: Vec<Hash>,
    key: Option<VerifyingKey>,
    keys: Vec<(u64, VerifyingKey)>,
    operators: HashMap<String, KioskOperator>,
    last_effective: Option<Instant>,
    flagged: Vec<ClockFlag>,
    items: Vec<FoldItem>,
    commit: Commit,
    /// Entries set aside without a note (not signed by the kiosk, or over the cap).
    unattributed: usize,
    damage: Option<String>,
}

/// The time the center uses for an entry: its kiosk time clamped into the window, and never
/// before the kiosk's previous entry (the log's order is the queue's order); each correction
/// is flagged, never made silently.
fn effective_time(
    kiosk: &str,
    seq: u64,
    kiosk_time: &str,
    (from, to): (Instant, Instant),
    previous: Option<Instant>,
) -> (Instant, Option<ClockFlag>) {
    let (clamped, flag) = clamp_time(kiosk, seq, kiosk_time, from, to);
    match previous {
        Some(last) if clamped < last => {
            let flag = match flag {
                Some(flag) => ClockFlag { effective_time: last, ..flag },
                None => ClockFlag {
                    kiosk: kiosk.to_owned(),
                    seq,
                    problem: ClockProblem::Backwards,
                    kiosk_time: kiosk_time.to_owned(),
                    effective_time: last,
                    window_from: from.min(to),
                    window_to: to,
                },
            };
            (last, Some(flag))
        }
        _ => (clamped, flag),
    }
}

/// The window check: clamps `kiosk_time` into `[from, to]`.
fn clamp_time(kiosk: &str, seq: u64, kiosk_time: &str, from: Instant, to: Instant) -> (Instant, Option<ClockFlag>) {
    let from = from.min(to);
    let flag = |problem, effective| ClockFlag {
        kiosk: kiosk.to_owned(),
        seq,
        problem,
        kiosk_time: kiosk_time.to_owned(),
        effective_time: effective,
        window_from: from,
        window_to: to,
    };
    match kiosk_time.parse::<Instant>() {
        Err(_) => (to, Some(flag(ClockProblem::Unreadable, to))),
        Ok(t) if t < from => (from, Some(flag(ClockProblem::BeforeLastContact, from))),
        Ok(t) if t > to => (to, Some(flag(ClockProblem::AfterReceipt, to))),
        Ok(t) => (t, None),
    }
}

pub(super) fn kiosk_item(
    operators: &HashMap<String, KioskOperator>,
    body: &EntryBody,
    payload: Payload,
    epoch: u64,
    effective: Instant,
) -> Option<FoldItem> {
    let Payload::Command { command } = payload else { return None };
    let scope = rules::authz::kiosk::bound_to_kindergartens(&command)
        .then(|| operators.get(&body.operator).map(|o| o.kindergartens.clone()).unwrap_or_default());
    Some(FoldItem {
        key: FoldKey { epoch, center: false, time: effective.sort_key(), kiosk: body.kiosk.clone(), seq: body.seq },
        source: Source::Kiosk { kiosk: body.kiosk.clone(), seq: body.seq },
        command,
        now: effective,
        scope,
    })
}

impl<S: CenterStore> Center<S> {
    /// Every check of an upload and the records to store; changes nothing.
    fn prepare(
        &self,
        bytes: &[u8],
        received_at: Instant,
        expected_kiosk: Option<&str>,
    ) -> Result<Prepared, IngestError> {
        let read = Bundle::read(bytes).map_err(|e| IngestError::BadBundle(e.to_string()))?;
        let bundle = read.bundle;
        if let Some(expected) = expected_kiosk
            && expected != bundle.kiosk
        {
            return Err(IngestError::KioskMismatch { expected: expected.to_owned(), found: bundle.kiosk });
        }
        let kiosk_id = bundle.kiosk.clone();
        let state = self.kiosks.get(&kiosk_id).ok_or_else(|| IngestError::UnknownKiosk(kiosk_id.clone()))?;
        if state.record.revoked_at.is_some() {
            return Err(IngestError::RevokedKiosk(kiosk_id));
        }
        let entries = &bundle.entries;
        // The parents' channel serves every district of the center.
        let districts = if kiosk_id == CHANNEL_ID { self.districts.clone() } else { state.districts() };
        let view = KioskView {
            id: &kiosk_id,
            head_seq: state.head_seq(),
            head_hash: state.head_hash(),
            hashes: &state.hashes,
            key: state.key,
            operators: &state.operators,
            scope: rules::authz::SourceScope { id: &kiosk_id, districts: &districts },
            state: self.fold.state(),
        };
        let outcome = ingest::check(&view, entries);

        // No unauthenticated writes: the first entry must be the kiosk's.
        if let Some(stop) = outcome.stop.as_ref().filter(|s| s.index == 0) {
            match stop.code {
                "DECODE" | "WRONG_KIOSK" => {
                    return Err(IngestError::BadBundle(format!("first entry: {}", stop.reason)));
                }
                "BAD_SIGNATURE" => return Err(IngestError::Unauthenticated { kiosk: kiosk_id, seq: stop.seq }),
                _ => {
                    if !entries[0].verify(&state.key_at(stop.seq)) {
                        return Err(IngestError::Unauthenticated { kiosk: kiosk_id, seq: stop.seq });
                    }
                }
            }
        }

        // Effective times and fold items.
        let epoch = self.fold.epoch();
        let hashes: Vec<Hash> = outcome.accepted.iter().map(|c| c.hash).collect();
        let mut log = Vec::with_capacity(outcome.accepted.len());
        let mut items = Vec::new();
        let mut flagged = Vec::new();
        let mut last_effective = state.last_effective;
        let mut operators = state.operators.clone();
        let mut keys = Vec::new();
        for checked in outcome.accepted {
            let body = &checked.body;
            // The floor comes from the center's own records; the kiosk's claimed last contact
            // can only raise it (a kiosk that omits or back-dates it gains nothing).
            let mut from = state.floor(body.seq);
            if let Some(contact) = body.last_contact.as_deref().and_then(|c| c.parse::<Instant>().ok())
                && contact <= received_at
            {
                from = from.max(contact);
            }
            // Only commands are ordered by their time: an account change or key rotation
            // (e.g. what `init` writes before the kiosk is registered) is neither flagged nor
            // a lower bound for the commands after it.
            let is_command = matches!(checked.payload, Payload::Command { .. });
            let (effective, flag) = effective_time(
                &kiosk_id,
                body.seq,
                &body.kiosk_time,
                (from, received_at),
                last_effective.filter(|_| is_command),
            );
            if is_command {
                last_effective = Some(effective);
            }
            let flag = flag.filter(|_| is_command);
            let _ = ingest::check_role(&mut operators, body, &checked.payload);
            if let Payload::KeyRotated { public_key } = &checked.payload
                && let Ok(next) = public_key_from_hex(public_key)
            {
                keys.push((body.seq + 1, next));
            }
            let index = checked.index;
            let seq = body.seq;
            if let Some(item) = kiosk_item(&operators, body, checked.payload, epoch, effective) {
                items.push(item);
            }
            if let Some(flag) = &flag {
                flagged.push(flag.clone());
            }
            log.push(LogRecord::Kiosk {
                kiosk: kiosk_id.clone(),
                seq,
                entry: framed(&entries[index]),
                received_at,
                epoch,
                effective,
                flag,
            });
        }

        // Quarantine: the stopping entry and everything after it in the bundle, as notes only
        // for entries the kiosk itself signed (with the key it held at that sequence), and at
        // most MAX_NOTES_PER_KIOSK per kiosk: junk after a replayed entry leaves nothing behind.
        let mut quarantine = Vec::new();
        let mut unattributed = 0;
        if let Some(stop) = &outcome.stop {
            let room = MAX_NOTES_PER_KIOSK.saturating_sub(self.quarantine.get(&kiosk_id).map_or(0, BTreeMap::len));
            let mut all_keys = state.keys.clone();
            all_keys.extend(keys.iter().copied());
            let key_at = |seq: u64| all_keys.iter().rev().find(|(from, _)| *from <= seq).map_or(state.key, |(_, k)| *k);
            for (offset, entry) in entries[stop.index..].iter().enumerate() {
                let signed_by_kiosk = entry.body().is_ok_and(|b| b.kiosk == kiosk_id && entry.verify(&key_at(b.seq)));
                if !signed_by_kiosk || quarantine.len() >= room {
                    unattributed += 1;
                    continue;
                }
                let seq = entry.body().map_or(stop.seq.saturating_add(offset as u64), |b| b.seq);
                let (code, reason) = if offset == 0 {
                    (stop.code.to_owned(), stop.reason.clone())
                } else {
                    (
                        "AFTER_QUARANTINED".to_owned(),
                        format!("follows quarantined entry {} of kiosk {kiosk_id}", stop.seq),
                    )
                };
                debug_assert!(
                    changelog::sync::QUARANTINE_CODES.contains(&code.as_str()),
                    "{code} is missing from QUARANTINE_CODES (kiosks explain it by that list)"
                );
                quarantine.push(QuarantineRecord {
                    note: QuarantineNote {
                        kiosk: kiosk_id.clone(),
                        seq,
                        code,
                        reason,
                        received_at,
                        entry_hash: Some(hex::encode(entry.hash())),
                    },
                    entry: Some(hex::encode(framed(entry))),
                });
            }
        }

        Ok(Prepared {
            kiosk_id,
            entries: entries.len(),
            duplicates: outcome.duplicates,
            hashes,
            key: outcome.key,
            keys,
            operators,
            last_effective,
            flagged,
            items,
            commit: Commit { log, quarantine },
            unattributed,
            damage: read.damage.map(|(offset, e)| format!("bundle damaged at byte {offset} of its records: {e}")),
        })
    }

    /// Ingests one bundle received at `received_at` (HTTP upload or USB file). When
    /// `expected_kiosk` is given (the URL's id), the bundle must be that kiosk's.
    /// The accepted entries are durable before this returns.
    pub fn ingest(
        &mut self,
        bytes: &[u8],
        received_at: Instant,
        expected_kiosk: Option<&str>,
    ) -> Result<Ingested, IngestError> {
        self.resync_if_stale();
        let prepared = self.prepare(bytes, received_at, expected_kiosk)?;
        if let Err(e) = self.store.commit(&prepared.commit) {
            self.stale = true;
            return Err(e.into());
        }
        Ok(self.apply_prepared(prepared, received_at))
    }

    /// Ingests several uploads with one durable commit for each run of uploads from
    /// distinct kiosks (group commit: the server drains its queue of uploads this way).
    /// The result for each upload is what [`Center::ingest`] would give in the same order.
    pub fn ingest_group(&mut self, uploads: &[Upload<'_>], received_at: Instant) -> Vec<Result<Ingested, IngestError>> {
        self.resync_if_stale();
        let mut results: Vec<Option<Result<Ingested, IngestError>>> = uploads.iter().map(|_| None).collect();
        let mut next = 0;
        while next < uploads.len() {
            let mut group: Vec<(usize, Prepared)> = Vec::new();
            while next < uploads.len() {
                let upload = uploads[next];
                match self.prepare(upload.bytes, received_at, upload.expected_kiosk) {
                    Ok(prepared) => {
                        if group.iter().any(|(_, p)| p.kiosk_id == prepared.kiosk_id) {
                            break; // the same kiosk again: after this group is committed
                        }
                        group.push((next, prepared));
                    }
                    Err(e) => results[next] = Some(Err(e)),
                }
                next += 1;
            }
            let mut commit = Commit::default();
            for (_, p) in &mut group {
                commit.log.append(&mut p.commit.log);
                commit.quarantine.extend(p.commit.quarantine.iter().cloned());
            }
            match self.store.commit(&commit) {
                Ok(()) => {
                    for (index, prepared) in group {
                        let kiosk = prepared.kiosk_id.clone();
                        results[index] = Some(Ok(self.apply_prepared(prepared, received_at)));
                        if let Some(head) = uploads[index].contact_head {
                            // The ack answering this upload is a contact; losing it in a
                            // store failure only leaves the window wider.
                            let _ = self.record_contact(&kiosk, Contact { at: received_at, head });
                        }
                    }
                }
                Err(e) => {
                    self.stale = true;
                    for (index, _) in group {
                        results[index] = Some(Err(IngestError::Store(StoreError::Db(e.to_string()))));
                    }
                }
            }
        }
        results.into_iter().map(|r| r.expect("every upload has a result")).collect()
    }

    /// In-memory part of an ingest, after its records are durable.
    fn apply_prepared(&mut self, prepared: Prepared, received_at: Instant) -> Ingested {
        let Prepared {
            kiosk_id,
            entries,
            duplicates,
            hashes,
            key,
            keys,
            operators,
            last_effective,
            flagged,
            items,
            commit,
            unattributed,
            damage,
        } = prepared;
        let accepted = hashes.len();
        let state = self.kiosks.get_mut(&kiosk_id).expect("prepared for a registered kiosk");
        state.hashes.extend(hashes);
        state.seen(received_at);
        state.operators = operators;
        state.last_effective = last_effective;
        if let Some(key) = key {
            state.key = key;
        }
        state.keys.extend(keys);
        for flag in &flagged {
            state.flags.insert(flag.seq, flag.clone());
        }
        let head = state.head_seq();
        fold_contacts(&mut state.record, head);
        let notes = self.quarantine.entry(kiosk_id.clone()).or_default();
        for q in &commit.quarantine {
            if notes.len() < MAX_NOTES_PER_KIOSK {
                notes.entry((q.note.seq, q.note.entry_hash.clone())).or_insert_with(|| q.note.clone());
            }
        }
        let new_sources: Vec<Source> = items.iter().map(|i| i.source.clone()).collect();
        let changes = self.fold.add_kiosk_items(items);

        let mut review: Vec<ReviewNote> = new_sources.iter().filter_map(|s| self.review_note(s)).collect();
        for source in &changes.rejected {
            if !new_sources.contains(source)
                && let Some(note) = self.review_note(source)
            {
                review.push(note);
            }
        }
        let now_applied = changes
            .applied
            .iter()
            .filter_map(|s| match s {
                Source::Kiosk { kiosk, seq } => Some(ReviewNote {
                    kiosk: kiosk.clone(),
                    seq: *seq,
                    code: "APPLIED".into(),
                    reason: "no longer in conflict after this upload".into(),
                    duplicate_of: None,
                }),
                Source::Center { .. } => None,
            })
            .collect();
        let state = &self.kiosks[&kiosk_id];
        let report = IngestReport {
            kiosk: kiosk_id.clone(),
            received_at,
            entries,
            accepted,
            duplicates,
            accepted_through_seq: state.head_seq(),
            head_hash: hex::encode(state.head_hash()),
            quarantined: commit.quarantine.iter().map(|q| q.note.clone()).collect(),
            flagged,
            review,
            now_applied,
            unattributed,
            damage,
        };
        let (ack, ack_bytes) = self.ack(&kiosk_id, received_at).expect("the kiosk is registered");
        Ingested { report, ack, ack_bytes }
    }

    pub(super) fn review_note(&self, source: &Source) -> Option<ReviewNote> {
        let rejection = self.fold.rejection(source)?;
        let Source::Kiosk { kiosk, seq } = source else { return None };
        Some(ReviewNote {
            kiosk: kiosk.clone(),
            seq: *seq,
            code: rejection.code.clone(),
            reason: rejection.reason.clone(),
            duplicate_of: rejection.duplicate_of.clone(),
        })
    }

    /// Every quarantine note, with whether the same entry was accepted since.
    pub fn quarantine(&self) -> Vec<QuarantineListing> {
        let mut out = Vec::new();
        for (kiosk, notes) in &self.quarantine {
            let hashes = self.kiosks.get(kiosk).map(|k| k.hashes.as_slice()).unwrap_or_default();
            for note in notes.values() {
                let accepted =
                    usize::try_from(note.seq).ok().and_then(|s| s.checked_sub(1)).and_then(|i| hashes.get(i));
                let resolved = accepted.is_some_and(|h| note.entry_hash.as_deref() == Some(hex::encode(h).as_str()));
                out.push(QuarantineListing { note: note.clone(), resolved });
            }
        }
        out.sort_by(|a, b| (&a.note.kiosk, a.note.seq).cmp(&(&b.note.kiosk, b.note.seq)));
        out
    }
}
