//! "Журнал заявлений": search, filters, sortable columns; only the visible rows are laid out
//! (`egui_extras::TableBuilder::rows`) and only a window around them is loaded from the backend.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use rules::model::{QueueType, Status};

use crate::gui::backend::{JournalFilter, JournalPage, JournalRow, SortColumn};
use crate::gui::ui::{Cx, UiCommand};
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
        let (rect, _) = ui.allocate_exact_size(egui::vec2(SORT_MARK - 2.0, 12.0), egui::Sense::hover());
        let c = rect.center();
        let points = if filter.descending {
            vec![c + egui::vec2(-5.0, -3.0), c + egui::vec2(5.0, -3.0), c + egui::vec2(0.0, 4.0)]
        } else {
            vec![c + egui::vec2(-5.0, 3.0), c + egui::vec2(5.0, 3.0), c + egui::vec2(0.0, -4.0)]
        };
        ui.painter().add(egui::Shape::convex_polygon(points, theme::ACCENT, egui::Stroke::NONE));
    }
}

/// Text size of the journal table.
const TABLE_TEXT: f32 = 16.0;
/// Room for the sort triangle next to a header.
const SORT_MARK: f32 = 14.0;
/// Two lines: the child's name and IIN.
pub const JOURNAL_ROW_HEIGHT: f32 = 46.0;

/// Journal column widths from the texts they hold in the current font and language: the
/// registration number and the fixed-format columns are never cut; the child's name (with
/// the IIN under it) takes what is left; status and queue type are cut (with the full text on hover) on narrow screens.
struct ColumnWidths {
    id: f32,
    /// Narrowest name column: the IIN under the name is never cut.
    iin: f32,
    status: f32,
    queue_type: f32,
    year: f32,
    registered: f32,
    position: f32,
}

impl ColumnWidths {
    fn measure(ui: &Ui, view: &JournalView, cx: &Cx<'_>) -> Self {
        let pad = 2.0 * ui.spacing().button_padding.x.min(8.0);
        let text = |t: &str, style: egui::TextStyle| {
            egui::WidgetText::from(t).into_galley(ui, Some(egui::TextWrapMode::Extend), f32::INFINITY, style).size().x
                + pad
        };
        let body = |t: &str| text(t, egui::TextStyle::Body);
        let header = |id: &'static str| {
            egui::WidgetText::from(RichText::new(cx.t(id)).strong())
                .into_galley(ui, Some(egui::TextWrapMode::Extend), f32::INFINITY, egui::TextStyle::Body)
                .size()
                .x
                + pad
                + SORT_MARK
        };
        // The longest number loaded, and at least a full-length one of this kiosk's format.
        // Only the longest loaded one is laid out (this runs every frame).
        let longest_id = view.page.rows.iter().map(|r| r.id.as_str()).max_by_key(|id| id.chars().count());
        let id = body(longest_id.unwrap_or_default()).max(body("KOK-01-2021-000000"));
        // Headers are not cut either (a column grows to its widest cell).
        let longest = |texts: &mut dyn Iterator<Item = &str>| texts.map(body).fold(0.0, f32::max);
        ColumnWidths {
            id: id.max(header("col-id")),
            iin: text("000000000000", egui::TextStyle::Monospace),
            status: longest(&mut Status::ALL.iter().map(|s| s.text().get(cx.lang)))
                .max(header("col-status"))
                .clamp(110.0, 160.0),
            queue_type: longest(&mut QueueType::ALL.iter().map(|q| q.text().get(cx.lang)))
                .max(header("col-queue-type"))
                .clamp(90.0, 125.0),
            year: body("0000").max(header("col-group-year")),
            registered: body("00.00.0000 00:00").max(header("col-registered-at")),
            position: body("00000").max(header("col-position")),
        }
    }
}

pub fn journal_ui(ui: &mut Ui, view: &mut JournalView, cx: &Cx<'_>) -> Vec<UiCommand> {
    let mut out = Vec::new();
    ui.heading(cx.t("journal-title"));
    ui.horizontal_wrapped(|ui| {
        widgets::text_field_width_ui(ui, cx.t("journal-search"), &mut view.filter.text, 330.0);
        let mut statuses: Vec<(Option<Status>, String)> = vec![(None, cx.t("filter-all").to_owned())];
        statuses.extend(Status::ALL.iter().map(|s| (Some(*s), s.text().get(cx.lang).to_owned())));
        widgets::combo_width_ui(
            ui,
            "journal-status",
            cx.t("journal-status"),
            &mut view.filter.status,
            &statuses,
            220.0,
        );
        let mut types: Vec<(Option<QueueType>, String)> = vec![(None, cx.t("filter-all").to_owned())];
        types.extend(QueueType::ALL.iter().map(|q| (Some(*q), q.text().get(cx.lang).to_owned())));
        widgets::combo_width_ui(
            ui,
            "journal-queue-type",
            cx.t("journal-queue-type"),
            &mut view.filter.queue_type,
            &types,
            190.0,
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
    // A slightly smaller font in the table, so that all eight columns fit a 1280 px screen.
    ui.style_mut().text_styles.insert(egui::TextStyle::Body, egui::FontId::proportional(TABLE_TEXT));
    ui.style_mut().text_styles.insert(egui::TextStyle::Monospace, egui::FontId::monospace(TABLE_TEXT - 1.0));
    ui.spacing_mut().item_spacing.x = 8.0;
    let widths = ColumnWidths::measure(ui, view, cx);
    TableBuilder::new(ui)
        .id_salt("journal-table")
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::initial(widths.id).at_least(widths.id))
        .column(Column::remainder().at_least(widths.iin).clip(true))
        .column(Column::initial(widths.status).at_least(100.0).clip(true))
        .column(Column::initial(widths.queue_type).at_least(80.0).clip(true))
        .column(Column::initial(widths.year).at_least(widths.year).clip(true))
        .column(Column::initial(widths.registered).at_least(widths.registered).clip(true))
        .column(Column::initial(widths.position).at_least(widths.position).clip(true))
        .min_scrolled_height(0.0)
        .max_scroll_height(available)
        .header(theme::ROW_HEIGHT, |mut header| {
            header.col(|ui| header_ui(ui, &mut filter, SortColumn::Id, cx.t("col-id")));
            // The child's IIN is under the name: one column, two sort keys.
            header.col(|ui| {
                header_ui(ui, &mut filter, SortColumn::ChildName, cx.t("col-child-name"));
                ui.label("/");
                header_ui(ui, &mut filter, SortColumn::ChildIin, cx.t("col-iin-short"));
            });
            let columns = [
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
            body.rows(JOURNAL_ROW_HEIGHT, total, |mut row| {
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
                    ui.vertical(|ui| {
                        ui.spacing_mut().item_spacing.y = 0.0;
                        ui.label(&data.child_name);
                        ui.label(RichText::new(&data.child_iin).monospace().size(TABLE_TEXT - 2.0).color(theme::MUTED));
                    });
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
                    ui.label(format::instant_short(data.registered_at));
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
