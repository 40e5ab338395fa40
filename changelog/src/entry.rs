//! One signed entry and the chain of them.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rules::Command;
use rules::command::Role;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The entry format version written in every body.
pub const FORMAT_VERSION: u8 = 1;
/// Largest body accepted when decoding: a length field can never make us allocate more.
pub const MAX_ENTRY_BYTES: u32 = 64 * 1024;
/// `prev_hash` of a kiosk's first entry.
pub const GENESIS_HASH: Hash = [0; 32];

pub type Hash = [u8; 32];

/// What is signed. Field order is the wire order (postcard encodes fields in order).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryBody {
    pub version: u8,
    pub kiosk: String,
    /// 1 for the first entry; no gaps.
    pub seq: u64,
    pub prev_hash: Hash,
    /// Kiosk clock at the command, RFC 3339 (not trusted by the center).
    pub kiosk_time: String,
    /// Center time of the last acknowledgement or snapshot the kiosk had applied, if any.
    pub last_contact: Option<String>,
    /// Operator login who issued it.
    pub operator: String,
    /// UTF-8 JSON of a [`Payload`].
    pub payload: Vec<u8>,
}

/// What an entry records.
// Payloads are decoded one at a time; boxing the command would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
pub enum Payload {
    /// A rules command, accepted by the kiosk's rules at `kiosk_time`.
    Command {
        command: Command,
    },
    /// An operator account was created (password hashes never leave the kiosk).
    OperatorAdded {
        login: String,
        name: String,
        role: Role,
        kindergartens: Vec<String>,
    },
    OperatorDisabled {
        login: String,
    },
    /// The kiosk's key was replaced; later entries are signed by `public_key` (hex).
    KeyRotated {
        public_key: String,
    },
    /// A parent and a child linked after the population registry confirmed them (seed 004).
    /// Written by the parents' channel only; `evidence` names the registry and what it
    /// answered from (e.g. the imported file's SHA-256).
    ParentLinked {
        parent: String,
        child: String,
        evidence: String,
    },
    /// A parent accepted the e-contract for a kindergarten choice: the SHA-256 (hex) of the
    /// text they were shown. Written by the parents' channel only, just before the choice.
    ContractSigned {
        application: String,
        kindergarten: String,
        text_sha256: String,
    },
    /// A center staff action that is not a rules command (the center's own log only): the
    /// audit trail of who registered a kiosk, created an account, decided a review item,
    /// exported personal data. The entry's `operator` names the staff member.
    Audit {
        /// What was done, e.g. `kiosk.add`, `user.disable`, `review.uphold`.
        action: String,
        /// What it was done to (a kiosk, a login, a review item, a district).
        subject: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
}

impl Payload {
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("payloads serialize")
    }
}

/// Why bytes are not an entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("truncated: {needed} more bytes needed")]
    Truncated { needed: u64 },
    #[error("entry body of {len} bytes exceeds the limit of {MAX_ENTRY_BYTES}")]
    TooLarge { len: u32 },
    #[error("entry body is not valid: {0}")]
    Body(String),
    #[error("entry payload is not valid: {0}")]
    Payload(String),
    #[error("unsupported entry format version {0}")]
    Version(u8),
}

/// A body as stored, with its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedEntry {
    body: Vec<u8>,
    signature: [u8; 64],
}

impl SignedEntry {
    /// Encodes and signs `body`.
    pub fn sign(body: &EntryBody, key: &SigningKey) -> Self {
        let bytes = postcard::to_stdvec(body).expect("entry bodies serialize");
        let signature = key.sign(&bytes).to_bytes();
        SignedEntry { body: bytes, signature }
    }

    /// Wraps stored bytes without checking anything.
    pub fn from_parts(body: Vec<u8>, signature: [u8; 64]) -> Self {
        SignedEntry { body, signature }
    }

    pub fn body_bytes(&self) -> &[u8] {
        &self.body
    }
    pub fn signature(&self) -> &[u8; 64] {
        &self.signature
    }

    /// Decodes the body (the signature is not checked here).
    pub fn body(&self) -> Result<EntryBody, DecodeError> {
        let body: EntryBody = postcard::from_bytes(&self.body).map_err(|e| DecodeError::Body(e.to_string()))?;
        if body.version != FORMAT_VERSION {
            return Err(DecodeError::Version(body.version));
        }
        Ok(body)
    }

    /// `SHA-256(body || signature)`.
    pub fn hash(&self) -> Hash {
        let mut hasher = Sha256::new();
        hasher.update(&self.body);
        hasher.update(self.signature);
        hasher.finalize().into()
    }

    pub fn verify(&self, key: &VerifyingKey) -> bool {
        key.verify_strict(&self.body, &Signature::from_bytes(&self.signature)).is_ok()
    }

    /// Appends the framed record: `u32 LE length | body | signature`.
    pub fn write_record(&self, out: &mut Vec<u8>) {
        let len = u32::try_from(self.body.len()).expect("bodies are far below 4 GiB");
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&self.body);
        out.extend_from_slice(&self.signature);
    }

    pub fn record_len(&self) -> usize {
        4 + self.body.len() + 64
    }

    /// Reads one framed record from the front of `bytes`; returns it and the bytes it used.
    pub fn read_record(bytes: &[u8]) -> Result<(Self, usize), DecodeError> {
        let Some(len_bytes) = bytes.get(..4) else {
            return Err(DecodeError::Truncated { needed: 4 - bytes.len() as u64 });
        };
        let len = u32::from_le_bytes(len_bytes.try_into().expect("4 bytes"));
        if len > MAX_ENTRY_BYTES {
            return Err(DecodeError::TooLarge { len });
        }
        let total = 4 + len as usize + 64;
        if bytes.len() < total {
            return Err(DecodeError::Truncated { needed: (total - bytes.len()) as u64 });
        }
        let body = bytes[4..4 + len as usize].to_vec();
        let signature: [u8; 64] = bytes[4 + len as usize..total].try_into().expect("64 bytes");
        Ok((SignedEntry { body, signature }, total))
    }
}

impl EntryBody {
    pub fn payload(&self) -> Result<Payload, DecodeError> {
        serde_json::from_slice(&self.payload).map_err(|e| DecodeError::Payload(e.to_string()))
    }
}

/// Reads consecutive framed records. Stops at the first bad one and says where.
pub fn decode_records(mut bytes: &[u8]) -> (Vec<SignedEntry>, Option<(usize, DecodeError)>) {
    let mut entries = Vec::new();
    let mut offset = 0;
    while !bytes.is_empty() {
        match SignedEntry::read_record(bytes) {
            Ok((entry, used)) => {
                entries.push(entry);
                bytes = &bytes[used..];
                offset += used;
            }
            Err(error) => return (entries, Some((offset, error))),
        }
    }
    (entries, None)
}

/// What is wrong at the first bad entry of a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("cannot decode: {0}")]
    Decode(DecodeError),
    #[error("entry belongs to kiosk {found}, expected {expected}")]
    WrongKiosk { expected: String, found: String },
    #[error("sequence gap: expected {expected}, found {found}")]
    SequenceGap { expected: u64, found: u64 },
    #[error("previous-hash mismatch")]
    BrokenChain,
    #[error("bad signature")]
    BadSignature,
}

impl ChainBreak {
    /// Stable code for reports.
    pub fn code(&self) -> &'static str {
        match self {
            ChainBreak::Decode(_) => "DECODE",
            ChainBreak::WrongKiosk { .. } => "WRONG_KIOSK",
            ChainBreak::SequenceGap { .. } => "SEQUENCE_GAP",
            ChainBreak::BrokenChain => "BROKEN_CHAIN",
            ChainBreak::BadSignature => "BAD_SIGNATURE",
        }
    }
}

/// The first entry of a chain that does not verify: its index in the input and its
/// expected sequence number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("entry {index} (sequence {seq}): {reason}")]
pub struct ChainError {
    pub index: usize,
    pub seq: u64,
    pub reason: ChainBreak,
}

/// Checks that `entries` continue a chain whose last entry had sequence `after_seq` and
/// hash `after_hash`, all signed by `key` (key rotations inside are followed). Returns the
/// decoded bodies of the valid prefix, and the first break if any.
pub fn verify_chain(
    entries: &[SignedEntry],
    kiosk: &str,
    mut key: VerifyingKey,
    after_seq: u64,
    after_hash: Hash,
) -> (Vec<EntryBody>, Option<ChainError>) {
    let mut bodies = Vec::with_capacity(entries.len());
    let mut prev_hash = after_hash;
    for (expected_seq, (index, entry)) in (after_seq + 1..).zip(entries.iter().enumerate()) {
        let fail = |reason| Some(ChainError { index, seq: expected_seq, reason });
        let body = match entry.body() {
            Ok(body) => body,
            Err(e) => return (bodies, fail(ChainBreak::Decode(e))),
        };
        if body.kiosk != kiosk {
            return (bodies, fail(ChainBreak::WrongKiosk { expected: kiosk.to_owned(), found: body.kiosk }));
        }
        if body.seq != expected_seq {
            return (bodies, fail(ChainBreak::SequenceGap { expected: expected_seq, found: body.seq }));
        }
        if body.prev_hash != prev_hash {
            return (bodies, fail(ChainBreak::BrokenChain));
        }
        if !entry.verify(&key) {
            return (bodies, fail(ChainBreak::BadSignature));
        }
        if let Ok(Payload::KeyRotated { public_key }) = body.payload()
            && let Ok(next) = crate::keys::public_key_from_hex(&public_key)
        {
            key = next;
        }
        prev_hash = entry.hash();
        bodies.push(body);
    }
    (bodies, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KioskKey;

    fn body(seq: u64, prev_hash: Hash) -> EntryBody {
        EntryBody {
            version: FORMAT_VERSION,
            kiosk: "KOK-01".into(),
            seq,
            prev_hash,
            kiosk_time: "2026-03-10T10:00:00+05:00".into(),
            last_contact: None,
            operator: "aigerim".into(),
            payload: Payload::Command { command: Command::Tick }.to_json(),
        }
    }

    fn chain(key: &KioskKey, n: u64) -> Vec<SignedEntry> {
        let mut prev = GENESIS_HASH;
        (1..=n)
            .map(|seq| {
                let e = SignedEntry::sign(&body(seq, prev), key.signing());
                prev = e.hash();
                e
            })
            .collect()
    }

    #[test]
    fn a_signed_chain_verifies_and_round_trips_through_records() {
        let key = KioskKey::generate().unwrap();
        let entries = chain(&key, 5);
        let mut bytes = Vec::new();
        for e in &entries {
            e.write_record(&mut bytes);
        }
        let (decoded, error) = decode_records(&bytes);
        assert!(error.is_none());
        assert_eq!(decoded, entries);
        let (bodies, error) = verify_chain(&decoded, "KOK-01", key.verifying(), 0, GENESIS_HASH);
        assert_eq!(error, None);
        assert_eq!(bodies.len(), 5);
        assert_eq!(bodies[4].payload().unwrap(), Payload::Command { command: Command::Tick });
    }

    #[test]
    fn every_kind_of_damage_is_found_at_its_entry() {
        let key = KioskKey::generate().unwrap();
        let other = KioskKey::generate().unwrap();
        let entries = chain(&key, 4);
        let check = |entries: &[SignedEntry]| verify_chain(entries, "KOK-01", key.verifying(), 0, GENESIS_HASH);

        let mut flipped = entries.clone();
        let mut bytes = flipped[2].body_bytes().to_vec();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        flipped[2] = SignedEntry::from_parts(bytes, *entries[2].signature());
        let (ok, error) = check(&flipped);
        assert_eq!(ok.len(), 2);
        let error = error.unwrap();
        assert_eq!((error.index, error.seq), (2, 3));

        let mut sig = *entries[1].signature();
        sig[0] ^= 0x80;
        let mut bad_sig = entries.clone();
        bad_sig[1] = SignedEntry::from_parts(entries[1].body_bytes().to_vec(), sig);
        assert_eq!(check(&bad_sig).1.unwrap().reason, ChainBreak::BadSignature);

        let mut gap = entries.clone();
        gap.remove(1);
        assert_eq!(check(&gap).1.unwrap().reason, ChainBreak::SequenceGap { expected: 2, found: 3 });

        let mut forged = entries.clone();
        forged[3] = SignedEntry::sign(&entries[3].body().unwrap(), other.signing());
        assert_eq!(check(&forged).1.unwrap().reason, ChainBreak::BadSignature);

        let mut rechained = entries.clone();
        rechained[2] = SignedEntry::sign(&body(3, GENESIS_HASH), key.signing());
        assert_eq!(check(&rechained).1.unwrap().reason, ChainBreak::BrokenChain);
    }

    #[test]
    fn a_length_field_cannot_force_a_large_allocation() {
        let mut bytes = (MAX_ENTRY_BYTES + 1).to_le_bytes().to_vec();
        bytes.extend_from_slice(&[0; 16]);
        assert_eq!(SignedEntry::read_record(&bytes).unwrap_err(), DecodeError::TooLarge { len: MAX_ENTRY_BYTES + 1 });
        assert!(matches!(SignedEntry::read_record(&[1, 0]), Err(DecodeError::Truncated { needed: 2 })));
    }

    #[test]
    fn key_rotation_is_followed() {
        let old = KioskKey::generate().unwrap();
        let new = KioskKey::generate().unwrap();
        let first = SignedEntry::sign(
            &EntryBody {
                payload: Payload::KeyRotated { public_key: hex::encode(new.verifying().to_bytes()) }.to_json(),
                ..body(1, GENESIS_HASH)
            },
            old.signing(),
        );
        let second = SignedEntry::sign(&body(2, first.hash()), new.signing());
        let (bodies, error) = verify_chain(&[first, second], "KOK-01", old.verifying(), 0, GENESIS_HASH);
        assert_eq!((bodies.len(), error), (2, None));
    }
}
