//! A sync bundle: one kiosk's entries, for HTTP upload or a file on a USB stick.
//!
//! Layout: `"KZKB" | version u8 | raw DEFLATE of ( u16 LE kiosk id length | kiosk id | records… )`.

use std::io::Read;

use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;

use crate::entry::{DecodeError, SignedEntry, decode_records};

const MAGIC: &[u8; 4] = b"KZKB";
const BUNDLE_VERSION: u8 = 1;
/// Most bytes a bundle may inflate to: no small file can make a reader allocate more.
pub const MAX_BUNDLE_BYTES: usize = 64 * 1024 * 1024;
/// Most entries one bundle may hold.
pub const MAX_BUNDLE_ENTRIES: usize = 200_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BundleError {
    #[error("not a Kezek bundle")]
    NotABundle,
    #[error("unsupported bundle version {0}")]
    Version(u8),
    #[error("the bundle inflates beyond {MAX_BUNDLE_BYTES} bytes")]
    TooLarge,
    #[error("the bundle holds more than {MAX_BUNDLE_ENTRIES} entries")]
    TooManyEntries,
    #[error("the bundle's kiosk id is not readable")]
    BadHeader,
}

/// Entries of one kiosk, in sequence order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bundle {
    pub kiosk: String,
    pub entries: Vec<SignedEntry>,
}

/// A bundle read from bytes: the entries that could be read, and where reading stopped if
/// the rest is damaged or truncated (the entries before it are still good to check).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadBundle {
    pub bundle: Bundle,
    pub damage: Option<(usize, DecodeError)>,
}

impl Bundle {
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut raw = Vec::new();
        let kiosk = self.kiosk.as_bytes();
        raw.extend_from_slice(&u16::try_from(kiosk.len()).expect("short kiosk id").to_le_bytes());
        raw.extend_from_slice(kiosk);
        for entry in &self.entries {
            entry.write_record(&mut raw);
        }
        let mut out = MAGIC.to_vec();
        out.push(BUNDLE_VERSION);
        let mut encoder = DeflateEncoder::new(out, Compression::best());
        std::io::Write::write_all(&mut encoder, &raw).expect("writing to memory");
        encoder.finish().expect("writing to memory")
    }

    /// Reads a bundle. A bad header is an error; damage further in keeps what came before.
    pub fn read(bytes: &[u8]) -> Result<ReadBundle, BundleError> {
        let rest = bytes.strip_prefix(MAGIC).ok_or(BundleError::NotABundle)?;
        let (&version, compressed) = rest.split_first().ok_or(BundleError::NotABundle)?;
        if version != BUNDLE_VERSION {
            return Err(BundleError::Version(version));
        }
        let mut raw = Vec::new();
        let mut decoder = DeflateDecoder::new(compressed).take(MAX_BUNDLE_BYTES as u64 + 1);
        // A truncated stream still yields what inflated before the cut.
        let inflate_error = decoder.read_to_end(&mut raw).err();
        if raw.len() > MAX_BUNDLE_BYTES {
            return Err(BundleError::TooLarge);
        }
        let len_bytes: [u8; 2] = raw.get(..2).and_then(|b| b.try_into().ok()).ok_or(BundleError::BadHeader)?;
        let kiosk_len = u16::from_le_bytes(len_bytes) as usize;
        let kiosk = raw
            .get(2..2 + kiosk_len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or(BundleError::BadHeader)?
            .to_owned();
        let records = &raw[2 + kiosk_len..];
        let (entries, mut damage) = decode_records(records);
        if entries.len() > MAX_BUNDLE_ENTRIES {
            return Err(BundleError::TooManyEntries);
        }
        if damage.is_none() && inflate_error.is_some() {
            damage = Some((records.len(), DecodeError::Truncated { needed: 1 }));
        }
        Ok(ReadBundle { bundle: Bundle { kiosk, entries }, damage })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::{EntryBody, FORMAT_VERSION, GENESIS_HASH, Payload};
    use crate::keys::KioskKey;

    fn bundle(n: u64) -> Bundle {
        let key = KioskKey::generate().unwrap();
        let mut prev = GENESIS_HASH;
        let entries = (1..=n)
            .map(|seq| {
                let body = EntryBody {
                    version: FORMAT_VERSION,
                    kiosk: "AKK-02".into(),
                    seq,
                    prev_hash: prev,
                    kiosk_time: "2026-03-10T10:00:00+05:00".into(),
                    last_contact: None,
                    operator: "op".into(),
                    payload: Payload::OperatorDisabled { login: format!("user{seq}") }.to_json(),
                };
                let e = SignedEntry::sign(&body, key.signing());
                prev = e.hash();
                e
            })
            .collect();
        Bundle { kiosk: "AKK-02".into(), entries }
    }

    #[test]
    fn bundles_round_trip() {
        let b = bundle(20);
        let read = Bundle::read(&b.to_bytes()).unwrap();
        assert_eq!(read.damage, None);
        assert_eq!(read.bundle, b);
    }

    #[test]
    fn a_truncated_bundle_keeps_the_entries_before_the_cut() {
        let b = bundle(50);
        let bytes = b.to_bytes();
        let read = Bundle::read(&bytes[..bytes.len() * 2 / 3]).unwrap();
        assert!(read.damage.is_some());
        assert!(!read.bundle.entries.is_empty() && read.bundle.entries.len() < 50);
        assert_eq!(read.bundle.entries[..], b.entries[..read.bundle.entries.len()]);
    }

    #[test]
    fn garbage_is_not_a_bundle() {
        assert_eq!(Bundle::read(b"hello"), Err(BundleError::NotABundle));
        assert_eq!(Bundle::read(b"KZKB\x07abc"), Err(BundleError::Version(7)));
    }
}
