//! Who this kiosk is: `kiosk.json` in the data folder.

use serde::{Deserialize, Serialize};

/// Version of `kiosk.json`.
pub const IDENTITY_FORMAT: u32 = 1;

/// The kiosk's identity, written once by `init`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Identity {
    pub format: u32,
    /// `DDD-NNNN`: district code, a dash, 2–4 digits (e.g. `KOK-03`).
    pub kiosk_id: String,
    pub district: String,
    /// The office's name, for people.
    pub name: String,
    /// ed25519 public key, hex.
    pub public_key: String,
    /// Kiosk clock at `init`.
    pub created_at: String,
}

/// Checks the kiosk id shape `DDD-NN` … `DDD-NNNN` and that `DDD` is the district.
pub fn valid_kiosk_id(id: &str, district: &str) -> bool {
    let Some((prefix, number)) = id.split_once('-') else { return false };
    prefix == district
        && prefix.len() == 3
        && prefix.bytes().all(|b| b.is_ascii_uppercase())
        && (2..=4).contains(&number.len())
        && number.bytes().all(|b| b.is_ascii_digit())
}

/// A default kiosk id for a district: four digits taken from the public key, so that two
/// kiosks set up without `--id` are unlikely to clash (the center refuses a clash anyway).
pub fn default_kiosk_id(district: &str, public_key: &[u8; 32]) -> String {
    let n = u32::from(u16::from_le_bytes([public_key[0], public_key[1]])) % 10_000;
    format!("{district}-{n:04}")
}

/// A registration number: `KIOSK-YEAR-NNNNNN`, prefixed by the application's district
/// when it is not the kiosk's (`AKK-KOK-03-2026-000042`). Unique without coordination:
/// kiosk ids are unique and each kiosk counts its own registrations.
pub fn registration_number(identity: &Identity, app_district: &str, year: i32, counter: u64) -> String {
    if app_district == identity.district {
        format!("{}-{year}-{counter:06}", identity.kiosk_id)
    } else {
        format!("{app_district}-{}-{year}-{counter:06}", identity.kiosk_id)
    }
}

/// A places record id: `KIOSK-YEAR-PNNNNNN` (e.g. `KOK-03-2026-P000007`).
pub fn places_record_id(identity: &Identity, year: i32, counter: u64) -> String {
    format!("{}-{year}-P{counter:06}", identity.kiosk_id)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // A failed unwrap is a failed test.
mod tests {
    use super::*;

    fn identity() -> Identity {
        Identity {
            format: IDENTITY_FORMAT,
            kiosk_id: "KOK-03".into(),
            district: "KOK".into(),
            name: "Office".into(),
            public_key: String::new(),
            created_at: String::new(),
        }
    }

    #[test]
    fn numbers_are_readable_and_carry_district_kiosk_year_counter() {
        assert_eq!(registration_number(&identity(), "KOK", 2026, 42), "KOK-03-2026-000042");
        assert_eq!(registration_number(&identity(), "AKK", 2026, 43), "AKK-KOK-03-2026-000043");
        assert_eq!(places_record_id(&identity(), 2026, 7), "KOK-03-2026-P000007");
    }

    #[test]
    fn kiosk_ids_are_checked() {
        assert!(valid_kiosk_id("KOK-03", "KOK"));
        assert!(valid_kiosk_id("KOK-1234", "KOK"));
        for bad in ["KOK-3", "KOK-12345", "AKK-03", "KOK03", "KOK-0a", "kok-03", "KOK-03-1"] {
            assert!(!valid_kiosk_id(bad, "KOK"), "{bad}");
        }
        let id = default_kiosk_id("ZER", &[7; 32]);
        assert!(valid_kiosk_id(&id, "ZER"), "{id}");
    }
}
