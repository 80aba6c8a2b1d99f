//! weir's native engine: one match-end pass over every byte (rules with a literal anchor in one
//! Vectorscan database, the rest in one lazy DFA: see `engine`), exact spans recovered with the
//! `regex` crate, checksum validators, hotword scoring and overlap resolution, over the input and
//! its normalised and decoded views (`views`). The PyO3 bindings
//! live in one module (`python`), built only with the `python` feature.

pub mod bytes;
pub mod cache;
pub mod decode;
pub mod engine;
pub mod hs;
pub mod join;
pub mod normalize;
pub mod offsets;
pub mod report;
pub mod rule_file;
pub mod rules;
pub mod validators;
pub mod viewmap;
pub mod views;

#[cfg(feature = "python")]
mod python;
#[cfg(feature = "python")]
mod python_conv;
#[cfg(feature = "python")]
mod python_payload;
#[cfg(feature = "python")]
mod python_rule;

/// The rule files that ship with weir, embedded at build time from `patterns/*.toml`.
pub mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));
}

pub use engine::{Engine, EngineError, Finding, Located, StreamScan};
pub use rule_file::RuleFileError;
pub use rules::{RuleError, RuleSpec};
pub use viewmap::Origin;
pub use views::ViewOptions;

#[cfg(test)]
mod builtin_tests {
    use super::builtin::{BUILTIN_RULE_FILES, BUILTIN_RULE_MANIFEST};
    use sha2::{Digest, Sha256};

    /// Every embedded rule file is listed in the manifest with its sha256, and nothing else is.
    /// (The Python loader makes the same check at run time: see weir/manifest.py.)
    #[test]
    fn manifest_lists_every_builtin_file_with_its_sha256() {
        let mut listed: Vec<(&str, &str)> = BUILTIN_RULE_MANIFEST
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                let (hex, name) = l
                    .split_once("  ")
                    .expect("sha256sum format: '<hex>  <name>'");
                (name, hex)
            })
            .collect();
        listed.sort();
        let mut actual: Vec<(&str, String)> = BUILTIN_RULE_FILES
            .iter()
            .map(|(name, text)| {
                let digest = Sha256::digest(text.as_bytes());
                let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
                (*name, hex)
            })
            .collect();
        actual.sort();
        let actual: Vec<(&str, &str)> = actual.iter().map(|(n, h)| (*n, h.as_str())).collect();
        assert_eq!(
            listed, actual,
            "patterns/MANIFEST.sha256 is out of date; run `make rules-manifest` after reviewing the rule change"
        );
    }
}
