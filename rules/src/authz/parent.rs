//! What a parent may do online (seeds 001, 002 and 004): act only on applications of
//! children linked to them, register only a linked child with themselves as the applicant,
//! and only with the parent's own actions. The center's parents' channel asks [`may`] before
//! it writes an entry and again when it ingests that entry; the portal shows
//! [`parent_actions`]. Nothing else decides it.

use crate::command::{ActionKind, Command};
use crate::i18n::{Lang, Localized, Text};
use crate::model::Application;
use crate::state::State;

/// The id of the parents' channel as a source of signed entries (its log, its
/// registration numbers `<district>-WEB-<year>-<n>`). No kiosk may take it.
pub const CHANNEL_ID: &str = "WEB";

/// What a parent may do to their own child's application: confirm interest, restore, extend,
/// choose and sign, refuse the voucher, withdraw. Everything else is the office's, the
/// kindergarten's or the center's.
pub const PARENT_ACTIONS: [ActionKind; 6] = [
    ActionKind::ConfirmVoucher,
    ActionKind::RestoreVoucher,
    ActionKind::ExtendChoice,
    ActionKind::ChooseKindergarten,
    ActionKind::RefuseVoucher,
    ActionKind::Withdraw,
];

/// A signed-in parent: their IIN and the children linked to them.
#[derive(Debug, Clone, Copy)]
pub struct ParentActor<'a> {
    pub iin: &'a str,
    pub children: &'a [String],
}

/// Why a parent may not do something.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParentDenied {
    /// The child is not linked to this parent.
    NotLinked { child: String },
    /// The application is not known (or not one of the parent's).
    UnknownApplication { id: String },
    /// A registration naming someone else as the applicant.
    NotApplicant,
    /// An action or command parents do not take online.
    NotParentAction { what: String },
}

impl ParentActor<'_> {
    fn linked(&self, child: &str) -> bool {
        self.children.iter().any(|c| c == child)
    }

    /// Whether the parent may see `app` (their linked child's).
    pub fn sees(&self, app: &Application) -> bool {
        self.linked(&app.child.iin)
    }
}

/// May `actor` run `command` on `state`? Unknown applications are refused here (a parent
/// never learns whether someone else's registration number exists).
pub fn may(actor: &ParentActor<'_>, command: &Command, state: &State) -> Result<(), ParentDenied> {
    match command {
        Command::Register { application } => {
            if !actor.linked(&application.child_iin) {
                return Err(ParentDenied::NotLinked { child: application.child_iin.clone() });
            }
            if application.applicant.iin != actor.iin {
                return Err(ParentDenied::NotApplicant);
            }
            Ok(())
        }
        Command::Act { application, action } => {
            let app = state
                .application(application)
                .filter(|a| actor.sees(a))
                .ok_or_else(|| ParentDenied::UnknownApplication { id: application.clone() })?;
            debug_assert!(actor.sees(app));
            if PARENT_ACTIONS.contains(&action.kind()) {
                Ok(())
            } else {
                Err(ParentDenied::NotParentAction { what: action.kind().as_str().to_owned() })
            }
        }
        other => Err(ParentDenied::NotParentAction { what: other.name().to_owned() }),
    }
}

/// Of the actions the rules allow now, those a parent takes online.
pub fn parent_actions(allowed: impl IntoIterator<Item = ActionKind>) -> Vec<ActionKind> {
    allowed.into_iter().filter(|a| PARENT_ACTIONS.contains(a)).collect()
}

/// The operator name of a parent's entry: who, and how they signed in (`parent/otp/<IIN>`).
pub fn operator_name(method: &str, iin: &str) -> String {
    format!("parent/{method}/{iin}")
}

/// The sign-in method and IIN of a parent's operator name.
pub fn parse_operator(name: &str) -> Option<(&str, &str)> {
    let rest = name.strip_prefix("parent/")?;
    let (method, iin) = rest.split_once('/')?;
    (!method.is_empty() && !iin.is_empty() && !iin.contains('/')).then_some((method, iin))
}

impl Localized for ParentDenied {
    fn code(&self) -> &'static str {
        match self {
            ParentDenied::NotLinked { .. } => "NOT_LINKED",
            ParentDenied::UnknownApplication { .. } => "UNKNOWN_APPLICATION",
            ParentDenied::NotApplicant => "NOT_APPLICANT",
            ParentDenied::NotParentAction { .. } => "NOT_PARENT_ACTION",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match self {
            ParentDenied::NotLinked { child } => {
                let t = Text::new(
                    "Ребёнок с ИИН {child} не привязан к вашему ИИН. Сначала привяжите ребёнка.",
                    "ЖСН {child} бала сіздің ЖСН-ге байланыстырылмаған. Алдымен баланы байланыстырыңыз.",
                    "The child with IIN {child} is not linked to your IIN. Link the child first.",
                );
                t.get(lang).replace("{child}", child)
            }
            ParentDenied::UnknownApplication { id } => {
                let t = Text::new(
                    "Заявление {id} не найдено среди заявлений ваших детей.",
                    "{id} өтініші сіздің балаларыңыздың өтініштерінің арасында табылмады.",
                    "Application {id} is not among your children's applications.",
                );
                t.get(lang).replace("{id}", id)
            }
            ParentDenied::NotApplicant => Text::new(
                "Заявителем онлайн может быть только вошедший родитель.",
                "Онлайн өтініш берушi тек жүйеге кірген ата-ана бола алады.",
                "Online, the applicant must be the signed-in parent.",
            )
            .get(lang)
            .to_owned(),
            ParentDenied::NotParentAction { what } => {
                let t = Text::new(
                    "Действие «{what}» выполняет не родитель, а отдел образования, детский сад или центр.",
                    "«{what}» әрекетін ата-ана емес, білім бөлімі, балабақша немесе орталық орындайды.",
                    "“{what}” is not a parent's action: the office, the kindergarten or the center takes it.",
                );
                t.get(lang).replace("{what}", what)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Calendar;
    use crate::command::Action;

    fn register(child: &str, applicant: &str) -> Command {
        serde_json::from_value(serde_json::json!({"type": "register", "application": {
            "id": "KOK-WEB-2026-000001", "district": "KOK", "queueType": "general", "childIin": child,
            "childName": "A", "birthDate": "2023-05-10",
            "applicant": {"iin": applicant, "name": "B", "kinship": "mother", "phone": "+7"},
            "residence": {"kind": "permanent", "address": "x"}, "right": "none"
        }}))
        .expect("command")
    }

    #[test]
    fn a_parent_registers_only_a_linked_child_as_its_applicant() {
        let state = State::new(Calendar::embedded(), Vec::new());
        let children = vec!["230510500012".to_owned()];
        let parent = ParentActor { iin: "900115300013", children: &children };
        assert_eq!(may(&parent, &register("230510500012", "900115300013"), &state), Ok(()));
        assert_eq!(
            may(&parent, &register("230510500022", "900115300013"), &state).map_err(|d| d.code()),
            Err("NOT_LINKED")
        );
        assert_eq!(
            may(&parent, &register("230510500012", "900115300023"), &state).map_err(|d| d.code()),
            Err("NOT_APPLICANT")
        );
    }

    #[test]
    fn a_parent_acts_only_on_its_childrens_applications_and_only_as_a_parent() {
        let mut state = State::new(Calendar::embedded(), Vec::new());
        let now: crate::Instant = "2026-03-10T10:00:00+05:00".parse().expect("instant");
        for event in state.decide(&register("230510500012", "900115300013"), now).expect("registers") {
            state.evolve(&event);
        }
        let children = vec!["230510500012".to_owned()];
        let parent = ParentActor { iin: "900115300013", children: &children };
        let stranger = ParentActor { iin: "900115300023", children: &[] };
        let act = |action: Action| Command::Act { application: "KOK-WEB-2026-000001".into(), action };
        assert_eq!(may(&parent, &act(Action::Withdraw), &state), Ok(()));
        assert_eq!(may(&parent, &act(Action::ConfirmVoucher), &state), Ok(()));
        assert_eq!(may(&parent, &act(Action::AcceptChild), &state).map_err(|d| d.code()), Err("NOT_PARENT_ACTION"));
        assert_eq!(may(&parent, &act(Action::IssueVoucher), &state).map_err(|d| d.code()), Err("NOT_PARENT_ACTION"));
        assert_eq!(may(&stranger, &act(Action::Withdraw), &state).map_err(|d| d.code()), Err("UNKNOWN_APPLICATION"));
        assert_eq!(
            may(&parent, &Command::Act { application: "NOPE".into(), action: Action::Withdraw }, &state)
                .map_err(|d| d.code()),
            Err("UNKNOWN_APPLICATION")
        );
        assert_eq!(may(&parent, &Command::Tick, &state).map_err(|d| d.code()), Err("NOT_PARENT_ACTION"));
        for lang in [Lang::Ru, Lang::Kk, Lang::En] {
            assert!(ParentDenied::NotLinked { child: "X".into() }.message(lang).contains('X'));
        }
    }

    #[test]
    fn operator_names_carry_the_sign_in_method() {
        let name = operator_name("otp", "900115300013");
        assert_eq!(name, "parent/otp/900115300013");
        assert_eq!(parse_operator(&name), Some(("otp", "900115300013")));
        for bad in ["parent/otp/", "parent//1", "operator1", "parent/otp/1/2", "parent/otp"] {
            assert_eq!(parse_operator(bad), None, "{bad}");
        }
        assert_eq!(
            parent_actions([ActionKind::AcceptChild, ActionKind::Withdraw, ActionKind::IssueVoucher]),
            vec![ActionKind::Withdraw]
        );
    }
}
