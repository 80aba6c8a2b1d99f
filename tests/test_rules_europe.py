"""The scoring decisions of patterns/pii_europe.toml, which the rule examples (found at any score)
do not pin: what is reported bare at the default threshold, what needs a hotword or a label, and
which entity wins where two rules see the same digits. All values are generated, not real."""

from __future__ import annotations

import pytest

import weir
from scoring import THRESHOLD, best


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        # Letter-bearing shapes whose checksum or birth date a random token almost never passes.
        ("Rechnungsempfänger DE204332189", "DE_VAT_ID"),
        ("K615594079", "DE_HEALTH_INSURANCE"),
        ("53120384M040", "DE_SOCIAL_SECURITY"),
        ("TAYLO611138RJ4XK", "UK_DRIVING_LICENCE"),
        # A label inside the pattern.
        ("eingetragen im Handelsregister HRB 203117 B", "DE_HANDELSREGISTER"),
        ("Steuernummer 181/815/08155", "DE_TAX_NUMBER"),
        ("BSNR 381234500", "DE_BSNR"),
        ("PLZ 50667", "DE_PLZ"),
    ],
)
def test_reported_bare_or_labelled_at_the_default_threshold(
    scanner: weir.Scanner, text: str, entity: str
) -> None:
    score = best(scanner, text, entity)
    assert score is not None and score >= THRESHOLD, (text, score)


@pytest.mark.parametrize(
    ("bare", "with_context", "entity"),
    [
        ("341928703", "LANR des Hausarztes: 341928703", "DE_LANR"),
        ("M7FHJ3K84", "Personalausweis M7FHJ3K84", "DE_ID_CARD"),
        ("C051J4K2RX1", "Führerschein C051J4K2RX1", "DE_FUEHRERSCHEIN"),
        ("HH CX 402E", "Kennzeichen HH CX 402E", "DE_KFZ"),
        ("LR69 KXT", "vehicle registration LR69 KXT", "UK_VEHICLE_REGISTRATION"),
        ("K482 JVL", "vehicle registration K482 JVL", "UK_VEHICLE_REGISTRATION"),
        ("MI4821730F", "patente di guida MI4821730F", "IT_DRIVER_LICENSE"),
        ("YA4087215", "passaporto YA4087215", "IT_PASSPORT"),
        ("CA48213KE", "carta d'identità CA48213KE", "IT_IDENTITY_CARD"),
    ],
)
def test_shapes_stay_under_the_threshold_until_context(
    scanner: weir.Scanner, bare: str, with_context: str, entity: str
) -> None:
    low = best(scanner, bare, entity)
    assert low is not None and low < THRESHOLD, (bare, low)
    high = best(scanner, with_context, entity)
    assert high is not None and high >= THRESHOLD, (with_context, high)


def test_five_digits_are_a_postcode_with_a_label_an_address_or_as_a_whole_value(
    scanner: weir.Scanner,
) -> None:
    assert best(scanner, "Lieferung 50667 Stück", "DE_PLZ") is None
    assert best(scanner, "Lindenstraße 12, 04109 Leipzig", "DE_PLZ") is not None
    assert best(scanner, "PLZ/Ort: 04109 Leipzig", "DE_PLZ") is not None
    # A whole value or line is a candidate for min_score=0, under the threshold until a postcode
    # key or word is near.
    bare = best(scanner, "50667", "DE_PLZ")
    assert bare is not None and bare < THRESHOLD
    keyed = [f for f in scanner.scan({"plz": "50667"}).findings if f.entity == "DE_PLZ"]
    assert keyed and keyed[0].score >= THRESHOLD


def test_nine_bare_digits_are_a_bsnr_only_where_no_checked_reading_claims_them(
    scanner: weir.Scanner,
) -> None:
    # 991234567 is no SSN (9xx area) and fails the LANR check digit: only the BSNR reading is left.
    bare = best(scanner, "991234567", "DE_BSNR")
    assert bare is not None and bare < THRESHOLD
    # 381234501 passes the SSN checks: both readings are candidates, the SSN one (0.35) above
    # the bare BSNR (0.1) ...
    assert best(scanner, "381234501", "US_SSN") == pytest.approx(0.35)
    assert best(scanner, "381234501", "DE_BSNR") == pytest.approx(0.1)
    # ... and a BSNR key says which it is.
    keyed = [f.entity for f in scanner.scan({"bsnr": "381234501"}).findings]
    assert keyed == ["DE_BSNR"]
    # 381234500 is also a valid Australian company number (its check passes): that reading comes
    # first, the shapes after it, all candidates.
    acn = best(scanner, "381234500", "AU_ACN")
    bsnr = best(scanner, "381234500", "DE_BSNR")
    assert acn is not None and bsnr is not None and bsnr < acn < THRESHOLD


def test_the_id_card_check_digit_decides_the_machine_readable_form(scanner: weir.Scanner) -> None:
    assert best(scanner, "IDD<<TJV3FG90H3<<<<<<<<<<<<<<<", "DE_ID_CARD") is not None
    assert best(scanner, "IDD<<TJV3FG90H8<<<<<<<<<<<<<<<", "DE_ID_CARD") is None


def test_nine_digits_passing_the_lanr_check_are_a_lanr_and_a_bsnr_only_after_its_label(
    scanner: weir.Scanner,
) -> None:
    lanr, other = "341928703", "381234500"
    assert best(scanner, f"Arzt {lanr}", "DE_LANR") is not None
    assert best(scanner, f"Arzt {other}", "DE_LANR") is None
    assert best(scanner, f"Praxis {other}", "DE_BSNR") is None
    assert best(scanner, f"BSNR {other}", "DE_BSNR") is not None


def test_vehicle_registrations_keep_one_case(scanner: weir.Scanner) -> None:
    assert best(scanner, "yd21ufp", "UK_VEHICLE_REGISTRATION") is not None
    assert best(scanner, "between LP64 and LLP64", "UK_VEHICLE_REGISTRATION") is None
    # The old formats are capitals only: in lower case they are words and numbers.
    assert best(scanner, "the disk has 64k free", "UK_VEHICLE_REGISTRATION") is None
