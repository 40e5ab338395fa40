//! The center's staff accounts and their sessions: argon2id passwords, who may do what
//! (asked of `rules::authz::staff`), sessions that expire. Every change to an account is
//! an entry in the center's own log naming who made it.

use std::sync::OnceLock;

use rules::Instant;
use rules::authz::staff::{self, StaffAction, StaffActor, StaffDenied, StaffRole};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::service::{AccountError, BadCredentials, Center, Invalid, Missing, SetupFailure};
use crate::store::{CenterOperator, CenterStore, SessionRecord, StoreError};

/// Bytes of randomness in a session token and a CSRF token.
const TOKEN_BYTES: usize = 32;

/// The shortest password a staff account may have.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// A staff account as shown (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffUser {
    pub login: String,
    pub name: String,
    pub role: StaffRole,
    #[serde(default)]
    pub districts: Vec<String>,
    pub created_at: Instant,
    #[serde(default)]
    pub disabled: bool,
}

impl StaffUser {
    fn of(operator: &CenterOperator) -> Self {
        StaffUser {
            login: operator.login.clone(),
            name: operator.name.clone(),
            role: operator.role,
            districts: operator.districts.clone(),
            created_at: operator.created_at,
            disabled: operator.disabled,
        }
    }

    /// The account as the rules see it.
    pub fn actor(&self) -> StaffActor<'_> {
        StaffActor { role: self.role, districts: &self.districts }
    }

    /// Whether the account covers `district` (see `rules::authz::staff`).
    pub fn covers(&self, district: &str) -> bool {
        self.actor().covers(district)
    }
}

/// A new account.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewUser {
    pub login: String,
    pub name: String,
    pub role: StaffRole,
    #[serde(default)]
    pub districts: Vec<String>,
    pub password: String,
}

/// A session just opened: the token goes to the client once and is never stored.
#[derive(Debug, Clone)]
pub struct OpenedSession {
    pub token: String,
    pub record: SessionRecord,
    pub user: StaffUser,
}

pub(crate) fn hash_password(password: &str) -> Result<String, SetupFailure> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(SetupFailure::Randomness)?;
    let salt = SaltString::encode_b64(&salt).map_err(SetupFailure::PasswordHash)?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(SetupFailure::PasswordHash)
}

fn verify_password(hash: &str, password: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash).is_ok_and(|h| argon2::Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash no password matches, checked for unknown logins so that a wrong login takes as
/// long as a wrong password (no probing for which logins exist).
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("kezek-no-such-account").unwrap_or_default())
}

pub(crate) fn random_token() -> Result<String, SetupFailure> {
    let mut bytes = [0u8; TOKEN_BYTES];
    getrandom::fill(&mut bytes).map_err(SetupFailure::Randomness)?;
    Ok(hex::encode(bytes))
}

/// The stored form of a session token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn valid_login(login: &str) -> bool {
    !login.is_empty()
        && login.len() <= 64
        && login.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

impl<S: CenterStore> Center<S> {
    /// May `user` do `action` (about `district`)? The answer is the rules'.
    pub fn allow(&self, user: &StaffUser, action: StaffAction, district: Option<&str>) -> Result<(), StaffDenied> {
        staff::may(&user.actor(), action, district)
    }

    /// Every account, enabled and disabled.
    pub fn users(&self) -> Vec<StaffUser> {
        self.operators.values().map(StaffUser::of).collect()
    }

    pub fn user(&self, login: &str) -> Option<StaffUser> {
        self.operators.get(login).map(StaffUser::of)
    }

    fn active_admins(&self) -> usize {
        self.operators.values().filter(|o| o.role == StaffRole::Admin && !o.disabled).count()
    }

    /// Creates an account (`by`: the admin's login, or `center` on the data folder's command
    /// line); an entry in the center's log.
    pub fn add_user(&mut self, by: &str, user: NewUser, at: Instant) -> Result<StaffUser, AccountError> {
        if !valid_login(&user.login) {
            return Err(Invalid::Login(user.login).into());
        }
        if user.name.trim().is_empty() || user.name.chars().count() > 200 {
            return Err(Invalid::Name.into());
        }
        if self.operators.contains_key(&user.login) {
            return Err(Invalid::LoginTaken(user.login).into());
        }
        if user.password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(Invalid::WeakPassword.into());
        }
        let mut districts = user.districts;
        districts.sort();
        districts.dedup();
        for district in &districts {
            self.check_district(district)?;
        }
        staff::check_account(user.role, &districts)?;
        let operator = CenterOperator {
            login: user.login,
            name: user.name.trim().to_owned(),
            role: user.role,
            districts,
            password_hash: hash_password(&user.password)?,
            created_at: at,
            disabled: false,
        };
        self.store.put_operator(&operator)?;
        self.operators.insert(operator.login.clone(), operator.clone());
        let note = format!("{} {}", operator.role.as_str(), operator.districts.join(","));
        self.audit_action(by, "user.add", &operator.login, Some(note.trim().to_owned()), at)?;
        Ok(StaffUser::of(&operator))
    }

    /// Disables an account (not your own, never the last admin) and ends its sessions.
    pub fn disable_user(&mut self, by: &str, login: &str, at: Instant) -> Result<StaffUser, AccountError> {
        let target = self.operators.get(login).cloned().ok_or_else(|| Missing::Account(login.to_owned()))?;
        if target.disabled {
            return Ok(StaffUser::of(&target));
        }
        staff::check_account_removal(by, login, target.role, self.active_admins())?;
        let disabled = CenterOperator { disabled: true, ..target };
        self.store.put_operator(&disabled)?;
        self.operators.insert(login.to_owned(), disabled.clone());
        let ended: Vec<String> =
            self.sessions.values().filter(|s| s.login == login).map(|s| s.token_hash.clone()).collect();
        for hash in ended {
            self.store.remove_session(&hash)?;
            self.sessions.remove(&hash);
        }
        self.audit_action(by, "user.disable", login, None, at)?;
        Ok(StaffUser::of(&disabled))
    }

    /// Checks a login and password (an unknown login costs the same time as a wrong password).
    pub fn check_password(&self, login: &str, password: &str) -> Result<StaffUser, BadCredentials> {
        match self.operators.get(login) {
            Some(o) if verify_password(&o.password_hash, password) && !o.disabled => Ok(StaffUser::of(o)),
            Some(_) => Err(BadCredentials),
            None => {
                let _ = verify_password(dummy_hash(), password);
                Err(BadCredentials)
            }
        }
    }

    /// Signs a staff member in for `lifetime`: a new session (stored, so that a restart keeps it).
    pub fn open_session(
        &mut self,
        login: &str,
        password: &str,
        now: Instant,
        lifetime: std::time::Duration,
    ) -> Result<OpenedSession, AccountError> {
        let user = self.check_password(login, password)?;
        let lifetime = chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::hours(12));
        let (token, record) = self.start_session::<AccountError>(user.login.clone(), now, lifetime)?;
        Ok(OpenedSession { token, record, user })
    }

    /// A new session for `login` (a staff login, or a parent's channel name) from `now` for
    /// `lifetime`, stored so that a restart keeps it, with its CSRF token; sessions expired
    /// by `now` are removed first. Returns the token (given out once, kept only hashed).
    pub(crate) fn start_session<E: From<StoreError> + From<SetupFailure>>(
        &mut self,
        login: String,
        now: Instant,
        lifetime: chrono::Duration,
    ) -> Result<(String, SessionRecord), E> {
        let expired: Vec<String> =
            self.sessions.values().filter(|s| s.expires_at <= now).map(|s| s.token_hash.clone()).collect();
        for hash in expired {
            self.store.remove_session(&hash)?;
            self.sessions.remove(&hash);
        }
        let token = random_token()?;
        let record = SessionRecord {
            token_hash: token_hash(&token),
            login,
            created_at: now,
            expires_at: Instant(now.0 + lifetime),
            csrf: random_token()?,
        };
        self.store.put_session(&record)?;
        self.sessions.insert(record.token_hash.clone(), record.clone());
        Ok((token, record))
    }

    /// The session of `token` at `now`, with its account: none when unknown, expired, or the
    /// account was disabled since.
    pub fn session(&self, token: &str, now: Instant) -> Option<(SessionRecord, StaffUser)> {
        let record = self.sessions.get(&token_hash(token))?;
        if record.expires_at <= now {
            return None;
        }
        let operator = self.operators.get(&record.login).filter(|o| !o.disabled)?;
        Some((record.clone(), StaffUser::of(operator)))
    }

    /// Ends a session (sign-out).
    pub fn close_session(&mut self, token: &str) -> Result<(), StoreError> {
        let hash = token_hash(token);
        if self.sessions.remove(&hash).is_some() {
            self.store.remove_session(&hash)?;
        }
        Ok(())
    }
}
