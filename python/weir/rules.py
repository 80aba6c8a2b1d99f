"""Rules as data: the TOML rule files, decoded into ``weir.Rule``.

A rule file holds ``[[rules]]`` entries (see patterns/README.md). Built-in files are embedded in
the native module at build time; users add their own with ``Scanner(extra_rules=[path])``.

The rule model is defined once, in the native module (``rust/src/rules.rs`` and
``rust/src/rule_file.rs``: the fields, their types, bounds and defaults, and the errors that
name the file, the rule and the field); ``weir.Rule`` is that type, read-only, described by the
stub ``weir/_core.pyi``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from weir import _core, manifest

Rule = _core.Rule
RuleFileError = _core.RuleFileError
parse_rules = _core.parse_rules
"""``parse_rules(text, source)``: one rule file's TOML text as rules; ``source`` names it in
errors. Raises ``RuleFileError`` naming the file, the rule and the field."""

MAX_WINDOW: int = _core.MAX_WINDOW
"""Longest match the engine can recover, in bytes: spans are recovered in a window that ends where
the match-end pass reported the match, so a longer one is missed or cut short."""


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
