//! "Просмотр статистики": queue sizes per group year and queue type; vouchers and
//! enrollments per week (`egui_plot`), with the numbers in a table as well.

use egui::{Grid, RichText, Ui};
use egui_plot::{Bar, BarChart, Legend, Line, Plot, PlotPoints};
use rules::model::QueueType;

use crate::gui::backend::Stats;
use crate::gui::ui::Cx;
use crate::gui::{format, widgets};

const COLORS: [egui::Color32; 4] = [
    egui::Color32::from_rgb(0x0b, 0x5c, 0xad),
    egui::Color32::from_rgb(0xd9, 0x7b, 0x0b),
    egui::Color32::from_rgb(0x2e, 0x8b, 0x57),
    egui::Color32::from_rgb(0x8e, 0x44, 0xad),
];

#[allow(clippy::cast_precision_loss)]
pub fn stats_ui(ui: &mut Ui, stats: Option<&Stats>, cx: &Cx<'_>) {
    ui.heading(cx.t("stats-title"));
    let Some(stats) = stats else {
        ui.label(cx.t("stats-none"));
        return;
    };
    egui::ScrollArea::vertical().id_salt("stats").auto_shrink([false, false]).show(ui, |ui| {
        widgets::section_ui(ui, cx.t("stats-queues"));
        let charts: Vec<BarChart> = QueueType::ALL
            .iter()
            .enumerate()
            .filter_map(|(i, queue_type)| {
                let bars: Vec<Bar> = stats
                    .queues
                    .iter()
                    .filter(|q| q.queue_type == *queue_type)
                    .map(|q| Bar::new(f64::from(q.group_year) + (i as f64 - 1.5) * 0.2, f64::from(q.count)).width(0.18))
                    .collect();
                (!bars.is_empty())
                    .then(|| BarChart::new(queue_type.text().get(cx.lang), bars).color(COLORS[i % COLORS.len()]))
            })
            .collect();
        Plot::new("stats-queues-plot")
            .legend(Legend::default().position(egui_plot::Corner::LeftTop))
            .height(260.0)
            // Headroom above the highest bar: the legend (three rows) sits there.
            .include_y(f64::from(stats.queues.iter().map(|q| q.count).max().unwrap_or(0)) * 2.0)
            .allow_scroll(false)
            .allow_drag(false)
            .x_axis_label(cx.t("stats-group-year"))
            .y_axis_label(cx.t("stats-children"))
            .show(ui, |plot| {
                for chart in charts {
                    plot.bar_chart(chart);
                }
            });
        Grid::new("stats-queue-table").num_columns(3).spacing([24.0, 4.0]).striped(true).show(ui, |ui| {
            ui.label(RichText::new(cx.t("stats-queue-type")).strong());
            ui.label(RichText::new(cx.t("stats-group-year")).strong());
            ui.label(RichText::new(cx.t("stats-children")).strong());
            ui.end_row();
            for q in &stats.queues {
                ui.label(q.queue_type.text().get(cx.lang));
                ui.label(q.group_year.to_string());
                ui.label(q.count.to_string());
                ui.end_row();
            }
        });

        widgets::section_ui(ui, cx.t("stats-weeks"));
        let days = |d: rules::time::Date| d.0.signed_duration_since(chrono::NaiveDate::MIN).num_days() as f64;
        let vouchers: PlotPoints = stats.weeks.iter().map(|w| [days(w.week), f64::from(w.vouchers)]).collect();
        let enrollments: PlotPoints = stats.weeks.iter().map(|w| [days(w.week), f64::from(w.enrollments)]).collect();
        Plot::new("stats-weeks-plot")
            .legend(Legend::default())
            .height(240.0)
            .allow_scroll(false)
            .allow_drag(false)
            .x_axis_formatter(move |mark, _range| {
                #[allow(clippy::cast_possible_truncation)]
                let date = chrono::NaiveDate::MIN + chrono::Duration::days(mark.value as i64);
                date.format("%d.%m.%y").to_string()
            })
            .y_axis_label(cx.t("stats-count"))
            .show(ui, |plot| {
                plot.line(Line::new(cx.t("stats-vouchers"), vouchers).color(COLORS[0]).width(2.5));
                plot.line(Line::new(cx.t("stats-enrollments"), enrollments).color(COLORS[2]).width(2.5));
            });
        Grid::new("stats-week-table").num_columns(3).spacing([24.0, 4.0]).striped(true).show(ui, |ui| {
            ui.label(RichText::new(cx.t("stats-week")).strong());
            ui.label(RichText::new(cx.t("stats-vouchers")).strong());
            ui.label(RichText::new(cx.t("stats-enrollments")).strong());
            ui.end_row();
            for w in &stats.weeks {
                ui.label(format::date(w.week));
                ui.label(w.vouchers.to_string());
                ui.label(w.enrollments.to_string());
                ui.end_row();
            }
        });

        widgets::section_ui(ui, cx.t("stats-statuses"));
        Grid::new("stats-status-table").num_columns(2).spacing([24.0, 4.0]).striped(true).show(ui, |ui| {
            for (status, count) in &stats.statuses {
                ui.label(status.text().get(cx.lang));
                ui.label(count.to_string());
                ui.end_row();
            }
        });
    });
}
