//! The office's forms filled in as a person would: a registration, free places, a refusal.

use egui_kittest::Harness;
use kiosk::gui::KioskApp;

use super::{clear, click, type_into};

/// What the registration form asks after the child's IIN.
pub struct Applicant<'a> {
    pub child_name: &'a str,
    pub iin: &'a str,
    pub name: &'a str,
    pub phone: &'a str,
    pub address: &'a str,
}

/// A mother registering her daughter (IIN 230310600011, born 10 March 2023) in Kokshetau.
pub const SEITOVA: Applicant<'static> = Applicant {
    child_name: "Сейітова Әйгерім",
    iin: "900517400015",
    name: "Сейітова Гүлнұр",
    phone: "+7 701 555 12 34",
    address: "г. Кокшетау, ул. Абая, 15",
};

/// Fills the registration form after the child's IIN with `applicant` and asks to register.
pub fn apply_for(h: &mut Harness<'static, KioskApp>, applicant: &Applicant<'_>) {
    type_into(h, "ФИО ребенка", applicant.child_name);
    type_into(h, "ИИН заявителя", applicant.iin);
    type_into(h, "ФИО заявителя", applicant.name);
    type_into(h, "Номер телефона", applicant.phone);
    type_into(h, "Адрес регистрации", applicant.address);
    click(h, "Встать в очередь");
}

/// Fills the free-places form (language of the group, its year, how many places) and saves.
pub fn save_free_places(h: &mut Harness<'static, KioskApp>, language: &str, group_year: &str, count: &str) {
    click(h, "Язык обучения");
    click(h, language);
    click(h, "Год группы");
    click(h, group_year);
    type_into(h, "Количество свободных мест", count);
    click(h, "Сохранить");
}

/// Kindergarten staff find the child by IIN and refuse them for `reason`.
pub fn refuse_by_iin(h: &mut Harness<'static, KioskApp>, iin: &str, reason: &str) {
    click(h, "По ИИН");
    clear(h, "ИИН ребенка");
    type_into(h, "ИИН ребенка", iin);
    click(h, "Поиск");
    click(h, "Отказать");
    type_into(h, "Причина отказа", reason);
    click(h, "Подтвердить");
}
