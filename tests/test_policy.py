"""Masking policies through the public API: every action, overrides, allow/deny-lists, keys."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

import weir
from weir.masking import apply, decide
from weir.policy import Policy, PolicyError

EMAIL = "jane.doe@example.com"
CARD = "4111-1111-1111-1111"
KEY = "AKIAZ2XQ7RTVNBLZ4GRA"


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    secret = "0123456789abcdef0123456789abcdef"
    monkeypatch.setenv("WEIR_KEY", secret)
    return secret


def pol(**kw: object) -> Policy:
    return Policy.from_dict(kw)


def test_redact_and_template() -> None:
    assert weir.redact(f"to {EMAIL}", pol(default="redact")) == "to [EMAIL_ADDRESS]"
    p = pol(entities={"EMAIL_ADDRESS": {"action": "redact", "template": "<{category}:{entity}>"}})
    assert weir.redact(f"to {EMAIL}", p) == "to <pii:EMAIL_ADDRESS>"


def test_mask_keeps_separators_and_last_digits() -> None:
    p = pol(entities={"CREDIT_CARD": {"action": "mask", "keep_last": 4}})
    assert weir.redact(f"card {CARD}.", p) == "card ****-****-****-1111."
    p = pol(entities={"CREDIT_CARD": {"action": "mask", "keep_first": 4, "mask_char": "#"}})
    assert weir.redact(CARD, p) == "4111-####-####-####"


def test_hash_is_keyed_and_stable(key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    p = pol(entities={"EMAIL_ADDRESS": "hash"})
    one = weir.redact(f"a {EMAIL}", p)
    assert one.startswith("a [EMAIL_ADDRESS:") and EMAIL not in one
    assert weir.redact(f"b {EMAIL}", p)[2:] == one[2:]
    monkeypatch.setenv("WEIR_KEY", "another-key-of-enough-length-0000")
    assert weir.redact(f"a {EMAIL}", p) != one


def test_tokenize_is_a_consistent_pseudonym(key: str) -> None:
    p = pol(entities={"EMAIL_ADDRESS": "tokenize"})
    out = weir.redact(f"{EMAIL} and {EMAIL} and other@example.org", p)
    tokens = out.split(" and ")
    assert tokens[0] == tokens[1] != tokens[2]
    assert tokens[0].startswith("<EMAIL_ADDRESS_") and tokens[0].endswith(">")


def test_actions_needing_a_key_say_how_to_set_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEIR_KEY", raising=False)
    with pytest.raises(Exception, match="WEIR_KEY") as e:
        weir.redact(EMAIL, pol(default="hash"))
    assert EMAIL not in str(e.value)


def test_block_names_entities_and_counts_never_values() -> None:
    with pytest.raises(weir.Blocked) as e:
        weir.redact({"a": KEY, "b": [KEY, EMAIL]}, "default")
    assert e.value.counts == {"AWS_ACCESS_KEY_ID": 2}
    assert KEY not in str(e.value) and KEY not in repr(e.value)


def test_report_leaves_values() -> None:
    data = {"note": f"mail {EMAIL}"}
    assert weir.redact(data, "audit") == data
    assert [f.entity for f in weir.scan(data, policy="audit")] == ["EMAIL_ADDRESS"]


def test_overrides_most_specific_wins() -> None:
    p = pol(
        default="redact",
        entities={"EMAIL_ADDRESS": "mask"},
        overrides=[
            {"direction": "outbound", "entities": {"EMAIL_ADDRESS": "report"}},
            {"tool": "crm_*", "entities": {"EMAIL_ADDRESS": {"action": "redact", "template": "[crm]"}}},
            {"tool": "crm_*", "direction": "outbound", "default": "block"},
        ],
    )
    text = f"to {EMAIL}"
    assert weir.redact(text, p) == "to ****.***@*******.***"
    assert weir.redact(text, p, direction="outbound") == text
    assert weir.redact(text, p, tool="crm_lookup") == "to [crm]"
    assert weir.redact(text, p, tool="crm_lookup", direction="inbound") == "to [crm]"
    with pytest.raises(weir.Blocked):
        weir.redact(text, p, tool="crm_lookup", direction="outbound")
    assert weir.redact(text, p, tool="billing", direction="outbound") == text


def test_allow_values_and_patterns() -> None:
    p = pol(allow={"values": ["support@example.com"], "patterns": [r"@test\.example$"]})
    text = "support@example.com, qa@test.example, jane.doe@example.com"
    assert weir.redact(text, p) == "support@example.com, qa@test.example, [EMAIL_ADDRESS]"


def test_deny_terms_are_always_flagged() -> None:
    p = pol(deny={"terms": ["Project Nightingale", "zeta-9"]})
    out = weir.redact("notes on project nightingale and ZETA-9 rollout", p)
    assert out == "notes on [DENIED_TERM] and [DENIED_TERM] rollout"


def test_min_score_per_entity() -> None:
    text = "id 536-22-1234"  # an SSN without context scores below 0.8
    assert weir.redact(text, pol(min_score=0.5)) == "id [US_SSN]"
    assert weir.redact(text, pol(entities={"US_SSN": {"action": "redact", "min_score": 0.99}})) == text


def test_json_stays_json_and_non_ascii_offsets_hold() -> None:
    data = {"ünïcødé": f"→ {EMAIL} ✓", "list": [1, f"{CARD}", {"k": "v"}], "n": None}
    out = weir.redact(data, "default")
    assert json.loads(json.dumps(out)) == out
    assert out == {
        "ünïcødé": "→ [EMAIL_ADDRESS] ✓",
        "list": [1, "****-****-****-1111", {"k": "v"}],
        "n": None,
    }


def test_overlapping_findings_masked_once_and_redaction_is_idempotent() -> None:
    text = f"mailto:{EMAIL}?x=1 card {CARD}"
    once = weir.redact(text, "default")
    assert once.count("[EMAIL_ADDRESS]") == 1
    assert weir.redact(once, "default") == once
    assert not weir.scan(once, policy="default").findings


def test_bytes_in_bytes_out() -> None:
    assert weir.redact(f"x {EMAIL}".encode(), "default") == b"x [EMAIL_ADDRESS]"


@pytest.mark.parametrize("name", ["default", "strict", "audit"])
def test_builtin_policies_load(name: str) -> None:
    assert isinstance(Policy.builtin(name), Policy)


def test_strict_blocks_medium_and_above() -> None:
    with pytest.raises(weir.Blocked):
        weir.redact(f"to {EMAIL}", "strict")
    assert weir.redact("nothing here", "strict") == "nothing here"


POLICY_TOML = """
default = "redact"
min_score = 0.5

[entities]
CREDIT_CARD = { action = "mask", keep_last = 4 }
EMAIL_ADDRESS = "hash"

[categories]
secret = "block"

[[overrides]]
tool = "crm_*"
direction = "outbound"
entities = { EMAIL_ADDRESS = "tokenize" }

[allow]
values = ["support@example.com"]
patterns = ["^test-"]

[deny]
terms = ["Project Nightingale"]
"""


def test_policy_files_in_three_formats_agree(tmp_path: Path) -> None:
    import tomllib
    import yaml

    as_dict = tomllib.loads(POLICY_TOML)
    (tmp_path / "p.toml").write_text(POLICY_TOML)
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(as_dict))
    (tmp_path / "p.json").write_text(json.dumps(as_dict))
    loaded = [Policy.load(tmp_path / f"p.{ext}") for ext in ("toml", "yaml", "json")]
    assert loaded[0] == loaded[1] == loaded[2] == Policy.from_dict(as_dict)


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ('default = "hsah"', "field 'default'"),
        ('[entities]\nEMAIL = { action = "mask", keep_last = -1 }', "entities.EMAIL"),
        ("min_score = 2", "field 'min_score'"),
        ('colour = "red"', "colour"),
        ('[allow]\npatterns = ["(unclosed"]', "allow.patterns"),
    ],
)
def test_bad_policy_names_the_field(tmp_path: Path, body: str, needle: str) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(textwrap.dedent(body))
    with pytest.raises(PolicyError) as e:
        Policy.load(p)
    assert "bad.toml" in str(e.value) and needle in str(e.value)


def test_bad_action_lists_the_allowed_ones() -> None:
    with pytest.raises(PolicyError, match="report, redact, mask, hash, tokenize, block"):
        Policy.from_dict({"default": "hsah"})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"entities": {0: "report"}}, "field 'entities': a key is not valid: Expected `str`, got `int`"),
        (
            {"overrides": [{"categories": {1.5: "mask"}}]},
            "field 'overrides[0].categories': a key is not valid: Expected `str`, got `float`",
        ),
    ],
)
def test_bad_mapping_key_names_the_mapping(data: dict[str, Any], message: str) -> None:
    # Found by tests/test_fuzz_payload.py: msgspec reports a key as "at `key` in `$.entities`",
    # which came out as "field 'key` in `$.entities'" with a hint about actions.
    with pytest.raises(PolicyError) as e:
        Policy.from_dict(data)
    assert str(e.value) == f"policy: {message}"


def test_unknown_builtin() -> None:
    with pytest.raises(PolicyError, match="default, strict, audit"):
        Policy.builtin("lenient")


def test_vault_makes_tokenize_reversible(key: str, tmp_path: Path) -> None:
    vault_path = tmp_path / "tokens.db"
    p = pol(entities={"EMAIL_ADDRESS": "tokenize"}, vault=str(vault_path))
    text = f"from {EMAIL} to other@example.org"
    out = weir.redact(text, p)
    assert EMAIL not in out and out.count("<EMAIL_ADDRESS_") == 2
    # Same tokens with or without a vault, under the same key.
    assert weir.redact(text, pol(entities={"EMAIL_ADDRESS": "tokenize"})) == out
    with weir.Vault(vault_path) as vault:
        assert weir.detokenize(out, vault) == text
    assert EMAIL.encode() not in vault_path.read_bytes()


CLI_POLICY = """
default = "redact"
[entities]
CREDIT_CARD = { action = "mask", keep_last = 4 }
[allow]
values = ["support@example.com"]
"""


def test_cli_redact_with_policy(tmp_path: Path) -> None:
    from weir.cli import main

    policy = tmp_path / "policy.toml"
    policy.write_text(CLI_POLICY)
    log = tmp_path / "app.log"
    log.write_text(f"user {EMAIL} card {CARD} help support@example.com\n")
    out = tmp_path / "out.log"
    assert main(["redact", str(log), "-o", str(out), "--policy", str(policy)]) == 0
    assert out.read_text() == "user [EMAIL_ADDRESS] card ****-****-****-1111 help support@example.com\n"


def test_cli_redact_blocked_withholds_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from weir.cli import main

    log = tmp_path / "app.log"
    log.write_text(f"aws key {KEY}\n")
    out = tmp_path / "out.log"
    assert main(["redact", str(log), "-o", str(out), "--policy", "default"]) == 1
    err = capsys.readouterr().err
    assert "blocked by policy: 1 x AWS_ACCESS_KEY_ID" in err and KEY not in err
    assert not out.exists()
    assert main(["redact", str(log), "--policy", "nope.toml"]) == 2


def test_cli_scan_with_policy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from weir.cli import main

    policy = tmp_path / "policy.toml"
    policy.write_text('[allow]\nvalues = ["support@example.com"]\n[deny]\nterms = ["Nightingale"]\n')
    log = tmp_path / "app.log"
    log.write_text(f"{EMAIL} support@example.com project nightingale\n")
    assert main(["scan", "--format", "json", "--policy", str(policy), str(log)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert sorted(f["entity"] for f in doc["findings"]) == ["DENIED_TERM", "EMAIL_ADDRESS"]


def test_cli_redact_to_stdout_is_withheld_when_blocked() -> None:
    import subprocess
    import sys

    weir_bin = str(Path(sys.executable).with_name("weir"))
    data = f"first {EMAIL}\n".encode() * 50_000 + f"then {KEY}\n".encode()
    proc = subprocess.run(
        [weir_bin, "redact", "--policy", "default"], input=data, capture_output=True, timeout=120
    )
    assert proc.returncode == 1
    assert proc.stdout == b""  # nothing released before the block was found
    assert b"blocked by policy" in proc.stderr and KEY.encode() not in proc.stderr


def test_blocked_carries_no_values() -> None:
    with pytest.raises(weir.Blocked) as e:
        weir.redact(f"{KEY} {EMAIL}", "strict")
    assert KEY not in repr(vars(e.value)) and EMAIL not in repr(vars(e.value))


def test_cli_hash_and_vault_tokenize(key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from weir.cli import main

    vault = tmp_path / "v.db"
    policy = tmp_path / "p.yaml"
    policy.write_text(f"entities:\n  EMAIL_ADDRESS: tokenize\n  CREDIT_CARD: hash\nvault: {vault}\n")
    log = tmp_path / "a.log"
    log.write_text(f"{EMAIL} {CARD}\n")
    out = tmp_path / "o.log"
    assert main(["redact", str(log), "-o", str(out), "--policy", str(policy)]) == 0
    text = out.read_text()
    assert "<EMAIL_ADDRESS_" in text and "[CREDIT_CARD:" in text and EMAIL not in text
    with weir.Vault(vault) as v:
        assert weir.detokenize(text, v).startswith(EMAIL)
    monkeypatch.delenv("WEIR_KEY")
    assert main(["redact", str(log), "-o", str(out), "--policy", str(policy)]) == 2


# --- one pipeline: scan → decide → apply -----------------------------------------------------

MIXED = "mail jane.doe@example.com, card 4111 1111 1111 1111, again jane.doe@example.com"


@pytest.mark.parametrize("policy", [None, "default", "audit"])
@pytest.mark.parametrize("data", [MIXED, MIXED.encode(), {"note": MIXED, "n": [MIXED, 7]}])
def test_redact_is_scan_then_decide_then_apply(policy: str | None, data: Any) -> None:
    """weir.redact takes the same three steps a caller composing them would: nothing it does is
    its own."""
    pol = Policy.builtin(policy) if policy is not None else None
    scanner = weir.Scanner()
    # With a policy, its thresholds choose (weir.redact scans at min_score 0 for it).
    found = scanner.scan(data, min_score=None if pol is None else 0.0).findings
    decided = decide(found, pol)
    assert weir.redact(data, policy) == apply(data, decided, pol)


def test_decided_keeps_report_out_of_what_is_replaced() -> None:
    pol = Policy.from_dict({"entities": {"EMAIL_ADDRESS": "report", "CREDIT_CARD": "redact"}})
    decided = decide(weir.Scanner().scan(MIXED, min_score=0.0).findings, pol)
    assert {f.entity for f in decided.findings} == {"EMAIL_ADDRESS", "CREDIT_CARD"}
    assert {f.entity for f in decided.replaced.findings} == {"CREDIT_CARD"}
    assert apply(MIXED, decided, pol).count("jane.doe@example.com") == 2
    assert "4111" not in apply(MIXED, decided, pol)
    assert "jane" not in repr(decided) and "4111" not in repr(decided)


def test_decide_without_a_policy_labels_everything_and_never_blocks() -> None:
    found = weir.scan(MIXED).findings
    decided = decide(found, None)
    assert decided.findings == found and not decided.blocked
    assert apply(MIXED, decided, None) == "mail [EMAIL_ADDRESS], card [CREDIT_CARD], again [EMAIL_ADDRESS]"
