//! Why a position changed between two states of a queue.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::{DuplicateId, RankEntry, RankedRef, rank_queue};
use crate::i18n::Text;
use crate::model::RightClass;

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

/// Why an application's position differs between two snapshots. A host that shows the
/// movers with more (the portal: each reason in words) maps them (`map_movers`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PositionChange<M = Mover> {
    pub id: String,
    pub before: Option<u32>,
    pub after: Option<u32>,
    /// Now ahead, and were not before.
    pub entered_ahead: Vec<M>,
    /// Were ahead before, and are not now.
    pub left_ahead: Vec<M>,
}

impl<M> PositionChange<M> {
    /// The same change with every mover turned into `f(mover)`.
    pub fn map_movers<N>(self, mut f: impl FnMut(M) -> N) -> PositionChange<N> {
        PositionChange {
            id: self.id,
            before: self.before,
            after: self.after,
            entered_ahead: self.entered_ahead.into_iter().map(&mut f).collect(),
            left_ahead: self.left_ahead.into_iter().map(&mut f).collect(),
        }
    }
}

/// Explains how `id`'s position changed from `before` to `after` (two full snapshots of its queue).
pub fn explain_position(before: &[RankEntry], after: &[RankEntry], id: &str) -> Result<PositionChange, DuplicateId> {
    let ranked_before = rank_queue(before)?;
    let ranked_after = rank_queue(after)?;
    // Hash maps, not B-tree maps: only looked up, never iterated, and in the WebAssembly
    // module a B-tree map's bulk build (a stable sort per element type) weighs kilobytes.
    let by_id_before: HashMap<&str, &RankEntry> = before.iter().map(|e| (e.id.as_str(), e)).collect();
    let by_id_after: HashMap<&str, &RankEntry> = after.iter().map(|e| (e.id.as_str(), e)).collect();
    let ahead = |ranked: &[RankedRef<'_>], entries: &HashMap<&str, &RankEntry>| -> (Option<u32>, Vec<String>) {
        let Some(target) = ranked.iter().find(|r| r.id() == id) else { return (None, Vec::new()) };
        let queue = entries.get(id).map(|e| e.queue_key());
        let ids = ranked
            .iter()
            .filter(|r| r.position < target.position)
            .filter(|r| entries.get(r.id()).map(|e| e.queue_key()) == queue)
            .map(|r| r.id().to_owned())
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
