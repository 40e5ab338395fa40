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
use packed::{QueueInterner, first_duplicate, has_equal, id_hash, index_of, instant_key, sort_class};
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

/// A queued application's place in its queue as `rank_queue` returns it: a reference to
/// its entry (which holds the id, district and queue type) with its group year and
/// position. 16 bytes a row, so that ranking a million entries copies no string and its
/// output (12.8 MB) is reused heap memory rather than fresh pages: a row of two `&str`s
/// (48 bytes) made the output larger than glibc's 32 MiB mmap threshold, and faulting its
/// pages in again on every call was a fifth of the ranking time. `into_owned` (or
/// `Ranked::from`) makes the owned row; it serializes as `Ranked` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankedRef<'a> {
    pub entry: &'a RankEntry,
    pub group_year: i32,
    pub position: u32,
}

impl<'a> RankedRef<'a> {
    pub fn id(&self) -> &'a str {
        &self.entry.id
    }
    pub fn district(&self) -> &'a str {
        &self.entry.district
    }
    pub fn queue_type(&self) -> QueueType {
        self.entry.queue_type
    }
    /// The same row owning its strings.
    pub fn into_owned(self) -> Ranked {
        Ranked {
            id: self.id().to_owned(),
            district: self.district().to_owned(),
            queue_type: self.queue_type(),
            group_year: self.group_year,
            position: self.position,
        }
    }
}

impl From<RankedRef<'_>> for Ranked {
    fn from(row: RankedRef<'_>) -> Self {
        row.into_owned()
    }
}

impl Serialize for RankedRef<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut row = serializer.serialize_struct("Ranked", 5)?;
        row.serialize_field("id", self.id())?;
        row.serialize_field("district", self.district())?;
        row.serialize_field("queueType", &self.queue_type())?;
        row.serialize_field("groupYear", &self.group_year)?;
        row.serialize_field("position", &self.position)?;
        row.end()
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
/// position; each row refers to its entry in `entries`.
pub fn rank_queue(entries: &[RankEntry]) -> Result<Vec<RankedRef<'_>>, DuplicateId> {
    rank_with(entries, |entry, _, group_year, position| RankedRef { entry, group_year, position })
}

/// `rank_queue` on views: each queued entry's index in `entries`, in the same order, with
/// its group year and position.
pub fn rank_places(entries: &[RankView<'_>]) -> Result<Vec<Place>, DuplicateId> {
    rank_with(entries, |_, entry, group_year, position| Place { entry, group_year, position })
}

/// The ranking behind `rank_queue` and `rank_places`: `row` is called for each queued
/// entry in ranked order, with the entry, its index, its group year and its position.
///
/// Built for a million entries (the national queue); one global sort comparing whole
/// entries chased pointers into every string on every comparison and was ~10× slower.
/// Instead:
/// 1. One sequential pass over the input hashes every id (for the duplicate check),
///    interns each queued entry's queue and records its bucket `(queue, class)` and its
///    sort key (`instant_key`: a coarse registration instant with the entry's index in
///    the low bits), counting each bucket's size.
/// 2. With the queues in output order, the buckets are laid out back to back in one array
///    (queue by queue, each as extraordinary, first, general), and each key is written to
///    its bucket's next slot.
/// 3. Each bucket is sorted on the keys alone (`sort_class`: entries are read only where
///    coarse instants are equal), and the rows are emitted queue by queue in allocation
///    order; the entry's index comes from its key, so no entry is read.
///
/// Duplicates are proven absent by finding no two equal 64-bit hashes (`has_equal`): a
/// hash set of a million strings missed the cache on nearly every insert.
fn rank_with<'a, E: Rankable, T>(
    entries: &'a [E],
    row: impl Fn(&'a E, usize, i32, u32) -> T,
) -> Result<Vec<T>, DuplicateId> {
    assert!(u32::try_from(entries.len()).is_ok(), "fewer than 2^32 entries");
    let index_bits = usize::BITS - entries.len().saturating_sub(1).leading_zeros();
    let mut hashes: Vec<u64> = Vec::with_capacity(entries.len());
    let mut queues = QueueInterner::default();
    // Each queued entry's key and bucket `queue * 3 + class`, in input order.
    let mut staged: Vec<(u64, u32)> = Vec::with_capacity(entries.len());
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
        let key = instant_key(view.registered_at, index_bits) | index as u64;
        staged.push((key, u32::try_from(bucket).expect("fewer than 2^32 queues")));
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
    let mut keys = vec![0u64; staged.len()];
    let mut ends = starts.clone();
    for (key, bucket) in staged {
        let next = &mut ends[bucket as usize];
        keys[*next as usize] = key;
        *next += 1;
    }

    let entry_of = |key: u64| index_of(key, index_bits);
    let exact = |a: u64, b: u64| {
        let (a, b) = (entries[entry_of(a)].rank_view(), entries[entry_of(b)].rank_view());
        a.registered_at.cmp(&b.registered_at).then_with(|| a.id.as_bytes().cmp(b.id.as_bytes()))
    };
    let mut rows = Vec::with_capacity(keys.len());
    for queue in order {
        let [extra, first, general] = [0, 1, 2].map(|class| {
            let bucket = queue * 3 + class;
            (starts[bucket] as usize, ends[bucket] as usize)
        });
        for (from, to) in [extra, first, general] {
            sort_class(&mut keys[from..to], index_bits, &exact);
        }
        let [extra, first, general] = [extra, first, general].map(|(from, to)| keys[from..to].iter().copied());
        let group_year = queues[queue].2;
        for (key, position) in allocation_iter(extra, first, general).zip(1u32..) {
            let index = entry_of(key);
            rows.push(row(&entries[index], index, group_year, position));
        }
    }
    Ok(rows)
}
