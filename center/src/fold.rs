//! The authoritative state as a deterministic fold of the accepted log.
//!
//! Every accepted command (kiosk or center) gets a [`FoldKey`]:
//! `(epoch, center?, effective time, kiosk, seq)`. A center entry (distribution, tick,
//! review decision) closes an epoch; a kiosk entry belongs to the epoch that was open when
//! the center received it. Inside an epoch, kiosk commands fold in (effective time, kiosk,
//! seq) order whatever order the kiosks synced in, so cross-kiosk conflicts (the same child
//! registered twice, the last free place chosen twice) resolve the same way every time.
//! A center command never moves: what a distribution round decided stays decided.
//!
//! Refolding is cheap in the common case: a late entry whose footprint (applications,
//! children, places records, place slots it can touch) is disjoint from every entry that
//! sorts after it commutes with them and is simply applied; otherwise the open epoch is
//! refolded from the state at its start.

use std::collections::{BTreeMap, HashMap};

use rules::command::Event;
use rules::model::{GroupLanguage, QueueType};
use rules::{Command, CommandError, Lang, Localized, State};

use rules::Instant;

/// Where an item of the fold comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    Kiosk { kiosk: String, seq: u64 },
    Center { seq: u64 },
}

/// The fold order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FoldKey {
    pub epoch: u64,
    /// `false` for kiosk entries, `true` for the center entry that closes the epoch.
    pub center: bool,
    pub time: (i64, u32),
    pub kiosk: String,
    pub seq: u64,
}

/// One command to fold.
#[derive(Debug, Clone)]
pub struct FoldItem {
    pub key: FoldKey,
    pub source: Source,
    pub command: Command,
    /// The rules' `now`: effective (clamped) kiosk time, or the center's time.
    pub now: Instant,
    /// Kindergartens the issuing staff member may act for (kindergarten-role commands).
    pub scope: Option<Vec<String>>,
}

/// Why the rules (or the staff scope) refused an accepted command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub code: String,
    pub reason: String,
    pub duplicate_of: Option<String>,
    pub item: FoldItem,
}

impl PartialEq for FoldItem {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}
impl Eq for FoldItem {}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Res {
    App(String),
    Child(String, QueueType),
    Places(String),
    Slot(String, GroupLanguage),
}

/// What changed in the reviewer queue because of a fold step.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FoldChanges {
    /// Items now rejected that were not before (new or re-decided).
    pub rejected: Vec<Source>,
    /// Items that were rejected before and now apply.
    pub applied: Vec<Source>,
    /// Whether the open epoch had to be refolded.
    pub refolded: bool,
}

#[derive(Debug, Clone)]
pub struct Fold {
    state: State,
    /// The state at the start of the open epoch, taken when its first kiosk item comes
    /// (`None` while the open epoch has none: the state itself is that start). Taken lazily
    /// because a burst of center entries (a region's rounds, audit entries, publications)
    /// would otherwise copy the whole state once per entry.
    checkpoint: Option<State>,
    epoch: u64,
    /// Kiosk items of the open epoch, in the order they were applied. Boxed: an epoch
    /// can hold every upload of days (a `FoldItem` is ~450 bytes), and growing a vector of
    /// them copied it all on every doubling (7 % of the ingest's CPU time at 100,000).
    #[allow(clippy::vec_box)] // Boxed on purpose, as said above.
    current: Vec<Box<FoldItem>>,
    /// For each resource touched in the open epoch, the largest key that touched it.
    touched: HashMap<Res, FoldKey, FxBuild>,
    rejections: BTreeMap<Source, Rejection>,
}

/// A fast multiplicative hasher (rustc's Fx) for the footprint index: its keys come from
/// signed entries of registered kiosks, and it is rebuilt on every start.
#[derive(Debug, Clone, Copy, Default)]
struct FxBuild;

#[derive(Debug, Default)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let mut tail = [0u8; 8];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(tail) ^ ((rest.len() as u64) << 56));
    }
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl std::hash::BuildHasher for FxBuild {
    type Hasher = FxHasher;
    fn build_hasher(&self) -> FxHasher {
        FxHasher::default()
    }
}

fn footprint(state: &State, command: &Command) -> Vec<Res> {
    match command {
        Command::Register { application } => {
            vec![Res::App(application.id.clone()), Res::Child(application.child_iin.clone(), application.queue_type)]
        }
        Command::AddPlaces { places } => vec![Res::Places(places.id.clone())],
        // A correction changes what is free in its slot: it meets the choices made there.
        Command::ReducePlaces { places } => {
            vec![Res::Places(places.id.clone()), Res::Slot(places.kindergarten.clone(), places.language)]
        }
        Command::Act { application, action } => {
            let mut out = vec![Res::App(application.clone())];
            if let Some(app) = state.application(application) {
                out.push(Res::Child(app.child.iin.clone(), app.queue_type));
                if let Some(d) = &app.direction {
                    out.push(Res::Slot(d.kindergarten.clone(), d.language));
                }
            }
            if let rules::Action::ChooseKindergarten { kindergarten, language } = action {
                out.push(Res::Slot(kindergarten.clone(), *language));
            }
            out
        }
        // Center commands never reorder; they touch everything.
        Command::Distribute { .. }
        | Command::Tick
        | Command::SetKindergarten { .. }
        | Command::SetCalendarYear { .. } => Vec::new(),
    }
}

fn apply(state: &mut State, item: &FoldItem) -> Result<Vec<Event>, Box<Rejection>> {
    let events = decide(state, item)?;
    for event in &events {
        state.evolve(event);
    }
    Ok(events)
}

/// [`apply`] for an item whose events nobody reads after (a kiosk's): they are handed to
/// the state, which moves a registration's application in instead of copying it.
fn fold_in(state: &mut State, item: &FoldItem) -> Result<(), Box<Rejection>> {
    for event in decide(state, item)? {
        state.evolve_owned(event);
    }
    Ok(())
}

/// The events of an item, or why the rules (or the staff scope) refuse it.
fn decide(state: &State, item: &FoldItem) -> Result<Vec<Event>, Box<Rejection>> {
    let reject = |code: &str, reason: String, duplicate_of: Option<String>| {
        Box::new(Rejection { code: code.to_owned(), reason, duplicate_of, item: item.clone() })
    };
    if let Some(scope) = &item.scope
        && let Err(denied) = rules::authz::kiosk::in_scope(scope, &item.command, state)
    {
        return Err(reject(denied.code(), denied.message(Lang::En), None));
    }
    match state.decide(&item.command, item.now) {
        Ok(events) => Ok(events),
        Err(error) => {
            let duplicate_of = match &error {
                CommandError::DuplicateChild { existing } => Some(existing.clone()),
                _ => None,
            };
            Err(reject(error.code(), error.message(Lang::En), duplicate_of))
        }
    }
}

impl Fold {
    pub fn new(state: State) -> Self {
        Fold {
            checkpoint: None,
            state,
            epoch: 0,
            current: Vec::new(),
            touched: HashMap::default(),
            rejections: BTreeMap::new(),
        }
    }

    /// Folds a whole log (items in any order) from `initial`; `center_entries` is how many
    /// center items there are (the open epoch's number).
    pub fn replay(initial: State, mut items: Vec<FoldItem>, center_entries: u64) -> Self {
        items.sort_by(|a, b| a.key.cmp(&b.key));
        let mut fold = Fold::new(initial);
        fold.epoch = center_entries;
        let mut open = false;
        for item in items {
            if item.key.epoch < center_entries || item.key.center {
                if let Err(rejection) = fold_in(&mut fold.state, &item) {
                    fold.rejections.insert(item.source.clone(), *rejection);
                }
            } else {
                if !open {
                    // Everything of the closed epochs is folded: the open epoch starts here.
                    fold.checkpoint = Some(fold.state.clone());
                    open = true;
                }
                fold.touch(&item);
                if let Err(rejection) = fold_in(&mut fold.state, &item) {
                    fold.rejections.insert(item.source.clone(), *rejection);
                }
                fold.current.push(Box::new(item));
            }
        }
        if !open {
            fold.checkpoint = None;
        }
        fold
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    /// The open epoch: the center log's length (audit entries included) when its last
    /// command was folded.
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    pub fn rejections(&self) -> &BTreeMap<Source, Rejection> {
        &self.rejections
    }

    pub fn rejection(&self, source: &Source) -> Option<&Rejection> {
        self.rejections.get(source)
    }

    /// Records an item's footprint (against the state before it applies) in `touched`.
    fn touch(&mut self, item: &FoldItem) {
        for res in footprint(&self.state, &item.command) {
            match self.touched.get_mut(&res) {
                Some(key) if *key >= item.key => {}
                Some(key) => *key = item.key.clone(),
                None => {
                    self.touched.insert(res, item.key.clone());
                }
            }
        }
    }

    /// Folds newly accepted kiosk items of the open epoch.
    ///
    /// Fast path: a new item commutes with every folded item that sorts after it when no
    /// such item touched a resource of its footprint; then applying it now gives the same
    /// state as the canonical order. Otherwise the open epoch is refolded from its start.
    pub fn add_kiosk_items(&mut self, mut items: Vec<FoldItem>) -> FoldChanges {
        let mut changes = FoldChanges::default();
        if items.is_empty() {
            return changes;
        }
        items.sort_by(|a, b| a.key.cmp(&b.key));
        debug_assert!(items.iter().all(|i| i.key.epoch == self.epoch && !i.key.center));
        if self.checkpoint.is_none() {
            // The open epoch's first kiosk items: the state is still its start.
            debug_assert!(self.current.is_empty());
            self.checkpoint = Some(self.state.clone());
        }
        let commutes = items.iter().all(|item| {
            footprint(&self.state, &item.command).iter().all(|res| self.touched.get(res).is_none_or(|k| *k < item.key))
        });
        if commutes {
            for item in items {
                self.touch(&item);
                if let Err(rejection) = fold_in(&mut self.state, &item) {
                    changes.rejected.push(item.source.clone());
                    self.rejections.insert(item.source.clone(), *rejection);
                }
                self.current.push(Box::new(item));
            }
            return changes;
        }
        // Refold the open epoch from its start.
        changes.refolded = true;
        let mut all: Vec<Box<FoldItem>> = std::mem::take(&mut self.current);
        all.extend(items.into_iter().map(Box::new));
        all.sort_by(|a, b| a.key.cmp(&b.key));
        let before: BTreeMap<Source, Rejection> =
            all.iter().filter_map(|i| self.rejections.remove(&i.source).map(|r| (i.source.clone(), r))).collect();
        self.state = self.checkpoint.clone().expect("taken before the open epoch's first kiosk item");
        self.touched.clear();
        for item in all {
            self.touch(&item);
            match fold_in(&mut self.state, &item) {
                Ok(()) => {
                    if before.contains_key(&item.source) {
                        changes.applied.push(item.source.clone());
                    }
                }
                Err(rejection) => {
                    if before.get(&item.source).is_none_or(|b| b.code != rejection.code) {
                        changes.rejected.push(item.source.clone());
                    }
                    self.rejections.insert(item.source.clone(), *rejection);
                }
            }
            self.current.push(item);
        }
        changes
    }

    /// Checks a center command against the state now, changing nothing.
    pub fn decide(&self, command: &Command, now: Instant) -> Result<Vec<Event>, CommandError> {
        self.state.decide(command, now)
    }

    /// A center entry without a command (an audit entry) was logged: it closes the epoch
    /// too, so that epochs always count the center's entries, live and on replay.
    pub fn close_epoch(&mut self) {
        self.checkpoint = None;
        self.current.clear();
        self.touched.clear();
        self.epoch += 1;
    }

    /// Applies a center item decided by [`Fold::decide`] and durably logged: closes the epoch.
    pub fn add_center_item(&mut self, item: &FoldItem) -> Result<Vec<Event>, Box<Rejection>> {
        let result = apply(&mut self.state, item);
        if let Err(rejection) = &result {
            self.rejections.insert(item.source.clone(), (**rejection).clone());
        }
        self.checkpoint = None;
        self.current.clear();
        self.touched.clear();
        // The next epoch is the center log's length after this entry, as `replay` counts it:
        // audit entries (never folded) take sequence numbers too, so a kiosk entry received
        // after this one sorts after it on a restart as it did live.
        self.epoch = item.key.epoch + 1;
        result
    }
}
