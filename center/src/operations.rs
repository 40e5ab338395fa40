//! Staff actions on the center that the audit trail records: registering and revoking
//! kiosks, exporting personal data for USB, ingesting a USB bundle, re-examining
//! quarantined entries; and the distribution dry run. Each names who did it (`by`: a staff
//! login, or `center` for the data folder's command line).

use changelog::{Bundle, SignedEntry};
use rules::Instant;
use rules::state::DistributionPlan;

use changelog::Payload;
use rules::Command;
use serde::Serialize;

use crate::fold::Source;
use crate::service::{
    Center, CommandFailure, DocumentError, IngestError, Ingested, KioskError, KioskInfo, Missing, ReviewItem,
    UnknownKiosk,
};
use crate::store::{CenterStore, LogRecord, StoreError};

/// One step of an application's history, as a reviewer reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryRow {
    /// The time the center used (the kiosk's clamped time, or the center's).
    pub at: Instant,
    /// `KOK-01` (a kiosk) or `center`.
    pub source: String,
    pub seq: u64,
    /// Who: the kiosk operator's or the staff member's login.
    pub by: String,
    /// The command (`register`, `confirmVoucher`, `refuseChild`, …).
    pub action: String,
    /// Why the rules refused it, when they did (it is in the review queue then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

/// A registered kiosk with how long it has been offline (`rules::countdown`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KioskRow {
    #[serde(flatten)]
    pub info: KioskInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offline_days: Option<u32>,
    /// Offline for `rules::countdown::OFFLINE_WARNING_DAYS` or more, or never heard from.
    pub warning: bool,
}

/// A review item as a reviewer opens it: the item, its application now, and its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewDetail {
    pub item: ReviewItem,
    pub application: Option<rules::model::Application>,
    /// The kindergarten of the application's direction, from the directory (its name for
    /// the reviewer).
    pub kindergarten: Option<rules::model::Kindergarten>,
    pub history: Vec<HistoryRow>,
}

/// The kindergarten directory now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DirectoryListing {
    pub version: u64,
    pub kindergartens: Vec<rules::model::Kindergarten>,
}

/// The working-day calendar now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CalendarListing {
    pub version: String,
    pub years: Vec<rules::calendar::YearInfo>,
}

fn about(command: &Command, application: &str) -> bool {
    match command {
        Command::Register { application: a } => a.id == application,
        Command::Act { application: a, .. } => a == application,
        _ => false,
    }
}

impl<S: CenterStore> Center<S> {
    /// Registers a kiosk ([`Center::add_kiosk`]) and records who did it.
    pub fn add_kiosk_as(
        &mut self,
        by: &str,
        id: &str,
        district: &str,
        public_key: &str,
        at: Instant,
    ) -> Result<KioskInfo, KioskError> {
        let info = self.add_kiosk(id, district, public_key, at)?;
        let note = format!("{} {}", info.district, info.fingerprint);
        self.audit_action(by, "kiosk.add", id, Some(note), at)?;
        Ok(info)
    }

    /// Revokes a kiosk ([`Center::revoke_kiosk`]) and records who did it.
    pub fn revoke_kiosk_as(&mut self, by: &str, id: &str, at: Instant) -> Result<KioskInfo, KioskError> {
        let was_revoked = self.kiosks.get(id).is_some_and(|k| k.record.revoked_at.is_some());
        let info = self.revoke_kiosk(id, at)?;
        if !was_revoked {
            self.audit_action(by, "kiosk.revoke", id, None, at)?;
        }
        Ok(info)
    }

    /// Lets a kiosk serve another district ([`Center::add_served_district`]), recorded.
    pub fn add_served_district_as(
        &mut self,
        by: &str,
        id: &str,
        district: &str,
        at: Instant,
    ) -> Result<KioskInfo, KioskError> {
        let before = self.kiosks.get(id).map(|k| k.info().districts.len());
        let info = self.add_served_district(id, district)?;
        if before != Some(info.districts.len()) {
            self.audit_action(by, "kiosk.serve", id, Some(district.to_owned()), at)?;
        }
        Ok(info)
    }

    /// A district's signed snapshot written out for a USB round trip (personal data leaves
    /// the center: recorded).
    pub fn export_snapshot_as(&mut self, by: &str, district: &str, at: Instant) -> Result<Vec<u8>, DocumentError> {
        let (_, bytes) = self.snapshot(district, at)?;
        self.audit_action(by, "export.snapshot", district, None, at)?;
        Ok(bytes)
    }

    /// A kiosk's signed ack written out for a USB round trip.
    pub fn export_ack_as(&mut self, by: &str, kiosk: &str, at: Instant) -> Result<Vec<u8>, DocumentError> {
        let (_, bytes) = self.ack(kiosk, at)?;
        self.audit_action(by, "export.ack", kiosk, None, at)?;
        Ok(bytes)
    }

    /// Ingests a bundle brought on a USB stick, recording who brought it in.
    pub fn ingest_file_as(&mut self, by: &str, bytes: &[u8], at: Instant) -> Result<Ingested, IngestError> {
        let ingested = self.ingest(bytes, at, None)?;
        let note = format!("{} accepted, {} duplicates", ingested.report.accepted, ingested.report.duplicates);
        // The entries are durable; a failure to record who brought them only loses the note.
        let _ = self.audit_action(by, "ingest.file", &ingested.report.kiosk, Some(note), at);
        Ok(ingested)
    }

    /// The registered kiosks at `now`, each with its days offline and the offline warning.
    pub fn kiosk_rows(&self, now: Instant) -> Vec<KioskRow> {
        self.kiosks()
            .into_iter()
            .map(|info| KioskRow {
                offline_days: info.last_seen.map(|seen| rules::countdown::days_since(seen, now)),
                warning: info.revoked_at.is_none() && rules::countdown::offline_warning(info.last_seen, now),
                info,
            })
            .collect()
    }

    /// One review item (open or decided).
    pub fn review_item(&self, id: &str) -> Result<ReviewItem, CommandFailure> {
        let item = self.review_items().into_iter().find(|i| i.id == id);
        item.ok_or_else(|| Missing::ReviewItem(id.to_owned()).into())
    }

    /// A review item with its application and the application's history (reads the whole
    /// log: see [`Center::application_history`]).
    pub fn review_detail(&self, item: ReviewItem) -> Result<ReviewDetail, CommandFailure> {
        let application = item.application.as_deref().and_then(|a| self.state().application(a)).cloned();
        let history = match &item.application {
            Some(a) => self.application_history(a)?,
            None => Vec::new(),
        };
        let kindergarten = application
            .as_ref()
            .and_then(|a| a.direction.as_ref())
            .and_then(|d| self.state().kindergarten(&d.kindergarten))
            .cloned();
        Ok(ReviewDetail { item, application, kindergarten, history })
    }

    /// The kindergarten directory, of one district or of all.
    pub fn directory_listing(&self, district: Option<&str>) -> DirectoryListing {
        let (version, mut kindergartens) = self.directory();
        if let Some(district) = district {
            kindergartens.retain(|k| k.district == district);
        }
        DirectoryListing { version, kindergartens }
    }

    /// The calendar's years in force, with its version.
    pub fn calendar_listing(&self) -> CalendarListing {
        let calendar = self.state().calendar();
        CalendarListing { version: calendar.version().to_owned(), years: calendar.years() }
    }

    /// Every logged command about `application`, in log order, with the rules' refusals.
    /// Reads the whole accepted log: for a reviewer's page, not for a hot path.
    pub fn application_history(&self, application: &str) -> Result<Vec<HistoryRow>, StoreError> {
        let mut rows = Vec::new();
        self.store.read_log(&mut |record| {
            let (entry, source, at) = match &record {
                LogRecord::Kiosk { kiosk, seq, entry, effective, .. } => {
                    (entry, Source::Kiosk { kiosk: kiosk.clone(), seq: *seq }, Some(*effective))
                }
                LogRecord::Center { seq, entry } => (entry, Source::Center { seq: *seq }, None),
            };
            let Ok((entry, _)) = SignedEntry::read_record(entry) else { return Ok(()) };
            let Ok(body) = entry.body() else { return Ok(()) };
            let Ok(Payload::Command { command }) = body.payload() else { return Ok(()) };
            let Some(at) = at.or_else(|| body.kiosk_time.parse().ok()) else { return Ok(()) };
            if !about(&command, application) {
                return Ok(());
            }
            let (name, seq) = match &source {
                Source::Kiosk { kiosk, seq } => (kiosk.clone(), *seq),
                Source::Center { seq } => (crate::service::CENTER_ID.to_owned(), *seq),
            };
            rows.push(HistoryRow {
                at,
                source: name,
                seq,
                by: body.operator.clone(),
                action: command.name().to_owned(),
                refused: self.fold.rejection(&source).map(|r| format!("{}: {}", r.code, r.reason)),
            });
            Ok(())
        })?;
        // Vouchers come from rounds (district-wide commands): the application says when.
        if let Some(voucher) = self.state().application(application).and_then(|a| a.voucher.as_ref()) {
            rows.push(HistoryRow {
                at: voucher.issued_at,
                source: crate::service::CENTER_ID.to_owned(),
                seq: 0,
                by: String::new(),
                action: "issueVoucher".to_owned(),
                refused: None,
            });
        }
        rows.sort_by_key(|r| r.at);
        Ok(rows)
    }

    /// What a distribution round of `district` would do at `at`, and why; changes nothing.
    pub fn plan_distribution(&self, district: &str, at: Instant) -> Result<DistributionPlan, CommandFailure> {
        self.check_district(district)?;
        Ok(self.state().plan_distribution(district, at)?)
    }

    /// Offers a kiosk's quarantined entries to ingest again, after the cause was fixed (the
    /// kiosk registered to serve the district, a gap filled): the entries the center kept,
    /// newest copy of each sequence number, in order. What still does not pass stays in
    /// quarantine with its reason.
    pub fn reexamine_quarantine(&mut self, by: &str, kiosk: &str, at: Instant) -> Result<Ingested, KioskError> {
        let head = self.kiosks.get(kiosk).ok_or_else(|| UnknownKiosk(kiosk.to_owned()))?.head_seq();
        let mut candidates: std::collections::BTreeMap<u64, (Instant, SignedEntry)> = std::collections::BTreeMap::new();
        for record in self.store.quarantine()? {
            if record.note.kiosk != kiosk || record.note.seq <= head {
                continue;
            }
            let Some(entry) = record.entry.as_deref().and_then(|h| hex::decode(h).ok()) else { continue };
            let Ok((entry, _)) = SignedEntry::read_record(&entry) else { continue };
            let newer = candidates.get(&record.note.seq).is_none_or(|(seen, _)| record.note.received_at > *seen);
            if newer {
                candidates.insert(record.note.seq, (record.note.received_at, entry));
            }
        }
        if candidates.is_empty() {
            return Err(Missing::Quarantined { kiosk: kiosk.to_owned(), head }.into());
        }
        let bundle = Bundle { kiosk: kiosk.to_owned(), entries: candidates.into_values().map(|(_, e)| e).collect() };
        let ingested = self.ingest(&bundle.to_bytes(), at, Some(kiosk))?;
        let note = format!("{} accepted", ingested.report.accepted);
        self.audit_action(by, "quarantine.reexamine", kiosk, Some(note), at)?;
        Ok(ingested)
    }
}
