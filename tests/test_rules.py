"""Rules are data and their examples are their tests: every example of every built-in rule must be
found, every negative example must not be, through the real engine with every rule loaded."""

from __future__ import annotations

from collections import Counter

import pytest

import weir
from weir import _core
from weir.rules import load_builtin

RULES = load_builtin()
MIN_RULES = 150
MIN_SECRET_TYPES = 60


def test_rule_count_and_coverage() -> None:
    assert len(RULES) >= MIN_RULES, f"only {len(RULES)} rules"
    secret_types = {r.id for r in RULES if r.category == "secret"}
    assert len(secret_types) >= MIN_SECRET_TYPES, f"only {len(secret_types)} secret rules"
    required = {
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "US_SSN",
        "US_ITIN",
        "US_PASSPORT",
        "UK_NINO",
        "UK_NHS",
        "CA_SIN",
        "IP_ADDRESS",
        "MAC_ADDRESS",
        "DATE_OF_BIRTH",
        "STREET_ADDRESS",
        "CREDIT_CARD",
        "IBAN_CODE",
        "SWIFT_BIC",
        "ABA_ROUTING_NUMBER",
        "US_BANK_NUMBER",
        "CRYPTO",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "GITHUB_TOKEN",
        "SLACK_TOKEN",
        "PRIVATE_KEY",
        "JWT",
    }
    missing = required - {r.entity for r in RULES}
    assert not missing, f"no rule for {sorted(missing)}"


def test_ids_unique_and_examples_enough() -> None:
    dupes = [i for i, n in Counter(r.id for r in RULES).items() if n > 1]
    assert not dupes
    thin = [r.id for r in RULES if len(r.examples) < 2 or len(r.negative_examples) < 2]
    assert not thin, f"rules with fewer than 2 examples or negative examples: {thin}"


def test_every_category_is_known() -> None:
    assert {r.category for r in RULES} <= {"pii", "financial", "secret", "injection"}


def test_validators_named_exist() -> None:
    names = set(_core.validator_names())
    assert {r.validator for r in RULES if r.validator} <= names


def test_patterns_are_bounded() -> None:
    """Built-in patterns must bound every repetition: the engine's recovery window depends on it."""
    unbounded = [r.id for r in RULES if _core.pattern_max_len(r.pattern) is None]
    assert not unbounded, f"unbounded repetition in {unbounded}"
    too_long = [r.id for r in RULES if (_core.pattern_max_len(r.pattern) or 0) > 16384]
    assert not too_long, f"longest match over 16 KiB in {too_long}"


def test_no_rule_needs_prefilter_mode(scanner: weir.Scanner) -> None:
    assert scanner.engine.prefilter_rules == []


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_examples(scanner: weir.Scanner, rule: weir.Rule) -> None:
    for example in rule.examples:
        # An example is found at any score: a bare value may rightly score under the default
        # threshold; its negatives are not found even then.
        found = scanner.scan(example, min_score=0).findings
        assert any(f.entity == rule.entity for f in found), (
            f"{rule.id}: example not found as {rule.entity}: {example!r}; "
            f"found {[(f.rule, f.value) for f in found]}"
        )
        # The same example as bytes finds the same (offsets in bytes, same values as UTF-8).
        as_bytes = scanner.scan(example.encode(), min_score=0).findings
        assert [f.value for f in as_bytes] == [f.value.encode() for f in found if isinstance(f.value, str)]
    for negative in rule.negative_examples:
        found = scanner.scan(negative, min_score=0).findings
        assert not any(f.rule == rule.id for f in found), (
            f"{rule.id}: negative example was found: {negative!r} -> "
            f"{[f.value for f in found if f.rule == rule.id]}"
        )
