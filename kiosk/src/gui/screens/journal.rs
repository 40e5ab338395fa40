//! "Журнал заявлений": search, filters, sortable columns; only the visible rows are laid out
//! (`egui_extras::TableBuilder::rows`) and only a window around them is loaded from the backend.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use rules::model::{QueueType, Status};

use crate::gui::app::{Cx, UiCommand};
use crate::gui::backend::{JournalFilter, JournalPage, JournalRow, SortColumn};
use crate::gui::{format, theme, widgets};

/// Rows loaded around the visible ones.
pub const WINDOW: usize = 240;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalView {
    pub filter: JournalFilter,
    page: JournalPage,
    loaded: Option<JournalFilter>,
}

impl JournalView {
    pub fn invalidate(&mut self) {
        self.loaded = None;
    }

    pub fn stale(&self) -> bool {
        self.loaded.as_ref() != Some(&self.filter)
    }

    pub fn set_page(&mut self, filter: JournalFilter, page: JournalPage) {
        self.loaded = Some(filter);
        self.page = page;
    }

    pub fn total(&self) -> usize {
        self.page.total
    }

    fn row(&self, index: usize) -> Option<&JournalRow> {
        index.checked_sub(self.page.offset).and_then(|i| self.page.rows.get(i))
    }
}

fn header_ui(ui: &mut Ui, filter: &mut JournalFilter, column: SortColumn, text: &str) {
    let button = egui::Button::new(RichText::new(text).strong()).frame(false);
    if ui.add(button).on_hover_text(text).clicked() {
        if filter.sort == column {
            filter.descending = !filter.descending;
        } else {
            filter.sort = column;
            filter.descending = false;
        }
    }
    if filter.sort == column {
        // A small triangle: the default fonts have no arrow glyphs.
        let (rect, _) = ui.allocate_exact_size(egui::vec2(12.0, 12.0), egui::Sense::hover());
        let c = rect.center();
        let points = if filter.descending {
            vec![c + egui::vec2(-5.0, -3.0), c + egui::vec2(5.0, -3.0), c + egui::vec2(0.0, 4.0)]
        } else {
            vec![c + egui::vec2(-5.0, 3.0), c + egui::vec2(5.0, 3.0), c + egui::vec2(0.0, -4.0)]
        };
        ui.painter().add(egui::Shape::convex_polygon(points, theme::ACCENT, egui::Stroke::NONE));
    }
}

#[allow(clippy::too_many_lines)]
pub fn journal_ui(ui: &mut Ui, view: &mut JournalView, cx: &Cx<'_>) -> Vec<UiCommand> {
    let mut out = Vec::new();
    ui.heading(cx.t("journal-title"));
    ui.horizontal_wrapped(|ui| {
        widgets::text_field_width_ui(ui, cx.t("journal-search"), &mut view.filter.text, 380.0);
        let mut statuses: Vec<(Option<Status>, String)> = vec![(None, cx.t("filter-all").to_owned())];
        statuses.extend(Status::ALL.iter().map(|s| (Some(*s), s.text().get(cx.lang).to_owned())));
        widgets::combo_width_ui(
            ui,
            "journal-status",
            cx.t("journal-status"),
            &mut view.filter.status,
            &statuses,
            240.0,
        );
        let mut types: Vec<(Option<QueueType>, String)> = vec![(None, cx.t("filter-all").to_owned())];
        types.extend(QueueType::ALL.iter().map(|q| (Some(*q), q.text().get(cx.lang).to_owned())));
        widgets::combo_width_ui(
            ui,
            "journal-queue-type",
            cx.t("journal-queue-type"),
            &mut view.filter.queue_type,
            &types,
            200.0,
        );
        let this_year = cx.now.local_date().year();
        let mut years: Vec<(Option<i32>, String)> = vec![(None, cx.t("filter-all").to_owned())];
        years.extend((this_year - 7..=this_year).rev().map(|y| (Some(y), y.to_string())));
        widgets::combo_width_ui(
            ui,
            "journal-group-year",
            cx.t("journal-group-year"),
            &mut view.filter.group_year,
            &years,
            110.0,
        );
    });
    ui.label(cx.tr.f("journal-found", &[("count", view.total().into())]));
    ui.add_space(4.0);

    let mut first_visible = usize::MAX;
    let mut last_visible = 0;
    let mut missing = false;
    let total = view.total();
    let available = ui.available_height();
    let mut filter = view.filter.clone();
    TableBuilder::new(ui)
        .id_salt("journal-table")
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::initial(150.0).at_least(110.0).clip(true))
        .column(Column::initial(250.0).at_least(120.0).clip(true))
        .column(Column::initial(135.0).at_least(100.0))
        .column(Column::initial(190.0).at_least(100.0).clip(true))
        .column(Column::initial(120.0).at_least(80.0).clip(true))
        .column(Column::initial(55.0).at_least(50.0))
        .column(Column::initial(175.0).at_least(120.0))
        .column(Column::remainder().at_least(60.0))
        .min_scrolled_height(0.0)
        .max_scroll_height(available)
        .header(theme::ROW_HEIGHT, |mut header| {
            let columns = [
                (SortColumn::Id, "col-id"),
                (SortColumn::ChildName, "col-child-name"),
                (SortColumn::ChildIin, "col-child-iin"),
                (SortColumn::Status, "col-status"),
                (SortColumn::QueueType, "col-queue-type"),
                (SortColumn::GroupYear, "col-group-year"),
                (SortColumn::RegisteredAt, "col-registered-at"),
                (SortColumn::Position, "col-position"),
            ];
            for (column, id) in columns {
                header.col(|ui| header_ui(ui, &mut filter, column, cx.t(id)));
            }
        })
        .body(|body| {
            body.rows(theme::ROW_HEIGHT, total, |mut row| {
                let index = row.index();
                first_visible = first_visible.min(index);
                last_visible = last_visible.max(index);
                let Some(data) = view.row(index) else {
                    missing = true;
                    row.col(|ui| {
                        ui.label("…");
                    });
                    return;
                };
                row.col(|ui| {
                    if ui.link(&data.id).clicked() {
                        out.push(UiCommand::OpenCard(data.id.clone()));
                    }
                });
                row.col(|ui| {
                    ui.label(&data.child_name);
                });
                row.col(|ui| {
                    ui.label(RichText::new(&data.child_iin).monospace());
                });
                row.col(|ui| {
                    ui.label(data.status.text().get(cx.lang));
                });
                row.col(|ui| {
                    ui.label(data.queue_type.text().get(cx.lang));
                });
                row.col(|ui| {
                    ui.label(data.group_year.to_string());
                });
                row.col(|ui| {
                    ui.label(format::instant(data.registered_at));
                });
                row.col(|ui| {
                    ui.label(data.position.map_or_else(|| "—".to_owned(), |p| p.to_string()));
                });
            });
        });
    view.filter = filter;
    if view.stale() {
        out.push(UiCommand::ReloadJournal);
    } else if missing && first_visible <= last_visible {
        let start = first_visible.saturating_sub(WINDOW / 3);
        out.push(UiCommand::JournalWindow(start..start + WINDOW));
    }
    out
}
