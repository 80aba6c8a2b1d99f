//! What both halves of the bindings share (`python` and `python_payload`): the exceptions the
//! engine's errors become, and str <-> bytes conversion that keeps lone surrogates.

use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use crate::engine::EngineError;

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
