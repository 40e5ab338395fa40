//! kezek-tests
