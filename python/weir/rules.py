"""Rules as data: the TOML rule files, decoded into typed structs.

A rule file holds ``[[rules]]`` entries (see patterns/README.md). Built-in files are embedded in
the native module at build time; users add their own with ``Scanner(extra_rules=[path])``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import msgspec

from weir import _core, manifest
from weir.results import Category

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

MAX_WINDOW: int = _core.MAX_WINDOW
"""Longest match the engine can recover, in bytes: spans are recovered in a window that ends where
the match-end pass reported the match, so a longer one is missed or cut short."""

RuleId = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=128)]
EntityName = Annotated[str, msgspec.Meta(pattern=r"^[A-Z][A-Z0-9_]*$", max_length=64)]
Score = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]


class Rule(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One detector. Its examples must be found and its negative examples must not."""

    id: RuleId
    name: str
    entity: EntityName
    category: Category
    pattern: Annotated[str, msgspec.Meta(min_length=1, max_length=65536)]
    score: Score
    validator: str | None = None
    hotwords: list[Annotated[str, msgspec.Meta(min_length=1)]] = []
    hotword_window: Annotated[int, msgspec.Meta(ge=0, le=256)] = 64
    hotword_boost: Score = 0.25
    min_entropy: Annotated[float, msgspec.Meta(ge=0.0, le=8.0)] | None = None
    require_hotword: bool = False
    """Report a match only with a hotword within ``hotword_window`` (or in the JSON key)."""
    examples: Annotated[list[str], msgspec.Meta(min_length=1)]
    negative_examples: Annotated[list[str], msgspec.Meta(min_length=1)]
    references: list[str] = []
    source: str = ""
    """The file the rule came from (filled in on load)."""


class RuleFile(msgspec.Struct, forbid_unknown_fields=True):
    rules: list[Rule]


class RuleFileError(ValueError):
    """A rule file that cannot be used; the message names the file, the rule and the field."""


_AT = re.compile(r"\$\.rules\[(\d+)\](?:\.(\w+))?")


def parse_rules(text: str, source: str) -> list[Rule]:
    """Decode one rule file's TOML text. ``source`` names it in errors."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise RuleFileError(f"{source}: not valid TOML: {e}") from None
    try:
        decoded = msgspec.convert(raw, RuleFile)
    except msgspec.ValidationError as e:
        raise RuleFileError(f"{source}: {_describe(str(e), raw)}") from None
    rules = [msgspec.structs.replace(r, source=source) for r in decoded.rules]
    names = set(_core.validator_names())
    for rule in rules:
        if rule.validator is not None and rule.validator not in names:
            raise RuleFileError(
                f"{source}: rule '{rule.id}': field 'validator': unknown validator "
                f"'{rule.validator}'; known: {', '.join(sorted(names))}"
            )
    return rules


def _describe(message: str, raw: dict[str, Any]) -> str:
    """Turn msgspec's ``... - at `$.rules[3].pattern``` into 'rule 'x.y': field 'pattern': ...'."""
    m = _AT.search(message)
    if not m:
        return message
    index, field = int(m.group(1)), m.group(2)
    entries = raw.get("rules")
    rule_id = None
    if isinstance(entries, list) and index < len(entries) and isinstance(entries[index], dict):
        rule_id = entries[index].get("id")
    what = message.split(" - at ")[0]
    who = f"rule '{rule_id}'" if isinstance(rule_id, str) else f"rules[{index}]"
    return f"{who}: field '{field}': {what}" if field else f"{who}: {what}"


def load_file(path: str | Path) -> list[Rule]:
    """Load a user rule file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise RuleFileError(f"{p}: cannot read rule file: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise RuleFileError(f"{p}: rule files must be UTF-8 text") from None
    return parse_rules(text, str(p))


_builtin: list[Rule] | None = None


def load_builtin() -> list[Rule]:
    """The rules that ship with weir, in file order, after checking them against the manifest."""
    global _builtin
    if _builtin is None:
        files = _core.builtin_rule_files()
        try:
            manifest.verify_builtin(files, _core.builtin_rule_manifest())
        except manifest.ManifestError as e:
            raise RuleFileError(str(e)) from None
        rules: list[Rule] = []
        for name, text in files:
            rules.extend(parse_rules(text, f"patterns/{name}"))
        _builtin = rules
    return list(_builtin)


def check_window(rules: Sequence[Rule]) -> None:
    """Refuse a rule that can match more than the engine's recovery window: beyond it a value is
    missed or cut short, silently. Raises ``weir.RuleError`` naming the rule (never its pattern,
    which may hold a deny-listed term) and how to bound it."""
    for rule in rules:
        longest = _max_len(rule.pattern)
        if longest is not None and longest <= MAX_WINDOW:
            continue
        where = f"{rule.source}: " if rule.source else ""
        reach = "has a repetition without an upper bound" if longest is None else f"can match {longest} bytes"
        raise _core.RuleError(
            f"{where}rule '{rule.id}': field 'pattern': the pattern {reach}, but weir recovers at most "
            f"{MAX_WINDOW} bytes of a match, so a longer value would be missed or cut short; bound "
            "every repetition so the longest match fits, e.g. {1,256} instead of + (and {0,256} "
            "instead of *); see patterns/README.md"
        )


@lru_cache(maxsize=4096)
def _max_len(pattern: str) -> int | None:
    """The longest match of ``pattern`` in bytes (None: unbounded); 0 when it does not parse,
    which the engine reports with its own error."""
    try:
        return _core.pattern_max_len(pattern)
    except ValueError:
        return 0
