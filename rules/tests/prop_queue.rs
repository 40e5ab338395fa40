//! Properties of queue ranking, checked against a straightforward model written here:
//! split each queue by right, sort each class by (UTC instant, id bytes), then deal
//! extraordinary first and first-priority/general in slots F,G,G,G.

// Helpers outside #[test] functions unwrap too; a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use chrono::{DateTime, FixedOffset};
use proptest::prelude::*;
use proptest::sample::select;
use rules::queue::{QueueIndex, QueueMember, RankEntry, RankedRef, rank_queue};
use rules::{Date, Instant, QueueKey, QueueType, RightClass};

/// 2026-01-05T00:00:00Z.
const BASE_SECS: i64 = 1_767_571_200;

fn instant_strategy() -> impl Strategy<Value = Instant> {
    // Few distinct seconds and nanoseconds so that equal instants (written with different
    // offsets) are common; offsets span the whole range in quarter hours.
    (0i64..8, select(vec![0u32, 1, 999_999_999]), -48i32..=56).prop_map(|(step, nanos, quarters)| {
        let utc = DateTime::from_timestamp(BASE_SECS + step * 1800, nanos).expect("in range");
        let offset = FixedOffset::east_opt(quarters * 900).expect("within ±24h");
        Instant(utc.with_timezone(&offset))
    })
}

fn right_strategy() -> impl Strategy<Value = RightClass> {
    prop_oneof![1 => Just(RightClass::Extraordinary), 2 => Just(RightClass::First), 5 => Just(RightClass::None)]
}

fn entry_strategy(queued_only: bool) -> impl Strategy<Value = RankEntry> {
    let status = if queued_only {
        Just("queued".to_owned()).boxed()
    } else {
        // Only exactly "queued" is ranked: other statuses and other spellings are not.
        prop_oneof![8 => Just("queued".to_owned()), 1 => Just("voucher_issued".to_owned()), 1 => Just("Queued".to_owned())]
            .boxed()
    };
    (
        // Ids include non-ASCII letters: ties compare UTF-8 bytes.
        "[abяé0]{1,3}",
        select(vec!["KOK", "ZER", "Ақкөл"]),
        select(vec![QueueType::General, QueueType::Sanatorium]),
        select(vec!["2021-03-04", "2021-12-31", "2022-01-01", "2022-07-15"]),
        right_strategy(),
        instant_strategy(),
        status,
    )
        .prop_map(|(id, district, queue_type, birth, right, registered_at, status)| RankEntry {
            id,
            district: district.to_owned(),
            queue_type,
            birth_date: birth.parse::<Date>().expect("valid date"),
            right,
            registered_at,
            status,
        })
}

/// Entries with unique ids (duplicates are an input error, tested elsewhere).
fn entries_strategy(queued_only: bool, max: usize) -> impl Strategy<Value = Vec<RankEntry>> {
    prop::collection::vec(entry_strategy(queued_only), 0..max).prop_map(|entries| {
        let mut seen = BTreeSet::new();
        entries.into_iter().filter(|e| seen.insert(e.id.clone())).collect()
    })
}

fn key(e: &RankEntry) -> QueueKey {
    QueueKey { district: e.district.clone(), queue_type: e.queue_type, group_year: e.birth_date.year() }
}

fn utc_nanos(i: Instant) -> i128 {
    i128::from(i.0.timestamp()) * 1_000_000_000 + i128::from(i.0.timestamp_subsec_nanos())
}

fn class_order(a: &RankEntry, b: &RankEntry) -> std::cmp::Ordering {
    utc_nanos(a.registered_at).cmp(&utc_nanos(b.registered_at)).then_with(|| a.id.as_bytes().cmp(b.id.as_bytes()))
}

/// The model: each queue's ids in allocation order.
fn model(entries: &[RankEntry]) -> BTreeMap<QueueKey, Vec<String>> {
    let mut classes: BTreeMap<QueueKey, [Vec<&RankEntry>; 3]> = BTreeMap::new();
    for e in entries.iter().filter(|e| e.status == "queued") {
        let slot = match e.right {
            RightClass::Extraordinary => 0,
            RightClass::First => 1,
            RightClass::None => 2,
        };
        classes.entry(key(e)).or_default()[slot].push(e);
    }
    classes
        .into_iter()
        .map(|(queue, mut lists)| {
            for list in &mut lists {
                list.sort_by(|a, b| class_order(a, b));
            }
            let [extra, first, general] = lists;
            let mut order: Vec<String> = extra.iter().map(|e| e.id.clone()).collect();
            let (mut f, mut g): (VecDeque<_>, VecDeque<_>) = (first.into(), general.into());
            let mut slot = 0;
            while !f.is_empty() || !g.is_empty() {
                let wants_first = slot % 4 == 0;
                let next = if (wants_first && !f.is_empty()) || g.is_empty() { f.pop_front() } else { g.pop_front() };
                order.push(next.expect("one class is non-empty").id.clone());
                slot += 1;
            }
            (queue, order)
        })
        .collect()
}

fn ranked_by_queue(ranked: &[RankedRef<'_>]) -> BTreeMap<QueueKey, Vec<(u32, String)>> {
    let mut queues: BTreeMap<QueueKey, Vec<(u32, String)>> = BTreeMap::new();
    for r in ranked {
        let queue =
            QueueKey { district: r.district().to_owned(), queue_type: r.queue_type(), group_year: r.group_year };
        queues.entry(queue).or_default().push((r.position, r.id().to_owned()));
    }
    queues
}

/// Cases per property: the default, or `PROPTEST_CASES` for a longer hunt.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(512), ..ProptestConfig::default() })]

    #[test]
    fn positions_match_the_model_and_are_1_to_n(entries in entries_strategy(false, 60)) {
        let ranked = rank_queue(&entries).unwrap();
        let queued = entries.iter().filter(|e| e.status == "queued").count();
        prop_assert_eq!(ranked.len(), queued);
        let by_queue = ranked_by_queue(&ranked);
        let expected = model(&entries);
        prop_assert_eq!(by_queue.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>());
        for (queue, members) in &by_queue {
            let positions: Vec<u32> = members.iter().map(|(p, _)| *p).collect();
            let n = u32::try_from(members.len()).unwrap();
            prop_assert_eq!(positions, (1..=n).collect::<Vec<_>>(), "positions of {:?}", queue);
            let ids: Vec<String> = members.iter().map(|(_, id)| id.clone()).collect();
            prop_assert_eq!(&ids, &expected[queue], "order of {:?}", queue);
        }
        // Output order: district and queue type bytewise, then group year, then position.
        let sort_key = |r: &RankedRef<'_>| (r.district().as_bytes().to_vec(), r.queue_type().as_str(), r.group_year, r.position);
        prop_assert!(ranked.windows(2).all(|w| sort_key(&w[0]) < sort_key(&w[1])));
    }

    #[test]
    fn a_repeated_id_is_reported_as_its_first_repeat_in_input_order(
        entries in entries_strategy(false, 40),
        copies in prop::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 1..4),
    ) {
        prop_assume!(!entries.is_empty());
        let mut entries = entries;
        for (from, to) in copies {
            // Give a random entry the id of another (possibly itself: then nothing repeats).
            let id = entries[from.index(entries.len())].id.clone();
            let at = to.index(entries.len());
            entries[at].id = id;
        }
        let mut seen = BTreeSet::new();
        let expected = entries.iter().find(|e| !seen.insert(e.id.as_str())).map(|e| e.id.clone());
        match (rank_queue(&entries), expected) {
            (Err(rules::queue::DuplicateId(id)), Some(expected)) => prop_assert_eq!(id, expected),
            (Ok(_), None) => {}
            (got, expected) => prop_assert!(false, "got {:?}, expected duplicate {:?}", got.map(|r| r.len()), expected),
        }
    }

    #[test]
    fn ranking_does_not_depend_on_input_order(
        (entries, shuffled) in entries_strategy(false, 60).prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))
    ) {
        prop_assert_eq!(rank_queue(&entries).unwrap(), rank_queue(&shuffled).unwrap());
    }

    #[test]
    fn extraordinary_first_then_f_g_g_g_while_both_remain(entries in entries_strategy(true, 80)) {
        let ranked = rank_queue(&entries).unwrap();
        let by_id: BTreeMap<&str, &RankEntry> = entries.iter().map(|e| (e.id.as_str(), e)).collect();
        for (queue, members) in ranked_by_queue(&ranked) {
            let classes: Vec<RightClass> = members.iter().map(|(_, id)| by_id[id.as_str()].right).collect();
            let extra = classes.iter().filter(|c| **c == RightClass::Extraordinary).count();
            prop_assert!(classes[..extra].iter().all(|c| *c == RightClass::Extraordinary), "{:?}: {:?}", queue, classes);
            let rest = &classes[extra..];
            let mut first_left = rest.iter().filter(|c| **c == RightClass::First).count();
            let mut general_left = rest.len() - first_left;
            for (slot, class) in rest.iter().enumerate() {
                if first_left > 0 && general_left > 0 {
                    let expected = if slot % 4 == 0 { RightClass::First } else { RightClass::None };
                    prop_assert_eq!(*class, expected, "slot {} of {:?}: {:?}", slot, queue, classes);
                }
                match class {
                    RightClass::First => first_left -= 1,
                    RightClass::None => general_left -= 1,
                    RightClass::Extraordinary => prop_assert!(false, "extraordinary after the block"),
                }
            }
            // Inside each class: registration instant, then id bytes.
            for class in RightClass::ALL {
                let of_class: Vec<&RankEntry> =
                    members.iter().map(|(_, id)| by_id[id.as_str()]).filter(|e| e.right == class).collect();
                prop_assert!(of_class.windows(2).all(|w| class_order(w[0], w[1]).is_lt()));
            }
        }
    }

    #[test]
    fn queue_index_agrees_with_rank_queue_after_inserts_and_removes(
        pool in entries_strategy(true, 40),
        ops in prop::collection::vec((any::<bool>(), any::<prop::sample::Index>()), 0..120),
    ) {
        let keys: Vec<QueueKey> = pool.iter().map(key).collect();
        let member = |i: usize| QueueMember {
            queue: &keys[i],
            right: pool[i].right,
            registered_at: pool[i].registered_at,
            id: &pool[i].id,
        };
        let mut index = QueueIndex::new();
        let mut present = BTreeSet::new();
        for (insert, which) in ops {
            if pool.is_empty() {
                break;
            }
            let i = which.index(pool.len());
            if insert {
                index.insert(&member(i));
                present.insert(i);
            } else {
                index.remove(&member(i));
                present.remove(&i);
            }
            prop_assert_eq!(index.len(), present.len());
        }
        let current: Vec<RankEntry> = present.iter().map(|i| pool[*i].clone()).collect();
        let ranked = rank_queue(&current).unwrap();
        let positions: BTreeMap<&str, u32> = ranked.iter().map(|r| (r.id(), r.position)).collect();
        for (i, entry) in pool.iter().enumerate() {
            prop_assert_eq!(index.position(&member(i)), positions.get(entry.id.as_str()).copied(), "{}", entry.id);
        }
        let by_queue = ranked_by_queue(&ranked);
        prop_assert_eq!(index.queues().into_iter().cloned().collect::<Vec<_>>(), by_queue.keys().cloned().collect::<Vec<_>>());
        for (queue, members) in &by_queue {
            let ids: Vec<&str> = members.iter().map(|(_, id)| id.as_str()).collect();
            prop_assert_eq!(index.allocation_order(queue, usize::MAX), ids.clone());
            prop_assert_eq!(index.allocation_order(queue, 2), ids[..ids.len().min(2)].to_vec());
        }
        prop_assert_eq!(index.is_empty(), present.is_empty());
    }
}
