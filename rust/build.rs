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

    // Vectorscan from the system (Debian's libvectorscan-dev), found through pkg-config.
    if let Err(e) = pkg_config::Config::new()
        .atleast_version("5.4")
        .probe("libhs")
    {
        panic!("Vectorscan (libhs >= 5.4) not found through pkg-config: {e}\nInstall it with: apt-get install libvectorscan-dev pkg-config (or run `make deps`).");
    }
}
