//! Who may change a kiosk's operator accounts and keys: only an administrator; a new account
//! has a kiosk role, and kindergarten staff (and only they) are bound to kindergartens; an
//! administrator cannot disable their own account or the last active administrator. The
//! kiosk asks these before it writes an `operatorAdded`, `operatorDisabled` or `keyRotated`
//! entry, its screens ask [`may_administer`] which admin screens to show, and the center's
//! ingest asks them again of every such entry. Nothing else decides it.

use crate::command::Role;

/// Why an account change at a kiosk is not allowed. The kiosk shows each by its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountDenied {
    /// Accounts, keys and demo data are an administrator's.
    AdminOnly { role: Role },
    /// The new account's role is not one a kiosk has (reviewers and the center are online).
    RoleNotForKiosk { role: Role },
    /// Kindergarten staff without a kindergarten.
    KindergartensRequired,
    /// Kindergartens given for an account that is not kindergarten staff.
    KindergartensNotAllowed,
    /// An administrator disabling their own account.
    CannotDisableSelf,
    /// Disabling the last active administrator would lock everyone out of the kiosk.
    LastAdmin,
}

impl AccountDenied {
    /// Stable code (the kiosk's message catalogue is keyed by it).
    pub fn code(self) -> &'static str {
        match self {
            AccountDenied::AdminOnly { .. } => "ADMIN_ONLY",
            AccountDenied::RoleNotForKiosk { .. } => "ROLE_NOT_FOR_KIOSK",
            AccountDenied::KindergartensRequired => "KINDERGARTENS_REQUIRED",
            AccountDenied::KindergartensNotAllowed => "KINDERGARTENS_NOT_ALLOWED",
            AccountDenied::CannotDisableSelf => "CANNOT_DISABLE_SELF",
            AccountDenied::LastAdmin => "LAST_ADMIN",
        }
    }
}

/// Whether an account of `role` may do an administrator's work at a kiosk: manage accounts,
/// rotate the signing key, load demo data.
pub fn may_administer(role: Role) -> Result<(), AccountDenied> {
    if role == Role::Admin { Ok(()) } else { Err(AccountDenied::AdminOnly { role }) }
}

/// Whether accounts of `role` are bound to kindergartens (kindergarten staff only); a form
/// asks which kindergartens only then.
pub fn binds_kindergartens(role: Role) -> bool {
    role == Role::Kindergarten
}

/// Whether an account of role `by` may create an account of `role` bound to `kindergartens`.
pub fn may_add(by: Role, role: Role, kindergartens: &[String]) -> Result<(), AccountDenied> {
    may_administer(by)?;
    if !Role::AT_KIOSK.contains(&role) {
        return Err(AccountDenied::RoleNotForKiosk { role });
    }
    match (binds_kindergartens(role), kindergartens.is_empty()) {
        (true, true) => Err(AccountDenied::KindergartensRequired),
        (true, false) | (false, true) => Ok(()),
        (false, false) => Err(AccountDenied::KindergartensNotAllowed),
    }
}

/// An account as an account change sees it.
#[derive(Debug, Clone, Copy)]
pub struct AccountRef<'a> {
    pub login: &'a str,
    pub role: Role,
}

/// Whether `by` may disable `target` while `active_admins` administrators are active
/// (the target among them if it is one).
pub fn may_disable(by: AccountRef<'_>, target: AccountRef<'_>, active_admins: usize) -> Result<(), AccountDenied> {
    may_administer(by.role)?;
    if by.login == target.login {
        return Err(AccountDenied::CannotDisableSelf);
    }
    if target.role == Role::Admin && active_admins <= 1 {
        return Err(AccountDenied::LastAdmin);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(login: &str, role: Role) -> AccountRef<'_> {
        AccountRef { login, role }
    }

    #[test]
    fn only_an_administrator_adds_kiosk_accounts_with_kindergartens_for_staff_only() {
        let kg = vec!["KG1".to_owned()];
        assert_eq!(may_add(Role::Admin, Role::Operator, &[]), Ok(()));
        assert_eq!(may_add(Role::Admin, Role::Kindergarten, &kg), Ok(()));
        assert_eq!(may_add(Role::Admin, Role::Admin, &[]), Ok(()));
        for by in [Role::Operator, Role::Kindergarten, Role::Reviewer, Role::Center] {
            assert_eq!(may_add(by, Role::Operator, &[]), Err(AccountDenied::AdminOnly { role: by }));
        }
        for role in [Role::Reviewer, Role::Center] {
            assert_eq!(may_add(Role::Admin, role, &[]), Err(AccountDenied::RoleNotForKiosk { role }));
        }
        assert_eq!(may_add(Role::Admin, Role::Kindergarten, &[]), Err(AccountDenied::KindergartensRequired));
        assert_eq!(may_add(Role::Admin, Role::Operator, &kg), Err(AccountDenied::KindergartensNotAllowed));
        assert_eq!(may_add(Role::Admin, Role::Admin, &kg), Err(AccountDenied::KindergartensNotAllowed));
    }

    #[test]
    fn nobody_disables_themselves_or_the_last_administrator() {
        let admin = account("admin", Role::Admin);
        assert_eq!(may_disable(admin, account("op", Role::Operator), 1), Ok(()));
        assert_eq!(may_disable(admin, account("admin2", Role::Admin), 2), Ok(()));
        assert_eq!(may_disable(admin, account("admin", Role::Admin), 2), Err(AccountDenied::CannotDisableSelf));
        assert_eq!(may_disable(admin, account("admin2", Role::Admin), 1), Err(AccountDenied::LastAdmin));
        let operator = account("op", Role::Operator);
        assert_eq!(
            may_disable(operator, account("op2", Role::Operator), 1),
            Err(AccountDenied::AdminOnly { role: Role::Operator })
        );
    }
}
