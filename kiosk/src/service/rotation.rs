//! The kiosk's private key at rest (optional passphrase) and its rotation.
//!
//! Rotation, in an order that survives a crash at any point:
//! 1. the new key is written to `kiosk.key.new` (0600, synced);
//! 2. a `keyRotated` entry naming the new public key is appended, signed by the **old** key;
//! 3. `kiosk.key.new` replaces `kiosk.key`.
//!
//! At open, the key file must match the log's current key (the registered one, or the last
//! rotation's). A crash between 2 and 3 leaves `kiosk.key.new` matching the log: it is
//! moved into place then. A crash before 2 leaves a `kiosk.key.new` the log never named:
//! it is removed. A failed append of step 2 removes `kiosk.key.new` only when the log was
//! cut back; if the cut failed too, the key stays for the next open to settle.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use changelog::{KdfParams, KeyError, KioskKey, Payload, fingerprint};

use super::{Kiosk, Receipt};
use crate::errors::{OpenError, RotationError};
use crate::operators::Session;
use crate::store::{Layout, sync_dir};

static PASSPHRASE: OnceLock<Option<String>> = OnceLock::new();

/// Reads the key passphrase once per process for [`Kiosk::init`] and [`Kiosk::open`]: from
/// `file` when given, else from `KEZEK_KEY_PASSPHRASE` (the command line's
/// `--key-passphrase-file`). Without this call they read the variable.
pub fn use_key_passphrase_from(file: Option<&Path>) -> Result<(), OpenError> {
    let passphrase = changelog::passphrase_from(file).map_err(|e| OpenError::passphrase_file(&e))?;
    let _ = PASSPHRASE.set(passphrase);
    Ok(())
}

/// The passphrase read by [`use_key_passphrase_from`], else the environment's.
pub fn configured_passphrase() -> Option<String> {
    match PASSPHRASE.get() {
        Some(p) => p.clone(),
        None => changelog::passphrase_from(None).ok().flatten(),
    }
}

fn pending_path(layout: &Layout) -> PathBuf {
    layout.root.join("kiosk.key.new")
}

fn is_encrypted(path: &Path) -> bool {
    fs::read(path).is_ok_and(|b| b.first() == Some(&b'{'))
}

#[cfg(debug_assertions)]
static FAST: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Test support: in debug builds, new encrypted key files use minimal argon2 parameters
/// (as `KEZEK_INSECURE_FAST_HASH` does for the binary). Does nothing in release builds.
#[doc(hidden)]
pub fn insecure_fast_key_files_for_tests() {
    #[cfg(debug_assertions)]
    FAST.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Writes a new key file: encrypted when a passphrase is given.
pub(crate) fn save_key(key: &KioskKey, path: &Path, passphrase: Option<&str>) -> Result<(), KeyError> {
    #[cfg(debug_assertions)]
    let params =
        if FAST.load(std::sync::atomic::Ordering::Relaxed) { KdfParams::MINIMAL } else { KdfParams::for_new_files() };
    #[cfg(not(debug_assertions))]
    let params = KdfParams::for_new_files();
    match passphrase {
        Some(p) => key.save_encrypted(path, p, params),
        None => key.save(path),
    }
}

/// Reads the key file (before the log is replayed: a wrong passphrase fails fast).
pub(crate) fn load_key(layout: &Layout, passphrase: Option<&str>) -> Result<KioskKey, OpenError> {
    KioskKey::load_with(&layout.key(), passphrase).map_err(|e| OpenError::key_file(&e))
}

/// Checks `key` against `current`, the log's current public key (hex), and finishes or
/// undoes an interrupted rotation (see the module notes).
pub(crate) fn settle_key(
    layout: &Layout,
    key: KioskKey,
    passphrase: Option<&str>,
    current: &str,
) -> Result<KioskKey, OpenError> {
    let pending = pending_path(layout);
    let io = |e: std::io::Error| OpenError::Key { detail: format!("{}: {e}", pending.display()) };
    if key.public_hex() == current {
        if pending.exists() {
            // Written by a rotation that never reached the log.
            fs::remove_file(&pending).map_err(io)?;
        }
        return Ok(key);
    }
    if pending.exists() {
        let next = KioskKey::load_with(&pending, passphrase).map_err(|e| OpenError::key_file(&e))?;
        if next.public_hex() == current {
            fs::rename(&pending, layout.key()).map_err(io)?;
            sync_dir(&layout.root).map_err(io)?;
            return Ok(next);
        }
    }
    Err(OpenError::KeyMismatch)
}

impl Kiosk {
    /// Replaces the kiosk's signing key (administrators only). The `keyRotated` entry is
    /// signed by the old key; every later entry by the new one, which the center learns from
    /// that entry. With `passphrase`, the new key file is encrypted; a kiosk whose key file
    /// is encrypted needs the same passphrase (so a typo cannot lock it out).
    pub fn rotate_key(&mut self, admin: &Session, passphrase: Option<&str>) -> Result<Receipt, RotationError> {
        self.check_session(admin).map_err(RotationError::Append)?;
        rules::authz::accounts::may_administer(admin.role()).map_err(|_| RotationError::AdminOnly)?;
        self.writable().map_err(RotationError::Append)?;
        let key_path = self.layout.key();
        if is_encrypted(&key_path) {
            let Some(p) = passphrase else {
                return Err(RotationError::KeyFile(KeyError::PassphraseRequired {
                    path: key_path.display().to_string(),
                }));
            };
            KioskKey::load_with(&key_path, Some(p)).map_err(RotationError::KeyFile)?;
        }
        let next = KioskKey::generate().map_err(RotationError::KeyFile)?;
        let pending = pending_path(&self.layout);
        let io =
            |e: std::io::Error| RotationError::KeyFile(KeyError::Io { path: pending.display().to_string(), source: e });
        if pending.exists() {
            fs::remove_file(&pending).map_err(io)?;
        }
        save_key(&next, &pending, passphrase).map_err(RotationError::KeyFile)?;
        sync_dir(&self.layout.root).map_err(io)?;

        let payload = Payload::KeyRotated { public_key: next.public_hex() };
        let receipt = match self.append_operator_change(admin, &payload, &fingerprint(&next.verifying())) {
            Ok(receipt) => receipt,
            Err(e) => {
                // The pending key goes only when the log surely does not name it: the append
                // was cut back (or never started). When the cut failed too (`poisoned`), the
                // file may hold the whole `keyRotated` entry; the next open then finishes the
                // rotation with this key, or removes it if the entry is not there.
                if !self.poisoned {
                    let _ = fs::remove_file(&pending);
                    let _ = sync_dir(&self.layout.root);
                }
                return Err(RotationError::Append(e));
            }
        };
        self.key = next;
        if let Err(e) = fs::rename(&pending, &key_path).and_then(|()| sync_dir(&self.layout.root)) {
            // The entry is durable and the new key is in `kiosk.key.new`: the next open
            // moves it into place. Until then nothing more is signed.
            self.poisoned = true;
            return Err(io(e));
        }
        Ok(receipt)
    }
}
