//! The bodies of weir's fuzz targets, one module per target, each a `pub fn run(data: &[u8])`
//! that panics on a bug. `fuzz_targets/<name>.rs` hands libFuzzer's input to it; the top-level
//! `cargo test` replays the committed corpora through the same function
//! (`rust/tests/fuzz_replay.rs` includes these files by path).

pub mod offsets;
pub mod scan;
pub mod validators;
