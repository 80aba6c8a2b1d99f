//! Span recovery: the rule's regex over one region's window, then validator, entropy and hotwords
//! on each candidate. Only the few places the match-end pass pointed at are searched.

use std::sync::Mutex;

use regex_automata::meta;
use regex_automata::util::primitives::NonMaxUsize;
use regex_automata::Input;

use super::clusters::Region;
use super::{Engine, Finding};
use crate::rules::{Rule, VALIDATED_BOOST};
use crate::validators::shannon_entropy;
use crate::viewmap::Origin;

/// The rules' regex caches for one worker: taken from the engine's pool for a batch of regions
/// and given back after. The regex crate keeps a cache per thread on its own, but only the first
/// thread to search gets it without a lock; others share a few locked stacks and, when those are
/// busy, start a fresh (cold) cache: a stream's worker threads paid half again for recovery.
pub(super) struct RegexCaches(Vec<Option<meta::Cache>>);

impl RegexCaches {
    fn get(&mut self, rule: &Rule, index: u32) -> &mut meta::Cache {
        self.0[index as usize].get_or_insert_with(|| rule.regex.create_cache())
    }
}

/// Sets of regex caches no worker is using.
#[derive(Default)]
pub(super) struct CachePool(Mutex<Vec<RegexCaches>>);

impl CachePool {
    /// Run `f` with a set of caches for `rules` rules, warm when one is free.
    pub fn with<R>(&self, rules: usize, f: impl FnOnce(&mut RegexCaches) -> R) -> R {
        let taken = self.0.lock().ok().and_then(|mut pool| pool.pop());
        let mut caches = taken.unwrap_or_else(|| RegexCaches((0..rules).map(|_| None).collect()));
        let out = f(&mut caches);
        if let Ok(mut pool) = self.0.lock() {
            pool.push(caches);
        }
        out
    }
}

impl Engine {
    /// Run the rule's regex over one cluster's window of `data` (whose first byte sits at absolute
    /// offset `base`), validate and score what it finds.
    pub(super) fn recover(
        &self,
        data: &[u8],
        base: u64,
        region: &Region,
        context: Option<&[u8]>,
        caches: &mut RegexCaches,
        out: &mut Vec<Finding>,
    ) {
        let rule = &self.rules[region.rule as usize];
        let cache = caches.get(rule, region.rule);
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
        let mut hotwords = Near::Unknown;
        let mut at = lo;
        while at < hi {
            input.set_start(at);
            let (ms, _me, vs, ve) = if group == 0 {
                if rule
                    .regex
                    .search_slots_with(cache, &input, &mut slots)
                    .is_none()
                {
                    break;
                }
                let (s, e) = (slots[0].unwrap().get(), slots[1].unwrap().get());
                (s, e, s, e)
            } else {
                group_slots.resize(2 * (group + 1), None);
                if rule
                    .regex
                    .search_slots_with(cache, &input, &mut group_slots)
                    .is_none()
                {
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
            if let Some(score) = score(rule, data, vs, ve, || {
                hotwords.ask(rule, data, hi, context, (vs, ve))
            }) {
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
}

/// Validator, entropy and hotwords; None drops the candidate. `near` says whether a hotword is
/// close to the value (asked only of a candidate that passed the rest).
fn score(
    rule: &Rule,
    data: &[u8],
    vs: usize,
    ve: usize,
    near: impl FnOnce() -> bool,
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
    if rule.hotwords.is_some() {
        if near() {
            score += rule.hotword_boost;
        } else if rule.require_hotword {
            return None;
        }
    }
    Some(score.min(1.0))
}

/// A rule's hotwords around one region's candidates. The first candidate searches its own two
/// slices; from the second on, the rest of the region is searched once for all of them (a dense
/// region, a million e-mail addresses, otherwise searches the same bytes twice per candidate).
enum Near {
    Unknown,
    /// One candidate was asked about, by searching its slices.
    One,
    Known {
        /// Every occurrence (overlapping ones too) as (start, end), by start.
        hits: Vec<(usize, usize)>,
        in_context: bool,
    },
}

impl Near {
    /// Whether a hotword is near the candidate `vs..ve` (candidates come in ascending order).
    fn ask(
        &mut self,
        rule: &Rule,
        data: &[u8],
        hi: usize,
        context: Option<&[u8]>,
        (vs, ve): (usize, usize),
    ) -> bool {
        let Some(ac) = &rule.hotwords else {
            return false;
        };
        let w = rule.hotword_window;
        match self {
            Near::Unknown => {
                *self = Near::One;
                ac.is_match(&data[vs.saturating_sub(w)..vs])
                    || ac.is_match(&data[ve..(ve + w).min(data.len())])
                    || context.is_some_and(|c| ac.is_match(c))
            }
            Near::One => {
                let from = vs.saturating_sub(w);
                let to = (hi + w).min(data.len()).max(from);
                let mut hits: Vec<(usize, usize)> = ac
                    .find_overlapping_iter(&data[from..to])
                    .map(|m| (from + m.start(), from + m.end()))
                    .collect();
                hits.sort_unstable();
                *self = Near::Known {
                    hits,
                    in_context: context.is_some_and(|c| ac.is_match(c)),
                };
                self.near(vs, ve, rule, data.len())
            }
            Near::Known { .. } => self.near(vs, ve, rule, data.len()),
        }
    }

    /// A hotword lies wholly within `hotword_window` bytes before the value or after it (or in
    /// the context): what searching those two slices and the context would say.
    fn near(&self, vs: usize, ve: usize, rule: &Rule, len: usize) -> bool {
        let Near::Known { hits, in_context } = self else {
            return false;
        };
        let inside = |from: usize, to: usize| {
            let i = hits.partition_point(|&(s, _)| s < from);
            hits[i..]
                .iter()
                .take_while(|&&(s, _)| s < to)
                .any(|&(_, e)| e <= to)
        };
        *in_context
            || inside(vs.saturating_sub(rule.hotword_window), vs)
            || inside(ve, (ve + rule.hotword_window).min(len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSpec;

    /// The hotwords found once per region say what searching each candidate's two slices says,
    /// overlapping hotwords and slice edges included.
    #[test]
    fn region_hotwords_agree_with_searching_each_slice() {
        let spec = RuleSpec {
            id: "t.rule".into(),
            entity: "X".into(),
            pattern: "[0-9]{4}".into(),
            score: 0.5,
            hotwords: vec![
                "email".into(),
                "mail".into(),
                "to".into(),
                "reply-to".into(),
            ],
            hotword_window: 9,
            hotword_boost: 0.2,
            ..Default::default()
        };
        let rule = Rule::compile(&spec, 0).unwrap();
        let ac = rule.hotwords.as_ref().unwrap();
        let alphabet = b"emailtoMAIL-rpy 0123";
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..300 {
            let data: Vec<u8> = (0..80)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    alphabet[(seed % alphabet.len() as u64) as usize]
                })
                .collect();
            let (lo, hi): (usize, usize) = (10, 70);
            let mut near = Near::Unknown;
            // Candidates in ascending order, as the regex finds them.
            for vs in (lo..hi - 6).step_by(3) {
                let ve = vs + 1 + (seed % 5) as usize;
                let w = rule.hotword_window;
                let want = ac.is_match(&data[vs.saturating_sub(w)..vs])
                    || ac.is_match(&data[ve..(ve + w).min(data.len())]);
                let got = near.ask(&rule, &data, hi, None, (vs, ve));
                assert_eq!(got, want, "{:?} {vs}..{ve}", String::from_utf8_lossy(&data));
            }
        }
    }
}
