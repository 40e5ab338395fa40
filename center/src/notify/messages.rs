//! Every text the notifier sends, in Russian, Kazakh and English. Dates are the local
//! (+05:00) day as `DD.MM.YYYY`.

use rules::deadline::DeadlineKind;
use rules::{Date, Instant, Lang};

/// A subject and a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Texts {
    pub subject: String,
    pub text: String,
}

/// `DD.MM.YYYY`.
pub fn dotted(date: Date) -> String {
    date.0.format("%d.%m.%Y").to_string()
}

/// A one-time sign-in code, valid `minutes`.
pub fn sign_in_code(lang: Lang, code: &str, minutes: u32) -> Texts {
    let (subject, text) = match lang {
        Lang::Ru => (
            "Kezek: код входа".to_owned(),
            format!("Код входа в Kezek: {code}. Действует {minutes} мин. Никому его не сообщайте."),
        ),
        Lang::Kk => (
            "Kezek: кіру коды".to_owned(),
            format!("Kezek жүйесіне кіру коды: {code}. {minutes} минут жарамды. Оны ешкімге айтпаңыз."),
        ),
        Lang::En => (
            "Kezek: sign-in code".to_owned(),
            format!("Your Kezek sign-in code: {code}. Valid for {minutes} min. Do not share it with anyone."),
        ),
    };
    Texts { subject, text }
}

/// A voucher issued on `application`, to confirm by `confirm_deadline`.
pub fn voucher_issued(lang: Lang, application: &str, confirm_deadline: Instant) -> Texts {
    let by = dotted(confirm_deadline.local_date());
    let (subject, text) = match lang {
        Lang::Ru => (
            format!("Kezek: выдан ваучер по заявлению {application}"),
            format!(
                "По заявлению {application} выдан ваучер в детский сад. Подтвердите интерес до 23:59 {by}, \
                 иначе ваучер перейдёт в стоп-лист."
            ),
        ),
        Lang::Kk => (
            format!("Kezek: {application} өтініші бойынша ваучер берілді"),
            format!(
                "{application} өтініші бойынша балабақшаға ваучер берілді. Қызығушылығыңызды {by} күні \
                 23:59-ға дейін растаңыз, әйтпесе ваучер стоп-параққа түседі."
            ),
        ),
        Lang::En => (
            format!("Kezek: a voucher was issued on application {application}"),
            format!(
                "A kindergarten voucher was issued on application {application}. Confirm your interest by \
                 23:59 on {by}, or the voucher goes to the stop-list."
            ),
        ),
    };
    Texts { subject, text }
}

fn deadline_action(lang: Lang, kind: DeadlineKind) -> &'static str {
    match (lang, kind) {
        (Lang::Ru, DeadlineKind::Confirm) => "подтвердить интерес к ваучеру",
        (Lang::Ru, DeadlineKind::Choose) => "выбрать детский сад и подписать договор",
        (Lang::Ru, DeadlineKind::Restore) => "восстановить ваучер из стоп-листа",
        (Lang::Kk, DeadlineKind::Confirm) => "ваучерге қызығушылықты растау",
        (Lang::Kk, DeadlineKind::Choose) => "балабақшаны таңдап, шартқа қол қою",
        (Lang::Kk, DeadlineKind::Restore) => "ваучерді стоп-парақтан қалпына келтіру",
        (Lang::En, DeadlineKind::Confirm) => "confirm your interest in the voucher",
        (Lang::En, DeadlineKind::Choose) => "choose a kindergarten and sign the contract",
        (Lang::En, DeadlineKind::Restore) => "restore the voucher from the stop-list",
    }
}

/// A deadline of `application` ending at 23:59 of `day` (the next working day).
pub fn deadline_tomorrow(lang: Lang, application: &str, kind: DeadlineKind, day: Date) -> Texts {
    let day = dotted(day);
    let action = deadline_action(lang, kind);
    let (subject, text) = match lang {
        Lang::Ru => (
            format!("Kezek: срок по заявлению {application} истекает {day}"),
            format!("Срок по заявлению {application} истекает в 23:59 {day}: успейте {action}."),
        ),
        Lang::Kk => (
            format!("Kezek: {application} өтініші бойынша мерзім {day} аяқталады"),
            format!("{application} өтініші бойынша мерзім {day} күні 23:59-да аяқталады: {action} үлгеріңіз."),
        ),
        Lang::En => (
            format!("Kezek: a deadline on application {application} ends on {day}"),
            format!("A deadline on application {application} ends at 23:59 on {day}: {action} before then."),
        ),
    };
    Texts { subject, text }
}

/// The education department's decision on a kindergarten's refusal of `application`;
/// `kindergarten`: the name of the kindergarten that must now enrol the child (overruled).
pub fn refusal_decided(lang: Lang, application: &str, upheld: bool, kindergarten: Option<&str>) -> Texts {
    let kg = kindergarten.unwrap_or("");
    let (subject, text) = match (lang, upheld) {
        (Lang::Ru, true) => (
            format!("Kezek: решение по отказу, заявление {application}"),
            format!(
                "Отдел образования подтвердил отказ детского сада по заявлению {application}. Ребёнок \
                 возвращён в очередь с прежним временем регистрации."
            ),
        ),
        (Lang::Ru, false) => (
            format!("Kezek: решение по отказу, заявление {application}"),
            format!(
                "Отдел образования отклонил отказ детского сада {kg} по заявлению {application}: детский сад \
                 обязан принять ребёнка."
            ),
        ),
        (Lang::Kk, true) => (
            format!("Kezek: бас тарту бойынша шешім, {application} өтініші"),
            format!(
                "Білім бөлімі {application} өтініші бойынша балабақшаның бас тартуын растады. Бала кезекке \
                 бұрынғы тіркелу уақытымен қайтарылды."
            ),
        ),
        (Lang::Kk, false) => (
            format!("Kezek: бас тарту бойынша шешім, {application} өтініші"),
            format!(
                "Білім бөлімі {application} өтініші бойынша {kg} балабақшасының бас тартуын қабылдамады: \
                 балабақша баланы қабылдауға міндетті."
            ),
        ),
        (Lang::En, true) => (
            format!("Kezek: decision on the refusal, application {application}"),
            format!(
                "The education department upheld the kindergarten's refusal on application {application}. The \
                 child is back in the queue with the original registration time."
            ),
        ),
        (Lang::En, false) => (
            format!("Kezek: decision on the refusal, application {application}"),
            format!(
                "The education department overruled the refusal of kindergarten {kg} on application \
                 {application}: the kindergarten must enrol the child."
            ),
        ),
    };
    Texts { subject, text }
}
