"""The scoring decisions for the common types (issue 19): phones, IP addresses, cards, routing
numbers, passports, DATE_TIME and URL. Rule examples are found at any score; these tests pin what
sits above the default threshold, what stays under it, and which entity a shared shape comes back
as. Numbers are test numbers (555-01xx, documentation prefixes, issuers' test cards)."""

from __future__ import annotations

import pytest

import weir
from scoring import THRESHOLD, best


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("4012-8888-8888-1881", "CREDIT_CARD"),
        # Any Luhn-valid 16 digits right after a card label, whatever the issuer prefix.
        ("credit_card=1234567812345670", "CREDIT_CARD"),
        # A Turkish number: its own entity, the more specific reading, wins the span.
        ("+90 (532) 123 45 67", "TR_PHONE_NUMBER"),
        ("My Japanese number is 090-1234-5678", "PHONE_NUMBER"),
        ("fe80::1%eth0", "IP_ADDRESS"),
        ("2001:db8::/32", "IP_ADDRESS"),
        ("my ip: ::1", "IP_ADDRESS"),
        ("src=:: dst=::1", "IP_ADDRESS"),
        ("passport A12803456", "US_PASSPORT"),
        ("phone 571 612 1056", "PHONE_NUMBER"),
        ("born in Leeds on 1985-03-14", "DATE_TIME"),
        ("born in Leeds on 14 March 1985", "DATE_TIME"),
    ],
)
def test_reported_at_the_default_threshold(scanner: weir.Scanner, text: str, entity: str) -> None:
    score = best(scanner, text, entity)
    assert score is not None and score >= THRESHOLD, (text, score)


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        # No context: a candidate, not a finding.
        ("A12803456", "US_PASSPORT"),
        ("::1", "IP_ADDRESS"),
        ("0.0.0.0/0", "IP_ADDRESS"),
        ("122000000000003", "CREDIT_CARD"),
        ("121000358", "ABA_ROUTING_NUMBER"),
        ("(415) 555-0132", "PHONE_NUMBER"),
        ("IGNORED: failed tests: 571 612 1056", "PHONE_NUMBER"),
        # Timestamps are no one's personal data.
        ("2024-03-15 14:30:00,123 INFO worker started", "DATE_TIME"),
        ('{"created_at":"2024-03-14T22:12:18.089Z"}', "DATE_TIME"),
        ("Sun, 30 Mar 2008 12:48:22 +0300", "DATE_TIME"),
        ("Today is 5/20/2021", "DATE_TIME"),
        # A partial date is no birth date, a birth word or not.
        ("date of birth: May-2021", "DATE_TIME"),
        # URLs are found, never reported by default: the MCP guard blocks calls whose URL
        # argument holds a finding.
        ("https://www.microsoft.com/store/abc/", "URL"),
        ("microsoft.com", "URL"),
        # Hotwords match as substrings; these are not the words they look like.
        ("running job 12345678902", "NG_NIN"),
        ("the relationship 1.14.16.6 holds", "IP_ADDRESS"),
        ("Update release notes for the prefix option to 1.7.10.2", "IP_ADDRESS"),
        ("Tolerate C++ :: scope operator in src/fscanner.l", "IP_ADDRESS"),
    ],
)
def test_found_under_the_default_threshold(scanner: weir.Scanner, text: str, entity: str) -> None:
    score = best(scanner, text, entity)
    assert score is not None and score < THRESHOLD, (text, score)


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("2001:db8::256.1.1.1", "IP_ADDRESS"),
        ("http://microsoft", "URL"),
        ("jane@example.com", "URL"),
        # A log record's own time, at the start of a line.
        ("worker ready\n2024-03-15T14:30:00Z INFO started", "DATE_TIME"),
        # Apache's access-log time.
        ('10.0.0.1 - - [07/Apr/2024:19:33:57 +0000] "GET / HTTP/1.1" 200', "DATE_TIME"),
        ("2023-02-29", "DATE_TIME"),
    ],
)
def test_not_found(scanner: weir.Scanner, text: str, entity: str) -> None:
    assert best(scanner, text, entity) is None, text


@pytest.mark.parametrize("text", ["121042882", "routing\n121042882\n"])
def test_a_routing_number_is_not_an_ssn(scanner: weir.Scanner, text: str) -> None:
    """Nine digits passing the ABA checksum are a routing number first: any SSN reading of the same
    digits is a candidate scored under it, never a finding at the default threshold."""
    found = scanner.scan(text, min_score=0).findings
    aba = best(scanner, text, "ABA_ROUTING_NUMBER")
    assert aba is not None
    assert all(f.score < aba for f in found if f.entity == "US_SSN"), found
    assert "US_SSN" not in {f.entity for f in scanner.scan(text).findings}


def test_an_ssn_label_still_wins_over_the_routing_checksum(scanner: weir.Scanner) -> None:
    """The checksum decides bare values; a label decides labelled ones."""
    found = {f.entity for f in scanner.scan("SSN: 121-04-2882", min_score=THRESHOLD).findings}
    assert "US_SSN" in found, found


def test_a_birth_word_lifts_a_date_only_when_near(scanner: weir.Scanner) -> None:
    far = "Report the file's birth time.\n\t(format_date): ditto for %Bx.\n\nReleased 2007-03-31."
    near = "born in Leeds on 2007-03-31."
    far_score, near_score = best(scanner, far, "DATE_TIME"), best(scanner, near, "DATE_TIME")
    assert far_score is not None and far_score < THRESHOLD, far_score
    assert near_score is not None and near_score >= THRESHOLD, near_score


def test_dates_in_a_log_stay_under_the_threshold(scanner: weir.Scanner) -> None:
    log = "".join(
        f'ts=2024-04-07T19:{m:02d}:17.351Z level=info msg="done" at 2024-04-07 19:{m:02d}:18\n'
        for m in range(60)
    )
    loud = [f for f in scanner.scan(log).findings if f.entity == "DATE_TIME"]
    assert loud == []
    quiet = [f for f in scanner.scan(log, min_score=0).findings if f.entity == "DATE_TIME"]
    assert len(quiet) == 120
