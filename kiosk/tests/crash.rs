//! Crash test: the real binary is killed with SIGKILL at random moments (seeded) while it
//! executes commands; after each kill every entry whose result line was printed is there,
//! the chain verifies and the sequence has no gap.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use changelog::Payload;
use common::*;
use kiosk::{Kiosk, LogHealth};

/// xorshift64*: a small seeded generator, so a failing run can be repeated.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn index(&mut self, n: usize) -> usize {
        usize::try_from(self.below(n as u64)).unwrap()
    }
}

const RUNS: usize = 50;
const PER_RUN: usize = 25;

#[test]
fn killed_at_random_moments_nothing_printed_is_lost() {
    let seed = std::env::var("KEZEK_CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_2026_u64);
    eprintln!("crash test seed {seed} (set KEZEK_CRASH_SEED to repeat another)");
    let mut rng = Rng(seed | 1);
    let f = Fixture::new();
    let kids = children(RUNS * PER_RUN, 2000);
    let mut printed: Vec<(u64, String)> = Vec::new();
    let mut killed_mid_run = 0;

    for run_no in 0..RUNS {
        let mut lines: Vec<String> = kids[run_no * PER_RUN..(run_no + 1) * PER_RUN]
            .iter()
            .enumerate()
            .map(|(i, k)| register_line("KOK", k, i))
            .collect();
        // Some withdrawals of earlier registrations and a bad line in between.
        if let Some((_, id)) = printed.get(rng.index(printed.len().max(1))) {
            lines.insert(
                rng.index(PER_RUN),
                format!(r#"{{"type":"act","application":"{id}","action":{{"type":"withdraw"}}}}"#),
            );
        }
        lines.insert(rng.index(PER_RUN), "{broken".to_owned());

        let mut child = Command::new(BIN)
            .arg("--data")
            .arg(f.data())
            .args(["--lang", "en", "apply", "--json-lines", "--operator", "op"])
            .env("KEZEK_INSECURE_FAST_HASH", "1")
            .env("KEZEK_PASSWORD", OPERATOR_PASSWORD)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let input = lines.join("\n") + "\n";
        // Keep stdin open: the process waits for more after the last line.
        let writer = std::thread::spawn(move || {
            let _ = stdin.write_all(input.as_bytes());
            std::thread::sleep(Duration::from_secs(30));
            drop(stdin);
        });
        let stdout = child.stdout.take().unwrap();
        let answered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = answered.clone();
        let reader = std::thread::spawn(move || {
            let mut out = Vec::new();
            let mut r = BufReader::new(stdout);
            let mut line = String::new();
            while r.read_line(&mut line).unwrap_or(0) > 0 {
                if line.ends_with('\n') {
                    out.push(line.clone());
                    counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                }
                line.clear();
            }
            out
        });
        // Kill at a random point of the run whatever the machine's speed: after a random
        // number of answers, plus a random few milliseconds (sometimes mid-write).
        let target = rng.index(lines.len());
        let started = std::time::Instant::now();
        while answered.load(std::sync::atomic::Ordering::SeqCst) < target && started.elapsed() < Duration::from_secs(20)
        {
            std::thread::sleep(Duration::from_micros(200));
        }
        std::thread::sleep(Duration::from_micros(rng.below(3_000)));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let out = reader.join().unwrap();
        drop(writer);
        if out.len() < lines.len() {
            killed_mid_run += 1;
        }
        for line in out {
            let v: serde_json::Value = serde_json::from_str(&line).expect("complete lines are whole JSON");
            if v["ok"] == true && v["command"] == "register" {
                printed.push((v["seq"].as_u64().unwrap(), v["id"].as_str().unwrap().to_owned()));
            }
        }

        // Restart (here: open the library on the same folder) and check.
        let k = Kiosk::open(&f.data()).unwrap();
        assert_eq!(*k.health(), LogHealth::Ok, "run {run_no}");
        let last = k.last_seq();
        let entries = k.entries_after(0).unwrap();
        assert_eq!(entries.len() as u64, last, "no gap: sequence 1..={last}");
        for (seq, id) in &printed {
            assert!(*seq <= last, "run {run_no}: printed entry {seq} lost (log ends at {last})");
            let body = entries[usize::try_from(*seq - 1).unwrap()].body().unwrap();
            assert_eq!(body.seq, *seq);
            let Payload::Command { command: rules::Command::Register { application } } = body.payload().unwrap() else {
                panic!("entry {seq} is not the registration printed")
            };
            assert_eq!(&application.id, id);
            assert!(k.state().application(id).is_some(), "run {run_no}: {id} replayed");
            assert!(k.application(id).unwrap().is_some(), "run {run_no}: {id} projected");
        }
        drop(k);
    }
    eprintln!("{} registrations printed, {killed_mid_run} of {RUNS} runs killed before the end", printed.len());
    assert!(killed_mid_run >= RUNS / 5, "the kills should land mid-run often: {killed_mid_run}");
    assert!(printed.len() > RUNS, "most runs printed something");
    let k = Kiosk::open(&f.data()).unwrap();
    let report = k.verify().unwrap();
    assert!(report.ok, "every signature, replay and projections: {report:?}");
}
