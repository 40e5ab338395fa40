//! National scale (`center-bench --national`): one center holding the queue of the whole
//! country, on each store.
//!
//! - The directory: 17 regions × 12 districts (204 districts), 8 kindergartens each (kk and
//!   ru groups, general queue).
//! - 3,000 kiosks spread over the districts, each with its staff (an office operator and a
//!   kindergarten member for the district's kindergartens), its registrations (1,000,000
//!   applications in all: `--applications`, `--national-kiosks`) and places added now and
//!   then (one record per 40 registrations), signed in parallel, one bundle per ≤ 500 entries.
//! - For each store: the bundles ingested through the real ingest (group commit as in the
//!   ingest bench), then what a center does with such a store: start (read the whole log and
//!   refold it), one district's signed snapshot, and one region's distribution round (a round
//!   for each of its 12 districts, each a durable center log entry).

use std::time::Instant as Clock;

use center::any_store::AnyStore;
use center::store::CenterStore;
use center::{Center, Upload};
use changelog::{Bundle, Payload};
use rules::model::{GroupLanguage, NewPlaces};
use rules::{Command, Instant};

use super::{
    Kiosk, StoreKind, Stores, application, cpu_secs, fresh_dir, minute, rate, server_cpu_secs, start_cluster, store_url,
};

/// The size of the national dataset.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub applications: usize,
    pub kiosks: usize,
    pub regions: usize,
    pub districts_per_region: usize,
    pub kindergartens_per_district: usize,
}

impl Default for Scale {
    fn default() -> Self {
        Scale {
            applications: 1_000_000,
            kiosks: 3_000,
            regions: 17,
            districts_per_region: 12,
            kindergartens_per_district: 8,
        }
    }
}

impl Scale {
    fn districts(&self) -> Vec<String> {
        (1..=self.regions)
            .flat_map(|r| (1..=self.districts_per_region).map(move |d| format!("R{r:02}-D{d:02}")))
            .collect()
    }

    fn kindergartens(&self, district: &str) -> Vec<String> {
        (1..=self.kindergartens_per_district).map(|k| format!("KG-{district}-{k:02}")).collect()
    }
}

/// A kiosk's signed uploads, without its entries (only the bundles are kept).
struct Signed {
    id: String,
    district: String,
    public_hex: String,
    bundles: Vec<Vec<u8>>,
    entries: usize,
}

/// Kiosk `k`'s log: staff, `count` registrations whose children are numbered from `first`,
/// and a places record per 40 registrations.
fn national_kiosk(scale: &Scale, k: usize, first: usize, count: usize) -> Signed {
    let districts = scale.districts();
    let district = districts[k % districts.len()].clone();
    let kindergartens = scale.kindergartens(&district);
    let start: Instant = "2026-03-10T08:00:00+05:00".parse().expect("instant");
    let mut kiosk = Kiosk::staffed(format!("{district}-K{k:04}"), kindergartens.clone(), start);
    for i in 0..count {
        let time = minute(start, (kiosk.entries.len()) / 4);
        let mut app = application(format!("{}-{i:05}", kiosk.id), first + i);
        app.district.clone_from(&district);
        kiosk.push(time, "op", &Payload::Command { command: Command::Register { application: app } });
        if i % 40 == 39 {
            let places = NewPlaces {
                id: format!("{}-P{i:05}", kiosk.id),
                kindergarten: kindergartens[(i / 40) % kindergartens.len()].clone(),
                language: if i % 80 == 39 { GroupLanguage::Kk } else { GroupLanguage::Ru },
                group_year: 2022 + i32::try_from((i / 40) % 4).expect("small"),
                count: u32::try_from(i % 5 + 1).expect("small"),
            };
            kiosk.push(time, "kg", &Payload::Command { command: Command::AddPlaces { places } });
        }
    }
    let bundles = kiosk
        .entries
        .chunks(500)
        .map(|chunk| Bundle { kiosk: kiosk.id.clone(), entries: chunk.to_vec() }.to_bytes())
        .collect();
    Signed { id: kiosk.id.clone(), district, public_hex: kiosk.key.public_hex(), bundles, entries: kiosk.entries.len() }
}

/// Every kiosk's log, signed on all cores.
fn generate(scale: &Scale) -> Vec<Signed> {
    let per = scale.applications / scale.kiosks;
    let extra = scale.applications % scale.kiosks;
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let mut out: Vec<Option<Signed>> = (0..scale.kiosks).map(|_| None).collect();
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    (t..scale.kiosks)
                        .step_by(threads)
                        .map(|k| {
                            let first = k * per + k.min(extra);
                            let count = per + usize::from(k < extra);
                            (k, national_kiosk(scale, k, first, count))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for worker in workers {
            for (k, signed) in worker.join().expect("generator thread") {
                out[k] = Some(signed);
            }
        }
    });
    out.into_iter().map(|s| s.expect("every kiosk generated")).collect()
}

/// The kindergarten directory of `scale`, as the file `init` reads.
fn directory(scale: &Scale) -> String {
    let mut all = Vec::new();
    for (n, district) in scale.districts().iter().enumerate() {
        for (k, id) in scale.kindergartens(district).into_iter().enumerate() {
            all.push(serde_json::json!({
                "id": id,
                "district": district,
                "queueType": "general",
                "name": { "ru": format!("Детский сад № {}", k + 1), "kk": format!("№ {} балабақша", k + 1) },
                "ownership": "state",
                "address": format!("район {}, ул. Абая, {}", n + 1, k + 1),
                "phone": "+7 (7172) 00-00-00",
                "languages": ["kk", "ru"],
            }));
        }
    }
    serde_json::to_string(&all).expect("json")
}

/// Resident set size of this process now and at its peak, in MiB (`/proc/self/status`).
fn memory_mib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Bytes under `path` (the embedded store's folder).
fn folder_bytes(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path).map_or(0, |dir| {
        dir.flatten()
            .map(|e| match e.metadata() {
                Ok(m) if m.is_dir() => folder_bytes(&e.path()),
                Ok(m) => m.len(),
                Err(_) => 0,
            })
            .sum()
    })
}

/// The size of the accepted log in PostgreSQL (table, indexes, TOAST).
fn table_bytes(url: &str) -> u64 {
    postgres::Client::connect(url, postgres::NoTls)
        .and_then(|mut c| c.query_one("SELECT pg_total_relation_size('accepted_log')", &[]))
        .map_or(0, |row| u64::try_from(row.get::<_, i64>(0)).unwrap_or(0))
}

fn mib(bytes: u64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let bytes = bytes as f64;
    bytes / (1024.0 * 1024.0)
}

/// What the national run measured on one store.
struct Measured {
    kind: StoreKind,
    ingest_secs: f64,
    ingest_cpu: f64,
    /// CPU time of the PostgreSQL server's processes during the ingest.
    server_cpu: Option<f64>,
    commits: usize,
    applications: usize,
    stored_mib: f64,
    start_secs: f64,
    start_cpu: f64,
    /// Reading the whole log from the store alone (no decoding, no fold).
    read_secs: f64,
    rss_mib: u64,
    /// A clone of the whole state replacing an earlier one (what the fold does for its
    /// checkpoint at the first kiosk entry after a center entry).
    clone_secs: f64,
    snapshot_secs: Vec<f64>,
    snapshot_bytes: usize,
    snapshot_applications: usize,
    round_secs: Vec<f64>,
    vouchers: usize,
}

fn measure(kind: StoreKind, scale: &Scale, signed: &[Signed], group: usize, directory: &std::path::Path) -> Measured {
    let entries: usize = signed.iter().map(|s| s.entries).sum();
    let cluster = if kind == StoreKind::Postgres { start_cluster(Stores::Postgres) } else { None };
    let dir = fresh_dir(&format!("national-{}", kind.label()), Some(directory));
    let url = store_url(kind, cluster.as_ref());
    let mut center = Center::open_at(&dir, None, url.as_deref()).expect("open");
    let registered: Instant = "2026-03-01T09:00:00+05:00".parse().expect("instant");
    for kiosk in signed {
        center.add_kiosk(&kiosk.id, &kiosk.district, &kiosk.public_hex, registered).expect("add kiosk");
    }
    // Every kiosk's first bundle, then every kiosk's second, …: kiosk times interleave.
    let rounds = signed.iter().map(|s| s.bundles.len()).max().unwrap_or(0);
    let bundles: Vec<&[u8]> =
        (0..rounds).flat_map(|r| signed.iter().filter_map(move |s| s.bundles.get(r).map(Vec::as_slice))).collect();
    eprintln!("{}: ingesting {} bundles…", kind.label(), bundles.len());
    let received: Instant = "2026-03-31T18:00:00+05:00".parse().expect("instant");
    let server_pid = cluster.as_ref().and_then(center::pg_cluster::PgCluster::pid);
    let server_before = server_pid.map(server_cpu_secs);
    let started = Clock::now();
    let cpu_before = cpu_secs();
    let mut commits = 0;
    for chunk in bundles.chunks(group.max(1)) {
        let uploads: Vec<Upload<'_>> =
            chunk.iter().map(|b| Upload { bytes: b, expected_kiosk: None, contact_head: None }).collect();
        commits += 1;
        for result in center.ingest_group(&uploads, received) {
            let report = result.expect("ingest").report;
            assert!(report.review.is_empty() && report.quarantined.is_empty(), "{report:?}");
        }
    }
    let ingest_secs = started.elapsed().as_secs_f64();
    let ingest_cpu = cpu_secs() - cpu_before;
    let server_cpu = server_pid.zip(server_before).map(|(pid, before)| server_cpu_secs(pid) - before);
    let applications = center.state().applications().count();
    assert_eq!(applications, scale.applications);
    drop(center);
    let stored_mib = mib(url.as_deref().map_or_else(|| folder_bytes(&dir), table_bytes));
    let read_secs = {
        let store = AnyStore::open(&dir.join(center::DB_DIR), url.as_deref()).expect("store");
        let started = Clock::now();
        let mut records = 0usize;
        store
            .read_log(&mut |_| {
                records += 1;
                Ok(())
            })
            .expect("read log");
        assert!(records >= entries, "{records} records");
        started.elapsed().as_secs_f64()
    };

    eprintln!("{}: starting the center (replay)…", kind.label());
    let started = Clock::now();
    let cpu_before = cpu_secs();
    let mut center = Center::open_at(&dir, None, url.as_deref()).expect("reopen");
    let start_secs = started.elapsed().as_secs_f64();
    let start_cpu = cpu_secs() - cpu_before;
    let rss_mib = memory_mib().0;
    assert_eq!(center.state().applications().count(), applications);
    // What the fold pays at the first kiosk entry after a center entry: a new checkpoint (a
    // clone of the whole state) and the previous one dropped; timed once the allocator has memory to reuse.
    drop(center.state().clone());
    let started = Clock::now();
    drop(center.state().clone());
    let clone_secs = started.elapsed().as_secs_f64();

    let districts = scale.districts();
    let now: Instant = "2026-04-01T10:00:00+05:00".parse().expect("instant");
    let mut snapshot_secs = Vec::new();
    let mut snapshot_bytes = 0;
    let mut snapshot_applications = 0;
    for _ in 0..3 {
        let started = Clock::now();
        let (snapshot, bytes) = center.snapshot(&districts[0], now).expect("snapshot");
        snapshot_secs.push(started.elapsed().as_secs_f64());
        snapshot_bytes = bytes.len();
        snapshot_applications = snapshot.applications.len();
    }
    eprintln!("{}: distribution round of region R01…", kind.label());
    let mut round_secs = Vec::new();
    let mut vouchers = 0;
    for district in districts.iter().filter(|d| d.starts_with("R01-")) {
        let started = Clock::now();
        let run = center.distribute(district, now).expect("distribute");
        round_secs.push(started.elapsed().as_secs_f64());
        vouchers += run.vouchers.len();
    }
    drop(center);
    let _ = std::fs::remove_dir_all(&dir);
    Measured {
        kind,
        ingest_secs,
        ingest_cpu,
        server_cpu,
        commits,
        applications,
        stored_mib,
        start_secs,
        start_cpu,
        read_secs,
        rss_mib,
        clone_secs,
        snapshot_secs,
        snapshot_bytes,
        snapshot_applications,
        round_secs,
        vouchers,
    }
}

/// Runs the national-scale measurements on `stores` and prints them.
pub fn run(scale: Scale, stores: Stores, group: usize) {
    let districts = scale.districts();
    eprintln!(
        "national scale: generating {} applications from {} kiosks in {} districts of {} regions…",
        scale.applications,
        scale.kiosks,
        districts.len(),
        scale.regions
    );
    let started = Clock::now();
    let signed = generate(&scale);
    let generate_secs = started.elapsed().as_secs_f64();
    let entries: usize = signed.iter().map(|s| s.entries).sum();
    let bundle_bytes: usize = signed.iter().flat_map(|s| s.bundles.iter().map(Vec::len)).sum();
    let directory_file = std::env::temp_dir().join(format!("kezek-national-kindergartens-{}.json", std::process::id()));
    std::fs::write(&directory_file, directory(&scale)).expect("directory file");

    let mut measured = Vec::new();
    if stores.embedded() {
        measured.push(measure(StoreKind::Embedded, &scale, &signed, group, &directory_file));
    }
    if stores.postgres() {
        measured.push(measure(StoreKind::Postgres, &scale, &signed, group, &directory_file));
    }
    let _ = std::fs::remove_file(&directory_file);

    println!(
        "national dataset:          {} applications, {} kiosks, {} districts in {} regions, {} kindergartens",
        scale.applications,
        scale.kiosks,
        districts.len(),
        scale.regions,
        districts.len() * scale.kindergartens_per_district
    );
    println!(
        "generated:                 {entries} signed entries in {:.1} s, {:.1} MiB of bundles",
        generate_secs,
        mib(bundle_bytes as u64)
    );
    for m in &measured {
        let label = m.kind.label();
        let server = m.server_cpu.map(|s| format!(" + {s:.1} s server CPU")).unwrap_or_default();
        println!(
            "{label:<8} ingest:           {:.1} s ({:.0} events/s, {} group commits, {:.1} s on CPU{server}); {} applications; log {:.0} MiB on disk",
            m.ingest_secs,
            rate(entries, m.ingest_secs),
            m.commits,
            m.ingest_cpu,
            m.applications,
            m.stored_mib
        );
        println!(
            "{label:<8} center start:     {:.1} s ({:.1} s on CPU: read the log, rebuild the state; reading the log alone {:.1} s); {} MiB resident after",
            m.start_secs, m.start_cpu, m.read_secs, m.rss_mib
        );
        let shown: Vec<String> = m.snapshot_secs.iter().map(|s| format!("{:.0} ms", s * 1000.0)).collect();
        println!(
            "{label:<8} district snapshot: {} ({}: {} applications, {:.1} MiB signed)",
            shown.join(", "),
            districts[0],
            m.snapshot_applications,
            mib(m.snapshot_bytes as u64)
        );
        let total: f64 = m.round_secs.iter().sum();
        let shown: Vec<String> = m.round_secs.iter().map(|s| format!("{:.0}", s * 1000.0)).collect();
        println!(
            "{label:<8} region round:     {:.2} s for {} district rounds ({} ms, in order), {} vouchers",
            total,
            m.round_secs.len(),
            shown.join(", "),
            m.vouchers
        );
        println!(
            "{label:<8} checkpoint:       {:.0} ms (clone + drop of the whole state, as the fold does at the first kiosk entry after a center entry)",
            m.clone_secs * 1000.0
        );
    }
    let (_, peak) = memory_mib();
    println!("peak resident memory:      {peak} MiB");
    if let [embedded, postgres] = &measured[..] {
        println!(
            "postgres / embedded:       ingest {:.2}x, center start {:.2}x, snapshot {:.2}x, region round {:.2}x",
            postgres.ingest_secs / embedded.ingest_secs,
            postgres.start_secs / embedded.start_secs,
            postgres.snapshot_secs.iter().copied().fold(f64::MAX, f64::min)
                / embedded.snapshot_secs.iter().copied().fold(f64::MAX, f64::min),
            postgres.round_secs.iter().sum::<f64>() / embedded.round_secs.iter().sum::<f64>()
        );
    }
}
