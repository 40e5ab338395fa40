//! Kiosk and center signing keys: made from OS randomness, stored owner-only (0600).

use std::fs;
use std::io::Write;
use std::path::Path;

use ed25519_dalek::{SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no randomness from the operating system: {0}")]
    Random(String),
    #[error("key file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("key file {path} is not a key (expected 64 hex digits)")]
    Malformed { path: String },
    #[error("not a public key: {0}")]
    BadPublicKey(String),
}

/// A private signing key.
pub struct KioskKey {
    signing: SigningKey,
}

impl std::fmt::Debug for KioskKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KioskKey({})", fingerprint(&self.verifying()))
    }
}

impl KioskKey {
    pub fn generate() -> Result<Self, KeyError> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| KeyError::Random(e.to_string()))?;
        Ok(KioskKey { signing: SigningKey::from_bytes(&secret) })
    }

    pub fn from_secret(secret: [u8; 32]) -> Self {
        KioskKey { signing: SigningKey::from_bytes(&secret) }
    }

    pub fn signing(&self) -> &SigningKey {
        &self.signing
    }
    pub fn verifying(&self) -> VerifyingKey {
        self.signing.verifying_key()
    }
    pub fn public_hex(&self) -> String {
        hex::encode(self.verifying().to_bytes())
    }

    /// Writes the secret as hex to a new file readable by its owner only, and syncs it.
    pub fn save(&self, path: &Path) -> Result<(), KeyError> {
        let io = |source| KeyError::Io { path: path.display().to_string(), source };
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(io)?;
        file.write_all(hex::encode(self.signing.to_bytes()).as_bytes()).map_err(io)?;
        file.write_all(b"\n").map_err(io)?;
        file.sync_all().map_err(io)
    }

    pub fn load(path: &Path) -> Result<Self, KeyError> {
        let text =
            fs::read_to_string(path).map_err(|source| KeyError::Io { path: path.display().to_string(), source })?;
        let bytes = hex::decode(text.trim()).map_err(|_| KeyError::Malformed { path: path.display().to_string() })?;
        let secret: [u8; 32] =
            bytes.try_into().map_err(|_| KeyError::Malformed { path: path.display().to_string() })?;
        Ok(KioskKey::from_secret(secret))
    }
}

/// A short, readable fingerprint of a public key: the first 8 bytes of its SHA-256 in hex groups.
pub fn fingerprint(key: &VerifyingKey) -> String {
    let digest = Sha256::digest(key.to_bytes());
    digest[..8].chunks(2).map(hex::encode).collect::<Vec<_>>().join("-")
}

pub fn public_key_from_hex(text: &str) -> Result<VerifyingKey, KeyError> {
    let bytes = hex::decode(text.trim()).map_err(|e| KeyError::BadPublicKey(e.to_string()))?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| KeyError::BadPublicKey("expected 32 bytes".into()))?;
    VerifyingKey::from_bytes(&bytes).map_err(|e| KeyError::BadPublicKey(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_keys_are_owner_only_and_load_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.key");
        let key = KioskKey::generate().unwrap();
        key.save(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        assert_eq!(KioskKey::load(&path).unwrap().public_hex(), key.public_hex());
        assert!(key.save(&path).is_err(), "an existing key is never overwritten");
        assert_eq!(public_key_from_hex(&key.public_hex()).unwrap(), key.verifying());
        assert_eq!(fingerprint(&key.verifying()).len(), 19);
    }
}
