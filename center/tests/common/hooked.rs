//! A store around the center's real one whose commits first pass a hook: a full disk, a
//! process dying in the middle of a write, or a panic inside the store, injected where the
//! test says.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use center::Center;
use center::any_store::AnyStore;
use center::store::{
    CenterOperator, CenterStore, Commit, KioskRecord, LogRecord, QuarantineRecord, ReviewDecision, SessionRecord,
    StoreError,
};

/// What a commit meets first.
pub type Hook = Box<dyn FnMut(&Commit) -> Result<(), StoreError> + Send>;

pub struct HookedStore<S> {
    pub inner: S,
    pub hook: Hook,
}

/// A hook that fails every commit of a center entry while `armed` (the commit never happens).
pub fn fail_center_commits(armed: &Arc<AtomicBool>, why: &'static str) -> Hook {
    let armed = Arc::clone(armed);
    Box::new(move |commit| {
        let is_center = commit.log.iter().any(|r| matches!(r, LogRecord::Center { .. }));
        if is_center && armed.load(Ordering::SeqCst) {
            return Err(StoreError::Db(format!("injected: {why}")));
        }
        Ok(())
    })
}

/// The center of the data folder `dir` (its own store, embedded or PostgreSQL) behind `hook`.
pub fn open_hooked(dir: &Path, hook: Hook) -> Center<HookedStore<AnyStore>> {
    let key = changelog::KioskKey::load_with(&dir.join("center.key"), None).unwrap();
    let kindergartens =
        serde_json::from_str(&std::fs::read_to_string(dir.join("kindergartens.json")).unwrap()).unwrap();
    let location = center::store_location(dir).unwrap();
    let inner = AnyStore::open(&dir.join("db"), location.as_deref()).unwrap();
    Center::with_store(HookedStore { inner, hook }, key, kindergartens).unwrap()
}

impl<S: CenterStore> CenterStore for HookedStore<S> {
    fn kiosks(&self) -> Result<Vec<KioskRecord>, StoreError> {
        self.inner.kiosks()
    }
    fn put_kiosk(&mut self, kiosk: &KioskRecord) -> Result<(), StoreError> {
        self.inner.put_kiosk(kiosk)
    }
    fn note_kiosk(&mut self, kiosk: &KioskRecord) -> Result<(), StoreError> {
        self.inner.note_kiosk(kiosk)
    }
    fn operators(&self) -> Result<Vec<CenterOperator>, StoreError> {
        self.inner.operators()
    }
    fn put_operator(&mut self, operator: &CenterOperator) -> Result<(), StoreError> {
        self.inner.put_operator(operator)
    }
    fn read_log(&self, visit: &mut dyn FnMut(LogRecord) -> Result<(), StoreError>) -> Result<(), StoreError> {
        self.inner.read_log(visit)
    }
    fn commit(&mut self, commit: &Commit) -> Result<(), StoreError> {
        (self.hook)(commit)?;
        self.inner.commit(commit)
    }
    fn quarantine(&self) -> Result<Vec<QuarantineRecord>, StoreError> {
        self.inner.quarantine()
    }
    fn put_review(&mut self, decision: &ReviewDecision) -> Result<(), StoreError> {
        self.inner.put_review(decision)
    }
    fn reviews(&self) -> Result<Vec<ReviewDecision>, StoreError> {
        self.inner.reviews()
    }
    fn sessions(&self) -> Result<Vec<SessionRecord>, StoreError> {
        self.inner.sessions()
    }
    fn put_session(&mut self, session: &SessionRecord) -> Result<(), StoreError> {
        self.inner.put_session(session)
    }
    fn remove_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        self.inner.remove_session(token_hash)
    }
    fn shared(&self) -> bool {
        self.inner.shared()
    }
    fn shared_url(&self) -> Option<&str> {
        self.inner.shared_url()
    }
    fn read_log_after(
        &self,
        after: u64,
        visit: &mut dyn FnMut(LogRecord) -> Result<(), StoreError>,
    ) -> Result<u64, StoreError> {
        self.inner.read_log_after(after, visit)
    }
    fn generation(&self) -> Result<u64, StoreError> {
        self.inner.generation()
    }
    fn lock_writes(&mut self) -> Result<(), StoreError> {
        self.inner.lock_writes()
    }
    fn unlock_writes(&mut self) {
        self.inner.unlock_writes();
    }
    fn try_lead(&mut self) -> bool {
        self.inner.try_lead()
    }
}
