//! The application and the records around it, as stored and as sent to JavaScript.

use serde::{Deserialize, Serialize};

use crate::i18n::Text;
use crate::iin::Sex;
use crate::time::{Date, Instant};

/// The four kinds of queue (общеобразовательная, специальная коррекционная, специальная, санаторная).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QueueType {
    General,
    SpecialCorrectional,
    Special,
    Sanatorium,
}

impl QueueType {
    pub const ALL: [QueueType; 4] =
        [QueueType::General, QueueType::SpecialCorrectional, QueueType::Special, QueueType::Sanatorium];

    /// The wire name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            QueueType::General => "general",
            QueueType::SpecialCorrectional => "special_correctional",
            QueueType::Special => "special",
            QueueType::Sanatorium => "sanatorium",
        }
    }

    pub fn text(self) -> Text {
        match self {
            QueueType::General => Text::new("Общеобразовательная", "Жалпы білім беретін", "General"),
            QueueType::SpecialCorrectional => {
                Text::new("Специальная коррекционная", "Арнайы түзету", "Special correctional")
            }
            QueueType::Special => Text::new("Специальная", "Арнайы", "Special"),
            QueueType::Sanatorium => Text::new("Санаторная", "Санаторийлік", "Sanatorium"),
        }
    }
}

/// The right a child has to a place ahead of others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RightClass {
    /// Внеочередное право: all of them go first.
    Extraordinary,
    /// Первоочередное право: one in every four places after the extraordinary block.
    First,
    /// No right.
    None,
}

impl RightClass {
    pub const ALL: [RightClass; 3] = [RightClass::Extraordinary, RightClass::First, RightClass::None];

    /// The wire name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            RightClass::Extraordinary => "extraordinary",
            RightClass::First => "first",
            RightClass::None => "none",
        }
    }
    pub fn text(self) -> Text {
        match self {
            RightClass::Extraordinary => Text::new("Внеочередное право", "Кезектен тыс құқық", "Extraordinary right"),
            RightClass::First => Text::new("Первоочередное право", "Бірінші кезектегі құқық", "First-priority right"),
            RightClass::None => Text::new("Без льгот", "Жеңілдіксіз", "No privilege"),
        }
    }
}

/// Who the applicant is to the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kinship {
    Mother,
    Father,
    Guardian,
    Grandparent,
    Other,
}

impl Kinship {
    pub const ALL: [Kinship; 5] =
        [Kinship::Mother, Kinship::Father, Kinship::Guardian, Kinship::Grandparent, Kinship::Other];
    pub fn text(self) -> Text {
        match self {
            Kinship::Mother => Text::new("Мать", "Анасы", "Mother"),
            Kinship::Father => Text::new("Отец", "Әкесі", "Father"),
            Kinship::Guardian => Text::new("Опекун", "Қамқоршы", "Guardian"),
            Kinship::Grandparent => Text::new("Бабушка или дедушка", "Әжесі немесе атасы", "Grandparent"),
            Kinship::Other => {
                Text::new("Иной законный представитель", "Басқа заңды өкіл", "Other legal representative")
            }
        }
    }
}

/// Permanent or temporary registration (прописка): one of them is required.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResidenceKind {
    Permanent,
    Temporary,
}

/// Language of a kindergarten group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupLanguage {
    Kk,
    Ru,
    En,
}

impl GroupLanguage {
    pub fn text(self) -> Text {
        match self {
            GroupLanguage::Kk => Text::new("Казахский", "Қазақ тілі", "Kazakh"),
            GroupLanguage::Ru => Text::new("Русский", "Орыс тілі", "Russian"),
            GroupLanguage::En => Text::new("Английский", "Ағылшын тілі", "English"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Child {
    pub iin: String,
    pub name: String,
    /// The real birth date, entered separately from the IIN.
    pub birth_date: Date,
    /// Derived from the IIN.
    pub sex: Sex,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Applicant {
    pub iin: String,
    pub name: String,
    pub kinship: Kinship,
    pub phone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Residence {
    pub kind: ResidenceKind,
    pub address: String,
}

/// What an office operator enters to put a child in a queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewApplication {
    /// Registration number, assigned by the host (kiosk): unique without coordination.
    /// Input files may leave it out; the kiosk fills it in before the command runs.
    #[serde(default)]
    pub id: String,
    pub district: String,
    pub queue_type: QueueType,
    pub child_iin: String,
    pub child_name: String,
    pub birth_date: Date,
    pub applicant: Applicant,
    pub residence: Residence,
    #[serde(default)]
    pub non_resident: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub non_resident_documents: Vec<String>,
    pub right: RightClass,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right_category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right_document: Option<String>,
}

/// A notice that does not stop a command (e.g. IIN date differs from the birth date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Warning {
    /// Since 2013 the IIN's encoded date may differ from the real birth date.
    BirthDateDiffersFromIin,
}

impl Warning {
    pub fn text(self) -> Text {
        match self {
            Warning::BirthDateDiffersFromIin => Text::new(
                "Дата рождения отличается от даты в ИИН (допустимо для ИИН, выданных после 2013 года)",
                "Туған күні ЖСН-дағы күннен өзгеше (2013 жылдан кейін берілген ЖСН үшін рұқсат)",
                "The birth date differs from the date in the IIN (allowed for IINs issued since 2013)",
            ),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Queued,
    VoucherIssued,
    VoucherConfirmed,
    StopListed,
    DirectionIssued,
    RefusalReview,
    Enrolled,
    Departed,
    Archived,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::Queued,
        Status::VoucherIssued,
        Status::VoucherConfirmed,
        Status::StopListed,
        Status::DirectionIssued,
        Status::RefusalReview,
        Status::Enrolled,
        Status::Departed,
        Status::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::VoucherIssued => "voucher_issued",
            Status::VoucherConfirmed => "voucher_confirmed",
            Status::StopListed => "stop_listed",
            Status::DirectionIssued => "direction_issued",
            Status::RefusalReview => "refusal_review",
            Status::Enrolled => "enrolled",
            Status::Departed => "departed",
            Status::Archived => "archived",
        }
    }

    /// The seed's wording.
    pub fn text(self) -> Text {
        match self {
            Status::Queued => Text::new("В очереди", "Кезекте", "In the queue"),
            Status::VoucherIssued => Text::new("Выдан ваучер", "Ваучер берілді", "Voucher issued"),
            Status::VoucherConfirmed => Text::new(
                "Ваучер подтверждён, выбор детского сада",
                "Ваучер расталды, балабақша таңдау",
                "Voucher confirmed, choosing a kindergarten",
            ),
            Status::StopListed => Text::new("В стоп-листе", "Стоп-парақта", "Stop-listed"),
            Status::DirectionIssued => {
                Text::new("Выдано направление в ДДО", "МДҰ-ға жолдама берілді", "Direction to a kindergarten issued")
            }
            Status::RefusalReview => Text::new(
                "Отказ ДДО на рассмотрении отдела образования",
                "МДҰ бас тартуы білім бөлімінің қарауында",
                "Kindergarten refusal under review",
            ),
            Status::Enrolled => Text::new("Принят в ДДО", "МДҰ-ға қабылданды", "Enrolled"),
            Status::Departed => Text::new("Убыл", "Шығып кетті", "Departed"),
            Status::Archived => Text::new("В архиве", "Мұрағатта", "Archived"),
        }
    }

    /// Statuses a parent can withdraw from and that age out.
    pub fn is_waiting(self) -> bool {
        matches!(self, Status::Queued | Status::VoucherIssued | Status::VoucherConfirmed | Status::StopListed)
    }

    /// Statuses after which the child may apply again.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Departed | Status::Archived)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArchiveReason {
    VoucherRefused,
    RestoreExpired,
    ChoiceExpired,
    Withdrawn,
    AgedOut,
}

impl ArchiveReason {
    pub fn text(self) -> Text {
        match self {
            ArchiveReason::VoucherRefused => Text::new("Отказ от ваучера", "Ваучерден бас тарту", "Voucher refused"),
            ArchiveReason::RestoreExpired => Text::new(
                "Истёк срок восстановления из стоп-листа",
                "Стоп-парақтан қалпына келтіру мерзімі өтті",
                "Restore period expired",
            ),
            ArchiveReason::ChoiceExpired => Text::new(
                "Истёк срок выбора детского сада",
                "Балабақша таңдау мерзімі өтті",
                "Kindergarten choice period expired",
            ),
            ArchiveReason::Withdrawn => {
                Text::new("Снят с очереди по заявлению", "Өтініш бойынша кезектен шығарылды", "Withdrawn")
            }
            ArchiveReason::AgedOut => Text::new(
                "Ребёнку исполнилось 6 лет на 1 сентября",
                "1 қыркүйекте балаға 6 жас толды",
                "The child was 6 on 1 September",
            ),
        }
    }
}

/// A voucher and the deadlines around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Voucher {
    pub issued_at: Instant,
    pub confirm_deadline: Instant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choose_deadline: Option<Instant>,
    #[serde(default)]
    pub extended: bool,
    /// The missed confirm deadline, when the voucher went to the stop-list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_listed_at: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restore_deadline: Option<Instant>,
    #[serde(default)]
    pub restored: bool,
}

/// A direction (направление) to a kindergarten, issued when the parent chose and signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Direction {
    pub number: String,
    pub kindergarten: String,
    pub language: GroupLanguage,
    pub group_year: i32,
    pub issued_at: Instant,
    /// Set when the education department overruled the kindergarten's refusal.
    #[serde(default)]
    pub must_enroll: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrolled_at: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Departure {
    pub date: Date,
    pub reason: String,
    pub recorded_at: Instant,
}

/// One child's application, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Application {
    pub id: String,
    pub district: String,
    pub queue_type: QueueType,
    pub child: Child,
    pub applicant: Applicant,
    pub residence: Residence,
    #[serde(default)]
    pub non_resident: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub non_resident_documents: Vec<String>,
    pub right: RightClass,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right_category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub right_document: Option<String>,
    pub registered_at: Instant,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher: Option<Voucher>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// How many directions this application has had (numbers the next one).
    #[serde(default)]
    pub directions_issued: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archive_reason: Option<ArchiveReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived_at: Option<Instant>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub departure: Option<Departure>,
}

impl Application {
    /// The group year: the birth year from the application's birth date.
    pub fn group_year(&self) -> i32 {
        self.child.birth_date.year()
    }

    pub fn queue_key(&self) -> QueueKey {
        QueueKey { district: self.district.clone(), queue_type: self.queue_type, group_year: self.group_year() }
    }
}

/// A queue: `(district, queue type, group year)`. Ordered bytewise by district, then type, then year.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueKey {
    pub district: String,
    pub queue_type: QueueType,
    pub group_year: i32,
}

/// A kindergarten from the reference directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Kindergarten {
    pub id: String,
    pub district: String,
    #[serde(default = "general_queue")]
    pub queue_type: QueueType,
    pub name: LocalizedName,
    pub ownership: Ownership,
    pub address: String,
    pub phone: String,
    pub languages: Vec<GroupLanguage>,
    /// Birth years of the groups it takes; empty: every group year.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_years: Vec<i32>,
    /// A closed kindergarten takes no new places and no new choices (what it has stays).
    #[serde(default = "open_by_default", skip_serializing_if = "is_open")]
    pub open: bool,
}

impl Kindergarten {
    /// Whether it takes groups of children born in `year`.
    pub fn offers_group_year(&self, year: i32) -> bool {
        self.group_years.is_empty() || self.group_years.contains(&year)
    }
}

fn general_queue() -> QueueType {
    QueueType::General
}

fn open_by_default() -> bool {
    true
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_open(open: &bool) -> bool {
    *open
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalizedName {
    pub ru: String,
    pub kk: String,
    /// English name, where the directory has one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub en: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Ownership {
    State,
    Private,
    /// Мини-центр: a small state pre-school group, often at a school.
    MiniCentre,
}

impl Ownership {
    pub fn text(self) -> Text {
        match self {
            Ownership::State => Text::new("Государственная", "Мемлекеттік", "State"),
            Ownership::Private => Text::new("Частная", "Жеке", "Private"),
            Ownership::MiniCentre => Text::new("Мини-центр", "Шағын орталық", "Mini-centre"),
        }
    }
}

/// Free places a kindergarten adds; a saved record never changes (corrections are new records).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPlaces {
    /// Record id, assigned by the host.
    pub id: String,
    pub kindergarten: String,
    pub language: GroupLanguage,
    pub group_year: i32,
    pub count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlacesState {
    /// Ожидает: waits for the next distribution round.
    Pending,
    /// В свободном выборе.
    FreeChoice,
}

impl PlacesState {
    pub fn text(self) -> Text {
        match self {
            PlacesState::Pending => Text::new("Ожидает", "Күтуде", "Pending"),
            PlacesState::FreeChoice => Text::new("В свободном выборе", "Еркін таңдауда", "In free choice"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PlacesRecord {
    pub id: String,
    pub kindergarten: String,
    pub district: String,
    pub queue_type: QueueType,
    pub language: GroupLanguage,
    pub group_year: i32,
    pub count: u32,
    pub added_at: Instant,
    pub state: PlacesState,
    /// A correction that takes `count` free places in free choice away again (records are
    /// never changed: a correction is a record of its own).
    #[serde(default, skip_serializing_if = "is_false")]
    pub reduction: bool,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_false(value: &bool) -> bool {
    !*value
}

impl PlacesRecord {
    /// The change this record makes to the places of its slot: `+count`, or `-count` for a
    /// reduction.
    pub fn signed_count(&self) -> i64 {
        if self.reduction { -i64::from(self.count) } else { i64::from(self.count) }
    }
}
