//! JavaScript API over the rules.
