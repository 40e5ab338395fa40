//! Every text the notifier sends, in Russian, Kazakh and English (`notify-…` in
//! `center/locales/*/notify.ftl`). Dates are the local (+05:00) day as `DD.MM.YYYY`.

use rules::deadline::DeadlineKind;
use rules::{Date, Instant, Lang};

use crate::i18n::{self, FluentValue};

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

fn texts(lang: Lang, subject: &str, text: &str, args: &[(&str, FluentValue<'_>)]) -> Texts {
    Texts { subject: i18n::text(lang, subject, args), text: i18n::text(lang, text, args) }
}

/// A one-time sign-in code, valid `minutes`.
pub fn sign_in_code(lang: Lang, code: &str, minutes: u32) -> Texts {
    let args = [("code", FluentValue::from(code)), ("minutes", FluentValue::from(minutes.to_string()))];
    texts(lang, "notify-sign-in-code-subject", "notify-sign-in-code", &args)
}

/// A voucher issued on `application`, to confirm by `confirm_deadline`.
pub fn voucher_issued(lang: Lang, application: &str, confirm_deadline: Instant) -> Texts {
    let by = dotted(confirm_deadline.local_date());
    let args = [("application", FluentValue::from(application)), ("by", FluentValue::from(by))];
    texts(lang, "notify-voucher-issued-subject", "notify-voucher-issued", &args)
}

fn deadline_action(lang: Lang, kind: DeadlineKind) -> String {
    let id = match kind {
        DeadlineKind::Confirm => "notify-action-confirm",
        DeadlineKind::Choose => "notify-action-choose",
        DeadlineKind::Restore => "notify-action-restore",
    };
    i18n::text(lang, id, &[])
}

/// A deadline of `application` ending at 23:59 of `day` (the next working day).
pub fn deadline_tomorrow(lang: Lang, application: &str, kind: DeadlineKind, day: Date) -> Texts {
    let args = [
        ("application", FluentValue::from(application)),
        ("day", FluentValue::from(dotted(day))),
        ("action", FluentValue::from(deadline_action(lang, kind))),
    ];
    texts(lang, "notify-deadline-tomorrow-subject", "notify-deadline-tomorrow", &args)
}

/// The education department's decision on a kindergarten's refusal of `application`;
/// `kindergarten`: the name of the kindergarten that must now enrol the child (overruled).
pub fn refusal_decided(lang: Lang, application: &str, upheld: bool, kindergarten: Option<&str>) -> Texts {
    let args = [
        ("application", FluentValue::from(application)),
        ("kindergarten", FluentValue::from(kindergarten.unwrap_or(""))),
    ];
    let text = if upheld { "notify-refusal-upheld" } else { "notify-refusal-overruled" };
    texts(lang, "notify-refusal-decided-subject", text, &args)
}
