"""The rule model is defined once, natively (rust/src/rules.rs, rust/src/rule_file.rs); Python
sees it as ``weir.Rule`` and describes it only in the stub ``weir/_core.pyi``. These tests hold
the stub to the native type and check what Python relies on."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

import weir
from weir import _core
from weir.rules import load_builtin, parse_rules

STUB = Path(weir.__file__).with_name("_core.pyi")


def _stub_class(name: str) -> ast.ClassDef:
    tree = ast.parse(STUB.read_text())
    return next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name)


def test_the_stub_describes_the_native_rule_exactly() -> None:
    cls = _stub_class("Rule")
    properties = {
        f.name
        for f in cls.body
        if isinstance(f, ast.FunctionDef)
        and any(getattr(d, "id", "") == "property" for d in f.decorator_list)
    }
    methods = {f.name for f in cls.body if isinstance(f, ast.FunctionDef)} - properties - {"__init__"}
    native = {a for a in dir(_core.Rule) if not a.startswith("_")}
    assert properties | methods == native
    init = next(f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "__init__")
    keywords = {a.arg for a in init.args.kwonlyargs}
    assert keywords == properties, "every field is a keyword of the constructor, and nothing else"


def test_one_set_of_defaults() -> None:
    """A rule file that leaves a field out and a rule made in code get the same value."""
    text = """
[[rules]]
id = "t.one"
name = "one"
entity = "T_ONE"
category = "pii"
pattern = 'one'
score = 0.5
examples = ["one"]
negative_examples = ["two"]
"""
    (from_file,) = parse_rules(text, "t.toml")
    in_code = weir.Rule(
        id="t.one",
        name="one",
        entity="T_ONE",
        category="pii",
        pattern="one",
        score=0.5,
        examples=["one"],
        negative_examples=["two"],
        source="t.toml",
    )
    assert from_file == in_code
    assert (in_code.hotword_window, in_code.hotword_boost, in_code.validator) == (64, 0.25, None)


def test_rules_are_read_only_and_survive_pickling() -> None:
    rule = load_builtin()[0]
    with pytest.raises(AttributeError):
        rule.score = 1.0  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(rule)) == rule
    assert weir.Rule(**rule.to_dict()) == rule
    assert rule.id in repr(rule) and rule.pattern not in repr(rule)
