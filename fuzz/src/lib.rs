//! Shared pieces of the fuzz targets in `fuzz/tests/`.
