//! `rankQueue`'s and `explainPosition`'s lists as the package's JavaScript entry
//! (`js/packed.js`) passes them: a few typed arrays instead of one object per application,
//! so that a list of 100,000 crosses into WebAssembly without `JSON.stringify` and the
//! answer comes back without `JSON.parse`.
//!
//! A list of `n` applications is packed as:
//! - `text`: the UTF-8 of, in order, each application's `id` and `registeredAt`
//!   (`2n` strings), then the distinct values of the other five fields (`m` words);
//! - `lengths`: the length of each of those `2n + m` strings in UTF-16 code units (what
//!   JavaScript's `length` counts);
//! - `codes`: per application, the word index of its `district`, `queueType`, `birthDate`,
//!   `right` and `status` (`5n` numbers).
//!
//! Unpacking accepts exactly the lists whose every field `rankQueue` reads without an
//! error; anything else is `None`, and the JS side then calls the JSON path, which gives
//! the same answer or the error with its exact wording.

use rules::Date;
use rules::model::{QueueType, RightClass};
use rules::queue::{RankEntry, RankView};

/// The fields of a packed application that are words (indexes into the word list).
const WORD_FIELDS: usize = 5;

/// A packed list, as received.
#[derive(Debug, Clone, Copy)]
pub struct Packed<'a> {
    pub text: &'a str,
    pub lengths: &'a [u32],
    pub codes: &'a [u32],
}

/// A packed list, checked and read.
#[derive(Debug)]
pub struct Columns<'a> {
    pub views: Vec<RankView<'a>>,
    statuses: Vec<&'a str>,
}

impl Columns<'_> {
    /// The list as owned entries (for `explainPosition`, which reports statuses).
    pub fn entries(&self) -> Vec<RankEntry> {
        self.views
            .iter()
            .zip(&self.statuses)
            .map(|(view, status)| RankEntry {
                id: view.id.to_owned(),
                district: view.district.to_owned(),
                queue_type: view.queue_type,
                birth_date: view.birth_date,
                right: view.right,
                registered_at: view.registered_at,
                status: (*status).to_owned(),
            })
            .collect()
    }
}

impl<'a> Packed<'a> {
    /// The list's entries, or `None` when the packing is inconsistent or any field is not
    /// one that `rankQueue` accepts.
    pub fn unpack(self) -> Option<Columns<'a>> {
        if !self.codes.len().is_multiple_of(WORD_FIELDS) {
            return None;
        }
        let count = self.codes.len() / WORD_FIELDS;
        let strings = split_utf16(self.text, self.lengths)?;
        let words = strings.get(count.checked_mul(2)?..)?;
        // Each word read once per field that may hold it.
        let queue_types: Vec<Option<QueueType>> =
            words.iter().map(|w| QueueType::ALL.into_iter().find(|t| t.as_str() == *w)).collect();
        let rights: Vec<Option<RightClass>> =
            words.iter().map(|w| RightClass::ALL.into_iter().find(|r| r.as_str() == *w)).collect();
        let dates: Vec<Option<Date>> = words.iter().map(|w| w.parse().ok()).collect();
        if self.codes.iter().any(|&code| code as usize >= words.len()) {
            return None;
        }
        let mut views = Vec::with_capacity(count);
        let mut statuses = Vec::with_capacity(count);
        for (i, codes) in self.codes.chunks_exact(WORD_FIELDS).enumerate() {
            let [district, queue_type, birth_date, right, status] = [0, 1, 2, 3, 4].map(|field| codes[field] as usize);
            views.push(RankView {
                id: strings[2 * i],
                district: words[district],
                queue_type: queue_types[queue_type]?,
                birth_date: dates[birth_date]?,
                right: rights[right]?,
                registered_at: strings[2 * i + 1].parse().ok()?,
                queued: words[status] == "queued",
            });
            statuses.push(words[status]);
        }
        Some(Columns { views, statuses })
    }
}

/// Cuts `text` into pieces of the given UTF-16 lengths; `None` when they do not add up to
/// it or a length ends inside a character.
fn split_utf16<'a>(text: &'a str, lengths: &[u32]) -> Option<Vec<&'a str>> {
    let mut pieces = Vec::with_capacity(lengths.len());
    let mut rest = text;
    // UTF-8 bytes equal UTF-16 units only when every character is ASCII: then a length is
    // a byte count.
    let units: u64 = lengths.iter().map(|&l| u64::from(l)).sum();
    if units == text.len() as u64 && text.is_ascii() {
        for &length in lengths {
            let (piece, tail) = rest.split_at_checked(usize::try_from(length).ok()?)?;
            pieces.push(piece);
            rest = tail;
        }
    } else {
        for &length in lengths {
            let (mut counted, mut end) = (0u64, 0usize);
            for c in rest.chars() {
                if counted >= u64::from(length) {
                    break;
                }
                counted += c.len_utf16() as u64;
                end += c.len_utf8();
            }
            if counted != u64::from(length) {
                return None;
            }
            let (piece, tail) = rest.split_at(end);
            pieces.push(piece);
            rest = tail;
        }
    }
    rest.is_empty().then_some(pieces)
}

#[cfg(test)]
mod tests {
    use super::{Packed, split_utf16};
    use crate::api;

    /// Packs `(id, district, queueType, birthDate, right, registeredAt, status)` rows as
    /// `js/packed.js` does.
    fn pack(rows: &[[&str; 7]]) -> (String, Vec<u32>, Vec<u32>) {
        let (mut text, mut lengths, mut codes, mut words) = (String::new(), Vec::new(), Vec::new(), Vec::<&str>::new());
        let utf16 = |s: &str| u32::try_from(s.encode_utf16().count()).unwrap();
        for row in rows {
            for field in [row[0], row[5]] {
                text.push_str(field);
                lengths.push(utf16(field));
            }
            for field in [row[1], row[2], row[3], row[4], row[6]] {
                let index = words.iter().position(|w| *w == field).unwrap_or_else(|| {
                    words.push(field);
                    words.len() - 1
                });
                codes.push(u32::try_from(index).unwrap());
            }
        }
        for word in words {
            text.push_str(word);
            lengths.push(utf16(word));
        }
        (text, lengths, codes)
    }

    fn rank(rows: &[[&str; 7]]) -> Option<Vec<i32>> {
        let (text, lengths, codes) = pack(rows);
        api::rank_queue_packed(Packed { text: &text, lengths: &lengths, codes: &codes })
    }

    const AT: &str = "2026-01-10T10:00:00+05:00";

    #[test]
    fn a_packed_list_ranks_as_the_json_list_does() {
        let rows = [
            ["g1", "KOK", "general", "2022-01-01", "none", AT, "queued"],
            ["ә", "KOK", "general", "2022-05-01", "first", AT, "queued"],
            ["😀", "KOK", "general", "2022-03-01", "extraordinary", "2026-01-11T00:00:00Z", "queued"],
            ["x", "KOK", "general", "2022-03-01", "extraordinary", AT, "archived"],
            ["a", "AKK", "special", "2021-03-01", "none", AT, "queued"],
        ];
        let json: Vec<serde_json::Value> = rows
            .iter()
            .map(|[id, district, queue_type, birth_date, right, at, status]| {
                serde_json::json!({"id": id, "district": district, "queueType": queue_type, "birthDate": birth_date,
                    "right": right, "registeredAt": at, "status": status})
            })
            .collect();
        let expected: Vec<i32> = api::rank_queue(&serde_json::Value::Array(json))
            .unwrap()
            .iter()
            .flat_map(|r| {
                let entry = rows.iter().position(|row| row[0] == r.id).unwrap();
                [i32::try_from(entry).unwrap(), r.group_year, i32::try_from(r.position).unwrap()]
            })
            .collect();
        assert_eq!(rank(&rows), Some(expected));
    }

    #[test]
    fn anything_the_json_path_would_refuse_is_left_to_it() {
        let good = ["g1", "KOK", "general", "2022-01-01", "none", AT, "queued"];
        assert!(rank(&[good]).is_some());
        for (field, bad) in [(2, "General"), (3, "2022-02-30"), (4, "second"), (5, "2026-01-10T10:00:00")] {
            let mut row = good;
            row[field] = bad;
            assert_eq!(rank(&[row]), None, "{bad}");
        }
        assert_eq!(rank(&[good, good]), None, "a duplicate id");
        let (text, lengths, mut codes) = pack(&[good]);
        let packed = |codes: &[u32], lengths: &[u32]| api::rank_queue_packed(Packed { text: &text, lengths, codes });
        assert_eq!(packed(&codes[..4], &lengths), None, "codes not in fives");
        assert_eq!(packed(&codes, &lengths[..lengths.len() - 1]), None, "text left over");
        codes[0] = 99;
        assert_eq!(packed(&codes, &lengths), None, "a word index out of range");
    }

    #[test]
    fn pieces_are_cut_by_utf16_length() {
        assert_eq!(split_utf16("abcde", &[2, 0, 3]), Some(vec!["ab", "", "cde"]));
        // é is one unit, 😀 two, ә one.
        assert_eq!(split_utf16("é😀әx", &[1, 2, 2]), Some(vec!["é", "😀", "әx"]));
        assert_eq!(split_utf16("abc", &[1, 1]), None, "a rest is left");
        assert_eq!(split_utf16("abc", &[2, 2]), None, "past the end");
        assert_eq!(split_utf16("😀", &[1, 1]), None, "a length ends inside a character");
        assert_eq!(split_utf16("", &[]), Some(vec![]));
    }
}
