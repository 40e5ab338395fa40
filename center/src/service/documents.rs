//! What the center signs for kiosks (acks, district snapshots) and the report by district.

use std::collections::BTreeMap;

use changelog::SignedDocument;
use changelog::sync::{Ack, FreePlaces, QuarantineNote, SYNC_FORMAT_VERSION, Snapshot};
use rules::Instant;
use rules::model::{PlacesState, Status};
use rules::queue::Ranked;
use serde::{Deserialize, Serialize};

use super::{Center, DocumentError, NotServed, UnknownDistrict, UnknownKiosk};
use crate::fold::Source;
use crate::store::{CenterStore, Contact};

/// Per district and group year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportRow {
    pub district: String,
    pub group_year: i32,
    pub queued: u32,
    pub vouchers_outstanding: u32,
    pub voucher_issued: u32,
    pub voucher_confirmed: u32,
    pub stop_listed: u32,
    pub directions: u32,
    pub refusal_review: u32,
    pub enrolled: u32,
    pub departed: u32,
    pub archived: u32,
    pub places_pending: u32,
    pub places_published: u32,
    pub places_free: u32,
}

fn row<'a>(rows: &'a mut BTreeMap<(String, i32), ReportRow>, district: &str, year: i32) -> &'a mut ReportRow {
    rows.entry((district.to_owned(), year)).or_insert_with(|| ReportRow {
        district: district.to_owned(),
        group_year: year,
        ..ReportRow::default()
    })
}

impl<S: CenterStore> Center<S> {
    /// The signed ack answering a kiosk's signed request (a contact for its clock window).
    pub fn ack_to_kiosk(&mut self, kiosk: &str, now: Instant, head: u64) -> Result<Vec<u8>, DocumentError> {
        self.record_contact(kiosk, Contact { at: now, head })?;
        Ok(self.ack(kiosk, now)?.1)
    }

    /// The signed snapshot answering a kiosk's signed request; the kiosk must serve `district`.
    pub fn snapshot_to_kiosk(
        &mut self,
        kiosk: &str,
        district: &str,
        now: Instant,
        head: u64,
    ) -> Result<Vec<u8>, DocumentError> {
        let serves = self.kiosks.get(kiosk).is_some_and(|k| k.districts().iter().any(|d| d == district));
        if !serves {
            return Err(NotServed { kiosk: kiosk.to_owned(), district: district.to_owned() }.into());
        }
        let bytes = self.snapshot(district, now)?.1;
        self.record_contact(kiosk, Contact { at: now, head })?;
        Ok(bytes)
    }

    /// The signed acknowledgement of a kiosk's log at `now`.
    pub fn ack(&self, kiosk: &str, now: Instant) -> Result<(Ack, Vec<u8>), UnknownKiosk> {
        let state = self.kiosks.get(kiosk).ok_or_else(|| UnknownKiosk(kiosk.to_owned()))?;
        let head = state.head_seq();
        let mut quarantined: BTreeMap<u64, QuarantineNote> = BTreeMap::new();
        for note in self.quarantine.get(kiosk).into_iter().flat_map(BTreeMap::values).filter(|n| n.seq > head) {
            quarantined.insert(note.seq, note.clone());
        }
        let open = |id: String| !self.reviews.contains_key(&id);
        let flagged = state.flags.values().filter(|f| open(format!("C-{kiosk}-{}", f.seq))).cloned().collect();
        let review = self
            .fold
            .rejections()
            .keys()
            .filter(|s| matches!(s, Source::Kiosk { kiosk: k, seq } if k == kiosk && open(format!("E-{kiosk}-{seq}"))))
            .filter_map(|s| self.review_note(s))
            .collect();
        let ack = Ack {
            format: SYNC_FORMAT_VERSION,
            kiosk: kiosk.to_owned(),
            accepted_through_seq: head,
            head_hash: hex::encode(state.head_hash()),
            center_time: now,
            quarantined: quarantined.into_values().collect(),
            flagged,
            review,
        };
        let bytes = SignedDocument::sign(&ack, self.key.signing()).to_bytes();
        Ok((ack, bytes))
    }

    /// The signed snapshot of a district at `now`.
    pub fn snapshot(&self, district: &str, now: Instant) -> Result<(Snapshot, Vec<u8>), UnknownDistrict> {
        self.check_district(district)?;
        let state = self.fold.state();
        let applications = state.applications().filter(|a| a.district == district).cloned().collect();
        let mut positions = Vec::new();
        for queue in state.queue_index().queues() {
            if queue.district != district {
                continue;
            }
            for (i, id) in state.queue_index().allocation_order(queue, usize::MAX).into_iter().enumerate() {
                positions.push(Ranked {
                    id: id.to_owned(),
                    district: queue.district.clone(),
                    queue_type: queue.queue_type,
                    group_year: queue.group_year,
                    position: u32::try_from(i + 1).unwrap_or(u32::MAX),
                });
            }
        }
        let places = state.places().filter(|p| p.district == district).cloned().collect();
        let free_places = state
            .free_slots()
            .into_iter()
            .filter(|(slot, _)| state.kindergarten(&slot.kindergarten).is_some_and(|k| k.district == district))
            .map(|(slot, free)| FreePlaces {
                kindergarten: slot.kindergarten,
                language: slot.language,
                group_year: slot.group_year,
                free,
            })
            .collect();
        let snapshot = Snapshot {
            format: SYNC_FORMAT_VERSION,
            district: district.to_owned(),
            generated_at: now,
            calendar_version: state.calendar().version().to_owned(),
            applications,
            positions,
            places,
            free_places,
            kindergartens: state.kindergartens().filter(|k| k.district == district).cloned().collect(),
            directory_version: self.directory_version,
            calendar_years: self.calendar_years.clone(),
            kiosk_heads: self
                .kiosks
                .iter()
                .filter(|(_, k)| k.record.district == district)
                .map(|(id, k)| (id.clone(), k.head_seq()))
                .collect(),
        };
        let bytes = SignedDocument::sign(&snapshot, self.key.signing()).to_bytes();
        Ok((snapshot, bytes))
    }

    /// Queue sizes, vouchers, places and enrollments per district and group year.
    pub fn report(&self) -> Vec<ReportRow> {
        let state = self.fold.state();
        let mut rows: BTreeMap<(String, i32), ReportRow> = BTreeMap::new();
        for app in state.applications() {
            let r = row(&mut rows, &app.district, app.group_year());
            match app.status {
                Status::Queued => r.queued += 1,
                Status::VoucherIssued => r.voucher_issued += 1,
                Status::VoucherConfirmed => r.voucher_confirmed += 1,
                Status::StopListed => r.stop_listed += 1,
                Status::DirectionIssued => r.directions += 1,
                Status::RefusalReview => r.refusal_review += 1,
                Status::Enrolled => r.enrolled += 1,
                Status::Departed => r.departed += 1,
                Status::Archived => r.archived += 1,
            }
            if matches!(app.status, Status::VoucherIssued | Status::VoucherConfirmed | Status::StopListed) {
                r.vouchers_outstanding += 1;
            }
        }
        for record in state.places() {
            let r = row(&mut rows, &record.district, record.group_year);
            match record.state {
                PlacesState::Pending => r.places_pending += record.count,
                PlacesState::FreeChoice if record.reduction => {
                    r.places_published = r.places_published.saturating_sub(record.count);
                }
                PlacesState::FreeChoice => r.places_published += record.count,
            }
        }
        for (slot, free) in state.free_slots() {
            if let Some(k) = state.kindergarten(&slot.kindergarten) {
                row(&mut rows, &k.district, slot.group_year).places_free += free;
            }
        }
        rows.into_values().collect()
    }
}
