//! The command line's arguments (clap): subcommands, options and their value types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rules::{Lang, Role, Status};

/// Environment variable with the password of `--operator` (or of the first admin at `init`).
pub const PASSWORD_ENV: &str = "KEZEK_PASSWORD";
/// Environment variable with the new account's password for `operator add`.
pub const NEW_PASSWORD_ENV: &str = "KEZEK_NEW_PASSWORD";

#[derive(Debug, Parser)]
#[command(
    name = "kezek-kiosk",
    version,
    about = "Kezek kiosk: kindergarten queue office, offline. Run without a subcommand for the GUI (with a display; else this help).",
    after_help = "Passwords are never taken on the command line: use KEZEK_PASSWORD (and KEZEK_NEW_PASSWORD for `operator add`) or the --password-file options.\nExit codes: 0 ok, 1 command error, 2 usage error."
)]
pub struct Cli {
    /// Data folder [default: the per-user data folder, e.g. ~/.local/share/kezek-kiosk]
    #[arg(long, global = true, env = "KEZEK_KIOSK_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Language of messages
    #[arg(long, global = true, value_enum, default_value_t = LangArg::Ru)]
    pub lang: LangArg,
    /// File holding the passphrase of the kiosk's key (else `KEZEK_KEY_PASSPHRASE`; with
    /// neither, `init` writes a plain key file)
    #[arg(long, global = true, value_name = "FILE")]
    pub key_passphrase_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Cmd>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LangArg {
    Ru,
    Kk,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Self {
        match l {
            LangArg::Ru => Lang::Ru,
            LangArg::Kk => Lang::Kk,
            LangArg::En => Lang::En,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextFormat {
    Text,
    Json,
}

impl TextFormat {
    pub fn is_json(self) -> bool {
        self == TextFormat::Json
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    Table,
    Json,
}

impl TableFormat {
    pub fn is_json(self) -> bool {
        self == TableFormat::Json
    }
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Create the kiosk: signing key, first administrator, first log entry
    Init(InitArgs),
    /// Manage operator accounts
    #[command(subcommand)]
    Operator(OperatorCmd),
    /// Execute JSON commands from standard input, one per line; one JSON result per line
    Apply(ApplyArgs),
    /// Find applications by child IIN, registration number or direction number
    Find(FindArgs),
    /// List applications in registration order
    Journal(JournalArgs),
    /// Show an application's card with its history
    Card(CardArgs),
    /// Pending entries, last sync, key fingerprint, log health
    Status(FormatArg),
    /// Check the whole log (every signature), replay it and compare the projections
    Verify(FormatArg),
    /// Write the entries not yet acknowledged by the center to a bundle file
    Export(ExportArgs),
    /// Load the demo places and applications (data/demo) through real commands
    DemoLoad(AuthArgs),
    /// Replace the kiosk's signing key (administrators only; the change is a log entry signed by the old key)
    RotateKey(AuthArgs),
    /// The center this kiosk syncs with (URL, public key, certificate checks)
    #[command(subcommand)]
    Center(CenterCmd),
    /// Send the pending entries to the center, apply its signed ack, fetch the district snapshot
    Push(PushArgs),
    /// Keep a signed district snapshot from a file (USB)
    ImportSnapshot(FileArg),
    /// Apply a signed ack from a file (USB: the center's `ack --out` / `ingest --ack-out`)
    ImportAck(FileArg),
    /// A demo kiosk (district KOK, demo data) in the data folder: the GUI on it, or `--headless` a walk-through
    Demo(DemoArgs),
}

#[derive(Debug, Subcommand)]
pub enum CenterCmd {
    /// Set the center's URL, public key and/or certificate checks (kept in `center.json` in the data folder)
    Set(CenterSetArgs),
    /// Show the center settings
    Show,
}

#[derive(Debug, Args)]
pub struct CenterSetArgs {
    /// Center URL, e.g. `https://center.example:8443` (or `http://127.0.0.1:8080` for a
    /// center on this computer)
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Center public key, 64 hex characters: the `publicKey` that `kezek-center init` prints,
    /// also kept in the center's data folder as `center.pub`
    #[arg(long, value_name = "HEX")]
    pub key: Option<String>,
    /// Trust an https center whose certificate is issued by a CA of this PEM file (copied
    /// into the data folder)
    #[arg(long, value_name = "FILE", group = "tls")]
    pub ca_file: Option<PathBuf>,
    /// Trust only this self-signed center certificate (PEM, from the center's administrator;
    /// copied into the data folder)
    #[arg(long, value_name = "FILE", group = "tls")]
    pub pin_cert: Option<PathBuf>,
    /// Forget the CA file or pinned certificate: public CAs again
    #[arg(long, group = "tls")]
    pub clear_tls: bool,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// Center URL [default: the one set with `center set --url`]
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Attempts per request (connection failures, timeouts, 5xx are retried with backoff)
    #[arg(long, default_value_t = 5)]
    pub attempts: u32,
}

#[derive(Debug, Args)]
pub struct FileArg {
    /// The file
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct AuthArgs {
    /// Login of the operator issuing the commands (password: `KEZEK_PASSWORD` or `--password-file`)
    #[arg(long, value_name = "LOGIN")]
    pub operator: String,
    /// File holding the operator's password (first line)
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// District code from data/districts.json (e.g. KOK)
    #[arg(long, value_name = "CODE")]
    pub district: String,
    /// The office's name
    #[arg(long)]
    pub name: String,
    /// Kiosk id, `DISTRICT-NN` (2–4 digits) [default: DISTRICT-NNNN from the key]
    #[arg(long, value_name = "KIOSK_ID")]
    pub id: Option<String>,
    /// Login of the first administrator
    #[arg(long, value_name = "LOGIN", default_value = "admin")]
    pub admin: String,
    /// Name of the first administrator
    #[arg(long, value_name = "NAME", default_value = "Администратор")]
    pub admin_name: String,
    /// File holding the administrator's password (else `KEZEK_PASSWORD`)
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
    /// Training and tests: use the demo kindergarten directory until the center sends its
    /// own (without it, places and kindergarten choices wait for the first sync)
    #[arg(long)]
    pub demo_directory: bool,
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    pub format: TextFormat,
}

#[derive(Debug, Subcommand)]
pub enum OperatorCmd {
    /// Create an account (administrators only)
    Add(OperatorAddArgs),
    /// List accounts
    List(TableFormatArg),
    /// Disable an account (administrators only)
    Disable(OperatorDisableArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Operator,
    Kindergarten,
    Admin,
}

impl From<RoleArg> for Role {
    fn from(arg: RoleArg) -> Self {
        match arg {
            RoleArg::Operator => Role::Operator,
            RoleArg::Kindergarten => Role::Kindergarten,
            RoleArg::Admin => Role::Admin,
        }
    }
}

#[derive(Debug, Args)]
pub struct OperatorAddArgs {
    /// The new account's login
    pub login: String,
    /// The new operator's full name
    #[arg(long)]
    pub name: String,
    #[arg(long, value_enum)]
    pub role: RoleArg,
    /// Kindergarten id the account is bound to (role kindergarten; repeat for several)
    #[arg(long = "kindergarten", value_name = "ID")]
    pub kindergartens: Vec<String>,
    /// File holding the new account's password (else `KEZEK_NEW_PASSWORD`)
    #[arg(long, value_name = "FILE")]
    pub new_password_file: Option<PathBuf>,
    #[command(flatten)]
    pub auth: AuthArgs,
}

#[derive(Debug, Args)]
pub struct OperatorDisableArgs {
    /// The account to disable
    pub login: String,
    #[command(flatten)]
    pub auth: AuthArgs,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Read JSON lines (the only input format)
    #[arg(long, required = true)]
    pub json_lines: bool,
    #[command(flatten)]
    pub auth: AuthArgs,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct FindKey {
    /// Child IIN (all the child's applications)
    #[arg(long)]
    pub iin: Option<String>,
    /// Registration number
    #[arg(long)]
    pub reg: Option<String>,
    /// Direction number
    #[arg(long)]
    pub direction: Option<String>,
}

#[derive(Debug, Args)]
pub struct FindArgs {
    #[command(flatten)]
    pub key: FindKey,
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    pub format: TextFormat,
}

/// Statuses as the command line spells them: the rules' own names, with `-` for `_`
/// (`voucher-issued`), listed in `--help` and checked by clap.
fn status_value() -> impl clap::builder::TypedValueParser<Value = Status> {
    use clap::builder::TypedValueParser as _;
    let spelled = |status: Status| status.as_str().replace('_', "-");
    clap::builder::PossibleValuesParser::new(Status::ALL.map(spelled)).map(move |name| {
        // The parser above lets through only the names listed from `Status::ALL`.
        Status::ALL.into_iter().find(|s| spelled(*s) == name).unwrap_or(Status::Queued)
    })
}

#[derive(Debug, Args)]
pub struct JournalArgs {
    /// Only these statuses (comma-separated or repeated), e.g. queued,archived
    #[arg(long, value_delimiter = ',', value_parser = status_value())]
    pub status: Vec<Status>,
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
}

#[derive(Debug, Args)]
pub struct CardArgs {
    /// Registration number
    pub reg: String,
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    pub format: TextFormat,
}

#[derive(Debug, Args)]
pub struct FormatArg {
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    pub format: TextFormat,
}

#[derive(Debug, Args)]
pub struct TableFormatArg {
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    pub format: TableFormat,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Bundle file to write (replaced atomically)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    pub format: TextFormat,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Print a walk-through of the demo kiosk instead of opening the window
    #[arg(long)]
    pub headless: bool,
}
