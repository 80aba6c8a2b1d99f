//! What both halves of the bindings share (`python` and `python_payload`): the exceptions the
//! engine's errors become, str <-> bytes conversion that keeps lone surrogates, and the one
//! shape a finding crosses into Python in.

use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::engine::{EngineError, Finding};

create_exception!(
    _core,
    RuleError,
    PyValueError,
    "A rule that cannot be compiled; the message names the rule."
);
create_exception!(
    _core,
    ScanError,
    PyRuntimeError,
    "A scan that failed inside the engine."
);

pub(crate) fn to_py_err(e: EngineError) -> PyErr {
    match e {
        EngineError::Rule(r) => RuleError::new_err(r.to_string()),
        EngineError::Compile(m) => RuleError::new_err(m),
        EngineError::Scan(m) => ScanError::new_err(m),
    }
}

/// The UTF-8 form of a str that UTF-8 cannot hold (lone surrogates), as Python's
/// `errors="surrogatepass"` writes it: three bytes per surrogate, a lead byte and two continuation
/// bytes, so each code point still starts exactly one lead byte and code-point offsets stay right.
/// Rules see those bytes as they see any invalid UTF-8: never as letters or digits.
pub(crate) fn surrogatepass<'py>(s: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyBytes>> {
    let py = s.py();
    Ok(
        s.call_method1(intern!(py, "encode"), ("utf-8", "surrogatepass"))?
            .cast_into::<PyBytes>()?,
    )
}

/// A Python str from bytes that are UTF-8, or UTF-8 with surrogates written by `surrogatepass`.
pub(crate) fn str_from_bytes<'py>(py: Python<'py>, bytes: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(PyString::new(py, s).into_any()),
        Err(_) => {
            PyBytes::new(py, bytes).call_method1(intern!(py, "decode"), ("utf-8", "surrogatepass"))
        }
    }
}

/// A finding as every scan hands it to Python (`weir._core.RawFinding` in the stub): (rule
/// index, start, end, score, value, decoded, path, in_key, line, column). Offsets and value are
/// in the scanned text's own terms (code points and str for str, bytes for bytes); `decoded` is
/// how a hidden value was hidden, or None; `path` and `in_key` place it in a payload (None and
/// false outside one); `line` and `column` (1-based) place it in a stream (None outside one).
/// `weir.scanner.make_finding` is the one function that turns it into a `weir.Finding`.
pub(crate) type RawFinding<'py> = (
    u32,
    usize,
    usize,
    f64,
    Bound<'py, PyAny>,
    Option<String>,
    Option<Bound<'py, PyAny>>,
    bool,
    Option<u64>,
    Option<u64>,
);

/// Where a finding sits beyond its span: its payload leaf, or its stream line and column.
#[derive(Default)]
pub(crate) struct Place<'py> {
    pub path: Option<Bound<'py, PyAny>>,
    pub in_key: bool,
    pub line_column: Option<(u64, u64)>,
}

/// `f` (offsets already in the text's own units) with its value, as a `RawFinding`.
pub(crate) fn raw_finding<'py>(
    f: &Finding,
    value: Bound<'py, PyAny>,
    place: Place<'py>,
) -> RawFinding<'py> {
    let (line, column) = place.line_column.unzip();
    (
        f.rule,
        f.start,
        f.end,
        f.score,
        value,
        f.origin.label(),
        place.path,
        place.in_key,
        line,
        column,
    )
}

/// The matched text of the byte span `start..end`: bytes for a bytes input; for a str, Python's
/// `text[a:b]` in code points, whose byte offsets are the engine's moved to character boundaries.
pub(crate) fn span_value<'py>(
    py: Python<'py>,
    text: &[u8],
    is_str: bool,
    start: usize,
    end: usize,
) -> PyResult<Bound<'py, PyAny>> {
    if !is_str {
        return Ok(PyBytes::new(py, &text[start..end]).into_any());
    }
    let (a, b) = (ceil_boundary(text, start), ceil_boundary(text, end));
    str_from_bytes(py, &text[a..b.max(a)])
}

/// A byte offset moved forward to the next character boundary: past continuation bytes, which
/// works for UTF-8 and for the `surrogatepass` form of a str with lone surrogates alike.
fn ceil_boundary(text: &[u8], mut at: usize) -> usize {
    while at < text.len() && (text[at] & 0xC0) == 0x80 {
        at += 1;
    }
    at
}
