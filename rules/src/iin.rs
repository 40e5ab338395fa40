//! Individual identification number (ИИН / ЖСН): 12 digits, birth date, sex, check digit.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::i18n::{Lang, Localized, Text};
use crate::time::Date;

/// Sex encoded in the IIN's 7th digit (odd = male, even = female).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn text(self) -> Text {
        match self {
            Sex::Male => Text::new("мужской", "ер", "male"),
            Sex::Female => Text::new("женский", "әйел", "female"),
        }
    }
}

/// Why a string is not a valid IIN; checked in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IinError {
    #[error("IIN must be exactly 12 digits")]
    Format,
    #[error("IIN encodes an impossible date or century")]
    Date,
    #[error("IIN check digit does not match")]
    Checksum,
}

impl Localized for IinError {
    fn code(&self) -> &'static str {
        match self {
            IinError::Format => "IIN_FORMAT",
            IinError::Date => "IIN_DATE",
            IinError::Checksum => "IIN_CHECKSUM",
        }
    }
    fn message(&self, lang: Lang) -> String {
        let text = match self {
            IinError::Format => Text::new(
                "ИИН должен состоять ровно из 12 цифр",
                "ЖСН дәл 12 цифрдан тұруы керек",
                "The IIN must be exactly 12 digits",
            ),
            IinError::Date => Text::new(
                "ИИН содержит несуществующую дату рождения или неверную цифру века",
                "ЖСН-да жоқ туған күн немесе ғасырдың қате цифры бар",
                "The IIN encodes an impossible birth date or century",
            ),
            IinError::Checksum => Text::new(
                "Неверная контрольная цифра ИИН: проверьте, нет ли опечатки",
                "ЖСН-ның бақылау цифры дұрыс емес: қатені тексеріңіз",
                "The IIN check digit is wrong: look for a typo",
            ),
        };
        text.get(lang).to_owned()
    }
}

/// A validated IIN with what it encodes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Iin {
    digits: String,
    birth_date: Date,
    sex: Sex,
}

impl Iin {
    /// Validates `text` without trimming: format, then date, then check digit.
    pub fn parse(text: &str) -> Result<Self, IinError> {
        let bytes = text.as_bytes();
        if bytes.len() != 12 || !bytes.iter().all(u8::is_ascii_digit) {
            return Err(IinError::Format);
        }
        let d: Vec<u32> = bytes.iter().map(|b| u32::from(b - b'0')).collect();
        let century_start = match d[6] {
            1 | 2 => 1800,
            3 | 4 => 1900,
            5 | 6 => 2000,
            _ => return Err(IinError::Date),
        };
        let year = century_start + i32::try_from(d[0] * 10 + d[1]).map_err(|_| IinError::Date)?;
        let birth_date =
            NaiveDate::from_ymd_opt(year, d[2] * 10 + d[3], d[4] * 10 + d[5]).map(Date).ok_or(IinError::Date)?;
        if check_digit(&d[..11]) != Some(d[11]) {
            return Err(IinError::Checksum);
        }
        let sex = if d[6] % 2 == 1 { Sex::Male } else { Sex::Female };
        Ok(Iin { digits: text.to_owned(), birth_date, sex })
    }

    pub fn as_str(&self) -> &str {
        &self.digits
    }
    /// The date encoded in digits 1–6 (may differ from the real birth date since 2013).
    pub fn birth_date(&self) -> Date {
        self.birth_date
    }
    pub fn sex(&self) -> Sex {
        self.sex
    }
}

/// The IIN of someone born on `birth`, of `sex`, with the 4-digit `serial` (taken modulo
/// 10,000): date, century-and-sex digit, serial, check digit. `None` when the year is
/// outside 1800–2099 or this serial has no check digit (both weightings give 10).
pub fn encode(birth: Date, sex: Sex, serial: u32) -> Option<String> {
    let century = match (birth.year() / 100, sex) {
        (18, Sex::Male) => 1,
        (18, Sex::Female) => 2,
        (19, Sex::Male) => 3,
        (19, Sex::Female) => 4,
        (20, Sex::Male) => 5,
        (20, Sex::Female) => 6,
        _ => return None,
    };
    complete(&format!("{}{century}{:04}", birth.0.format("%y%m%d"), serial % 10_000))
}

/// [`encode`] with the first of `serial`, `serial + 1`, … `serial + 9` that has a check
/// digit (one always does: at most 1 serial in 11 lacks one).
pub fn encode_near(birth: Date, sex: Sex, serial: u32) -> Option<String> {
    (serial..serial + 10).find_map(|s| encode(birth, sex, s))
}

/// The IIN whose first 11 digits are `first_eleven`, or `None` when they are not 11 ASCII
/// digits or have no check digit.
pub fn complete(first_eleven: &str) -> Option<String> {
    if first_eleven.len() != 11 || !first_eleven.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: Vec<u32> = first_eleven.bytes().map(|b| u32::from(b - b'0')).collect();
    check_digit(&digits).map(|check| format!("{first_eleven}{check}"))
}

/// The 12th digit for the first 11, or `None` when both weightings give 10.
pub fn check_digit(first_eleven: &[u32]) -> Option<u32> {
    const FIRST: [u32; 11] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const SECOND: [u32; 11] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    let weighted = |weights: &[u32; 11]| first_eleven.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11;
    match weighted(&FIRST) {
        10 => match weighted(&SECOND) {
            10 => None,
            digit => Some(digit),
        },
        digit => Some(digit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_iins_parse_back_to_their_date_and_sex() {
        let mut encoded = 0;
        for (y, m, d) in [(1850, 2, 28), (1990, 1, 15), (2023, 5, 10), (2024, 2, 29)] {
            let birth = Date::from_ymd(y, m, d).expect("date");
            for sex in [Sex::Male, Sex::Female] {
                for serial in 0..40 {
                    let Some(text) = encode(birth, sex, serial) else { continue };
                    let iin = Iin::parse(&text).expect("valid");
                    assert_eq!((iin.birth_date(), iin.sex()), (birth, sex));
                    encoded += 1;
                }
                let near = encode_near(birth, sex, 7).expect("one of ten serials has a check digit");
                assert!(Iin::parse(&near).is_ok());
            }
        }
        assert!(encoded > 250, "about 10 in 11 serials have a check digit: {encoded}");
        assert_eq!(encode(Date::from_ymd(2100, 1, 1).expect("date"), Sex::Male, 1), None);
        assert_eq!(complete("1234567890"), None);
        assert_eq!(complete("12345678901x"), None);
    }

    /// Builds a valid IIN from a date, a century/sex digit and a serial, if one exists.
    fn make(prefix11: &str) -> Option<String> {
        let d: Vec<u32> = prefix11.bytes().map(|b| u32::from(b - b'0')).collect();
        check_digit(&d).map(|c| format!("{prefix11}{c}"))
    }

    #[test]
    fn valid_iin_gives_birth_date_and_sex() {
        let iin = make("22071450012").unwrap();
        let parsed = Iin::parse(&iin).unwrap();
        assert_eq!(parsed.birth_date().to_string(), "2022-07-14");
        assert_eq!(parsed.sex(), Sex::Male);
        let iin = make("88022940012").unwrap();
        let parsed = Iin::parse(&iin).unwrap();
        assert_eq!(parsed.birth_date().to_string(), "1988-02-29");
        assert_eq!(parsed.sex(), Sex::Female);
    }

    #[test]
    fn known_check_digit_with_second_weighting() {
        // First weighting: 1*0+2*0+...; chosen so that the first sum mod 11 is 10.
        let digits = [0, 0, 0, 1, 0, 1, 5, 0, 0, 0, 0];
        let first: u32 = digits.iter().zip(1..=11).map(|(d, w)| d * w).sum::<u32>() % 11;
        assert_eq!(first, (4 + 6 + 35) % 11);
        // Exhaustively check that the second weighting is applied when the first gives 10.
        let mut seen_second = false;
        for serial in 0..10_000u32 {
            let prefix = format!("2001015{serial:04}");
            let d: Vec<u32> = prefix.bytes().map(|b| u32::from(b - b'0')).collect();
            let first: u32 = d.iter().zip(1..=11).map(|(d, w)| d * w).sum::<u32>() % 11;
            if first == 10 {
                let second: u32 =
                    d.iter().zip([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]).map(|(d, w)| d * w).sum::<u32>() % 11;
                assert_eq!(check_digit(&d), (second != 10).then_some(second));
                seen_second = true;
            }
        }
        assert!(seen_second);
    }

    #[test]
    fn errors_come_in_order() {
        assert_eq!(Iin::parse(" 22071450012"), Err(IinError::Format));
        assert_eq!(Iin::parse("2207145001２"), Err(IinError::Format));
        assert_eq!(Iin::parse("22071450012"), Err(IinError::Format));
        assert_eq!(Iin::parse("2207145001234"), Err(IinError::Format));
        // Century digit 0 and 7 are dates errors even with a bad checksum.
        assert_eq!(Iin::parse("220714000120"), Err(IinError::Date));
        assert_eq!(Iin::parse("220714700120"), Err(IinError::Date));
        // 2023 is not a leap year, 2024 is.
        assert_eq!(Iin::parse("230229500120"), Err(IinError::Date));
        let leap = make("24022950012").unwrap();
        assert!(Iin::parse(&leap).is_ok());
        // 1900 was not a leap year (century 3/4), 2000 was (5/6).
        assert_eq!(Iin::parse("000229300120"), Err(IinError::Date));
        assert!(Iin::parse(&make("00022950012").unwrap()).is_ok());
        let good = make("22071450012").unwrap();
        let last = good.as_bytes()[11] - b'0';
        let wrong = format!("{}{}", &good[..11], (last + 1) % 10);
        assert_eq!(Iin::parse(&wrong), Err(IinError::Checksum));
    }

    #[test]
    fn every_error_has_three_languages() {
        for e in [IinError::Format, IinError::Date, IinError::Checksum] {
            let texts: Vec<String> = Lang::ALL.iter().map(|l| e.message(*l)).collect();
            assert!(texts.iter().all(|t| !t.is_empty()));
            assert_ne!(texts[0], texts[2]);
        }
    }
}
