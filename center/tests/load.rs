//! Load: many kiosks (registered keys, real signed bundles) upload at once to one real
//! `kezek-center serve` on 127.0.0.1. No entry may be lost or stored twice; throughput and
//! request latency (p50, p99) are printed.
//!
//! Defaults (CI): 100 kiosks x 50 entries in uploads of 10. Larger runs:
//! `KEZEK_LOAD_KIOSKS`, `KEZEK_LOAD_ENTRIES`, `KEZEK_LOAD_CHUNK` (`just bench` runs it in
//! release mode with more entries).
#![allow(clippy::unwrap_used, clippy::cast_precision_loss)]

mod common;

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use center::Center;
use center::client::{PushOptions, fetch_ack, push_with};
use changelog::sync::open_ack;
use common::proc::{Server, env_count};
use common::*;
use rules::RightClass;

/// Kiosk `k`'s entries: staff, then registrations (children born on a date of their own).
fn load_kiosk(k: usize, entries: usize) -> TestKiosk {
    let mut kiosk = TestKiosk::new(&format!("L{k:04}")).with_staff("2026-03-10T08:00:00+05:00");
    let birth = format!("{}-{:02}-{:02}", 2021 + k / 336, 1 + (k % 336) / 28, 1 + k % 28);
    for i in 0..entries.saturating_sub(2) {
        let id = format!("{}-{i}", kiosk.id);
        let minute = u32::try_from(i).unwrap();
        let time = format!("2026-03-{:02}T{:02}:{:02}:00+05:00", 10 + minute / 840, 9 + minute % 840 / 60, minute % 60);
        kiosk.register_child(&time, application(&id, &child_iin(&birth, minute), &birth, RightClass::None));
    }
    kiosk
}

/// The nearest-rank percentile `p` (in per cent) of sorted durations.
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let rank = (sorted.len() * p).div_ceil(100).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[test]
fn a_hundred_kiosks_upload_at_once_nothing_lost_or_doubled() {
    let kiosks = env_count("KEZEK_LOAD_KIOSKS", 100);
    let per_kiosk = env_count("KEZEK_LOAD_ENTRIES", 50);
    let chunk = env_count("KEZEK_LOAD_CHUNK", 10) as u64;
    // Child IINs are distinct up to 1,000 registrations per kiosk and 1,000 kiosks.
    assert!((1..=1000).contains(&kiosks) && (3..=1002).contains(&per_kiosk));
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("center");
    let fleet: Vec<TestKiosk> = (0..kiosks).map(|k| load_kiosk(k, per_kiosk)).collect();
    Center::init(&data, None).unwrap();
    let key = {
        let mut center = Center::open(&data).unwrap();
        for kiosk in &fleet {
            kiosk.register(&mut center);
        }
        center.public_key()
    };
    let server = Server::start(&data, &[]);

    // A fleet at once meets the server's bounds (busy answers with Retry-After): kiosks retry.
    let options = PushOptions {
        attempts: 10,
        initial_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(500),
        timeout: Duration::from_mins(1),
    };
    let start = Arc::new(Barrier::new(kiosks + 1));
    let uploads: Vec<_> = fleet
        .iter()
        .map(|kiosk| {
            let bundles: Vec<(u64, Vec<u8>)> = (1..=per_kiosk as u64)
                .step_by(usize::try_from(chunk).unwrap())
                .map(|from| {
                    let to = (from + chunk - 1).min(per_kiosk as u64);
                    (to, kiosk.bundle(from, to))
                })
                .collect();
            let (url, id, start, options) = (server.url.clone(), kiosk.id.clone(), Arc::clone(&start), options.clone());
            let signer = kiosk.signer();
            std::thread::spawn(move || {
                start.wait();
                let mut latencies = Vec::new();
                let mut acked = 0;
                for (to, bundle) in bundles {
                    let sent = Instant::now();
                    let ack = push_with(&url, &signer, &bundle, &options).unwrap_or_else(|e| panic!("{id}: {e:?}"));
                    latencies.push(sent.elapsed());
                    let ack = open_ack(&ack, &key).unwrap();
                    assert_eq!(ack.accepted_through_seq, to, "{id}: each upload is acknowledged in full");
                    assert!(ack.quarantined.is_empty(), "{id}: {:?}", ack.quarantined);
                    acked = ack.accepted_through_seq;
                }
                (acked, latencies)
            })
        })
        .collect();
    start.wait();
    let began = Instant::now();
    let mut latencies = Vec::new();
    for upload in uploads {
        let (acked, mut own) = upload.join().unwrap();
        assert_eq!(acked, per_kiosk as u64);
        latencies.append(&mut own);
    }
    let elapsed = began.elapsed();

    // The center's own view: every kiosk's head is its last entry.
    for kiosk in &fleet {
        let ack = open_ack(&fetch_ack(&server.url, &kiosk.signer(), &options).unwrap(), &key).unwrap();
        assert_eq!(ack.accepted_through_seq, per_kiosk as u64);
        assert_eq!(ack.head_hash, hex::encode(kiosk.entries.last().unwrap().hash()));
    }
    drop(server);
    // After a restart (the log replayed: a doubled entry would not replay), every entry is
    // there exactly once.
    let center = Center::open(&data).unwrap();
    let heads: u64 = center.kiosks().iter().map(|k| k.accepted_through_seq).sum();
    assert_eq!(heads, (kiosks * per_kiosk) as u64, "0 lost");
    let apps: Vec<String> = center.state().applications().map(|a| a.id.clone()).collect();
    assert_eq!(apps.len(), kiosks * (per_kiosk - 2), "every registration applied once");
    let unique: std::collections::BTreeSet<&String> = apps.iter().collect();
    assert_eq!(unique.len(), apps.len(), "0 duplicated");
    assert!(center.review_items().is_empty(), "no conflicts among the kiosks");

    latencies.sort();
    let entries = kiosks * per_kiosk;
    println!(
        "load: {kiosks} kiosks x {per_kiosk} entries in uploads of {chunk}: {entries} entries, {} requests in {:.2} s; \
         {:.0} entries/s, {:.1} requests/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        elapsed.as_secs_f64(),
        entries as f64 / elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 50).as_secs_f64() * 1000.0,
        percentile(&latencies, 99).as_secs_f64() * 1000.0,
        latencies.last().unwrap().as_secs_f64() * 1000.0,
    );
}
