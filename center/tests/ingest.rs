//! Ingest of signed kiosk logs: acceptance, idempotence, quarantine, roles, clocks, conflicts.
#![allow(clippy::unwrap_used, clippy::type_complexity, clippy::too_many_lines)]

mod common;

use center::{Center, IngestError};
use changelog::sync::{ClockProblem, open_ack};
use changelog::{Payload, SignedEntry};
use common::*;
use rules::command::Role;
use rules::{Action, Command, RightClass, Status};

const DAY: &str = "2026-03-10T10:00:00+05:00";
const RECEIVED: &str = "2026-03-10T18:00:00+05:00";

fn kiosk_with_children(id: &str, n: u32) -> TestKiosk {
    let mut kiosk = TestKiosk::new(id).with_staff("2026-03-10T09:00:00+05:00");
    for i in 0..n {
        let iin = child_iin("2023-05-10", 100 + i + 100 * u32::from(id.as_bytes()[id.len() - 1]));
        kiosk.register_child(
            &format!("2026-03-10T10:{i:02}:00+05:00"),
            application(&format!("{id}-{i}"), &iin, "2023-05-10", RightClass::None),
        );
    }
    kiosk
}

#[test]
fn happy_path_accepts_acks_and_survives_a_restart() {
    let (dir, mut center) = center();
    let kiosk = kiosk_with_children("K1", 3);
    kiosk.register(&mut center);
    let ingested = center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap();
    let report = &ingested.report;
    assert_eq!((report.entries, report.accepted, report.duplicates), (5, 5, 0));
    assert!(report.quarantined.is_empty() && report.review.is_empty() && report.flagged.is_empty(), "{report:?}");
    let ack = open_ack(&ingested.ack_bytes, &center.public_key()).unwrap();
    assert_eq!(ack.accepted_through_seq, 5);
    assert_eq!(ack.head_hash, hex::encode(kiosk.entries[4].hash()));
    assert_eq!(ack.center_time, at(RECEIVED));
    assert_eq!(center.state().applications().count(), 3);
    let app = center.state().application("K1-1").unwrap();
    assert_eq!(app.status, Status::Queued);
    assert_eq!(app.registered_at, at("2026-03-10T10:01:00+05:00"));
    let before = applications_json(&center);
    drop(center);
    let reopened = Center::open(dir.path()).unwrap();
    assert_eq!(applications_json(&reopened), before, "the state is rebuilt from the durable log");
    assert_eq!(reopened.kiosks()[0].accepted_through_seq, 5);
}

#[test]
fn a_resent_bundle_changes_nothing_and_uploads_resume() {
    let (_dir, mut center) = center();
    let mut kiosk = kiosk_with_children("K1", 2);
    kiosk.register(&mut center);
    center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap();
    let state = applications_json(&center);
    let again = center.ingest(&kiosk.all(), at("2026-03-10T19:00:00+05:00"), None).unwrap();
    assert_eq!((again.report.accepted, again.report.duplicates), (0, 4));
    assert!(again.report.quarantined.is_empty());
    assert_eq!(applications_json(&center), state);
    // The kiosk goes on and sends everything again with two new entries: only those count.
    kiosk.register_child(DAY, application("K1-9", &child_iin("2023-06-01", 9), "2023-06-01", RightClass::None));
    kiosk.act(DAY, "op", "K1-0", Action::Withdraw);
    let resumed = center.ingest(&kiosk.all(), at("2026-03-10T19:00:00+05:00"), None).unwrap();
    assert_eq!((resumed.report.accepted, resumed.report.duplicates, resumed.report.accepted_through_seq), (2, 4, 6));
    assert_eq!(center.state().application("K1-0").unwrap().status, Status::Archived);
    // A bundle starting in the middle of what was accepted is fine too.
    let tail = center.ingest(&kiosk.bundle(5, 6), at("2026-03-10T19:00:00+05:00"), None).unwrap();
    assert_eq!((tail.report.accepted, tail.report.duplicates), (0, 2));
}

#[test]
fn a_fork_is_quarantined_and_the_accepted_chain_stays() {
    let (_dir, mut center) = center();
    let kiosk = kiosk_with_children("K1", 2);
    kiosk.register(&mut center);
    center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap();
    // A restored backup: the same kiosk writes a different entry 4.
    let restored = TestKiosk {
        entries: kiosk.entries[..3].to_vec(),
        key: changelog::KioskKey::from_secret(kiosk.key.signing().to_bytes()),
        ..TestKiosk::new("K1")
    };
    let mut restored = rebuild(restored);
    restored.register_child(DAY, application("K1-X", &child_iin("2023-07-01", 3), "2023-07-01", RightClass::None));
    let ingested = center.ingest(&restored.all(), at(RECEIVED), None).unwrap();
    let report = ingested.report;
    assert_eq!((report.accepted, report.duplicates), (0, 3));
    assert_eq!(report.quarantined.len(), 1);
    assert_eq!((report.quarantined[0].seq, report.quarantined[0].code.as_str()), (4, "FORK"));
    assert_eq!(report.accepted_through_seq, 4);
    assert!(center.state().application("K1-X").is_none());
    assert!(center.state().application("K1-1").is_some());
    let listed = center.quarantine();
    assert_eq!(listed.len(), 1);
    assert!(!listed[0].resolved);
    assert_eq!(listed[0].note.kiosk, "K1");
}

/// Recomputes the chain head of a kiosk built from a prefix of entries.
fn rebuild(kiosk: TestKiosk) -> TestKiosk {
    let TestKiosk { id, key, entries, .. } = kiosk;
    let mut fresh = TestKiosk { id, key, entries: Vec::new(), ..TestKiosk::new("unused") };
    for entry in entries {
        let body = entry.body().unwrap();
        let payload = body.payload().unwrap();
        fresh.push(&body.kiosk_time, &body.operator, &payload);
    }
    fresh
}

#[test]
fn a_gap_is_quarantined_until_the_missing_entries_come() {
    let (_dir, mut center) = center();
    let kiosk = kiosk_with_children("K1", 4);
    kiosk.register(&mut center);
    center.ingest(&kiosk.bundle(1, 2), at(RECEIVED), None).unwrap();
    let gap = center.ingest(&kiosk.bundle(4, 6), at(RECEIVED), None).unwrap().report;
    assert_eq!(gap.accepted, 0);
    let codes: Vec<(u64, &str)> = gap.quarantined.iter().map(|n| (n.seq, n.code.as_str())).collect();
    assert_eq!(codes, vec![(4, "SEQUENCE_GAP"), (5, "AFTER_QUARANTINED"), (6, "AFTER_QUARANTINED")]);
    assert_eq!(gap.accepted_through_seq, 2);
    let ack = open_ack(&center.ack("K1", at(RECEIVED)).unwrap().1, &center.public_key()).unwrap();
    assert_eq!(ack.quarantined.len(), 3);
    let filled = center.ingest(&kiosk.bundle(3, 6), at(RECEIVED), None).unwrap().report;
    assert_eq!((filled.accepted, filled.accepted_through_seq), (4, 6));
    assert!(center.quarantine().iter().all(|q| q.resolved), "{:?}", center.quarantine());
    assert!(center.ack("K1", at(RECEIVED)).unwrap().0.quarantined.is_empty());
}

fn flip_signature(entry: &SignedEntry) -> SignedEntry {
    let mut signature = *entry.signature();
    signature[5] ^= 0x40;
    SignedEntry::from_parts(entry.body_bytes().to_vec(), signature)
}

#[test]
fn a_bad_signature_stops_the_stream_there_and_a_bad_first_entry_writes_nothing() {
    let (_dir, mut center) = center();
    let mut kiosk = kiosk_with_children("K1", 3);
    kiosk.register(&mut center);
    let good = kiosk.entries.clone();
    kiosk.entries[3] = flip_signature(&good[3]);
    let report = center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap().report;
    assert_eq!((report.accepted, report.accepted_through_seq), (3, 3));
    // The stream stops at entry 4. It is not signed by the kiosk, so it is set aside without a
    // note (anyone could have written it); the kiosk's own entry after it waits in quarantine.
    assert_eq!(report.unattributed, 1);
    let codes: Vec<(u64, &str)> = report.quarantined.iter().map(|n| (n.seq, n.code.as_str())).collect();
    assert_eq!(codes, vec![(5, "AFTER_QUARANTINED")]);
    assert_eq!(center.state().applications().count(), 1);

    // A bundle whose first entry does not verify is refused whole, nothing is recorded.
    let before = (applications_json(&center), center.quarantine().len());
    let err = center.ingest(&kiosk.bundle(4, 5), at(RECEIVED), None).unwrap_err();
    assert!(matches!(err, IngestError::Unauthenticated { seq: 4, .. }), "{err:?}");
    // Signed by another key: refused the same way.
    let impostor = TestKiosk::new("K1");
    let mut forged = rebuild(TestKiosk { entries: good.clone(), ..impostor });
    forged.entries.truncate(3);
    let err = center.ingest(&forged.bundle(1, 3), at(RECEIVED), None).unwrap_err();
    assert!(matches!(err, IngestError::Unauthenticated { .. }), "{err:?}");
    assert_eq!((applications_json(&center), center.quarantine().len()), before);
    // The genuine entries are accepted afterwards.
    kiosk.entries = good;
    assert_eq!(center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap().report.accepted_through_seq, 5);
}

#[test]
fn unknown_and_revoked_kiosks_are_refused() {
    let (_dir, mut center) = center();
    let kiosk = kiosk_with_children("K1", 1);
    assert!(matches!(center.ingest(&kiosk.all(), at(RECEIVED), None), Err(IngestError::UnknownKiosk(_))));
    kiosk.register(&mut center);
    center.revoke_kiosk("K1", at(DAY)).unwrap();
    assert!(matches!(center.ingest(&kiosk.all(), at(RECEIVED), None), Err(IngestError::RevokedKiosk(_))));
    assert_eq!(center.state().applications().count(), 0);
    assert!(matches!(center.ingest(&kiosk.all(), at(RECEIVED), Some("K2")), Err(IngestError::KioskMismatch { .. })));
    assert!(matches!(center.ingest(b"garbage", at(RECEIVED), None), Err(IngestError::BadBundle(_))));
}

/// The child the bad entries of [`roles_are_checked_again_at_the_center`] register.
fn child_a() -> rules::model::NewApplication {
    application("K1-A", &child_iin("2023-01-05", 1), "2023-01-05", RightClass::None)
}

#[test]
fn roles_are_checked_again_at_the_center() {
    let cases: Vec<(&str, Box<dyn Fn(&mut TestKiosk)>)> = vec![
        (
            "WRONG_ROLE",
            Box::new(|k: &mut TestKiosk| {
                k.register_child_as(DAY, "kg", child_a());
            }),
        ),
        (
            "WRONG_ROLE",
            Box::new(|k: &mut TestKiosk| {
                let places = rules::model::NewPlaces {
                    id: "K1-P".into(),
                    kindergarten: KG.into(),
                    language: rules::model::GroupLanguage::Ru,
                    group_year: 2023,
                    count: 2,
                };
                k.push(DAY, "op", &Payload::Command { command: Command::AddPlaces { places } });
            }),
        ),
        (
            "WRONG_KINDERGARTEN",
            Box::new(|k: &mut TestKiosk| {
                let places = rules::model::NewPlaces {
                    id: "K1-P".into(),
                    kindergarten: "KG-KOK-02".into(),
                    language: rules::model::GroupLanguage::Kk,
                    group_year: 2023,
                    count: 2,
                };
                k.push(DAY, "kg", &Payload::Command { command: Command::AddPlaces { places } });
            }),
        ),
        (
            "FORBIDDEN_COMMAND",
            Box::new(|k: &mut TestKiosk| {
                k.push(DAY, "op", &Payload::Command { command: Command::Distribute { district: DISTRICT.into() } });
            }),
        ),
        (
            "UNKNOWN_OPERATOR",
            Box::new(|k: &mut TestKiosk| {
                k.register_child_as(DAY, "nobody", child_a());
            }),
        ),
        (
            "FORBIDDEN_ROLE",
            Box::new(|k: &mut TestKiosk| {
                k.push(
                    DAY,
                    "admin",
                    &Payload::OperatorAdded {
                        login: "boss".into(),
                        name: "x".into(),
                        role: Role::Center,
                        kindergartens: vec![],
                    },
                );
            }),
        ),
        (
            "UNKNOWN_OPERATOR",
            Box::new(|k: &mut TestKiosk| {
                k.push(DAY, "admin", &Payload::OperatorDisabled { login: "op".into() });
                k.register_child(DAY, child_a());
            }),
        ),
    ];
    for (code, bad) in cases {
        let (_dir, mut center) = center();
        let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
        kiosk.register(&mut center);
        bad(&mut kiosk);
        let bad_seq = kiosk.next_seq() - 1;
        kiosk.register_child(DAY, application("K1-OK", &child_iin("2023-02-02", 2), "2023-02-02", RightClass::None));
        let report = center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap().report;
        assert_eq!(report.accepted_through_seq, bad_seq - 1, "{code}: {report:?}");
        assert_eq!(report.quarantined[0].code, code, "{report:?}");
        assert_eq!(report.quarantined[0].seq, bad_seq);
        assert!(center.state().application("K1-OK").is_none(), "entries after the bad one wait in quarantine");
    }
}

#[test]
fn kiosk_times_outside_the_window_are_clamped_and_flagged_never_dropped() {
    let (_dir, mut center) = center();
    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    kiosk.register(&mut center);
    // Clock ahead: a day after the receipt.
    kiosk.register_born("2026-03-11T18:00:00+05:00", "K1-FUT", "2023-03-03", 1, RightClass::None);
    // Clock behind: before the kiosk was even registered.
    kiosk.register_born("2025-12-31T10:00:00+05:00", "K1-PAST", "2023-03-04", 2, RightClass::None);
    kiosk.register_born("not a time", "K1-BAD", "2023-03-05", 3, RightClass::None);
    let report = center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap().report;
    assert_eq!(report.accepted, 5);
    let flags: Vec<(u64, ClockProblem)> = report.flagged.iter().map(|f| (f.seq, f.problem)).collect();
    assert_eq!(
        flags,
        vec![(3, ClockProblem::AfterReceipt), (4, ClockProblem::BeforeLastContact), (5, ClockProblem::Unreadable)]
    );
    let fut = &report.flagged[0];
    assert_eq!(fut.kiosk_time, "2026-03-11T18:00:00+05:00");
    assert_eq!((fut.effective_time, fut.window_from, fut.window_to), (at(RECEIVED), at(REGISTERED), at(RECEIVED)));
    assert_eq!(center.state().application("K1-FUT").unwrap().registered_at, at(RECEIVED));
    // Effective times never go back within one kiosk's stream.
    assert_eq!(center.state().application("K1-PAST").unwrap().registered_at, at(RECEIVED));
    let items = center.review_items();
    let clock: Vec<&str> = items.iter().filter(|i| i.kind == "clock").map(|i| i.id.as_str()).collect();
    assert_eq!(clock, vec!["C-K1-3", "C-K1-4", "C-K1-5"]);
    // A kiosk that saw the center's ack at 12:00 cannot place anything before it.
    let mut later = TestKiosk::new("K2").with_staff("2026-03-10T12:30:00+05:00");
    later.register(&mut center);
    later.last_contact = Some("2026-03-10T12:00:00+05:00".into());
    later.register_child(
        "2026-03-10T11:00:00+05:00",
        application("K2-A", &child_iin("2023-03-06", 4), "2023-03-06", RightClass::None),
    );
    let report = center.ingest(&later.all(), at(RECEIVED), None).unwrap().report;
    assert_eq!(report.flagged.len(), 1);
    // Clamped to the contact it claims (account entries, here written at 12:30, order no
    // command and do not bound the times after them).
    assert_eq!(center.state().application("K2-A").unwrap().registered_at, at("2026-03-10T12:00:00+05:00"));
}

/// The same child at two kiosks; kiosk B registered it first. Also non-conflicting traffic.
fn two_kiosks() -> (TestKiosk, TestKiosk) {
    let twin = child_iin("2023-04-04", 77);
    let mut a = TestKiosk::new("KA").with_staff("2026-03-10T08:00:00+05:00");
    a.register_child(
        "2026-03-10T09:00:00+05:00",
        application("KA-1", &child_iin("2023-04-01", 1), "2023-04-01", RightClass::None),
    );
    a.register_child("2026-03-10T11:00:00+05:00", application("KA-TWIN", &twin, "2023-04-04", RightClass::None));
    a.register_child(
        "2026-03-10T12:00:00+05:00",
        application("KA-2", &child_iin("2023-04-02", 2), "2023-04-02", RightClass::First),
    );
    a.act("2026-03-10T13:00:00+05:00", "op", "KA-TWIN", Action::Withdraw);
    let mut b = TestKiosk::new("KB").with_staff("2026-03-10T08:00:00+05:00");
    b.register_child(
        "2026-03-10T09:30:00+05:00",
        application("KB-1", &child_iin("2023-04-03", 3), "2023-04-03", RightClass::None),
    );
    b.register_child("2026-03-10T10:00:00+05:00", application("KB-TWIN", &twin, "2023-04-04", RightClass::None));
    b.register_child(
        "2026-03-10T14:00:00+05:00",
        application("KB-2", &child_iin("2023-04-05", 5), "2023-04-05", RightClass::None),
    );
    (a, b)
}

#[test]
fn a_child_registered_at_two_kiosks_is_resolved_the_same_in_both_sync_orders() {
    let mut results = Vec::new();
    for order in [["KA", "KB"], ["KB", "KA"]] {
        let (_dir, mut center) = center();
        let (a, b) = two_kiosks();
        a.register(&mut center);
        b.register(&mut center);
        for (i, id) in order.iter().enumerate() {
            let kiosk = if *id == "KA" { &a } else { &b };
            let received = if i == 0 { "2026-03-10T18:00:00+05:00" } else { "2026-03-10T18:30:00+05:00" };
            center.ingest(&kiosk.all(), at(received), None).unwrap();
        }
        assert_eq!(center.state().application("KB-TWIN").unwrap().status, Status::Queued, "earliest registration kept");
        assert!(center.state().application("KA-TWIN").is_none(), "the later one is a duplicate");
        let items = center.review_items();
        let dup = items.iter().find(|i| i.id == "E-KA-4").expect("duplicate in review");
        assert_eq!(
            (dup.kind.as_str(), dup.code.as_str(), dup.duplicate_of.as_deref()),
            ("duplicate", "DUPLICATE_CHILD", Some("KB-TWIN"))
        );
        // The withdrawal of the duplicate finds no application: kept for review, stream goes on.
        assert!(items.iter().any(|i| i.id == "E-KA-6" && i.code == "UNKNOWN_APPLICATION"));
        let ack = center.ack("KA", at(RECEIVED)).unwrap().0;
        assert_eq!(ack.accepted_through_seq, 6);
        assert_eq!(ack.review.len(), 2);
        let ids: Vec<String> = items.iter().map(|i| i.id.clone()).collect();
        results.push((applications_json(&center), ids, center.snapshot(DISTRICT, at(RECEIVED)).unwrap().0.positions));
    }
    assert_eq!(results[0], results[1], "final state identical across sync orders");
}

#[test]
fn the_report_of_a_late_upload_names_the_entries_it_displaced() {
    let (_dir, mut center) = center();
    let (a, b) = two_kiosks();
    a.register(&mut center);
    b.register(&mut center);
    let first = center.ingest(&a.all(), at(RECEIVED), None).unwrap().report;
    assert!(first.review.is_empty(), "A-TWIN is fine as long as nobody else registered the child");
    let second = center.ingest(&b.all(), at("2026-03-10T18:30:00+05:00"), None).unwrap().report;
    let displaced: Vec<(String, u64, String)> =
        second.review.iter().map(|n| (n.kiosk.clone(), n.seq, n.code.clone())).collect();
    assert!(displaced.contains(&("KA".into(), 4, "DUPLICATE_CHILD".into())), "{displaced:?}");
}

#[test]
fn rules_rejections_go_to_review_and_do_not_stop_the_stream() {
    let (_dir, mut center) = center();
    let mut kiosk = TestKiosk::new("K1").with_staff("2026-03-10T09:00:00+05:00");
    kiosk.register(&mut center);
    kiosk.register_child(DAY, application("K1-A", &child_iin("2023-01-05", 1), "2023-01-05", RightClass::None));
    center.ingest(&kiosk.all(), at(RECEIVED), None).unwrap();
    kiosk.add_places("2026-03-10T18:10:00+05:00", "K1-P1", 2023, 1);
    center.ingest(&kiosk.all(), at("2026-03-10T18:20:00+05:00"), None).unwrap();
    let run = center.distribute(DISTRICT, at("2026-03-10T19:00:00+05:00")).unwrap();
    assert_eq!(run.vouchers.len(), 1);
    // Offline, the office confirms a day after the deadline (Thu 12 March, 23:59:59), then registers another child.
    kiosk.last_contact = Some("2026-03-10T19:00:00+05:00".into());
    let late = kiosk.act("2026-03-13T10:00:00+05:00", "op", "K1-A", Action::ConfirmVoucher);
    kiosk.register_child(
        "2026-03-13T10:05:00+05:00",
        application("K1-B", &child_iin("2023-01-06", 2), "2023-01-06", RightClass::None),
    );
    let report = center.ingest(&kiosk.all(), at("2026-03-13T12:00:00+05:00"), None).unwrap().report;
    assert_eq!(report.accepted, 2);
    assert!(report.quarantined.is_empty());
    assert_eq!(report.review.len(), 1);
    assert_eq!((report.review[0].seq, report.review[0].code.as_str()), (late, "DEADLINE_PASSED"));
    assert_eq!(center.state().application("K1-B").unwrap().status, Status::Queued);
    let item = center.review_items().into_iter().find(|i| i.id == format!("E-K1-{late}")).unwrap();
    assert_eq!((item.kind.as_str(), item.status.as_str()), ("conflict", "open"));
}

#[test]
fn group_commit_gives_the_same_results_as_one_upload_at_a_time() {
    let (a, b) = two_kiosks();
    let uploads: Vec<Vec<u8>> = vec![a.bundle(1, 4), b.all(), a.all(), b"junk".to_vec(), a.all()];
    let (_d1, mut one) = center();
    let (dir, mut group) = center();
    for c in [&mut one, &mut group] {
        a.register(c);
        b.register(c);
    }
    let sequential: Vec<_> = uploads.iter().map(|u| one.ingest(u, at(RECEIVED), None).map(|i| i.report)).collect();
    let refs: Vec<center::Upload<'_>> = uploads
        .iter()
        .map(|u| center::Upload { bytes: u.as_slice(), expected_kiosk: None, contact_head: None })
        .collect();
    let grouped: Vec<_> = group.ingest_group(&refs, at(RECEIVED)).into_iter().map(|r| r.map(|i| i.report)).collect();
    assert_eq!(sequential.len(), grouped.len());
    for (s, g) in sequential.iter().zip(&grouped) {
        match (s, g) {
            (Ok(s), Ok(g)) => assert_eq!(s, g),
            (Err(s), Err(g)) => assert_eq!(s.code(), g.code()),
            _ => panic!("{s:?} vs {g:?}"),
        }
    }
    assert_eq!(applications_json(&one), applications_json(&group));
    drop(group);
    assert_eq!(applications_json(&Center::open(dir.path()).unwrap()), applications_json(&one));
}
