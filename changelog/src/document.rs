//! Documents the center signs (acknowledgements, snapshots) for kiosks to verify.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::Serialize;
use serde::de::DeserializeOwned;

const MAGIC: &[u8; 4] = b"KZKD";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("not a signed Kezek document")]
    NotADocument,
    #[error("the signature does not match the center's key: the document is forged or damaged")]
    BadSignature,
    #[error("signed, but not the expected content: {0}")]
    Content(String),
}

/// JSON content and an ed25519 signature over exactly those bytes.
/// Stored as `"KZKD" | u32 LE length | JSON | 64-byte signature`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedDocument {
    json: Vec<u8>,
    signature: [u8; 64],
}

impl SignedDocument {
    pub fn sign<T: Serialize>(content: &T, key: &SigningKey) -> Self {
        let json = serde_json::to_vec(content).expect("documents serialize");
        let signature = key.sign(&json).to_bytes();
        SignedDocument { json, signature }
    }

    /// Checks the signature, then decodes the content.
    pub fn open<T: DeserializeOwned>(&self, key: &VerifyingKey) -> Result<T, DocumentError> {
        key.verify_strict(&self.json, &Signature::from_bytes(&self.signature))
            .map_err(|_| DocumentError::BadSignature)?;
        serde_json::from_slice(&self.json).map_err(|e| DocumentError::Content(e.to_string()))
    }

    /// The content's JSON as it is, its signature not checked: for showing what a document
    /// says (the center's command line printing a file it wrote). Use [`SignedDocument::open`]
    /// to trust it.
    pub fn unverified_json(&self) -> &[u8] {
        &self.json
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.json.len() + 72);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&u32::try_from(self.json.len()).expect("below 4 GiB").to_le_bytes());
        out.extend_from_slice(&self.json);
        out.extend_from_slice(&self.signature);
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DocumentError> {
        let rest = bytes.strip_prefix(MAGIC).ok_or(DocumentError::NotADocument)?;
        let len_bytes: [u8; 4] = rest.get(..4).and_then(|b| b.try_into().ok()).ok_or(DocumentError::NotADocument)?;
        let len = u32::from_le_bytes(len_bytes) as usize;
        if rest.len() != 4 + len + 64 {
            return Err(DocumentError::NotADocument);
        }
        let json = rest[4..4 + len].to_vec();
        let signature: [u8; 64] = rest[4 + len..].try_into().map_err(|_| DocumentError::NotADocument)?;
        Ok(SignedDocument { json, signature })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::KioskKey;

    #[test]
    fn forged_documents_are_refused() {
        let center = KioskKey::generate().unwrap();
        let impostor = KioskKey::generate().unwrap();
        let doc = SignedDocument::sign(&serde_json::json!({"district": "KOK", "queued": 12}), center.signing());
        let bytes = doc.to_bytes();
        let back = SignedDocument::from_bytes(&bytes).unwrap();
        let value: serde_json::Value = back.open(&center.verifying()).unwrap();
        assert_eq!(value["queued"], 12);
        assert_eq!(back.open::<serde_json::Value>(&impostor.verifying()), Err(DocumentError::BadSignature));
        let mut tampered = bytes.clone();
        tampered[12] ^= 1;
        let tampered = SignedDocument::from_bytes(&tampered).unwrap();
        assert_eq!(tampered.open::<serde_json::Value>(&center.verifying()), Err(DocumentError::BadSignature));
        assert_eq!(SignedDocument::from_bytes(&bytes[..bytes.len() - 1]), Err(DocumentError::NotADocument));
    }
}
