//! `kezek-center`: the center's command line. Every command prints JSON (or a table for
//! `report --format table`) to stdout; errors go to stderr as `{"error":{"code","message"}}`
//! with exit code 1.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use center::{CENTER_ID, Center, CenterError, Decision};
use clap::{Parser, Subcommand, ValueEnum};
use rules::Instant;
use rules::authz::staff::StaffRole;
use serde::Serialize;

#[derive(Debug, Parser)]
#[command(
    name = "kezek-center",
    version,
    about = "Kezek center: ingest kiosks' change logs, distribution, expiry, snapshots"
)]
struct Cli {
    /// The center's data directory.
    #[arg(long, env = "KEZEK_CENTER_DATA", default_value = "center-data")]
    data: PathBuf,
    /// File holding the passphrase of the center's private key (else `KEZEK_KEY_PASSPHRASE`;
    /// with neither, `init` writes a plain key file).
    #[arg(long, global = true)]
    key_passphrase_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Create the data directory: center key pair (private key 0600) and store.
    Init {
        /// Kindergarten directory (JSON array of kindergartens); the demo one by default.
        #[arg(long)]
        kindergartens: Option<PathBuf>,
    },
    /// Kiosk registration.
    #[command(subcommand)]
    Kiosk(KioskCmd),
    /// Center staff accounts (admin, reviewer, distributor, viewer); passwords are read from
    /// `KEZEK_PASSWORD`.
    #[command(subcommand, alias = "user")]
    Operator(OperatorCmd),
    /// Serve the HTTP API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Most open connections; more are closed at once.
        #[arg(long, env = "KEZEK_MAX_CONNECTIONS", default_value_t = 512)]
        max_connections: usize,
        /// Seconds a client has to send a request's headers (also: how long an idle
        /// kept-alive connection stays open).
        #[arg(long, env = "KEZEK_HEADER_TIMEOUT_SECS", default_value_t = 10)]
        header_timeout_secs: u64,
        /// Seconds a client has to send a whole upload body.
        #[arg(long, env = "KEZEK_BODY_TIMEOUT_SECS", default_value_t = 60)]
        body_timeout_secs: u64,
        /// Upload bodies read at the same time; more are answered 503 with Retry-After.
        #[arg(long, env = "KEZEK_MAX_UPLOADS", default_value_t = 32)]
        max_uploads: usize,
        /// Serve HTTPS with this PEM certificate chain (the center's certificate first);
        /// with --tls-key.
        #[arg(long, env = "KEZEK_TLS_CERT", value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1).
        #[arg(long, env = "KEZEK_TLS_KEY", value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Serve plain HTTP on an address other than loopback (without TLS the center
        /// listens on 127.0.0.0/8 or `::1` only, e.g. behind a reverse proxy on the same host).
        #[arg(long, conflicts_with = "tls_cert")]
        insecure_http: bool,
    },
    /// Ingest a bundle file (USB); prints the report; writes the signed ack with --ack-out.
    Ingest {
        file: PathBuf,
        /// Receipt time (RFC 3339); now by default.
        #[arg(long)]
        at: Option<String>,
        /// Where to write the signed ack for the kiosk.
        #[arg(long)]
        ack_out: Option<PathBuf>,
    },
    /// A distribution round for a district.
    Distribute {
        #[arg(long)]
        district: String,
        #[arg(long)]
        at: Option<String>,
    },
    /// Deadline expiry and age-out due now (or at --at).
    Tick {
        #[arg(long)]
        at: Option<String>,
    },
    /// Write a district's signed snapshot.
    Snapshot {
        #[arg(long)]
        district: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        at: Option<String>,
    },
    /// Write a kiosk's signed ack (USB round trip).
    Ack {
        #[arg(long)]
        kiosk: String,
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        at: Option<String>,
    },
    /// The reviewer queue.
    #[command(subcommand)]
    Review(ReviewCmd),
    /// Queue sizes, vouchers, places and enrollments per district and group year.
    Report {
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// Quarantined entries.
    #[command(subcommand)]
    Quarantine(QuarantineCmd),
    /// The kindergarten directory the center owns and sends to kiosks in its snapshots.
    #[command(subcommand)]
    Directory(DirectoryCmd),
    /// The working-day calendar's updates (decrees), sent to kiosks in the snapshots.
    #[command(subcommand)]
    Calendar(CalendarCmd),
}

#[derive(Debug, Subcommand)]
enum CalendarCmd {
    /// Set one year (JSON: year, provisional, kurbanAit, extraDaysOff, extraWorkingDays,
    /// source): a listed year replaced when its decree is published, or the next year added.
    SetYear {
        file: PathBuf,
        #[arg(long, default_value = "center")]
        by: String,
        #[arg(long)]
        at: Option<String>,
    },
    /// The calendar's years now, with the version.
    List,
}

#[derive(Debug, Subcommand)]
enum DirectoryCmd {
    /// Load a directory (JSON array of kindergartens): each new or changed kindergarten is a
    /// center log entry; kindergartens not in the file stay (close one with `"open": false`).
    Import {
        file: PathBuf,
        /// Who made the change, for the log.
        #[arg(long, default_value = "center")]
        by: String,
        #[arg(long)]
        at: Option<String>,
    },
    /// The directory now, with its version.
    List {
        #[arg(long)]
        district: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum KioskCmd {
    /// Register a kiosk's public key.
    Add {
        #[arg(long)]
        id: String,
        #[arg(long)]
        district: String,
        /// The kiosk's ed25519 public key, 64 hex digits.
        #[arg(long)]
        pubkey: String,
        #[arg(long)]
        at: Option<String>,
    },
    List,
    /// Refuse the kiosk's uploads from now on.
    Revoke {
        #[arg(long)]
        id: String,
    },
    /// Let the kiosk also serve another district (cross-district registrations and actions);
    /// its own district is always served.
    Serve {
        #[arg(long)]
        id: String,
        #[arg(long)]
        district: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum CenterRole {
    Admin,
    Reviewer,
    Distributor,
    Viewer,
}

impl CenterRole {
    fn staff(self) -> StaffRole {
        match self {
            CenterRole::Admin => StaffRole::Admin,
            CenterRole::Reviewer => StaffRole::Reviewer,
            CenterRole::Distributor => StaffRole::Distributor,
            CenterRole::Viewer => StaffRole::Viewer,
        }
    }
}

#[derive(Debug, Subcommand)]
enum OperatorCmd {
    /// Create a staff account (the password from `KEZEK_PASSWORD`).
    Add {
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        #[arg(long, value_enum)]
        role: CenterRole,
        /// A district the account works for (repeat for several; reviewers and
        /// distributors need at least one).
        #[arg(long = "district")]
        districts: Vec<String>,
    },
    List,
    /// Disable an account and end its sessions.
    Disable {
        #[arg(long)]
        login: String,
    },
}

#[derive(Debug, Subcommand)]
enum ReviewCmd {
    /// Review items (open ones unless --all).
    List {
        #[arg(long)]
        all: bool,
    },
    /// Uphold: the refusal (kindergarten's, or the center's of an entry) stands.
    Uphold(ReviewArgs),
    /// Overrule: the kindergarten must enroll, or the refused entry's command is applied now.
    Overrule(ReviewArgs),
}

#[derive(Debug, clap::Args)]
struct ReviewArgs {
    /// Item id from `review list` (R-…, E-…, C-…).
    item: String,
    /// Reviewer login (password from `KEZEK_PASSWORD`).
    #[arg(long)]
    reviewer: String,
    #[arg(long)]
    note: Option<String>,
    #[arg(long)]
    at: Option<String>,
}

#[derive(Debug, Subcommand)]
enum QuarantineCmd {
    List,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Table,
}

struct Failure {
    code: String,
    message: String,
}

impl From<CenterError> for Failure {
    fn from(e: CenterError) -> Self {
        Failure { code: e.code().to_owned(), message: e.to_string() }
    }
}

fn fail(code: &str, message: impl Into<String>) -> Failure {
    Failure { code: code.to_owned(), message: message.into() }
}

fn at(text: Option<&String>) -> Result<Instant, Failure> {
    match text {
        None => Ok(center::now()),
        Some(t) => t
            .parse()
            .map_err(|_| fail("INVALID_INSTANT", format!("{t:?}: expected RFC 3339 with seconds and an offset"))),
    }
}

fn print<T: Serialize>(value: &T) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, value);
    let _ = writeln!(out);
}

fn password() -> Result<String, Failure> {
    std::env::var("KEZEK_PASSWORD")
        .map_err(|_| fail("NO_PASSWORD", "set the password in the KEZEK_PASSWORD environment variable"))
}

/// Reads a bundle file, at most [`changelog::MAX_BUNDLE_BYTES`]: a device or a huge file
/// (`/dev/zero`) cannot make the center read without end.
fn read_bundle_file(path: &PathBuf) -> Result<Vec<u8>, Failure> {
    use std::io::Read;
    let io = |e: std::io::Error| fail("IO", format!("{}: {e}", path.display()));
    let mut bytes = Vec::new();
    let limit = changelog::MAX_BUNDLE_BYTES as u64;
    std::fs::File::open(path).map_err(io)?.take(limit + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(fail("TOO_LARGE", format!("{}: a bundle file is at most {limit} bytes", path.display())));
    }
    Ok(bytes)
}

/// Writes a snapshot or ack file (personal data): readable by its owner only, also when
/// it existed before with a wider mode.
fn write_file(path: &PathBuf, bytes: &[u8]) -> Result<(), Failure> {
    let io = |e: std::io::Error| fail("IO", format!("{}: {e}", path.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(io)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if file.metadata().map_err(io)?.file_type().is_file() {
            file.set_permissions(std::fs::Permissions::from_mode(0o600)).map_err(io)?;
        }
    }
    file.write_all(bytes).map_err(io)?;
    file.sync_all().map_err(io)
}

fn report_table(rows: &[center::ReportRow]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<8} {:>5} {:>7} {:>8} {:>7} {:>9} {:>5} {:>6} {:>7} {:>8} {:>8} {:>8} {:>9} {:>5}",
        "district",
        "year",
        "queued",
        "vouchers",
        "issued",
        "confirmed",
        "stop",
        "dirs",
        "refusal",
        "enrolled",
        "archived",
        "pending",
        "published",
        "free"
    );
    for r in rows {
        let _ = writeln!(
            out,
            "{:<8} {:>5} {:>7} {:>8} {:>7} {:>9} {:>5} {:>6} {:>7} {:>8} {:>8} {:>8} {:>9} {:>5}",
            r.district,
            r.group_year,
            r.queued,
            r.vouchers_outstanding,
            r.voucher_issued,
            r.voucher_confirmed,
            r.stop_listed,
            r.directions,
            r.refusal_review,
            r.enrolled,
            r.archived,
            r.places_pending,
            r.places_published,
            r.places_free
        );
    }
    out
}

#[allow(clippy::too_many_lines)]
fn run(cli: Cli) -> Result<(), Failure> {
    let passphrase = changelog::passphrase_from(cli.key_passphrase_file.as_deref()).map_err(CenterError::from)?;
    let open = || Center::open_with(&cli.data, passphrase.as_deref()).map_err(Failure::from);
    match cli.command {
        Cmd::Init { kindergartens } => {
            let info = Center::init_with(&cli.data, kindergartens.as_deref(), passphrase.as_deref())?;
            print(&info);
        }
        Cmd::Kiosk(KioskCmd::Add { id, district, pubkey, at: when }) => {
            let info = open()?.add_kiosk(&id, &district, &pubkey, at(when.as_ref())?)?;
            print(&info);
        }
        Cmd::Kiosk(KioskCmd::List) => print(&open()?.kiosks()),
        Cmd::Kiosk(KioskCmd::Revoke { id }) => print(&open()?.revoke_kiosk(&id, center::now())?),
        Cmd::Kiosk(KioskCmd::Serve { id, district }) => print(&open()?.add_served_district(&id, &district)?),
        Cmd::Directory(DirectoryCmd::Import { file, by, at: when }) => {
            let text = std::fs::read_to_string(&file).map_err(|e| fail("IO", format!("{}: {e}", file.display())))?;
            let kindergartens: Vec<rules::model::Kindergarten> =
                serde_json::from_str(&text).map_err(|e| fail("BAD_DIRECTORY", format!("{}: {e}", file.display())))?;
            print(&open()?.import_directory(kindergartens, &by, at(when.as_ref())?)?);
        }
        Cmd::Calendar(CalendarCmd::SetYear { file, by, at: when }) => {
            let text = std::fs::read_to_string(&file).map_err(|e| fail("IO", format!("{}: {e}", file.display())))?;
            let year: rules::calendar::CalendarYear = serde_json::from_str(&text)
                .map_err(|e| fail("BAD_CALENDAR_YEAR", format!("{}: {e}", file.display())))?;
            print(&open()?.set_calendar_year(year, &by, at(when.as_ref())?)?);
        }
        Cmd::Calendar(CalendarCmd::List) => {
            let center = open()?;
            let calendar = center.state().calendar();
            print(&serde_json::json!({ "version": calendar.version(), "years": calendar.years() }));
        }
        Cmd::Directory(DirectoryCmd::List { district }) => {
            let (version, mut kindergartens) = open()?.directory();
            if let Some(district) = district {
                kindergartens.retain(|k| k.district == district);
            }
            print(&serde_json::json!({ "version": version, "kindergartens": kindergartens }));
        }
        Cmd::Operator(OperatorCmd::Add { login, name, role, districts }) => {
            let user = center::NewUser { login, name, role: role.staff(), districts, password: password()? };
            print(&open()?.add_user(CENTER_ID, user, center::now())?);
        }
        Cmd::Operator(OperatorCmd::List) => print(&open()?.users()),
        Cmd::Operator(OperatorCmd::Disable { login }) => {
            print(&open()?.disable_user(CENTER_ID, &login, center::now())?);
        }
        Cmd::Serve {
            listen,
            max_connections,
            header_timeout_secs,
            body_timeout_secs,
            max_uploads,
            tls_cert,
            tls_key,
            insecure_http,
        } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => {
                    Some(center::tls::acceptor(&cert, &key).map_err(|e| fail(e.code(), e.to_string()))?)
                }
                _ => None,
            };
            let center = open()?;
            let fingerprint = changelog::fingerprint(&center.public_key());
            let limits = center::http::Limits {
                max_connections,
                header_timeout: std::time::Duration::from_secs(header_timeout_secs.max(1)),
                body_timeout: std::time::Duration::from_secs(body_timeout_secs.max(1)),
                max_uploads,
                ..center::http::Limits::default()
            };
            let schedule = center::scheduler::Schedule::load(&cli.data)?;
            let options = center::http::ServerOptions { limits, schedule: Some(schedule), ..Default::default() };
            let app = center::http::App::with_options(center, Arc::new(center::now), options);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(|e| fail("IO", e.to_string()))?;
            runtime.block_on(async move {
                let listener =
                    tokio::net::TcpListener::bind(&listen).await.map_err(|e| fail("IO", format!("{listen}: {e}")))?;
                let addr = listener.local_addr().map_err(|e| fail("IO", e.to_string()))?;
                // The address actually bound decides (`localhost` and names resolve first).
                if tls.is_none() && !insecure_http && !addr.ip().to_canonical().is_loopback() {
                    return Err(fail(
                        "INSECURE_HTTP",
                        format!(
                            "refusing to serve plain HTTP on {addr}: the kiosks' uploads and the center's answers \
                             would cross the network unencrypted. Give --tls-cert FILE --tls-key FILE, or listen on \
                             127.0.0.1 behind a reverse proxy that terminates TLS (docs/OPERATIONS.md), or, on a \
                             network you trust, add --insecure-http"
                        ),
                    ));
                }
                let scheme = if tls.is_some() { "https" } else { "http" };
                eprintln!("kezek-center listening on {scheme}://{addr} (center key {fingerprint})");
                center::http::serve_with(listener, app, tls, shutdown_signal())
                    .await
                    .map_err(|e| fail("IO", e.to_string()))
            })?;
        }
        Cmd::Ingest { file, at: when, ack_out } => {
            let bytes = read_bundle_file(&file)?;
            let mut center = open()?;
            match center.ingest(&bytes, at(when.as_ref())?, None) {
                Ok(ingested) => {
                    if let Some(path) = ack_out {
                        write_file(&path, &ingested.ack_bytes)?;
                    }
                    print(&ingested.report);
                }
                Err(e) => return Err(fail(e.code(), e.to_string())),
            }
        }
        Cmd::Distribute { district, at: when } => print(&open()?.distribute(&district, at(when.as_ref())?)?),
        Cmd::Tick { at: when } => print(&open()?.tick(at(when.as_ref())?)?),
        Cmd::Snapshot { district, out, at: when } => {
            let (snapshot, bytes) = open()?.snapshot(&district, at(when.as_ref())?)?;
            write_file(&out, &bytes)?;
            print(&serde_json::json!({
                "district": snapshot.district,
                "generatedAt": snapshot.generated_at,
                "applications": snapshot.applications.len(),
                "queued": snapshot.positions.len(),
                "bytes": bytes.len(),
                "out": out,
            }));
        }
        Cmd::Ack { kiosk, out, at: when } => {
            let (ack, bytes) = open()?.ack(&kiosk, at(when.as_ref())?)?;
            write_file(&out, &bytes)?;
            print(&ack);
        }
        Cmd::Review(ReviewCmd::List { all }) => {
            let items: Vec<_> = open()?.review_items().into_iter().filter(|i| all || i.status == "open").collect();
            print(&items);
        }
        Cmd::Review(ReviewCmd::Uphold(args)) => review(open()?, Decision::Uphold, args)?,
        Cmd::Review(ReviewCmd::Overrule(args)) => review(open()?, Decision::Overrule, args)?,
        Cmd::Report { format } => {
            let rows = open()?.report();
            match format {
                Format::Json => print(&rows),
                Format::Table => print_raw(&report_table(&rows)),
            }
        }
        Cmd::Quarantine(QuarantineCmd::List) => print(&open()?.quarantine()),
    }
    Ok(())
}

/// Ctrl-C or SIGTERM (service managers) stop the server after in-flight requests.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let Ok(mut term) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn review(mut center: Center, decision: Decision, args: ReviewArgs) -> Result<(), Failure> {
    let when = at(args.at.as_ref())?;
    let user = center.check_password(&args.reviewer, &password()?)?;
    let item = center.review(&args.item, decision, &user, when, args.note)?;
    print(&item);
    Ok(())
}

fn print_raw(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let body = serde_json::json!({ "error": { "code": failure.code, "message": failure.message } });
            eprintln!("{body}");
            ExitCode::FAILURE
        }
    }
}
