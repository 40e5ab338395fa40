//! Reading and checking the signed log file (`log/entries.bin`).
//!
//! Opening uses the fast check: every record is framed and decoded, its sequence number,
//! kiosk id and `prev_hash` are checked and its SHA-256 is chained, then **one** ed25519
//! signature is checked: the last entry's (plus any key-rotation entry's, which must be
//! signed by the key it replaces). Because each hash covers body and signature and each
//! body holds the previous hash, a valid signature on the last entry vouches for every
//! entry before it. Only when that fails are the signatures checked one by one, to name
//! the first bad entry. [`verify_all`] always checks every signature.
//!
//! Decoding is zero-copy (bodies are read in place, see [`decode_body`], which follows the
//! postcard layout of `changelog::EntryBody`) and runs on a second thread while the caller
//! replays the entries, so that 100,000 entries open in well under a second.
//!
//! With a checkpoint of the folded state ([`load_folded`]) the entries it covers are
//! framed, chained and hashed as every other, but their command payloads are not parsed and
//! they are not handed over: only the rare other payloads are, because a key rotation
//! changes the key the rest of the log is checked with.
//!
//! `frame.rs` frames the records and tells an interrupted append from damage; `decode.rs`
//! reads bodies in place; this file checks the chain and hands the entries over.

use std::sync::mpsc;

use changelog::{ChainBreak, DecodeError, GENESIS_HASH, Hash, Payload, SignedEntry, VerifyingKey};
use rules::{Lang, Localized};
use serde::Serialize;

use crate::errors::text;

mod decode;
mod frame;
#[cfg(test)]
#[allow(clippy::unwrap_used)] // A failed unwrap is a failed test.
mod tests;

pub use decode::{BodyRef, decode_body, parse_payload};
use frame::{Frame, body_of, frames, is_torn_tail, record_hash, signature_ok};

/// The first entry that does not verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Damage {
    /// The first bad sequence number; entries before it are intact.
    pub seq: u64,
    /// Byte offset of the bad record in the log file.
    pub offset: u64,
    /// `DECODE`, `WRONG_KIOSK`, `SEQUENCE_GAP`, `BROKEN_CHAIN` or `BAD_SIGNATURE`.
    pub reason_code: &'static str,
    pub reason: String,
}

impl Damage {
    fn new(seq: u64, offset: u64, reason: &ChainBreak) -> Self {
        Damage { seq, offset, reason_code: reason.code(), reason: reason.to_string() }
    }
}

impl Localized for Damage {
    fn code(&self) -> &'static str {
        "LOG_DAMAGED"
    }
    fn message(&self, lang: Lang) -> String {
        let args = [
            ("seq", self.seq.into()),
            ("good", self.seq.saturating_sub(1).into()),
            ("reason", self.reason.as_str().into()),
        ];
        text(lang, self.code(), &args)
    }
}

/// An unfinished append found at the end of the log: it was never reported as saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TornTail {
    pub offset: u64,
    pub len: u64,
}

/// One entry handed to the caller, in sequence order.
#[derive(Debug)]
pub struct EntryView<'a> {
    pub seq: u64,
    /// Byte offset of its record.
    pub offset: u64,
    pub kiosk: &'a str,
    pub kiosk_time: &'a str,
    pub last_contact: Option<&'a str>,
    pub operator: &'a str,
    /// `kiosk_time` parsed (on the parsing thread), if it is a valid instant.
    pub at: Option<rules::Instant>,
    pub payload: Payload,
    pub hash: Hash,
}

/// The outcome of [`load`].
#[derive(Debug, Clone, Default)]
pub struct LoadSummary {
    /// Entries that passed the chain checks: handed to the callback, or folded.
    pub applied: u64,
    /// Entries that verify (a prefix of those applied). When it is less than `applied`
    /// (only the last signature told), the caller replays `..valid_len` again.
    pub valid: u64,
    pub valid_len: u64,
    pub last_hash: Hash,
    /// `offsets[i]`: byte offset of the record of sequence `i + 1` (valid ones).
    pub offsets: Vec<u64>,
    pub damage: Option<Damage>,
    pub torn_tail: Option<TornTail>,
    /// Time the caller's thread waited for the parsing thread (diagnostics).
    pub waited_for_parsing_ms: f64,
    /// Entries folded already (by a checkpoint) that were checked but not handed over.
    pub folded: u64,
    /// Whether the record hash of the last folded entry is the one the caller expected
    /// (`false` also when the log ends or breaks before it).
    pub folded_hash_matches: bool,
    /// The keys the log is signed with: `(index, key)`, the key signing the entries from
    /// the 0-based index on (the first is the registered key, then each rotation's).
    pub key_points: Vec<(u64, VerifyingKey)>,
}

impl LoadSummary {
    /// The key current after entry `seq` (the one that signs entry `seq + 1`).
    pub fn key_after(&self, seq: u64) -> Option<VerifyingKey> {
        self.key_points.iter().rev().find(|(start, _)| *start <= seq).map(|(_, k)| *k)
    }
}

/// Entries a checkpoint folded already: through sequence number `seq`, whose record hash
/// is `hash`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Folded {
    pub seq: u64,
    pub hash: Hash,
}

struct Parsed<'a> {
    index: usize,
    body: Result<BodyRef<'a>, DecodeError>,
    /// `None`: a command of a folded entry, not parsed.
    payload: Result<Option<Payload>, DecodeError>,
    at: Option<rules::Instant>,
    hash: Hash,
}

/// How a command payload starts as the kiosk writes it (serde, tag first): a folded entry
/// that starts so is not parsed. Anything else is (an operator change, a key rotation, a
/// command written in another field order), which only costs time.
const COMMAND_PAYLOAD_HEAD: &[u8] = br#"{"type":"command","#;

/// `folded`: how many entries from the start a checkpoint folded already.
fn parse_one(bytes: &[u8], index: usize, frame: Frame, folded: usize) -> Parsed<'_> {
    let body = decode_body(body_of(bytes, frame));
    let (payload, at) = match &body {
        Ok(b) if index < folded && b.payload.starts_with(COMMAND_PAYLOAD_HEAD) => (Ok(None), None),
        Ok(b) if index < folded => (parse_payload(b.payload).map(Some), None),
        Ok(b) => (parse_payload(b.payload).map(Some), b.kiosk_time.parse().ok()),
        Err(e) => (Err(e.clone()), None),
    };
    Parsed { index, body, payload, at, hash: record_hash(bytes, frame) }
}

/// Records handed from the parsing thread per message.
const CHUNK: usize = 1024;

/// Decodes and checks `bytes` (a whole log) and hands each entry of the chain, in order,
/// to `apply`, with the fast check described in the module documentation.
pub fn load<'a>(bytes: &'a [u8], kiosk: &str, key: VerifyingKey, apply: impl FnMut(&EntryView<'a>)) -> LoadSummary {
    load_folded(bytes, kiosk, key, None, apply)
}

/// [`load`], with the entries through `folded.seq` checked but not handed to `apply` (nor
/// their commands parsed): a checkpoint holds their fold. The summary tells whether the
/// last folded entry's hash is `folded.hash`; only then may the caller use the checkpoint.
pub fn load_folded<'a>(
    bytes: &'a [u8],
    kiosk: &str,
    key: VerifyingKey,
    folded: Option<Folded>,
    mut apply: impl FnMut(&EntryView<'a>),
) -> LoadSummary {
    let (frames, framing) = frames(bytes);
    let mut summary = LoadSummary::default();
    let folded_count = folded.map_or(0, |f| usize::try_from(f.seq).unwrap_or(usize::MAX));
    let mut folded_hash_matches = false;

    let mut structural: Option<(usize, ChainBreak)> = None;
    let mut rotation_checks: Vec<(usize, VerifyingKey)> = Vec::new();
    // Where each key starts being used: (first index, key).
    let mut key_points: Vec<(usize, VerifyingKey)> = vec![(0, key)];
    let mut current_key = key;
    let mut prev_hash = GENESIS_HASH;
    let mut offsets = Vec::with_capacity(frames.len());

    // Returns the entry once applied (so the parsing thread can free it), `Some(None)` for a
    // folded one, or `None` at a break.
    let mut consume = |p: Parsed<'a>| -> Option<Option<EntryView<'a>>> {
        let fail = |reason| Some((p.index, reason));
        let expected_seq = p.index as u64 + 1;
        let body = match p.body {
            Ok(b) => b,
            Err(e) => {
                structural = fail(ChainBreak::Decode(e));
                return None;
            }
        };
        let problem = if body.kiosk != kiosk {
            Some(ChainBreak::WrongKiosk { expected: kiosk.to_owned(), found: body.kiosk.to_owned() })
        } else if body.seq != expected_seq {
            Some(ChainBreak::SequenceGap { expected: expected_seq, found: body.seq })
        } else if body.prev_hash != &prev_hash {
            Some(ChainBreak::BrokenChain)
        } else {
            None
        };
        if let Some(problem) = problem {
            structural = fail(problem);
            return None;
        }
        let payload = match p.payload {
            Ok(payload) => payload,
            Err(e) => {
                structural = fail(ChainBreak::Decode(e));
                return None;
            }
        };
        if let Some(Payload::KeyRotated { public_key }) = &payload {
            // A rotation must be signed by the key it replaces.
            rotation_checks.push((p.index, current_key));
            if let Ok(next) = changelog::public_key_from_hex(public_key) {
                current_key = next;
                key_points.push((p.index + 1, next));
            }
        }
        prev_hash = p.hash;
        let offset = frames[p.index].0 as u64;
        offsets.push(offset);
        if p.index < folded_count {
            if p.index + 1 == folded_count {
                folded_hash_matches = folded.is_some_and(|f| f.hash == p.hash);
            }
            return Some(None);
        }
        let Some(payload) = payload else {
            // Only folded entries are left unparsed.
            structural = fail(ChainBreak::Decode(DecodeError::Body("a payload was not parsed".into())));
            return None;
        };
        let view = EntryView {
            seq: body.seq,
            offset,
            kiosk: body.kiosk,
            kiosk_time: body.kiosk_time,
            last_contact: body.last_contact,
            operator: body.operator,
            at: p.at,
            payload,
            hash: p.hash,
        };
        apply(&view);
        Some(Some(view))
    };

    let mut waited = std::time::Duration::ZERO;
    if frames.len() < 2 * CHUNK {
        for (index, frame) in frames.iter().enumerate() {
            if consume(parse_one(bytes, index, *frame, folded_count)).is_none() {
                break;
            }
        }
    } else {
        // Parse on a second thread while the caller replays on this one; applied entries
        // go back to that thread to be freed (where they were allocated).
        let frames_ref = &frames;
        std::thread::scope(|scope| {
            let (tx, rx) = mpsc::sync_channel::<Vec<Parsed<'a>>>(64);
            let (trash_tx, trash_rx) = mpsc::channel::<Vec<EntryView<'a>>>();
            scope.spawn(move || {
                for (c, chunk) in frames_ref.chunks(CHUNK).enumerate() {
                    let parsed = chunk
                        .iter()
                        .enumerate()
                        .map(|(i, f)| parse_one(bytes, c * CHUNK + i, *f, folded_count))
                        .collect();
                    if tx.send(parsed).is_err() {
                        break;
                    }
                    while let Ok(done) = trash_rx.try_recv() {
                        drop(done);
                    }
                }
                drop(tx);
                for done in trash_rx {
                    drop(done);
                }
            });
            'outer: loop {
                let waiting = std::time::Instant::now();
                let Ok(chunk) = rx.recv() else { break };
                waited += waiting.elapsed();
                let mut done = Vec::with_capacity(chunk.len());
                for p in chunk {
                    let Some(view) = consume(p) else {
                        let _ = trash_tx.send(done);
                        break 'outer;
                    };
                    done.extend(view);
                }
                let _ = trash_tx.send(done);
            }
            drop(trash_tx);
        });
    }
    summary.waited_for_parsing_ms = waited.as_secs_f64() * 1000.0;
    let applied = offsets.len();

    // One signature for the whole chain (plus rotations).
    let mut checks = rotation_checks;
    if let Some(last) = applied.checked_sub(1)
        && !checks.iter().any(|(i, _)| *i == last)
    {
        checks.push((last, current_key));
    }
    let signatures_ok = checks.iter().all(|(i, k)| signature_ok(bytes, frames[*i], k));

    // Bytes that do not frame: an interrupted append or damage (decided with every key the
    // log used, to recognise a whole entry behind a damaged length field).
    let mut undecodable = None;
    if let Some((at, error)) = framing {
        let keys: Vec<VerifyingKey> = key_points.iter().map(|(_, k)| *k).collect();
        if is_torn_tail(&bytes[at..], &error, kiosk, &keys) {
            summary.torn_tail = Some(TornTail { offset: at as u64, len: (bytes.len() - at) as u64 });
        } else {
            undecodable = Some((at, error));
        }
    }
    let mut valid = applied;
    let mut damage = None;
    if structural.is_none() && signatures_ok {
        if let Some((at, error)) = undecodable {
            damage = Some(Damage::new(applied as u64 + 1, at as u64, &ChainBreak::Decode(error)));
        }
    } else {
        // Slow path: every signature up to the break, to name the first bad entry.
        let limit = structural.as_ref().map_or(applied, |(i, _)| *i);
        let first_bad_signature = first_bad_signature(bytes, &frames[..limit], &key_points);
        let (index, reason) = match (first_bad_signature, structural) {
            (Some(i), _) => (i, ChainBreak::BadSignature),
            (None, Some((i, reason))) => (i, reason),
            (None, None) => (applied.saturating_sub(1), ChainBreak::BadSignature),
        };
        valid = index;
        let offset = frames.get(index).map_or(0, |f| f.0 as u64);
        damage = Some(Damage::new(index as u64 + 1, offset, &reason));
    }
    if damage.is_some() {
        // Only a clean end can have an interrupted append.
        summary.torn_tail = None;
    }
    offsets.truncate(valid);
    summary.applied = applied as u64;
    summary.valid = valid as u64;
    summary.valid_len = frames
        .get(valid)
        .map_or_else(|| frames.last().map_or(0, |(at, len)| (at + 4 + len + 64) as u64), |(at, _)| *at as u64);
    if valid < applied || damage.is_some() {
        // The hash of the last valid entry: recompute (cheap, rare).
        summary.last_hash = valid.checked_sub(1).map_or(GENESIS_HASH, |i| record_hash(bytes, frames[i]));
    } else {
        summary.last_hash = prev_hash;
    }
    summary.offsets = offsets;
    summary.damage = damage;
    summary.folded = applied.min(folded_count) as u64;
    summary.folded_hash_matches = folded_hash_matches && valid >= folded_count;
    summary.key_points = key_points.iter().map(|(i, k)| (*i as u64, *k)).collect();
    summary
}

/// The first index whose signature fails, checking on up to two threads.
fn first_bad_signature(bytes: &[u8], frames: &[Frame], keys: &[(usize, VerifyingKey)]) -> Option<usize> {
    let key_at = |i: usize| keys.iter().rev().find(|(start, _)| *start <= i).map_or(keys[0].1, |(_, k)| *k);
    if frames.len() < 512 {
        return frames.iter().enumerate().position(|(i, f)| !signature_ok(bytes, *f, &key_at(i)));
    }
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).clamp(1, 4);
    let chunk = frames.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = frames
            .chunks(chunk)
            .enumerate()
            .map(|(n, part)| {
                let key_at = &key_at;
                scope.spawn(move || {
                    part.iter()
                        .enumerate()
                        .position(|(i, f)| !signature_ok(bytes, *f, &key_at(n * chunk + i)))
                        .map(|i| n * chunk + i)
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok().flatten()).min()
    })
}

/// Result of checking every signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FullCheck {
    pub entries: u64,
    pub valid: u64,
    pub damage: Option<Damage>,
    pub torn_tail: Option<TornTail>,
}

/// Checks the whole log: structure and chain as [`load`] does, and every signature.
pub fn verify_all(bytes: &[u8], kiosk: &str, key: VerifyingKey) -> FullCheck {
    let mut rotations: Vec<(usize, VerifyingKey)> = Vec::new();
    let mut index = 0usize;
    let summary = load(bytes, kiosk, key, |view: &EntryView<'_>| {
        if let Payload::KeyRotated { public_key } = &view.payload
            && let Ok(next) = changelog::public_key_from_hex(public_key)
        {
            rotations.push((index + 1, next));
        }
        index += 1;
    });
    let (frames, _) = frames(bytes);
    let mut keys = vec![(0usize, key)];
    keys.extend(rotations);
    let limit = usize::try_from(summary.valid).unwrap_or(usize::MAX).min(frames.len());
    let bad = first_bad_signature(bytes, &frames[..limit], &keys);
    let damage = match bad {
        Some(i) => Some(Damage::new(i as u64 + 1, frames[i].0 as u64, &ChainBreak::BadSignature)),
        None => summary.damage.clone(),
    };
    let valid = damage.as_ref().map_or(summary.valid, |d| d.seq - 1);
    FullCheck { entries: frames.len() as u64, valid, damage, torn_tail: summary.torn_tail }
}

/// Decodes framed records (for export and sync).
pub fn records(bytes: &[u8]) -> Vec<SignedEntry> {
    changelog::decode_records(bytes).0
}
