//! The fast path of ranking: packed sort keys, an id hash for the duplicate check, and the
//! interning of queue keys (implementation details behind `rank_queue`).

use std::collections::{HashMap, HashSet};

use super::Rankable;
use crate::model::QueueType;
use crate::time::Instant;

/// The sort key of a registration instant, for an entry whose index takes the low
/// `index_bits` bits (the caller ORs it in). Above them, the instant's UTC seconds since
/// 1970 (33 bits, to 2242) and its nanoseconds (31 bits, leap seconds included), cut to
/// the bits that are left: for a million entries, 44 bits, to 2^20 ns (about a millisecond).
/// Comparing two keys as integers orders them by instant wherever the coarse instants
/// differ; equal coarse instants (the same instant, or instants too close, before 1970 or
/// after 2242) are put in exact order by `sort_class`. Coarse and exact never disagree:
/// the key only ever merges neighbours (it is monotone in the instant).
///
/// Keys of 8 bytes with the index inside need no array of indexes beside them, and sort
/// faster than the 16-byte keys (exact seconds and nanoseconds, then a slot) they replace.
pub(super) fn instant_key(registered_at: Instant, index_bits: u32) -> u64 {
    let (secs, nanos) = registered_at.sort_key();
    let fine = match u64::try_from(secs) {
        Err(_) => 0,
        Ok(secs) if secs >= 1 << 33 => u64::MAX,
        // Below 2 × 10^9 (a leap second's nanoseconds included) < 2^31.
        Ok(secs) => secs << 31 | u64::from(nanos),
    };
    fine & u64::MAX.checked_shl(index_bits).unwrap_or(0)
}

/// The entry index in the low `index_bits` bits of a key (see `instant_key`).
pub(super) fn index_of(key: u64, index_bits: u32) -> usize {
    // At most 32 bits (fewer than 2^32 entries): the cast loses nothing.
    #[allow(clippy::cast_possible_truncation)]
    let index = (key & !u64::MAX.checked_shl(index_bits).unwrap_or(0)) as usize;
    index
}

/// Sorts one class of one queue: keys from `instant_key` with their entries' indexes in
/// the low `index_bits` bits, so that the integer sort puts them in coarse instant order;
/// runs of equal coarse instants are then put in `exact` order (instant at full
/// precision, then id bytes), which reads the entries. `exact` is a trait object: such runs
/// are rare, and one sort for every kind of entry keeps the WebAssembly module smaller.
pub(super) fn sort_class(keys: &mut [u64], index_bits: u32, exact: &dyn Fn(u64, u64) -> std::cmp::Ordering) {
    keys.sort_unstable();
    let coarse = |key: u64| key.checked_shr(index_bits).unwrap_or(0);
    for run in keys.chunk_by_mut(|a, b| coarse(*a) == coarse(*b)).filter(|run| run.len() > 1) {
        run.sort_unstable_by(|a, b| exact(*a, *b));
    }
}

/// A fast 64-bit hash of an id, for the duplicate check only: equal hashes are always
/// confirmed by comparing the ids, so a weak or attacked hash costs time, never correctness.
pub(super) fn id_hash(id: &str) -> u64 {
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
pub(super) type QueueTriple<'a> = (&'a str, QueueType, i32);

/// Passes a precomputed 64-bit hash through (for `QueueInterner`'s fast map).
#[derive(Default)]
pub(super) struct PassThrough(u64);

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
pub(super) struct QueueInterner<'a> {
    pub(super) keys: Vec<QueueTriple<'a>>,
    pub(super) fast: HashMap<u64, usize, std::hash::BuildHasherDefault<PassThrough>>,
    pub(super) collided: HashMap<QueueTriple<'a>, usize>,
}

impl<'a> QueueInterner<'a> {
    pub(super) fn intern(&mut self, key: QueueTriple<'a>) -> usize {
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

pub(super) fn class_of_type(queue_type: QueueType) -> u64 {
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
pub(super) fn has_equal(hashes: &[u64]) -> bool {
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
pub(super) fn first_duplicate<E: Rankable>(entries: &[E]) -> Option<&str> {
    let mut seen = HashSet::with_capacity(entries.len());
    entries.iter().map(|e| e.rank_view().id).find(|id| !seen.insert(*id))
}
