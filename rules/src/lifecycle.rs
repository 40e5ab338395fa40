//! One application's life: which actions a status allows, deadlines that expire on their
//! own, and how each event changes the application.

use serde::Serialize;

use crate::calendar::Calendar;
use crate::command::{Action, ActionKind, Event, Role};
use crate::deadline::{self, DeadlineKind, EXTEND_DAYS};
use crate::error::{CommandError, FieldProblem};
use crate::model::{Application, ArchiveReason, Departure, Direction, GroupLanguage, Kindergarten, Status};
use crate::time::{Date, Instant};

/// Longest free-text reason accepted (refusal, departure).
pub const MAX_REASON_CHARS: u32 = 1000;

/// The instant from which a child counts as aged out: 1 September (00:00 local) of the
/// first year in which the child is 6 or older on that day.
pub fn aged_out_from(birth_date: Date) -> Option<Instant> {
    use chrono::Datelike;
    let born = (birth_date.0.month(), birth_date.0.day());
    // Born on or before 1 September: 6 on 1 September six years later; else a year after.
    let year = birth_date.year() + if born <= (9, 1) { 6 } else { 7 };
    Date::from_ymd(year, 9, 1)?.start_of_day()
}

/// The earliest expiry that is due for `app` at `now`, as an event.
fn next_expiry(app: &Application, now: Instant, calendar: &Calendar) -> Result<Option<Event>, CommandError> {
    let id = app.id.clone();
    let mut due: Option<Event> = None;
    let mut due_at: Option<Instant> = None;
    let mut consider = |at: Instant, event: Event| {
        if due_at.is_none_or(|d| at < d) {
            due_at = Some(at);
            due = Some(event);
        }
    };
    if let Some(voucher) = &app.voucher {
        match app.status {
            Status::VoucherIssued if now > voucher.confirm_deadline => {
                let restore_deadline = deadline::deadline(calendar, DeadlineKind::Restore, voucher.confirm_deadline)
                    .map_err(|_| CommandError::CalendarOutOfRange)?
                    .at;
                consider(
                    voucher.confirm_deadline,
                    Event::StopListed { application: id.clone(), at: voucher.confirm_deadline, restore_deadline },
                );
            }
            Status::StopListed => {
                if let Some(restore) = voucher.restore_deadline.filter(|r| now > *r) {
                    consider(
                        restore,
                        Event::Archived { application: id.clone(), at: restore, reason: ArchiveReason::RestoreExpired },
                    );
                }
            }
            Status::VoucherConfirmed => {
                if let Some(choose) = voucher.choose_deadline.filter(|c| now > *c) {
                    consider(
                        choose,
                        Event::Archived { application: id.clone(), at: choose, reason: ArchiveReason::ChoiceExpired },
                    );
                }
            }
            _ => {}
        }
    }
    if app.status.is_waiting()
        && let Some(aged) = aged_out_from(app.child.birth_date).filter(|a| now >= *a)
    {
        consider(aged, Event::Archived { application: id, at: aged, reason: ArchiveReason::AgedOut });
    }
    Ok(due)
}

/// Every expiry due at `now`, in time order: what a `tick` at `now` would record.
pub fn expiries(app: &Application, now: Instant, calendar: &Calendar) -> Result<Vec<Event>, CommandError> {
    let mut settled = app.clone();
    let mut events = Vec::new();
    while let Some(event) = next_expiry(&settled, now, calendar)? {
        evolve(&mut settled, &event);
        events.push(event);
    }
    Ok(events)
}

/// The application as it stands at `now`, with the expiries that got it there.
pub fn settle(app: &Application, now: Instant, calendar: &Calendar) -> Result<(Application, Vec<Event>), CommandError> {
    let events = expiries(app, now, calendar)?;
    let mut settled = app.clone();
    for event in &events {
        evolve(&mut settled, event);
    }
    Ok((settled, events))
}

/// An action that may be taken now, with its deadline if it has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AllowedAction {
    pub action: ActionKind,
    pub role: Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Instant>,
}

/// Actions the status table allows, ignoring deadlines (used to name them in errors).
fn actions_of_status(app: &Application) -> Vec<ActionKind> {
    use ActionKind as A;
    let voucher = app.voucher.as_ref();
    match app.status {
        Status::Queued => vec![A::IssueVoucher, A::Withdraw],
        Status::VoucherIssued => vec![A::ConfirmVoucher, A::RefuseVoucher, A::Withdraw],
        Status::VoucherConfirmed => {
            let mut actions = vec![A::ChooseKindergarten];
            if !voucher.is_some_and(|v| v.extended) {
                actions.push(A::ExtendChoice);
            }
            actions.extend([A::RefuseVoucher, A::Withdraw]);
            actions
        }
        Status::StopListed => {
            let mut actions = Vec::new();
            if !voucher.is_some_and(|v| v.restored) {
                actions.push(A::RestoreVoucher);
            }
            actions.push(A::Withdraw);
            actions
        }
        Status::DirectionIssued => {
            if app.direction.as_ref().is_some_and(|d| d.must_enroll) {
                vec![A::AcceptChild]
            } else {
                vec![A::AcceptChild, A::RefuseChild]
            }
        }
        Status::RefusalReview => vec![A::UpholdRefusal, A::OverruleRefusal],
        Status::Enrolled => vec![A::MarkDeparted],
        Status::Departed | Status::Archived => Vec::new(),
    }
}

fn action_deadline(app: &Application, action: ActionKind) -> Option<Instant> {
    let voucher = app.voucher.as_ref()?;
    match deadline::due_by(action)? {
        DeadlineKind::Confirm => Some(voucher.confirm_deadline),
        DeadlineKind::Choose => voucher.choose_deadline,
        DeadlineKind::Restore => voucher.restore_deadline,
    }
}

/// The actions allowed on `app` at `now`, after any expiry due by then.
pub fn allowed_actions(
    app: &Application,
    now: Instant,
    calendar: &Calendar,
) -> Result<Vec<AllowedAction>, CommandError> {
    let (settled, _) = settle(app, now, calendar)?;
    Ok(actions_of_status(&settled)
        .into_iter()
        .map(|action| AllowedAction { action, role: action.role(), deadline: action_deadline(&settled, action) })
        .collect())
}

/// Whether taking `action` ends the application: its status becomes final
/// (`Status::is_final`), so the child may apply again. Refusing the voucher and withdrawing
/// archive it; a departure leaves the kindergarten.
pub fn ends_application(action: ActionKind) -> bool {
    matches!(action, ActionKind::RefuseVoucher | ActionKind::Withdraw | ActionKind::MarkDeparted)
}

/// Answers whether a free place exists for a choice; the district state knows, a lone
/// application (the portal) may not.
pub trait PlaceCheck {
    fn check(&self, app: &Application, kindergarten: &str, language: GroupLanguage) -> Result<(), CommandError>;
}

/// The one check of a kindergarten choice, for every host: the district state (kiosk,
/// center) and the WASM `apply` call it with their own facts. `kindergarten` is the
/// directory entry of `id` (`None`: not in the directory); it must serve the application's
/// district and queue type and offer `language`; `free` is the number of places in free
/// choice left there for `language` and the application's group year.
pub fn check_choice(
    app: &Application,
    id: &str,
    kindergarten: Option<&Kindergarten>,
    language: GroupLanguage,
    free: u32,
) -> Result<(), CommandError> {
    let k = kindergarten.ok_or_else(|| CommandError::UnknownKindergarten { id: id.to_owned() })?;
    if k.district != app.district || k.queue_type != app.queue_type {
        return Err(CommandError::KindergartenMismatch { kindergarten: id.to_owned() });
    }
    if !k.open {
        return Err(CommandError::KindergartenClosed { kindergarten: id.to_owned() });
    }
    if !k.languages.contains(&language) {
        return Err(CommandError::LanguageNotOffered { kindergarten: id.to_owned(), language });
    }
    if !k.offers_group_year(app.group_year()) {
        return Err(CommandError::GroupYearNotOffered { kindergarten: id.to_owned(), group_year: app.group_year() });
    }
    if free == 0 {
        return Err(CommandError::NoFreePlace { kindergarten: id.to_owned(), language, group_year: app.group_year() });
    }
    Ok(())
}

/// For callers without place data: every choice is taken as possible.
#[derive(Debug, Clone, Copy)]
pub struct NoPlaceCheck;

impl PlaceCheck for NoPlaceCheck {
    fn check(&self, _: &Application, _: &str, _: GroupLanguage) -> Result<(), CommandError> {
        Ok(())
    }
}

fn checked_text(field: &'static str, text: &str, max_chars: u32) -> Result<(), CommandError> {
    if text.trim().is_empty() {
        return Err(CommandError::InvalidField { field, problem: FieldProblem::Empty });
    }
    if text.chars().count() > max_chars as usize {
        return Err(CommandError::InvalidField { field, problem: FieldProblem::TooLong { max_chars } });
    }
    Ok(())
}

/// A confirmation made in time but decided after an expiry already stop-listed the voucher
/// (an office offline past the deadline, the center's nightly expiry first): it is judged as
/// of its own time, so it stands as a confirmation; the one-time restore stays unused.
fn confirmed_in_time(settled: &Application, kind: ActionKind, now: Instant) -> bool {
    kind == ActionKind::ConfirmVoucher
        && settled.status == Status::StopListed
        && settled.voucher.as_ref().is_some_and(|v| now <= v.confirm_deadline && !v.restored)
}

/// Checks `action` on `app` at `now` and returns the events it causes (expiries due first).
pub fn decide(
    app: &Application,
    action: &Action,
    now: Instant,
    calendar: &Calendar,
    places: &dyn PlaceCheck,
) -> Result<Vec<Event>, CommandError> {
    let kind = action.kind();
    let (settled, mut events) = settle(app, now, calendar)?;
    if !actions_of_status(&settled).contains(&kind) && !confirmed_in_time(&settled, kind, now) {
        // Allowed before the clock ran out: say so rather than naming the new status.
        if actions_of_status(app).contains(&kind)
            && let Some(deadline) = action_deadline(app, kind).filter(|d| now > *d)
        {
            return Err(CommandError::DeadlinePassed { action: kind, deadline });
        }
        if kind == ActionKind::RefuseChild && settled.status == Status::DirectionIssued {
            return Err(CommandError::MustEnroll);
        }
        let used_once = match kind {
            ActionKind::ExtendChoice => settled.status == Status::VoucherConfirmed,
            // A restored voucher is back in `voucher_confirmed`: a second restore there is
            // a repeat of a one-time action, not an action foreign to the status.
            ActionKind::RestoreVoucher => {
                settled.status == Status::StopListed
                    || (settled.status == Status::VoucherConfirmed
                        && settled.voucher.as_ref().is_some_and(|v| v.restored))
            }
            _ => false,
        };
        if used_once {
            return Err(CommandError::AlreadyUsed { action: kind });
        }
        return Err(CommandError::NotAllowed {
            action: kind,
            status: settled.status,
            allowed: actions_of_status(&settled),
        });
    }
    let id = settled.id.clone();
    let out_of_range = |_| CommandError::CalendarOutOfRange;
    let event = match action {
        Action::IssueVoucher => Event::VoucherIssued {
            application: id,
            at: now,
            confirm_deadline: deadline::deadline(calendar, DeadlineKind::Confirm, now).map_err(out_of_range)?.at,
        },
        Action::ConfirmVoucher => Event::VoucherConfirmed {
            application: id,
            at: now,
            choose_deadline: deadline::deadline(calendar, DeadlineKind::Choose, now).map_err(out_of_range)?.at,
        },
        Action::RestoreVoucher => Event::VoucherRestored {
            application: id,
            at: now,
            choose_deadline: deadline::deadline(calendar, DeadlineKind::Choose, now).map_err(out_of_range)?.at,
        },
        Action::ExtendChoice { days } => {
            if !EXTEND_DAYS.contains(days) {
                return Err(CommandError::InvalidField { field: "days", problem: FieldProblem::OutOfRange });
            }
            let current =
                settled.voucher.as_ref().and_then(|v| v.choose_deadline).ok_or(CommandError::CalendarOutOfRange)?;
            Event::ChoiceExtended {
                application: id,
                at: now,
                days: *days,
                choose_deadline: deadline::extended(current, *days).map_err(out_of_range)?,
            }
        }
        Action::ChooseKindergarten { kindergarten, language } => {
            places.check(&settled, kindergarten, *language)?;
            Event::DirectionIssued {
                application: id.clone(),
                direction: Direction {
                    number: format!("{id}-N{}", settled.directions_issued + 1),
                    kindergarten: kindergarten.clone(),
                    language: *language,
                    group_year: settled.group_year(),
                    issued_at: now,
                    must_enroll: false,
                    enrolled_at: None,
                    refusal_reason: None,
                },
            }
        }
        Action::RefuseVoucher => Event::Archived { application: id, at: now, reason: ArchiveReason::VoucherRefused },
        Action::Withdraw => Event::Archived { application: id, at: now, reason: ArchiveReason::Withdrawn },
        Action::AcceptChild => Event::ChildEnrolled { application: id, at: now },
        Action::RefuseChild { reason } => {
            checked_text("reason", reason, MAX_REASON_CHARS)?;
            Event::ChildRefused { application: id, at: now, reason: reason.trim().to_owned() }
        }
        Action::UpholdRefusal => Event::RefusalUpheld { application: id, at: now },
        Action::OverruleRefusal => Event::RefusalOverruled { application: id, at: now },
        Action::MarkDeparted { date, reason } => {
            checked_text("reason", reason, MAX_REASON_CHARS)?;
            let enrolled_on = settled.direction.as_ref().and_then(|d| d.enrolled_at).map(Instant::local_date);
            if *date > now.local_date() || enrolled_on.is_some_and(|e| *date < e) {
                return Err(CommandError::InvalidField { field: "date", problem: FieldProblem::OutOfRange });
            }
            Event::ChildDeparted {
                application: id,
                departure: Departure { date: *date, reason: reason.trim().to_owned(), recorded_at: now },
            }
        }
    };
    events.push(event);
    Ok(events)
}

/// Applies one event about this application. Events were checked when decided: this never fails.
pub fn evolve(app: &mut Application, event: &Event) {
    match event {
        Event::Registered { application } => *app = (**application).clone(),
        Event::PlacesAdded { .. }
        | Event::PlacesPublished { .. }
        | Event::PlacesReduced { .. }
        | Event::CalendarYearSet { .. }
        | Event::KindergartenSet { .. } => {}
        Event::VoucherIssued { at, confirm_deadline, .. } => {
            app.status = Status::VoucherIssued;
            app.voucher = Some(crate::model::Voucher {
                issued_at: *at,
                confirm_deadline: *confirm_deadline,
                confirmed_at: None,
                choose_deadline: None,
                extended: false,
                stop_listed_at: None,
                restore_deadline: None,
                restored: false,
            });
        }
        Event::VoucherConfirmed { at, choose_deadline, .. } => {
            app.status = Status::VoucherConfirmed;
            if let Some(v) = app.voucher.as_mut() {
                v.confirmed_at = Some(*at);
                v.choose_deadline = Some(*choose_deadline);
                // Confirmed in time: a stop-listing recorded before the confirmation arrived
                // did not happen.
                v.stop_listed_at = None;
                v.restore_deadline = None;
            }
        }
        Event::StopListed { at, restore_deadline, .. } => {
            app.status = Status::StopListed;
            if let Some(v) = app.voucher.as_mut() {
                v.stop_listed_at = Some(*at);
                v.restore_deadline = Some(*restore_deadline);
            }
        }
        Event::VoucherRestored { at, choose_deadline, .. } => {
            app.status = Status::VoucherConfirmed;
            if let Some(v) = app.voucher.as_mut() {
                v.restored = true;
                v.confirmed_at = Some(*at);
                v.choose_deadline = Some(*choose_deadline);
            }
        }
        Event::ChoiceExtended { choose_deadline, .. } => {
            if let Some(v) = app.voucher.as_mut() {
                v.extended = true;
                v.choose_deadline = Some(*choose_deadline);
            }
        }
        Event::DirectionIssued { direction, .. } => {
            app.status = Status::DirectionIssued;
            app.directions_issued += 1;
            app.direction = Some(direction.clone());
        }
        Event::ChildEnrolled { at, .. } => {
            app.status = Status::Enrolled;
            if let Some(d) = app.direction.as_mut() {
                d.enrolled_at = Some(*at);
            }
        }
        Event::ChildRefused { reason, .. } => {
            app.status = Status::RefusalReview;
            if let Some(d) = app.direction.as_mut() {
                d.refusal_reason = Some(reason.clone());
            }
        }
        Event::RefusalUpheld { .. } => {
            // Back to the queue with the original registration time.
            app.status = Status::Queued;
            app.voucher = None;
            app.direction = None;
        }
        Event::RefusalOverruled { .. } => {
            app.status = Status::DirectionIssued;
            if let Some(d) = app.direction.as_mut() {
                d.must_enroll = true;
            }
        }
        Event::ChildDeparted { departure, .. } => {
            app.status = Status::Departed;
            app.departure = Some(departure.clone());
        }
        Event::Archived { at, reason, .. } => {
            app.status = Status::Archived;
            app.archive_reason = Some(*reason);
            app.archived_at = Some(*at);
        }
    }
}
