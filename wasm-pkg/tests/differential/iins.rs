//! IINs as arguments: valid ones for random dates, and every way one can be wrong.

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::cases::lang_args;
use crate::dates::random_date;
use crate::rng::Rng;

fn digits_of(text: &str) -> Vec<u32> {
    text.bytes().map(|b| u32::from(b - b'0')).collect()
}

/// A valid IIN for `date` (1800–2099) with a random serial (`rules::iin::encode`; a serial
/// without a check digit draws again).
pub(crate) fn iin_for(rng: &mut Rng, date: NaiveDate, male: bool) -> String {
    let sex = if male { rules::Sex::Male } else { rules::Sex::Female };
    loop {
        let serial = u32::try_from(rng.below(10_000)).expect("small");
        if let Some(iin) = rules::iin::encode(rules::Date(date), sex, serial) {
            return iin;
        }
    }
}

fn random_iin(rng: &mut Rng) -> String {
    let date = random_date(rng, 1800..=2099);
    let male = rng.chance(50);
    iin_for(rng, date, male)
}

fn with_check_digit(prefix11: &str, rng: &mut Rng) -> String {
    let check = rules::iin::check_digit(&digits_of(prefix11)).unwrap_or_else(|| rng.small(0, 9));
    format!("{prefix11}{check}")
}

pub(crate) fn iin_case(rng: &mut Rng) -> Value {
    let valid = random_iin(rng);
    let text = match rng.below(100) {
        0..=39 => valid,
        40..=54 => {
            let mut bytes = valid.into_bytes();
            let i = rng.index(12);
            bytes[i] = b'0' + u8::try_from((u32::from(bytes[i] - b'0') + rng.small(1, 9)) % 10).expect("digit");
            String::from_utf8(bytes).expect("ascii")
        }
        55..=62 => {
            let mut bytes = valid.into_bytes();
            let i = rng.index(11);
            bytes.swap(i, i + 1);
            String::from_utf8(bytes).expect("ascii")
        }
        63..=67 => {
            let c = rng.pick(&['0', '7', '8', '9']);
            let prefix = format!("{}{c}{}", &valid[..6], &valid[7..11]);
            with_check_digit(&prefix, rng)
        }
        68..=73 => {
            let bad = rng.pick(&["221301", "220230", "230229", "000229", "220732", "220400", "220431", "000000"]);
            let century = rng.pick(&['1', '2', '3', '4', '5', '6']);
            let prefix = format!("{bad}{century}{:04}", rng.below(10_000));
            with_check_digit(&prefix, rng)
        }
        74..=77 => {
            // A prefix whose check digit does not exist: every 12th digit is wrong.
            loop {
                let prefix = format!("{}{:04}", &valid[..7], rng.below(10_000));
                if rules::iin::check_digit(&digits_of(&prefix)).is_none() {
                    break format!("{prefix}{}", rng.below(10));
                }
            }
        }
        78..=92 => match rng.below(12) {
            0 => valid[..11].to_owned(),
            1 => format!("{valid}{}", rng.below(10)),
            2 => format!(" {valid}"),
            3 => format!("{valid} "),
            4 => format!("{}-{}", &valid[..6], &valid[6..]),
            5 => valid.replacen(&valid[3..4], "O", 1),
            6 => valid.chars().map(|c| char::from_u32(u32::from(c) - u32::from('0') + 0xFF10).unwrap_or(c)).collect(),
            7 => valid.chars().map(|c| char::from_u32(u32::from(c) - u32::from('0') + 0x0660).unwrap_or(c)).collect(),
            8 => String::new(),
            9 => format!("{}\u{0}", &valid[..11]),
            10 => "ИИН123456789".to_owned(),
            _ => format!("+{}", &valid[..11]),
        },
        _ => {
            let value = rng
                .pick(&[json!(123_456_789_012_u64), Value::Null, json!(["220714500123"]), json!({}), json!(true)])
                .clone();
            return lang_args(rng, vec![value]);
        }
    };
    lang_args(rng, vec![Value::String(text)])
}
