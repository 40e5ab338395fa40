//! Moving a center from its embedded store to PostgreSQL (`kezek-center migrate`): every
//! accepted entry is verified again while it is copied (its signature by the kiosk's key
//! in force at its sequence number, or the center's key; its place in its source's hash
//! chain), so a damaged or altered store is not carried over silently. The small records
//! (kiosks, accounts, quarantine, review decisions, sessions) are copied as they are.

use std::collections::HashMap;
use std::path::Path;

use changelog::{GENESIS_HASH, Hash, Payload, SignedEntry, VerifyingKey, public_key_from_hex};
use serde::Serialize;

use crate::pg_store::PgStore;
use crate::service::{CENTER_ID, Invalid, OpenError, SetupFailure};
use crate::store::{CenterStore, Commit, LogRecord, SledStore, StoreError};

/// Records copied per transaction.
const BATCH: usize = 2_000;

/// What a migration copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationReport {
    pub entries: usize,
    pub kiosks: usize,
    pub accounts: usize,
    pub quarantine: usize,
    pub reviews: usize,
    pub sessions: usize,
}

/// Where each source's chain stands while the log is checked.
struct Chain {
    key: VerifyingKey,
    next_seq: u64,
    prev: Hash,
}

/// Copies the embedded store of the data folder `dir` into the empty PostgreSQL database
/// at `url` (the server's role), verifying every entry. Refuses a database that already
/// holds entries. With `owner` (the schema owner's URL), sets the schema up first
/// ([`crate::pg_store::set_up`]); without, it must be set up already.
pub fn migrate(dir: &Path, url: &str, owner: Option<&str>) -> Result<MigrationReport, OpenError> {
    let center_key = public_key_from_hex(
        std::fs::read_to_string(dir.join("center.pub")).map_err(SetupFailure::file(dir.join("center.pub")))?.trim(),
    )
    .map_err(SetupFailure::CenterPublicKey)?;
    let from = SledStore::open(&dir.join("db"))?;
    if let Some(owner) = owner {
        crate::pg_store::set_up(owner, url)?;
    }
    let mut to = PgStore::connect(url)?;
    let mut existing = 0usize;
    to.read_log(&mut |_| {
        existing += 1;
        Ok(())
    })?;
    if existing > 0 {
        return Err(Invalid::DatabaseNotEmpty { url: url.to_owned(), entries: existing }.into());
    }

    let kiosks = from.kiosks()?;
    let mut chains: HashMap<String, Chain> = HashMap::new();
    for k in &kiosks {
        let key =
            public_key_from_hex(&k.public_key).map_err(|e| StoreError::Corrupt(format!("kiosk {}: {e}", k.id)))?;
        chains.insert(k.id.clone(), Chain { key, next_seq: 1, prev: GENESIS_HASH });
    }
    chains.insert(CENTER_ID.to_owned(), Chain { key: center_key, next_seq: 1, prev: GENESIS_HASH });

    let mut batch = Vec::with_capacity(BATCH);
    let mut entries = 0usize;
    from.read_log(&mut |record| {
        check(&mut chains, &record)?;
        batch.push(record);
        entries += 1;
        if batch.len() == BATCH {
            to.commit(&Commit { log: std::mem::take(&mut batch), quarantine: Vec::new() })?;
        }
        Ok(())
    })?;
    to.commit(&Commit { log: batch, quarantine: Vec::new() })?;

    for k in &kiosks {
        to.put_kiosk(k)?;
    }
    let accounts = from.operators()?;
    for a in &accounts {
        to.put_operator(a)?;
    }
    let quarantine = from.quarantine()?;
    to.commit(&Commit { log: Vec::new(), quarantine: quarantine.clone() })?;
    let reviews = from.reviews()?;
    for r in &reviews {
        to.put_review(r)?;
    }
    let sessions = from.sessions()?;
    for s in &sessions {
        to.put_session(s)?;
    }
    Ok(MigrationReport {
        entries,
        kiosks: kiosks.len(),
        accounts: accounts.len(),
        quarantine: quarantine.len(),
        reviews: reviews.len(),
        sessions: sessions.len(),
    })
}

/// Verifies one record: a whole entry of a known source, next in its chain, signed by the
/// key in force; follows key rotations.
fn check(chains: &mut HashMap<String, Chain>, record: &LogRecord) -> Result<(), StoreError> {
    let (source, seq, bytes) = match record {
        LogRecord::Kiosk { kiosk, seq, entry, .. } => (kiosk.as_str(), *seq, entry),
        LogRecord::Center { seq, entry } => (CENTER_ID, *seq, entry),
    };
    let where_ = format!("entry {seq} of {source}");
    let (entry, used) = SignedEntry::read_record(bytes).map_err(|e| StoreError::Corrupt(format!("{where_}: {e}")))?;
    if used != bytes.len() {
        return Err(StoreError::Corrupt(format!("{where_}: bytes after the entry")));
    }
    let body = entry.body().map_err(|e| StoreError::Corrupt(format!("{where_}: {e}")))?;
    let chain = chains.get_mut(source).ok_or_else(|| StoreError::Corrupt(format!("{where_}: unknown source")))?;
    if body.seq != seq || seq != chain.next_seq || body.prev_hash != chain.prev {
        return Err(StoreError::Corrupt(format!("{where_}: out of its chain (expected {})", chain.next_seq)));
    }
    if !entry.verify(&chain.key) {
        return Err(StoreError::Corrupt(format!("{where_}: the signature does not verify")));
    }
    if let Ok(Payload::KeyRotated { public_key }) = body.payload()
        && let Ok(next) = public_key_from_hex(&public_key)
    {
        chain.key = next;
    }
    chain.next_seq += 1;
    chain.prev = entry.hash();
    Ok(())
}
