//! Framing the log's records (`u32` length, body, signature) and telling, when bytes at
//! the end do not frame, an interrupted append (cut off at open) from damage (never cut).

use changelog::{DecodeError, FORMAT_VERSION, Hash, MAX_ENTRY_BYTES, SignedEntry, VerifyingKey};
use sha2::{Digest, Sha256};

use super::decode_body;

/// The shortest possible body: version, four empty strings or short fields, the hash.
pub(super) const MIN_BODY_BYTES: usize = 1 + 1 + 1 + 32 + 1 + 1 + 1 + 1;

/// Where each record lies: `(start of its length field, body length)`.
pub(super) type Frame = (usize, usize);

/// Frames the records; returns them and where framing stopped, if before the end.
pub(super) fn frames(bytes: &[u8]) -> (Vec<Frame>, Option<(usize, DecodeError)>) {
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

pub(super) fn body_of(bytes: &[u8], (at, len): Frame) -> &[u8] {
    &bytes[at + 4..at + 4 + len]
}

pub(super) fn signature_ok(bytes: &[u8], (at, len): Frame, key: &VerifyingKey) -> bool {
    let body = body_of(bytes, (at, len));
    let signature: [u8; 64] = bytes[at + 4 + len..at + 4 + len + 64].try_into().expect("64 bytes");
    SignedEntry::from_parts(body.to_vec(), signature).verify(key)
}

/// `SHA-256(body || signature)`: the record without its length field.
pub(super) fn record_hash(bytes: &[u8], (at, len): Frame) -> Hash {
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
pub(super) fn is_torn_tail(rest: &[u8], error: &DecodeError, kiosk: &str, keys: &[VerifyingKey]) -> bool {
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
