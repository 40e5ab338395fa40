//! An application's place in its queue as a person reads it: "position N of M".

use serde::Serialize;

use super::RankedRef;

/// A queued application's position and the number of applications in its queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QueuePlace {
    /// 1-based, in allocation order.
    pub position: u32,
    /// How many applications the queue `(district, queue type, group year)` ranks.
    pub total: u32,
}

/// The place of `id` in `ranked` (every position of a district, as `rank_queue` gives
/// them): its position and the size of its queue. `None` when `id` is not ranked (not
/// `queued`, or not in the list).
pub fn place_in_queue(ranked: &[RankedRef<'_>], id: &str) -> Option<QueuePlace> {
    let own = ranked.iter().find(|r| r.id() == id)?;
    let same_queue = |r: &&RankedRef<'_>| {
        r.district() == own.district() && r.queue_type() == own.queue_type() && r.group_year == own.group_year
    };
    let total = ranked.iter().filter(same_queue).count();
    Some(QueuePlace { position: own.position, total: u32::try_from(total).unwrap_or(u32::MAX) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{QueueType, RightClass};
    use crate::queue::RankEntry;

    fn entry(id: &str, district: &str, queue_type: QueueType) -> RankEntry {
        RankEntry {
            id: id.into(),
            district: district.into(),
            queue_type,
            birth_date: "2022-05-01".parse().unwrap(),
            right: RightClass::None,
            registered_at: "2026-01-10T10:00:00+05:00".parse().unwrap(),
            status: "queued".into(),
        }
    }

    #[test]
    fn the_total_counts_only_the_same_district_queue_type_and_group_year() {
        let entries = [
            entry("A", "KOK", QueueType::General),
            entry("B", "KOK", QueueType::General),
            entry("C", "KOK", QueueType::General),
            entry("D", "KOK", QueueType::Sanatorium),
            entry("E", "ZER", QueueType::General),
            entry("F", "KOK", QueueType::General),
        ];
        let places = [(2022, 1), (2022, 2), (2021, 1), (2022, 1), (2022, 1), (2022, 3)];
        let list: Vec<RankedRef<'_>> = entries
            .iter()
            .zip(places)
            .map(|(entry, (group_year, position))| RankedRef { entry, group_year, position })
            .collect();
        assert_eq!(place_in_queue(&list, "B"), Some(QueuePlace { position: 2, total: 3 }));
        assert_eq!(place_in_queue(&list, "C"), Some(QueuePlace { position: 1, total: 1 }));
        assert_eq!(place_in_queue(&list, "E"), Some(QueuePlace { position: 1, total: 1 }));
        assert_eq!(place_in_queue(&list, "X"), None);
        assert_eq!(place_in_queue(&[], "A"), None);
    }
}
