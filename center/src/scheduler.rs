//! The center's day: deadline expiry every day just after midnight (Kazakhstan time), and
//! distribution rounds on each district's schedule (by default every working day at 18:00).
//!
//! What is due is a pure function of the schedule, the calendar, the last runs (read from
//! the center's own log, where every run is an entry naming `scheduler`) and `now`; so a
//! restart, or a crash in the middle of a run, never runs a slot twice: a run is one entry,
//! committed or not. After downtime, expiry catches up day by day (each missed midnight is
//! its own run, as if the server had been up), and a district's latest missed round runs once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{NaiveTime, TimeZone};
use rules::time::kazakhstan_offset;
use rules::{Calendar, Date, Instant};
use serde::{Deserialize, Serialize};

use crate::service::{BadSchedule, Center, CenterRun, CommandFailure, SCHEDULER, ScheduleError, SetupFailure};
use crate::store::CenterStore;

/// The schedule file in the data folder (optional: the defaults apply without it).
pub const SCHEDULE_FILE: &str = "schedule.json";
/// Most missed days of expiry caught up at once (older days are covered by the first run:
/// a tick expires everything due before its time).
pub const MAX_CATCH_UP_DAYS: usize = 400;
/// How far back a missed distribution slot is still run.
const ROUND_LOOKBACK_DAYS: i64 = 7;

/// Which days a slot runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Days {
    /// Working days of the center's calendar.
    Working,
    /// Every day.
    Every,
}

/// A distribution round's time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoundSlot {
    /// Local time (+05:00), `HH:MM`.
    #[serde(with = "hhmm")]
    pub at: NaiveTime,
    pub days: Days,
}

/// The center's schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Schedule {
    /// Local time of the daily expiry run.
    #[serde(with = "hhmm", default = "default_expiry")]
    pub expiry_at: NaiveTime,
    /// Rounds of every district, unless the district has its own line.
    #[serde(default = "default_round")]
    pub rounds: Option<RoundSlot>,
    /// Per district: its own slot, or `null` for no scheduled rounds.
    #[serde(default)]
    pub districts: BTreeMap<String, Option<RoundSlot>>,
}

fn default_expiry() -> NaiveTime {
    NaiveTime::from_hms_opt(0, 1, 0).expect("valid time")
}

// Serde's `default = "…"` calls a function returning the field's type.
#[allow(clippy::unnecessary_wraps)]
fn default_round() -> Option<RoundSlot> {
    Some(RoundSlot { at: NaiveTime::from_hms_opt(18, 0, 0).expect("valid time"), days: Days::Working })
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule { expiry_at: default_expiry(), rounds: default_round(), districts: BTreeMap::new() }
    }
}

impl Schedule {
    /// Reads `schedule.json` from the data folder; the defaults when there is none.
    pub fn load(dir: &std::path::Path) -> Result<Schedule, ScheduleError> {
        let path = dir.join(SCHEDULE_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => Schedule::parse(&path, &bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Schedule::default()),
            Err(e) => Err(ScheduleError::Setup(SetupFailure::file(path)(e))),
        }
    }

    /// A schedule file's content; the error names the file and says what is wrong.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Schedule, ScheduleError> {
        serde_json::from_slice(bytes)
            .map_err(|source| ScheduleError::Malformed(BadSchedule { path: path.to_owned(), source }))
    }

    /// The slot of `district`'s rounds, if it has scheduled rounds.
    pub fn round_slot(&self, district: &str) -> Option<RoundSlot> {
        match self.districts.get(district) {
            Some(own) => *own,
            None => self.rounds,
        }
    }
}

/// `schedule.json` while the server runs: looked at on every poll of the scheduler (15 s),
/// so an edited file takes effect without a restart. A file that does not read (a half-saved
/// edit, a typo) leaves the schedule in effect as it was; both outcomes are said once per
/// change of the file, on stderr.
#[derive(Debug)]
pub struct ScheduleFile {
    path: PathBuf,
    /// What the last look found (`None`: not looked at yet).
    seen: Option<Content>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Content {
    Missing,
    Bytes(Vec<u8>),
    Unreadable(String),
}

/// What a look at the schedule file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reload {
    /// The same file as at the last look, or one giving the schedule in effect.
    Unchanged,
    /// A changed file: this schedule is in effect from now on.
    Changed(Schedule),
    /// A changed file that does not read: the schedule in effect stays (the reason names the file).
    Refused(String),
}

impl ScheduleFile {
    /// The schedule file of the data folder `dir`.
    pub fn in_folder(dir: &Path) -> Self {
        ScheduleFile { path: dir.join(SCHEDULE_FILE), seen: None }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Looks at the file: what changed since the last look, against the schedule in effect.
    /// A missing file means the defaults, as at start.
    pub fn look(&mut self, in_effect: &Schedule) -> Reload {
        let content = match std::fs::read(&self.path) {
            Ok(bytes) => Content::Bytes(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Content::Missing,
            Err(e) => Content::Unreadable(format!("{}: {e}", self.path.display())),
        };
        if self.seen.as_ref() == Some(&content) {
            return Reload::Unchanged;
        }
        let read = match &content {
            Content::Missing => Ok(Schedule::default()),
            Content::Bytes(bytes) => Schedule::parse(&self.path, bytes).map_err(|e| e.to_string()),
            Content::Unreadable(reason) => Err(reason.clone()),
        };
        self.seen = Some(content);
        match read {
            Ok(schedule) if schedule == *in_effect => Reload::Unchanged,
            Ok(schedule) => Reload::Changed(schedule),
            Err(reason) => Reload::Refused(reason),
        }
    }

    /// [`ScheduleFile::look`], applied to `in_effect` and said on stderr.
    pub fn refresh(&mut self, in_effect: &mut Schedule) {
        match self.look(in_effect) {
            Reload::Unchanged => {}
            Reload::Changed(schedule) => {
                let text = serde_json::to_string(&schedule).unwrap_or_default();
                eprintln!("kezek-center: {} changed; in effect from now on: {text}", self.path.display());
                *in_effect = schedule;
            }
            Reload::Refused(reason) => eprintln!(
                "kezek-center: {reason}; the schedule file is not used until it is fixed, the previous \
                 schedule stays in effect"
            ),
        }
    }
}

mod hhmm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's `with` passes a reference
    pub fn serialize<S: Serializer>(time: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&time.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        NaiveTime::parse_from_str(&text, "%H:%M")
            .map_err(|_| serde::de::Error::custom(format!("{text:?}: expected HH:MM")))
    }
}

/// One run the scheduler owes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    /// Deadline expiry as of `at` (a day's slot).
    Expiry { at: Instant },
    /// A distribution round of `district`, for the slot at `slot` (it runs at `now`).
    Round { district: String, slot: Instant },
}

fn local(date: Date, time: NaiveTime) -> Instant {
    let naive = date.0.and_time(time);
    Instant(kazakhstan_offset().from_local_datetime(&naive).single().expect("a fixed offset has one local time"))
}

/// What is due at `now`, in the order to run it: expiry days oldest first, then rounds.
pub fn due(
    schedule: &Schedule,
    calendar: &Calendar,
    last_expiry: Option<Instant>,
    last_rounds: &BTreeMap<String, Instant>,
    districts: &[String],
    now: Instant,
) -> Vec<Due> {
    let mut out = Vec::new();
    let today = now.local_date();
    let first = last_expiry.map_or(today, Instant::local_date);
    let mut expiries = Vec::new();
    let mut day = first;
    while day <= today {
        let slot = local(day, schedule.expiry_at);
        if slot <= now && last_expiry.is_none_or(|last| slot > last) {
            expiries.push(Due::Expiry { at: slot });
        }
        let Some(next) = day.0.succ_opt() else { break };
        day = Date(next);
    }
    let skip = expiries.len().saturating_sub(MAX_CATCH_UP_DAYS);
    out.extend(expiries.into_iter().skip(skip));

    for district in districts {
        let Some(slot) = schedule.round_slot(district) else { continue };
        let latest = (0..=ROUND_LOOKBACK_DAYS).find_map(|back| {
            let date = Date(today.0 - chrono::Duration::days(back));
            let at = local(date, slot.at);
            let runs = match slot.days {
                Days::Every => true,
                // A day the calendar does not cover is not taken for a working day.
                Days::Working => calendar.is_working_day(date).unwrap_or(false),
            };
            (runs && at <= now).then_some(at)
        });
        if let Some(at) = latest
            && last_rounds.get(district).is_none_or(|last| *last < at)
        {
            out.push(Due::Round { district: district.clone(), slot: at });
        }
    }
    out
}

impl<S: CenterStore> Center<S> {
    /// The districts with scheduled rounds: those with at least one kindergarten.
    fn scheduled_districts(&self) -> Vec<String> {
        let mut districts: Vec<String> = self.state().kindergartens().map(|k| k.district.clone()).collect();
        districts.sort();
        districts.dedup();
        districts
    }

    /// What the schedule owes at `now`.
    pub fn due(&self, schedule: &Schedule, now: Instant) -> Vec<Due> {
        let (last_expiry, last_rounds) = self.schedule_state();
        due(schedule, self.state().calendar(), last_expiry, last_rounds, &self.scheduled_districts(), now)
    }

    /// Runs everything due at `now`, each as an entry of the center's log naming the
    /// scheduler. Expiry runs as of its slot; a round runs at `now`. Stops at the first
    /// failure (the rest is due again at the next call).
    pub fn run_due(&mut self, schedule: &Schedule, now: Instant) -> Result<Vec<CenterRun>, CommandFailure> {
        let mut runs = Vec::new();
        for due in self.due(schedule, now) {
            let run = match due {
                Due::Expiry { at } => self.tick_as(SCHEDULER, at)?,
                Due::Round { district, .. } => self.distribute_as(SCHEDULER, &district, now)?,
            };
            runs.push(run);
        }
        Ok(runs)
    }
}

/// What the server says on stderr about a look's runs: one line per run that issued or
/// expired something, or the failure with its code (the rest is tried again at the next look).
pub fn report(outcome: &Result<Vec<CenterRun>, CommandFailure>) -> Vec<String> {
    match outcome {
        Ok(runs) => runs
            .iter()
            .filter(|r| !r.vouchers.is_empty() || !r.expired.is_empty())
            .map(|run| {
                format!(
                    "kezek-center: scheduled {} at {}: {} vouchers, {} expired",
                    run.command,
                    run.at,
                    run.vouchers.len(),
                    run.expired.len()
                )
            })
            .collect(),
        Err(e) => vec![format!("kezek-center: a scheduled run failed ({}): {e}; it is tried again shortly", e.code())],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Instant {
        text.parse().expect("instant")
    }

    fn kok() -> Vec<String> {
        vec!["KOK".to_owned()]
    }

    #[test]
    fn expiry_runs_once_a_day_and_catches_up_day_by_day() {
        let s = Schedule::default();
        let cal = Calendar::embedded();
        let none = BTreeMap::new();
        // Fresh: today's slot only.
        let d = due(&s, cal, None, &none, &[], at("2026-03-11T00:05:00+05:00"));
        assert_eq!(d, vec![Due::Expiry { at: at("2026-03-11T00:01:00+05:00") }]);
        assert!(due(&s, cal, None, &none, &[], at("2026-03-11T00:00:30+05:00")).is_empty());
        // Ran at 00:01 on the 11th: nothing until the 12th.
        let last = Some(at("2026-03-11T00:01:00+05:00"));
        assert!(due(&s, cal, last, &none, &[], at("2026-03-11T23:59:59+05:00")).is_empty());
        // Down three days: each missed midnight, oldest first.
        let d = due(&s, cal, last, &none, &[], at("2026-03-14T10:00:00+05:00"));
        let days: Vec<_> = d
            .iter()
            .map(|d| match d {
                Due::Expiry { at } => at.to_string(),
                Due::Round { .. } => unreachable!(),
            })
            .collect();
        assert_eq!(days, ["2026-03-12T00:01:00+05:00", "2026-03-13T00:01:00+05:00", "2026-03-14T00:01:00+05:00"]);
        // An on-demand run in the afternoon covers the day's slot.
        assert!(
            due(&s, cal, Some(at("2026-03-11T15:00:00+05:00")), &none, &[], at("2026-03-11T23:00:00+05:00")).is_empty()
        );
    }

    #[test]
    fn rounds_run_on_working_days_after_their_slot_once() {
        let s = Schedule::default();
        let cal = Calendar::embedded();
        let last_expiry = Some(at("2026-03-20T00:01:00+05:00"));
        let mut rounds = BTreeMap::new();
        // Never run: the latest slot (Thursday's) is owed at once.
        let d = due(&s, cal, last_expiry, &rounds, &kok(), at("2026-03-20T17:59:59+05:00"));
        assert_eq!(d, vec![Due::Round { district: "KOK".into(), slot: at("2026-03-19T18:00:00+05:00") }]);
        rounds.insert("KOK".to_owned(), at("2026-03-19T18:00:02+05:00"));
        // Friday 20 March 2026, 17:59: not yet; 18:00: due.
        assert!(due(&s, cal, last_expiry, &rounds, &kok(), at("2026-03-20T17:59:59+05:00")).is_empty());
        let d = due(&s, cal, last_expiry, &rounds, &kok(), at("2026-03-20T18:00:00+05:00"));
        assert_eq!(d, vec![Due::Round { district: "KOK".into(), slot: at("2026-03-20T18:00:00+05:00") }]);
        rounds.insert("KOK".to_owned(), at("2026-03-20T18:00:05+05:00"));
        // Nauryz (21–25 March) and the weekend: no rounds; the 23rd is a day off.
        let last_expiry = Some(at("2026-03-23T00:01:00+05:00"));
        assert!(due(&s, cal, last_expiry, &rounds, &kok(), at("2026-03-23T19:00:00+05:00")).is_empty());
        // A district switched off, and one with its own time.
        let mut own = Schedule::default();
        own.districts.insert("KOK".into(), None);
        own.districts
            .insert("ZER".into(), Some(RoundSlot { at: NaiveTime::from_hms_opt(9, 0, 0).unwrap(), days: Days::Every }));
        let both = vec!["KOK".to_owned(), "ZER".to_owned()];
        let d = due(&own, cal, last_expiry, &BTreeMap::new(), &both, at("2026-03-23T09:30:00+05:00"));
        assert_eq!(d, vec![Due::Round { district: "ZER".into(), slot: at("2026-03-23T09:00:00+05:00") }]);
    }

    #[test]
    fn catching_up_stops_at_400_days_and_a_round_is_owed_only_from_the_last_7_days() {
        let s = Schedule::default();
        let cal = Calendar::embedded();
        let now = at("2027-06-30T12:00:00+05:00");
        let long_ago = Some(at("2025-01-01T00:01:00+05:00"));
        let d = due(&s, cal, long_ago, &BTreeMap::new(), &[], now);
        assert_eq!(d.len(), MAX_CATCH_UP_DAYS);
        assert_eq!(d.first(), Some(&Due::Expiry { at: at("2026-05-27T00:01:00+05:00") }), "the 400 latest days");
        assert_eq!(d.last(), Some(&Due::Expiry { at: at("2027-06-30T00:01:00+05:00") }));

        // Two weeks of decreed days off (15–26 February 2027), and the server down since
        // Thursday the 11th: on Friday the 26th Friday the 12th's round (14 days back) is not
        // owed any more; the next working day's is.
        let days_off: Vec<Date> = (15..=26)
            .map(|day| format!("2027-02-{day}").parse::<Date>().unwrap())
            .filter(|d| cal.is_working_day(*d).unwrap())
            .collect();
        let year = rules::calendar::CalendarYear {
            year: 2027,
            provisional: true,
            kurban_ait: "2027-05-16".parse().unwrap(),
            extra_days_off: days_off,
            extra_working_days: vec![],
            source: "test".into(),
        };
        let holiday = cal.with_year(&year).unwrap();
        let expiry = Some(at("2027-02-26T00:01:00+05:00"));
        let rounds = BTreeMap::from([("KOK".to_owned(), at("2027-02-11T18:00:00+05:00"))]);
        assert!(due(&s, &holiday, expiry, &rounds, &kok(), at("2027-02-26T19:00:00+05:00")).is_empty());
        let expiry = Some(at("2027-03-01T00:01:00+05:00"));
        let d = due(&s, &holiday, expiry, &rounds, &kok(), at("2027-03-01T18:30:00+05:00"));
        assert_eq!(d, vec![Due::Round { district: "KOK".into(), slot: at("2027-03-01T18:00:00+05:00") }]);
    }

    #[test]
    fn a_failed_run_is_reported_with_its_code_and_quiet_runs_say_nothing() {
        let quiet = CenterRun {
            command: "tick".into(),
            at: at("2026-03-11T00:01:00+05:00"),
            center_seq: Some(7),
            vouchers: vec![],
            published: vec![],
            expired: vec![],
            events: 0,
        };
        assert_eq!(report(&Ok(vec![quiet])), Vec::<String>::new());
        let failed = report(&Err(crate::store::StoreError::Db("the disk is full".into()).into()));
        assert_eq!(
            failed,
            ["kezek-center: a scheduled run failed (STORE): store: the disk is full; it is tried again shortly"]
        );
    }

    #[test]
    fn the_schedule_file_reads_and_refuses_junk() {
        let s: Schedule = serde_json::from_str(
            r#"{"expiryAt":"00:05","rounds":{"at":"17:30","days":"working"},"districts":{"ZER":null}}"#,
        )
        .unwrap();
        assert_eq!(s.expiry_at, NaiveTime::from_hms_opt(0, 5, 0).unwrap());
        assert_eq!(s.round_slot("ZER"), None);
        assert_eq!(s.round_slot("KOK").unwrap().at, NaiveTime::from_hms_opt(17, 30, 0).unwrap());
        assert!(serde_json::from_str::<Schedule>(r#"{"expiryAt":"25:00"}"#).is_err());
        assert!(serde_json::from_str::<Schedule>(r#"{"expiry":"00:00"}"#).is_err());
        assert_eq!(serde_json::from_str::<Schedule>("{}").unwrap(), Schedule::default());
    }

    #[test]
    fn an_edited_schedule_file_takes_effect_and_a_broken_one_leaves_the_schedule_in_effect() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SCHEDULE_FILE);
        let mut file = ScheduleFile::in_folder(dir.path());
        let mut in_effect = Schedule::default();
        // No file: the defaults, as at start.
        assert_eq!(file.look(&in_effect), Reload::Unchanged);
        std::fs::write(&path, r#"{"rounds": null}"#).unwrap();
        let off = Schedule { rounds: None, ..Schedule::default() };
        assert_eq!(file.look(&in_effect), Reload::Changed(off.clone()));
        in_effect = off.clone();
        assert_eq!(file.look(&in_effect), Reload::Unchanged, "the same file again");
        // Half-saved: refused once, naming the file; the schedule in effect stays.
        std::fs::write(&path, r#"{"rounds": nu"#).unwrap();
        match file.look(&in_effect) {
            Reload::Refused(reason) => assert!(reason.contains(&path.display().to_string()), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(file.look(&in_effect), Reload::Unchanged, "said once per change");
        file.refresh(&mut in_effect);
        assert_eq!(in_effect, off);
        // Fixed: in effect.
        std::fs::write(&path, r#"{"expiryAt": "00:05", "rounds": null}"#).unwrap();
        file.refresh(&mut in_effect);
        assert_eq!(in_effect.expiry_at, NaiveTime::from_hms_opt(0, 5, 0).unwrap());
        // Removed: the defaults again.
        std::fs::remove_file(&path).unwrap();
        file.refresh(&mut in_effect);
        assert_eq!(in_effect, Schedule::default());
    }
}
