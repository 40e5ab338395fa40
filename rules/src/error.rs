//! The one error type of `decide`: every rejected command says why, with a stable code
//! and a message in Russian, Kazakh and English.

use serde::Serialize;

use crate::calendar::OutOfRange;
use crate::command::ActionKind;
use crate::i18n::{Lang, Localized, Text};
use crate::iin::IinError;
use crate::model::{GroupLanguage, RightClass, Status};
use crate::time::{Date, Instant};

/// Which IIN of an application was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum IinField {
    Child,
    Applicant,
}

/// What is wrong with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
pub enum FieldProblem {
    Empty,
    TooLong {
        max_chars: u32,
    },
    OutOfRange,
    /// Required by another field (documents of a non-resident, category of a right).
    Missing,
    /// Must be left empty given another field (a category without a right).
    Unexpected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "camelCase", rename_all_fields = "camelCase", tag = "kind")]
pub enum CommandError {
    #[error("invalid {field:?} IIN: {error}")]
    InvalidIin {
        field: IinField,
        #[serde(serialize_with = "serialize_code")]
        error: IinError,
    },
    #[error("field {field}: {problem:?}")]
    InvalidField { field: &'static str, problem: FieldProblem },
    #[error("{action:?} is not allowed in status {status:?}")]
    NotAllowed { action: ActionKind, status: Status, allowed: Vec<ActionKind> },
    #[error("{action:?}: the deadline {deadline} has passed")]
    DeadlinePassed { action: ActionKind, deadline: Instant },
    #[error("{action:?} can be used only once per voucher")]
    AlreadyUsed { action: ActionKind },
    #[error("the education department overruled the refusal: the child must be enrolled")]
    MustEnroll,
    #[error("no application {id}")]
    UnknownApplication { id: String },
    #[error("application {id} exists already")]
    DuplicateApplication { id: String },
    #[error("the child already has an active application {existing}")]
    DuplicateChild { existing: String },
    #[error("the child is 6 or older on 1 September (aged out on {aged_out_on})")]
    ChildTooOld { aged_out_on: Date },
    #[error("the birth date is in the future")]
    BirthDateInFuture,
    #[error("no kindergarten {id}")]
    UnknownKindergarten { id: String },
    #[error("kindergarten {kindergarten} does not serve this district and queue")]
    KindergartenMismatch { kindergarten: String },
    #[error("kindergarten {kindergarten} has no {language:?} groups")]
    LanguageNotOffered { kindergarten: String, language: GroupLanguage },
    #[error("no free place at {kindergarten} ({language:?}, {group_year})")]
    NoFreePlace { kindergarten: String, language: GroupLanguage, group_year: i32 },
    #[error("places record {id} exists already")]
    DuplicatePlacesRecord { id: String },
    #[error("{reason}")]
    InvalidCalendarYear { reason: String },
    #[error("only {free} free places to take away")]
    ReductionOverFree { free: u32 },
    #[error("kindergarten {kindergarten} is closed")]
    KindergartenClosed { kindergarten: String },
    #[error("kindergarten {kindergarten} has no groups of children born in {group_year}")]
    GroupYearNotOffered { kindergarten: String, group_year: i32 },
    #[error("the date is beyond the calendar's range")]
    CalendarOutOfRange,
    #[error("no privilege category {category}")]
    UnknownCategory { category: String },
    #[error("privilege category {category} gives the {category_right:?} right, not {right:?}")]
    CategoryRightMismatch { category: String, right: RightClass, category_right: RightClass },
}

// serde's `serialize_with` passes a reference.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn serialize_code<S: serde::Serializer>(error: &IinError, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(error.code())
}

fn list(items: &[ActionKind], lang: Lang) -> String {
    if items.is_empty() {
        return Text::new("никаких", "ешқандай", "none").get(lang).to_owned();
    }
    items.iter().map(|a| format!("«{}»", a.text().get(lang))).collect::<Vec<_>>().join(", ")
}

fn field_text(field: &str) -> Text {
    match field {
        "id" => Text::new("Номер заявления", "Өтініш нөмірі", "Application number"),
        "district" => Text::new("Район", "Аудан", "District"),
        "childName" => Text::new("ФИО ребёнка", "Баланың аты-жөні", "Child's name"),
        "applicant.name" => Text::new("ФИО заявителя", "Өтініш берушінің аты-жөні", "Applicant's name"),
        "applicant.phone" => Text::new("Номер телефона", "Телефон нөмірі", "Phone number"),
        "applicant.email" => Text::new("Email", "Email", "E-mail"),
        "applicant.iin" => Text::new("ИИН заявителя", "Өтініш берушінің ЖСН", "Applicant's IIN"),
        "residence.address" => Text::new("Адрес регистрации", "Тіркелген мекенжайы", "Registered address"),
        "nonResidentDocuments" => {
            Text::new("Документы нерезидента", "Резидент еместің құжаттары", "Non-resident documents")
        }
        "rightCategory" => Text::new("Категория льготы", "Жеңілдік санаты", "Privilege category"),
        "rightDocument" => Text::new("Документ о льготе", "Жеңілдік құжаты", "Privilege document"),
        "places.count" => Text::new("Количество мест", "Орын саны", "Number of places"),
        "places.groupYear" => Text::new("Год группы", "Топ жылы", "Group year"),
        "places.id" => Text::new("Номер записи", "Жазба нөмірі", "Record number"),
        "days" => Text::new("Число дней продления", "Ұзарту күндерінің саны", "Days of extension"),
        "reason" => Text::new("Причина", "Себебі", "Reason"),
        "date" => Text::new("Дата", "Күні", "Date"),
        "kindergarten" => Text::new("Детский сад", "Балабақша", "Kindergarten"),
        "kindergarten.name" => Text::new("Название детского сада", "Балабақшаның атауы", "Kindergarten name"),
        "kindergarten.languages" => Text::new("Языки групп", "Топтардың тілдері", "Group languages"),
        _ => Text::new("Поле", "Өріс", "Field"),
    }
}

impl Localized for CommandError {
    fn code(&self) -> &'static str {
        match self {
            CommandError::InvalidIin { error, .. } => error.code(),
            CommandError::InvalidField { .. } => "INVALID_FIELD",
            CommandError::NotAllowed { .. } => "NOT_ALLOWED",
            CommandError::DeadlinePassed { .. } => "DEADLINE_PASSED",
            CommandError::AlreadyUsed { .. } => "ALREADY_USED",
            CommandError::MustEnroll => "MUST_ENROLL",
            CommandError::UnknownApplication { .. } => "UNKNOWN_APPLICATION",
            CommandError::DuplicateApplication { .. } => "DUPLICATE_APPLICATION",
            CommandError::DuplicateChild { .. } => "DUPLICATE_CHILD",
            CommandError::ChildTooOld { .. } => "CHILD_TOO_OLD",
            CommandError::BirthDateInFuture => "BIRTH_DATE_IN_FUTURE",
            CommandError::KindergartenClosed { .. } => "KINDERGARTEN_CLOSED",
            CommandError::ReductionOverFree { .. } => "REDUCTION_OVER_FREE",
            CommandError::InvalidCalendarYear { .. } => "INVALID_CALENDAR_YEAR",
            CommandError::GroupYearNotOffered { .. } => "GROUP_YEAR_NOT_OFFERED",
            CommandError::UnknownKindergarten { .. } => "UNKNOWN_KINDERGARTEN",
            CommandError::KindergartenMismatch { .. } => "KINDERGARTEN_MISMATCH",
            CommandError::LanguageNotOffered { .. } => "LANGUAGE_NOT_OFFERED",
            CommandError::NoFreePlace { .. } => "NO_FREE_PLACE",
            CommandError::DuplicatePlacesRecord { .. } => "DUPLICATE_PLACES_RECORD",
            CommandError::CalendarOutOfRange => "CALENDAR_OUT_OF_RANGE",
            CommandError::UnknownCategory { .. } => "UNKNOWN_CATEGORY",
            CommandError::CategoryRightMismatch { .. } => "CATEGORY_RIGHT_MISMATCH",
        }
    }

    fn message(&self, lang: Lang) -> String {
        let pick = |ru: String, kk: String, en: String| match lang {
            Lang::Ru => ru,
            Lang::Kk => kk,
            Lang::En => en,
        };
        match self {
            CommandError::InvalidIin { field, error } => {
                let whose = match field {
                    IinField::Child => Text::new("ИИН ребёнка", "Баланың ЖСН", "Child's IIN"),
                    IinField::Applicant => Text::new("ИИН заявителя", "Өтініш берушінің ЖСН", "Applicant's IIN"),
                };
                format!("{}: {}", whose.get(lang), error.message(lang))
            }
            CommandError::InvalidField { field, problem } => {
                let name = field_text(field).get(lang);
                match problem {
                    FieldProblem::Empty => pick(
                        format!("{name}: поле не заполнено"),
                        format!("{name}: өріс толтырылмаған"),
                        format!("{name}: required"),
                    ),
                    FieldProblem::TooLong { max_chars } => pick(
                        format!("{name}: не длиннее {max_chars} символов"),
                        format!("{name}: {max_chars} таңбадан аспауы керек"),
                        format!("{name}: at most {max_chars} characters"),
                    ),
                    FieldProblem::OutOfRange => pick(
                        format!("{name}: недопустимое значение"),
                        format!("{name}: жарамсыз мән"),
                        format!("{name}: value out of range"),
                    ),
                    FieldProblem::Missing => pick(
                        format!("{name}: обязательно для выбранных условий"),
                        format!("{name}: таңдалған шарттар үшін міндетті"),
                        format!("{name}: required for the chosen options"),
                    ),
                    FieldProblem::Unexpected => pick(
                        format!("{name}: не заполняется без льготы"),
                        format!("{name}: жеңілдіксіз толтырылмайды"),
                        format!("{name}: must be empty without a privilege"),
                    ),
                }
            }
            CommandError::NotAllowed { action, status, allowed } => pick(
                format!(
                    "Действие «{}» недоступно в статусе «{}». Доступно: {}",
                    action.text().ru,
                    status.text().ru,
                    list(allowed, Lang::Ru)
                ),
                format!(
                    "«{}» әрекеті «{}» мәртебесінде қолжетімсіз. Қолжетімді: {}",
                    action.text().kk,
                    status.text().kk,
                    list(allowed, Lang::Kk)
                ),
                format!(
                    "“{}” is not allowed in status “{}”. Allowed: {}",
                    action.text().en,
                    status.text().en,
                    list(allowed, Lang::En)
                ),
            ),
            CommandError::DeadlinePassed { action, deadline } => {
                let at = deadline.local_dotted();
                pick(
                    format!("Срок для действия «{}» истёк {at}", action.text().ru),
                    format!("«{}» әрекетінің мерзімі {at} өтті", action.text().kk),
                    format!("The deadline for “{}” passed at {at}", action.text().en),
                )
            }
            CommandError::AlreadyUsed { action } => pick(
                format!("«{}» можно сделать только один раз", action.text().ru),
                format!("«{}» тек бір рет жасауға болады", action.text().kk),
                format!("“{}” can be done only once", action.text().en),
            ),
            CommandError::MustEnroll => Text::new(
                "Отдел образования отклонил отказ: ребёнка необходимо зачислить",
                "Білім бөлімі бас тартуды қабылдамады: баланы қабылдау міндетті",
                "The education department overruled the refusal: the child must be enrolled",
            )
            .get(lang)
            .to_owned(),
            CommandError::UnknownApplication { id } => pick(
                format!("Заявление {id} не найдено"),
                format!("{id} өтініші табылмады"),
                format!("Application {id} not found"),
            ),
            CommandError::DuplicateApplication { id } => pick(
                format!("Заявление с номером {id} уже существует"),
                format!("{id} нөмірлі өтініш бұрыннан бар"),
                format!("An application numbered {id} already exists"),
            ),
            CommandError::DuplicateChild { existing } => pick(
                format!("Ребёнок уже стоит в этой очереди: заявление {existing}"),
                format!("Бала осы кезекте тұр: {existing} өтініші"),
                format!("The child is already in this queue: application {existing}"),
            ),
            CommandError::ChildTooOld { aged_out_on } => pick(
                format!("Ребёнку 6 лет или больше на 1 сентября ({aged_out_on}): постановка в очередь ДДО невозможна"),
                format!("1 қыркүйекте ({aged_out_on}) балаға 6 жас немесе одан көп: МДҰ кезегіне қою мүмкін емес"),
                format!("The child is 6 or older on 1 September ({aged_out_on}) and cannot join a kindergarten queue"),
            ),
            CommandError::BirthDateInFuture => Text::new(
                "Дата рождения не может быть в будущем",
                "Туған күні болашақта бола алмайды",
                "The birth date cannot be in the future",
            )
            .get(lang)
            .to_owned(),
            CommandError::InvalidCalendarYear { reason } => pick(
                format!("Год календаря не принят: {reason}"),
                format!("Күнтізбе жылы қабылданбады: {reason}"),
                format!("The calendar year was refused: {reason}"),
            ),
            CommandError::ReductionOverFree { free } => pick(
                format!("Можно убрать не больше свободных мест в свободном выборе: сейчас их {free}"),
                format!("Еркін таңдаудағы бос орындардан артық алып тастауға болмайды: қазір олар {free}"),
                format!("At most the free places in free choice can be taken away: {free} now"),
            ),
            CommandError::KindergartenClosed { kindergarten } => pick(
                format!("Детский сад {kindergarten} закрыт: новые места и выбор недоступны"),
                format!("{kindergarten} балабақшасы жабық: жаңа орындар мен таңдау қолжетімсіз"),
                format!("Kindergarten {kindergarten} is closed: no new places or choices"),
            ),
            CommandError::GroupYearNotOffered { kindergarten, group_year } => pick(
                format!("В детском саду {kindergarten} нет групп для детей {group_year} года рождения"),
                format!("{kindergarten} балабақшасында {group_year} жылы туған балаларға топ жоқ"),
                format!("Kindergarten {kindergarten} has no groups for children born in {group_year}"),
            ),
            CommandError::UnknownKindergarten { id } => pick(
                format!("Детский сад {id} не найден в справочнике"),
                format!("{id} балабақшасы анықтамалықта табылмады"),
                format!("Kindergarten {id} is not in the directory"),
            ),
            CommandError::KindergartenMismatch { kindergarten } => pick(
                format!("Детский сад {kindergarten} не относится к району и типу очереди заявления"),
                format!("{kindergarten} балабақшасы өтініштің ауданы мен кезек түріне жатпайды"),
                format!("Kindergarten {kindergarten} does not serve this application's district and queue type"),
            ),
            CommandError::LanguageNotOffered { kindergarten, language } => pick(
                format!("В детском саду {kindergarten} нет групп с языком «{}»", language.text().ru),
                format!("{kindergarten} балабақшасында «{}» тобы жоқ", language.text().kk),
                format!("Kindergarten {kindergarten} has no {} groups", language.text().en),
            ),
            CommandError::NoFreePlace { kindergarten, language, group_year } => pick(
                format!(
                    "Нет свободных мест в свободном выборе: {kindergarten}, {}, группа {group_year} года",
                    language.text().ru
                ),
                format!("Еркін таңдауда бос орын жоқ: {kindergarten}, {}, {group_year} жылғы топ", language.text().kk),
                format!(
                    "No free place in free choice: {kindergarten}, {}, group year {group_year}",
                    language.text().en
                ),
            ),
            CommandError::DuplicatePlacesRecord { id } => pick(
                format!("Запись о местах {id} уже сохранена и не может быть изменена"),
                format!("{id} орындар жазбасы сақталған және өзгертілмейді"),
                format!("Places record {id} is already saved and cannot be changed"),
            ),
            CommandError::CalendarOutOfRange => calendar_out_of_range(lang),
            CommandError::UnknownCategory { category } => pick(
                format!("Категория льготы «{category}» не найдена в справочнике категорий"),
                format!("«{category}» жеңілдік санаты санаттар анықтамалығында табылмады"),
                format!("Privilege category “{category}” is not in the list of categories"),
            ),
            CommandError::CategoryRightMismatch { category, right, category_right } => pick(
                format!(
                    "Категория льготы «{category}» даёт право «{}», а в заявлении указано «{}»",
                    category_right.text().ru,
                    right.text().ru
                ),
                format!(
                    "«{category}» жеңілдік санаты «{}» береді, ал өтініште «{}» көрсетілген",
                    category_right.text().kk,
                    right.text().kk
                ),
                format!(
                    "Privilege category “{category}” gives the “{}”, but the application states “{}”",
                    category_right.text().en,
                    right.text().en
                ),
            ),
        }
    }
}

/// A rejected command as a person and a program see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorReport {
    pub code: &'static str,
    pub message: String,
    pub detail: CommandError,
}

/// The message of `CALENDAR_OUT_OF_RANGE`, with the years the calendar data covers.
fn calendar_out_of_range(lang: Lang) -> String {
    let (first, last) = crate::calendar::data_years();
    match lang {
        Lang::Ru => format!("Дата вне производственного календаря: в данных есть только {first}–{last} годы"),
        Lang::Kk => format!("Күн өндірістік күнтізбеден тыс: деректерде тек {first}–{last} жылдар бар"),
        Lang::En => format!("The date is outside the working-day calendar: its data covers {first}–{last} only"),
    }
}

/// A date outside the calendar data, where no command is involved (`isWorkingDay`, `deadline`).
impl Localized for OutOfRange {
    fn code(&self) -> &'static str {
        "CALENDAR_OUT_OF_RANGE"
    }

    fn message(&self, lang: Lang) -> String {
        calendar_out_of_range(lang)
    }
}

impl From<OutOfRange> for CommandError {
    fn from(_: OutOfRange) -> Self {
        CommandError::CalendarOutOfRange
    }
}

impl CommandError {
    pub fn report(&self, lang: Lang) -> ErrorReport {
        ErrorReport { code: self.code(), message: self.message(lang), detail: self.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_allowed_names_the_status_and_the_allowed_actions_in_three_languages() {
        let error = CommandError::NotAllowed {
            action: ActionKind::AcceptChild,
            status: Status::Queued,
            allowed: vec![ActionKind::Withdraw],
        };
        assert_eq!(error.code(), "NOT_ALLOWED");
        assert!(error.message(Lang::Ru).contains("В очереди"));
        assert!(error.message(Lang::Ru).contains("Снять с очереди"));
        assert!(error.message(Lang::Kk).contains("Кезекте"));
        assert!(error.message(Lang::En).contains("In the queue"));
    }
}
