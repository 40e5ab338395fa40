//! Queue ranking: who gets the next place, an application's place in its queue, and why a
//! position changed.
//!
//! Inside a queue `(district, queue type, group year)` only `queued` applications have
//! positions. They are split by right (extraordinary, first-priority, none), each class
//! ordered by registration instant, ties by application id (bytewise). Allocation order:
//! every extraordinary application, then first-priority and general interleaved
//! F, G, G, G (1:3); when one class runs out the other continues.
//!
//! Because each class is kept sorted on its own, a position follows from the class rank and
//! the class sizes (`allocation_position`): one insert updates every position without a sort.

use serde::{Deserialize, Serialize};

use crate::model::{QueueKey, QueueType, RightClass};
use crate::time::{Date, Instant};

mod explain;
mod index;
mod packed;
mod place;
#[cfg(test)]
mod tests;

pub use explain::{MoveReason, Mover, PositionChange, explain_position};
pub use index::{QueueIndex, QueueMember};
use packed::{
    QueueInterner, QueueTriple, Staged, first_duplicate, has_equal, id_hash, instant_key, slot_of, sort_class,
};
pub use place::{QueuePlace, place_in_queue};

/// What ranking needs to know of an application (the JS `rankQueue` input).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RankEntry {
    pub id: String,
    pub district: String,
    pub queue_type: QueueType,
    pub birth_date: Date,
    pub right: RightClass,
    pub registered_at: Instant,
    /// Any status; only exactly `queued` is ranked.
    pub status: String,
}

/// An application as ranking reads it.
trait Rankable {
    fn rank_view(&self) -> RankView<'_>;
}

impl Rankable for RankView<'_> {
    fn rank_view(&self) -> RankView<'_> {
        *self
    }
}

impl Rankable for RankEntry {
    fn rank_view(&self) -> RankView<'_> {
        RankView {
            id: &self.id,
            district: &self.district,
            queue_type: self.queue_type,
            birth_date: self.birth_date,
            right: self.right,
            registered_at: self.registered_at,
            queued: self.is_queued(),
        }
    }
}

impl RankEntry {
    fn is_queued(&self) -> bool {
        self.status == "queued"
    }
    fn queue_key(&self) -> QueueKey {
        QueueKey { district: self.district.clone(), queue_type: self.queue_type, group_year: self.birth_date.year() }
    }
}

/// What ranking reads of one application, borrowed from wherever the caller keeps it (a
/// `RankEntry`, or the columns the JS package passes without building one per entry).
#[derive(Debug, Clone, Copy)]
pub struct RankView<'a> {
    pub id: &'a str,
    pub district: &'a str,
    pub queue_type: QueueType,
    pub birth_date: Date,
    pub right: RightClass,
    pub registered_at: Instant,
    /// Whether the status is exactly `queued`: only those are ranked.
    pub queued: bool,
}

/// A ranked application by the index of its entry in the input (see `rank_places`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub entry: usize,
    pub group_year: i32,
    pub position: u32,
}

/// A queued application's place in its queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ranked {
    pub id: String,
    pub district: String,
    pub queue_type: QueueType,
    pub group_year: i32,
    pub position: u32,
}

/// A queued application's place in its queue as `rank_queue` returns it: the id and the
/// district are borrowed from the ranked entries, so that ranking a million entries
/// allocates no string. `into_owned` (or `Ranked::from`) makes the owned row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RankedRef<'a> {
    pub id: &'a str,
    pub district: &'a str,
    pub queue_type: QueueType,
    pub group_year: i32,
    pub position: u32,
}

impl RankedRef<'_> {
    /// The same row owning its strings.
    pub fn into_owned(self) -> Ranked {
        let RankedRef { id, district, queue_type, group_year, position } = self;
        Ranked { id: id.to_owned(), district: district.to_owned(), queue_type, group_year, position }
    }
}

impl From<RankedRef<'_>> for Ranked {
    fn from(row: RankedRef<'_>) -> Self {
        row.into_owned()
    }
}

/// Two entries with the same id were given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("application id {0:?} appears more than once")]
pub struct DuplicateId(pub String);

/// The 1-based position of the `rank`-th (0-based) member of `class`, given the class sizes.
pub fn allocation_position(sizes: ClassSizes, class: RightClass, rank: u32) -> u32 {
    let ClassSizes { extraordinary, first, general } = sizes;
    match class {
        RightClass::Extraordinary => rank + 1,
        // Before the r-th F come r earlier Fs and up to 3r Gs.
        RightClass::First => extraordinary + rank + general.min(rank.saturating_mul(3)) + 1,
        // Before the r-th G come r earlier Gs and the F that opens each started block of three.
        RightClass::None => extraordinary + rank + first.min(rank / 3 + 1) + 1,
    }
}

/// How many queued applications of each right a queue holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClassSizes {
    pub extraordinary: u32,
    pub first: u32,
    pub general: u32,
}

fn class_index(class: RightClass) -> usize {
    match class {
        RightClass::Extraordinary => 0,
        RightClass::First => 1,
        RightClass::None => 2,
    }
}

fn len_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// The members of one queue in allocation order, from its three classes (each already
/// sorted): every extraordinary, then first-priority and general in slots F,G,G,G; when
/// one class runs out the other continues.
fn allocation_iter<I: Iterator>(extra: I, first: I, general: I) -> impl Iterator<Item = I::Item> {
    let (mut f, mut g) = (first.peekable(), general.peekable());
    let mut slot = 0usize;
    let interleaved = std::iter::from_fn(move || {
        let take_first = slot.is_multiple_of(4) || g.peek().is_none();
        slot += 1;
        if take_first && f.peek().is_some() { f.next() } else { g.next().or_else(|| f.next()) }
    });
    extra.chain(interleaved)
}

/// Ranks every `queued` entry. Output: by district and queue type (bytewise), group year,
/// position; each row borrows its id and district from `entries`.
pub fn rank_queue(entries: &[RankEntry]) -> Result<Vec<RankedRef<'_>>, DuplicateId> {
    rank_with(
        entries,
        |entry| entry.id.as_str(),
        |id, _, (district, queue_type, group_year), position| RankedRef {
            id,
            district,
            queue_type,
            group_year,
            position,
        },
    )
}

/// `rank_queue` without copying a string: each queued entry's index in `entries`, in the
/// same order, with its group year and position.
pub fn rank_places(entries: &[RankView<'_>]) -> Result<Vec<Place>, DuplicateId> {
    rank_with(entries, |_| (), |(), entry, (_, _, group_year), position| Place { entry, group_year, position })
}

/// The ranking behind `rank_queue` and `rank_places`: `payload` is taken from each queued
/// entry and handed to `row` in ranked order, with the entry's index, queue and position.
///
/// Built for a million entries (the national queue); one global sort comparing whole
/// entries chased pointers into every string on every comparison and was ~10× slower.
/// Instead:
/// 1. One sequential pass over the input hashes every id (for the duplicate check),
///    interns each queued entry's queue and records its bucket `(queue, class)` and its
///    packed instant key (`instant_key`) and payload, counting each bucket's size.
/// 2. With the queues in output order, the buckets are laid out back to back in one array
///    (queue by queue, each as extraordinary, first, general), so each queued entry gets
///    its final slot; a second pass over the staged entries writes its key (tagged with
///    the slot), its input index and its payload there.
/// 3. Each bucket is sorted on the keys alone (ids are read only to break ties of equal
///    instants), and the rows are emitted queue by queue in allocation order; a payload
///    is moved out of its slot, which lies in the same queue's small region.
///
/// Duplicates are proven absent by finding no two equal 64-bit hashes (`has_equal`): a
/// hash set of a million strings missed the cache on nearly every insert.
fn rank_with<'a, E: Rankable, P: Default, T>(
    entries: &'a [E],
    payload: impl Fn(&'a E) -> P,
    row: impl Fn(P, usize, QueueTriple<'a>, u32) -> T,
) -> Result<Vec<T>, DuplicateId> {
    let mut hashes: Vec<u64> = Vec::with_capacity(entries.len());
    let mut queues = QueueInterner::default();
    let mut staged: Vec<Staged<P>> = Vec::with_capacity(entries.len());
    // Size of bucket `queue * 3 + class`.
    let mut sizes: Vec<u32> = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let view = entry.rank_view();
        hashes.push(id_hash(view.id));
        if !view.queued {
            continue;
        }
        let queue = queues.intern((view.district, view.queue_type, view.birth_date.year()));
        if sizes.len() <= queue * 3 {
            sizes.resize(queue * 3 + 3, 0);
        }
        let bucket = queue * 3 + class_index(view.right);
        sizes[bucket] += 1;
        staged.push(Staged {
            key: instant_key(view.registered_at),
            bucket: u32::try_from(bucket).expect("fewer than 2^32 queues"),
            entry: u32::try_from(index).expect("fewer than 2^32 entries"),
            payload: payload(entry),
        });
    }
    let queues = queues.keys;
    if has_equal(&hashes)
        && let Some(id) = first_duplicate(entries)
    {
        return Err(DuplicateId(id.to_owned()));
    }
    drop(hashes);

    let mut order: Vec<usize> = (0..queues.len()).collect();
    order.sort_unstable_by(|&a, &b| {
        let ((da, ta, ya), (db, tb, yb)) = (queues[a], queues[b]);
        da.as_bytes().cmp(db.as_bytes()).then_with(|| ta.as_str().cmp(tb.as_str())).then_with(|| ya.cmp(&yb))
    });
    // `starts[bucket]`: the bucket's first slot; `ends` after the scatter below.
    let mut starts = vec![0u32; sizes.len()];
    let mut next = 0u32;
    for &queue in &order {
        for bucket in queue * 3..queue * 3 + 3 {
            starts[bucket] = next;
            next += sizes[bucket];
        }
    }
    let total = staged.len();
    let mut keys = vec![0u128; total];
    let mut slot_entry = vec![0u32; total];
    let mut payloads: Vec<P> = std::iter::repeat_with(P::default).take(total).collect();
    let mut ends = starts.clone();
    for Staged { key, bucket, entry, payload } in staged {
        let next = &mut ends[bucket as usize];
        let slot = *next;
        *next += 1;
        let at = slot as usize;
        keys[at] = key | u128::from(slot);
        slot_entry[at] = entry;
        payloads[at] = payload;
    }

    let id = |key: u128| entries[slot_entry[slot_of(key)] as usize].rank_view().id.as_bytes();
    let mut rows = Vec::with_capacity(total);
    for queue in order {
        let [extra, first, general] = [0, 1, 2].map(|class| {
            let bucket = queue * 3 + class;
            (starts[bucket] as usize, ends[bucket] as usize)
        });
        for (from, to) in [extra, first, general] {
            sort_class(&mut keys[from..to], id);
        }
        let [extra, first, general] = [extra, first, general].map(|(from, to)| keys[from..to].iter().copied());
        for (key, position) in allocation_iter(extra, first, general).zip(1u32..) {
            let slot = slot_of(key);
            let payload = std::mem::take(&mut payloads[slot]);
            rows.push(row(payload, slot_entry[slot] as usize, queues[queue], position));
        }
    }
    Ok(rows)
}
