//! TLS for `kezek-center serve --tls-cert FILE --tls-key FILE`: a PEM certificate chain and
//! its private key loaded into a rustls server configuration (the ring crypto provider, the
//! one the kiosks' client uses too). The handshake itself runs in the server's
//! per-connection tasks ([`crate::http::serve_with`]).

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::PrivateKeyDer;
use rustls_pki_types::pem::PemObject;
use tokio_rustls::rustls;

pub use tokio_rustls::TlsAcceptor;

/// Why the certificate or the key could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("the TLS certificate {path} cannot be read: {detail}")]
    CertUnreadable { path: String, detail: String },
    #[error("the TLS private key {path} cannot be read: {detail}")]
    KeyUnreadable { path: String, detail: String },
    #[error("the TLS private key {key} does not belong to the certificate {cert}")]
    KeyMismatch { cert: String, key: String },
    #[error(
        "the TLS certificate {path} is a CA certificate (basicConstraints CA:TRUE, what `openssl req -x509` \
         makes unless told otherwise): kiosks refuse it as the center's certificate. Make one with \
         -addext basicConstraints=critical,CA:FALSE (docs/OPERATIONS.md)"
    )]
    CertIsCa { path: String },
    #[error("the TLS certificate {path} has expired or is not valid yet: {detail}")]
    CertExpired { path: String, detail: String },
    #[error("the TLS configuration is not usable: {0}")]
    Config(String),
}

impl TlsError {
    /// The stable code printed with the message.
    pub fn code(&self) -> &'static str {
        match self {
            TlsError::CertUnreadable { .. } => "TLS_CERT_UNREADABLE",
            TlsError::KeyUnreadable { .. } => "TLS_KEY_UNREADABLE",
            TlsError::KeyMismatch { .. } => "TLS_KEY_MISMATCH",
            TlsError::CertIsCa { .. } => "TLS_CERT_IS_CA",
            TlsError::CertExpired { .. } => "TLS_CERT_EXPIRED",
            TlsError::Config(_) => "TLS_CONFIG",
        }
    }
}

// The PEM reading and the certificate self-check are the kiosks' too: they live with their
// client (`kezek-sync`), so that a kiosk that pins a certificate and a center that loads it
// judge it alike.
pub use sync_client::tls::{SelfCheck, certificates_from_pem, crypto_provider, self_check};

/// The certificate chain of `cert` (PEM, the server's certificate first) and the private
/// key of `key` (PEM: PKCS#8, PKCS#1 or SEC1) as a server configuration for HTTP/1.1.
pub fn server_config(cert: &Path, key: &Path) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let cert_name = cert.display().to_string();
    let key_name = key.display().to_string();
    let chain = std::fs::read(cert)
        .map_err(|e| e.to_string())
        .and_then(|pem| certificates_from_pem(&pem))
        .map_err(|detail| TlsError::CertUnreadable { path: cert_name.clone(), detail })?;
    // What every kiosk would refuse stops the server at once, with the reason.
    match self_check(&chain[0]) {
        SelfCheck::IsCa => return Err(TlsError::CertIsCa { path: cert_name }),
        SelfCheck::Dates(detail) => return Err(TlsError::CertExpired { path: cert_name, detail }),
        SelfCheck::SelfSigned | SelfCheck::IssuedByCa | SelfCheck::Other(_) => {}
    }
    let private_key = std::fs::read(key)
        .map_err(|e| e.to_string())
        .and_then(|pem| {
            PrivateKeyDer::from_pem_slice(&pem).map_err(|e| match e {
                rustls_pki_types::pem::Error::NoItemsFound => {
                    "no PEM private key (-----BEGIN PRIVATE KEY-----) in it".into()
                }
                other => other.to_string(),
            })
        })
        .map_err(|detail| TlsError::KeyUnreadable { path: key_name.clone(), detail })?;
    let mut config = rustls::ServerConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, private_key)
        .map_err(|e| match e {
            rustls::Error::InconsistentKeys(_) => TlsError::KeyMismatch { cert: cert_name, key: key_name.clone() },
            other => TlsError::KeyUnreadable { path: key_name, detail: other.to_string() },
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// [`server_config`] as an acceptor for [`crate::http::serve_with`].
pub fn acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, TlsError> {
    server_config(cert, key).map(TlsAcceptor::from)
}
