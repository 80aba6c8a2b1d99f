"""The weir command: scan, redact, rules list/check, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from weir.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "sample.log"
EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"


@pytest.fixture
def log(tmp_path: Path) -> Path:
    p = tmp_path / "app.log"
    p.write_text(f"INFO start\nWARN user {EMAIL} card {CARD}\nINFO done\n")
    return p


def test_scan_text_reports_location_and_masks(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", str(log)]) == 1
    out = capsys.readouterr().out
    assert f"{log}:2:11: EMAIL_ADDRESS" in out
    assert EMAIL not in out and "4111 1111" not in out


def test_scan_json_shape(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--format", "json", str(log)]) == 1
    doc = json.loads(capsys.readouterr().out)
    f = next(f for f in doc["findings"] if f["entity"] == "CREDIT_CARD")
    for key in ("file", "line", "column", "start", "end", "entity", "rule", "category", "score", "preview"):
        assert key in f
    assert (f["line"], f["column"]) == (2, 37)
    assert "value" not in f and "4111" not in f["preview"]
    assert doc["totals"]["findings"] == len(doc["findings"])


def test_scan_jsonl_show_values(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["scan", "--format", "jsonl", "--show-values", str(log)])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["value"] for r in rows} >= {EMAIL, CARD}


def test_exit_codes(tmp_path: Path, log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = tmp_path / "clean.log"
    clean.write_text("nothing to see here\n")
    assert main(["scan", str(clean)]) == 0
    assert main(["scan", "--fail-on", "none", str(log)]) == 0
    assert main(["scan", str(tmp_path / "missing.log")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_redact_changes_only_findings(log: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.log"
    assert main(["redact", str(log), "-o", str(out)]) == 0
    assert out.read_text() == "INFO start\nWARN user [EMAIL_ADDRESS] card [CREDIT_CARD]\nINFO done\n"


def test_redact_large_stream_is_byte_identical_elsewhere(tmp_path: Path) -> None:
    lines = [f"{i:08d} payload {'x' * (i % 97)} ok\n" for i in range(60000)]
    lines[12345] = f"leak {EMAIL} here\n"
    src = tmp_path / "big.log"
    src.write_text("".join(lines))
    out = tmp_path / "big.out"
    assert main(["redact", str(src), "-o", str(out)]) == 0
    expected = "".join(lines).replace(EMAIL, "[EMAIL_ADDRESS]")
    assert out.read_text() == expected


def test_rules_list_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "list", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) >= 150 and {"id", "entity", "category"} <= set(rows[0])


def test_rules_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.toml"
    good.write_text(
        '[[rules]]\nid = "acme.badge"\nname = "ACME badge"\nentity = "ACME_BADGE"\ncategory = "pii"\n'
        "pattern = '''\\bACME-[0-9]{6}\\b'''\nscore = 0.6\n"
        'examples = ["ACME-123456", "id ACME-000001."]\nnegative_examples = ["ACME-1234", "ACME-1234567"]\n'
    )
    assert main(["rules", "check", str(good)]) == 0
    bad = tmp_path / "bad.toml"
    bad.write_text(good.read_text().replace('"ACME-1234"', '"ACME-123456"'))
    assert main(["rules", "check", str(bad)]) == 1
    assert "negative example was found" in capsys.readouterr().err


def test_sample_log_has_findings_of_many_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--format", "json", str(SAMPLE)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert len(doc["totals"]["by_entity"]) >= 8


def test_console_script_and_stdin() -> None:
    weir = Path(sys.executable).with_name("weir")
    proc = subprocess.run(
        [str(weir), "scan", "-"], input=f"x {EMAIL}\n", capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1
    assert "<stdin>:1:3: EMAIL_ADDRESS" in proc.stdout


def test_fast_json_lines_equal_the_dict_form() -> None:
    from weir.report import Hit

    hit = Hit(
        'dir/a "b".log',
        3,
        4,
        10,
        20,
        "EMAIL_ADDRESS",
        "pii.email",
        "pii",
        0.912345,
        'jané"do\\e@x.io\x07'.encode(),
    )
    for show in (False, True):
        assert json.loads(hit.to_json(show)) == hit.as_dict(show)


def test_shown_values_never_reach_the_terminal_as_escape_sequences(tmp_path: Path) -> None:
    log = tmp_path / "ansi.log"
    log.write_text("banner \x1b]52;c;ZXZpbA==\x07 and \x1b[8mhidden\x1b[0m\n")
    proc = subprocess.run(
        [str(Path(sys.executable).with_name("weir")), "scan", "--show-values", "--fail-on", "none", str(log)],
        capture_output=True,
        text=True,
    )
    assert "ANSI_ESCAPE" in proc.stdout
    assert "\x1b" not in proc.stdout and "\\x1b" in proc.stdout


def test_version_names_the_linked_hyperscan(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(("weir 0.1.0 (Intel Hyperscan 5.4.0 ", "weir 0.1.0 (Vectorscan 5.4.12 ")), out
