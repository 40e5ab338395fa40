//! Login, and the first-run set-up of a new kiosk.

use egui::{RichText, Ui};
use rules::Instant;
use rules::i18n::Lang;

use crate::gui::backend::KioskSetup;
use crate::gui::i18n::Tr;
use crate::gui::ui::{Notice, UiCommand};
use crate::gui::{reference, widgets};

/// The code of a login refused during a lock-out after failed attempts.
pub const THROTTLED: &str = "LOGIN_THROTTLED";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoginForm {
    pub login: String,
    pub password: String,
    /// A login locked out after failed attempts, and the kiosk time when it may try again.
    pub retry_at: Option<(String, Instant)>,
}

impl LoginForm {
    /// Remembers that `login` may try again `wait_seconds` after `now` (kiosk clock).
    pub fn throttled(&mut self, login: &str, now: Instant, wait_seconds: u64) {
        let wait = chrono::TimeDelta::seconds(i64::try_from(wait_seconds).unwrap_or(i64::MAX).min(86_400));
        self.retry_at = Some((login.trim().to_owned(), Instant(now.0 + wait)));
    }

    /// Seconds the login typed now must still wait (`None`: it is not locked out).
    pub fn wait_seconds(&self, now: Instant) -> Option<u64> {
        let (login, at) = self.retry_at.as_ref()?;
        if login != self.login.trim() {
            return None;
        }
        let ms = (at.0 - now.0).num_milliseconds();
        (ms > 0).then(|| u64::try_from(ms).unwrap_or(0).div_ceil(1000))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetupForm {
    pub setup: KioskSetup,
    pub password_again: String,
    pub mismatch: bool,
    /// Submitted before a district was chosen.
    pub no_district: bool,
}

fn notice_ui(ui: &mut Ui, notice: Option<&Notice>, tr: &Tr, lang: Lang) {
    match notice {
        Some(Notice::Error(error)) => widgets::error_ui(ui, error, lang),
        Some(Notice::Done(id, _)) => widgets::message_ui(ui, tr.t(id), true),
        None => {}
    }
}

/// The login screen. During a lock-out after failed attempts (`LOGIN_THROTTLED`) it counts
/// the seconds down in the operator's language and keeps the button disabled; the kiosk
/// refuses such attempts anyway, and nothing here waits on the UI thread.
pub fn login_ui(
    ui: &mut Ui,
    form: &mut LoginForm,
    tr: &Tr,
    notice: Option<&Notice>,
    lang: Lang,
    now: Instant,
) -> Option<UiCommand> {
    let mut command = None;
    let wait = form.wait_seconds(now);
    if wait.is_some() {
        ui.ctx().request_repaint_after(std::time::Duration::from_millis(250));
    }
    ui.vertical_centered(|ui| {
        ui.add_space(40.0);
        ui.heading(tr.t("login-title"));
        ui.add_space(8.0);
        ui.label(RichText::new(tr.t("login-warning")).color(crate::gui::theme::ERROR));
        ui.add_space(12.0);
        ui.allocate_ui(egui::vec2(340.0, 360.0), |ui| {
            match (notice, wait) {
                (Some(Notice::Error(error)), Some(seconds)) if error.code == THROTTLED => {
                    widgets::message_ui(ui, &tr.f("login-throttled", &[("seconds", seconds.into())]), false);
                }
                // The lock-out is over (or another login is typed): the refusal no longer holds.
                (Some(Notice::Error(error)), None) if error.code == THROTTLED && form.retry_at.is_some() => {}
                _ => notice_ui(ui, notice, tr, lang),
            }
            widgets::text_field_ui(ui, tr.t("login-login"), &mut form.login);
            let password = widgets::password_field_ui(ui, tr.t("login-password"), &mut form.password);
            let enter = wait.is_none() && password.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            ui.add_space(10.0);
            let submit = ui.add_enabled_ui(wait.is_none(), |ui| widgets::primary_button_ui(ui, tr.t("login-submit")));
            if submit.inner.clicked() || enter {
                command = Some(UiCommand::Login { login: form.login.clone(), password: form.password.clone() });
            }
        });
    });
    command
}

pub fn setup_ui(ui: &mut Ui, form: &mut SetupForm, tr: &Tr, notice: Option<&Notice>, lang: Lang) -> Option<UiCommand> {
    let mut command = None;
    ui.vertical_centered(|ui| {
        ui.add_space(20.0);
        ui.heading(tr.t("setup-title"));
        ui.label(tr.t("setup-intro"));
        ui.add_space(10.0);
    });
    ui.horizontal(|ui| {
        ui.add_space((ui.available_width() - 680.0).max(0.0) / 2.0);
        ui.vertical(|ui| {
            notice_ui(ui, notice, tr, lang);
            let districts: Vec<(String, String)> =
                reference::districts().iter().map(|d| (d.code.clone(), d.name.get(lang).to_owned())).collect();
            widgets::combo_ui(ui, "setup-district", tr.t("setup-district"), &mut form.setup.district, &districts);
            widgets::text_field_width_ui(ui, tr.t("setup-kiosk-name"), &mut form.setup.kiosk_name, 600.0);
            widgets::section_ui(ui, tr.t("setup-admin"));
            widgets::text_field_ui(ui, tr.t("setup-admin-login"), &mut form.setup.admin_login);
            widgets::text_field_width_ui(ui, tr.t("setup-admin-name"), &mut form.setup.admin_name, 600.0);
            widgets::password_field_ui(ui, tr.t("setup-admin-password"), &mut form.setup.admin_password);
            widgets::password_field_ui(ui, tr.t("setup-admin-password-again"), &mut form.password_again);
            if form.mismatch {
                ui.label(RichText::new(tr.t("setup-password-mismatch")).color(crate::gui::theme::ERROR));
            }
            if form.no_district {
                ui.label(RichText::new(tr.t("setup-choose-district")).color(crate::gui::theme::ERROR));
            }
            ui.add_space(10.0);
            if widgets::primary_button_ui(ui, tr.t("setup-submit")).clicked() {
                form.mismatch = form.setup.admin_password != form.password_again;
                form.no_district = form.setup.district.is_empty();
                if !form.mismatch && !form.no_district {
                    command = Some(UiCommand::Setup(form.setup.clone()));
                }
            }
        });
    });
    command
}
