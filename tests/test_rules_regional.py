"""Scoring decisions for the Korean, Nigerian, Philippine, Swedish, Singaporean, Thai, Turkish,
South African, Australian, Spanish and Indian types of Presidio (issue 19), pinned against the
default threshold weir.DEFAULT_MIN_SCORE:

- a bare value in a shape other numbers share is a candidate: found at min_score=0, under the
  threshold;
- the same value next to its label or a specific word is a finding, at or over the threshold;
- a value whose check digit fails is not reported as that entity at any score;
- a form only that entity is written in (+63 9XX ..., a checked GSTIN) is a finding bare.

The rules' own examples (tests/test_rules.py) say what is found; these say at what score.
"""

from __future__ import annotations

import pytest

import weir
from scoring import THRESHOLD, best

# (entity, bare value, the same value after a label or next to a specific word)
CANDIDATES = [
    ("KR_RRN", "9601211234567", "RRN: 9601211234567"),
    ("KR_FRN", "780915-5210346", "외국인등록번호: 780915-5210346"),
    ("KR_BRN", "214-87-31501", "사업자등록번호: 214-87-31501"),
    # S, not M: a bare M482K7716 is also a German ID card's shape (its letters), which wins.
    ("KR_PASSPORT", "S482K7716", "여권번호: S482K7716"),
    ("KR_DRIVER_LICENSE", "11-19-204587-32", "운전면허번호 11-19-204587-32"),
    ("TH_TNIN", "1234567890121", "Thai ID: 1234567890121"),
    ("NG_NIN", "12345678902", "NIN: 12345678902"),
    ("NG_VEHICLE_REGISTRATION", "LND-582KJ", "vehicle plate LND-582KJ"),
    ("PH_TIN", "000-123-456-000", "TIN: 000-123-456-000"),
    ("PH_MOBILE_NUMBER", "09171234567", "Mobile: 09171234567"),
    ("SE_ORGANISATIONSNUMMER", "5567037485", "Organisationsnummer: 5567037485"),
    ("SE_PERSONNUMMER", "9201232387", "personnummer 9201232387"),
    ("AU_ACN", "company 006249976, incorporated 1987", "ACN: 006249976"),
    ("AU_ABN", "51 824 753 556", "ABN: 51 824 753 556"),
    ("TR_NATIONAL_ID", "10000000146", "TC kimlik no: 10000000146"),
    ("TR_PHONE_NUMBER", "05321234567", "Telefon: 05321234567"),
    ("ZA_ID_NUMBER", "8001015009087", "South African ID number 8001015009087"),
    ("SG_UEN", "201434292D", "UEN: 201434292D"),
    ("ES_PASSPORT", "AAA123456", "Mi pasaporte es AAA123456"),
    ("IN_GSTIN", "27ABCDE1234F1Z5", "GSTIN: 27ABCDE1234F1Z5"),
    ("IN_VOTER", "XGB2296014", "Voter ID: XGB2296014"),
    ("IN_VEHICLE_REGISTRATION", "MH12DE1433", "vehicle MH12DE1433"),
]


@pytest.mark.parametrize(("entity", "bare", "labelled"), CANDIDATES, ids=[c[0] for c in CANDIDATES])
def test_bare_is_a_candidate_and_a_label_makes_it_a_finding(
    scanner: weir.Scanner, entity: str, bare: str, labelled: str
) -> None:
    bare_score = best(scanner, bare, entity)
    assert bare_score is not None, f"{bare!r} not found as {entity} at min_score=0"
    assert bare_score < THRESHOLD, f"{bare!r} as {entity} scored {bare_score}, not a candidate"
    labelled_score = best(scanner, labelled, entity)
    assert labelled_score is not None and labelled_score >= THRESHOLD, (
        f"{labelled!r} as {entity} scored {labelled_score}"
    )
    # And the default threshold reports the labelled one and not the bare one.
    assert not [f for f in scanner.scan(bare).findings if f.entity == entity]
    assert [f for f in scanner.scan(labelled).findings if f.entity == entity]


# Each a CANDIDATES value with its check digit changed, bare and after the label. Korean
# resident and foreigner numbers issued since October 2020 have no check digit, so for them the
# check that drops a value is the birth date and the sex digit.
BAD_CHECK = [
    ("KR_FRN", "외국인등록번호: 781315-5210346"),
    ("KR_FRN", "외국인등록번호: 780915-1210346"),
    ("KR_RRN", "RRN: 9613211234567"),
    ("KR_BRN", "사업자등록번호: 214-87-31502"),
    ("TH_TNIN", "Thai ID: 1234567890123"),
    ("TH_TNIN", "1234567890123"),
    ("NG_NIN", "12345678903"),
    ("PH_TIN", "TIN: 000-123-457-000"),
    ("PH_TIN", "000-123-457-000"),
    ("SE_ORGANISATIONSNUMMER", "Organisationsnummer: 5567037486"),
    ("SE_ORGANISATIONSNUMMER", "5567037486"),
    ("SE_PERSONNUMMER", "personnummer 9201232388"),
    ("AU_ACN", "ACN: 006249977"),
    ("AU_ACN", "company 006249977, incorporated 1987"),
    ("AU_ABN", "ABN: 51 824 753 557"),
    ("TR_NATIONAL_ID", "TC kimlik no: 10000000147"),
    ("ZA_ID_NUMBER", "South African ID number 8001015009088"),
    ("IN_VEHICLE_REGISTRATION", "vehicle ZZ12DE1433"),
]


@pytest.mark.parametrize(("entity", "text"), BAD_CHECK, ids=[f"{e}:{t}" for e, t in BAD_CHECK])
def test_a_failed_check_digit_drops_the_value(scanner: weir.Scanner, entity: str, text: str) -> None:
    assert best(scanner, text, entity) is None


def test_gstin_check_character_separates_finding_from_candidate(scanner: weir.Scanner) -> None:
    # A checked GSTIN is reported bare; one whose check character fails (a typo, a made-up value)
    # only as a candidate, lifted over the threshold by a GST word but kept under a checked one.
    checked = best(scanner, "27AAPFU0939F1ZV", "IN_GSTIN")
    assert checked is not None and checked >= THRESHOLD
    unchecked = best(scanner, "27ABCDE1234F1Z5", "IN_GSTIN")
    assert unchecked is not None and unchecked < THRESHOLD
    unchecked_labelled = best(scanner, "GSTIN: 27ABCDE1234F1Z5", "IN_GSTIN")
    checked_labelled = best(scanner, "GSTIN: 27AAPFU0939F1ZV", "IN_GSTIN")
    assert unchecked_labelled is not None and checked_labelled is not None
    assert THRESHOLD <= unchecked_labelled < checked_labelled


@pytest.mark.parametrize(
    ("entity", "text"),
    [
        ("PH_MOBILE_NUMBER", "Globe line: +63 917 842 1150"),
        ("PH_MOBILE_NUMBER", "0917-842-1150"),
        ("TR_PHONE_NUMBER", "+90 542 318 44 90"),
        ("TR_PHONE_NUMBER", "0 542 318 44 90"),
    ],
)
def test_forms_only_one_entity_is_written_in_are_findings_bare(
    scanner: weir.Scanner, entity: str, text: str
) -> None:
    score = best(scanner, text, entity)
    assert score is not None and score >= THRESHOLD


def test_a_candidate_does_not_hide_a_finding_inside_it(scanner: weir.Scanner) -> None:
    # Eleven digits that pass Verhoeff are a NG_NIN candidate (0.35); the phone number inside
    # (a NANP number after its country code 1) is still reported, which it was not while any
    # validated value, however weak, claimed what lies inside it.
    found = scanner.scan("whatsapp 16465553920 after 6pm", min_score=0).findings
    assert {f.entity for f in found} >= {"PHONE_NUMBER", "NG_NIN"}
    # A validated finding over the threshold still does: the digits inside a valid IBAN are
    # the IBAN's, not a card's or a phone number's.
    found = scanner.scan("IBAN GB82 WEST 1234 5698 7654 32", min_score=0).findings
    assert [f.entity for f in found] == ["IBAN_CODE"]
