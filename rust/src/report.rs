//! The CLI's JSON finding records, written natively: a log can hold millions of findings, and a
//! Python object per finding (a record, a masked preview, a counter update) cost more than the
//! scan. Byte for byte the record `weir.report.Hit.to_json` writes (tests/test_native_report.py
//! holds the two against each other), so the format has one definition in Python and this copy
//! is checked against it.

use std::fmt::Write as _;
use std::sync::OnceLock;

use regex_automata::meta::Regex;

use crate::engine::Located;

/// Severity by score, as `weir.report.severity`: high from 0.8, medium from 0.5.
pub fn severity(score: f64) -> usize {
    if score >= 0.8 {
        2
    } else if score >= 0.5 {
        1
    } else {
        0
    }
}

pub const SEVERITIES: [&str; 3] = ["low", "medium", "high"];

/// What a record says of its rule: entity, rule id, category (identifiers, no escaping needed:
/// the rule schema allows only `[A-Za-z0-9_.-]`, but they are escaped anyway).
pub struct RuleMeta {
    pub entity: String,
    pub rule: String,
    pub category: String,
}

/// How a stream's findings become records.
pub struct RecordFormat {
    /// The file name as a JSON string, quotes included.
    pub file_json: String,
    pub rules: Vec<RuleMeta>,
    pub show_values: bool,
    /// Findings scoring below this are dropped (the scanner's `min_score`).
    pub floor: f64,
    /// Written before every record (`",\n  "` in a JSON array, `""` for JSON Lines).
    pub before: Vec<u8>,
    /// Written after every record (`"\n"` for JSON Lines).
    pub after: Vec<u8>,
}

/// Records of a batch of findings, and how many of them per rule and severity.
#[derive(Default)]
pub struct Records {
    pub bytes: Vec<u8>,
    /// (rule index, severity index, findings), in the order of each pair's first finding (so
    /// totals built from them list entities in the order the findings came, as the Python
    /// path's counters do).
    pub counts: Vec<(u32, u8, u64)>,
}

impl RecordFormat {
    pub fn write(&self, found: &[Located]) -> Records {
        let mut out = Records::default();
        let mut tally: Vec<[u64; 3]> = Vec::new();
        let mut order: Vec<(u32, u8)> = Vec::new();
        let mut text = String::new();
        for l in found {
            let f = &l.finding;
            if f.score < self.floor {
                continue;
            }
            let Some(meta) = self.rules.get(f.rule as usize) else {
                continue;
            };
            let sev = severity(f.score);
            let idx = f.rule as usize;
            if tally.len() <= idx {
                tally.resize(idx + 1, [0; 3]);
            }
            if tally[idx][sev] == 0 {
                order.push((f.rule, sev as u8));
            }
            tally[idx][sev] += 1;
            text.clear();
            self.record(&mut text, l, meta, sev);
            out.bytes.extend_from_slice(&self.before);
            out.bytes.extend_from_slice(text.as_bytes());
            out.bytes.extend_from_slice(&self.after);
        }
        out.counts = order
            .into_iter()
            .map(|(rule, sev)| (rule, sev, tally[rule as usize][sev as usize]))
            .collect();
        out
    }

    fn record(&self, out: &mut String, l: &Located, meta: &RuleMeta, sev: usize) {
        let f = &l.finding;
        let value = String::from_utf8_lossy(&l.value);
        let _ = write!(
            out,
            "{{\"file\": {}, \"line\": {}, \"column\": {}, \"start\": {}, \"end\": {}, \"entity\": ",
            self.file_json, l.line, l.column, f.start, f.end
        );
        json_str(out, &meta.entity);
        out.push_str(", \"rule\": ");
        json_str(out, &meta.rule);
        out.push_str(", \"category\": ");
        json_str(out, &meta.category);
        let _ = write!(
            out,
            ", \"score\": {}, \"severity\": \"{}\", \"preview\": ",
            py_round4(f.score),
            SEVERITIES[sev]
        );
        json_str(out, &mask_preview(&value));
        if self.show_values {
            out.push_str(", \"value\": ");
            json_str(out, &value);
        }
        if let Some(label) = f.origin.label() {
            out.push_str(", \"decoded\": ");
            json_str(out, &label);
        }
        out.push('}');
    }
}

/// `repr(round(score, 4))`: four decimals, correctly rounded, trailing zeros dropped, at least
/// one decimal kept (`1.0`, `0.9`, `0.8125`).
pub fn py_round4(score: f64) -> String {
    let mut s = format!("{score:.4}");
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.push('0');
    }
    s
}

/// A JSON string as Python's `json.encoder.encode_basestring_ascii` writes it: ASCII only,
/// `\uXXXX` (lower-case hex, surrogate pairs above U+FFFF) for everything else.
pub fn json_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Characters Python's `str.isprintable` rejects: every "Other" (Cc, Cf, Cs, Co, Cn) and
/// "Separator" (Zs, Zl, Zp) code point but the ASCII space.
fn non_printable() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"[\p{C}\p{Z}--\x20]").expect("a fixed, valid class"))
}

fn printable(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    let mut buf = [0u8; 4];
    !non_printable().is_match(c.encode_utf8(&mut buf).as_bytes())
}

/// `weir.results.mask_preview`: at most two edge characters of a long value kept, the rest
/// starred (at most 24 stars, so the length leaks little), unprintable characters as `?`.
pub fn mask_preview(value: &str) -> String {
    let chars: Vec<char> = value
        .chars()
        .map(|c| if printable(c) { c } else { '?' })
        .collect();
    let n = chars.len();
    let keep = if n < 8 {
        0
    } else if n < 12 {
        1
    } else {
        2
    };
    let hidden = (n - 2 * keep).min(24);
    let mut out: String = chars[..keep].iter().collect();
    out.extend(std::iter::repeat_n('*', hidden));
    out.extend(&chars[n - keep..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_like_python() {
        assert_eq!(py_round4(1.0), "1.0");
        assert_eq!(py_round4(0.9), "0.9");
        assert_eq!(py_round4(0.85), "0.85");
        assert_eq!(py_round4(0.123456), "0.1235");
        assert_eq!(py_round4(0.0), "0.0");
        assert_eq!(py_round4(0.8999999761581421), "0.9");
    }

    #[test]
    fn escapes_like_python() {
        let mut s = String::new();
        json_str(&mut s, "a\"b\\c\nd\u{1}é😀");
        assert_eq!(s, r#""a\"b\\c\nd\u0001\u00e9\ud83d\ude00""#);
    }

    #[test]
    fn previews_like_python() {
        assert_eq!(mask_preview("abc"), "***");
        assert_eq!(mask_preview("jane@ex.io"), "j********o");
        assert_eq!(mask_preview("4111111111111111"), "41************11");
        assert_eq!(
            mask_preview(&"x".repeat(100)),
            format!("xx{}xx", "*".repeat(24))
        );
        assert_eq!(mask_preview("ab\u{200b}cdefgh"), "a*******h");
        assert_eq!(mask_preview("\u{200b}bcdefghijk"), "?*********k");
    }
}
