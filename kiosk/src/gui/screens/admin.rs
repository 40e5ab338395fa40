//! Administrator: operators and their roles, the kiosk's key fingerprint.

use egui::{Grid, RichText, Ui};
use rules::command::Role;

use crate::gui::backend::{NewOperator, Operator};
use crate::gui::ui::{Cx, UiCommand};
use crate::gui::{reference, theme, widgets};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperatorForm {
    pub operator: NewOperator,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminView {
    pub operators: Vec<Operator>,
    pub form: OperatorForm,
}

pub fn admin_ui(ui: &mut Ui, view: &mut AdminView, fingerprint: &str, cx: &Cx<'_>) -> Vec<UiCommand> {
    let mut out = Vec::new();
    ui.heading(cx.t("admin-title"));
    egui::ScrollArea::vertical().id_salt("admin").auto_shrink([false, false]).show(ui, |ui| {
        widgets::section_ui(ui, cx.t("admin-kiosk"));
        Grid::new("admin-kiosk").num_columns(2).spacing([24.0, 8.0]).show(ui, |ui| {
            if let Some(kiosk) = cx.kiosk {
                widgets::info_row_ui(ui, cx.t("admin-kiosk-id"), &kiosk.id);
                widgets::info_row_ui(ui, cx.t("admin-kiosk-name"), &kiosk.name);
                widgets::info_row_ui(ui, cx.t("admin-district"), &reference::district_name(&kiosk.district, cx.lang));
            }
            ui.label(RichText::new(cx.t("admin-fingerprint")).color(egui::Color32::from_gray(70)));
            ui.label(RichText::new(fingerprint).monospace().strong());
            ui.end_row();
        });
        ui.label(RichText::new(cx.t("admin-fingerprint-note")).small());

        widgets::section_ui(ui, cx.t("admin-operators"));
        Grid::new("admin-operators").num_columns(5).spacing([20.0, 6.0]).striped(true).show(ui, |ui| {
            for id in ["admin-login", "admin-name", "admin-role", "admin-state", "admin-action"] {
                ui.label(RichText::new(cx.t(id)).strong());
            }
            ui.end_row();
            for operator in &view.operators {
                ui.label(RichText::new(&operator.login).monospace());
                ui.label(&operator.name);
                ui.vertical(|ui| {
                    // Wide enough for a role on one line; the kindergartens wrap under it.
                    ui.set_min_width(240.0);
                    ui.set_max_width(360.0);
                    ui.add(egui::Label::new(operator.role.text().get(cx.lang)).wrap_mode(egui::TextWrapMode::Extend));
                    if !operator.kindergartens.is_empty() {
                        let names: Vec<String> =
                            operator.kindergartens.iter().map(|k| cx.kindergarten_name(k)).collect();
                        ui.label(RichText::new(names.join(", ")).small());
                    }
                });
                if operator.active {
                    ui.label(RichText::new(cx.t("admin-active")).color(theme::OK));
                } else {
                    ui.label(RichText::new(cx.t("admin-disabled")).color(theme::ERROR));
                }
                let (label, active) = if operator.active {
                    (cx.tr.f("admin-disable", &[("login", operator.login.clone().into())]), false)
                } else {
                    (cx.tr.f("admin-enable", &[("login", operator.login.clone().into())]), true)
                };
                if ui.add(egui::Button::new(label).min_size(egui::vec2(100.0, theme::TOUCH_HEIGHT))).clicked() {
                    out.push(UiCommand::SetOperatorActive { login: operator.login.clone(), active });
                }
                ui.end_row();
            }
        });

        widgets::section_ui(ui, cx.t("admin-add"));
        let form = &mut view.form.operator;
        ui.horizontal_wrapped(|ui| {
            widgets::text_field_width_ui(ui, cx.t("admin-login"), &mut form.login, 220.0);
            widgets::text_field_width_ui(ui, cx.t("admin-name"), &mut form.name, 360.0);
            let roles: Vec<(Option<Role>, String)> =
                Role::AT_KIOSK.into_iter().map(|r| (Some(r), r.text().get(cx.lang).to_owned())).collect();
            widgets::combo_ui(ui, "admin-role", cx.t("admin-role"), &mut form.role, &roles);
            widgets::password_field_ui(ui, cx.t("admin-password"), &mut form.password);
        });
        if form.role.is_some_and(rules::authz::accounts::binds_kindergartens) {
            ui.label(cx.t("admin-kindergartens"));
            ui.horizontal_wrapped(|ui| {
                let district = cx.kiosk.map(|k| k.district.clone()).unwrap_or_default();
                for k in cx.kindergartens.iter().filter(|k| k.district == district) {
                    let mut on = form.kindergartens.contains(&k.id);
                    if ui.checkbox(&mut on, crate::gui::app::kindergarten_name(k, cx.lang)).changed() {
                        if on {
                            form.kindergartens.push(k.id.clone());
                        } else {
                            form.kindergartens.retain(|id| id != &k.id);
                        }
                    }
                }
            });
        }
        ui.add_space(6.0);
        if widgets::primary_button_ui(ui, cx.t("admin-add-submit")).clicked() {
            out.push(UiCommand::AddOperator(form.clone()));
        }
    });
    out
}
