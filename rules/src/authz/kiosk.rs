//! Who may run which command at a kiosk: center-only commands never (they are decided at
//! the center), every other command only by its role, and a kindergarten's staff only for
//! the kindergartens their account is bound to. The kiosk asks [`may`] before it writes an
//! entry; the center's ingest asks [`may_issue`] of every kiosk entry (the state an action
//! meets is known only at its place in the fold), and the fold asks [`in_scope`] there.
//! Nothing else decides it.

use crate::command::{Command, Role};
use crate::i18n::{Lang, Localized};
use crate::state::State;

/// Code of a center-only command written at a kiosk.
pub const FORBIDDEN_COMMAND: &str = "FORBIDDEN_COMMAND";
/// Code of a command whose role is not the operator's.
pub const WRONG_ROLE: &str = "WRONG_ROLE";
/// Code of places published for a kindergarten outside the operator's kindergartens.
pub const WRONG_KINDERGARTEN: &str = "WRONG_KINDERGARTEN";
/// Code of a kindergarten's action on an application directed to a kindergarten outside
/// the staff member's kindergartens.
pub const KINDERGARTEN_SCOPE: &str = "KINDERGARTEN_SCOPE";

/// The kiosk account asking.
#[derive(Debug, Clone, Copy)]
pub struct KioskActor<'a> {
    pub role: Role,
    /// The kindergartens the account is bound to (a kindergarten role's; empty otherwise).
    pub kindergartens: &'a [String],
}

/// Why a kiosk account may not run a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KioskDenied {
    /// Distribution, expiry, vouchers, reviews, the directory and the calendar are the
    /// center's (roles `Center` and `Reviewer`).
    CenterOnly { command: &'static str, required: Role },
    /// The command is another role's.
    WrongRole { command: &'static str, required: Role, role: Role },
    /// Places of a kindergarten the account is not bound to.
    WrongKindergarten { kindergarten: String },
    /// A kindergarten's action on an application directed to a kindergarten the account is
    /// not bound to.
    KindergartenScope { application: String, kindergarten: String, scope: Vec<String> },
}

/// Whether `command` is a kindergarten's, bound to the kindergartens of its staff member's
/// account (places, and a kindergarten's actions on applications directed to it).
pub fn bound_to_kindergartens(command: &Command) -> bool {
    command.required_role() == Role::Kindergarten
}

/// Refuses a center-only command, whoever asks (the center's ingest asks this before it
/// looks the operator up).
pub fn not_center_only(command: &Command) -> Result<(), KioskDenied> {
    if command.is_center_only() {
        return Err(KioskDenied::CenterOnly { command: command.name(), required: command.required_role() });
    }
    Ok(())
}

/// The part of [`may`] that needs no state: center-only commands, the role, and the
/// kindergarten of places.
pub fn may_issue(actor: &KioskActor<'_>, command: &Command) -> Result<(), KioskDenied> {
    not_center_only(command)?;
    let required = command.required_role();
    if actor.role != required {
        return Err(KioskDenied::WrongRole { command: command.name(), required, role: actor.role });
    }
    if let Command::AddPlaces { places } | Command::ReducePlaces { places } = command
        && !actor.kindergartens.contains(&places.kindergarten)
    {
        return Err(KioskDenied::WrongKindergarten { kindergarten: places.kindergarten.clone() });
    }
    Ok(())
}

/// Whether a kindergarten's action stays within `kindergartens` on `state`: an application
/// directed to another kindergarten is not theirs to act on. Other commands, applications
/// the state does not know and applications without a direction pass.
pub fn in_scope(kindergartens: &[String], command: &Command, state: &State) -> Result<(), KioskDenied> {
    if let Command::Act { application, .. } = command
        && bound_to_kindergartens(command)
        && let Some(direction) = state.application(application).and_then(|a| a.direction.as_ref())
        && !kindergartens.contains(&direction.kindergarten)
    {
        return Err(KioskDenied::KindergartenScope {
            application: application.clone(),
            kindergarten: direction.kindergarten.clone(),
            scope: kindergartens.to_vec(),
        });
    }
    Ok(())
}

/// May `actor` run `command` at a kiosk on `state`? [`may_issue`], then [`in_scope`].
pub fn may(actor: &KioskActor<'_>, command: &Command, state: &State) -> Result<(), KioskDenied> {
    may_issue(actor, command)?;
    in_scope(actor.kindergartens, command, state)
}

impl Localized for KioskDenied {
    fn code(&self) -> &'static str {
        match self {
            KioskDenied::CenterOnly { .. } => FORBIDDEN_COMMAND,
            KioskDenied::WrongRole { .. } => WRONG_ROLE,
            KioskDenied::WrongKindergarten { .. } => WRONG_KINDERGARTEN,
            KioskDenied::KindergartenScope { .. } => KINDERGARTEN_SCOPE,
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (KioskDenied::CenterOnly { command, required }, Lang::Ru) => {
                format!("Команда «{command}» выполняется не в киоске, а в центре ({})", required.text().ru)
            }
            (KioskDenied::CenterOnly { command, required }, Lang::Kk) => {
                format!("«{command}» командасы киоскта емес, орталықта орындалады ({})", required.text().kk)
            }
            (KioskDenied::CenterOnly { command, required }, Lang::En) => {
                format!("{command} is decided at the center ({} role), not at a kiosk", required.as_str())
            }
            (KioskDenied::WrongRole { command, required, role }, Lang::Ru) => {
                format!("Команда «{command}» доступна роли «{}», а у вас роль «{}»", required.text().ru, role.text().ru)
            }
            (KioskDenied::WrongRole { command, required, role }, Lang::Kk) => format!(
                "«{command}» командасы «{}» рөліне қолжетімді, ал сіздің рөліңіз «{}»",
                required.text().kk,
                role.text().kk
            ),
            (KioskDenied::WrongRole { command, required, role }, Lang::En) => {
                format!("{command} requires the {} role; the operator has {}", required.as_str(), role.as_str())
            }
            (KioskDenied::WrongKindergarten { kindergarten }, Lang::Ru) => {
                format!("Детский сад {kindergarten} не закреплён за вашей учётной записью")
            }
            (KioskDenied::WrongKindergarten { kindergarten }, Lang::Kk) => {
                format!("{kindergarten} балабақшасы сіздің тіркелгіңізге бекітілмеген")
            }
            (KioskDenied::WrongKindergarten { kindergarten }, Lang::En) => {
                format!("the operator may not publish places of {kindergarten}")
            }
            (KioskDenied::KindergartenScope { application, kindergarten, .. }, Lang::Ru) => format!(
                "Заявление {application} направлено в детский сад {kindergarten}, который не закреплён за вашей учётной записью"
            ),
            (KioskDenied::KindergartenScope { application, kindergarten, .. }, Lang::Kk) => format!(
                "{application} өтініші {kindergarten} балабақшасына жіберілген, ол сіздің тіркелгіңізге бекітілмеген"
            ),
            (KioskDenied::KindergartenScope { application, kindergarten, scope }, Lang::En) => format!(
                "the staff member may act for {} only; application {application} is directed to {kindergarten}",
                scope.join(", ")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Calendar;
    use crate::command::{Action, Event};

    fn command(json: serde_json::Value) -> Command {
        serde_json::from_value(json).expect("command")
    }

    fn register(id: &str) -> Command {
        command(serde_json::json!({"type": "register", "application": {
            "id": id, "district": "KOK", "queueType": "general", "childIin": "230510500012",
            "childName": "A", "birthDate": "2023-05-10",
            "applicant": {"iin": "900115300013", "name": "B", "kinship": "mother", "phone": "+7"},
            "residence": {"kind": "permanent", "address": "x"}, "right": "none"
        }}))
    }

    fn places(kind: &str, kindergarten: &str) -> Command {
        command(serde_json::json!({"type": kind, "places": {
            "id": "", "kindergarten": kindergarten, "language": "kk", "groupYear": 2023, "count": 1
        }}))
    }

    /// A state with application `A-1` registered and, when `directed_to` is given, directed there.
    fn state(directed_to: Option<&str>) -> State {
        let mut state = State::new(Calendar::embedded(), Vec::new());
        let now: crate::Instant = "2026-03-10T10:00:00+05:00".parse().expect("instant");
        for event in state.decide(&register("A-1"), now).expect("registers") {
            state.evolve(&event);
        }
        if let Some(kindergarten) = directed_to {
            let event: Event = serde_json::from_value(serde_json::json!({"type": "directionIssued",
                "application": "A-1", "direction": {"number": "D-1", "kindergarten": kindergarten,
                "language": "kk", "groupYear": 2023, "issuedAt": "2026-03-10T10:00:00+05:00"}}))
            .expect("event");
            state.evolve(&event);
        }
        state
    }

    fn code(result: Result<(), KioskDenied>) -> Result<(), &'static str> {
        result.map_err(|d| d.code())
    }

    #[test]
    fn center_only_commands_are_refused_to_every_kiosk_role() {
        let state = state(None);
        let issue = Command::Act { application: "A-1".into(), action: Action::IssueVoucher };
        for role in [Role::Operator, Role::Kindergarten, Role::Admin, Role::Center, Role::Reviewer] {
            let actor = KioskActor { role, kindergartens: &[] };
            assert_eq!(code(may(&actor, &Command::Tick, &state)), Err(FORBIDDEN_COMMAND), "{role:?}");
            assert_eq!(code(may(&actor, &issue, &state)), Err(FORBIDDEN_COMMAND), "{role:?}");
        }
        assert_eq!(code(not_center_only(&issue)), Err(FORBIDDEN_COMMAND));
        assert_eq!(not_center_only(&register("")), Ok(()));
        let denied = may(&KioskActor { role: Role::Operator, kindergartens: &[] }, &Command::Tick, &state)
            .expect_err("tick is the center's");
        for lang in Lang::ALL {
            assert!(denied.message(lang).contains("tick"), "{lang:?}");
        }
        assert!(denied.message(Lang::En).contains("decided at the center"));
    }

    #[test]
    fn each_command_needs_its_role() {
        let state = state(None);
        let kg = vec!["KG1".to_owned()];
        let operator = KioskActor { role: Role::Operator, kindergartens: &[] };
        let kindergarten = KioskActor { role: Role::Kindergarten, kindergartens: &kg };
        let admin = KioskActor { role: Role::Admin, kindergartens: &[] };
        assert_eq!(may(&operator, &register(""), &state), Ok(()));
        assert_eq!(code(may(&kindergarten, &register(""), &state)), Err(WRONG_ROLE));
        assert_eq!(code(may(&admin, &register(""), &state)), Err(WRONG_ROLE));
        assert_eq!(may(&kindergarten, &places("addPlaces", "KG1"), &state), Ok(()));
        assert_eq!(code(may(&operator, &places("addPlaces", "KG1"), &state)), Err(WRONG_ROLE));
        let accept = Command::Act { application: "A-1".into(), action: Action::AcceptChild };
        assert_eq!(may(&kindergarten, &accept, &state), Ok(()));
        assert_eq!(code(may(&operator, &accept, &state)), Err(WRONG_ROLE));
        let withdraw = Command::Act { application: "A-1".into(), action: Action::Withdraw };
        assert_eq!(may(&operator, &withdraw, &state), Ok(()));
        assert_eq!(code(may(&kindergarten, &withdraw, &state)), Err(WRONG_ROLE));
        let denied = may(&kindergarten, &register(""), &state).expect_err("not the kindergarten's");
        for lang in Lang::ALL {
            assert!(denied.message(lang).contains("register"), "{lang:?}");
        }
    }

    #[test]
    fn places_only_of_the_accounts_kindergartens() {
        let state = state(None);
        let kg = vec!["KG1".to_owned()];
        let actor = KioskActor { role: Role::Kindergarten, kindergartens: &kg };
        for kind in ["addPlaces", "reducePlaces"] {
            assert_eq!(may(&actor, &places(kind, "KG1"), &state), Ok(()), "{kind}");
            assert_eq!(may_issue(&actor, &places(kind, "KG1")), Ok(()), "{kind}");
            assert_eq!(code(may(&actor, &places(kind, "KG2"), &state)), Err(WRONG_KINDERGARTEN), "{kind}");
            assert_eq!(code(may_issue(&actor, &places(kind, "KG2"))), Err(WRONG_KINDERGARTEN), "{kind}");
        }
        let unbound = KioskActor { role: Role::Kindergarten, kindergartens: &[] };
        assert_eq!(code(may(&unbound, &places("addPlaces", "KG1"), &state)), Err(WRONG_KINDERGARTEN));
        let denied = may(&actor, &places("addPlaces", "KG2"), &state).expect_err("not bound");
        for lang in Lang::ALL {
            assert!(denied.message(lang).contains("KG2"), "{lang:?}");
        }
    }

    #[test]
    fn a_kindergarten_acts_only_on_applications_directed_to_its_kindergartens() {
        let kg = vec!["KG1".to_owned()];
        let actor = KioskActor { role: Role::Kindergarten, kindergartens: &kg };
        let accept = Command::Act { application: "A-1".into(), action: Action::AcceptChild };
        assert_eq!(may(&actor, &accept, &state(Some("KG1"))), Ok(()));
        assert_eq!(may(&actor, &accept, &state(None)), Ok(()), "no direction: the rules decide");
        let unknown = Command::Act { application: "NOPE".into(), action: Action::AcceptChild };
        assert_eq!(may(&actor, &unknown, &state(None)), Ok(()), "unknown: the rules refuse it");
        let elsewhere = state(Some("KG2"));
        assert_eq!(code(may(&actor, &accept, &elsewhere)), Err(KINDERGARTEN_SCOPE));
        assert_eq!(may_issue(&actor, &accept), Ok(()), "the state-free part passes");
        assert_eq!(code(in_scope(&kg, &accept, &elsewhere)), Err(KINDERGARTEN_SCOPE));
        assert_eq!(in_scope(&["KG2".to_owned()], &accept, &elsewhere), Ok(()));
        // An operator's action is not bound to kindergartens.
        let withdraw = Command::Act { application: "A-1".into(), action: Action::Withdraw };
        assert_eq!(in_scope(&kg, &withdraw, &elsewhere), Ok(()));
        assert!(!bound_to_kindergartens(&withdraw));
        assert!(bound_to_kindergartens(&accept));
        assert!(bound_to_kindergartens(&places("addPlaces", "KG1")));
        let denied = may(&actor, &accept, &elsewhere).expect_err("directed elsewhere");
        for lang in Lang::ALL {
            assert!(denied.message(lang).contains("KG2"), "{lang:?}");
        }
        assert_eq!(
            denied.message(Lang::En),
            "the staff member may act for KG1 only; application A-1 is directed to KG2"
        );
    }
}
