//! Center ingest benchmark, with its own baseline in the same run.
//!
//! `cargo run --release -p kezek-center --bin center-bench [-- --events 100000 --kiosks 100 --bundle 500 --pairs 3]`
//!
//! - Generates signed kiosk logs (operators, registrations, withdrawals, places) with
//!   interleaved kiosk times, as many kiosks syncing the same days would produce.
//! - Baseline: raw ed25519 verification of the same entries (`verify_batch` per bundle).
//! - Measured: `Center::ingest` of the same bundles: inflate, decode, chain checks, batch
//!   signature verification, role checks, clock window, durable commit (sled flush +
//!   fdatasync of its files) and the rules fold. One thread.
//! - Also: the size of one day's bundle of 200 realistic events.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::Instant as Clock;

use center::{Center, Upload};
use changelog::{Bundle, EntryBody, FORMAT_VERSION, GENESIS_HASH, Hash, KioskKey, Payload, SignedEntry};
use ed25519_dalek::{Signature, VerifyingKey};
use rules::command::Role;
use rules::iin::check_digit;
use rules::model::{Applicant, GroupLanguage, Kinship, NewApplication, NewPlaces, Residence, ResidenceKind};
use rules::{Action, Command, Date, Instant, QueueType, RightClass};

struct Args {
    events: usize,
    kiosks: usize,
    bundle: usize,
    group: usize,
    /// Alternating (baseline, ingest) pairs measured by CPU time.
    pairs: usize,
}

/// What one ingest run measured.
struct Run {
    secs: f64,
    cpu: f64,
    commits: usize,
    accepted: usize,
    review: usize,
    quarantined: usize,
    flagged: usize,
    applications: usize,
    replay_secs: f64,
}

/// Ingests every bundle into a fresh center, `group` uploads per durable commit.
fn ingest_run(kiosks: &[Kiosk], bundles: &[Vec<u8>], group: usize) -> Run {
    let dir = std::env::temp_dir().join(format!("kezek-center-bench-{}-{group}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    Center::init(&dir, None).expect("init");
    let mut center = Center::open(&dir).expect("open");
    let registered: Instant = "2026-03-01T09:00:00+05:00".parse().expect("instant");
    for kiosk in kiosks {
        center.add_kiosk(&kiosk.id, "KOK", &kiosk.key.public_hex(), registered).expect("add kiosk");
    }
    let received: Instant = "2026-03-31T18:00:00+05:00".parse().expect("instant");
    let mut run = Run {
        secs: 0.0,
        cpu: 0.0,
        commits: 0,
        accepted: 0,
        review: 0,
        quarantined: 0,
        flagged: 0,
        applications: 0,
        replay_secs: 0.0,
    };
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
    run.applications = center.state().applications().count();
    drop(center);
    let started = Clock::now();
    let reopened = Center::open(&dir).expect("reopen");
    run.replay_secs = started.elapsed().as_secs_f64();
    assert_eq!(reopened.state().applications().count(), run.applications);
    drop(reopened);
    let _ = std::fs::remove_dir_all(&dir);
    run
}

fn args() -> Args {
    let mut out = Args { events: 100_000, kiosks: 100, bundle: 500, group: 10, pairs: 3 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().and_then(|v| v.parse().ok());
        match (flag.as_str(), value) {
            ("--events", Some(v)) => out.events = v,
            ("--kiosks", Some(v)) => out.kiosks = v,
            ("--bundle", Some(v)) => out.bundle = v,
            ("--group", Some(v)) => out.group = v,
            ("--pairs", Some(v)) => out.pairs = v,
            _ => {
                eprintln!("usage: center-bench [--events N] [--kiosks K] [--bundle B] [--group G] [--pairs P]");
                std::process::exit(2);
            }
        }
    }
    out
}

fn child_iin(n: usize) -> (String, Date) {
    let base = Date::from_ymd(2022, 1, 1).expect("date");
    let birth = base.checked_plus_days(u32::try_from(n % 1400).expect("small")).expect("date");
    let serial = u32::try_from(n / 1400).expect("small");
    let yymmdd = birth.0.format("%y%m%d").to_string();
    for s in (serial * 10)..(serial * 10 + 10) {
        let prefix = format!("{yymmdd}5{:04}", s % 10_000);
        let digits: Vec<u32> = prefix.bytes().map(|b| u32::from(b - b'0')).collect();
        if let Some(check) = check_digit(&digits) {
            return (format!("{prefix}{check}"), birth);
        }
    }
    panic!("no IIN for {n}");
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
    let mut kiosk = Kiosk {
        id: format!("KOK-{k:03}"),
        key: KioskKey::generate().expect("randomness"),
        entries: Vec::new(),
        prev: GENESIS_HASH,
        registered: Vec::new(),
    };
    let start: Instant = "2026-03-10T08:00:00+05:00".parse().expect("instant");
    kiosk.push(
        start,
        "admin",
        &Payload::OperatorAdded {
            login: "op".into(),
            name: "Оператор".into(),
            role: Role::Operator,
            kindergartens: vec![],
        },
    );
    kiosk.push(
        start,
        "admin",
        &Payload::OperatorAdded {
            login: "kg".into(),
            name: "Сотрудник".into(),
            role: Role::Kindergarten,
            kindergartens: vec!["KG-KOK-01".into()],
        },
    );
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
    let kgs: Vec<rules::model::Kindergarten> = serde_json::from_str(center::center::DEMO_KINDERGARTENS).expect("kgs");
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

    let single = ingest_run(&kiosks, &bundles, 1);
    let grouped = ingest_run(&kiosks, &bundles, args.group);
    // The machine is shared: baseline and ingest again, alternating, and the median of the
    // per-pair CPU ratios is the figure to read.
    let mut pair_ratios = vec![100.0 * raw_cpu / grouped.cpu];
    for _ in 1..args.pairs {
        let (_, raw) = raw_run();
        let run = ingest_run(&kiosks, &bundles, args.group);
        pair_ratios.push(100.0 * raw / run.cpu);
    }

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
    println!(
        "accepted / review / quarantined / flagged: {} / {} / {} / {}",
        grouped.accepted, grouped.review, grouped.quarantined, grouped.flagged
    );
    println!("applications in state:     {}", grouped.applications);
    println!("single verify_strict:      {:>10.0} events/s", rate(single_n, single_secs));
    println!("raw verify_batch baseline: {raw_rate:>10.0} events/s ({raw_secs:.2} s)");
    for (label, run) in [("1 upload per commit", &single), ("group commit", &grouped)] {
        let ingest_rate = rate(total, run.secs);
        println!(
            "ingest, {label:<19} {ingest_rate:>10.0} events/s ({:.2} s, {} commits, {:.2} s on CPU) = {:.1}% of raw verify",
            run.secs,
            run.commits,
            run.cpu,
            100.0 * ingest_rate / raw_rate
        );
    }
    println!(
        "by CPU time (not disturbed by other load): raw verify {raw_cpu:.2} s, ingest {:.2} s = {:.1}%",
        grouped.cpu,
        100.0 * raw_cpu / grouped.cpu
    );
    let shown: Vec<String> = pair_ratios.iter().map(|r| format!("{r:.1}%")).collect();
    pair_ratios.sort_by(f64::total_cmp);
    println!(
        "by CPU time, {} alternating pairs: {} -> median {:.1}% of raw verify",
        pair_ratios.len(),
        shown.join(", "),
        pair_ratios[pair_ratios.len() / 2]
    );
    println!("restart replay:            {:.2} s", grouped.replay_secs);
    println!("day bundle (200 events):   {day_bytes} bytes compressed, {raw_day} bytes raw (goal < 50 KB)");
}
