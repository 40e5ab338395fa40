//! Free choice as a caller outside the district state knows it (the portal, the WASM
//! `apply`): the free places it was given, the choice check over them (the rules' own
//! `lifecycle::check_choice`, as the district state runs it), and the places an application
//! may choose among them.

use serde::{Deserialize, Serialize};

use crate::error::CommandError;
use crate::lifecycle::{PlaceCheck, check_choice};
use crate::model::{Application, GroupLanguage, Kindergarten};

/// Free places in free choice of one kindergarten, language and group year (a snapshot's
/// `freePlaces`, which the center computed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FreePlace {
    pub kindergarten: String,
    pub language: GroupLanguage,
    pub group_year: i32,
    pub free: u32,
}

/// The kindergarten directory and the free places a caller knows of.
#[derive(Debug, Clone, Copy)]
pub struct KnownPlaces<'a> {
    pub kindergartens: &'a [Kindergarten],
    pub free: &'a [FreePlace],
}

impl PlaceCheck for KnownPlaces<'_> {
    /// The free places listed for the kindergarten, the language and the application's
    /// group year (added up), checked with the directory entry by `check_choice`.
    fn check(&self, app: &Application, kindergarten: &str, language: GroupLanguage) -> Result<(), CommandError> {
        let group_year = app.group_year();
        let free: u64 = self
            .free
            .iter()
            .filter(|p| p.kindergarten == kindergarten && p.language == language && p.group_year == group_year)
            .map(|p| u64::from(p.free))
            .sum();
        let entry = self.kindergartens.iter().find(|k| k.id == kindergarten);
        check_choice(app, kindergarten, entry, language, u32::try_from(free).unwrap_or(u32::MAX))
    }
}

impl<'a> KnownPlaces<'a> {
    /// The listed places `app` may choose now, in the list's order: free places for its
    /// group year that the choice check accepts (a kindergarten of the directory, of the
    /// application's district and queue type, open, with groups in the language and the
    /// group year). Whether the application may choose at all is `allowed_actions`' answer.
    pub fn choosable(&self, app: &Application) -> Vec<&'a FreePlace> {
        self.free
            .iter()
            .filter(|p| p.free > 0 && p.group_year == app.group_year())
            .filter(|p| self.check(app, &p.kindergarten, p.language).is_ok())
            .collect()
    }
}
