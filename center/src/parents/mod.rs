//! The parents' channel (seeds 001, 002 and 004; docs/PARENTS.md): sign-in with a one-time
//! code through the notifier, the parent–child link checked with the population registry,
//! and the parent's actions written as signed entries of the channel's own log.
//!
//! - [`channel`]: the channel as a source of signed entries (key, registration, writing);
//! - [`identity`]: how a parent proves who they are ([`IdentityAdapter`]; built in: IIN and
//!   a one-time code through the notifier);
//! - [`codes`]: the one-time codes and their throttling;
//! - [`service`]: what a parent can do, as methods of the center;
//! - [`views`]: what a parent sees of their children's applications, choices, the contract;
//! - [`api`]: the HTTP routes under `/v1/parent/…`.

pub mod api;
pub mod channel;
pub mod codes;
pub mod identity;
pub mod service;
pub mod views;

use std::sync::Arc;
use std::time::Duration;

use changelog::KioskKey;
use rules::authz::parent::ParentDenied;
use rules::{CommandError, Lang, Localized, Text};

use crate::population::RegistryError;
use crate::service::CenterError;

pub use channel::{KEY_FILE, load_or_create_key};
pub use codes::{CodeBook, CodeError};
pub use identity::{IdentityAdapter, OtpIdentity, SignInStart, SignInStarted};
pub use service::{LinkedChild, ParentIdentity};
pub use views::{ApplicationView, Choice, Contract};

/// The identity adapter's name for IIN + one-time code (recorded with every action).
pub const OTP_METHOD: &str = "otp";

/// The parents' channel of a server: its key, how parents sign in, its options.
#[derive(Debug, Clone)]
pub struct ParentsChannel {
    pub(crate) key: Arc<KioskKey>,
    pub(crate) identity: Arc<dyn IdentityAdapter>,
    pub(crate) options: ParentOptions,
}

/// How the parents' sign-in behaves.
#[derive(Debug, Clone)]
pub struct ParentOptions {
    /// How long a parent's session lasts.
    pub session_lifetime: Duration,
    /// Whether the cookie is marked `Secure` (off only for plain loopback HTTP).
    pub secure_cookie: bool,
}

impl Default for ParentOptions {
    fn default() -> Self {
        ParentOptions { session_lifetime: Duration::from_mins(30), secure_cookie: true }
    }
}

impl ParentsChannel {
    pub fn new(key: KioskKey, identity: Arc<dyn IdentityAdapter>, options: ParentOptions) -> Self {
        ParentsChannel { key: Arc::new(key), identity, options }
    }
}

/// Why a parent's request was not done.
#[derive(Debug)]
pub enum ParentError {
    /// `rules::authz::parent` refused it.
    Denied(ParentDenied),
    /// The rules refused the command.
    Rules(CommandError),
    /// The population registry could not answer, or the IIN is not valid.
    Registry(RegistryError),
    /// The registry does not list this parent and child.
    NotInRegistry { child: String },
    /// Sign-in code problems.
    Code(CodeError),
    /// The notifier could not send the sign-in code (its error code).
    NotSent(String),
    /// The contract hash sent with a choice is not the hash of the contract for it.
    ContractMismatch,
    /// No such application among the parent's, or no such kindergarten.
    NotFound(String),
    /// The request itself is not valid.
    Invalid(String),
    /// The channel's entry was refused at ingest or by the fold.
    Refused { code: String, reason: String },
    /// The center could not do it (store, setup).
    Center(CenterError),
}

impl From<CenterError> for ParentError {
    fn from(e: CenterError) -> Self {
        ParentError::Center(e)
    }
}

impl ParentError {
    pub fn code(&self) -> String {
        match self {
            ParentError::Denied(d) => d.code().to_owned(),
            ParentError::Rules(e) => e.code().to_owned(),
            ParentError::Registry(e) => e.code().to_owned(),
            ParentError::NotInRegistry { .. } => "NOT_IN_REGISTRY".into(),
            ParentError::Code(CodeError::Throttled { .. }) => "THROTTLED".into(),
            ParentError::Code(CodeError::NoCode) => "NO_CODE".into(),
            ParentError::Code(CodeError::Expired) => "CODE_EXPIRED".into(),
            ParentError::Code(CodeError::Wrong { .. }) => "WRONG_CODE".into(),
            ParentError::Code(CodeError::Unavailable) => "STORE_UNAVAILABLE".into(),
            ParentError::ContractMismatch => "CONTRACT_MISMATCH".into(),
            ParentError::NotFound(_) => "NOT_FOUND".into(),
            ParentError::Invalid(_) => "INVALID".into(),
            ParentError::Refused { code, .. } | ParentError::NotSent(code) => code.clone(),
            ParentError::Center(e) => e.code().to_owned(),
        }
    }

    /// The HTTP status of the answer.
    pub fn status(&self) -> u16 {
        match self {
            ParentError::Denied(ParentDenied::UnknownApplication { .. }) | ParentError::NotFound(_) => 404,
            ParentError::Denied(_) | ParentError::NotInRegistry { .. } => 403,
            ParentError::Code(CodeError::Throttled { .. }) => 429,
            ParentError::Registry(RegistryError::NotImported | RegistryError::Unavailable(_))
            | ParentError::Center(CenterError::Store(_))
            | ParentError::Code(CodeError::Unavailable)
            | ParentError::NotSent(_) => 503,
            ParentError::Code(_) => 401,
            ParentError::Center(CenterError::Setup(_)) => 500,
            ParentError::Rules(_)
            | ParentError::Registry(_)
            | ParentError::ContractMismatch
            | ParentError::Invalid(_)
            | ParentError::Center(_) => 400,
            ParentError::Refused { .. } => 409,
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let fill = |t: Text, key: &str, value: &str| t.get(lang).replace(key, value);
        match self {
            ParentError::Denied(d) => d.message(lang),
            ParentError::Rules(e) => e.message(lang),
            ParentError::Registry(e) => e.message(lang),
            ParentError::NotInRegistry { child } => fill(
                Text::new(
                    "Государственный реестр населения не подтверждает, что ребёнок с ИИН {child} — ваш ребёнок. Обратитесь в отдел образования с документами.",
                    "Халықтың мемлекеттік тізілімі ЖСН {child} баланың сіздің балаңыз екенін растамайды. Құжаттармен білім бөліміне жүгініңіз.",
                    "The population registry does not confirm that the child with IIN {child} is yours. Bring the documents to the education department.",
                ),
                "{child}",
                child,
            ),
            ParentError::Code(CodeError::Throttled { wait_secs }) => fill(
                Text::new(
                    "Слишком много кодов. Попробуйте снова через {minutes} мин.",
                    "Кодтар тым көп. {minutes} минуттан кейін қайталап көріңіз.",
                    "Too many codes. Try again in {minutes} min.",
                ),
                "{minutes}",
                &((wait_secs + 59) / 60).to_string(),
            ),
            ParentError::Code(CodeError::NoCode) => Text::new(
                "Код не запрошен или уже использован. Запросите новый код.",
                "Код сұралмаған немесе пайдаланылған. Жаңа код сұраңыз.",
                "No code was asked for, or it was used. Ask for a new code.",
            )
            .get(lang)
            .to_owned(),
            ParentError::Code(CodeError::Unavailable) => Text::new(
                "Вход временно недоступен. Попробуйте через минуту.",
                "Кіру уақытша қолжетімсіз. Бір минуттан кейін қайталаңыз.",
                "Signing in is unavailable for a moment. Try again in a minute.",
            )
            .get(lang)
            .to_owned(),
            ParentError::Code(CodeError::Expired) => Text::new(
                "Срок действия кода (5 минут) истёк. Запросите новый код.",
                "Кодтың мерзімі (5 минут) өтті. Жаңа код сұраңыз.",
                "The code's 5 minutes are over. Ask for a new code.",
            )
            .get(lang)
            .to_owned(),
            ParentError::Code(CodeError::Wrong { tries_left }) => fill(
                Text::new(
                    "Неверный код. Осталось попыток: {n}.",
                    "Код қате. Қалған әрекет саны: {n}.",
                    "Wrong code. Tries left: {n}.",
                ),
                "{n}",
                &tries_left.to_string(),
            ),
            ParentError::NotSent(_) => Text::new(
                "Не удалось отправить код. Попробуйте позже.",
                "Кодты жіберу мүмкін болмады. Кейінірек қайталаңыз.",
                "The code could not be sent. Try again later.",
            )
            .get(lang)
            .to_owned(),
            ParentError::ContractMismatch => Text::new(
                "Текст договора изменился. Откройте договор снова и подпишите его.",
                "Шарт мәтіні өзгерді. Шартты қайта ашып, қол қойыңыз.",
                "The contract text has changed. Open the contract again and sign it.",
            )
            .get(lang)
            .to_owned(),
            ParentError::NotFound(what) => {
                fill(Text::new("Не найдено: {what}.", "Табылмады: {what}.", "Not found: {what}."), "{what}", what)
            }
            ParentError::Invalid(why) => fill(
                Text::new(
                    "Запрос заполнен неверно: {why}",
                    "Сұрау қате толтырылған: {why}",
                    "The request is not valid: {why}",
                ),
                "{why}",
                why,
            ),
            ParentError::Refused { reason, .. } => fill(
                Text::new(
                    "Центр не принял действие: {why}",
                    "Орталық әрекетті қабылдамады: {why}",
                    "The center did not accept the action: {why}",
                ),
                "{why}",
                reason,
            ),
            ParentError::Center(e) => fill(
                Text::new(
                    "Центр не смог выполнить запрос ({why}). Попробуйте позже.",
                    "Орталық сұрауды орындай алмады ({why}). Кейінірек қайталаңыз.",
                    "The center could not do this ({why}). Try again later.",
                ),
                "{why}",
                e.code(),
            ),
        }
    }
}
