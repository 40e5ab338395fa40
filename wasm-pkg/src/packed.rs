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
    codes: &'a [u32],
    words: Vec<&'a str>,
}

impl Columns<'_> {
    /// The list as owned entries (for `explainPosition`, which reports statuses).
    pub fn entries(&self) -> Vec<RankEntry> {
        self.views
            .iter()
            .zip(self.codes.chunks_exact(WORD_FIELDS))
            .map(|(view, codes)| RankEntry {
                id: view.id.to_owned(),
                district: view.district.to_owned(),
                queue_type: view.queue_type,
                birth_date: view.birth_date,
                right: view.right,
                registered_at: view.registered_at,
                status: self.words[codes[4] as usize].to_owned(),
            })
            .collect()
    }
}

/// What a word is as each field that may hold it, read once per distinct word.
#[derive(Debug, Clone, Copy)]
struct Word {
    queue_type: Option<QueueType>,
    right: Option<RightClass>,
    date: Option<Date>,
    queued: bool,
}

impl<'a> Packed<'a> {
    /// The list's entries, or `None` when the packing is inconsistent or any field is not
    /// one that `rankQueue` accepts.
    pub fn unpack(self) -> Option<Columns<'a>> {
        if !self.codes.len().is_multiple_of(WORD_FIELDS) {
            return None;
        }
        let count = self.codes.len() / WORD_FIELDS;
        let (entry_lengths, word_lengths) = self.lengths.split_at_checked(count.checked_mul(2)?)?;
        let mut pieces = Pieces::new(self.text, self.lengths);
        // The words follow the entries' strings: read them first.
        let mut rest = pieces;
        for &length in entry_lengths {
            rest.next(length)?;
        }
        let mut words = Vec::with_capacity(word_lengths.len());
        for &length in word_lengths {
            words.push(rest.next(length)?);
        }
        if !rest.rest.is_empty() {
            return None;
        }
        let read: Vec<Word> = words
            .iter()
            .map(|&w| Word {
                queue_type: QueueType::ALL.into_iter().find(|t| t.as_str() == w),
                right: RightClass::ALL.into_iter().find(|r| r.as_str() == w),
                date: w.parse().ok(),
                queued: w == "queued",
            })
            .collect();
        let mut views = Vec::with_capacity(count);
        for (codes, lengths) in self.codes.chunks_exact(WORD_FIELDS).zip(entry_lengths.chunks_exact(2)) {
            let id = pieces.next(lengths[0])?;
            let registered_at = pieces.next(lengths[1])?;
            let (district, queue_type, birth_date, right, status) =
                (codes[0] as usize, codes[1] as usize, codes[2] as usize, codes[3] as usize, codes[4] as usize);
            views.push(RankView {
                id,
                district: words.get(district)?,
                queue_type: read.get(queue_type)?.queue_type?,
                birth_date: read.get(birth_date)?.date?,
                right: read.get(right)?.right?,
                registered_at: registered_at.parse().ok()?,
                queued: read.get(status)?.queued,
            });
        }
        Some(Columns { views, codes: self.codes, words })
    }
}

/// Cuts a text into consecutive pieces given by their lengths in UTF-16 code units.
#[derive(Debug, Clone, Copy)]
struct Pieces<'a> {
    rest: &'a str,
    /// Every character is ASCII and the lengths add up to the text: a length is a byte count.
    ascii: bool,
}

impl<'a> Pieces<'a> {
    /// Pieces of `text`, to be cut by (a split of) `lengths`.
    fn new(text: &'a str, lengths: &[u32]) -> Self {
        // UTF-8 bytes equal UTF-16 units only when every character is ASCII.
        let units: u64 = lengths.iter().map(|&l| u64::from(l)).sum();
        Pieces { rest: text, ascii: units == text.len() as u64 && text.is_ascii() }
    }

    /// The next piece, `length` units long; `None` past the end or inside a character.
    fn next(&mut self, length: u32) -> Option<&'a str> {
        let end = if self.ascii {
            usize::try_from(length).ok()?
        } else {
            let (mut counted, mut end) = (0u64, 0usize);
            for c in self.rest.chars() {
                if counted >= u64::from(length) {
                    break;
                }
                counted += c.len_utf16() as u64;
                end += c.len_utf8();
            }
            if counted != u64::from(length) {
                return None;
            }
            end
        };
        let (piece, tail) = self.rest.split_at_checked(end)?;
        self.rest = tail;
        Some(piece)
    }
}

/// Cuts `text` into pieces of the given UTF-16 lengths; `None` when they do not add up to
/// it or a length ends inside a character.
#[cfg(test)]
fn split_utf16<'a>(text: &'a str, lengths: &[u32]) -> Option<Vec<&'a str>> {
    let mut pieces = Pieces::new(text, lengths);
    let cut = lengths.iter().map(|&length| pieces.next(length)).collect::<Option<Vec<_>>>()?;
    pieces.rest.is_empty().then_some(cut)
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
