"""A seeded, labelled evaluation set for weir's NER layer (and its pattern rules alongside).

Every record is built from templates whose slots are filled with planted values; the generator
records the exact character span and entity label of every value it plants, so the set is its
own answer key. Card numbers, SSNs, phones and emails come from ``planted.py`` and so pass the
same checksums weir's validators apply. Pure function of the seed: only ``random.Random(seed)``.
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import planted

ENTITIES = (
    "PERSON",
    "LOCATION",
    "ORGANIZATION",
    "EMAIL_ADDRESS",
    "CREDIT_CARD",
    "US_SSN",
    "PHONE_NUMBER",
)

# Extra names so origins are wider than planted.FIRST_NAMES / LAST_NAMES alone.
EXTRA_FIRST = (
    "Oluwaseun",
    "Siobhan",
    "Arjun",
    "Yuki",
    "Mohammed",
    "Camila",
    "Dmitri",
    "Ngozi",
    "Thabo",
    "Leilani",
    "Björn",
    "Anh",
    "Giulia",
    "Tomasz",
    "Fernanda",
    "Hiroshi",
)
EXTRA_LAST = (
    "Adeyemi",
    "Gallagher",
    "Raghunathan",
    "Yamamoto",
    "Al-Farsi",
    "Herrera",
    "Volkov",
    "Eze",
    "Mokoena",
    "Kahale",
    "Lindqvist",
    "Tran",
    "Esposito",
    "Wiśniewski",
    "Costa",
    "Sato",
)
CITIES = (
    "Chicago",
    "London",
    "Paris",
    "Berlin",
    "Tokyo",
    "Toronto",
    "Sydney",
    "Mumbai",
    "Lagos",
    "São Paulo",
    "Madrid",
    "Seattle",
    "Boston",
    "Dublin",
    "Nairobi",
    "Singapore",
    "Warsaw",
    "Mexico City",
    "Amsterdam",
    "Seoul",
)
COUNTRIES = (
    "France",
    "Germany",
    "Japan",
    "Canada",
    "Australia",
    "India",
    "Nigeria",
    "Brazil",
    "Spain",
    "Ireland",
    "Kenya",
    "Poland",
    "Mexico",
    "the Netherlands",
    "South Korea",
    "Italy",
)
ORGS = (
    "Acme Corp",
    "Northwind Traders",
    "Globex Corporation",
    "Initech",
    "Contoso Ltd",
    "Umbrella Health",
    "Fabrikam Inc",
    "Wayne Enterprises",
    "Stark Industries",
    "Hooli",
    "Deutsche Bank",
    "Barclays",
    "Siemens",
    "Accenture",
    "Pfizer",
    "Delta Air Lines",
)

# Slots: {PERSON} {PERSON2} {CITY} {COUNTRY} {ORG} {EMAIL} {CARD} {SSN} {PHONE}.
TICKETS = (
    "Customer {PERSON} called from {CITY} about a double charge on card {CARD}. "
    "Please refund and reply to {EMAIL}.",
    "Ticket escalated: {PERSON} at {ORG} cannot log in. Callback number {PHONE}.",
    "{PERSON} reports the invoice from {ORG} was sent to the wrong address in {COUNTRY}. Contact: {EMAIL}.",
    "Refund request from {PERSON} ({EMAIL}). Last card used: {CARD}.",
    "The user {PERSON} moved from {CITY} to {COUNTRY} and needs the billing profile updated. "
    "SSN on file is {SSN}.",
    "Hi team, {PERSON} from {ORG} says the export fails every night. "
    "She is based in {CITY}; reach her on {PHONE}.",
)
EMAILS = (
    "Dear {PERSON},\n\nThank you for your order with {ORG}. We shipped it to {CITY} today. "
    "If anything is wrong, write to {EMAIL}.\n\nBest regards,\n{PERSON2}",
    "Hello {PERSON},\n\nYour application to {ORG} has been received. Please confirm your "
    "social security number {SSN} and phone {PHONE}.\n\nThanks,\n{PERSON2}",
    "Hi {PERSON}, I met {PERSON2} in {CITY} last week and we discussed the {ORG} contract. "
    "Can you send the draft to {EMAIL}?",
    "Dear {PERSON},\n\nThe card ending in your account ({CARD}) was declined. "
    "Please call {PHONE}.\n\nRegards,\n{ORG} billing",
)
NOTES = (
    "Meeting notes: {PERSON} and {PERSON2} agreed to open an office in {CITY}, {COUNTRY}. "
    "{ORG} will handle the lease.",
    "Attendees: {PERSON}, {PERSON2}. Action item: {PERSON} to email {EMAIL} the budget "
    "for the {ORG} partnership.",
    "Notes from the call with {ORG}: expansion into {COUNTRY} postponed. "
    "{PERSON} will follow up from {CITY}.",
    "Standup: {PERSON} fixed the payment bug (test card {CARD}); {PERSON2} is travelling to "
    "{CITY} on Monday.",
)
JSON_FIELDS = ("notes", "description", "comment", "message")
JSON_TEMPLATES = TICKETS + NOTES

SLOT = re.compile(r"\{(PERSON2|PERSON|CITY|COUNTRY|ORG|EMAIL|CARD|SSN|PHONE)\}")
SLOT_ENTITY = {
    "PERSON": "PERSON",
    "PERSON2": "PERSON",
    "CITY": "LOCATION",
    "COUNTRY": "LOCATION",
    "ORG": "ORGANIZATION",
    "EMAIL": "EMAIL_ADDRESS",
    "CARD": "CREDIT_CARD",
    "SSN": "US_SSN",
    "PHONE": "PHONE_NUMBER",
}


@dataclass
class Record:
    """One labelled record: ``text`` and the gold ``spans`` (start, end, entity) within it.

    For JSON records ``text`` is the free-text field, ``payload`` the whole dict and ``field``
    the key of the free-text field; spans are offsets within ``text``.
    """

    text: str
    spans: list[tuple[int, int, str]]
    kind: str = "prose"
    payload: dict[str, Any] | None = None
    field: str | None = None
    values: dict[str, str] = dc_field(default_factory=dict)


def _name(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.35:
        return rng.choice(EXTRA_FIRST), rng.choice(EXTRA_LAST)
    first, last = planted.person_name(rng)
    last = {"oconnor": "O'Connor", "muller": "Müller"}.get(last, last.title())
    return first.title(), last


def fill(template: str, rng: random.Random) -> Record:
    """Fill ``template``'s slots, keeping the same person for repeated {PERSON} slots."""
    p1, p2 = _name(rng), _name(rng)
    org = rng.choice(ORGS)
    values = {
        "PERSON": f"{p1[0]} {p1[1]}",
        "PERSON2": f"{p2[0]} {p2[1]}",
        "CITY": rng.choice(CITIES),
        "COUNTRY": rng.choice(COUNTRIES),
        "ORG": org,
        "EMAIL": planted.email(rng, (p1[0].lower(), p1[1].lower().replace("'", "")))
        if rng.random() < 0.6
        else planted.email(rng),
        "CARD": planted.credit_card(rng),
        "SSN": planted.us_ssn(rng),
        "PHONE": planted.phone_nanp(rng),
    }
    out: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = 0
    last = 0
    for m in SLOT.finditer(template):
        lit = template[last : m.start()]
        out.append(lit)
        pos += len(lit)
        value = values[m.group(1)]
        out.append(value)
        # "the Netherlands": the gold span is the name, not the article.
        start = pos + 4 if value.startswith("the ") else pos
        spans.append((start, pos + len(value), SLOT_ENTITY[m.group(1)]))
        pos += len(value)
        last = m.end()
    out.append(template[last:])
    return Record(text="".join(out), spans=spans, values=values)


def make_set(seed: int = 7, n_prose: int = 300, n_json: int = 100) -> list[Record]:
    """``n_prose`` tickets/emails/notes and ``n_json`` JSON records, all labelled."""
    rng = random.Random(seed)
    records: list[Record] = []
    families = (("ticket", TICKETS), ("email", EMAILS), ("notes", NOTES))
    for i in range(n_prose):
        kind, templates = families[i % 3]
        rec = fill(rng.choice(templates), rng)
        rec.kind = kind
        records.append(rec)
    for i in range(n_json):
        rec = fill(rng.choice(JSON_TEMPLATES), rng)
        key = rng.choice(JSON_FIELDS)
        rec.kind = "json"
        rec.field = key
        rec.payload = {
            "id": 1000 + i,
            "status": rng.choice(("open", "closed", "pending")),
            "priority": rng.randint(1, 4),
            key: rec.text,
        }
        records.append(rec)
    return records


if __name__ == "__main__":
    for r in make_set(n_prose=3, n_json=1):
        print(json.dumps(r.payload) if r.payload else r.text)
        for s, e, ent in r.spans:
            print(f"  {ent:14} {r.text[s:e]!r}")
