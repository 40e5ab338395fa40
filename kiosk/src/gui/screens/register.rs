//! "Постановка в очередь": the application form, with live IIN checks by `rules::iin`.

use egui::{RichText, Ui};
use rules::i18n::Localized;
use rules::iin::Iin;
use rules::model::{Applicant, Kinship, NewApplication, QueueType, Residence, ResidenceKind, RightClass};

use crate::gui::ui::{Cx, Saved, UiCommand};
use crate::gui::{format, reference, theme, widgets};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterForm {
    pub queue_type: QueueType,
    pub child_iin: String,
    pub child_name: String,
    pub birth_date: String,
    pub applicant_iin: String,
    pub applicant_name: String,
    pub kinship: Kinship,
    pub phone: String,
    pub email: String,
    pub residence: ResidenceKind,
    pub address: String,
    pub non_resident: bool,
    pub documents: String,
    pub right: RightClass,
    pub category: String,
    pub right_document: String,
    /// Problems found before asking the rules (unreadable date, invalid IIN).
    pub problems: Vec<String>,
}

impl Default for RegisterForm {
    fn default() -> Self {
        RegisterForm {
            queue_type: QueueType::General,
            child_iin: String::new(),
            child_name: String::new(),
            birth_date: String::new(),
            applicant_iin: String::new(),
            applicant_name: String::new(),
            kinship: Kinship::Mother,
            phone: String::new(),
            email: String::new(),
            residence: ResidenceKind::Permanent,
            address: String::new(),
            non_resident: false,
            documents: String::new(),
            right: RightClass::None,
            category: String::new(),
            right_document: String::new(),
            problems: Vec::new(),
        }
    }
}

/// Live check of an IIN field: what it encodes, or why it is invalid (texts from `rules`).
fn iin_hint_ui(ui: &mut Ui, text: &str, cx: &Cx<'_>) -> Option<Iin> {
    if text.is_empty() {
        return None;
    }
    match Iin::parse(text) {
        Ok(iin) => {
            let hint = cx.tr.f(
                "iin-decoded",
                &[("date", format::date(iin.birth_date()).into()), ("sex", iin.sex().text().get(cx.lang).into())],
            );
            ui.label(RichText::new(hint).color(theme::OK));
            Some(iin)
        }
        Err(error) => {
            ui.label(RichText::new(error.message(cx.lang)).color(theme::ERROR));
            None
        }
    }
}

impl RegisterForm {
    fn build(&mut self, cx: &Cx<'_>) -> Option<NewApplication> {
        self.problems.clear();
        if let Err(error) = Iin::parse(&self.child_iin) {
            self.problems.push(format!("{}: {}", cx.t("reg-child-iin"), error.message(cx.lang)));
        }
        if let Err(error) = Iin::parse(&self.applicant_iin) {
            self.problems.push(format!("{}: {}", cx.t("reg-applicant-iin"), error.message(cx.lang)));
        }
        let birth_date = format::parse_date(&self.birth_date);
        if birth_date.is_none() {
            self.problems.push(cx.t("reg-birth-date-format").to_owned());
        }
        let birth_date = birth_date?;
        if !self.problems.is_empty() {
            return None;
        }
        let documents: Vec<String> =
            self.documents.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect();
        let optional = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        Some(NewApplication {
            id: String::new(),
            district: cx.kiosk.map(|k| k.district.clone()).unwrap_or_default(),
            queue_type: self.queue_type,
            child_iin: self.child_iin.clone(),
            child_name: self.child_name.trim().to_owned(),
            birth_date,
            applicant: Applicant {
                iin: self.applicant_iin.clone(),
                name: self.applicant_name.trim().to_owned(),
                kinship: self.kinship,
                phone: self.phone.trim().to_owned(),
                email: optional(&self.email),
            },
            residence: Residence { kind: self.residence, address: self.address.trim().to_owned() },
            non_resident: self.non_resident,
            non_resident_documents: if self.non_resident { documents } else { Vec::new() },
            right: self.right,
            right_category: if self.right == RightClass::None { None } else { optional(&self.category) },
            right_document: if self.right == RightClass::None { None } else { optional(&self.right_document) },
        })
    }
}

pub fn register_ui(ui: &mut Ui, form: &mut RegisterForm, cx: &Cx<'_>) -> Option<UiCommand> {
    let mut command = None;
    ui.heading(cx.t("reg-title"));
    if let Some(kiosk) = cx.kiosk {
        ui.label(cx.tr.f("reg-district", &[("district", reference::district_name(&kiosk.district, cx.lang).into())]));
    }
    egui::ScrollArea::vertical().id_salt("register").auto_shrink([false, false]).show(ui, |ui| {
        let queue_types: Vec<(QueueType, String)> =
            QueueType::ALL.iter().map(|q| (*q, q.text().get(cx.lang).to_owned())).collect();
        widgets::combo_ui(ui, "reg-queue-type", cx.t("reg-queue-type"), &mut form.queue_type, &queue_types);

        widgets::section_ui(ui, cx.t("reg-child"));
        ui.horizontal_wrapped(|ui| {
            ui.vertical(|ui| {
                let before = form.child_iin.clone();
                widgets::text_field_ui(ui, cx.t("reg-child-iin"), &mut form.child_iin);
                if let Some(iin) = iin_hint_ui(ui, &form.child_iin, cx)
                    && before != form.child_iin
                    && form.birth_date.trim().is_empty()
                {
                    form.birth_date = format::date(iin.birth_date());
                }
            });
            widgets::text_field_width_ui(ui, cx.t("reg-child-name"), &mut form.child_name, 380.0);
            ui.vertical(|ui| {
                widgets::text_field_width_ui(ui, cx.t("reg-birth-date"), &mut form.birth_date, 200.0);
                ui.label(RichText::new(cx.t("reg-birth-date-hint")).small());
            });
        });

        widgets::section_ui(ui, cx.t("reg-applicant"));
        ui.horizontal_wrapped(|ui| {
            ui.vertical(|ui| {
                widgets::text_field_ui(ui, cx.t("reg-applicant-iin"), &mut form.applicant_iin);
                iin_hint_ui(ui, &form.applicant_iin, cx);
            });
            widgets::text_field_width_ui(ui, cx.t("reg-applicant-name"), &mut form.applicant_name, 380.0);
            let kinships: Vec<(Kinship, String)> =
                Kinship::ALL.iter().map(|k| (*k, k.text().get(cx.lang).to_owned())).collect();
            widgets::combo_width_ui(ui, "reg-kinship", cx.t("reg-kinship"), &mut form.kinship, &kinships, 200.0);
        });
        ui.horizontal_wrapped(|ui| {
            widgets::text_field_width_ui(ui, cx.t("reg-phone"), &mut form.phone, 260.0);
            widgets::text_field_width_ui(ui, cx.t("reg-email"), &mut form.email, 320.0);
        });

        widgets::section_ui(ui, cx.t("reg-residence"));
        ui.horizontal(|ui| {
            ui.radio_value(&mut form.residence, ResidenceKind::Permanent, cx.t("reg-permanent"));
            ui.radio_value(&mut form.residence, ResidenceKind::Temporary, cx.t("reg-temporary"));
        });
        widgets::text_field_width_ui(ui, cx.t("reg-address"), &mut form.address, 640.0);
        ui.checkbox(&mut form.non_resident, cx.t("reg-non-resident"));
        if form.non_resident {
            widgets::multiline_field_ui(ui, cx.t("reg-documents"), &mut form.documents);
        }

        widgets::section_ui(ui, cx.t("reg-right"));
        ui.horizontal(|ui| {
            for right in [RightClass::None, RightClass::First, RightClass::Extraordinary] {
                if ui.radio_value(&mut form.right, right, right.text().get(cx.lang)).changed() {
                    form.category.clear();
                }
            }
        });
        if form.right != RightClass::None {
            let categories: Vec<(String, String)> = rules::category::all()
                .iter()
                .filter(|c| c.right == form.right)
                .map(|c| (c.code.to_owned(), c.name().get(cx.lang).to_owned()))
                .collect();
            widgets::combo_ui(ui, "reg-category", cx.t("reg-category"), &mut form.category, &categories);
            widgets::text_field_width_ui(ui, cx.t("reg-right-document"), &mut form.right_document, 560.0);
        }

        ui.add_space(12.0);
        for problem in &form.problems {
            ui.label(RichText::new(problem).color(theme::ERROR).strong());
        }
        if widgets::primary_button_ui(ui, cx.t("reg-submit")).clicked()
            && let Some(application) = form.build(cx)
        {
            command = Some(UiCommand::CheckRegistration(application));
        }
        ui.add_space(20.0);
    });
    command
}

pub fn saved_ui(ui: &mut Ui, saved: &Saved, cx: &Cx<'_>) -> Option<UiCommand> {
    let mut command = None;
    ui.heading(cx.t("saved-title"));
    ui.add_space(8.0);
    ui.label(cx.t("saved-number"));
    ui.label(RichText::new(&saved.receipt.id).size(34.0).strong().color(theme::ACCENT));
    ui.label(cx.tr.f("saved-at", &[("at", format::instant(saved.receipt.registered_at).into())]));
    ui.label(cx.tr.f("saved-seq", &[("seq", saved.receipt.seq.into())]));
    for warning in &saved.receipt.warnings {
        widgets::message_ui(ui, warning.text().get(cx.lang), false);
    }
    ui.add_space(8.0);
    match &saved.file {
        Some(Ok(path)) => {
            ui.label(cx.t("saved-receipt"));
            ui.label(RichText::new(path.display().to_string()).monospace());
        }
        Some(Err(message)) => {
            ui.label(RichText::new(message).color(theme::ERROR));
        }
        None => {}
    }
    ui.add_space(12.0);
    ui.horizontal(|ui| {
        if widgets::big_button_ui(ui, cx.t("saved-print-again")).clicked() {
            command = Some(UiCommand::WriteReceipt(saved.receipt.id.clone()));
        }
        if widgets::big_button_ui(ui, cx.t("saved-open-card")).clicked() {
            command = Some(UiCommand::OpenCard(saved.receipt.id.clone()));
        }
        if widgets::primary_button_ui(ui, cx.t("saved-new")).clicked() {
            command = Some(UiCommand::NewApplicationForm);
        }
    });
    command
}
