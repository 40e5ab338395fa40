//! Embeds `data/categories.json` (the privilege categories) as Rust constants, checked here:
//! a code is unique `UPPER_SNAKE_CASE` ASCII and its right is `extraordinary` or `first`.

use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;

use super::{Names, names_literal};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Category {
    code: String,
    right: String,
    name: Names,
}

/// Reads `data/categories.json` next to the crate and writes `categories_data.rs` into `out_dir`.
pub fn generate(manifest: &Path, out_dir: &Path) {
    let path = manifest.join("../data/categories.json");
    println!("cargo::rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path).expect("read data/categories.json");
    let categories: Vec<Category> = serde_json::from_str(&text).expect("data/categories.json is valid");
    assert!(!categories.is_empty(), "categories: the list is empty");
    let mut out = String::from("pub(crate) const CATEGORIES: &[Category] = &[\n");
    // The names apart, so that a build that never shows them (WASM) leaves them out.
    let mut names = String::from("pub(crate) const CATEGORY_NAMES: &[Text] = &[\n");
    let mut seen = std::collections::BTreeSet::new();
    for c in &categories {
        assert!(
            !c.code.is_empty() && c.code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
            "categories: {:?} is not UPPER_SNAKE_CASE ASCII",
            c.code
        );
        assert!(seen.insert(c.code.clone()), "categories: {} is listed twice", c.code);
        let right = match c.right.as_str() {
            "extraordinary" => "RightClass::Extraordinary",
            "first" => "RightClass::First",
            other => panic!("categories: {}: right {other:?} is not extraordinary or first", c.code),
        };
        writeln!(out, "    Category {{ code: {:?}, right: {right} }},", c.code).unwrap();
        writeln!(names, "    {},", names_literal(&c.name)).unwrap();
    }
    out.push_str("];\n");
    names.push_str("];\n");
    out.push_str(&names);
    std::fs::write(out_dir.join("categories_data.rs"), out).expect("write categories_data.rs");
}
