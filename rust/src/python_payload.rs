//! The native payload walk behind `Engine.scan_payload`: a JSON-like tree of dicts, lists and
//! tuples walked in Rust, every leaf scanned in one `Engine::scan_many` pass with the GIL
//! released, and only the findings handed back. It mirrors `weir.payload.walk` leaf for leaf:
//! the same document order, keys as leaves (with their parent key as context), values with their
//! key as context, list items with their parent's, int as decimal text, float as its `repr`,
//! bool and None skipped, and the same errors naming the same JSON Pointer.

use std::borrow::Cow;
use std::io::Write;

use pyo3::create_exception;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PyMemoryView,
    PyString, PyTuple,
};

use crate::engine::{Engine, Finding};
use crate::offsets::bytes_to_chars;

create_exception!(
    _core,
    PayloadDepthError,
    PyValueError,
    "A payload nested deeper than the limit; the message names the JSON Pointer where."
);
create_exception!(
    _core,
    PayloadLimitError,
    PyValueError,
    "A payload over a size limit; args are (limit, observed, allowed)."
);

/// Bounds on one payload walk: nesting, keys + values + list items, and bytes of text.
#[derive(Clone, Copy)]
pub struct WalkLimits {
    pub depth: i64,
    pub items: usize,
    pub bytes: usize,
    /// Most findings the scan may return (each becomes a Python object).
    pub findings: usize,
}

pub(crate) fn over(limit: &str, observed: usize, allowed: usize) -> PyErr {
    PayloadLimitError::new_err((limit.to_string(), observed, allowed))
}

/// No parent, no context.
const NONE: u32 = u32::MAX;

/// Where a leaf's text lives.
enum Source<'py> {
    Str(Bound<'py, PyString>),
    Bytes(Bound<'py, PyBytes>),
    /// Decimal text of an int, a range of `Walk::digits`.
    Digits(usize, usize),
}

struct Leaf<'py> {
    source: Source<'py>,
    /// The leaf's JSON Pointer, as a segment.
    segment: u32,
    /// The leaf (always a key) whose text is this leaf's context, or NONE.
    context: u32,
    in_key: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Dict,
    Mapping,
    Sequence,
    Scalar,
}

/// One step of a JSON Pointer: a key (the leaf holding its text) or a list index.
enum Token {
    Key(u32),
    Index(usize),
}

struct Segment {
    parent: u32,
    token: Token,
}

#[derive(Default)]
struct Walk<'py> {
    leaves: Vec<Leaf<'py>>,
    segments: Vec<Segment>,
    digits: Vec<u8>,
}

impl<'py> Walk<'py> {
    fn segment(&mut self, parent: u32, token: Token) -> u32 {
        self.segments.push(Segment { parent, token });
        (self.segments.len() - 1) as u32
    }

    fn leaf(&mut self, source: Source<'py>, segment: u32, context: u32, in_key: bool) -> u32 {
        self.leaves.push(Leaf {
            source,
            segment,
            context,
            in_key,
        });
        (self.leaves.len() - 1) as u32
    }

    /// The JSON Pointer of `segment` (RFC 6901) as UTF-8 bytes (surrogates as `surrogatepass`
    /// writes them, when a key holds one); `key` gives a key leaf's text. '~' and '/' are ASCII,
    /// never part of a multi-byte sequence, so escaping works on bytes.
    fn pointer<'a>(&'a self, segment: u32, key: impl Fn(u32) -> Cow<'a, [u8]>) -> Vec<u8> {
        let mut tokens: Vec<Cow<'a, [u8]>> = Vec::new();
        let mut at = segment;
        while at != NONE {
            let s = &self.segments[at as usize];
            tokens.push(match s.token {
                Token::Key(leaf) => key(leaf),
                Token::Index(i) => Cow::Owned(i.to_string().into_bytes()),
            });
            at = s.parent;
        }
        let mut out = Vec::new();
        for token in tokens.iter().rev() {
            out.push(b'/');
            for &b in token.iter() {
                match b {
                    b'~' => out.extend_from_slice(b"~0"),
                    b'/' => out.extend_from_slice(b"~1"),
                    b => out.push(b),
                }
            }
        }
        out
    }

    /// The pointer for an error message: key text with lone surrogates replaced, "/" for the root.
    fn pointer_for_message(&self, segment: u32) -> String {
        let p = self.pointer(segment, |leaf| match &self.leaves[leaf as usize].source {
            Source::Str(s) => Cow::Owned(s.to_string_lossy().into_owned().into_bytes()),
            _ => Cow::Borrowed(b""),
        });
        if p.is_empty() {
            "/".into()
        } else {
            String::from_utf8_lossy(&p).into_owned()
        }
    }
}

fn type_name(node: &Bound<'_, PyAny>) -> String {
    node.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

/// Walk `root` the way `weir.payload.walk` does, with an explicit stack.
fn walk<'py>(root: &Bound<'py, PyAny>, limits: WalkLimits) -> PyResult<Walk<'py>> {
    let py = root.py();
    let max_depth = limits.depth;
    let mut w = Walk::default();
    // Keys, values and list items met so far; a container's are counted before it is walked.
    let mut items: usize = 0;
    let mut count = |n: usize| -> PyResult<()> {
        items = items.saturating_add(n);
        if items > limits.items {
            return Err(over("max_items", items, limits.items));
        }
        Ok(())
    };
    let mut stack: Vec<(Bound<'py, PyAny>, u32, u32, i64)> = vec![(root.clone(), NONE, NONE, 0)];
    let mut pairs: Vec<(Bound<'py, PyAny>, Bound<'py, PyAny>)> = Vec::new();
    while let Some((node, segment, context, depth)) = stack.pop() {
        if depth > max_depth {
            return Err(PayloadDepthError::new_err(format!(
                "payload nested deeper than {max_depth} levels at {}",
                w.pointer_for_message(segment)
            )));
        }
        // Exact built-in types first (the common case: no isinstance calls), then the same
        // isinstance order as payload.walk: Mapping, list/tuple, then scalars.
        let kind = if node.is_exact_instance_of::<PyString>()
            || node.is_exact_instance_of::<PyInt>()
            || node.is_exact_instance_of::<PyFloat>()
            || node.is_exact_instance_of::<PyBytes>()
            || node.is_exact_instance_of::<PyBool>()
            || node.is_none()
        {
            Kind::Scalar
        } else if node.is_exact_instance_of::<PyDict>() {
            Kind::Dict
        } else if node.is_exact_instance_of::<PyList>() || node.is_exact_instance_of::<PyTuple>() {
            Kind::Sequence
        } else if node.cast::<PyMapping>().is_ok() {
            Kind::Mapping
        } else if node.is_instance_of::<PyList>() || node.is_instance_of::<PyTuple>() {
            Kind::Sequence
        } else {
            Kind::Scalar
        };
        match kind {
            Kind::Dict | Kind::Mapping => {
                if let (Kind::Dict, Ok(d)) = (kind, node.cast::<PyDict>()) {
                    count(d.len().saturating_mul(2))?;
                    // Take the items first: no Python code runs while the dict is iterated.
                    pairs.extend(d.iter());
                } else {
                    for item in node.call_method0("items")?.try_iter()? {
                        count(2)?;
                        pairs.push(item?.extract()?);
                    }
                }
                let first = stack.len();
                for (key, value) in pairs.drain(..) {
                    let text = match key.cast_into::<PyString>() {
                        Ok(s) => s,
                        Err(e) => e.into_inner().str()?,
                    };
                    let child_segment = w.segments.len() as u32;
                    let key_leaf = w.leaf(Source::Str(text), child_segment, context, true);
                    w.segment(segment, Token::Key(key_leaf));
                    stack.push((value, child_segment, key_leaf, depth + 1));
                }
                stack[first..].reverse();
                continue;
            }
            Kind::Sequence => {
                let first = stack.len();
                if let Ok(list) = node.cast_exact::<PyList>() {
                    count(list.len())?;
                    for (i, item) in list.iter().enumerate() {
                        let s = w.segment(segment, Token::Index(i));
                        stack.push((item, s, context, depth + 1));
                    }
                } else if let Ok(tuple) = node.cast_exact::<PyTuple>() {
                    count(tuple.len())?;
                    for (i, item) in tuple.iter().enumerate() {
                        let s = w.segment(segment, Token::Index(i));
                        stack.push((item, s, context, depth + 1));
                    }
                } else {
                    // A subclass: iterate it as Python's enumerate() would.
                    for (i, item) in node.try_iter()?.enumerate() {
                        count(1)?;
                        let s = w.segment(segment, Token::Index(i));
                        stack.push((item?, s, context, depth + 1));
                    }
                }
                stack[first..].reverse();
                continue;
            }
            Kind::Scalar => {}
        }
        // Scalars, in scalar_text's order.
        let source = if node.is_exact_instance_of::<PyString>() {
            Some(Source::Str(node.cast_into::<PyString>()?))
        } else if node.is_exact_instance_of::<PyInt>() {
            match node.extract::<i64>() {
                Ok(v) => {
                    let start = w.digits.len();
                    write!(w.digits, "{v}").expect("writing to a Vec cannot fail");
                    Some(Source::Digits(start, w.digits.len()))
                }
                Err(_) => Some(Source::Str(int_text(&node)?)),
            }
        } else if node.is_exact_instance_of::<PyFloat>() {
            Some(Source::Str(node.repr()?))
        } else if let Ok(s) = node.cast::<PyString>() {
            Some(Source::Str(s.clone()))
        } else if let Ok(b) = node.cast::<PyBytes>() {
            Some(Source::Bytes(b.clone()))
        } else if node.is_none() || node.is_instance_of::<PyBool>() {
            None
        } else if node.is_instance_of::<PyInt>() {
            Some(Source::Str(int_text(&node)?))
        } else if node.is_instance_of::<PyFloat>() {
            Some(Source::Str(node.repr()?))
        } else if node.is_instance_of::<PyByteArray>() || node.is_instance_of::<PyMemoryView>() {
            let copy = py.get_type::<PyBytes>().call1((&node,))?;
            Some(Source::Bytes(copy.cast_into::<PyBytes>()?))
        } else {
            return Err(PyTypeError::new_err(format!(
                "cannot scan a {} at {}: payloads may hold dict, list, tuple, str, bytes, int, \
                 float, bool and None",
                type_name(&node),
                w.pointer_for_message(segment)
            )));
        };
        if let Some(source) = source {
            w.leaf(source, segment, context, false);
        }
    }
    Ok(w)
}

/// The decimal text of a Python int. Python refuses to convert one of more than
/// `sys.get_int_max_str_digits()` digits (quadratic work); that is a payload weir cannot scan, and
/// it says so as a limit ("int_digits", about how many digits, the most Python converts) rather
/// than passing Python's own error on.
fn int_text<'py>(node: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyString>> {
    node.str().or_else(|e| {
        let py = node.py();
        if !e.is_instance_of::<PyValueError>(py) {
            return Err(e);
        }
        let bits: u64 = node.call_method0("bit_length")?.extract()?;
        let digits = (bits as f64 * std::f64::consts::LOG10_2).ceil() as usize;
        let allowed: usize = py
            .import("sys")?
            .call_method0("get_int_max_str_digits")?
            .extract()?;
        Err(over("int_digits", digits, allowed))
    })
}

/// A byte offset moved forward to the next character boundary: past continuation bytes, which
/// works for UTF-8 and for the `surrogatepass` form of a str with lone surrogates alike.
fn ceil_boundary(text: &[u8], mut at: usize) -> usize {
    while at < text.len() && (text[at] & 0xC0) == 0x80 {
        at += 1;
    }
    at
}

/// A finding as `scan_payload` returns it: (leaf path, in_key, rule index, start, end, score,
/// value, decoded).
type PayloadFinding<'py> = (
    Bound<'py, PyAny>,
    bool,
    u32,
    usize,
    usize,
    f64,
    Bound<'py, PyAny>,
    Option<String>,
);

/// A value leaf as the NER layer takes it: its text (str, or bytes for a bytes leaf) and its JSON
/// Pointer.
pub type PayloadLeaf<'py> = (Bound<'py, PyAny>, Bound<'py, PyAny>);

/// Walk `root`, scan every leaf in one pass, and return the findings in document order, and,
/// when `with_leaves`, every value leaf (keys aside) from the same walk.
pub fn scan_payload<'py>(
    py: Python<'py>,
    engine: &Engine,
    root: &Bound<'py, PyAny>,
    limits: WalkLimits,
    with_leaves: bool,
) -> PyResult<(Vec<PayloadFinding<'py>>, Vec<PayloadLeaf<'py>>)> {
    let w = walk(root, limits)?;
    // A str with lone surrogates has no UTF-8 form to borrow: it is encoded as `surrogatepass`
    // writes it (offsets in code points stay right), into storage that outlives the borrows.
    let encoded: Vec<Option<Bound<'py, PyBytes>>> = w
        .leaves
        .iter()
        .map(|leaf| match &leaf.source {
            Source::Str(s) if s.to_str().is_err() => crate::python_conv::surrogatepass(s).map(Some),
            _ => Ok(None),
        })
        .collect::<PyResult<_>>()?;
    let mut texts: Vec<&[u8]> = Vec::with_capacity(w.leaves.len());
    let mut total: usize = 0;
    for (leaf, enc) in w.leaves.iter().zip(&encoded) {
        let text = match (&leaf.source, enc) {
            (_, Some(b)) => b.as_bytes(),
            (Source::Str(s), None) => s.to_str()?.as_bytes(),
            (Source::Bytes(b), None) => b.as_bytes(),
            (Source::Digits(a, b), None) => &w.digits[*a..*b],
        };
        total = total.saturating_add(text.len());
        if total > limits.bytes {
            return Err(over("max_bytes", total, limits.bytes));
        }
        texts.push(text);
    }
    let contexts: Vec<Option<&[u8]>> = w
        .leaves
        .iter()
        .map(|l| (l.context != NONE).then(|| texts[l.context as usize]))
        .collect();
    let found = py
        .detach(|| engine.scan_many(&texts, &contexts))
        .map_err(crate::python_conv::to_py_err)?;
    let count: usize = found.iter().map(Vec::len).sum();
    if count > limits.findings {
        return Err(over("max_findings", count, limits.findings));
    }
    let mut out = Vec::new();
    for (i, mut found) in found.into_iter().enumerate() {
        if found.is_empty() {
            continue;
        }
        let leaf = &w.leaves[i];
        let text = texts[i];
        let path = crate::python_conv::str_from_bytes(
            py,
            &w.pointer(leaf.segment, |k| Cow::Borrowed(texts[k as usize])),
        )?;
        let value = |f: &Finding| -> PyResult<Bound<'py, PyAny>> {
            match &leaf.source {
                Source::Bytes(_) => Ok(PyBytes::new(py, &text[f.start..f.end]).into_any()),
                // str leaves: Python's text[start:end] in code points, whose byte offsets are
                // the engine's moved to character boundaries.
                _ => {
                    let (a, b) = (ceil_boundary(text, f.start), ceil_boundary(text, f.end));
                    crate::python_conv::str_from_bytes(py, &text[a..b.max(a)])
                }
            }
        };
        let values: Vec<Bound<'py, PyAny>> = found.iter().map(value).collect::<PyResult<_>>()?;
        if matches!(leaf.source, Source::Str(_)) && !text.is_ascii() {
            let mut offsets: Vec<usize> = found.iter().flat_map(|f| [f.start, f.end]).collect();
            bytes_to_chars(text, &mut offsets);
            for (f, pair) in found.iter_mut().zip(offsets.chunks_exact(2)) {
                f.start = pair[0];
                f.end = pair[1];
            }
        }
        for (f, v) in found.into_iter().zip(values) {
            out.push((
                path.clone(),
                leaf.in_key,
                f.rule,
                f.start,
                f.end,
                f.score,
                v,
                f.origin.label(),
            ));
        }
    }
    let mut leaves = Vec::new();
    if with_leaves {
        for leaf in w.leaves.iter().filter(|l| !l.in_key) {
            let text = match &leaf.source {
                Source::Str(s) => s.clone().into_any(),
                Source::Bytes(b) => b.clone().into_any(),
                Source::Digits(a, b) => crate::python_conv::str_from_bytes(py, &w.digits[*a..*b])?,
            };
            let path = crate::python_conv::str_from_bytes(
                py,
                &w.pointer(leaf.segment, |k| Cow::Borrowed(texts[k as usize])),
            )?;
            leaves.push((text, path));
        }
    }
    Ok((out, leaves))
}
