//! Rules as the engine sees them: a spec handed in by the caller (decoded from TOML on the Python
//! side), compiled into the pieces the hot path needs.

use aho_corasick::AhoCorasick;
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;

use crate::validators::Validator;

/// Spans are recovered in a window that ends where Vectorscan reported a match; this is the
/// longest window any rule may ask for. A pattern whose longest match is unbounded gets
/// `DEFAULT_WINDOW`.
pub const MAX_WINDOW: usize = 16 * 1024;
pub const DEFAULT_WINDOW: usize = 4 * 1024;
/// Hotword windows are capped so streaming keeps a bounded tail.
pub const MAX_HOTWORD_WINDOW: usize = 256;
/// What a passing validator adds to a rule's score.
pub const VALIDATED_BOOST: f64 = 0.15;

/// Longest pattern accepted, in bytes. The longest built-in pattern is a few hundred bytes;
/// anything near this is a mistake or an attack on compile time.
pub const MAX_PATTERN_BYTES: usize = 64 * 1024;
/// Deepest nesting of groups and repetitions the parser accepts (its own default is 250).
pub const NEST_LIMIT: u32 = 100;
/// Most heap the compiled NFA of one pattern may take: `(a|aa){1000}{1000}` stops here, in
/// milliseconds, instead of building a billion states.
pub const NFA_SIZE_LIMIT: usize = 8 << 20;
/// Most heap the one-pass DFA of one pattern may take (beyond it, the meta regex does without).
pub const ONEPASS_SIZE_LIMIT: usize = 1 << 20;
/// Cache of the lazy DFA per search; when it fills too often the meta regex falls back to a
/// slower linear engine, so time stays linear either way.
pub const HYBRID_CACHE_CAPACITY: usize = 2 << 20;

/// A rule: one entry of a rule file (see `rule_file`, which decodes and checks them), and what
/// Python sees as `weir.Rule`. The defaults are the ones a rule file may leave out.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleSpec {
    /// Unique, lower-case, `family.name`.
    pub id: String,
    /// For people.
    pub name: String,
    /// What a finding is: Presidio's name where one exists (CREDIT_CARD), UPPER_SNAKE_CASE.
    pub entity: String,
    /// pii, financial, secret or injection.
    pub category: String,
    /// Regex syntax shared by Vectorscan and the regex crate (see patterns/README.md); the
    /// finding is the `value` group when there is one.
    pub pattern: String,
    /// Base confidence, 0 to 1.
    pub score: f64,
    /// A checksum or shape check by name (`Validator::from_name`).
    pub validator: Option<String>,
    /// Words that raise the score when near the value (case-insensitive).
    pub hotwords: Vec<String>,
    /// Bytes searched for hotwords on each side of the value.
    pub hotword_window: usize,
    /// What a hotword near the value adds to the score.
    pub hotword_boost: f64,
    /// Shannon bits per byte the value must reach, when set.
    pub min_entropy: Option<f64>,
    /// Report a candidate only with a hotword near it (or in the context): for values too common
    /// to report bare, such as ten digits that may be a phone number.
    pub require_hotword: bool,
    /// Texts the rule must find (its tests), and texts it must not.
    pub examples: Vec<String>,
    pub negative_examples: Vec<String>,
    /// Where the format is defined.
    pub references: Vec<String>,
    /// The file the rule came from ("" for a rule made in code).
    pub source: String,
}

impl Default for RuleSpec {
    fn default() -> Self {
        RuleSpec {
            id: String::new(),
            name: String::new(),
            entity: String::new(),
            category: String::new(),
            pattern: String::new(),
            score: 0.0,
            validator: None,
            hotwords: Vec::new(),
            hotword_window: DEFAULT_HOTWORD_WINDOW,
            hotword_boost: DEFAULT_HOTWORD_BOOST,
            min_entropy: None,
            require_hotword: false,
            examples: Vec::new(),
            negative_examples: Vec::new(),
            references: Vec::new(),
            source: String::new(),
        }
    }
}

/// What a rule that names none gets.
pub const DEFAULT_HOTWORD_WINDOW: usize = 64;
pub const DEFAULT_HOTWORD_BOOST: f64 = 0.25;

/// A rule the engine cannot use, with the rule's id and what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleError {
    pub rule_id: String,
    pub message: String,
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "rule '{}': {}", self.rule_id, self.message)
    }
}

impl std::error::Error for RuleError {}

/// A compiled rule.
pub struct Rule {
    pub id: String,
    pub entity: u32,
    pub regex: Regex,
    /// Index of the `value` capture group, when the pattern has one.
    pub value_group: Option<usize>,
    pub validator: Option<Validator>,
    pub score: f64,
    pub hotwords: Option<AhoCorasick>,
    pub hotword_window: usize,
    pub hotword_boost: f64,
    pub min_entropy: Option<f64>,
    pub require_hotword: bool,
    /// Longest possible match, bounding the span-recovery window.
    pub window: usize,
    /// The pattern as Vectorscan gets it (capture groups made non-capturing).
    pub hs_pattern: String,
    /// Vectorscan runs this rule as a prefilter (a superset); the regex decides.
    pub prefilter: bool,
}

fn syntax_config() -> syntax::Config {
    // Bytes semantics: ASCII classes and word boundaries, any byte may match.
    syntax::Config::new()
        .unicode(false)
        .utf8(false)
        .nest_limit(NEST_LIMIT)
}

/// Meta regex settings with explicit size limits (the crate's defaults are larger).
pub fn bounded_config() -> meta::Config {
    meta::Config::new()
        .nfa_size_limit(Some(NFA_SIZE_LIMIT))
        .onepass_size_limit(Some(ONEPASS_SIZE_LIMIT))
        .hybrid_cache_capacity(HYBRID_CACHE_CAPACITY)
}

/// The meta regex with explicit size limits: a pathological pattern is a compile error, fast.
pub fn bounded_regex(pattern: &str, syntax: syntax::Config) -> Result<Regex, String> {
    if pattern.len() > MAX_PATTERN_BYTES {
        return Err(format!(
            "pattern is {} bytes, over the limit of {MAX_PATTERN_BYTES}",
            pattern.len()
        ));
    }
    Regex::builder()
        .syntax(syntax)
        .configure(bounded_config().utf8_empty(false))
        .build(pattern)
        .map_err(|e| format!("pattern does not compile: {}", one_line(&with_causes(&e))))
}

/// An error and its causes: the meta regex says "error building NFA", its source says why.
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

fn parse_hir(pattern: &str) -> Result<regex_syntax::hir::Hir, String> {
    regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .nest_limit(NEST_LIMIT)
        .build()
        .parse(pattern)
        .map_err(|e| one_line(&e.to_string()))
}

impl Rule {
    pub fn compile(spec: &RuleSpec, entity: u32) -> Result<Rule, RuleError> {
        let err = |message: String| RuleError {
            rule_id: spec.id.clone(),
            message,
        };
        if spec.pattern.is_empty() {
            return Err(err("pattern is empty".into()));
        }
        if !(0.0..=1.0).contains(&spec.score) {
            return Err(err(format!(
                "score must be between 0 and 1, got {}",
                spec.score
            )));
        }
        let regex = bounded_regex(&spec.pattern, syntax_config()).map_err(err)?;
        let hir =
            parse_hir(&spec.pattern).map_err(|e| err(format!("pattern does not compile: {e}")))?;
        if hir.properties().minimum_len() == Some(0) {
            return Err(err("pattern can match the empty string".into()));
        }
        let window = hir
            .properties()
            .maximum_len()
            .map_or(DEFAULT_WINDOW, |n| n.min(MAX_WINDOW));
        let value_group = regex
            .group_info()
            .to_index(regex_automata::PatternID::ZERO, "value");
        let validator = match &spec.validator {
            None => None,
            Some(name) => Some(Validator::from_name(name).ok_or_else(|| {
                let known: Vec<&str> = Validator::all().iter().map(|v| v.name()).collect();
                err(format!(
                    "unknown validator '{name}'; known: {}",
                    known.join(", ")
                ))
            })?),
        };
        if spec.require_hotword && (spec.hotwords.is_empty() || spec.hotword_window == 0) {
            return Err(err(
                "require_hotword needs hotwords and a hotword_window above 0".into(),
            ));
        }
        let hotwords = if spec.hotwords.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .build(&spec.hotwords)
                    .map_err(|e| err(format!("hotwords: {e}")))?,
            )
        };
        Ok(Rule {
            id: spec.id.clone(),
            entity,
            regex,
            value_group,
            validator,
            score: spec.score,
            hotwords,
            hotword_window: spec.hotword_window.min(MAX_HOTWORD_WINDOW),
            hotword_boost: spec.hotword_boost,
            min_entropy: spec.min_entropy,
            require_hotword: spec.require_hotword,
            window,
            hs_pattern: strip_capture_groups(&spec.pattern),
            prefilter: false,
        })
    }
}

/// The longest match a pattern can produce (bytes semantics), or None when unbounded.
pub fn max_match_len(pattern: &str) -> Result<Option<usize>, String> {
    if pattern.len() > MAX_PATTERN_BYTES {
        return Err(format!(
            "pattern is over the limit of {MAX_PATTERN_BYTES} bytes"
        ));
    }
    Ok(parse_hir(pattern)?.properties().maximum_len())
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Rewrite capturing groups as non-capturing ones for Vectorscan, which ignores captures anyway
/// and does not take every named-group spelling. Escapes and character classes are respected.
pub fn strip_capture_groups(pattern: &str) -> String {
    let b = pattern.as_bytes();
    let mut out = String::with_capacity(pattern.len());
    let mut i = 0;
    let mut in_class = false;
    while i < b.len() {
        let c = b[i];
        if c == b'\\' && i + 1 < b.len() {
            // Copy the escape and the (possibly multi-byte) character it escapes.
            let next = pattern[i + 1..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&pattern[i..i + 1 + next]);
            i += 1 + next;
            continue;
        }
        if in_class {
            if c == b']' {
                in_class = false;
            }
        } else if c == b'[' {
            in_class = true;
            // A ']' right after '[' or '[^' is a literal.
            let mut j = i + 1;
            if j < b.len() && b[j] == b'^' {
                j += 1;
            }
            if j < b.len() && b[j] == b']' {
                out.push_str(&pattern[i..=j]);
                i = j + 1;
                continue;
            }
        } else if c == b'(' {
            let rest = &pattern[i..];
            let named = rest
                .strip_prefix("(?P<")
                .or_else(|| rest.strip_prefix("(?<"))
                .filter(|r| !r.starts_with('=') && !r.starts_with('!'));
            if let Some(after) = named {
                if let Some(close) = after.find('>') {
                    out.push_str("(?:");
                    i += rest.len() - after.len() + close + 1;
                    continue;
                }
            }
            if !rest.starts_with("(?") {
                out.push_str("(?:");
                i += 1;
                continue;
            }
        }
        let ch = pattern[i..].chars().next().unwrap();
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(pattern: &str) -> RuleSpec {
        RuleSpec {
            id: "t.rule".into(),
            entity: "X".into(),
            pattern: pattern.into(),
            score: 0.5,
            ..Default::default()
        }
    }

    #[test]
    fn strips_groups_but_not_escapes_or_classes() {
        assert_eq!(
            strip_capture_groups(r"a(?P<value>b(c))\(d[(]"),
            r"a(?:b(?:c))\(d[(]"
        );
        assert_eq!(
            strip_capture_groups(r"(?i)x(?<v>y)(?:z)"),
            r"(?i)x(?:y)(?:z)"
        );
        assert_eq!(strip_capture_groups(r"[]()](x)"), r"[]()](?:x)");
    }

    #[test]
    fn window_is_longest_match() {
        let r = Rule::compile(&spec(r"ab[0-9]{2,10}"), 0).unwrap();
        assert_eq!(r.window, 12);
        let r = Rule::compile(&spec(r"ab[0-9]+"), 0).unwrap();
        assert_eq!(r.window, DEFAULT_WINDOW);
    }

    #[test]
    fn value_group_found() {
        let r = Rule::compile(&spec(r"k=(?P<value>[a-z]{3})"), 0).unwrap();
        assert_eq!(r.value_group, Some(1));
    }

    #[test]
    fn pathological_patterns_fail_fast_naming_the_rule() {
        let started = std::time::Instant::now();
        let long = "a".repeat(MAX_PATTERN_BYTES + 1);
        let deep = format!("{}a{}", "(".repeat(200), ")".repeat(200));
        for pattern in [
            r"(a|aa){1000}{1000}",
            r"(?:\w{100}){100}{100}",
            &long,
            &deep,
        ] {
            let e = Rule::compile(&spec(pattern), 0).err().expect("refused");
            assert_eq!(e.rule_id, "t.rule");
            assert!(e.to_string().starts_with("rule 't.rule': pattern "), "{e}");
            assert!(!e.message.ends_with("error building NFA"), "{e}");
        }
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
        assert!(max_match_len(&long).is_err());
    }

    #[test]
    fn errors_name_the_rule() {
        let e = Rule::compile(&spec(r"(?=x)y"), 0).err().unwrap();
        assert_eq!(e.rule_id, "t.rule");
        assert!(e.to_string().contains("t.rule"));
        let e = Rule::compile(&spec(r"a?"), 0).err().unwrap();
        assert!(e.message.contains("empty"));
        let mut s = spec("abc");
        s.validator = Some("nope".into());
        assert!(Rule::compile(&s, 0)
            .err()
            .unwrap()
            .message
            .contains("unknown validator"));
    }
}
