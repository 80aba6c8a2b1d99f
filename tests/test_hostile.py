"""Hostile input: a clear error or bounded work, never a crash, a hang or a traceback.

Each test feeds one kind of input an attacker (or a broken producer) can send — huge lines, deep
or wide payloads, invalid text, image bombs, pathological rules — through the real engine, OCR
layer, CLI and MCP proxy, and checks the outcome, the time it took and, where it matters, memory.
"""

from __future__ import annotations

import base64
import io
import json
import struct
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import weir
from weir import ocr
from weir.mcp.guard import Guard, Withheld

ROOT = Path(__file__).resolve().parent.parent
WEIR = Path(sys.executable).with_name("weir")
EMAIL = "jane.doe@example.com"
CARD = "4111 1111 1111 1111"
MB = 1 << 20


@pytest.fixture(autouse=True)
def _compiled() -> None:
    """The shared default scanner is compiled before any test times anything."""
    weir.scan("")


def entities(result: weir.ScanResult) -> list[str]:
    return [f.entity for f in result.findings]


def assert_no_value(message: str) -> None:
    for secret in (EMAIL, CARD, "4111111111111111"):
        assert secret not in message


# --- size ------------------------------------------------------------------------------------


def test_100mb_str_over_the_default_limit_is_refused_at_once() -> None:
    text = ("x" * (100 * MB - 30)) + " " + EMAIL
    started = time.perf_counter()
    with pytest.raises(weir.LimitExceeded) as info:
        weir.scan(text)
    assert time.perf_counter() - started < 0.5
    assert info.value.limit == "max_bytes"
    assert info.value.observed == len(text)
    message = str(info.value)
    assert "max_bytes" in message and str(len(text)) in message and "weir.Limits(max_bytes=" in message
    assert_no_value(message)


def test_100mb_single_line_scans_in_bounded_time_when_allowed() -> None:
    filler = "lorem ipsum " * (100 * MB // 12)
    text = f"{EMAIL} {filler}{CARD} {filler[: 4 * MB]} {EMAIL}"
    scanner = weir.Scanner(limits=weir.Limits(max_bytes=256 * MB))
    started = time.perf_counter()
    found = scanner.scan(text).findings
    elapsed = time.perf_counter() - started
    assert [f.entity for f in found] == ["EMAIL_ADDRESS", "CREDIT_CARD", "EMAIL_ADDRESS"]
    assert [text[f.start : f.end] for f in found] == [EMAIL, CARD, EMAIL]
    assert elapsed < 20, f"{elapsed:.1f} s for a 200 MB line"


def peak_rss_of_cli(args: list[str]) -> tuple[int, int, str]:
    """Run the CLI in a child that reports its own peak RSS (KiB): (status, peak, stdout)."""
    code = textwrap.dedent(
        """
        import resource, sys
        from weir.cli import main
        try:
            status = main(sys.argv[1:])
        finally:
            sys.stdout.flush()
            print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
        sys.exit(status)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300, check=False
    )
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    return proc.returncode, int(proc.stderr.strip().splitlines()[-1]), proc.stdout


def test_cli_streams_a_100mb_single_line_in_bounded_memory(tmp_path: Path) -> None:
    small, big = tmp_path / "small.log", tmp_path / "big.log"
    small.write_text(f"{EMAIL}\n")
    with big.open("w") as fh:
        fh.write(EMAIL + " ")
        for i in range(100):
            fh.write("a" * (MB - 1) + " ")
            if i == 50:
                fh.write(CARD + " ")
        fh.write(EMAIL)  # no newline at all: one 100 MB line
    _, baseline, _ = peak_rss_of_cli(["scan", "--format", "jsonl", "-j", "1", str(small)])
    status, peak, out = peak_rss_of_cli(["scan", "--format", "jsonl", "-j", "2", str(big)])
    hits = [json.loads(line) for line in out.splitlines()]
    assert status == 1
    assert [h["entity"] for h in hits] == ["EMAIL_ADDRESS", "CREDIT_CARD", "EMAIL_ADDRESS"]
    assert {h["line"] for h in hits} == {1}
    assert hits[-1]["end"] == big.stat().st_size
    # Reads are 4 MiB and the stream keeps a bounded tail: the 100 MB line is never held whole.
    assert (peak - baseline) * 1024 < 64 * MB, f"peak RSS grew by {(peak - baseline) // 1024} MiB"


# --- deep and wide payloads ------------------------------------------------------------------


def nested_dict(depth: int, leaf: Any) -> dict[str, Any]:
    root: dict[str, Any] = {}
    node = root
    for _ in range(depth - 1):
        child: dict[str, Any] = {}
        node["a"] = child
        node = child
    node["a"] = leaf
    return root


def test_json_nested_100000_deep_is_a_clear_error() -> None:
    deep = nested_dict(100_000, EMAIL)
    started = time.perf_counter()
    with pytest.raises(weir.PayloadError) as info:
        weir.scan(deep)
    assert isinstance(info.value, weir.LimitExceeded) and info.value.limit == "max_depth"
    assert "deeper than 512 levels at /a/a/a" in str(info.value) and "max_depth" in str(info.value)
    with pytest.raises(weir.LimitExceeded):
        weir.redact(deep)
    with pytest.raises(weir.LimitExceeded):  # the default policy redacts: no copy, an error
        weir.redact(deep, policy="default")
    with pytest.raises(weir.Blocked) as blocked:  # strict blocks what it cannot see
        weir.redact(deep, policy="strict")
    assert blocked.value.counts == {"LIMIT_EXCEEDED": 1}
    assert time.perf_counter() - started < 5
    # The same document as JSON text is only text: scanned as such, linearly.
    text = '{"a":' * 100_000 + json.dumps(EMAIL) + "}" * 100_000
    assert entities(weir.scan(text)) == ["EMAIL_ADDRESS"]
    with pytest.raises(RecursionError):  # why weir never json.loads untrusted text itself
        json.loads(text)


def test_deep_json_text_through_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"a":' * 100_000 + json.dumps(EMAIL) + "}" * 100_000)
    for fmt in ("jsonl", "json"):
        proc = subprocess.run(
            [str(WEIR), "scan", "--format", fmt, str(path)], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 1, proc.stderr
        assert "EMAIL_ADDRESS" in proc.stdout and not proc.stderr


def test_deep_json_through_the_proxy_is_withheld_and_answered(tmp_path: Path) -> None:
    server = ROOT / "tests" / "fixtures" / "mcp_stdio_server.py"
    proc = subprocess.Popen(
        [str(WEIR), "proxy", "--", sys.executable, str(server)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deep_args = '{"a":' * 100_000 + json.dumps(EMAIL) + "}" * 100_000
    call = (
        '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":'
        + deep_args
        + "}}"
    )
    ping = '{"jsonrpc":"2.0","id":8,"method":"ping"}'
    out, err = proc.communicate((call + "\n" + ping + "\n").encode(), timeout=60)
    answers = {a["id"]: a for a in map(json.loads, out.splitlines())}
    refused = answers[7]["result"]
    assert refused["isError"] is True
    assert "nested too deeply" in refused["content"][0]["text"]
    assert answers[8]["result"] == {}  # the proxy went on
    assert b"Traceback" not in err and EMAIL.encode() not in out + err


def test_ten_million_keys_are_refused_before_the_walk() -> None:
    wide = dict.fromkeys(range(10_000_000))
    started = time.perf_counter()
    with pytest.raises(weir.LimitExceeded) as info:
        weir.scan(wide)
    assert time.perf_counter() - started < 0.5
    assert info.value.limit == "max_items"
    assert "max_items" in str(info.value) and "20000000" in str(info.value)
    guard = Guard("default", audit=False)
    with pytest.raises(Withheld) as withheld:
        guard.tool_result("t", {"content": [], "structuredContent": {"rows": wide}})
    assert withheld.value.reason == "too_large"


def test_a_million_keys_scan_correctly() -> None:
    wide: dict[str, Any] = {f"k{i}": i % 7 for i in range(1_000_000)}
    wide["k500000"] = f"mail {EMAIL}"
    started = time.perf_counter()
    found = weir.scan(wide).findings
    elapsed = time.perf_counter() - started
    assert [(f.entity, f.path, f.value) for f in found] == [("EMAIL_ADDRESS", "/k500000", EMAIL)]
    assert elapsed < 15, f"{elapsed:.1f} s"


def test_findings_are_bounded_before_python_objects_are_made() -> None:
    """Issue 20, item 13: a finding-dense input gets a clear error at max_findings, in bounded
    memory, through every in-memory entry point; under the limit it scans as before."""
    limits = weir.Limits(max_findings=1000)
    dense = "a@b.io " * 5000
    for data in (dense, dense.encode(), {"rows": dense.split()}):
        with pytest.raises(weir.LimitExceeded) as info:
            weir.scan(data, limits=limits)
        assert info.value.limit == "max_findings" and "5000 findings, allowed 1000" in str(info.value)
        assert_no_value(str(info.value))
        with pytest.raises(weir.LimitExceeded):
            weir.redact(data, limits=limits)
    assert len(weir.scan(dense[: 7 * 1000], limits=limits).findings) == 1000
    guard = Guard(weir.Policy.from_dict({"limits": {"max_findings": 1000}}), audit=False)
    with pytest.raises(Withheld) as withheld:
        guard.tool_result("t", {"content": [{"type": "text", "text": dense}]})
    assert withheld.value.reason == "too_large" and "max_findings" in str(withheld.value)


def test_payload_limits_from_a_policy_bound_the_guard() -> None:
    policy = weir.Policy.from_dict({"limits": {"max_items": 100, "max_bytes": 4096}})
    guard = Guard(policy, audit=False)
    with pytest.raises(Withheld) as info:
        guard.tool_result(
            "t", {"content": [{"type": "text", "text": "ok"}], "structuredContent": list(range(200))}
        )
    assert info.value.reason == "too_large" and "max_items" in str(info.value)
    with pytest.raises(Withheld) as info:
        guard.tool_call("t", {"note": "x" * 5000 + EMAIL})
    assert "max_bytes" in str(info.value)
    assert_no_value(str(info.value))
    assert guard.tool_call("t", {"note": "fine"}) == {"note": "fine"}


def test_policy_limits_table_is_validated_by_field() -> None:
    with pytest.raises(weir.PolicyError, match=r"limits\.max_depth"):
        weir.Policy.from_dict({"limits": {"max_depth": 100_000}})
    with pytest.raises(weir.PolicyError, match=r"field .limits.: .*unknown field `max_bytez`"):
        weir.Policy.from_dict({"limits": {"max_bytez": 1}})
    with pytest.raises(weir.PolicyError, match=r"limits\.max_seconds"):
        weir.Policy.from_dict({"limits": {"max_seconds": -1}})
    pol = weir.Policy.from_dict(
        {"default": "redact", "entities": {"LIMIT_EXCEEDED": "block"}, "limits": {"max_bytes": 10}}
    )
    with pytest.raises(weir.Blocked):
        weir.redact("0123456789abc", pol)
    assert weir.redact("short", pol) == "short"


def test_the_deadline_is_checked_between_stages() -> None:
    with pytest.raises(weir.LimitExceeded) as info:
        weir.scan({"a": [EMAIL] * 1000}, limits=weir.Limits(max_seconds=1e-9))
    assert info.value.limit == "max_seconds" and "max_seconds" in str(info.value)


# --- invalid text ----------------------------------------------------------------------------


def test_invalid_utf8_bytes_are_scanned_around_the_bad_bytes(tmp_path: Path) -> None:
    data = b"\xff\xfe\xc3(" + EMAIL.encode() + b"\xed\xa0\x80 \x80\x80" + CARD.encode() + b"\xf8"
    found = weir.scan(data).findings
    assert [(f.entity, f.value) for f in found] == [
        ("EMAIL_ADDRESS", EMAIL.encode()),
        ("CREDIT_CARD", CARD.encode()),
    ]
    assert all(data[f.start : f.end] == f.value for f in found)
    assert weir.redact(data) == b"\xff\xfe\xc3([EMAIL_ADDRESS]\xed\xa0\x80 \x80\x80[CREDIT_CARD]\xf8"
    path = tmp_path / "bad.log"
    path.write_bytes(data + b"\n")
    proc = subprocess.run(
        [str(WEIR), "scan", "--format", "jsonl", str(path)], capture_output=True, timeout=60
    )
    assert proc.returncode == 1
    assert [json.loads(line)["entity"] for line in proc.stdout.splitlines()] == [
        "EMAIL_ADDRESS",
        "CREDIT_CARD",
    ]


def test_lone_surrogates_in_str_keep_code_point_offsets() -> None:
    text = f"\ud800 {EMAIL} \udfff\udc00 {CARD} \ud83d"
    found = weir.scan(text).findings
    assert [(f.entity, f.value) for f in found] == [("EMAIL_ADDRESS", EMAIL), ("CREDIT_CARD", CARD)]
    assert [text[f.start : f.end] for f in found] == [EMAIL, CARD]
    assert weir.redact(text) == "\ud800 [EMAIL_ADDRESS] \udfff\udc00 [CREDIT_CARD] \ud83d"
    # Non-ASCII around them too: offsets are code points, not bytes.
    text = f"é\udc80€ {EMAIL}"
    (f,) = weir.scan(text).findings
    assert (f.start, f.end) == (4, 4 + len(EMAIL))


def test_lone_surrogates_in_payload_keys_and_values() -> None:
    payload = {"k\ud800": f"x \udc00 {EMAIL}", "list": [f"\udfff{CARD}"]}
    found = weir.scan(payload).findings
    assert [(f.path, f.value) for f in found] == [("/k\ud800", EMAIL), ("/list/0", CARD)]
    assert weir.redact(payload) == {"k\ud800": "x \udc00 [EMAIL_ADDRESS]", "list": ["\udfff[CREDIT_CARD]"]}
    assert weir.scan({f"{EMAIL}\ud800": 1}).findings[0].in_key


def test_nul_bytes_do_not_stop_a_scan(tmp_path: Path) -> None:
    text = f"\x00\x00{EMAIL}\x00{CARD}\x00"
    assert entities(weir.scan(text)) == ["EMAIL_ADDRESS", "CREDIT_CARD"]
    assert entities(weir.scan(text.encode())) == ["EMAIL_ADDRESS", "CREDIT_CARD"]
    assert entities(weir.scan({"a\x00": text})) == ["EMAIL_ADDRESS", "CREDIT_CARD"]
    path = tmp_path / "nul.bin"
    path.write_bytes(text.encode())
    skipped = subprocess.run([str(WEIR), "scan", str(path)], capture_output=True, text=True, timeout=60)
    assert skipped.returncode == 0 and "--binary" in skipped.stderr
    scanned = subprocess.run(
        [str(WEIR), "scan", "--binary", "--format", "jsonl", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert scanned.returncode == 1 and scanned.stdout.count("\n") == 2


# --- images ----------------------------------------------------------------------------------


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png(width: int, height: int, idat: bytes) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grayscale
    return (
        b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")
    )


def decompression_bomb(side: int) -> bytes:
    """A valid PNG of ``side`` x ``side`` white pixels: tiny compressed, huge decoded."""
    packer = zlib.compressobj(9)
    row = b"\x00" + b"\xff" * side
    parts = [packer.compress(row) for _ in range(side)]
    return png(side, side, b"".join(parts) + packer.flush())


def test_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = decompression_bomb(16_000)  # 256 million pixels in about 250 KB
    assert len(bomb) < 1 * MB
    started = time.perf_counter()
    with pytest.raises(ocr.ImageTooLarge) as info:
        weir.scan(bomb)
    assert time.perf_counter() - started < 1
    assert isinstance(info.value, weir.LimitExceeded) and isinstance(info.value, ocr.OcrError)
    assert info.value.limit == "max_pixels" and "max_pixels" in str(info.value)


def test_a_30000_square_image_is_refused_from_its_header(monkeypatch: pytest.MonkeyPatch) -> None:
    header_only = png(30_000, 30_000, zlib.compress(b"\x00" * 64))
    with pytest.raises(ocr.ImageTooLarge, match=r"max_pixels limit \(900000000 pixels, allowed 40000000\)"):
        weir.scan(header_only)
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", None)  # a caller who opened it unguarded
    lazy = Image.open(io.BytesIO(header_only))
    with pytest.raises(ocr.ImageTooLarge, match=r"30000x30000 image"):  # checked before load()
        weir.scan(lazy)
    monkeypatch.undo()
    guard = Guard("default", audit=False)
    block = {"type": "image", "mimeType": "image/png", "data": base64.b64encode(header_only).decode()}
    with pytest.raises(Withheld) as info:
        guard.tool_result("t", {"content": [block]})
    assert info.value.reason == "unscannable"


def test_image_bytes_limit() -> None:
    small = io.BytesIO()
    Image.new("L", (64, 64), 255).save(small, "PNG")
    with pytest.raises(ocr.ImageTooLarge, match="max_image_bytes"):
        weir.scan(small.getvalue(), limits=weir.Limits(max_image_bytes=100))


def test_cli_reports_an_image_over_the_policy_limit_and_exits_2(tmp_path: Path) -> None:
    image, policy = tmp_path / "shot.png", tmp_path / "policy.toml"
    Image.new("L", (64, 64), 255).save(image, "PNG")
    policy.write_text("[limits]\nmax_pixels = 1000\n")
    proc = subprocess.run(
        [str(WEIR), "scan", "--policy", str(policy), str(image)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    assert "max_pixels limit (4096 pixels, allowed 1000)" in proc.stderr and "[limits]" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_images_are_clear_errors(fmt: str) -> None:
    buf = io.BytesIO()
    Image.effect_noise((400, 300), 64).convert("L").save(buf, fmt)
    cut = buf.getvalue()[: len(buf.getvalue()) // 2]
    with pytest.raises(ocr.OcrError, match="truncated or corrupt"):
        weir.scan(cut)


# --- pathological rules ----------------------------------------------------------------------


RULE = """
[[rules]]
id = "{id}"
name = "hostile"
entity = "HOSTILE"
category = "secret"
pattern = '''{pattern}'''
score = 0.9
examples = ["aaaa"]
negative_examples = ["-"]
"""


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"(a|aa){1000}{1000}", "exceeded limit"),
        (r"(?:\w{100}){100}{100}", "exceeded limit"),
        (r"(\w+\s?)*$", "empty string"),
        ("(" * 150 + "a" + ")" * 150, "nest"),
    ],
)
def test_pathological_patterns_are_rule_errors_naming_the_rule(
    tmp_path: Path, pattern: str, expected: str
) -> None:
    path = tmp_path / "hostile.toml"
    path.write_text(RULE.format(id="evil.rule", pattern=pattern))
    started = time.perf_counter()
    with pytest.raises(weir.RuleError, match=rf"rule 'evil\.rule': .*{expected}"):
        weir.Scanner(extra_rules=[path])
    assert time.perf_counter() - started < 5
    proc = subprocess.run(
        [str(WEIR), "rules", "check", str(path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2 and "evil.rule" in proc.stderr and "Traceback" not in proc.stderr


def test_a_100kb_pattern_is_refused_naming_the_rule(tmp_path: Path) -> None:
    path = tmp_path / "long.toml"
    path.write_text(RULE.format(id="long.rule", pattern="a" * 100_000))
    with pytest.raises(weir.RuleFileError, match=r"rule 'long\.rule': field 'pattern'"):
        weir.Scanner(extra_rules=[path])
    # The engine checks too, whoever hands it a rule.
    rule = weir.Rule(
        id="long.native",
        name="x",
        entity="HOSTILE",
        category="secret",
        pattern="a" * 100_000,
        score=0.5,
        examples=["a"],
        negative_examples=["-"],
    )
    with pytest.raises(weir.RuleError, match=r"rule 'long\.native': pattern is 100000 bytes"):
        weir.Scanner(rules=[rule])


def test_a_backtracking_shaped_rule_runs_in_linear_time(tmp_path: Path) -> None:
    path = tmp_path / "nested.toml"
    # (\w+\s?)+! bounded: weir refuses unbounded repetitions (their matches could outgrow the window).
    path.write_text(RULE.format(id="nested.rule", pattern=r"(\w{1,8}\s?){1,1024}!"))
    scanner = weir.Scanner(rules=[], extra_rules=[path])
    hostile = "a " * (MB // 2) + "?"  # a backtracking engine takes exponential time on this
    started = time.perf_counter()
    assert scanner.scan(hostile).findings == []
    assert time.perf_counter() - started < 10
