//! Why the center could not do something, as typed reasons shared by the operations'
//! errors and the umbrella [`super::CenterError`]: each has its stable code, its message
//! from `center/locales/{ru,kk,en}/errors.ftl` (`center-CODE`; a code that says different
//! things selects on `$reason` or `$what`) and, as `Display`, what the command line prints.

use std::path::PathBuf;

use changelog::KeyError;
use rules::authz::parent::CHANNEL_ID;
use rules::{Lang, Localized};

use crate::accounts::MIN_PASSWORD_CHARS;
use crate::i18n::{FluentValue, text};
use crate::parents::KEY_FILE;
use crate::service::CENTER_ID;

/// A message's named arguments.
type Args<'a> = Vec<(&'static str, FluentValue<'a>)>;

/// The message `center-CODE` of a code that selects on `$reason`.
fn with_reason(lang: Lang, code: &str, reason: &'static str, mut args: Args<'_>) -> String {
    args.push(("reason", reason.into()));
    text(lang, &format!("center-{code}"), &args)
}

fn path_arg(path: &std::path::Path) -> (&'static str, FluentValue<'static>) {
    ("path", path.display().to_string().into())
}

fn detail_arg(detail: &dyn std::fmt::Display) -> (&'static str, FluentValue<'static>) {
    ("detail", detail.to_string().into())
}

/// What kept the center from setting itself up or from reaching its own files and
/// randomness (`SETUP`): nothing a request can fix, the data folder or the machine must be.
#[derive(Debug, thiserror::Error)]
pub enum SetupFailure {
    /// A file or folder of the center could not be read, written or made.
    #[error("{}: {source}", path.display())]
    File { path: PathBuf, source: std::io::Error },
    /// `init` on a folder that holds a center already (the key file named).
    #[error("{} exists: the center is initialised already", .0.display())]
    Initialised(PathBuf),
    /// `open` on a folder without a center (the key file named).
    #[error("{} is missing (run `init` first)", .0.display())]
    NotInitialised(PathBuf),
    /// The kindergarten directory file is not a directory.
    #[error("kindergarten directory: {0}")]
    Directory(serde_json::Error),
    /// `init` could not make the center's key pair.
    #[error("key: {0}")]
    NewKey(KeyError),
    /// The data folder's `center.pub` is not a public key.
    #[error("center.pub: {0}")]
    CenterPublicKey(KeyError),
    /// A registered kiosk's stored public key does not read.
    #[error("{source}")]
    KioskKey { kiosk: String, source: KeyError },
    /// The operating system gave no randomness (for a salt or a token).
    #[error("no randomness: {0}")]
    Randomness(getrandom::Error),
    /// A password could not be hashed.
    #[error("{0}")]
    PasswordHash(argon2::password_hash::Error),
    /// The parents' channel's new key file could not be renamed into place.
    #[error("cannot put in place {}: {source}", path.display())]
    KeyNotPlaced { path: PathBuf, source: std::io::Error },
    /// The folder of the parents' channel's new key file could not be synced.
    #[error("cannot sync the folder of {}: {source}", path.display())]
    FolderNotSynced { path: PathBuf, source: std::io::Error },
    /// `portal.key` is not the key the parents' channel is registered with.
    #[error(
        "the parents' channel is registered with another key than {KEY_FILE} holds: restore the original {KEY_FILE}"
    )]
    ChannelKeyChanged,
    /// The parents' channel needs a district to register in.
    #[error("the center has no districts: import the directory first")]
    NoDistricts,
}

impl SetupFailure {
    /// Reading or writing `path` failed.
    pub fn file(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> SetupFailure {
        move |source| SetupFailure::File { path: path.into(), source }
    }
}

impl Localized for SetupFailure {
    fn code(&self) -> &'static str {
        "SETUP"
    }

    fn message(&self, lang: Lang) -> String {
        let (reason, args) = match self {
            SetupFailure::File { path, source } => ("file", vec![path_arg(path), detail_arg(source)]),
            SetupFailure::Initialised(path) => ("initialised", vec![path_arg(path)]),
            SetupFailure::NotInitialised(path) => ("not-initialised", vec![path_arg(path)]),
            SetupFailure::Directory(e) => ("directory", vec![detail_arg(e)]),
            SetupFailure::NewKey(e) => ("new-key", vec![detail_arg(e)]),
            SetupFailure::CenterPublicKey(e) => ("center-key", vec![detail_arg(e)]),
            SetupFailure::KioskKey { kiosk, source } => {
                ("kiosk-key", vec![("kiosk", kiosk.as_str().into()), detail_arg(source)])
            }
            SetupFailure::Randomness(e) => ("randomness", vec![detail_arg(e)]),
            SetupFailure::PasswordHash(e) => ("password-hash", vec![detail_arg(e)]),
            SetupFailure::KeyNotPlaced { path, source } => ("key-not-placed", vec![path_arg(path), detail_arg(source)]),
            SetupFailure::FolderNotSynced { path, source } => {
                ("folder-not-synced", vec![path_arg(path), detail_arg(source)])
            }
            SetupFailure::ChannelKeyChanged => ("channel-key", vec![("file", KEY_FILE.into())]),
            SetupFailure::NoDistricts => ("no-districts", Vec::new()),
        };
        with_reason(lang, self.code(), reason, args)
    }
}

/// Why what a request asked for was refused as it is (`INVALID_ARGUMENT`).
#[derive(Debug, thiserror::Error)]
pub enum Invalid {
    /// A staff account's login is not 1–64 of the allowed characters.
    #[error("login {0:?}: 1–64 of A–Z a–z 0–9 - _ .")]
    Login(String),
    /// A staff member's name is empty or too long.
    #[error("name: 1–200 characters")]
    Name,
    /// Another account has this login.
    #[error("login {0} exists already")]
    LoginTaken(String),
    /// A password shorter than [`MIN_PASSWORD_CHARS`].
    #[error("password: at least {MIN_PASSWORD_CHARS} characters")]
    WeakPassword,
    /// A kiosk id that is not 1–64 of the allowed characters, or one of the center's own.
    #[error("kiosk id {0:?}: 1–64 of A–Z a–z 0–9 - _ . and not {CENTER_ID:?} or {CHANNEL_ID:?}")]
    KioskId(String),
    /// A source of entries with this id is registered already.
    #[error("kiosk {0} is registered already")]
    KioskRegistered(String),
    /// Not a public key (hex).
    #[error("{0}")]
    PublicKey(KeyError),
    /// A public key of a weak (small-order) point.
    #[error("weak public key")]
    WeakKey,
    /// A directory file names a kindergarten twice.
    #[error("kindergarten {0} is twice in the file")]
    DuplicateKindergarten(String),
    /// A review item decided already.
    #[error("review item {item} is {status} already")]
    Decided { item: String, status: String },
    /// A clock flag can only be upheld.
    #[error("a clamped kiosk time cannot be overruled, only upheld")]
    ClockOverrule,
    /// An overruled refusal whose entry has no command.
    #[error("nothing to apply")]
    NothingToApply,
    /// `migrate` into a database that holds entries already.
    #[error("{url}: the database holds {entries} entries already")]
    DatabaseNotEmpty { url: String, entries: usize },
    /// A document's content could not be written as JSON.
    #[error("{0}")]
    Encoding(serde_json::Error),
}

impl Localized for Invalid {
    fn code(&self) -> &'static str {
        "INVALID_ARGUMENT"
    }

    fn message(&self, lang: Lang) -> String {
        let id = |id: &str| vec![("id", id.to_owned().into())];
        let (reason, args) = match self {
            Invalid::Login(login) => ("login", vec![("login", login.as_str().into())]),
            Invalid::Name => ("name", Vec::new()),
            Invalid::LoginTaken(login) => ("login-taken", vec![("login", login.as_str().into())]),
            Invalid::WeakPassword => ("weak-password", vec![("min", MIN_PASSWORD_CHARS.to_string().into())]),
            Invalid::KioskId(kiosk) => ("kiosk-id", id(kiosk)),
            Invalid::KioskRegistered(kiosk) => ("kiosk-registered", id(kiosk)),
            Invalid::PublicKey(e) => ("public-key", vec![detail_arg(e)]),
            Invalid::WeakKey => ("weak-key", Vec::new()),
            Invalid::DuplicateKindergarten(kindergarten) => ("duplicate-kindergarten", id(kindergarten)),
            Invalid::Decided { item, status } => {
                ("decided", vec![("id", item.as_str().into()), ("status", status.as_str().into())])
            }
            Invalid::ClockOverrule => ("clock-overrule", Vec::new()),
            Invalid::NothingToApply => ("nothing-to-apply", Vec::new()),
            Invalid::DatabaseNotEmpty { url, entries } => {
                ("database-not-empty", vec![("url", url.as_str().into()), ("entries", entries.to_string().into())])
            }
            Invalid::Encoding(e) => ("encoding", vec![detail_arg(e)]),
        };
        with_reason(lang, self.code(), reason, args)
    }
}

/// What a request named that the center does not have (`NOT_FOUND`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Missing {
    /// No staff account with this login.
    #[error("no account {0}")]
    Account(String),
    /// No review item with this id.
    #[error("no review item {0}")]
    ReviewItem(String),
    /// No quarantined entry of the kiosk after its accepted head.
    #[error("kiosk {kiosk} has no quarantined entries after its head {head}")]
    Quarantined { kiosk: String, head: u64 },
}

impl Localized for Missing {
    fn code(&self) -> &'static str {
        "NOT_FOUND"
    }

    fn message(&self, lang: Lang) -> String {
        let (what, mut args) = match self {
            Missing::Account(login) => ("account", vec![("id", login.as_str().into())]),
            Missing::ReviewItem(item) => ("review-item", vec![("id", item.as_str().into())]),
            Missing::Quarantined { kiosk, head } => {
                ("quarantine", vec![("id", kiosk.as_str().into()), ("head", head.to_string().into())])
            }
        };
        args.push(("what", what.into()));
        text(lang, "center-NOT_FOUND", &args)
    }
}

/// Wrong login or password, or a disabled account: which of these is not said
/// (`BAD_CREDENTIALS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("wrong login or password")]
pub struct BadCredentials;

impl Localized for BadCredentials {
    fn code(&self) -> &'static str {
        "BAD_CREDENTIALS"
    }

    fn message(&self, lang: Lang) -> String {
        text(lang, "center-BAD_CREDENTIALS", &[])
    }
}

/// A reason naming the one thing the center does not know: its code, its `Display`, and the
/// argument of its message `center-CODE`.
macro_rules! unknown {
    ($(#[$doc:meta])* $name:ident, $code:literal, $display:literal, $arg:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        #[error($display)]
        pub struct $name(pub String);

        impl Localized for $name {
            fn code(&self) -> &'static str {
                $code
            }

            fn message(&self, lang: Lang) -> String {
                text(lang, concat!("center-", $code), &[($arg, self.0.as_str().into())])
            }
        }
    };
}

unknown!(
    /// A kiosk the center has not registered.
    UnknownKiosk, "UNKNOWN_KIOSK", "no kiosk {0}", "kiosk"
);
unknown!(
    /// A district the center does not know.
    UnknownDistrict, "UNKNOWN_DISTRICT", "no district {0}", "district"
);

/// A kiosk asked for the snapshot of a district it does not serve (`UNAUTHORIZED`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("kiosk {kiosk} does not serve district {district}")]
pub struct NotServed {
    pub kiosk: String,
    pub district: String,
}

impl Localized for NotServed {
    fn code(&self) -> &'static str {
        "UNAUTHORIZED"
    }

    fn message(&self, lang: Lang) -> String {
        let args = [("kiosk", self.kiosk.as_str().into()), ("district", self.district.as_str().into())];
        text(lang, "center-UNAUTHORIZED", &args)
    }
}

/// A schedule file that does not say a schedule (`BAD_SCHEDULE`): the file and what is wrong
/// in it.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
pub struct BadSchedule {
    pub path: PathBuf,
    pub source: serde_json::Error,
}

impl Localized for BadSchedule {
    fn code(&self) -> &'static str {
        "BAD_SCHEDULE"
    }

    fn message(&self, lang: Lang) -> String {
        text(lang, "center-BAD_SCHEDULE", &[path_arg(&self.path), detail_arg(&self.source)])
    }
}
