//! A district at a glance, for the staff console: queue sizes by type and group year,
//! applications by status, vouchers outstanding with their deadlines, places, each kiosk's
//! last contact. Registration numbers only: no names, IINs or contacts.

use std::collections::BTreeMap;

use rules::Instant;
use rules::countdown::{self, OFFLINE_WARNING_DAYS};
use rules::deadline::{self, DeadlineKind};
use rules::model::{PlacesState, QueueType, Status};
use serde::Serialize;

use crate::service::{Center, UnknownDistrict};
use crate::store::CenterStore;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Dashboard {
    pub district: String,
    pub at: Instant,
    /// Children waiting (status queued) per queue.
    pub queues: Vec<QueueSize>,
    /// Applications of the district by status (every status, in `Status::ALL` order).
    pub statuses: Vec<StatusCount>,
    /// Vouchers waiting on a deadline, soonest first.
    pub vouchers: Vec<OutstandingVoucher>,
    /// Places per group year.
    pub places: Vec<PlacesRow>,
    pub kiosks: Vec<KioskSync>,
    /// Entries of the district's kiosks set aside and not accepted since.
    pub quarantined: usize,
    /// Review items of the district still open.
    pub open_reviews: usize,
    /// Days without contact after which a kiosk is flagged.
    pub offline_warning_days: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_expiry: Option<Instant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_scheduled_round: Option<Instant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusCount {
    pub status: Status,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueSize {
    pub queue_type: QueueType,
    pub group_year: i32,
    pub queued: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutstandingVoucher {
    pub application: String,
    pub status: Status,
    pub kind: DeadlineKind,
    pub deadline: Instant,
    /// Days left as the kiosk card and the portal count them; `None` past the calendar's data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days_left: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlacesRow {
    pub group_year: i32,
    /// Added by kindergartens, waiting for the next round.
    pub pending: u32,
    /// In free choice and not taken.
    pub free: u32,
    pub enrolled: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KioskSync {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<Instant>,
    /// Whole days since the last contact (none: never heard from).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offline_days: Option<u32>,
    /// Offline for [`OFFLINE_WARNING_DAYS`] or more, or never heard from.
    pub warning: bool,
    pub revoked: bool,
}

impl<S: CenterStore> Center<S> {
    /// The dashboard of `district` at `now`.
    pub fn dashboard(&self, district: &str, now: Instant) -> Result<Dashboard, UnknownDistrict> {
        self.check_district(district)?;
        let state = self.state();
        let mut queues: BTreeMap<(QueueType, i32), u32> = BTreeMap::new();
        let mut statuses: Vec<StatusCount> =
            Status::ALL.iter().map(|&status| StatusCount { status, count: 0 }).collect();
        let mut vouchers = Vec::new();
        let mut places: BTreeMap<i32, PlacesRow> = BTreeMap::new();
        for app in state.applications().filter(|a| a.district == district) {
            if let Some(row) = statuses.iter_mut().find(|s| s.status == app.status) {
                row.count += 1;
            }
            if app.status == Status::Queued {
                *queues.entry((app.queue_type, app.group_year())).or_default() += 1;
            }
            if app.status == Status::Enrolled {
                places.entry(app.group_year()).or_default().enrolled += 1;
            }
            if let Some((kind, at)) = deadline::pending(app) {
                let days_left = countdown::days_left(state.calendar(), kind, at, now).ok().map(|d| d.days);
                vouchers.push(OutstandingVoucher {
                    application: app.id.clone(),
                    status: app.status,
                    kind,
                    deadline: at,
                    days_left,
                });
            }
        }
        vouchers.sort_by(|a, b| (a.deadline, &a.application).cmp(&(b.deadline, &b.application)));
        for record in state.places().filter(|p| p.district == district && p.state == PlacesState::Pending) {
            places.entry(record.group_year).or_default().pending += record.count;
        }
        for (slot, free) in state.free_slots() {
            if state.kindergarten(&slot.kindergarten).is_some_and(|k| k.district == district) {
                places.entry(slot.group_year).or_default().free += free;
            }
        }
        let places = places.into_iter().map(|(group_year, row)| PlacesRow { group_year, ..row }).collect();
        let kiosks: Vec<KioskSync> = self
            .kiosk_rows(now)
            .into_iter()
            .filter(|row| row.info.district == district)
            .map(|row| KioskSync {
                revoked: row.info.revoked_at.is_some(),
                last_seen: row.info.last_seen,
                offline_days: row.offline_days,
                warning: row.warning,
                id: row.info.id,
            })
            .collect();
        let quarantined = self
            .quarantine()
            .into_iter()
            .filter(|q| !q.resolved && kiosks.iter().any(|k| k.id == q.note.kiosk))
            .count();
        let open_reviews =
            self.review_items().into_iter().filter(|i| i.status == "open" && i.district == district).count();
        let (last_expiry, rounds) = self.schedule_state();
        Ok(Dashboard {
            district: district.to_owned(),
            at: now,
            queues: queues
                .into_iter()
                .map(|((queue_type, group_year), queued)| QueueSize { queue_type, group_year, queued })
                .collect(),
            statuses,
            vouchers,
            places,
            kiosks,
            quarantined,
            open_reviews,
            offline_warning_days: OFFLINE_WARNING_DAYS,
            last_expiry,
            last_scheduled_round: rounds.get(district).copied(),
        })
    }
}
