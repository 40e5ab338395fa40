//! kezek-center
