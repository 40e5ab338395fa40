//! Sync bookkeeping: what the center has not acknowledged yet (entries, bundles, the USB
//! export), what a push signs its requests with, the center's acknowledgements and the
//! district snapshot the state is rebased on. The HTTP push itself is [`crate::push`].

use std::path::{Path, PathBuf};

use changelog::sync::Snapshot;
use changelog::{Bundle, Hash, MAX_BUNDLE_BYTES, MAX_BUNDLE_ENTRIES, Payload, SignedEntry};
use rules::Instant;
use serde::Serialize;

use super::Kiosk;
use crate::base::{self, Base};
use crate::errors::SyncError;
use crate::logfile;
use crate::store::{Blob, ProjectionBatch, StoreError, Tree, write_atomically};
use crate::sync::{SnapshotInfo, SyncState};

/// `export`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportReport {
    pub path: PathBuf,
    pub kiosk: String,
    /// Sequence numbers in the bundle (`None` when it is empty).
    pub first_seq: Option<u64>,
    pub last_seq: Option<u64>,
    pub entries: usize,
    pub bytes: usize,
    /// Pending entries left out because a bundle has limits (export again after upload).
    pub remaining: u64,
}

impl Kiosk {
    pub fn sync_state(&self) -> &SyncState {
        &self.sync
    }

    /// What a push needs to sign its requests to the center: the current key, the log's
    /// head, and the key rotations after the last ack (the center may not know them yet).
    pub fn request_signer(&self) -> Result<changelog::request::RequestSigner, StoreError> {
        let rotations = self
            .entries_after(self.sync.acknowledged_seq)?
            .into_iter()
            .filter(|e| e.body().is_ok_and(|b| matches!(b.payload(), Ok(Payload::KeyRotated { .. }))))
            .collect();
        Ok(changelog::request::RequestSigner::new(
            self.key.signing().clone(),
            &self.identity.kiosk_id,
            self.last_seq,
            rotations,
        ))
    }

    /// Entries with a sequence number above `seq`, as stored (valid prefix only).
    pub fn entries_after(&self, seq: u64) -> Result<Vec<SignedEntry>, StoreError> {
        if seq >= self.last_seq {
            return Ok(Vec::new());
        }
        let from = self.offsets[usize::try_from(seq).unwrap_or(usize::MAX)];
        let bytes = self.store.read_log(from, self.valid_len)?;
        Ok(logfile::records(&bytes))
    }

    /// One entry, as stored (`None` beyond the valid prefix).
    pub fn entry(&self, seq: u64) -> Result<Option<SignedEntry>, StoreError> {
        let Some(index) = seq.checked_sub(1).and_then(|i| usize::try_from(i).ok()).filter(|i| *i < self.offsets.len())
        else {
            return Ok(None);
        };
        let end = self.offsets.get(index + 1).copied().unwrap_or(self.valid_len);
        let bytes = self.store.read_log(self.offsets[index], end)?;
        Ok(logfile::records(&bytes).into_iter().next())
    }

    /// The entries the center has not acknowledged, as a bundle (within bundle limits).
    pub fn pending_bundle(&self) -> Result<(Bundle, u64), SyncError> {
        let mut entries = self.entries_after(self.sync.acknowledged_seq).map_err(SyncError::Store)?;
        let total = entries.len();
        let mut bytes = 2 + self.identity.kiosk_id.len();
        let mut keep = 0;
        for e in &entries {
            if keep >= MAX_BUNDLE_ENTRIES || bytes + e.record_len() > MAX_BUNDLE_BYTES {
                break;
            }
            bytes += e.record_len();
            keep += 1;
        }
        entries.truncate(keep);
        Ok((Bundle { kiosk: self.identity.kiosk_id.clone(), entries }, (total - keep) as u64))
    }

    /// Writes the pending entries to `out` as a bundle (atomically, fsync'ed). The sync
    /// cursor does not move: only the center's acknowledgement moves it.
    pub fn export(&self, out: &Path) -> Result<ExportReport, SyncError> {
        let (bundle, remaining) = self.pending_bundle()?;
        let seqs: Vec<u64> = bundle.entries.iter().filter_map(|e| e.body().ok().map(|b| b.seq)).collect();
        let bytes = bundle.to_bytes();
        write_atomically(out, &bytes)
            .map_err(|e| SyncError::Write { path: out.display().to_string(), detail: e.to_string() })?;
        Ok(ExportReport {
            path: out.to_path_buf(),
            kiosk: bundle.kiosk,
            first_seq: seqs.first().copied(),
            last_seq: seqs.last().copied(),
            entries: seqs.len(),
            bytes: bytes.len(),
            remaining,
        })
    }

    fn save_sync(&mut self, updated: SyncState) -> Result<(), SyncError> {
        self.store.write_blob(Blob::SyncState, &updated.to_bytes()).map_err(SyncError::Store)?;
        self.sync = updated;
        self.mirror_sync_state();
        Ok(())
    }

    /// Records the center's acknowledgement (`Ack::accepted_through_seq`, `head_hash`,
    /// `center_time`) of every entry up to `seq`, durably. A lower `seq` than already
    /// acknowledged changes nothing. A `head_hash` that is not the hash of this kiosk's own
    /// entry `seq` means the logs have forked (e.g. a restored backup): refused.
    pub fn acknowledge(
        &mut self,
        seq: u64,
        head_hash: Option<Hash>,
        center_time: Option<Instant>,
    ) -> Result<(), SyncError> {
        if seq > self.last_seq {
            return Err(SyncError::AckBeyondLog { seq, last: self.last_seq });
        }
        if let Some(expected) = head_hash
            && seq > 0
        {
            let own = self.entry(seq).map_err(SyncError::Store)?.map(|e| e.hash());
            if own != Some(expected) {
                return Err(SyncError::Fork { seq });
            }
        }
        let mut updated = self.sync.clone();
        updated.acknowledged_seq = updated.acknowledged_seq.max(seq);
        updated.last_ack_received_at = Some(self.now().to_string());
        if let Some(t) = center_time {
            updated.last_contact = Some(t.to_string());
        }
        self.save_sync(updated)
    }

    /// Keeps the center's snapshot of this kiosk's district (`bytes` as received, already
    /// verified into `snapshot` by the caller) durably and rebases the state on it: the
    /// center's applications, vouchers, directions and places, with this kiosk's entries
    /// that the snapshot does not include replayed on top. A snapshot older than the one
    /// kept is refused.
    pub fn apply_snapshot(&mut self, bytes: &[u8], snapshot: Snapshot) -> Result<SnapshotInfo, SyncError> {
        if snapshot.district != self.identity.district {
            return Err(SyncError::WrongDistrict {
                expected: self.identity.district.clone(),
                found: snapshot.district,
            });
        }
        if let Some(kept) = &self.base
            && snapshot.generated_at < kept.generated_at
        {
            return Err(SyncError::OlderSnapshot {
                kept: kept.generated_at.to_string(),
                offered: snapshot.generated_at.to_string(),
            });
        }
        if self.poisoned {
            return Err(SyncError::RestartRequired);
        }
        let center_time = snapshot.generated_at;
        self.store.write_blob(Blob::Snapshot, bytes).map_err(SyncError::Store)?;
        let previous = self.base.replace(Base::new(snapshot, &self.identity.kiosk_id, bytes));
        if let Err(e) = self.reload_model() {
            self.base = previous;
            // The snapshot is kept: the next start rebases on it.
            self.poisoned = true;
            return Err(SyncError::Store(e));
        }
        self.reproject_state();
        let info = SnapshotInfo {
            received_at: self.now().to_string(),
            center_time: Some(center_time.to_string()),
            bytes: bytes.len() as u64,
            sha256: base::sha256_hex(bytes),
        };
        let mut updated = self.sync.clone();
        updated.snapshot = Some(info.clone());
        updated.last_contact = Some(center_time.to_string());
        // Force the mirror to take the new bytes.
        let mut batch = ProjectionBatch::default();
        batch.put(Tree::Sync, b"snapshot".to_vec(), bytes.to_vec());
        self.project(batch);
        self.save_sync(updated)?;
        Ok(info)
    }

    /// The latest center snapshot kept, with its receipt details.
    pub fn snapshot(&self) -> Result<Option<(SnapshotInfo, Vec<u8>)>, SyncError> {
        let Some(info) = self.sync.snapshot.clone() else { return Ok(None) };
        let bytes = self.store.read_blob(Blob::Snapshot).map_err(SyncError::Store)?.unwrap_or_default();
        Ok(Some((info, bytes)))
    }
}
