//! Scanning many small items in one Vectorscan pass: what each rule does at an item's edges.
//!
//! `Engine::scan_many` joins its items with a one-byte `\n` separator and scans the joined buffer
//! once. For most rules the match ends Vectorscan reports inside an item are then exactly those a
//! scan of the item alone reports: `\b` sees the separator as it sees a buffer edge (both are
//! non-word), `(?m)^` and `(?m)$` match next to it as at a buffer edge, and a match of a rule that
//! can never match `\n` cannot reach across it. Two kinds of rule need care:
//!
//! - **anchored**: the rule uses `^` or `$` without `(?m)`, which match only at the edges of the
//!   whole joined buffer. In the joined database such a rule is compiled with Vectorscan's
//!   multiline flag, so the anchors match at every item edge — and also next to a `\n` *inside* an
//!   item, where the item alone would not match. A match is at most the rule's longest match
//!   long, so an end with no `\n` of its item that close before it (or right after it) is the
//!   item's own; an item with an end that has one is rescanned alone.
//! - **spanning**: the rule can match a `\n` byte, so a match may start in an earlier item (the
//!   separator inside it) and end in this one. The part of such a match after the separator is
//!   at most the rule's `tail`: the most bytes any match can have after a `\n` in it. An end
//!   further than that from its item's start is the item's own; an item with an end that close
//!   is rescanned alone. (A rule that matches `\n` only as its last byte, like
//!   `(?:[^a-z]|$)` at the end of a pattern, has a tail of 0 and needs nothing.)
//!
//! A match that ends on a separator belongs to no item and is dropped. Everything else Vectorscan
//! reports in the joined buffer is reported by the item alone, and the other way round, so the
//! findings are the same. A rule this module cannot reason about makes the engine scan items one
//! by one.

use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// Vectorscan's `HS_FLAG_MULTILINE`: `^` and `$` also match after and before every `\n`.
pub const FLAG_MULTILINE: u32 = 4;

/// How one rule behaves at the edges of joined items.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JoinInfo {
    /// The rule uses `^`/`$` without `(?m)`: compiled with the multiline flag in the joined
    /// database; an end with a `\n` of its item within `max_len` before it, or right after it,
    /// makes the item be rescanned alone.
    pub anchored: bool,
    /// The longest match (`usize::MAX`: unbounded).
    pub max_len: usize,
    /// An end this close to its item's start (at most this many of the item's bytes in the
    /// match) may come from a match that began in an earlier item. 0: none can.
    pub reach: usize,
}

impl JoinInfo {
    /// May this rule's match ending at `end` of `item` (joined with others) be one the item alone
    /// would not report?
    pub fn doubtful(&self, item: &[u8], end: usize) -> bool {
        if end <= self.reach {
            return true;
        }
        if self.anchored {
            let lo = end.saturating_sub(self.max_len.saturating_add(1));
            let hi = end.saturating_add(1).min(item.len());
            return lo < hi && memchr::memchr(b'\n', &item[lo..hi]).is_some();
        }
        false
    }
}

/// Escapes Vectorscan reads differently from `regex-syntax` (PCRE's `\v` is vertical white space,
/// `\R` any line break, `\N` not-a-newline, `\cJ` a control character): a pattern with one of them
/// is assumed to match `\n`, at any distance.
const NEWLINE_ESCAPES: &[u8] = b"vVRNchH";
/// Anchors the multiline flag does not move (`\A`, `\z`, `\Z`, `\G`): a rule with one cannot be
/// scanned joined.
const FIXED_ANCHORS: &[u8] = b"AzZG";

/// How the rule with this (Vectorscan) pattern behaves when items are joined; None when the
/// engine must not join items at all while it holds this rule.
pub fn analyse(hs_pattern: &str, prefilter: bool) -> Option<JoinInfo> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(hs_pattern)
        .ok()?;
    let mut odd_escape = false;
    let bytes = hs_pattern.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\\' {
            let next = bytes[i + 1];
            if FIXED_ANCHORS.contains(&next) {
                return None;
            }
            odd_escape |= NEWLINE_ESCAPES.contains(&next);
            i += 2;
        } else {
            i += 1;
        }
    }
    let mut anchored = false;
    for look in hir.properties().look_set().iter() {
        match look {
            Look::Start | Look::End => anchored = true,
            Look::StartLF
            | Look::EndLF
            | Look::WordAscii
            | Look::WordAsciiNegate
            | Look::WordUnicode
            | Look::WordUnicodeNegate
            | Look::WordStartAscii
            | Look::WordEndAscii
            | Look::WordStartUnicode
            | Look::WordEndUnicode
            | Look::WordStartHalfAscii
            | Look::WordEndHalfAscii
            | Look::WordStartHalfUnicode
            | Look::WordEndHalfUnicode => {}
            // CRLF-aware anchors, and whatever a later regex-syntax adds: no reasoning about them.
            _ => return None,
        }
    }
    let max_len = max_len(&hir);
    let reach = if prefilter || odd_escape {
        // A prefilter runs an approximation of the pattern, which may match more than it.
        usize::MAX
    } else {
        tail(&hir).unwrap_or(0)
    };
    Some(JoinInfo {
        anchored,
        max_len,
        reach,
    })
}

fn max_len(hir: &Hir) -> usize {
    hir.properties().maximum_len().unwrap_or(usize::MAX)
}

/// The most bytes a match of `hir` can have after a `\n` byte in it; None when no match of it
/// contains a `\n`. Saturates at `usize::MAX` (unbounded).
fn tail(hir: &Hir) -> Option<usize> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => None,
        HirKind::Literal(lit) => lit
            .0
            .iter()
            .rposition(|&b| b == b'\n')
            .map(|i| lit.0.len() - i - 1),
        HirKind::Class(Class::Bytes(c)) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= b'\n' && b'\n' <= r.end())
            .then_some(0),
        HirKind::Class(Class::Unicode(c)) => c
            .ranges()
            .iter()
            .any(|r| r.start() <= '\n' && '\n' <= r.end())
            .then_some(0),
        HirKind::Repetition(rep) => {
            if rep.max == Some(0) {
                return None;
            }
            let inner = tail(&rep.sub)?;
            // The newline in the first copy, every later copy after it.
            let later = match rep.max {
                Some(m) => (m as usize - 1).saturating_mul(max_len(&rep.sub)),
                None => usize::MAX,
            };
            Some(inner.saturating_add(later))
        }
        HirKind::Capture(cap) => tail(&cap.sub),
        HirKind::Alternation(subs) => subs.iter().filter_map(tail).max(),
        HirKind::Concat(subs) => {
            let mut best: Option<usize> = None;
            let mut after = 0usize; // longest match of the parts after the current one
            for sub in subs.iter().rev() {
                if let Some(t) = tail(sub) {
                    best = Some(best.unwrap_or(0).max(t.saturating_add(after)));
                }
                after = after.saturating_add(max_len(sub));
            }
            best
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(p: &str) -> Option<JoinInfo> {
        analyse(p, false)
    }

    #[test]
    fn plain_rules_need_nothing() {
        assert_eq!(
            info(r"\b(?:AKIA|ASIA)[A-Z2-7]{16}\b"),
            Some(JoinInfo {
                anchored: false,
                max_len: 20,
                reach: 0
            })
        );
        // (?m) anchors behave at a separator as at a buffer edge.
        assert_eq!(
            info(r"(?m)^(?:[0-8]\d{8})$"),
            Some(JoinInfo {
                anchored: false,
                max_len: 9,
                reach: 0
            })
        );
    }

    #[test]
    fn anchors_and_newlines_are_seen() {
        // A newline only as the last byte: nothing can follow it inside a match.
        let i = info(r"\bsk-[a-z]{4}(?:[^a-z]|$)").unwrap();
        assert_eq!((i.anchored, i.max_len, i.reach), (true, 8, 0));
        let i = info(r"(?:^|\s)x{2}").unwrap();
        assert_eq!((i.anchored, i.max_len, i.reach), (true, 3, 2));
        assert_eq!(info(r"a.{0,3}b").unwrap().reach, 0);
        assert_eq!(info(r"(?s)a.{0,3}b").unwrap().reach, 3);
        assert_eq!(info(r"a\x0ab").unwrap().reach, 1);
        assert_eq!(info(r"a[^b]{1,9}").unwrap().reach, 8);
        assert_eq!(info(r"a(?:\s[a-z]{2}){2}c").unwrap().reach, 6);
        assert_eq!(info(r"a\s+").unwrap().reach, usize::MAX);
        assert_eq!(info(r"a\s{0,3}b+").unwrap().reach, usize::MAX);
        assert_eq!(info(r"a\vb").unwrap().reach, usize::MAX);
        assert_eq!(analyse("abc", true).unwrap().reach, usize::MAX);
    }

    #[test]
    fn doubtful_ends() {
        let i = info(r"(?:^|\s)x{2}").unwrap();
        assert!(i.doubtful(b"xx", 2)); // may have begun on the separator
        assert!(!i.doubtful(b"abc xx", 6));
        assert!(i.doubtful(b"ab\nxx", 5)); // a newline inside the item, within reach
        assert!(!i.doubtful(b"a\nbc xx", 7));
        let i = info(r"\bsk-[a-z]{4}(?:[^a-z]|$)").unwrap();
        assert!(!i.doubtful(b"sk-abcd", 7));
        assert!(i.doubtful(b"sk-abcd\nq", 7)); // `$` may have matched before the newline
    }

    #[test]
    fn fixed_anchors_refuse_joining() {
        assert_eq!(info(r"\Aabc"), None);
        assert_eq!(info(r"abc\z"), None);
        assert_eq!(info(r"(?R)(?m)^abc"), None);
    }
}
