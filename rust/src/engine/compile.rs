//! Building the match-end pass: which pass runs each rule, and the Vectorscan databases (cached
//! on disk, see `cache`).

use regex_syntax::hir::{Class, Hir, HirKind};

use super::EngineError;
use crate::hs::{self, Database, Mode};
use crate::join;
use crate::rules::{Rule, RuleError, MAX_WINDOW};

/// A rule goes to Vectorscan when every match holds a run of at least this many fixed bytes
/// (ASCII case aside), or one byte that is rare in text (`@`, `+`, `#`: see `is_rare`):
/// Vectorscan's literal matcher then skips everything else. Shorter, common anchors (a card's
/// leading `4`, the `-` of an SSN) fire everywhere, and such rules go to the shape DFA.
pub const MIN_ANCHOR: usize = 3;

/// Bytes rare enough in logs, JSON and prose that Vectorscan gating a rule on one of them skips
/// nearly everything: not letters, digits, white space or the punctuation of timestamps, paths,
/// JSON and prose; control bytes (an escape, a NUL) and the bytes of non-ASCII characters count
/// (the invisible and formatting characters the injection rules look for are all non-ASCII).
fn is_rare(b: u8) -> bool {
    let control = b.is_ascii_control() && !b"\t\n\r".contains(&b);
    control
        || !b.is_ascii()
        || (b.is_ascii_graphic()
            && !b.is_ascii_alphanumeric()
            && !b".,:;-_/\\\"'=()[]{}".contains(&b))
}

/// Which pass runs a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    Vectorscan,
    Shape,
}

/// Choose the pass for a rule: Vectorscan for rules with an anchor (and for rules whose match is
/// unbounded or longer than any window: the shape DFA's lanes need a bounded overlap), the shape
/// DFA for the rest.
pub fn pass_of(rule: &Rule) -> Pass {
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(&rule.hs_pattern)
    else {
        return Pass::Vectorscan;
    };
    let bounded = hir
        .properties()
        .maximum_len()
        .is_some_and(|n| n <= MAX_WINDOW);
    if !bounded || anchored(&hir) {
        Pass::Vectorscan
    } else {
        Pass::Shape
    }
}

/// Whether every match holds an anchor Vectorscan's literal matcher can find: a fixed run of
/// `MIN_ANCHOR` bytes, a rare byte, or two case-sensitive capitals (`DL`); an alternation is
/// anchored when each of its branches is, a concatenation when one of its parts is.
fn anchored(hir: &Hir) -> bool {
    let a = anchor(hir);
    if a.best >= MIN_ANCHOR || a.rare || capitals(hir) {
        return true;
    }
    match hir.kind() {
        HirKind::Capture(cap) => anchored(&cap.sub),
        HirKind::Repetition(rep) => rep.min > 0 && anchored(&rep.sub),
        HirKind::Concat(parts) => parts.iter().any(anchored),
        HirKind::Alternation(alts) => alts.iter().all(anchored),
        _ => false,
    }
}

/// A literal of at least two upper-case ASCII letters, matched case-sensitively.
fn capitals(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Literal(lit) => lit
            .0
            .windows(2)
            .any(|w| w.iter().all(u8::is_ascii_uppercase)),
        HirKind::Concat(parts) => parts.iter().any(capitals),
        HirKind::Capture(cap) => capitals(&cap.sub),
        _ => false,
    }
}

/// Fixed runs in a pattern: `best` is the longest run every match contains; a node that always
/// matches `exact` fixed bytes extends its neighbours' runs; `prefix`/`suffix` are the fixed
/// runs every match starts and ends with.
#[derive(Clone, Copy, Debug, Default)]
struct Anchor {
    best: usize,
    exact: Option<usize>,
    prefix: usize,
    suffix: usize,
    /// Every match holds a rare byte.
    rare: bool,
}

impl Anchor {
    fn fixed(n: usize) -> Anchor {
        Anchor {
            best: n,
            exact: Some(n),
            prefix: n,
            suffix: n,
            rare: false,
        }
    }

    fn rare(self, rare: bool) -> Anchor {
        Anchor { rare, ..self }
    }
}

fn anchor(hir: &Hir) -> Anchor {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Anchor::fixed(0),
        HirKind::Literal(lit) => Anchor::fixed(lit.0.len()).rare(lit.0.iter().any(|&b| is_rare(b))),
        // A class of one byte, or of one letter in both cases, is as good as a literal.
        HirKind::Class(class) => {
            let size = match class {
                Class::Bytes(c) => c.ranges().iter().map(|r| r.len()).sum::<usize>(),
                Class::Unicode(c) => c.ranges().iter().map(|r| r.len()).sum::<usize>(),
            };
            let all_rare = match class {
                Class::Bytes(c) => c.iter().all(|r| (r.start()..=r.end()).all(is_rare)),
                Class::Unicode(c) => c
                    .iter()
                    .all(|r| (r.start()..=r.end()).all(|ch| ch.is_ascii() && is_rare(ch as u8))),
            };
            if size <= 2 {
                Anchor::fixed(1).rare(all_rare)
            } else {
                Anchor::default()
            }
        }
        HirKind::Capture(cap) => anchor(&cap.sub),
        HirKind::Repetition(rep) => {
            if rep.min == 0 {
                return Anchor::default();
            }
            let sub = anchor(&rep.sub);
            match sub.exact {
                Some(n) if Some(rep.min) == rep.max => Anchor::fixed(n * rep.min as usize),
                _ => Anchor { exact: None, ..sub },
            }
        }
        HirKind::Concat(parts) => {
            let parts: Vec<Anchor> = parts.iter().map(anchor).collect();
            let mut best = 0;
            let mut run = 0;
            for a in &parts {
                match a.exact {
                    Some(n) => run += n,
                    None => {
                        best = best.max(run + a.prefix).max(a.best);
                        run = a.suffix;
                    }
                }
            }
            best = best.max(run);
            let exact = parts.iter().map(|a| a.exact).sum::<Option<usize>>();
            let edge = |iter: &mut dyn Iterator<Item = &Anchor>, side: fn(&Anchor) -> usize| {
                let mut n = 0;
                for a in iter {
                    match a.exact {
                        Some(k) => n += k,
                        None => return n + side(a),
                    }
                }
                n
            };
            Anchor {
                best,
                exact,
                prefix: edge(&mut parts.iter(), |a| a.prefix),
                suffix: edge(&mut parts.iter().rev(), |a| a.suffix),
                rare: parts.iter().any(|a| a.rare),
            }
        }
        HirKind::Alternation(alts) => {
            let alts: Vec<Anchor> = alts.iter().map(anchor).collect();
            let min = |f: fn(&Anchor) -> usize| alts.iter().map(f).min().unwrap_or(0);
            let first = alts.first().and_then(|a| a.exact);
            let same = alts.iter().all(|a| a.exact == first);
            Anchor {
                best: min(|a| a.best),
                exact: if same { first } else { None },
                prefix: min(|a| a.prefix),
                suffix: min(|a| a.suffix),
                rare: !alts.is_empty() && alts.iter().all(|a| a.rare),
            }
        }
    }
}

fn hs_flags(prefilter: bool, multiline: bool) -> u32 {
    (if prefilter { hs::FLAG_PREFILTER } else { 0 })
        | if multiline { join::FLAG_MULTILINE } else { 0 }
}

/// Compile the rules `ids` into one database (`multiline[i]`: rule i gets the multiline flag).
/// A pattern Vectorscan cannot take exactly is retried as a prefilter (a superset the regex then
/// narrows); one it cannot take at all is an error naming it. Returns the database and the rules
/// it runs as prefilters that were not marked so.
pub fn compile_database(
    rules: &[Rule],
    ids: &[u32],
    multiline: &[bool],
) -> Result<(Database, Vec<u32>), EngineError> {
    let mut prefilter: Vec<bool> = ids.iter().map(|&i| rules[i as usize].prefilter).collect();
    let entries = |prefilter: &[bool]| -> Vec<(&str, u32, u32)> {
        ids.iter()
            .zip(prefilter)
            .map(|(&i, &p)| {
                let flags = hs_flags(p, multiline[i as usize]);
                (rules[i as usize].hs_pattern.as_str(), flags, i)
            })
            .collect()
    };
    let key = crate::cache::key(&entries(&prefilter), Mode::Block);
    let newly = |prefilter: &[bool]| -> Vec<u32> {
        ids.iter()
            .zip(prefilter)
            .filter(|(&i, &p)| p && !rules[i as usize].prefilter)
            .map(|(&i, _)| i)
            .collect()
    };
    if let Some((db, cached)) = crate::cache::load(&key, Mode::Block) {
        if cached.iter().all(|&j| (j as usize) < ids.len()) {
            for j in cached {
                prefilter[j as usize] = true;
            }
            return Ok((db, newly(&prefilter)));
        }
    }
    let err = |i: u32, message: &str| {
        EngineError::Rule(RuleError {
            rule_id: rules[i as usize].id.clone(),
            message: format!("Vectorscan cannot compile the pattern: {message}"),
        })
    };
    loop {
        match Database::compile(&entries(&prefilter), Mode::Block) {
            Ok(db) => {
                let positions: Vec<u32> = (0..ids.len() as u32)
                    .filter(|&j| prefilter[j as usize])
                    .collect();
                crate::cache::store(&key, &db, &positions);
                return Ok((db, newly(&prefilter)));
            }
            Err(hs::HsError::Compile {
                message,
                expression: Some(j),
            }) if j < ids.len() => {
                let i = ids[j];
                if prefilter[j] {
                    return Err(err(i, &message));
                }
                // Only switch to prefilter mode if that alone compiles; otherwise report the rule.
                let rule = &rules[i as usize];
                let alone = hs_flags(true, multiline[i as usize]);
                match Database::compile(&[(rule.hs_pattern.as_str(), alone, 0)], Mode::Block) {
                    Ok(_) => prefilter[j] = true,
                    Err(_) => return Err(err(i, &message)),
                }
            }
            Err(e) => return Err(EngineError::Compile(e.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pattern: &str) -> Anchor {
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(pattern)
            .unwrap();
        anchor(&hir)
    }

    fn best(pattern: &str) -> usize {
        parse(pattern).best
    }

    #[test]
    fn rare_bytes_anchor_too() {
        assert!(parse(r"[a-z]{1,64}@[a-z]{1,63}\.[a-z]{2,10}").rare);
        assert!(parse(r"\+[1-9]\d{7,14}|\+\d{2} \d{4}").rare);
        assert!(!parse(r"\+[1-9]\d{7,14}|\d{10}").rare);
        assert!(!parse(r"\b\d{3}-\d{2}-\d{4}\b").rare);
        assert!(!parse(r"(?:@)?\d{4}").rare);
    }

    fn anchored_pattern(p: &str) -> bool {
        let hir = regex_syntax::ParserBuilder::new()
            .unicode(false)
            .utf8(false)
            .build()
            .parse(p)
            .unwrap();
        anchored(&hir)
    }

    #[test]
    fn each_branch_anchored_is_anchored() {
        assert!(anchored_pattern(r"\[/?INST\]|<\|[a-z]{1,30}\|>"));
        assert!(anchored_pattern(r"(?:\x1b\[|\xC2\x9B)[0-9;]{0,32}m"));
        assert!(anchored_pattern(r"\bDL(?:#|No)?[: ]{1,6}\d{7,12}"));
        assert!(anchored_pattern(r"x(?:\xE2\x80[\x8B-\x8D]){3,9}"));
        assert!(!anchored_pattern(r"\b\d{3}-\d{2}-\d{4}\b"));
        assert!(!anchored_pattern(r"\b[A-Z]{2}\d{2}[A-Z0-9]{11,30}\b"));
        assert!(!anchored_pattern(r"\bDl\d{8}|ab\d{4}"));
    }

    #[test]
    fn anchors_are_the_fixed_runs_every_match_holds() {
        assert_eq!(best(r"ghp_[A-Za-z0-9]{36}"), 4);
        assert_eq!(
            best(r"(?i:(?:\b|_)(?:ssn|social[ _-]?security))[: ]{1,6}\d{9}"),
            3
        );
        assert_eq!(best(r"\b\d{3}-\d{2}-\d{4}\b"), 1);
        assert_eq!(best(r"[a-z]{1,64}@[a-z]{1,63}\.[a-z]{2,10}"), 1);
        assert_eq!(best(r"(?:^|[^0-9])4\d{15}"), 1);
        assert_eq!(best(r"-----BEGIN (?:RSA )?PRIVATE KEY-----"), 16);
        assert_eq!(best(r"x(?:ab|cd)y"), 4);
        assert_eq!(best(r"x(?:ab|c)y"), 2);
        assert_eq!(best(r"(?:abc)?d"), 1);
        assert_eq!(best(r"(?:ab){2}c"), 5);
    }
}
