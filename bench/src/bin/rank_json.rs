//! Native baseline of `portal/bench.mjs`: the work `rankQueue` does, natively, from the same
//! JSON text, and the times as `key=value` lines.
//!
//! Usage: `rank_json FILE [ITERATIONS]` where FILE holds a JSON array of rank entries (the
//! JS `rankQueue` input: id, district, queueType, birthDate, right, registeredAt, status).
//! Each of `ITERATIONS` runs (default 5) reads and checks every entry from the text
//! (`serde_json` into `RankEntry`, as the WASM package does with the text of its argument),
//! and ranks them with `rules::queue::rank_queue`: `total` is these two, the baseline of
//! the goal. Writing the answer as JSON (which the package does before `JSON.parse` builds
//! the JS objects) is timed apart, for information only: a native caller keeps the ranked
//! `Vec`. Each step is timed in wall-clock and in CPU time of this thread
//! (`/proc/thread-self/schedstat`, which waiting for a shared CPU does not inflate); the
//! fastest run of each is printed.
//!
//! Then `rank_queue` alone on entries already typed (read once, before timing; each answer
//! dropped after its timing): the stricter baseline of issue #19's WASM goal. One ranking of
//! 100,000 lasts about as long as two scheduler ticks (4 ms here), and schedstat advances
//! only at ticks and context switches, so a single reading may be off by up to a tick
//! either way: the fastest of a few runs is biased low and the median lands on one of the
//! tick-rounded values. The error of a run is as likely one way as the other, so the mean
//! of 31 runs is the figure (`portal/bench.mjs` divides by it); the median and the fastest
//! wall-clock run are printed for comparison.

use std::process::ExitCode;
use std::time::Instant;

use rules::queue::{RankEntry, rank_queue};

/// Nanoseconds this thread has run on a CPU, where Linux tells it.
fn cpu_nanos() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// A moment in wall-clock and CPU time.
#[derive(Debug, Clone, Copy)]
struct Stamp {
    wall: Instant,
    cpu: Option<u64>,
}

impl Stamp {
    fn now() -> Self {
        Stamp { wall: Instant::now(), cpu: cpu_nanos() }
    }

    /// Milliseconds since `self`: (wall, CPU; CPU is wall where it cannot be read).
    #[allow(clippy::cast_precision_loss)] // nanoseconds of one run fit an f64 exactly enough
    fn elapsed(self) -> (f64, f64) {
        let wall = self.wall.elapsed().as_secs_f64() * 1000.0;
        let cpu = match (self.cpu, cpu_nanos()) {
            (Some(start), Some(end)) => end.saturating_sub(start) as f64 / 1e6,
            _ => wall,
        };
        (wall, cpu)
    }
}

/// The fastest of each column.
#[derive(Debug, Clone, Copy)]
struct Best(f64, f64);

impl Best {
    fn new() -> Self {
        Best(f64::INFINITY, f64::INFINITY)
    }
    fn add(&mut self, (wall, cpu): (f64, f64)) {
        self.0 = self.0.min(wall);
        self.1 = self.1.min(cpu);
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: rank_json FILE [ITERATIONS]");
        return ExitCode::from(2);
    };
    let iterations: usize = match args.next().map(|s| s.parse()) {
        None => 5,
        Some(Ok(n)) if n >= 1 => n,
        Some(_) => {
            eprintln!("ITERATIONS must be an integer >= 1");
            return ExitCode::from(2);
        }
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (mut parse, mut rank, mut write, mut total) = (Best::new(), Best::new(), Best::new(), Best::new());
    let (mut entries_len, mut ranked_len) = (0, 0);
    for _ in 0..iterations {
        let start = Stamp::now();
        let entries: Vec<RankEntry> = match serde_json::from_str(std::hint::black_box(&text)) {
            Ok(entries) => entries,
            Err(e) => {
                eprintln!("{path} is not a JSON array of rank entries: {e}");
                return ExitCode::FAILURE;
            }
        };
        parse.add(start.elapsed());
        let ranking = Stamp::now();
        let ranked = match rank_queue(&entries) {
            Ok(ranked) => ranked,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
        rank.add(ranking.elapsed());
        total.add(start.elapsed());
        let writing = Stamp::now();
        let json = match serde_json::to_string(&ranked) {
            Ok(json) => json,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        };
        std::hint::black_box(&json);
        write.add(writing.elapsed());
        (entries_len, ranked_len) = (entries.len(), ranked.len());
    }
    let Some(typed) = typed_ranking(&text) else {
        return ExitCode::FAILURE;
    };
    println!("native_entries={entries_len}");
    println!("native_ranked={ranked_len}");
    println!("native_iterations={iterations}");
    for (name, best) in [("parse", parse), ("rank", rank), ("write", write), ("total", total)] {
        println!("native_{name}_ms_min={:.3}", best.0);
        println!("native_{name}_cpu_ms_min={:.3}", best.1);
    }
    println!("native_typed_rank_runs={}", typed.runs);
    println!("native_typed_rank_ms_min={:.3}", typed.wall_min);
    println!("native_typed_rank_cpu_ms_median={:.3}", typed.cpu_median);
    println!("native_typed_rank_cpu_ms_mean={:.3}", typed.cpu_mean);
    ExitCode::SUCCESS
}

/// `rank_queue` alone on already-typed entries: milliseconds per call.
#[derive(Debug, Clone, Copy)]
struct Typed {
    runs: usize,
    wall_min: f64,
    cpu_median: f64,
    cpu_mean: f64,
}

/// Times `rank_queue` on the entries of `text`, read before timing (see the module doc).
#[allow(clippy::cast_precision_loss)] // a few dozen runs
fn typed_ranking(text: &str) -> Option<Typed> {
    const RUNS: usize = 31;
    let entries: Vec<RankEntry> = serde_json::from_str(text).ok()?;
    let (mut wall_min, mut cpus) = (f64::INFINITY, Vec::with_capacity(RUNS));
    // One untimed warm-up run first.
    for run in 0..=RUNS {
        let start = Stamp::now();
        let ranked = match rank_queue(std::hint::black_box(&entries)) {
            Ok(ranked) => ranked,
            Err(e) => {
                eprintln!("{e}");
                return None;
            }
        };
        let (wall, cpu) = start.elapsed();
        drop(std::hint::black_box(ranked));
        if run > 0 {
            wall_min = wall_min.min(wall);
            cpus.push(cpu);
        }
    }
    let cpu_mean = cpus.iter().sum::<f64>() / RUNS as f64;
    cpus.sort_by(f64::total_cmp);
    Some(Typed { runs: RUNS, wall_min, cpu_median: cpus[RUNS / 2], cpu_mean })
}
