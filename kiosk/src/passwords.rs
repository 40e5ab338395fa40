//! Operator passwords: argon2id hashes in PHC form, kept in a local blob only (never in
//! the log, never sent to the center).

use std::collections::BTreeMap;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Environment variable that, in **debug builds only**, makes new hashes cheap so that the
/// test suite does not spend most of its time in unoptimised argon2. Release builds ignore it.
pub const INSECURE_FAST_HASH_ENV: &str = "KEZEK_INSECURE_FAST_HASH";

#[cfg(debug_assertions)]
static FAST: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Test support: in debug builds, new hashes use minimal argon2 parameters (as with
/// [`INSECURE_FAST_HASH_ENV`]). Does nothing in release builds.
#[doc(hidden)]
pub fn insecure_fast_hashing_for_tests() {
    #[cfg(debug_assertions)]
    FAST.store(true, std::sync::atomic::Ordering::Relaxed);
}

fn params() -> Params {
    #[cfg(debug_assertions)]
    if FAST.load(std::sync::atomic::Ordering::Relaxed) || std::env::var_os(INSECURE_FAST_HASH_ENV).is_some() {
        return Params::new(Params::MIN_M_COST, 1, 1, None).expect("minimal argon2 parameters are valid");
    }
    // argon2id, 19 MiB, 2 passes, 1 lane: the OWASP baseline and the crate's default.
    Params::default()
}

/// Hashes a password with a fresh random salt.
pub fn hash(password: &str) -> Result<String, String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| e.to_string())?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params())
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Checks a password against a stored PHC string (its own parameters apply).
pub fn verify(password: &str, phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else { return false };
    Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok()
}

/// A PHC string that no password matches, with the argon2 parameters most of `stored` use
/// (the current ones when there is none). Checking a password against it costs what checking
/// against a real hash of this kiosk costs, so an unknown login takes as long as a wrong
/// password (no timing oracle for which logins exist).
pub fn dummy_hash(stored: &PasswordFile) -> String {
    // 16 zero bytes of salt and 32 of output, in the PHC's unpadded base64.
    const SALT: &str = "AAAAAAAAAAAAAAAAAAAAAA";
    const OUTPUT: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for phc in stored.hashes.values() {
        if let Ok(parsed) = PasswordHash::new(phc) {
            let version = parsed.version.map_or(String::new(), |v| format!("$v={v}"));
            *counts.entry(format!("${}{version}${}", parsed.algorithm, parsed.params)).or_default() += 1;
        }
    }
    let head = counts.into_iter().max_by_key(|(_, n)| *n).map_or_else(
        || {
            let p = params();
            format!("$argon2id$v=19$m={},t={},p={}", p.m_cost(), p.t_cost(), p.p_cost())
        },
        |(head, _)| head,
    );
    format!("{head}${SALT}${OUTPUT}")
}

/// Whether a password is acceptable for a new account.
pub fn acceptable(password: &str) -> bool {
    let n = password.chars().count();
    (MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&n)
}

/// The password blob: login → PHC string.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PasswordFile {
    pub hashes: BTreeMap<String, String>,
}

impl PasswordFile {
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        serde_json::from_slice(bytes).map_err(|e| e.to_string())
    }
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("a map of strings serializes")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // A failed unwrap is a failed test.
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_argon2id() {
        let h = hash("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse", &h));
        assert!(!verify("wrong horse", &h));
        assert!(!verify("x", "not a hash"));
        assert!(acceptable("12345678"));
        assert!(!acceptable("1234567"));
    }

    #[test]
    fn the_dummy_hash_has_the_stored_parameters_and_matches_nothing() {
        let mut file = PasswordFile::default();
        // With no stored hash: the parameters of new hashes (cheap ones once a test asked).
        let current = dummy_hash(&file);
        let head = |p: &Params| format!("$argon2id$v=19$m={},t={},p={}$", p.m_cost(), p.t_cost(), p.p_cost());
        let cheap_params = Params::new(Params::MIN_M_COST, 1, 1, None).unwrap();
        assert!(
            current.starts_with(&head(&Params::default())) || current.starts_with(&head(&cheap_params)),
            "{current}"
        );
        let cheap = "$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        file.hashes.insert("a".into(), cheap.to_owned());
        file.hashes.insert("b".into(), cheap.to_owned());
        file.hashes.insert("c".into(), "$argon2id$v=19$m=16,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$AAAA".to_owned());
        let dummy = dummy_hash(&file);
        assert!(dummy.starts_with("$argon2id$v=19$m=8,t=1,p=1$"), "{dummy}");
        assert!(PasswordHash::new(&dummy).is_ok());
        for password in ["", "password", "AAAAAAAA"] {
            assert!(!verify(password, &dummy));
        }
    }
}
