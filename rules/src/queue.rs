//! Queue ranking: who gets the next place, and why a position changed.
//!
//! Inside a queue `(district, queue type, group year)` only `queued` applications have
//! positions. They are split by right (extraordinary, first-priority, none), each class
//! ordered by registration instant, ties by application id (bytewise). Allocation order:
//! every extraordinary application, then first-priority and general interleaved
//! F, G, G, G (1:3); when one class runs out the other continues.
//!
//! Because each class is kept sorted on its own, a position follows from the class rank and
//! the class sizes (`allocation_position`): one insert updates every position without a sort.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::i18n::Text;
use crate::model::{QueueKey, QueueType, RightClass};
use crate::time::{Date, Instant};

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

/// The packed sort key of a registration instant: seconds since the epoch (UTC, so the
/// offset it was written with does not matter) in the top 64 bits, nanoseconds in the next
/// 32, and the low 32 bits left free for the caller's slot number. Comparing two keys as
/// integers compares the instants at full precision, in two instructions, and sorting moves
/// 16-byte integers instead of entries or `Instant`s (offset included).
fn instant_key(registered_at: Instant) -> u128 {
    let (secs, nanos) = registered_at.sort_key();
    // Flipping the sign bit maps i64 order onto u64 order.
    let secs = u128::from(secs.cast_unsigned() ^ (1 << 63));
    secs << 64 | u128::from(nanos) << 32
}

/// The slot number in the low 32 bits of a key (see `instant_key`).
fn slot_of(key: u128) -> usize {
    (key & u128::from(u32::MAX)) as usize
}

/// Sorts one class of one queue: keys from `instant_key` with distinct slots in the low
/// bits, so that the integer sort puts them in instant order; equal instants (the same top
/// 96 bits) are then put in id order, bytewise. `id` gives a key's id.
fn sort_class<'a>(keys: &mut [u128], id: impl Fn(u128) -> &'a [u8]) {
    keys.sort_unstable();
    for run in keys.chunk_by_mut(|a, b| a >> 32 == b >> 32).filter(|run| run.len() > 1) {
        run.sort_unstable_by(|a, b| id(*a).cmp(id(*b)));
    }
}

/// A queued entry as the first pass records it, so that the second pass can put it
/// straight into its bucket's final place: every bucket's size is known by then, and no
/// vector grows (growing 1,440 vectors by doubling was a fifth of the ranking time). The
/// payload (an id's copy) is made in the first pass too, while the id is in the cache from
/// hashing it, and in input order: copying ids in ranked order instead jumps across the
/// whole input (5× slower for a million).
struct Staged<P> {
    key: u128,
    bucket: u32,
    entry: u32,
    payload: P,
}

/// A fast 64-bit hash of an id, for the duplicate check only: equal hashes are always
/// confirmed by comparing the ids, so a weak or attacked hash costs time, never correctness.
fn id_hash(id: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let bytes = id.as_bytes();
    let mut h = (bytes.len() as u64).wrapping_mul(K);
    let chunks = bytes.chunks_exact(8);
    let tail = chunks.remainder();
    // The last, shorter chunk zero-padded, as a word of its own.
    let last = (!tail.is_empty()).then(|| tail.iter().rev().fold(0u64, |word, &b| word << 8 | u64::from(b)));
    for word in chunks.map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])).chain(last) {
        h = (h ^ word).wrapping_mul(K);
        // A product carries differences only upwards: fold the high half back, or ids that
        // differ in the last byte of a chunk collide (120 in 100,000 district-number ids).
        h ^= h >> 32;
    }
    // Final avalanche (from MurmurHash3's fmix64) so that all bits depend on every byte.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// A queue while ranking: (district, queue type, group year).
type QueueTriple<'a> = (&'a str, QueueType, i32);

/// Passes a precomputed 64-bit hash through (for `QueueInterner`'s fast map).
#[derive(Default)]
struct PassThrough(u64);

impl std::hash::Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, _: &[u8]) {
        unreachable!("only u64 keys are hashed");
    }
    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }
}

/// Numbers the queues in order of first appearance. The fast map is keyed by `id_hash`
/// of the queue and checked against the stored queue; a queue whose hash is taken by
/// another goes to an ordinary (`SipHash`) map. `SipHash` for every entry was a fifth of the
/// ranking time; crafted collisions only send keys to the ordinary map.
#[derive(Default)]
struct QueueInterner<'a> {
    keys: Vec<QueueTriple<'a>>,
    fast: HashMap<u64, usize, std::hash::BuildHasherDefault<PassThrough>>,
    collided: HashMap<QueueTriple<'a>, usize>,
}

impl<'a> QueueInterner<'a> {
    fn intern(&mut self, key: QueueTriple<'a>) -> usize {
        let (district, queue_type, year) = key;
        let mixed = id_hash(district) ^ (u64::from(year.cast_unsigned()) << 8 | class_of_type(queue_type));
        let hash = mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        match self.fast.get(&hash) {
            Some(&i) if self.keys[i] == key => i,
            Some(_) => *self.collided.entry(key).or_insert_with(|| {
                self.keys.push(key);
                self.keys.len() - 1
            }),
            None => {
                self.keys.push(key);
                self.fast.insert(hash, self.keys.len() - 1);
                self.keys.len() - 1
            }
        }
    }
}

fn class_of_type(queue_type: QueueType) -> u64 {
    match queue_type {
        QueueType::General => 0,
        QueueType::SpecialCorrectional => 1,
        QueueType::Special => 2,
        QueueType::Sanatorium => 3,
    }
}

/// Whether any two hashes are equal. The hashes are spread by their top bits over parts of
/// a few hundred each (one counting pass, one scatter), then each part, small enough for
/// the L1 cache, is checked in a small hash table: two passes over memory instead of the
/// six of the 11-bit radix sort this replaced (about a tenth of the ranking time).
fn has_equal(hashes: &[u64]) -> bool {
    // About 512 hashes a part; below 1,024 hashes a single part.
    let bits = (hashes.len() / 512).checked_ilog2().unwrap_or(0).min(16);
    // The part is the top `bits` bits (none: part 0), below 2^16: the cast loses nothing.
    #[allow(clippy::cast_possible_truncation)]
    let part = |hash: u64| hash.checked_shr(64 - bits).unwrap_or(0) as usize;
    let mut starts = vec![0usize; (1 << bits) + 1];
    for &hash in hashes {
        starts[part(hash) + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut next = starts.clone();
    let mut spread = vec![0u64; hashes.len()];
    for &hash in hashes {
        let at = &mut next[part(hash)];
        spread[*at] = hash;
        *at += 1;
    }
    // Each part goes through a small open-addressing table indexed by the hash's low bits
    // (independent of the top bits that chose the part); 0 marks an empty slot, so a hash
    // of 0 is counted on the side.
    let largest = starts.windows(2).map(|bounds| bounds[1] - bounds[0]).max().unwrap_or(0);
    let mut table = vec![0u64; (2 * largest).next_power_of_two()];
    let mut zeros = 0;
    starts.windows(2).any(|bounds| {
        let part = &spread[bounds[0]..bounds[1]];
        let mask = (2 * part.len()).next_power_of_two() - 1;
        let table = &mut table[..=mask];
        table.fill(0);
        part.iter().any(|&hash| {
            if hash == 0 {
                zeros += 1;
                return zeros > 1;
            }
            // Masked to the table's length, so the cast loses nothing.
            #[allow(clippy::cast_possible_truncation)]
            let mut at = hash as usize & mask;
            loop {
                match table[at] {
                    0 => {
                        table[at] = hash;
                        return false;
                    }
                    seen if seen == hash => return true,
                    _ => at = (at + 1) & mask,
                }
            }
        })
    })
}

/// The first id (in input order) that occurs twice, if any: the exact check, run only
/// when two id hashes are equal (a duplicate, or a rare collision).
fn first_duplicate<E: Rankable>(entries: &[E]) -> Option<&str> {
    let mut seen = HashSet::with_capacity(entries.len());
    entries.iter().map(|e| e.rank_view().id).find(|id| !seen.insert(*id))
}

/// Ranks every `queued` entry. Output: by district and queue type (bytewise), group year, position.
pub fn rank_queue(entries: &[RankEntry]) -> Result<Vec<Ranked>, DuplicateId> {
    rank_with(
        entries,
        |entry| entry.id.clone(),
        |id, _, (district, queue_type, group_year), position| Ranked {
            id,
            district: district.to_owned(),
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

/// One class of one queue, sorted by (registration instant, id).
type ClassList = Vec<((i64, u32), Box<str>)>;

fn sizes_of(lists: &[ClassList; 3]) -> ClassSizes {
    ClassSizes {
        extraordinary: len_u32(lists[0].len()),
        first: len_u32(lists[1].len()),
        general: len_u32(lists[2].len()),
    }
}

/// Queued applications kept sorted per queue and class, so that a position is two binary
/// searches away and an insert or removal moves no other data than one vector's tail.
#[derive(Debug, Clone, Default)]
pub struct QueueIndex {
    queues: HashMap<QueueKey, [ClassList; 3]>,
}

/// The sort key of one queued application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueMember<'a> {
    pub queue: &'a QueueKey,
    pub right: RightClass,
    pub registered_at: Instant,
    pub id: &'a str,
}

impl QueueIndex {
    pub fn new() -> Self {
        QueueIndex::default()
    }

    fn search(list: &ClassList, member: &QueueMember<'_>) -> Result<usize, usize> {
        let key = member.registered_at.sort_key();
        list.binary_search_by(|(k, id)| k.cmp(&key).then_with(|| id.as_bytes().cmp(member.id.as_bytes())))
    }

    /// Adds a queued application; adding it twice changes nothing.
    pub fn insert(&mut self, member: &QueueMember<'_>) {
        // One hash lookup for a known queue; the key is cloned only for a new one (an
        // allocation per insert showed in the p99).
        if let Some(lists) = self.queues.get_mut(member.queue) {
            Self::insert_into(lists, member);
        } else {
            let mut lists = <[ClassList; 3]>::default();
            Self::insert_into(&mut lists, member);
            self.queues.insert(member.queue.clone(), lists);
        }
    }

    fn insert_into(lists: &mut [ClassList; 3], member: &QueueMember<'_>) {
        let list = &mut lists[class_index(member.right)];
        if let Err(at) = Self::search(list, member) {
            list.insert(at, (member.registered_at.sort_key(), member.id.into()));
        }
    }

    /// Removes an application that leaves the queue; removing an absent one changes nothing.
    pub fn remove(&mut self, member: &QueueMember<'_>) {
        if let Some(lists) = self.queues.get_mut(member.queue) {
            let list = &mut lists[class_index(member.right)];
            if let Ok(at) = Self::search(list, member) {
                list.remove(at);
            }
            if lists.iter().all(Vec::is_empty) {
                self.queues.remove(member.queue);
            }
        }
    }

    pub fn sizes(&self, queue: &QueueKey) -> ClassSizes {
        self.queues.get(queue).map_or_else(ClassSizes::default, sizes_of)
    }

    /// The 1-based position of a queued application, or `None` when it is not in the index.
    pub fn position(&self, member: &QueueMember<'_>) -> Option<u32> {
        let lists = self.queues.get(member.queue)?;
        let rank = Self::search(&lists[class_index(member.right)], member).ok()?;
        Some(allocation_position(sizes_of(lists), member.right, len_u32(rank)))
    }

    /// The ids of a queue in allocation order, at most `limit` of them.
    pub fn allocation_order(&self, queue: &QueueKey, limit: usize) -> Vec<&str> {
        let Some([extra, first, general]) = self.queues.get(queue) else { return Vec::new() };
        allocation_iter(extra.iter(), first.iter(), general.iter()).take(limit).map(|(_, id)| &**id).collect()
    }

    /// The queues that hold at least one application, in key order.
    pub fn queues(&self) -> Vec<&QueueKey> {
        let mut keys: Vec<&QueueKey> = self.queues.keys().collect();
        keys.sort();
        keys
    }

    /// Number of queued applications in all queues.
    pub fn len(&self) -> usize {
        self.queues.values().flat_map(|lists| lists.iter()).map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.queues.is_empty()
    }
}

/// Why someone is now ahead of, or no longer ahead of, an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum MoveReason {
    /// A new application with an earlier slot in allocation order (e.g. a privileged child).
    NewApplication,
    /// An application came back to the queue (refusal upheld) with its original registration time.
    ReturnedToQueue,
    /// Left the queue: its status is now `status` (voucher issued, archived, …).
    LeftQueue { status: String },
    /// No longer in the data at all.
    Removed,
    /// Still queued, but the 1:3 interleaving of first-priority and general places moved it.
    Interleaving,
}

impl MoveReason {
    pub fn text(&self) -> Text {
        match self {
            MoveReason::NewApplication => Text::new(
                "новое заявление, которому порядок очереди даёт место выше",
                "кезек тәртібі жоғары орын беретін жаңа өтініш",
                "a new application that the queue order places ahead",
            ),
            MoveReason::ReturnedToQueue => Text::new(
                "заявление вернулось в очередь с исходным временем регистрации",
                "өтініш бастапқы тіркеу уақытымен кезекке қайтарылды",
                "an application returned to the queue with its original registration time",
            ),
            MoveReason::LeftQueue { .. } => Text::new(
                "заявление вышло из очереди (ваучер, архив или зачисление)",
                "өтініш кезектен шықты (ваучер, мұрағат немесе қабылдау)",
                "an application left the queue (voucher, archive or enrollment)",
            ),
            MoveReason::Removed => Text::new(
                "заявление удалено из данных",
                "өтініш деректерден жойылды",
                "an application is no longer listed",
            ),
            MoveReason::Interleaving => Text::new(
                "чередование 1:3 льготников и остальных",
                "жеңілдігі барлар мен басқалардың 1:3 кезектесуі",
                "the 1:3 interleaving of first-priority and other children",
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mover {
    pub id: String,
    pub right: RightClass,
    pub reason: MoveReason,
}

/// Why an application's position differs between two snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PositionChange {
    pub id: String,
    pub before: Option<u32>,
    pub after: Option<u32>,
    /// Now ahead, and were not before.
    pub entered_ahead: Vec<Mover>,
    /// Were ahead before, and are not now.
    pub left_ahead: Vec<Mover>,
}

/// Explains how `id`'s position changed from `before` to `after` (two full snapshots of its queue).
pub fn explain_position(before: &[RankEntry], after: &[RankEntry], id: &str) -> Result<PositionChange, DuplicateId> {
    let ranked_before = rank_queue(before)?;
    let ranked_after = rank_queue(after)?;
    let by_id_before: BTreeMap<&str, &RankEntry> = before.iter().map(|e| (e.id.as_str(), e)).collect();
    let by_id_after: BTreeMap<&str, &RankEntry> = after.iter().map(|e| (e.id.as_str(), e)).collect();
    let ahead = |ranked: &[Ranked], entries: &BTreeMap<&str, &RankEntry>| -> (Option<u32>, Vec<String>) {
        let Some(target) = ranked.iter().find(|r| r.id == id) else { return (None, Vec::new()) };
        let queue = entries.get(id).map(|e| e.queue_key());
        let ids = ranked
            .iter()
            .filter(|r| r.position < target.position)
            .filter(|r| entries.get(r.id.as_str()).map(|e| e.queue_key()) == queue)
            .map(|r| r.id.clone())
            .collect();
        (Some(target.position), ids)
    };
    let (position_before, ahead_before) = ahead(&ranked_before, &by_id_before);
    let (position_after, ahead_after) = ahead(&ranked_after, &by_id_after);
    let set_before: HashSet<&str> = ahead_before.iter().map(String::as_str).collect();
    let set_after: HashSet<&str> = ahead_after.iter().map(String::as_str).collect();
    let entered_ahead = ahead_after
        .iter()
        .filter(|other| !set_before.contains(other.as_str()))
        .map(|other| {
            let now = by_id_after[other.as_str()];
            let reason = match by_id_before.get(other.as_str()) {
                None => MoveReason::NewApplication,
                Some(then) if !then.is_queued() => MoveReason::ReturnedToQueue,
                Some(_) => MoveReason::Interleaving,
            };
            Mover { id: other.clone(), right: now.right, reason }
        })
        .collect();
    let left_ahead = ahead_before
        .iter()
        .filter(|other| !set_after.contains(other.as_str()))
        .map(|other| {
            let then = by_id_before[other.as_str()];
            let reason = match by_id_after.get(other.as_str()) {
                None => MoveReason::Removed,
                Some(now) if !now.is_queued() => MoveReason::LeftQueue { status: now.status.clone() },
                Some(_) => MoveReason::Interleaving,
            };
            Mover { id: other.clone(), right: then.right, reason }
        })
        .collect();
    Ok(PositionChange { id: id.to_owned(), before: position_before, after: position_after, entered_ahead, left_ahead })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, right: RightClass, minute: u32) -> RankEntry {
        RankEntry {
            id: id.into(),
            district: "KOK".into(),
            queue_type: QueueType::General,
            birth_date: "2022-05-01".parse().unwrap(),
            right,
            registered_at: format!("2026-01-10T10:{minute:02}:00+05:00").parse().unwrap(),
            status: "queued".into(),
        }
    }

    fn order(entries: &[RankEntry]) -> Vec<String> {
        rank_queue(entries).unwrap().into_iter().map(|r| r.id).collect()
    }

    #[test]
    fn extraordinary_first_then_f_g_g_g() {
        use RightClass::{Extraordinary as E, First as F, None as G};
        let entries = vec![
            entry("g1", G, 1),
            entry("g2", G, 2),
            entry("f1", F, 3),
            entry("g3", G, 4),
            entry("g4", G, 5),
            entry("f2", F, 6),
            entry("e1", E, 7),
            entry("f3", F, 8),
        ];
        assert_eq!(order(&entries), ["e1", "f1", "g1", "g2", "g3", "f2", "g4", "f3"]);
    }

    #[test]
    fn when_general_runs_out_first_continues() {
        use RightClass::{First as F, None as G};
        let entries = vec![entry("f1", F, 1), entry("f2", F, 2), entry("f3", F, 3), entry("g1", G, 4)];
        assert_eq!(order(&entries), ["f1", "g1", "f2", "f3"]);
    }

    #[test]
    fn ties_go_to_the_bytewise_smaller_id_across_offsets() {
        let mut a = entry("b", RightClass::None, 0);
        let mut b = entry("a", RightClass::None, 0);
        a.registered_at = "2026-01-10T10:00:00+05:00".parse().unwrap();
        b.registered_at = "2026-01-10T05:00:00Z".parse().unwrap();
        assert_eq!(order(&[a, b]), ["a", "b"]);
    }

    #[test]
    fn only_queued_is_ranked_and_duplicates_are_rejected() {
        let mut issued = entry("x", RightClass::None, 1);
        issued.status = "voucher_issued".into();
        assert!(rank_queue(&[issued.clone()]).unwrap().is_empty());
        assert_eq!(rank_queue(&[issued.clone(), issued]), Err(DuplicateId("x".into())));
    }

    #[test]
    fn has_equal_finds_exactly_the_repeated_hashes() {
        // A fixed pseudo-random sequence, plus keys that share high or low digits.
        let mut x = 0x2545_f491_4f6c_dd1d_u64;
        let mut keys: Vec<u64> = (0..5_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            })
            .collect();
        keys.extend([0, u64::MAX, 1 << 63, 7, (1 << 63) | 7]);
        assert!(!has_equal(&keys));
        // A repeat anywhere (first, last, same part, lone top bits) is found, at any size.
        for len in [2, 3, 1_000, 1_100, 5_005] {
            for (from, to) in [(0, len - 1), (len - 1, 0), (len / 2, len / 3), (len - 2, len - 1)] {
                let mut with_repeat = keys[..len].to_vec();
                with_repeat[to] = with_repeat[from];
                assert_eq!(has_equal(&with_repeat), from != to, "len {len}, {from} -> {to}");
            }
        }
        assert!(has_equal(&[42; 10]));
        assert!(!has_equal(&[]));
        assert!(!has_equal(&[3]));
    }

    #[test]
    fn index_positions_match_full_ranking() {
        use RightClass::{Extraordinary as E, First as F, None as G};
        let entries: Vec<RankEntry> = (0..40)
            .map(|i| entry(&format!("id{i:02}"), [G, G, F, G, E, G, F][i % 7], u32::try_from(i).unwrap()))
            .collect();
        let mut index = QueueIndex::new();
        let key = entries[0].queue_key();
        for e in &entries {
            index.insert(&QueueMember { queue: &key, right: e.right, registered_at: e.registered_at, id: &e.id });
        }
        for r in rank_queue(&entries).unwrap() {
            let e = entries.iter().find(|e| e.id == r.id).unwrap();
            let member = QueueMember { queue: &key, right: e.right, registered_at: e.registered_at, id: &e.id };
            assert_eq!(index.position(&member), Some(r.position), "{}", r.id);
        }
        let expected: Vec<String> = order(&entries);
        assert_eq!(index.allocation_order(&key, usize::MAX), expected);
        assert_eq!(index.allocation_order(&key, 3), expected[..3]);
    }

    #[test]
    fn explain_names_the_privileged_newcomer() {
        use RightClass::{First as F, None as G};
        let before = vec![entry("g1", G, 1), entry("g2", G, 2), entry("me", G, 3)];
        let mut after = before.clone();
        after.push(entry("f1", F, 30));
        let change = explain_position(&before, &after, "me").unwrap();
        assert_eq!((change.before, change.after), (Some(3), Some(4)));
        assert_eq!(change.entered_ahead, vec![Mover { id: "f1".into(), right: F, reason: MoveReason::NewApplication }]);
        assert!(change.left_ahead.is_empty());

        let mut later = after.clone();
        later[0].status = "voucher_issued".into();
        let change = explain_position(&after, &later, "me").unwrap();
        assert_eq!((change.before, change.after), (Some(4), Some(3)));
        assert_eq!(
            change.left_ahead,
            vec![Mover {
                id: "g1".into(),
                right: G,
                reason: MoveReason::LeftQueue { status: "voucher_issued".into() }
            }]
        );
    }

    /// A registration instant for the packed-key property: few distinct UTC instants (so
    /// that equal instants written with different offsets are common), from year 1 to
    /// 9999, nanoseconds at the edges, leap seconds, any offset within ±24 h.
    fn packed_instant() -> impl proptest::strategy::Strategy<Value = Instant> {
        use chrono::{DateTime, FixedOffset, NaiveTime};
        use proptest::prelude::*;
        let secs = proptest::sample::select(vec![
            -62_135_596_800_i64, // 0001-01-01T00:00:00Z
            -1,
            0,
            1_767_571_199, // 2026-01-04T23:59:59Z
            1_767_571_200,
            1_767_571_201,
            253_402_300_799, // 9999-12-31T23:59:59Z
        ]);
        let nanos = prop_oneof![proptest::sample::select(vec![0u32, 1, 999_999_999]), 0u32..1_000_000_000];
        let offset = prop_oneof![
            proptest::sample::select(vec![0i32, 5 * 3600, -86_399, 86_399]),
            (-95i32..=95).prop_map(|quarters| quarters * 900),
            -86_399i32..=86_399,
        ];
        (secs, nanos, offset, proptest::bool::weighted(0.1)).prop_map(|(secs, nanos, offset, leap)| {
            let mut utc = DateTime::from_timestamp(secs, nanos).expect("in chrono's range").naive_utc();
            if leap {
                // A leap second: 23:59:60.x of the same day, written as 23:59:59 + 1.x s.
                let time = NaiveTime::from_hms_nano_opt(23, 59, 59, 1_000_000_000 + nanos).expect("leap second");
                utc = utc.date().and_time(time);
            }
            let offset = FixedOffset::east_opt(offset).expect("within ±24 h");
            Instant(DateTime::from_naive_utc_and_offset(utc, offset))
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2_000))]
        /// The packed keys (`instant_key` tagged with a slot, sorted by `sort_class`, classes
        /// taken extraordinary, first, none) order applications exactly as `Ord` on
        /// (class, instant, id bytes), the comparison the rules define: instants at full
        /// precision whatever their offset, then ids bytewise (non-ASCII UTF-8, empty ids,
        /// prefixes of each other).
        #[test]
        fn packed_key_order_is_class_then_instant_then_id_bytes(
            members in proptest::collection::vec(
                (
                    proptest::sample::select(RightClass::ALL.to_vec()),
                    packed_instant(),
                    "[aAzяé0\u{10000}\u{7f}]{0,4}",
                ),
                0..80,
            ),
        ) {
            let mut expected = members.clone();
            expected.sort_by(|a, b| {
                (class_index(a.0), a.1, a.2.as_bytes()).cmp(&(class_index(b.0), b.1, b.2.as_bytes()))
            });
            let mut packed = Vec::new();
            for class in RightClass::ALL {
                let mut keys: Vec<u128> = members
                    .iter()
                    .enumerate()
                    .filter(|(_, member)| member.0 == class)
                    .map(|(slot, member)| instant_key(member.1) | u128::from(u32::try_from(slot).unwrap()))
                    .collect();
                sort_class(&mut keys, |key| members[slot_of(key)].2.as_bytes());
                packed.extend(keys.into_iter().map(|key| members[slot_of(key)].clone()));
            }
            // Equal tuples may come in either order; `Instant`'s `==` is the UTC instant.
            proptest::prop_assert_eq!(packed, expected);
        }
    }

    /// Structured ids (district code, dash, serial number) differ in a few bytes of one
    /// chunk; each equal hash sends ranking into the exact duplicate check.
    #[test]
    fn structured_ids_do_not_share_a_hash() {
        let hashes: Vec<u64> = ["ALM", "AST", "SHY", "KRG", "ALM-ENB"]
            .iter()
            .flat_map(|district| (0..40_000).map(move |n| id_hash(&format!("{district}-{n:06}"))))
            .collect();
        assert!(!has_equal(&hashes));
    }
}
