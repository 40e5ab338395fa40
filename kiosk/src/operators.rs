//! Operator accounts, folded from the log's `OperatorAdded` / `OperatorDisabled` entries.

use std::collections::BTreeMap;

use rules::Role;
use serde::Serialize;

/// Longest login accepted.
pub const MAX_LOGIN_CHARS: usize = 32;
/// Longest operator name accepted.
pub const MAX_OPERATOR_NAME_CHARS: usize = 200;

/// Roles a kiosk account can have (reviewer and center work at the center).
pub const KIOSK_ROLES: [Role; 3] = [Role::Operator, Role::Kindergarten, Role::Admin];

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

#[cfg(test)]
#[allow(clippy::unwrap_used)] // A failed unwrap is a failed test.
mod tests {
    use super::*;

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
