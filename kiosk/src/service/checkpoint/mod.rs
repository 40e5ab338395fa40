//! A checkpoint of the folded state (`local/checkpoint.bin`): the [`Model`] the log's
//! entries up to sequence number N fold into, so that an open replays only the entries
//! after N (issue #19: a cold start with 100,000 entries in ≤ 300 ms).
//!
//! The log stays the truth. A checkpoint is derived, and an open uses it only when it is
//! the fold of *this* log by *these* rules; anything else (a damaged, forged, stale or
//! unreadable file) is never an error: the whole log is replayed as without one, a note
//! says why, and the next clean close writes a good one. It is bound to:
//! - its format version and the kiosk id;
//! - entry N: its sequence number, its record's SHA-256 (which chains every entry before
//!   it), its offset and the log's length through it (a log cut back or restored from
//!   another backup does not have that entry);
//! - the base (the center snapshot's SHA-256, or none) and the offline directory;
//! - the fold fingerprint (`build.rs`: a hash of the rules', the entry format's and the
//!   replay's sources), because the rules change between builds of one version;
//!
//! and signed with the kiosk's key over all of that and the body's SHA-256. The signing
//! key is named in the header; the checkpoint is used only if it is the key the log itself
//! is signed with after entry N (its rotations followed), which the open learns while it
//! checks the chain (`replay_log`). Every entry's chain is still checked at every open.
//!
//! When: at a clean close and when the `Kiosk` is dropped, once [`due`] (never on the save
//! path, whose latency is a goal). Not on a background thread after an open that replayed
//! much: that needs a copy of the model (tens of ms for 100,000 applications) on the open's
//! own time, or the model kept from the saves meanwhile, and the open's time is the point.
//! A kiosk killed before a close keeps its older checkpoint, which still matches the log
//! (the log only grew): the next open replays a little more.
//!
//! What is kept of the rules state is what a center snapshot keeps (directory,
//! applications, places records) plus the calendar's updates; `State::restore` derives the
//! rest as for a snapshot. The free places it sums from the free-choice records equal
//! what `evolve` kept, because a reduction is decided only within the free places.
//!
//! Layout: `MAGIC`, the header's length (u32 LE), the header (postcard), the ed25519
//! signature (64 bytes) of `SIGNING_CONTEXT ‖ header`, then the body: the applications and
//! places records in postcard's encoding (`wire.rs`, which also says why not JSON), and the
//! small parts (directory, calendar updates, operators, counters, replay problems) as JSON.

use changelog::{Hash, KioskKey, VerifyingKey};
use ed25519_dalek::{Signature, Signer};
use rules::State;
use rules::calendar::{Calendar, CalendarYear};
use rules::model::{Application, Kindergarten, PlacesRecord};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::replay::{Model, ReplayProblem, Resume};
use crate::logfile::Folded;
use crate::operators::{OperatorInfo, Operators};

mod wire;

/// Bumped whenever the layout or the body's meaning changes: older files are ignored.
pub(super) const CHECKPOINT_FORMAT: u32 = 2;
const MAGIC: &[u8; 16] = b"KEZEK-CHECKPOINT";
/// Domain separation: no log entry or center document signature can pass for this one.
const SIGNING_CONTEXT: &[u8] = b"kezek-kiosk checkpoint\0";
/// The sources that fold the log, hashed by `build.rs`.
pub(super) const FOLD_FINGERPRINT: &str = env!("KEZEK_FOLD_FINGERPRINT");
/// A header larger than this is not a header.
const MAX_HEADER_BYTES: usize = 4096;

/// What a checkpoint is of, besides the log: the same for the one written and the one read.
#[derive(Debug, Clone, Copy)]
pub(super) struct Binding<'a> {
    pub(super) kiosk: &'a str,
    /// Hex SHA-256 of the center snapshot the state is built on, if any.
    pub(super) base_sha256: Option<&'a str>,
    /// Kindergartens in the directory used before the first snapshot (none, or the demo one).
    pub(super) offline_directory: usize,
}

/// Where entry N lies in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct LogPoint {
    pub(super) seq: u64,
    pub(super) hash: Hash,
    /// Byte offset of its record.
    pub(super) offset: u64,
    /// Bytes of the log through its record.
    pub(super) log_len: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    format: u32,
    kiosk: String,
    seq: u64,
    entry_hash: [u8; 32],
    entry_offset: u64,
    log_len: u64,
    base_sha256: Option<String>,
    offline_directory: u64,
    fold_fingerprint: String,
    signing_key: [u8; 32],
    body_len: u64,
    body_sha256: [u8; 32],
}

/// The model, as written (borrowing it): the bulk in postcard's encoding.
#[derive(Serialize)]
struct BodyOut<'a> {
    /// [`SmallOut`] as JSON.
    small: Vec<u8>,
    applications: Vec<&'a Application>,
    places: Vec<&'a PlacesRecord>,
}

/// The model, as read.
#[derive(Deserialize)]
struct BodyIn {
    small: Vec<u8>,
    #[serde(deserialize_with = "wire::exact_vec")]
    applications: Vec<Application>,
    places: Vec<PlacesRecord>,
}

/// The small parts of the model, as written.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SmallOut<'a> {
    calendar_updates: &'a [CalendarYear],
    kindergartens: Vec<&'a Kindergarten>,
    covered_through: u64,
    operators: Vec<&'a OperatorInfo>,
    rotated_key: Option<&'a str>,
    registrations: u64,
    places_records: u64,
    commands: u64,
    problems: &'a [ReplayProblem],
}

/// The small parts of the model, as read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SmallIn {
    calendar_updates: Vec<CalendarYear>,
    kindergartens: Vec<Kindergarten>,
    covered_through: u64,
    operators: Vec<OperatorInfo>,
    rotated_key: Option<String>,
    registrations: u64,
    places_records: u64,
    commands: u64,
    problems: Vec<ReplayProblem>,
}

/// Whether a checkpoint folded through `seq` is worth replacing by one through `last_seq`:
/// 1,000 entries more, or 10 % more if that is fewer. An open replays at most that many
/// entries beyond the checkpoint (1,000: ~5 ms); the price is the close that writes it (for
/// 100,000 entries ~270 ms and 24 MB, for a million ~2.6 s and 240 MB), which a busy
/// office pays about once a day.
pub(super) fn due(seq: u64, last_seq: u64) -> bool {
    let beyond = last_seq.saturating_sub(seq);
    beyond > 0 && (beyond >= 1_000 || beyond.saturating_mul(10) >= seq)
}

fn signed_message(header: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(SIGNING_CONTEXT.len() + header.len());
    message.extend_from_slice(SIGNING_CONTEXT);
    message.extend_from_slice(header);
    message
}

/// The checkpoint file of `model` (with the replay problems of the entries it folded) at
/// `point`, signed with `key`; an error if its body would not read back as the model (see
/// `wire.rs`: then none is written, and opens replay the whole log).
pub(super) fn encode(
    model: &Model,
    problems: &[ReplayProblem],
    point: LogPoint,
    binding: Binding<'_>,
    key: &KioskKey,
) -> Result<Vec<u8>, String> {
    let state = &model.state;
    let small = SmallOut {
        calendar_updates: state.calendar().updates(),
        kindergartens: state.kindergartens().collect(),
        covered_through: model.covered_through,
        operators: model.operators.all().collect(),
        rotated_key: model.rotated_key.as_deref(),
        registrations: model.registrations,
        places_records: model.places_records,
        commands: model.commands,
        problems,
    };
    let body = BodyOut {
        small: serde_json::to_vec(&small).map_err(|e| e.to_string())?,
        applications: state.applications().collect(),
        places: state.places().collect(),
    };
    let body = wire::to_bytes(&body).map_err(|e| e.to_string())?;
    let read_back: BodyIn = postcard::from_bytes(&body).map_err(|e| format!("the body does not read back: {e}"))?;
    if !read_back.applications.iter().eq(state.applications()) || !read_back.places.iter().eq(state.places()) {
        return Err("the body does not read back as the model".to_owned());
    }
    drop(read_back);
    let header = Header {
        format: CHECKPOINT_FORMAT,
        kiosk: binding.kiosk.to_owned(),
        seq: point.seq,
        entry_hash: point.hash,
        entry_offset: point.offset,
        log_len: point.log_len,
        base_sha256: binding.base_sha256.map(str::to_owned),
        offline_directory: binding.offline_directory as u64,
        fold_fingerprint: FOLD_FINGERPRINT.to_owned(),
        signing_key: key.verifying().to_bytes(),
        body_len: body.len() as u64,
        body_sha256: Sha256::digest(&body).into(),
    };
    let header = postcard::to_stdvec(&header).expect("the header serializes");
    let signature = key.signing().sign(&signed_message(&header));
    let mut out = Vec::with_capacity(MAGIC.len() + 4 + header.len() + 64 + body.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&u32::try_from(header.len()).expect("a small header").to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&signature.to_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

/// Reads a checkpoint file and checks it against what it must be of and against the log as
/// read (`log`): the model to resume from, or why not (English, for `OpenReport::notes`).
/// The signing key is checked against the log's own later, while the chain is checked.
pub(super) fn decode(bytes: &[u8], binding: Binding<'_>, log: &[u8]) -> Result<Resume, String> {
    let unreadable = |what: &str| format!("it is unreadable ({what})");
    let rest = bytes.strip_prefix(MAGIC.as_slice()).ok_or_else(|| unreadable("not a checkpoint file"))?;
    let (len, rest) = rest.split_first_chunk::<4>().ok_or_else(|| unreadable("cut short"))?;
    let header_len = u32::from_le_bytes(*len) as usize;
    if header_len > MAX_HEADER_BYTES || rest.len() < header_len + 64 {
        return Err(unreadable("cut short or a bad header length"));
    }
    let (header_bytes, rest) = rest.split_at(header_len);
    let (signature, body) = rest.split_at(64);
    let header: Header = postcard::from_bytes(header_bytes).map_err(|e| unreadable(&format!("header: {e}")))?;
    if header.format != CHECKPOINT_FORMAT {
        return Err(format!("it is of format {}, this build reads {CHECKPOINT_FORMAT}", header.format));
    }
    if header.kiosk != binding.kiosk {
        return Err(format!("it was made by kiosk {}, not {}", header.kiosk, binding.kiosk));
    }
    if header.fold_fingerprint != FOLD_FINGERPRINT {
        return Err("it was folded by other rules (another build of the kiosk)".to_owned());
    }
    if header.base_sha256.as_deref() != binding.base_sha256 {
        return Err(match (&header.base_sha256, binding.base_sha256) {
            (None, Some(_)) => "it was made before the center snapshot now kept".to_owned(),
            (Some(_), None) => "it was made on a center snapshot that is not kept any more".to_owned(),
            _ => "it was made on another center snapshot".to_owned(),
        });
    }
    if header.offline_directory != binding.offline_directory as u64 {
        return Err("it was made with another offline kindergarten directory (demo mode changed)".to_owned());
    }
    check_log_point(&header, log)?;
    let key = VerifyingKey::from_bytes(&header.signing_key).map_err(|_| "its signing key is not a key".to_owned())?;
    let signature = Signature::from_bytes(signature.try_into().expect("64 bytes"));
    key.verify_strict(&signed_message(header_bytes), &signature)
        .map_err(|_| "its signature does not verify".to_owned())?;
    if body.len() as u64 != header.body_len || <[u8; 32]>::from(Sha256::digest(body)) != header.body_sha256 {
        return Err("its body is not the one signed (damaged or changed)".to_owned());
    }
    let body: BodyIn = postcard::from_bytes(body).map_err(|e| unreadable(&format!("body: {e}")))?;
    let small: SmallIn = serde_json::from_slice(&body.small).map_err(|e| unreadable(&format!("body: {e}")))?;
    let calendar = Calendar::with_years_static(&small.calendar_updates)
        .map_err(|e| format!("its calendar does not build ({})", e.0))?;
    let model = Model {
        // The indexes (queues, active children, occupied places) are derived again, as
        // for a center snapshot.
        state: State::restore(calendar, small.kindergartens, body.applications, body.places),
        covered_through: small.covered_through,
        operators: Operators::from_accounts(small.operators),
        rotated_key: small.rotated_key,
        registrations: small.registrations,
        places_records: small.places_records,
        commands: small.commands,
    };
    Ok(Resume {
        model,
        problems: small.problems,
        folded: Folded { seq: header.seq, hash: header.entry_hash },
        signed_by: key,
    })
}

/// Whether the log still has entry N where and as the checkpoint says (a cheap look before
/// the chain is checked, for a precise note; the chain check decides).
fn check_log_point(header: &Header, log: &[u8]) -> Result<(), String> {
    let seq = header.seq;
    if seq == 0 {
        return Err("it folds no entry".to_owned());
    }
    let (Ok(offset), Ok(end)) = (usize::try_from(header.entry_offset), usize::try_from(header.log_len)) else {
        return Err(format!("the log is shorter than its entry {seq}"));
    };
    if end > log.len() {
        return Err(format!(
            "the log is shorter than its entry {seq} ({} bytes, it needs {end}): cut back or restored from an older backup",
            log.len()
        ));
    }
    let record = log.get(offset..end).filter(|r| r.len() >= 4 + 64);
    let same = record.is_some_and(|r| {
        let len = u32::from_le_bytes(r[..4].try_into().expect("4 bytes")) as usize;
        len + 4 + 64 == r.len() && <[u8; 32]>::from(Sha256::digest(&r[4..])) == header.entry_hash
    });
    if !same {
        return Err(format!(
            "the log's entry {seq} is not the one it was made at (the log was changed or restored from another backup)"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::due;

    #[test]
    fn a_new_checkpoint_is_due_after_a_thousand_entries_or_ten_percent() {
        assert!(!due(0, 0));
        assert!(due(0, 1));
        assert!(!due(100, 100));
        assert!(!due(100, 109));
        assert!(due(100, 110));
        assert!(!due(1_000_000, 1_000_999));
        assert!(due(1_000_000, 1_001_000));
        // A log cut back below the checkpoint: nothing beyond it (the open replaced it).
        assert!(!due(100, 50));
    }
}
