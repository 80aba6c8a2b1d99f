//! A cache of compiled databases on disk. Compiling a few hundred rules takes seconds; loading
//! the serialized database takes milliseconds, which is what a CLI run or a test wants.
//!
//! The key is a SHA-256 of everything that shapes the database: the Vectorscan version and each
//! pattern with its flags. A file carries the rules that needed prefilter mode and a SHA-256
//! trailer, so a torn or corrupt file is ignored and rebuilt. The cache lives in
//! `$WEIR_CACHE_DIR`, else `$XDG_CACHE_HOME/weir`, else `~/.cache/weir`; `WEIR_CACHE_DIR=off`
//! turns it off. It is created 0700 with files 0600: the same trust as the user's own home.

use std::fs;
use std::io::Write;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::hs::{self, Database, Mode};

const MAGIC: &[u8; 8] = b"WEIRDB01";

/// The cache directory, or None when caching is off or no home is known.
pub fn dir() -> Option<PathBuf> {
    match std::env::var_os("WEIR_CACHE_DIR") {
        Some(v) if v == "off" || v.is_empty() => None,
        Some(v) => Some(PathBuf::from(v)),
        None => std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .map(|base| base.join("weir")),
    }
}

/// The cache key for these (pattern, flags, id) triples, in order.
pub fn key(patterns: &[(&str, u32, u32)], mode: Mode) -> String {
    let mut h = Sha256::new();
    h.update(MAGIC);
    h.update(hs::version().as_bytes());
    h.update([mode as u8]);
    for (p, flags, id) in patterns {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
        h.update(flags.to_le_bytes());
        h.update(id.to_le_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Load a cached database and the indices of its prefilter rules.
pub fn load(key: &str, mode: Mode) -> Option<(Database, Vec<u32>)> {
    let bytes = fs::read(dir()?.join(format!("{key}.hsdb"))).ok()?;
    let (body, trailer) = bytes.split_at(bytes.len().checked_sub(32)?);
    if Sha256::digest(body).as_slice() != trailer || !body.starts_with(MAGIC) {
        return None;
    }
    let rest = &body[MAGIC.len()..];
    let count = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize;
    let ids_end = 4 + count.checked_mul(4)?;
    let ids = rest
        .get(4..ids_end)?
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    let db = Database::deserialize(&rest[ids_end..], mode).ok()?;
    Some((db, ids))
}

/// Store a database; failures are ignored (the cache is an optimisation, never a requirement).
pub fn store(key: &str, db: &Database, prefilter: &[u32]) {
    let Some(dir) = dir() else { return };
    let Ok(serialized) = db.serialize() else {
        return;
    };
    let mut body = Vec::with_capacity(serialized.len() + 64);
    body.extend_from_slice(MAGIC);
    body.extend_from_slice(&(prefilter.len() as u32).to_le_bytes());
    for id in prefilter {
        body.extend_from_slice(&id.to_le_bytes());
    }
    body.extend_from_slice(&serialized);
    let trailer = Sha256::digest(&body);
    let _ = write_private(&dir, &format!("{key}.hsdb"), &body, &trailer);
}

fn write_private(dir: &PathBuf, name: &str, body: &[u8], trailer: &[u8]) -> std::io::Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = (|| {
        let mut f = options.open(&tmp)?;
        f.write_all(body)?;
        f.write_all(trailer)?;
        f.sync_all()?;
        fs::rename(&tmp, dir.join(name))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}
