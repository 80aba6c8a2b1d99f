//! Rule files: the TOML of `patterns/*.toml` and of users' rule files, decoded into `RuleSpec`s
//! and checked field by field. This is the one place a rule's fields, their types, their bounds
//! and their defaults are defined; Python sees the result as `weir.Rule` (see `python`).
//!
//! Errors name the file, the rule and the field, and say what is allowed:
//! `mine.toml: rule 'acme.badge': field 'score': must be between 0 and 1, got 1.5`.

use serde::de::DeserializeOwned;
use toml::{Table, Value};

use crate::rules::{RuleSpec, MAX_HOTWORD_WINDOW, MAX_PATTERN_BYTES};
use crate::validators::Validator;

/// The categories a rule may belong to.
pub const CATEGORIES: [&str; 4] = ["pii", "financial", "secret", "injection"];

/// The longest rule id and entity name accepted.
const MAX_ID: usize = 128;
const MAX_ENTITY: usize = 64;
/// The highest entropy a rule may ask for (bits per byte).
const MAX_ENTROPY: f64 = 8.0;

/// A rule file that cannot be used; the message names the file, the rule and the field.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleFileError(pub String);

impl std::fmt::Display for RuleFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RuleFileError {}

/// The rules of one file's TOML `text`; `source` names the file in errors and in each rule.
pub fn parse(text: &str, source: &str) -> Result<Vec<RuleSpec>, RuleFileError> {
    let fail = |message: String| RuleFileError(format!("{source}: {message}"));
    let table: Table = toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|s| format!("line {}: ", text[..s.start].matches('\n').count() + 1))
            .unwrap_or_default();
        fail(format!("not valid TOML: {at}{}", e.message()))
    })?;
    for key in table.keys() {
        if key != "rules" {
            return Err(fail(format!(
                "unknown top-level key '{key}'; a rule file holds [[rules]] entries"
            )));
        }
    }
    let Some(rules) = table.get("rules") else {
        return Ok(Vec::new());
    };
    let Value::Array(entries) = rules else {
        return Err(fail(
            "'rules' must be a list of [[rules]] tables".to_string(),
        ));
    };
    let mut out = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let Value::Table(fields) = entry else {
            return Err(fail(format!("rules[{i}] must be a table")));
        };
        let who = match fields.get("id") {
            Some(Value::String(id)) => format!("rule '{id}'"),
            _ => format!("rules[{i}]"),
        };
        let mut spec = decode(fields).map_err(|(field, message)| match field {
            Some(field) => fail(format!("{who}: field '{field}': {message}")),
            None => fail(format!("{who}: {message}")),
        })?;
        spec.source = source.to_string();
        out.push(spec);
    }
    Ok(out)
}

/// A field at fault (None: the rule as a whole) and what is wrong with it.
type FieldError = (Option<&'static str>, String);

/// One `[[rules]]` table as a rule, every field checked.
fn decode(fields: &Table) -> Result<RuleSpec, FieldError> {
    let mut spec = RuleSpec::default();
    let mut seen: Vec<&'static str> = Vec::new();
    for (key, value) in fields {
        let field = FIELDS.iter().copied().find(|f| f == key).ok_or_else(|| {
            (
                None,
                format!(
                    "unknown field '{key}'; the fields are: {}",
                    FIELDS.join(", ")
                ),
            )
        })?;
        seen.push(field);
        set(&mut spec, field, value)?;
    }
    for required in REQUIRED {
        if !seen.contains(&required) {
            return Err((Some(required), "is required".to_string()));
        }
    }
    check(&spec)?;
    Ok(spec)
}

/// Every field a rule may have, and those it must have.
const FIELDS: [&str; 15] = [
    "id",
    "name",
    "entity",
    "category",
    "pattern",
    "score",
    "validator",
    "hotwords",
    "hotword_window",
    "hotword_boost",
    "min_entropy",
    "require_hotword",
    "examples",
    "negative_examples",
    "references",
];
const REQUIRED: [&str; 8] = [
    "id",
    "name",
    "entity",
    "category",
    "pattern",
    "score",
    "examples",
    "negative_examples",
];

fn value<T: DeserializeOwned>(field: &'static str, v: &Value) -> Result<T, FieldError> {
    v.clone()
        .try_into::<T>()
        .map_err(|e| (Some(field), e.message().to_string()))
}

/// A number, written as an integer or a float.
fn number(field: &'static str, v: &Value) -> Result<f64, FieldError> {
    match v {
        Value::Integer(n) => Ok(*n as f64),
        Value::Float(x) => Ok(*x),
        other => Err((
            Some(field),
            format!("must be a number, not a {}", other.type_str()),
        )),
    }
}

fn set(spec: &mut RuleSpec, field: &'static str, v: &Value) -> Result<(), FieldError> {
    match field {
        "id" => spec.id = value(field, v)?,
        "name" => spec.name = value(field, v)?,
        "entity" => spec.entity = value(field, v)?,
        "category" => spec.category = value(field, v)?,
        "pattern" => spec.pattern = value(field, v)?,
        "score" => spec.score = number(field, v)?,
        "validator" => spec.validator = Some(value(field, v)?),
        "hotwords" => spec.hotwords = value(field, v)?,
        "hotword_window" => spec.hotword_window = value(field, v)?,
        "hotword_boost" => spec.hotword_boost = number(field, v)?,
        "min_entropy" => spec.min_entropy = Some(number(field, v)?),
        "require_hotword" => spec.require_hotword = value(field, v)?,
        "examples" => spec.examples = value(field, v)?,
        "negative_examples" => spec.negative_examples = value(field, v)?,
        "references" => spec.references = value(field, v)?,
        _ => unreachable!("FIELDS lists every field set handles"),
    }
    Ok(())
}

/// The bounds every rule keeps, wherever it comes from.
pub fn check(spec: &RuleSpec) -> Result<(), FieldError> {
    let err = |field: &'static str, message: String| Err((Some(field), message));
    let id_ok = spec.id.len() <= MAX_ID
        && spec
            .id
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && spec
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_.-".contains(&b));
    if !id_ok {
        return err(
            "id",
            format!("must be lower-case letters, digits and . _ - (at most {MAX_ID}), starting with a letter or digit"),
        );
    }
    let entity_ok = spec.entity.len() <= MAX_ENTITY
        && spec
            .entity
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_uppercase())
        && spec
            .entity
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if !entity_ok {
        return err(
            "entity",
            format!("must be UPPER_SNAKE_CASE (at most {MAX_ENTITY}), like CREDIT_CARD"),
        );
    }
    if !CATEGORIES.contains(&spec.category.as_str()) {
        return err(
            "category",
            format!(
                "must be one of {}, not '{}'",
                CATEGORIES.join(", "),
                spec.category
            ),
        );
    }
    if spec.pattern.is_empty() || spec.pattern.len() > MAX_PATTERN_BYTES {
        return err(
            "pattern",
            format!(
                "must be 1 to {MAX_PATTERN_BYTES} bytes, got {}",
                spec.pattern.len()
            ),
        );
    }
    for (field, x) in [("score", spec.score), ("hotword_boost", spec.hotword_boost)] {
        if !(0.0..=1.0).contains(&x) {
            return err(field, format!("must be between 0 and 1, got {x}"));
        }
    }
    if let Some(e) = spec.min_entropy {
        if !(0.0..=MAX_ENTROPY).contains(&e) {
            return err(
                "min_entropy",
                format!("must be between 0 and {MAX_ENTROPY} bits per byte, got {e}"),
            );
        }
    }
    if spec.hotword_window > MAX_HOTWORD_WINDOW {
        return err(
            "hotword_window",
            format!(
                "must be at most {MAX_HOTWORD_WINDOW} bytes, got {}",
                spec.hotword_window
            ),
        );
    }
    if spec.hotwords.iter().any(String::is_empty) {
        return err(
            "hotwords",
            "an empty hotword matches everywhere".to_string(),
        );
    }
    for (field, list) in [
        ("examples", &spec.examples),
        ("negative_examples", &spec.negative_examples),
    ] {
        if list.is_empty() {
            return err(
                field,
                "needs at least one: a rule's examples are its tests".to_string(),
            );
        }
    }
    if let Some(name) = &spec.validator {
        if Validator::from_name(name).is_none() {
            let known: Vec<&str> = Validator::all().iter().map(|v| v.name()).collect();
            return err(
                "validator",
                format!("unknown validator '{name}'; known: {}", known.join(", ")),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[rules]]
id = "acme.badge"
name = "ACME badge"
entity = "ACME_BADGE"
category = "pii"
pattern = '''\bACME-(?P<value>\d{6})\b'''
score = 0.7
hotwords = ["badge"]
examples = ["badge ACME-123456"]
negative_examples = ["ACME-12345"]
"#;

    fn error(text: &str) -> String {
        parse(text, "mine.toml").unwrap_err().0
    }

    #[test]
    fn a_good_file_decodes_with_the_defaults() {
        let rules = parse(GOOD, "mine.toml").unwrap();
        assert_eq!(rules.len(), 1);
        let r = &rules[0];
        assert_eq!(
            (r.id.as_str(), r.source.as_str()),
            ("acme.badge", "mine.toml")
        );
        assert_eq!((r.hotword_window, r.hotword_boost), (64, 0.25));
        assert_eq!(r.validator, None);
        assert!(!r.require_hotword && r.references.is_empty());
        // An integer is a number too.
        let rules = parse(&GOOD.replace("score = 0.7", "score = 1"), "f").unwrap();
        assert_eq!(rules[0].score, 1.0);
    }

    #[test]
    fn errors_name_the_file_the_rule_and_the_field() {
        let e = error(&GOOD.replace("score = 0.7", "score = \"high\""));
        assert_eq!(
            e,
            "mine.toml: rule 'acme.badge': field 'score': must be a number, not a string"
        );
        let e = error(&GOOD.replace("score = 0.7", "score = 1.5"));
        assert!(
            e.ends_with("field 'score': must be between 0 and 1, got 1.5"),
            "{e}"
        );
        let e = error(&GOOD.replace("score = 0.7", "score = 0.7\nscroe = 1"));
        assert!(
            e.contains("rule 'acme.badge': unknown field 'scroe'"),
            "{e}"
        );
        let e = error(&GOOD.replace("category = \"pii\"", "category = \"pi\""));
        assert!(
            e.contains("field 'category': must be one of pii, financial"),
            "{e}"
        );
        let e = error(&GOOD.replace("score = 0.7", "score = 0.7\nvalidator = \"luhnn\""));
        assert!(
            e.contains("field 'validator': unknown validator 'luhnn'"),
            "{e}"
        );
        let e = error(&GOOD.replace("hotwords = [\"badge\"]", "hotwords = [1]"));
        assert!(e.contains("field 'hotwords': "), "{e}");
        let e = error(&GOOD.replace("negative_examples = [\"ACME-12345\"]", ""));
        assert!(e.ends_with("field 'negative_examples': is required"), "{e}");
        let e = error(&GOOD.replace("id = \"acme.badge\"", "id = \"Acme\""));
        assert!(
            e.contains("rule 'Acme': field 'id': must be lower-case"),
            "{e}"
        );
        let e = error(&GOOD.replace("id = \"acme.badge\"\n", ""));
        assert!(e.contains("rules[0]: field 'id': is required"), "{e}");
        let e = error(&format!("{GOOD}\n[[rules]\nid = 1"));
        assert!(e.starts_with("mine.toml: not valid TOML: line 13: "), "{e}");
        let e = error("rule = []");
        assert!(e.contains("unknown top-level key 'rule'"), "{e}");
        let long = GOOD.replace(r"\bACME-", &"a".repeat(MAX_PATTERN_BYTES + 1));
        assert!(error(&long).contains("rule 'acme.badge': field 'pattern'"));
    }

    #[test]
    fn every_builtin_file_decodes() {
        let mut ids = std::collections::HashSet::new();
        let mut total = 0;
        for (name, text) in crate::builtin::BUILTIN_RULE_FILES {
            for rule in parse(text, name).unwrap_or_else(|e| panic!("{e}")) {
                assert!(ids.insert(rule.id.clone()), "duplicate rule id {}", rule.id);
                total += 1;
            }
        }
        assert!(total > 300, "{total}");
    }
}
