"""Smoke run of the OCR evaluation (``eval_ocr.py --quick``): it must run and write a sane report.

Not a timing or accuracy gate: three images, real Tesseract, checked for shape only.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("pytesseract", reason="the ocr extra is not installed")
pytest.importorskip("weir", reason="weir is not built: run `make build` first")

import eval_ocr

pytestmark = [
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed"),
    pytest.mark.skipif(len(eval_ocr.available_fonts()) < 3, reason="fonts-dejavu-core is not installed"),
]


def test_quick_report(tmp_path: Path) -> None:
    out = tmp_path / "ocr.md"
    assert eval_ocr.main(["--quick", "--out", str(out)]) == 0
    report = out.read_text(encoding="utf-8")
    overall = re.search(
        r"\*\*Overall: (\d+)/(\d+) = [\d.]+%\*\* found; (\d+) false positives; ([\d.]+) images/s", report
    )
    assert overall, report
    found, planted, false_pos, _ = overall.groups()
    assert int(planted) == 9  # three images, a card, an SSN and an email each
    assert 0 <= int(found) <= int(planted) and int(false_pos) >= 0
    assert "Text control: 0 planted values missed" in report
    for entity in eval_ocr.ENTITIES:
        assert f"| {entity} |" in report
    assert "12 pt (16 px)" in report and "24 pt (32 px)" in report
