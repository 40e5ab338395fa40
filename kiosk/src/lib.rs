//! kezek-kiosk
