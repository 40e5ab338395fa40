//! What the app and its screens exchange: the screens, dialogs and notices, the commands a
//! screen returns ([`UiCommand`]), and the context a screen draws with ([`Cx`]). Kept apart
//! from [`super::app`] so that screens depend on these types and not on the app.

use std::ops::Range;
use std::path::PathBuf;

use rules::command::{Action, ActionKind, Role};
use rules::i18n::Lang;
use rules::model::{Kindergarten, NewApplication, Warning};
use rules::queue::PositionChange;
use rules::time::Instant;

use super::backend::{
    BackendError, Card, FreeChoice, KioskInfo, KioskSetup, Lookup, NewOperator, PlacesInput, Session,
};
use super::i18n::Tr;

/// The screens after login.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Register,
    Journal,
    Card,
    Staff,
    Sync,
    Admin,
    Stats,
}

impl Screen {
    pub fn label_id(self) -> &'static str {
        match self {
            Screen::Register => "nav-register",
            Screen::Journal => "nav-journal",
            Screen::Card => "nav-card",
            Screen::Staff => "nav-staff",
            Screen::Sync => "nav-sync",
            Screen::Admin => "nav-admin",
            Screen::Stats => "nav-stats",
        }
    }

    /// The screens a role sees in the menu, the first being its start screen.
    pub fn for_role(role: Role) -> &'static [Screen] {
        match role {
            Role::Operator => &[Screen::Journal, Screen::Register, Screen::Sync, Screen::Stats],
            Role::Kindergarten => &[Screen::Staff, Screen::Sync, Screen::Stats],
            Role::Reviewer | Role::Center => &[Screen::Journal, Screen::Sync, Screen::Stats],
            Role::Admin => &[Screen::Admin, Screen::Journal, Screen::Sync, Screen::Stats],
        }
    }
}

/// A confirmation dialog and what it will do.
#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    /// "Встать в очередь": what will be saved.
    Register { application: NewApplication, warnings: Vec<Warning> },
    /// An action on an application, with the inputs some actions need.
    Action(ActionDialog),
    /// Free places: saved records cannot be changed.
    Places { input: PlacesInput, after_departure: bool },
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActionDialog {
    pub id: String,
    pub kind: Option<ActionKind>,
    pub child_name: String,
    pub days: String,
    pub reason: String,
    pub date: String,
    pub choices: Vec<FreeChoice>,
    pub choice: Option<usize>,
    /// After "Убыл": the place the departure frees, to offer for publication.
    pub freed: Option<PlacesInput>,
}

/// What a widget asks for; run by [`KioskApp::apply_command`] after the frame.
#[derive(Debug, Clone, PartialEq)]
pub enum UiCommand {
    SetLang(Lang),
    Go(Screen),
    Setup(KioskSetup),
    Login {
        login: String,
        password: String,
    },
    Logout,
    /// Check with the rules, then open the confirmation dialog.
    CheckRegistration(NewApplication),
    Register(NewApplication),
    NewApplicationForm,
    WriteReceipt(String),
    ReloadJournal,
    JournalWindow(Range<usize>),
    OpenCard(String),
    Find(Lookup),
    /// Open the dialog of an action (loads the free places for a choice).
    PrepareAction {
        id: String,
        kind: ActionKind,
    },
    Act {
        id: String,
        action: Action,
        freed: Option<PlacesInput>,
    },
    Explain(String),
    WriteChildCard(String),
    StaffSelect(String),
    StaffFind(Lookup),
    ConfirmPlaces {
        input: PlacesInput,
        after_departure: bool,
    },
    AddPlaces(PlacesInput),
    /// Open the confirmation of a reduction of free places (drawn on the staff screen).
    ConfirmReducePlaces(PlacesInput),
    ReducePlaces(PlacesInput),
    Push(String),
    /// Minutes between automatic pushes (0: off).
    SetAutoSync(u32),
    SetCenterKey(String),
    Export(PathBuf),
    Import(PathBuf),
    AddOperator(NewOperator),
    SetOperatorActive {
        login: String,
        active: bool,
    },
    CloseDialog,
    DismissNotice,
}

/// A message shown above the screen until dismissed or replaced.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    Error(BackendError),
    /// A Fluent message id and its arguments.
    Done(&'static str, Vec<(&'static str, String)>),
}

/// What the drawing functions may read.
pub struct Cx<'a> {
    pub tr: &'a Tr,
    pub lang: Lang,
    pub now: Instant,
    pub session: &'a Session,
    pub kiosk: Option<&'a KioskInfo>,
    pub kindergartens: &'a [Kindergarten],
    pub output_dir: &'a std::path::Path,
    /// The calendar deadlines and days left are counted with.
    pub calendar: &'static rules::Calendar,
}

impl std::fmt::Debug for Cx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cx").field("lang", &self.lang).field("session", &self.session.login).finish_non_exhaustive()
    }
}

impl Cx<'_> {
    pub fn t(&self, id: &'static str) -> &str {
        self.tr.t(id)
    }
    pub fn kindergarten(&self, id: &str) -> Option<&Kindergarten> {
        self.kindergartens.iter().find(|k| k.id == id)
    }
    pub fn kindergarten_name(&self, id: &str) -> String {
        self.kindergarten(id).map_or_else(|| id.to_owned(), |k| kindergarten_name(k, self.lang))
    }
}

pub fn kindergarten_name(k: &Kindergarten, lang: Lang) -> String {
    match lang {
        Lang::Kk => k.name.kk.clone(),
        Lang::Ru | Lang::En => k.name.ru.clone(),
    }
}

/// The receipt shown after saving.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    pub receipt: super::backend::Receipt,
    pub file: Option<Result<PathBuf, String>>,
}

/// Card screen state.
#[derive(Debug, Clone, PartialEq)]
pub struct CardView {
    pub card: Card,
    pub explanation: Option<(Instant, PositionChange)>,
    pub explain_error: Option<String>,
    pub file: Option<Result<PathBuf, String>>,
}

/// The outcome of writing a file for the user (a child's card, a list): where it went, or why not.
pub fn file_written_ui(ui: &mut egui::Ui, file: Option<&Result<std::path::PathBuf, String>>, cx: &Cx<'_>) {
    match file {
        Some(Ok(path)) => {
            ui.label(cx.tr.f("file-written", &[("path", path.display().to_string().into())]));
        }
        Some(Err(message)) => {
            ui.label(egui::RichText::new(message).color(super::theme::ERROR));
        }
        None => {}
    }
}
