//! Reference data the forms offer: districts and privilege categories, embedded from `data/`.

use std::sync::OnceLock;

use rules::i18n::Lang;
use rules::model::RightClass;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct District {
    pub code: String,
    pub name: Names,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub code: String,
    pub right: RightClass,
    pub name: Names,
}

fn names(value: &Value) -> Names {
    let get = |lang: &str| value[lang].as_str().unwrap_or_default().to_owned();
    Names { ru: get("ru"), kk: get("kk"), en: get("en") }
}

fn entries(json: &str) -> Vec<Value> {
    match serde_json::from_str::<Value>(json) {
        Ok(Value::Array(items)) => items,
        _ => Vec::new(),
    }
}

pub fn districts() -> &'static [District] {
    static DISTRICTS: OnceLock<Vec<District>> = OnceLock::new();
    DISTRICTS.get_or_init(|| {
        entries(include_str!("../../../data/districts.json"))
            .iter()
            .map(|d| District { code: d["code"].as_str().unwrap_or_default().to_owned(), name: names(&d["name"]) })
            .collect()
    })
}

pub fn categories() -> &'static [Category] {
    static CATEGORIES: OnceLock<Vec<Category>> = OnceLock::new();
    CATEGORIES.get_or_init(|| {
        entries(include_str!("../../../data/categories.json"))
            .iter()
            .map(|c| Category {
                code: c["code"].as_str().unwrap_or_default().to_owned(),
                right: if c["right"] == "extraordinary" { RightClass::Extraordinary } else { RightClass::First },
                name: names(&c["name"]),
            })
            .collect()
    })
}

pub fn district_name(code: &str, lang: Lang) -> String {
    districts().iter().find(|d| d.code == code).map_or_else(|| code.to_owned(), |d| d.name.get(lang).to_owned())
}

pub fn category_name(code: &str, lang: Lang) -> String {
    categories().iter().find(|c| c.code == code).map_or_else(|| code.to_owned(), |c| c.name.get(lang).to_owned())
}
