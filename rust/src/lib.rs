//! weir's native engine: every rule in one Vectorscan pass, exact spans recovered with the
//! `regex` crate, checksum validators, hotword scoring and overlap resolution, over the input and
//! its normalised and decoded views (`views`). The PyO3 bindings
//! live in one module (`python`), built only with the `python` feature.

pub mod cache;
pub mod decode;
pub mod engine;
pub mod hs;
pub mod join;
pub mod normalize;
pub mod offsets;
pub mod resolve;
pub mod rules;
pub mod validators;
pub mod viewmap;
pub mod views;

#[cfg(feature = "python")]
mod python;
#[cfg(feature = "python")]
mod python_payload;

/// The rule files that ship with weir, embedded at build time from `patterns/*.toml`.
pub mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
}

pub use engine::{Engine, EngineError, Finding, StreamScan};
pub use rules::{RuleError, RuleSpec};
pub use viewmap::Origin;
pub use views::ViewOptions;
