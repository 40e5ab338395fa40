//! Random command sequences against `State`, with time moving forward by random steps and
//! `now` written with random UTC offsets. After every command the test checks that:
//! - each event moves its application along a transition of DESIGN.md's table (written
//!   out below, independently of the crate's own table);
//! - no action is accepted after its deadline, and expiries happen only after theirs;
//! - a rejected command changes nothing and its error is consistent with the state;
//! - queued applications have positions 1..n in each queue;
//! - no slot has more directions than published places, and no queue has more vouchers
//!   and directions than published places;
//! - a distribution round gives vouchers to the head of each queue;
//! - the state equals a fresh state rebuilt by folding every event so far.

// Helpers outside #[test] functions unwrap too; a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset};
use common::*;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use rules::command::ActionKind;
use rules::error::CommandError;
use rules::lifecycle::{allowed_actions, settle};
use rules::model::{ArchiveReason, GroupLanguage, PlacesState};
use rules::state::PlaceSlot;
use rules::{Action, Application, Calendar, Command, Event, Instant, QueueKey, QueueType, RightClass, State, Status};

/// Birth dates of the children pool: some age out on 1 September 2026, one is born after
/// 1 September (a year later), the others stay young enough.
const BIRTHS: [&str; 7] =
    ["2020-03-10", "2020-10-05", "2021-06-01", "2020-06-20", "2022-02-14", "2020-01-15", "2023-08-30"];
const SERIALS: u32 = 3;
const KINDERGARTENS: [&str; 5] = [KG_A, KG_B, KG_SAN, KG_OTHER, "KG-NONE"];
const LANGUAGES: [GroupLanguage; 3] = [GroupLanguage::Kk, GroupLanguage::Ru, GroupLanguage::En];
/// Where sequences start, all at 09:00 in Kazakhstan: Mon 5 Jan 2026 (Nauryz and May
/// ahead), Thu 20 and Thu 27 Aug 2026 (1 September ahead, with vouchers that will be
/// stop-listed or still open by then), Mon 14 Dec 2026 (the year end ahead).
/// The August starts are listed twice: ageing out of a voucher status needs them.
const STARTS: [&str; 6] = [
    "2026-01-05T09:00:00+05:00",
    "2026-08-20T09:00:00+05:00",
    "2026-08-20T09:00:00+05:00",
    "2026-08-27T09:00:00+05:00",
    "2026-08-27T09:00:00+05:00",
    "2026-12-14T09:00:00+05:00",
];

#[derive(Debug, Clone)]
enum Op {
    Register {
        child: usize,
        right: RightClass,
        sanatorium: bool,
    },
    /// `language` indexes the kindergarten's own languages when `offered`, else all three.
    AddPlaces {
        kindergarten: usize,
        offered: bool,
        language: Index,
        group_year: i32,
        count: u32,
    },
    Distribute {
        other_district: bool,
    },
    Act {
        app: Index,
        action: ActionChoice,
    },
    Tick,
}

/// The actions a random step may take (issuing a voucher by hand is left out: it would
/// bypass the places a distribution round counts).
static KINDS: LazyLock<Vec<ActionKind>> =
    LazyLock::new(|| ActionKind::ALL.into_iter().filter(|kind| *kind != ActionKind::IssueVoucher).collect());

/// Raw choices for one action; turned into an `Action` against the state at run time.
// Each flag is an independent coin flip of the generator, not a state machine in disguise.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone)]
struct ActionChoice {
    /// Pick among the actions the application allows now (so that sequences get far),
    /// or take `kind` whatever the status (so that rejections are exercised too).
    guided: bool,
    /// When guided, take the status's first action, the one that moves the application on.
    progress: bool,
    pick: Index,
    kind: usize,
    days: u32,
    /// Pick among the free slots, or take `kindergarten` and `language` as they come.
    free_slot: bool,
    kindergarten: usize,
    language: usize,
    blank_reason: bool,
    days_ago: u32,
}

#[derive(Debug, Clone)]
struct Step {
    advance_secs: i64,
    offset_quarters: i32,
    op: Op,
}

fn action_strategy() -> impl Strategy<Value = ActionChoice> {
    (
        (prop::bool::weighted(0.75), prop::bool::weighted(0.5), any::<Index>(), 0..KINDS.len(), 0u32..=31),
        (prop::bool::weighted(0.8), 0..KINDERGARTENS.len(), 0..LANGUAGES.len()),
        (prop::bool::weighted(0.1), prop_oneof![3 => 0u32..3, 1 => 0u32..40]),
    )
        .prop_map(
            |((guided, progress, pick, kind, days), (free_slot, kindergarten, language), (blank_reason, days_ago))| {
                ActionChoice {
                    guided,
                    progress,
                    pick,
                    kind,
                    days,
                    free_slot,
                    kindergarten,
                    language,
                    blank_reason,
                    days_ago,
                }
            },
        )
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let right =
        prop_oneof![1 => Just(RightClass::Extraordinary), 2 => Just(RightClass::First), 5 => Just(RightClass::None)];
    prop_oneof![
        4 => (0..BIRTHS.len() * SERIALS as usize, right, prop::bool::weighted(0.15))
            .prop_map(|(child, right, sanatorium)| Op::Register { child, right, sanatorium }),
        2 => (
            // Mostly the district's general kindergartens, where the children are.
            prop_oneof![4 => Just(0usize), 3 => Just(1usize), 1 => 2..KINDERGARTENS.len()],
            prop::bool::weighted(0.85),
            any::<Index>(),
            // Birth years of the pool, and a year too old for any group.
            select(vec![2018, 2020, 2020, 2020, 2021, 2022, 2023]),
            prop_oneof![1 => Just(0u32), 6 => 1u32..=3],
        )
            .prop_map(|(kindergarten, offered, language, group_year, count)| Op::AddPlaces {
                kindergarten,
                offered,
                language,
                group_year,
                count
            }),
        2 => prop::bool::weighted(0.1).prop_map(|other_district| Op::Distribute { other_district }),
        8 => (any::<Index>(), action_strategy()).prop_map(|(app, action)| Op::Act { app, action }),
        1 => Just(Op::Tick),
    ]
}

fn step_strategy() -> impl Strategy<Value = Step> {
    // Mostly minutes and hours, so that a voucher can be confirmed and used within its
    // few working days; sometimes weeks, so that stop-lists, restores and age-outs expire.
    let advance = prop_oneof![
        3 => Just(0i64),
        10 => 0i64..3_600,
        8 => 0i64..86_400,
        3 => 0i64..432_000,
        1 => 0i64..3_888_000,
    ];
    (advance, -48i32..=56, op_strategy()).prop_map(|(advance_secs, offset_quarters, op)| Step {
        advance_secs,
        offset_quarters,
        op,
    })
}

fn instant(secs: i64, offset_quarters: i32) -> Instant {
    let utc = DateTime::from_timestamp(secs, 0).expect("in range");
    Instant(utc.with_timezone(&FixedOffset::east_opt(offset_quarters * 900).expect("valid offset")))
}

/// Turns a step into a command against the current state.
fn command(step: &Step, state: &State, serial: usize, now: Instant) -> Command {
    match &step.op {
        Op::Register { child, right, sanatorium } => {
            let birth = BIRTHS[child % BIRTHS.len()];
            let n = u32::try_from(child / BIRTHS.len()).unwrap() + 1;
            let queue_type = if *sanatorium { QueueType::Sanatorium } else { QueueType::General };
            Command::Register {
                application: new_application(&format!("R{serial:03}"), &child_iin(birth, n), birth, *right, queue_type),
            }
        }
        Op::AddPlaces { kindergarten, offered, language, group_year, count } => {
            let id = KINDERGARTENS[*kindergarten];
            let languages = match state.kindergarten(id) {
                Some(k) if *offered => k.languages.clone(),
                _ => LANGUAGES.to_vec(),
            };
            Command::AddPlaces {
                places: rules::model::NewPlaces {
                    id: format!("P{serial:03}"),
                    kindergarten: id.into(),
                    language: languages[language.index(languages.len())],
                    group_year: *group_year,
                    count: *count,
                },
            }
        }
        Op::Distribute { other_district } => {
            Command::Distribute { district: if *other_district { "ZER" } else { DISTRICT }.into() }
        }
        Op::Tick => Command::Tick,
        Op::Act { app, action } => act_command(*app, action, state, now),
    }
}

/// An action on an application picked by `app`, shaped by the raw choices in `action`.
fn act_command(app: Index, action: &ActionChoice, state: &State, now: Instant) -> Command {
    // Prefer applications still in progress: final ones accept nothing.
    let mut ids: Vec<&Application> = state.applications().filter(|a| !a.status.is_final()).collect();
    if ids.is_empty() || app.index(4) == 0 {
        ids = state.applications().collect();
    }
    let Some(target) = (!ids.is_empty()).then(|| ids[app.index(ids.len())]) else {
        return Command::Act { application: "NONE".into(), action: Action::Withdraw };
    };
    let mut kind = KINDS[action.kind];
    if action.guided {
        let offered: Vec<ActionKind> = allowed_actions(target, now, state.calendar())
            .expect("in range")
            .into_iter()
            .map(|a| a.action)
            .filter(|a| KINDS.contains(a))
            .collect();
        if !offered.is_empty() {
            kind = if action.progress { offered[0] } else { offered[action.pick.index(offered.len())] };
        }
    }
    let random_place = (KINDERGARTENS[action.kindergarten].to_owned(), LANGUAGES[action.language]);
    let (kindergarten, language) = if action.free_slot {
        // Slots that serve the application, else any free slot.
        let all: Vec<(PlaceSlot, u32)> = state.free_slots();
        let serving: Vec<(PlaceSlot, u32)> = all
            .iter()
            .filter(|(slot, _)| {
                slot.group_year == target.group_year()
                    && state
                        .kindergarten(&slot.kindergarten)
                        .is_some_and(|k| k.district == target.district && k.queue_type == target.queue_type)
            })
            .cloned()
            .collect();
        let slots = if serving.is_empty() { all } else { serving };
        if slots.is_empty() {
            random_place
        } else {
            let (slot, _) = &slots[action.pick.index(slots.len())];
            (slot.kindergarten.clone(), slot.language)
        }
    } else {
        random_place
    };
    let action = match kind {
        ActionKind::ConfirmVoucher => Action::ConfirmVoucher,
        ActionKind::RestoreVoucher => Action::RestoreVoucher,
        ActionKind::ExtendChoice => Action::ExtendChoice { days: action.days },
        ActionKind::ChooseKindergarten => Action::ChooseKindergarten { kindergarten, language },
        ActionKind::RefuseVoucher => Action::RefuseVoucher,
        ActionKind::Withdraw => Action::Withdraw,
        ActionKind::AcceptChild => Action::AcceptChild,
        ActionKind::RefuseChild => {
            Action::RefuseChild { reason: if action.blank_reason { " " } else { "no documents" }.into() }
        }
        ActionKind::UpholdRefusal => Action::UpholdRefusal,
        ActionKind::OverruleRefusal => Action::OverruleRefusal,
        ActionKind::MarkDeparted | ActionKind::IssueVoucher => Action::MarkDeparted {
            date: rules::Date(now.local_date().0 - chrono::Days::new(u64::from(action.days_ago))),
            reason: "moved".into(),
        },
    };
    Command::Act { application: target.id.clone(), action }
}

/// The event's name for the transition table; archiving carries its reason.
fn event_name(event: &Event) -> &'static str {
    match event {
        Event::Archived { reason, .. } => match reason {
            ArchiveReason::VoucherRefused => "archived/voucher_refused",
            ArchiveReason::RestoreExpired => "archived/restore_expired",
            ArchiveReason::ChoiceExpired => "archived/choice_expired",
            ArchiveReason::Withdrawn => "archived/withdrawn",
            ArchiveReason::AgedOut => "archived/aged_out",
        },
        other => other.name(),
    }
}

type Transition = (&'static str, Option<Status>, Status);

/// DESIGN.md's status table: (event, status before, status after). `None` = no application yet.
fn allowed_transitions() -> HashSet<Transition> {
    use Status::*;
    let mut table = vec![
        ("registered", None, Queued),
        ("voucherIssued", Some(Queued), VoucherIssued),
        ("voucherConfirmed", Some(VoucherIssued), VoucherConfirmed),
        ("stopListed", Some(VoucherIssued), StopListed),
        ("archived/voucher_refused", Some(VoucherIssued), Archived),
        ("voucherRestored", Some(StopListed), VoucherConfirmed),
        ("archived/restore_expired", Some(StopListed), Archived),
        ("directionIssued", Some(VoucherConfirmed), DirectionIssued),
        // Extending the choice keeps the status.
        ("choiceExtended", Some(VoucherConfirmed), VoucherConfirmed),
        ("archived/choice_expired", Some(VoucherConfirmed), Archived),
        ("archived/voucher_refused", Some(VoucherConfirmed), Archived),
        ("childEnrolled", Some(DirectionIssued), Enrolled),
        ("childRefused", Some(DirectionIssued), RefusalReview),
        ("refusalUpheld", Some(RefusalReview), Queued),
        ("refusalOverruled", Some(RefusalReview), DirectionIssued),
        ("childDeparted", Some(Enrolled), Departed),
    ];
    for waiting in [Queued, VoucherIssued, VoucherConfirmed, StopListed] {
        table.push(("archived/withdrawn", Some(waiting), Archived));
        table.push(("archived/aged_out", Some(waiting), Archived));
    }
    table.into_iter().collect()
}

/// Events a command of this kind may yield.
fn may_yield(command: &Command, event: &Event) -> bool {
    let tag = serde_json::to_value(event).expect("events serialize")["type"].clone();
    assert_eq!(tag, event.name(), "Event::name is the event's JSON type");
    let expiry = matches!(
        event_name(event),
        "stopListed" | "archived/restore_expired" | "archived/choice_expired" | "archived/aged_out"
    );
    match command {
        Command::Register { .. } => matches!(event, Event::Registered { .. }),
        Command::AddPlaces { .. } => matches!(event, Event::PlacesAdded { .. }),
        Command::Tick => expiry,
        Command::SetKindergarten { .. } => matches!(event, Event::KindergartenSet { .. }),
        Command::ReducePlaces { .. } => matches!(event, Event::PlacesReduced { .. }),
        Command::SetCalendarYear { .. } => matches!(event, Event::CalendarYearSet { .. }),
        Command::Distribute { .. } => {
            expiry || matches!(event, Event::PlacesPublished { .. } | Event::VoucherIssued { .. })
        }
        // An action may first record the expiries due by now, on its own application only.
        Command::Act { application, .. } => event.application_id() == Some(application.as_str()),
    }
}

/// Checks one accepted event against the application as it was just before it.
fn check_event(event: &Event, before: Option<&Application>, now: Instant) -> Result<(), TestCaseError> {
    let voucher = before.and_then(|a| a.voucher.as_ref());
    match event {
        Event::VoucherConfirmed { at, .. } => {
            let deadline = voucher.expect("a voucher").confirm_deadline;
            prop_assert!(*at == now && now <= deadline, "confirmed at {} after {}", now, deadline);
        }
        Event::VoucherRestored { at, .. } => {
            let v = voucher.expect("a voucher");
            prop_assert!(!v.restored, "restored twice");
            let deadline = v.restore_deadline.expect("a restore deadline");
            prop_assert!(*at == now && now <= deadline, "restored at {} after {}", now, deadline);
        }
        Event::ChoiceExtended { at, days, choose_deadline, .. } => {
            let v = voucher.expect("a voucher");
            prop_assert!(!v.extended, "extended twice");
            prop_assert!((1..=30).contains(days));
            let deadline = v.choose_deadline.expect("a choose deadline");
            prop_assert!(*at == now && now <= deadline, "extended at {} after {}", now, deadline);
            prop_assert!(*choose_deadline > deadline);
        }
        Event::DirectionIssued { direction, .. } => {
            let deadline = voucher.expect("a voucher").choose_deadline.expect("a choose deadline");
            prop_assert!(now <= deadline, "chose at {} after {}", now, deadline);
            prop_assert_eq!(direction.issued_at, now);
        }
        Event::ChildRefused { .. } => {
            let direction = before.and_then(|a| a.direction.as_ref()).expect("a direction");
            prop_assert!(!direction.must_enroll, "refused a child the reviewer ordered to enroll");
        }
        Event::StopListed { at, .. } => {
            let deadline = voucher.expect("a voucher").confirm_deadline;
            prop_assert!(*at == deadline && deadline < now);
        }
        Event::Archived { at, reason, .. } => {
            let due = match reason {
                ArchiveReason::RestoreExpired => voucher.and_then(|v| v.restore_deadline),
                ArchiveReason::ChoiceExpired => voucher.and_then(|v| v.choose_deadline),
                ArchiveReason::AgedOut => before.and_then(|a| rules::lifecycle::aged_out_from(a.child.birth_date)),
                ArchiveReason::VoucherRefused | ArchiveReason::Withdrawn => Some(now),
            };
            prop_assert_eq!(Some(*at), due, "{:?}", reason);
            match reason {
                ArchiveReason::RestoreExpired | ArchiveReason::ChoiceExpired => {
                    prop_assert!(*at < now);
                }
                ArchiveReason::AgedOut => prop_assert!(*at <= now),
                _ => {}
            }
        }
        _ => {}
    }
    Ok(())
}

/// Checks a rejected command's error against the state it was checked on.
fn check_error(state: &State, command: &Command, error: &CommandError, now: Instant) -> Result<(), TestCaseError> {
    let Command::Act { application, action } = command else {
        return Ok(());
    };
    let Some(app) = state.application(application) else {
        prop_assert_eq!(error, &CommandError::UnknownApplication { id: application.clone() });
        return Ok(());
    };
    let (settled, _) = settle(app, now, state.calendar()).expect("in range");
    let offered: Vec<ActionKind> =
        allowed_actions(app, now, state.calendar()).expect("in range").into_iter().map(|a| a.action).collect();
    match error {
        CommandError::NotAllowed { action: kind, status, allowed } => {
            prop_assert_eq!(*kind, action.kind());
            prop_assert_eq!(*status, settled.status, "the error names the status at `now`");
            prop_assert_eq!(allowed, &offered);
            prop_assert!(!offered.contains(kind));
        }
        CommandError::DeadlinePassed { action: kind, deadline } => {
            prop_assert_eq!(*kind, action.kind());
            prop_assert!(*deadline < now);
            prop_assert!(!offered.contains(kind));
        }
        CommandError::AlreadyUsed { action: kind } => {
            let v = settled.voucher.as_ref().expect("a voucher");
            match kind {
                ActionKind::ExtendChoice => prop_assert!(v.extended),
                ActionKind::RestoreVoucher => prop_assert!(v.restored),
                other => prop_assert!(false, "{:?} is not a one-time action", other),
            }
        }
        CommandError::MustEnroll => {
            prop_assert!(settled.direction.as_ref().is_some_and(|d| d.must_enroll));
        }
        // Input and place errors: the action itself was allowed in the status.
        _ => prop_assert!(offered.contains(&action.kind()), "{:?} with {:?} offered", error, offered),
    }
    Ok(())
}

fn slot_of(app: &Application) -> Option<PlaceSlot> {
    let holds =
        matches!(app.status, Status::DirectionIssued | Status::RefusalReview | Status::Enrolled | Status::Departed);
    let d = app.direction.as_ref().filter(|_| holds)?;
    Some(PlaceSlot { kindergarten: d.kindergarten.clone(), language: d.language, group_year: d.group_year })
}

fn check_invariants(state: &State) -> Result<(), TestCaseError> {
    // Positions 1..n per queue; only queued applications have one.
    let mut positions: BTreeMap<QueueKey, Vec<u32>> = BTreeMap::new();
    for app in state.applications() {
        match (app.status, state.position(&app.id)) {
            (Status::Queued, Some(p)) => positions.entry(app.queue_key()).or_default().push(p),
            (Status::Queued, None) => {
                prop_assert!(false, "{} is queued without a position", app.id);
            }
            (_, Some(_)) => prop_assert!(false, "{} has a position in {:?}", app.id, app.status),
            (_, None) => {}
        }
    }
    for (queue, mut list) in positions {
        list.sort_unstable();
        let n = u32::try_from(list.len()).unwrap();
        prop_assert_eq!(list, (1..=n).collect::<Vec<_>>(), "{:?}", queue);
    }
    // Places: what was published, what directions hold, what vouchers promise.
    let mut published: BTreeMap<PlaceSlot, u32> = BTreeMap::new();
    for record in state.places().filter(|r| r.state == PlacesState::FreeChoice) {
        let slot = PlaceSlot {
            kindergarten: record.kindergarten.clone(),
            language: record.language,
            group_year: record.group_year,
        };
        *published.entry(slot).or_default() += record.count;
    }
    let mut occupied: BTreeMap<PlaceSlot, u32> = BTreeMap::new();
    for app in state.applications() {
        if let Some(slot) = slot_of(app) {
            *occupied.entry(slot).or_default() += 1;
        }
    }
    for (slot, held) in &occupied {
        let total = published.get(slot).copied().unwrap_or(0);
        prop_assert!(*held <= total, "{:?}: {} directions for {} places", slot, held, total);
    }
    for (slot, total) in &published {
        prop_assert_eq!(state.free_places(slot), total - occupied.get(slot).copied().unwrap_or(0));
    }
    let queue_of = |slot: &PlaceSlot| {
        let k = state.kindergarten(&slot.kindergarten).expect("published places have a kindergarten");
        QueueKey { district: k.district.clone(), queue_type: k.queue_type, group_year: slot.group_year }
    };
    let mut capacity: BTreeMap<QueueKey, i64> = BTreeMap::new();
    for (slot, total) in &published {
        *capacity.entry(queue_of(slot)).or_default() += i64::from(*total);
    }
    for (slot, held) in &occupied {
        *capacity.entry(queue_of(slot)).or_default() -= i64::from(*held);
    }
    for app in state.applications() {
        if matches!(app.status, Status::VoucherIssued | Status::VoucherConfirmed | Status::StopListed) {
            *capacity.entry(app.queue_key()).or_default() -= 1;
        }
    }
    for (queue, free) in capacity {
        prop_assert!(free >= 0, "{:?}: {} more vouchers and directions than places", queue, -free);
    }
    Ok(())
}

/// Vouchers of a round go to the head of each queue, in allocation order.
fn check_round(before: &State, events: &[Event]) -> Result<(), TestCaseError> {
    let left: BTreeSet<&str> =
        events.iter().filter(|e| matches!(e, Event::Archived { .. })).filter_map(Event::application_id).collect();
    let mut issued: BTreeMap<QueueKey, Vec<&str>> = BTreeMap::new();
    for event in events {
        if let Event::VoucherIssued { application, .. } = event {
            let app = before.application(application).expect("known");
            issued.entry(app.queue_key()).or_default().push(application);
        }
    }
    for (queue, ids) in issued {
        let head: Vec<&str> = before
            .queue_index()
            .allocation_order(&queue, usize::MAX)
            .into_iter()
            .filter(|id| !left.contains(id))
            .take(ids.len())
            .collect();
        prop_assert_eq!(ids, head, "{:?}", queue);
    }
    Ok(())
}

/// The state rebuilt from its events (by reference, and taking them as a replaying host
/// does), and restored from its applications and places (as a kiosk does from a center
/// snapshot), all match the state itself.
fn check_rebuilt(state: &State, events: &[Event]) -> Result<(), TestCaseError> {
    let mut replayed = new_state();
    let mut replayed_owned = new_state();
    for event in events {
        replayed.evolve(event);
        replayed_owned.evolve_owned(event.clone());
    }
    check_same(state, &replayed_owned)?;
    let restored = State::restore(
        Calendar::embedded(),
        common::kindergartens(),
        state.applications().cloned(),
        state.places().cloned(),
    );
    check_same(state, &replayed)?;
    check_same(state, &restored)
}

fn check_same(state: &State, rebuilt: &State) -> Result<(), TestCaseError> {
    prop_assert_eq!(rebuilt.applications().collect::<Vec<_>>(), state.applications().collect::<Vec<_>>());
    prop_assert_eq!(rebuilt.places().collect::<Vec<_>>(), state.places().collect::<Vec<_>>());
    prop_assert_eq!(rebuilt.free_slots(), state.free_slots());
    let queues: Vec<&QueueKey> = state.queue_index().queues();
    prop_assert_eq!(rebuilt.queue_index().queues(), queues.clone());
    for queue in queues {
        prop_assert_eq!(
            rebuilt.queue_index().allocation_order(queue, usize::MAX),
            state.queue_index().allocation_order(queue, usize::MAX)
        );
    }
    for app in state.applications() {
        prop_assert_eq!(rebuilt.position(&app.id), state.position(&app.id));
        prop_assert_eq!(
            rebuilt.active_application_of(&app.child.iin, app.queue_type),
            state.active_application_of(&app.child.iin, app.queue_type)
        );
    }
    Ok(())
}

/// Runs one sequence with every check; returns the transitions it went through.
fn run(start: &str, steps: &[Step]) -> Result<HashSet<Transition>, TestCaseError> {
    let transitions = allowed_transitions();
    let mut seen = HashSet::new();
    let mut state = new_state();
    let mut all_events: Vec<Event> = Vec::new();
    let mut secs = at(start).0.timestamp();
    for (serial, step) in steps.iter().enumerate() {
        secs += step.advance_secs;
        let now = instant(secs, step.offset_quarters);
        let command = command(step, &state, serial, now);
        let before = state.clone();
        match state.execute(&command, now) {
            Ok(events) => {
                let mut shadow = before.clone();
                for event in &events {
                    prop_assert!(may_yield(&command, event), "{} yielded {:?}", command.name(), event);
                    let id = event.application_id();
                    let app_before = id.and_then(|id| shadow.application(id)).cloned();
                    check_event(event, app_before.as_ref(), now)?;
                    shadow.evolve(event);
                    if let Some(id) = id {
                        let after = shadow.application(id).expect("evolved").clone();
                        let key = (event_name(event), app_before.as_ref().map(|a| a.status), after.status);
                        prop_assert!(
                            transitions.contains(&key),
                            "forbidden transition {:?} by {}",
                            key,
                            command.name()
                        );
                        seen.insert(key);
                        if let Some(b) = &app_before {
                            prop_assert_eq!(b.registered_at, after.registered_at, "registration time changed");
                        }
                    }
                }
                prop_assert_eq!(shadow.applications().collect::<Vec<_>>(), state.applications().collect::<Vec<_>>());
                if matches!(command, Command::Distribute { .. }) {
                    check_round(&before, &events)?;
                }
                all_events.extend(events);
            }
            Err(error) => {
                prop_assert_eq!(before.applications().collect::<Vec<_>>(), state.applications().collect::<Vec<_>>());
                prop_assert_eq!(before.places().collect::<Vec<_>>(), state.places().collect::<Vec<_>>());
                check_error(&before, &command, &error, now)?;
            }
        }
        check_invariants(&state)?;
    }
    check_rebuilt(&state, &all_events)?;
    Ok(seen)
}

/// Cases per property: the default, or `PROPTEST_CASES` for a longer hunt.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_the_rules(
        start in select(STARTS.to_vec()),
        steps in prop::collection::vec(step_strategy(), 1..120),
    ) {
        run(start, &steps)?;
    }
}

/// Guards against a generator that never gets far: a fixed-seed sample of sequences must
/// go through every transition of the table at least once.
#[test]
fn the_generator_reaches_every_transition() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = (select(STARTS.to_vec()), prop::collection::vec(step_strategy(), 60..120));
    let mut seen = HashSet::new();
    for _ in 0..300 {
        let (start, steps) = strategy.new_tree(&mut runner).expect("a value").current();
        seen.extend(run(start, &steps).expect("the rules hold"));
    }
    let missing: Vec<_> = allowed_transitions().difference(&seen).copied().collect();
    assert!(missing.is_empty(), "never reached: {missing:?}");
}
