//! kezek-changelog
