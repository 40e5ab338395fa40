//! Privilege categories (`data/categories.json`, embedded at build time): the code an
//! application's `rightCategory` names, and the class of right (`extraordinary` or `first`)
//! that code gives. Registration accepts only a listed code of the application's class,
//! so the check runs wherever the rules run: kiosk, center and the WASM module.

use crate::error::CommandError;
use crate::i18n::Text;
use crate::model::RightClass;

/// One privilege category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Category {
    /// `UPPER_SNAKE_CASE` ASCII, e.g. `LARGE_FAMILY`.
    pub code: &'static str,
    /// `Extraordinary` or `First`, never `None`.
    pub right: RightClass,
}

include!(concat!(env!("OUT_DIR"), "/categories_data.rs"));

impl Category {
    /// The category's name in the three languages.
    pub fn name(&self) -> Text {
        CATEGORIES
            .iter()
            .zip(CATEGORY_NAMES)
            .find(|(c, _)| c.code == self.code)
            .map_or(Text::new("", "", ""), |(_, name)| *name)
    }
}

/// Every listed category, in the order of `data/categories.json`.
pub fn all() -> &'static [Category] {
    CATEGORIES
}

/// The category with this code (exact, case-sensitive), if listed.
pub fn find(code: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.code == code)
}

/// Checks a category code against an application's right: the code must be listed
/// (`UNKNOWN_CATEGORY`) and give that class of right (`CATEGORY_RIGHT_MISMATCH`).
pub fn check(right: RightClass, code: &str) -> Result<&'static Category, CommandError> {
    let category = find(code).ok_or_else(|| CommandError::UnknownCategory { category: code.to_owned() })?;
    if category.right != right {
        return Err(CommandError::CategoryRightMismatch {
            category: code.to_owned(),
            right,
            category_right: category.right,
        });
    }
    Ok(category)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_list_has_both_classes_and_no_none() {
        assert!(all().iter().any(|c| c.right == RightClass::Extraordinary));
        assert!(all().iter().any(|c| c.right == RightClass::First));
        assert!(all().iter().all(|c| c.right != RightClass::None));
        assert_eq!(find("LARGE_FAMILY").map(|c| c.right), Some(RightClass::First));
        assert_eq!(find("MILITARY").map(|c| c.right), Some(RightClass::Extraordinary));
        assert_eq!(find("large_family"), None, "codes are case-sensitive");
        assert_eq!(find("ORPHAN").map(|c| c.name().ru), Some("Дети-сироты"));
        assert!(all().iter().all(|c| !c.name().kk.is_empty() && !c.name().en.is_empty()));
    }
}
