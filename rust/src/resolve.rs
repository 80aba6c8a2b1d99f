//! Overlap resolution: the same span found by several rules keeps the best; a span contained in a
//! longer one of the same entity goes.

use crate::engine::Finding;

/// Resolve overlaps; `entity_of` maps a rule index to its entity. Returns findings sorted by
/// (start, end).
pub fn resolve(mut found: Vec<Finding>, entity_of: impl Fn(u32) -> u32) -> Vec<Finding> {
    if found.len() < 2 {
        return found;
    }
    // Same span: best score first, then the earlier rule (rule files order ties deterministically),
    // then a plain finding before one from a decoded view.
    found.sort_by(|a, b| {
        (a.start, a.end)
            .cmp(&(b.start, b.end))
            .then(b.score.total_cmp(&a.score))
            .then(a.rule.cmp(&b.rule))
            .then(a.origin.cmp(&b.origin))
    });
    found.dedup_by(|later, kept| later.start == kept.start && later.end == kept.end);

    // Containment within an entity: sorted by start, longest first, a finding whose end does not
    // pass the furthest end kept so far lies inside a kept one.
    let mut by_entity: Vec<(u32, Finding)> =
        found.into_iter().map(|f| (entity_of(f.rule), f)).collect();
    by_entity.sort_by(|(ea, a), (eb, b)| {
        (ea, a.start, std::cmp::Reverse(a.end)).cmp(&(eb, b.start, std::cmp::Reverse(b.end)))
    });
    let mut kept: Vec<Finding> = Vec::with_capacity(by_entity.len());
    let mut current: Option<(u32, usize)> = None;
    for (entity, f) in by_entity {
        match current {
            Some((e, furthest)) if e == entity && f.end <= furthest => continue,
            Some((e, furthest)) if e == entity => current = Some((e, furthest.max(f.end))),
            _ => current = Some((entity, f.end)),
        }
        kept.push(f);
    }
    kept.sort_by_key(|f| (f.start, f.end, f.rule));
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(rule: u32, start: usize, end: usize, score: f64) -> Finding {
        Finding {
            rule,
            start,
            end,
            score,
            origin: crate::viewmap::Origin::PLAIN,
        }
    }

    #[test]
    fn same_span_keeps_best() {
        let out = resolve(
            vec![f(0, 0, 9, 0.5), f(1, 0, 9, 0.8), f(2, 0, 9, 0.8)],
            |r| r,
        );
        assert_eq!(out, vec![f(1, 0, 9, 0.8)]);
    }

    #[test]
    fn contained_same_entity_keeps_longest() {
        let out = resolve(
            vec![f(0, 2, 5, 0.9), f(1, 0, 10, 0.5), f(2, 3, 4, 0.9)],
            |_| 7,
        );
        assert_eq!(out, vec![f(1, 0, 10, 0.5)]);
    }

    #[test]
    fn contained_other_entity_stays() {
        let out = resolve(vec![f(0, 2, 5, 0.9), f(1, 0, 10, 0.5)], |r| r);
        assert_eq!(out, vec![f(1, 0, 10, 0.5), f(0, 2, 5, 0.9)]);
    }

    #[test]
    fn partial_overlap_same_entity_stays() {
        let out = resolve(vec![f(0, 0, 5, 0.9), f(1, 3, 8, 0.5)], |_| 1);
        assert_eq!(out.len(), 2);
    }
}
