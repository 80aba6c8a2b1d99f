"""Context rules for people, next to the NER model: the names a greeting, a title, a sign-off, a
person label or a JSON key introduces (``person_cues``, ``person_fields``), and the repairs the
small model needs (``refine``: a name split in two, a company called a person, a full name found
once and mentioned again). Plain regular expressions over bounded runs: linear in the text.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_L = r"[^\W\d_]"  # a letter, any script
_NAME_TOKEN = re.compile(rf"{_L}+(?:['\u2019\-]{_L}+)*\.?")
_HONORIFIC = r"(?:Mr|Mrs|Ms|Mx|Miss|Dr|Prof|Professor|Sir|Dame|Lady|Lord|Madam|Mme|Mlle|Herr|Frau)"
_GREETING = re.compile(
    r"(?:^|(?<=[.!?])[ \t]+|(?<=\n))[ \t]*(?:Dear|Hi|Hello|Hey|Hiya|Greetings|Good (?:morning|afternoon|evening))"
    r"\b[ \t]*,?[ \t]*",
)
_SIGN_OFF = re.compile(
    r"(?:^|(?<=\n))[ \t]*(?:(?:Many |Kind |Best |Warm |Warmest |With )?(?:thanks|regards|wishes)|Thank you|Best"
    r"|Cheers|Sincerely|Yours(?: truly| sincerely| faithfully)?|Cordially|Respectfully|All the best|Take care)"
    r"[ \t]*[,.!]?[ \t]*\r?\n(?:[ \t]*\r?\n)?[ \t]*(?=\S)",
    re.IGNORECASE,
)
_TITLE = re.compile(rf"\b{_HONORIFIC}\.?[ \t]+(?=[^\W\d_])")
_LABEL = re.compile(
    r"(?:^|(?<=\n)|(?<=[.;] ))[ \t]*(?:(?P<name>(?:full |first |last |customer |contact |patient |employee )?name)"
    r"|attendees|participants|present|assignee|assigned to|reporter|requested by|approved by|signed by"
    r"|author|from|cc|owner|contact|customer|patient|employee)[ \t]*:[ \t]*",
    re.IGNORECASE,
)
# Who a greeting or a label addresses when it is not a person, and capitalised words that are
# never a given name or a surname in these positions (not April, May, June or August: names too).
_NOT_NAMES_WORDS = """team teams all everyone everybody there folks guys friends colleagues world support customer
    customers client clients user users member members partner partners manager managers sir madam
    madame admin administrator sales billing accounts finance legal security engineering ops it hr
    service services department dept desk office staff group unknown none null n/a tbd anonymous
    valued hiring committee board subscriber subscribers owner owners reviewer reviewers applicant
    monday tuesday wednesday thursday friday saturday sunday january february march july september
    october november december today tomorrow yesterday again re fwd subject
    thanks thank regards best cheers dear hi hello hey greetings morning afternoon evening"""
_NOT_NAMES = frozenset(_NOT_NAMES_WORDS.split())
# Legal forms and words that end company names; a "person" ending in one is an organisation.
_ORG_WORDS_TEXT = """corp corp. corporation inc inc. incorporated ltd ltd. limited llc llp plc gmbh ag sa nv bv
    co co. company companies enterprises industries holdings group bank partners associates
    foundation university institute labs laboratories technologies systems solutions airlines
    airways traders trading capital ventures consulting"""
_ORG_WORDS = frozenset(_ORG_WORDS_TEXT.split())


class Span(NamedTuple):
    entity: str
    start: int
    end: int
    cue: bool  # from a context rule, not the model


def _name_run(text: str, at: int, max_tokens: int = 4) -> tuple[int, int]:
    """The run of capitalised name words starting at ``at`` on one line ("Jane", "Ana María
    López", "O'Connor", "J. Smith"): its (start, end), empty if there is none. A word that is
    a stop word, a greeting, an organisation's legal form or all capitals ends the run."""
    end = before_last = at
    count = 0
    pos = at
    while count < max_tokens:
        m = _NAME_TOKEN.match(text, pos)
        if m is None:
            break
        word = m.group()
        core = word.rstrip(".")
        if not core[0].isupper() or (core.isupper() and len(core) > 1):
            break
        if word.endswith(".") and len(core) > 1:  # only an initial keeps its dot
            word, core = core, core
        low = core.lower()
        if low in stop_words() or low in _ORG_WORDS:
            break
        count += 1
        before_last, end = end, m.start() + len(word)
        pos = end
        if pos < len(text) and text[pos] == " " and pos + 1 < len(text) and text[pos + 1] != " ":
            pos += 1
        else:
            break
    if text[at:end].endswith("."):  # a trailing initial ("Anna B.") is not kept; alone, no name
        end = before_last
    return (at, end) if end > at else (at, at)


def _ends_cleanly(text: str, end: int) -> bool:
    """A cue's name must end the phrase: at the end, a line break or punctuation."""
    rest = text[end : end + 8].lstrip(" \t")
    return not rest or rest[0] in ",;:!?.\r\n<(\u2014" or rest.startswith(("and ", "& ", "- "))


def person_cues(segment: str) -> list[tuple[int, int]]:
    """Spans of ``segment`` that its context says are people's names, whatever the model says:
    after a greeting ("Dear Ana López,", "Hi Anna,"), after a title ("Dr. Okafor", "Ms Chen"),
    alone on the line under a sign-off ("Thanks,\\nJane Doe"), and after a label that names a
    person ("Name: ...", "Attendees: A B, C D", "Assignee: ..."). Only capitalised words count,
    and words that address a group ("Hi team", "Dear Customer") or end a company name do not."""
    out: list[tuple[int, int]] = []
    for m in _GREETING.finditer(segment):
        at = m.end()
        t = _TITLE.match(segment, at)
        s, e = _name_run(segment, t.end() if t else at)
        if e > s and _ends_cleanly(segment, e):
            out.append((s, e))
    for m in _TITLE.finditer(segment):
        s, e = _name_run(segment, m.end(), 3)
        if e > s:
            out.append((s, e))
    for m in _SIGN_OFF.finditer(segment):
        s, e = _name_run(segment, m.end())
        line_end = segment.find("\n", e)
        rest = segment[e : len(segment) if line_end < 0 else line_end].strip()
        if e > s and (not rest or rest[0] == ","):  # the whole line ("Jane Doe", "Jane Doe, CFO")
            out.append((s, e))
    for m in _LABEL.finditer(segment):
        at = m.end()
        need = 1 if m.group("name") else 2  # "Customer: Acme" is not a person; "Name: Anna" is
        while True:
            s, e = _name_run(segment, at)
            if e == s or segment[s:e].count(" ") + 1 < need or not _ends_cleanly(segment, e):
                break
            out.append((s, e))
            sep = re.compile(r"(?:,| and| &|;)[ \t]+").match(segment, e)
            if sep is None:
                break
            at = sep.end()
    return sorted(set(out))


_PERSON_KEY = re.compile(
    r"(?:(?:first|last|middle|given|family|full|display|legal|preferred|maiden|nick|sur|fore"
    r"|customer|contact|client|patient|employee|sender|recipient|from|to|owner|person|signer"
    r"|applicant|guest|passenger|driver|(?:card|account|policy)_?holder)[_\- ]?name"
    r"|name[_\- ]?(?:first|last|full)|surname|forename|assignee|author|requester|reporter)",
    re.IGNORECASE,
)
"""JSON keys whose value is a person's name. A bare "name" is not one: it names accounts,
products and companies as often as people."""
_JSON_PAIR = re.compile(r'(\\?)"([A-Za-z][\w\- ]{0,40})\1"\s*:\s*\1"([^"\\\r\n]{1,100})\1"')


def person_fields(text: str, key: str | None = None) -> list[tuple[int, int]]:
    """Spans of ``text`` that a JSON key says are people's names: the whole of ``text`` when
    ``key`` (the key it is the value of, in a scanned payload) is such a key, and the values of
    such keys in JSON written in ``text`` (also JSON serialised inside a JSON string). Only a
    value that is one to four capitalised name words counts ("Jane", "Ana López"); an id, an
    email address or "Platform Team" does not. These values are too short to read as prose, so
    the model never sees them."""
    out: list[tuple[int, int]] = []
    if key is not None and _PERSON_KEY.fullmatch(key):
        value = text.strip()
        at = text.find(value) if value else -1
        if at >= 0 and _name_run(text, at) == (at, at + len(value)):
            out.append((at, at + len(value)))
    if '":' not in text and '" :' not in text:
        return out
    for m in _JSON_PAIR.finditer(text):
        if not _PERSON_KEY.fullmatch(m.group(2)):
            continue
        value = m.group(3)
        at = m.start(3) + len(value) - len(value.lstrip())
        stripped = value.strip()
        if stripped and _name_run(text, at) == (at, at + len(stripped)):
            out.append((at, at + len(stripped)))
    return out


def refine(
    text: str, segments: list[tuple[int, str]], spans: list[Span], key: str | None = None
) -> list[Span]:
    """Context rules over the model's entities for one text:

    - a name a context rule finds (``person_cues``) replaces whatever the model said there
      (it often calls "Dear Ana Lopez" an organisation, or finds only "Lopez");
    - a "person" that ends in a company's legal form or is preceded by "the" is not a person;
    - a one-word person next to another capitalised name word is widened to both ("Zoe" +
      "Kim" tagged as a place and a person is "Zoe Kim");
    - a full name found once is a name wherever else it occurs in the same text;
    - a JSON value under a key that says it holds a person's name ("first_name", "assignee",
      "customerName"), in the text or as the text's own ``key``, is a name when it is made of
      capitalised name words alone (``person_fields``)."""
    cues = [
        Span("PERSON", offset + s, offset + e, True)
        for offset, segment in segments
        for s, e in person_cues(segment)
    ]
    cues += [Span("PERSON", s, e, True) for s, e in person_fields(text, key)]
    kept: list[Span] = []
    for sp in spans:
        value = text[sp.start : sp.end]
        if sp.entity == "PERSON":
            words = value.split()
            if words[-1].lower() in _ORG_WORDS:
                sp = sp._replace(entity="ORGANIZATION")
            elif text[max(0, sp.start - 4) : sp.start] in ("the ", "The "):
                continue
        kept.append(sp)
    spans = _overlay(kept, cues)
    spans = _widen_people(text, spans)
    return _propagate(text, segments, spans)


def _overlay(spans: list[Span], over: list[Span]) -> list[Span]:
    """``over`` wins: spans overlapping one of it are dropped."""
    over = sorted(set(over))
    merged: list[Span] = []
    for sp in over:  # overlapping cues (a greeting and a title on the same name): keep the longest
        if merged and sp.start < merged[-1].end:
            if sp.end - sp.start > merged[-1].end - merged[-1].start:
                merged[-1] = sp
            continue
        merged.append(sp)
    rest = [sp for sp in spans if not any(o.start < sp.end and sp.start < o.end for o in merged)]
    return sorted(rest + merged, key=lambda sp: sp.start)


def _widen_people(text: str, spans: list[Span]) -> list[Span]:
    out = list(spans)
    for k, sp in enumerate(spans):
        if sp.entity != "PERSON" or " " in text[sp.start : sp.end]:
            continue
        start, end = sp.start, sp.end
        left = re.search(
            rf"(?:^|(?<=[\s(\"']))({_L}+(?:['\u2019\-]{_L}+)*) $", text[max(0, start - 40) : start]
        )
        if left is not None:
            s0 = start - (len(left.group(1)) + 1)
            if _name_run(text, s0, 1) == (s0, s0 + len(left.group(1))):
                start = s0
        if text[end : end + 1] == " ":
            s1, e1 = _name_run(text, end + 1, 1)
            if e1 > s1:
                end = e1
        if (start, end) != (sp.start, sp.end):
            out[k] = sp._replace(start=start, end=end)
    wide = [sp for k, sp in enumerate(out) if sp != spans[k]]
    return _overlay([sp for k, sp in enumerate(out) if sp == spans[k]], wide)


def _propagate(text: str, segments: list[tuple[int, str]], spans: list[Span]) -> list[Span]:
    names = {text[sp.start : sp.end] for sp in spans if sp.entity == "PERSON"}
    names = {n for n in names if " " in n}  # a full name: one word alone is too often a place too
    if not names:
        return spans
    have = {(sp.start, sp.end) for sp in spans if sp.entity == "PERSON"}
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?!\w)"
    )
    extra: list[Span] = []
    for offset, segment in segments:
        for m in pattern.finditer(segment):
            s, e = offset + m.start(), offset + m.end()
            if (s, e) not in have:
                extra.append(Span("PERSON", s, e, True))
    return _overlay(spans, extra) if extra else spans


_STOP: frozenset[str] | None = None


def stop_words() -> frozenset[str]:
    """spaCy's English stop words and the words that are never a name here, loaded once."""
    global _STOP
    if _STOP is None:
        try:
            from spacy.lang.en.stop_words import STOP_WORDS
        except ImportError:  # find() needs spaCy anyway; this keeps model_windows usable alone
            stop: frozenset[str] = frozenset()
        else:
            stop = frozenset(STOP_WORDS)
        _STOP = stop | _NOT_NAMES
    return _STOP
