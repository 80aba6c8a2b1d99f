//! The PyO3 bindings: `weir._core`. Thin on purpose — the Python package shapes results; this
//! module moves bytes in and tuples out, with the GIL released for every scan.

use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyString, PyTuple};

use crate::builtin::{BUILTIN_RULE_FILES, BUILTIN_RULE_MANIFEST};
use crate::engine::{Engine, EngineError, Finding, Located, StreamScan};
use crate::offsets::bytes_to_chars;
use crate::python_conv::{surrogatepass, to_py_err, RuleError, ScanError};
use crate::python_rule::PyRule;
use crate::report::{RecordFormat, Records, RuleMeta};
use crate::rules::RuleSpec;
use crate::validators::{shannon_entropy as entropy, Validator};
use crate::views::ViewOptions;

/// A str's or bytes' bytes: borrowed, or encoded for a str that holds lone surrogates.
enum Bytes<'a, 'py> {
    Borrowed(&'a [u8]),
    Encoded(Bound<'py, PyBytes>),
}

/// Input from a Python `str` (UTF-8) or `bytes`.
struct Text<'a, 'py> {
    data: Bytes<'a, 'py>,
    is_str: bool,
}

impl Text<'_, '_> {
    fn bytes(&self) -> &[u8] {
        match &self.data {
            Bytes::Borrowed(b) => b,
            Bytes::Encoded(b) => b.as_bytes(),
        }
    }
}

fn borrow_text<'a, 'py>(data: &'a Bound<'py, PyAny>) -> PyResult<Text<'a, 'py>> {
    if let Ok(s) = data.cast::<PyString>() {
        let data = match s.to_str() {
            Ok(text) => Bytes::Borrowed(text.as_bytes()),
            Err(_) => Bytes::Encoded(surrogatepass(s)?),
        };
        Ok(Text { data, is_str: true })
    } else if let Ok(b) = data.cast::<PyBytes>() {
        Ok(Text {
            data: Bytes::Borrowed(b.as_bytes()),
            is_str: false,
        })
    } else {
        Err(PyTypeError::new_err(format!(
            "the engine scans str or bytes, not {}",
            data.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_else(|_| "this type".into())
        )))
    }
}

fn findings_to_list<'py>(
    py: Python<'py>,
    mut found: Vec<Finding>,
    text: &Text<'_, '_>,
) -> PyResult<Bound<'py, PyList>> {
    let bytes = text.bytes();
    if text.is_str && !bytes.is_ascii() {
        let mut offsets: Vec<usize> = found.iter().flat_map(|f| [f.start, f.end]).collect();
        bytes_to_chars(bytes, &mut offsets);
        for (f, pair) in found.iter_mut().zip(offsets.chunks_exact(2)) {
            f.start = pair[0];
            f.end = pair[1];
        }
    }
    PyList::new(
        py,
        found
            .iter()
            .map(|f| (f.rule, f.start, f.end, f.score, f.origin.label())),
    )
}

fn stream_findings<'py>(py: Python<'py>, found: Vec<Located>) -> PyResult<Bound<'py, PyList>> {
    PyList::new(
        py,
        found.into_iter().map(|l| {
            let f = l.finding;
            (
                f.rule,
                f.start,
                f.end,
                f.score,
                PyBytes::new(py, &l.value),
                l.line,
                l.column,
                f.origin.label(),
            )
        }),
    )
}

/// How a stream's findings become the CLI's JSON records (`weir.report.Hit.to_json`, natively).
#[pyclass(frozen, name = "RecordFormat", module = "weir._core")]
struct PyRecordFormat {
    inner: RecordFormat,
}

#[pymethods]
impl PyRecordFormat {
    /// `file_json`: the file name as a JSON string (quotes included); `rules`: (entity, rule id,
    /// category) per rule index; findings under `floor` are dropped; `before` and `after` wrap
    /// every record.
    #[new]
    #[pyo3(signature = (file_json, rules, show_values, floor, before, after))]
    fn new(
        file_json: String,
        rules: Vec<(String, String, String)>,
        show_values: bool,
        floor: f64,
        before: Vec<u8>,
        after: Vec<u8>,
    ) -> Self {
        let rules = rules
            .into_iter()
            .map(|(entity, rule, category)| RuleMeta {
                entity,
                rule,
                category,
            })
            .collect();
        PyRecordFormat {
            inner: RecordFormat {
                file_json,
                rules,
                show_values,
                floor,
                before,
                after,
            },
        }
    }
}

fn records_out<'py>(py: Python<'py>, r: Records) -> PyResult<Bound<'py, PyTuple>> {
    let counts = PyList::new(py, r.counts)?;
    (PyBytes::new(py, &r.bytes), counts).into_pyobject(py)
}

/// A compiled rule set. Thread-safe: share one across threads.
#[pyclass(frozen, name = "Engine", module = "weir._core")]
struct PyEngine {
    inner: Arc<Engine>,
}

#[pymethods]
impl PyEngine {
    /// `normalize` looks through Unicode look-alikes and invisible characters; `decode_depth`
    /// (0 to 8) is how many layers of encodings (base64, hex, %XX, escapes, HTML entities) are
    /// decoded inside each other.
    #[new]
    #[pyo3(signature = (rules, normalize=true, decode_depth=2))]
    fn new(
        py: Python<'_>,
        rules: Vec<PyRef<'_, PyRule>>,
        normalize: bool,
        decode_depth: i64,
    ) -> PyResult<Self> {
        let depth = u8::try_from(decode_depth)
            .ok()
            .filter(|&d| d <= ViewOptions::MAX_DEPTH)
            .ok_or_else(|| {
                PyValueError::new_err(format!(
                    "decode_depth must be between 0 and {}, not {decode_depth}",
                    ViewOptions::MAX_DEPTH
                ))
            })?;
        let views = ViewOptions {
            normalize,
            decode_depth: depth,
        };
        let specs: Vec<RuleSpec> = rules.iter().map(|r| r.spec.clone()).collect();
        let engine = py
            .detach(|| Engine::new(&specs).and_then(|e| e.with_views(views)))
            .map_err(to_py_err)?;
        Ok(PyEngine {
            inner: Arc::new(engine),
        })
    }

    /// Scan str or bytes. Returns (rule index, start, end, score, decoded) tuples sorted by
    /// position; offsets count code points for str and bytes for bytes; `decoded` is None for a
    /// value found as written, else how it was hidden ("base64", "url/base64", "normalized").
    /// More than `max_findings` findings raise `PayloadLimitError("max_findings", n, max)`.
    #[pyo3(signature = (data, context=None, max_findings=None))]
    fn scan<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        context: Option<&Bound<'py, PyString>>,
        max_findings: Option<usize>,
    ) -> PyResult<Bound<'py, PyList>> {
        let text = borrow_text(data)?;
        let engine = &self.inner;
        let context = context.map(|c| borrow_text(c.as_any())).transpose()?;
        let ctx = context.as_ref().map(Text::bytes);
        let bytes = text.bytes();
        let found = py.detach(|| engine.scan(bytes, ctx)).map_err(to_py_err)?;
        // Checked before a Python object is made for any of them: the native list is 40 bytes a
        // finding, the Python one ten times that.
        if let Some(max) = max_findings.filter(|&m| found.len() > m) {
            return Err(crate::python_payload::over(
                "max_findings",
                found.len(),
                max,
            ));
        }
        findings_to_list(py, found, &text)
    }

    /// Scan many str/bytes items in one call (one GIL release, one Vectorscan pass over all of
    /// them); `contexts` gives each item's context (a key name) or None. Each item's findings
    /// are what `scan(item, context)` returns.
    fn scan_batch<'py>(
        &self,
        py: Python<'py>,
        items: Vec<Bound<'py, PyAny>>,
        contexts: Vec<Option<String>>,
    ) -> PyResult<Bound<'py, PyList>> {
        if contexts.len() != items.len() {
            return Err(PyValueError::new_err(
                "scan_batch needs one context (or None) per item",
            ));
        }
        let texts: Vec<Text<'_, '_>> = items.iter().map(borrow_text).collect::<PyResult<_>>()?;
        let engine = &self.inner;
        let items: Vec<&[u8]> = texts.iter().map(Text::bytes).collect();
        let contexts: Vec<Option<&[u8]>> = contexts
            .iter()
            .map(|c| c.as_deref().map(str::as_bytes))
            .collect();
        let results = py
            .detach(|| engine.scan_many(&items, &contexts))
            .map_err(to_py_err)?;
        let out = PyList::empty(py);
        for (found, text) in results.into_iter().zip(&texts) {
            out.append(findings_to_list(py, found, text)?)?;
        }
        Ok(out)
    }

    /// Walk a JSON-like payload (dicts, lists, tuples; str, bytes, int, float, bool, None
    /// leaves) as `weir.payload.walk` does and scan every leaf and key in one pass. Returns
    /// (leaf path, in_key, rule index, start, end, score, value, decoded) for each finding, in document
    /// order; offsets count code points in str leaves and bytes in bytes leaves. Raises
    /// `PayloadDepthError` past `max_depth` levels and `TypeError` for other leaf types, each
    /// naming the JSON Pointer at fault; `PayloadLimitError(limit, observed, allowed)` past
    /// `max_items` keys, values and list items (counted before a container is walked) or
    /// `max_bytes` bytes of leaf and key text, or `max_findings` findings. With `with_leaves`,
    /// also every value leaf as (text, path), from the same walk (for the NER layer); else an
    /// empty list.
    #[pyo3(signature = (data, max_depth, max_items=None, max_bytes=None, max_findings=None, with_leaves=false))]
    #[allow(clippy::too_many_arguments)]
    fn scan_payload<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        max_depth: i64,
        max_items: Option<usize>,
        max_bytes: Option<usize>,
        max_findings: Option<usize>,
        with_leaves: bool,
    ) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyList>)> {
        let limits = crate::python_payload::WalkLimits {
            depth: max_depth,
            items: max_items.unwrap_or(usize::MAX),
            bytes: max_bytes.unwrap_or(usize::MAX),
            findings: max_findings.unwrap_or(usize::MAX),
        };
        let (found, leaves) =
            crate::python_payload::scan_payload(py, &self.inner, data, limits, with_leaves)?;
        Ok((PyList::new(py, found)?, PyList::new(py, leaves)?))
    }

    /// The match-end pass alone (Vectorscan and the shape DFA; no span recovery, no validation):
    /// the number of raw match ends.
    fn scan_raw(&self, py: Python<'_>, data: &Bound<'_, PyBytes>) -> PyResult<u64> {
        let bytes = data.as_bytes();
        let engine = &self.inner;
        py.detach(|| engine.scan_raw(bytes)).map_err(to_py_err)
    }

    /// A stream scan: `.feed(bytes)` and `.close()` return findings with absolute byte offsets.
    /// Bytes are scanned once `min_block` of them wait (and at close); with `threads` > 1 large
    /// blocks are shared between that many threads.
    #[pyo3(signature = (min_block=65536, threads=1))]
    fn stream(&self, min_block: usize, threads: usize) -> PyStream {
        PyStream {
            inner: Mutex::new(self.inner.stream(min_block, threads)),
        }
    }

    #[getter]
    fn normalize(&self) -> bool {
        self.inner.views().normalize
    }

    #[getter]
    fn decode_depth(&self) -> u8 {
        self.inner.views().decode_depth
    }

    #[getter]
    fn rule_count(&self) -> usize {
        self.inner.rules().len()
    }

    #[getter]
    fn database_bytes(&self) -> usize {
        self.inner.database_bytes()
    }

    #[getter]
    fn compile_seconds(&self) -> f64 {
        self.inner.compile_seconds()
    }

    /// Ids of rules the shape pass (one lazy DFA) runs: those with no literal anchor. The rest
    /// run in Vectorscan.
    #[getter]
    fn shape_rules(&self) -> Vec<String> {
        self.inner
            .shape_rules()
            .into_iter()
            .map(String::from)
            .collect()
    }

    /// Ids of rules Vectorscan runs as prefilters (the regex confirms every candidate).
    #[getter]
    fn prefilter_rules(&self) -> Vec<String> {
        self.inner
            .prefilter_rules()
            .into_iter()
            .map(String::from)
            .collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "<weir._core.Engine rules={} database_bytes={}>",
            self.inner.rules().len(),
            self.inner.database_bytes()
        )
    }
}

/// An open stream scan.
#[pyclass(frozen, name = "Stream", module = "weir._core")]
struct PyStream {
    inner: Mutex<StreamScan>,
}

impl PyStream {
    fn with<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut StreamScan) -> Result<T, EngineError> + Send,
    ) -> PyResult<T> {
        py.detach(|| {
            let mut scan = self
                .inner
                .lock()
                .map_err(|_| EngineError::Scan("stream poisoned by an earlier failure".into()))?;
            f(&mut scan)
        })
        .map_err(to_py_err)
    }
}

#[pymethods]
impl PyStream {
    /// Feed the next chunk: (rule index, start, end, score, value bytes, line, column, decoded)
    /// for findings now final; offsets absolute from the start of the stream, line and column
    /// 1-based.
    fn feed<'py>(
        &self,
        py: Python<'py>,
        chunk: &Bound<'py, PyBytes>,
    ) -> PyResult<Bound<'py, PyList>> {
        let bytes = chunk.as_bytes();
        let found = self.with(py, |s| s.feed(bytes))?;
        stream_findings(py, found)
    }

    /// End the stream: the findings still pending.
    fn close<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let found = self.with(py, |s| s.close())?;
        stream_findings(py, found)
    }

    /// `feed`, with the final findings written as JSON records by `format`: (the records'
    /// bytes, [(rule index, severity index, count)]). No Python object per finding.
    fn feed_records<'py>(
        &self,
        py: Python<'py>,
        chunk: &Bound<'py, PyBytes>,
        format: &Bound<'py, PyRecordFormat>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let bytes = chunk.as_bytes();
        let fmt = &format.get().inner;
        let records = self.with(py, |s| s.feed(bytes).map(|found| fmt.write(&found)))?;
        records_out(py, records)
    }

    /// `close`, as records (see `feed_records`).
    fn close_records<'py>(
        &self,
        py: Python<'py>,
        format: &Bound<'py, PyRecordFormat>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let fmt = &format.get().inner;
        let records = self.with(py, |s| s.close().map(|found| fmt.write(&found)))?;
        records_out(py, records)
    }

    #[getter]
    fn position(&self) -> PyResult<u64> {
        Ok(self
            .inner
            .lock()
            .map_err(|_| ScanError::new_err("stream poisoned"))?
            .position())
    }

    /// Every finding still to come starts at or after this byte offset.
    #[getter]
    fn watermark(&self) -> PyResult<u64> {
        Ok(self
            .inner
            .lock()
            .map_err(|_| ScanError::new_err("stream poisoned"))?
            .watermark())
    }
}

/// Several regexes matched as one, on the linear-time engine: for operator-supplied patterns
/// (allow-lists) that run on untrusted values.
#[pyclass(frozen, name = "RegexSet", module = "weir._core")]
struct PyRegexSet {
    inner: regex_automata::meta::Regex,
    count: usize,
}

#[pymethods]
impl PyRegexSet {
    #[new]
    fn new(py: Python<'_>, patterns: Vec<String>) -> PyResult<Self> {
        // Operator-supplied patterns can be large: compiled with the GIL released.
        let inner = py
            .detach(|| {
                for (i, p) in patterns.iter().enumerate() {
                    crate::rules::bounded_regex(p, Default::default()).map_err(|e| {
                        let shown: String = p.chars().take(80).collect();
                        let more = if shown.len() < p.len() { "..." } else { "" };
                        format!("pattern {i} ({shown:?}{more}): {e}")
                    })?;
                }
                regex_automata::meta::Regex::builder()
                    .configure(crate::rules::bounded_config())
                    .build_many(&patterns)
                    .map_err(|e| format!("patterns do not compile together: {e}"))
            })
            .map_err(PyValueError::new_err)?;
        Ok(PyRegexSet {
            inner,
            count: patterns.len(),
        })
    }

    /// Does any pattern match somewhere in `text`?
    fn is_match(&self, text: &str) -> bool {
        self.count > 0 && self.inner.is_match(text)
    }

    fn __len__(&self) -> usize {
        self.count
    }
}

/// The rule files built into the module: a list of (file name, TOML text).
#[pyfunction]
fn builtin_rule_files<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
    let files = BUILTIN_RULE_FILES
        .iter()
        .map(|(n, t)| PyTuple::new(py, [*n, *t]))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, files)
}

/// The manifest of the built-in rule files (`sha256sum` format), embedded beside them.
#[pyfunction]
fn builtin_rule_manifest() -> &'static str {
    BUILTIN_RULE_MANIFEST
}

/// Run the validator called `name` on `value`.
#[pyfunction]
fn validate(name: &str, value: &[u8]) -> PyResult<bool> {
    let v = Validator::from_name(name)
        .ok_or_else(|| PyValueError::new_err(format!("unknown validator '{name}'")))?;
    Ok(v.check(value))
}

/// Names of all validators rules may use.
#[pyfunction]
fn validator_names() -> Vec<&'static str> {
    Validator::all().iter().map(|v| v.name()).collect()
}

/// Shannon entropy of `value` in bits per byte.
#[pyfunction]
fn shannon_entropy(value: &[u8]) -> f64 {
    entropy(value)
}

/// The longest match `pattern` can produce, in bytes; None when a repetition is unbounded.
#[pyfunction]
fn pattern_max_len(pattern: &str) -> PyResult<Option<usize>> {
    crate::rules::max_match_len(pattern).map_err(PyValueError::new_err)
}

/// The linked Hyperscan-family library, by name and version.
#[pyfunction]
fn hyperscan_library() -> String {
    crate::hs::library()
}

#[pymodule]
#[pyo3(name = "_core")]
fn weir_core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEngine>()?;
    m.add_class::<PyStream>()?;
    m.add_class::<PyRecordFormat>()?;
    m.add_class::<PyRegexSet>()?;
    m.add("RuleError", m.py().get_type::<RuleError>())?;
    m.add("ScanError", m.py().get_type::<ScanError>())?;
    m.add(
        "PayloadDepthError",
        m.py()
            .get_type::<crate::python_payload::PayloadDepthError>(),
    )?;
    m.add(
        "PayloadLimitError",
        m.py()
            .get_type::<crate::python_payload::PayloadLimitError>(),
    )?;
    m.add("MAX_WINDOW", crate::rules::MAX_WINDOW)?;
    crate::python_rule::register(m)?;
    m.add_function(wrap_pyfunction!(builtin_rule_files, m)?)?;
    m.add_function(wrap_pyfunction!(builtin_rule_manifest, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(validator_names, m)?)?;
    m.add_function(wrap_pyfunction!(shannon_entropy, m)?)?;
    m.add_function(wrap_pyfunction!(hyperscan_library, m)?)?;
    m.add_function(wrap_pyfunction!(pattern_max_len, m)?)?;
    Ok(())
}
