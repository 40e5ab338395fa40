//! Reference data embedded from `data/` at build time, so the binary works from any folder.

use std::sync::OnceLock;

use rules::model::{Kindergarten, NewApplication, NewPlaces};
use rules::{Instant, Lang};
use serde::Deserialize;

const DISTRICTS_JSON: &str = include_str!("../../data/districts.json");
const KINDERGARTENS_JSON: &str = include_str!("../../data/demo/kindergartens.json");
const DEMO_APPLICATIONS_JSONL: &str = include_str!("../../data/demo/applications.jsonl");
const DEMO_PLACES_JSONL: &str = include_str!("../../data/demo/places.jsonl");

/// Names in the three languages.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Names {
    pub ru: String,
    pub kk: String,
    pub en: String,
}

impl Names {
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Ru => &self.ru,
            Lang::Kk => &self.kk,
            Lang::En => &self.en,
        }
    }
}

/// A district or city of regional significance (`data/districts.json`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct District {
    pub code: String,
    pub kind: String,
    pub name: Names,
}

/// Every district, in file order.
pub fn districts() -> &'static [District] {
    static DISTRICTS: OnceLock<Vec<District>> = OnceLock::new();
    DISTRICTS
        .get_or_init(|| serde_json::from_str(DISTRICTS_JSON).expect("data/districts.json is valid (checked by tests)"))
}

pub fn district(code: &str) -> Option<&'static District> {
    districts().iter().find(|d| d.code == code)
}

/// The file in a kiosk's data folder that puts it in demo mode: until its first center
/// snapshot it uses the demo kindergarten directory (training, the demo, tests).
pub const DEMO_DIRECTORY_MARKER: &str = "demo-directory";

/// Puts the kiosk in `dir` in demo mode (before it is opened): it uses the demo directory
/// until a center snapshot brings the real one.
pub fn use_demo_directory(dir: &std::path::Path) -> std::io::Result<()> {
    let path = dir.join(DEMO_DIRECTORY_MARKER);
    std::fs::write(&path, b"the demo kindergarten directory until the first center snapshot\n")?;
    std::fs::File::open(&path)?.sync_all()?;
    std::fs::File::open(dir)?.sync_all()
}

/// The directory a kiosk in `dir` uses before its first snapshot: the demo one in demo mode,
/// else none (the center owns the directory; places and choices wait for the first sync).
pub fn offline_directory(dir: &std::path::Path) -> &'static [Kindergarten] {
    if dir.join(DEMO_DIRECTORY_MARKER).exists() { kindergartens() } else { &[] }
}

/// The demo kindergarten directory (`data/demo/kindergartens.json`): for demo mode only.
pub fn kindergartens() -> &'static [Kindergarten] {
    static KINDERGARTENS: OnceLock<Vec<Kindergarten>> = OnceLock::new();
    KINDERGARTENS.get_or_init(|| {
        serde_json::from_str(KINDERGARTENS_JSON).expect("data/demo/kindergartens.json is valid (checked by tests)")
    })
}

/// One demo registration: the instant it was made and the application without id.
#[derive(Debug, Clone, Deserialize)]
pub struct DemoApplication {
    pub at: Instant,
    pub application: NewApplication,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DemoPlaces {
    pub at: Instant,
    pub places: NewPlacesInput,
}

/// `NewPlaces` as input files give it: without the id the kiosk assigns.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewPlacesInput {
    pub kindergarten: String,
    pub language: rules::model::GroupLanguage,
    pub group_year: i32,
    pub count: u32,
}

impl NewPlacesInput {
    pub fn into_new_places(self) -> NewPlaces {
        NewPlaces {
            id: String::new(),
            kindergarten: self.kindergarten,
            language: self.language,
            group_year: self.group_year,
            count: self.count,
        }
    }
}

pub fn demo_applications() -> Vec<DemoApplication> {
    DEMO_APPLICATIONS_JSONL
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("data/demo/applications.jsonl is valid (checked by tests)"))
        .collect()
}

pub fn demo_places() -> Vec<DemoPlaces> {
    DEMO_PLACES_JSONL
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("data/demo/places.jsonl is valid (checked by tests)"))
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // A failed unwrap is a failed test.
mod tests {
    use super::*;

    #[test]
    fn embedded_data_parses() {
        assert_eq!(districts().len(), 20);
        assert!(district("KOK").is_some());
        assert!(district("XXX").is_none());
        assert_eq!(kindergartens().len(), 12);
        assert_eq!(demo_applications().len(), 300);
        assert_eq!(demo_places().len(), 25);
    }
}
