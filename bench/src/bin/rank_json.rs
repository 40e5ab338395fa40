//! Native baseline of `portal/bench.mjs`: ranks the entries of a JSON file with
//! `rules::queue::rank_queue` and prints the times as `key=value` lines.
//!
//! Usage: `rank_json FILE [ITERATIONS]` where FILE holds a JSON array of rank entries (the
//! JS `rankQueue` input: id, district, queueType, birthDate, right, registeredAt, status).
//! Ranking is timed `ITERATIONS` times (default 5) and the fastest and median runs are printed,
//! together with the time to parse the JSON (what the WASM call also has to do with its input).

use std::process::ExitCode;
use std::time::Instant;

use rules::queue::{RankEntry, rank_queue};

fn millis(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
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
    let start = Instant::now();
    let entries: Vec<RankEntry> = match serde_json::from_str(&text) {
        Ok(entries) => entries,
        Err(e) => {
            eprintln!("{path} is not a JSON array of rank entries: {e}");
            return ExitCode::FAILURE;
        }
    };
    let parse_ms = millis(start);
    let mut times = Vec::with_capacity(iterations);
    let mut ranked = 0;
    for _ in 0..iterations {
        let start = Instant::now();
        match rank_queue(std::hint::black_box(&entries)) {
            Ok(result) => ranked = std::hint::black_box(result).len(),
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        }
        times.push(millis(start));
    }
    times.sort_by(f64::total_cmp);
    println!("native_entries={}", entries.len());
    println!("native_ranked={ranked}");
    println!("native_iterations={iterations}");
    println!("native_parse_ms={parse_ms:.3}");
    println!("native_rank_ms_min={:.3}", times[0]);
    println!("native_rank_ms_median={:.3}", times[times.len() / 2]);
    ExitCode::SUCCESS
}
