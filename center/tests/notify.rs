//! The notifier: the durable outbox (dedupe across restarts, a torn last line, retries
//! with backoff), the file notifier's once-per-key file, the messages a real center's state
//! owes, SMTP against a small fake server, and `kezek-center serve` writing the vouchers'
//! messages to `outbox/delivered.jsonl`.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use center::notify::{
    DELIVERED_FILE, FileNotifier, Message, MessageKind, Notifications, Notifier, NotifyError, OUTBOX_DIR, Outbox,
    Recipient, SmtpNotifier,
};
use center::{CENTER_ID, Center, Decision, NewUser};
use common::*;
use rules::authz::staff::StaffRole;
use rules::{Instant, Lang, RightClass};

fn message(key: &str) -> Message {
    Message {
        key: key.into(),
        kind: MessageKind::VoucherIssued,
        to: Recipient { iin: adult_iin(7), phone: Some("+7 701 000 00 00".into()), email: None },
        lang: Lang::Ru,
        subject: format!("subject {key}"),
        text: format!("text {key}"),
        created_at: at("2026-03-10T18:00:00+05:00"),
    }
}

fn delivered_lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path).unwrap_or_default().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Fails its first `failures` deliveries, then delivers through the file notifier.
struct Flaky {
    failures: AtomicUsize,
    calls: AtomicUsize,
    file: FileNotifier,
}

impl Notifier for Flaky {
    fn name(&self) -> &'static str {
        "flaky"
    }
    fn deliver(&self, message: &Message) -> Result<(), NotifyError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.failures.load(Ordering::SeqCst) > 0 {
            self.failures.fetch_sub(1, Ordering::SeqCst);
            return Err(NotifyError::Transport("the relay is down".into()));
        }
        self.file.deliver(message)
    }
}

#[test]
fn an_enqueued_key_is_never_enqueued_again_even_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let mut outbox = Outbox::open(dir.path()).unwrap();
    assert!(outbox.enqueue(message("a")).unwrap());
    assert!(!outbox.enqueue(message("a")).unwrap());
    assert!(outbox.enqueue(message("b")).unwrap());
    drop(outbox);
    let mut outbox = Outbox::open(dir.path()).unwrap();
    assert!(!outbox.enqueue(message("a")).unwrap());
    assert!(!outbox.enqueue(message("b")).unwrap());
    assert_eq!(outbox.pending_count(), 2);
    // Delivered, then reopened: still known, not pending.
    let file = FileNotifier::open(&dir.path().join(DELIVERED_FILE)).unwrap();
    let report = outbox.deliver_due(&file, at("2026-03-10T18:01:00+05:00"));
    assert_eq!((report.delivered, report.pending), (2, 0));
    drop(outbox);
    let mut outbox = Outbox::open(dir.path()).unwrap();
    assert_eq!(outbox.pending_count(), 0);
    assert!(!outbox.enqueue(message("a")).unwrap());
    assert!(outbox.is_delivered("a"));
}

#[test]
fn a_torn_last_line_is_ignored_and_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let mut outbox = Outbox::open(dir.path()).unwrap();
    outbox.enqueue(message("a")).unwrap();
    outbox.enqueue(message("b")).unwrap();
    drop(outbox);
    let journal = dir.path().join(center::notify::outbox::OUTBOX_FILE);
    // A crash in the middle of an append: half a record, no newline.
    let mut file = std::fs::OpenOptions::new().append(true).open(&journal).unwrap();
    file.write_all(br#"{"op":"enqueued","message":{"key":"c","ki"#).unwrap();
    drop(file);
    let mut outbox = Outbox::open(dir.path()).unwrap();
    assert_eq!(outbox.pending_count(), 2);
    assert!(!outbox.knows("c"));
    assert_eq!(outbox.skipped_lines(), 0);
    // The next append starts its own line: every line reads after another restart.
    assert!(outbox.enqueue(message("c")).unwrap());
    drop(outbox);
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(text.ends_with('\n'));
    for line in text.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }
    let outbox = Outbox::open(dir.path()).unwrap();
    assert_eq!(outbox.pending_count(), 3);
    // A garbage line in the middle is skipped, never a panic.
    drop(outbox);
    let mut file = std::fs::OpenOptions::new().append(true).open(&journal).unwrap();
    file.write_all(b"\xff\xfe not json\n").unwrap();
    drop(file);
    let mut outbox = Outbox::open(dir.path()).unwrap();
    assert_eq!((outbox.pending_count(), outbox.skipped_lines()), (3, 1));
    assert!(outbox.enqueue(message("d")).unwrap());
}

#[test]
fn the_journal_is_compacted_and_keeps_only_a_digest_of_what_was_sent() {
    use center::notify::outbox::{COMPACT_AFTER_SPENT_LINES, OUTBOX_FILE};
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join(OUTBOX_FILE);
    let file = FileNotifier::open(&dir.path().join(DELIVERED_FILE)).unwrap();
    let down = Flaky {
        failures: AtomicUsize::new(usize::MAX),
        calls: AtomicUsize::new(0),
        file: FileNotifier::open(&dir.path().join("unused.jsonl")).unwrap(),
    };
    let mut outbox = Outbox::open(dir.path()).unwrap();
    // A message that keeps failing stays pending with its attempts through every compaction.
    outbox.enqueue(message("stuck")).unwrap();
    outbox.deliver_due(&down, at("2026-03-10T18:00:00+05:00"));
    outbox.deliver_due(&down, at("2026-03-10T18:01:00+05:00"));
    assert_eq!(outbox.attempts("stuck"), Some(2));
    // Many messages sent: each leaves two lines until the journal is compacted.
    let n = 3 * COMPACT_AFTER_SPENT_LINES;
    for i in 0..n {
        let key = format!("sent-{i}");
        outbox.enqueue(message(&key)).unwrap();
        // Before the stuck message's next attempt is due: only this one goes.
        let r = outbox.deliver_due(&file, at("2026-03-10T18:01:10+05:00"));
        assert_eq!((r.delivered, r.pending), (1, 1), "{key}");
    }
    // Bounded: at most the live lines twice over plus the allowance, not 2n.
    let lines = std::fs::read_to_string(&journal).unwrap().lines().count();
    assert_eq!(lines, outbox.journal_lines());
    assert!(lines <= COMPACT_AFTER_SPENT_LINES + 2 * (n + 2) + 1, "{lines}");
    outbox.compact().unwrap();
    let text = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(text.lines().count(), n + 2, "one line per sent message, two for the pending one");
    // The texts of the sent messages left the disk; the pending one's stayed.
    assert!(!text.contains("text sent-"), "a sent message's text is still in the journal");
    assert_eq!(text.matches("+7 701").count(), 1, "only the pending message's address is kept");
    assert!(text.contains("text stuck"));
    drop(outbox);
    // After a restart: nothing sent is sent again, the pending one waits its backoff.
    let mut outbox = Outbox::open(dir.path()).unwrap();
    assert_eq!((outbox.pending_count(), outbox.attempts("stuck"), outbox.skipped_lines()), (1, Some(2), 0));
    for i in [0, n / 2, n - 1] {
        assert!(!outbox.enqueue(message(&format!("sent-{i}"))).unwrap());
        assert!(outbox.is_delivered(&format!("sent-{i}")));
    }
    let r = outbox.deliver_due(&file, at("2026-03-10T18:01:30+05:00"));
    assert_eq!((r.delivered, r.pending), (0, 1), "60 s after the second failure, not 30");
    let r = outbox.deliver_due(&file, at("2026-03-10T18:02:00+05:00"));
    assert_eq!((r.delivered, r.pending), (1, 0));
    drop(outbox);
    // A compaction killed before its rename leaves a temporary file: the journal is whole.
    std::fs::write(dir.path().join(format!("{OUTBOX_FILE}.tmp")), b"{\"op\":\"finished\",\"key").unwrap();
    let mut outbox = Outbox::open(dir.path()).unwrap();
    assert!(outbox.is_delivered("stuck") && outbox.is_delivered("sent-0"));
    outbox.compact().unwrap();
    assert!(!dir.path().join(format!("{OUTBOX_FILE}.tmp")).exists());
    drop(outbox);
    // A flipped byte in a digest line: that line is skipped, never a panic, the rest reads.
    let text = std::fs::read_to_string(&journal).unwrap();
    let damaged = text.replacen("\"keySha256\":\"", "\"keySha256\":\"z", 1);
    std::fs::write(&journal, damaged).unwrap();
    let outbox = Outbox::open(dir.path()).unwrap();
    assert_eq!(outbox.skipped_lines(), 1);
    assert!(outbox.is_delivered("stuck"));
}

#[test]
fn a_failing_notifier_keeps_the_message_pending_and_it_is_delivered_once_later() {
    let dir = tempfile::tempdir().unwrap();
    let delivered = dir.path().join(DELIVERED_FILE);
    let flaky = Flaky {
        failures: AtomicUsize::new(2),
        calls: AtomicUsize::new(0),
        file: FileNotifier::open(&delivered).unwrap(),
    };
    let mut outbox = Outbox::open(dir.path()).unwrap();
    outbox.enqueue(message("a")).unwrap();
    let t0 = at("2026-03-10T18:00:00+05:00");
    let r = outbox.deliver_due(&flaky, t0);
    assert_eq!((r.delivered, r.failed, r.pending), (0, 1, 1));
    assert_eq!(outbox.attempts("a"), Some(1));
    // Backoff: 30 s after the first failure, nothing is tried.
    let r = outbox.deliver_due(&flaky, at("2026-03-10T18:00:20+05:00"));
    assert_eq!((r.delivered, r.failed, r.pending), (0, 0, 1));
    assert_eq!(flaky.calls.load(Ordering::SeqCst), 1);
    // The second failure survives a restart: the next wait is 60 s.
    let r = outbox.deliver_due(&flaky, at("2026-03-10T18:00:30+05:00"));
    assert_eq!((r.failed, r.pending), (1, 1));
    drop(outbox);
    let mut outbox = Outbox::open(dir.path()).unwrap();
    assert_eq!(outbox.attempts("a"), Some(2));
    let r = outbox.deliver_due(&flaky, at("2026-03-10T18:01:00+05:00"));
    assert_eq!((r.delivered, r.failed), (0, 0));
    let r = outbox.deliver_due(&flaky, at("2026-03-10T18:01:30+05:00"));
    assert_eq!((r.delivered, r.failed, r.pending), (1, 0, 0));
    let r = outbox.deliver_due(&flaky, at("2026-03-10T19:00:00+05:00"));
    assert_eq!((r.delivered, r.failed, r.pending), (0, 0, 0));
    assert_eq!(flaky.calls.load(Ordering::SeqCst), 3);
    let lines = delivered_lines(&delivered);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["key"], "a");
}

#[test]
fn the_file_notifier_never_writes_a_key_twice_across_a_crash_before_the_mark() {
    let dir = tempfile::tempdir().unwrap();
    let delivered = dir.path().join(DELIVERED_FILE);
    let mut outbox = Outbox::open(dir.path()).unwrap();
    outbox.enqueue(message("a")).unwrap();
    outbox.enqueue(message("b")).unwrap();
    // Delivered by the notifier, and the process dies before the outbox records it.
    let file = FileNotifier::open(&delivered).unwrap();
    file.deliver(&message("a")).unwrap();
    file.deliver(&message("a")).unwrap();
    drop(file);
    drop(outbox);
    assert_eq!(delivered_lines(&delivered).len(), 1);
    // After the restart "a" is still pending and delivered again: no second line.
    let mut outbox = Outbox::open(dir.path()).unwrap();
    assert_eq!(outbox.pending_count(), 2);
    let file = FileNotifier::open(&delivered).unwrap();
    let r = outbox.deliver_due(&file, at("2026-03-10T18:05:00+05:00"));
    assert_eq!((r.delivered, r.pending), (2, 0));
    let keys: Vec<String> = delivered_lines(&delivered).iter().map(|l| l["key"].as_str().unwrap().to_owned()).collect();
    assert_eq!(keys, ["a", "b"]);
}

/// Three children of KOK, two places: a round on Tuesday 10 March 2026 at 18:00 issues two
/// vouchers (confirm by Thursday 12 March).
fn two_vouchers(center: &mut Center) -> Vec<String> {
    two_vouchers_from(center).1
}

fn two_vouchers_from(center: &mut Center) -> (TestKiosk, Vec<String>) {
    let kiosk = kok_queue(center, &["K1-A", "K1-B", "K1-C"], 2);
    let run = center.distribute("KOK", at("2026-03-10T18:00:00+05:00")).unwrap();
    assert_eq!(run.vouchers.len(), 2);
    (kiosk, run.vouchers.iter().map(|v| v.application.clone()).collect())
}

fn kinds(path: &Path, kind: &str) -> Vec<serde_json::Value> {
    delivered_lines(path).into_iter().filter(|l| l["kind"] == kind).collect()
}

#[test]
fn a_scan_after_a_round_sends_one_voucher_message_per_voucher_once() {
    let (dir, mut center) = center();
    let vouchers = two_vouchers(&mut center);
    let data = tempfile::tempdir().unwrap();
    let delivered = data.path().join(OUTBOX_DIR).join(DELIVERED_FILE);
    let notifications = Notifications::open_with_file(data.path()).unwrap();
    notifications.set_language(&adult_iin(7), Lang::Kk).unwrap();
    let now = at("2026-03-10T18:00:30+05:00");
    assert_eq!(notifications.scan_center(&center, now).unwrap(), 2);
    let report = notifications.deliver_due(now);
    assert_eq!((report.delivered, report.pending), (2, 0));
    let lines = kinds(&delivered, "voucherIssued");
    assert_eq!(lines.len(), 2);
    let mut keys: Vec<&str> = lines.iter().map(|l| l["key"].as_str().unwrap()).collect();
    keys.sort_unstable();
    let mut expected: Vec<String> =
        vouchers.iter().map(|id| format!("voucher:{id}:2026-03-10T18:00:00+05:00")).collect();
    expected.sort();
    assert_eq!(keys, expected);
    for line in &lines {
        assert_eq!(line["lang"], "kk");
        assert_eq!(line["to"]["iin"], adult_iin(7));
        let app = line["key"].as_str().unwrap().split(':').nth(1).unwrap();
        assert!(line["text"].as_str().unwrap().contains(app), "{line}");
        assert!(line["text"].as_str().unwrap().contains("12.03.2026"), "{line}");
    }
    // Nothing new on a second scan, nor after reopening (the keys are durable).
    assert_eq!(notifications.scan_center(&center, now).unwrap(), 0);
    drop(notifications);
    let notifications = Notifications::open_with_file(data.path()).unwrap();
    assert_eq!(notifications.language(&adult_iin(7)), Lang::Kk);
    assert_eq!(notifications.scan_center(&center, at("2026-03-10T19:00:00+05:00")).unwrap(), 0);
    assert_eq!(notifications.deliver_due(at("2026-03-10T19:00:00+05:00")).delivered, 0);
    assert_eq!(delivered_lines(&delivered).len(), 2);
    drop(dir);
}

#[test]
fn the_deadline_reminder_comes_only_on_the_day_before() {
    let (_dir, mut center) = center();
    let vouchers = two_vouchers(&mut center);
    let data = tempfile::tempdir().unwrap();
    let delivered = data.path().join(OUTBOX_DIR).join(DELIVERED_FILE);
    let notifications = Notifications::open_with_file(data.path()).unwrap();
    let scan = |now: &str| {
        notifications.scan_center(&center, at(now)).unwrap();
        notifications.deliver_due(at(now));
        kinds(&delivered, "deadlineTomorrow").len()
    };
    // Tuesday evening: the deadline is Thursday, not the next working day.
    assert_eq!(scan("2026-03-10T19:00:00+05:00"), 0);
    // Wednesday 11 March: Thursday is the next working day.
    assert_eq!(scan("2026-03-11T09:00:00+05:00"), 2);
    assert_eq!(scan("2026-03-11T20:00:00+05:00"), 2);
    // Thursday, the deadline's own day: nothing new.
    assert_eq!(scan("2026-03-12T09:00:00+05:00"), 2);
    let lines = kinds(&delivered, "deadlineTomorrow");
    let mut keys: Vec<&str> = lines.iter().map(|l| l["key"].as_str().unwrap()).collect();
    keys.sort_unstable();
    let mut expected: Vec<String> = vouchers.iter().map(|id| format!("deadline:{id}:confirm:2026-03-12")).collect();
    expected.sort();
    assert_eq!(keys, expected);
    assert!(lines[0]["text"].as_str().unwrap().contains("12.03.2026"));
    assert_eq!(lines[0]["lang"], "ru");
}

/// A fake SMTP server for one connection: records the envelope and the data.
fn fake_smtp() -> (String, std::thread::JoinHandle<(Vec<String>, String)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut out = stream.try_clone().unwrap();
        let mut reader = BufReader::new(stream);
        let mut envelope = Vec::new();
        let mut data = String::new();
        out.write_all(b"220 fake ESMTP\r\n").unwrap();
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            let command = line.trim_end().to_owned();
            let upper = command.to_ascii_uppercase();
            if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                out.write_all(b"250 fake\r\n").unwrap();
            } else if upper.starts_with("MAIL") || upper.starts_with("RCPT") {
                envelope.push(command);
                out.write_all(b"250 OK\r\n").unwrap();
            } else if upper == "DATA" {
                out.write_all(b"354 go on\r\n").unwrap();
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim_end() == "." {
                        break;
                    }
                    data.push_str(&line);
                }
                out.write_all(b"250 queued\r\n").unwrap();
            } else if upper == "QUIT" {
                out.write_all(b"221 bye\r\n").unwrap();
                break;
            } else {
                out.write_all(b"250 OK\r\n").unwrap();
            }
        }
        (envelope, data)
    });
    (url, handle)
}

#[test]
fn smtp_sends_to_the_parents_address_with_the_subject_and_a_message_id_from_the_key() {
    let (url, server) = fake_smtp();
    let smtp = SmtpNotifier::new(&url, "Kezek <noreply@kezek.test>").unwrap();
    let mut m = message("voucher:KOK-K1-2026-1:2026-03-10T18:00:00+05:00");
    m.lang = Lang::En;
    m.subject = "Kezek: a voucher was issued".into();
    // Without an e-mail: a typed error, nothing sent.
    let err = smtp.deliver(&m).unwrap_err();
    assert_eq!(err.code(), "NO_ADDRESS");
    assert!(err.is_permanent());
    m.to.email = Some("parent@example.kz".into());
    smtp.deliver(&m).unwrap();
    let (envelope, data) = server.join().unwrap();
    assert!(envelope.iter().any(|c| c.contains("noreply@kezek.test")), "{envelope:?}");
    assert!(envelope.iter().any(|c| c.to_ascii_uppercase().starts_with("RCPT") && c.contains("parent@example.kz")));
    assert!(data.contains("Subject: Kezek: a voucher was issued"), "{data}");
    let id = center::notify::smtp::message_id(&m.key);
    assert!(data.contains(&format!("Message-ID: {id}")), "{data}");
}

#[test]
fn an_unreachable_smtp_server_keeps_the_message_pending() {
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let smtp = SmtpNotifier::new(&format!("smtp://127.0.0.1:{port}"), "noreply@kezek.test").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut outbox = Outbox::open(dir.path()).unwrap();
    let mut with_mail = message("a");
    with_mail.to.email = Some("parent@example.kz".into());
    outbox.enqueue(with_mail).unwrap();
    outbox.enqueue(message("no-mail")).unwrap();
    let r = outbox.deliver_due(&smtp, at("2026-03-10T18:00:00+05:00"));
    assert_eq!((r.delivered, r.failed, r.undeliverable, r.pending), (0, 1, 1, 1));
    assert_eq!(outbox.pending().iter().map(|m| m.key.as_str()).collect::<Vec<_>>(), ["a"]);
}

#[test]
fn send_now_delivers_at_once_and_once() {
    let data = tempfile::tempdir().unwrap();
    let notifications = Notifications::open_with_file(data.path()).unwrap();
    let to = Recipient { iin: adult_iin(7), phone: Some("+7 701 000 00 00".into()), email: None };
    let m = Message::sign_in_code(to, Lang::Kk, "123456", 5, at("2026-03-10T18:00:00+05:00"));
    assert_eq!(m.key, format!("code:{}:2026-03-10T18:00:00+05:00", adult_iin(7)));
    assert!(notifications.send_now(m.clone()).unwrap());
    assert!(notifications.send_now(m).unwrap());
    let lines = delivered_lines(&data.path().join(OUTBOX_DIR).join(DELIVERED_FILE));
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["kind"], "signInCode");
    assert!(lines[0]["text"].as_str().unwrap().contains("123456"));
    assert_eq!(lines[0]["lang"], "kk");
}

#[test]
fn serve_writes_the_vouchers_messages_to_the_delivered_file() {
    let (dir, mut center) = center();
    if common::pg::postgres_run() {
        return;
    }
    // Registered yesterday, a round now: two vouchers issued at the real clock's time.
    let now = center::now();
    let yesterday = rules::Date(now.local_date().0.pred_opt().unwrap());
    let time = |hh: &str| format!("{yesterday}T{hh}:00:00+05:00");
    let mut kiosk = TestKiosk::new("K1").with_staff(&time("09"));
    let year = now.local_date().year() - 3;
    let birth = format!("{year}-05-05");
    for (i, id) in ["K1-A", "K1-B", "K1-C"].iter().enumerate() {
        let serial = u32::try_from(i).unwrap();
        kiosk.register_child(&time("10"), application(id, &child_iin(&birth, serial), &birth, RightClass::None));
    }
    kiosk.add_places(&time("11"), "K1-P1", year, 2);
    center.add_kiosk("K1", DISTRICT, &kiosk.key.public_hex(), Instant(now.0 - chrono::Duration::days(2))).unwrap();
    center.ingest(&kiosk.all(), now, None).unwrap();
    let run = center.distribute("KOK", now).unwrap();
    assert_eq!(run.vouchers.len(), 2);
    drop(center);
    let delivered = dir.path().join(OUTBOX_DIR).join(DELIVERED_FILE);
    let server = proc::Server::start(dir.path(), &[]);
    let mut lines = Vec::new();
    for _ in 0..200 {
        lines = kinds(&delivered, "voucherIssued");
        if lines.len() >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(lines.len(), 2, "server log: {}", server.stderr.lock().unwrap());
    for v in &run.vouchers {
        assert!(lines.iter().any(|l| l["key"].as_str().unwrap().starts_with(&format!("voucher:{}:", v.application))));
    }
    // The server says what it delivered.
    let mut said = String::new();
    for _ in 0..100 {
        said = server.stderr.lock().unwrap().clone();
        if said.contains("notifier file: 2 delivered, 0 failed, 0 undeliverable, 0 pending") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(said.contains("notifier file: 2 delivered, 0 failed, 0 undeliverable, 0 pending"), "{said}");
    drop(server);
}

#[test]
fn retries_wait_30_seconds_doubling_up_to_an_hour() {
    use center::notify::outbox::backoff;
    let secs: Vec<i64> = [1, 2, 3, 7, 8, 50, u32::MAX].iter().map(|n| backoff(*n).num_seconds()).collect();
    assert_eq!(secs, [30, 60, 120, 1920, 3600, 3600, 3600]);
}

#[test]
fn a_reviewers_decision_on_a_refusal_is_told_once_in_the_parents_language() {
    let (_dir, mut center) = center();
    let (mut kiosk, vouchers) = two_vouchers_from(&mut center);
    kiosk.last_contact = Some("2026-03-10T18:00:00+05:00".into());
    for (hour, app) in [(9, &vouchers[0]), (10, &vouchers[1])] {
        kiosk.confirm_choose_and_be_refused("2026-03-11", hour, app);
    }
    center.ingest(&kiosk.all(), at("2026-03-11T12:00:00+05:00"), None).unwrap();
    let reviewer = NewUser {
        login: "rev".into(),
        name: "Рецензент".into(),
        role: StaffRole::Reviewer,
        districts: vec![DISTRICT.into()],
        password: "secret-pass".into(),
    };
    center.add_user(CENTER_ID, reviewer, at("2026-03-11T12:30:00+05:00")).unwrap();
    let rev = center.check_password("rev", "secret-pass").unwrap();
    let data = tempfile::tempdir().unwrap();
    let delivered = data.path().join(OUTBOX_DIR).join(DELIVERED_FILE);
    let notifications = Notifications::open_with_file(data.path()).unwrap();
    notifications.set_language(&adult_iin(7), Lang::En).unwrap();
    // Nothing decided yet: no refusal message.
    notifications.scan_center(&center, at("2026-03-11T12:45:00+05:00")).unwrap();
    assert!(kinds(&delivered, "refusalDecided").is_empty());
    assert!(center.refusal_decisions().is_empty());
    let overruled = format!("R-{}", vouchers[0]);
    let upheld = format!("R-{}", vouchers[1]);
    center.review(&overruled, Decision::Overrule, &rev, at("2026-03-11T13:00:00+05:00"), None).unwrap();
    center.review(&upheld, Decision::Uphold, &rev, at("2026-03-11T13:05:00+05:00"), None).unwrap();
    for _ in 0..2 {
        notifications.scan_center(&center, at("2026-03-11T13:10:00+05:00")).unwrap();
        notifications.deliver_due(at("2026-03-11T13:10:00+05:00"));
    }
    let lines = kinds(&delivered, "refusalDecided");
    assert_eq!(lines.len(), 2);
    let find = |key: String| lines.iter().find(|l| l["key"] == key.as_str()).unwrap_or_else(|| panic!("{key}"));
    let first = find(format!("refusal:{}:2026-03-11T13:00:00+05:00", vouchers[0]));
    assert_eq!(first["lang"], "en");
    assert!(first["text"].as_str().unwrap().contains("overruled"), "{first}");
    assert!(first["text"].as_str().unwrap().contains(&vouchers[0]), "{first}");
    let second = find(format!("refusal:{}:2026-03-11T13:05:00+05:00", vouchers[1]));
    assert!(second["text"].as_str().unwrap().contains("upheld"), "{second}");
    // A fresh outbox a week and more later does not announce old decisions.
    let later = tempfile::tempdir().unwrap();
    let fresh = Notifications::open_with_file(later.path()).unwrap();
    fresh.scan_center(&center, at("2026-03-19T13:10:00+05:00")).unwrap();
    fresh.deliver_due(at("2026-03-19T13:10:00+05:00"));
    assert!(kinds(&later.path().join(OUTBOX_DIR).join(DELIVERED_FILE), "refusalDecided").is_empty());
}

#[test]
fn serve_refuses_an_unusable_smtp_setup_at_start() {
    let data = tempfile::tempdir().unwrap();
    let out = proc::cli(data.path(), &["serve", "--notifier", "smtp"], &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--smtp-url") && stderr.contains("--smtp-from"), "{stderr}");
    let cases =
        [("bogus://relay", "noreply@kezek.test", "SETUP"), ("smtp://127.0.0.1:1", "not an address", "BAD_ADDRESS")];
    for (url, from, code) in cases {
        let args = ["serve", "--notifier", "smtp", "--smtp-url", url, "--smtp-from", from];
        let out = proc::cli(data.path(), &args, &[]);
        assert!(!out.status.success());
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(text.contains(&format!("\"code\":\"{code}\"")), "{text}");
    }
}

/// A center that runs for years: the keys of sent messages are forgotten
/// `SENT_KEYS_KEPT_DAYS` after the newest message's creation, at a compaction, so the
/// journal and the outbox's memory stay bounded; keys younger than that are still never
/// sent twice, and a digest line written before creation instants were kept is never
/// forgotten.
#[test]
fn the_keys_of_long_sent_messages_are_forgotten_and_younger_ones_kept() {
    use center::notify::outbox::{COMPACT_AFTER_SPENT_LINES, OUTBOX_FILE, SENT_KEYS_KEPT_DAYS};
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join(OUTBOX_FILE);
    // A journal compacted by the previous version: a digest line without its instant.
    let legacy = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"legacy"));
    std::fs::write(&journal, format!("{{\"op\":\"finished\",\"keySha256\":\"{legacy}\"}}\n")).unwrap();
    let file = FileNotifier::open(&dir.path().join(DELIVERED_FILE)).unwrap();
    let mut outbox = Outbox::open(dir.path()).unwrap();
    assert!(outbox.is_delivered("legacy"));
    let start = at("2026-03-10T18:00:00+05:00");
    let day = |n: i64| Instant(start.0 + chrono::Duration::days(n));
    let send = |outbox: &mut Outbox, key: &str, created: Instant| {
        assert!(outbox.enqueue(Message { created_at: created, ..message(key) }).unwrap(), "{key}");
        assert_eq!(outbox.deliver_due(&file, created).delivered, 1, "{key}");
    };
    send(&mut outbox, "old", day(0));
    send(&mut outbox, "young", day(10));
    // Enough messages on the hundredth day for compactions to run.
    for i in 0..2 * COMPACT_AFTER_SPENT_LINES {
        send(&mut outbox, &format!("today-{i}"), day(SENT_KEYS_KEPT_DAYS + 5));
    }
    outbox.compact().unwrap();
    assert!(!outbox.knows("old"), "sent 95 days before the newest message");
    assert!(outbox.is_delivered("young") && outbox.is_delivered("legacy"));
    let text = std::fs::read_to_string(&journal).unwrap();
    assert_eq!(text.lines().count(), 2 * COMPACT_AFTER_SPENT_LINES + 2, "young, legacy and today's");
    drop(outbox);
    let mut outbox = Outbox::open(dir.path()).unwrap();
    assert!(!outbox.knows("old"));
    assert!(!outbox.enqueue(message("young")).unwrap(), "a kept key is not sent again after a restart");
    assert!(!outbox.enqueue(message("today-7")).unwrap());
}

/// Notices look back no further than the outbox keeps keys: a voucher issued more than
/// `VOUCHER_NOTICE_DAYS` ago is not announced, even to an outbox that never saw it.
#[test]
fn a_voucher_older_than_the_notice_window_is_not_announced() {
    use center::notify::due::VOUCHER_NOTICE_DAYS;
    let (_dir, mut center) = center();
    two_vouchers(&mut center);
    let issued = at("2026-03-10T18:00:00+05:00");
    let after = |days: i64| Instant(issued.0 + chrono::Duration::days(days));
    let data = tempfile::tempdir().unwrap();
    let notifications = Notifications::open_with_file(data.path()).unwrap();
    assert_eq!(notifications.scan_center(&center, after(VOUCHER_NOTICE_DAYS)).unwrap(), 0);
    assert_eq!(notifications.scan_center(&center, after(VOUCHER_NOTICE_DAYS - 1)).unwrap(), 2);
}
