"""Generators of fake but checksum-valid sensitive values for weir's corpora and samples.

Every value here is random, belongs to nobody, and passes the check weir's validators apply
(Luhn, IBAN mod-97, ABA 3-7-1, SSN structure, JWT header, ...). A benchmark corpus whose
planted values failed their checksums would measure the validators throwing them away, not the
engine finding them, so the checksums are computed, never faked.

Each generator takes the caller's ``random.Random`` so a corpus is a pure function of its seed:
no generator touches the global ``random`` state.
"""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable
from dataclasses import dataclass

DIGITS = string.digits
UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits
BASE32_UPPER = UPPER + "234567"
BASE64_CHARS = ALNUM + "+/"
BASE64URL_CHARS = ALNUM + "-_"

FIRST_NAMES = (
    "james",
    "maria",
    "wei",
    "olivia",
    "ahmed",
    "sofia",
    "liam",
    "priya",
    "noah",
    "emma",
    "mateo",
    "aisha",
    "lucas",
    "hannah",
    "kenji",
    "chloe",
    "diego",
    "fatima",
    "ethan",
    "ingrid",
    "omar",
    "grace",
    "pavel",
    "zoe",
    "samuel",
    "lena",
    "rafael",
    "mei",
    "jonas",
    "amara",
)
LAST_NAMES = (
    "smith",
    "garcia",
    "chen",
    "johnson",
    "khan",
    "rossi",
    "murphy",
    "patel",
    "nguyen",
    "muller",
    "silva",
    "okafor",
    "kowalski",
    "tanaka",
    "dubois",
    "andersen",
    "lopez",
    "haddad",
    "novak",
    "schmidt",
    "oconnor",
    "ivanova",
    "kim",
    "baker",
    "moreau",
    "fischer",
    "santos",
    "walsh",
)
EMAIL_DOMAINS = (
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "icloud.com",
    "proton.me",
    "acme-corp.com",
    "northwind.io",
    "contoso.com",
    "globex.net",
    "initech.co",
    "umbrella-health.org",
    "hooli.dev",
    "stark-industries.com",
    "wayne-ent.com",
    "fabrikam.eu",
)


def digits(rng: random.Random, n: int) -> str:
    """Return ``n`` random decimal digits (leading zeros allowed)."""
    return "".join(rng.choices(DIGITS, k=n))


def chars(rng: random.Random, alphabet: str, n: int) -> str:
    """Return ``n`` characters drawn from ``alphabet``; one C-level call, no per-char loop."""
    return "".join(rng.choices(alphabet, k=n))


# --- checksums ----------------------------------------------------------------------------


def luhn_check_digit(partial: str) -> str:
    """The digit that makes ``partial + digit`` pass Luhn (ISO/IEC 7812)."""
    total = 0
    # Walking from the right, the digit next to the (missing) check digit is doubled.
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    """True when the digits of ``number`` (separators ignored) pass Luhn."""
    ds = [c for c in number if c.isdigit()]
    return len(ds) > 1 and luhn_check_digit("".join(ds[:-1])) == ds[-1]


def iban_numeric(text: str) -> str:
    """IBAN letters as numbers (A=10 .. Z=35), digits unchanged, as ISO 13616 prescribes."""
    return "".join(str(int(c, 36)) for c in text)


def iban_valid(iban: str) -> bool:
    """True when ``iban`` (spaces ignored) has its country's length and mod-97 equals 1."""
    compact = iban.replace(" ", "").upper()
    country = compact[:2]
    if IBAN_LENGTHS.get(country) != len(compact):
        return False
    return int(iban_numeric(compact[4:] + compact[:4])) % 97 == 1


def aba_valid(routing: str) -> bool:
    """True for 9 digits with a Federal Reserve prefix and a 3-7-1 weighted sum divisible by 10."""
    if len(routing) != 9 or not routing.isdigit():
        return False
    prefix = int(routing[:2])
    if not (0 <= prefix <= 12 or 21 <= prefix <= 32 or 61 <= prefix <= 72 or prefix == 80):
        return False
    weights = (3, 7, 1) * 3
    return sum(int(d) * w for d, w in zip(routing, weights, strict=True)) % 10 == 0


# --- financial ----------------------------------------------------------------------------

# (brand, prefixes, length, grouping of the printed number)
CARD_BRANDS: tuple[tuple[str, tuple[str, ...], int, tuple[int, ...]], ...] = (
    ("visa", ("4",), 16, (4, 4, 4, 4)),
    ("mastercard", ("51", "52", "53", "54", "55", "2221", "2500", "2720"), 16, (4, 4, 4, 4)),
    ("amex", ("34", "37"), 15, (4, 6, 5)),
    ("discover", ("6011", "65", "644", "649"), 16, (4, 4, 4, 4)),
    ("jcb", ("3528", "3555", "3589"), 16, (4, 4, 4, 4)),
    ("diners", ("36", "38"), 14, (4, 6, 4)),
)
CARD_WEIGHTS = (40, 30, 12, 8, 5, 5)


def credit_card(rng: random.Random, brand: str | None = None) -> str:
    """A Luhn-valid card number; half plain, the rest grouped with spaces or dashes."""
    if brand is None:
        entry = rng.choices(CARD_BRANDS, weights=CARD_WEIGHTS)[0]
    else:
        entry = next(b for b in CARD_BRANDS if b[0] == brand)
    _, prefixes, length, groups = entry
    prefix = rng.choice(prefixes)
    partial = prefix + digits(rng, length - len(prefix) - 1)
    number = partial + luhn_check_digit(partial)
    style = rng.random()
    if style < 0.5:
        return number
    sep = " " if style < 0.8 else "-"
    parts, pos = [], 0
    for size in groups:
        parts.append(number[pos : pos + size])
        pos += size
    return sep.join(parts)


# Country -> (total IBAN length, BBAN layout as (alphabet, count) runs).
IBAN_LAYOUTS: dict[str, tuple[int, tuple[tuple[str, int], ...]]] = {
    "GB": (22, ((UPPER, 4), (DIGITS, 14))),
    "DE": (22, ((DIGITS, 18),)),
    "FR": (27, ((DIGITS, 23),)),
    "ES": (24, ((DIGITS, 20),)),
    "NL": (18, ((UPPER, 4), (DIGITS, 10))),
    "IT": (27, ((UPPER, 1), (DIGITS, 10), (UPPER + DIGITS, 12))),
    "CH": (21, ((DIGITS, 5), (UPPER + DIGITS, 12))),
    "BE": (16, ((DIGITS, 12),)),
    "IE": (22, ((UPPER, 4), (DIGITS, 14))),
    "PL": (28, ((DIGITS, 24),)),
}
IBAN_LENGTHS: dict[str, int] = {cc: spec[0] for cc, spec in IBAN_LAYOUTS.items()}


def _bban(rng: random.Random, country: str) -> str:
    """A national account number in the country's layout, with national checks where cheap."""
    _, layout = IBAN_LAYOUTS[country]
    bban = "".join(chars(rng, alphabet, n) for alphabet, n in layout)
    if country == "FR":
        # RIB key: 97 - (89*bank + 15*branch + 3*account) mod 97, so French tools accept it too.
        bank, branch, account = int(bban[:5]), int(bban[5:10]), int(bban[10:21])
        bban = bban[:21] + f"{97 - (89 * bank + 15 * branch + 3 * account) % 97:02d}"
    elif country == "BE":
        # Belgian account numbers end in (first ten digits mod 97), 97 when that is 0.
        rem = int(bban[:10]) % 97 or 97
        bban = bban[:10] + f"{rem:02d}"
    return bban


def iban(rng: random.Random, country: str | None = None) -> str:
    """A mod-97-valid IBAN of the country's length, electronic or in print groups of four."""
    cc = country or rng.choice(tuple(IBAN_LAYOUTS))
    bban = _bban(rng, cc)
    check = 98 - int(iban_numeric(bban + cc + "00")) % 97
    compact = f"{cc}{check:02d}{bban}"
    if rng.random() < 0.5:
        return compact
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


ABA_PREFIXES = tuple(f"{p:02d}" for p in (*range(1, 13), *range(21, 33)))


def aba_routing(rng: random.Random) -> str:
    """An ABA routing number: Federal Reserve district prefix and the 3-7-1 check digit."""
    body = rng.choice(ABA_PREFIXES) + digits(rng, 6)
    weights = (3, 7, 1, 3, 7, 1, 3, 7)
    check = (10 - sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 10) % 10
    return body + str(check)


# --- personal -----------------------------------------------------------------------------

SSN_DUMMIES = frozenset({"123456789", "078051120", "219099999"})


def us_ssn(rng: random.Random, sep: str | None = None) -> str:
    """A structurally valid SSN: area 001-899 but not 666, group 01-99, serial 0001-9999.

    The separator is a dash nine times in ten (a space otherwise) unless ``sep`` fixes it.
    """
    while True:
        area = rng.randint(1, 899)
        if area == 666:
            continue
        group, serial = rng.randint(1, 99), rng.randint(1, 9999)
        compact = f"{area:03d}{group:02d}{serial:04d}"
        if compact in SSN_DUMMIES:
            continue
        dash = "-" if rng.random() < 0.9 else " "
        mark = dash if sep is None else sep
        return f"{area:03d}{mark}{group:02d}{mark}{serial:04d}"


def person_name(rng: random.Random) -> tuple[str, str]:
    """A (first, last) pair in lower case, for emails, usernames and salutations."""
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)


def email(rng: random.Random, name: tuple[str, str] | None = None, domain: str | None = None) -> str:
    """A plausible personal or work address in one of the common local-part shapes.

    ``name`` and ``domain`` let a record's address agree with the person and company in it.
    """
    first, last = name or person_name(rng)
    shape = rng.randrange(5)
    if shape == 0:
        local = f"{first}.{last}"
    elif shape == 1:
        local = f"{first[0]}{last}"
    elif shape == 2:
        local = f"{first}{rng.randint(1, 99)}"
    elif shape == 3:
        local = f"{first}_{last}{rng.randint(70, 99)}"
    else:
        local = f"{first}.{last}+{rng.choice(('billing', 'news', 'work'))}"
    return f"{local}@{domain or rng.choice(EMAIL_DOMAINS)}"


def _nanp_triplet(rng: random.Random) -> str:
    """Three digits starting 2-9 that are not an N11 service code nor 555."""
    while True:
        value = f"{rng.randint(2, 9)}{rng.randint(0, 8)}{rng.randint(0, 9)}"
        if value[1:] != "11" and value != "555":
            return value


def phone_nanp(rng: random.Random) -> str:
    """A NANP number (area and exchange start 2-9, never 555) in a common written format."""
    area, exchange, line = _nanp_triplet(rng), _nanp_triplet(rng), digits(rng, 4)
    fmt = rng.randrange(5)
    if fmt == 0:
        return f"({area}) {exchange}-{line}"
    if fmt == 1:
        return f"{area}-{exchange}-{line}"
    if fmt == 2:
        return f"+1 {area} {exchange} {line}"
    if fmt == 3:
        return f"{area}.{exchange}.{line}"
    return f"+1-{area}-{exchange}-{line}"


def ipv4(rng: random.Random, private: bool | None = None) -> str:
    """A dotted-quad address without leading zeros; private or public as asked (else either)."""
    if private is None:
        private = rng.random() < 0.4
    if private:
        kind = rng.randrange(3)
        if kind == 0:
            return f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        if kind == 1:
            return f"172.{rng.randint(16, 31)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        return f"192.168.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    first = rng.choice((23, 34, 45, 52, 63, 66, 73, 81, 89, 98, 104, 142, 151, 185, 203, 212))
    return f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"


# --- secrets ------------------------------------------------------------------------------


def aws_access_key_id(rng: random.Random) -> str:
    """An IAM user access key id: AKIA and 16 base32 characters."""
    return "AKIA" + chars(rng, BASE32_UPPER, 16)


def aws_secret_access_key(rng: random.Random) -> str:
    """A 40-character secret over the base64 alphabet, as AWS issues them (high entropy)."""
    return chars(rng, BASE64_CHARS, 40)


def aws_secret_line(rng: random.Random) -> str:
    """The secret the way it leaks: a credentials-file or env line naming it."""
    sep = rng.choice(("=", " = ", "="))
    return f"aws_secret_access_key{sep}{aws_secret_access_key(rng)}"


def github_token(rng: random.Random) -> str:
    """A classic personal access token: ghp_ and 36 alphanumerics."""
    return "ghp_" + chars(rng, ALNUM, 36)


def slack_bot_token(rng: random.Random) -> str:
    """A Slack bot token: xoxb-<team digits>-<bot digits>-<24 alphanumerics>."""
    return f"xoxb-{digits(rng, rng.choice((11, 12, 13)))}-{digits(rng, 13)}-{chars(rng, ALNUM, 24)}"


def slack_webhook_url(rng: random.Random) -> str:
    """An incoming-webhook URL: team T.., channel B.. and a 24-character secret path."""
    team = "T" + chars(rng, UPPER + DIGITS, rng.choice((8, 10)))
    hook = "B" + chars(rng, UPPER + DIGITS, rng.choice((8, 10)))
    return f"https://hooks.slack.com/services/{team}/{hook}/{chars(rng, ALNUM, 24)}"


def stripe_live_key(rng: random.Random) -> str:
    """A Stripe live secret key: sk_live_ and 24 (older) or 99 (newer) alphanumerics."""
    return "sk_live_" + chars(rng, ALNUM, rng.choice((24, 24, 34, 99)))


def openai_key(rng: random.Random) -> str:
    """An OpenAI project key: sk-proj- and a long run over the base64url alphabet."""
    return "sk-proj-" + chars(rng, BASE64URL_CHARS, rng.choice((48, 64, 96, 156)))


def b64url(data: bytes) -> str:
    """Unpadded base64url, the encoding JWT segments use."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


JWT_HEADER = b64url(b'{"alg":"HS256","typ":"JWT"}')


def jwt(rng: random.Random) -> str:
    """An HS256 JWT: the standard header, a small claims set and a 32-byte signature."""
    first, last = person_name(rng)
    iat = 1_700_000_000 + rng.randint(0, 40_000_000)
    claims = {
        "sub": f"usr_{chars(rng, LOWER + DIGITS, 12)}",
        "name": f"{first.title()} {last.title()}",
        "role": rng.choice(("admin", "member", "viewer", "billing")),
        "iat": iat,
        "exp": iat + rng.choice((900, 3600, 86400)),
    }
    payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = b64url(rng.randbytes(32))
    return f"{JWT_HEADER}.{payload}.{signature}"


# DER prefixes of PKCS#1 RSAPrivateKey structures: SEQUENCE header, version 0, modulus header.
# Real keys start this way, so the base64 body starts with the familiar "MII..".
_RSA_DER_PREFIX: dict[int, tuple[bytes, int]] = {
    512: (bytes.fromhex("3082013b020100024100"), 319),
    1024: (bytes.fromhex("3082025c02010002818100"), 608),
    2048: (bytes.fromhex("308204a40201000282010100"), 1192),
}


def private_key_pem(rng: random.Random, bits: int | None = None) -> str:
    """A PEM RSA private key block: random DER body of the right size, 64-character lines."""
    size = bits or rng.choice((1024, 2048, 2048))
    prefix, total = _RSA_DER_PREFIX[size]
    body = base64.b64encode(prefix + rng.randbytes(total - len(prefix))).decode("ascii")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return "\n".join(["-----BEGIN RSA PRIVATE KEY-----", *lines, "-----END RSA PRIVATE KEY-----"])


def postgres_url(rng: random.Random) -> str:
    """A connection string with an inline password, the way it lands in config dumps."""
    user = rng.choice(("app", "orders_rw", "billing_svc", "postgres", "analytics", "api_user"))
    password = (
        chars(rng, ALNUM, rng.randint(12, 20))
        + rng.choice(("", "-", "_", "~"))
        + chars(rng, ALNUM, rng.randint(2, 6))
    )
    host = rng.choice(
        (
            f"db-{rng.choice(('prod', 'stg', 'replica'))}-{rng.randint(1, 9)}.internal",
            f"pg{rng.randint(1, 40)}.{rng.choice(('us-east-1', 'eu-west-1'))}.rds.amazonaws.com",
            "10.0.12.34",
            "postgres.svc.cluster.local",
        )
    )
    scheme = rng.choice(("postgres", "postgresql"))
    db = rng.choice(("orders", "billing", "crm", "app", "events"))
    tail = "?sslmode=require" if rng.random() < 0.5 else ""
    return f"{scheme}://{user}:{password}@{host}:5432/{db}{tail}"


# --- registry -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of planted value: its manifest key, the entity weir should report, a generator.

    ``entity`` follows DESIGN.md's naming (Presidio's where one exists); the rule files own the
    final names, so treat it as the expected label, not a contract.
    """

    name: str
    entity: str
    make: Callable[[random.Random], str]
    weight: int


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("email", "EMAIL_ADDRESS", email, 20),
        Kind("phone", "PHONE_NUMBER", phone_nanp, 12),
        Kind("credit_card", "CREDIT_CARD", credit_card, 10),
        Kind("ipv4", "IP_ADDRESS", ipv4, 6),
        Kind("us_ssn", "US_SSN", us_ssn, 6),
        Kind("iban", "IBAN_CODE", iban, 6),
        Kind("jwt", "JWT", jwt, 5),
        Kind("aba_routing", "ABA_ROUTING_NUMBER", aba_routing, 3),
        Kind("aws_access_key_id", "AWS_ACCESS_KEY_ID", aws_access_key_id, 4),
        Kind("aws_secret_access_key", "AWS_SECRET_ACCESS_KEY", aws_secret_access_key, 3),
        Kind("github_token", "GITHUB_TOKEN", github_token, 4),
        Kind("slack_bot_token", "SLACK_TOKEN", slack_bot_token, 3),
        Kind("slack_webhook_url", "SLACK_WEBHOOK_URL", slack_webhook_url, 2),
        Kind("stripe_live_key", "STRIPE_API_KEY", stripe_live_key, 3),
        Kind("openai_key", "OPENAI_API_KEY", openai_key, 3),
        Kind("postgres_url", "DATABASE_URL", postgres_url, 3),
        Kind("private_key", "PRIVATE_KEY", private_key_pem, 1),
    )
}
KIND_NAMES: tuple[str, ...] = tuple(KINDS)
KIND_WEIGHTS: tuple[int, ...] = tuple(k.weight for k in KINDS.values())


def pick_kind(rng: random.Random, allowed: tuple[str, ...] | None = None) -> str:
    """Draw a kind by its weight, optionally restricted to ``allowed`` (e.g. no PEM in JSON)."""
    if allowed is None:
        return rng.choices(KIND_NAMES, weights=KIND_WEIGHTS)[0]
    return rng.choices(allowed, weights=[KINDS[k].weight for k in allowed])[0]
