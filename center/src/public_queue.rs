//! The public queue of each district (`GET /v1/public/districts/{code}/queue`): every
//! application without personal data, signed by the center, each version chained to the
//! one before. A new version is published when the queue changed since the last one; the
//! publication is an entry of the center's own log (`publish.queue`), so the chain
//! survives restarts and a version can be made again byte for byte (ed25519 signatures
//! are deterministic).

use std::collections::BTreeMap;

use changelog::SignedDocument;
use changelog::public::{PUBLIC_FORMAT_VERSION, PublicDeadline, PublicQueue, PublicRow};
use rules::Instant;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::service::{Center, DocumentError, Invalid};
use crate::store::CenterStore;

/// The audit action of a publication.
pub const PUBLISH_ACTION: &str = "publish.queue";
/// Who publications are logged as.
pub const PUBLIC: &str = "public";

/// What the center's log keeps of a publication: enough to chain the next version and to
/// make this one again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Publication {
    pub version: u64,
    pub published_at: Instant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<String>,
    /// Hex SHA-256 of the rows' JSON.
    pub content_hash: String,
    /// Hex SHA-256 of the signed bytes.
    pub hash: String,
}

impl Publication {
    /// Reads a publication back from its audit note.
    pub fn from_note(note: Option<&str>) -> Option<Publication> {
        note.and_then(|n| serde_json::from_str(n).ok())
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The last publication of each district, and the bytes most recently served.
#[derive(Debug, Default)]
pub(crate) struct Publications {
    pub(crate) last: BTreeMap<String, Publication>,
    /// District → (state fingerprint, signed bytes): answers repeat requests cheaply.
    cache: BTreeMap<String, ((u64, u64), Vec<u8>)>,
}

impl<S: CenterStore> Center<S> {
    /// Every application of `district` as the public sees it.
    pub fn public_rows(&self, district: &str) -> Vec<PublicRow> {
        let state = self.state();
        let mut positions: BTreeMap<&str, u32> = BTreeMap::new();
        for queue in state.queue_index().queues().into_iter().filter(|q| q.district == district) {
            for (i, id) in state.queue_index().allocation_order(queue, usize::MAX).into_iter().enumerate() {
                positions.insert(id, u32::try_from(i + 1).unwrap_or(u32::MAX));
            }
        }
        let mut rows: Vec<PublicRow> = state
            .applications()
            .filter(|a| a.district == district)
            .map(|a| PublicRow {
                registration: a.id.clone(),
                queue_type: a.queue_type,
                group_year: a.group_year(),
                right: a.right,
                registered_at: a.registered_at,
                status: a.status,
                position: positions.get(a.id.as_str()).copied(),
                deadline: rules::deadline::pending(a).map(|(kind, at)| PublicDeadline { kind, at }),
            })
            .collect();
        rows.sort_by(|a, b| {
            (a.queue_type.as_str(), a.group_year, a.position.unwrap_or(u32::MAX), a.registration.as_bytes()).cmp(&(
                b.queue_type.as_str(),
                b.group_year,
                b.position.unwrap_or(u32::MAX),
                b.registration.as_bytes(),
            ))
        });
        rows
    }

    /// The signed public queue of `district` now: the last version if nothing changed since,
    /// else a new version chained to it (an entry of the center's log).
    pub fn public_queue(&mut self, district: &str, now: Instant) -> Result<Vec<u8>, DocumentError> {
        self.check_district(district)?;
        let fingerprint = self.log_fingerprint();
        if let Some((seen, bytes)) = self.publications.cache.get(district)
            && *seen == fingerprint
        {
            return Ok(bytes.clone());
        }
        let rows = self.public_rows(district);
        let content_hash = sha256_hex(&serde_json::to_vec(&rows).map_err(Invalid::Encoding)?);
        let last = self.publications.last.get(district).cloned();
        let bytes = match last {
            Some(last) if last.content_hash == content_hash => {
                self.sign_public(district, last.version, last.previous.clone(), last.published_at, rows)
            }
            last => {
                let version = last.as_ref().map_or(1, |l| l.version + 1);
                let previous = last.map(|l| l.hash);
                let bytes = self.sign_public(district, version, previous.clone(), now, rows);
                let publication =
                    Publication { version, published_at: now, previous, content_hash, hash: sha256_hex(&bytes) };
                let note = serde_json::to_string(&publication).map_err(Invalid::Encoding)?;
                self.audit_action(PUBLIC, PUBLISH_ACTION, district, Some(note), now)?;
                bytes
            }
        };
        // The publication itself moved the log on: fingerprint after it.
        let fingerprint = self.log_fingerprint();
        self.publications.cache.insert(district.to_owned(), (fingerprint, bytes.clone()));
        Ok(bytes)
    }

    fn sign_public(
        &self,
        district: &str,
        version: u64,
        previous: Option<String>,
        published_at: Instant,
        rows: Vec<PublicRow>,
    ) -> Vec<u8> {
        let doc = PublicQueue {
            format: PUBLIC_FORMAT_VERSION,
            district: district.to_owned(),
            version,
            previous,
            published_at,
            rows,
        };
        SignedDocument::sign(&doc, self.signing_key()).to_bytes()
    }

    /// Notes a publication read from the center's log (at start, or from another server).
    pub(crate) fn note_publication(&mut self, district: &str, note: Option<&str>) {
        if let Some(publication) = Publication::from_note(note) {
            self.publications.cache.remove(district);
            self.publications.last.insert(district.to_owned(), publication);
        }
    }
}
