//! The Kezek rules for JavaScript: a thin wasm-bindgen layer over `kezek-rules`.
//!
//! [`api`] is the whole API over JSON values, the same on every target; [`js`] exports it to
//! JavaScript. Native tests call [`api`] directly to produce the expected answers that the
//! differential test compares with the WebAssembly package's.

pub mod api;
pub mod error;
pub mod js;
pub mod packed;
