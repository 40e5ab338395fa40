//! Who may write what, by source: a kiosk (or any other registered source of signed
//! entries) writes only ids under its own prefix and only for the districts the center
//! registered it to serve. The center asks this for every entry it ingests, so one stolen
//! kiosk key cannot disturb other districts or take another kiosk's registration numbers.

pub mod accounts;
pub mod kiosk;
pub mod parent;
pub mod staff;

use crate::command::Command;
use crate::state::State;

/// Code of an entry whose new id does not carry its source's prefix.
pub const FOREIGN_ID: &str = "FOREIGN_ID";
/// Code of an entry about a district (or a kindergarten of a district) its source does not serve.
pub const OUT_OF_DISTRICT: &str = "OUT_OF_DISTRICT";

/// What a source may write for.
#[derive(Debug, Clone, Copy)]
pub struct SourceScope<'a> {
    /// The source's id: new registration numbers and places ids start with `"{id}-"`, or
    /// with `"{district}-{id}-"` for a served district (a kiosk's cross-district registrations).
    pub id: &'a str,
    /// Districts it serves (its own, and any the center added).
    pub districts: &'a [String],
}

/// Why an entry is outside its source's scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeViolation {
    /// [`FOREIGN_ID`] or [`OUT_OF_DISTRICT`].
    pub code: &'static str,
    /// English detail for the center's records.
    pub message: String,
}

impl SourceScope<'_> {
    /// Numbers a source gives start with its id, or, for another district's entries, with
    /// that district and then its id: a district it serves, or `district`, the one the entry
    /// itself names (so that an entry of a district it does not serve is refused as
    /// [`OUT_OF_DISTRICT`], which says what is wrong, and not as a foreign number).
    fn owns_id(&self, id: &str, district: Option<&str>) -> bool {
        let own = |rest: &str| rest.strip_prefix(self.id).is_some_and(|after| after.starts_with('-'));
        let after = |d: &str| id.strip_prefix(d).and_then(|rest| rest.strip_prefix('-')).is_some_and(own);
        own(id) || self.districts.iter().any(|d| after(d)) || district.is_some_and(after)
    }

    fn serves(&self, district: &str) -> bool {
        self.districts.iter().any(|d| d == district)
    }

    fn foreign_id(&self, what: &str, id: &str) -> ScopeViolation {
        ScopeViolation { code: FOREIGN_ID, message: format!("{what} {id:?} does not start with \"{}-\"", self.id) }
    }

    fn out_of_district(&self, what: &str, district: &str) -> ScopeViolation {
        ScopeViolation {
            code: OUT_OF_DISTRICT,
            message: format!("{what} is in district {district}, which {} does not serve", self.id),
        }
    }

    /// Checks a command against the scope and the current state. Applications and
    /// kindergartens the state does not know pass: the rules refuse those commands anyway.
    pub fn check_command(&self, command: &Command, state: &State) -> Result<(), ScopeViolation> {
        match command {
            Command::Register { application } => {
                if !self.owns_id(&application.id, Some(&application.district)) {
                    return Err(self.foreign_id("registration number", &application.id));
                }
                if !self.serves(&application.district) {
                    return Err(self.out_of_district(&format!("application {}", application.id), &application.district));
                }
                Ok(())
            }
            Command::AddPlaces { places } | Command::ReducePlaces { places } => {
                let district = state.kindergarten(&places.kindergarten).map(|k| k.district.as_str());
                if !self.owns_id(&places.id, district) {
                    return Err(self.foreign_id("places record", &places.id));
                }
                match state.kindergarten(&places.kindergarten) {
                    Some(k) if !self.serves(&k.district) => {
                        Err(self.out_of_district(&format!("kindergarten {}", k.id), &k.district))
                    }
                    _ => Ok(()),
                }
            }
            Command::Act { application, .. } => match state.application(application) {
                Some(a) if !self.serves(&a.district) => {
                    Err(self.out_of_district(&format!("application {}", a.id), &a.district))
                }
                _ => Ok(()),
            },
            // Center-only commands are refused by role before scope matters.
            Command::Distribute { .. }
            | Command::Tick
            | Command::SetKindergarten { .. }
            | Command::SetCalendarYear { .. } => Ok(()),
        }
    }

    /// Checks the kindergartens a staff account of this source is bound to: each must be in
    /// the directory and in a district the source serves.
    pub fn check_kindergartens(&self, kindergartens: &[String], state: &State) -> Result<(), ScopeViolation> {
        for id in kindergartens {
            match state.kindergarten(id) {
                Some(k) if self.serves(&k.district) => {}
                Some(k) => return Err(self.out_of_district(&format!("kindergarten {id}"), &k.district)),
                None => {
                    return Err(ScopeViolation {
                        code: OUT_OF_DISTRICT,
                        message: format!("kindergarten {id} is not in the center's directory"),
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Calendar;
    use crate::model::Kindergarten;

    fn kindergarten(id: &str, district: &str) -> Kindergarten {
        serde_json::from_value(serde_json::json!({
            "id": id, "district": district, "name": {"ru": id, "kk": id, "en": id},
            "ownership": "state", "address": "", "phone": "", "languages": ["kk"]
        }))
        .expect("kindergarten")
    }

    fn register(id: &str, district: &str) -> Command {
        serde_json::from_value(serde_json::json!({"type": "register", "application": {
            "id": id, "district": district, "queueType": "general", "childIin": "230510500012",
            "childName": "A", "birthDate": "2023-05-10",
            "applicant": {"iin": "900115300017", "name": "B", "kinship": "mother", "phone": "+7"},
            "residence": {"kind": "permanent", "address": "x"}, "right": "none"
        }}))
        .expect("command")
    }

    #[test]
    fn ids_need_the_sources_prefix_and_a_served_district() {
        let state = State::new(Calendar::embedded(), vec![kindergarten("KG1", "KOK"), kindergarten("KG2", "ZER")]);
        let districts = vec!["KOK".to_owned()];
        let scope = SourceScope { id: "KOK-01", districts: &districts };
        assert_eq!(scope.check_command(&register("KOK-01-2026-000001", "KOK"), &state), Ok(()));
        for (id, code) in [
            ("KOK-02-2026-000001", FOREIGN_ID),
            ("KOK-012-2026-000001", FOREIGN_ID),
            ("KOK-01", FOREIGN_ID),
            ("", FOREIGN_ID),
        ] {
            assert_eq!(scope.check_command(&register(id, "KOK"), &state).map_err(|v| v.code), Err(code), "{id}");
        }
        assert_eq!(
            scope.check_command(&register("KOK-01-2026-000002", "ZER"), &state).map_err(|v| v.code),
            Err(OUT_OF_DISTRICT)
        );
        assert_eq!(scope.check_kindergartens(&["KG1".into()], &state), Ok(()));
        assert_eq!(scope.check_kindergartens(&["KG2".into()], &state).map_err(|v| v.code), Err(OUT_OF_DISTRICT));
        assert_eq!(scope.check_kindergartens(&["NOPE".into()], &state).map_err(|v| v.code), Err(OUT_OF_DISTRICT));
        let both = vec!["KOK".to_owned(), "ZER".to_owned()];
        let wider = SourceScope { id: "KOK-01", districts: &both };
        assert_eq!(wider.check_command(&register("KOK-01-2026-000002", "ZER"), &state), Ok(()));
        // A kiosk's cross-district numbers carry the district first.
        assert_eq!(wider.check_command(&register("ZER-KOK-01-2026-000003", "ZER"), &state), Ok(()));
        assert_eq!(
            scope.check_command(&register("ZER-KOK-01-2026-000003", "KOK"), &state).map_err(|v| v.code),
            Err(FOREIGN_ID),
            "not for a district it does not serve"
        );
        assert_eq!(
            wider.check_command(&register("ZER-KOK-02-2026-000003", "ZER"), &state).map_err(|v| v.code),
            Err(FOREIGN_ID)
        );
        // Its own number for a district it does not serve: refused for the district.
        assert_eq!(
            scope.check_command(&register("ZER-KOK-01-2026-000004", "ZER"), &state).map_err(|v| v.code),
            Err(OUT_OF_DISTRICT)
        );
    }
}
