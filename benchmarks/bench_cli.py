"""The CLI over a large generated log: throughput, peak memory, and peers on the same file.

    python benchmarks/bench_cli.py --gb 1 --out benchmarks/results/cli.md --json benchmarks/results/cli.json

Builds (once, cached under benchmarks/data/) a log of the requested size from the seeded corpus
generator, then times, in the same run: a read-only pass (``cat > /dev/null``), ``weir scan`` with
all cores and with one, ``weir redact``, ripgrep with weir's patterns joined into one alternation,
and detect-secrets on a slice (it is far slower; its MB/s is measured on the slice). Peak RSS is
read from ``/usr/bin/time -v`` for each command, at 100 MB and at the full size, so it is clear
whether memory grows with the file.

``--json`` also writes the rows as JSON (case, tool, kind, bytes, MB/s, peak RSS) for
``benchmarks/report.py``, which puts them in the headline table with their same-run ratios.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from corpus import make_text  # noqa: E402

BIN = ROOT / ".venv" / "bin"
PEERS = ROOT / ".venv-peers" / "bin"
MB = 1_000_000


def build_log(path: Path, size: int, seed: int = 7) -> None:
    """Repeat a seeded block of the ``logs`` corpus (50 MB, or ``size`` if smaller) to ``size`` bytes."""
    if path.exists() and path.stat().st_size >= size:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    block = make_text(min(size, 50 * MB), seed, "logs").encode()
    written = 0
    with open(path, "wb") as f:
        i = 0
        while written < size:
            piece = block[: size - written]
            f.write(piece)
            written += len(piece)
            i += 1


def slice_of(path: Path, size: int) -> Path:
    out = path.with_name(f"{path.stem}-{size // MB}mb.log")
    if not out.exists() or out.stat().st_size != size:
        with open(path, "rb") as src, open(out, "wb") as dst:
            dst.write(src.read(size))
    return out


def run(cmd: list[str], stdout: int | None = subprocess.DEVNULL) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of ``cmd`` under /usr/bin/time -v."""
    started = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], stdout=stdout, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - started
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr[-400:]}")
    return elapsed, int(m.group(1)) * 1024 if m else 0


def rg_pattern() -> str:
    sys.path.insert(0, str(ROOT / "python"))
    from weir.rules import load_builtin

    parts = [re.sub(r"\(\?P<\w+>", "(?:", r.pattern) for r in load_builtin()]
    # ripgrep 13 (Debian's) ships an older regex that rejects escaped punctuation such as `\/`;
    # the unescaped character means the same there.
    # Escapes are taken as pairs so that `\\/` (a backslash, then a slash) stays as it is.
    plain = set("/'\"`:@=<>#%&~!,;")
    parts = [re.sub(r"\\(.)", lambda m: m.group(1) if m.group(1) in plain else m.group(0), p) for p in parts]
    return "(?-u)" + "|".join(f"(?:{p})" for p in parts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gb", type=float, default=1.0)
    ap.add_argument("--peer-mb", type=int, default=20, help="slice size for ripgrep and detect-secrets")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "cli.md")
    ap.add_argument("--json", type=Path, help="also write the rows as JSON here (for report.py)")
    args = ap.parse_args()

    size = int(args.gb * 1000 * MB)
    big = HERE / "data" / f"bench-{size // MB}mb.log"
    build_log(big, size)
    small = slice_of(big, 100 * MB)
    peer = slice_of(big, args.peer_mb * MB)
    weir = str(BIN / "weir")
    rows: list[tuple[str, str, float, int]] = []
    records: list[dict[str, object]] = []

    def measure(label: str, path: Path, cmd: list[str]) -> None:
        secs, rss = run(cmd)
        n = path.stat().st_size
        rows.append((label, f"{n // MB} MB", n / MB / secs, rss))
        kind = (
            "baseline"
            if label.startswith("read baseline")
            else "weir"
            if label.startswith("weir")
            else "peer"
        )
        case = f"CLI, {n // MB} MB log" if path != peer else f"CLI, {n // MB} MB log slice (peers)"
        records.append(
            {
                "case": case,
                "tool": label,
                "kind": kind,
                "bytes": n,
                "seconds": round(secs, 4),
                "mb_per_s": round(n / MB / secs, 3),
                "peak_rss_bytes": rss,
            }
        )
        print(f"{label:<40} {n / MB / secs:9.1f} MB/s  peak RSS {rss / MB:7.1f} MB", flush=True)

    # Warm the compiled-database cache for each rule set, so no row pays a cold compile.
    for warm in ([], ["--categories", "secret"]):
        subprocess.run(
            [weir, "scan", *warm, "--fail-on", "none", "/dev/null"], capture_output=True, check=False
        )
    for path in (small, big):
        measure("read baseline (cat > /dev/null)", path, ["sh", "-c", f"cat '{path}' > /dev/null"])
        measure(
            "weir scan --categories secret",
            path,
            [weir, "scan", "--categories", "secret", "--format", "jsonl", "--fail-on", "none", str(path)],
        )
        measure(
            f"weir scan -j {os.cpu_count()}",
            path,
            [weir, "scan", "--format", "jsonl", "--fail-on", "none", str(path)],
        )
        measure(
            "weir scan -j 1",
            path,
            [weir, "scan", "-j", "1", "--format", "jsonl", "--fail-on", "none", str(path)],
        )
        measure("weir redact", path, ["sh", "-c", f"'{weir}' redact '{path}' > /dev/null"])
    measure("read baseline (cat > /dev/null)", peer, ["sh", "-c", f"cat '{peer}' > /dev/null"])
    if shutil.which("rg"):
        pattern_file = HERE / "data" / "rg-pattern.txt"
        pattern_file.write_text(rg_pattern())
        # ripgrep with ~300 patterns in one regex runs near 1 MB/s: measured on the peer slice.
        for path in (peer,):
            measure(
                "ripgrep, weir's patterns as one regex",
                path,
                [
                    "rg",
                    "-c",
                    "-a",
                    "-U",  # some rules (PEM blocks) span lines
                    "--regex-size-limit",
                    "2G",
                    "--dfa-size-limit",
                    "2G",
                    "-f",
                    str(pattern_file),
                    str(path),
                ],
            )
    measure(
        "weir scan (same slice as the peers)",
        peer,
        [weir, "scan", "--format", "jsonl", "--fail-on", "none", str(peer)],
    )
    if (PEERS / "detect-secrets").exists():
        measure("detect-secrets scan", peer, [str(PEERS / "detect-secrets"), "scan", str(peer)])

    lines = [
        f"Machine: {os.cpu_count()} cores, `{platform_line()}`; command: `python benchmarks/bench_cli.py --gb {args.gb}`",
        "",
        "| command | input | MB/s | peak RSS |",
        "| --- | --- | ---: | ---: |",
    ]
    lines += [f"| {label} | {inp} | {rate:.1f} | {rss / MB:.0f} MB |" for label, inp, rate, rss in rows]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print(f"\nwrote {args.out}")
    if args.json:
        doc = {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": {"cpu": platform_line(), "cores": os.cpu_count()},
            "command": f"python benchmarks/bench_cli.py --gb {args.gb} --peer-mb {args.peer_mb}",
            "corpus": "logs corpus (benchmarks/corpus.py, seed 7), 50 MB block repeated",
            "rows": records,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(doc, indent=2) + "\n")
        print(f"wrote {args.json}")


def platform_line() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    main()
