//! `weir.Rule` and `weir.rules.parse_rules`: the one rule model (`rules::RuleSpec`, decoded by
//! `rule_file`) as Python sees it, read-only.

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::rule_file;
use crate::rules::{RuleSpec, DEFAULT_HOTWORD_BOOST, DEFAULT_HOTWORD_WINDOW};

create_exception!(
    _core,
    RuleFileError,
    PyValueError,
    "A rule file that cannot be used; the message names the file, the rule and the field."
);

/// One detector (see patterns/README.md): what it looks for, how it scores, and its examples,
/// which are its tests. Read-only. Rule files give them (`weir.rules.load_file`); code may make
/// one with keyword arguments, which the engine checks when it compiles it.
#[pyclass(frozen, eq, name = "Rule", module = "weir")]
#[derive(Clone, PartialEq)]
pub(crate) struct PyRule {
    pub(crate) spec: RuleSpec,
}

#[pymethods]
impl PyRule {
    #[new]
    #[pyo3(signature = (
        *,
        id,
        name,
        entity,
        category,
        pattern,
        score,
        examples,
        negative_examples,
        validator = None,
        hotwords = Vec::new(),
        hotword_window = DEFAULT_HOTWORD_WINDOW,
        hotword_boost = DEFAULT_HOTWORD_BOOST,
        min_entropy = None,
        require_hotword = false,
        references = Vec::new(),
        source = String::new(),
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        id: String,
        name: String,
        entity: String,
        category: String,
        pattern: String,
        score: f64,
        examples: Vec<String>,
        negative_examples: Vec<String>,
        validator: Option<String>,
        hotwords: Vec<String>,
        hotword_window: usize,
        hotword_boost: f64,
        min_entropy: Option<f64>,
        require_hotword: bool,
        references: Vec<String>,
        source: String,
    ) -> Self {
        PyRule {
            spec: RuleSpec {
                id,
                name,
                entity,
                category,
                pattern,
                score,
                validator,
                hotwords,
                hotword_window,
                hotword_boost,
                min_entropy,
                require_hotword,
                examples,
                negative_examples,
                references,
                source,
            },
        }
    }

    #[getter]
    fn id(&self) -> &str {
        &self.spec.id
    }
    #[getter]
    fn name(&self) -> &str {
        &self.spec.name
    }
    #[getter]
    fn entity(&self) -> &str {
        &self.spec.entity
    }
    #[getter]
    fn category(&self) -> &str {
        &self.spec.category
    }
    #[getter]
    fn pattern(&self) -> &str {
        &self.spec.pattern
    }
    #[getter]
    fn score(&self) -> f64 {
        self.spec.score
    }
    #[getter]
    fn validator(&self) -> Option<&str> {
        self.spec.validator.as_deref()
    }
    #[getter]
    fn hotwords(&self) -> Vec<String> {
        self.spec.hotwords.clone()
    }
    #[getter]
    fn hotword_window(&self) -> usize {
        self.spec.hotword_window
    }
    #[getter]
    fn hotword_boost(&self) -> f64 {
        self.spec.hotword_boost
    }
    #[getter]
    fn min_entropy(&self) -> Option<f64> {
        self.spec.min_entropy
    }
    #[getter]
    fn require_hotword(&self) -> bool {
        self.spec.require_hotword
    }
    #[getter]
    fn examples(&self) -> Vec<String> {
        self.spec.examples.clone()
    }
    #[getter]
    fn negative_examples(&self) -> Vec<String> {
        self.spec.negative_examples.clone()
    }
    #[getter]
    fn references(&self) -> Vec<String> {
        self.spec.references.clone()
    }
    #[getter]
    fn source(&self) -> &str {
        &self.spec.source
    }

    fn __repr__(&self) -> String {
        format!(
            "Rule(id={:?}, entity={:?}, category={:?})",
            self.spec.id, self.spec.entity, self.spec.category
        )
    }

    /// The rule's fields as a dict (what `Rule(**d)` takes back).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        let d = pyo3::types::PyDict::new(py);
        let s = &self.spec;
        d.set_item("id", &s.id)?;
        d.set_item("name", &s.name)?;
        d.set_item("entity", &s.entity)?;
        d.set_item("category", &s.category)?;
        d.set_item("pattern", &s.pattern)?;
        d.set_item("score", s.score)?;
        d.set_item("validator", &s.validator)?;
        d.set_item("hotwords", &s.hotwords)?;
        d.set_item("hotword_window", s.hotword_window)?;
        d.set_item("hotword_boost", s.hotword_boost)?;
        d.set_item("min_entropy", s.min_entropy)?;
        d.set_item("require_hotword", s.require_hotword)?;
        d.set_item("examples", &s.examples)?;
        d.set_item("negative_examples", &s.negative_examples)?;
        d.set_item("references", &s.references)?;
        d.set_item("source", &s.source)?;
        Ok(d)
    }

    /// Pickling (Spark ships rules to its workers): `Rule(**to_dict())` on the other side.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, pyo3::types::PyDict>,))> {
        let py = slf.py();
        let module = py.import("weir._core")?;
        Ok((
            module.getattr("_rule_from_dict")?,
            (slf.get().to_dict(py)?,),
        ))
    }
}

/// `Rule(**fields)`, for unpickling.
#[pyfunction]
fn _rule_from_dict(fields: &Bound<'_, pyo3::types::PyDict>) -> PyResult<Py<PyAny>> {
    let py = fields.py();
    let rule = py.import("weir._core")?.getattr("Rule")?;
    Ok(rule.call((), Some(fields))?.unbind())
}

/// The rules of one rule file's TOML `text`, every field checked; `source` names the file in
/// errors and in each rule. Raises `RuleFileError` naming the file, the rule and the field.
#[pyfunction]
fn parse_rules(text: &str, source: &str) -> PyResult<Vec<PyRule>> {
    rule_file::parse(text, source)
        .map(|specs| specs.into_iter().map(|spec| PyRule { spec }).collect())
        .map_err(|e| RuleFileError::new_err(e.0))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRule>()?;
    m.add("RuleFileError", m.py().get_type::<RuleFileError>())?;
    m.add_function(wrap_pyfunction!(parse_rules, m)?)?;
    m.add_function(wrap_pyfunction!(_rule_from_dict, m)?)?;
    m.add("CATEGORIES", rule_file::CATEGORIES.to_vec())?;
    Ok(())
}
