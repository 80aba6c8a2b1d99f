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

    link_hyperscan();
}

/// Hyperscan-family engines weir is tested against, as (name, version). Vectorscan 5.4.9
/// (Debian 12's libvectorscan) misses matches depending on where bytes sit in the buffer (see
/// `hs::tests`), so it and anything not listed here is refused.
const SUPPORTED: &[(&str, &str)] = &[("Intel Hyperscan", "5.4.0"), ("Vectorscan", "5.4.12")];

/// Link libhs from one of two places:
/// - `WEIR_HYPERSCAN_DIR` unset: the system's, dynamically (Debian's `libhyperscan-dev`, Intel
///   Hyperscan 5.4.0, which `make` installs; its libhs.a is not position-independent, so it cannot
///   go into a Python extension, and the module needs libhyperscan5 at run time);
/// - `WEIR_HYPERSCAN_DIR=PREFIX`: statically, from an install prefix holding `include/hs/hs.h` and
///   `lib/libhs.a`, such as the Vectorscan 5.4.12 that `make vectorscan` builds into
///   .deps/vectorscan (a self-contained module, for wheels that go to other machines).
///
/// The version comes from the prefix's hs.h and must be one of [`SUPPORTED`].
fn link_hyperscan() {
    println!("cargo:rerun-if-env-changed=WEIR_HYPERSCAN_DIR");
    let (include, lib, kind, file) = match env::var_os("WEIR_HYPERSCAN_DIR") {
        Some(prefix) => {
            let prefix = PathBuf::from(prefix);
            let (include, lib) = (prefix.join("include").join("hs"), prefix.join("lib"));
            (include, lib, "static", "libhs.a")
        }
        None => {
            let (include, lib) = system_hyperscan();
            (include, lib, "dylib", "libhs.so")
        }
    };
    let header = include.join("hs.h");
    let archive = lib.join(file);
    if !header.is_file() || !archive.exists() {
        panic!(
            "libhs not found: no {} or no {}.\nInstall Intel Hyperscan with `apt-get install \
             libhyperscan-dev` (make does), or build Vectorscan with `make vectorscan` and set \
             WEIR_HYPERSCAN_DIR=.deps/vectorscan (make HYPERSCAN=vectorscan does both).",
            header.display(),
            archive.display()
        );
    }
    println!("cargo:rerun-if-changed={}", header.display());
    println!("cargo:rerun-if-changed={}", archive.display());
    let version = header_version(&header);
    if !SUPPORTED.iter().any(|(_, v)| *v == version) {
        let known: Vec<String> = SUPPORTED.iter().map(|(n, v)| format!("{n} {v}")).collect();
        panic!(
            "{} is version {version}; weir is tested against {} only (Vectorscan 5.4.9 misses \
             matches, see hs::tests). Install libhyperscan-dev, or `make HYPERSCAN=vectorscan`.",
            header.display(),
            known.join(" and ")
        );
    }
    println!("cargo:rustc-link-search=native={}", lib.display());
    println!("cargo:rustc-link-lib={kind}=hs");
    if kind == "static" {
        // Hyperscan is C++: its runtime comes from the system's libstdc++.
        println!("cargo:rustc-link-lib=dylib=stdc++");
    }
}

/// Debian's libhyperscan-dev: libhs.pc names the directories; the multiarch path is the fallback.
fn system_hyperscan() -> (PathBuf, PathBuf) {
    let mut include = PathBuf::from("/usr/include/hs");
    let mut lib = PathBuf::from("/usr/lib/x86_64-linux-gnu");
    let pc = [
        "/usr/lib/x86_64-linux-gnu/pkgconfig/libhs.pc",
        "/usr/lib/pkgconfig/libhs.pc",
    ];
    if let Some(text) = pc.iter().find_map(|p| fs::read_to_string(p).ok()) {
        let var = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}=")))
                .map(|v| {
                    v.replace("${prefix}", "/usr")
                        .replace("${exec_prefix}", "/usr")
                })
        };
        if let Some(dir) = var("libdir") {
            lib = PathBuf::from(dir);
        }
        if let Some(dir) = var("includedir") {
            include = PathBuf::from(dir).join("hs");
        }
    }
    (include, lib)
}

/// "MAJOR.MINOR.PATCH" from the `#define HS_MAJOR 5` lines of hs.h (Hyperscan) or of the
/// hs_version.h beside it (Vectorscan).
fn header_version(header: &std::path::Path) -> String {
    let mut text = fs::read_to_string(header).unwrap_or_default();
    text += &fs::read_to_string(header.with_file_name("hs_version.h")).unwrap_or_default();
    let part = |name: &str| {
        text.lines()
            .find_map(|l| {
                let mut words = l.split_whitespace();
                (words.next() == Some("#define") && words.next() == Some(name))
                    .then(|| words.next().map(str::to_owned))
                    .flatten()
            })
            .unwrap_or_else(|| "?".into())
    };
    format!(
        "{}.{}.{}",
        part("HS_MAJOR"),
        part("HS_MINOR"),
        part("HS_PATCH")
    )
}
