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
    rank_queue(entries).unwrap().into_iter().map(|r| r.id().to_owned()).collect()
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
        let e = entries.iter().find(|e| e.id == r.id()).unwrap();
        let member = QueueMember { queue: &key, right: e.right, registered_at: e.registered_at, id: &e.id };
        assert_eq!(index.position(&member), Some(r.position), "{}", r.id());
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
    /// The packed keys (`instant_key` with the member's index in the low bits, sorted by
    /// `sort_class`, classes taken extraordinary, first, none) order applications exactly
    /// as `Ord` on (class, instant, id bytes), the comparison the rules define: instants at
    /// full precision whatever their offset (also where the key is coarse: before 1970,
    /// after 2242, or with many index bits), then ids bytewise (non-ASCII UTF-8, empty ids,
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
        extra_bits in 0u32..=26,
    ) {
        let mut expected = members.clone();
        expected.sort_by(|a, b| {
            (class_index(a.0), a.1, a.2.as_bytes()).cmp(&(class_index(b.0), b.1, b.2.as_bytes()))
        });
        // As many index bits as `rank_with` takes for this list, or more (a longer list).
        let index_bits = (usize::BITS - members.len().saturating_sub(1).leading_zeros() + extra_bits).min(32);
        let index = |key: u64| index_of(key, index_bits);
        let exact = |a: u64, b: u64| {
            let (a, b) = (&members[index(a)], &members[index(b)]);
            a.1.cmp(&b.1).then_with(|| a.2.as_bytes().cmp(b.2.as_bytes()))
        };
        let mut packed = Vec::new();
        for class in RightClass::ALL {
            let mut keys: Vec<u64> = members
                .iter()
                .enumerate()
                .filter(|(_, member)| member.0 == class)
                .map(|(i, member)| instant_key(member.1, index_bits) | i as u64)
                .collect();
            sort_class(&mut keys, index_bits, &exact);
            packed.extend(keys.into_iter().map(|key| members[index(key)].clone()));
        }
        // Equal tuples may come in either order; `Instant`'s `==` is the UTC instant.
        proptest::prop_assert_eq!(packed, expected);
    }

    /// `instant_key` never orders two instants against `Ord` (it may only merge them), and
    /// keeps apart instants from 1970 to 2242 that are at least its resolution apart:
    /// whole seconds for up to 2^31 entries, milliseconds for up to 2^19.
    #[test]
    fn instant_key_is_monotone_and_keeps_seconds_apart(
        a in packed_instant(),
        b in packed_instant(),
        secs in 0i64..(1 << 33) - 1,
        millis in 0u32..1000,
        index_bits in 0u32..=32,
    ) {
        let (ka, kb) = (instant_key(a, index_bits), instant_key(b, index_bits));
        proptest::prop_assert!(ka.cmp(&kb) == a.cmp(&b) || ka == kb, "{:?} {:?}", a, b);
        proptest::prop_assert_eq!(ka & !u64::MAX.checked_shl(index_bits).unwrap_or(0), 0);
        let at = |secs: i64, nanos: u32| Instant(chrono::DateTime::from_timestamp(secs, nanos).unwrap().fixed_offset());
        if index_bits <= 31 {
            proptest::prop_assert!(instant_key(at(secs, 0), index_bits) < instant_key(at(secs + 1, 0), index_bits));
        }
        if index_bits <= 19 && millis < 999 {
            let (one, next) = (at(secs, millis * 1_000_000), at(secs, (millis + 1) * 1_000_000));
            proptest::prop_assert!(instant_key(one, index_bits) < instant_key(next, index_bits));
        }
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
