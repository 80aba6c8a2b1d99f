//! A small, safe binding to libhs, linked statically: Intel Hyperscan 5.4.0 (Debian's
//! libhyperscan-dev, the default) or Vectorscan 5.4.12 (the maintained fork, built from pinned
//! source by rust/vectorscan/build.sh); rust/build.rs refuses any other. Only what weir needs:
//! multi-pattern compile, block scans, serialisation, scratch management. (weir's streams are
//! overlapping block scans: see `engine::stream`.)
//!
//! Why our own binding: the handful of C calls below are stable API; owning them avoids bindgen
//! (and libclang) at build time and lets the engine keep one scratch per thread without locks.

use std::ffi::{c_char, c_int, c_uint, c_ulonglong, c_void, CStr, CString};
use std::fmt;
use std::ptr;

mod ffi {
    use super::*;

    #[repr(C)]
    pub struct HsDatabase {
        _private: [u8; 0],
    }
    #[repr(C)]
    pub struct HsScratch {
        _private: [u8; 0],
    }
    #[repr(C)]
    pub struct HsCompileError {
        pub message: *mut c_char,
        pub expression: c_int,
    }

    pub type MatchHandler = unsafe extern "C" fn(
        id: c_uint,
        from: c_ulonglong,
        to: c_ulonglong,
        flags: c_uint,
        context: *mut c_void,
    ) -> c_int;

    extern "C" {
        pub fn hs_compile_multi(
            expressions: *const *const c_char,
            flags: *const c_uint,
            ids: *const c_uint,
            elements: c_uint,
            mode: c_uint,
            platform: *const c_void,
            db: *mut *mut HsDatabase,
            error: *mut *mut HsCompileError,
        ) -> c_int;
        pub fn hs_free_compile_error(error: *mut HsCompileError) -> c_int;
        pub fn hs_free_database(db: *mut HsDatabase) -> c_int;
        pub fn hs_database_size(db: *const HsDatabase, size: *mut usize) -> c_int;
        pub fn hs_alloc_scratch(db: *const HsDatabase, scratch: *mut *mut HsScratch) -> c_int;
        pub fn hs_free_scratch(scratch: *mut HsScratch) -> c_int;
        pub fn hs_scan(
            db: *const HsDatabase,
            data: *const c_char,
            length: c_uint,
            flags: c_uint,
            scratch: *mut HsScratch,
            on_event: MatchHandler,
            context: *mut c_void,
        ) -> c_int;
        pub fn hs_version() -> *const c_char;
        pub fn hs_serialize_database(
            db: *const HsDatabase,
            bytes: *mut *mut c_char,
            length: *mut usize,
        ) -> c_int;
        pub fn hs_deserialize_database(
            bytes: *const c_char,
            length: usize,
            db: *mut *mut HsDatabase,
        ) -> c_int;
        pub fn free(ptr: *mut c_void);
    }
}

pub const FLAG_PREFILTER: u32 = 128;

const MODE_BLOCK: u32 = 1;
const HS_SUCCESS: c_int = 0;
const HS_SCAN_TERMINATED: c_int = -3;

/// Which scanning mode a database was compiled for: weir uses block mode only (the tag stays in
/// cache keys and serialised databases, so a database is never loaded for the wrong mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Block,
}

/// A failure inside Vectorscan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HsError {
    /// Compilation failed; `expression` is the index of the pattern at fault, when known.
    Compile {
        message: String,
        expression: Option<usize>,
    },
    /// A runtime call returned an error code.
    Runtime { call: &'static str, code: i32 },
    /// A pattern contained a NUL byte, which the C API cannot take.
    NulInPattern { expression: usize },
}

impl fmt::Display for HsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HsError::Compile { message, .. } => write!(f, "{message}"),
            HsError::Runtime { call, code } => {
                write!(f, "{call} failed with Vectorscan error {code}")
            }
            HsError::NulInPattern { .. } => write!(f, "pattern contains a NUL byte"),
        }
    }
}

impl std::error::Error for HsError {}

fn check(call: &'static str, code: c_int) -> Result<(), HsError> {
    if code == HS_SUCCESS {
        Ok(())
    } else {
        Err(HsError::Runtime { call, code })
    }
}

/// The Vectorscan library version string.
pub fn version() -> String {
    // SAFETY: hs_version returns a pointer to a static NUL-terminated string.
    unsafe { CStr::from_ptr(ffi::hs_version()) }
        .to_string_lossy()
        .into_owned()
}

/// The linked library by name and version: Intel Hyperscan's last release is 5.4.0 (Vectorscan
/// forked from it and numbers its own releases from 5.4.1 on).
pub fn library() -> String {
    let v = version();
    let name = if v.starts_with("5.4.0 ") {
        "Intel Hyperscan"
    } else {
        "Vectorscan"
    };
    format!("{name} {v}")
}

/// A compiled pattern database. Immutable once built, so it is shared across threads.
pub struct Database {
    ptr: *mut ffi::HsDatabase,
    mode: Mode,
}

// SAFETY: a Vectorscan database is read-only after compilation and documented as thread-safe.
unsafe impl Send for Database {}
unsafe impl Sync for Database {}

impl Drop for Database {
    fn drop(&mut self) {
        // SAFETY: ptr came from hs_compile_multi and is freed exactly once.
        unsafe { ffi::hs_free_database(self.ptr) };
    }
}

impl Database {
    /// Compile `patterns` (expression, flags, id) into one database.
    pub fn compile(patterns: &[(&str, u32, u32)], mode: Mode) -> Result<Database, HsError> {
        let expressions: Vec<CString> = patterns
            .iter()
            .enumerate()
            .map(|(i, (p, _, _))| {
                CString::new(*p).map_err(|_| HsError::NulInPattern { expression: i })
            })
            .collect::<Result<_, _>>()?;
        let expression_ptrs: Vec<*const c_char> = expressions.iter().map(|c| c.as_ptr()).collect();
        let flags: Vec<c_uint> = patterns.iter().map(|(_, f, _)| *f).collect();
        let ids: Vec<c_uint> = patterns.iter().map(|(_, _, id)| *id).collect();
        let mode_bits = match mode {
            Mode::Block => MODE_BLOCK,
        };
        let mut db: *mut ffi::HsDatabase = ptr::null_mut();
        let mut err: *mut ffi::HsCompileError = ptr::null_mut();
        // SAFETY: all arrays have `patterns.len()` elements and outlive the call.
        let code = unsafe {
            ffi::hs_compile_multi(
                expression_ptrs.as_ptr(),
                flags.as_ptr(),
                ids.as_ptr(),
                patterns.len() as c_uint,
                mode_bits,
                ptr::null(),
                &mut db,
                &mut err,
            )
        };
        if code != HS_SUCCESS {
            if err.is_null() {
                return Err(HsError::Runtime {
                    call: "hs_compile_multi",
                    code,
                });
            }
            // SAFETY: on failure err points at a compile error we own until we free it.
            let (message, expression) = unsafe {
                let e = &*err;
                let message = CStr::from_ptr(e.message).to_string_lossy().into_owned();
                let expression = usize::try_from(e.expression).ok();
                ffi::hs_free_compile_error(err);
                (message, expression)
            };
            return Err(HsError::Compile {
                message,
                expression,
            });
        }
        Ok(Database { ptr: db, mode })
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The database as bytes, for a cache. Includes the target platform; see `deserialize`.
    pub fn serialize(&self) -> Result<Vec<u8>, HsError> {
        let mut bytes: *mut c_char = ptr::null_mut();
        let mut len = 0usize;
        // SAFETY: valid database and out-parameters; Vectorscan allocates `bytes` with malloc.
        check("hs_serialize_database", unsafe {
            ffi::hs_serialize_database(self.ptr, &mut bytes, &mut len)
        })?;
        // SAFETY: bytes points at len initialised bytes, freed right after the copy.
        let out = unsafe { std::slice::from_raw_parts(bytes as *const u8, len) }.to_vec();
        unsafe { ffi::free(bytes as *mut c_void) };
        Ok(out)
    }

    /// A database from `serialize` output. Fails (rather than misbehaving) when the bytes are
    /// corrupt or were built for a platform this machine cannot run.
    pub fn deserialize(bytes: &[u8], mode: Mode) -> Result<Database, HsError> {
        let mut db: *mut ffi::HsDatabase = ptr::null_mut();
        // SAFETY: bytes is a valid slice; Vectorscan validates its contents.
        check("hs_deserialize_database", unsafe {
            ffi::hs_deserialize_database(bytes.as_ptr() as *const c_char, bytes.len(), &mut db)
        })?;
        Ok(Database { ptr: db, mode })
    }

    /// Bytes of memory the compiled database occupies.
    pub fn size(&self) -> usize {
        let mut size = 0usize;
        // SAFETY: valid database pointer and out-parameter.
        unsafe { ffi::hs_database_size(self.ptr, &mut size) };
        size
    }

    /// A scratch space for scanning this database. One per thread at a time.
    pub fn alloc_scratch(&self) -> Result<Scratch, HsError> {
        let mut scratch: *mut ffi::HsScratch = ptr::null_mut();
        // SAFETY: valid database; scratch starts null so Vectorscan allocates a new one.
        check("hs_alloc_scratch", unsafe {
            ffi::hs_alloc_scratch(self.ptr, &mut scratch)
        })?;
        Ok(Scratch { ptr: scratch })
    }

    /// Scan a whole buffer in block mode. `on_match(id, end)` returns false to stop the scan,
    /// which (like a panic in it) makes the scan an error: a cut-short scan is never a result.
    /// Buffers longer than 4 GiB are the caller's to split (the C API takes a 32-bit length).
    pub fn scan<F>(
        &self,
        data: &[u8],
        scratch: &mut Scratch,
        mut on_match: F,
    ) -> Result<(), HsError>
    where
        F: FnMut(u32, u64) -> bool,
    {
        debug_assert_eq!(self.mode, Mode::Block);
        let len = c_uint::try_from(data.len()).map_err(|_| HsError::Runtime {
            call: "hs_scan",
            code: -1,
        })?;
        let ctx = &mut on_match as *mut F as *mut c_void;
        // SAFETY: data, scratch and the callback context are valid for the duration of the call.
        let code = unsafe {
            ffi::hs_scan(
                self.ptr,
                data.as_ptr() as *const c_char,
                len,
                0,
                scratch.ptr,
                trampoline::<F>,
                ctx,
            )
        };
        if code == HS_SCAN_TERMINATED {
            // weir's callbacks never ask to stop, so termination means one panicked: fail
            // closed rather than return a partial set of matches as if it were complete.
            return Err(HsError::Runtime {
                call: "match callback",
                code,
            });
        }
        check("hs_scan", code)
    }
}

/// Per-thread working memory for scans.
pub struct Scratch {
    ptr: *mut ffi::HsScratch,
}

// SAFETY: a scratch may move between threads; it is only ever used by one at a time (&mut).
unsafe impl Send for Scratch {}

impl Drop for Scratch {
    fn drop(&mut self) {
        // SAFETY: ptr came from hs_alloc_scratch and is freed exactly once.
        unsafe { ffi::hs_free_scratch(self.ptr) };
    }
}

/// Bridges Vectorscan's C callback to a Rust closure. A panic in the closure must not unwind into
/// C, so it is caught and turned into a terminated scan.
unsafe extern "C" fn trampoline<F>(
    id: c_uint,
    _from: c_ulonglong,
    to: c_ulonglong,
    _flags: c_uint,
    ctx: *mut c_void,
) -> c_int
where
    F: FnMut(u32, u64) -> bool,
{
    // SAFETY: ctx is the &mut F passed to the scan call that invoked us.
    let f = unsafe { &mut *(ctx as *mut F) };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(id, to))) {
        Ok(true) => 0,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_scan_reports_ends() {
        let db = Database::compile(&[("foo", 0, 7), ("ba[rz]", 0, 9)], Mode::Block).unwrap();
        let mut scratch = db.alloc_scratch().unwrap();
        let mut got = Vec::new();
        db.scan(b"xfoo bar baz", &mut scratch, |id, end| {
            got.push((id, end));
            true
        })
        .unwrap();
        assert_eq!(got, vec![(7, 4), (9, 8), (9, 12)]);
    }

    fn ends(db: &Database, data: &[u8]) -> Vec<(u32, u64)> {
        let mut scratch = db.alloc_scratch().unwrap();
        let mut got = Vec::new();
        db.scan(data, &mut scratch, |id, end| {
            got.push((id, end));
            true
        })
        .unwrap();
        got
    }

    #[test]
    fn linked_engine_is_a_tested_one() {
        let v = version();
        assert!(
            v.starts_with("5.4.0 ") || v.starts_with("5.4.12 "),
            "linked {v}"
        );
    }

    /// Vectorscan 5.4.9 (Debian 12's libvectorscan) reports none of these: whether the e-mail
    /// shape matched depended on the buffer's length. Every prefix from "...@github.co" on ends
    /// in a match.
    #[test]
    fn matches_do_not_depend_on_buffer_length() {
        let email = r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9][A-Za-z0-9-]{0,62}(?:\.[A-Za-z0-9][A-Za-z0-9-]{0,62}){0,6}\.[A-Za-z]{2,24}\b";
        let db = Database::compile(&[(email, 0, 0)], Mode::Block).unwrap();
        let text = b"git clone https://x-access-token:ghp_6XqGQO9M324dff4wtDAIhbtVFusgNKNgICOX@github.com/acme/infra.git";
        let at = text.iter().position(|&b| b == b'@').unwrap();
        for len in at + 10..=text.len() {
            assert!(
                !ends(&db, &text[..len]).is_empty(),
                "no match in the first {len} bytes"
            );
        }
        // The fuzzer's case: `ab` after 63 or more spaces, beside `[0-9]{2}b` in one database.
        let db = Database::compile(&[("[0-9]{2}b", 0, 0), ("ab", 0, 1)], Mode::Block).unwrap();
        for n in 0..200 {
            let mut data = vec![b' '; n];
            data.extend_from_slice(b"abxxxxxxxx");
            assert_eq!(ends(&db, &data), vec![(1, n as u64 + 2)], "{n} spaces");
        }
    }

    #[test]
    fn compile_error_names_expression() {
        let err = Database::compile(&[("ok", 0, 0), ("(?<=x)y", 0, 1)], Mode::Block)
            .err()
            .unwrap();
        match err {
            HsError::Compile { expression, .. } => assert_eq!(expression, Some(1)),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn serialize_round_trip() {
        let db = Database::compile(&[("foo[0-9]", 0, 3)], Mode::Block).unwrap();
        let bytes = db.serialize().unwrap();
        let back = Database::deserialize(&bytes, Mode::Block).unwrap();
        let mut scratch = back.alloc_scratch().unwrap();
        let mut got = Vec::new();
        back.scan(b"foo1", &mut scratch, |id, end| {
            got.push((id, end));
            true
        })
        .unwrap();
        assert_eq!(got, vec![(3, 4)]);
        assert!(Database::deserialize(&bytes[..bytes.len() / 2], Mode::Block).is_err());
    }

    #[test]
    fn a_stopped_scan_is_an_error_not_a_partial_result() {
        let db = Database::compile(&[("a", 0, 0)], Mode::Block).unwrap();
        let mut scratch = db.alloc_scratch().unwrap();
        assert!(db.scan(b"aaa", &mut scratch, |_, _| false).is_err());
        assert!(db
            .scan(b"aaa", &mut scratch, |_, _| panic!("boom"))
            .is_err());
        assert!(db.scan(b"aaa", &mut scratch, |_, _| true).is_ok());
    }

    #[test]
    fn named_groups_compile() {
        assert!(Database::compile(&[("a(?P<value>b)c", 0, 0)], Mode::Block).is_ok());
    }
}
