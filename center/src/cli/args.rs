//! The command line's arguments (clap). One enum of commands, [`Cmd`]: each runs on the data
//! folder, or through a running server's staff API with `--url` (see [`super`]).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use rules::authz::staff::StaffRole;

#[derive(Debug, Parser)]
#[command(
    name = "kezek-center",
    version,
    about = "Kezek center: ingest kiosks' change logs, distribution, expiry, snapshots",
    after_help = "With --url (or KEZEK_CENTER_URL) a command runs through the running server's staff API as \
                  the user signed in with `kezek-center --url URL login --login LOGIN`; without it, on the data \
                  folder (which a running server locks)."
)]
pub struct Cli {
    /// The center's data directory.
    #[arg(long, env = "KEZEK_CENTER_DATA", default_value = "center-data")]
    pub data: PathBuf,
    /// File holding the passphrase of the center's private key (else `KEZEK_KEY_PASSPHRASE`;
    /// with neither, `init` writes a plain key file).
    #[arg(long, global = true)]
    pub key_passphrase_file: Option<PathBuf>,
    /// A running server (`http://host:port`): run the command through its staff API as the
    /// signed-in user instead of on the data folder (`init` and `serve` stay on the folder).
    #[arg(long, env = "KEZEK_CENTER_URL", global = true)]
    pub url: Option<String>,
    /// Where `login` keeps the session token (mode 0600); by default
    /// `$XDG_CONFIG_HOME/kezek/center-session.json`, else `~/.config/kezek/center-session.json`.
    #[arg(long, env = "KEZEK_CENTER_SESSION", global = true)]
    pub session_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Create the data directory: center key pair (private key 0600) and store (folder only).
    Init {
        /// Kindergarten directory (JSON array of kindergartens); the demo one by default.
        #[arg(long)]
        kindergartens: Option<PathBuf>,
        /// Keep the center's store in this PostgreSQL database (`postgres://user@host/db`;
        /// the password in `~/.pgpass` or `PGPASSWORD`) instead of the data folder. Recorded
        /// in the folder's `store.url`; the key and the directory stay in the folder.
        #[arg(long)]
        store: Option<String>,
        /// Set up the database's schema first, connected as its owner (`postgres://OWNER@host/db`),
        /// a role other than --store's: the owner creates the tables and grants --store's role
        /// only reading and appending to the accepted log (and what the server needs elsewhere).
        /// Without it the schema must be set up already (a second server's folder).
        #[arg(long, requires = "store")]
        store_owner: Option<String>,
        /// Also trust the demo population-registry key and import the demo registry file
        /// (`data/population-demo.json`: demo data only).
        #[arg(long)]
        demo_population: bool,
    },
    /// Copy the folder's embedded store into an empty PostgreSQL database, verifying every
    /// entry's signature and chain, then use the database (`store.url`); the embedded store
    /// is left in place, untouched.
    Migrate {
        /// The target database, `postgres://…`, as the server's role.
        #[arg(long)]
        to: String,
        /// Set up the target's schema first, connected as its owner (see `init --store-owner`).
        #[arg(long)]
        store_owner: Option<String>,
    },
    /// Bring the folder's PostgreSQL schema up to date after an upgrade that added tables
    /// (the server refuses to start and names the missing table), connected as the schema's
    /// owner; adds what is missing, grants the server's role what it needs, changes no data.
    UpgradeStore {
        /// The schema owner's URL (see `init --store-owner`).
        #[arg(long)]
        store_owner: String,
    },
    /// Sign in to the server at --url as a center user (the password from `KEZEK_PASSWORD`,
    /// else asked on the terminal); the session is kept in the session file.
    Login {
        #[arg(long)]
        login: String,
    },
    /// End the session kept in the session file.
    Logout,
    /// Kiosk registration.
    #[command(subcommand)]
    Kiosk(KioskCmd),
    /// Center staff accounts (admin, reviewer, distributor, viewer); passwords are read from
    /// `KEZEK_PASSWORD`.
    #[command(subcommand, alias = "user")]
    Operator(OperatorCmd),
    /// Serve the HTTP API (folder only).
    Serve(ServeArgs),
    /// Ingest a bundle file (USB); prints the report; writes the signed ack with --ack-out.
    Ingest {
        file: PathBuf,
        /// Receipt time (RFC 3339); now by default (folder only: a server uses its clock).
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
        /// Only print the plan: who would get a voucher and why; changes nothing.
        #[arg(long)]
        dry_run: bool,
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
    /// The population registry (parent–child pairs) the parents' channel checks links against.
    #[command(subcommand)]
    Population(PopulationCmd),
    /// The audit trail: the center's own log (staff actions, rounds, ticks), newest first.
    Audit {
        /// At most this many entries (200 by default).
        #[arg(long)]
        limit: Option<usize>,
    },
}

/// `serve`'s options.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Most open connections; more are closed at once.
    #[arg(long, env = "KEZEK_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,
    /// Seconds a client has to send a request's headers (also: how long an idle
    /// kept-alive connection stays open).
    #[arg(long, env = "KEZEK_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Seconds a client has to send a whole upload body.
    #[arg(long, env = "KEZEK_BODY_TIMEOUT_SECS", default_value_t = 60)]
    pub body_timeout_secs: u64,
    /// Upload bodies read at the same time; more are answered 503 with Retry-After.
    #[arg(long, env = "KEZEK_MAX_UPLOADS", default_value_t = 32)]
    pub max_uploads: usize,
    /// Serve HTTPS with this PEM certificate chain (the center's certificate first);
    /// with --tls-key.
    #[arg(long, env = "KEZEK_TLS_CERT", value_name = "FILE", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1).
    #[arg(long, env = "KEZEK_TLS_KEY", value_name = "FILE", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Serve plain HTTP on an address other than loopback (without TLS the center
    /// listens on 127.0.0.0/8 or `::1` only, e.g. behind a reverse proxy on the same host).
    #[arg(long, conflicts_with = "tls_cert")]
    pub insecure_http: bool,
    /// How messages to parents leave (docs/OPERATIONS.md, the notifier): `file` appends
    /// them to DATA/outbox/delivered.jsonl; `smtp` e-mails them (--smtp-url, --smtp-from).
    #[arg(long, env = "KEZEK_NOTIFIER", value_enum, default_value_t = NotifierKind::File)]
    pub notifier: NotifierKind,
    /// The SMTP server, lettre's URL form: `smtps://user:pass@host`,
    /// `smtp://user:pass@host?tls=required` (STARTTLS), `smtp://host:port` (no TLS).
    #[arg(long, env = "KEZEK_SMTP_URL", required_if_eq("notifier", "smtp"))]
    pub smtp_url: Option<String>,
    /// The sender of the e-mails, e.g. `Kezek <noreply@kezek.kz>`.
    #[arg(long, env = "KEZEK_SMTP_FROM", required_if_eq("notifier", "smtp"))]
    pub smtp_from: Option<String>,
    /// Serve the parents' portal at /portal/ from this folder: the repository root, or a
    /// release folder holding portal/ and wasm-pkg/pkg/web/ (built by `bash wasm-pkg/build.sh`).
    #[arg(long, env = "KEZEK_PORTAL", value_name = "DIR")]
    pub portal: Option<PathBuf>,
}

/// The notifier `serve` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NotifierKind {
    File,
    Smtp,
}

// The arguments of a command that changes reference data from a file (`calendar set-year`,
// `directory import`, `population import`); a plain comment, as a doc comment would stand
// in for each command's own description.
#[derive(Debug, clap::Args)]
pub struct ChangeFile {
    pub file: PathBuf,
    /// Who made the change, for the log (folder only: `center` by default; with --url
    /// the signed-in user).
    #[arg(long, value_name = "LOGIN")]
    pub by: Option<String>,
    #[arg(long)]
    pub at: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum CalendarCmd {
    /// Set one year (JSON: year, provisional, kurbanAit, extraDaysOff, extraWorkingDays,
    /// source): a listed year replaced when its decree is published, or the next year added.
    SetYear(ChangeFile),
    /// The calendar's years now, with the version.
    List,
}

#[derive(Debug, Subcommand)]
pub enum PopulationCmd {
    /// Trust a registry key (ed25519 public key, 64 hex digits) for imports; with --url the
    /// signed-in user, who must be an admin, trusts it on the running server.
    Trust {
        key: String,
        #[arg(long)]
        at: Option<String>,
    },
    /// Import a signed pairs file: verified against the trusted keys, stored as the folder's
    /// `population.json`, logged as `population.import`. A refused file changes nothing. With
    /// --url the signed-in user imports it, who must be an admin.
    Import(ChangeFile),
    /// Sign a JSON array of pairs (`{parent, child, kinship}`) with a key file (folder-less).
    Sign {
        /// The signing key file (64 hex digits, or an encrypted key file with
        /// --key-passphrase-file or `KEZEK_KEY_PASSPHRASE`).
        #[arg(long)]
        key_file: PathBuf,
        #[arg(long = "in")]
        input: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Who issues the file (the registry's name).
        #[arg(long)]
        issuer: String,
        /// RFC 3339; now by default.
        #[arg(long)]
        issued_at: Option<String>,
    },
    /// Ask the imported registry whether PARENT is a parent or guardian of CHILD (the
    /// folder's; with --url the running server's, as an admin).
    Check {
        #[arg(long)]
        parent: String,
        #[arg(long)]
        child: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DirectoryCmd {
    /// Load a directory (JSON array of kindergartens): each new or changed kindergarten is a
    /// center log entry; kindergartens not in the file stay (close one with `"open": false`).
    Import(ChangeFile),
    /// The directory now, with its version.
    List {
        #[arg(long)]
        district: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum KioskCmd {
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
    /// The registered kiosks, with their days offline.
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
pub enum CenterRole {
    Admin,
    Reviewer,
    Distributor,
    Viewer,
}

impl CenterRole {
    pub fn staff(self) -> StaffRole {
        match self {
            CenterRole::Admin => StaffRole::Admin,
            CenterRole::Reviewer => StaffRole::Reviewer,
            CenterRole::Distributor => StaffRole::Distributor,
            CenterRole::Viewer => StaffRole::Viewer,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum OperatorCmd {
    /// Create a staff account (the password from `KEZEK_PASSWORD`, else asked on the terminal).
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
pub enum ReviewCmd {
    /// Review items (open ones unless --all).
    List {
        #[arg(long)]
        all: bool,
    },
    /// One item with its application and the application's history.
    Show {
        /// Item id from `review list` (R-…, E-…, C-…).
        item: String,
    },
    /// Uphold: the refusal (kindergarten's, or the center's of an entry) stands.
    Uphold(ReviewArgs),
    /// Overrule: the kindergarten must enroll, or the refused entry's command is applied now.
    Overrule(ReviewArgs),
}

#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// Item id from `review list` (R-…, E-…, C-…).
    pub item: String,
    /// Reviewer login, on the folder (password from `KEZEK_PASSWORD`, else asked on the
    /// terminal); with --url the signed-in user is the reviewer.
    #[arg(long)]
    pub reviewer: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
    #[arg(long)]
    pub at: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum QuarantineCmd {
    List,
    /// Offer a kiosk's quarantined entries to ingest again, after the cause was fixed.
    Reexamine {
        /// The kiosk id.
        kiosk: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Json,
    Table,
}
