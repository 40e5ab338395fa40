//! The application card (seed wording: информация о заявке, о ребёнке, о заявителе), its
//! deadlines, history and the actions `rules::lifecycle::allowed_actions` allows now; and the
//! confirmation dialogs of every change.

use egui::{Grid, RichText, Ui};
use rules::command::{Action, ActionKind, Event};
use rules::countdown::{DayUnit, DaysLeft, days_left};
use rules::deadline::{DeadlineKind, voucher_deadlines};
use rules::lifecycle::allowed_actions;
use rules::model::{Application, GroupLanguage, ResidenceKind, RightClass, Status};
use rules::queue::PositionChange;
use rules::time::Instant;

use crate::gui::backend::PlacesInput;
use crate::gui::ui::{ActionDialog, CardView, Cx, Dialog, UiCommand, file_written_ui, kindergarten_name};
use crate::gui::{format, reference, theme, widgets};

/// The text of one history event.
pub fn event_text(event: &Event, cx: &Cx<'_>) -> String {
    let t = |id: &'static str| cx.t(id).to_owned();
    match event {
        Event::Registered { .. } => t("ev-registered"),
        Event::PlacesAdded { record } => cx.tr.f("ev-places-added", &[("count", record.count.into())]),
        Event::PlacesReduced { record } => cx.tr.f("ev-places-reduced", &[("count", record.count.into())]),
        Event::PlacesPublished { .. } => t("ev-places-published"),
        Event::CalendarYearSet { year } => cx.tr.f("ev-calendar-year-set", &[("year", year.year.into())]),
        Event::KindergartenSet { kindergarten } => {
            cx.tr.f("ev-kindergarten-set", &[("kindergarten", cx.kindergarten_name(&kindergarten.id).into())])
        }
        Event::VoucherIssued { confirm_deadline, .. } => {
            cx.tr.f("ev-voucher-issued", &[("deadline", format::instant_short(*confirm_deadline).into())])
        }
        Event::VoucherConfirmed { .. } => t("ev-voucher-confirmed"),
        Event::StopListed { .. } => t("ev-stop-listed"),
        Event::VoucherRestored { .. } => t("ev-voucher-restored"),
        Event::ChoiceExtended { days, .. } => cx.tr.f("ev-choice-extended", &[("days", (*days).into())]),
        Event::DirectionIssued { direction, .. } => cx.tr.f(
            "ev-direction-issued",
            &[
                ("number", direction.number.clone().into()),
                ("kindergarten", cx.kindergarten_name(&direction.kindergarten).into()),
            ],
        ),
        Event::ChildEnrolled { .. } => t("ev-enrolled"),
        Event::ChildRefused { reason, .. } => cx.tr.f("ev-refused", &[("reason", reason.clone().into())]),
        Event::RefusalUpheld { .. } => t("ev-refusal-upheld"),
        Event::RefusalOverruled { .. } => t("ev-refusal-overruled"),
        Event::ChildDeparted { departure, .. } => cx.tr.f(
            "ev-departed",
            &[("date", format::date(departure.date).into()), ("reason", departure.reason.clone().into())],
        ),
        Event::Archived { reason, .. } => cx.tr.f("ev-archived", &[("reason", reason.text().get(cx.lang).into())]),
    }
}

fn right_text(app: &Application, cx: &Cx<'_>) -> String {
    match (&app.right, &app.right_category) {
        (RightClass::None, _) => app.right.text().get(cx.lang).to_owned(),
        (right, Some(category)) => {
            format!("{}: {}", right.text().get(cx.lang), reference::category_name(category, cx.lang))
        }
        (right, None) => right.text().get(cx.lang).to_owned(),
    }
}

/// A deadline line with the working days left (rules calendar), or "expired"; marked, with
/// the reason under it, when it rests on a provisional year of the calendar (no decree yet).
fn deadline_ui(ui: &mut Ui, label: &str, deadline: Instant, calendar_days: bool, provisional: bool, cx: &Cx<'_>) {
    // The rules' one definition (the portal shows the same through WASM): today counts while
    // it is not over, so the deadline's last day shows 1.
    let kind = if calendar_days { DeadlineKind::Restore } else { DeadlineKind::Choose };
    let left = match days_left(cx.calendar, kind, deadline, cx.now) {
        _ if cx.now > deadline => RichText::new(cx.t("deadline-passed")).color(theme::ERROR).strong(),
        Ok(DaysLeft { days, unit: DayUnit::Calendar }) => {
            RichText::new(cx.tr.f("deadline-calendar-days-left", &[("days", days.into())])).color(theme::WARN).strong()
        }
        Ok(DaysLeft { days, unit: DayUnit::Working }) => {
            RichText::new(cx.tr.f("deadline-working-days-left", &[("days", days.into())])).color(theme::WARN).strong()
        }
        // Beyond the calendar's data: no count to show.
        Err(_) => RichText::new(cx.tr.f("deadline-working-days-left", &[("days", "?".into())])).color(theme::WARN),
    };
    ui.label(RichText::new(label).color(egui::Color32::from_gray(70)));
    ui.horizontal(|ui| {
        ui.label(RichText::new(format::instant(deadline)).strong());
        ui.label(left);
        if provisional {
            ui.label(RichText::new(cx.t("deadline-provisional")).color(theme::WARN).italics())
                .on_hover_text(cx.t("deadline-provisional-hint"));
        }
    });
    ui.end_row();
    if provisional {
        ui.label("");
        ui.label(RichText::new(cx.t("deadline-provisional-hint")).small().color(egui::Color32::from_gray(90)));
        ui.end_row();
    }
}

fn explanation_ui(ui: &mut Ui, at: Instant, change: &PositionChange, cx: &Cx<'_>) {
    let position = |p: Option<u32>| p.map_or_else(|| cx.t("position-none").to_owned(), |p| p.to_string());
    ui.label(cx.tr.f(
        "explain-summary",
        &[
            ("date", format::instant_short(at).into()),
            ("before", position(change.before).into()),
            ("after", position(change.after).into()),
        ],
    ));
    if change.entered_ahead.is_empty() && change.left_ahead.is_empty() {
        ui.label(cx.t("explain-nothing"));
    }
    for mover in &change.entered_ahead {
        ui.label(cx.tr.f(
            "explain-entered",
            &[
                ("id", mover.id.clone().into()),
                ("right", mover.right.text().get(cx.lang).into()),
                ("reason", mover.reason.text().get(cx.lang).into()),
            ],
        ));
    }
    for mover in &change.left_ahead {
        ui.label(cx.tr.f(
            "explain-left",
            &[("id", mover.id.clone().into()), ("reason", mover.reason.text().get(cx.lang).into())],
        ));
    }
}

pub fn card_ui(ui: &mut Ui, view: &mut CardView, cx: &Cx<'_>) -> Vec<UiCommand> {
    let mut out = Vec::new();
    let card = &view.card;
    let app = &card.application;
    ui.horizontal(|ui| {
        if widgets::big_button_ui(ui, cx.t("card-back")).clicked() {
            out.push(UiCommand::Go(crate::gui::app::Screen::Journal));
        }
        ui.heading(cx.tr.f("card-title", &[("id", app.id.clone().into())]));
    });
    egui::ScrollArea::vertical().id_salt("card").auto_shrink([false, false]).show(ui, |ui| {
        // Actions first: what the operator came for.
        let allowed = allowed_actions(app, cx.now, cx.calendar).unwrap_or_default();
        let mine: Vec<_> = allowed.iter().filter(|a| a.role == cx.session.role).collect();
        ui.horizontal_wrapped(|ui| {
            for action in &mine {
                let label = action.action.text().get(cx.lang);
                if widgets::primary_button_ui(ui, label).clicked() {
                    out.push(UiCommand::PrepareAction { id: app.id.clone(), kind: action.action });
                }
            }
            if widgets::big_button_ui(ui, cx.t("card-download")).clicked() {
                out.push(UiCommand::WriteChildCard(app.id.clone()));
            }
        });
        if mine.is_empty() {
            ui.label(RichText::new(cx.t("card-no-actions")).italics());
        }
        file_written_ui(ui, view.file.as_ref(), cx);

        widgets::section_ui(ui, cx.t("card-application"));
        Grid::new("card-application").num_columns(2).spacing([24.0, 8.0]).striped(true).show(ui, |ui| {
            widgets::info_row_ui(ui, cx.t("card-reg-number"), &app.id);
            widgets::info_row_ui(ui, cx.t("card-registered-at"), &format::instant(app.registered_at));
            let mut status = app.status.text().get(cx.lang).to_owned();
            if let Some(reason) = app.archive_reason {
                status = format!("{status}: {}", reason.text().get(cx.lang));
            }
            ui.label(RichText::new(cx.t("card-status")).color(egui::Color32::from_gray(70)));
            ui.label(RichText::new(status).strong().size(20.0).color(theme::ACCENT));
            ui.end_row();
            widgets::info_row_ui(ui, cx.t("card-queue-type"), app.queue_type.text().get(cx.lang));
            widgets::info_row_ui(ui, cx.t("card-group-year"), &app.group_year().to_string());
            widgets::info_row_ui(ui, cx.t("card-right"), &right_text(app, cx));
            if app.status == Status::Queued {
                if let Some(center) = card.center_position {
                    widgets::info_row_ui(
                        ui,
                        cx.t("card-position-center"),
                        &cx.tr.f(
                            "card-position-as-of",
                            &[
                                ("position", center.position.into()),
                                ("date", format::instant_short(center.snapshot_at).into()),
                            ],
                        ),
                    );
                }
                if let Some(position) = card.local_position {
                    widgets::info_row_ui(
                        ui,
                        cx.t("card-position-local"),
                        &cx.tr
                            .f("card-position-of", &[("position", position.into()), ("size", card.queue_size.into())]),
                    );
                }
            }
            if let Some(voucher) = &app.voucher {
                widgets::info_row_ui(ui, cx.t("card-voucher-issued"), &format::instant(voucher.issued_at));
                let flags = voucher_deadlines(voucher, cx.calendar);
                let provisional = |kind| flags.iter().any(|d| d.kind == kind && d.provisional);
                match app.status {
                    Status::VoucherIssued => {
                        let provisional = provisional(DeadlineKind::Confirm);
                        deadline_ui(ui, cx.t("deadline-confirm"), voucher.confirm_deadline, false, provisional, cx);
                    }
                    Status::VoucherConfirmed => {
                        if let Some(choose) = voucher.choose_deadline {
                            let provisional = provisional(DeadlineKind::Choose);
                            deadline_ui(ui, cx.t("deadline-choose"), choose, false, provisional, cx);
                        }
                        if voucher.extended {
                            widgets::info_row_ui(ui, cx.t("deadline-extended"), cx.t("yes"));
                        }
                    }
                    Status::StopListed => {
                        if let Some(restore) = voucher.restore_deadline {
                            // Calendar days: no calendar data goes into it.
                            deadline_ui(ui, cx.t("deadline-restore"), restore, true, false, cx);
                        }
                    }
                    _ => {}
                }
            }
            if let Some(direction) = &app.direction {
                widgets::info_row_ui(ui, cx.t("card-direction"), &direction.number);
                widgets::info_row_ui(ui, cx.t("card-kindergarten"), &cx.kindergarten_name(&direction.kindergarten));
                widgets::info_row_ui(ui, cx.t("card-language"), direction.language.text().get(cx.lang));
                widgets::info_row_ui(ui, cx.t("card-direction-issued"), &format::instant(direction.issued_at));
                if direction.must_enroll {
                    widgets::info_row_ui(ui, cx.t("card-must-enroll"), cx.t("yes"));
                }
                if let Some(reason) = &direction.refusal_reason {
                    widgets::info_row_ui(ui, cx.t("card-refusal-reason"), reason);
                }
                if let Some(at) = direction.enrolled_at {
                    widgets::info_row_ui(ui, cx.t("card-enrolled-at"), &format::instant(at));
                }
            }
            if let Some(departure) = &app.departure {
                widgets::info_row_ui(ui, cx.t("card-departed"), &format::date(departure.date));
                widgets::info_row_ui(ui, cx.t("card-departure-reason"), &departure.reason);
            }
        });

        if app.status == Status::Queued {
            ui.add_space(6.0);
            if widgets::big_button_ui(ui, cx.t("explain-button")).clicked() {
                out.push(UiCommand::Explain(app.id.clone()));
            }
            if let Some((at, change)) = &view.explanation {
                explanation_ui(ui, *at, change, cx);
            }
            if let Some(error) = &view.explain_error {
                ui.label(RichText::new(error).color(theme::ERROR));
            }
        }

        widgets::section_ui(ui, cx.t("card-child"));
        Grid::new("card-child").num_columns(2).spacing([24.0, 8.0]).striped(true).show(ui, |ui| {
            widgets::info_row_ui(ui, cx.t("card-iin"), &app.child.iin);
            widgets::info_row_ui(ui, cx.t("card-name"), &app.child.name);
            widgets::info_row_ui(ui, cx.t("card-birth-date"), &format::date(app.child.birth_date));
            widgets::info_row_ui(ui, cx.t("card-sex"), app.child.sex.text().get(cx.lang));
        });
        for warning in &app.warnings {
            widgets::message_ui(ui, warning.text().get(cx.lang), false);
        }

        widgets::section_ui(ui, cx.t("card-applicant"));
        Grid::new("card-applicant").num_columns(2).spacing([24.0, 8.0]).striped(true).show(ui, |ui| {
            let documents = app.non_resident.then_some(app.non_resident_documents.as_slice());
            let labels = ["card-iin", "card-name", "card-kinship", "card-phone", "card-email"];
            applicant_rows_ui(ui, cx, &app.applicant, &app.residence, documents, labels);
        });

        widgets::section_ui(ui, cx.t("card-history"));
        Grid::new("card-history").num_columns(4).spacing([18.0, 6.0]).striped(true).show(ui, |ui| {
            ui.label(RichText::new(cx.t("history-when")).strong());
            ui.label(RichText::new(cx.t("history-what")).strong());
            ui.label(RichText::new(cx.t("history-who")).strong());
            ui.label(RichText::new(cx.t("history-where")).strong());
            ui.end_row();
            for entry in &card.history {
                ui.label(format::instant(entry.at));
                ui.label(event_text(&entry.event, cx));
                ui.label(&entry.who);
                let place = if entry.synced {
                    entry.kiosk.clone()
                } else {
                    format!("{} · {}", entry.kiosk, cx.t("history-pending"))
                };
                ui.label(place);
                ui.end_row();
            }
        });
        ui.add_space(20.0);
    });
    out
}

fn choice_ui(ui: &mut Ui, dialog: &mut ActionDialog, cx: &Cx<'_>) {
    if dialog.choices.is_empty() {
        ui.label(RichText::new(cx.t("choose-none")).color(theme::ERROR));
        return;
    }
    ui.label(cx.t("choose-intro"));
    egui::ScrollArea::vertical().id_salt("choices").max_height(360.0).show(ui, |ui| {
        for (i, choice) in dialog.choices.iter().enumerate() {
            let k = &choice.kindergarten;
            let title = format!("{} · {}", kindergarten_name(k, cx.lang), choice.language.text().get(cx.lang));
            ui.radio_value(&mut dialog.choice, Some(i), RichText::new(title).strong());
            ui.indent(("choice", i), |ui| {
                ui.label(cx.tr.f(
                    "choose-details",
                    &[
                        ("ownership", k.ownership.text().get(cx.lang).into()),
                        ("address", k.address.clone().into()),
                        ("phone", k.phone.clone().into()),
                        ("free", choice.free.into()),
                    ],
                ));
            });
        }
    });
}

/// The action with the inputs of the dialog, or why it cannot be built yet.
fn build_action(dialog: &ActionDialog, cx: &Cx<'_>) -> Result<Action, String> {
    let Some(kind) = dialog.kind else {
        return Err(String::new());
    };
    Ok(match kind {
        ActionKind::IssueVoucher => Action::IssueVoucher,
        ActionKind::ConfirmVoucher => Action::ConfirmVoucher,
        ActionKind::RestoreVoucher => Action::RestoreVoucher,
        ActionKind::ExtendChoice => {
            let days = dialog.days.trim().parse::<u32>().map_err(|_| cx.t("extend-days-number").to_owned())?;
            Action::ExtendChoice { days }
        }
        ActionKind::ChooseKindergarten => {
            let choice =
                dialog.choice.and_then(|i| dialog.choices.get(i)).ok_or_else(|| cx.t("choose-pick").to_owned())?;
            Action::ChooseKindergarten { kindergarten: choice.kindergarten.id.clone(), language: choice.language }
        }
        ActionKind::RefuseVoucher => Action::RefuseVoucher,
        ActionKind::Withdraw => Action::Withdraw,
        ActionKind::AcceptChild => Action::AcceptChild,
        ActionKind::RefuseChild => Action::RefuseChild { reason: dialog.reason.clone() },
        ActionKind::UpholdRefusal => Action::UpholdRefusal,
        ActionKind::OverruleRefusal => Action::OverruleRefusal,
        ActionKind::MarkDeparted => {
            let date = format::parse_date(&dialog.date).ok_or_else(|| cx.t("reg-birth-date-format").to_owned())?;
            Action::MarkDeparted { date, reason: dialog.reason.clone() }
        }
    })
}

fn places_summary_ui(ui: &mut Ui, input: &PlacesInput, cx: &Cx<'_>) {
    Grid::new("places-summary").num_columns(2).spacing([24.0, 8.0]).show(ui, |ui| {
        widgets::info_row_ui(ui, cx.t("places-kindergarten"), &cx.kindergarten_name(&input.kindergarten));
        widgets::info_row_ui(ui, cx.t("places-language"), input.language.text().get(cx.lang));
        widgets::info_row_ui(ui, cx.t("places-group-year"), &input.group_year.to_string());
        widgets::info_row_ui(ui, cx.t("places-count"), &input.count.to_string());
    });
}

/// The applicant's rows under `labels` (IIN, name, kinship, phone, e-mail), then the
/// residence and, for a non-resident, the documents.
fn applicant_rows_ui(
    ui: &mut Ui,
    cx: &Cx<'_>,
    applicant: &rules::model::Applicant,
    residence: &rules::model::Residence,
    non_resident_documents: Option<&[String]>,
    labels: [&'static str; 5],
) {
    let [iin, name, kinship, phone, email] = labels;
    widgets::info_row_ui(ui, cx.t(iin), &applicant.iin);
    widgets::info_row_ui(ui, cx.t(name), &applicant.name);
    widgets::info_row_ui(ui, cx.t(kinship), applicant.kinship.text().get(cx.lang));
    widgets::info_row_ui(ui, cx.t(phone), &applicant.phone);
    widgets::info_row_ui(ui, cx.t(email), applicant.email.as_deref().unwrap_or("—"));
    let kind = match residence.kind {
        ResidenceKind::Permanent => cx.t("reg-permanent"),
        ResidenceKind::Temporary => cx.t("reg-temporary"),
    };
    widgets::info_row_ui(ui, kind, &residence.address);
    if let Some(documents) = non_resident_documents {
        widgets::info_row_ui(ui, cx.t("reg-non-resident"), &documents.join("; "));
    }
}

fn register_summary_ui(ui: &mut Ui, app: &rules::model::NewApplication, cx: &Cx<'_>) {
    egui::ScrollArea::vertical().id_salt("register-summary").max_height(420.0).show(ui, |ui| {
        Grid::new("register-summary-grid").num_columns(2).spacing([24.0, 6.0]).striped(true).show(ui, |ui| {
            widgets::info_row_ui(ui, cx.t("reg-queue-type"), app.queue_type.text().get(cx.lang));
            widgets::info_row_ui(ui, cx.t("reg-child-iin"), &app.child_iin);
            widgets::info_row_ui(ui, cx.t("reg-child-name"), &app.child_name);
            widgets::info_row_ui(ui, cx.t("reg-birth-date"), &format::date(app.birth_date));
            widgets::info_row_ui(ui, cx.t("card-group-year"), &app.birth_date.year().to_string());
            let documents = app.non_resident.then_some(app.non_resident_documents.as_slice());
            let labels = ["reg-applicant-iin", "reg-applicant-name", "reg-kinship", "reg-phone", "reg-email"];
            applicant_rows_ui(ui, cx, &app.applicant, &app.residence, documents, labels);
            let mut right = app.right.text().get(cx.lang).to_owned();
            if let Some(category) = &app.right_category {
                right = format!("{right}: {}", reference::category_name(category, cx.lang));
            }
            widgets::info_row_ui(ui, cx.t("reg-right"), &right);
            if let Some(document) = &app.right_document {
                widgets::info_row_ui(ui, cx.t("reg-right-document"), document);
            }
        });
    });
}

/// The open confirmation dialog, as a modal window.
pub fn dialog_ui(ctx: &egui::Context, dialog: &mut Dialog, cx: &Cx<'_>) -> Vec<UiCommand> {
    let mut out = Vec::new();
    let modal = egui::Modal::new(egui::Id::unique("confirm-dialog")).show(ctx, |ui| {
        ui.set_max_width(760.0);
        ui.set_min_width(520.0);
        match dialog {
            Dialog::Register { application, warnings } => {
                ui.heading(cx.t("confirm-register-title"));
                ui.label(cx.t("confirm-register-intro"));
                register_summary_ui(ui, application, cx);
                for warning in warnings.iter() {
                    widgets::message_ui(ui, warning.text().get(cx.lang), false);
                }
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if widgets::primary_button_ui(ui, cx.t("confirm-save")).clicked() {
                        out.push(UiCommand::Register(application.clone()));
                    }
                    if widgets::big_button_ui(ui, cx.t("cancel")).clicked() {
                        out.push(UiCommand::CloseDialog);
                    }
                });
            }
            Dialog::Action(action) => {
                let Some(kind) = action.kind else { return };
                ui.heading(kind.text().get(cx.lang));
                ui.label(cx.tr.f(
                    "confirm-action-intro",
                    &[("id", action.id.clone().into()), ("child", action.child_name.clone().into())],
                ));
                match kind {
                    ActionKind::ExtendChoice => {
                        widgets::text_field_width_ui(ui, cx.t("extend-days"), &mut action.days, 120.0);
                    }
                    ActionKind::ChooseKindergarten => choice_ui(ui, action, cx),
                    ActionKind::RefuseChild => {
                        widgets::multiline_field_ui(ui, cx.t("refuse-reason"), &mut action.reason);
                        ui.label(RichText::new(cx.t("refuse-review-note")).small());
                    }
                    ActionKind::MarkDeparted => {
                        widgets::text_field_width_ui(ui, cx.t("departed-date"), &mut action.date, 200.0);
                        widgets::multiline_field_ui(ui, cx.t("departed-reason"), &mut action.reason);
                    }
                    ActionKind::RefuseVoucher | ActionKind::Withdraw => {
                        widgets::message_ui(ui, cx.t("confirm-archive-warning"), false);
                    }
                    _ => {}
                }
                let built = build_action(action, cx);
                if let Err(problem) = &built
                    && !problem.is_empty()
                {
                    ui.label(RichText::new(problem).color(theme::WARN));
                }
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    let ok = built.is_ok();
                    if ui.add_enabled_ui(ok, |ui| widgets::primary_button_ui(ui, cx.t("confirm-ok"))).inner.clicked()
                        && let Ok(built) = built
                    {
                        out.push(UiCommand::Act { id: action.id.clone(), action: built, freed: action.freed.clone() });
                    }
                    if widgets::big_button_ui(ui, cx.t("cancel")).clicked() {
                        out.push(UiCommand::CloseDialog);
                    }
                });
            }
            Dialog::Places { input, after_departure } => {
                if *after_departure {
                    ui.heading(cx.t("publish-freed-title"));
                    ui.label(cx.t("publish-freed-intro"));
                } else {
                    ui.heading(cx.t("places-confirm-title"));
                }
                places_summary_ui(ui, input, cx);
                widgets::message_ui(ui, cx.t("places-immutable"), false);
                ui.add_space(8.0);
                ui.horizontal(|ui| {
                    if widgets::primary_button_ui(ui, cx.t("places-ok")).clicked() {
                        out.push(UiCommand::AddPlaces(input.clone()));
                    }
                    if widgets::big_button_ui(ui, cx.t("cancel")).clicked() {
                        out.push(UiCommand::CloseDialog);
                    }
                });
            }
        }
    });
    if modal.should_close() && out.is_empty() {
        out.push(UiCommand::CloseDialog);
    }
    out
}

/// Languages of a kindergarten as texts.
pub fn languages_text(languages: &[GroupLanguage], cx: &Cx<'_>) -> String {
    languages.iter().map(|l| l.text().get(cx.lang)).collect::<Vec<_>>().join(", ")
}
