//! One error type per operation, each with a stable code and a message in ru/kk/en.

use changelog::KeyError;
use rules::authz::kiosk::KioskDenied;
use rules::{CommandError, Lang, Localized, Role};

use crate::logfile::Damage;
use crate::passwords::MIN_PASSWORD_CHARS;
use crate::store::StoreError;
use crate::text::{pick, pick_str};

fn role_text(role: Role, lang: Lang) -> &'static str {
    role.text().get(lang)
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
        match self {
            InitError::AlreadyInitialized { dir } => pick(
                lang,
                format!("В папке {dir} уже создан киоск. Повторная настройка не выполняется."),
                format!("{dir} қалтасында киоск бұрыннан құрылған. Қайта баптау орындалмайды."),
                format!("{dir} already holds a kiosk; it is not set up again."),
            ),
            InitError::Incomplete { dir } => pick(
                lang,
                format!(
                    "В папке {dir} осталась незавершённая настройка киоска. Перенесите папку в другое место и повторите init."
                ),
                format!(
                    "{dir} қалтасында киоскты баптау аяқталмаған. Қалтаны басқа жерге көшіріп, init командасын қайталаңыз."
                ),
                format!("{dir} holds an unfinished kiosk setup. Move the folder elsewhere and run init again."),
            ),
            InitError::UnknownDistrict { code } => pick(
                lang,
                format!("Район {code} не найден в справочнике районов"),
                format!("{code} ауданы аудандар анықтамалығында табылмады"),
                format!("District {code} is not in the district directory"),
            ),
            InitError::BadKioskId { id, district } => pick(
                lang,
                format!("Неверный номер киоска {id}: ожидается «{district}-» и 2–4 цифры, например {district}-03"),
                format!("Киоск нөмірі қате {id}: «{district}-» және 2–4 сан күтіледі, мысалы {district}-03"),
                format!("Bad kiosk id {id}: expected “{district}-” and 2–4 digits, e.g. {district}-03"),
            ),
            InitError::BadName => pick_str(
                lang,
                "Название киоска не заполнено или слишком длинное (до 200 символов)",
                "Киоск атауы толтырылмаған немесе тым ұзын (200 таңбаға дейін)",
                "The kiosk name is empty or too long (at most 200 characters)",
            ),
            InitError::BadLogin { login } => bad_login(login, lang),
            InitError::BadOperatorName => bad_operator_name(lang),
            InitError::WeakPassword => weak_password(lang),
            InitError::Key(detail) => pick(
                lang,
                format!("Не удалось создать ключ подписи киоска: {detail}"),
                format!("Киосктың қолтаңба кілтін жасау мүмкін болмады: {detail}"),
                format!("Could not create the kiosk's signing key: {detail}"),
            ),
            InitError::Locked { dir } => locked(dir, lang),
            InitError::Store(e) => e.message(lang),
        }
    }
}

fn bad_login(login: &str, lang: Lang) -> String {
    pick(
        lang,
        format!("Неверный логин «{login}»: 2–32 символа, строчные латинские буквы, цифры, точка, дефис, подчёркивание"),
        format!("«{login}» логині қате: 2–32 таңба, кіші латын әріптері, сандар, нүкте, сызықша, астын сызу"),
        format!("Bad login “{login}”: 2–32 characters, lowercase latin letters, digits, dot, dash, underscore"),
    )
}

fn bad_operator_name(lang: Lang) -> String {
    pick_str(
        lang,
        "ФИО сотрудника не заполнено или слишком длинное (до 200 символов)",
        "Қызметкердің аты-жөні толтырылмаған немесе тым ұзын (200 таңбаға дейін)",
        "The operator's name is empty or too long (at most 200 characters)",
    )
}

fn weak_password(lang: Lang) -> String {
    pick(
        lang,
        format!("Пароль должен содержать от {MIN_PASSWORD_CHARS} до 256 символов"),
        format!("Құпиясөз {MIN_PASSWORD_CHARS}-ден 256 таңбаға дейін болуы керек"),
        format!("The password must have {MIN_PASSWORD_CHARS} to 256 characters"),
    )
}

fn locked(dir: &str, lang: Lang) -> String {
    pick(
        lang,
        format!("Папка данных {dir} уже используется другой программой kezek-kiosk. Закройте её и повторите."),
        format!("{dir} деректер қалтасын басқа kezek-kiosk бағдарламасы пайдаланып тұр. Оны жауып, қайталаңыз."),
        format!("The data folder {dir} is in use by another kezek-kiosk process. Close it and try again."),
    )
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
        match self {
            OpenError::NotInitialized { dir } => pick(
                lang,
                format!("В папке {dir} нет киоска. Создайте его командой init."),
                format!("{dir} қалтасында киоск жоқ. Оны init командасымен жасаңыз."),
                format!("There is no kiosk in {dir}. Create one with `init`."),
            ),
            OpenError::Locked { dir } => locked(dir, lang),
            OpenError::Identity { detail } => pick(
                lang,
                format!("Файл kiosk.json не читается ({detail}). Восстановите его из резервной копии."),
                format!("kiosk.json файлы оқылмайды ({detail}). Оны сақтық көшірмеден қалпына келтіріңіз."),
                format!("kiosk.json cannot be read ({detail}). Restore it from a backup."),
            ),
            OpenError::Key { detail } => pick(
                lang,
                format!("Ключ подписи киоска не читается ({detail}). Восстановите файл kiosk.key из резервной копии."),
                format!(
                    "Киосктың қолтаңба кілті оқылмайды ({detail}). kiosk.key файлын сақтық көшірмеден қалпына келтіріңіз."
                ),
                format!("The kiosk's signing key cannot be read ({detail}). Restore kiosk.key from a backup."),
            ),
            OpenError::KeyFile { code, detail } => key_file_message(code, detail, lang),
            OpenError::KeyMismatch => pick_str(
                lang,
                "Файл ключа kiosk.key не соответствует открытому ключу киоска. Верните исходный файл ключа.",
                "kiosk.key кілт файлы киосктың ашық кілтіне сәйкес келмейді. Бастапқы кілт файлын қайтарыңыз.",
                "kiosk.key does not match the kiosk's public key. Put the original key file back.",
            ),
            OpenError::LogMissing => pick_str(
                lang,
                "Журнал киоска (log/entries.bin) отсутствует или пуст. Восстановите его из резервной копии; не начинайте новый журнал.",
                "Киоск журналы (log/entries.bin) жоқ немесе бос. Оны сақтық көшірмеден қалпына келтіріңіз; жаңа журнал бастамаңыз.",
                "The kiosk's log (log/entries.bin) is missing or empty. Restore it from a backup; do not start a new log.",
            ),
            OpenError::Store(e) => e.message(lang),
        }
    }
}

/// A key file that cannot be opened: what the person at the kiosk can do about it.
fn key_file_message(code: &str, detail: &str, lang: Lang) -> String {
    match code {
        "KEY_PASSPHRASE_REQUIRED" => pick_str(
            lang,
            "Ключ киоска зашифрован: укажите пароль ключа (--key-passphrase-file или KEZEK_KEY_PASSPHRASE).",
            "Киоск кілті шифрланған: кілт құпия сөзін көрсетіңіз (--key-passphrase-file немесе KEZEK_KEY_PASSPHRASE).",
            "The kiosk's key is encrypted: give its passphrase (--key-passphrase-file or KEZEK_KEY_PASSPHRASE).",
        ),
        "KEY_WRONG_PASSPHRASE" => pick_str(
            lang,
            "Неверный пароль ключа киоска, или файл kiosk.key изменён.",
            "Киоск кілтінің құпия сөзі қате немесе kiosk.key файлы өзгертілген.",
            "Wrong passphrase for the kiosk's key, or kiosk.key was altered.",
        ),
        "KEY_PASSPHRASE_UNREADABLE" => pick(
            lang,
            format!("Файл с паролем ключа не читается ({detail})."),
            format!("Кілт құпия сөзі бар файл оқылмайды ({detail})."),
            format!("The key passphrase file cannot be read ({detail})."),
        ),
        "KEY_EMPTY_PASSPHRASE" => {
            pick_str(lang, "Пароль ключа пуст.", "Кілттің құпия сөзі бос.", "The key passphrase is empty.")
        }
        _ => pick(
            lang,
            format!("Ключ подписи киоска не читается ({detail}). Восстановите файл kiosk.key из резервной копии."),
            format!(
                "Киосктың қолтаңба кілті оқылмайды ({detail}). kiosk.key файлын сақтық көшірмеден қалпына келтіріңіз."
            ),
            format!("The kiosk's signing key cannot be read ({detail}). Restore kiosk.key from a backup."),
        ),
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
            RotationError::AdminOnly => pick_str(
                lang,
                "Ключ киоска меняет только администратор",
                "Киоск кілтін тек әкімші ауыстырады",
                "Only an administrator replaces the kiosk's key",
            ),
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
        match self {
            LoginError::Failed => {
                pick_str(lang, "Неверный логин или пароль", "Логин немесе құпиясөз қате", "Wrong login or password")
            }
            LoginError::Disabled { login } => pick(
                lang,
                format!("Учётная запись {login} отключена администратором"),
                format!("{login} тіркелгісін әкімші өшірген"),
                format!("Account {login} has been disabled by an administrator"),
            ),
            LoginError::Throttled { wait_seconds } => pick(
                lang,
                format!("Слишком много неудачных попыток входа. Повторите через {wait_seconds} с"),
                format!("Кіру әрекеттері тым көп рет сәтсіз болды. {wait_seconds} с кейін қайталаңыз"),
                format!("Too many failed login attempts. Try again in {wait_seconds} s"),
            ),
        }
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
        match self {
            InputError::BadJson { detail } => pick(
                lang,
                format!("Строка не является JSON: {detail}"),
                format!("Жол JSON емес: {detail}"),
                format!("The line is not JSON: {detail}"),
            ),
            InputError::UnknownCommand { name } => pick(
                lang,
                format!("Неизвестная команда «{name}». Доступны: register, addPlaces, act"),
                format!("Белгісіз команда «{name}». Қолжетімді: register, addPlaces, act"),
                format!("Unknown command “{name}”. Available: register, addPlaces, act"),
            ),
            InputError::UnknownAction { name } => pick(
                lang,
                format!("Неизвестное действие «{name}»"),
                format!("Белгісіз әрекет «{name}»"),
                format!("Unknown action “{name}”"),
            ),
            InputError::InvalidCommand { detail } => pick(
                lang,
                format!("Команда заполнена неверно: {detail}"),
                format!("Команда қате толтырылған: {detail}"),
                format!("The command is not filled in correctly: {detail}"),
            ),
        }
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
        match self {
            AppendError::Input(e) => e.message(lang),
            AppendError::Rejected(e) => e.message(lang),
            AppendError::CenterOnly { command, role } => {
                let who = role_text(*role, lang);
                pick(
                    lang,
                    format!("Команда «{command}» выполняется не в киоске, а в центре ({who})"),
                    format!("«{command}» командасы киоскта емес, орталықта орындалады ({who})"),
                    format!("“{command}” is not done at a kiosk but at the center ({who})"),
                )
            }
            AppendError::WrongRole { command, required, role } => {
                let (required, role) = (role_text(*required, lang), role_text(*role, lang));
                pick(
                    lang,
                    format!("Команда «{command}» доступна роли «{required}», а у вас роль «{role}»"),
                    format!("«{command}» командасы «{required}» рөліне қолжетімді, ал сіздің рөліңіз «{role}»"),
                    format!("“{command}” is for the role “{required}”; your role is “{role}”"),
                )
            }
            AppendError::NotYourKindergarten { kindergarten } => pick(
                lang,
                format!("Детский сад {kindergarten} не закреплён за вашей учётной записью"),
                format!("{kindergarten} балабақшасы сіздің тіркелгіңізге бекітілмеген"),
                format!("Kindergarten {kindergarten} is not assigned to your account"),
            ),
            AppendError::NoDirectory => pick_str(
                lang,
                "Справочник детских садов придёт с первой синхронизацией с центром: до неё можно регистрировать заявления, а места и выбор детского сада — после неё",
                "Балабақшалар анықтамалығы орталықпен алғашқы синхрондаумен келеді: оған дейін өтініштерді тіркеуге болады, ал орындар мен балабақша таңдау — одан кейін",
                "The kindergarten directory comes with the first sync with the center: until then applications can be registered; places and kindergarten choices wait for it",
            ),
            AppendError::IdAssignedByKiosk => pick_str(
                lang,
                "Номер заявления и номер записи о местах присваивает киоск: не заполняйте поле id",
                "Өтініш нөмірі мен орындар жазбасының нөмірін киоск береді: id өрісін толтырмаңыз",
                "Application and places record numbers are assigned by the kiosk: leave `id` out",
            ),
            AppendError::SessionRevoked { login } => pick(
                lang,
                format!("Учётная запись {login} отключена: войдите под другой учётной записью"),
                format!("{login} тіркелгісі өшірілген: басқа тіркелгімен кіріңіз"),
                format!("Account {login} has been disabled: log in with another account"),
            ),
            AppendError::LogDamaged(d) => d.message(lang),
            AppendError::RestartRequired => pick_str(
                lang,
                "Запись не удалась и не могла быть отменена. Ничего не подтверждено как сохранённое. Перезапустите программу киоска: при запуске журнал будет проверен.",
                "Жазу сәтсіз аяқталды және болдырылмады. Ештеңе сақталды деп расталмады. Киоск бағдарламасын қайта іске қосыңыз: іске қосқанда журнал тексеріледі.",
                "A write failed and could not be undone. Nothing was confirmed as saved. Restart the kiosk program: the log is checked at start.",
            ),
            AppendError::Storage(e) => e.message(lang),
        }
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
        match self {
            OperatorError::AdminOnly => pick_str(
                lang,
                "Учётными записями управляет только администратор",
                "Тіркелгілерді тек әкімші басқарады",
                "Only an administrator manages accounts",
            ),
            OperatorError::BadLogin { login } => bad_login(login, lang),
            OperatorError::BadName => bad_operator_name(lang),
            OperatorError::LoginTaken { login } => pick(
                lang,
                format!("Логин {login} уже занят (логины не используются повторно, даже после отключения)"),
                format!("{login} логині бос емес (логиндер өшірілгеннен кейін де қайта қолданылмайды)"),
                format!("Login {login} is taken (logins are never reused, even after an account is disabled)"),
            ),
            OperatorError::UnknownLogin { login } => pick(
                lang,
                format!("Учётная запись {login} не найдена"),
                format!("{login} тіркелгісі табылмады"),
                format!("No account {login}"),
            ),
            OperatorError::AlreadyDisabled { login } => pick(
                lang,
                format!("Учётная запись {login} уже отключена"),
                format!("{login} тіркелгісі бұрыннан өшірілген"),
                format!("Account {login} is already disabled"),
            ),
            OperatorError::CannotDisableSelf => pick_str(
                lang,
                "Администратор не может отключить собственную учётную запись",
                "Әкімші өз тіркелгісін өшіре алмайды",
                "An administrator cannot disable their own account",
            ),
            OperatorError::LastAdmin => pick_str(
                lang,
                "Нельзя отключить последнего активного администратора",
                "Соңғы белсенді әкімшіні өшіруге болмайды",
                "The last active administrator cannot be disabled",
            ),
            OperatorError::RoleNotForKiosk { role } => {
                let r = role_text(*role, lang);
                pick(
                    lang,
                    format!("Роль «{r}» не используется в киоске. Доступны: operator, kindergarten, admin"),
                    format!("«{r}» рөлі киоскта қолданылмайды. Қолжетімді: operator, kindergarten, admin"),
                    format!("The role “{r}” is not used at a kiosk. Available: operator, kindergarten, admin"),
                )
            }
            OperatorError::KindergartensRequired => pick_str(
                lang,
                "Для сотрудника ДДО укажите хотя бы один детский сад (--kindergarten)",
                "МДҰ қызметкері үшін кемінде бір балабақшаны көрсетіңіз (--kindergarten)",
                "Kindergarten staff need at least one kindergarten (--kindergarten)",
            ),
            OperatorError::KindergartensNotAllowed => pick_str(
                lang,
                "Детские сады закрепляются только за сотрудниками ДДО",
                "Балабақшалар тек МДҰ қызметкерлеріне бекітіледі",
                "Only kindergarten staff are bound to kindergartens",
            ),
            OperatorError::NoDirectory => pick_str(
                lang,
                "Справочник детских садов придёт с первой синхронизацией с центром: до неё можно регистрировать заявления, а места и выбор детского сада — после неё",
                "Балабақшалар анықтамалығы орталықпен алғашқы синхрондаумен келеді: оған дейін өтініштерді тіркеуге болады, ал орындар мен балабақша таңдау — одан кейін",
                "The kindergarten directory comes with the first sync with the center: until then applications can be registered; places and kindergarten choices wait for it",
            ),
            OperatorError::UnknownKindergarten { id } => pick(
                lang,
                format!("Детский сад {id} не найден в справочнике"),
                format!("{id} балабақшасы анықтамалықта табылмады"),
                format!("Kindergarten {id} is not in the directory"),
            ),
            OperatorError::WeakPassword => weak_password(lang),
            OperatorError::Hash(detail) => pick(
                lang,
                format!("Не удалось вычислить хеш пароля: {detail}"),
                format!("Құпиясөз хешін есептеу мүмкін болмады: {detail}"),
                format!("Could not hash the password: {detail}"),
            ),
            OperatorError::Append(e) => e.message(lang),
        }
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
        match self {
            QueryError::NotFound { what } => pick(
                lang,
                format!("Ничего не найдено: {what}"),
                format!("Ештеңе табылмады: {what}"),
                format!("Nothing found: {what}"),
            ),
            QueryError::Corrupt { detail } => pick(
                lang,
                format!(
                    "Данные для поиска повреждены ({detail}). Удалите папку db в папке данных: она будет восстановлена из журнала при запуске."
                ),
                format!(
                    "Іздеу деректері бүлінген ({detail}). Деректер қалтасындағы db қалтасын жойыңыз: ол іске қосқанда журналдан қалпына келтіріледі."
                ),
                format!(
                    "The lookup data is damaged ({detail}). Delete the db folder in the data folder: it is rebuilt from the log at start."
                ),
            ),
            QueryError::Store(e) => e.message(lang),
        }
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
        match self {
            SyncError::AckBeyondLog { seq, last } => pick(
                lang,
                format!(
                    "Центр подтвердил запись № {seq}, а в журнале киоска последняя № {last}: возможно, журнал восстановлен из старой копии. Обратитесь к администратору центра."
                ),
                format!(
                    "Орталық № {seq} жазбаны растады, ал киоск журналындағы соңғысы № {last}: журнал ескі көшірмеден қалпына келтірілген болуы мүмкін. Орталық әкімшісіне хабарласыңыз."
                ),
                format!(
                    "The center acknowledged entry {seq} but the kiosk's log ends at {last}: the log may have been restored from an old copy. Contact the center's administrator."
                ),
            ),
            SyncError::Fork { seq } => pick(
                lang,
                format!(
                    "Запись № {seq} в центре не совпадает с записью киоска: журнал киоска разошёлся с центром (например, восстановлен из старой копии). Не вводите новые данные и обратитесь к администратору центра."
                ),
                format!(
                    "Орталықтағы № {seq} жазба киоск жазбасымен сәйкес келмейді: киоск журналы орталықтан алшақтады (мысалы, ескі көшірмеден қалпына келтірілген). Жаңа деректер енгізбей, орталық әкімшісіне хабарласыңыз."
                ),
                format!(
                    "The center's entry {seq} differs from this kiosk's: the kiosk's log has forked from the center's (e.g. restored from an old copy). Enter nothing new and contact the center's administrator."
                ),
            ),
            SyncError::Write { path, detail } => pick(
                lang,
                format!("Не удалось записать файл {path}: {detail}"),
                format!("{path} файлын жазу мүмкін болмады: {detail}"),
                format!("Could not write {path}: {detail}"),
            ),
            SyncError::WrongDistrict { expected, found } => pick(
                lang,
                format!(
                    "Снимок центра относится к району {found}, а киоск работает в районе {expected}: он не принят."
                ),
                format!(
                    "Орталық суреті {found} ауданына қатысты, ал киоск {expected} ауданында жұмыс істейді: ол қабылданбады."
                ),
                format!("The center's snapshot is of district {found}, but this kiosk works in {expected}: not taken."),
            ),
            SyncError::OlderSnapshot { kept, offered } => pick(
                lang,
                format!(
                    "Этот снимок центра ({offered}) старше уже загруженного ({kept}): он не принят. Возьмите свежий снимок."
                ),
                format!(
                    "Бұл орталық суреті ({offered}) бұрын жүктелгеннен ({kept}) ескі: ол қабылданбады. Жаңа суретті алыңыз."
                ),
                format!(
                    "This center snapshot ({offered}) is older than the one already loaded ({kept}): not taken. Get a fresh one."
                ),
            ),
            SyncError::RestartRequired => pick_str(
                lang,
                "Ранее не удалась запись на диск: перезапустите киоск, затем повторите.",
                "Бұрын дискіге жазу сәтсіз болды: киоскты қайта іске қосып, қайталаңыз.",
                "An earlier write to disk failed: restart the kiosk, then try again.",
            ),
            SyncError::Store(e) => e.message(lang),
        }
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
            DemoError::AdminOnly => pick_str(
                lang,
                "Демо-данные загружает только администратор",
                "Демо деректерді тек әкімші жүктейді",
                "Only an administrator loads the demo data",
            ),
            DemoError::NotEmpty => pick_str(
                lang,
                "В киоске уже есть заявления или места: демо-данные загружаются только в новый киоск",
                "Киоскта өтініштер немесе орындар бар: демо деректер тек жаңа киоскқа жүктеледі",
                "The kiosk already holds applications or places: demo data is loaded into a new kiosk only",
            ),
            DemoError::Operator(e) => e.message(lang),
            DemoError::Append(e) => e.message(lang),
        }
    }
}
