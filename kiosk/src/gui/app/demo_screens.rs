//! Opening the window logged in on a given screen, for screenshots and the demo window
//! (`examples/gui_demo.rs`, `scripts/screenshots.sh`): a script of ordinary UI commands.

use super::{KioskApp, Screen, UiCommand, register, staff};
use crate::gui::backend::{JournalFilter, Lookup};
use rules::command::ActionKind;

impl KioskApp {
    /// The first application with `status` (for the demo and screenshots).
    fn first_with(&mut self, status: rules::model::Status) -> Option<String> {
        let filter = JournalFilter { status: Some(status), ..JournalFilter::default() };
        self.backend.journal(&filter, 0..1).ok().and_then(|page| page.rows.first().map(|r| r.id.clone()))
    }

    /// Logs in as `login` with `password` and opens `screen`, for
    /// screenshots: `journal`, `register`, `register-filled`, `card:<id>`, `card-voucher`,
    /// `card-queued`, `dialog-choose`, `staff`, `staff-places`, `staff-enrolled`, `sync`,
    /// `admin`, `stats`.
    pub fn demo_open(&mut self, ctx: &egui::Context, login: &str, password: &str, screen: &str) {
        use rules::model::Status;
        self.apply_command(UiCommand::Login { login: login.into(), password: password.into() }, ctx);
        let (screen, argument) = screen.split_once(':').unwrap_or((screen, ""));
        match screen {
            "journal" => self.apply_command(UiCommand::Go(Screen::Journal), ctx),
            "register" => self.apply_command(UiCommand::Go(Screen::Register), ctx),
            "register-filled" => {
                self.apply_command(UiCommand::Go(Screen::Register), ctx);
                self.register = register::RegisterForm {
                    child_iin: "230310600011".into(),
                    child_name: "Сейітова Әйгерім Нұрланқызы".into(),
                    birth_date: "10.03.2023".into(),
                    applicant_iin: "900517400015".into(),
                    applicant_name: "Сейітова Гүлнұр Қайратқызы".into(),
                    phone: "+7 701 555 12 34".into(),
                    address: "г. Кокшетау, ул. Абая, 15, кв. 4".into(),
                    ..register::RegisterForm::default()
                };
            }
            "card" => self.apply_command(UiCommand::OpenCard(argument.into()), ctx),
            "card-voucher" => {
                if let Some(id) = self.first_with(Status::VoucherIssued) {
                    self.apply_command(UiCommand::OpenCard(id), ctx);
                }
            }
            "card-queued" => {
                let filter = JournalFilter { status: Some(Status::Queued), ..JournalFilter::default() };
                let rows = self.backend.journal(&filter, 0..400).map(|p| p.rows).unwrap_or_default();
                let moved = rows.iter().find(|r| {
                    self.backend
                        .card(&r.id)
                        .is_ok_and(|c| c.center_position.is_some_and(|p| Some(p.position) != c.local_position))
                });
                if let Some(row) = moved.or(rows.first()) {
                    let id = row.id.clone();
                    self.apply_command(UiCommand::OpenCard(id.clone()), ctx);
                    self.apply_command(UiCommand::Explain(id), ctx);
                }
            }
            "dialog-choose" => {
                if let Some(id) = self.first_with(Status::VoucherConfirmed) {
                    self.apply_command(UiCommand::OpenCard(id.clone()), ctx);
                    self.apply_command(UiCommand::PrepareAction { id, kind: ActionKind::ChooseKindergarten }, ctx);
                }
            }
            "staff" | "staff-places" | "staff-enrolled" => {
                self.apply_command(UiCommand::Go(Screen::Staff), ctx);
                self.staff.tab = match screen {
                    "staff-places" => staff::StaffTab::Places,
                    "staff-enrolled" => staff::StaffTab::Enrolled,
                    _ => staff::StaffTab::Directions,
                };
                let mine = self.session.as_ref().map(|s| s.kindergartens.clone()).unwrap_or_default();
                let filter = JournalFilter { status: Some(Status::DirectionIssued), ..JournalFilter::default() };
                let rows = self.backend.journal(&filter, 0..100).map(|p| p.rows).unwrap_or_default();
                let direction = rows.iter().find_map(|r| {
                    let card = self.backend.card(&r.id).ok()?;
                    card.application.direction.filter(|d| mine.contains(&d.kindergarten)).map(|d| d.number)
                });
                if let Some(number) = direction {
                    self.staff.by_direction = true;
                    self.staff.query.clone_from(&number);
                    self.apply_command(UiCommand::StaffFind(Lookup::DirectionNumber(number)), ctx);
                }
            }
            "sync" => self.apply_command(UiCommand::Go(Screen::Sync), ctx),
            "admin" => self.apply_command(UiCommand::Go(Screen::Admin), ctx),
            "stats" => self.apply_command(UiCommand::Go(Screen::Stats), ctx),
            _ => {}
        }
        self.sync_status = self.backend.sync_status();
    }
}
