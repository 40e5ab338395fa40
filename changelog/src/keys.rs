//! Kiosk and center signing keys: made from OS randomness, stored owner-only (0600),
//! optionally encrypted with a passphrase.
//!
//! Two key file formats, told apart by their first byte:
//! - plain: the 32-byte secret as 64 hex digits and a newline;
//! - encrypted: one line of JSON (`"format":"kezek-key","version":1`): argon2id derives a
//!   32-byte key from the passphrase and a random 16-byte salt, and XChaCha20-Poly1305 with
//!   a random 24-byte nonce encrypts the secret. The public key is in clear (to show the
//!   fingerprint without the passphrase) and is authenticated as associated data along
//!   with the format, the version and the argon2 parameters.

use std::fs;
use std::io::Write;
use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// `format` of an encrypted key file.
pub const KEY_FILE_FORMAT: &str = "kezek-key";
/// `version` of the encrypted key file format written today.
pub const KEY_FILE_VERSION: u8 = 1;
/// Environment variable that, in **debug builds only**, makes new key files use minimal
/// argon2 parameters (the test suite's unoptimised argon2 is slow). Release builds ignore it.
pub const INSECURE_FAST_KDF_ENV: &str = "KEZEK_INSECURE_FAST_HASH";

/// Largest argon2 parameters a key file may ask for: a tampered file cannot make us
/// allocate or compute without bound.
const MAX_M_KIB: u32 = 1 << 20;
const MAX_T: u32 = 16;
const MAX_P: u32 = 8;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no randomness from the operating system: {0}")]
    Random(String),
    #[error("key file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("key file {path} is not a key (expected 64 hex digits or an encrypted key file)")]
    Malformed { path: String },
    #[error("not a public key: {0}")]
    BadPublicKey(String),
    #[error("key file {path} has format version {version}; this program reads version {KEY_FILE_VERSION}")]
    UnsupportedVersion { path: String, version: u64 },
    #[error("key file {path} is encrypted: a passphrase is needed")]
    PassphraseRequired { path: String },
    #[error("key file {path}: wrong passphrase, or the file was altered")]
    WrongPassphrase { path: String },
    #[error("an empty passphrase protects nothing")]
    EmptyPassphrase,
    #[error("key derivation failed: {0}")]
    Kdf(String),
}

impl KeyError {
    /// A stable code for the user interfaces.
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::Random(_) => "KEY_RANDOM",
            KeyError::Io { .. } => "KEY_IO",
            KeyError::Malformed { .. } => "KEY_MALFORMED",
            KeyError::BadPublicKey(_) => "BAD_PUBLIC_KEY",
            KeyError::UnsupportedVersion { .. } => "KEY_VERSION",
            KeyError::PassphraseRequired { .. } => "KEY_PASSPHRASE_REQUIRED",
            KeyError::WrongPassphrase { .. } => "KEY_WRONG_PASSPHRASE",
            KeyError::EmptyPassphrase => "KEY_EMPTY_PASSPHRASE",
            KeyError::Kdf(_) => "KEY_KDF",
        }
    }
}

/// argon2id cost parameters of an encrypted key file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl KdfParams {
    /// 64 MiB, 3 passes, 1 lane: the key is opened once per start, so it may cost more than a
    /// login (RFC 9106's second recommended option, with one lane for the 2-core kiosks).
    pub const STRONG: KdfParams = KdfParams { m_kib: 64 * 1024, t: 3, p: 1 };
    /// The smallest argon2 allows: for tests only.
    pub const MINIMAL: KdfParams = KdfParams { m_kib: argon2::Params::MIN_M_COST, t: 1, p: 1 };

    /// [`KdfParams::STRONG`], or [`KdfParams::MINIMAL`] in a debug build with
    /// [`INSECURE_FAST_KDF_ENV`] set.
    pub fn for_new_files() -> KdfParams {
        if cfg!(debug_assertions) && std::env::var_os(INSECURE_FAST_KDF_ENV).is_some() {
            return KdfParams::MINIMAL;
        }
        KdfParams::STRONG
    }

    fn derive(self, passphrase: &str, salt: &[u8]) -> Result<[u8; 32], KeyError> {
        let params =
            argon2::Params::new(self.m_kib, self.t, self.p, Some(32)).map_err(|e| KeyError::Kdf(e.to_string()))?;
        let mut out = [0u8; 32];
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password_into(passphrase.as_bytes(), salt, &mut out)
            .map_err(|e| KeyError::Kdf(e.to_string()))?;
        Ok(out)
    }
}

/// The encrypted key file, one line of JSON.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct EncryptedFile {
    format: String,
    version: u64,
    kdf: String,
    m_kib: u32,
    t: u32,
    p: u32,
    salt: String,
    cipher: String,
    nonce: String,
    public_key: String,
    ciphertext: String,
}

const KDF_NAME: &str = "argon2id";
const CIPHER_NAME: &str = "xchacha20poly1305";

impl EncryptedFile {
    /// What the AEAD authenticates besides the secret: every field but the ciphertext
    /// (the salt and the nonce are bound through the key and the cipher anyway).
    fn associated_data(&self) -> Vec<u8> {
        format!(
            "{}/{}/{}/{}/{}/{}/{}/{}",
            self.format, self.version, self.kdf, self.m_kib, self.t, self.p, self.cipher, self.public_key
        )
        .into_bytes()
    }
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
        let mut text = hex::encode(self.signing.to_bytes());
        text.push('\n');
        write_new_private(path, text.as_bytes())
    }

    /// Writes the secret encrypted with `passphrase` (see the module notes) to a new file
    /// readable by its owner only, and syncs it.
    pub fn save_encrypted(&self, path: &Path, passphrase: &str, params: KdfParams) -> Result<(), KeyError> {
        if passphrase.is_empty() {
            return Err(KeyError::EmptyPassphrase);
        }
        let mut salt = [0u8; 16];
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut salt).map_err(|e| KeyError::Random(e.to_string()))?;
        getrandom::fill(&mut nonce).map_err(|e| KeyError::Random(e.to_string()))?;
        let mut file = EncryptedFile {
            format: KEY_FILE_FORMAT.into(),
            version: KEY_FILE_VERSION.into(),
            kdf: KDF_NAME.into(),
            m_kib: params.m_kib,
            t: params.t,
            p: params.p,
            salt: hex::encode(salt),
            cipher: CIPHER_NAME.into(),
            nonce: hex::encode(nonce),
            public_key: self.public_hex(),
            ciphertext: String::new(),
        };
        let key = params.derive(passphrase, &salt)?;
        let aad = file.associated_data();
        let secret = self.signing.to_bytes();
        let sealed = XChaCha20Poly1305::new(&key.into())
            .encrypt(&XNonce::from(nonce), Payload { msg: &secret, aad: &aad })
            .map_err(|_| KeyError::Kdf("encryption failed".into()))?;
        file.ciphertext = hex::encode(sealed);
        let mut text = serde_json::to_string(&file).expect("key files serialize");
        text.push('\n');
        write_new_private(path, text.as_bytes())
    }

    /// Reads a plain key file; an encrypted one needs [`KioskKey::load_with`].
    pub fn load(path: &Path) -> Result<Self, KeyError> {
        KioskKey::load_with(path, None)
    }

    /// Reads a key file of either format. A plain file loads whatever the passphrase.
    pub fn load_with(path: &Path, passphrase: Option<&str>) -> Result<Self, KeyError> {
        let display = || path.display().to_string();
        let text = fs::read_to_string(path).map_err(|source| KeyError::Io { path: display(), source })?;
        let text = text.trim();
        if !text.starts_with('{') {
            let bytes = hex::decode(text).map_err(|_| KeyError::Malformed { path: display() })?;
            let secret: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Malformed { path: display() })?;
            return Ok(KioskKey::from_secret(secret));
        }
        let file: EncryptedFile = serde_json::from_str(text).map_err(|_| KeyError::Malformed { path: display() })?;
        if file.format != KEY_FILE_FORMAT {
            return Err(KeyError::Malformed { path: display() });
        }
        if file.version != u64::from(KEY_FILE_VERSION) || file.kdf != KDF_NAME || file.cipher != CIPHER_NAME {
            return Err(KeyError::UnsupportedVersion { path: display(), version: file.version });
        }
        let params = KdfParams { m_kib: file.m_kib, t: file.t, p: file.p };
        if params.m_kib > MAX_M_KIB || params.t > MAX_T || params.p > MAX_P {
            return Err(KeyError::Malformed { path: display() });
        }
        let salt = hex::decode(&file.salt).map_err(|_| KeyError::Malformed { path: display() })?;
        let nonce: [u8; 24] = hex::decode(&file.nonce)
            .ok()
            .and_then(|n| n.try_into().ok())
            .ok_or_else(|| KeyError::Malformed { path: display() })?;
        let sealed = hex::decode(&file.ciphertext).map_err(|_| KeyError::Malformed { path: display() })?;
        let Some(passphrase) = passphrase else {
            return Err(KeyError::PassphraseRequired { path: display() });
        };
        let key = params.derive(passphrase, &salt)?;
        let aad = file.associated_data();
        let secret = XChaCha20Poly1305::new(&key.into())
            .decrypt(&XNonce::from(nonce), Payload { msg: &sealed, aad: &aad })
            .map_err(|_| KeyError::WrongPassphrase { path: display() })?;
        let secret: [u8; 32] = secret.try_into().map_err(|_| KeyError::Malformed { path: display() })?;
        let key = KioskKey::from_secret(secret);
        // Authenticated above; a mismatch means the file was written wrongly.
        if key.public_hex() != file.public_key {
            return Err(KeyError::Malformed { path: display() });
        }
        Ok(key)
    }
}

/// Creates `path` (never overwriting) with mode 0600, writes `bytes` and syncs it.
fn write_new_private(path: &Path, bytes: &[u8]) -> Result<(), KeyError> {
    let io = |source| KeyError::Io { path: path.display().to_string(), source };
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io)?;
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)
}

/// Environment variable with the passphrase of the key file (when no file names it).
pub const KEY_PASSPHRASE_ENV: &str = "KEZEK_KEY_PASSPHRASE";

/// The key passphrase: the content of `file` (one trailing newline dropped) when given,
/// else [`KEY_PASSPHRASE_ENV`] when set and not empty, else none (a plain key file).
pub fn passphrase_from(file: Option<&Path>) -> Result<Option<String>, KeyError> {
    if let Some(path) = file {
        let text =
            fs::read_to_string(path).map_err(|source| KeyError::Io { path: path.display().to_string(), source })?;
        let text = text.strip_suffix('\n').map_or(text.as_str(), |t| t.strip_suffix('\r').unwrap_or(t));
        if text.is_empty() {
            return Err(KeyError::EmptyPassphrase);
        }
        return Ok(Some(text.to_owned()));
    }
    Ok(std::env::var(KEY_PASSPHRASE_ENV).ok().filter(|p| !p.is_empty()))
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

    fn mode(path: &Path) -> u32 {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::metadata(path).unwrap().permissions().mode() & 0o777
        }
        #[cfg(not(unix))]
        {
            let _ = path;
            0o600
        }
    }

    #[test]
    fn encrypted_keys_round_trip_owner_only_and_never_show_the_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.key");
        let key = KioskKey::generate().unwrap();
        key.save_encrypted(&path, "correct horse", KdfParams::MINIMAL).unwrap();
        assert_eq!(mode(&path), 0o600);
        let text = fs::read_to_string(&path).unwrap();
        assert!(!text.contains(&hex::encode(key.signing().to_bytes())), "the secret is not in clear");
        assert!(text.contains(&key.public_hex()), "the public key is, for the fingerprint");
        let loaded = KioskKey::load_with(&path, Some("correct horse")).unwrap();
        assert_eq!(loaded.signing().to_bytes(), key.signing().to_bytes());
        // Two files of the same key differ (fresh salt and nonce).
        let again = dir.path().join("again.key");
        key.save_encrypted(&again, "correct horse", KdfParams::MINIMAL).unwrap();
        assert_ne!(fs::read_to_string(&again).unwrap(), text);
        assert!(key.save_encrypted(&path, "x", KdfParams::MINIMAL).is_err(), "never overwritten");
        assert_eq!(
            key.save_encrypted(&dir.path().join("e.key"), "", KdfParams::MINIMAL).unwrap_err().code(),
            "KEY_EMPTY_PASSPHRASE"
        );
    }

    #[test]
    fn a_wrong_or_missing_passphrase_is_a_typed_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.key");
        KioskKey::generate().unwrap().save_encrypted(&path, "correct horse", KdfParams::MINIMAL).unwrap();
        assert_eq!(KioskKey::load_with(&path, Some("correct hors")).unwrap_err().code(), "KEY_WRONG_PASSPHRASE");
        assert_eq!(KioskKey::load_with(&path, Some("")).unwrap_err().code(), "KEY_WRONG_PASSPHRASE");
        assert_eq!(KioskKey::load(&path).unwrap_err().code(), "KEY_PASSPHRASE_REQUIRED");
        // A plain key loads with or without a passphrase.
        let plain = dir.path().join("plain.key");
        let key = KioskKey::generate().unwrap();
        key.save(&plain).unwrap();
        assert_eq!(KioskKey::load_with(&plain, Some("anything")).unwrap().public_hex(), key.public_hex());
    }

    #[test]
    fn every_altered_field_of_an_encrypted_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kiosk.key");
        let key = KioskKey::generate().unwrap();
        key.save_encrypted(&path, "pass phrase", KdfParams::MINIMAL).unwrap();
        let original: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let other = KioskKey::generate().unwrap().public_hex();
        let flip = |hex_text: &str| {
            let mut bytes = hex::decode(hex_text).unwrap();
            bytes[0] ^= 1;
            hex::encode(bytes)
        };
        let cases: Vec<(&str, serde_json::Value, &str)> = vec![
            ("ciphertext", flip(original["ciphertext"].as_str().unwrap()).into(), "KEY_WRONG_PASSPHRASE"),
            ("nonce", flip(original["nonce"].as_str().unwrap()).into(), "KEY_WRONG_PASSPHRASE"),
            ("salt", flip(original["salt"].as_str().unwrap()).into(), "KEY_WRONG_PASSPHRASE"),
            ("publicKey", other.into(), "KEY_WRONG_PASSPHRASE"),
            ("t", 2.into(), "KEY_WRONG_PASSPHRASE"),
            ("mKib", (u64::from(MAX_M_KIB) + 1).into(), "KEY_MALFORMED"),
            ("version", 2.into(), "KEY_VERSION"),
            ("cipher", "aes".into(), "KEY_VERSION"),
            ("format", "other".into(), "KEY_MALFORMED"),
            ("nonce", "zz".into(), "KEY_MALFORMED"),
        ];
        for (n, (field, value, code)) in cases.into_iter().enumerate() {
            let mut altered = original.clone();
            altered[field] = value;
            let altered_path = dir.path().join(format!("altered-{n}.key"));
            fs::write(&altered_path, altered.to_string()).unwrap();
            let err = KioskKey::load_with(&altered_path, Some("pass phrase")).unwrap_err();
            assert_eq!(err.code(), code, "{field}: {err}");
        }
        // Cut short, and not a key at all.
        let text = fs::read_to_string(&path).unwrap();
        for (n, bad) in [&text[..text.len() / 2], "", "hello"].into_iter().enumerate() {
            let bad_path = dir.path().join(format!("bad-{n}.key"));
            fs::write(&bad_path, bad).unwrap();
            assert_eq!(KioskKey::load_with(&bad_path, Some("pass phrase")).unwrap_err().code(), "KEY_MALFORMED");
        }
        assert_eq!(KioskKey::load_with(&path, Some("pass phrase")).unwrap().public_hex(), key.public_hex());
    }
}
