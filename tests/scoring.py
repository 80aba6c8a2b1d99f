"""Helpers for the tests that pin rules' scoring decisions (test_rules_*.py)."""

from __future__ import annotations

import weir

THRESHOLD = weir.DEFAULT_MIN_SCORE


def best(scanner: weir.Scanner, text: str, entity: str) -> float | None:
    """The highest score of a finding of ``entity`` in ``text`` at any score, or None."""
    scores = [f.score for f in scanner.scan(text, min_score=0).findings if f.entity == entity]
    return max(scores, default=None)
