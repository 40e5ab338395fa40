//! A readable light theme with large, touch-friendly hit targets.

use egui::{Color32, FontId, TextStyle, Vec2};

/// Smallest height of anything one taps.
pub const TOUCH_HEIGHT: f32 = 40.0;
/// Journal row height.
pub const ROW_HEIGHT: f32 = 34.0;

pub const ACCENT: Color32 = Color32::from_rgb(0x0b, 0x5c, 0xad);
pub const OK: Color32 = Color32::from_rgb(0x1b, 0x6e, 0x2a);
pub const ERROR: Color32 = Color32::from_rgb(0xb0, 0x1c, 0x1c);
pub const WARN: Color32 = Color32::from_rgb(0x8a, 0x5a, 0x00);
/// Secondary text (still 4.5:1 on white).
pub const MUTED: Color32 = Color32::from_gray(85);

pub fn apply(ctx: &egui::Context) {
    ctx.set_theme(egui::Theme::Light);
    ctx.all_styles_mut(|style| {
        style.text_styles = [
            (TextStyle::Heading, FontId::proportional(26.0)),
            (TextStyle::Body, FontId::proportional(18.0)),
            (TextStyle::Button, FontId::proportional(18.0)),
            (TextStyle::Small, FontId::proportional(14.0)),
            (TextStyle::Monospace, FontId::monospace(17.0)),
        ]
        .into();
        style.spacing.item_spacing = Vec2::new(10.0, 8.0);
        style.spacing.button_padding = Vec2::new(14.0, 8.0);
        style.spacing.interact_size = Vec2::new(48.0, TOUCH_HEIGHT);
        style.spacing.combo_width = 260.0;
        style.spacing.text_edit_width = 320.0;
        style.spacing.icon_width = 24.0;
        style.spacing.icon_width_inner = 14.0;
        style.spacing.scroll.bar_width = 14.0;
        style.visuals.hyperlink_color = ACCENT;
        style.visuals.selection.bg_fill = Color32::from_rgb(0xc6, 0xdc, 0xf5);
        style.visuals.selection.stroke.color = Color32::from_rgb(0x0b, 0x3c, 0x7d);
        style.visuals.widgets.noninteractive.fg_stroke.color = Color32::from_gray(20);
        style.visuals.widgets.inactive.fg_stroke.color = Color32::from_gray(15);
        style.visuals.widgets.inactive.weak_bg_fill = Color32::from_gray(228);
        style.visuals.widgets.inactive.bg_stroke = egui::Stroke::new(1.0, Color32::from_gray(170));
        style.visuals.striped = true;
    });
}
