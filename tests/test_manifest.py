"""The rule manifest: built-in rule files are checked against their sha256 sums when loaded."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from weir import _core, manifest, rules
from weir.rules import RuleFileError

PATTERNS = Path(__file__).resolve().parent.parent / "patterns"


def weir(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "weir.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_checkout_manifest_matches_the_rule_files() -> None:
    verdicts = manifest.verify_directory(PATTERNS)
    assert [v.status for v in verdicts] == ["ok"] * len(verdicts)
    assert {v.name for v in verdicts} == {p.name for p in PATTERNS.glob("*.toml")}


def test_embedded_manifest_is_the_checkouts() -> None:
    # The module was built from this checkout: same manifest, and every embedded file matches it.
    assert _core.builtin_rule_manifest() == (PATTERNS / "MANIFEST.sha256").read_text(encoding="utf-8")
    verdicts = manifest.verify_builtin(_core.builtin_rule_files(), _core.builtin_rule_manifest())
    assert len(verdicts) == len(_core.builtin_rule_files()) > 0


def test_manifest_is_sha256sum_format() -> None:
    # `sha256sum -c` accepts it as is, so it can be checked without weir installed.
    out = subprocess.run(
        ["sha256sum", "--check", "--strict", "MANIFEST.sha256"], cwd=PATTERNS, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_a_tampered_builtin_file_is_an_error_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    files = _core.builtin_rule_files()
    name, text = files[0]
    tampered = [(name, text.replace("score = ", "score =  ", 1)), *files[1:]]
    monkeypatch.setattr(rules, "_builtin", None)
    monkeypatch.setattr(rules._core, "builtin_rule_files", lambda: tampered)
    with pytest.raises(RuleFileError) as err:
        rules.load_builtin()
    message = str(err.value)
    assert f"patterns/{name} does not match its sha256" in message
    assert "make rules-manifest" in message
    assert hashlib.sha256(tampered[0][1].encode()).hexdigest() in message


def test_an_unlisted_or_missing_builtin_file_is_an_error() -> None:
    files = _core.builtin_rule_files()
    text = _core.builtin_rule_manifest()
    with pytest.raises(manifest.ManifestError, match=re.escape("extra.toml is not listed")):
        manifest.verify_builtin([*files, ("extra.toml", "")], text)
    with pytest.raises(
        manifest.ManifestError, match=re.escape(f"{files[0][0]} is listed in the manifest but absent")
    ):
        manifest.verify_builtin(files[1:], text)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("abc  x.toml\n", "expected '<64 hex digits>  <file>.toml'"),
        (f"{'a' * 64} x.toml\n", "expected"),  # one space: not sha256sum's text format
        (f"{'a' * 64}  ../x.toml\n", "expected"),  # no paths
        (f"{'a' * 64}  x.toml\n{'b' * 64}  x.toml\n", "listed twice"),
    ],
)
def test_malformed_manifests_are_rejected(text: str, error: str) -> None:
    with pytest.raises(manifest.ManifestError, match=error):
        manifest.parse(text)


def test_cli_verify_builtin_passes() -> None:
    out = weir("rules", "verify")
    assert out.returncode == 0, out.stderr
    assert "rule files match the manifest" in out.stdout


def test_cli_verify_directory_names_the_tampered_file(tmp_path: Path) -> None:
    copy = tmp_path / "patterns"
    shutil.copytree(PATTERNS, copy)
    assert weir("rules", "verify", "--dir", str(copy)).returncode == 0
    target = copy / "financial.toml"
    target.write_text(target.read_text(encoding="utf-8") + "\n# an innocent-looking edit\n", encoding="utf-8")
    (copy / "new.toml").write_text("", encoding="utf-8")
    out = weir("rules", "verify", "--dir", str(copy), "--format", "json")
    assert out.returncode == 1
    report = json.loads(out.stdout)
    status = {f["name"]: f["status"] for f in report["files"]}
    assert status["financial.toml"] == "modified"
    assert status["new.toml"] == "unlisted"
    assert report["ok"] is False
    assert "financial.toml does not match" in out.stderr


def test_cli_verify_without_a_manifest_is_a_usage_error(tmp_path: Path) -> None:
    out = weir("rules", "verify", "--dir", str(tmp_path))
    assert out.returncode == 2
    assert "cannot read the manifest" in out.stderr
