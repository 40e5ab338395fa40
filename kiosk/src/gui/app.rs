//! The kiosk application: screens draw from cached data and return [`UiCommand`]s;
//! [`KioskApp::apply_command`] is the single place that runs them against the backend,
//! after the frame.

use std::ops::Range;
use std::path::PathBuf;

use egui::{RichText, Ui};
use rules::command::ActionKind;
use rules::i18n::Lang;
use rules::model::Kindergarten;
use rules::time::Instant;

use super::backend::{
    Backend, BackendError, JournalFilter, KioskInfo, Lookup, PlacesInput, Session, Stats, SyncOutcome, SyncStatus,
};
use super::i18n::Translations;
use super::screens::{admin, card, journal, login, register, staff, stats, sync};
use super::{format, receipt, theme, widgets};

pub use super::ui::{ActionDialog, CardView, Cx, Dialog, Notice, Saved, Screen, UiCommand, kindergarten_name};

mod demo_screens;
mod screen_data;
mod sync_schedule;

/// The kiosk GUI. Run it with [`super::run`] or drive it in tests with `frame_ui`.
pub struct KioskApp {
    backend: Box<dyn Backend>,
    translations: Translations,
    pub lang: Lang,
    kiosk: Option<KioskInfo>,
    session: Option<Session>,
    kindergartens: Vec<Kindergarten>,
    pub screen: Screen,
    notice: Option<Notice>,
    dialog: Option<Dialog>,
    output_dir: PathBuf,
    sync_status: SyncStatus,
    /// A push runs in the background (the backend's worker).
    pushing: bool,
    /// When an automatic push was last started (a push that cannot start records no attempt).
    auto_tried_at: Option<Instant>,
    styled: bool,
    pub login: login::LoginForm,
    pub setup: login::SetupForm,
    pub register: register::RegisterForm,
    pub saved: Option<Saved>,
    pub journal: journal::JournalView,
    pub card: Option<CardView>,
    pub staff: staff::StaffView,
    pub sync: sync::SyncView,
    pub admin: admin::AdminView,
    pub stats: Option<Stats>,
}

impl std::fmt::Debug for KioskApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KioskApp")
            .field("lang", &self.lang)
            .field("screen", &self.screen)
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl KioskApp {
    /// A kiosk GUI over `backend`; receipts and child cards are written to `output_dir`.
    pub fn new(backend: Box<dyn Backend>, output_dir: PathBuf) -> Self {
        let kiosk = backend.kiosk_info();
        let kindergartens = backend.kindergartens();
        let sync_status = backend.sync_status();
        let export_default = output_dir.join("kezek-export.jsonl");
        let import_default = output_dir.join("kezek-snapshot.json");
        KioskApp {
            backend,
            translations: Translations::default(),
            lang: Lang::Ru,
            kiosk,
            session: None,
            kindergartens,
            screen: Screen::Journal,
            notice: None,
            dialog: None,
            sync: sync::SyncView::new(
                sync_status.center_url.clone().unwrap_or_default(),
                export_default.display().to_string(),
                import_default.display().to_string(),
            ),
            output_dir,
            sync_status,
            pushing: false,
            auto_tried_at: None,
            styled: false,
            login: login::LoginForm::default(),
            setup: login::SetupForm::default(),
            register: register::RegisterForm::default(),
            saved: None,
            journal: journal::JournalView::default(),
            card: None,
            staff: staff::StaffView::default(),
            admin: admin::AdminView::default(),
            stats: None,
        }
    }

    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    pub fn notice(&self) -> Option<&Notice> {
        self.notice.as_ref()
    }

    pub fn dialog(&self) -> Option<&Dialog> {
        self.dialog.as_ref()
    }

    pub fn backend(&self) -> &dyn Backend {
        self.backend.as_ref()
    }

    pub fn backend_mut(&mut self) -> &mut dyn Backend {
        self.backend.as_mut()
    }

    /// Whether a push runs in the background.
    pub fn pushing(&self) -> bool {
        self.pushing
    }

    /// Draws one frame, then runs the commands the widgets returned.
    pub fn frame_ui(&mut self, ui: &mut Ui) {
        if !self.styled {
            theme::apply(ui.ctx());
            self.styled = true;
        }
        self.sync_tick(ui.ctx());
        let commands = self.draw_ui(ui);
        let any = !commands.is_empty();
        for command in commands {
            self.apply_command(command, ui.ctx());
        }
        if any {
            self.sync_status = self.backend.sync_status();
            ui.ctx().request_repaint();
        }
    }

    fn draw_ui(&mut self, ui: &mut Ui) -> Vec<UiCommand> {
        let mut out = Vec::new();
        let tr = self.translations.get(self.lang);
        let now = self.backend.now();
        egui::Panel::top("top").show(ui, |ui| {
            ui.add_space(4.0);
            // The right side (account, languages) is laid out first; the kiosk's name on the
            // left gets what is left and is cut short with "…" on a narrow screen.
            egui::Sides::new().shrink_left().truncate().height(theme::TOUCH_HEIGHT).show(
                ui,
                |ui| {
                    ui.label(RichText::new("Kezek").size(24.0).strong().color(theme::ACCENT));
                    if let Some(kiosk) = &self.kiosk {
                        ui.label(RichText::new(&kiosk.name).color(egui::Color32::from_gray(60)));
                    }
                },
                |ui| {
                    if let Some(session) = &self.session {
                        if widgets::big_button_ui(ui, tr.t("logout")).clicked() {
                            out.push(UiCommand::Logout);
                        }
                        ui.label(format!("{} · {}", session.name, session.role.text().get(self.lang)));
                        ui.separator();
                    }
                    for lang in [Lang::En, Lang::Kk, Lang::Ru] {
                        let name = match lang {
                            Lang::Ru => "Русский",
                            Lang::Kk => "Қазақша",
                            Lang::En => "English",
                        };
                        let button = egui::Button::selectable(self.lang == lang, name)
                            .min_size(egui::vec2(90.0, theme::TOUCH_HEIGHT));
                        if ui.add(button).clicked() && self.lang != lang {
                            out.push(UiCommand::SetLang(lang));
                        }
                    }
                    ui.label(tr.t("language"));
                },
            );
            ui.add_space(4.0);
        });
        let Some(session) = self.session.clone() else {
            egui::CentralPanel::default().show(ui, |ui| {
                if self.backend.needs_setup() {
                    out.extend(login::setup_ui(ui, &mut self.setup, tr, self.notice.as_ref(), self.lang));
                } else {
                    let now = self.backend.now();
                    out.extend(login::login_ui(ui, &mut self.login, tr, self.notice.as_ref(), self.lang, now));
                }
            });
            return out;
        };
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                let status = &self.sync_status;
                ui.label(tr.f("status-pending", &[("count", status.pending.into())]));
                ui.separator();
                match status.last_sync {
                    Some(at) => ui.label(tr.f(
                        "status-last-sync",
                        &[("at", format::instant_short(at).into()), ("ago", format::ago(tr, at, now).into())],
                    )),
                    None => ui.label(tr.t("status-never-synced")),
                };
                if self.pushing {
                    ui.separator();
                    ui.label(RichText::new(tr.t("status-syncing")).color(theme::ACCENT).strong());
                } else if let Some((at, SyncOutcome::Failed(_))) = &status.last_attempt {
                    ui.separator();
                    ui.label(
                        RichText::new(tr.f("status-sync-failed", &[("at", format::instant_short(*at).into())]))
                            .color(theme::ERROR),
                    );
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(tr.f("status-now", &[("now", format::instant_short(now).into())]));
                });
            });
        });
        egui::Panel::left("nav").resizable(false).exact_size(230.0).show(ui, |ui| {
            ui.add_space(8.0);
            for screen in Screen::for_role(session.role) {
                let selected = self.screen == *screen || (self.screen == Screen::Card && *screen == Screen::Journal);
                let button = egui::Button::selectable(selected, RichText::new(tr.t(screen.label_id())).size(18.0))
                    .min_size(egui::vec2(210.0, 48.0));
                if ui.add(button).clicked() {
                    out.push(UiCommand::Go(*screen));
                }
            }
        });
        let cx = Cx {
            tr,
            lang: self.lang,
            now,
            session: &session,
            kiosk: self.kiosk.as_ref(),
            kindergartens: &self.kindergartens,
            output_dir: &self.output_dir,
            calendar: self.backend.calendar(),
        };
        egui::CentralPanel::default().show(ui, |ui| {
            match &self.notice {
                Some(Notice::Error(error)) => {
                    ui.horizontal(|ui| {
                        if ui.button(tr.t("dismiss")).clicked() {
                            out.push(UiCommand::DismissNotice);
                        }
                        widgets::error_ui(ui, error, self.lang);
                    });
                }
                Some(Notice::Done(id, args)) => {
                    let args: Vec<(&'static str, fluent_bundle::FluentValue<'_>)> =
                        args.iter().map(|(k, v)| (*k, v.as_str().into())).collect();
                    ui.horizontal(|ui| {
                        if ui.button(tr.t("dismiss")).clicked() {
                            out.push(UiCommand::DismissNotice);
                        }
                        widgets::message_ui(ui, &tr.f(id, &args), true);
                    });
                }
                None => {}
            }
            match self.screen {
                Screen::Register => match &self.saved {
                    Some(saved) => out.extend(register::saved_ui(ui, saved, &cx)),
                    None => out.extend(register::register_ui(ui, &mut self.register, &cx)),
                },
                Screen::Journal => out.extend(journal::journal_ui(ui, &mut self.journal, &cx)),
                Screen::Card => match &mut self.card {
                    Some(view) => out.extend(card::card_ui(ui, view, &cx)),
                    None => {
                        ui.label(tr.t("card-none"));
                    }
                },
                Screen::Staff => out.extend(staff::staff_ui(ui, &mut self.staff, &cx)),
                Screen::Sync => {
                    out.extend(sync::sync_ui(ui, &mut self.sync, &self.sync_status, self.pushing, &cx));
                }
                Screen::Admin => {
                    let fingerprint = self.backend.key_fingerprint();
                    out.extend(admin::admin_ui(ui, &mut self.admin, &fingerprint, &cx));
                }
                Screen::Stats => stats::stats_ui(ui, self.stats.as_ref(), &cx),
            }
        });
        if let Some(dialog) = &mut self.dialog {
            out.extend(card::dialog_ui(ui.ctx(), dialog, &cx));
        }
        out
    }

    fn fail(&mut self, error: BackendError) {
        self.notice = Some(Notice::Error(error));
    }

    fn done(&mut self, id: &'static str, args: Vec<(&'static str, String)>) {
        self.notice = Some(Notice::Done(id, args));
    }

    /// The single place where commands meet the backend.
    pub fn apply_command(&mut self, command: UiCommand, ctx: &egui::Context) {
        match command {
            UiCommand::SetLang(lang) => self.lang = lang,
            UiCommand::DismissNotice => self.notice = None,
            UiCommand::CloseDialog => self.dialog = None,
            UiCommand::Go(screen) => self.go(screen),
            UiCommand::Setup(setup) => match self.backend.init_kiosk(&setup) {
                Ok(info) => {
                    self.kiosk = Some(info);
                    self.login.login.clone_from(&setup.admin_login);
                    self.setup = login::SetupForm::default();
                    self.done("setup-done", Vec::new());
                }
                Err(error) => self.fail(error),
            },
            UiCommand::Login { login, password } => match self.backend.login(&login, &password) {
                Ok(session) => {
                    let first = Screen::for_role(session.role)[0];
                    self.session = Some(session);
                    self.login = login::LoginForm::default();
                    self.notice = None;
                    self.kiosk = self.backend.kiosk_info();
                    self.staff = staff::StaffView::default();
                    self.go(first);
                }
                Err(error) => {
                    self.login.retry_at = None;
                    if error.code == login::THROTTLED {
                        let wait = self.backend.login_wait_seconds(login.trim());
                        if wait > 0 {
                            self.login.throttled(&login, self.backend.now(), wait);
                        }
                    }
                    self.fail(error);
                }
            },
            UiCommand::Logout => {
                self.backend.logout();
                self.session = None;
                self.card = None;
                self.saved = None;
                self.dialog = None;
                self.notice = None;
                self.register = register::RegisterForm::default();
            }
            UiCommand::CheckRegistration(application) => match self.backend.check_registration(&application) {
                Ok(warnings) => {
                    self.notice = None;
                    self.dialog = Some(Dialog::Register { application, warnings });
                }
                Err(error) => self.fail(error),
            },
            UiCommand::Register(application) => {
                self.dialog = None;
                match self.backend.register(application) {
                    Ok(receipt) => {
                        let id = receipt.id.clone();
                        self.saved = Some(Saved { receipt, file: None });
                        self.register = register::RegisterForm::default();
                        self.done("register-saved", vec![("id", id.clone())]);
                        self.write_receipt(&id);
                        self.journal.invalidate();
                    }
                    Err(error) => self.fail(error),
                }
            }
            UiCommand::WriteReceipt(id) => self.write_receipt(&id),
            UiCommand::NewApplicationForm => {
                self.saved = None;
                self.notice = None;
                self.register = register::RegisterForm::default();
            }
            UiCommand::ReloadJournal => {
                self.journal.invalidate();
                self.load_journal(0..journal::WINDOW);
            }
            UiCommand::JournalWindow(range) => self.load_journal(range),
            UiCommand::OpenCard(id) => self.open_card(&id),
            UiCommand::Find(lookup) => match self.backend.find(&lookup) {
                Ok(rows) if rows.len() == 1 => self.open_card(&rows[0].id),
                Ok(rows) if rows.is_empty() => {
                    self.fail(BackendError::from(crate::errors::GuiError::ApplicationNotFound));
                }
                Ok(rows) => {
                    self.journal.filter.text = match &lookup {
                        Lookup::ChildIin(text) | Lookup::RegistrationNumber(text) | Lookup::DirectionNumber(text) => {
                            text.clone()
                        }
                    };
                    let _ = rows;
                    self.go(Screen::Journal);
                }
                Err(error) => self.fail(error),
            },
            UiCommand::PrepareAction { id, kind } => self.prepare_action(&id, kind),
            UiCommand::Act { id, action, freed } => {
                self.dialog = None;
                let kind = action.kind();
                match self.backend.act(&id, action) {
                    Ok(()) => {
                        self.done(
                            "action-done",
                            vec![("action", kind.text().get(self.lang).to_owned()), ("id", id.clone())],
                        );
                        self.journal.invalidate();
                        if self.screen == Screen::Card {
                            self.open_card(&id);
                        }
                        if self.screen == Screen::Staff {
                            self.refresh_staff();
                            if self.staff.found.as_ref().is_some_and(|c| c.application.id == id) {
                                self.staff.found = self.backend.card(&id).ok();
                            }
                        }
                        if let Some(input) = freed {
                            self.dialog = Some(Dialog::Places { input, after_departure: true });
                        }
                    }
                    Err(error) => self.fail(error),
                }
            }
            UiCommand::Explain(id) => self.explain(&id),
            UiCommand::WriteChildCard(id) => {
                let result = self.backend.card(&id).map_err(|e| e.message(self.lang).to_owned()).and_then(|card| {
                    let tr = self.translations.get(self.lang);
                    let cx_name = self.kindergartens.clone();
                    receipt::write_child_card(&self.output_dir, &card, tr, self.lang, &cx_name)
                });
                match &result {
                    Ok(path) => {
                        self.done("file-written", vec![("path", path.display().to_string())]);
                    }
                    Err(message) => {
                        self.fail(BackendError::from(crate::errors::GuiError::FileWrite { detail: message.clone() }));
                    }
                }
                if let Some(view) = &mut self.card {
                    view.file = Some(result.clone());
                }
                self.staff.file = Some(result);
            }
            UiCommand::StaffSelect(kindergarten) => {
                self.staff.kindergarten = kindergarten;
                self.refresh_staff();
            }
            UiCommand::StaffFind(lookup) => {
                self.staff.found = None;
                self.staff.searched = true;
                self.staff.file = None;
                let mine = self.session.as_ref().map(|s| s.kindergartens.clone()).unwrap_or_default();
                match self.backend.find(&lookup) {
                    Ok(rows) => {
                        let cards = rows.iter().filter_map(|r| self.backend.card(&r.id).ok());
                        self.staff.found = cards
                            .filter(|c| {
                                c.application.direction.as_ref().is_some_and(|d| mine.contains(&d.kindergarten))
                            })
                            .max_by_key(|c| c.application.direction.as_ref().map(|d| d.issued_at));
                    }
                    Err(error) => self.fail(error),
                }
            }
            UiCommand::ConfirmPlaces { input, after_departure } => {
                self.dialog = Some(Dialog::Places { input, after_departure });
            }
            UiCommand::AddPlaces(input) => {
                self.dialog = None;
                match self.backend.add_places(&input) {
                    Ok(id) => {
                        self.done("places-saved", vec![("id", id), ("count", input.count.to_string())]);
                        self.staff.form = staff::PlacesForm::default();
                        self.refresh_staff();
                    }
                    Err(error) => self.fail(error),
                }
            }
            UiCommand::ConfirmReducePlaces(input) => {
                self.notice = None;
                self.staff.reducing = Some(input);
            }
            UiCommand::ReducePlaces(input) => {
                self.staff.reducing = None;
                let result = self.backend.reduce_places(&input);
                self.refresh_staff();
                match result {
                    Ok(id) => {
                        self.done("places-reduced", vec![("id", id), ("count", input.count.to_string())]);
                        self.staff.reduce = staff::ReduceForm::default();
                    }
                    // The rules' reason (`REDUCTION_OVER_FREE`…) in the operator's language.
                    Err(error) => self.fail(error),
                }
            }
            UiCommand::Push(url) => {
                if let Err(error) = self.start_push(&url, ctx) {
                    self.fail(error);
                }
            }
            UiCommand::SetCenterKey(key) => match self.backend.set_center_key(&key) {
                Ok(()) => {
                    self.sync.key.clear();
                    self.done("center-key-saved", Vec::new());
                }
                Err(error) => self.fail(error),
            },
            UiCommand::SetAutoSync(minutes) => match self.backend.set_auto_sync(minutes) {
                Ok(()) => self.sync_status = self.backend.sync_status(),
                Err(error) => self.fail(error),
            },
            UiCommand::Export(path) => match self.backend.export_bundle(&path) {
                Ok(report) => {
                    self.done("export-done", vec![("count", report.entries.to_string()), ("path", report.path)]);
                }
                Err(error) => self.fail(error),
            },
            UiCommand::Import(path) => match self.backend.import_snapshot(&path) {
                Ok(report) => {
                    self.done("import-done", vec![("at", format::instant_short(report.snapshot_at))]);
                    self.journal.invalidate();
                }
                Err(error) => self.fail(error),
            },
            UiCommand::AddOperator(operator) => match self.backend.add_operator(&operator) {
                Ok(()) => {
                    self.done("operator-added", vec![("login", operator.login.clone())]);
                    self.admin.form = admin::OperatorForm::default();
                    self.refresh_admin();
                }
                Err(error) => self.fail(error),
            },
            UiCommand::SetOperatorActive { login, active } => match self.backend.set_operator_active(&login, active) {
                Ok(()) => self.refresh_admin(),
                Err(error) => self.fail(error),
            },
        }
    }
}

impl eframe::App for KioskApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }
}
