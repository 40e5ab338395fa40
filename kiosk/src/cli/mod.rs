//! `kezek-kiosk`'s command line.
//!
//! - [`args`]: what clap parses (subcommands, options).
//! - [`run`]: each subcommand against the kiosk; [`apply`]: `apply --json-lines`.
//! - [`render`]: what is printed, in the language of `--lang`; the words come from
//!   `kiosk/locales/{ru,kk,en}/cli.ftl` and the errors' messages from `errors.ftl`, through
//!   the same loader as the GUI's ([`kiosk::i18n::tr`]).
//! - [`demo`]: the demo kiosk and its walk-through; the GUI when run without a subcommand.
//!
//! Exit codes: 0 ok, 1 a command failed (also: any rejected line of `apply`), 2 usage.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use kiosk::i18n::tr;
use rules::{Lang, Localized};

/// `println!` without the panic when stdout is gone (a closed pipe is not a crash).
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// `eprintln!` without the panic.
macro_rules! errln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

mod apply;
mod args;
mod demo;
mod render;
mod run;

use args::Cli;

/// Why the CLI stops.
enum Failure {
    /// Exit 2.
    Usage(String),
    /// Exit 1, `error [CODE]: message` on stderr.
    Error { code: String, message: String },
    /// Exit 1, `error: message` on stderr.
    Message(String),
    /// Exit 1; everything was already said.
    Silent,
}

fn failure(error: &impl Localized, lang: Lang) -> Failure {
    Failure::Error { code: error.code().to_owned(), message: error.message(lang) }
}

/// Parses the command line, runs it and says how it went.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let lang: Lang = cli.lang.into();
    let error = tr(lang).t("cli-error");
    match start(cli, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            errln!("{message}");
            ExitCode::from(2)
        }
        Err(Failure::Error { code, message }) => {
            errln!("{error} [{code}]: {message}");
            ExitCode::from(1)
        }
        Err(Failure::Message(message)) => {
            errln!("{error}: {message}");
            ExitCode::from(1)
        }
        Err(Failure::Silent) => ExitCode::from(1),
    }
}

fn start(cli: Cli, lang: Lang) -> Result<(), Failure> {
    kiosk::use_key_passphrase_from(cli.key_passphrase_file.as_deref()).map_err(|e| failure(&e, lang))?;
    let Some(data) = cli.data.or_else(default_data_dir) else {
        return Err(Failure::Usage(tr(lang).t("cli-give-data").to_owned()));
    };
    let Some(command) = cli.command else {
        // No subcommand: the GUI on the data folder (the first-run set-up if it has no kiosk).
        if !cfg!(feature = "gui") || !demo::has_display() {
            let _ = Cli::command().print_help();
            return Ok(());
        }
        return demo::gui(&data, lang).map_err(Failure::Message);
    };
    run::run(command, &data, lang)
}

fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("kz", "Kezek", "kezek-kiosk").map(|d| d.data_dir().to_path_buf())
}
