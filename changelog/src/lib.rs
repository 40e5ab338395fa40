//! Kezek's change log: every change a kiosk makes is an entry, signed by the kiosk's
//! ed25519 key and chained to the previous entry by its SHA-256 hash.
//!
//! The byte format is specified in `docs/change-log.md` so that a third party can verify a
//! log without this code. In short:
//! - an entry body is the postcard encoding of [`EntryBody`]; its `payload` is UTF-8 JSON
//!   of a [`Payload`] (a rules command, or an operator/key change);
//! - the signature is ed25519 over the exact body bytes;
//! - an entry's hash is `SHA-256(body || signature)`; the next entry's `prev_hash` is it;
//!   the first entry's `prev_hash` is 32 zero bytes;
//! - a log file or bundle frames each entry as `u32 LE body length | body | 64-byte signature`.

mod bundle;
mod document;
mod entry;
mod folder_lock;
mod keys;
pub mod public;
pub mod request;
pub mod sync;

pub use bundle::{Bundle, BundleError, MAX_BUNDLE_BYTES, MAX_BUNDLE_ENTRIES};
pub use document::{DocumentError, SignedDocument};
pub use entry::{
    ChainBreak, ChainError, DecodeError, EntryBody, FORMAT_VERSION, GENESIS_HASH, Hash, MAX_ENTRY_BYTES, Payload,
    SignedEntry, decode_records, verify_chain,
};
pub use folder_lock::{FOLDER_LOCK_WAIT, lock_folder};
pub use keys::{KEY_PASSPHRASE_ENV, KdfParams, KeyError, KioskKey, fingerprint, passphrase_from, public_key_from_hex};

pub use ed25519_dalek::{SigningKey, VerifyingKey};
