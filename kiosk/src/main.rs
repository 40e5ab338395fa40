//! `kezek-kiosk`: the kiosk's headless command line (the GUI will hook in when it is run
//! without a subcommand; for now that prints help).
//!
//! Exit codes: 0 ok, 1 a command failed (also: any rejected line of `apply`), 2 usage.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use kiosk::{
    Card, InitParams, JournalRow, Kiosk, LogHealth, NewOperator, OperatorInfo, Session, StatusReport, VerifyReport,
};
use rules::deadline::DeadlineKind;
use rules::model::Application;
use rules::{Lang, Localized, Role, Status};
use serde_json::json;

mod demo;

/// `println!` without the panic when stdout is gone (a closed pipe is not a crash).
macro_rules! outln {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// `eprintln!` without the panic.
macro_rules! errln {
    ($($t:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

/// Environment variable with the password of `--operator` (or of the first admin at `init`).
const PASSWORD_ENV: &str = "KEZEK_PASSWORD";
/// Environment variable with the new account's password for `operator add`.
const NEW_PASSWORD_ENV: &str = "KEZEK_NEW_PASSWORD";

#[derive(Debug, Parser)]
#[command(
    name = "kezek-kiosk",
    version,
    about = "Kezek kiosk: kindergarten queue office, offline. Run without a subcommand for the GUI (with a display; else this help).",
    after_help = "Passwords are never taken on the command line: use KEZEK_PASSWORD (and KEZEK_NEW_PASSWORD for `operator add`) or the --password-file options.\nExit codes: 0 ok, 1 command error, 2 usage error."
)]
struct Cli {
    /// Data folder [default: the per-user data folder, e.g. ~/.local/share/kezek-kiosk]
    #[arg(long, global = true, env = "KEZEK_KIOSK_DATA", value_name = "DIR")]
    data: Option<PathBuf>,
    /// Language of messages
    #[arg(long, global = true, value_enum, default_value_t = LangArg::Ru)]
    lang: LangArg,
    /// File holding the passphrase of the kiosk's key (else `KEZEK_KEY_PASSPHRASE`; with
    /// neither, `init` writes a plain key file)
    #[arg(long, global = true, value_name = "FILE")]
    key_passphrase_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LangArg {
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
enum TextFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TableFormat {
    Table,
    Json,
}

#[derive(Debug, Subcommand)]
enum Cmd {
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
    Demo(demo::DemoArgs),
}

#[derive(Debug, Subcommand)]
enum CenterCmd {
    /// Set the center's URL, public key and/or certificate checks (kept in `center.json` in the data folder)
    Set(CenterSetArgs),
    /// Show the center settings
    Show,
}

#[derive(Debug, Args)]
struct CenterSetArgs {
    /// Center URL, e.g. `https://center.example:8443` (or `http://127.0.0.1:8080` for a
    /// center on this computer)
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Center public key, 64 hex characters: the `publicKey` that `kezek-center init` prints,
    /// also kept in the center's data folder as `center.pub`
    #[arg(long, value_name = "HEX")]
    key: Option<String>,
    /// Trust an https center whose certificate is issued by a CA of this PEM file (copied
    /// into the data folder)
    #[arg(long, value_name = "FILE", group = "tls")]
    ca_file: Option<PathBuf>,
    /// Trust only this self-signed center certificate (PEM, from the center's administrator;
    /// copied into the data folder)
    #[arg(long, value_name = "FILE", group = "tls")]
    pin_cert: Option<PathBuf>,
    /// Forget the CA file or pinned certificate: public CAs again
    #[arg(long, group = "tls")]
    clear_tls: bool,
}

#[derive(Debug, Args)]
struct PushArgs {
    /// Center URL [default: the one set with `center set --url`]
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// Attempts per request (connection failures, timeouts, 5xx are retried with backoff)
    #[arg(long, default_value_t = 5)]
    attempts: u32,
}

#[derive(Debug, Args)]
struct FileArg {
    /// The file
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

#[derive(Debug, Args)]
struct AuthArgs {
    /// Login of the operator issuing the commands (password: `KEZEK_PASSWORD` or `--password-file`)
    #[arg(long, value_name = "LOGIN")]
    operator: String,
    /// File holding the operator's password (first line)
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct InitArgs {
    /// District code from data/districts.json (e.g. KOK)
    #[arg(long, value_name = "CODE")]
    district: String,
    /// The office's name
    #[arg(long)]
    name: String,
    /// Kiosk id, `DISTRICT-NN` (2–4 digits) [default: DISTRICT-NNNN from the key]
    #[arg(long, value_name = "KIOSK_ID")]
    id: Option<String>,
    /// Login of the first administrator
    #[arg(long, value_name = "LOGIN", default_value = "admin")]
    admin: String,
    /// Name of the first administrator
    #[arg(long, value_name = "NAME", default_value = "Администратор")]
    admin_name: String,
    /// File holding the administrator's password (else `KEZEK_PASSWORD`)
    #[arg(long, value_name = "FILE")]
    password_file: Option<PathBuf>,
    /// Training and tests: use the demo kindergarten directory until the center sends its
    /// own (without it, places and kindergarten choices wait for the first sync)
    #[arg(long)]
    demo_directory: bool,
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
}

#[derive(Debug, Subcommand)]
enum OperatorCmd {
    /// Create an account (administrators only)
    Add(OperatorAddArgs),
    /// List accounts
    List(TableFormatArg),
    /// Disable an account (administrators only)
    Disable(OperatorDisableArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RoleArg {
    Operator,
    Kindergarten,
    Admin,
}

#[derive(Debug, Args)]
struct OperatorAddArgs {
    /// The new account's login
    login: String,
    /// The new operator's full name
    #[arg(long)]
    name: String,
    #[arg(long, value_enum)]
    role: RoleArg,
    /// Kindergarten id the account is bound to (role kindergarten; repeat for several)
    #[arg(long = "kindergarten", value_name = "ID")]
    kindergartens: Vec<String>,
    /// File holding the new account's password (else `KEZEK_NEW_PASSWORD`)
    #[arg(long, value_name = "FILE")]
    new_password_file: Option<PathBuf>,
    #[command(flatten)]
    auth: AuthArgs,
}

#[derive(Debug, Args)]
struct OperatorDisableArgs {
    /// The account to disable
    login: String,
    #[command(flatten)]
    auth: AuthArgs,
}

#[derive(Debug, Args)]
struct ApplyArgs {
    /// Read JSON lines (the only input format)
    #[arg(long, required = true)]
    json_lines: bool,
    #[command(flatten)]
    auth: AuthArgs,
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
struct FindKey {
    /// Child IIN (all the child's applications)
    #[arg(long)]
    iin: Option<String>,
    /// Registration number
    #[arg(long)]
    reg: Option<String>,
    /// Direction number
    #[arg(long)]
    direction: Option<String>,
}

#[derive(Debug, Args)]
struct FindArgs {
    #[command(flatten)]
    key: FindKey,
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StatusArg {
    Queued,
    VoucherIssued,
    VoucherConfirmed,
    StopListed,
    DirectionIssued,
    RefusalReview,
    Enrolled,
    Departed,
    Archived,
}

impl From<StatusArg> for Status {
    fn from(s: StatusArg) -> Self {
        match s {
            StatusArg::Queued => Status::Queued,
            StatusArg::VoucherIssued => Status::VoucherIssued,
            StatusArg::VoucherConfirmed => Status::VoucherConfirmed,
            StatusArg::StopListed => Status::StopListed,
            StatusArg::DirectionIssued => Status::DirectionIssued,
            StatusArg::RefusalReview => Status::RefusalReview,
            StatusArg::Enrolled => Status::Enrolled,
            StatusArg::Departed => Status::Departed,
            StatusArg::Archived => Status::Archived,
        }
    }
}

#[derive(Debug, Args)]
struct JournalArgs {
    /// Only these statuses (comma-separated or repeated), e.g. queued,archived
    #[arg(long, value_enum, value_delimiter = ',')]
    status: Vec<StatusArg>,
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    format: TableFormat,
}

#[derive(Debug, Args)]
struct CardArgs {
    /// Registration number
    reg: String,
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
}

#[derive(Debug, Args)]
struct FormatArg {
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
}

#[derive(Debug, Args)]
struct TableFormatArg {
    #[arg(long, value_enum, default_value_t = TableFormat::Table)]
    format: TableFormat,
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// Bundle file to write (replaced atomically)
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[arg(long, value_enum, default_value_t = TextFormat::Text)]
    format: TextFormat,
}

/// Why the CLI stops.
enum Failure {
    /// Exit 2.
    Usage(String),
    /// Exit 1, `[CODE] message` on stderr.
    Error { code: String, message: String },
    /// Exit 1; everything was already said.
    Silent,
}

fn failure(error: &impl Localized, lang: Lang) -> Failure {
    Failure::Error { code: error.code().to_owned(), message: error.message(lang) }
}

fn tr(lang: Lang, ru: &str, kk: &str, en: &str) -> String {
    match lang {
        Lang::Ru => ru,
        Lang::Kk => kk,
        Lang::En => en,
    }
    .to_owned()
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let lang: Lang = cli.lang.into();
    if let Err(e) = kiosk::use_key_passphrase_from(cli.key_passphrase_file.as_deref()) {
        errln!("{} [{}]: {}", tr(lang, "ошибка", "қате", "error"), e.code(), e.message(lang));
        return ExitCode::from(1);
    }
    let command = cli.command;
    let Some(data) = cli.data.or_else(default_data_dir) else {
        errln!(
            "{}",
            tr(
                lang,
                "Укажите папку данных: --data DIR",
                "Деректер қалтасын көрсетіңіз: --data DIR",
                "Give the data folder: --data DIR"
            )
        );
        return ExitCode::from(2);
    };
    let Some(command) = command else {
        // No subcommand: the GUI on the data folder (the first-run set-up if it has no kiosk).
        if !cfg!(feature = "gui") || !demo::has_display() {
            let _ = Cli::command().print_help();
            return ExitCode::SUCCESS;
        }
        return match demo::gui(&data, lang) {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                errln!("{}: {message}", tr(lang, "ошибка", "қате", "error"));
                ExitCode::from(1)
            }
        };
    };
    match run(command, &data, lang) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            errln!("{message}");
            ExitCode::from(2)
        }
        Err(Failure::Error { code, message }) => {
            errln!("{} [{code}]: {message}", tr(lang, "ошибка", "қате", "error"));
            ExitCode::from(1)
        }
        Err(Failure::Silent) => ExitCode::from(1),
    }
}

fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("kz", "Kezek", "kezek-kiosk").map(|d| d.data_dir().to_path_buf())
}

/// Reads a password from a file (first line) or an environment variable.
fn password(file: Option<&Path>, env: &str, lang: Lang) -> Result<String, Failure> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::Usage(format!(
                "{}: {}: {e}",
                tr(lang, "Не читается файл пароля", "Құпиясөз файлы оқылмайды", "Cannot read the password file"),
                path.display()
            ))
        })?;
        return Ok(text.lines().next().unwrap_or_default().to_owned());
    }
    match std::env::var(env) {
        Ok(p) => Ok(p),
        Err(_) => Err(Failure::Usage(match lang {
            Lang::Ru => format!(
                "Пароль не задан: укажите его в переменной окружения {env} или через --password-file (в командной строке пароль не принимается)"
            ),
            Lang::Kk => format!(
                "Құпиясөз берілмеген: оны {env} ортасының айнымалысында немесе --password-file арқылы көрсетіңіз (командалық жолда құпиясөз қабылданбайды)"
            ),
            Lang::En => format!(
                "No password: set it in the environment variable {env} or use --password-file (passwords are not taken on the command line)"
            ),
        })),
    }
}

fn open(data: &Path, lang: Lang) -> Result<Kiosk, Failure> {
    let kiosk = Kiosk::open(data).map_err(|e| failure(&e, lang))?;
    if let LogHealth::Damaged { damage } = kiosk.health() {
        errln!("{} [{}]: {}", tr(lang, "внимание", "назар аударыңыз", "warning"), damage.code(), damage.message(lang));
    }
    if let Some(torn) = &kiosk.open_report().torn_tail {
        errln!(
            "{}",
            match lang {
                Lang::Ru => format!(
                    "Примечание: незавершённая запись в конце журнала ({} байт) отброшена — она не была подтверждена как сохранённая.",
                    torn.len
                ),
                Lang::Kk => format!(
                    "Ескерту: журнал соңындағы аяқталмаған жазба ({} байт) алынып тасталды — ол сақталды деп расталмаған.",
                    torn.len
                ),
                Lang::En => format!(
                    "Note: an unfinished append at the end of the log ({} bytes) was dropped; it had never been reported as saved.",
                    torn.len
                ),
            }
        );
    }
    Ok(kiosk)
}

/// The password of `--operator`, read before anything is opened (a usage error stops early).
fn operator_password(auth: &AuthArgs, lang: Lang) -> Result<String, Failure> {
    password(auth.password_file.as_deref(), PASSWORD_ENV, lang)
}

fn login(kiosk: &Kiosk, auth: &AuthArgs, password: &str, lang: Lang) -> Result<Session, Failure> {
    kiosk.login(&auth.operator, password).map_err(|e| failure(&e, lang))
}

fn print_json(value: &impl serde::Serialize) {
    outln!("{}", serde_json::to_string_pretty(value).expect("values serialize"));
}

fn run(command: Cmd, data: &Path, lang: Lang) -> Result<(), Failure> {
    match command {
        Cmd::Init(args) => init(&args, data, lang),
        Cmd::Operator(cmd) => operator(cmd, data, lang),
        Cmd::Apply(args) => apply(&args, data, lang),
        Cmd::Find(args) => find(&args, data, lang),
        Cmd::Journal(args) => journal(&args, data, lang),
        Cmd::Card(args) => card(&args, data, lang),
        Cmd::Status(args) => status(&args, data, lang),
        Cmd::Verify(args) => verify(&args, data, lang),
        Cmd::Export(args) => export(&args, data, lang),
        Cmd::DemoLoad(auth) => demo_load(&auth, data, lang),
        Cmd::RotateKey(auth) => rotate_key(&auth, data, lang),
        Cmd::Center(cmd) => center_cmd(cmd, data, lang),
        Cmd::Push(args) => push_cmd(&args, data, lang),
        Cmd::ImportSnapshot(arg) => import_snapshot_cmd(&arg, data, lang),
        Cmd::ImportAck(arg) => import_ack_cmd(&arg, data, lang),
        Cmd::Demo(args) => {
            demo::run(&args, data, lang).map_err(|message| Failure::Error { code: "DEMO".into(), message })
        }
    }
}

fn center_cmd(cmd: CenterCmd, data: &Path, lang: Lang) -> Result<(), Failure> {
    let kiosk = open(data, lang)?;
    match cmd {
        CenterCmd::Set(args) => {
            let tls = match (&args.ca_file, &args.pin_cert, args.clear_tls) {
                (Some(file), _, _) => Some(kiosk::push::TlsChoice::CaFile(file)),
                (_, Some(file), _) => Some(kiosk::push::TlsChoice::PinCert(file)),
                (_, _, true) => Some(kiosk::push::TlsChoice::PublicRoots),
                _ => None,
            };
            if args.url.is_none() && args.key.is_none() && tls.is_none() {
                return Err(Failure::Usage(tr(
                    lang,
                    "Укажите --url, --key, --ca-file, --pin-cert или --clear-tls",
                    "--url, --key, --ca-file, --pin-cert немесе --clear-tls көрсетіңіз",
                    "Give --url, --key, --ca-file, --pin-cert or --clear-tls",
                )));
            }
            let config = kiosk::push::configure_center(&kiosk, args.url.as_deref(), args.key.as_deref(), tls)
                .map_err(|e| failure(&e, lang))?;
            print_json(&config);
        }
        CenterCmd::Show => {
            let config = kiosk::push::center_config(&kiosk).map_err(|e| failure(&e, lang))?;
            print_json(&config);
        }
    }
    Ok(())
}

fn push_cmd(args: &PushArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
    let mut kiosk = open(data, lang)?;
    let options = sync_client::PushOptions { attempts: args.attempts.max(1), ..Default::default() };
    let mut progress = |p: &kiosk::push::PushProgress| {
        errln!("push: {:?} {}/{}", p.stage, p.sent_entries, p.total_entries);
    };
    let report = kiosk::push::push_with(&mut kiosk, args.url.as_deref().unwrap_or(""), &options, &mut progress)
        .map_err(|e| failure(&e, lang))?;
    print_json(&report);
    Ok(())
}

fn import_snapshot_cmd(arg: &FileArg, data: &Path, lang: Lang) -> Result<(), Failure> {
    let mut kiosk = open(data, lang)?;
    let report = kiosk::push::import_snapshot(&mut kiosk, &arg.file).map_err(|e| failure(&e, lang))?;
    print_json(&report);
    Ok(())
}

fn import_ack_cmd(arg: &FileArg, data: &Path, lang: Lang) -> Result<(), Failure> {
    let mut kiosk = open(data, lang)?;
    let report = kiosk::push::import_ack(&mut kiosk, &arg.file).map_err(|e| failure(&e, lang))?;
    print_json(&report);
    Ok(())
}

fn init(args: &InitArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
    let admin_password = password(args.password_file.as_deref(), PASSWORD_ENV, lang)?;
    let params = InitParams {
        district: args.district.clone(),
        name: args.name.clone(),
        kiosk_id: args.id.clone(),
        admin_login: args.admin.clone(),
        admin_name: args.admin_name.clone(),
        admin_password,
    };
    let report = Kiosk::init(data, &params).map_err(|e| failure(&e, lang))?;
    if args.demo_directory {
        kiosk::reference::use_demo_directory(data)
            .map_err(|e| Failure::Error { code: "IO".into(), message: format!("{}: {e}", data.display()) })?;
    }
    if args.format == TextFormat::Json {
        print_json(&json!({
            "kioskId": report.identity.kiosk_id,
            "district": report.identity.district,
            "name": report.identity.name,
            "publicKey": report.identity.public_key,
            "fingerprint": report.fingerprint,
            "admin": report.admin_login,
            "dataDir": report.data_dir,
        }));
        return Ok(());
    }
    outln!("{}", tr(lang, "Киоск создан.", "Киоск құрылды.", "Kiosk created."));
    outln!("{}: {}", tr(lang, "Номер киоска", "Киоск нөмірі", "Kiosk id"), report.identity.kiosk_id);
    outln!("{}: {}", tr(lang, "Открытый ключ", "Ашық кілт", "Public key"), report.identity.public_key);
    outln!("{}: {}", tr(lang, "Отпечаток ключа", "Кілт іздері", "Fingerprint"), report.fingerprint);
    outln!("{}: {}", tr(lang, "Администратор", "Әкімші", "Administrator"), report.admin_login);
    outln!("{}: {}", tr(lang, "Папка данных", "Деректер қалтасы", "Data folder"), report.data_dir.display());
    outln!(
        "{}",
        tr(
            lang,
            "Передайте номер киоска, открытый ключ и отпечаток администратору центра для регистрации киоска.",
            "Киоскты тіркеу үшін киоск нөмірін, ашық кілтті және іздерді орталық әкімшісіне беріңіз.",
            "Give the kiosk id, public key and fingerprint to the center's administrator to register the kiosk."
        )
    );
    Ok(())
}

fn role_of(arg: RoleArg) -> Role {
    match arg {
        RoleArg::Operator => Role::Operator,
        RoleArg::Kindergarten => Role::Kindergarten,
        RoleArg::Admin => Role::Admin,
    }
}

fn operator(cmd: OperatorCmd, data: &Path, lang: Lang) -> Result<(), Failure> {
    match cmd {
        OperatorCmd::Add(args) => {
            let new_password = password(args.new_password_file.as_deref(), NEW_PASSWORD_ENV, lang)?;
            let pw = operator_password(&args.auth, lang)?;
            let mut kiosk = open(data, lang)?;
            let admin = login(&kiosk, &args.auth, &pw, lang)?;
            let new = NewOperator {
                login: args.login.clone(),
                name: args.name.clone(),
                role: role_of(args.role),
                kindergartens: args.kindergartens.clone(),
            };
            let receipt = kiosk.add_operator(&admin, &new, &new_password).map_err(|e| failure(&e, lang))?;
            outln!(
                "{}",
                match lang {
                    Lang::Ru => format!("Учётная запись {} создана (запись журнала № {}).", receipt.id, receipt.seq),
                    Lang::Kk => format!("{} тіркелгісі құрылды (журнал жазбасы № {}).", receipt.id, receipt.seq),
                    Lang::En => format!("Account {} created (log entry {}).", receipt.id, receipt.seq),
                }
            );
            kiosk.close();
            Ok(())
        }
        OperatorCmd::Disable(args) => {
            let pw = operator_password(&args.auth, lang)?;
            let mut kiosk = open(data, lang)?;
            let admin = login(&kiosk, &args.auth, &pw, lang)?;
            let receipt = kiosk.disable_operator(&admin, &args.login).map_err(|e| failure(&e, lang))?;
            outln!(
                "{}",
                match lang {
                    Lang::Ru => format!("Учётная запись {} отключена (запись журнала № {}).", receipt.id, receipt.seq),
                    Lang::Kk => format!("{} тіркелгісі өшірілді (журнал жазбасы № {}).", receipt.id, receipt.seq),
                    Lang::En => format!("Account {} disabled (log entry {}).", receipt.id, receipt.seq),
                }
            );
            kiosk.close();
            Ok(())
        }
        OperatorCmd::List(args) => {
            let kiosk = open(data, lang)?;
            let operators = kiosk.operators();
            if args.format == TableFormat::Json {
                print_json(&operators);
            } else {
                print_operators(&operators, lang);
            }
            Ok(())
        }
    }
}

fn print_table(header: &[String], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else {
                let pad = widths[i] - cell.chars().count();
                out.push_str(cell);
                out.push_str(&" ".repeat(pad + 2));
            }
        }
        out
    };
    outln!("{}", line(header));
    for row in rows {
        outln!("{}", line(row));
    }
}

fn print_operators(operators: &[OperatorInfo], lang: Lang) {
    let header = vec![
        tr(lang, "Логин", "Логин", "Login"),
        tr(lang, "ФИО", "Аты-жөні", "Name"),
        tr(lang, "Роль", "Рөлі", "Role"),
        tr(lang, "Детские сады", "Балабақшалар", "Kindergartens"),
        tr(lang, "Состояние", "Күйі", "State"),
        tr(lang, "Создана", "Құрылды", "Added"),
    ];
    let rows: Vec<Vec<String>> = operators
        .iter()
        .map(|o| {
            vec![
                o.login.clone(),
                o.name.clone(),
                o.role.as_str().to_owned(),
                o.kindergartens.join(","),
                if o.active {
                    tr(lang, "активна", "белсенді", "active")
                } else {
                    tr(lang, "отключена", "өшірілген", "disabled")
                },
                format!("{} ({})", o.added_at, o.added_by),
            ]
        })
        .collect();
    print_table(&header, &rows);
}

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

fn apply(args: &ApplyArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
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
                errln!("{}: {e}", tr(lang, "ошибка чтения ввода", "енгізуді оқу қатесі", "cannot read input"));
                failed = true;
                break;
            }
        }
        line_no += 1;
        let result = match std::str::from_utf8(&buffer) {
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => kiosk.execute_json(&session, text.trim_end_matches(['\n', '\r'])),
            Err(e) => Err(kiosk::AppendError::Input(kiosk::InputError::BadJson { detail: e.to_string() })),
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

fn status_text(status: Status, lang: Lang) -> String {
    status.text().get(lang).to_owned()
}

fn print_application(app: &Application, position: Option<u32>, lang: Lang) {
    let l = |ru: &str, kk: &str, en: &str| tr(lang, ru, kk, en);
    outln!("{}: {}", l("Рег. номер", "Тіркеу нөмірі", "Registration number"), app.id);
    outln!("  {}: {} ({})", l("Ребёнок", "Бала", "Child"), app.child.name, app.child.iin);
    outln!("  {}: {}", l("Дата рождения", "Туған күні", "Birth date"), app.child.birth_date);
    outln!(
        "  {}: {} / {} / {}",
        l("Очередь", "Кезек", "Queue"),
        app.district,
        app.queue_type.text().get(lang),
        app.group_year()
    );
    outln!("  {}: {}", l("Льгота", "Жеңілдік", "Right"), app.right.text().get(lang));
    outln!("  {}: {}", l("Зарегистрировано", "Тіркелген", "Registered"), app.registered_at);
    outln!("  {}: {}", l("Статус", "Мәртебе", "Status"), status_text(app.status, lang));
    if let Some(p) = position {
        outln!("  {}: {p}", l("Место в очереди", "Кезектегі орны", "Queue position"));
    }
    if let Some(d) = &app.direction {
        outln!("  {}: {} → {}", l("Направление", "Жолдама", "Direction"), d.number, d.kindergarten);
    }
    if let Some(reason) = app.archive_reason {
        outln!("  {}: {}", l("Причина архивации", "Мұрағаттау себебі", "Archive reason"), reason.text().get(lang));
    }
    for w in &app.warnings {
        outln!("  {}: {}", l("Предупреждение", "Ескерту", "Warning"), w.text().get(lang));
    }
}

fn not_found(what: String) -> kiosk::QueryError {
    kiosk::QueryError::NotFound { what }
}

fn find(args: &FindArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
    let kiosk = open(data, lang)?;
    let q = |e: kiosk::QueryError| failure(&e, lang);
    let (apps, what) = if let Some(iin) = &args.key.iin {
        (kiosk.find_by_iin(iin).map_err(q)?, format!("IIN {iin}"))
    } else if let Some(reg) = &args.key.reg {
        (kiosk.application(reg).map_err(q)?.into_iter().collect(), reg.clone())
    } else if let Some(number) = &args.key.direction {
        (kiosk.find_by_direction(number).map_err(q)?.into_iter().collect::<Vec<_>>(), number.clone())
    } else {
        (Vec::new(), String::new())
    };
    if args.format == TextFormat::Json {
        let rows: Vec<_> =
            apps.iter().map(|a| json!({"application": a, "position": kiosk.state().position(&a.id)})).collect();
        print_json(&rows);
    } else {
        for app in &apps {
            print_application(app, kiosk.state().position(&app.id), lang);
        }
    }
    if apps.is_empty() {
        return Err(failure(&not_found(what), lang));
    }
    Ok(())
}

fn journal(args: &JournalArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
    let kiosk = open(data, lang)?;
    let statuses: Vec<Status> = args.status.iter().map(|s| (*s).into()).collect();
    let rows = kiosk.journal(&statuses).map_err(|e| failure(&e, lang))?;
    if args.format == TableFormat::Json {
        print_json(&rows);
        return Ok(());
    }
    print_journal(&rows, lang);
    Ok(())
}

fn print_journal(rows: &[JournalRow], lang: Lang) {
    let header = vec![
        tr(lang, "Рег. номер", "Тіркеу нөмірі", "Registration number"),
        tr(lang, "Зарегистрировано", "Тіркелген", "Registered"),
        tr(lang, "Очередь", "Кезек", "Queue"),
        tr(lang, "Ребёнок", "Бала", "Child"),
        tr(lang, "ИИН", "ЖСН", "IIN"),
        tr(lang, "Место", "Орны", "Position"),
        tr(lang, "Статус", "Мәртебе", "Status"),
    ];
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.clone(),
                r.registered_at.to_string(),
                format!("{}/{}/{}", r.district, r.queue_type.as_str(), r.group_year),
                r.child_name.clone(),
                r.child_iin.clone(),
                r.position.map(|p| p.to_string()).unwrap_or_default(),
                status_text(r.status, lang),
            ]
        })
        .collect();
    print_table(&header, &table);
    outln!("{}: {}", tr(lang, "Всего", "Барлығы", "Total"), rows.len());
}

fn card(args: &CardArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
    let kiosk = open(data, lang)?;
    let card = kiosk.card(&args.reg).map_err(|e| failure(&e, lang))?;
    let Some(card) = card else {
        return Err(failure(&not_found(args.reg.clone()), lang));
    };
    if args.format == TextFormat::Json {
        print_json(&card);
    } else {
        print_card(&card, lang);
    }
    Ok(())
}

fn print_card(card: &Card, lang: Lang) {
    let app = &card.application;
    print_application(app, card.position, lang);
    outln!(
        "  {}: {} ({}), {}",
        tr(lang, "Заявитель", "Өтініш беруші", "Applicant"),
        app.applicant.name,
        app.applicant.iin,
        app.applicant.phone
    );
    outln!("  {}: {}", tr(lang, "Адрес", "Мекенжайы", "Address"), app.residence.address);
    for d in &card.deadlines {
        let what = match d.kind {
            DeadlineKind::Confirm => tr(lang, "Срок подтверждения", "Растау мерзімі", "Confirm by"),
            DeadlineKind::Choose => tr(lang, "Срок выбора", "Таңдау мерзімі", "Choose by"),
            DeadlineKind::Restore => tr(lang, "Срок восстановления", "Қалпына келтіру мерзімі", "Restore by"),
        };
        let mark = if d.provisional {
            tr(
                lang,
                " (предварительный календарь: постановления на этот год ещё нет)",
                " (алдын ала күнтізбе: осы жылға қаулы әлі жоқ)",
                " (provisional calendar: no decree for that year yet)",
            )
        } else {
            String::new()
        };
        outln!("  {what}: {}{mark}", d.at);
    }
    let actions: Vec<String> = card.allowed_actions.iter().map(|a| a.action.text().get(lang).to_owned()).collect();
    outln!(
        "  {}: {}",
        tr(lang, "Доступные действия", "Қолжетімді әрекеттер", "Allowed actions"),
        if actions.is_empty() { "—".to_owned() } else { actions.join(", ") }
    );
    outln!("{}:", tr(lang, "История", "Тарихы", "History"));
    for h in &card.history {
        let who =
            h.operator_name.as_ref().map_or_else(|| h.item.operator.clone(), |n| format!("{} ({n})", h.item.operator));
        outln!(
            "  #{} {} {} {}: {} [{}] — {} {}",
            h.item.seq,
            h.item.at,
            tr(lang, "киоск", "киоск", "kiosk"),
            h.item.kiosk,
            h.item.command,
            h.item.events.join(", "),
            tr(lang, "сотрудник", "қызметкер", "by"),
            who
        );
    }
}

fn status(args: &FormatArg, data: &Path, lang: Lang) -> Result<(), Failure> {
    let kiosk = open(data, lang)?;
    let report = kiosk.status();
    if args.format == TextFormat::Json {
        print_json(&report);
    } else {
        print_status(&report, lang);
    }
    Ok(())
}

fn print_status(s: &StatusReport, lang: Lang) {
    let l = |ru: &str, kk: &str, en: &str| tr(lang, ru, kk, en);
    outln!("{}: {} — {} ({})", l("Киоск", "Киоск", "Kiosk"), s.kiosk_id, s.name, s.district);
    outln!("{}: {}", l("Отпечаток ключа", "Кілт іздері", "Key fingerprint"), s.fingerprint);
    outln!("{}: {}", l("Открытый ключ", "Ашық кілт", "Public key"), s.public_key);
    outln!("{}: {}", l("Папка данных", "Деректер қалтасы", "Data folder"), s.data_dir.display());
    outln!("{}: {}", l("Записей в журнале", "Журналдағы жазбалар", "Log entries"), s.last_seq);
    outln!("{}: {}", l("Подтверждено центром", "Орталық растаған", "Acknowledged by the center"), s.acknowledged_seq);
    outln!("{}: {}", l("Ожидают отправки", "Жіберуді күтуде", "Pending upload"), s.pending_entries);
    match (&s.last_sync_at, s.days_since_last_sync) {
        (Some(at), Some(days)) => outln!(
            "{}: {at} ({days} {})",
            l("Последняя синхронизация", "Соңғы синхрондау", "Last sync"),
            l("дн. назад", "күн бұрын", "days ago")
        ),
        _ => outln!(
            "{}: {}",
            l("Последняя синхронизация", "Соңғы синхрондау", "Last sync"),
            l("не было", "болған жоқ", "never")
        ),
    }
    match &s.log_health {
        LogHealth::Ok => outln!("{}: {}", l("Журнал", "Журнал", "Log"), l("в порядке", "жақсы", "healthy")),
        LogHealth::Damaged { damage } => outln!("{}: {}", l("Журнал", "Журнал", "Log"), damage.message(lang)),
    }
    if let Some(torn) = &s.open.torn_tail {
        outln!(
            "{}: {} {}",
            l("Отброшена незавершённая запись", "Аяқталмаған жазба алынып тасталды", "Dropped unfinished append"),
            torn.len,
            l("байт", "байт", "bytes")
        );
    }
    outln!("{}: {} / {}", l("Проекции", "Проекциялар", "Projections"), s.projected_seq, s.last_seq);
    if let Some(e) = &s.projection_error {
        outln!("  {}: {e}", l("ошибка", "қате", "error"));
    }
    outln!(
        "{}: {}, {}: {}, {}: {}",
        l("Заявлений", "Өтініштер", "Applications"),
        s.applications,
        l("записей о местах", "орын жазбалары", "places records"),
        s.places_records,
        l("активных учётных записей", "белсенді тіркелгілер", "active accounts"),
        s.operators_active
    );
    if !s.replay_problems.is_empty() {
        outln!(
            "{}: {}",
            l("Записи, не принятые при повторе", "Қайталауда қабылданбаған жазбалар", "Entries rejected on replay"),
            s.replay_problems.len()
        );
    }
    if !s.conflicts.is_empty() {
        outln!(
            "{}: {}",
            l(
                "Офлайн-конфликты с последним снимком центра (решит центр)",
                "Орталықтың соңғы суретімен офлайн қайшылықтар (орталық шешеді)",
                "Offline conflicts with the center's latest snapshot (the center decides)"
            ),
            s.conflicts.len()
        );
    }
    for note in &s.open.notes {
        outln!("  {note}");
    }
    outln!("{}: {} ms", l("Открытие", "Ашу", "Open time"), s.open.open_ms);
}

fn verify(args: &FormatArg, data: &Path, lang: Lang) -> Result<(), Failure> {
    let kiosk = open(data, lang)?;
    let report = kiosk.verify().map_err(|e| failure(&e, lang))?;
    if args.format == TextFormat::Json {
        print_json(&report);
    } else {
        print_verify(&report, lang);
    }
    if report.ok { Ok(()) } else { Err(Failure::Silent) }
}

fn print_verify(r: &VerifyReport, lang: Lang) {
    let l = |ru: &str, kk: &str, en: &str| tr(lang, ru, kk, en);
    outln!(
        "{}: {} / {}",
        l(
            "Записей с верной подписью и цепочкой",
            "Қолтаңбасы мен тізбегі дұрыс жазбалар",
            "Entries with valid signature and chain"
        ),
        r.log.valid,
        r.log.entries
    );
    if let Some(d) = &r.log.damage {
        outln!("{}", d.message(lang));
    }
    outln!(
        "{}: {}",
        l("Не приняты при повторе", "Қайталауда қабылданбады", "Rejected on replay"),
        r.replay_problems.len()
    );
    for p in &r.replay_problems {
        outln!("  #{} {}: {}", p.seq, p.code, p.message);
    }
    if !r.conflicts.is_empty() {
        outln!(
            "{}: {}",
            l(
                "Офлайн-конфликты с последним снимком центра (решит центр)",
                "Орталықтың соңғы суретімен офлайн қайшылықтар (орталық шешеді)",
                "Offline conflicts with the center's latest snapshot (the center decides)"
            ),
            r.conflicts.len()
        );
        for p in &r.conflicts {
            outln!("  #{} {}: {}", p.seq, p.code, p.message);
        }
    }
    outln!(
        "{}: {}",
        l("Расхождения проекций", "Проекциялардағы айырмашылықтар", "Projection mismatches"),
        r.projection_mismatches.len()
    );
    outln!(
        "{}",
        if r.ok {
            l("Проверка пройдена", "Тексеруден өтті", "Verified: OK")
        } else {
            l("Проверка НЕ пройдена", "Тексеруден ӨТПЕДІ", "Verification FAILED")
        }
    );
}

fn export(args: &ExportArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
    let kiosk = open(data, lang)?;
    let report = kiosk.export(&args.out).map_err(|e| failure(&e, lang))?;
    if args.format == TextFormat::Json {
        print_json(&report);
        return Ok(());
    }
    let range = match (report.first_seq, report.last_seq) {
        (Some(a), Some(b)) => format!("{a}–{b}"),
        _ => "—".to_owned(),
    };
    outln!(
        "{}",
        match lang {
            Lang::Ru => format!(
                "Выгружено записей: {} (№ {range}) в {} ({} байт).",
                report.entries,
                report.path.display(),
                report.bytes
            ),
            Lang::Kk => format!(
                "Шығарылған жазбалар: {} (№ {range}), {} файлына ({} байт).",
                report.entries,
                report.path.display(),
                report.bytes
            ),
            Lang::En => format!(
                "Exported {} entries ({range}) to {} ({} bytes).",
                report.entries,
                report.path.display(),
                report.bytes
            ),
        }
    );
    if report.remaining > 0 {
        outln!(
            "{}: {}",
            tr(
                lang,
                "Не поместились в файл, выгрузите ещё раз после отправки",
                "Файлға сыймады, жібергеннен кейін қайта шығарыңыз",
                "Left for a next export (bundle limits)"
            ),
            report.remaining
        );
    }
    Ok(())
}

fn rotate_key(auth: &AuthArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
    let pw = operator_password(auth, lang)?;
    let mut kiosk = open(data, lang)?;
    let admin = login(&kiosk, auth, &pw, lang)?;
    let receipt = kiosk.rotate_key(&admin, kiosk::configured_passphrase().as_deref()).map_err(|e| failure(&e, lang))?;
    print_json(&json!({ "seq": receipt.seq, "publicKey": kiosk.public_key_hex(), "fingerprint": kiosk.fingerprint() }));
    Ok(())
}

fn demo_load(auth: &AuthArgs, data: &Path, lang: Lang) -> Result<(), Failure> {
    let pw = operator_password(auth, lang)?;
    let mut kiosk = open(data, lang)?;
    let admin = login(&kiosk, auth, &pw, lang)?;
    let report = kiosk.demo_load(&admin).map_err(|e| failure(&e, lang))?;
    outln!(
        "{}",
        match lang {
            Lang::Ru => format!(
                "Демо-данные загружены: заявлений {}, записей о местах {}, отклонено {} (записи журнала № {}–{}).",
                report.registered,
                report.places,
                report.rejected.len(),
                report.first_seq,
                report.last_seq
            ),
            Lang::Kk => format!(
                "Демо деректер жүктелді: өтініштер {}, орын жазбалары {}, қабылданбады {} (журнал жазбалары № {}–{}).",
                report.registered,
                report.places,
                report.rejected.len(),
                report.first_seq,
                report.last_seq
            ),
            Lang::En => format!(
                "Demo data loaded: {} applications, {} places records, {} rejected (log entries {}–{}).",
                report.registered,
                report.places,
                report.rejected.len(),
                report.first_seq,
                report.last_seq
            ),
        }
    );
    for r in &report.rejected {
        outln!("  {} {} [{}] {}", r.at, r.command, r.code, r.message);
    }
    kiosk.close();
    Ok(())
}
