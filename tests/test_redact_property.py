"""A property of ``weir.redact`` on JSON-like payloads: values weir certainly detects, planted in
string leaves and keys (alone or among filler words), never survive; nothing else changes.

For every payload: no planted value is left anywhere in ``json.dumps`` of the result; every dict
keeps its size and every list its length, with the same types; a leaf or key without a planted
value is unchanged; and one with planted values reads exactly as before with each value replaced
by ``[ENTITY]``, so no byte around a value is lost. Derandomized, so every run checks the same
examples (see test_fuzz_payload.py for the open-ended fuzz run).
"""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import weir

# (text planted, what must not survive, what the text becomes). Each is found by the built-in rules
# alone and among words (checked by test_planted_values_are_detected).
PLANTED = [
    ("4111111111111111", "4111111111111111", "[CREDIT_CARD]"),
    ("5500 0000 0000 0004", "5500 0000 0000 0004", "[CREDIT_CARD]"),
    ("jane.doe@example.com", "jane.doe@example.com", "[EMAIL_ADDRESS]"),
    ("SSN 536-22-1847", "536-22-1847", "SSN [US_SSN]"),
    ("AKIAZ7VRSQ5ZQ3KXJ4PB", "AKIAZ7VRSQ5ZQ3KXJ4PB", "[AWS_ACCESS_KEY_ID]"),
    (
        "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",
        "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",
        "[GITHUB_TOKEN]",
    ),
]
SECRETS = [secret for _, secret, _ in PLANTED]
# Filler that no rule reports, also as a key (no hotwords: keys are context for their values).
WORDS = ["alpha", "bravo", "charlie", "delta", "status", "note", "items", "ok", "café", "日本", "naïve", "x"]

CASES = settings(
    max_examples=300, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck)
)


class Text:
    """A string leaf or key as generated: its text and what redaction must turn it into."""

    def __init__(self, parts: list[tuple[str, str]]) -> None:
        self.text = " ".join(t for t, _ in parts)
        self.expected = " ".join(e for _, e in parts)

    @property
    def planted(self) -> bool:
        return self.text != self.expected


word = st.sampled_from(WORDS).map(lambda w: (w, w))
plant = st.sampled_from(PLANTED).map(lambda p: (p[0], p[2]))
filler = st.lists(word, max_size=3)
safe_text = st.lists(word, max_size=4).map(Text)
planted_text = st.builds(
    lambda before, value, after: Text([*before, value, *after]),
    filler,
    plant,
    st.lists(st.one_of(word, plant), max_size=3),
)
texts = st.one_of(safe_text, planted_text)
scalars = st.one_of(texts, st.integers(-99_999, 99_999), st.booleans(), st.none())


def _dict(entries: list[tuple[Text, Any]]) -> dict[Text, Any]:
    """Distinct key texts only (a payload cannot hold one key twice)."""
    seen: dict[str, tuple[Text, Any]] = {}
    for key, value in entries:
        seen.setdefault(key.text, (key, value))
    return dict(seen.values())


trees = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.lists(st.tuples(texts, children), max_size=4).map(_dict)
    ),
    max_leaves=24,
)
payloads = st.one_of(st.lists(trees, max_size=4), st.lists(st.tuples(texts, trees), max_size=5).map(_dict))


def plain(spec: Any) -> Any:
    """The payload a generated spec stands for."""
    if isinstance(spec, Text):
        return spec.text
    if isinstance(spec, dict):
        return {key.text: plain(value) for key, value in spec.items()}
    if isinstance(spec, list):
        return [plain(item) for item in spec]
    return spec


def check_redacted(spec: Any, out: Any, path: str = "") -> None:
    """``out`` has ``spec``'s shape; each text became its expected text, everything else stayed."""
    if isinstance(spec, Text):
        assert out == spec.expected, f"{path}: {out!r}"
    elif isinstance(spec, dict):
        assert type(out) is dict and len(out) == len(spec), f"{path}: {len(spec)} keys became {len(out)}"
        for (key, value), (new_key, new_value) in zip(spec.items(), out.items(), strict=True):
            # Keys that redact alike are kept apart with a #2, #3... suffix.
            assert new_key == key.expected or re.fullmatch(re.escape(key.expected) + r"#\d+", new_key), (
                f"{path}: key {new_key!r}"
            )
            check_redacted(value, new_value, f"{path}/{new_key}")
    elif isinstance(spec, list):
        assert type(out) is list and len(out) == len(spec), f"{path}: {len(spec)} items became {len(out)}"
        for i, (item, new_item) in enumerate(zip(spec, out, strict=True)):
            check_redacted(item, new_item, f"{path}/{i}")
    else:
        assert type(out) is type(spec) and out == spec, f"{path}: {out!r}"


@CASES
@given(payloads)
def test_redact_leaves_no_planted_value_and_the_same_shape(spec: Any) -> None:
    data = plain(spec)
    before = json.dumps(data)
    out = weir.redact(data)
    dumped = json.dumps(out)
    assert not [s for s in SECRETS if s in dumped], dumped
    check_redacted(spec, out)
    assert json.dumps(data) == before, "redact changed its input"


def test_planted_values_are_detected() -> None:
    for text, secret, expected in PLANTED:
        assert any(f.value == secret for f in weir.scan(text).findings), secret
        assert weir.redact(f"alpha {text} bravo") == f"alpha {expected} bravo"
        assert weir.redact({text: 1}) == {expected: 1}
    assert weir.scan(" ".join(WORDS)).findings == []
