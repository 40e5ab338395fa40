//! The `kezek-center` command line. Every command prints JSON (or a table for
//! `report --format table`) to stdout; errors go to stderr as `{"error":{"code","message"}}`
//! with exit code 1.
//!
//! A command runs on the data folder ([`local::Local`]) or, with `--url`, through a running
//! server's staff API as the user signed in with `login` ([`remote::Remote`]): both are a
//! [`Backend`], and [`execute`] maps each command's arguments onto it, reads and writes the
//! files and prints the answer the same way for both. `init`, `migrate` and `serve` are for
//! the folder only, `login` and `logout` for a server only; `population sign` needs neither.
//!
//! - [`args`]: the clap definitions;
//! - [`render`]: JSON and the report table;
//! - [`session`]: the session file `login` writes;
//! - [`serve`]: the HTTP server.

pub mod args;
mod files;
pub mod local;
pub mod remote;
pub mod render;
mod serve;
pub mod session;

use std::io::IsTerminal;
use std::process::ExitCode;

use center::{CenterError, Decision, NewUser, ReportRow, Snapshot};
use clap::Parser;
use rules::Instant;
use rules::calendar::CalendarYear;
use rules::model::Kindergarten;
use serde_json::{Value, json};

use args::{
    CalendarCmd, ChangeFile, Cli, Cmd, DirectoryCmd, Format, KioskCmd, OperatorCmd, PopulationCmd, QuarantineCmd,
    ReviewCmd,
};
use local::Local;
use remote::Remote;

/// Entries `audit` shows without `--limit`.
const AUDIT_LIMIT: usize = 200;

/// Why a command failed: a stable code and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: String,
    pub message: String,
}

impl<E: Into<CenterError>> From<E> for Failure {
    fn from(e: E) -> Self {
        let e = e.into();
        Failure { code: e.code().to_owned(), message: e.to_string() }
    }
}

pub fn fail(code: &str, message: impl Into<String>) -> Failure {
    Failure { code: code.to_owned(), message: message.into() }
}

/// A password: `KEZEK_PASSWORD`, else asked on the terminal without echo (`prompt`), else
/// an error.
pub fn password(prompt: &str) -> Result<String, Failure> {
    if let Ok(password) = std::env::var("KEZEK_PASSWORD") {
        return Ok(password);
    }
    if std::io::stdin().is_terminal() {
        return rpassword::prompt_password(prompt)
            .map_err(|e| fail("NO_PASSWORD", format!("reading the password: {e}")));
    }
    Err(fail("NO_PASSWORD", "set the password in the KEZEK_PASSWORD environment variable"))
}

/// `--at` as given.
fn instant(text: Option<&String>) -> Result<Option<Instant>, Failure> {
    text.map(|t| {
        t.parse().map_err(|_| fail("INVALID_INSTANT", format!("{t:?}: expected RFC 3339 with seconds and an offset")))
    })
    .transpose()
}

/// The center a command works on: each method is one operation, answered as JSON. `at` is
/// the time to act at (`None`: now); only the data folder takes one, a server decides with
/// its own clock (`AT_NOT_REMOTE`). Who acts is `center` on the folder, the signed-in user
/// on a server.
pub trait Backend {
    fn kiosk_add(&mut self, id: &str, district: &str, public_key: &str, at: Option<Instant>) -> Result<Value, Failure>;
    fn kiosk_list(&mut self) -> Result<Value, Failure>;
    fn kiosk_revoke(&mut self, id: &str) -> Result<Value, Failure>;
    fn kiosk_serve(&mut self, id: &str, district: &str) -> Result<Value, Failure>;
    fn user_add(&mut self, user: NewUser) -> Result<Value, Failure>;
    fn user_list(&mut self) -> Result<Value, Failure>;
    fn user_disable(&mut self, login: &str) -> Result<Value, Failure>;
    /// The ingest report and the signed ack's bytes.
    fn ingest(&mut self, bundle: &[u8], at: Option<Instant>) -> Result<(Value, Vec<u8>), Failure>;
    fn distribution_plan(&mut self, district: &str, at: Option<Instant>) -> Result<Value, Failure>;
    fn distribute(&mut self, district: &str, at: Option<Instant>) -> Result<Value, Failure>;
    fn tick(&mut self, at: Option<Instant>) -> Result<Value, Failure>;
    /// The signed snapshot's bytes.
    fn snapshot(&mut self, district: &str, at: Option<Instant>) -> Result<Vec<u8>, Failure>;
    /// The signed ack's bytes.
    fn ack(&mut self, kiosk: &str, at: Option<Instant>) -> Result<Vec<u8>, Failure>;
    fn review_list(&mut self, all: bool) -> Result<Value, Failure>;
    fn review_show(&mut self, item: &str) -> Result<Value, Failure>;
    fn review_decide(&mut self, decision: ReviewDecision) -> Result<Value, Failure>;
    fn report(&mut self) -> Result<Vec<ReportRow>, Failure>;
    fn quarantine_list(&mut self) -> Result<Value, Failure>;
    fn quarantine_reexamine(&mut self, kiosk: &str) -> Result<Value, Failure>;
    fn directory_import(&mut self, kindergartens: Vec<Kindergarten>, change: Attribution<'_>)
    -> Result<Value, Failure>;
    fn directory_list(&mut self, district: Option<&str>) -> Result<Value, Failure>;
    fn calendar_set_year(&mut self, year: CalendarYear, change: Attribution<'_>) -> Result<Value, Failure>;
    fn calendar_list(&mut self) -> Result<Value, Failure>;
    /// A signed population pairs file's bytes.
    fn population_import(&mut self, file: &[u8], change: Attribution<'_>) -> Result<Value, Failure>;
    /// Trusts a population-registry key (hex) for imports.
    fn population_trust(&mut self, key: &str, at: Option<Instant>) -> Result<Value, Failure>;
    /// What the imported population registry says about a parent and a child.
    fn population_check(&mut self, parent: &str, child: &str) -> Result<Value, Failure>;
    fn audit(&mut self, limit: usize) -> Result<Value, Failure>;
}

/// Who makes a change of reference data and when (`--by`, `--at`): on the folder, `center`
/// and now unless given; a server takes neither (its signed-in user acts, at its clock).
#[derive(Debug, Clone, Copy)]
pub struct Attribution<'a> {
    by: Option<&'a str>,
    at: Option<Instant>,
}

impl ChangeFile {
    /// Its `--by` and `--at`, the time read.
    fn attribution(&self) -> Result<Attribution<'_>, Failure> {
        Ok(Attribution { by: self.by.as_deref(), at: instant(self.at.as_ref())? })
    }
}

/// A reviewer's decision on a review item (`review uphold|overrule`).
#[derive(Debug)]
pub struct ReviewDecision {
    /// The item's id (`review list`).
    item: String,
    decision: Decision,
    /// Who decides on the folder (`--reviewer`); on a server, the signed-in user.
    reviewer: Option<String>,
    /// The reviewer's note; `None` for none or a blank one.
    note: Option<String>,
    at: Option<Instant>,
}

/// Where the command runs.
#[derive(Debug)]
pub enum Target {
    Folder(Local),
    Server(Remote),
}

impl Target {
    fn backend(&mut self) -> &mut dyn Backend {
        match self {
            Target::Folder(local) => local,
            Target::Server(remote) => remote,
        }
    }

    fn folder(&mut self, command: &str) -> Result<&mut Local, Failure> {
        match self {
            Target::Folder(local) => Ok(local),
            Target::Server(_) => {
                Err(fail("LOCAL_ONLY", format!("`{command}` works on the data folder only: run it without --url")))
            }
        }
    }

    fn server(&mut self, command: &str) -> Result<&mut Remote, Failure> {
        match self {
            Target::Server(remote) => Ok(remote),
            Target::Folder(_) => {
                Err(fail("URL_REQUIRED", format!("`{command}` needs the server's address: --url URL")))
            }
        }
    }
}

/// Runs one command on `target` and prints its answer.
pub fn execute(command: Cmd, target: &mut Target) -> Result<(), Failure> {
    let answer = match command {
        Cmd::Init { kindergartens, store, store_owner, demo_population } => {
            let store = store.as_deref().map(|url| (url, store_owner.as_deref()));
            target.folder("init")?.init(kindergartens.as_deref(), store, demo_population)?
        }
        Cmd::Migrate { to, store_owner } => target.folder("migrate")?.migrate(&to, store_owner.as_deref())?,
        Cmd::UpgradeStore { store_owner } => target.folder("upgrade-store")?.upgrade_store(&store_owner)?,
        Cmd::Serve(args) => {
            let folder = target.folder("serve")?;
            return serve::serve(folder.data(), || folder.open(), args);
        }
        Cmd::Login { login } => target.server("login")?.login(&login)?,
        Cmd::Logout => target.server("logout")?.logout()?,
        Cmd::Kiosk(KioskCmd::Add { id, district, pubkey, at }) => {
            target.backend().kiosk_add(&id, &district, &pubkey, instant(at.as_ref())?)?
        }
        Cmd::Kiosk(KioskCmd::List) => target.backend().kiosk_list()?,
        Cmd::Kiosk(KioskCmd::Revoke { id }) => target.backend().kiosk_revoke(&id)?,
        Cmd::Kiosk(KioskCmd::Serve { id, district }) => target.backend().kiosk_serve(&id, &district)?,
        Cmd::Operator(OperatorCmd::Add { login, name, role, districts }) => {
            let password = password(&format!("password of the new account {login}: "))?;
            target.backend().user_add(NewUser { login, name, role: role.staff(), districts, password })?
        }
        Cmd::Operator(OperatorCmd::List) => target.backend().user_list()?,
        Cmd::Operator(OperatorCmd::Disable { login }) => target.backend().user_disable(&login)?,
        Cmd::Ingest { file, at, ack_out } => {
            let at = instant(at.as_ref())?;
            let bundle = files::read_bundle(&file)?;
            let (report, ack) = target.backend().ingest(&bundle, at)?;
            if let Some(path) = ack_out {
                files::write_private(&path, &ack)?;
            }
            report
        }
        Cmd::Distribute { district, at, dry_run: true } => {
            target.backend().distribution_plan(&district, instant(at.as_ref())?)?
        }
        Cmd::Distribute { district, at, dry_run: false } => {
            target.backend().distribute(&district, instant(at.as_ref())?)?
        }
        Cmd::Tick { at } => target.backend().tick(instant(at.as_ref())?)?,
        Cmd::Snapshot { district, out, at } => {
            let bytes = target.backend().snapshot(&district, instant(at.as_ref())?)?;
            files::write_private(&out, &bytes)?;
            let snapshot: Snapshot = document(&bytes)?;
            json!({
                "district": snapshot.district,
                "generatedAt": snapshot.generated_at,
                "applications": snapshot.applications.len(),
                "queued": snapshot.positions.len(),
                "bytes": bytes.len(),
                "out": out,
            })
        }
        Cmd::Ack { kiosk, out, at } => {
            let bytes = target.backend().ack(&kiosk, instant(at.as_ref())?)?;
            files::write_private(&out, &bytes)?;
            document::<Value>(&bytes)?
        }
        Cmd::Review(ReviewCmd::List { all }) => target.backend().review_list(all)?,
        Cmd::Review(ReviewCmd::Show { item }) => target.backend().review_show(&item)?,
        Cmd::Review(ReviewCmd::Uphold(args)) => review(target.backend(), Decision::Uphold, args)?,
        Cmd::Review(ReviewCmd::Overrule(args)) => review(target.backend(), Decision::Overrule, args)?,
        Cmd::Report { format } => {
            let rows = target.backend().report()?;
            match format {
                Format::Json => serde_json::to_value(rows).map_err(|e| fail("INTERNAL", e.to_string()))?,
                Format::Table => {
                    render::raw(&render::report_table(&rows));
                    return Ok(());
                }
            }
        }
        Cmd::Quarantine(QuarantineCmd::List) => target.backend().quarantine_list()?,
        Cmd::Quarantine(QuarantineCmd::Reexamine { kiosk }) => target.backend().quarantine_reexamine(&kiosk)?,
        Cmd::Directory(DirectoryCmd::Import(change)) => {
            let by = change.attribution()?;
            let kindergartens: Vec<Kindergarten> = files::read_json(&change.file, "BAD_DIRECTORY")?;
            target.backend().directory_import(kindergartens, by)?
        }
        Cmd::Directory(DirectoryCmd::List { district }) => target.backend().directory_list(district.as_deref())?,
        Cmd::Calendar(CalendarCmd::SetYear(change)) => {
            let by = change.attribution()?;
            let year: CalendarYear = files::read_json(&change.file, "BAD_CALENDAR_YEAR")?;
            target.backend().calendar_set_year(year, by)?
        }
        Cmd::Calendar(CalendarCmd::List) => target.backend().calendar_list()?,
        Cmd::Population(PopulationCmd::Trust { key, at }) => {
            let at = instant(at.as_ref())?;
            target.backend().population_trust(&key, at)?
        }
        Cmd::Population(PopulationCmd::Import(change)) => {
            let by = change.attribution()?;
            let bytes = center::population::read_limited(&change.file).map_err(|e| fail(e.code(), e.to_string()))?;
            target.backend().population_import(&bytes, by)?
        }
        Cmd::Population(PopulationCmd::Sign { key_file, input, out, issuer, issued_at }) => {
            let passphrase = target.folder("population sign")?.passphrase()?;
            let key = changelog::KioskKey::load_with(&key_file, passphrase.as_deref()).map_err(CenterError::from)?;
            let pairs: Vec<center::population::Pair> = files::read_json(&input, "BAD_PAIRS")?;
            let count = pairs.len();
            let issued_at = issued_at.unwrap_or_else(|| center::now().to_string());
            let bytes = center::population::sign(pairs, &issuer, &issued_at, key.signing())
                .map_err(|e| fail(e.code(), e.to_string()))?;
            files::write_private(&out, &bytes)?;
            json!({ "out": out, "pairs": count, "publicKey": key.public_hex(), "issuedAt": issued_at })
        }
        Cmd::Population(PopulationCmd::Check { parent, child }) => {
            target.backend().population_check(&parent, &child)?
        }
        Cmd::Audit { limit } => target.backend().audit(limit.unwrap_or(AUDIT_LIMIT))?,
    };
    render::json(&answer);
    Ok(())
}

/// What a signed file the center wrote says (printed; the kiosk checks its signature).
fn document<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Failure> {
    let bad = |e: String| fail("BAD_DOCUMENT", format!("the signed file is not readable: {e}"));
    let document = changelog::SignedDocument::from_bytes(bytes).map_err(|e| bad(e.to_string()))?;
    serde_json::from_slice(document.unverified_json()).map_err(|e| bad(e.to_string()))
}

fn review(center: &mut dyn Backend, decision: Decision, args: args::ReviewArgs) -> Result<Value, Failure> {
    let at = instant(args.at.as_ref())?;
    let note = args.note.filter(|n| !n.trim().is_empty());
    center.review_decide(ReviewDecision { item: args.item, decision, reviewer: args.reviewer, note, at })
}

fn run(cli: Cli) -> Result<(), Failure> {
    // Signing a pairs file touches neither the folder nor a server: it runs here whatever
    // --url (or KEZEK_CENTER_URL) says.
    let folder_less = matches!(cli.command, Cmd::Population(PopulationCmd::Sign { .. }));
    let mut target = match &cli.url {
        Some(url) if !folder_less => Target::Server(Remote::new(url, cli.session_file.as_deref())?),
        _ => Target::Folder(Local::new(cli.data, cli.key_passphrase_file)),
    };
    execute(cli.command, &mut target)
}

/// The command line's entry point.
pub fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            render::error(&failure);
            ExitCode::FAILURE
        }
    }
}
