"""Accuracy of weir's NER layer (with the pattern rules alongside) and a small OCR check.

    .venv/bin/python benchmarks/eval_ner.py --out benchmarks/results/ner_eval.md

Runs ``weir.scan(..., ner=True)`` over the labelled set from ``labelled.py``; prose records are
scanned as ``str``, JSON records as the whole dict (findings kept from the free-text leaf).
Scores precision, recall and F1 per entity; times the whole pipeline in the same run; renders
card/email/SSN lines to PNG and reports how many planted values ``weir.scan(png_bytes)`` finds.
"""

from __future__ import annotations

import argparse
import io
import platform
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import labelled
import weir

MATCH_RULE = (
    "A predicted span is a true positive when it has the same entity as an unmatched gold span "
    "and their overlap is >= 50% of the longer of the two spans (each gold span matches at most "
    "one prediction). Predictions of entities outside the seven evaluated are ignored."
)


def overlap_ok(a: tuple[int, int], b: tuple[int, int]) -> bool:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    longer = max(a[1] - a[0], b[1] - b[0])
    return inter > 0 and inter >= 0.5 * longer


def predictions(rec: labelled.Record) -> list[tuple[int, int, str]]:
    if rec.payload is not None:
        result = weir.scan(rec.payload, ner=True)
        ptr = "/" + str(rec.field)
        found = [f for f in result.findings if f.path == ptr and not f.in_key]
    else:
        found = list(weir.scan(rec.text, ner=True).findings)
    return [(f.start, f.end, f.entity) for f in found if f.entity in labelled.ENTITIES]


def score(records, preds):
    tp = dict.fromkeys(labelled.ENTITIES, 0)
    fp = dict.fromkeys(labelled.ENTITIES, 0)
    fn = dict.fromkeys(labelled.ENTITIES, 0)
    for rec, pred in zip(records, preds, strict=True):
        gold = list(rec.spans)
        used = [False] * len(gold)
        for s, e, ent in sorted(pred):
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


def ocr_check(records, n: int, seed: int):
    """Render card/email/SSN lines as PNGs at three font sizes; share of values found."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)
    picked = rng.sample(records, min(n, len(records)))
    per_size: dict[int, list[int]] = {}
    per_entity: dict[str, list[int]] = {}
    for i, rec in enumerate(picked):
        size = (16, 20, 24)[i % 3]
        font = ImageFont.load_default(size=size)
        lines = [
            ("CREDIT_CARD", f"Card number: {rec.values['CARD']}"),
            ("EMAIL_ADDRESS", f"Email: {rec.values['EMAIL']}"),
            ("US_SSN", f"SSN: {rec.values['SSN']}"),
        ]
        width = max(int(font.getlength(t)) for _, t in lines) + 40
        height = len(lines) * int(size * 1.8) + 30
        img = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(img)
        for j, (_, t) in enumerate(lines):
            draw.text((20, 15 + j * int(size * 1.8)), t, fill="black", font=font)
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        findings = weir.scan(buf.getvalue()).findings
        for ent, t in lines:
            value = t.split(": ", 1)[1]
            norm = _norm(ent, value)
            hit = any(f.entity == ent and _norm(ent, _text(f.value)) == norm for f in findings)
            per_size.setdefault(size, [0, 0])
            per_entity.setdefault(ent, [0, 0])
            per_size[size][0] += hit
            per_size[size][1] += 1
            per_entity[ent][0] += hit
            per_entity[ent][1] += 1
    return len(picked), per_size, per_entity


def _text(v: str | bytes) -> str:
    return v.decode("utf-8", "replace") if isinstance(v, bytes) else v


def _norm(entity: str, value: str) -> str:
    if entity == "EMAIL_ADDRESS":
        return value.strip().lower()
    return "".join(c for c in value if c.isdigit())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="benchmarks/results/ner_eval.md")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--prose", type=int, default=300)
    ap.add_argument("--json", type=int, default=100)
    ap.add_argument("--ocr", type=int, default=30, help="records rendered for the OCR check")
    args = ap.parse_args(argv)

    records = labelled.make_set(args.seed, args.prose, args.json)
    weir.scan("warm up the model: Maria Garcia lives in Paris.", ner=True)  # load spaCy first
    nbytes = sum(len(r.text.encode("utf-8")) for r in records)
    t0 = time.perf_counter()
    preds = [predictions(r) for r in records]
    elapsed = time.perf_counter() - t0
    tp, fp, fn = score(records, preds)

    t1 = time.perf_counter()
    n_img, per_size, per_entity = ocr_check(records, args.ocr, args.seed)
    ocr_elapsed = time.perf_counter() - t1

    lines = [
        "# weir NER / pattern accuracy on the labelled set",
        "",
        f"Set: `benchmarks/labelled.py` seed {args.seed}: {args.prose} prose records "
        f"(tickets, emails, meeting notes) + {args.json} JSON records "
        f"({sum(len(r.spans) for r in records)} gold spans). "
        "Pipeline: `weir.scan(x, ner=True)` (patterns + spaCy `en_core_web_sm`).",
        "",
        f"Match rule: {MATCH_RULE}",
        "",
        "| Entity | Gold | TP | FP | FN | Precision | Recall | F1 | Presidio F1 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    T = F = N = 0
    for ent in labelled.ENTITIES:
        p, r, f = prf(tp[ent], fp[ent], fn[ent])
        T, F, N = T + tp[ent], F + fp[ent], N + fn[ent]
        lines.append(
            f"| {ent} | {tp[ent] + fn[ent]} | {tp[ent]} | {fp[ent]} | {fn[ent]} "
            f"| {p:.3f} | {r:.3f} | {f:.3f} | pending |"
        )
    p, r, f = prf(T, F, N)
    lines.append(f"| **all (micro)** | {T + N} | {T} | {F} | {N} | {p:.3f} | {r:.3f} | {f:.3f} | pending |")
    lines += [
        "",
        "Presidio comparison column: **pending** (Presidio is not installed in this environment).",
        "",
        "## Throughput (same run, whole pipeline: patterns + NER)",
        "",
        "| Records | Bytes | Seconds | Records/s | MB/s |",
        "|---:|---:|---:|---:|---:|",
        f"| {len(records)} | {nbytes} | {elapsed:.2f} | {len(records) / elapsed:.1f} "
        f"| {nbytes / elapsed / 1e6:.4f} |",
        "",
        f"Bytes are the UTF-8 size of the free text; JSON records are scanned as whole dicts. "
        f"Machine: {platform.machine()}, Python {platform.python_version()}.",
        "",
        f"## OCR check ({n_img} PNG images, one card + email + SSN line each, "
        "Pillow `ImageFont.load_default(size=s)`)",
        "",
        "Found = a finding of the same entity whose value equals the planted one "
        "(digits only for card/SSN, case-folded for email).",
        "",
        "| Font size | Values found | Share |",
        "|---:|---:|---:|",
    ]
    for size in sorted(per_size):
        h, n = per_size[size]
        lines.append(f"| {size} | {h}/{n} | {h / n:.0%} |")
    lines += ["", "| Entity | Values found | Share |", "|---|---:|---:|"]
    for ent, (h, n) in per_entity.items():
        lines.append(f"| {ent} | {h}/{n} | {h / n:.0%} |")
    tot_h = sum(h for h, _ in per_size.values())
    tot_n = sum(n for _, n in per_size.values())
    if tot_n:
        lines.append(f"| **all** | {tot_h}/{tot_n} | {tot_h / tot_n:.0%} |")
    lines += ["", f"OCR check took {ocr_elapsed:.1f} s."]

    text = "\n".join(lines) + "\n"
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
