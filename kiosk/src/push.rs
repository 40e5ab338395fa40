//! Sync with the center: push the pending log over HTTP (in chunks, resumable), apply the
//! signed acknowledgement, fetch and keep the district snapshot; or the same by USB files
//! (`import_ack`, `import_snapshot`).
//!
//! The center's public key is kept in `center.json` in the data folder (`set_center`);
//! every ack and snapshot is verified against it before anything is applied. How an
//! `https://` center's certificate is checked (`set_center_tls`: a CA file or the center's
//! pinned certificate, copied into the data folder; else the public roots) is kept there
//! too, and every push (CLI and GUI) reads it through [`center_endpoint`].

use std::path::{Path, PathBuf};

use changelog::sync::{Ack, QuarantineNote, Snapshot, open_ack, open_snapshot};
use changelog::{Hash, SignedEntry, VerifyingKey, public_key_from_hex};
use rules::{Instant, Lang, Localized};
use serde::{Deserialize, Serialize};
use sync_client::{AckApplied, Ending, Endpoint, PushOptions, PushSession, Stage, Transport, Trust, TrustKind};

use crate::Kiosk;
use crate::errors::SyncError;
use crate::store::write_atomically;
use crate::sync::SnapshotInfo;
use crate::text::{pick, pick_str};

pub use sync_client::{CHUNK_ENTRIES, chunk_len};

/// File in the data folder holding the center's URL and public key.
pub const CENTER_FILE: &str = "center.json";

/// The CA file's copy in the data folder (`center set --ca-file`).
pub const CENTER_CA_FILE: &str = "center-ca.pem";

/// The pinned center certificate's copy in the data folder (`center set --pin-cert`).
pub const CENTER_CERT_FILE: &str = "center-cert.pem";

/// Where a push is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum PushStage {
    Preparing,
    Uploading,
    Applying,
    FetchingSnapshot,
    Done,
}

/// Progress of a push, reported between steps and chunks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PushProgress {
    pub sent_entries: u64,
    pub total_entries: u64,
    pub stage: PushStage,
}

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PushReport {
    pub kiosk: String,
    /// The center has every entry up to this one; the next push starts after it.
    pub accepted_through_seq: u64,
    /// Entries uploaded by this push.
    pub sent: u64,
    /// Entries still pending (the center set some aside, see `quarantined`).
    pub pending: u64,
    /// The kiosk's entries the center set aside.
    pub quarantined: Vec<QuarantineNote>,
    /// Center time of the snapshot kept (`None` if it could not be fetched).
    pub snapshot_at: Option<Instant>,
    /// Why the snapshot was not fetched, if it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_error: Option<String>,
}

/// An imported snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotImport {
    pub district: String,
    pub generated_at: Instant,
    pub applications: usize,
    pub queued: usize,
    pub info: SnapshotInfo,
}

/// An imported acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AckImport {
    pub kiosk: String,
    pub accepted_through_seq: u64,
    pub center_time: Instant,
    pub pending: u64,
    pub quarantined: Vec<QuarantineNote>,
}

/// The center as the kiosk knows it (`center.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CenterConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Hex Ed25519 public key of the center.
    pub public_key: String,
    /// How an `https://` center's certificate is checked; absent: the public roots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<CenterTls>,
}

/// The certificates an `https://` center must present, other than the public roots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CenterTls {
    /// `ca` (issued by a CA of the file) or `pinned` (exactly this certificate).
    pub trust: TrustKind,
    /// The PEM file in the data folder ([`CENTER_CA_FILE`] or [`CENTER_CERT_FILE`]).
    pub file: String,
    /// SHA-256 of each certificate (DER), hex: to compare with the center's.
    pub sha256: Vec<String>,
}

/// What [`set_center_tls`] sets.
#[derive(Debug, Clone, Copy)]
pub enum TlsChoice<'a> {
    /// Trust the CA certificates of this PEM file (copied into the data folder).
    CaFile(&'a Path),
    /// Pin the center's self-signed certificate of this PEM file (copied into the data folder).
    PinCert(&'a Path),
    /// Forget both: the public roots again.
    PublicRoots,
}

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

fn config_path(kiosk: &Kiosk) -> PathBuf {
    kiosk.data_dir().join(CENTER_FILE)
}

/// The center settings, if set.
pub fn center_config(kiosk: &Kiosk) -> Result<Option<CenterConfig>, PushError> {
    center_config_in(kiosk.data_dir())
}

/// The center settings kept in the data folder `dir`, if set.
pub fn center_config_in(dir: &Path) -> Result<Option<CenterConfig>, PushError> {
    let path = dir.join(CENTER_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(PushError::Config { path: path.display().to_string(), detail: e.to_string() }),
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|e| PushError::Config { path: path.display().to_string(), detail: e.to_string() })
}

/// Sets the center's URL and/or public key (durably: temp file, fsync, rename). A value not
/// given keeps the one already set; the key must be set at least once.
pub fn set_center(kiosk: &Kiosk, url: Option<&str>, key_hex: Option<&str>) -> Result<CenterConfig, PushError> {
    configure_center(kiosk, url, key_hex, None)
}

/// Sets how an `https://` center's certificate is checked: a CA file or the center's pinned
/// self-signed certificate (checked, then copied into the data folder, so the kiosk does not
/// depend on the original file), or the public roots again. The center's key must be set
/// first; a URL already set must be `https://`.
pub fn set_center_tls(kiosk: &Kiosk, choice: TlsChoice<'_>) -> Result<CenterConfig, PushError> {
    configure_center(kiosk, None, None, Some(choice))
}

/// [`set_center`] and [`set_center_tls`] at once: everything is checked before anything is
/// written, and `center.json` is written once (after the certificate's copy).
pub fn configure_center(
    kiosk: &Kiosk,
    url: Option<&str>,
    key_hex: Option<&str>,
    tls: Option<TlsChoice<'_>>,
) -> Result<CenterConfig, PushError> {
    let old = center_config(kiosk)?;
    let public_key = match key_hex {
        Some(k) => {
            let k = k.trim().to_ascii_lowercase();
            public_key_from_hex(&k).map_err(|e| PushError::BadKey(e.to_string()))?;
            k
        }
        None => old.as_ref().map(|c| c.public_key.clone()).ok_or(PushError::NoCenterKey)?,
    };
    let url = match url {
        Some(u) => {
            let u = u.trim().trim_end_matches('/').to_owned();
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err(PushError::Url(format!("{u:?} does not start with http:// or https://")));
            }
            Some(u)
        }
        None => old.as_ref().and_then(|c| c.url.clone()),
    };
    let old_tls = old.and_then(|c| c.tls);
    // The certificate to copy, checked: (its copy's name, the PEM text, what is recorded).
    let (tls, copy) = match tls {
        None => (old_tls.clone(), None),
        Some(TlsChoice::PublicRoots) => (None, None),
        Some(TlsChoice::CaFile(path) | TlsChoice::PinCert(path)) => {
            let (kind, name) = if matches!(tls, Some(TlsChoice::CaFile(_))) {
                (TrustKind::Ca, CENTER_CA_FILE)
            } else {
                (TrustKind::Pinned, CENTER_CERT_FILE)
            };
            let pem = read_pem(path)?;
            let trust = trust_from_pem(kind, &pem)
                .map_err(|detail| PushError::TlsFile { path: path.display().to_string(), detail })?;
            let sha256 = match &trust {
                Trust::Pinned(der) => vec![sha256_hex(der)],
                Trust::Ca(ders) => ders.iter().map(|d| sha256_hex(d)).collect(),
                Trust::WebRoots => Vec::new(),
            };
            (Some(CenterTls { trust: kind, file: name.to_owned(), sha256 }), Some((name, pem)))
        }
    };
    if let Some(url) = url.as_ref().filter(|u| tls.is_some() && !u.starts_with("https://")) {
        return Err(PushError::TlsRequired { url: url.clone() });
    }
    if let Some((name, pem)) = &copy {
        let path = kiosk.data_dir().join(name);
        write_atomically(&path, pem)
            .map_err(|e| PushError::Config { path: path.display().to_string(), detail: e.to_string() })?;
    }
    let config = CenterConfig { url, public_key, tls };
    write_config(kiosk, &config)?;
    // A certificate file no longer named in `center.json`.
    if let Some(old) = old_tls.filter(|o| config.tls.as_ref().is_none_or(|t| t.file != o.file)) {
        let _ = std::fs::remove_file(kiosk.data_dir().join(old.file));
    }
    Ok(config)
}

fn write_config(kiosk: &Kiosk, config: &CenterConfig) -> Result<(), PushError> {
    let path = config_path(kiosk);
    let bytes = serde_json::to_vec_pretty(config).expect("center config serializes");
    write_atomically(&path, &bytes)
        .map_err(|e| PushError::Config { path: path.display().to_string(), detail: e.to_string() })
}

/// Largest certificate file read (a CA bundle is a few hundred KB).
const MAX_PEM_BYTES: u64 = 4 * 1024 * 1024;

fn read_pem(path: &Path) -> Result<Vec<u8>, PushError> {
    use std::io::Read;
    let error = |detail: String| PushError::TlsFile { path: path.display().to_string(), detail };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_PEM_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| error(e.to_string()))?;
    if bytes.len() as u64 > MAX_PEM_BYTES {
        return Err(error(format!("larger than {MAX_PEM_BYTES} bytes")));
    }
    Ok(bytes)
}

fn sha256_hex(der: &[u8]) -> String {
    use sha2::Digest;
    use std::fmt::Write as _;
    sha2::Sha256::digest(der).iter().fold(String::with_capacity(64), |mut hex, b| {
        let _ = write!(hex, "{b:02x}");
        hex
    })
}

fn trust_from_pem(kind: TrustKind, pem: &[u8]) -> Result<Trust, String> {
    match kind {
        TrustKind::Pinned => Trust::pinned_pem(pem),
        TrustKind::Ca => Trust::ca_pem(pem),
        TrustKind::WebRoots => Ok(Trust::WebRoots),
    }
}

/// The center to push to: `url` (the one set with [`set_center`] when empty) and the
/// certificates it must present (from the data folder), with the center's public key.
/// The CLI push and the GUI's push worker both start here.
pub fn center_endpoint(kiosk: &Kiosk, url: &str) -> Result<(VerifyingKey, Endpoint), PushError> {
    let config = center_config(kiosk)?.ok_or(PushError::NoCenterKey)?;
    let key = public_key_from_hex(&config.public_key).map_err(|e| PushError::BadKey(e.to_string()))?;
    let url = if url.is_empty() { config.url.ok_or(PushError::NoUrl)? } else { url.to_owned() };
    let trust = match config.tls {
        None => Trust::WebRoots,
        Some(tls) => {
            let path = kiosk.data_dir().join(&tls.file);
            trust_from_pem(tls.trust, &read_pem(&path)?)
                .map_err(|detail| PushError::TlsFile { path: path.display().to_string(), detail })?
        }
    };
    Ok((key, Endpoint::new(url).with_trust(trust)))
}

/// The center's public key and URL from `center.json`.
pub fn center_key(kiosk: &Kiosk) -> Result<(VerifyingKey, Option<String>), PushError> {
    let config = center_config(kiosk)?.ok_or(PushError::NoCenterKey)?;
    let key = public_key_from_hex(&config.public_key).map_err(|e| PushError::BadKey(e.to_string()))?;
    Ok((key, config.url))
}

fn parse_hash(text: &str) -> Option<Hash> {
    if text.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// A transport error as a push error (with the time since the last sync when unreachable).
pub fn client_error(kiosk: &Kiosk, error: sync_client::PushError) -> PushError {
    match error {
        sync_client::PushError::Unreachable { attempts, last } => {
            let status = kiosk.status();
            PushError::Unreachable {
                attempts,
                last,
                last_sync_at: status.last_sync_at,
                days_since_last_sync: status.days_since_last_sync,
            }
        }
        sync_client::PushError::Refused { status, code, message } => PushError::Refused { status, code, message },
        sync_client::PushError::Url(u) => PushError::Url(u),
        sync_client::PushError::TlsRejected { trust, detail } => PushError::TlsRejected { trust, detail },
        sync_client::PushError::TlsRequired { url } => PushError::TlsRequired { url },
    }
}

/// Verifies a signed ack for this kiosk and applies it durably.
pub fn apply_ack(kiosk: &mut Kiosk, bytes: &[u8], key: &VerifyingKey) -> Result<Ack, PushError> {
    let ack = open_ack(bytes, key).map_err(|e| PushError::BadAck(e.to_string()))?;
    let own = kiosk.identity().kiosk_id.clone();
    if ack.kiosk != own {
        return Err(PushError::WrongKiosk { expected: own, found: ack.kiosk });
    }
    let head = parse_hash(&ack.head_hash);
    if head.is_none() && ack.accepted_through_seq > 0 {
        return Err(PushError::BadAck(format!("bad head hash {:?}", ack.head_hash)));
    }
    kiosk.acknowledge(ack.accepted_through_seq, head, Some(ack.center_time)).map_err(PushError::Sync)?;
    Ok(ack)
}

/// Verifies a signed snapshot of this kiosk's district, keeps it durably and rebases the
/// kiosk's state on it (see [`Kiosk::apply_snapshot`]).
pub fn apply_snapshot(
    kiosk: &mut Kiosk,
    bytes: &[u8],
    key: &VerifyingKey,
) -> Result<(Snapshot, SnapshotInfo), PushError> {
    let snapshot = open_snapshot(bytes, key).map_err(|e| PushError::BadSnapshot(e.to_string()))?;
    let own = kiosk.identity().district.clone();
    if snapshot.district != own {
        return Err(PushError::WrongKiosk { expected: own, found: snapshot.district });
    }
    let info = kiosk.apply_snapshot(bytes, snapshot.clone()).map_err(PushError::Sync)?;
    Ok((snapshot, info))
}

fn pending(kiosk: &Kiosk) -> u64 {
    kiosk.status().last_seq.saturating_sub(kiosk.sync_state().acknowledged_seq)
}

/// [`push_with`] with the default retries and the URL from `center.json` when `url` is empty.
pub fn push(kiosk: &mut Kiosk, url: &str, progress: &mut dyn FnMut(&PushProgress)) -> Result<PushReport, PushError> {
    push_with(kiosk, url, &PushOptions::default(), progress)
}

/// Uploads the pending entries in chunks of [`CHUNK_ENTRIES`], applying each signed ack
/// durably before the next chunk; then fetches and keeps the district snapshot.
/// `url` empty: the one set with [`set_center`]. The session ([`PushSession`]) decides
/// what goes next; the GUI's push worker drives the same session.
pub fn push_with(
    kiosk: &mut Kiosk,
    url: &str,
    options: &PushOptions,
    progress: &mut dyn FnMut(&PushProgress),
) -> Result<PushReport, PushError> {
    let (key, center) = center_endpoint(kiosk, url)?;
    let kiosk_id = kiosk.identity().kiosk_id.clone();
    let start = kiosk.sync_state().acknowledged_seq;
    progress(&PushProgress { sent_entries: 0, total_entries: pending(kiosk), stage: PushStage::Preparing });
    let entries: Vec<SignedEntry> = kiosk.entries_after(start).map_err(|e| PushError::Sync(SyncError::Store(e)))?;
    let signer = kiosk.request_signer().map_err(|e| PushError::Sync(SyncError::Store(e)))?;
    let district = kiosk.identity().district.clone();
    let mut session = PushSession::new(signer, &district, entries, options).map_err(|e| client_error(kiosk, e))?;
    let transport = Transport::new(&center, options).map_err(|e| client_error(kiosk, e))?;
    let mut quarantined = Vec::new();
    // The first error applying an ack (the push stops there).
    let mut failed = None;
    let ending = {
        let kiosk = &mut *kiosk;
        sync_client::run(
            &transport,
            &mut session,
            &mut |_, bytes| {
                let before = kiosk.sync_state().acknowledged_seq;
                match apply_ack(kiosk, &bytes, &key) {
                    Ok(ack) => {
                        let advanced = kiosk.sync_state().acknowledged_seq > before;
                        let applied = AckApplied { advanced, quarantined: !ack.quarantined.is_empty() };
                        quarantined = ack.quarantined;
                        Some(applied)
                    }
                    Err(e) => {
                        failed = Some(e);
                        None
                    }
                }
            },
            &mut |session| progress(&session_progress(session)),
        )
    };
    let (snapshot_at, snapshot_error) = match ending {
        Ending::Failed(e) => return Err(client_error(kiosk, e)),
        Ending::Stopped => return Err(failed.unwrap_or_else(|| PushError::BadAck("no acknowledgement".into()))),
        Ending::Snapshot(result) => {
            match result.map_err(|e| client_error(kiosk, e)).and_then(|bytes| apply_snapshot(kiosk, &bytes, &key)) {
                Ok((snapshot, _)) => (Some(snapshot.generated_at), None),
                Err(e) => (None, Some(format!("[{}] {}", e.code(), e.message(Lang::En)))),
            }
        }
    };
    let sent = session.sent();
    progress(&PushProgress { sent_entries: sent, total_entries: session.total(), stage: PushStage::Done });
    Ok(PushReport {
        kiosk: kiosk_id,
        accepted_through_seq: kiosk.sync_state().acknowledged_seq,
        sent,
        pending: pending(kiosk),
        quarantined,
        snapshot_at,
        snapshot_error,
    })
}

/// Where a push session is, as the kiosk reports it.
pub fn session_progress(session: &PushSession) -> PushProgress {
    let stage = match session.stage() {
        Stage::Uploading => PushStage::Uploading,
        Stage::Applying => PushStage::Applying,
        Stage::FetchingSnapshot => PushStage::FetchingSnapshot,
        Stage::Over => PushStage::Done,
    };
    PushProgress { sent_entries: session.sent(), total_entries: session.total(), stage }
}

/// Largest ack or snapshot file read from a USB stick: a device (`/dev/zero`) or a huge
/// file cannot make the kiosk read without end.
pub const MAX_IMPORT_BYTES: u64 = 256 * 1024 * 1024;

fn read(path: &Path) -> Result<Vec<u8>, PushError> {
    use std::io::Read;
    let error = |detail: String| PushError::Read { path: path.display().to_string(), detail };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(MAX_IMPORT_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| error(e.to_string()))?;
    if bytes.len() as u64 > MAX_IMPORT_BYTES {
        return Err(error(format!("larger than {MAX_IMPORT_BYTES} bytes")));
    }
    Ok(bytes)
}

/// Imports a signed district snapshot from a file (USB): verified against the center key.
pub fn import_snapshot(kiosk: &mut Kiosk, path: &Path) -> Result<SnapshotImport, ImportError> {
    let (key, _) = center_key(kiosk)?;
    let bytes = read(path)?;
    let (snapshot, info) = apply_snapshot(kiosk, &bytes, &key)?;
    Ok(SnapshotImport {
        district: snapshot.district,
        generated_at: snapshot.generated_at,
        applications: snapshot.applications.len(),
        queued: snapshot.positions.len(),
        info,
    })
}

/// Imports a signed ack from a file (USB: the center's `ack --out` or `ingest --ack-out`).
pub fn import_ack(kiosk: &mut Kiosk, path: &Path) -> Result<AckImport, ImportError> {
    let (key, _) = center_key(kiosk)?;
    let bytes = read(path)?;
    let ack = apply_ack(kiosk, &bytes, &key)?;
    Ok(AckImport {
        kiosk: ack.kiosk,
        accepted_through_seq: kiosk.sync_state().acknowledged_seq,
        center_time: ack.center_time,
        pending: pending(kiosk),
        quarantined: ack.quarantined,
    })
}

/// The center's snapshot kept by this kiosk, verified, if any.
pub fn kept_snapshot(kiosk: &Kiosk) -> Result<Option<Snapshot>, PushError> {
    let (key, _) = center_key(kiosk)?;
    let Some((_, bytes)) = kiosk.snapshot().map_err(PushError::Sync)? else { return Ok(None) };
    open_snapshot(&bytes, &key).map(Some).map_err(|e| PushError::BadSnapshot(e.to_string()))
}
