//! "Saved" means fdatasync'ed: the real binary, traced with strace, syncs the log before it
//! writes each result line to stdout.
#![allow(clippy::unwrap_used, clippy::too_many_lines)]

mod common;

use std::process::Command;

use common::*;

fn strace_available() -> bool {
    Command::new("strace").arg("-V").output().is_ok_and(|o| o.status.success())
}

#[test]
fn the_log_is_fdatasynced_before_each_result_line_is_written() {
    if !strace_available() {
        eprintln!("SKIPPED: strace is not installed; the fdatasync-before-stdout order was not checked");
        return;
    }
    let f = Fixture::new();
    let kids = children(3, 700);
    let mut lines: Vec<String> = kids.iter().enumerate().map(|(i, k)| register_line("KOK", k, i)).collect();
    lines.insert(1, "{not json".to_owned());
    let trace = f.dir.path().join("trace.txt");
    let mut c = Command::new("strace");
    c.args(["-f", "-y", "-s", "64", "-e", "trace=fdatasync,fsync,write", "-o"]).arg(&trace).arg(BIN);
    c.arg("--data").arg(f.data()).args(["--lang", "en", "apply", "--json-lines", "--operator", "op"]);
    c.env("KEZEK_INSECURE_FAST_HASH", "1").env("KEZEK_PASSWORD", OPERATOR_PASSWORD);
    let o = run(c, &(lines.join("\n") + "\n"));
    if code(&o) != 1 && stderr(&o).contains("ptrace") {
        eprintln!("SKIPPED: strace cannot trace here: {}", stderr(&o));
        return;
    }
    assert_eq!(code(&o), 1, "one bad line: {}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 4);

    let trace = std::fs::read_to_string(&trace).unwrap();
    // Walk the trace in order: every successful result line needs an fdatasync of the log
    // after the previous result line; a failed line needs none.
    let mut synced_since_last_line = false;
    // With several threads strace splits a call into `<unfinished ...>` and `<... resumed>`.
    let mut log_sync_in_flight: Option<&str> = None;
    let mut ok_lines = 0;
    let mut error_lines = 0;
    for line in trace.lines() {
        if line.contains("fdatasync(") && line.contains("log/entries.bin") {
            if line.ends_with("= 0") {
                synced_since_last_line = true;
            } else if line.contains("<unfinished") {
                log_sync_in_flight = line.split_whitespace().next();
            }
        } else if line.contains("<... fdatasync resumed>") && log_sync_in_flight == line.split_whitespace().next() {
            log_sync_in_flight = None;
            synced_since_last_line = line.ends_with("= 0");
        } else if line.contains("write(1<") {
            if line.contains(r#"{\"ok\":true"#) {
                assert!(synced_since_last_line, "result written before the log was synced: {line}\n{trace}");
                ok_lines += 1;
            } else if line.contains(r#"{\"ok\":false"#) {
                assert!(!synced_since_last_line, "a rejected line synced something: {line}");
                error_lines += 1;
            }
            synced_since_last_line = false;
        }
    }
    assert_eq!((ok_lines, error_lines), (3, 1), "{trace}");
}
