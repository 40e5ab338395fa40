//! The durable outbox: `<data>/outbox/outbox.jsonl`, one JSON record a line, appended and
//! `fdatasync`ed before the call returns. Records: a message enqueued, a delivery attempt
//! that failed, a message delivered, a message that cannot be delivered (no address).
//!
//! Reading tolerates a crash in the middle of an append: an incomplete last line (no final
//! newline) is ignored and cut off before the next append; a complete line that does not
//! parse is skipped (counted in [`Outbox::skipped_lines`]).
//!
//! The journal is compacted ([`Outbox::compact`]) when more than half of it is spent: a
//! finished message (delivered or given up) is kept only as the SHA-256 of its key and its
//! creation instant, so that it is still never sent twice, while its text, its address and
//! a sign-in code it carried leave the disk; a pending message keeps its record and its
//! retry state. A finished message created [`SENT_KEYS_KEPT_DAYS`] before the newest one is
//! forgotten: nothing the center enqueues is that old (`due`'s notices look back at most
//! [`super::due::LONGEST_NOTICE_DAYS`]; a sign-in code is enqueued as it is made), so the
//! journal and the outbox's memory stay bounded on a center that runs for years. The
//! compacted journal is written to a temporary file, synced, and renamed over the old one:
//! a crash leaves one or the other, whole.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use rules::Instant;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Message, Notifier, NotifyError};

/// The outbox's journal, inside the outbox folder.
pub const OUTBOX_FILE: &str = "outbox.jsonl";
/// The wait after the first failed attempt; doubled after each further failure.
pub const FIRST_RETRY_SECS: i64 = 30;
/// The longest wait between two attempts.
pub const MAX_RETRY_SECS: i64 = 3600;
/// Lines of the journal beyond what compaction would keep before it is compacted (and at
/// least as many as it would keep, so that rewriting it costs a constant per record).
pub const COMPACT_AFTER_SPENT_LINES: usize = 1000;
/// How long a finished message's key is kept, counted back from the newest message's
/// creation (the outbox reads no clock): longer than any notice looks back.
pub const SENT_KEYS_KEPT_DAYS: i64 = 90;
const _: () = assert!(super::due::LONGEST_NOTICE_DAYS < SENT_KEYS_KEPT_DAYS);

/// What one delivery pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryReport {
    pub delivered: usize,
    /// Attempts that failed (the messages stay pending, retried later).
    pub failed: usize,
    /// Messages given up: the recipient has no usable address for the notifier.
    pub undeliverable: usize,
    /// Messages still pending after the pass.
    pub pending: usize,
    /// One line per failure, for the log.
    pub errors: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase", rename_all_fields = "camelCase")]
enum Record {
    Enqueued {
        message: Box<Message>,
    },
    Failed {
        key: String,
        at: Instant,
        error: String,
    },
    Delivered {
        key: String,
        at: Instant,
    },
    Undeliverable {
        key: String,
        at: Instant,
        error: String,
    },
    /// Compaction's form of a finished message: the hex SHA-256 of its key, and when the
    /// message was created (absent in journals compacted before it was kept: never
    /// forgotten).
    Finished {
        key_sha256: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        created_at: Option<Instant>,
    },
    /// Compaction's form of a pending message's failed attempts.
    Retrying {
        key: String,
        attempts: u32,
        next_at: Option<Instant>,
    },
}

/// The SHA-256 of a message key, by which the outbox knows it.
fn key_digest(key: &str) -> [u8; 32] {
    Sha256::digest(key.as_bytes()).into()
}

#[derive(Debug, Clone)]
struct Pending {
    message: Message,
    attempts: u32,
    /// No attempt before this instant (after a failure).
    next_at: Option<Instant>,
}

/// The durable queue of messages.
#[derive(Debug)]
pub struct Outbox {
    path: PathBuf,
    /// The SHA-256 of every key enqueued (and not forgotten, see [`SENT_KEYS_KEPT_DAYS`]),
    /// with its message's creation instant when known.
    known: HashMap<[u8; 32], Option<Instant>>,
    /// The newest creation instant of any message seen: the outbox's clock for forgetting.
    newest: Option<Instant>,
    /// Pending messages by enqueue order.
    pending: BTreeMap<u64, Pending>,
    order: HashMap<String, u64>,
    next_seq: u64,
    /// Taken for delivery, not finished yet.
    in_flight: HashSet<String>,
    skipped: usize,
    /// Lines in the journal (complete ones, as read and appended since).
    lines: usize,
}

/// The wait after `attempts` failed attempts.
pub fn backoff(attempts: u32) -> chrono::Duration {
    let doubling = attempts.saturating_sub(1).min(20);
    chrono::Duration::seconds((FIRST_RETRY_SECS << doubling).min(MAX_RETRY_SECS))
}

impl Outbox {
    /// Opens (creating) the outbox in `dir`.
    pub fn open(dir: &Path) -> Result<Outbox, NotifyError> {
        std::fs::create_dir_all(dir).map_err(|e| NotifyError::io(dir, e))?;
        let path = dir.join(OUTBOX_FILE);
        let (records, skipped) = read_records::<Record>(&path)?;
        let mut outbox = Outbox {
            path,
            known: HashMap::new(),
            newest: None,
            pending: BTreeMap::new(),
            order: HashMap::new(),
            next_seq: 0,
            in_flight: HashSet::new(),
            skipped,
            lines: records.len() + skipped,
        };
        for record in records {
            outbox.apply(record);
        }
        outbox.compact_if_spent()?;
        Ok(outbox)
    }

    fn saw(&mut self, created_at: Instant) {
        self.newest = Some(self.newest.map_or(created_at, |newest| newest.max(created_at)));
    }

    fn apply(&mut self, record: Record) {
        match record {
            Record::Enqueued { message } => {
                self.saw(message.created_at);
                if self.known.insert(key_digest(&message.key), Some(message.created_at)).is_none() {
                    let seq = self.next_seq;
                    self.next_seq += 1;
                    self.order.insert(message.key.clone(), seq);
                    self.pending.insert(seq, Pending { message: *message, attempts: 0, next_at: None });
                }
            }
            Record::Failed { key, at, .. } => {
                if let Some(p) = self.order.get(&key).and_then(|seq| self.pending.get_mut(seq)) {
                    p.attempts = p.attempts.saturating_add(1);
                    p.next_at = Some(Instant(at.0 + backoff(p.attempts)));
                }
            }
            Record::Delivered { key, .. } | Record::Undeliverable { key, .. } => {
                if let Some(seq) = self.order.remove(&key) {
                    self.pending.remove(&seq);
                }
            }
            Record::Finished { key_sha256, created_at } => {
                let mut digest = [0u8; 32];
                if hex::decode_to_slice(&key_sha256, &mut digest).is_ok() {
                    if let Some(at) = created_at {
                        self.saw(at);
                    }
                    self.known.insert(digest, created_at);
                } else {
                    self.skipped += 1;
                }
            }
            Record::Retrying { key, attempts, next_at } => {
                if let Some(p) = self.order.get(&key).and_then(|seq| self.pending.get_mut(seq)) {
                    p.attempts = attempts;
                    p.next_at = next_at;
                }
            }
        }
    }

    fn record(&mut self, record: Record) -> Result<(), NotifyError> {
        append_line(&self.path, &record)?;
        self.lines += 1;
        self.apply(record);
        // The record is durable: a compaction that fails leaves the journal as it was, to be
        // compacted on a later record or at the next start.
        let _ = self.compact_if_spent();
        Ok(())
    }

    /// Lines a compacted journal has: one per finished message, one or two per pending one.
    fn live_lines(&self) -> usize {
        let retrying = self.pending.values().filter(|p| p.attempts > 0).count();
        self.known.len() + retrying
    }

    fn compact_if_spent(&mut self) -> Result<(), NotifyError> {
        let live = self.live_lines();
        if self.lines > COMPACT_AFTER_SPENT_LINES + 2 * live { self.compact() } else { Ok(()) }
    }

    /// Rewrites the journal with what is still needed (see the module documentation).
    pub fn compact(&mut self) -> Result<(), NotifyError> {
        let pending_digests: HashSet<[u8; 32]> = self.pending.values().map(|p| key_digest(&p.message.key)).collect();
        let mut out = Vec::new();
        let mut lines = 0;
        let mut push = |record: &Record| -> Result<(), NotifyError> {
            serde_json::to_writer(&mut out, record)
                .map_err(|e| NotifyError::io(&self.path, std::io::Error::other(e)))?;
            out.push(b'\n');
            lines += 1;
            Ok(())
        };
        if let Some(newest) = self.newest {
            let forget_before = Instant(newest.0 - chrono::Duration::days(SENT_KEYS_KEPT_DAYS));
            self.known.retain(|digest, created| {
                pending_digests.contains(digest) || created.is_none_or(|created| created >= forget_before)
            });
        }
        let mut finished: Vec<(&[u8; 32], &Option<Instant>)> =
            self.known.iter().filter(|(d, _)| !pending_digests.contains(*d)).collect();
        finished.sort_unstable_by_key(|(digest, _)| *digest);
        for (digest, created_at) in finished {
            push(&Record::Finished { key_sha256: hex::encode(digest), created_at: *created_at })?;
        }
        for p in self.pending.values() {
            push(&Record::Enqueued { message: Box::new(p.message.clone()) })?;
            if p.attempts > 0 {
                push(&Record::Retrying { key: p.message.key.clone(), attempts: p.attempts, next_at: p.next_at })?;
            }
        }
        crate::file_swap::replace(&self.path, &out).map_err(|e| NotifyError::io(&e.path, e.source))?;
        self.lines = lines;
        Ok(())
    }

    /// Adds `message`; `Ok(false)` when its key was enqueued before (across restarts, and
    /// within [`SENT_KEYS_KEPT_DAYS`] of the newest message once it is finished).
    pub fn enqueue(&mut self, message: Message) -> Result<bool, NotifyError> {
        if self.knows(&message.key) {
            return Ok(false);
        }
        self.record(Record::Enqueued { message: Box::new(message) })?;
        Ok(true)
    }

    /// Whether `key` was ever enqueued.
    pub fn knows(&self, key: &str) -> bool {
        self.known.contains_key(&key_digest(key))
    }

    /// Whether `key` was enqueued and is no longer pending (delivered or given up).
    pub fn is_delivered(&self, key: &str) -> bool {
        self.knows(key) && !self.order.contains_key(key)
    }

    /// Lines in the journal now (complete ones).
    pub fn journal_lines(&self) -> usize {
        self.lines
    }

    pub fn pending_count(&self) -> usize {
        self.pending.len()
    }

    /// The pending messages, oldest first.
    pub fn pending(&self) -> Vec<Message> {
        self.pending.values().map(|p| p.message.clone()).collect()
    }

    /// Failed attempts recorded for a pending message.
    pub fn attempts(&self, key: &str) -> Option<u32> {
        self.order.get(key).and_then(|seq| self.pending.get(seq)).map(|p| p.attempts)
    }

    /// Complete lines of the journal that could not be read (skipped at open).
    pub fn skipped_lines(&self) -> usize {
        self.skipped
    }

    /// Takes one pending message for delivery, whatever its backoff.
    pub(crate) fn take(&mut self, key: &str) -> Option<Message> {
        if self.in_flight.contains(key) {
            return None;
        }
        let message = self.order.get(key).and_then(|seq| self.pending.get(seq)).map(|p| p.message.clone())?;
        self.in_flight.insert(key.to_owned());
        Some(message)
    }

    /// Takes every pending message whose retry time has come, oldest first.
    pub(crate) fn take_due(&mut self, now: Instant) -> Vec<Message> {
        let due: Vec<Message> = self
            .pending
            .values()
            .filter(|p| p.next_at.is_none_or(|at| at <= now) && !self.in_flight.contains(&p.message.key))
            .map(|p| p.message.clone())
            .collect();
        for m in &due {
            self.in_flight.insert(m.key.clone());
        }
        due
    }

    /// Records the outcome of delivering a taken message.
    pub(crate) fn finish(
        &mut self,
        key: &str,
        result: &Result<(), NotifyError>,
        now: Instant,
    ) -> Result<(), NotifyError> {
        self.in_flight.remove(key);
        let record = match result {
            Ok(()) => Record::Delivered { key: key.to_owned(), at: now },
            Err(e) if e.is_permanent() => Record::Undeliverable { key: key.to_owned(), at: now, error: e.to_string() },
            Err(e) => Record::Failed { key: key.to_owned(), at: now, error: format!("{}: {e}", e.code()) },
        };
        self.record(record)
    }

    /// Delivers every pending message whose retry time has come through `notifier`.
    pub fn deliver_due(&mut self, notifier: &dyn Notifier, now: Instant) -> DeliveryReport {
        let mut report = DeliveryReport::default();
        for message in self.take_due(now) {
            let result = notifier.deliver(&message);
            if let Err(e) = self.finish(&message.key, &result, now) {
                report.errors.push(format!("{}: {e}", message.key));
            }
            tally(&mut report, &message.key, result);
        }
        report.pending = self.pending_count();
        report
    }
}

pub(crate) fn tally(report: &mut DeliveryReport, key: &str, result: Result<(), NotifyError>) {
    match result {
        Ok(()) => report.delivered += 1,
        Err(e) => {
            if e.is_permanent() {
                report.undeliverable += 1;
            } else {
                report.failed += 1;
            }
            report.errors.push(format!("{key} ({}): {e}", e.code()));
        }
    }
}

/// Appends `value` as one JSON line and syncs the data to disk (a new file: its folder too).
pub fn append_line<T: Serialize>(path: &Path, value: &T) -> Result<(), NotifyError> {
    let mut line = serde_json::to_vec(value).map_err(|e| NotifyError::io(path, std::io::Error::other(e)))?;
    line.push(b'\n');
    let existed = path.exists();
    let mut file =
        std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| NotifyError::io(path, e))?;
    file.write_all(&line).map_err(|e| NotifyError::io(path, e))?;
    file.sync_data().map_err(|e| NotifyError::io(path, e))?;
    if !existed
        && let Some(dir) = path.parent()
        && let Ok(dir) = std::fs::File::open(dir)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// The records of a JSON-lines file (none if it does not exist), and how many complete
/// lines were skipped as unreadable. An incomplete last line (a torn append) is cut off the
/// file, so that the next append starts a line of its own.
pub fn read_records<T: DeserializeOwned>(path: &Path) -> Result<(Vec<T>, usize), NotifyError> {
    let mut bytes = Vec::new();
    match std::fs::File::open(path) {
        Ok(mut file) => {
            file.read_to_end(&mut bytes).map_err(|e| NotifyError::io(path, e))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(NotifyError::io(path, e)),
    }
    let complete = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    if complete < bytes.len() {
        let file = std::fs::OpenOptions::new().write(true).open(path).map_err(|e| NotifyError::io(path, e))?;
        file.set_len(complete as u64).map_err(|e| NotifyError::io(path, e))?;
        file.sync_data().map_err(|e| NotifyError::io(path, e))?;
    }
    let mut records = Vec::new();
    let mut skipped = 0;
    for line in bytes[..complete].split(|b| *b == b'\n') {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice(line) {
            Ok(record) => records.push(record),
            Err(_) => skipped += 1,
        }
    }
    Ok((records, skipped))
}

/// [`read_records`] without the count.
pub fn read_lines<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, NotifyError> {
    read_records(path).map(|(records, _)| records)
}
