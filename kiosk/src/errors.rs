//! One error type per operation, each with a stable code and a message in ru/kk/en. The
//! messages are in `kiosk/locales/{ru,kk,en}/errors.ftl`, one per code; a code shared by
//! errors that say different things selects on a variable (`ADMIN_ONLY`'s `$task`).

use changelog::KeyError;
use fluent_bundle::FluentValue;
use rules::authz::kiosk::KioskDenied;
use rules::{CommandError, Lang, Localized, Role};

use crate::i18n::tr;
use crate::logfile::Damage;
use crate::passwords::MIN_PASSWORD_CHARS;
use crate::store::StoreError;

/// The message of the error code `code` in `lang`, with its arguments.
pub(crate) fn text(lang: Lang, code: &str, args: &[(&'static str, FluentValue<'_>)]) -> String {
    tr(lang).f(code, args)
}

/// The arguments of `WEAK_PASSWORD`.
fn password_length() -> Vec<(&'static str, FluentValue<'static>)> {
    vec![("min", MIN_PASSWORD_CHARS.into())]
}

/// A key file that cannot be opened: what the person at the kiosk can do about it. Codes
/// without their own message (`KEY_IO`, `KEY_MALFORMED`…) say the key cannot be read.
fn key_file_message(code: &str, detail: &str, lang: Lang) -> String {
    let code = match code {
        "KEY_PASSPHRASE_REQUIRED" | "KEY_WRONG_PASSPHRASE" | "KEY_PASSPHRASE_UNREADABLE" | "KEY_EMPTY_PASSPHRASE" => {
            code
        }
        _ => "KEY_UNREADABLE",
    };
    text(lang, code, &[("detail", detail.into())])
}

/// `init` failed; nothing usable was left behind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InitError {
    #[error("{dir} already holds a kiosk")]
    AlreadyInitialized { dir: String },
    #[error("{dir} holds an unfinished kiosk setup")]
    Incomplete { dir: String },
    #[error("unknown district {code}")]
    UnknownDistrict { code: String },
    #[error("bad kiosk id {id}")]
    BadKioskId { id: String, district: String },
    #[error("bad kiosk name")]
    BadName,
    #[error("bad login {login}")]
    BadLogin { login: String },
    #[error("bad operator name")]
    BadOperatorName,
    #[error("password too weak")]
    WeakPassword,
    #[error("key: {0}")]
    Key(String),
    #[error("the data folder is in use by another kezek-kiosk process")]
    Locked { dir: String },
    #[error(transparent)]
    Store(StoreError),
}

impl Localized for InitError {
    fn code(&self) -> &'static str {
        match self {
            InitError::AlreadyInitialized { .. } => "ALREADY_INITIALIZED",
            InitError::Incomplete { .. } => "INCOMPLETE_INIT",
            InitError::UnknownDistrict { .. } => "UNKNOWN_DISTRICT",
            InitError::BadKioskId { .. } => "BAD_KIOSK_ID",
            InitError::BadName => "BAD_KIOSK_NAME",
            InitError::BadLogin { .. } => "BAD_LOGIN",
            InitError::BadOperatorName => "BAD_OPERATOR_NAME",
            InitError::WeakPassword => "WEAK_PASSWORD",
            InitError::Key(_) => "KEY_ERROR",
            InitError::Locked { .. } => "DATA_LOCKED",
            InitError::Store(e) => e.code(),
        }
    }
    fn message(&self, lang: Lang) -> String {
        let args = match self {
            InitError::Store(e) => return e.message(lang),
            InitError::AlreadyInitialized { dir } | InitError::Incomplete { dir } | InitError::Locked { dir } => {
                vec![("dir", dir.into())]
            }
            InitError::UnknownDistrict { code } => vec![("code", code.into())],
            InitError::BadKioskId { id, district } => vec![("id", id.into()), ("district", district.into())],
            InitError::BadLogin { login } => vec![("login", login.into())],
            InitError::WeakPassword => password_length(),
            InitError::Key(detail) => vec![("detail", detail.into())],
            InitError::BadName | InitError::BadOperatorName => Vec::new(),
        };
        text(lang, self.code(), &args)
    }
}

/// The kiosk could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("no kiosk in {dir}")]
    NotInitialized { dir: String },
    #[error("the data folder is in use by another kezek-kiosk process")]
    Locked { dir: String },
    #[error("kiosk.json: {detail}")]
    Identity { detail: String },
    #[error("key: {detail}")]
    Key { detail: String },
    /// The key file cannot be opened: `code` is the [`KeyError`]'s.
    #[error("{detail}")]
    KeyFile { code: &'static str, detail: String },
    #[error("the key file does not match the kiosk's registered public key")]
    KeyMismatch,
    #[error("the log is missing or empty")]
    LogMissing,
    #[error(transparent)]
    Store(StoreError),
}

impl Localized for OpenError {
    fn code(&self) -> &'static str {
        match self {
            OpenError::NotInitialized { .. } => "NOT_INITIALIZED",
            OpenError::Locked { .. } => "DATA_LOCKED",
            OpenError::Identity { .. } => "IDENTITY_UNREADABLE",
            OpenError::Key { .. } => "KEY_UNREADABLE",
            OpenError::KeyFile { code, .. } => code,
            OpenError::KeyMismatch => "KEY_MISMATCH",
            OpenError::LogMissing => "LOG_MISSING",
            OpenError::Store(e) => e.code(),
        }
    }
    fn message(&self, lang: Lang) -> String {
        let args = match self {
            OpenError::Store(e) => return e.message(lang),
            OpenError::KeyFile { code, detail } => return key_file_message(code, detail, lang),
            OpenError::NotInitialized { dir } | OpenError::Locked { dir } => vec![("dir", dir.into())],
            OpenError::Identity { detail } | OpenError::Key { detail } => vec![("detail", detail.into())],
            OpenError::KeyMismatch | OpenError::LogMissing => Vec::new(),
        };
        text(lang, self.code(), &args)
    }
}

/// Key rotation refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum RotationError {
    #[error("only an administrator can replace the kiosk's key")]
    AdminOnly,
    #[error(transparent)]
    KeyFile(KeyError),
    #[error(transparent)]
    Append(AppendError),
}

impl OpenError {
    /// The key file's error; the passphrase errors keep their own codes.
    pub(crate) fn key_file(e: &KeyError) -> Self {
        let code = match e {
            KeyError::PassphraseRequired { .. } | KeyError::WrongPassphrase { .. } | KeyError::EmptyPassphrase => {
                e.code()
            }
            _ => "KEY_UNREADABLE",
        };
        OpenError::KeyFile { code, detail: e.to_string() }
    }

    /// The passphrase file's error.
    pub(crate) fn passphrase_file(e: &KeyError) -> Self {
        let code = match e {
            KeyError::EmptyPassphrase => e.code(),
            _ => "KEY_PASSPHRASE_UNREADABLE",
        };
        OpenError::KeyFile { code, detail: e.to_string() }
    }
}

/// An administrator's task asked of another role; `task` selects the wording (`key`,
/// `demo`, `accounts`, `center-key`).
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("only an administrator may do this ({task})")]
pub struct AdminOnly {
    pub task: &'static str,
}

impl Localized for AdminOnly {
    fn code(&self) -> &'static str {
        "ADMIN_ONLY"
    }
    fn message(&self, lang: Lang) -> String {
        text(lang, self.code(), &[("task", self.task.into())])
    }
}

/// What the kiosk's screens themselves refuse or fail at (not an operation of the kiosk).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuiError {
    #[error("the upload worker stopped")]
    SyncWorkerStopped,
    #[error("no application found")]
    ApplicationNotFound,
    #[error("could not write the file: {detail}")]
    FileWrite { detail: String },
    #[error("the kiosk is not set up yet")]
    KioskNotSetUp,
    #[error("no center address")]
    SyncNoUrl,
    #[error("a synchronisation is already running")]
    SyncRunning,
    #[error("not logged in")]
    NotLoggedIn,
    #[error("no role chosen")]
    OperatorRole,
    #[error("a disabled account cannot be enabled again")]
    OperatorEnable,
    #[error("the automatic sync period is at most {max} minutes")]
    SyncPeriod { max: u32 },
    #[error("could not save the settings {path}: {detail}")]
    SettingsWrite { path: String, detail: String },
}

impl Localized for GuiError {
    fn code(&self) -> &'static str {
        match self {
            GuiError::SyncWorkerStopped => "SYNC_WORKER_STOPPED",
            GuiError::ApplicationNotFound => "APPLICATION_NOT_FOUND",
            GuiError::FileWrite { .. } => "FILE_WRITE",
            GuiError::KioskNotSetUp => "KIOSK_NOT_SET_UP",
            GuiError::SyncNoUrl => "SYNC_NO_URL",
            GuiError::SyncRunning => "SYNC_RUNNING",
            GuiError::NotLoggedIn => "NOT_LOGGED_IN",
            GuiError::OperatorRole => "OPERATOR_ROLE",
            GuiError::OperatorEnable => "OPERATOR_ENABLE",
            GuiError::SyncPeriod { .. } => "SYNC_PERIOD",
            GuiError::SettingsWrite { .. } => "SETTINGS_WRITE",
        }
    }
    fn message(&self, lang: Lang) -> String {
        let args = match self {
            GuiError::FileWrite { detail } => vec![("detail", detail.into())],
            GuiError::SyncPeriod { max } => vec![("max", (*max).into())],
            GuiError::SettingsWrite { path, detail } => vec![("path", path.into()), ("detail", detail.into())],
            _ => Vec::new(),
        };
        text(lang, self.code(), &args)
    }
}

impl Localized for RotationError {
    fn code(&self) -> &'static str {
        match self {
            RotationError::AdminOnly => "ADMIN_ONLY",
            RotationError::KeyFile(e) => e.code(),
            RotationError::Append(e) => e.code(),
        }
    }
    fn message(&self, lang: Lang) -> String {
        match self {
            RotationError::AdminOnly => text(lang, self.code(), &[("task", "key".into())]),
            RotationError::KeyFile(e) => key_file_message(e.code(), &e.to_string(), lang),
            RotationError::Append(e) => e.message(lang),
        }
    }
}

/// Login refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// Unknown login or wrong password (not told apart on purpose).
    #[error("wrong login or password")]
    Failed,
    #[error("account {login} is disabled")]
    Disabled { login: String },
    /// Too many failed attempts for this login: refused unchecked until the delay has passed.
    #[error("too many failed login attempts; try again in {wait_seconds} s")]
    Throttled { wait_seconds: u64 },
}

impl Localized for LoginError {
    fn code(&self) -> &'static str {
        match self {
            LoginError::Failed => "LOGIN_FAILED",
            LoginError::Disabled { .. } => "OPERATOR_DISABLED",
            LoginError::Throttled { .. } => "LOGIN_THROTTLED",
        }
    }
    fn message(&self, lang: Lang) -> String {
        let args = match self {
            LoginError::Failed => Vec::new(),
            LoginError::Disabled { login } => vec![("login", login.into())],
            LoginError::Throttled { wait_seconds } => vec![("seconds", (*wait_seconds).into())],
        };
        text(lang, self.code(), &args)
    }
}

/// A line of JSON input that is not a command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("not JSON: {detail}")]
    BadJson { detail: String },
    #[error("unknown command {name}")]
    UnknownCommand { name: String },
    #[error("unknown action {name}")]
    UnknownAction { name: String },
    #[error("not a valid command: {detail}")]
    InvalidCommand { detail: String },
}

impl Localized for InputError {
    fn code(&self) -> &'static str {
        match self {
            InputError::BadJson { .. } => "BAD_JSON",
            InputError::UnknownCommand { .. } => "UNKNOWN_COMMAND",
            InputError::UnknownAction { .. } => "UNKNOWN_ACTION",
            InputError::InvalidCommand { .. } => "INVALID_COMMAND",
        }
    }
    fn message(&self, lang: Lang) -> String {
        let args = match self {
            InputError::BadJson { detail } | InputError::InvalidCommand { detail } => [("detail", detail.into())],
            InputError::UnknownCommand { name } | InputError::UnknownAction { name } => [("name", name.into())],
        };
        text(lang, self.code(), &args)
    }
}

/// A command was not saved. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppendError {
    #[error(transparent)]
    Input(InputError),
    /// The rules rejected it.
    #[error(transparent)]
    Rejected(CommandError),
    #[error("{command} is done by the center ({role:?})")]
    CenterOnly { command: &'static str, role: Role },
    #[error("{command} needs role {required:?}, the operator has {role:?}")]
    WrongRole { command: &'static str, required: Role, role: Role },
    #[error("kindergarten {kindergarten} is not among the operator's kindergartens")]
    NotYourKindergarten { kindergarten: String },
    #[error("ids are assigned by the kiosk")]
    IdAssignedByKiosk,
    /// No kindergarten directory yet: it comes with the first center snapshot.
    #[error("no kindergarten directory before the first sync")]
    NoDirectory,
    #[error("account {login} is no longer active")]
    SessionRevoked { login: String },
    #[error("the log is damaged at {}", .0.seq)]
    LogDamaged(Damage),
    #[error("a write failed and could not be undone; restart the kiosk")]
    RestartRequired,
    #[error(transparent)]
    Storage(StoreError),
}

/// A kiosk keeps its own codes and texts for the denials of `rules::authz::kiosk`:
/// both kindergarten denials are `NOT_YOUR_KINDERGARTEN` here.
impl From<KioskDenied> for AppendError {
    fn from(denied: KioskDenied) -> Self {
        match denied {
            KioskDenied::CenterOnly { command, required } => AppendError::CenterOnly { command, role: required },
            KioskDenied::WrongRole { command, required, role } => AppendError::WrongRole { command, required, role },
            KioskDenied::WrongKindergarten { kindergarten } | KioskDenied::KindergartenScope { kindergarten, .. } => {
                AppendError::NotYourKindergarten { kindergarten }
            }
        }
    }
}

impl Localized for AppendError {
    fn code(&self) -> &'static str {
        match self {
            AppendError::Input(e) => e.code(),
            AppendError::Rejected(e) => e.code(),
            AppendError::CenterOnly { .. } => "CENTER_ONLY",
            AppendError::WrongRole { .. } => "WRONG_ROLE",
            AppendError::NotYourKindergarten { .. } => "NOT_YOUR_KINDERGARTEN",
            AppendError::IdAssignedByKiosk => "ID_ASSIGNED_BY_KIOSK",
            AppendError::NoDirectory => "NO_DIRECTORY",
            AppendError::SessionRevoked { .. } => "SESSION_REVOKED",
            AppendError::LogDamaged(d) => d.code(),
            AppendError::RestartRequired => "RESTART_REQUIRED",
            AppendError::Storage(e) => e.code(),
        }
    }
    fn message(&self, lang: Lang) -> String {
        let args = match self {
            AppendError::Input(e) => return e.message(lang),
            AppendError::Rejected(e) => return e.message(lang),
            AppendError::LogDamaged(d) => return d.message(lang),
            AppendError::Storage(e) => return e.message(lang),
            AppendError::CenterOnly { command, role } => {
                vec![("command", (*command).into()), ("role", role.text().get(lang).into())]
            }
            AppendError::WrongRole { command, required, role } => vec![
                ("command", (*command).into()),
                ("required", required.text().get(lang).into()),
                ("role", role.text().get(lang).into()),
            ],
            AppendError::NotYourKindergarten { kindergarten } => vec![("kindergarten", kindergarten.into())],
            AppendError::SessionRevoked { login } => vec![("login", login.into())],
            AppendError::RestartRequired => vec![("failed", "now".into())],
            AppendError::IdAssignedByKiosk | AppendError::NoDirectory => Vec::new(),
        };
        text(lang, self.code(), &args)
    }
}

/// Adding or disabling an account failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OperatorError {
    #[error("only an administrator manages accounts")]
    AdminOnly,
    #[error("bad login {login}")]
    BadLogin { login: String },
    #[error("bad operator name")]
    BadName,
    #[error("login {login} exists already")]
    LoginTaken { login: String },
    #[error("no account {login}")]
    UnknownLogin { login: String },
    #[error("account {login} is already disabled")]
    AlreadyDisabled { login: String },
    #[error("an administrator cannot disable their own account")]
    CannotDisableSelf,
    #[error("the last active administrator cannot be disabled")]
    LastAdmin,
    #[error("role {role:?} is not a kiosk role")]
    RoleNotForKiosk { role: Role },
    #[error("kindergarten staff need at least one kindergarten")]
    KindergartensRequired,
    #[error("only kindergarten staff are bound to kindergartens")]
    KindergartensNotAllowed,
    #[error("no kindergarten {id}")]
    UnknownKindergarten { id: String },
    /// No kindergarten directory yet: it comes with the first center snapshot.
    #[error("no kindergarten directory before the first sync")]
    NoDirectory,
    #[error("password too weak")]
    WeakPassword,
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error(transparent)]
    Append(AppendError),
}

impl From<rules::authz::accounts::AccountDenied> for OperatorError {
    fn from(denied: rules::authz::accounts::AccountDenied) -> Self {
        use rules::authz::accounts::AccountDenied;
        match denied {
            AccountDenied::AdminOnly { .. } => OperatorError::AdminOnly,
            AccountDenied::RoleNotForKiosk { role } => OperatorError::RoleNotForKiosk { role },
            AccountDenied::KindergartensRequired => OperatorError::KindergartensRequired,
            AccountDenied::KindergartensNotAllowed => OperatorError::KindergartensNotAllowed,
            AccountDenied::CannotDisableSelf => OperatorError::CannotDisableSelf,
            AccountDenied::LastAdmin => OperatorError::LastAdmin,
        }
    }
}

impl Localized for OperatorError {
    fn code(&self) -> &'static str {
        match self {
            OperatorError::AdminOnly => "ADMIN_ONLY",
            OperatorError::BadLogin { .. } => "BAD_LOGIN",
            OperatorError::BadName => "BAD_OPERATOR_NAME",
            OperatorError::LoginTaken { .. } => "LOGIN_TAKEN",
            OperatorError::UnknownLogin { .. } => "UNKNOWN_OPERATOR",
            OperatorError::AlreadyDisabled { .. } => "ALREADY_DISABLED",
            OperatorError::CannotDisableSelf => "CANNOT_DISABLE_SELF",
            OperatorError::LastAdmin => "LAST_ADMIN",
            OperatorError::RoleNotForKiosk { .. } => "ROLE_NOT_FOR_KIOSK",
            OperatorError::KindergartensRequired => "KINDERGARTENS_REQUIRED",
            OperatorError::KindergartensNotAllowed => "KINDERGARTENS_NOT_ALLOWED",
            OperatorError::UnknownKindergarten { .. } => "UNKNOWN_KINDERGARTEN",
            OperatorError::NoDirectory => "NO_DIRECTORY",
            OperatorError::WeakPassword => "WEAK_PASSWORD",
            OperatorError::Hash(_) => "PASSWORD_HASH_FAILED",
            OperatorError::Append(e) => e.code(),
        }
    }
    fn message(&self, lang: Lang) -> String {
        let args = match self {
            OperatorError::Append(e) => return e.message(lang),
            OperatorError::AdminOnly => vec![("task", "accounts".into())],
            OperatorError::BadLogin { login }
            | OperatorError::LoginTaken { login }
            | OperatorError::UnknownLogin { login }
            | OperatorError::AlreadyDisabled { login } => vec![("login", login.into())],
            OperatorError::RoleNotForKiosk { role } => vec![("role", role.text().get(lang).into())],
            OperatorError::UnknownKindergarten { id } => vec![("id", id.into())],
            OperatorError::WeakPassword => password_length(),
            OperatorError::Hash(detail) => vec![("detail", detail.into())],
            OperatorError::BadName
            | OperatorError::CannotDisableSelf
            | OperatorError::LastAdmin
            | OperatorError::KindergartensRequired
            | OperatorError::KindergartensNotAllowed
            | OperatorError::NoDirectory => Vec::new(),
        };
        text(lang, self.code(), &args)
    }
}

/// A read from the projections failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("not found: {what}")]
    NotFound { what: String },
    #[error("projection data unreadable: {detail}")]
    Corrupt { detail: String },
    #[error(transparent)]
    Store(StoreError),
}

impl Localized for QueryError {
    fn code(&self) -> &'static str {
        match self {
            QueryError::NotFound { .. } => "NOT_FOUND",
            QueryError::Corrupt { .. } => "PROJECTION_CORRUPT",
            QueryError::Store(e) => e.code(),
        }
    }
    fn message(&self, lang: Lang) -> String {
        let args = match self {
            QueryError::Store(e) => return e.message(lang),
            QueryError::NotFound { what } => [("what", what.into())],
            QueryError::Corrupt { detail } => [("detail", detail.into())],
        };
        text(lang, self.code(), &args)
    }
}

/// Export or another sync step failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error("acknowledged sequence {seq} is beyond the log's last entry {last}")]
    AckBeyondLog { seq: u64, last: u64 },
    #[error("the center's entry {seq} differs from this kiosk's: the logs have forked")]
    Fork { seq: u64 },
    #[error("cannot write {path}: {detail}")]
    Write { path: String, detail: String },
    #[error("the snapshot is of district {found}, this kiosk works in {expected}")]
    WrongDistrict { expected: String, found: String },
    #[error("the snapshot ({offered}) is older than the one kept ({kept})")]
    OlderSnapshot { kept: String, offered: String },
    #[error("an earlier write failed: the kiosk must be restarted")]
    RestartRequired,
    #[error(transparent)]
    Store(StoreError),
}

impl Localized for SyncError {
    fn code(&self) -> &'static str {
        match self {
            SyncError::WrongDistrict { .. } => "WRONG_DISTRICT",
            SyncError::OlderSnapshot { .. } => "OLDER_SNAPSHOT",
            SyncError::RestartRequired => "RESTART_REQUIRED",
            SyncError::AckBeyondLog { .. } => "ACK_BEYOND_LOG",
            SyncError::Fork { .. } => "FORK",
            SyncError::Write { .. } => "EXPORT_WRITE_FAILED",
            SyncError::Store(e) => e.code(),
        }
    }
    fn message(&self, lang: Lang) -> String {
        let args = match self {
            SyncError::Store(e) => return e.message(lang),
            SyncError::AckBeyondLog { seq, last } => vec![("seq", (*seq).into()), ("last", (*last).into())],
            SyncError::Fork { seq } => vec![("seq", (*seq).into())],
            SyncError::Write { path, detail } => vec![("path", path.into()), ("detail", detail.into())],
            SyncError::WrongDistrict { expected, found } => {
                vec![("expected", expected.into()), ("found", found.into())]
            }
            SyncError::OlderSnapshot { kept, offered } => vec![("kept", kept.into()), ("offered", offered.into())],
            SyncError::RestartRequired => vec![("failed", "earlier".into())],
        };
        text(lang, self.code(), &args)
    }
}

/// `demo-load` failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DemoError {
    #[error("only an administrator loads the demo data")]
    AdminOnly,
    #[error("the kiosk already holds queue data")]
    NotEmpty,
    #[error(transparent)]
    Operator(OperatorError),
    #[error(transparent)]
    Append(AppendError),
}

impl Localized for DemoError {
    fn code(&self) -> &'static str {
        match self {
            DemoError::AdminOnly => "ADMIN_ONLY",
            DemoError::NotEmpty => "DEMO_NOT_EMPTY",
            DemoError::Operator(e) => e.code(),
            DemoError::Append(e) => e.code(),
        }
    }
    fn message(&self, lang: Lang) -> String {
        match self {
            DemoError::AdminOnly => text(lang, self.code(), &[("task", "demo".into())]),
            DemoError::NotEmpty => text(lang, self.code(), &[]),
            DemoError::Operator(e) => e.message(lang),
            DemoError::Append(e) => e.message(lang),
        }
    }
}
