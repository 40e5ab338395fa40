//! The messages a state owes, derived deterministically: the same state (and log) gives the
//! same messages with the same keys, so a scan at every poll enqueues each once.
//!
//! - `VoucherIssued`: an application waiting on its voucher's confirmation (status
//!   `voucher_issued`), issued in the last [`VOUCHER_NOTICE_DAYS`] days; key
//!   `voucher:{application}:{issued instant}`.
//! - `DeadlineTomorrow`: the application's pending deadline (`rules::deadline::pending`)
//!   ends after today and no later than the next working day (`rules` calendar): on a
//!   working day, the day before; before a weekend, also a deadline on the weekend; key
//!   `deadline:{application}:{kind}:{date}`.
//! - `RefusalDecided`: a reviewer upheld or overruled a kindergarten's refusal (a center log
//!   entry) in the last [`REFUSAL_NOTICE_DAYS`] days; key `refusal:{application}:{instant}`.
//!
//! The recipient is the application's applicant (IIN, phone, e-mail).

use rules::deadline::{DeadlineKind, pending};
use rules::{Application, Calendar, Instant, Lang, State, Status};

use super::messages::{self, Texts};
use super::{Message, MessageKind, Recipient};

/// Refusal decisions older than this (at the notifier's first start on an old center) are
/// not announced.
pub const REFUSAL_NOTICE_DAYS: i64 = 7;
/// Vouchers issued longer ago than this are not announced (their confirmation deadline
/// passed long before; a center whose nightly expiry has not run still owes no notice).
pub const VOUCHER_NOTICE_DAYS: i64 = 30;
/// The oldest message a scan derives, in days before `now`: the outbox keeps the keys of
/// sent messages longer than this, so that none is sent twice.
pub const LONGEST_NOTICE_DAYS: i64 =
    if VOUCHER_NOTICE_DAYS > REFUSAL_NOTICE_DAYS { VOUCHER_NOTICE_DAYS } else { REFUSAL_NOTICE_DAYS };

/// A reviewer's decision on a kindergarten's refusal, from the center's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusalDecision {
    pub application: String,
    /// Upheld (back to the queue); else overruled (the kindergarten must enrol).
    pub upheld: bool,
    pub at: Instant,
}

fn kind_name(kind: DeadlineKind) -> &'static str {
    match kind {
        DeadlineKind::Confirm => "confirm",
        DeadlineKind::Choose => "choose",
        DeadlineKind::Restore => "restore",
    }
}

fn recipient(app: &Application) -> Recipient {
    let nonempty = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    Recipient {
        iin: app.applicant.iin.clone(),
        phone: nonempty(&app.applicant.phone),
        email: app.applicant.email.as_deref().and_then(nonempty),
    }
}

fn message(key: String, kind: MessageKind, app: &Application, lang: Lang, texts: Texts, at: Instant) -> Message {
    Message { key, kind, to: recipient(app), lang, subject: texts.subject, text: texts.text, created_at: at }
}

/// Every message `state` (and the refusal decisions of the log) owes at `now`; `lang` gives
/// a parent's language by IIN.
pub fn due_messages(
    state: &State,
    calendar: &Calendar,
    refusals: &[RefusalDecision],
    lang: &dyn Fn(&str) -> Lang,
    now: Instant,
) -> Vec<Message> {
    let mut out = Vec::new();
    let today = now.local_date();
    // The calendar decides which day is the next working day; beyond its data, no reminder.
    let next_working = calendar.working_days_after(today, 1).ok();
    for app in state.applications() {
        let language = lang(&app.applicant.iin);
        if app.status == Status::VoucherIssued
            && let Some(voucher) = &app.voucher
            && (now.0 - voucher.issued_at.0).num_days() < VOUCHER_NOTICE_DAYS
        {
            let key = format!("voucher:{}:{}", app.id, voucher.issued_at);
            let texts = messages::voucher_issued(language, &app.id, voucher.confirm_deadline);
            out.push(message(key, MessageKind::VoucherIssued, app, language, texts, voucher.issued_at));
        }
        if let (Some((kind, at)), Some(next)) = (pending(app), next_working) {
            let day = at.local_date();
            if today < day && day <= next && now < at {
                let key = format!("deadline:{}:{}:{day}", app.id, kind_name(kind));
                let texts = messages::deadline_tomorrow(language, &app.id, kind, day);
                out.push(message(key, MessageKind::DeadlineTomorrow, app, language, texts, now));
            }
        }
    }
    for decision in refusals {
        if (now.0 - decision.at.0).num_days() >= REFUSAL_NOTICE_DAYS {
            continue;
        }
        let Some(app) = state.application(&decision.application) else { continue };
        let language = lang(&app.applicant.iin);
        let kindergarten = app.direction.as_ref().filter(|_| !decision.upheld).map(|d| {
            state.kindergarten(&d.kindergarten).map_or_else(
                || d.kindergarten.clone(),
                |k| match language {
                    Lang::Kk => k.name.kk.clone(),
                    Lang::En if !k.name.en.is_empty() => k.name.en.clone(),
                    _ => k.name.ru.clone(),
                },
            )
        });
        let key = format!("refusal:{}:{}", app.id, decision.at);
        let texts = messages::refusal_decided(language, &app.id, decision.upheld, kindergarten.as_deref());
        out.push(message(key, MessageKind::RefusalDecided, app, language, texts, decision.at));
    }
    out
}
