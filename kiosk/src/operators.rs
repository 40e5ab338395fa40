//! Operator accounts, folded from the log's `OperatorAdded` / `OperatorDisabled` entries.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rules::{Instant, Role};
use serde::{Deserialize, Serialize};

use crate::errors::LoginError;
use crate::passwords::{self, PasswordFile};
use crate::store::{create_private_dir, write_atomically};

/// Longest login accepted.
pub const MAX_LOGIN_CHARS: usize = 32;
/// Longest operator name accepted.
pub const MAX_OPERATOR_NAME_CHARS: usize = 200;

/// `a-z 0-9 . _ -`, 2–32 characters, starting with a letter or digit.
pub fn valid_login(login: &str) -> bool {
    (2..=MAX_LOGIN_CHARS).contains(&login.len())
        && login.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
        && login.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
}

pub fn valid_operator_name(name: &str) -> bool {
    !name.trim().is_empty() && name.chars().count() <= MAX_OPERATOR_NAME_CHARS
}

/// What an administrator enters to create an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOperator {
    pub login: String,
    pub name: String,
    pub role: Role,
    /// Kindergarten ids, for the `kindergarten` role only (at least one).
    pub kindergartens: Vec<String>,
}

/// An account as the log tells it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperatorInfo {
    pub login: String,
    pub name: String,
    pub role: Role,
    pub kindergartens: Vec<String>,
    pub active: bool,
    /// Sequence number and kiosk time of the entry that created it, and who did.
    pub added_seq: u64,
    pub added_at: String,
    pub added_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_by: Option<String>,
}

/// Every account ever created on this kiosk (logins are never reused).
#[derive(Debug, Clone, Default)]
pub struct Operators {
    by_login: BTreeMap<String, OperatorInfo>,
}

impl Operators {
    pub fn get(&self, login: &str) -> Option<&OperatorInfo> {
        self.by_login.get(login)
    }
    pub fn all(&self) -> impl Iterator<Item = &OperatorInfo> {
        self.by_login.values()
    }
    pub fn active_admins(&self) -> usize {
        self.by_login.values().filter(|o| o.active && o.role == Role::Admin).count()
    }
    /// The accounts a checkpoint kept (`service/checkpoint/`).
    pub(crate) fn from_accounts(accounts: impl IntoIterator<Item = OperatorInfo>) -> Self {
        Operators { by_login: accounts.into_iter().map(|o| (o.login.clone(), o)).collect() }
    }
    pub(crate) fn added(&mut self, info: OperatorInfo) {
        self.by_login.insert(info.login.clone(), info);
    }
    pub(crate) fn disabled(&mut self, login: &str, seq: u64, at: &str, by: &str) {
        if let Some(o) = self.by_login.get_mut(login) {
            o.active = false;
            o.disabled_seq = Some(seq);
            o.disabled_at = Some(at.to_owned());
            o.disabled_by = Some(by.to_owned());
        }
    }
}

/// A logged-in operator. Made only by [`crate::Kiosk::login`]; the kiosk re-checks that
/// the account is still active on every command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    login: String,
    name: String,
    role: Role,
    kindergartens: Vec<String>,
}

impl Session {
    pub(crate) fn of(info: &OperatorInfo) -> Self {
        Session {
            login: info.login.clone(),
            name: info.name.clone(),
            role: info.role,
            kindergartens: info.kindergartens.clone(),
        }
    }
    pub fn login(&self) -> &str {
        &self.login
    }
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn role(&self) -> Role {
        self.role
    }
    pub fn kindergartens(&self) -> &[String] {
        &self.kindergartens
    }
}

// ----------------------------------------------------------------- login throttling

/// Failed attempts in a row that are not delayed.
pub const FREE_FAILURES: u32 = 3;
/// The longest delay between two attempts for one login, in seconds.
pub const MAX_DELAY_SECONDS: u64 = 60;
/// Where the failure counts are kept, inside the data folder (local only, not in the log).
pub const THROTTLE_FILE: &str = "local/login-throttle.json";
/// Logins remembered at most; beyond that the one whose last failure is oldest is forgotten
/// (each entry costs an attacker a full password check, so the file stays small).
const MAX_TRACKED_LOGINS: usize = 4096;
/// Longer strings are never valid logins; they are tracked under their first characters.
const MAX_KEY_CHARS: usize = 64;

/// The delay, in seconds, enforced after `failures` failed attempts in a row:
/// 0 for the first [`FREE_FAILURES`], then 1, 2, 4, 8 … capped at [`MAX_DELAY_SECONDS`].
pub fn delay_after(failures: u32) -> u64 {
    match failures.checked_sub(FREE_FAILURES + 1) {
        None => 0,
        Some(doublings) => 1u64.checked_shl(doublings).unwrap_or(u64::MAX).min(MAX_DELAY_SECONDS),
    }
}

/// One login's failed attempts in a row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Failures {
    pub count: u32,
    /// Kiosk time of the last failure, milliseconds since the Unix epoch.
    pub last_ms: i64,
}

/// The failure counts of every login that failed lately (known and unknown logins alike),
/// kept in [`THROTTLE_FILE`] so that restarting the kiosk does not reset them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginThrottle {
    pub failures: BTreeMap<String, Failures>,
}

fn throttle_key(login: &str) -> String {
    login.chars().take(MAX_KEY_CHARS).collect()
}

impl LoginThrottle {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join(THROTTLE_FILE)
    }

    /// The counts kept in `data_dir` (none when the file is missing or unreadable).
    pub fn load(data_dir: &Path) -> Self {
        std::fs::read(Self::path(data_dir))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Replaces the file atomically (fsync'ed).
    pub fn save(&self, data_dir: &Path) -> std::io::Result<()> {
        let path = Self::path(data_dir);
        if let Some(dir) = path.parent() {
            create_private_dir(dir)?;
        }
        write_atomically(&path, &serde_json::to_vec(self).expect("a map of numbers serializes"))
    }

    /// Seconds `login` must still wait at `now` before its next attempt is checked (0: now).
    /// A clock set back never makes the wait longer than the delay itself.
    pub fn wait_seconds(&self, login: &str, now: &Instant) -> u64 {
        let Some(f) = self.failures.get(&throttle_key(login)) else { return 0 };
        let delay_ms = i64::try_from(delay_after(f.count).saturating_mul(1000)).unwrap_or(i64::MAX);
        let remaining = f.last_ms.saturating_add(delay_ms).saturating_sub(now.0.timestamp_millis()).clamp(0, delay_ms);
        u64::try_from(remaining).unwrap_or(0).div_ceil(1000)
    }

    /// Counts a failed attempt of `login` at `now`.
    pub fn failed(&mut self, login: &str, now: &Instant) {
        let key = throttle_key(login);
        if !self.failures.contains_key(&key) && self.failures.len() >= MAX_TRACKED_LOGINS {
            let oldest = self.failures.iter().min_by_key(|(_, f)| f.last_ms).map(|(k, _)| k.clone());
            if let Some(oldest) = oldest {
                self.failures.remove(&oldest);
            }
        }
        let f = self.failures.entry(key).or_default();
        f.count = f.count.saturating_add(1);
        f.last_ms = now.0.timestamp_millis();
    }

    /// A successful login: its count starts again. True if there was one.
    pub fn succeeded(&mut self, login: &str) -> bool {
        self.failures.remove(&throttle_key(login)).is_some()
    }
}

/// Checks a login at `now`, throttled per login and with the same work for unknown logins
/// as for wrong passwords. What [`crate::Kiosk::login`] runs.
///
/// 1. During a lock-out the attempt is refused unchecked with [`LoginError::Throttled`].
/// 2. The password is checked with argon2id against the account's hash, or, for a login
///    without one, against [`passwords::dummy_hash`] with the same parameters.
/// 3. A failure is counted in [`THROTTLE_FILE`] (known and unknown logins alike); a
///    success clears the login's count.
pub(crate) fn check_login(
    data_dir: &Path,
    operators: &Operators,
    hashes: &PasswordFile,
    login: &str,
    password: &str,
    now: &Instant,
) -> Result<Session, LoginError> {
    let mut throttle = LoginThrottle::load(data_dir);
    let wait_seconds = throttle.wait_seconds(login, now);
    if wait_seconds > 0 {
        return Err(LoginError::Throttled { wait_seconds });
    }
    let account = operators.get(login).zip(hashes.hashes.get(login));
    let verified = if let Some((_, hash)) = account {
        passwords::verify(password, hash)
    } else {
        // Same cost as a wrong password; the result does not matter.
        let _ = passwords::verify(password, &passwords::dummy_hash(hashes));
        false
    };
    let Some((info, _)) = account.filter(|_| verified) else {
        throttle.failed(login, now);
        // A count that cannot be written (full disk) still refuses this attempt.
        let _ = throttle.save(data_dir);
        return Err(LoginError::Failed);
    };
    if throttle.succeeded(login) {
        let _ = throttle.save(data_dir);
    }
    if !info.active {
        return Err(LoginError::Disabled { login: login.to_owned() });
    }
    Ok(Session::of(info))
}

/// Seconds `login` must wait before its next attempt is checked on `kiosk` (0: now), for a
/// GUI that counts down instead of letting the operator press the button in vain.
pub fn login_wait_seconds(kiosk: &crate::Kiosk, login: &str) -> u64 {
    LoginThrottle::load(kiosk.data_dir()).wait_seconds(login, &kiosk.now())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // A failed unwrap is a failed test.
mod tests {
    use super::*;

    #[test]
    fn the_delay_doubles_after_three_failures_up_to_a_minute() {
        let delays: Vec<u64> = (0..=12).map(delay_after).collect();
        assert_eq!(delays, [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(delay_after(u32::MAX), MAX_DELAY_SECONDS);
    }

    #[test]
    fn waits_count_down_and_a_clock_set_back_waits_no_longer_than_the_delay() {
        let at = |ms: i64| Instant(chrono::DateTime::from_timestamp_millis(ms).unwrap().fixed_offset());
        let mut t = LoginThrottle::default();
        for _ in 0..6 {
            t.failed("op", &at(1_000_000));
        }
        assert_eq!(t.wait_seconds("op", &at(1_000_000)), 4);
        assert_eq!(t.wait_seconds("op", &at(1_002_500)), 2);
        assert_eq!(t.wait_seconds("op", &at(1_004_000)), 0);
        assert_eq!(t.wait_seconds("op", &at(0)), 4);
        assert_eq!(t.wait_seconds("other", &at(1_000_000)), 0);
        assert_eq!(t.wait_seconds(&"x".repeat(1000), &at(1_000_000)), 0);
        assert!(t.succeeded("op"));
        assert_eq!(t.wait_seconds("op", &at(1_000_000)), 0);
    }

    #[test]
    fn logins() {
        for good in ["admin", "a.bekova", "op_01", "kg-kok-01", "aa"] {
            assert!(valid_login(good), "{good}");
        }
        for bad in ["", "a", "Admin", "-op", "оператор", "a b", &"x".repeat(33)] {
            assert!(!valid_login(bad), "{bad}");
        }
    }
}
