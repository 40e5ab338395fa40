//! Synchronisation: what is not yet at the center, the last sync, push with progress, the
//! USB file fallback, snapshot import and the center's quarantine notes.

use egui::{Grid, RichText, Ui};

use crate::gui::backend::{ProgressSink, PushPhase, PushStage, SyncOutcome, SyncStatus};
use crate::gui::ui::{Cx, UiCommand};
use crate::gui::{format, theme, widgets};

#[derive(Debug, Clone, Default)]
pub struct SyncView {
    pub url: String,
    pub export_path: String,
    pub import_path: String,
    /// The center key an administrator is typing.
    pub key: String,
    pub progress: ProgressSink,
}

impl SyncView {
    pub fn new(url: String, export_path: String, import_path: String) -> Self {
        SyncView { url, export_path, import_path, key: String::new(), progress: ProgressSink::default() }
    }
}

/// Choices of the automatic push period, in minutes (0: off).
pub const AUTO_CHOICES: [u32; 8] = [0, 1, 2, 5, 10, 15, 30, 60];

fn stage_id(stage: PushStage) -> &'static str {
    match stage {
        PushStage::Preparing => "push-stage-preparing",
        PushStage::Uploading => "push-stage-uploading",
        PushStage::Applying => "push-stage-applying",
        PushStage::FetchingSnapshot => "push-stage-snapshot",
        PushStage::Done => "push-stage-done",
    }
}

#[allow(clippy::cast_precision_loss)]
fn progress_ui(ui: &mut Ui, phase: &PushPhase, cx: &Cx<'_>) {
    match phase {
        PushPhase::Idle => {}
        PushPhase::Connecting => {
            ui.add(egui::ProgressBar::new(0.0).text(cx.t("push-connecting")));
        }
        PushPhase::Working { stage, sent, total } => {
            let fraction = match stage {
                PushStage::FetchingSnapshot | PushStage::Done => 1.0,
                _ if *total == 0 => 0.0,
                _ => *sent as f32 / *total as f32,
            };
            let text = cx.tr.f(
                "push-progress",
                &[("stage", cx.t(stage_id(*stage)).into()), ("sent", (*sent).into()), ("total", (*total).into())],
            );
            ui.add(egui::ProgressBar::new(fraction).text(text));
        }
        PushPhase::Done { accepted } => {
            ui.add(egui::ProgressBar::new(1.0).text(cx.tr.f("push-done", &[("count", (*accepted).into())])));
        }
        PushPhase::Failed(error) => widgets::error_ui(ui, error, cx.lang),
    }
}

pub fn sync_ui(ui: &mut Ui, view: &mut SyncView, status: &SyncStatus, pushing: bool, cx: &Cx<'_>) -> Vec<UiCommand> {
    let mut out = Vec::new();
    ui.heading(cx.t("sync-title"));
    egui::ScrollArea::vertical().id_salt("sync").auto_shrink([false, false]).show(ui, |ui| {
        Grid::new("sync-status").num_columns(2).spacing([24.0, 8.0]).striped(true).show(ui, |ui| {
            widgets::info_row_ui(ui, cx.t("sync-pending"), &status.pending.to_string());
            let last = status.last_sync.map_or_else(
                || cx.t("status-never-synced").to_owned(),
                |at| format!("{} ({})", format::instant(at), format::ago(cx.tr, at, cx.now)),
            );
            widgets::info_row_ui(ui, cx.t("sync-last"), &last);
            if let Some((at, outcome)) = &status.last_attempt {
                let text = match outcome {
                    SyncOutcome::Ok { accepted, snapshot_error: None } => {
                        cx.tr.f("sync-result-ok", &[("count", (*accepted).into())])
                    }
                    SyncOutcome::Ok { accepted, snapshot_error: Some(error) } => format!(
                        "{} {} ({})",
                        cx.tr.f("sync-result-ok", &[("count", (*accepted).into())]),
                        error.message(cx.lang),
                        error.code
                    ),
                    SyncOutcome::Failed(error) => {
                        format!("{} ({})", error.message(cx.lang), error.code)
                    }
                };
                widgets::info_row_ui(ui, cx.t("sync-last-result"), &format!("{} · {text}", format::instant_short(*at)));
            }
            let snapshot = status.snapshot_at.map_or_else(|| "—".to_owned(), format::instant);
            widgets::info_row_ui(ui, cx.t("sync-snapshot"), &snapshot);
            let key = status.center_key.as_deref().map_or_else(
                || cx.t("sync-center-key-none").to_owned(),
                |k| {
                    let tail: String = k.chars().rev().take(8).collect::<Vec<_>>().into_iter().rev().collect();
                    format!("{}…{tail}", k.chars().take(8).collect::<String>())
                },
            );
            widgets::info_row_ui(ui, cx.t("sync-center-key"), &key);
        });
        if rules::authz::accounts::may_administer(cx.session.role).is_ok() {
            let label = cx.t("sync-center-key-input");
            if widgets::field_with_button_ui(ui, label, &mut view.key, 560.0, cx.t("sync-center-key-save")) {
                out.push(UiCommand::SetCenterKey(view.key.trim().to_owned()));
            }
        }

        widgets::section_ui(ui, cx.t("sync-push-title"));
        ui.horizontal(|ui| {
            widgets::text_field_width_ui(ui, cx.t("sync-url"), &mut view.url, 460.0);
            widgets::beside_field_ui(ui, |ui| {
                let button = ui.add_enabled_ui(!pushing, |ui| widgets::primary_button_ui(ui, cx.t("sync-push")));
                if button.inner.clicked() {
                    out.push(UiCommand::Push(view.url.clone()));
                }
            });
        });
        progress_ui(ui, &view.progress.phase(), cx);
        ui.add_space(6.0);
        let mut minutes = status.auto_minutes;
        let mut choices: Vec<u32> = AUTO_CHOICES.to_vec();
        if !choices.contains(&minutes) {
            choices.push(minutes);
            choices.sort_unstable();
        }
        let options: Vec<(u32, String)> = choices
            .into_iter()
            .map(|m| {
                let text = if m == 0 {
                    cx.t("sync-auto-off").to_owned()
                } else {
                    cx.tr.f("sync-auto-every", &[("minutes", m.into())])
                };
                (m, text)
            })
            .collect();
        if widgets::combo_ui(ui, "sync-auto", cx.t("sync-auto"), &mut minutes, &options) {
            out.push(UiCommand::SetAutoSync(minutes));
        }
        let hint = if status.center_url.is_none() { "sync-auto-needs-url" } else { "sync-auto-hint" };
        ui.label(RichText::new(cx.t(hint)).small());

        widgets::section_ui(ui, cx.t("sync-file-title"));
        ui.label(RichText::new(cx.t("sync-file-intro")).small());
        if widgets::field_with_button_ui(
            ui,
            cx.t("sync-export-path"),
            &mut view.export_path,
            560.0,
            cx.t("sync-export"),
        ) {
            out.push(UiCommand::Export(view.export_path.trim().into()));
        }
        if widgets::field_with_button_ui(
            ui,
            cx.t("sync-import-path"),
            &mut view.import_path,
            560.0,
            cx.t("sync-import"),
        ) {
            out.push(UiCommand::Import(view.import_path.trim().into()));
        }

        widgets::section_ui(ui, cx.t("sync-quarantine"));
        if status.quarantine.is_empty() {
            ui.label(cx.t("sync-quarantine-none"));
        }
        for note in &status.quarantine {
            ui.label(
                RichText::new(cx.tr.f(
                    "sync-quarantine-entry",
                    &[
                        ("seq", note.seq.into()),
                        ("event", note.event_id.clone().into()),
                        ("at", format::instant_short(note.at).into()),
                    ],
                ))
                .strong(),
            );
            // The center's detail is English: explained by its code in the operator's language.
            let detail = note.reason.message(cx.lang);
            let explained = cx.tr.lookup(&format!("quarantine-{}", note.reason.code));
            ui.label(RichText::new(explained.unwrap_or(detail)).color(theme::WARN));
            if explained.is_some() {
                ui.label(RichText::new(format!("{detail} ({})", note.reason.code)).small().weak());
            }
        }
    });
    out
}
