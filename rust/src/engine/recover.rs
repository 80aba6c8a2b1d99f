//! Span recovery: the rule's regex over one region's window, then validator, entropy and hotwords
//! on each candidate. Only the few places the match-end pass pointed at are searched.

use regex_automata::util::primitives::NonMaxUsize;
use regex_automata::Input;

use super::clusters::Region;
use super::{Engine, Finding};
use crate::rules::{Rule, VALIDATED_BOOST};
use crate::validators::shannon_entropy;
use crate::viewmap::Origin;

impl Engine {
    /// Run the rule's regex over one cluster's window of `data` (whose first byte sits at absolute
    /// offset `base`), validate and score what it finds.
    pub(super) fn recover(
        &self,
        data: &[u8],
        base: u64,
        region: &Region,
        context: Option<&[u8]>,
        out: &mut Vec<Finding>,
    ) {
        let rule = &self.rules[region.rule as usize];
        let lo = region.min_end.saturating_sub(rule.window as u64).max(base);
        let hi = region.max_end;
        let (lo, hi) = ((lo - base) as usize, ((hi - base) as usize).min(data.len()));
        if lo >= hi {
            return;
        }
        let group = rule.value_group.unwrap_or(0);
        let mut slots: [Option<NonMaxUsize>; 2] = [None, None];
        let mut group_slots: Vec<Option<NonMaxUsize>> = Vec::new();
        let mut input = Input::new(data).span(lo..hi);
        let mut at = lo;
        while at < hi {
            input.set_start(at);
            let (ms, _me, vs, ve) = if group == 0 {
                if rule.regex.search_slots(&input, &mut slots).is_none() {
                    break;
                }
                let (s, e) = (slots[0].unwrap().get(), slots[1].unwrap().get());
                (s, e, s, e)
            } else {
                group_slots.resize(2 * (group + 1), None);
                if rule.regex.search_slots(&input, &mut group_slots).is_none() {
                    break;
                }
                let (s, e) = (group_slots[0].unwrap().get(), group_slots[1].unwrap().get());
                match (group_slots[2 * group], group_slots[2 * group + 1]) {
                    (Some(vs), Some(ve)) => (s, e, vs.get(), ve.get()),
                    _ => (s, e, s, e),
                }
            };
            // Go on from the value's end, not the match's: a match may consume a byte of context
            // after its value (`(?:\s|$)`) that the next value needs before it (two MAC addresses
            // with one space between them).
            at = ve.max(ms + 1);
            if let Some(score) = self.score(rule, data, vs, ve, context) {
                out.push(Finding {
                    rule: region.rule,
                    start: base as usize + vs,
                    end: base as usize + ve,
                    score,
                    origin: Origin::PLAIN,
                });
            }
        }
    }

    /// Validator, entropy and hotwords; None drops the candidate.
    fn score(
        &self,
        rule: &Rule,
        data: &[u8],
        vs: usize,
        ve: usize,
        context: Option<&[u8]>,
    ) -> Option<f64> {
        if vs >= ve {
            return None;
        }
        let value = &data[vs..ve];
        let mut score = rule.score;
        if let Some(v) = rule.validator {
            if !v.check(value) {
                return None;
            }
            score += VALIDATED_BOOST;
        }
        if let Some(min) = rule.min_entropy {
            if shannon_entropy(value) < min {
                return None;
            }
        }
        if let Some(hotwords) = &rule.hotwords {
            let before = &data[vs.saturating_sub(rule.hotword_window)..vs];
            let after = &data[ve..(ve + rule.hotword_window).min(data.len())];
            let near = hotwords.is_match(before)
                || hotwords.is_match(after)
                || context.is_some_and(|c| hotwords.is_match(c));
            if near {
                score += rule.hotword_boost;
            } else if rule.require_hotword {
                return None;
            }
        }
        Some(score.min(1.0))
    }
}
