//! Center ingest benchmark, with its own baseline in the same run.
//!
//! `cargo run --release -p kezek-center --bin center-bench [-- --events 100000 --kiosks 100 --bundle 500 --pairs 3 --store both]`
//!
//! - Generates signed kiosk logs (operators, registrations, withdrawals, places) with
//!   interleaved kiosk times, as many kiosks syncing the same days would produce.
//! - Baseline: raw ed25519 verification of the same entries (`verify_batch` per bundle).
//! - Measured: `Center::ingest` of the same bundles: inflate, decode, chain checks, batch
//!   signature verification, role checks, clock window, durable commit and the rules fold.
//!   One thread. `--store embedded|postgres|both` (default both): the embedded store
//!   (sled flush + fdatasync of its files) and PostgreSQL (a fresh database of a throw-away
//!   cluster the bench starts, `synchronous_commit = on`), group-committed the same way;
//!   PostgreSQL's wall time is compared with the embedded store's in the same run.
//! - Also: the size of one day's bundle of 200 realistic events.
//! - `--national`: the national-scale dataset instead (see `national.rs`).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod national;

use std::time::Instant as Clock;

use center::pg_cluster::PgCluster;
use center::{Center, Upload};
use changelog::{Bundle, EntryBody, FORMAT_VERSION, GENESIS_HASH, Hash, KioskKey, Payload, SignedEntry};
use ed25519_dalek::{Signature, VerifyingKey};
use rules::command::Role;
use rules::model::{Applicant, GroupLanguage, Kinship, NewApplication, NewPlaces, Residence, ResidenceKind};
use rules::{Action, Command, Date, Instant, QueueType, RightClass};

/// Which stores a run measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stores {
    Embedded,
    Postgres,
    Both,
}

impl Stores {
    fn embedded(self) -> bool {
        self != Stores::Postgres
    }
    fn postgres(self) -> bool {
        self != Stores::Embedded
    }
}

/// One store of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StoreKind {
    Embedded,
    Postgres,
}

impl StoreKind {
    fn label(self) -> &'static str {
        match self {
            StoreKind::Embedded => "embedded",
            StoreKind::Postgres => "postgres",
        }
    }
}

struct Args {
    events: usize,
    kiosks: usize,
    bundle: usize,
    group: usize,
    /// Alternating (baseline, ingest) pairs measured by CPU time.
    pairs: usize,
    stores: Stores,
    national: Option<national::Scale>,
}

/// What one ingest run measured.
struct Run {
    secs: f64,
    cpu: f64,
    /// CPU time of the PostgreSQL server's processes during the ingest.
    server_cpu: Option<f64>,
    commits: usize,
    accepted: usize,
    review: usize,
    quarantined: usize,
    flagged: usize,
    applications: usize,
    replay_secs: f64,
}

/// A fresh data folder with the center's key and directory (`kindergartens`: the demo one
/// when `None`).
fn fresh_dir(name: &str, kindergartens: Option<&std::path::Path>) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kezek-center-bench-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    Center::init(&dir, kindergartens).expect("init");
    dir
}

/// Where a center of `kind` keeps its log: `None` for the embedded store in the data
/// folder, else a fresh database of `cluster`.
fn store_url(kind: StoreKind, cluster: Option<&PgCluster>) -> Option<String> {
    match kind {
        StoreKind::Embedded => None,
        StoreKind::Postgres => Some(cluster.expect("a PostgreSQL cluster").store().expect("database")),
    }
}

/// Ingests every bundle into a fresh center on `kind`, `group` uploads per durable commit.
fn ingest_run(
    kiosks: &[Kiosk],
    bundles: &[Vec<u8>],
    group: usize,
    kind: StoreKind,
    cluster: Option<&PgCluster>,
) -> Run {
    let dir = fresh_dir(&format!("{}-{group}", kind.label()), None);
    let url = store_url(kind, cluster);
    let mut center = Center::open_at(&dir, None, url.as_deref()).expect("open");
    let registered: Instant = "2026-03-01T09:00:00+05:00".parse().expect("instant");
    for kiosk in kiosks {
        center.add_kiosk(&kiosk.id, "KOK", &kiosk.key.public_hex(), registered).expect("add kiosk");
    }
    let received: Instant = "2026-03-31T18:00:00+05:00".parse().expect("instant");
    let mut run = Run {
        secs: 0.0,
        cpu: 0.0,
        server_cpu: None,
        commits: 0,
        accepted: 0,
        review: 0,
        quarantined: 0,
        flagged: 0,
        applications: 0,
        replay_secs: 0.0,
    };
    let server_pid = cluster.filter(|_| kind == StoreKind::Postgres).and_then(PgCluster::pid);
    let server_before = server_pid.map(server_cpu_secs);
    let started = Clock::now();
    let cpu_before = cpu_secs();
    for chunk in bundles.chunks(group.max(1)) {
        let uploads: Vec<Upload<'_>> =
            chunk.iter().map(|b| Upload { bytes: b.as_slice(), expected_kiosk: None, contact_head: None }).collect();
        run.commits += 1;
        for result in center.ingest_group(&uploads, received) {
            let report = result.expect("ingest").report;
            run.accepted += report.accepted;
            run.review += report.review.len();
            run.quarantined += report.quarantined.len();
            run.flagged += report.flagged.len();
        }
    }
    run.secs = started.elapsed().as_secs_f64();
    run.cpu = cpu_secs() - cpu_before;
    run.server_cpu = server_pid.zip(server_before).map(|(pid, before)| server_cpu_secs(pid) - before);
    run.applications = center.state().applications().count();
    drop(center);
    let started = Clock::now();
    let reopened = Center::open_at(&dir, None, url.as_deref()).expect("reopen");
    run.replay_secs = started.elapsed().as_secs_f64();
    assert_eq!(reopened.state().applications().count(), run.applications);
    drop(reopened);
    let _ = std::fs::remove_dir_all(&dir);
    run
}

/// CPU seconds (user + system) of the PostgreSQL server `postmaster` and its children (the
/// connection's backend, the WAL writer, the checkpointer) so far, from `/proc`.
fn server_cpu_secs(postmaster: u32) -> f64 {
    let ticks = clock_ticks();
    let mut total = 0u64;
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0.0 };
    for entry in dir.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // After the command name in parentheses: state, ppid, … utime (14th field), stime (15th).
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else { continue };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let parent = fields.get(1).and_then(|f| f.parse::<u32>().ok());
        if pid == postmaster || parent == Some(postmaster) {
            let utime = fields.get(11).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
            let stime = fields.get(12).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
            total += utime + stime;
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let total = total as f64;
    total / ticks
}

/// The kernel's clock ticks per second (`getconf CLK_TCK`; 100 on Linux).
fn clock_ticks() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse::<f64>().ok())
            .filter(|t| *t > 0.0)
            .unwrap_or(100.0)
    })
}

/// The throw-away PostgreSQL cluster of this run, when a store on it is measured.
fn start_cluster(stores: Stores) -> Option<PgCluster> {
    stores.postgres().then(|| {
        eprintln!("starting a throw-away PostgreSQL cluster…");
        PgCluster::start().unwrap_or_else(|e| {
            eprintln!("{e}\n(run with --store embedded to measure the embedded store only)");
            std::process::exit(1);
        })
    })
}

const USAGE: &str = "usage: center-bench [--events N] [--kiosks K] [--bundle B] [--group G] [--pairs P] \
                     [--store embedded|postgres|both] [--national [--applications N] [--national-kiosks K]]";

fn args() -> Args {
    let mut out =
        Args { events: 100_000, kiosks: 100, bundle: 500, group: 10, pairs: 3, stores: Stores::Both, national: None };
    let mut scale = national::Scale::default();
    let usage = || -> ! {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--national" {
            out.national = Some(scale);
            continue;
        }
        let Some(value) = it.next() else { usage() };
        let number = || value.parse::<usize>().ok().filter(|n| *n > 0).unwrap_or_else(|| usage());
        match flag.as_str() {
            "--events" => out.events = number(),
            "--kiosks" => out.kiosks = number(),
            "--bundle" => out.bundle = number(),
            "--group" => out.group = number(),
            "--pairs" => out.pairs = number(),
            "--applications" => scale.applications = number(),
            "--national-kiosks" => scale.kiosks = number(),
            "--store" => {
                out.stores = match value.as_str() {
                    "embedded" => Stores::Embedded,
                    "postgres" => Stores::Postgres,
                    "both" => Stores::Both,
                    _ => usage(),
                }
            }
            _ => usage(),
        }
    }
    if out.national.is_some() {
        out.national = Some(scale);
    }
    out
}

fn child_iin(n: usize) -> (String, Date) {
    let base = Date::from_ymd(2022, 1, 1).expect("date");
    let birth = base.checked_plus_days(u32::try_from(n % 1400).expect("small")).expect("date");
    let serial = u32::try_from(n / 1400).expect("small");
    let iin =
        rules::iin::encode_near(birth, rules::Sex::Male, serial * 10).expect("one of ten serials has a check digit");
    (iin, birth)
}

fn application(id: String, n: usize) -> NewApplication {
    let (iin, birth) = child_iin(n);
    let right = match n % 10 {
        0 => RightClass::First,
        7 if n % 20 == 7 => RightClass::Extraordinary,
        _ => RightClass::None,
    };
    NewApplication {
        id,
        district: "KOK".into(),
        queue_type: QueueType::General,
        child_iin: iin,
        child_name: "Жақсылықов Арсен Есенұлы".into(),
        birth_date: birth,
        applicant: Applicant {
            iin: "851112308201".into(),
            name: "Жақсылықов Есен Мұратұлы".into(),
            kinship: Kinship::Father,
            phone: "+7 701 366 71 87".into(),
            email: n.is_multiple_of(3).then(|| "esen.zhaksylykov@mail.kz".into()),
        },
        residence: Residence {
            kind: ResidenceKind::Permanent,
            address: format!("г. Кокшетау, мкр. Коктем, д. {}, кв. {}", n % 90, n % 120),
        },
        non_resident: false,
        non_resident_documents: vec![],
        right,
        right_category: match right {
            RightClass::None => None,
            RightClass::First => Some("LARGE_FAMILY".into()),
            RightClass::Extraordinary => Some("MILITARY".into()),
        },
        right_document: (right != RightClass::None).then(|| format!("Справка № {n} от 2025-08-19")),
    }
}

struct Kiosk {
    id: String,
    key: KioskKey,
    entries: Vec<SignedEntry>,
    prev: Hash,
    registered: Vec<String>,
}

impl Kiosk {
    /// A new kiosk whose log starts with its office operator `op` and its kindergarten
    /// staff `kg` (for `kindergartens`), both added by `admin` at `start`.
    fn staffed(id: String, kindergartens: Vec<String>, start: Instant) -> Kiosk {
        let mut kiosk = Kiosk {
            id,
            key: KioskKey::generate().expect("randomness"),
            entries: Vec::new(),
            prev: GENESIS_HASH,
            registered: Vec::new(),
        };
        let staff =
            [("op", "Оператор", Role::Operator, Vec::new()), ("kg", "Сотрудник", Role::Kindergarten, kindergartens)];
        for (login, name, role, kindergartens) in staff {
            let payload = Payload::OperatorAdded { login: login.into(), name: name.into(), role, kindergartens };
            kiosk.push(start, "admin", &payload);
        }
        kiosk
    }

    fn push(&mut self, time: Instant, operator: &str, payload: &Payload) {
        let body = EntryBody {
            version: FORMAT_VERSION,
            kiosk: self.id.clone(),
            seq: self.entries.len() as u64 + 1,
            prev_hash: self.prev,
            kiosk_time: time.to_string(),
            last_contact: Some("2026-03-09T18:00:00+05:00".into()),
            operator: operator.into(),
            payload: payload.to_json(),
        };
        let entry = SignedEntry::sign(&body, self.key.signing());
        self.prev = entry.hash();
        self.entries.push(entry);
    }
}

fn minute(day_start: Instant, minutes: usize) -> Instant {
    let m = i64::try_from(minutes).expect("small");
    Instant(day_start.0 + chrono::Duration::seconds(m * 60 + (m * 7) % 60))
}

/// A kiosk's log: 2 operators, then ~85% registrations, ~10% withdrawals, ~5% places.
fn kiosk_log(k: usize, events: usize, next_child: &mut usize) -> Kiosk {
    let start: Instant = "2026-03-10T08:00:00+05:00".parse().expect("instant");
    let mut kiosk = Kiosk::staffed(format!("KOK-{k:03}"), vec!["KG-KOK-01".into()], start);
    for i in 2..events {
        let time = minute(start, i / 4);
        let command = match i % 20 {
            3 | 13 if !kiosk.registered.is_empty() => {
                let app = kiosk.registered.remove(0);
                Command::Act { application: app, action: Action::Withdraw }
            }
            7 => Command::AddPlaces {
                places: NewPlaces {
                    id: format!("{}-P{i}", kiosk.id),
                    kindergarten: "KG-KOK-01".into(),
                    language: GroupLanguage::Ru,
                    group_year: 2023,
                    count: u32::try_from(i % 5 + 1).expect("small"),
                },
            },
            _ => {
                let id = format!("{}-{i:05}", kiosk.id);
                kiosk.registered.push(id.clone());
                *next_child += 1;
                Command::Register { application: application(id, *next_child) }
            }
        };
        let operator = if matches!(command, Command::AddPlaces { .. }) { "kg" } else { "op" };
        kiosk.push(time, operator, &Payload::Command { command });
    }
    kiosk
}

/// Seconds this thread has run on a CPU (Linux), to tell computing from waiting for the disk.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|ns| ns.parse::<u64>().ok()))
        .map_or(0.0, |ns| {
            #[allow(clippy::cast_precision_loss)]
            let ns = ns as f64;
            ns / 1e9
        })
}

/// Time of each ingest stage alone (diagnostics: `KEZEK_BENCH_STAGES=1`).
fn stages(bundles: &[Vec<u8>]) {
    let t = Clock::now();
    let read: Vec<Bundle> = bundles.iter().map(|b| Bundle::read(b).expect("bundle").bundle).collect();
    eprintln!("stage inflate+frame:  {:.2} s", t.elapsed().as_secs_f64());
    let t = Clock::now();
    let bodies: Vec<EntryBody> = read.iter().flat_map(|b| b.entries.iter().map(|e| e.body().expect("body"))).collect();
    eprintln!("stage postcard body:  {:.2} s", t.elapsed().as_secs_f64());
    let t = Clock::now();
    let n: usize = read.iter().flat_map(|b| b.entries.iter().map(|e| e.hash()[0] as usize)).sum();
    eprintln!("stage sha256 hash:    {:.2} s ({n})", t.elapsed().as_secs_f64());
    let t = Clock::now();
    let payloads: Vec<Payload> = bodies.iter().map(|b| b.payload().expect("payload")).collect();
    eprintln!("stage payload json:   {:.2} s", t.elapsed().as_secs_f64());
    let t = Clock::now();
    let kgs: Vec<rules::model::Kindergarten> = serde_json::from_str(center::DEMO_KINDERGARTENS).expect("kgs");
    let mut state = rules::State::new(rules::Calendar::embedded(), kgs);
    let now: Instant = "2026-03-10T12:00:00+05:00".parse().expect("instant");
    let mut rejected = 0;
    for p in &payloads {
        if let Payload::Command { command } = p {
            match state.decide(command, now) {
                Ok(events) => events.iter().for_each(|e| state.evolve(e)),
                Err(_) => rejected += 1,
            }
        }
    }
    eprintln!("stage rules:          {:.2} s ({rejected} rejected)", t.elapsed().as_secs_f64());
}

fn rate(n: usize, secs: f64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let n = n as f64;
    n / secs
}

fn main() {
    let args = args();
    if let Some(scale) = args.national {
        national::run(scale, args.stores, args.group);
        return;
    }
    let per_kiosk = args.events / args.kiosks;
    let total = per_kiosk * args.kiosks;
    eprintln!("generating {total} signed events from {} kiosks…", args.kiosks);
    let mut next_child = 0;
    let kiosks: Vec<Kiosk> = (0..args.kiosks).map(|k| kiosk_log(k, per_kiosk, &mut next_child)).collect();
    // Upload order: round-robin over kiosks, `bundle` entries at a time (kiosk times interleave).
    let mut uploads: Vec<(usize, usize, usize)> = Vec::new();
    let mut from = 0;
    while from < per_kiosk {
        let to = (from + args.bundle).min(per_kiosk);
        for k in 0..args.kiosks {
            uploads.push((k, from, to));
        }
        from = to;
    }
    let bundles: Vec<Vec<u8>> = uploads
        .iter()
        .map(|&(k, from, to)| {
            Bundle { kiosk: kiosks[k].id.clone(), entries: kiosks[k].entries[from..to].to_vec() }.to_bytes()
        })
        .collect();

    // Baseline: raw batch verification of the same entries, bundle by bundle.
    let raw_run = || {
        let started = Clock::now();
        let cpu_before = cpu_secs();
        for &(k, from, to) in &uploads {
            let entries = &kiosks[k].entries[from..to];
            let messages: Vec<&[u8]> = entries.iter().map(SignedEntry::body_bytes).collect();
            let signatures: Vec<Signature> = entries.iter().map(|e| Signature::from_bytes(e.signature())).collect();
            let keys: Vec<VerifyingKey> = vec![kiosks[k].key.verifying(); entries.len()];
            ed25519_dalek::verify_batch(&messages, &signatures, &keys).expect("valid signatures");
        }
        (started.elapsed().as_secs_f64(), cpu_secs() - cpu_before)
    };
    let (raw_secs, raw_cpu) = raw_run();
    let started = Clock::now();
    for entry in kiosks[0].entries.iter().take(5_000) {
        assert!(entry.verify(&kiosks[0].key.verifying()));
    }
    let single_secs = started.elapsed().as_secs_f64();
    let single_n = kiosks[0].entries.len().min(5_000);

    if std::env::var_os("KEZEK_BENCH_STAGES").is_some() {
        stages(&bundles);
    }

    let cluster = start_cluster(args.stores);
    let kinds: Vec<StoreKind> = [StoreKind::Embedded, StoreKind::Postgres]
        .into_iter()
        .filter(|k| if *k == StoreKind::Embedded { args.stores.embedded() } else { args.stores.postgres() })
        .collect();
    let singles: Vec<(StoreKind, Run)> =
        kinds.iter().map(|&k| (k, ingest_run(&kiosks, &bundles, 1, k, cluster.as_ref()))).collect();
    // The machine is shared: baseline and each store's group-commit ingest again, alternating
    // (and alternating which store goes first), and the median of the per-pair ratios is the
    // figure to read.
    let mut pairs: Vec<(f64, Vec<(StoreKind, Run)>)> = Vec::new();
    for i in 0..args.pairs.max(1) {
        let raw = if i == 0 { raw_cpu } else { raw_run().1 };
        let mut order = kinds.clone();
        if i % 2 == 1 {
            order.reverse();
        }
        let mut runs: Vec<(StoreKind, Run)> =
            order.into_iter().map(|k| (k, ingest_run(&kiosks, &bundles, args.group, k, cluster.as_ref()))).collect();
        runs.sort_by_key(|(k, _)| *k == StoreKind::Postgres);
        pairs.push((raw, runs));
    }
    drop(cluster);

    // One day's bundle: 200 events, 120 registrations and 80 actions.
    let mut day = Kiosk {
        id: "KOK-001".into(),
        key: KioskKey::generate().expect("randomness"),
        entries: Vec::new(),
        prev: GENESIS_HASH,
        registered: Vec::new(),
    };
    let start: Instant = "2026-03-10T09:00:00+05:00".parse().expect("instant");
    let actions = [
        Action::ConfirmVoucher,
        Action::ChooseKindergarten { kindergarten: "KG-KOK-01".into(), language: GroupLanguage::Kk },
        Action::Withdraw,
        Action::AcceptChild,
        Action::ExtendChoice { days: 10 },
    ];
    for i in 0..200 {
        let time = minute(start, i * 2);
        if i % 5 < 3 {
            day.push(
                time,
                "op",
                &Payload::Command {
                    command: Command::Register { application: application(format!("KOK-001-{i:05}"), 500_000 + i) },
                },
            );
        } else {
            let action = actions[i % actions.len()].clone();
            day.push(
                time,
                "op",
                &Payload::Command {
                    command: Command::Act { application: format!("KOK-001-{:05}", i * 37 % 5000), action },
                },
            );
        }
    }
    let raw_day: usize = day.entries.iter().map(SignedEntry::record_len).sum();
    let day_bytes = Bundle { kiosk: day.id.clone(), entries: day.entries }.to_bytes().len();

    let raw_rate = rate(total, raw_secs);
    println!(
        "events:                    {total} ({} kiosks, {} bundles of ≤{})",
        args.kiosks,
        bundles.len(),
        args.bundle
    );
    let grouped = &pairs[0].1[0].1;
    for (_, runs) in &pairs {
        for (kind, run) in runs {
            assert_eq!(
                (run.accepted, run.applications),
                (grouped.accepted, grouped.applications),
                "{} ingested something else",
                kind.label()
            );
        }
    }
    println!(
        "accepted / review / quarantined / flagged: {} / {} / {} / {}",
        grouped.accepted, grouped.review, grouped.quarantined, grouped.flagged
    );
    println!("applications in state:     {}", grouped.applications);
    println!("single verify_strict:      {:>10.0} events/s", rate(single_n, single_secs));
    println!("raw verify_batch baseline: {raw_rate:>10.0} events/s ({raw_secs:.2} s, {raw_cpu:.2} s on CPU)");
    let first = &pairs[0].1;
    for (kind, single) in &singles {
        let grouped = &first.iter().find(|(k, _)| k == kind).expect("measured").1;
        for (label, run) in [("1 upload per commit", single), ("group commit", grouped)] {
            let ingest_rate = rate(total, run.secs);
            let server = run.server_cpu.map(|s| format!(" + {s:.2} s server CPU")).unwrap_or_default();
            println!(
                "ingest, {:<8} {label:<19} {ingest_rate:>8.0} events/s ({:.2} s, {} commits, {:.2} s on CPU{server}) = {:.1}% of raw verify",
                kind.label(),
                run.secs,
                run.commits,
                run.cpu,
                100.0 * ingest_rate / raw_rate
            );
        }
    }
    for kind in &kinds {
        // The bench thread's CPU time: PostgreSQL's own work runs in the server's processes.
        let mut ratios: Vec<f64> = pairs
            .iter()
            .map(|(raw, runs)| 100.0 * raw / runs.iter().find(|(k, _)| k == kind).expect("measured").1.cpu)
            .collect();
        let shown: Vec<String> = ratios.iter().map(|r| format!("{r:.1}%")).collect();
        println!(
            "by CPU time of the ingest thread, {}, {} alternating pairs: {} -> median {:.1}% of raw verify",
            kind.label(),
            ratios.len(),
            shown.join(", "),
            median(&mut ratios)
        );
    }
    if kinds.len() == 2 {
        let mut ratios: Vec<f64> = pairs.iter().map(|(_, runs)| runs[1].1.secs / runs[0].1.secs).collect();
        let shown: Vec<String> = ratios.iter().map(|r| format!("{r:.2}x")).collect();
        let median = median(&mut ratios);
        println!(
            "postgres / embedded, wall time, group commit, {} runs: {} -> median {median:.2}x (goal <= 2x): {}",
            ratios.len(),
            shown.join(", "),
            if median <= 2.0 { "PASS" } else { "FAIL" }
        );
    }
    for (kind, run) in first {
        println!("restart replay, {:<8}  {:.2} s", kind.label(), run.replay_secs);
    }
    println!("day bundle (200 events):   {day_bytes} bytes compressed, {raw_day} bytes raw (goal < 50 KB)");
}

/// The median (sorts `values`).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
