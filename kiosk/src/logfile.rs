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

use std::sync::mpsc;

use changelog::{
    ChainBreak, DecodeError, FORMAT_VERSION, GENESIS_HASH, Hash, MAX_ENTRY_BYTES, Payload, SignedEntry, VerifyingKey,
};
use rules::{Lang, Localized};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::text::pick;

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
        let (seq, reason) = (self.seq, &self.reason);
        let good = seq.saturating_sub(1);
        pick(
            lang,
            format!(
                "Журнал киоска повреждён начиная с записи № {seq} ({reason}). Записи 1–{good} целы и доступны для просмотра и выгрузки; \
                 новые записи не принимаются. Что делать: не удаляйте и не изменяйте папку данных, сделайте её копию, \
                 выгрузите целые записи командой export и обратитесь к администратору центра."
            ),
            format!(
                "Киоск журналы № {seq} жазбадан бастап бүлінген ({reason}). 1–{good} жазбалар бүтін, оларды қарауға және экспорттауға болады; \
                 жаңа жазбалар қабылданбайды. Не істеу керек: деректер қалтасын жоймаңыз және өзгертпеңіз, оның көшірмесін жасаңыз, \
                 бүтін жазбаларды export командасымен шығарып, орталық әкімшісіне хабарласыңыз."
            ),
            format!(
                "The kiosk's log is damaged from entry {seq} on ({reason}). Entries 1–{good} are intact and can still be viewed and \
                 exported; no new entries are accepted. What to do: do not delete or edit the data folder, make a copy of it, \
                 export the intact entries with `export` and contact the center's administrator."
            ),
        )
    }
}

/// An unfinished append found at the end of the log: it was never reported as saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TornTail {
    pub offset: u64,
    pub len: u64,
}

/// A body read in place (the postcard layout of `changelog::EntryBody`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyRef<'a> {
    pub version: u8,
    pub kiosk: &'a str,
    pub seq: u64,
    pub prev_hash: &'a [u8; 32],
    pub kiosk_time: &'a str,
    pub last_contact: Option<&'a str>,
    pub operator: &'a str,
    pub payload: &'a [u8],
}

struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, String> {
        let (&b, rest) = self.bytes.split_first().ok_or("unexpected end of body")?;
        self.bytes = rest;
        Ok(b)
    }
    /// LEB128 as postcard writes it: at most 10 bytes, the 10th at most 1.
    fn varint(&mut self) -> Result<u64, String> {
        let mut out = 0u64;
        for i in 0..10 {
            let b = self.byte()?;
            out |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if i == 9 && b > 1 {
                    break;
                }
                return Ok(out);
            }
        }
        Err("bad varint".into())
    }
    fn take(&mut self, n: u64) -> Result<&'a [u8], String> {
        let n = usize::try_from(n).map_err(|_| "length out of range")?;
        if n > self.bytes.len() {
            return Err("unexpected end of body".into());
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }
    fn str(&mut self) -> Result<&'a str, String> {
        let n = self.varint()?;
        std::str::from_utf8(self.take(n)?).map_err(|_| "bad UTF-8".into())
    }
}

/// Decodes a body in place. Like postcard (and so `SignedEntry::body`), bytes after the
/// payload are ignored; the signature and hash cover them anyway.
pub fn decode_body(body: &[u8]) -> Result<BodyRef<'_>, DecodeError> {
    let mut r = Reader { bytes: body };
    let decoded = (|| {
        let version = r.byte()?;
        let kiosk = r.str()?;
        let seq = r.varint()?;
        let prev_hash: &[u8; 32] = r.take(32)?.try_into().map_err(|_| "short hash")?;
        let kiosk_time = r.str()?;
        let last_contact = match r.byte()? {
            0 => None,
            1 => Some(r.str()?),
            _ => return Err("bad option".to_owned()),
        };
        let operator = r.str()?;
        let len = r.varint()?;
        let payload = r.take(len)?;
        Ok(BodyRef { version, kiosk, seq, prev_hash, kiosk_time, last_contact, operator, payload })
    })()
    .map_err(DecodeError::Body)?;
    if decoded.version != FORMAT_VERSION {
        return Err(DecodeError::Version(decoded.version));
    }
    Ok(decoded)
}

/// Parses a payload; commands written by serde (tag first, fields in declaration order)
/// take a fast path that skips serde's buffering of internally tagged enums, anything
/// else the ordinary path (same result, canonical error messages).
pub fn parse_payload(bytes: &[u8]) -> Result<Payload, DecodeError> {
    if let Ok(fast::FastPayload(p)) = serde_json::from_slice::<fast::FastPayload>(bytes) {
        return Ok(p);
    }
    serde_json::from_slice(bytes).map_err(|e| DecodeError::Payload(e.to_string()))
}

mod fast {
    use std::fmt;

    use changelog::Payload;
    use rules::Command;
    use rules::model::{NewApplication, NewPlaces};
    use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};

    pub struct FastPayload(pub Payload);
    struct FastCommand(Command);

    fn key<'de, A: MapAccess<'de>>(map: &mut A, expected: &str) -> Result<(), A::Error> {
        match map.next_key::<String>()? {
            Some(k) if k == expected => Ok(()),
            _ => Err(de::Error::custom("not in the fast layout")),
        }
    }

    fn end<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
        match map.next_key::<de::IgnoredAny>()? {
            None => Ok(()),
            Some(_) => Err(de::Error::custom("not in the fast layout")),
        }
    }

    impl<'de> Deserialize<'de> for FastPayload {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = FastPayload;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a command payload")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FastPayload, A::Error> {
                    key(&mut map, "type")?;
                    let tag: String = map.next_value()?;
                    if tag != "command" {
                        return Err(de::Error::custom("not in the fast layout"));
                    }
                    key(&mut map, "command")?;
                    let FastCommand(command) = map.next_value()?;
                    end(&mut map)?;
                    Ok(FastPayload(Payload::Command { command }))
                }
            }
            d.deserialize_map(V)
        }
    }

    impl<'de> Deserialize<'de> for FastCommand {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = FastCommand;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a command")
                }
                fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FastCommand, A::Error> {
                    key(&mut map, "type")?;
                    let tag: String = map.next_value()?;
                    let command = match tag.as_str() {
                        "register" => {
                            key(&mut map, "application")?;
                            Command::Register { application: map.next_value::<NewApplication>()? }
                        }
                        "addPlaces" => {
                            key(&mut map, "places")?;
                            Command::AddPlaces { places: map.next_value::<NewPlaces>()? }
                        }
                        "act" => {
                            key(&mut map, "application")?;
                            let application: String = map.next_value()?;
                            key(&mut map, "action")?;
                            Command::Act { application, action: map.next_value()? }
                        }
                        _ => return Err(de::Error::custom("not in the fast layout")),
                    };
                    end(&mut map)?;
                    Ok(FastCommand(command))
                }
            }
            d.deserialize_map(V)
        }
    }
}

/// The shortest possible body: version, four empty strings or short fields, the hash.
const MIN_BODY_BYTES: usize = 1 + 1 + 1 + 32 + 1 + 1 + 1 + 1;

/// Where each record lies: `(start of its length field, body length)`.
type Frame = (usize, usize);

/// Frames the records; returns them and where framing stopped, if before the end.
fn frames(bytes: &[u8]) -> (Vec<Frame>, Option<(usize, DecodeError)>) {
    let mut out = Vec::with_capacity(bytes.len() / 600 + 1);
    let mut at = 0usize;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let Some(len_bytes) = rest.get(..4) else {
            return (out, Some((at, DecodeError::Truncated { needed: 4 - rest.len() as u64 })));
        };
        let len = u32::from_le_bytes(len_bytes.try_into().expect("4 bytes"));
        if len > MAX_ENTRY_BYTES {
            return (out, Some((at, DecodeError::TooLarge { len })));
        }
        if (len as usize) < MIN_BODY_BYTES {
            // No body is this short (zeros left by an interrupted write look like this).
            return (out, Some((at, DecodeError::Body(format!("a body of {len} bytes is too short")))));
        }
        let total = 4 + len as usize + 64;
        if rest.len() < total {
            return (out, Some((at, DecodeError::Truncated { needed: (total - rest.len()) as u64 })));
        }
        out.push((at, len as usize));
        at += total;
    }
    (out, None)
}

fn body_of(bytes: &[u8], (at, len): Frame) -> &[u8] {
    &bytes[at + 4..at + 4 + len]
}

fn signature_ok(bytes: &[u8], (at, len): Frame, key: &VerifyingKey) -> bool {
    let body = body_of(bytes, (at, len));
    let signature: [u8; 64] = bytes[at + 4 + len..at + 4 + len + 64].try_into().expect("64 bytes");
    SignedEntry::from_parts(body.to_vec(), signature).verify(key)
}

/// `SHA-256(body || signature)`: the record without its length field.
fn record_hash(bytes: &[u8], (at, len): Frame) -> Hash {
    Sha256::digest(&bytes[at + 4..at + 4 + len + 64]).into()
}

/// Whether undecodable bytes at the end are an interrupted append rather than damage.
///
/// An append writes its records in order, so what an interrupted one leaves is a prefix:
/// whole records (which decode and count as entries), then one record cut short by the end
/// of the file, and nothing after it. Only that last record is a torn tail, and only when
/// - it is cut short by the end of the file (`Truncated`) and shorter than one maximal
///   record, and
/// - no later record starts inside it (a length and a body head naming this kiosk: with a
///   damaged length field of a middle entry, the entries after it are still there), and
/// - it does not hold a whole entry under another length (its body decodes and a signature
///   by one of the log's keys follows it: the length field of a saved last entry is
///   damaged);
///
/// or when it is all zeros (the file grew before its data reached the disk). Anything else
/// is damage, and a damaged log is never cut.
fn is_torn_tail(rest: &[u8], error: &DecodeError, kiosk: &str, keys: &[VerifyingKey]) -> bool {
    if rest.iter().all(|b| *b == 0) {
        return true;
    }
    let one_record = 4 + MAX_ENTRY_BYTES as usize + 64;
    if !matches!(error, DecodeError::Truncated { .. }) || rest.len() >= one_record {
        return false;
    }
    !(later_record_starts(rest, kiosk) || holds_whole_entry(rest, keys))
}

/// Whether a record header of `kiosk` (length, version, kiosk id) starts after byte 0 of `rest`.
fn later_record_starts(rest: &[u8], kiosk: &str) -> bool {
    let mut head = vec![FORMAT_VERSION];
    let mut n = kiosk.len();
    loop {
        let byte = u8::try_from(n & 0x7f).expect("7 bits");
        n >>= 7;
        if n == 0 {
            head.push(byte);
            break;
        }
        head.push(byte | 0x80);
    }
    head.extend_from_slice(kiosk.as_bytes());
    (1..rest.len().saturating_sub(4 + head.len() - 1)).any(|p| {
        let len = u32::from_le_bytes(rest[p..p + 4].try_into().expect("4 bytes")) as usize;
        (MIN_BODY_BYTES..=MAX_ENTRY_BYTES as usize).contains(&len) && rest[p + 4..].starts_with(&head)
    })
}

/// Whether `rest` starts with a whole record whose length field is wrong: the body after
/// the length field decodes and is followed by a signature that verifies.
fn holds_whole_entry(rest: &[u8], keys: &[VerifyingKey]) -> bool {
    let Some(after_len) = rest.get(4..) else { return false };
    let Ok(body) = decode_body(after_len) else { return false };
    let used = body.payload.as_ptr() as usize + body.payload.len() - after_len.as_ptr() as usize;
    let Some(signature) = after_len.get(used..used + 64) else { return false };
    let signature: [u8; 64] = signature.try_into().expect("64 bytes");
    let entry = SignedEntry::from_parts(after_len[..used].to_vec(), signature);
    keys.iter().any(|k| entry.verify(k))
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
    /// Entries handed to the callback.
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
}

struct Parsed<'a> {
    index: usize,
    body: Result<BodyRef<'a>, DecodeError>,
    payload: Result<Payload, DecodeError>,
    at: Option<rules::Instant>,
    hash: Hash,
}

fn parse_one(bytes: &[u8], index: usize, frame: Frame) -> Parsed<'_> {
    let body = decode_body(body_of(bytes, frame));
    let (payload, at) = match &body {
        Ok(b) => (parse_payload(b.payload), b.kiosk_time.parse().ok()),
        Err(e) => (Err(e.clone()), None),
    };
    Parsed { index, body, payload, at, hash: record_hash(bytes, frame) }
}

/// Records handed from the parsing thread per message.
const CHUNK: usize = 1024;

/// Decodes and checks `bytes` (a whole log) and hands each entry of the chain, in order,
/// to `apply`, with the fast check described in the module documentation.
pub fn load<'a>(bytes: &'a [u8], kiosk: &str, key: VerifyingKey, mut apply: impl FnMut(&EntryView<'a>)) -> LoadSummary {
    let (frames, framing) = frames(bytes);
    let mut summary = LoadSummary::default();

    let mut structural: Option<(usize, ChainBreak)> = None;
    let mut rotation_checks: Vec<(usize, VerifyingKey)> = Vec::new();
    // Where each key starts being used: (first index, key).
    let mut key_points: Vec<(usize, VerifyingKey)> = vec![(0, key)];
    let mut current_key = key;
    let mut prev_hash = GENESIS_HASH;
    let mut offsets = Vec::with_capacity(frames.len());

    // Returns the entry once applied (so the parsing thread can free it), or `None` at a break.
    let mut consume = |p: Parsed<'a>| -> Option<EntryView<'a>> {
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
        if let Payload::KeyRotated { public_key } = &payload {
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
        Some(view)
    };

    let mut waited = std::time::Duration::ZERO;
    if frames.len() < 2 * CHUNK {
        for (index, frame) in frames.iter().enumerate() {
            if consume(parse_one(bytes, index, *frame)).is_none() {
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
                    let parsed = chunk.iter().enumerate().map(|(i, f)| parse_one(bytes, c * CHUNK + i, *f)).collect();
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
                    done.push(view);
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

#[cfg(test)]
#[allow(clippy::unwrap_used)] // A failed unwrap is a failed test.
mod tests {
    use super::*;
    use changelog::{EntryBody, KioskKey};
    use rules::Command;

    fn body(seq: u64, prev: Hash, payload: &Payload) -> EntryBody {
        EntryBody {
            version: FORMAT_VERSION,
            kiosk: "KOK-01".into(),
            seq,
            prev_hash: prev,
            kiosk_time: "2026-03-10T10:00:00+05:00".into(),
            last_contact: if seq.is_multiple_of(2) { Some("2026-03-09T10:00:00Z".into()) } else { None },
            operator: "admin".into(),
            payload: payload.to_json(),
        }
    }

    fn log(key: &KioskKey, n: u64) -> Vec<u8> {
        let mut prev = GENESIS_HASH;
        let mut out = Vec::new();
        for seq in 1..=n {
            let e = SignedEntry::sign(
                &body(seq, prev, &Payload::OperatorDisabled { login: format!("u{seq}") }),
                key.signing(),
            );
            prev = e.hash();
            e.write_record(&mut out);
        }
        out
    }

    fn count(bytes: &[u8], key: &KioskKey) -> (LoadSummary, u64) {
        let mut n = 0;
        let s = load(bytes, "KOK-01", key.verifying(), |_| n += 1);
        (s, n)
    }

    #[test]
    fn the_in_place_decoder_agrees_with_postcard() {
        let payloads = [
            Payload::OperatorDisabled { login: "x".repeat(300) },
            Payload::Command { command: Command::Tick },
            Payload::KeyRotated { public_key: "ab".into() },
        ];
        for (i, p) in payloads.iter().enumerate() {
            for seq in [1u64, 127, 128, 300, 16_384, u64::MAX] {
                let b = body(seq, [u8::try_from(i).unwrap(); 32], p);
                let bytes = postcard::to_stdvec(&b).unwrap();
                let mine = decode_body(&bytes).unwrap();
                assert_eq!(mine.seq, b.seq);
                assert_eq!(mine.kiosk, b.kiosk);
                assert_eq!(mine.prev_hash, &b.prev_hash);
                assert_eq!(mine.kiosk_time, b.kiosk_time);
                assert_eq!(mine.last_contact, b.last_contact.as_deref());
                assert_eq!(mine.operator, b.operator);
                assert_eq!(mine.payload, b.payload.as_slice());
                assert_eq!(parse_payload(mine.payload).unwrap(), *p);
                // Every truncation fails in both decoders.
                for cut in 0..bytes.len() {
                    let theirs = postcard::from_bytes::<EntryBody>(&bytes[..cut]);
                    assert_eq!(decode_body(&bytes[..cut]).is_ok(), theirs.is_ok(), "cut at {cut}");
                }
            }
        }
    }

    #[test]
    fn the_fast_payload_path_matches_serde() {
        let line = r#"{"type":"register","application":{"district":"KOK","queueType":"general","childIin":"200909571510","childName":"Әлімжанов","birthDate":"2020-09-09","applicant":{"iin":"941029432050","name":"Ахметова","kinship":"guardian","phone":"+7 776"},"residence":{"kind":"permanent","address":"Кокшетау"},"right":"none"}}"#;
        let command = crate::input::parse_command(line).unwrap();
        for c in [
            command,
            crate::input::parse_command(
                r#"{"type":"act","application":"A-1","action":{"type":"refuseChild","reason":"x"}}"#,
            )
            .unwrap(),
            crate::input::parse_command(
                r#"{"type":"addPlaces","places":{"kindergarten":"KG","language":"kk","groupYear":2022,"count":3}}"#,
            )
            .unwrap(),
        ] {
            let p = Payload::Command { command: c };
            let json = p.to_json();
            assert!(serde_json::from_slice::<fast::FastPayload>(&json).is_ok());
            assert_eq!(parse_payload(&json).unwrap(), p);
        }
        // Out of the fast layout: still parsed by the ordinary path.
        let reordered = br#"{"command":{"type":"tick"},"type":"command"}"#;
        assert_eq!(parse_payload(reordered).unwrap(), Payload::Command { command: Command::Tick });
        assert!(parse_payload(br#"{"type":"command","command":{"type":"tick"},"x":1}"#).is_err());
    }

    #[test]
    fn a_clean_log_loads_with_one_signature_check() {
        let key = KioskKey::generate().unwrap();
        for n in [1u64, 50, 2100] {
            let bytes = log(&key, n);
            let (s, applied) = count(&bytes, &key);
            assert_eq!((s.valid, applied, s.damage.clone()), (n, n, None));
            assert_eq!(s.valid_len, bytes.len() as u64);
            assert_eq!(s.offsets.len() as u64, n);
            if n <= 50 {
                assert_eq!(verify_all(&bytes, "KOK-01", key.verifying()).valid, n);
            }
        }
    }

    #[test]
    fn a_torn_append_is_told_apart_from_damage() {
        let key = KioskKey::generate().unwrap();
        let bytes = log(&key, 10);
        let whole = log(&key, 9).len();
        let (s, _) = count(&bytes[..bytes.len() - 30], &key);
        assert_eq!((s.valid, s.damage), (9, None));
        assert_eq!(s.torn_tail, Some(TornTail { offset: whole as u64, len: (bytes.len() - 30 - whole) as u64 }));
        let mut zeros = bytes.clone();
        zeros.extend_from_slice(&[0; 300]);
        let (s, _) = count(&zeros, &key);
        assert_eq!((s.valid, s.damage.is_none()), (10, true));
        assert_eq!(s.torn_tail.unwrap().len, 300);
    }

    #[test]
    fn a_length_field_past_the_end_is_a_torn_tail_only_for_the_last_unfinished_append() {
        let key = KioskKey::generate().unwrap();
        let bytes = log(&key, 10);
        let (clean, _) = count(&bytes, &key);
        let offset = |seq: usize| usize::try_from(clean.offsets[seq - 1]).unwrap();
        // The length field of a middle entry (4) and of the last one (10) made to reach past
        // the end of the file, within one maximal record: saved entries, never a torn tail.
        for seq in [4usize, 10] {
            let mut bad = bytes.clone();
            let past_end = u32::try_from(bytes.len() - offset(seq) + 100).unwrap();
            bad[offset(seq)..offset(seq) + 4].copy_from_slice(&past_end.to_le_bytes());
            let (s, _) = count(&bad, &key);
            assert_eq!(s.torn_tail, None, "entry {seq}");
            let damage = s.damage.unwrap();
            assert_eq!((damage.seq, damage.offset), (seq as u64, offset(seq) as u64), "entry {seq}");
            assert_eq!(s.valid, seq as u64 - 1);
        }
        // An interrupted group commit: two whole records, then half of the third.
        let more = log(&key, 13);
        let cut = offset(10) + (bytes.len() - offset(10)) + (more.len() - bytes.len()) * 5 / 6;
        let (s, _) = count(&more[..cut], &key);
        assert_eq!((s.valid, s.damage.is_none()), (12, true));
        assert!(s.torn_tail.is_some());
        // Half of the last record followed by zeros (the file grew before the data landed).
        let mut zero_filled = bytes[..bytes.len() - 40].to_vec();
        zero_filled.extend_from_slice(&[0; 20]);
        let (s, _) = count(&zero_filled, &key);
        assert_eq!((s.valid, s.damage.is_none()), (9, true));
        assert_eq!(s.torn_tail.unwrap().offset, offset(10) as u64);
    }

    #[test]
    fn damage_names_the_first_bad_entry_and_keeps_those_before() {
        let key = KioskKey::generate().unwrap();
        for n in [20u64, 2100] {
            let bytes = log(&key, n);
            let (clean, _) = count(&bytes, &key);
            // Flip a bit in the signature of entry 7: the chain breaks at 8, the signature at 7.
            let e8 = usize::try_from(clean.offsets[7]).unwrap();
            let mut bad = bytes.clone();
            bad[e8 - 1] ^= 0x01;
            let (s, _) = count(&bad, &key);
            let damage = s.damage.unwrap();
            assert_eq!((damage.seq, damage.offset, damage.reason_code), (7, clean.offsets[6], "BAD_SIGNATURE"));
            assert_eq!((s.valid, s.valid_len), (6, clean.offsets[6]));
            assert_eq!(verify_all(&bad, "KOK-01", key.verifying()).damage.unwrap().seq, 7);
            // A wrong key: entry 1 is already bad.
            let other = KioskKey::generate().unwrap();
            assert_eq!(load(&bytes, "KOK-01", other.verifying(), |_| {}).damage.unwrap().seq, 1);
            // Garbage in the middle that is not a torn append.
            let mut middle = bytes[..usize::try_from(clean.offsets[5]).unwrap()].to_vec();
            middle.extend_from_slice(&[0xff; 100]);
            let (s, _) = count(&middle, &key);
            assert_eq!((s.damage.unwrap().seq, s.valid, s.torn_tail), (6, 5, None));
            // A flipped bit in the last entry's payload: only its signature can tell (the
            // slow path then checks every signature: small logs only, debug builds are slow).
            if n > 100 {
                continue;
            }
            let mut last = bytes.clone();
            let at = bytes.len() - 64 - 3;
            last[at] ^= 0x01;
            let (s, applied) = count(&last, &key);
            assert_eq!((s.damage.unwrap().seq, s.valid, applied), (n, n - 1, n));
        }
    }
}
