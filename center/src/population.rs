//! The population registry (seed 004: a parent links a child): who is whose parent or
//! guardian, as the state's population registry says. The parents' channel asks a
//! [`PopulationRegistry`] before it links a child to a signed-in parent.
//!
//! The built-in adapter, [`SignedPairsRegistry`], reads a signed file of parent–child pairs
//! that a center admin imported (`kezek-center population import FILE`):
//!
//! ```json
//! {"format":"kezek-population-pairs/1","issuer":"…","issuedAt":"RFC 3339",
//!  "pairs":[{"parent":"IIN","child":"IIN","kinship":"mother|father|guardian|grandparent|other"}],
//!  "publicKey":"64 hex digits","signature":"128 hex digits"}
//! ```
//!
//! The signature is ed25519 (strict verification) over the **canonical bytes**: the compact
//! JSON (no whitespace) of the object `{"format","issuer","issuedAt","pairs","publicKey"}` with
//! the fields in exactly that order, each pair `{"parent","child","kinship"}` in that order, the
//! pairs in the file's order, strings written as `serde_json` writes them (UTF-8, only `"`, `\`
//! and control characters escaped). The canonical bytes are rebuilt from the parsed values,
//! never taken from the file, so the file's own layout (pretty printing) does not matter.
//!
//! A file is accepted only when, in this order: it is at most [`MAX_FILE_BYTES`], it is one
//! JSON object with exactly these fields and nothing after it, its `format` is
//! [`PAIRS_FORMAT`], `publicKey` and `signature` are lower-case hex, its key is one the center trusts (`population-keys` in the data folder,
//! set with `kezek-center population trust KEY`), its signature verifies, `issuedAt` is
//! RFC 3339, and every pair has two valid, different IINs and is not twice in the file. An
//! accepted file is stored as `population.json` in the data folder (temporary file, fsync,
//! rename, fsync of the folder) and the import is a `population.import` entry of the center's
//! log (subject: the file's SHA-256, note: the number of pairs). A refused file changes
//! nothing: the previous import stays in place.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use changelog::{SigningKey, VerifyingKey, fingerprint, public_key_from_hex};
use ed25519_dalek::{Signature, Signer};
use rules::iin::{Iin, IinError};
use rules::model::Kinship;
use rules::{Instant, Lang, Localized};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::service::{Center, PopulationError};
use crate::store::CenterStore;

/// `format` of a signed pairs file.
pub const PAIRS_FORMAT: &str = "kezek-population-pairs/1";
/// The imported file in the data folder.
pub const POPULATION_FILE: &str = "population.json";
/// The registry keys the center trusts, one hex public key a line, in the data folder.
pub const KEYS_FILE: &str = "population-keys";
/// Largest pairs file read.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
/// The audit action of an import.
pub const IMPORT_ACTION: &str = "population.import";
/// The audit action of trusting a registry key.
pub const TRUST_ACTION: &str = "population.trust";

/// The demo registry file (signed with the demo key; demo data only).
pub const DEMO_FILE: &str = include_str!("../../data/population-demo.json");
/// The demo registry key's public half.
pub const DEMO_PUBLIC_KEY: &str = include_str!("../../data/population-demo.pub");

/// What the registry says about a parent and a child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkCheck {
    /// The registry lists `parent` as a parent or guardian of `child`.
    pub confirmed: bool,
    /// What the answer rests on, for the log: `registry-file:<SHA-256 of the imported file>`.
    pub evidence: String,
    /// How they are related, when confirmed (`mother`, `father`, `guardian`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kinship: Option<String>,
}

/// A population registry the parents' channel asks.
pub trait PopulationRegistry: Send + Sync {
    /// The adapter's name, for logs.
    fn name(&self) -> &'static str;
    /// Whether `parent_iin` is a parent or guardian of `child_iin`; both IINs are validated
    /// first (an invalid one is the rules' IIN error).
    fn check(&self, parent_iin: &str, child_iin: &str) -> Result<LinkCheck, RegistryError>;
}

/// Why the registry cannot answer, or why a pairs file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// No registry file was imported into the center yet.
    #[error("no population registry file has been imported")]
    NotImported,
    /// The imported file cannot be read or no longer verifies.
    #[error("the population registry is unavailable: {0}")]
    Unavailable(String),
    /// An IIN asked about is not valid.
    #[error("{0}")]
    Iin(IinError),
    /// Not a pairs file: not JSON, other fields, something after the JSON, bad hex.
    #[error("not a population pairs file: {0}")]
    Malformed(String),
    /// A file of another format or version.
    #[error("the file's format is {0:?}, expected {PAIRS_FORMAT:?}")]
    Format(String),
    /// Signed with a key the center does not trust.
    #[error("the file is signed with key {fingerprint}, which this center does not trust")]
    UntrustedKey { fingerprint: String },
    /// The signature does not match the content (altered after signing).
    #[error("the file's signature does not match its content: it was altered after signing")]
    BadSignature,
    /// A pair with an invalid IIN, the same IIN twice, or a pair listed twice.
    #[error("pair {index}: {reason}")]
    BadPair { index: usize, reason: String },
    /// The file is larger than [`MAX_FILE_BYTES`].
    #[error("the file is larger than {MAX_FILE_BYTES} bytes")]
    TooLarge,
    /// Not an ed25519 public key in hex.
    #[error("not a public key (64 hex digits): {0}")]
    BadKey(String),
    /// Reading or writing the data folder failed.
    #[error("{0}")]
    Io(String),
}

impl RegistryError {
    /// The id of this error's text in `center/locales/*/population.ftl` (`population-` and
    /// the code); `None` for an invalid IIN, whose text comes from `rules`.
    pub fn message_id(&self) -> Option<String> {
        (!matches!(self, RegistryError::Iin(_))).then(|| format!("population-{}", self.code()))
    }

    /// A stable code for the user interfaces.
    pub fn code(&self) -> &'static str {
        match self {
            RegistryError::NotImported => "REGISTRY_NOT_IMPORTED",
            RegistryError::Unavailable(_) => "REGISTRY_UNAVAILABLE",
            RegistryError::Iin(e) => e.code(),
            RegistryError::Malformed(_) => "POPULATION_MALFORMED",
            RegistryError::Format(_) => "POPULATION_FORMAT",
            RegistryError::UntrustedKey { .. } => "POPULATION_UNTRUSTED_KEY",
            RegistryError::BadSignature => "POPULATION_BAD_SIGNATURE",
            RegistryError::BadPair { .. } => "POPULATION_BAD_PAIR",
            RegistryError::TooLarge => "POPULATION_TOO_LARGE",
            RegistryError::BadKey(_) => "POPULATION_BAD_KEY",
            RegistryError::Io(_) => "POPULATION_IO",
        }
    }
}

impl Localized for RegistryError {
    fn code(&self) -> &'static str {
        RegistryError::code(self)
    }

    fn message(&self, lang: Lang) -> String {
        match self {
            RegistryError::Iin(e) => e.message(lang),
            _ => crate::i18n::text(lang, &format!("population-{}", self.code()), &[]),
        }
    }
}

/// One parent–child pair of a registry file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pair {
    pub parent: String,
    pub child: String,
    pub kinship: Kinship,
}

/// A signed pairs file as it is written.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct PairsFile {
    format: String,
    issuer: String,
    issued_at: String,
    pairs: Vec<Pair>,
    public_key: String,
    signature: String,
}

/// What is signed: the file without `signature`, fields in this order (see the module docs).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Unsigned<'a> {
    format: &'a str,
    issuer: &'a str,
    issued_at: &'a str,
    pairs: &'a [Pair],
    public_key: &'a str,
}

impl PairsFile {
    fn canonical(&self) -> Result<Vec<u8>, RegistryError> {
        let unsigned = Unsigned {
            format: &self.format,
            issuer: &self.issuer,
            issued_at: &self.issued_at,
            pairs: &self.pairs,
            public_key: &self.public_key,
        };
        serde_json::to_vec(&unsigned).map_err(|e| RegistryError::Malformed(e.to_string()))
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Signs `pairs` as `issuer` at `issued_at` (RFC 3339) with `key`: the file's bytes
/// (pretty-printed JSON and a newline).
pub fn sign(pairs: Vec<Pair>, issuer: &str, issued_at: &str, key: &SigningKey) -> Result<Vec<u8>, RegistryError> {
    let mut file = PairsFile {
        format: PAIRS_FORMAT.to_owned(),
        issuer: issuer.to_owned(),
        issued_at: issued_at.to_owned(),
        pairs,
        public_key: hex::encode(key.verifying_key().as_bytes()),
        signature: String::new(),
    };
    let signature: Signature = key.sign(&file.canonical()?);
    file.signature = hex::encode(signature.to_bytes());
    let mut bytes = serde_json::to_vec_pretty(&file).map_err(|e| RegistryError::Malformed(e.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// A verified pairs file.
#[derive(Debug, Clone)]
pub struct Verified {
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
    pub issuer: String,
    pub issued_at: String,
    /// The signing key's fingerprint.
    pub key_fingerprint: String,
    /// Kinship by (parent, child).
    pairs: HashMap<(String, String), Kinship>,
}

impl Verified {
    pub fn pair_count(&self) -> usize {
        self.pairs.len()
    }
}

/// Checks a pairs file (see the module docs for the order of the checks) against the keys
/// the center trusts.
pub fn verify(bytes: &[u8], trusted: &[VerifyingKey]) -> Result<Verified, RegistryError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(RegistryError::TooLarge);
    }
    let file: PairsFile = serde_json::from_slice(bytes).map_err(|e| RegistryError::Malformed(e.to_string()))?;
    if file.format != PAIRS_FORMAT {
        return Err(RegistryError::Format(file.format));
    }
    // Lower-case hex only: one file, one spelling (an upper-case signature would decode to
    // the same bytes and pass as another file).
    let lower_hex = |text: &str, digits: usize| {
        text.len() == digits && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    if !lower_hex(&file.public_key, 64) {
        return Err(RegistryError::Malformed("publicKey: expected 64 lower-case hex digits".into()));
    }
    if !lower_hex(&file.signature, 128) {
        return Err(RegistryError::Malformed("signature: expected 128 lower-case hex digits".into()));
    }
    let key = public_key_from_hex(&file.public_key).map_err(|e| RegistryError::Malformed(e.to_string()))?;
    if !trusted.contains(&key) {
        return Err(RegistryError::UntrustedKey { fingerprint: fingerprint(&key) });
    }
    let signature: [u8; 64] = hex::decode(&file.signature)
        .ok()
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| RegistryError::Malformed("signature: expected 128 lower-case hex digits".into()))?;
    key.verify_strict(&file.canonical()?, &Signature::from_bytes(&signature))
        .map_err(|_| RegistryError::BadSignature)?;
    chrono::DateTime::parse_from_rfc3339(&file.issued_at)
        .map_err(|e| RegistryError::Malformed(format!("issuedAt {:?}: {e}", file.issued_at)))?;
    let mut pairs = HashMap::with_capacity(file.pairs.len());
    for (index, pair) in file.pairs.into_iter().enumerate() {
        let bad = |reason: String| RegistryError::BadPair { index, reason };
        Iin::parse(&pair.parent).map_err(|e| bad(format!("parent {:?}: {} ({e})", pair.parent, e.code())))?;
        Iin::parse(&pair.child).map_err(|e| bad(format!("child {:?}: {} ({e})", pair.child, e.code())))?;
        if pair.parent == pair.child {
            return Err(bad(format!("{} is both the parent and the child", pair.parent)));
        }
        if pairs.insert((pair.parent.clone(), pair.child.clone()), pair.kinship).is_some() {
            return Err(bad(format!("{} – {} is listed twice", pair.parent, pair.child)));
        }
    }
    Ok(Verified {
        sha256: sha256_hex(bytes),
        issuer: file.issuer,
        issued_at: file.issued_at,
        key_fingerprint: fingerprint(&key),
        pairs,
    })
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> RegistryError + '_ {
    move |e| RegistryError::Io(format!("{}: {e}", path.display()))
}

/// Reads a file of at most [`MAX_FILE_BYTES`].
pub fn read_limited(path: &Path) -> Result<Vec<u8>, RegistryError> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(io_error(path))?
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error(path))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(RegistryError::TooLarge);
    }
    Ok(bytes)
}

/// Writes `bytes` beside `path`, synced ([`crate::file_swap::stage`]); [`commit_file`] puts it
/// in place.
fn stage_file(path: &Path, bytes: &[u8]) -> Result<PathBuf, RegistryError> {
    crate::file_swap::stage(path, bytes).map_err(swap_error)
}

/// Renames the staged file onto `path` and syncs the folder ([`crate::file_swap::commit`]).
fn commit_file(temp: &Path, path: &Path) -> Result<(), RegistryError> {
    crate::file_swap::commit(temp, path).map_err(swap_error)
}

fn swap_error(e: crate::file_swap::SwapError) -> RegistryError {
    io_error(&e.path)(e.source)
}

/// The registry keys trusted in the data folder `dir` (none when the list does not exist).
pub fn trusted_keys(dir: &Path) -> Result<Vec<VerifyingKey>, RegistryError> {
    let path = dir.join(KEYS_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_error(&path)(e)),
    };
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| public_key_from_hex(l).map_err(|e| RegistryError::Unavailable(format!("{}: {e}", path.display()))))
        .collect()
}

/// What trusting a key did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Trusted {
    pub public_key: String,
    pub fingerprint: String,
    /// False when the key was trusted already.
    pub added: bool,
    pub trusted_keys: usize,
}

/// Adds `public_key` (hex) to the data folder's trusted registry keys.
fn add_trusted_key(dir: &Path, public_key: &str) -> Result<Trusted, RegistryError> {
    let key = public_key_from_hex(public_key.trim()).map_err(|e| RegistryError::BadKey(e.to_string()))?;
    let mut keys = trusted_keys(dir)?;
    let added = !keys.contains(&key);
    if added {
        keys.push(key);
        let path = dir.join(KEYS_FILE);
        let text: String = keys.iter().flat_map(|k| [hex::encode(k.as_bytes()), "\n".to_owned()]).collect();
        let temp = stage_file(&path, text.as_bytes())?;
        commit_file(&temp, &path)?;
    }
    Ok(Trusted {
        public_key: hex::encode(key.as_bytes()),
        fingerprint: fingerprint(&key),
        added,
        trusted_keys: keys.len(),
    })
}

/// What an import stored.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PopulationImport {
    pub sha256: String,
    pub pairs: usize,
    pub issuer: String,
    pub issued_at: String,
    pub key_fingerprint: String,
    /// The evidence a check against this file gives.
    pub evidence: String,
    /// The audit entry's sequence number in the center's log.
    pub audit_seq: u64,
}

/// The built-in adapter: the signed pairs file imported into a data folder.
#[derive(Debug)]
pub struct SignedPairsRegistry {
    verified: Verified,
}

impl SignedPairsRegistry {
    /// The file imported into the data folder `dir`, verified again against the keys the
    /// folder trusts.
    pub fn open(dir: &Path) -> Result<Self, RegistryError> {
        let path = dir.join(POPULATION_FILE);
        if !path.exists() {
            return Err(RegistryError::NotImported);
        }
        let bytes = read_limited(&path)?;
        let verified = verify(&bytes, &trusted_keys(dir)?)
            .map_err(|e| RegistryError::Unavailable(format!("{}: {e}", path.display())))?;
        Ok(SignedPairsRegistry { verified })
    }

    /// A registry over an already verified file.
    pub fn from_verified(verified: Verified) -> Self {
        SignedPairsRegistry { verified }
    }

    pub fn sha256(&self) -> &str {
        &self.verified.sha256
    }
}

fn kinship_name(kinship: Kinship) -> String {
    serde_json::to_value(kinship).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

impl PopulationRegistry for SignedPairsRegistry {
    fn name(&self) -> &'static str {
        "signed-pairs-file"
    }

    fn check(&self, parent_iin: &str, child_iin: &str) -> Result<LinkCheck, RegistryError> {
        Iin::parse(parent_iin).map_err(RegistryError::Iin)?;
        Iin::parse(child_iin).map_err(RegistryError::Iin)?;
        let kinship = self.verified.pairs.get(&(parent_iin.to_owned(), child_iin.to_owned())).copied();
        Ok(LinkCheck {
            confirmed: kinship.is_some(),
            evidence: format!("registry-file:{}", self.verified.sha256),
            kinship: kinship.map(kinship_name),
        })
    }
}

/// A registry that cannot answer (nothing imported, or the file no longer verifies): its
/// checks validate the IINs, then give the reason.
#[derive(Debug)]
struct NoRegistry(RegistryError);

impl PopulationRegistry for NoRegistry {
    fn name(&self) -> &'static str {
        "none"
    }

    fn check(&self, parent_iin: &str, child_iin: &str) -> Result<LinkCheck, RegistryError> {
        Iin::parse(parent_iin).map_err(RegistryError::Iin)?;
        Iin::parse(child_iin).map_err(RegistryError::Iin)?;
        Err(self.0.clone())
    }
}

/// The population registry of the data folder `dir`: its imported file, or, when there is
/// none or it cannot be read, a registry whose checks answer why.
pub fn registry(dir: &Path) -> Box<dyn PopulationRegistry> {
    match SignedPairsRegistry::open(dir) {
        Ok(registry) => Box::new(registry),
        Err(e) => Box::new(NoRegistry(e)),
    }
}

impl<S: CenterStore> Center<S> {
    fn population_dir(&self) -> Result<&Path, RegistryError> {
        self.data_dir().ok_or_else(|| RegistryError::Unavailable("this center was opened without a data folder".into()))
    }

    /// The population registry the parents' channel asks (see [`registry`]).
    pub fn population(&self) -> Box<dyn PopulationRegistry> {
        match self.population_dir() {
            Ok(dir) => registry(dir),
            Err(e) => Box::new(NoRegistry(e)),
        }
    }

    /// Trusts a registry key (hex): added to `population-keys`, and a `population.trust`
    /// entry of the center's log naming `by` (subject: the key's fingerprint).
    pub fn trust_population_key(
        &mut self,
        public_key: &str,
        by: &str,
        at: Instant,
    ) -> Result<Trusted, PopulationError> {
        let dir = self.population_dir()?.to_owned();
        let trusted = add_trusted_key(&dir, public_key)?;
        if trusted.added {
            self.audit_action(by, TRUST_ACTION, &trusted.fingerprint, Some(trusted.public_key.clone()), at)?;
        }
        Ok(trusted)
    }

    /// Imports a signed pairs file (see the module docs): verified against the trusted keys,
    /// then stored as `population.json` and logged as `population.import` naming `by`. A
    /// refused file leaves the previous import in place.
    pub fn import_population(
        &mut self,
        bytes: &[u8],
        by: &str,
        at: Instant,
    ) -> Result<PopulationImport, PopulationError> {
        let dir = self.population_dir()?.to_owned();
        let verified = verify(bytes, &trusted_keys(&dir)?)?;
        let path = dir.join(POPULATION_FILE);
        let temp = stage_file(&path, bytes)?;
        let note = Some(verified.pair_count().to_string());
        let audit_seq = match self.audit_action(by, IMPORT_ACTION, &verified.sha256, note, at) {
            Ok(seq) => seq,
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                return Err(e.into());
            }
        };
        commit_file(&temp, &path)?;
        Ok(PopulationImport {
            evidence: format!("registry-file:{}", verified.sha256),
            pairs: verified.pair_count(),
            sha256: verified.sha256,
            issuer: verified.issuer,
            issued_at: verified.issued_at,
            key_fingerprint: verified.key_fingerprint,
            audit_seq,
        })
    }

    /// Trusts the demo registry key and imports the demo file (`init --demo-population`).
    pub fn import_demo_population(&mut self, by: &str, at: Instant) -> Result<PopulationImport, PopulationError> {
        self.trust_population_key(DEMO_PUBLIC_KEY.trim(), by, at)?;
        self.import_population(DEMO_FILE.as_bytes(), by, at)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_file_verifies_with_the_demo_key_and_covers_the_demo_applications() {
        let key = public_key_from_hex(DEMO_PUBLIC_KEY.trim()).unwrap();
        let verified = verify(DEMO_FILE.as_bytes(), &[key]).unwrap();
        let registry = SignedPairsRegistry::from_verified(verified);
        let apps = include_str!("../../data/demo/applications.jsonl");
        let mut registered = std::collections::HashSet::new();
        for line in apps.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let app = &v["application"];
            let (parent, child) = (app["applicant"]["iin"].as_str().unwrap(), app["childIin"].as_str().unwrap());
            let check = registry.check(parent, child).unwrap();
            assert!(check.confirmed, "{parent} {child}");
            assert_eq!(check.kinship.as_deref(), app["applicant"]["kinship"].as_str());
            registered.insert(child.to_owned());
        }
        // Some parent has a child registered nowhere besides one that is (the e2e test
        // registers the second child online).
        let mut by_parent: HashMap<&str, Vec<&str>> = HashMap::new();
        for (parent, child) in registry.verified.pairs.keys() {
            by_parent.entry(parent.as_str()).or_default().push(child.as_str());
        }
        assert!(by_parent.values().any(|children| {
            children.len() >= 2
                && children.iter().any(|c| registered.contains(*c))
                && children.iter().any(|c| !registered.contains(*c))
        }));
    }

    #[test]
    fn every_error_has_a_code_and_three_languages() {
        let all = [
            RegistryError::NotImported,
            RegistryError::Unavailable(String::new()),
            RegistryError::Iin(IinError::Checksum),
            RegistryError::Malformed(String::new()),
            RegistryError::Format(String::new()),
            RegistryError::UntrustedKey { fingerprint: String::new() },
            RegistryError::BadSignature,
            RegistryError::BadPair { index: 0, reason: String::new() },
            RegistryError::TooLarge,
            RegistryError::BadKey(String::new()),
            RegistryError::Io(String::new()),
        ];
        for e in all {
            assert!(!e.code().is_empty());
            let texts: Vec<String> = Lang::ALL.iter().map(|l| e.message(*l)).collect();
            assert!(texts.iter().all(|t| !t.is_empty()), "{e:?}");
            assert_ne!(texts[0], texts[2]);
        }
    }
}
