//! Which certificates an `https://` center may present ([`Trust`]), and the certificate
//! checks the kiosk (pinning a certificate, trusting a CA file) and the center (`serve
//! --tls-cert`, `center::tls`) share: PEM reading and a certificate checked against
//! itself, with the ring crypto provider.

use std::sync::Arc;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

/// Which certificates an `https://` center may present.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Trust {
    /// Certificates issued by a public CA: the Mozilla root certificates bundled with the
    /// client (`webpki-roots`).
    #[default]
    WebRoots,
    /// Certificates issued by one of these CAs (DER), e.g. the organisation's own CA.
    Ca(Arc<Vec<Vec<u8>>>),
    /// The center's own self-signed certificate (DER), the only one accepted.
    Pinned(Arc<Vec<u8>>),
}

/// Which kind of [`Trust`] refused a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TrustKind {
    WebRoots,
    Ca,
    Pinned,
}

impl Trust {
    /// Trust the CA certificates of a PEM file's text (at least one).
    pub fn ca_pem(pem: &[u8]) -> Result<Trust, String> {
        let certs = certificates_from_pem(pem)?;
        for cert in &certs {
            let mut roots = rustls::RootCertStore::empty();
            roots.add(cert.clone()).map_err(|e| format!("not a usable CA certificate: {e}"))?;
        }
        Ok(Trust::Ca(Arc::new(certs.into_iter().map(|c| c.to_vec()).collect())))
    }

    /// Pin the certificate of a PEM file's text: exactly one, self-signed, not a CA certificate, not expired
    /// (a certificate issued by a CA is trusted with [`Trust::ca_pem`] and that CA instead).
    pub fn pinned_pem(pem: &[u8]) -> Result<Trust, String> {
        let mut certs = certificates_from_pem(pem)?;
        if certs.len() != 1 {
            return Err(format!(
                "{} certificates in it: pin the center's one certificate, or trust its CA with a CA file",
                certs.len()
            ));
        }
        let cert = certs.remove(0);
        match self_check(&cert) {
            SelfCheck::SelfSigned => Ok(Trust::Pinned(Arc::new(cert.to_vec()))),
            SelfCheck::IssuedByCa => {
                Err("the certificate is not self-signed: trust the CA that issued it with a CA file instead".into())
            }
            SelfCheck::IsCa => Err("the certificate is a CA certificate (basicConstraints CA:TRUE), which is never \
                 accepted as the center's own: the center needs a certificate made with \
                 basicConstraints CA:FALSE (docs/OPERATIONS.md)"
                .into()),
            SelfCheck::Dates(detail) | SelfCheck::Other(detail) => Err(detail),
        }
    }

    pub fn kind(&self) -> TrustKind {
        match self {
            Trust::WebRoots => TrustKind::WebRoots,
            Trust::Ca(_) => TrustKind::Ca,
            Trust::Pinned(_) => TrustKind::Pinned,
        }
    }

    pub(crate) fn tls_config(&self) -> ureq::tls::TlsConfig {
        use ureq::tls::{Certificate, RootCerts, TlsConfig};
        let roots = match self {
            Trust::WebRoots => RootCerts::WebPki,
            // A self-signed certificate as the only trust anchor: rustls-webpki accepts the
            // center's certificate when it is this one (its own issuer), for the URL's host
            // name, within its dates.
            Trust::Pinned(der) => RootCerts::new_with_certs(&[Certificate::from_der(der).to_owned()]),
            Trust::Ca(certs) => RootCerts::new_with_certs(
                &certs.iter().map(|c| Certificate::from_der(c).to_owned()).collect::<Vec<_>>(),
            ),
        };
        TlsConfig::builder().root_certs(roots).unversioned_rustls_crypto_provider(crypto_provider()).build()
    }
}

/// The center: its base URL and which certificate it must present over `https://`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub url: String,
    pub trust: Trust,
}

impl Endpoint {
    /// The center at `url`, trusting the public roots.
    pub fn new(url: impl Into<String>) -> Endpoint {
        Endpoint { url: url.into(), trust: Trust::WebRoots }
    }

    #[must_use]
    pub fn with_trust(self, trust: Trust) -> Endpoint {
        Endpoint { trust, ..self }
    }
}

/// The ring crypto provider (no aws-lc).
pub fn crypto_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The certificates of a PEM file or text, in order (the end-entity certificate first in a
/// chain); an error when there is none.
pub fn certificates_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_slice_iter(pem).collect::<Result<Vec<_>, _>>().map_err(|e| e.to_string())?;
    if certs.is_empty() {
        return Err("no PEM certificate (-----BEGIN CERTIFICATE-----) in it".into());
    }
    Ok(certs)
}

/// What checking a certificate against itself as the only trust anchor found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelfCheck {
    /// A self-signed server certificate within its dates (for some host name).
    SelfSigned,
    /// Not its own issuer: issued by a CA.
    IssuedByCa,
    /// A CA certificate (basicConstraints CA:TRUE): never accepted as a server's certificate.
    IsCa,
    /// Expired or not valid yet.
    Dates(String),
    Other(String),
}

/// Checks `cert` the way a kiosk that pinned it does (rustls-webpki, `cert` its own trust
/// anchor), the host name aside.
pub fn self_check(cert: &CertificateDer<'static>) -> SelfCheck {
    use rustls::CertificateError as E;
    use rustls::client::danger::ServerCertVerifier;
    use rustls_pki_types::{ServerName, UnixTime};
    let mut roots = rustls::RootCertStore::empty();
    if let Err(e) = roots.add(cert.clone()) {
        return SelfCheck::Other(format!("not a usable certificate: {e}"));
    }
    let verifier =
        match rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), crypto_provider()).build() {
            Ok(v) => v,
            Err(e) => return SelfCheck::Other(e.to_string()),
        };
    let name =
        ServerName::DnsName(rustls_pki_types::DnsName::try_from("name-aside.invalid").expect("a valid DNS name"));
    match verifier.verify_server_cert(cert, &[], &name, &[], UnixTime::now()) {
        Ok(_) | Err(rustls::Error::InvalidCertificate(E::NotValidForName | E::NotValidForNameContext { .. })) => {
            SelfCheck::SelfSigned
        }
        Err(rustls::Error::InvalidCertificate(E::UnknownIssuer | E::BadSignature)) => SelfCheck::IssuedByCa,
        Err(rustls::Error::InvalidCertificate(
            e @ (E::Expired | E::ExpiredContext { .. } | E::NotValidYet | E::NotValidYetContext { .. }),
        )) => SelfCheck::Dates(rustls::Error::InvalidCertificate(e).to_string()),
        Err(rustls::Error::InvalidCertificate(E::Other(other)))
            if format!("{other:?}").contains("CaUsedAsEndEntity") =>
        {
            SelfCheck::IsCa
        }
        Err(e) => SelfCheck::Other(e.to_string()),
    }
}
