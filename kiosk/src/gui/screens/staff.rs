//! "Рабочий кабинет сотрудника ДДО": processing a direction (accept or refuse), the free
//! places base, and the list of enrolled children with "Убыл".

use std::path::PathBuf;

use egui::{Grid, RichText, Ui};
use rules::command::{ActionKind, Role};
use rules::lifecycle::allowed_actions;
use rules::model::GroupLanguage;

use crate::gui::backend::{Card, EnrolledChild, FreeSlot, Lookup, PlacesInput, PlacesRow};
use crate::gui::ui::{Cx, UiCommand, file_written_ui};
use crate::gui::{format, theme, widgets};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StaffTab {
    #[default]
    Directions,
    Places,
    Enrolled,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlacesForm {
    pub language: Option<GroupLanguage>,
    pub group_year: Option<i32>,
    pub count: String,
    pub problem: Option<&'static str>,
}

/// "Уменьшить свободные места": a slot with free places in free choice and how many to take away.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReduceForm {
    /// Language and group year of the slot.
    pub slot: Option<(GroupLanguage, i32)>,
    pub count: String,
    pub problem: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct StaffView {
    pub kindergarten: String,
    pub tab: StaffTab,
    pub places: Vec<PlacesRow>,
    /// The kindergarten's slots with free places in free choice.
    pub free_slots: Vec<FreeSlot>,
    pub enrolled: Vec<EnrolledChild>,
    pub form: PlacesForm,
    pub reduce: ReduceForm,
    /// The reduction waiting for the staff member's confirmation.
    pub reducing: Option<PlacesInput>,
    pub by_direction: bool,
    pub query: String,
    pub found: Option<Card>,
    pub searched: bool,
    pub file: Option<Result<PathBuf, String>>,
}

pub fn staff_ui(ui: &mut Ui, view: &mut StaffView, cx: &Cx<'_>) -> Vec<UiCommand> {
    let mut out = Vec::new();
    ui.heading(cx.t("staff-title"));
    let options: Vec<(String, String)> =
        cx.session.kindergartens.iter().map(|k| (k.clone(), cx.kindergarten_name(k))).collect();
    let mut selected = view.kindergarten.clone();
    if widgets::combo_ui(ui, "staff-kindergarten", cx.t("staff-kindergarten"), &mut selected, &options) {
        out.push(UiCommand::StaffSelect(selected));
    }
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        for (tab, id) in [
            (StaffTab::Directions, "staff-tab-directions"),
            (StaffTab::Places, "staff-tab-places"),
            (StaffTab::Enrolled, "staff-tab-enrolled"),
        ] {
            let button = egui::Button::selectable(view.tab == tab, RichText::new(cx.t(id)).size(18.0))
                .min_size(egui::vec2(180.0, theme::TOUCH_HEIGHT + 4.0));
            if ui.add(button).clicked() {
                view.tab = tab;
            }
        }
    });
    ui.separator();
    match view.tab {
        StaffTab::Directions => directions_ui(ui, view, cx, &mut out),
        StaffTab::Places => places_ui(ui, view, cx, &mut out),
        StaffTab::Enrolled => enrolled_ui(ui, view, cx, &mut out),
    }
    out
}

fn directions_ui(ui: &mut Ui, view: &mut StaffView, cx: &Cx<'_>, out: &mut Vec<UiCommand>) {
    ui.label(RichText::new(cx.t("staff-find-title")).strong());
    ui.horizontal(|ui| {
        ui.radio_value(&mut view.by_direction, false, cx.t("staff-by-iin"));
        ui.radio_value(&mut view.by_direction, true, cx.t("staff-by-direction"));
    });
    ui.horizontal(|ui| {
        let label = if view.by_direction { cx.t("staff-direction-number") } else { cx.t("staff-child-iin") };
        let field = widgets::text_field_ui(ui, label, &mut view.query);
        let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        widgets::beside_field_ui(ui, |ui| {
            if widgets::primary_button_ui(ui, cx.t("staff-search")).clicked() || enter {
                let query = view.query.trim().to_owned();
                out.push(UiCommand::StaffFind(if view.by_direction {
                    Lookup::DirectionNumber(query)
                } else {
                    Lookup::ChildIin(query)
                }));
            }
        });
    });
    ui.add_space(8.0);
    let Some(card) = &view.found else {
        if view.searched {
            widgets::message_ui(ui, cx.t("staff-not-found"), false);
        }
        return;
    };
    let app = &card.application;
    Grid::new("staff-direction").num_columns(4).spacing([24.0, 8.0]).striped(true).show(ui, |ui| {
        let direction = app.direction.as_ref();
        ui.label(cx.t("staff-child-iin"));
        ui.label(RichText::new(&app.child.iin).strong());
        ui.label(cx.t("staff-kindergarten-name"));
        ui.label(RichText::new(direction.map(|d| cx.kindergarten_name(&d.kindergarten)).unwrap_or_default()).strong());
        ui.end_row();
        ui.label(cx.t("staff-child-name"));
        ui.label(RichText::new(&app.child.name).strong());
        ui.label(cx.t("staff-queue-year"));
        ui.label(RichText::new(app.group_year().to_string()).strong());
        ui.end_row();
        ui.label(cx.t("staff-applicant-name"));
        ui.label(RichText::new(&app.applicant.name).strong());
        ui.label(cx.t("staff-right"));
        ui.label(RichText::new(app.right.text().get(cx.lang)).strong());
        ui.end_row();
        ui.label(cx.t("staff-direction-number"));
        ui.label(RichText::new(direction.map(|d| d.number.clone()).unwrap_or_default()).strong());
        ui.label(cx.t("card-status"));
        ui.label(RichText::new(app.status.text().get(cx.lang)).strong().color(theme::ACCENT));
        ui.end_row();
    });
    ui.add_space(8.0);
    let allowed = allowed_actions(app, cx.now, cx.calendar).unwrap_or_default();
    ui.horizontal(|ui| {
        if widgets::big_button_ui(ui, cx.t("staff-download-card")).clicked() {
            out.push(UiCommand::WriteChildCard(app.id.clone()));
        }
        for action in allowed.iter().filter(|a| a.role == Role::Kindergarten) {
            if matches!(action.action, ActionKind::AcceptChild | ActionKind::RefuseChild)
                && widgets::primary_button_ui(ui, action.action.text().get(cx.lang)).clicked()
            {
                out.push(UiCommand::PrepareAction { id: app.id.clone(), kind: action.action });
            }
        }
    });
    file_written_ui(ui, view.file.as_ref(), cx);
}

fn places_ui(ui: &mut Ui, view: &mut StaffView, cx: &Cx<'_>, out: &mut Vec<UiCommand>) {
    // One scrolling page: the forms, then the table (which scrolls sideways when narrow).
    egui::ScrollArea::vertical().id_salt("places-page").auto_shrink([false, false]).show(ui, |ui| {
        add_places_ui(ui, view, cx, out);
        ui.add_space(10.0);
        reduce_ui(ui, view, cx, out);
        ui.add_space(10.0);
        places_table_ui(ui, view, cx);
    });
    if let Some(input) = view.reducing.clone() {
        reduce_confirm_ui(ui.ctx(), view, &input, cx, out);
    }
}

fn add_places_ui(ui: &mut Ui, view: &mut StaffView, cx: &Cx<'_>, out: &mut Vec<UiCommand>) {
    let languages = cx.kindergarten(&view.kindergarten).map(|k| k.languages.clone()).unwrap_or_default();
    ui.label(RichText::new(cx.t("places-add-title")).strong());
    ui.horizontal_wrapped(|ui| {
        let language_options: Vec<(Option<GroupLanguage>, String)> =
            languages.iter().map(|l| (Some(*l), l.text().get(cx.lang).to_owned())).collect();
        widgets::combo_ui(ui, "places-language", cx.t("places-language"), &mut view.form.language, &language_options);
        let this_year = cx.now.local_date().year();
        let years: Vec<(Option<i32>, String)> =
            (this_year - 7..=this_year).rev().map(|y| (Some(y), y.to_string())).collect();
        widgets::combo_ui(ui, "places-group-year", cx.t("places-group-year"), &mut view.form.group_year, &years);
        widgets::text_field_width_ui(ui, cx.t("places-count"), &mut view.form.count, 140.0);
    });
    widgets::message_ui(ui, cx.t("places-immutable"), false);
    if let Some(problem) = view.form.problem {
        ui.label(RichText::new(cx.t(problem)).color(theme::ERROR));
    }
    if widgets::primary_button_ui(ui, cx.t("places-save")).clicked() {
        let count = view.form.count.trim().parse::<u32>().ok();
        view.form.problem = match (view.form.language, view.form.group_year, count) {
            (Some(language), Some(group_year), Some(count)) => {
                out.push(UiCommand::ConfirmPlaces {
                    input: PlacesInput { kindergarten: view.kindergarten.clone(), language, group_year, count },
                    after_departure: false,
                });
                None
            }
            (None, _, _) | (_, None, _) => Some("places-fill"),
            (_, _, None) => Some("places-count-number"),
        };
    }
}

/// Every record of the kindergarten: a correction shows as −N, each with the free places of
/// its slot now and who added it (the operator of its log entry).
fn places_table_ui(ui: &mut Ui, view: &StaffView, cx: &Cx<'_>) {
    ui.label(RichText::new(cx.t("places-list-title")).strong());
    egui::ScrollArea::horizontal().id_salt("places-list").auto_shrink([false, true]).show(ui, |ui| {
        Grid::new("places-table").num_columns(8).spacing([16.0, 6.0]).striped(true).show(ui, |ui| {
            for id in [
                "places-record",
                "places-group-year",
                "places-language",
                "places-change",
                "places-free-now",
                "places-added",
                "places-added-by",
                "places-state",
            ] {
                ui.label(RichText::new(cx.t(id)).strong());
            }
            ui.end_row();
            for row in &view.places {
                let record = &row.record;
                ui.label(&record.id);
                ui.label(record.group_year.to_string());
                ui.label(record.language.text().get(cx.lang));
                if record.reduction {
                    ui.vertical(|ui| {
                        let count = RichText::new(format!("\u{2212}{}", record.count)).color(theme::WARN).strong();
                        ui.add(egui::Label::new(count).extend());
                        let mark = RichText::new(cx.t("places-correction")).small().color(theme::WARN);
                        ui.add(egui::Label::new(mark).extend());
                    });
                } else {
                    ui.label(record.count.to_string());
                }
                ui.label(row.free_now.to_string());
                ui.label(format::instant_short(record.added_at));
                match &row.added_by {
                    Some(by) => match &by.name {
                        Some(name) => ui.label(format!("{} \u{2014} {name}", by.login)),
                        None => ui.label(&by.login),
                    },
                    None => ui.label(RichText::new(cx.t("places-added-elsewhere")).italics()),
                };
                ui.label(record.state.text().get(cx.lang));
                ui.end_row();
            }
        });
    });
}

/// "Уменьшить свободные места": a slot with free places in free choice, a count, then a
/// confirmation. The rules decide whether the count is allowed (`REDUCTION_OVER_FREE`).
fn reduce_ui(ui: &mut Ui, view: &mut StaffView, cx: &Cx<'_>, out: &mut Vec<UiCommand>) {
    ui.label(RichText::new(cx.t("places-reduce-title")).strong());
    if view.free_slots.is_empty() {
        ui.label(cx.t("places-reduce-none"));
        return;
    }
    let options: Vec<(Option<(GroupLanguage, i32)>, String)> = view
        .free_slots
        .iter()
        .map(|slot| {
            let text = cx.tr.f(
                "places-reduce-slot-option",
                &[
                    ("language", slot.language.text().get(cx.lang).into()),
                    ("year", slot.group_year.to_string().into()),
                    ("free", slot.free.into()),
                ],
            );
            (Some((slot.language, slot.group_year)), text)
        })
        .collect();
    let clicked = ui
        .horizontal_wrapped(|ui| {
            widgets::combo_width_ui(
                ui,
                "places-reduce-slot",
                cx.t("places-reduce-slot"),
                &mut view.reduce.slot,
                &options,
                340.0,
            );
            widgets::text_field_width_ui(ui, cx.t("places-reduce-count"), &mut view.reduce.count, 140.0);
            widgets::beside_field_ui(ui, |ui| widgets::big_button_ui(ui, cx.t("places-reduce-button")).clicked())
        })
        .inner;
    ui.label(RichText::new(cx.t("places-reduce-note")).small());
    if let Some(problem) = view.reduce.problem {
        ui.label(RichText::new(cx.t(problem)).color(theme::ERROR));
    }
    if clicked {
        let count = view.reduce.count.trim().parse::<u32>().ok();
        view.reduce.problem = match (view.reduce.slot, count) {
            (Some((language, group_year)), Some(count)) => {
                out.push(UiCommand::ConfirmReducePlaces(PlacesInput {
                    kindergarten: view.kindergarten.clone(),
                    language,
                    group_year,
                    count,
                }));
                None
            }
            (None, _) => Some("places-reduce-choose"),
            (_, None) => Some("places-count-number"),
        };
    }
}

/// The confirmation of a reduction, as a modal window over the staff screen.
fn reduce_confirm_ui(
    ctx: &egui::Context,
    view: &mut StaffView,
    input: &PlacesInput,
    cx: &Cx<'_>,
    out: &mut Vec<UiCommand>,
) {
    let free = view
        .free_slots
        .iter()
        .find(|s| s.language == input.language && s.group_year == input.group_year)
        .map_or(0, |s| s.free);
    let mut confirmed = false;
    let modal = egui::Modal::new(egui::Id::unique("reduce-places-dialog")).show(ctx, |ui| {
        ui.set_max_width(760.0);
        ui.set_min_width(520.0);
        ui.heading(cx.t("places-reduce-confirm-title"));
        Grid::new("reduce-summary").num_columns(2).spacing([24.0, 8.0]).show(ui, |ui| {
            widgets::info_row_ui(ui, cx.t("places-kindergarten"), &cx.kindergarten_name(&input.kindergarten));
            widgets::info_row_ui(ui, cx.t("places-language"), input.language.text().get(cx.lang));
            widgets::info_row_ui(ui, cx.t("places-group-year"), &input.group_year.to_string());
            widgets::info_row_ui(ui, cx.t("places-free-now"), &free.to_string());
            widgets::info_row_ui(ui, cx.t("places-reduce-count"), &format!("\u{2212}{}", input.count));
        });
        widgets::message_ui(ui, cx.t("places-reduce-note"), false);
        ui.add_space(8.0);
        ui.horizontal(|ui| {
            if widgets::primary_button_ui(ui, cx.t("places-reduce-ok")).clicked() {
                out.push(UiCommand::ReducePlaces(input.clone()));
                confirmed = true;
            }
            if widgets::big_button_ui(ui, cx.t("cancel")).clicked() {
                view.reducing = None;
            }
        });
    });
    if modal.should_close() && !confirmed {
        view.reducing = None;
    }
}

fn enrolled_ui(ui: &mut Ui, view: &StaffView, cx: &Cx<'_>, out: &mut Vec<UiCommand>) {
    ui.label(RichText::new(cx.t("enrolled-title")).strong());
    if view.enrolled.is_empty() {
        ui.label(cx.t("enrolled-none"));
        return;
    }
    egui::ScrollArea::vertical().id_salt("enrolled-list").auto_shrink([false, true]).show(ui, |ui| {
        Grid::new("enrolled-table").num_columns(6).spacing([20.0, 6.0]).striped(true).show(ui, |ui| {
            for id in [
                "staff-child-iin",
                "staff-child-name",
                "card-reg-number",
                "staff-direction-number",
                "col-group-year",
                "enrolled-action",
            ] {
                ui.label(RichText::new(cx.t(id)).strong());
            }
            ui.end_row();
            for child in &view.enrolled {
                ui.label(RichText::new(&child.child_iin).monospace());
                ui.label(&child.child_name);
                ui.label(&child.application);
                ui.label(&child.direction);
                ui.label(child.group_year.to_string());
                let departed =
                    egui::Button::new(cx.t("enrolled-departed")).min_size(egui::vec2(90.0, theme::TOUCH_HEIGHT));
                if ui.add(departed).clicked() {
                    out.push(UiCommand::PrepareAction {
                        id: child.application.clone(),
                        kind: ActionKind::MarkDeparted,
                    });
                }
                ui.end_row();
            }
        });
    });
}
