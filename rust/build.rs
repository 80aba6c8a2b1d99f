//! Embeds the rule files under patterns/ into the native module, so the rules that ship are the
//! rules that were built and tested, wherever the package is installed.

use std::env;
use std::fs;
use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let patterns = root.join("patterns");
    println!("cargo:rerun-if-changed={}", patterns.display());
    let mut files: Vec<PathBuf> = fs::read_dir(&patterns)
        .expect("patterns/ directory next to Cargo.toml")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = String::from("/// Built-in rule files: (file name, TOML text).\npub static BUILTIN_RULE_FILES: &[(&str, &str)] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap().to_string_lossy();
        out.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    // The manifest of their sha256 sums, checked when the rules are loaded (see weir/manifest.py).
    let manifest = patterns.join("MANIFEST.sha256");
    println!("cargo:rerun-if-changed={}", manifest.display());
    assert!(
        manifest.is_file(),
        "patterns/MANIFEST.sha256 is missing; regenerate it with `make rules-manifest`"
    );
    out.push_str(&format!(
        "/// patterns/MANIFEST.sha256: `sha256sum` lines for the built-in rule files.\npub static BUILTIN_RULE_MANIFEST: &str = include_str!({:?});\n",
        manifest.display().to_string()
    ));
    let dest = PathBuf::from(env::var("OUT_DIR").unwrap()).join("builtin_rules.rs");
    fs::write(dest, out).unwrap();

    link_vectorscan(&root);
}

/// The Vectorscan version weir is built and tested against. Debian's 5.4.9 misses matches
/// depending on where bytes sit in the buffer (see `hs::tests`), so older ones are refused.
const VECTORSCAN_VERSION: &str = "5.4.12";

/// Link the static Vectorscan that `rust/vectorscan/build.sh` (run by `make`) installs into
/// .deps/vectorscan, or the one under `WEIR_VECTORSCAN_DIR`.
fn link_vectorscan(root: &std::path::Path) {
    println!("cargo:rerun-if-env-changed=WEIR_VECTORSCAN_DIR");
    let prefix = env::var_os("WEIR_VECTORSCAN_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".deps").join("vectorscan"));
    let lib = prefix.join("lib");
    let stamp = prefix.join(format!(".built-{VECTORSCAN_VERSION}"));
    println!("cargo:rerun-if-changed={}", stamp.display());
    if !stamp.is_file() || !lib.join("libhs.a").is_file() {
        panic!(
            "Vectorscan {VECTORSCAN_VERSION} not found in {}.\nBuild it with `make vectorscan` \
             (rust/vectorscan/build.sh, once, about 10 minutes), or point WEIR_VECTORSCAN_DIR at an \
             install prefix holding lib/libhs.a and a .built-{VECTORSCAN_VERSION} file.",
            prefix.display()
        );
    }
    println!("cargo:rerun-if-changed={}", lib.join("libhs.a").display());
    println!("cargo:rustc-link-search=native={}", lib.display());
    println!("cargo:rustc-link-lib=static=hs");
    // Vectorscan is C++: its runtime comes from the system's libstdc++.
    println!("cargo:rustc-link-lib=dylib=stdc++");
}
