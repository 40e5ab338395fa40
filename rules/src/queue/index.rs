//! The queue index: queued applications kept sorted per queue and class.

use std::collections::HashMap;

use super::{ClassSizes, allocation_iter, allocation_position, class_index, len_u32};
use crate::model::{QueueKey, RightClass};
use crate::time::Instant;

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

    /// Adds queued applications in any order and sorts each list once (restoring a large
    /// state: an insert in the middle of a long list moves its tail). As with [`insert`],
    /// a member added twice is there once.
    ///
    /// [`insert`]: QueueIndex::insert
    pub fn extend_unsorted<'a>(&mut self, members: impl IntoIterator<Item = QueueMember<'a>>) {
        for member in members {
            let entry = (member.registered_at.sort_key(), Box::<str>::from(member.id));
            let lists = match self.queues.get_mut(member.queue) {
                Some(lists) => lists,
                None => self.queues.entry(member.queue.clone()).or_default(),
            };
            lists[class_index(member.right)].push(entry);
        }
        for list in self.queues.values_mut().flat_map(|lists| lists.iter_mut()) {
            list.sort_unstable_by(|(a, a_id), (b, b_id)| a.cmp(b).then_with(|| a_id.as_bytes().cmp(b_id.as_bytes())));
            list.dedup();
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
