//! The center as this kiosk knows it: `center.json` in the data folder (URL, public key,
//! how an `https://` center's certificate is checked, with the certificate's copy), and the
//! endpoint and key every push and import start from.

use std::path::{Path, PathBuf};

use changelog::{VerifyingKey, public_key_from_hex};
use serde::{Deserialize, Serialize};
use sync_client::{Endpoint, Trust, TrustKind};

use super::{PushError, read_at_most};
use crate::Kiosk;
use crate::store::write_atomically;

/// File in the data folder holding the center's URL and public key.
pub const CENTER_FILE: &str = "center.json";

/// The CA file's copy in the data folder (`center set --ca-file`).
pub const CENTER_CA_FILE: &str = "center-ca.pem";

/// The pinned center certificate's copy in the data folder (`center set --pin-cert`).
pub const CENTER_CERT_FILE: &str = "center-cert.pem";

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
    read_at_most(path, MAX_PEM_BYTES).map_err(|detail| PushError::TlsFile { path: path.display().to_string(), detail })
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
