"""Detection breadth on the peers' own test cases: what Presidio, Nosey Parker and gitleaks find,
does weir find, and what they leave alone, does weir leave alone?

The cases are data extracted from the peers' public test suites and rule files into
``../shared/peers/`` (its README names sources and licences; nothing of them is committed here).
Where that folder is absent the script says so and exits 0.

Scoring, per suite:

- **Presidio** (``presidio_cases.json``: an entity, a text, the expected code-point spans): an
  expected span is *found* when weir reports the same entity on an overlapping span; *exact* when
  the spans are equal. Found is counted at any score (``min_score=0``) and at the default policy's
  threshold. A negative case (no span expected) is *flagged* when weir reports its entity.
  Entity types weir has no rule for are listed apart, not scored as misses of a rule.
- **Nosey Parker, gitleaks** (rule examples: a text, positive or negative): a positive is *found*
  when weir reports any finding of category ``secret`` in it. A negative is *flagged* only when
  weir reports there an entity it reports on that peer rule's own positives (its kind): many of
  one rule's negatives are another rule's positives.

Patterns only (``ner=False``) unless ``--ner``: PERSON, LOCATION and the like come from spaCy.

Usage (from the project root)::

    .venv/bin/python benchmarks/peer_cases.py                       # summary + per-type table
    .venv/bin/python benchmarks/peer_cases.py --out benchmarks/results/peer_cases.md
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import weir
from weir.ner import ENTITIES as NER_ENTITIES

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT.parent / "shared" / "peers"


@dataclass
class Tally:
    positives: int = 0
    found_any: int = 0
    found_default: int = 0
    exact: int = 0
    negatives: int = 0
    flagged: int = 0
    missed: list[str] = field(default_factory=list)

    def rate(self, n: int, d: int) -> str:
        return f"{100 * n / d:.0f}%" if d else "n/a"


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score_presidio(
    cases: list[dict], scanner: weir.Scanner, threshold: float, ner: bool
) -> tuple[dict[str, Tally], dict[str, int]]:
    known = {r.entity for r in scanner.rules} | (set(NER_ENTITIES) if ner else set())
    by_type: dict[str, Tally] = defaultdict(Tally)
    absent: dict[str, int] = defaultdict(int)
    for case in cases:
        entity = case["entity"]
        if entity not in known:
            absent[entity] += 1
            continue
        if case["expected"] is None:
            # The extraction could not recover this case's spans (the peer's test asserts only a
            # count): neither a positive nor a negative to score.
            continue
        t = by_type[entity]
        found = [f for f in scanner.scan(case["text"], min_score=0.0, ner=ner).findings if f.entity == entity]
        spans = [tuple(s) for s in case["expected"]]
        if not spans:
            t.negatives += 1
            t.flagged += any(f.score >= threshold for f in found)
            continue
        for span in spans:
            t.positives += 1
            hits = [f for f in found if _overlaps((f.start, f.end), span)]  # type: ignore[arg-type]
            t.found_any += bool(hits)
            t.found_default += any(f.score >= threshold for f in hits)
            t.exact += any((f.start, f.end) == span for f in hits)
            if not hits:
                t.missed.append(case["text"])
    return dict(by_type), dict(absent)


def score_rules(cases: list[dict], scanner: weir.Scanner, threshold: float) -> tuple[Tally, dict[str, Tally]]:
    """Nosey Parker / gitleaks rule examples, per peer rule and in total."""
    kinds: dict[str, set[str]] = defaultdict(set)
    results = []
    for case in cases:
        found = [f for f in scanner.scan(case["text"], ner=False).findings if f.score >= threshold]
        results.append((case, found))
        if case["expect"] == "positive":
            kinds[case["rule_id"]].update(f.entity for f in found if f.category == "secret")
    total, per_rule = Tally(), defaultdict(Tally)
    for case, found in results:
        t = per_rule[case["rule_id"]]
        for tally in (total, t):
            if case["expect"] == "positive":
                tally.positives += 1
                hit = any(f.category == "secret" for f in found)
                tally.found_default += hit
                if not hit:
                    tally.missed.append(case["rule_id"])
            else:
                tally.negatives += 1
                tally.flagged += any(f.entity in kinds[case["rule_id"]] for f in found)
    return total, dict(per_rule)


def load(name: str) -> list[dict]:
    return json.loads((PEERS / name).read_text(encoding="utf-8"))


def lines(
    by_type: dict[str, Tally],
    absent: dict[str, int],
    np_total: Tally,
    gl_total: Tally,
    np_rules: dict[str, Tally],
    gl_rules: dict[str, Tally],
    threshold: float,
) -> Iterable[str]:
    pos = sum(t.positives for t in by_type.values())
    neg = sum(t.negatives for t in by_type.values())
    agg = Tally(
        positives=pos,
        found_any=sum(t.found_any for t in by_type.values()),
        found_default=sum(t.found_default for t in by_type.values()),
        exact=sum(t.exact for t in by_type.values()),
        negatives=neg,
        flagged=sum(t.flagged for t in by_type.values()),
    )
    yield "| suite | cases | found (any score) | found (default threshold) | negatives flagged | target |"
    yield "| --- | ---: | ---: | ---: | ---: | --- |"
    yield (
        f"| Presidio recognizer tests, the {len(by_type)} types weir has | {pos} spans, {neg} negatives | "
        f"{agg.rate(agg.found_any, pos)} | {agg.rate(agg.found_default, pos)} | {agg.flagged} of {neg} | ≥ 95% any, ≥ 85% default |"
    )
    yield f"| Presidio types weir has no rule for | {len(absent)} types, {sum(absent.values())} cases | | | | every type |"
    for name, t in (("Nosey Parker rule examples", np_total), ("gitleaks rule examples", gl_total)):
        yield (
            f"| {name} | {t.positives} positives, {t.negatives} negatives | | {t.rate(t.found_default, t.positives)} | "
            f"{t.rate(t.flagged, t.negatives)} | ≥ 90% found, ≤ 5% flagged |"
        )
    yield ""
    yield f"Default threshold: {threshold} (the `default` policy's `min_score`)."
    yield ""
    yield "| Presidio entity | spans | found (any) | found (default) | exact span | negatives flagged |"
    yield "| --- | ---: | ---: | ---: | ---: | ---: |"
    for entity, t in sorted(by_type.items(), key=lambda kv: kv[1].found_any / max(kv[1].positives, 1)):
        yield (
            f"| {entity} | {t.positives} | {t.rate(t.found_any, t.positives)} | {t.rate(t.found_default, t.positives)} | "
            f"{t.rate(t.exact, t.positives)} | {t.flagged} of {t.negatives} |"
        )
    yield ""
    yield "Presidio types with no weir rule (cases): " + ", ".join(
        f"{e} ({n})" for e, n in sorted(absent.items(), key=lambda kv: -kv[1])
    )
    for name, rules in (("Nosey Parker", np_rules), ("gitleaks", gl_rules)):
        worst = sorted(((len(t.missed), rid) for rid, t in rules.items() if t.missed), reverse=True)[:25]
        yield ""
        yield f"{name} rules with the most missed positives: " + ", ".join(f"{rid} ({n})" for n, rid in worst)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=None, help="write the tables (markdown) here too")
    parser.add_argument("--ner", action="store_true", help="with spaCy NER (slower)")
    args = parser.parse_args(argv)
    if not PEERS.is_dir():
        print(f"peer cases not found at {PEERS}: nothing to measure (see benchmarks/README.md)")
        return 0
    scanner = weir.Scanner()
    threshold = weir.Policy.builtin("default").min_score
    by_type, absent = score_presidio(load("presidio_cases.json"), scanner, threshold, args.ner)
    np_total, np_rules = score_rules(load("np_cases.json"), scanner, threshold)
    gl_total, gl_rules = score_rules(load("gitleaks_cases.json"), scanner, threshold)
    text = "\n".join(lines(by_type, absent, np_total, gl_total, np_rules, gl_rules, threshold))
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
