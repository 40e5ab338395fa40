//! Synthetic data for tests and the benchmark: valid IINs, sample applications, a staffed
//! test kiosk.
//! Not used by the kiosk itself.

use rules::model::{Applicant, Kinship, NewApplication, QueueType, Residence, ResidenceKind, RightClass};
use rules::time::Date;

/// A valid IIN for someone born on `birth`, or `None` if this serial has no check digit
/// (`rules::iin::encode`).
pub fn iin_for(birth: Date, male: bool, serial: u32) -> Option<String> {
    rules::iin::encode(birth, if male { rules::Sex::Male } else { rules::Sex::Female }, serial)
}

/// `n` distinct valid child IINs with birth dates spread over the `days` days before `today`.
pub fn children(n: usize, today: Date, days: u32) -> Vec<(String, Date)> {
    // Birth day, sex and the IIN's 4-digit serial repeat together every `cycle` numbers;
    // the second cycle shifts the serial by one (an odd serial for an even one: no clash
    // with the first), so two cycles (1,460,000 children over four years of birth dates, a
    // decade of a busy office) stay distinct. The first cycle is as it always was.
    let days = days.max(1);
    let cycle = days / gcd(days, 10_000) * 10_000;
    let mut out = Vec::with_capacity(n);
    let mut serial = 0u32;
    let mut day = 30u32;
    while out.len() < n {
        let Some(birth) = today.0.checked_sub_days(chrono::Days::new(u64::from(30 + day % days))).map(Date) else {
            break;
        };
        if let Some(iin) = iin_for(birth, serial.is_multiple_of(2), serial + serial / cycle) {
            out.push((iin, birth));
        }
        serial += 1;
        day += 1;
        if serial >= 10_000 * 365 {
            break;
        }
    }
    out
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// A complete `register` application (id left for the kiosk) for a child.
pub fn application(district: &str, child_iin: &str, birth: Date, n: usize) -> NewApplication {
    let parent_birth = Date::from_ymd(1990, 5, 17).expect("valid date");
    let parent_iin = (0..100u32)
        .find_map(|s| iin_for(parent_birth, false, (u32::try_from(n % 9000).unwrap_or(0)) + s))
        .unwrap_or_else(|| "900517400000".into());
    NewApplication {
        id: String::new(),
        district: district.to_owned(),
        queue_type: QueueType::General,
        child_iin: child_iin.to_owned(),
        child_name: format!("Тестов Бала {n}"),
        birth_date: birth,
        applicant: Applicant {
            iin: parent_iin,
            name: "Тестова Ана Ержанқызы".into(),
            kinship: Kinship::Mother,
            phone: "+7 701 000 00 00".into(),
            email: None,
        },
        residence: Residence {
            kind: ResidenceKind::Permanent, address: "г. Кокшетау, ул. Абая, д. 1".into()
        },
        non_resident: false,
        non_resident_documents: Vec::new(),
        right: RightClass::None,
        right_category: None,
        right_document: None,
    }
}

/// The password of a [`staffed_kiosk`]'s administrator `admin`.
pub const ADMIN_PASSWORD: &str = "admin-secret";
/// The password of a [`staffed_kiosk`]'s operator `op`.
pub const OPERATOR_PASSWORD: &str = "operator-secret";
/// The password of a [`staffed_kiosk`]'s kindergarten staff member `kg`.
pub const STAFF_PASSWORD: &str = "staff-secret";

/// A test kiosk `kiosk_id` of `district` in `dir`, with fast password hashing: administrator
/// `admin`, operator `op` and, when `kindergarten` is given, staff member `kg` attached to it.
/// Panics on a failed set-up (it is for tests).
pub fn staffed_kiosk(
    dir: &std::path::Path,
    district: &str,
    kiosk_id: &str,
    kindergarten: Option<&str>,
) -> crate::Kiosk {
    use crate::{InitParams, Kiosk, NewOperator};
    crate::passwords::insecure_fast_hashing_for_tests();
    let params = InitParams {
        district: district.into(),
        name: format!("Office {kiosk_id}"),
        kiosk_id: Some(kiosk_id.into()),
        admin_login: "admin".into(),
        admin_name: "Admin".into(),
        admin_password: ADMIN_PASSWORD.into(),
    };
    Kiosk::init(dir, &params).expect("test kiosk set-up");
    // Tests work offline with the demo kindergartens, as a kiosk in demo mode does.
    crate::reference::use_demo_directory(dir).expect("test kiosk set-up");
    let mut kiosk = Kiosk::open(dir).expect("test kiosk set-up");
    let admin = kiosk.login("admin", ADMIN_PASSWORD).expect("test kiosk set-up");
    let op = NewOperator { login: "op".into(), name: "Op".into(), role: rules::Role::Operator, kindergartens: vec![] };
    kiosk.add_operator(&admin, &op, OPERATOR_PASSWORD).expect("test kiosk set-up");
    if let Some(kindergarten) = kindergarten {
        let kg = NewOperator {
            login: "kg".into(),
            name: "Kg".into(),
            role: rules::Role::Kindergarten,
            kindergartens: vec![kindergarten.into()],
        };
        kiosk.add_operator(&admin, &kg, STAFF_PASSWORD).expect("test kiosk set-up");
    }
    kiosk
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // A failed unwrap is a failed test.
mod tests {
    use super::*;

    #[test]
    fn generated_iins_are_valid_and_distinct() {
        let today = Date::from_ymd(2026, 11, 24).unwrap();
        let kids = children(2000, today, 4 * 365);
        assert_eq!(kids.len(), 2000);
        let mut seen = std::collections::HashSet::new();
        for (iin, birth) in &kids {
            let parsed = rules::Iin::parse(iin).unwrap();
            assert_eq!(parsed.birth_date(), *birth);
            assert!(seen.insert(iin.clone()));
        }
    }

    #[test]
    fn a_million_generated_iins_are_distinct() {
        let today = Date::from_ymd(2026, 11, 24).unwrap();
        let kids = children(1_000_000, today, 4 * 365);
        assert_eq!(kids.len(), 1_000_000);
        let distinct: std::collections::HashSet<&str> = kids.iter().map(|(iin, _)| iin.as_str()).collect();
        assert_eq!(distinct.len(), kids.len());
    }
}
