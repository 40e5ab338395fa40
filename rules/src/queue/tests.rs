//! Unit tests of the queue module.

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
    rank_queue(entries).unwrap().into_iter().map(|r| r.id.to_owned()).collect()
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
