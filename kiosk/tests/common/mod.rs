//! Helpers shared by the kiosk's integration tests.
#![allow(dead_code, clippy::missing_panics_doc, clippy::must_use_candidate)]

#[path = "../../../center/tests/common/folders.rs"]
pub mod folders;
pub mod hooked;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use kiosk::{Kiosk, testkit};
use rules::Instant;
use rules::time::Date;
use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_kezek-kiosk");
pub const ADMIN_PASSWORD: &str = "admin-secret";
pub const OPERATOR_PASSWORD: &str = "operator-secret";
pub const STAFF_PASSWORD: &str = "staff-secret";

/// A `kezek-kiosk` invocation on a data folder, English messages, cheap password hashes.
pub fn cli(data: &Path) -> Command {
    cli_in(data, "en")
}

/// The same with messages in `lang`.
pub fn cli_in(data: &Path, lang: &str) -> Command {
    let mut c = Command::new(BIN);
    c.arg("--data").arg(data).arg("--lang").arg(lang);
    c.env("KEZEK_INSECURE_FAST_HASH", "1");
    c.env_remove("KEZEK_PASSWORD").env_remove("KEZEK_NEW_PASSWORD").env_remove("KEZEK_KIOSK_DATA");
    c
}

/// Runs with `stdin` fed in, returns the output.
pub fn run(mut command: impl std::borrow::BorrowMut<Command>, stdin: &str) -> Output {
    let command = command.borrow_mut();
    command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().expect("spawn kezek-kiosk");
    // A process that stops before reading its input (usage errors) closes the pipe early.
    let _ = child.stdin.take().expect("stdin").write_all(stdin.as_bytes());
    child.wait_with_output().expect("wait")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// A kiosk `KOK-03` with `admin`, operator `op` and kindergarten staff `kg` (KG-KOK-01).
pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let f = Fixture { dir };
        let o = run(
            f.cli_with_password(ADMIN_PASSWORD).args([
                "init",
                "--district",
                "KOK",
                "--name",
                "Kokshetau office",
                "--id",
                "KOK-03",
                // Offline tests use the demo kindergartens (the center's directory comes
                // with a snapshot, which these tests have none of).
                "--demo-directory",
            ]),
            "",
        );
        assert_eq!(code(&o), 0, "init: {}", stderr(&o));
        f.add_operator("op", &["--role", "operator"], OPERATOR_PASSWORD);
        f.add_operator("kg", &["--role", "kindergarten", "--kindergarten", "KG-KOK-01"], STAFF_PASSWORD);
        f
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn cli(&self) -> Command {
        cli(&self.data())
    }

    pub fn cli_with_password(&self, password: &str) -> Command {
        let mut c = self.cli();
        c.env("KEZEK_PASSWORD", password);
        c
    }

    pub fn add_operator(&self, login: &str, role_args: &[&str], password: &str) {
        let mut c = self.cli_with_password(ADMIN_PASSWORD);
        c.env("KEZEK_NEW_PASSWORD", password);
        c.args(["operator", "add", login, "--name", &format!("Name of {login}"), "--operator", "admin"])
            .args(role_args);
        let o = run(c, "");
        assert_eq!(code(&o), 0, "operator add {login}: {}", stderr(&o));
    }

    /// `apply --json-lines` as `login`; returns the exit code and the parsed result lines.
    pub fn apply(&self, login: &str, password: &str, lines: &[String]) -> (i32, Vec<Value>) {
        let mut c = self.cli_with_password(password);
        c.args(["apply", "--json-lines", "--operator", login]);
        let mut input = lines.join("\n");
        input.push('\n');
        let o = run(c, &input);
        let results = stdout(&o).lines().map(|l| serde_json::from_str(l).expect("each output line is JSON")).collect();
        (code(&o), results)
    }

    pub fn apply_as_operator(&self, lines: &[String]) -> (i32, Vec<Value>) {
        self.apply("op", OPERATOR_PASSWORD, lines)
    }

    pub fn json(&self, args: &[&str]) -> (i32, Value) {
        let o = run(self.cli_with_args(args), "");
        let value = serde_json::from_str(&stdout(&o)).unwrap_or(Value::Null);
        (code(&o), value)
    }

    pub fn cli_with_args(&self, args: &[&str]) -> Command {
        let mut c = self.cli();
        c.args(args);
        c
    }
}

pub fn at(text: &str) -> Instant {
    text.parse().expect("an instant")
}

/// Stops the kiosk's clock at `text`.
pub fn clock(k: &mut Kiosk, text: &str) {
    let now = at(text);
    k.set_clock(move || now);
}

/// Today in Kazakhstan (kiosk clock).
pub fn today() -> Date {
    kiosk::system_now().local_date()
}

/// `n` distinct children born in the autumn two years ago (one queue: one group year),
/// offset by `salt` to stay distinct across calls.
pub fn children(n: usize, salt: usize) -> Vec<(String, Date)> {
    let end = Date::from_ymd(today().year() - 2, 12, 31).expect("a date");
    testkit::children(n + salt, end, 300).split_off(salt)
}

/// A `register` line for a child.
pub fn register_line(district: &str, child: &(String, Date), n: usize) -> String {
    let application = testkit::application(district, &child.0, child.1, n);
    serde_json::json!({"type": "register", "application": application}).to_string()
}

pub fn error_code(v: &Value) -> &str {
    v["error"]["code"].as_str().unwrap_or("")
}
