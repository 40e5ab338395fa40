//! Disk errors injected into a real `kezek-kiosk apply --json-lines` run, at every write and
//! every sync of the run (a bounded, evenly spread set of call indices when there are many):
//! the process never panics (exit 101) and never hangs (20 s per run), and every result line
//! printed as saved is there after a clean reopen. A projection (sled) failure is a cache
//! failure: the log is the truth and the projections are rebuilt from it.
//!
//! Failures come from `center/tests/common/faultfs.c`, preloaded: the Nth
//! `write`/`pwrite`/`writev`/`fsync`/`fdatasync`/`sync_file_range` on a file fails (a failing
//! write first writes half its bytes). `KEZEK_FAULT_STEPS` sets how many call indices are
//! tried per errno (24 by default).
#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::folders::copy_dir;
use common::*;

const RUN_LIMIT: Duration = Duration::from_secs(20);

/// The fault-injection shim, compiled once per test binary.
fn faultfs() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("../center/tests/common/faultfs.c");
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("kiosk-faultfs-{}.so", std::process::id()));
        let status = Command::new("cc")
            .args(["-shared", "-fPIC", "-O1", "-o"])
            .arg(&out)
            .arg(&source)
            .arg("-ldl")
            .status()
            .expect("cc (the C compiler Rust links with) builds the fault-injection shim");
        assert!(status.success(), "cc failed on {}", source.display());
        out
    })
}

/// Runs `command` with `stdin`, killed after [`RUN_LIMIT`]; `None` if it had to be killed.
fn run_bounded(mut command: Command, stdin: &str) -> Option<Output> {
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    let text = stdin.to_owned();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(text.as_bytes());
    });
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            let _ = feeder.join();
            return Some(child.wait_with_output().unwrap());
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn apply_command(data: &Path, env: &[(&str, String)]) -> Command {
    let mut c = cli(data);
    c.env("KEZEK_PASSWORD", OPERATOR_PASSWORD).args(["apply", "--json-lines", "--operator", "op"]);
    c.envs(env.iter().map(|(k, v)| (k, v)));
    c
}

fn fault_env(at: Option<u64>, errno: &str, sticky: bool) -> Vec<(&'static str, String)> {
    let mut env = vec![("LD_PRELOAD", faultfs().display().to_string()), ("FAULTFS_ERRNO", errno.to_owned())];
    if let Some(at) = at {
        env.push(("FAULTFS_AT", at.to_string()));
    }
    if sticky {
        env.push(("FAULTFS_STICKY", "1".to_owned()));
    }
    env
}

/// Ids of the result lines printed as saved.
fn saved_ids(stdout: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["ok"] == true)
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}

/// `n` call indices spread evenly over `1..=calls` (all of them when there are few).
fn spread(calls: u64, n: u64) -> Vec<u64> {
    if calls <= n {
        return (1..=calls).collect();
    }
    let mut steps: Vec<u64> = (0..n).map(|i| 1 + i * (calls - 1) / (n - 1)).collect();
    steps.dedup();
    steps
}

#[test]
fn disk_errors_at_any_write_or_sync_of_an_apply_run_never_panic_hang_or_lose_a_saved_line() {
    let fixture = Fixture::new();
    let base = fixture.data();
    let kids = children(6, 700);
    let mut input: String = kids.iter().enumerate().map(|(i, c)| register_line("KOK", c, i) + "\n").collect();
    input.push_str(
        &serde_json::json!({"type": "act", "application": "KOK-03-0000-000000", "action": {"type": "withdraw"}})
            .to_string(),
    );
    input.push('\n');

    // How many writes and syncs one run makes.
    let root = tempfile::tempdir().unwrap();
    let probe = root.path().join("probe");
    copy_dir(&base, &probe);
    let out = run_bounded(apply_command(&probe, &fault_env(None, "ENOSPC", false)), &input).expect("no hang");
    assert_eq!(saved_ids(&out.stdout).len(), kids.len(), "{}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let calls: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("faultfs: ")?.strip_suffix(" calls")?.parse().ok())
        .unwrap_or_else(|| panic!("the shim counts: {stderr}"));
    assert!(calls >= 2 * kids.len() as u64, "a write and a sync per entry at least: {calls}");

    let per_errno = std::env::var("KEZEK_FAULT_STEPS").ok().and_then(|v| v.parse().ok()).unwrap_or(24);
    let mut problems = Vec::new();
    for (errno, sticky) in [("ENOSPC", true), ("EIO", false)] {
        for step in spread(calls, per_errno) {
            let what = format!("call {step} {errno}{}", if sticky { " sticky" } else { "" });
            let data = root.path().join(format!("run-{step}-{errno}"));
            copy_dir(&base, &data);
            let Some(out) = run_bounded(apply_command(&data, &fault_env(Some(step), errno, sticky)), &input) else {
                problems.push(format!("{what}: hung (killed after {RUN_LIMIT:?})"));
                continue;
            };
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            if out.status.code() == Some(101) || stderr.contains("panicked") {
                problems.push(format!("{what}: panicked: {stderr}"));
                continue;
            }
            if out.status.code().is_none() {
                problems.push(format!("{what}: killed by a signal: {stderr}"));
                continue;
            }
            let saved = saved_ids(&out.stdout);
            // A clean reopen: the log verifies and every line printed as saved is there.
            let verify = run_bounded(cli_with(&data, &["verify", "--format", "json"]), "").expect("no hang");
            if !verify.status.success() {
                problems
                    .push(format!("{what}: verify failed after the run: {}", String::from_utf8_lossy(&verify.stderr)));
                continue;
            }
            let journal = run_bounded(cli_with(&data, &["journal", "--format", "json"]), "").expect("no hang");
            let listed = String::from_utf8_lossy(&journal.stdout).into_owned();
            if !journal.status.success() {
                problems.push(format!("{what}: journal failed: {}", String::from_utf8_lossy(&journal.stderr)));
                continue;
            }
            for id in &saved {
                if !listed.contains(&format!("\"{id}\"")) {
                    problems.push(format!("{what}: {id} was printed as saved and is missing after a reopen"));
                }
            }
            let _ = std::fs::remove_dir_all(&data);
        }
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.join("\n"));
}

fn cli_with(data: &Path, args: &[&str]) -> Command {
    let mut c = cli(data);
    c.args(args);
    c
}
