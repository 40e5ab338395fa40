//! Commands (what someone asks for) and events (what happened). State is a fold over events.

use serde::{Deserialize, Serialize};

use crate::i18n::Text;
use crate::model::{
    Application, ArchiveReason, Departure, Direction, GroupLanguage, Kindergarten, NewApplication, NewPlaces,
    PlacesRecord,
};
use crate::time::{Date, Instant};

/// Who may issue a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// District office operator.
    Operator,
    /// Kindergarten (ДДО) staff.
    Kindergarten,
    /// Education department reviewer (center).
    Reviewer,
    /// Manages operators and kiosks; issues no queue commands.
    Admin,
    /// The center itself: distribution rounds and deadline expiry.
    Center,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Operator, Role::Kindergarten, Role::Reviewer, Role::Admin, Role::Center];
    /// Roles a kiosk account can have: reviewers and the center work at the center only.
    /// The kiosk refuses to create other accounts and the center refuses them at ingest.
    pub const AT_KIOSK: [Role; 3] = [Role::Operator, Role::Kindergarten, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Kindergarten => "kindergarten",
            Role::Reviewer => "reviewer",
            Role::Admin => "admin",
            Role::Center => "center",
        }
    }

    pub fn text(self) -> Text {
        match self {
            Role::Operator => Text::new("Оператор отдела", "Бөлім операторы", "Office operator"),
            Role::Kindergarten => Text::new("Сотрудник ДДО", "МДҰ қызметкері", "Kindergarten staff"),
            Role::Reviewer => Text::new("Отдел образования", "Білім бөлімі", "Education department reviewer"),
            Role::Admin => Text::new("Администратор", "Әкімші", "Administrator"),
            Role::Center => Text::new("Центр", "Орталық", "Center"),
        }
    }
}

/// An action on one application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
pub enum Action {
    /// Center only; distribution rounds issue vouchers in allocation order.
    IssueVoucher,
    ConfirmVoucher,
    RestoreVoucher,
    ExtendChoice {
        days: u32,
    },
    ChooseKindergarten {
        kindergarten: String,
        language: GroupLanguage,
    },
    RefuseVoucher,
    Withdraw,
    AcceptChild,
    RefuseChild {
        reason: String,
    },
    UpholdRefusal,
    OverruleRefusal,
    MarkDeparted {
        date: Date,
        reason: String,
    },
}

/// The name of an action, without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ActionKind {
    IssueVoucher,
    ConfirmVoucher,
    RestoreVoucher,
    ExtendChoice,
    ChooseKindergarten,
    RefuseVoucher,
    Withdraw,
    AcceptChild,
    RefuseChild,
    UpholdRefusal,
    OverruleRefusal,
    MarkDeparted,
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::IssueVoucher => ActionKind::IssueVoucher,
            Action::ConfirmVoucher => ActionKind::ConfirmVoucher,
            Action::RestoreVoucher => ActionKind::RestoreVoucher,
            Action::ExtendChoice { .. } => ActionKind::ExtendChoice,
            Action::ChooseKindergarten { .. } => ActionKind::ChooseKindergarten,
            Action::RefuseVoucher => ActionKind::RefuseVoucher,
            Action::Withdraw => ActionKind::Withdraw,
            Action::AcceptChild => ActionKind::AcceptChild,
            Action::RefuseChild { .. } => ActionKind::RefuseChild,
            Action::UpholdRefusal => ActionKind::UpholdRefusal,
            Action::OverruleRefusal => ActionKind::OverruleRefusal,
            Action::MarkDeparted { .. } => ActionKind::MarkDeparted,
        }
    }
}

impl ActionKind {
    pub const ALL: [ActionKind; 12] = [
        ActionKind::IssueVoucher,
        ActionKind::ConfirmVoucher,
        ActionKind::RestoreVoucher,
        ActionKind::ExtendChoice,
        ActionKind::ChooseKindergarten,
        ActionKind::RefuseVoucher,
        ActionKind::Withdraw,
        ActionKind::AcceptChild,
        ActionKind::RefuseChild,
        ActionKind::UpholdRefusal,
        ActionKind::OverruleRefusal,
        ActionKind::MarkDeparted,
    ];

    /// The action named `text` (its JSON name, e.g. `confirmVoucher`).
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|action| action.as_str() == text)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ActionKind::IssueVoucher => "issueVoucher",
            ActionKind::ConfirmVoucher => "confirmVoucher",
            ActionKind::RestoreVoucher => "restoreVoucher",
            ActionKind::ExtendChoice => "extendChoice",
            ActionKind::ChooseKindergarten => "chooseKindergarten",
            ActionKind::RefuseVoucher => "refuseVoucher",
            ActionKind::Withdraw => "withdraw",
            ActionKind::AcceptChild => "acceptChild",
            ActionKind::RefuseChild => "refuseChild",
            ActionKind::UpholdRefusal => "upholdRefusal",
            ActionKind::OverruleRefusal => "overruleRefusal",
            ActionKind::MarkDeparted => "markDeparted",
        }
    }

    pub fn role(self) -> Role {
        match self {
            ActionKind::IssueVoucher => Role::Center,
            ActionKind::ConfirmVoucher
            | ActionKind::RestoreVoucher
            | ActionKind::ExtendChoice
            | ActionKind::ChooseKindergarten
            | ActionKind::RefuseVoucher
            | ActionKind::Withdraw => Role::Operator,
            ActionKind::AcceptChild | ActionKind::RefuseChild | ActionKind::MarkDeparted => Role::Kindergarten,
            ActionKind::UpholdRefusal | ActionKind::OverruleRefusal => Role::Reviewer,
        }
    }

    /// The button label (seed wording where the seeds have one).
    pub fn text(self) -> Text {
        match self {
            ActionKind::IssueVoucher => Text::new("Выдать ваучер", "Ваучер беру", "Issue voucher"),
            ActionKind::ConfirmVoucher => {
                Text::new("Подтвердить заинтересованность", "Қызығушылықты растау", "Confirm interest")
            }
            ActionKind::RestoreVoucher => {
                Text::new("Восстановить из стоп-листа", "Стоп-парақтан қалпына келтіру", "Restore from the stop-list")
            }
            ActionKind::ExtendChoice => {
                Text::new("Продлить срок выбора", "Таңдау мерзімін ұзарту", "Extend the choice period")
            }
            ActionKind::ChooseKindergarten => {
                Text::new("Выбрать дошкольную организацию", "Мектепке дейінгі ұйымды таңдау", "Choose a kindergarten")
            }
            ActionKind::RefuseVoucher => {
                Text::new("Отказаться от ваучера", "Ваучерден бас тарту", "Refuse the voucher")
            }
            ActionKind::Withdraw => Text::new("Снять с очереди", "Кезектен шығару", "Withdraw from the queue"),
            ActionKind::AcceptChild => Text::new("Принять в ДДО", "МДҰ-ға қабылдау", "Accept into the kindergarten"),
            ActionKind::RefuseChild => Text::new("Отказать", "Бас тарту", "Refuse"),
            ActionKind::UpholdRefusal => Text::new("Подтвердить отказ", "Бас тартуды растау", "Uphold the refusal"),
            ActionKind::OverruleRefusal => {
                Text::new("Отклонить отказ", "Бас тартуды қабылдамау", "Overrule the refusal")
            }
            ActionKind::MarkDeparted => Text::new("Убыл", "Шығып кетті", "Departed"),
        }
    }
}

/// A request to change the state, checked by the rules against the current state.
// Commands live for one call; boxing the registration would only add noise at every host.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
pub enum Command {
    /// Put a child in a queue; the registration instant is the command's `now`.
    Register { application: NewApplication },
    /// A kindergarten publishes free places (they wait for the next distribution round).
    AddPlaces { places: NewPlaces },
    /// A kindergarten takes free places in free choice away again (a signed correction, at
    /// most as many as are free).
    ReducePlaces { places: NewPlaces },
    /// An action on one application.
    Act { application: String, action: Action },
    /// A distribution round for a district (center only).
    Distribute { district: String },
    /// Apply every deadline expiry and age-out due at `now` (center only).
    Tick,
    /// Adds a kindergarten to the directory or replaces its entry (center only: the center
    /// owns the directory and sends it to kiosks in its snapshots).
    SetKindergarten { kindergarten: Kindergarten },
    /// Sets a year of the working-day calendar (center only: a decree published for a
    /// provisional year, or the next year added); snapshots carry it to kiosks.
    SetCalendarYear { year: crate::calendar::CalendarYear },
}

impl Command {
    /// The role allowed to issue this command.
    pub fn required_role(&self) -> Role {
        match self {
            Command::Register { .. } => Role::Operator,
            Command::AddPlaces { .. } | Command::ReducePlaces { .. } => Role::Kindergarten,
            Command::Act { action, .. } => action.kind().role(),
            Command::Distribute { .. }
            | Command::Tick
            | Command::SetKindergarten { .. }
            | Command::SetCalendarYear { .. } => Role::Center,
        }
    }

    /// Whether only the center runs this command: distribution rounds, expiry, vouchers and
    /// refusal reviews (roles `Center` and `Reviewer`). A kiosk and the portal refuse it.
    pub fn is_center_only(&self) -> bool {
        matches!(self.required_role(), Role::Center | Role::Reviewer)
    }

    /// The command's name as in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Register { .. } => "register",
            Command::AddPlaces { .. } => "addPlaces",
            Command::ReducePlaces { .. } => "reducePlaces",
            Command::Act { action, .. } => action.kind().as_str(),
            Command::Distribute { .. } => "distribute",
            Command::Tick => "tick",
            Command::SetKindergarten { .. } => "setKindergarten",
            Command::SetCalendarYear { .. } => "setCalendarYear",
        }
    }
}

/// Something that happened; the state is the fold of these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase", deny_unknown_fields)]
pub enum Event {
    Registered {
        application: Box<Application>,
    },
    PlacesAdded {
        record: PlacesRecord,
    },
    /// Free places in free choice were taken away by a correction record.
    PlacesReduced {
        record: PlacesRecord,
    },
    /// A year of the working-day calendar was set.
    CalendarYearSet {
        year: crate::calendar::CalendarYear,
    },
    /// The directory's entry for a kindergarten was added or replaced.
    KindergartenSet {
        kindergarten: Kindergarten,
    },
    PlacesPublished {
        record: String,
        at: Instant,
    },
    VoucherIssued {
        application: String,
        at: Instant,
        confirm_deadline: Instant,
    },
    VoucherConfirmed {
        application: String,
        at: Instant,
        choose_deadline: Instant,
    },
    /// The confirm deadline `at` passed without confirmation.
    StopListed {
        application: String,
        at: Instant,
        restore_deadline: Instant,
    },
    VoucherRestored {
        application: String,
        at: Instant,
        choose_deadline: Instant,
    },
    ChoiceExtended {
        application: String,
        at: Instant,
        days: u32,
        choose_deadline: Instant,
    },
    DirectionIssued {
        application: String,
        direction: Direction,
    },
    ChildEnrolled {
        application: String,
        at: Instant,
    },
    ChildRefused {
        application: String,
        at: Instant,
        reason: String,
    },
    RefusalUpheld {
        application: String,
        at: Instant,
    },
    RefusalOverruled {
        application: String,
        at: Instant,
    },
    ChildDeparted {
        application: String,
        departure: Departure,
    },
    Archived {
        application: String,
        at: Instant,
        reason: ArchiveReason,
    },
}

impl Event {
    /// The event's name as in JSON (its `type`).
    pub fn name(&self) -> &'static str {
        match self {
            Event::Registered { .. } => "registered",
            Event::PlacesAdded { .. } => "placesAdded",
            Event::PlacesReduced { .. } => "placesReduced",
            Event::PlacesPublished { .. } => "placesPublished",
            Event::KindergartenSet { .. } => "kindergartenSet",
            Event::CalendarYearSet { .. } => "calendarYearSet",
            Event::VoucherIssued { .. } => "voucherIssued",
            Event::VoucherConfirmed { .. } => "voucherConfirmed",
            Event::StopListed { .. } => "stopListed",
            Event::VoucherRestored { .. } => "voucherRestored",
            Event::ChoiceExtended { .. } => "choiceExtended",
            Event::DirectionIssued { .. } => "directionIssued",
            Event::ChildEnrolled { .. } => "childEnrolled",
            Event::ChildRefused { .. } => "childRefused",
            Event::RefusalUpheld { .. } => "refusalUpheld",
            Event::RefusalOverruled { .. } => "refusalOverruled",
            Event::ChildDeparted { .. } => "childDeparted",
            Event::Archived { .. } => "archived",
        }
    }

    /// The application this event is about, if any.
    pub fn application_id(&self) -> Option<&str> {
        match self {
            Event::Registered { application } => Some(&application.id),
            Event::PlacesAdded { .. }
            | Event::PlacesPublished { .. }
            | Event::PlacesReduced { .. }
            | Event::CalendarYearSet { .. }
            | Event::KindergartenSet { .. } => None,
            Event::VoucherIssued { application, .. }
            | Event::VoucherConfirmed { application, .. }
            | Event::StopListed { application, .. }
            | Event::VoucherRestored { application, .. }
            | Event::ChoiceExtended { application, .. }
            | Event::DirectionIssued { application, .. }
            | Event::ChildEnrolled { application, .. }
            | Event::ChildRefused { application, .. }
            | Event::RefusalUpheld { application, .. }
            | Event::RefusalOverruled { application, .. }
            | Event::ChildDeparted { application, .. }
            | Event::Archived { application, .. } => Some(application),
        }
    }
}
