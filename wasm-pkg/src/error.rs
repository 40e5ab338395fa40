//! Why a call failed: input that is not in the API's format (the `INVALID_*` codes), or a
//! command the rules rejected (the rules' own codes). Every message is given in Russian,
//! Kazakh and English.

use rules::{CommandError, Lang, Localized, Role, Text};
use serde_json::Value;

/// A failed call as JavaScript sees it: `error.code`, `error.message`, `error.detail`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: &'static str,
    pub message: String,
    /// The structured rules error, for rejected commands only.
    pub detail: Option<CommandError>,
}

/// What is wrong with an `INVALID_ARGUMENT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgumentProblem {
    /// The parameter must be a string.
    NotAString(&'static str),
    /// The parameter must be an array.
    NotAList(&'static str),
    /// `lang` is not `ru`, `kk` or `en`.
    Lang(String),
    /// `n` of `workingDaysAfter` is not an integer from 1 to `MAX_WORKING_DAYS`.
    Count(String),
    /// Not the name of an action (`actionInfo`).
    Action(String),
    /// The command object is malformed.
    Command(String),
    /// The options object is malformed.
    Options(String),
    /// `register` was given an existing application.
    RegisterWithApplication,
}

/// What is wrong with an `INVALID_APPLICATION`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationProblem {
    NotAnObject,
    /// A field is missing, unknown or malformed (serde's description).
    Fields(String),
    DuplicateId(String),
    /// An action was given no application.
    Missing,
}

/// Any failure, before it is put in a language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// `INVALID_DATE`: the parameter and the value received.
    Date(&'static str, String),
    /// `INVALID_INSTANT`: the parameter and the value received.
    Instant(&'static str, String),
    /// `INVALID_ARGUMENT`.
    Argument(ArgumentProblem),
    /// `INVALID_KIND`: the value received.
    Kind(String),
    /// `INVALID_APPLICATION`: where (e.g. `applications[3]`) and what.
    Application(Option<String>, ApplicationProblem),
    /// The rules rejected the command.
    Rejected(CommandError),
    /// `CENTER_ONLY`: `apply` was given a command only the center runs (the command's JSON
    /// name and the role that runs it: `center` or `reviewer`).
    CenterOnly { command: &'static str, role: Role },
}

/// The one key of the object that stands for a JS value that is not JSON data (a function,
/// a symbol, a bigint): no parameter accepts such an object.
pub const UNREADABLE: &str = "a JavaScript value that is not JSON data";

/// A short, language-neutral rendering of a received value for messages.
pub fn shown(value: &Value) -> String {
    const MAX_CHARS: usize = 60;
    if value.as_object().is_some_and(|o| o.len() == 1 && o.contains_key(UNREADABLE)) {
        return format!("<{UNREADABLE}>");
    }
    let text = value.to_string();
    if text.chars().count() <= MAX_CHARS {
        text
    } else {
        let mut cut: String = text.chars().take(MAX_CHARS).collect();
        cut.push('…');
        cut
    }
}

fn pick(lang: Lang, ru: String, kk: String, en: String) -> String {
    match lang {
        Lang::Ru => ru,
        Lang::Kk => kk,
        Lang::En => en,
    }
}

impl ArgumentProblem {
    fn message(&self, lang: Lang) -> String {
        match self {
            ArgumentProblem::NotAString(name) => pick(
                lang,
                format!("Параметр «{name}» должен быть строкой"),
                format!("«{name}» параметрі жол болуы керек"),
                format!("The parameter “{name}” must be a string"),
            ),
            ArgumentProblem::NotAList(name) => pick(
                lang,
                format!("Параметр «{name}» должен быть массивом"),
                format!("«{name}» параметрі массив болуы керек"),
                format!("The parameter “{name}” must be an array"),
            ),
            ArgumentProblem::Lang(value) => pick(
                lang,
                format!("Язык должен быть ru, kk или en, получено {value}"),
                format!("Тіл ru, kk немесе en болуы керек, алынғаны {value}"),
                format!("The language must be ru, kk or en, got {value}"),
            ),
            ArgumentProblem::Count(value) => {
                let max = rules::calendar::MAX_WORKING_DAYS;
                pick(
                    lang,
                    format!("Число рабочих дней должно быть целым от 1 до {max}, получено {value}"),
                    format!("Жұмыс күндерінің саны 1-ден {max}-ға дейінгі бүтін сан болуы керек, алынғаны {value}"),
                    format!("The number of working days must be an integer from 1 to {max}, got {value}"),
                )
            }
            ArgumentProblem::Action(value) => pick(
                lang,
                format!("Действие должно быть названием действия правил (например, confirmVoucher), получено {value}"),
                format!("Әрекет ережелердегі әрекет атауы болуы керек (мысалы, confirmVoucher), алынғаны {value}"),
                format!("The action must be the name of a rules action (e.g. confirmVoucher), got {value}"),
            ),
            ArgumentProblem::Command(detail) => pick(
                lang,
                format!("Недопустимая команда: {detail}"),
                format!("Жарамсыз команда: {detail}"),
                format!("Invalid command: {detail}"),
            ),
            ArgumentProblem::Options(detail) => pick(
                lang,
                format!("Недопустимые параметры: {detail}"),
                format!("Жарамсыз параметрлер: {detail}"),
                format!("Invalid options: {detail}"),
            ),
            ArgumentProblem::RegisterWithApplication => Text::new(
                "Для регистрации нового заявления передайте null вместо заявления",
                "Жаңа өтінішті тіркеу үшін өтініштің орнына null беріңіз",
                "Pass null as the application to register a new one",
            )
            .get(lang)
            .to_owned(),
        }
    }
}

impl ApplicationProblem {
    fn message(&self, lang: Lang) -> String {
        match self {
            ApplicationProblem::NotAnObject => {
                Text::new("ожидается объект", "объект күтіледі", "an object is expected").get(lang).to_owned()
            }
            ApplicationProblem::Fields(detail) => pick(
                lang,
                format!("неверные поля ({detail})"),
                format!("өрістер қате ({detail})"),
                format!("invalid fields ({detail})"),
            ),
            ApplicationProblem::DuplicateId(id) => pick(
                lang,
                format!("номер {id:?} встречается более одного раза"),
                format!("{id:?} нөмірі бірнеше рет кездеседі"),
                format!("the id {id:?} appears more than once"),
            ),
            ApplicationProblem::Missing => Text::new(
                "для этого действия нужно заявление",
                "бұл әрекет үшін өтініш қажет",
                "this action needs an application",
            )
            .get(lang)
            .to_owned(),
        }
    }
}

impl Localized for ApiError {
    fn code(&self) -> &'static str {
        match self {
            ApiError::Date(..) => "INVALID_DATE",
            ApiError::Instant(..) => "INVALID_INSTANT",
            ApiError::Argument(_) => "INVALID_ARGUMENT",
            ApiError::Kind(_) => "INVALID_KIND",
            ApiError::Application(..) => "INVALID_APPLICATION",
            ApiError::Rejected(error) => error.code(),
            ApiError::CenterOnly { .. } => "CENTER_ONLY",
        }
    }

    fn message(&self, lang: Lang) -> String {
        match self {
            ApiError::Date(name, value) => pick(
                lang,
                format!("Параметр «{name}»: дата должна быть в формате ГГГГ-ММ-ДД, получено {value}"),
                format!("«{name}» параметрі: күн ЖЖЖЖ-АА-КК пішімінде болуы керек, алынғаны {value}"),
                format!("The parameter “{name}”: a date must be YYYY-MM-DD, got {value}"),
            ),
            ApiError::Instant(name, value) => pick(
                lang,
                format!(
                    "Параметр «{name}»: время должно быть в формате RFC 3339 с секундами и смещением \
                     (например, 2026-03-09T10:00:00+05:00), получено {value}"
                ),
                format!(
                    "«{name}» параметрі: уақыт секундтары мен ығысуы бар RFC 3339 пішімінде болуы керек \
                     (мысалы, 2026-03-09T10:00:00+05:00), алынғаны {value}"
                ),
                format!(
                    "The parameter “{name}”: an instant must be RFC 3339 with seconds and an offset \
                     (e.g. 2026-03-09T10:00:00+05:00), got {value}"
                ),
            ),
            ApiError::Argument(problem) => problem.message(lang),
            ApiError::Kind(value) => pick(
                lang,
                format!("Вид срока должен быть confirm, choose или restore, получено {value}"),
                format!("Мерзім түрі confirm, choose немесе restore болуы керек, алынғаны {value}"),
                format!("The deadline kind must be confirm, choose or restore, got {value}"),
            ),
            ApiError::Application(place, problem) => {
                let at = place.as_deref().map(|p| format!(" {p}")).unwrap_or_default();
                let problem = problem.message(lang);
                pick(
                    lang,
                    format!("Недопустимое заявление{at}: {problem}"),
                    format!("Жарамсыз өтініш{at}: {problem}"),
                    format!("Invalid application{at}: {problem}"),
                )
            }
            ApiError::Rejected(error) => error.message(lang),
            ApiError::CenterOnly { command, role } => {
                let who = role.text().get(lang);
                pick(
                    lang,
                    format!("Команда «{command}» выполняется только в центре ({who}), а не здесь"),
                    format!("«{command}» командасы мұнда емес, тек орталықта орындалады ({who})"),
                    format!("“{command}” is done only at the center ({who}), not here"),
                )
            }
        }
    }
}

impl ApiError {
    /// The failure as a person reading `lang` and a program see it.
    pub fn in_lang(self, lang: Lang) -> Failure {
        let code = self.code();
        let message = self.message(lang);
        let detail = match self {
            ApiError::Rejected(error) => Some(error),
            _ => None,
        };
        Failure { code, message, detail }
    }
}

impl From<CommandError> for ApiError {
    fn from(error: CommandError) -> Self {
        ApiError::Rejected(error)
    }
}
