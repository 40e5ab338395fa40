//! Who of the center's staff may do what, and for which districts (seed 003: a district's
//! education department reviews its own district's refusals). The center's web console,
//! its staff API and its command line all ask [`may`]; none of them decides on its own.
//!
//! | role | may | districts |
//! |---|---|---|
//! | admin | everything | all |
//! | reviewer | see, decide reviews | its own (one or more) |
//! | distributor | see, run distribution rounds (and their dry runs) | its own (one or more) |
//! | viewer | see dashboards and reports (counts, no personal data) | its own, or all when none is given |

use serde::{Deserialize, Serialize};

use crate::i18n::{Lang, Localized, Text};

/// A center staff account's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffRole {
    /// Accounts, kiosks, reference data, quarantine, USB files, the audit trail; everything else too.
    Admin,
    /// Decides refusal reviews and refused entries of its districts.
    Reviewer,
    /// Runs distribution rounds of its districts.
    Distributor,
    /// Reads dashboards and reports.
    Viewer,
}

impl StaffRole {
    pub const ALL: [StaffRole; 4] = [StaffRole::Admin, StaffRole::Reviewer, StaffRole::Distributor, StaffRole::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Admin => "admin",
            StaffRole::Reviewer => "reviewer",
            StaffRole::Distributor => "distributor",
            StaffRole::Viewer => "viewer",
        }
    }

    /// Parses `admin`, `reviewer`, `distributor` or `viewer`.
    pub fn parse(text: &str) -> Option<Self> {
        StaffRole::ALL.into_iter().find(|r| r.as_str() == text)
    }

    pub fn text(self) -> Text {
        match self {
            StaffRole::Admin => Text::new("Администратор", "Әкімші", "Administrator"),
            StaffRole::Reviewer => {
                Text::new("Отдел образования (рассмотрение)", "Білім бөлімі (қарау)", "Reviewer (education department)")
            }
            StaffRole::Distributor => Text::new("Распределение мест", "Орындарды бөлу", "Distributor"),
            StaffRole::Viewer => Text::new("Просмотр", "Қарау ғана", "Viewer"),
        }
    }

    /// Whether accounts of this role must name the districts they work for.
    pub fn needs_districts(self) -> bool {
        matches!(self, StaffRole::Reviewer | StaffRole::Distributor)
    }
}

/// What a staff member asks to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffAction {
    /// Dashboards and reports: counts per district, kiosks' last sync; no personal data.
    ViewStats,
    /// The review queue (children's names and histories) and deciding its items.
    Review,
    /// Distribution rounds and their dry runs.
    Distribute,
    /// Registering, revoking and widening kiosks.
    ManageKiosks,
    /// Creating and disabling staff accounts.
    ManageUsers,
    /// The kindergarten directory, the working-day calendar and the population registry's
    /// imports.
    ManageReference,
    /// Deadline expiry on demand, USB bundles in, snapshot and ack files out, quarantine.
    RunCenter,
    /// The audit trail of staff actions.
    ViewAudit,
}

impl StaffAction {
    /// Whether the action is about one district (else it is region-wide).
    fn is_per_district(self) -> bool {
        matches!(self, StaffAction::ViewStats | StaffAction::Review | StaffAction::Distribute)
    }
}

/// The staff member asking.
#[derive(Debug, Clone, Copy)]
pub struct StaffActor<'a> {
    pub role: StaffRole,
    /// The districts the account is bound to.
    pub districts: &'a [String],
}

/// Why a staff member may not do something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffDenied {
    /// The role does not allow the action.
    Role { role: StaffRole, action: StaffAction },
    /// The action is about a district the account is not bound to.
    District { district: String },
    /// A reviewer or distributor account without districts.
    DistrictsRequired { role: StaffRole },
    /// An administrator disabling or demoting their own account.
    OwnAccount,
    /// The change would leave the center without an active administrator.
    LastAdmin,
}

impl StaffActor<'_> {
    /// Whether the account covers `district` (an admin covers every district; a viewer with
    /// no districts covers the whole region, read-only).
    pub fn covers(&self, district: &str) -> bool {
        match self.role {
            StaffRole::Admin => true,
            StaffRole::Viewer if self.districts.is_empty() => true,
            _ => self.districts.iter().any(|d| d == district),
        }
    }
}

/// May `actor` do `action` (about `district`, for the per-district actions)? `district`
/// `None` for a per-district action asks whether the actor may do it for some district
/// (e.g. to show the page at all).
pub fn may(actor: &StaffActor<'_>, action: StaffAction, district: Option<&str>) -> Result<(), StaffDenied> {
    let allowed = match actor.role {
        StaffRole::Admin => true,
        StaffRole::Reviewer => matches!(action, StaffAction::ViewStats | StaffAction::Review),
        StaffRole::Distributor => matches!(action, StaffAction::ViewStats | StaffAction::Distribute),
        StaffRole::Viewer => action == StaffAction::ViewStats,
    };
    if !allowed {
        return Err(StaffDenied::Role { role: actor.role, action });
    }
    if action.is_per_district()
        && let Some(district) = district
        && !actor.covers(district)
    {
        return Err(StaffDenied::District { district: district.to_owned() });
    }
    Ok(())
}

/// Checks a new or changed account: reviewers and distributors need at least one district.
pub fn check_account(role: StaffRole, districts: &[String]) -> Result<(), StaffDenied> {
    if role.needs_districts() && districts.is_empty() {
        return Err(StaffDenied::DistrictsRequired { role });
    }
    Ok(())
}

/// Checks disabling (or re-roling) `target` by `by`: not your own account, and never the
/// last active administrator. `active_admins` counts enabled admin accounts now.
pub fn check_account_removal(
    by: &str,
    target: &str,
    target_role: StaffRole,
    active_admins: usize,
) -> Result<(), StaffDenied> {
    if by == target {
        return Err(StaffDenied::OwnAccount);
    }
    if target_role == StaffRole::Admin && active_admins <= 1 {
        return Err(StaffDenied::LastAdmin);
    }
    Ok(())
}

fn action_text(action: StaffAction) -> Text {
    match action {
        StaffAction::ViewStats => Text::new("просмотр сводок", "жиынтықтарды қарау", "viewing dashboards"),
        StaffAction::Review => Text::new("рассмотрение отказов", "бас тартуларды қарау", "deciding reviews"),
        StaffAction::Distribute => Text::new("распределение мест", "орындарды бөлу", "distribution rounds"),
        StaffAction::ManageKiosks => Text::new("управление киосками", "киосктарды басқару", "managing kiosks"),
        StaffAction::ManageUsers => {
            Text::new("управление пользователями", "пайдаланушыларды басқару", "managing staff accounts")
        }
        StaffAction::ManageReference => {
            Text::new("справочники и календарь", "анықтамалықтар мен күнтізбе", "the directory and the calendar")
        }
        StaffAction::RunCenter => Text::new("работа центра", "орталық жұмысы", "running the center"),
        StaffAction::ViewAudit => Text::new("журнал действий", "әрекеттер журналы", "the audit trail"),
    }
}

impl Localized for StaffDenied {
    fn code(&self) -> &'static str {
        match self {
            StaffDenied::Role { .. } => "FORBIDDEN_ROLE",
            StaffDenied::District { .. } => super::OUT_OF_DISTRICT,
            StaffDenied::DistrictsRequired { .. } => "DISTRICTS_REQUIRED",
            StaffDenied::OwnAccount => "OWN_ACCOUNT",
            StaffDenied::LastAdmin => "LAST_ADMIN",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (StaffDenied::Role { role, action }, Lang::Ru) => {
                format!("Роль «{}» не допускает: {}.", role.text().ru, action_text(*action).ru)
            }
            (StaffDenied::Role { role, action }, Lang::Kk) => {
                format!("«{}» рөліне рұқсат жоқ: {}.", role.text().kk, action_text(*action).kk)
            }
            (StaffDenied::Role { role, action }, Lang::En) => {
                format!("The role “{}” does not allow {}.", role.text().en, action_text(*action).en)
            }
            (StaffDenied::District { district }, Lang::Ru) => {
                format!("Район {district} не закреплён за вашей учётной записью.")
            }
            (StaffDenied::District { district }, Lang::Kk) => {
                format!("{district} ауданы сіздің есептік жазбаңызға бекітілмеген.")
            }
            (StaffDenied::District { district }, Lang::En) => {
                format!("District {district} is not one of your account's districts.")
            }
            (StaffDenied::DistrictsRequired { role }, Lang::Ru) => {
                format!("Для роли «{}» укажите хотя бы один район.", role.text().ru)
            }
            (StaffDenied::DistrictsRequired { role }, Lang::Kk) => {
                format!("«{}» рөлі үшін кемінде бір ауданды көрсетіңіз.", role.text().kk)
            }
            (StaffDenied::DistrictsRequired { role }, Lang::En) => {
                format!("A “{}” account needs at least one district.", role.text().en)
            }
            (StaffDenied::OwnAccount, _) => Text::new(
                "Нельзя отключить или изменить собственную учётную запись.",
                "Өз есептік жазбаңызды өшіруге немесе өзгертуге болмайды.",
                "You cannot disable or change your own account.",
            )
            .get(lang)
            .to_owned(),
            (StaffDenied::LastAdmin, _) => Text::new(
                "Это последний действующий администратор центра.",
                "Бұл орталықтың соңғы белсенді әкімшісі.",
                "This is the center's last active administrator.",
            )
            .get(lang)
            .to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: StaffRole, districts: &[String]) -> StaffActor<'_> {
        StaffActor { role, districts }
    }

    #[test]
    fn each_role_may_do_its_own_work_only() {
        let kok = vec!["KOK".to_owned()];
        let reviewer = actor(StaffRole::Reviewer, &kok);
        assert!(may(&reviewer, StaffAction::Review, Some("KOK")).is_ok());
        assert_eq!(may(&reviewer, StaffAction::Review, Some("ZER")).map_err(|e| e.code()), Err("OUT_OF_DISTRICT"));
        assert_eq!(may(&reviewer, StaffAction::Distribute, Some("KOK")).map_err(|e| e.code()), Err("FORBIDDEN_ROLE"));
        let distributor = actor(StaffRole::Distributor, &kok);
        assert!(may(&distributor, StaffAction::Distribute, Some("KOK")).is_ok());
        assert!(may(&distributor, StaffAction::Review, Some("KOK")).is_err());
        assert!(may(&distributor, StaffAction::Distribute, Some("ZER")).is_err());
        let viewer = actor(StaffRole::Viewer, &[]);
        assert!(may(&viewer, StaffAction::ViewStats, Some("ZER")).is_ok());
        assert!(may(&viewer, StaffAction::Review, Some("ZER")).is_err());
        let admin = actor(StaffRole::Admin, &[]);
        for action in [StaffAction::ManageUsers, StaffAction::Review, StaffAction::RunCenter, StaffAction::ViewAudit] {
            assert!(may(&admin, action, Some("ZER")).is_ok());
        }
        for role in [StaffRole::Reviewer, StaffRole::Distributor, StaffRole::Viewer] {
            for action in [StaffAction::ManageUsers, StaffAction::ManageKiosks, StaffAction::ViewAudit] {
                assert!(may(&actor(role, &kok), action, None).is_err(), "{role:?} {action:?}");
            }
        }
    }

    #[test]
    fn accounts_and_their_removal() {
        assert!(check_account(StaffRole::Reviewer, &[]).is_err());
        assert!(check_account(StaffRole::Viewer, &[]).is_ok());
        assert_eq!(check_account_removal("a", "a", StaffRole::Viewer, 2), Err(StaffDenied::OwnAccount));
        assert_eq!(check_account_removal("a", "b", StaffRole::Admin, 1), Err(StaffDenied::LastAdmin));
        assert!(check_account_removal("a", "b", StaffRole::Admin, 2).is_ok());
        for lang in Lang::ALL {
            assert!(!StaffDenied::LastAdmin.message(lang).is_empty());
        }
    }
}
