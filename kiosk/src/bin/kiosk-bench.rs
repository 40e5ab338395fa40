//! Kiosk benchmark, one run, parseable output (`key=value` lines).
//!
//! 1. Durable save latency: N raw appends + fdatasync of records of the kiosk's size to a
//!    plain file, interleaved with N `register` commands through the kiosk (each durable
//!    before it returns); p50/p99/max of both and the ratio of the p99s (goal ≤ 2).
//! 2. Cold start: a kiosk with 100,000 entries is opened (log read, hash chain, one
//!    signature, replay into the rules state, projections checked); goal < 1 s. Also: open
//!    with the projections rebuilt from scratch, and `verify` (every signature). The build's
//!    close writes a checkpoint of the folded state: both opens resume from it; then an
//!    open with 1,000 entries after its checkpoint (the most a close lets it lag).
//!
//! Usage: `cargo run --release -p kezek-kiosk --features testkit --bin kiosk-bench -- [--dir DIR] [--saves N] [--entries N]`
//! (its synthetic applications come from `kiosk::testkit`, behind that feature).
//! The folder must be on the disk to measure (default: the system temp folder).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kiosk::{InitParams, Kiosk, NewOperator, system_now, testkit};
use rules::{Command, Role};

/// Entries after the checkpoint in part 3: the most a close lets it lag
/// (`service/checkpoint` `due`).
const TAIL: usize = 1_000;

struct Options {
    dir: PathBuf,
    saves: usize,
    entries: usize,
    keep: bool,
    /// Only open the kiosk in this folder and report (the cold start in a fresh process).
    open_only: Option<PathBuf>,
}

fn options() -> Options {
    let mut o = Options {
        dir: std::env::temp_dir().join(format!("kezek-kiosk-bench-{}", std::process::id())),
        saves: 1000,
        entries: 100_000,
        keep: false,
        open_only: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--dir" => o.dir = PathBuf::from(value),
            "--saves" => o.saves = value.parse().unwrap_or(o.saves),
            "--entries" => o.entries = value.parse().unwrap_or(o.entries),
            "--open-only" => o.open_only = Some(PathBuf::from(value)),
            "--keep" => {
                o.keep = true;
                i += 1;
                continue;
            }
            other => {
                eprintln!(
                    "unknown option {other}; usage: kiosk-bench [--dir DIR] [--saves N] [--entries N] [--keep] [--open-only DIR]"
                );
                std::process::exit(2);
            }
        }
        i += 2;
    }
    o
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn summary(name: &str, samples: &mut [Duration], extra: &str) -> Duration {
    samples.sort();
    let (p50, p99, max) =
        (percentile(samples, 50.0), percentile(samples, 99.0), *samples.last().unwrap_or(&Duration::ZERO));
    println!(
        "{name} n={} p50_us={} p99_us={} max_us={}{extra}",
        samples.len(),
        p50.as_micros(),
        p99.as_micros(),
        max.as_micros()
    );
    p99
}

/// CPU time of this process so far (user + system, all threads), from /proc (Linux).
fn cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on Linux.
    Some(ticks * 10)
}

/// `VmHWM` (peak resident memory) and `VmRSS` of this process, in MiB, from /proc (Linux).
fn memory_mib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or(0, |kb| kb / 1024)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// The cold start, alone in this process: open (log read, hash chain, one signature,
/// replay, projections checked), its steps, its CPU time and memory.
fn open_only(dir: &Path) {
    let (t, cpu) = (Instant::now(), cpu_ms());
    let kiosk = Kiosk::open(dir).expect("open");
    let open_ms = t.elapsed().as_millis();
    let open_cpu = cpu_ms().zip(cpu).map(|(b, a)| b - a);
    let steps: Vec<String> =
        kiosk.open_report().steps_ms.iter().map(|(n, ms)| format!("{}={ms:.1}", n.replace(' ', "_"))).collect();
    println!("cold_start_steps_ms {}", steps.join(" "));
    let report = kiosk.open_report();
    println!(
        "cold_start_projections caught_up_from={} to={} rebuilt={}",
        report.projected_from, report.projected_to, report.projections_rebuilt
    );
    // Which path ran: from a checkpoint (its entry) with the entries after it replayed, or
    // the whole log replayed (checkpoint=none), and why not, if the open said so.
    let checkpoint = match report.checkpoint_seq {
        0 => "none".to_owned(),
        seq => seq.to_string(),
    };
    println!("cold_start_checkpoint seq={checkpoint} replayed_entries={}", report.replayed_entries);
    for note in &report.notes {
        println!("cold_start_note {note}");
    }
    assert!(matches!(kiosk.health(), kiosk::LogHealth::Ok));
    let entries = kiosk.last_seq();
    let (peak, rss) = memory_mib();
    println!(
        "cold_start entries={entries} open_verify_ms={open_ms} cpu_ms={} peak_rss_mib={peak} rss_after_open_mib={rss} goal_max_ms=1000 {}",
        open_cpu.map_or_else(|| "?".to_owned(), |c| c.to_string()),
        if open_ms < 1000 { "PASS" } else { "FAIL" }
    );
    kiosk.close();
}

fn new_kiosk(dir: &Path) -> (Kiosk, kiosk::Session) {
    let params = InitParams {
        district: "KOK".into(),
        name: "Bench office".into(),
        kiosk_id: Some("KOK-99".into()),
        admin_login: "admin".into(),
        admin_name: "Admin".into(),
        admin_password: "bench-password".into(),
    };
    Kiosk::init(dir, &params).expect("init");
    let mut kiosk = Kiosk::open(dir).expect("open");
    let admin = kiosk.login("admin", "bench-password").expect("login");
    let op = NewOperator { login: "op".into(), name: "Operator".into(), role: Role::Operator, kindergartens: vec![] };
    kiosk.add_operator(&admin, &op, "bench-password").expect("add operator");
    let session = kiosk.login("op", "bench-password").expect("login");
    (kiosk, session)
}

fn main() {
    let o = options();
    if let Some(dir) = &o.open_only {
        open_only(dir);
        return;
    }
    std::fs::create_dir_all(&o.dir).expect("create the bench folder");
    println!("bench_dir={}", o.dir.display());
    let today = system_now().local_date();
    // The last `TAIL` children register after the checkpoint (part 3).
    let mut children = testkit::children(o.saves + o.entries + TAIL, today, 4 * 365);
    let tail_children = children.split_off(o.saves + o.entries);

    // 1. Durable save latency, interleaved so both see the same disk conditions.
    let (mut kiosk, session) = new_kiosk(&o.dir.join("save"));
    let first = Command::Register { application: testkit::application("KOK", &children[0].0, children[0].1, 0) };
    let before = kiosk.status().log_bytes;
    kiosk.execute(&session, first).expect("register");
    let record_len = usize::try_from(kiosk.status().log_bytes - before).unwrap_or(700);
    let raw_path = o.dir.join("raw.bin");
    let mut raw = OpenOptions::new().create(true).append(true).open(&raw_path).expect("raw file");
    let record = vec![0x5a_u8; record_len];
    let (mut raw_samples, mut kiosk_samples) = (Vec::with_capacity(o.saves), Vec::with_capacity(o.saves));
    for (n, (iin, birth)) in children[1..o.saves].iter().enumerate() {
        let t = Instant::now();
        raw.write_all(&record).expect("raw write");
        raw.sync_data().expect("raw fdatasync");
        raw_samples.push(t.elapsed());
        let command = Command::Register { application: testkit::application("KOK", iin, *birth, n + 1) };
        let t = Instant::now();
        kiosk.execute(&session, command).expect("register");
        kiosk_samples.push(t.elapsed());
    }
    let raw_p99 = summary("raw_append_fdatasync", &mut raw_samples, &format!(" record_bytes={record_len}"));
    let kiosk_p99 = summary("kiosk_durable_save", &mut kiosk_samples, " command=register");
    #[allow(clippy::cast_precision_loss)]
    let ratio = kiosk_p99.as_secs_f64() / raw_p99.as_secs_f64().max(1e-9);
    println!("p99_ratio={ratio:.2} goal_max=2.00 {}", if ratio <= 2.0 { "PASS" } else { "FAIL" });
    kiosk.close();

    // 2. Cold start with many entries.
    let dir = o.dir.join("cold");
    let (mut kiosk, session) = new_kiosk(&dir);
    let t = Instant::now();
    for (chunk_no, chunk) in children[o.saves..].chunks(1000).enumerate() {
        let commands = chunk
            .iter()
            .enumerate()
            .map(|(i, (iin, birth))| {
                let n = o.saves + chunk_no * 1000 + i;
                (Command::Register { application: testkit::application("KOK", iin, *birth, n) }, system_now())
            })
            .collect();
        for result in kiosk.execute_batch_at(&session, commands).expect("batch") {
            result.expect("register");
        }
    }
    let entries = kiosk.last_seq();
    let log_bytes = kiosk.status().log_bytes;
    println!("cold_build entries={entries} log_bytes={log_bytes} build_ms={}", t.elapsed().as_millis());
    // The close writes the checkpoint of the folded state (encoded, read back, written
    // atomically): its time, and its size.
    let t = Instant::now();
    kiosk.close();
    let checkpoint = dir.join(kiosk::Blob::Checkpoint.relative_path());
    let checkpoint_bytes = std::fs::metadata(&checkpoint).map_or(0, |m| m.len());
    println!("cold_build_close close_ms={} checkpoint_bytes={checkpoint_bytes}", t.elapsed().as_millis());

    // In a fresh process, so that its memory is the open's alone (this one still holds
    // what building the log allocated), once the build's writes are on the disk: a kiosk
    // is opened in the morning, not while yesterday's writes are still being written back
    // (measured that way, the kernel's write-back and the closing sled's threads took the
    // same core and tripled the time). Opened twice: the second open finds sled's own
    // recovery done by the first.
    drop(children);
    let synced = std::process::Command::new("sync").status().is_ok_and(|s| s.success());
    println!("before_cold_start synced={synced}");
    let open_in_fresh_process = |run: &str| {
        println!("cold_start_run={run}");
        let status = std::process::Command::new(std::env::current_exe().expect("own path"))
            .arg("--open-only")
            .arg(&dir)
            .status()
            .expect("run the cold start");
        assert!(status.success(), "the cold start failed");
    };
    open_in_fresh_process("first");
    open_in_fresh_process("second");

    // 3. The most a checkpoint lags before a close replaces it (`TAIL` entries): the open
    // replays those on the checkpoint.
    let kept = std::fs::read(&checkpoint).expect("the checkpoint");
    let kiosk = Kiosk::open(&dir).expect("open");
    let session = kiosk.login("op", "bench-password").expect("login");
    let mut kiosk = kiosk;
    for (chunk_no, chunk) in tail_children.chunks(1000).enumerate() {
        let commands = chunk
            .iter()
            .enumerate()
            .map(|(i, (iin, birth))| {
                let n = o.saves + o.entries + chunk_no * 1000 + i;
                (Command::Register { application: testkit::application("KOK", iin, *birth, n) }, system_now())
            })
            .collect();
        for result in kiosk.execute_batch_at(&session, commands).expect("batch") {
            result.expect("register");
        }
    }
    kiosk.close();
    std::fs::write(&checkpoint, kept).expect("put the older checkpoint back");
    let synced = std::process::Command::new("sync").status().is_ok_and(|s| s.success());
    println!("before_tail_start synced={synced} tail_entries={TAIL}");
    open_in_fresh_process("after_tail");
    // Other work on the machine stretches wall-clock times; say how busy it was.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load_average_1min={}", load.split(' ').next().unwrap_or("?"));
    let kiosk = Kiosk::open(&dir).expect("open");
    let t = Instant::now();
    let report = kiosk.verify().expect("verify");
    println!(
        "full_verify entries={entries} every_signature_replay_projections_ms={} ok={}",
        t.elapsed().as_millis(),
        report.ok
    );
    kiosk.close();

    std::fs::remove_dir_all(dir.join("db")).expect("remove projections");
    let t = Instant::now();
    let kiosk = Kiosk::open(&dir).expect("open");
    println!(
        "cold_start_rebuilding_projections entries={entries} open_ms={} projected_seq={}",
        t.elapsed().as_millis(),
        kiosk.projected_seq()
    );
    kiosk.close();

    if !o.keep {
        let _ = std::fs::remove_dir_all(&o.dir);
    }
}
