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

impl RankEntry {
    fn is_queued(&self) -> bool {
        self.status == "queued"
    }
    fn queue_key(&self) -> QueueKey {
        QueueKey { district: self.district.clone(), queue_type: self.queue_type, group_year: self.birth_date.year() }
    }
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

/// Ranks every `queued` entry. Output: by district and queue type (bytewise), group year, position.
pub fn rank_queue(entries: &[RankEntry]) -> Result<Vec<Ranked>, DuplicateId> {
    let mut seen = HashSet::with_capacity(entries.len());
    for entry in entries {
        if !seen.insert(entry.id.as_str()) {
            return Err(DuplicateId(entry.id.clone()));
        }
    }
    let mut queued: Vec<&RankEntry> = entries.iter().filter(|e| e.is_queued()).collect();
    fn group_key(e: &RankEntry) -> (&str, &str, i32) {
        (e.district.as_str(), e.queue_type.as_str(), e.birth_date.year())
    }
    queued.sort_unstable_by(|a, b| {
        group_key(a)
            .cmp(&group_key(b))
            .then_with(|| class_index(a.right).cmp(&class_index(b.right)))
            .then_with(|| a.registered_at.sort_key().cmp(&b.registered_at.sort_key()))
            .then_with(|| a.id.as_bytes().cmp(b.id.as_bytes()))
    });
    let mut ranked = Vec::with_capacity(queued.len());
    let mut start = 0;
    while start < queued.len() {
        let key = group_key(queued[start]);
        let end = start + queued[start..].iter().take_while(|e| group_key(e) == key).count();
        let group = &queued[start..end];
        let count = |class| len_u32(group.iter().filter(|e| e.right == class).count());
        let sizes = ClassSizes {
            extraordinary: count(RightClass::Extraordinary),
            first: count(RightClass::First),
            general: count(RightClass::None),
        };
        let first_of_queue = ranked.len();
        let mut class_start = 0;
        for (i, entry) in group.iter().enumerate() {
            if i > 0 && group[i - 1].right != entry.right {
                class_start = i;
            }
            let rank = len_u32(i - class_start);
            ranked.push(Ranked {
                id: entry.id.clone(),
                district: entry.district.clone(),
                queue_type: entry.queue_type,
                group_year: key.2,
                position: allocation_position(sizes, entry.right, rank),
            });
        }
        ranked[first_of_queue..].sort_unstable_by_key(|r| r.position);
        start = end;
    }
    Ok(ranked)
}

/// One class of one queue, sorted by (registration instant, id).
type ClassList = Vec<((i64, u32), Box<str>)>;

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
        let lists = self.queues.entry(member.queue.clone()).or_default();
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
        self.queues.get(queue).map_or_else(ClassSizes::default, |lists| ClassSizes {
            extraordinary: len_u32(lists[0].len()),
            first: len_u32(lists[1].len()),
            general: len_u32(lists[2].len()),
        })
    }

    /// The 1-based position of a queued application, or `None` when it is not in the index.
    pub fn position(&self, member: &QueueMember<'_>) -> Option<u32> {
        let lists = self.queues.get(member.queue)?;
        let rank = Self::search(&lists[class_index(member.right)], member).ok()?;
        Some(allocation_position(self.sizes(member.queue), member.right, len_u32(rank)))
    }

    /// The ids of a queue in allocation order, at most `limit` of them.
    pub fn allocation_order(&self, queue: &QueueKey, limit: usize) -> Vec<&str> {
        let Some([extra, first, general]) = self.queues.get(queue) else { return Vec::new() };
        let mut order: Vec<&str> = extra.iter().take(limit).map(|(_, id)| &**id).collect();
        let (mut f, mut g) = (first.iter().peekable(), general.iter().peekable());
        let mut slot = 0usize;
        while order.len() < limit && (f.peek().is_some() || g.peek().is_some()) {
            let take_first = slot % 4 == 0 || g.peek().is_none();
            let next = if take_first && f.peek().is_some() { f.next() } else { g.next().or_else(|| f.next()) };
            if let Some((_, id)) = next {
                order.push(id);
            }
            slot += 1;
        }
        order
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
            MoveReason::Removed => Text::new("заявление удалено из данных", "өтініш деректерден жойылды", "an application is no longer listed"),
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
    fn index_positions_match_full_ranking() {
        use RightClass::{Extraordinary as E, First as F, None as G};
        let entries: Vec<RankEntry> =
            (0..40).map(|i| entry(&format!("id{i:02}"), [G, G, F, G, E, G, F][i % 7], u32::try_from(i).unwrap())).collect();
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
            vec![Mover { id: "g1".into(), right: G, reason: MoveReason::LeftQueue { status: "voucher_issued".into() } }]
        );
    }
}
