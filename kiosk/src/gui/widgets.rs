//! Small labelled widgets: every input has a visible label tied to it for screen readers
//! (and for `egui_kittest`'s `get_by_label`).

use egui::{Response, RichText, TextEdit, Ui, Vec2};
use rules::i18n::Lang;

use super::backend::BackendError;
use super::theme;

/// A label above a one-line text field; the field is labelled by the label.
pub fn text_field_ui(ui: &mut Ui, label: &str, value: &mut String) -> Response {
    text_field_width_ui(ui, label, value, 320.0)
}

pub fn text_field_width_ui(ui: &mut Ui, label: &str, value: &mut String, width: f32) -> Response {
    ui.vertical(|ui| {
        let label = ui.label(label);
        ui.add(TextEdit::singleline(value).desired_width(width).min_size(Vec2::new(width, theme::TOUCH_HEIGHT - 6.0)))
            .labelled_by(label.id)
    })
    .inner
}

pub fn password_field_ui(ui: &mut Ui, label: &str, value: &mut String) -> Response {
    ui.vertical(|ui| {
        let label = ui.label(label);
        ui.add(TextEdit::singleline(value).password(true).desired_width(320.0).min_size(Vec2::new(320.0, 34.0)))
            .labelled_by(label.id)
    })
    .inner
}

pub fn multiline_field_ui(ui: &mut Ui, label: &str, value: &mut String) -> Response {
    ui.vertical(|ui| {
        let label = ui.label(label);
        ui.add(TextEdit::multiline(value).desired_width(480.0).desired_rows(2)).labelled_by(label.id)
    })
    .inner
}

/// A label above a combo box; returns true when the choice changed.
pub fn combo_ui<T: PartialEq + Clone>(
    ui: &mut Ui,
    id_salt: &str,
    label: &str,
    value: &mut T,
    options: &[(T, String)],
) -> bool {
    combo_width_ui(ui, id_salt, label, value, options, 300.0)
}

/// [`combo_ui`] with a given width.
pub fn combo_width_ui<T: PartialEq + Clone>(
    ui: &mut Ui,
    id_salt: &str,
    label: &str,
    value: &mut T,
    options: &[(T, String)],
    width: f32,
) -> bool {
    let mut changed = false;
    ui.vertical(|ui| {
        let label = ui.label(label);
        let selected = options.iter().find(|(v, _)| v == value).map_or_else(String::new, |(_, text)| text.clone());
        egui::ComboBox::from_id_salt(id_salt)
            .selected_text(selected)
            .width(width)
            .show_ui(ui, |ui| {
                for (option, text) in options {
                    if ui.selectable_label(option == value, text.as_str()).clicked() && option != value {
                        *value = option.clone();
                        changed = true;
                    }
                }
            })
            .response
            .labelled_by(label.id);
    });
    changed
}

/// The height of a field's label: what a control beside a labelled field skips to line
/// up with the field's input.
const FIELD_LABEL_HEIGHT: f32 = 22.0;

/// `button` laid out beside a labelled field (in a horizontal row), level with its input.
pub fn beside_field_ui<R>(ui: &mut Ui, button: impl FnOnce(&mut Ui) -> R) -> R {
    ui.vertical(|ui| {
        ui.add_space(FIELD_LABEL_HEIGHT);
        button(ui)
    })
    .inner
}

/// A labelled one-line field of `width` with a large button beside it; whether the button
/// was clicked.
pub fn field_with_button_ui(ui: &mut Ui, label: &str, value: &mut String, width: f32, button: &str) -> bool {
    ui.horizontal(|ui| {
        text_field_width_ui(ui, label, value, width);
        beside_field_ui(ui, |ui| big_button_ui(ui, button).clicked())
    })
    .inner
}

/// A large button for touch screens.
pub fn big_button_ui(ui: &mut Ui, text: &str) -> Response {
    ui.add(egui::Button::new(RichText::new(text).strong()).min_size(Vec2::new(120.0, theme::TOUCH_HEIGHT + 4.0)))
}

/// A large button in the accent colour (the main action of a screen).
pub fn primary_button_ui(ui: &mut Ui, text: &str) -> Response {
    ui.add(
        egui::Button::new(RichText::new(text).strong().color(egui::Color32::WHITE))
            .fill(theme::ACCENT)
            .min_size(Vec2::new(160.0, theme::TOUCH_HEIGHT + 6.0)),
    )
}

/// One "name: value" line of an information table.
pub fn info_row_ui(ui: &mut Ui, name: &str, value: &str) {
    ui.label(RichText::new(name).color(egui::Color32::from_gray(70)));
    ui.label(RichText::new(value).strong());
    ui.end_row();
}

/// An error box: the message in the current language and the stable code.
pub fn error_ui(ui: &mut Ui, error: &BackendError, lang: Lang) {
    egui::Frame::new()
        .fill(egui::Color32::from_rgb(0xfd, 0xec, 0xec))
        .stroke(egui::Stroke::new(1.0, theme::ERROR))
        .inner_margin(10.0)
        .corner_radius(6.0)
        .show(ui, |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(error.message(lang)).color(theme::ERROR).strong());
            ui.label(RichText::new(&error.code).small().color(egui::Color32::from_gray(90)));
        });
}

/// A green or yellow message box.
pub fn message_ui(ui: &mut Ui, text: &str, ok: bool) {
    let (fill, color) = if ok {
        (egui::Color32::from_rgb(0xe6, 0xf4, 0xe8), theme::OK)
    } else {
        (egui::Color32::from_rgb(0xff, 0xf4, 0xdc), theme::WARN)
    };
    egui::Frame::new().fill(fill).stroke(egui::Stroke::new(1.0, color)).inner_margin(10.0).corner_radius(6.0).show(
        ui,
        |ui| {
            ui.set_width(ui.available_width());
            ui.label(RichText::new(text).color(color).strong());
        },
    );
}

/// A section heading.
pub fn section_ui(ui: &mut Ui, text: &str) {
    ui.add_space(6.0);
    ui.label(RichText::new(text).size(21.0).strong().color(theme::ACCENT));
    ui.separator();
}
