//! Replays the fuzz corpora (fuzz/corpus/<target>/, and fuzz/regressions/<target>/ for inputs that
//! once failed) through the fuzz targets' own bodies, so `cargo test` keeps every input the
//! fuzzers found interesting passing without nightly or libFuzzer. See fuzz/README.md.

#[path = "../../fuzz/src/offsets.rs"]
mod offsets;
#[path = "../../fuzz/src/scan.rs"]
mod scan;
#[path = "../../fuzz/src/validators.rs"]
mod validators;

use std::path::{Path, PathBuf};

/// Every file under fuzz/corpus/<target>/ and fuzz/regressions/<target>/, sorted.
fn inputs(target: &str) -> Vec<PathBuf> {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir).join(target)) else {
            continue;
        };
        files.extend(
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_file()),
        );
    }
    files.sort();
    files
}

/// Run every input; the failures name their files, so `cargo fuzz run <target> <file>` (or
/// `WEIR_FUZZ_DEBUG=1` for `scan`) reproduces each.
fn replay(target: &str, run: fn(&[u8]), at_least: usize) {
    let files = inputs(target);
    assert!(
        files.len() >= at_least,
        "fuzz/corpus/{target}/ holds {} inputs, expected at least {at_least}",
        files.len()
    );
    let failed: Vec<String> = files
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).unwrap();
            std::panic::catch_unwind(|| run(&data)).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        failed.is_empty(),
        "fuzz target `{target}` fails on {} of {} inputs:\n{}",
        failed.len(),
        files.len(),
        failed.join("\n")
    );
}

#[test]
fn replay_scan() {
    replay("scan", scan::run, 50);
}

#[test]
fn replay_validators() {
    replay("validators", validators::run, 50);
}

#[test]
fn replay_offsets() {
    replay("offsets", offsets::run, 10);
}
