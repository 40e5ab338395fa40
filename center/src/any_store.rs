//! The store a center runs on, chosen at start: the embedded one (a data folder, the
//! default, no server needed) or PostgreSQL (`--store postgres://…`).

use crate::pg_store::PgStore;
use crate::store::{
    CenterOperator, CenterStore, Commit, KioskRecord, LogRecord, QuarantineRecord, ReviewDecision, SessionRecord,
    SledStore, StoreError,
};

/// Either store, behind the one [`CenterStore`] interface.
#[derive(Debug)]
pub enum AnyStore {
    Embedded(SledStore),
    Postgres(PgStore),
}

impl AnyStore {
    /// Opens the store at `location`: a `postgres://` or `postgresql://` URL, else the
    /// embedded store in the folder `embedded`.
    pub fn open(embedded: &std::path::Path, location: Option<&str>) -> Result<AnyStore, StoreError> {
        match location {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                PgStore::connect(url).map(AnyStore::Postgres)
            }
            Some(other) => Err(StoreError::Db(format!(
                "--store {other:?}: expected a postgres:// URL (without --store the embedded store in the data folder is used)"
            ))),
            None => SledStore::open(embedded).map(AnyStore::Embedded),
        }
    }
}

macro_rules! delegate {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            AnyStore::Embedded($store) => $call,
            AnyStore::Postgres($store) => $call,
        }
    };
}

impl CenterStore for AnyStore {
    fn kiosks(&self) -> Result<Vec<KioskRecord>, StoreError> {
        delegate!(self, s => s.kiosks())
    }
    fn put_kiosk(&mut self, kiosk: &KioskRecord) -> Result<(), StoreError> {
        delegate!(self, s => s.put_kiosk(kiosk))
    }
    fn note_kiosk(&mut self, kiosk: &KioskRecord) -> Result<(), StoreError> {
        delegate!(self, s => s.note_kiosk(kiosk))
    }
    fn operators(&self) -> Result<Vec<CenterOperator>, StoreError> {
        delegate!(self, s => s.operators())
    }
    fn put_operator(&mut self, operator: &CenterOperator) -> Result<(), StoreError> {
        delegate!(self, s => s.put_operator(operator))
    }
    fn read_log(&self, visit: &mut dyn FnMut(LogRecord) -> Result<(), StoreError>) -> Result<(), StoreError> {
        delegate!(self, s => s.read_log(visit))
    }
    fn commit(&mut self, commit: &Commit) -> Result<(), StoreError> {
        delegate!(self, s => s.commit(commit))
    }
    fn quarantine(&self) -> Result<Vec<QuarantineRecord>, StoreError> {
        delegate!(self, s => s.quarantine())
    }
    fn put_review(&mut self, decision: &ReviewDecision) -> Result<(), StoreError> {
        delegate!(self, s => s.put_review(decision))
    }
    fn reviews(&self) -> Result<Vec<ReviewDecision>, StoreError> {
        delegate!(self, s => s.reviews())
    }
    fn sessions(&self) -> Result<Vec<SessionRecord>, StoreError> {
        delegate!(self, s => s.sessions())
    }
    fn put_session(&mut self, session: &SessionRecord) -> Result<(), StoreError> {
        delegate!(self, s => s.put_session(session))
    }
    fn remove_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        delegate!(self, s => s.remove_session(token_hash))
    }
    fn shared(&self) -> bool {
        delegate!(self, s => s.shared())
    }
    fn shared_url(&self) -> Option<&str> {
        delegate!(self, s => s.shared_url())
    }
    fn read_log_after(
        &self,
        after: u64,
        visit: &mut dyn FnMut(LogRecord) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        delegate!(self, s => s.read_log_after(after, visit))
    }
    fn generation(&self) -> Result<u64, StoreError> {
        delegate!(self, s => s.generation())
    }
    fn lock_writes(&mut self) -> Result<(), StoreError> {
        delegate!(self, s => s.lock_writes())
    }
    fn unlock_writes(&mut self) {
        delegate!(self, s => s.unlock_writes());
    }
    fn try_lead(&mut self) -> bool {
        delegate!(self, s => s.try_lead())
    }
}
