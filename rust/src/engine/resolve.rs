//! Overlap resolution: the same span found by several rules keeps the best; a span contained in a
//! longer one of the same entity goes, and so does a span inside a longer value that a checksum
//! validated (the card-shaped digit groups inside a valid IBAN are the IBAN's). A format check
//! is not enough: `password@db.host` in a URL passes the e-mail validator, and the password is
//! still a password.
//! Nor is a candidate: a validated value scored under [`CONTAINER_MIN_SCORE`] (eleven bare digits
//! that pass a check one number in ten passes) hides nothing inside it.

use super::finding::Finding;

/// The score a validated value needs to claim what lies inside it: the default threshold
/// (`weir.DEFAULT_MIN_SCORE`). Under it a value is a candidate reported for callers who ask for
/// everything, and a phone number inside a digit run that happens to pass a weak check is still a
/// phone number.
const CONTAINER_MIN_SCORE: f64 = 0.5;

/// Resolve overlaps; `entity_of` maps a rule index to its entity, `validated` says whether the
/// rule's findings passed a checksum validator (see `Validator::is_checksum`). Returns findings sorted by (start, end).
pub fn resolve(
    mut found: Vec<Finding>,
    entity_of: impl Fn(u32) -> u32,
    validated: impl Fn(u32) -> bool,
) -> Vec<Finding> {
    if found.len() < 2 {
        return found;
    }
    // Same span: best score first; on a tie, a rule whose checksum passed before one that only
    // checked a format (nine digits that pass the ABA check are a routing number before they are
    // an SSN-shaped number); then the earlier rule (rule files order ties deterministically),
    // then a plain finding before one from a decoded view.
    found.sort_by(|a, b| {
        (a.start, a.end)
            .cmp(&(b.start, b.end))
            .then(score_key(b.score).cmp(&score_key(a.score)))
            .then(validated(b.rule).cmp(&validated(a.rule)))
            .then(a.rule.cmp(&b.rule))
            .then(a.origin.cmp(&b.origin))
    });
    let found = same_span(found, &entity_of);
    let found = inside_validated(found, validated);

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

/// One reading per span, the best (input sorted best first within a span), except that other
/// entities' *candidates* (scored under [`CONTAINER_MIN_SCORE`]) stay beside it: `Z12803456` bare
/// is a US passport's shape and a German ID card's, and a caller who asks for every candidate
/// (`min_score=0`) gets both, as a recogniser per entity would report them. Two confident readings
/// of one span still give one finding. The order (score, then a passed checksum) says which
/// reading is the best: nine bare digits passing the ABA check are a routing number first, and an
/// SSN-shaped candidate after it.
fn same_span(found: Vec<Finding>, entity_of: &impl Fn(u32) -> u32) -> Vec<Finding> {
    let mut kept: Vec<Finding> = Vec::with_capacity(found.len());
    let mut span_from = 0; // index in `kept` of the current span's best reading
    for f in found {
        let same = kept
            .get(span_from)
            .is_some_and(|best| best.start == f.start && best.end == f.end);
        if !same {
            span_from = kept.len();
            kept.push(f);
            continue;
        }
        let entity = entity_of(f.rule);
        if f.score < CONTAINER_MIN_SCORE
            && kept[span_from..]
                .iter()
                .all(|k| entity_of(k.rule) != entity)
        {
            kept.push(f);
        }
    }
    kept
}

/// A score as an integer for ordering: sums such as 0.3 + 0.15 and 0.25 + 0.2 differ in the last
/// bits of a float, and a tie between two rules' scores should be a tie.
fn score_key(score: f64) -> i64 {
    (score * 1e6).round() as i64
}

/// Drop plain findings that lie inside a longer plain finding whose rule validated it (a finding,
/// not a candidate: scored at least [`CONTAINER_MIN_SCORE`]). Input
/// sorted by (start, end) with distinct spans; the output keeps that order. Findings from
/// decoded views stay: a value hidden inside an encoded blob is the point of a view.
fn inside_validated(found: Vec<Finding>, validated: impl Fn(u32) -> bool) -> Vec<Finding> {
    let containers = found
        .iter()
        .any(|f| f.origin.is_plain() && validated(f.rule));
    if !containers {
        return found;
    }
    // Start ascending, longest first: every container of a finding comes before it, and the
    // furthest end of the validated findings seen so far bounds what they contain.
    let mut order: Vec<usize> = (0..found.len()).collect();
    order.sort_by_key(|&i| (found[i].start, std::cmp::Reverse(found[i].end)));
    let mut drop = vec![false; found.len()];
    let mut furthest: Option<usize> = None;
    for i in order {
        let f = &found[i];
        if !f.origin.is_plain() {
            continue;
        }
        if furthest.is_some_and(|end| f.end <= end) {
            drop[i] = true;
            continue;
        }
        if validated(f.rule) && f.score >= CONTAINER_MIN_SCORE {
            furthest = Some(furthest.map_or(f.end, |end| end.max(f.end)));
        }
    }
    found
        .into_iter()
        .zip(drop)
        .filter_map(|(f, d)| (!d).then_some(f))
        .collect()
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
            |_| 0,
            |_| false,
        );
        assert_eq!(out, vec![f(1, 0, 9, 0.8)]);
    }

    #[test]
    fn same_span_same_score_keeps_the_checksum() {
        // Rule 0 (an SSN shape, format only) and rule 1 (an ABA routing number, checksum) claim
        // the same nine digits with the same score, whatever the order they come in.
        for found in [
            vec![f(0, 0, 9, 0.3 + 0.15), f(1, 0, 9, 0.25 + 0.2)],
            vec![f(1, 0, 9, 0.25 + 0.2), f(0, 0, 9, 0.3 + 0.15)],
        ] {
            // Both are candidates (under 0.5), so both stay.
            let out = resolve(found.clone(), |r| r, |r| r == 1);
            assert_eq!(out.len(), 2);
            // The same entity: one reading, the checksum's.
            let out = resolve(found, |_| 0, |r| r == 1);
            assert_eq!(out.len(), 1);
            assert_eq!(out[0].rule, 1);
        }
        // Two confident readings with the same score: the checksum's is the one finding.
        for found in [
            vec![f(0, 0, 9, 0.4 + 0.15), f(1, 0, 9, 0.35 + 0.2)],
            vec![f(1, 0, 9, 0.35 + 0.2), f(0, 0, 9, 0.4 + 0.15)],
        ] {
            let out = resolve(found, |r| r, |r| r == 1);
            assert_eq!(out.len(), 1);
            assert_eq!(out[0].rule, 1);
        }
        // A better score still wins over a checksum: context (a label, a hotword) is in it. The
        // checksum's reading, a candidate, stays beside it for callers who ask for candidates.
        let out = resolve(vec![f(0, 0, 9, 0.7), f(1, 0, 9, 0.45)], |r| r, |r| r == 1);
        assert_eq!(out, vec![f(0, 0, 9, 0.7), f(1, 0, 9, 0.45)]);
        // Two confident readings: one finding.
        let out = resolve(vec![f(0, 0, 9, 0.7), f(1, 0, 9, 0.6)], |r| r, |_| false);
        assert_eq!(out, vec![f(0, 0, 9, 0.7)]);
    }

    #[test]
    fn same_span_keeps_other_entities_candidates() {
        // A shape two entities share (a US passport's, a German ID card's): both candidates stay.
        let out = resolve(vec![f(0, 0, 9, 0.25), f(1, 0, 9, 0.45)], |r| r, |_| false);
        assert_eq!(out, vec![f(0, 0, 9, 0.25), f(1, 0, 9, 0.45)]);
        // The same entity twice: one.
        let out = resolve(vec![f(0, 0, 9, 0.25), f(1, 0, 9, 0.45)], |_| 3, |_| false);
        assert_eq!(out, vec![f(1, 0, 9, 0.45)]);
    }

    #[test]
    fn contained_same_entity_keeps_longest() {
        let out = resolve(
            vec![f(0, 2, 5, 0.9), f(1, 0, 10, 0.5), f(2, 3, 4, 0.9)],
            |_| 7,
            |_| false,
        );
        assert_eq!(out, vec![f(1, 0, 10, 0.5)]);
    }

    #[test]
    fn contained_other_entity_stays() {
        let out = resolve(vec![f(0, 2, 5, 0.9), f(1, 0, 10, 0.5)], |r| r, |_| false);
        assert_eq!(out, vec![f(1, 0, 10, 0.5), f(0, 2, 5, 0.9)]);
    }

    #[test]
    fn partial_overlap_same_entity_stays() {
        let out = resolve(vec![f(0, 0, 5, 0.9), f(1, 3, 8, 0.5)], |_| 1, |_| false);
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn inside_a_validated_value_goes() {
        // Rule 1 (an IBAN, validated) holds rule 0's span (card-shaped digits).
        let out = resolve(vec![f(0, 5, 24, 0.95), f(1, 0, 29, 0.9)], |r| r, |r| r == 1);
        assert_eq!(out, vec![f(1, 0, 29, 0.9)]);
    }

    #[test]
    fn inside_a_validated_candidate_stays() {
        // Rule 1 validated but scored under the threshold (eleven bare digits passing Verhoeff)
        // holds rule 0's span (a phone number without its country code 1): both stay.
        let out = resolve(vec![f(0, 1, 11, 0.4), f(1, 0, 11, 0.35)], |r| r, |r| r == 1);
        assert_eq!(out, vec![f(1, 0, 11, 0.35), f(0, 1, 11, 0.4)]);
    }

    #[test]
    fn inside_an_unvalidated_value_stays() {
        let out = resolve(vec![f(0, 5, 24, 0.95), f(1, 0, 29, 0.9)], |r| r, |_| false);
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn adjacent_and_overlapping_validated_values_stay() {
        // Two cards in a row, and one overlapping another: neither contains the other.
        let out = resolve(vec![f(0, 0, 16, 0.9), f(0, 17, 33, 0.9)], |r| r, |_| true);
        assert_eq!(out.len(), 2);
        let out = resolve(vec![f(0, 0, 16, 0.9), f(1, 10, 26, 0.9)], |r| r, |_| true);
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn view_findings_inside_validated_values_stay() {
        let mut hidden = f(0, 5, 10, 0.9);
        hidden.origin = crate::viewmap::Origin::PLAIN.then(1);
        let out = resolve(vec![hidden, f(1, 0, 29, 0.9)], |r| r, |r| r == 1);
        assert_eq!(out.len(), 2);
    }
}
