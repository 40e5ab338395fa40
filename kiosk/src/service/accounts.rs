//! Operator accounts at the kiosk: logging in, and the administrator's account changes
//! (add, disable), each a signed `operatorAdded` / `operatorDisabled` entry. The account
//! model and the password checks themselves are in [`crate::operators`] and
//! [`crate::passwords`].

use changelog::Payload;
use rules::authz::accounts::{self, AccountRef};

use super::{Kiosk, Receipt};
use crate::errors::{AppendError, LoginError, OperatorError};
use crate::operators::{self, NewOperator, OperatorInfo, Session};
use crate::passwords;
use crate::projection::Pending;
use crate::store::Blob;

impl Kiosk {
    /// Checks a login and password (argon2id); the session is re-checked on every command.
    /// Throttled per login after failures, with the same work for unknown logins
    /// ([`operators::check_login`]).
    pub fn login(&self, login: &str, password: &str) -> Result<Session, LoginError> {
        operators::check_login(&self.layout.root, &self.model.operators, &self.passwords, login, password, &self.now())
    }

    /// Every account, active or not, by login.
    pub fn operators(&self) -> Vec<OperatorInfo> {
        self.model.operators.all().cloned().collect()
    }

    pub(super) fn check_session(&self, session: &Session) -> Result<(), AppendError> {
        match self.model.operators.get(session.login()) {
            Some(info) if info.active && info.role == session.role() => Ok(()),
            _ => Err(AppendError::SessionRevoked { login: session.login().to_owned() }),
        }
    }

    /// Creates an account (administrators only). The password hash is stored locally,
    /// durably, before the log entry; the entry carries no hash.
    pub fn add_operator(
        &mut self,
        admin: &Session,
        new: &NewOperator,
        password: &str,
    ) -> Result<Receipt, OperatorError> {
        self.check_session(admin).map_err(OperatorError::Append)?;
        accounts::may_administer(admin.role())?;
        if !operators::valid_login(&new.login) {
            return Err(OperatorError::BadLogin { login: new.login.clone() });
        }
        if !operators::valid_operator_name(&new.name) {
            return Err(OperatorError::BadName);
        }
        let mut kindergartens = new.kindergartens.clone();
        kindergartens.sort();
        kindergartens.dedup();
        accounts::may_add(admin.role(), new.role, &kindergartens)?;
        if !kindergartens.is_empty() && self.model.state.kindergartens().next().is_none() {
            return Err(OperatorError::NoDirectory);
        }
        if let Some(unknown) = kindergartens.iter().find(|k| self.model.state.kindergarten(k).is_none()) {
            return Err(OperatorError::UnknownKindergarten { id: unknown.clone() });
        }
        if self.model.operators.get(&new.login).is_some() {
            return Err(OperatorError::LoginTaken { login: new.login.clone() });
        }
        if !passwords::acceptable(password) {
            return Err(OperatorError::WeakPassword);
        }
        self.writable().map_err(OperatorError::Append)?;
        let hash = passwords::hash(password).map_err(OperatorError::Hash)?;
        let mut updated = self.passwords.clone();
        updated.hashes.insert(new.login.clone(), hash);
        self.store
            .write_blob(Blob::Passwords, &updated.to_bytes())
            .map_err(|e| OperatorError::Append(AppendError::Storage(e)))?;
        self.passwords = updated;
        let payload = Payload::OperatorAdded {
            login: new.login.clone(),
            name: new.name.trim().to_owned(),
            role: new.role,
            kindergartens,
        };
        self.append_operator_change(admin, &payload, &new.login).map_err(OperatorError::Append)
    }

    /// Disables an account (administrators only; not oneself, not the last administrator).
    pub fn disable_operator(&mut self, admin: &Session, login: &str) -> Result<Receipt, OperatorError> {
        self.check_session(admin).map_err(OperatorError::Append)?;
        accounts::may_administer(admin.role())?;
        let info =
            self.model.operators.get(login).ok_or_else(|| OperatorError::UnknownLogin { login: login.to_owned() })?;
        if !info.active {
            return Err(OperatorError::AlreadyDisabled { login: login.to_owned() });
        }
        let by = AccountRef { login: admin.login(), role: admin.role() };
        accounts::may_disable(by, AccountRef { login, role: info.role }, self.model.operators.active_admins())?;
        let payload = Payload::OperatorDisabled { login: login.to_owned() };
        self.append_operator_change(admin, &payload, login).map_err(OperatorError::Append)
    }

    pub(super) fn append_operator_change(
        &mut self,
        admin: &Session,
        payload: &Payload,
        login: &str,
    ) -> Result<Receipt, AppendError> {
        let now = self.now();
        let record = self.encode(admin.login(), payload, now, self.last_seq + 1, self.last_hash)?;
        self.append_records(&record.0)?;
        let seq = self.commit_position(record.1, &record.0);
        let at = now.to_string();
        self.model.apply_operator_change(payload, seq, &at, admin.login());
        let mut pending = Pending::default();
        pending.entry(seq, &self.identity.kiosk_id, &at, admin.login(), None, &[]);
        for batch in pending.into_batches(&self.model.state, usize::MAX) {
            self.project(batch);
        }
        let command = match payload {
            Payload::OperatorAdded { .. } => "operatorAdded",
            Payload::KeyRotated { .. } => "keyRotated",
            _ => "operatorDisabled",
        };
        Ok(Receipt {
            seq,
            id: login.to_owned(),
            command: command.to_owned(),
            at: now,
            operator: admin.login().to_owned(),
            events: Vec::new(),
        })
    }
}
