"""Smoke run of the benchmark report, so ``scaling.py`` and ``report.py`` cannot rot.

Runs ``scaling.py --quick`` (1, 2 and 4 MB, a few seconds) and ``report.py`` on its output plus
whatever committed results exist, all into a temporary directory: the committed
``benchmarks/results/`` is only read. Part of ``make test`` (``bench-smoke``).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

import report
import scaling

HERE = Path(__file__).resolve().parent
WEIR = Path(sys.executable).with_name("weir")
PNG = b"\x89PNG\r\n\x1a\n"


def test_scaling_quick_then_report(tmp_path: Path) -> None:
    if not WEIR.exists():
        pytest.skip("the weir command is not installed in this environment")
    pytest.importorskip("matplotlib")
    results = tmp_path / "results"
    results.mkdir()
    for name in ("latest.json", "cli.json", "ner_eval.md"):
        if (HERE / "results" / name).exists():
            shutil.copy(HERE / "results" / name, results / name)
    argv = ["--quick", "--max-threads", "2", "--weir", str(WEIR)]
    argv += ["--data-dir", str(tmp_path / "data"), "--out", str(results / "scaling.json")]
    assert scaling.main(argv) == 0
    doc = report.load_json(results / "scaling.json")
    assert [r["threads"] for r in doc["by_threads"]] == [1, 2]
    assert len(doc["by_size"]) == 3 and all(r["mb_per_s"] > 0 for r in doc["by_size"])

    rule_rows = [
        {"name": "all 318 built-in", "rules": 318, "shape": 57, "raw": 340.0, "scan": 158.0, "crc": 4200.0},
        {
            "name": "318 + 318 synthetic",
            "rules": 636,
            "shape": 123,
            "raw": 320.0,
            "scan": 147.0,
            "crc": 4200.0,
        },
    ]
    doc = {"command": "rule_scaling.py --mb 16", "builtin": 318, "rows": rule_rows}
    (results / "rule_scaling.json").write_text(json.dumps(doc), encoding="utf-8")

    out = tmp_path / "out"
    load = tmp_path / "load.log"
    load.write_text("2026-01-01T00:00:00Z 0.50\n2026-01-01T00:00:30Z 2.25\nnot a sample\n", encoding="utf-8")
    argv = [
        "--results-dir",
        str(results),
        "--out-dir",
        str(out),
        "--command",
        "smoke",
        "--load-log",
        str(load),
    ]
    assert report.main(argv) == 0
    summary = (out / "summary.md").read_text(encoding="utf-8")
    parts = ("- Machine: ", "- Commit: ", "- Command: `smoke`", "| case | tool |", "scaling", "0.5 to 2.2")
    parts += (
        "| 318 + 318 synthetic | 636 | 123 |",
        "costs 7% of `Engine.scan`'s throughput (target at most 15%: met)",
    )
    for part in parts:
        assert part in summary, part
    for plot in ("throughput.png", "scaling.png"):
        assert (out / plot).read_bytes()[:8] == PNG, plot


def test_report_with_no_inputs(tmp_path: Path) -> None:
    """Missing inputs (a quick run, no peers) are listed, never a crash."""
    assert report.main(["--results-dir", str(tmp_path), "--out-dir", str(tmp_path / "out")]) == 0
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "No benchmark results were found." in summary
    assert "No `scaling.json`" in summary
    assert not (tmp_path / "out" / "throughput.png").exists()


def test_ner_table_is_read() -> None:
    text = (
        "| Corpus | Mode | Records | weir MB/s | Presidio MB/s | weir ÷ Presidio |\n"
        "|---|---|---:|---:|---:|---:|\n"
        "| mixed | batched | 276 | 0.0873 | 0.0121 | **7.2x** |\n"
    )
    rows = report.ner_rows(text)
    assert [r.kind for r in rows] == ["weir", "peer"]
    assert rows[1].weir_vs == "7.21x"
