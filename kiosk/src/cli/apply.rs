//! `apply --json-lines`: one JSON command per line of standard input, one JSON result per
//! line of standard output, each written after its entry is on disk.

use std::io::{BufRead, Write};
use std::path::Path;

use kiosk::i18n::tr;
use kiosk::{AppendError, InputError, LogHealth};
use rules::{Lang, Localized};

use super::args::ApplyArgs;
use super::run::{login, open, operator_password};
use super::{Failure, failure};

/// One result line of `apply --json-lines` (fields in this order).
#[derive(serde::Serialize)]
struct ApplyLine<'a> {
    ok: bool,
    line: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    command: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    at: Option<rules::Instant>,
    #[serde(skip_serializing_if = "Option::is_none")]
    events: Option<&'a [rules::Event]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<ApplyError>,
}

#[derive(serde::Serialize)]
struct ApplyError {
    code: &'static str,
    message: String,
}

pub(super) fn apply(args: &ApplyArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
    debug_assert!(args.json_lines);
    let pw = operator_password(&args.auth, lang)?;
    let mut kiosk = open(data, lang)?;
    if let LogHealth::Damaged { damage } = kiosk.health() {
        return Err(failure(damage, lang));
    }
    let session = login(&kiosk, &args.auth, &pw, lang)?;
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut buffer = Vec::new();
    let mut line_no = 0u64;
    let mut failed = false;
    loop {
        buffer.clear();
        match input.read_until(b'\n', &mut buffer) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                errln!("{}: {e}", tr(lang).t("cli-input-unreadable"));
                failed = true;
                break;
            }
        }
        line_no += 1;
        let result = match std::str::from_utf8(&buffer) {
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => kiosk.execute_json(&session, text.trim_end_matches(['\n', '\r'])),
            Err(e) => Err(AppendError::Input(InputError::BadJson { detail: e.to_string() })),
        };
        let line = match &result {
            Ok(r) => ApplyLine {
                ok: true,
                line: line_no,
                seq: Some(r.seq),
                id: Some(&r.id),
                command: Some(&r.command),
                at: Some(r.at),
                events: Some(&r.events),
                error: None,
            },
            Err(e) => {
                failed = true;
                ApplyLine {
                    ok: false,
                    line: line_no,
                    seq: None,
                    id: None,
                    command: None,
                    at: None,
                    events: None,
                    error: Some(ApplyError { code: e.code(), message: e.message(lang) }),
                }
            }
        };
        // The entry is durable before this line is written (execute returns after fdatasync).
        let mut text = serde_json::to_string(&line).expect("values serialize");
        text.push('\n');
        if out.write_all(text.as_bytes()).and_then(|()| out.flush()).is_err() {
            return Err(Failure::Silent);
        }
    }
    kiosk.close();
    if failed { Err(Failure::Silent) } else { Ok(()) }
}
