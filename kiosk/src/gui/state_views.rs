//! What both backends derive from a rules [`State`] in the same way, whether the state is
//! the demo's in memory or the real store's: journal rows and their filtered orders, the
//! registration warnings, the enrolled children, the free places to choose from, statistics.

use crate::errors::GuiError;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use chrono::Datelike;
use rules::command::Event;
use rules::model::{Application, QueueType, Status, Warning};
use rules::queue::RankEntry;
use rules::state::State;
use rules::time::Date;

use super::backend::{
    BackendError, EnrolledChild, FreeChoice, JournalFilter, JournalPage, JournalRow, QueueCount, SortColumn, Stats,
    WeekCount,
};

pub fn not_logged_in() -> BackendError {
    BackendError::from(GuiError::NotLoggedIn)
}

pub fn journal_row(app: &Application, position: Option<u32>) -> JournalRow {
    JournalRow {
        id: app.id.clone(),
        child_name: app.child.name.clone(),
        child_iin: app.child.iin.clone(),
        status: app.status,
        queue_type: app.queue_type,
        group_year: app.group_year(),
        right: app.right,
        registered_at: app.registered_at,
        position,
    }
}

pub fn rank_entry(app: &Application) -> RankEntry {
    RankEntry {
        id: app.id.clone(),
        district: app.district.clone(),
        queue_type: app.queue_type,
        birth_date: app.child.birth_date,
        right: app.right,
        registered_at: app.registered_at,
        status: app.status.as_str().to_owned(),
    }
}

/// The warnings the rules attached to a registration (e.g. a child close to the age limit).
pub fn registration_warnings(events: &[Event]) -> Vec<Warning> {
    events
        .iter()
        .find_map(|e| match e {
            Event::Registered { application } => Some(application.warnings.clone()),
            _ => None,
        })
        .unwrap_or_default()
}

pub fn enrolled_children(state: &State, kindergarten: &str) -> Vec<EnrolledChild> {
    state
        .applications()
        .filter(|a| a.status == Status::Enrolled)
        .filter_map(|a| {
            let direction = a.direction.as_ref().filter(|d| d.kindergarten == kindergarten)?;
            Some(EnrolledChild {
                application: a.id.clone(),
                child_iin: a.child.iin.clone(),
                child_name: a.child.name.clone(),
                direction: direction.number.clone(),
                group_year: direction.group_year,
                language: direction.language,
                enrolled_at: direction.enrolled_at,
            })
        })
        .collect()
}

/// Free places of the application's district, queue type and group year.
pub fn free_choices(state: &State, app: &Application) -> Vec<FreeChoice> {
    state
        .free_slots()
        .into_iter()
        .filter(|(slot, _)| slot.group_year == app.group_year())
        .filter_map(|(slot, free)| {
            let kindergarten = state.kindergarten(&slot.kindergarten)?;
            (kindergarten.district == app.district && kindergarten.queue_type == app.queue_type).then(|| FreeChoice {
                kindergarten: kindergarten.clone(),
                language: slot.language,
                free,
            })
        })
        .collect()
}

/// The statistics screen: queue sizes and statuses of the districts `in_district` admits,
/// and the vouchers and enrollments per week the caller counted.
pub fn stats(state: &State, in_district: impl Fn(&str) -> bool, weeks: BTreeMap<Date, (u32, u32)>) -> Stats {
    let index = state.queue_index();
    let queues = index
        .queues()
        .into_iter()
        .filter(|q| in_district(&q.district))
        .map(|q| {
            let s = index.sizes(q);
            QueueCount {
                queue_type: q.queue_type,
                group_year: q.group_year,
                count: s.extraordinary + s.first + s.general,
            }
        })
        .collect();
    let mut statuses: BTreeMap<usize, u32> = BTreeMap::new();
    for app in state.applications().filter(|a| in_district(&a.district)) {
        *statuses.entry(status_rank(app.status)).or_default() += 1;
    }
    Stats {
        queues,
        weeks: weeks
            .into_iter()
            .map(|(week, (vouchers, enrollments))| WeekCount { week, vouchers, enrollments })
            .collect(),
        statuses: statuses.into_iter().map(|(i, n)| (Status::ALL[i], n)).collect(),
    }
}

/// The Monday of `date`'s week.
pub fn week_start(date: Date) -> Date {
    let back = u64::from(date.0.weekday().num_days_from_monday());
    Date(date.0 - chrono::Days::new(back))
}

fn status_rank(status: Status) -> usize {
    Status::ALL.iter().position(|s| *s == status).unwrap_or(0)
}

fn queue_rank(queue_type: QueueType) -> usize {
    QueueType::ALL.iter().position(|q| *q == queue_type).unwrap_or(0)
}

/// Journal rows in every sort order, built once after each change.
#[derive(Debug, Default)]
pub struct JournalCache {
    rows: Vec<JournalRow>,
    /// Lower-case name and id per row, for case-insensitive search.
    search: Vec<(String, String)>,
    orders: HashMap<SortColumn, Vec<u32>>,
    /// Recent results, newest last (typing and deleting reuse them).
    recent: Vec<(JournalFilter, Vec<u32>)>,
}

impl JournalCache {
    pub fn new(rows: Vec<JournalRow>) -> Self {
        let search = rows.iter().map(|r| (r.child_name.to_lowercase(), r.id.to_lowercase())).collect();
        JournalCache { rows, search, orders: HashMap::new(), recent: Vec::new() }
    }

    /// The rows `filter` keeps, in its order, from `range` (clamped to what there is).
    pub fn page(&mut self, filter: &JournalFilter, range: Range<usize>) -> JournalPage {
        let found = self.matches(filter);
        let total = found.len();
        let start = range.start.min(total);
        let end = range.end.clamp(start, total);
        let window = found[start..end].to_vec();
        let rows = window.iter().map(|i| self.rows[*i as usize].clone()).collect();
        JournalPage { total, offset: start, rows }
    }

    fn order(&mut self, column: SortColumn) -> &[u32] {
        let rows = &self.rows;
        self.orders.entry(column).or_insert_with(|| {
            let mut order: Vec<u32> = (0..u32::try_from(rows.len()).unwrap_or(u32::MAX)).collect();
            let row = |i: &u32| &rows[*i as usize];
            match column {
                SortColumn::Id => order.sort_by(|a, b| row(a).id.cmp(&row(b).id)),
                SortColumn::ChildName => {
                    order.sort_by(|a, b| row(a).child_name.cmp(&row(b).child_name));
                }
                SortColumn::ChildIin => {
                    order.sort_by(|a, b| row(a).child_iin.cmp(&row(b).child_iin));
                }
                SortColumn::Status => {
                    order.sort_by_key(|i| (status_rank(row(i).status), row(i).registered_at));
                }
                SortColumn::QueueType => {
                    order.sort_by_key(|i| (queue_rank(row(i).queue_type), row(i).registered_at));
                }
                SortColumn::GroupYear => {
                    order.sort_by_key(|i| (row(i).group_year, row(i).registered_at));
                }
                SortColumn::RegisteredAt => {
                    order.sort_by(|a, b| (row(a).registered_at, &row(a).id).cmp(&(row(b).registered_at, &row(b).id)));
                }
                SortColumn::Position => order.sort_by_key(|i| {
                    let r = row(i);
                    (r.position.is_none(), r.queue_type, r.group_year, r.position)
                }),
            }
            order
        })
    }

    fn matches(&mut self, filter: &JournalFilter) -> &[u32] {
        const KEEP: usize = 24;
        if let Some(i) = self.recent.iter().position(|(f, _)| f == filter) {
            let hit = self.recent.remove(i);
            self.recent.push(hit);
            return self.recent.last().map_or(&[], |(_, found)| found);
        }
        let needle = filter.text.trim().to_lowercase();
        // Typing narrows the search: filter the longest recent result whose text is a prefix.
        let narrower = self
            .recent
            .iter()
            .filter(|(f, _)| {
                let old = f.text.trim().to_lowercase();
                JournalFilter { text: filter.text.clone(), ..f.clone() } == *filter
                    && !old.is_empty()
                    && needle.starts_with(&old)
            })
            .max_by_key(|(f, _)| f.text.len())
            .map(|(_, found)| found.clone());
        self.order(filter.sort);
        let JournalCache { rows, search, orders, .. } = &*self;
        let keep = |i: u32| {
            let row = &rows[i as usize];
            filter.status.is_none_or(|s| row.status == s)
                && filter.queue_type.is_none_or(|q| row.queue_type == q)
                && filter.group_year.is_none_or(|y| row.group_year == y)
                && (needle.is_empty() || {
                    let (name, id) = &search[i as usize];
                    row.child_iin.starts_with(&needle) || id.contains(&needle) || name.contains(&needle)
                })
        };
        let found = if let Some(before) = narrower {
            before.into_iter().filter(|i| keep(*i)).collect()
        } else {
            let order = orders.get(&filter.sort).map_or(&[][..], Vec::as_slice);
            let mut found: Vec<u32> = order.iter().copied().filter(|i| keep(*i)).collect();
            if filter.descending {
                found.reverse();
            }
            found
        };
        if self.recent.len() >= KEEP {
            self.recent.remove(0);
        }
        self.recent.push((filter.clone(), found));
        self.recent.last().map_or(&[], |(_, found)| found)
    }
}
