//! The state of one or more districts: applications, places and queues, folded from events.
//!
//! Hosts follow one order for every command (as raft-rs's `Ready` does):
//! 1. `decide(command, now)` checks it and returns the events, changing nothing;
//! 2. the host persists the events durably;
//! 3. only then the host calls `evolve` for each event and tells the user "saved".

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

use crate::calendar::Calendar;
use crate::command::{Action, Command, Event};
use crate::deadline::{self, DeadlineKind};
use crate::error::{CommandError, FieldProblem, IinField};
use crate::iin::Iin;
use crate::lifecycle::{self, PlaceCheck};
use crate::model::{
    Application, Child, GroupLanguage, Kindergarten, NewApplication, NewPlaces, PlacesRecord, PlacesState, QueueKey,
    QueueType, RightClass, Status, Warning,
};
use crate::queue::{QueueIndex, QueueMember};
use crate::time::Instant;

/// Longest id (application, places record) accepted.
pub const MAX_ID_CHARS: u32 = 64;
/// Longest name accepted.
pub const MAX_NAME_CHARS: u32 = 200;
/// Longest address, phone, e-mail, document or category text accepted.
pub const MAX_TEXT_CHARS: u32 = 500;
/// Most places one record may add.
pub const MAX_PLACES_PER_RECORD: u32 = 500;
/// Most non-resident documents on one application.
pub const MAX_DOCUMENTS: usize = 20;

/// Places of one kindergarten, language and group year.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlaceSlot {
    pub kindergarten: String,
    pub language: GroupLanguage,
    pub group_year: i32,
}

/// A distribution round worked out but not applied ([`State::plan_distribution`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DistributionPlan {
    /// Every queue of the district with places in free choice, vouchers or not.
    pub queues: Vec<QueuePlan>,
    /// The events `Distribute` applies: expiries due, places published, vouchers issued.
    pub events: Vec<Event>,
}

/// One queue in a distribution round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuePlan {
    pub queue: QueueKey,
    /// Places in free choice for the queue (after this round's publications).
    pub free: u32,
    /// Vouchers issued before and not yet used or lapsed: they hold places.
    pub outstanding: u32,
    /// Who gets a voucher now, in allocation order.
    pub chosen: Vec<PlannedVoucher>,
}

/// A voucher a round issues, and why this child: the place in the allocation order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlannedVoucher {
    pub application: String,
    /// 1-based position in the queue's allocation order.
    pub position: u32,
    pub right: RightClass,
    pub registered_at: Instant,
    pub confirm_deadline: Instant,
}

#[derive(Debug, Clone)]
pub struct State {
    calendar: &'static Calendar,
    kindergartens: BTreeMap<String, Kindergarten>,
    applications: BTreeMap<String, Application>,
    /// Active (not final) application per (child IIN, queue type).
    active_children: HashMap<(String, QueueType), String>,
    places: BTreeMap<String, PlacesRecord>,
    /// Places in free choice per slot.
    published: HashMap<PlaceSlot, u32>,
    /// Directions holding a place per slot.
    occupied: HashMap<PlaceSlot, u32>,
    queue: QueueIndex,
}

/// The record a places command saves: new places wait for the next round (pending); a
/// reduction takes away places in free choice at once.
fn places_record(new: &NewPlaces, kindergarten: &Kindergarten, now: Instant, reduction: bool) -> PlacesRecord {
    PlacesRecord {
        id: new.id.clone(),
        kindergarten: kindergarten.id.clone(),
        district: kindergarten.district.clone(),
        queue_type: kindergarten.queue_type,
        language: new.language,
        group_year: new.group_year,
        count: new.count,
        added_at: now,
        state: if reduction { PlacesState::FreeChoice } else { PlacesState::Pending },
        reduction,
    }
}

/// A directory entry as the center sets it: the fields people rely on are filled in.
fn decide_set_kindergarten(kindergarten: &Kindergarten) -> Result<Vec<Event>, CommandError> {
    check_text("kindergarten", &kindergarten.id, MAX_ID_CHARS)?;
    check_text("district", &kindergarten.district, MAX_ID_CHARS)?;
    check_text("kindergarten.name", &kindergarten.name.ru, MAX_NAME_CHARS)?;
    check_text("kindergarten.name", &kindergarten.name.kk, MAX_NAME_CHARS)?;
    if kindergarten.languages.is_empty() {
        return Err(CommandError::InvalidField { field: "kindergarten.languages", problem: FieldProblem::Empty });
    }
    Ok(vec![Event::KindergartenSet { kindergarten: kindergarten.clone() }])
}

/// The application a `register` command creates at `now`, checked against everything but
/// the other applications (a duplicate id or child is `State`'s check).
pub fn registered(new: &NewApplication, now: Instant) -> Result<Application, CommandError> {
    check_text("id", &new.id, MAX_ID_CHARS)?;
    check_text("district", &new.district, MAX_ID_CHARS)?;
    let child =
        Iin::parse(&new.child_iin).map_err(|error| CommandError::InvalidIin { field: IinField::Child, error })?;
    Iin::parse(&new.applicant.iin).map_err(|error| CommandError::InvalidIin { field: IinField::Applicant, error })?;
    if new.applicant.iin == new.child_iin {
        return Err(CommandError::InvalidField { field: "applicant.iin", problem: FieldProblem::OutOfRange });
    }
    check_text("childName", &new.child_name, MAX_NAME_CHARS)?;
    check_text("applicant.name", &new.applicant.name, MAX_NAME_CHARS)?;
    check_text("applicant.phone", &new.applicant.phone, MAX_TEXT_CHARS)?;
    if let Some(email) = &new.applicant.email {
        check_len("applicant.email", email, MAX_TEXT_CHARS)?;
    }
    check_text("residence.address", &new.residence.address, MAX_TEXT_CHARS)?;
    if new.non_resident && new.non_resident_documents.is_empty() {
        return Err(CommandError::InvalidField { field: "nonResidentDocuments", problem: FieldProblem::Missing });
    }
    if new.non_resident_documents.len() > MAX_DOCUMENTS {
        return Err(CommandError::InvalidField { field: "nonResidentDocuments", problem: FieldProblem::OutOfRange });
    }
    for document in &new.non_resident_documents {
        check_text("nonResidentDocuments", document, MAX_TEXT_CHARS)?;
    }
    match (new.right, &new.right_category) {
        (crate::model::RightClass::None, Some(_)) => {
            return Err(CommandError::InvalidField { field: "rightCategory", problem: FieldProblem::Unexpected });
        }
        (crate::model::RightClass::None, None) => {}
        (_, None) => {
            return Err(CommandError::InvalidField { field: "rightCategory", problem: FieldProblem::Missing });
        }
        (right, Some(category)) => {
            check_text("rightCategory", category, MAX_TEXT_CHARS)?;
            crate::category::check(right, category)?;
        }
    }
    if let Some(document) = &new.right_document {
        check_len("rightDocument", document, MAX_TEXT_CHARS)?;
    }
    if new.birth_date > now.local_date() {
        return Err(CommandError::BirthDateInFuture);
    }
    if let Some(aged) = lifecycle::aged_out_from(new.birth_date).filter(|a| now >= *a) {
        return Err(CommandError::ChildTooOld { aged_out_on: aged.local_date() });
    }
    let mut warnings = Vec::new();
    if child.birth_date() != new.birth_date {
        warnings.push(Warning::BirthDateDiffersFromIin);
    }
    Ok(Application {
        id: new.id.clone(),
        district: new.district.clone(),
        queue_type: new.queue_type,
        child: Child {
            iin: new.child_iin.clone(),
            name: new.child_name.trim().to_owned(),
            birth_date: new.birth_date,
            sex: child.sex(),
        },
        applicant: new.applicant.clone(),
        residence: new.residence.clone(),
        non_resident: new.non_resident,
        non_resident_documents: new.non_resident_documents.clone(),
        right: new.right,
        right_category: new.right_category.clone(),
        right_document: new.right_document.clone(),
        registered_at: now,
        status: Status::Queued,
        warnings,
        voucher: None,
        direction: None,
        directions_issued: 0,
        archive_reason: None,
        archived_at: None,
        departure: None,
    })
}

fn check_text(field: &'static str, text: &str, max_chars: u32) -> Result<(), CommandError> {
    if text.trim().is_empty() {
        return Err(CommandError::InvalidField { field, problem: FieldProblem::Empty });
    }
    check_len(field, text, max_chars)
}

fn check_len(field: &'static str, text: &str, max_chars: u32) -> Result<(), CommandError> {
    if text.chars().count() > max_chars as usize {
        return Err(CommandError::InvalidField { field, problem: FieldProblem::TooLong { max_chars } });
    }
    Ok(())
}

/// Whether a direction in this status holds its place (departed ones too: staff re-publish).
fn holds_place(status: Status) -> bool {
    matches!(status, Status::DirectionIssued | Status::RefusalReview | Status::Enrolled | Status::Departed)
}

fn slot_of(app: &Application) -> Option<PlaceSlot> {
    let direction = app.direction.as_ref()?;
    holds_place(app.status).then(|| PlaceSlot {
        kindergarten: direction.kindergarten.clone(),
        language: direction.language,
        group_year: direction.group_year,
    })
}

impl State {
    pub fn new(calendar: &'static Calendar, kindergartens: impl IntoIterator<Item = Kindergarten>) -> Self {
        State {
            calendar,
            kindergartens: kindergartens.into_iter().map(|k| (k.id.clone(), k)).collect(),
            applications: BTreeMap::new(),
            active_children: HashMap::new(),
            places: BTreeMap::new(),
            published: HashMap::new(),
            occupied: HashMap::new(),
            queue: QueueIndex::new(),
        }
    }

    /// The state another host reached, rebuilt from its applications and places records
    /// (a center snapshot): the indexes are derived exactly as `evolve` keeps them.
    pub fn restore(
        calendar: &'static Calendar,
        kindergartens: impl IntoIterator<Item = Kindergarten>,
        applications: impl IntoIterator<Item = Application>,
        places: impl IntoIterator<Item = PlacesRecord>,
    ) -> Self {
        let mut state = State::new(calendar, kindergartens);
        // Summed signed, whatever order the records come in (a correction may sort first).
        let mut sums: HashMap<PlaceSlot, i64> = HashMap::new();
        for record in places {
            if record.state == PlacesState::FreeChoice {
                let slot = PlaceSlot {
                    kindergarten: record.kindergarten.clone(),
                    language: record.language,
                    group_year: record.group_year,
                };
                *sums.entry(slot).or_default() += record.signed_count();
            }
            state.places.insert(record.id.clone(), record);
        }
        for (slot, sum) in sums {
            state.published.insert(slot, u32::try_from(sum.max(0)).unwrap_or(u32::MAX));
        }
        // The map is built in one go, then the indexes from it, the queues sorted once: a
        // host restoring a large state (a kiosk from its checkpoint) spent most of the
        // restore inserting applications one by one, and queue members in the middle of long
        // lists (ids do not sort as registration times do). Of applications with one id the
        // last wins, as with inserts.
        state.applications = applications.into_iter().map(|app| (app.id.clone(), app)).collect();
        Indexes { queue: &mut state.queue, active: &mut state.active_children, occupied: &mut state.occupied }
            .add_all(state.applications.values());
        state
    }

    pub fn calendar(&self) -> &'static Calendar {
        self.calendar
    }
    pub fn application(&self, id: &str) -> Option<&Application> {
        self.applications.get(id)
    }
    pub fn applications(&self) -> impl Iterator<Item = &Application> {
        self.applications.values()
    }
    /// How many applications there are (without walking them).
    pub fn application_count(&self) -> usize {
        self.applications.len()
    }
    pub fn kindergartens(&self) -> impl Iterator<Item = &Kindergarten> {
        self.kindergartens.values()
    }
    pub fn kindergarten(&self, id: &str) -> Option<&Kindergarten> {
        self.kindergartens.get(id)
    }
    pub fn places(&self) -> impl Iterator<Item = &PlacesRecord> {
        self.places.values()
    }
    pub fn queue_index(&self) -> &QueueIndex {
        &self.queue
    }
    /// The active application of a child in a queue type, if any.
    pub fn active_application_of(&self, child_iin: &str, queue_type: QueueType) -> Option<&str> {
        self.active_children.get(&(child_iin.to_owned(), queue_type)).map(String::as_str)
    }

    /// Free places in free choice of one slot.
    pub fn free_places(&self, slot: &PlaceSlot) -> u32 {
        self.published.get(slot).copied().unwrap_or(0).saturating_sub(self.occupied.get(slot).copied().unwrap_or(0))
    }

    /// Every slot with at least one free place in free choice, in slot order.
    pub fn free_slots(&self) -> Vec<(PlaceSlot, u32)> {
        let mut slots: Vec<(PlaceSlot, u32)> =
            self.published.keys().map(|s| (s.clone(), self.free_places(s))).filter(|(_, n)| *n > 0).collect();
        slots.sort();
        slots
    }

    /// The 1-based queue position of a queued application.
    pub fn position(&self, id: &str) -> Option<u32> {
        let app = self.applications.get(id)?;
        if app.status != Status::Queued {
            return None;
        }
        let key = app.queue_key();
        self.queue.position(&QueueMember {
            queue: &key,
            right: app.right,
            registered_at: app.registered_at,
            id: &app.id,
        })
    }

    /// Checks `command` at `now` and returns the events it causes. Changes nothing.
    pub fn decide(&self, command: &Command, now: Instant) -> Result<Vec<Event>, CommandError> {
        match command {
            Command::Register { application } => self.decide_register(application, now),
            Command::AddPlaces { places } => self.decide_add_places(places, now),
            Command::ReducePlaces { places } => self.decide_reduce_places(places, now),
            Command::Act { application, action } => self.decide_action(application, action, now),
            Command::Distribute { district } => self.decide_distribution(district, now),
            Command::Tick => self.decide_tick(now),
            Command::SetKindergarten { kindergarten } => decide_set_kindergarten(kindergarten),
            Command::SetCalendarYear { year } => {
                self.calendar.with_year(year).map_err(|e| CommandError::InvalidCalendarYear { reason: e.0 })?;
                Ok(vec![Event::CalendarYearSet { year: year.clone() }])
            }
        }
    }

    /// `decide`, then `evolve` with every event: for hosts that persist after the fact or not at all.
    pub fn execute(&mut self, command: &Command, now: Instant) -> Result<Vec<Event>, CommandError> {
        let events = self.decide(command, now)?;
        for event in &events {
            self.evolve(event);
        }
        Ok(events)
    }

    fn decide_register(&self, new: &NewApplication, now: Instant) -> Result<Vec<Event>, CommandError> {
        let application = registered(new, now)?;
        if self.applications.contains_key(&new.id) {
            return Err(CommandError::DuplicateApplication { id: new.id.clone() });
        }
        if let Some(existing) = self.active_application_of(&new.child_iin, new.queue_type) {
            return Err(CommandError::DuplicateChild { existing: existing.to_owned() });
        }
        Ok(vec![Event::Registered { application: Box::new(application) }])
    }

    fn decide_add_places(&self, new: &NewPlaces, now: Instant) -> Result<Vec<Event>, CommandError> {
        check_text("places.id", &new.id, MAX_ID_CHARS)?;
        let kindergarten = self
            .kindergartens
            .get(&new.kindergarten)
            .ok_or_else(|| CommandError::UnknownKindergarten { id: new.kindergarten.clone() })?;
        if !kindergarten.open {
            return Err(CommandError::KindergartenClosed { kindergarten: kindergarten.id.clone() });
        }
        if !kindergarten.languages.contains(&new.language) {
            return Err(CommandError::LanguageNotOffered {
                kindergarten: kindergarten.id.clone(),
                language: new.language,
            });
        }
        if !kindergarten.offers_group_year(new.group_year) {
            return Err(CommandError::GroupYearNotOffered {
                kindergarten: kindergarten.id.clone(),
                group_year: new.group_year,
            });
        }
        if !(1..=MAX_PLACES_PER_RECORD).contains(&new.count) {
            return Err(CommandError::InvalidField { field: "places.count", problem: FieldProblem::OutOfRange });
        }
        let this_year = now.local_date().year();
        if !(this_year - 7..=this_year).contains(&new.group_year) {
            return Err(CommandError::InvalidField { field: "places.groupYear", problem: FieldProblem::OutOfRange });
        }
        if self.places.contains_key(&new.id) {
            return Err(CommandError::DuplicatePlacesRecord { id: new.id.clone() });
        }
        Ok(vec![Event::PlacesAdded { record: places_record(new, kindergarten, now, false) }])
    }

    /// A correction: free places in free choice of one slot taken away, at most as many as
    /// are free (places that directions hold stay).
    fn decide_reduce_places(&self, new: &NewPlaces, now: Instant) -> Result<Vec<Event>, CommandError> {
        check_text("places.id", &new.id, MAX_ID_CHARS)?;
        let kindergarten = self
            .kindergartens
            .get(&new.kindergarten)
            .ok_or_else(|| CommandError::UnknownKindergarten { id: new.kindergarten.clone() })?;
        if !(1..=MAX_PLACES_PER_RECORD).contains(&new.count) {
            return Err(CommandError::InvalidField { field: "places.count", problem: FieldProblem::OutOfRange });
        }
        if self.places.contains_key(&new.id) {
            return Err(CommandError::DuplicatePlacesRecord { id: new.id.clone() });
        }
        let slot =
            PlaceSlot { kindergarten: kindergarten.id.clone(), language: new.language, group_year: new.group_year };
        let free = self.free_places(&slot);
        if new.count > free {
            return Err(CommandError::ReductionOverFree { free });
        }
        Ok(vec![Event::PlacesReduced { record: places_record(new, kindergarten, now, true) }])
    }

    fn decide_action(&self, id: &str, action: &Action, now: Instant) -> Result<Vec<Event>, CommandError> {
        let app = self.applications.get(id).ok_or_else(|| CommandError::UnknownApplication { id: id.to_owned() })?;
        lifecycle::decide(app, action, now, self.calendar, self)
    }

    fn decide_tick(&self, now: Instant) -> Result<Vec<Event>, CommandError> {
        let mut events = Vec::new();
        for app in self.applications.values().filter(|a| a.status.is_waiting()) {
            events.extend(lifecycle::expiries(app, now, self.calendar)?);
        }
        Ok(events)
    }

    /// Publishes the district's pending places, then gives each queue as many vouchers as it
    /// has free places in free choice not already promised to an outstanding voucher.
    fn decide_distribution(&self, district: &str, now: Instant) -> Result<Vec<Event>, CommandError> {
        self.plan_distribution(district, now).map(|plan| plan.events)
    }

    /// What a distribution round of `district` at `now` would do, and why: per queue, the
    /// free places, the vouchers still outstanding, and who gets a voucher at which
    /// position. `Distribute` applies exactly these events; a dry run shows the plan.
    pub fn plan_distribution(&self, district: &str, now: Instant) -> Result<DistributionPlan, CommandError> {
        let mut events = Vec::new();
        let mut queues = Vec::new();
        // Expiries due now first, so that lapsed vouchers free their places and aged-out
        // children get none.
        let mut settled: HashMap<&str, Status> = HashMap::new();
        for app in self.applications.values().filter(|a| a.district == district && a.status.is_waiting()) {
            let (after, expired) = lifecycle::settle(app, now, self.calendar)?;
            settled.insert(app.id.as_str(), after.status);
            events.extend(expired);
        }
        let mut free_by_queue: BTreeMap<QueueKey, u32> = BTreeMap::new();
        let mut newly_published: HashMap<PlaceSlot, u32> = HashMap::new();
        for record in self.places.values().filter(|r| r.district == district && r.state == PlacesState::Pending) {
            events.push(Event::PlacesPublished { record: record.id.clone(), at: now });
            let slot = PlaceSlot {
                kindergarten: record.kindergarten.clone(),
                language: record.language,
                group_year: record.group_year,
            };
            *newly_published.entry(slot).or_default() += record.count;
        }
        let mut slots: Vec<&PlaceSlot> = self.published.keys().chain(newly_published.keys()).collect();
        slots.sort();
        slots.dedup();
        for slot in slots {
            let Some(kindergarten) = self.kindergartens.get(&slot.kindergarten).filter(|k| k.district == district)
            else {
                continue;
            };
            let published =
                self.published.get(slot).copied().unwrap_or(0) + newly_published.get(slot).copied().unwrap_or(0);
            let free = published.saturating_sub(self.occupied.get(slot).copied().unwrap_or(0));
            let key = QueueKey {
                district: district.to_owned(),
                queue_type: kindergarten.queue_type,
                group_year: slot.group_year,
            };
            *free_by_queue.entry(key).or_default() += free;
        }
        let mut outstanding: HashMap<QueueKey, u32> = HashMap::new();
        for app in self.applications.values().filter(|a| a.district == district) {
            let status = settled.get(app.id.as_str()).copied().unwrap_or(app.status);
            if matches!(status, Status::VoucherIssued | Status::VoucherConfirmed | Status::StopListed) {
                *outstanding.entry(app.queue_key()).or_default() += 1;
            }
        }
        let confirm_deadline = deadline::deadline(self.calendar, DeadlineKind::Confirm, now)
            .map_err(|_| CommandError::CalendarOutOfRange)?
            .at;
        for (queue, free) in free_by_queue {
            let outstanding = outstanding.get(&queue).copied().unwrap_or(0);
            let vouchers = free.saturating_sub(outstanding) as usize;
            let mut plan = QueuePlan { queue: queue.clone(), free, outstanding, chosen: Vec::new() };
            if vouchers > 0 {
                // Skip anyone whose expiries just took them out of the queue (aged out).
                let order = self.queue.allocation_order(&queue, usize::MAX);
                let chosen = order
                    .into_iter()
                    .enumerate()
                    .filter(|(_, id)| settled.get(id).is_none_or(|s| *s == Status::Queued))
                    .take(vouchers);
                for (index, id) in chosen {
                    events.push(Event::VoucherIssued { application: id.to_owned(), at: now, confirm_deadline });
                    if let Some(app) = self.applications.get(id) {
                        plan.chosen.push(PlannedVoucher {
                            application: id.to_owned(),
                            position: u32::try_from(index + 1).unwrap_or(u32::MAX),
                            right: app.right,
                            registered_at: app.registered_at,
                            confirm_deadline,
                        });
                    }
                }
            }
            queues.push(plan);
        }
        Ok(DistributionPlan { queues, events })
    }

    /// Applies one event. Events come from `decide` (here or at another host): never fails;
    /// an event about an unknown application is ignored.
    pub fn evolve(&mut self, event: &Event) {
        match event {
            Event::PlacesAdded { record } => {
                self.places.insert(record.id.clone(), record.clone());
            }
            Event::PlacesReduced { record } => {
                let slot = PlaceSlot {
                    kindergarten: record.kindergarten.clone(),
                    language: record.language,
                    group_year: record.group_year,
                };
                if let Some(n) = self.published.get_mut(&slot) {
                    *n = n.saturating_sub(record.count);
                }
                self.places.insert(record.id.clone(), record.clone());
            }
            Event::CalendarYearSet { year } => {
                // Decided already: a refused year never becomes an event.
                if let Ok(calendar) = self.calendar.with_year_static(year) {
                    self.calendar = calendar;
                }
            }
            Event::KindergartenSet { kindergarten } => {
                self.kindergartens.insert(kindergarten.id.clone(), kindergarten.clone());
            }
            Event::PlacesPublished { record, .. } => {
                if let Some(r) = self.places.get_mut(record).filter(|r| r.state == PlacesState::Pending) {
                    r.state = PlacesState::FreeChoice;
                    let slot = PlaceSlot {
                        kindergarten: r.kindergarten.clone(),
                        language: r.language,
                        group_year: r.group_year,
                    };
                    *self.published.entry(slot).or_default() += r.count;
                }
            }
            Event::Registered { application } => self.register((**application).clone()),
            other => {
                let Some(id) = other.application_id() else { return };
                let Some(app) = self.applications.get_mut(id) else { return };
                // Changed in place: one copy (the indexes' view before), not two and a
                // re-insert (replaying a log or folding an upload is mostly this).
                let before = app.clone();
                lifecycle::evolve(app, other);
                let indexes =
                    Indexes { queue: &mut self.queue, active: &mut self.active_children, occupied: &mut self.occupied };
                indexes.track(Some(&before), Some(app));
            }
        }
    }

    /// [`State::evolve`] taking the event: a registration's application is moved in, not
    /// copied (a host that replays a log owns the events it decided).
    pub fn evolve_owned(&mut self, event: Event) {
        match event {
            Event::Registered { application } => self.register(*application),
            other => self.evolve(&other),
        }
    }

    fn register(&mut self, app: Application) {
        let indexes =
            Indexes { queue: &mut self.queue, active: &mut self.active_children, occupied: &mut self.occupied };
        indexes.track(None, Some(&app));
        self.applications.insert(app.id.clone(), app);
    }
}

/// The state's indexes (queue, active children, occupied places), borrowed apart from the
/// applications so that an application can be changed in place while they follow it.
struct Indexes<'a> {
    queue: &'a mut QueueIndex,
    active: &'a mut HashMap<(String, QueueType), String>,
    occupied: &'a mut HashMap<PlaceSlot, u32>,
}

impl Indexes<'_> {
    /// Keeps the indexes in step with one application, as it was and as it is.
    fn track(mut self, before: Option<&Application>, after: Option<&Application>) {
        if let Some(b) = before {
            if b.status == Status::Queued {
                let queue = b.queue_key();
                self.queue.remove(&QueueMember {
                    queue: &queue,
                    right: b.right,
                    registered_at: b.registered_at,
                    id: &b.id,
                });
            }
            if !b.status.is_final() {
                self.active.remove(&(b.child.iin.clone(), b.queue_type));
            }
            if let Some(slot) = slot_of(b)
                && let Some(n) = self.occupied.get_mut(&slot)
            {
                *n = n.saturating_sub(1);
            }
        }
        if let Some(a) = after {
            if a.status == Status::Queued {
                let queue = a.queue_key();
                self.queue.insert(&QueueMember {
                    queue: &queue,
                    right: a.right,
                    registered_at: a.registered_at,
                    id: &a.id,
                });
            }
            self.count(a);
        }
    }

    /// Counts an application in the active-children and occupied-places indexes (the
    /// queue is kept by the callers: one by one, or sorted once).
    fn count(&mut self, a: &Application) {
        if !a.status.is_final() {
            self.active.insert((a.child.iin.clone(), a.queue_type), a.id.clone());
        }
        if let Some(slot) = slot_of(a) {
            *self.occupied.entry(slot).or_default() += 1;
        }
    }

    /// [`Indexes::track`] of new applications, for empty indexes, with the queues sorted
    /// once at the end rather than kept sorted by each insert.
    fn add_all<'a>(mut self, applications: impl ExactSizeIterator<Item = &'a Application>) {
        self.active.reserve(applications.len());
        let mut queued = Vec::new();
        for a in applications {
            if a.status == Status::Queued {
                queued.push((a.queue_key(), a));
            }
            self.count(a);
        }
        self.queue.extend_unsorted(queued.iter().map(|(queue, a)| QueueMember {
            queue,
            right: a.right,
            registered_at: a.registered_at,
            id: &a.id,
        }));
    }
}

impl PlaceCheck for State {
    fn check(&self, app: &Application, kindergarten: &str, language: GroupLanguage) -> Result<(), CommandError> {
        let slot = PlaceSlot { kindergarten: kindergarten.to_owned(), language, group_year: app.group_year() };
        lifecycle::check_choice(
            app,
            kindergarten,
            self.kindergartens.get(kindergarten),
            language,
            self.free_places(&slot),
        )
    }
}
