//! Why a push or an import failed ([`PushError`]), in the three languages.

use rules::{Lang, Localized};
use sync_client::TrustKind;

use crate::errors::SyncError;
use crate::text::{pick, pick_str};

/// Why a push or an import failed. Nothing the center did not sign is applied.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("the center's public key is not set (center set --key HEX)")]
    NoCenterKey,
    #[error("no center URL (center set --url URL or push --url URL)")]
    NoUrl,
    #[error("bad center key: {0}")]
    BadKey(String),
    #[error("center configuration {path}: {detail}")]
    Config { path: String, detail: String },
    #[error("the center could not be reached after {attempts} attempts: {last}")]
    Unreachable { attempts: u32, last: String, last_sync_at: Option<String>, days_since_last_sync: Option<i64> },
    #[error("the center refused ({status} {code}): {message}")]
    Refused { status: u16, code: String, message: String },
    #[error("bad URL: {0}")]
    Url(String),
    #[error("the center's TLS certificate is not trusted ({trust:?}): {detail}")]
    TlsRejected { trust: TrustKind, detail: String },
    #[error("{url}: a CA file or a pinned certificate is set, the center's URL must start with https://")]
    TlsRequired { url: String },
    #[error("certificate file {path}: {detail}")]
    TlsFile { path: String, detail: String },
    #[error("the acknowledgement is not valid: {0}")]
    BadAck(String),
    #[error("the snapshot is not valid: {0}")]
    BadSnapshot(String),
    #[error("the file is for {found}, this kiosk is {expected}")]
    WrongKiosk { expected: String, found: String },
    #[error("cannot read {path}: {detail}")]
    Read { path: String, detail: String },
    #[error(transparent)]
    Sync(SyncError),
}

/// Errors of `import_ack` / `import_snapshot` (the same codes as a push).
pub type ImportError = PushError;

impl PushError {
    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, PushError::Unreachable { .. })
    }
}

fn since_text(lang: Lang, at: Option<&str>, days: Option<i64>) -> String {
    match (at, days) {
        (Some(at), Some(d)) => pick(
            lang,
            format!("Последняя успешная синхронизация: {at} ({d} дн. назад)."),
            format!("Соңғы сәтті синхрондау: {at} ({d} күн бұрын)."),
            format!("Last successful sync: {at} ({d} days ago)."),
        ),
        (Some(at), None) => pick(
            lang,
            format!("Последняя успешная синхронизация: {at}."),
            format!("Соңғы сәтті синхрондау: {at}."),
            format!("Last successful sync: {at}."),
        ),
        _ => pick_str(
            lang,
            "Киоск ещё ни разу не синхронизировался с центром.",
            "Киоск орталықпен әлі бірде-бір рет синхрондалмаған.",
            "The kiosk has never synced with the center.",
        ),
    }
}

impl Localized for PushError {
    fn code(&self) -> &'static str {
        match self {
            PushError::NoCenterKey => "CENTER_KEY_NOT_SET",
            PushError::NoUrl => "CENTER_URL_NOT_SET",
            PushError::BadKey(_) => "BAD_CENTER_KEY",
            PushError::Config { .. } => "CENTER_CONFIG",
            PushError::Unreachable { .. } => "CENTER_UNREACHABLE",
            PushError::Refused { .. } => "CENTER_REFUSED",
            PushError::Url(_) => "BAD_CENTER_URL",
            PushError::TlsRejected { .. } => "TLS_CERT_REJECTED",
            PushError::TlsRequired { .. } => "CENTER_URL_NOT_HTTPS",
            PushError::TlsFile { .. } => "TLS_TRUST_FILE",
            PushError::BadAck(_) => "BAD_ACK",
            PushError::BadSnapshot(_) => "BAD_SNAPSHOT",
            PushError::WrongKiosk { .. } => "WRONG_KIOSK",
            PushError::Read { .. } => "READ_FAILED",
            PushError::Sync(e) => e.code(),
        }
    }
    fn message(&self, lang: Lang) -> String {
        match self {
            PushError::NoCenterKey => pick_str(
                lang,
                "Не задан открытый ключ центра. Выполните: center set --url URL --key HEX",
                "Орталықтың ашық кілті берілмеген. Орындаңыз: center set --url URL --key HEX",
                "The center's public key is not set. Run: center set --url URL --key HEX",
            ),
            PushError::NoUrl => pick_str(
                lang,
                "Не задан адрес центра: center set --url URL или push --url URL",
                "Орталық мекенжайы берілмеген: center set --url URL немесе push --url URL",
                "No center URL: center set --url URL or push --url URL",
            ),
            PushError::BadKey(d) => pick(
                lang,
                format!("Неверный ключ центра (ожидается 64 шестнадцатеричных символа): {d}"),
                format!("Орталық кілті қате (64 он алтылық таңба күтіледі): {d}"),
                format!("Bad center key (expected 64 hex characters): {d}"),
            ),
            PushError::Config { path, detail } => pick(
                lang,
                format!("Не удалось прочитать или записать настройки центра {path}: {detail}"),
                format!("Орталық баптауларын {path} оқу не жазу мүмкін болмады: {detail}"),
                format!("Could not read or write the center settings {path}: {detail}"),
            ),
            PushError::Unreachable { attempts, last, last_sync_at, days_since_last_sync } => {
                let since = since_text(lang, last_sync_at.as_deref(), *days_since_last_sync);
                pick(
                    lang,
                    format!(
                        "Центр недоступен ({attempts} попыток: {last}). Данные сохранены на киоске и будут отправлены позже. {since}"
                    ),
                    format!(
                        "Орталық қолжетімсіз ({attempts} әрекет: {last}). Деректер киоскта сақталған, кейін жіберіледі. {since}"
                    ),
                    format!(
                        "The center is unreachable ({attempts} attempts: {last}). The data is kept on the kiosk and will be sent later. {since}"
                    ),
                )
            }
            PushError::Refused { status, code, message } => pick(
                lang,
                format!("Центр отклонил запрос ({status} {code}): {message}"),
                format!("Орталық сұрауды қабылдамады ({status} {code}): {message}"),
                format!("The center refused ({status} {code}): {message}"),
            ),
            PushError::Url(d) => pick(
                lang,
                format!("Неверный адрес центра: {d}"),
                format!("Орталық мекенжайы қате: {d}"),
                format!("Bad center URL: {d}"),
            ),
            PushError::TlsRejected { trust, detail } => tls_rejected_text(lang, *trust, detail),
            PushError::TlsRequired { url } => pick(
                lang,
                format!(
                    "Для центра задан сертификат (center set --pin-cert или --ca-file), а адрес {url} не начинается с https://. Ничего не отправлено. Укажите адрес https:// (center set --url) или отмените проверку сертификата: center set --clear-tls"
                ),
                format!(
                    "Орталық үшін сертификат берілген (center set --pin-cert немесе --ca-file), ал {url} мекенжайы https:// деп басталмайды. Ештеңе жіберілмеді. https:// мекенжайын көрсетіңіз (center set --url) немесе сертификат тексерісін алып тастаңыз: center set --clear-tls"
                ),
                format!(
                    "A certificate is set for the center (center set --pin-cert or --ca-file), but the address {url} does not start with https://. Nothing was sent. Give an https:// address (center set --url) or remove the certificate check: center set --clear-tls"
                ),
            ),
            PushError::TlsFile { path, detail } => pick(
                lang,
                format!("Файл сертификата {path} не подходит: {detail}"),
                format!("{path} сертификат файлы жарамсыз: {detail}"),
                format!("The certificate file {path} cannot be used: {detail}"),
            ),
            PushError::BadAck(d) => pick(
                lang,
                format!("Подтверждение центра не прошло проверку подписи и не применено: {d}"),
                format!("Орталық растауы қолтаңба тексерісінен өтпеді, қолданылмады: {d}"),
                format!("The center's acknowledgement failed verification and was not applied: {d}"),
            ),
            PushError::BadSnapshot(d) => pick(
                lang,
                format!("Снимок района не прошёл проверку и не сохранён: {d}"),
                format!("Аудан суреті тексерістен өтпеді, сақталмады: {d}"),
                format!("The district snapshot failed verification and was not kept: {d}"),
            ),
            PushError::WrongKiosk { expected, found } => pick(
                lang,
                format!("Файл предназначен для {found}, а этот киоск — {expected}"),
                format!("Файл {found} үшін, ал бұл киоск — {expected}"),
                format!("The file is for {found}; this kiosk is {expected}"),
            ),
            PushError::Read { path, detail } => pick(
                lang,
                format!("Не удалось прочитать {path}: {detail}"),
                format!("{path} оқу мүмкін болмады: {detail}"),
                format!("Cannot read {path}: {detail}"),
            ),
            PushError::Sync(e) => e.message(lang),
        }
    }
}

fn tls_rejected_text(lang: Lang, trust: TrustKind, detail: &str) -> String {
    match trust {
        TrustKind::Pinned => pick(
            lang,
            format!(
                "Сертификат центра не тот, которому доверяет этот киоск ({detail}). Ничего не отправлено, данные остаются на киоске. Проверьте адрес центра и закреплённый сертификат: center set --pin-cert ФАЙЛ (сертификат от администратора центра)"
            ),
            format!(
                "Орталықтың сертификаты бұл киоск сенетін сертификат емес ({detail}). Ештеңе жіберілмеді, деректер киоскта қалады. Орталық мекенжайын және бекітілген сертификатты тексеріңіз: center set --pin-cert ФАЙЛ (орталық әкімшісінен алынған сертификат)"
            ),
            format!(
                "The center's certificate is not the one this kiosk trusts ({detail}). Nothing was sent; the data stays on the kiosk. Check the center's address and the pinned certificate: center set --pin-cert FILE (the certificate from the center's administrator)"
            ),
        ),
        TrustKind::Ca => pick(
            lang,
            format!(
                "Сертификат центра не выдан удостоверяющим центром, которому доверяет этот киоск ({detail}). Ничего не отправлено, данные остаются на киоске. Проверьте адрес центра и файл УЦ: center set --ca-file ФАЙЛ"
            ),
            format!(
                "Орталықтың сертификатын бұл киоск сенетін куәландырушы орталық бермеген ({detail}). Ештеңе жіберілмеді, деректер киоскта қалады. Орталық мекенжайын және КО файлын тексеріңіз: center set --ca-file ФАЙЛ"
            ),
            format!(
                "The center's certificate is not issued by the CA this kiosk trusts ({detail}). Nothing was sent; the data stays on the kiosk. Check the center's address and the CA file: center set --ca-file FILE"
            ),
        ),
        TrustKind::WebRoots => pick(
            lang,
            format!(
                "Сертификат центра не выдан общедоступным удостоверяющим центром ({detail}). Ничего не отправлено, данные остаются на киоске. Задайте сертификат центра (center set --pin-cert ФАЙЛ) или его УЦ (center set --ca-file ФАЙЛ)"
            ),
            format!(
                "Орталықтың сертификатын жалпыға қолжетімді куәландырушы орталық бермеген ({detail}). Ештеңе жіберілмеді, деректер киоскта қалады. Орталық сертификатын (center set --pin-cert ФАЙЛ) немесе оның КО-сын (center set --ca-file ФАЙЛ) көрсетіңіз"
            ),
            format!(
                "The center's certificate is not issued by a public CA ({detail}). Nothing was sent; the data stays on the kiosk. Set the center's certificate (center set --pin-cert FILE) or its CA (center set --ca-file FILE)"
            ),
        ),
    }
}
