"""OCR recall on rendered images: card numbers, SSNs and emails in 12-24 pt text.

    .venv/bin/python benchmarks/eval_ocr.py --out benchmarks/results/ocr_eval.md
    .venv/bin/python benchmarks/eval_ocr.py --quick            # three images, a few seconds

Values come from the labelled records (``labelled.py``, seeded): each image holds one card number,
one SSN and one email, with the record's person, city and company around them, either as a small
form (one "Label: value" per line) or as a short paragraph wrapped to the image width. Images are
drawn with Pillow in real TrueType fonts (DejaVu and Liberation, Debian's ``fonts-dejavu-core`` and
``fonts-liberation2``) at 12, 14, 16, 18, 20 and 24 pt, black on white, and saved as PNG (three
in four) or JPEG at quality 90. Points become pixels at a stated DPI: 96 (a screen: 12 pt = 16 px)
by default, and 72 (12 pt = 12 px) as a second, harder grid.

Each image goes through the public API, ``weir.scan(image_bytes)``, as a user's would. A planted
value counts as **found** when some finding has its entity and either (a) the same normalised value
(digits only for cards and SSNs; lower case with spaces removed for emails) or (b) a box that
covers at least half of the value's ink (its drawn pixels' bounding box). (b) credits a finding
that would black out most of the value even where OCR misread a character of it. **Exact** counts
(a) alone; **covered** counts findings whose box, grown as redaction grows it, covers all
of the value's ink. A finding that matches no planted value and overlaps none of its entity is a
**false positive**.

Every planted value is also scanned as plain text (no OCR), as a control: a value the text engine
misses is a generator bug, not an OCR miss, and the report says so.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import re
import shutil
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import labelled
from weir.ocr import redaction_area

SEED = 7
SIZES_PT = (12, 14, 16, 18, 20, 24)
ENTITIES = ("CREDIT_CARD", "US_SSN", "EMAIL_ADDRESS")
CARD_STYLES = ("spaces", "dashes", "none")
JPEG_QUALITY = 90

# (name, file) in Debian's font packages; a missing one is skipped and the report says so.
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation2")
FONTS = (
    ("DejaVu Sans", "DejaVuSans.ttf"),
    ("DejaVu Serif", "DejaVuSerif.ttf"),
    ("DejaVu Sans Mono", "DejaVuSansMono.ttf"),
    ("Liberation Sans", "LiberationSans-Regular.ttf"),
    ("Liberation Serif", "LiberationSerif-Regular.ttf"),
    ("Liberation Mono", "LiberationMono-Regular.ttf"),
)

FORM_LINES = (
    ("Customer", "{PERSON}"),
    ("Company", "{ORG}"),
    ("City", "{CITY}"),
)
FORM_VALUE_LABELS = {
    "CARD": ("Card number", "Card", "Payment card", "Credit card"),
    "EMAIL": ("Email", "E-mail", "Contact", "Reply to"),
    "SSN": ("SSN", "Social security number", "SSN on file"),
}
PROSE = (
    "Customer {PERSON} from {CITY} paid with card {CARD} and asked for the receipt to go to "
    "{EMAIL}. The SSN on file is {SSN}.",
    "Please update the billing profile for {PERSON} at {ORG}: new card {CARD}, contact {EMAIL}, "
    "social security number {SSN}.",
    "{PERSON} ({EMAIL}) called from {CITY} about a charge on {CARD}. Identity was checked "
    "against SSN {SSN} before the refund.",
    "Hello {PERSON}, we could not charge the card {CARD} for your {ORG} order. Reply to {EMAIL} "
    "and confirm your SSN {SSN} so we can retry.",
)
SLOT = re.compile(r"\{(PERSON|CITY|ORG|CARD|EMAIL|SSN)\}")
SLOT_ENTITY = {"CARD": "CREDIT_CARD", "EMAIL": "EMAIL_ADDRESS", "SSN": "US_SSN"}


# ------------------------------------------------------------------------------------- the cases


@dataclass
class Planted:
    entity: str
    value: str
    line: int
    start: int  # character offsets within the line
    end: int
    box: tuple[int, int, int, int] = (0, 0, 0, 0)  # (x0, y0, x1, y1) of its ink as drawn


@dataclass
class Case:
    font: str
    font_path: str
    pt: int
    dpi: int
    fmt: str  # PNG or JPEG
    layout: str  # form or prose
    card_style: str
    text: str  # the whole text with its planted spans, before wrapping
    spans: list[tuple[int, int, str]]
    lines: list[str] = field(default_factory=list)
    planted: list[Planted] = field(default_factory=list)
    size: tuple[int, int] = (0, 0)  # the rendered image's width and height

    @property
    def px(self) -> int:
        return round(self.pt * self.dpi / 72)


def ascii_email(value: str) -> str:
    """The labelled set makes some emails from names like "Björn"; weir's email rule matches ASCII
    local parts only (a text-engine limit, not OCR's), so they are folded to ASCII here."""
    return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode("ascii")


def card_in_style(value: str, style: str) -> str:
    """The card's digits grouped the way the brand prints them (4-6-5, 4-6-4 or 4-4-4-4)."""
    digits = "".join(c for c in value if c.isdigit())
    if style == "none":
        return digits
    groups = {15: (4, 6, 5), 14: (4, 6, 4)}.get(len(digits), (4,) * (len(digits) // 4))
    parts, pos = [], 0
    for size in groups:
        parts.append(digits[pos : pos + size])
        pos += size
    if pos < len(digits):
        parts.append(digits[pos:])
    return (" " if style == "spaces" else "-").join(parts)


def fill(template: str, values: dict[str, str]) -> tuple[str, list[tuple[int, int, str]]]:
    out: list[str] = []
    spans: list[tuple[int, int, str]] = []
    pos = last = 0
    for m in SLOT.finditer(template):
        out.append(template[last : m.start()])
        pos += m.start() - last
        value = values[m.group(1)]
        if m.group(1) in SLOT_ENTITY:
            spans.append((pos, pos + len(value), SLOT_ENTITY[m.group(1)]))
        out.append(value)
        pos += len(value)
        last = m.end()
    out.append(template[last:])
    return "".join(out), spans


def form_template(rng: random.Random) -> str:
    """A few context lines, then the three value lines in a random order."""
    context = rng.sample(FORM_LINES, 2)
    values = [(rng.choice(FORM_VALUE_LABELS[slot]), "{" + slot + "}") for slot in ("CARD", "EMAIL", "SSN")]
    rng.shuffle(values)
    return "\n".join(f"{label}: {slot}" for label, slot in [*context, *values])


def available_fonts(names: Sequence[str] | None = None) -> list[tuple[str, str]]:
    found = []
    for name, filename in FONTS:
        if names and name not in names:
            continue
        for folder in FONT_DIRS:
            path = os.path.join(folder, filename)
            if os.path.exists(path):
                found.append((name, path))
                break
    return found


def make_cases(
    fonts: Sequence[tuple[str, str]],
    sizes: Sequence[int],
    dpis: Sequence[int],
    per_cell: int,
    seed: int = SEED,
) -> list[Case]:
    """``per_cell`` images for every (dpi, font, size); layouts, formats and card styles rotate."""
    cells = [(dpi, f, pt) for dpi in dpis for f in fonts for pt in sizes]
    records = labelled.make_set(seed, n_prose=len(cells) * per_cell, n_json=0)
    rng = random.Random(seed)
    cases = []
    for i, ((dpi, (font_name, font_path), pt), rec) in enumerate(
        zip([c for c in cells for _ in range(per_cell)], records, strict=True)
    ):
        style = CARD_STYLES[i % 3]
        values = {
            "PERSON": rec.values["PERSON"],
            "CITY": rec.values["CITY"],
            "ORG": rec.values["ORG"],
            "CARD": card_in_style(rec.values["CARD"], style),
            "EMAIL": ascii_email(rec.values["EMAIL"]),
            "SSN": rec.values["SSN"],
        }
        layout = ("form", "prose")[(i // 3) % 2]
        template = form_template(rng) if layout == "form" else rng.choice(PROSE)
        text, spans = fill(template, values)
        cases.append(
            Case(
                font=font_name,
                font_path=font_path,
                pt=pt,
                dpi=dpi,
                fmt="JPEG" if i % 4 == 3 else "PNG",
                layout=layout,
                card_style=style,
                text=text,
                spans=spans,
            )
        )
    return cases


# ------------------------------------------------------------------------------------- rendering


def wrap(case: Case, font: Any, max_width: float) -> None:
    """Split ``case.text`` into lines no wider than ``max_width`` (explicit newlines kept), never
    inside a planted value, and place each planted value on its line."""
    breakable = [
        i for i, ch in enumerate(case.text) if ch in " \n" and not any(s <= i < e for s, e, _ in case.spans)
    ]
    lines: list[tuple[int, int]] = []
    start = 0
    last_break: int | None = None
    for i in [*breakable, len(case.text)]:
        hard = i < len(case.text) and case.text[i] == "\n"
        if font.getlength(case.text[start:i]) > max_width and last_break is not None:
            lines.append((start, last_break))
            start = last_break + 1
        if hard or i == len(case.text):
            lines.append((start, i))
            start = i + 1
            last_break = None
        else:
            last_break = i
    case.lines = [case.text[s:e] for s, e in lines]
    case.planted = []
    for s, e, entity in case.spans:
        for n, (ls, le) in enumerate(lines):
            if ls <= s and e <= le:
                case.planted.append(Planted(entity, case.text[s:e], n, s - ls, e - ls))
                break
        else:  # pragma: no cover - wrap() never breaks inside a value
            raise AssertionError("a planted value was split across lines")


def render(case: Case) -> bytes:
    """Draw the case; fills ``case.lines`` and each planted value's drawn box; returns the bytes."""
    from PIL import Image, ImageDraw, ImageFont, ImageOps

    font = ImageFont.truetype(case.font_path, case.px)
    margin = case.px
    wrap(case, font, max_width=34 * case.px)
    step = round(case.px * 1.5)
    width = int(max(font.getlength(line) for line in case.lines)) + 2 * margin
    image = Image.new("RGB", (width, 2 * margin + step * len(case.lines)), "white")
    case.size = image.size
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(case.lines):
        draw.text((margin, margin + n * step), line, font=font, fill="black")
    ink = ImageOps.invert(image.convert("L"))
    for p in case.planted:
        line = case.lines[p.line]
        xy = (margin + font.getlength(line[: p.start]), margin + p.line * step)
        x0, y0, x1, y1 = (int(v) for v in draw.textbbox(xy, p.value, font=font))
        # The value's ink, not its advance box: that is what redaction has to cover.
        inner = ink.crop((x0, y0, x1, y1)).getbbox() or (0, 0, x1 - x0, y1 - y0)
        p.box = (x0 + inner[0], y0 + inner[1], x0 + inner[2], y0 + inner[3])
    buf = io.BytesIO()
    if case.fmt == "JPEG":
        image.save(buf, format="JPEG", quality=JPEG_QUALITY)
    else:
        image.save(buf, format="PNG")
    return buf.getvalue()


# ------------------------------------------------------------------------------------- scoring


def norm(entity: str, value: str | bytes) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    if entity == "EMAIL_ADDRESS":  # OCR may leave spaces inside ("jane .doe@x.org"): not a miss
        return "".join(text.split()).lower()
    return "".join(c for c in text if c.isdigit())


def coverage(box: tuple[int, int, int, int] | None, target: tuple[int, int, int, int], pad: int = 0) -> float:
    """Share of ``target`` (x0, y0, x1, y1) inside ``box`` (left, top, width, height) grown by ``pad``."""
    if box is None:
        return 0.0
    left, top, w, h = box
    x0, y0, x1, y1 = target
    ix = max(0, min(x1, left + w + pad) - max(x0, left - pad))
    iy = max(0, min(y1, top + h + pad) - max(y0, top - pad))
    area = max(1, (x1 - x0) * (y1 - y0))
    return ix * iy / area


def redacted_coverage(
    box: tuple[int, int, int, int] | None, target: tuple[int, int, int, int], size: tuple[int, int]
) -> float:
    """Share of ``target`` inside the area ``weir.redact`` fills for ``box``."""
    if box is None:
        return 0.0
    x0, y0, x1, y1 = redaction_area(box, *size)
    return coverage((x0, y0, x1 - x0 + 1, y1 - y0 + 1), target)


@dataclass
class Outcome:
    found: bool
    exact: bool
    covered: bool


def score(case: Case, findings: Sequence[Any]) -> tuple[list[Outcome], list[Any]]:
    """Each planted value's outcome, and the findings that are false positives."""
    used: set[int] = set()
    outcomes = []
    for p in case.planted:
        want = norm(p.entity, p.value)
        best: Outcome | None = None
        for k, f in enumerate(findings):
            if f.entity != p.entity:
                continue
            exact = norm(f.entity, f.value) == want
            if exact or coverage(f.box, p.box) >= 0.5:
                used.add(k)
                o = Outcome(True, exact, redacted_coverage(f.box, p.box, case.size) >= 0.999)
                if best is None or (o.exact, o.covered) > (best.exact, best.covered):
                    best = o
        outcomes.append(best or Outcome(False, False, False))
    false_pos = [
        f
        for k, f in enumerate(findings)
        if k not in used
        and not any(f.entity == p.entity and coverage(f.box, p.box) > 0 for p in case.planted)
    ]
    return outcomes, false_pos


@dataclass
class Tally:
    found: int = 0
    exact: int = 0
    covered: int = 0
    total: int = 0

    def add(self, o: Outcome) -> None:
        self.found += o.found
        self.exact += o.exact
        self.covered += o.covered
        self.total += 1

    def pct(self, part: int | None = None) -> str:
        n = self.found if part is None else part
        return f"{100 * n / self.total:.1f}%" if self.total else "n/a"


# ------------------------------------------------------------------------------------- running


@dataclass
class Result:
    cases: list[Case]
    outcomes: list[list[Outcome]]
    false_pos: list[list[Any]]
    ocr_text: list[str]
    scan_seconds: float
    text_control_missed: int


def run(cases: list[Case], *, keep_text: bool = True) -> Result:
    import weir
    from weir import ocr as ocr_layer

    weir.scan("warm up the compiled database")
    outcomes, false_pos, texts = [], [], []
    elapsed = 0.0
    control_missed = 0
    for case in cases:
        data = render(case)
        for p in case.planted:
            line_hits = weir.scan(case.lines[p.line]).findings
            if not any(
                f.entity == p.entity and norm(f.entity, f.value) == norm(p.entity, p.value) for f in line_hits
            ):
                control_missed += 1
        t0 = time.perf_counter()
        findings = weir.scan(data).findings
        elapsed += time.perf_counter() - t0
        o, fp = score(case, findings)
        outcomes.append(o)
        false_pos.append(fp)
        if keep_text and not all(x.found for x in o):
            image, _ = ocr_layer.load_image(data)
            texts.append(ocr_layer.ocr(image).text)
        else:
            texts.append("")
    return Result(cases, outcomes, false_pos, texts, elapsed, control_missed)


def group(result: Result, key: Any) -> dict[Any, Tally]:
    out: dict[Any, Tally] = defaultdict(Tally)
    for case, outs in zip(result.cases, result.outcomes, strict=True):
        for p, o in zip(case.planted, outs, strict=True):
            out[key(case, p)].add(o)
    return dict(out)


def table(header: Sequence[str], rows: Iterable[Sequence[object]], numeric: bool = True) -> list[str]:
    """A markdown table; columns after the first are right-aligned when ``numeric``."""
    rest = "---:" if numeric else "---"
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(["---"] + [rest] * (len(header) - 1)) + " |",
    ]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines


def tally_row(name: str, t: Tally) -> list[object]:
    return [name, f"{t.found}/{t.total}", t.pct(), t.pct(t.exact), t.pct(t.covered)]


TALLY_HEADER = ("", "found", "recall", "exact value", "box covers value")


def machine() -> str:
    cpu = ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), "")
    except OSError:
        pass
    tesseract = "?"
    if shutil.which("tesseract"):
        import subprocess

        out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, check=False)
        tesseract = (out.stdout or out.stderr).splitlines()[0] if (out.stdout or out.stderr) else "?"
    import PIL

    return (
        f"{os.cpu_count()} vCPU {cpu}, Python {platform.python_version()}, {tesseract}, "
        f"Pillow {PIL.__version__}"
    )


def report(result: Result, args: argparse.Namespace, fonts_missing: list[str]) -> str:
    all_t = Tally()
    for outs in result.outcomes:
        for o in outs:
            all_t.add(o)
    n_img = len(result.cases)
    ips = n_img / result.scan_seconds if result.scan_seconds else float("inf")
    dpis = sorted({c.dpi for c in result.cases}, reverse=True)
    cmd = "python benchmarks/eval_ocr.py " + " ".join(args.argv)
    lines = [
        "# weir OCR recall on rendered images",
        "",
        f"Command: `{cmd.strip()}` (seed {args.seed}). Machine: {machine()}.",
        "",
        f"{n_img} images, {all_t.total} planted values (one card number, SSN and email per image); "
        f"fonts: {', '.join(sorted({c.font for c in result.cases}))}; sizes "
        f"{', '.join(str(s) for s in sorted({c.pt for c in result.cases}))} pt at "
        f"{' and '.join(str(d) for d in dpis)} dpi ({', '.join(f'{d} dpi: 12 pt = {round(12 * d / 72)} px' for d in dpis)}). "
        "Rules for found / exact / covered / false positive: see the docstring of `benchmarks/eval_ocr.py`.",
    ]
    if fonts_missing:
        lines += ["", f"Fonts not installed, skipped: {', '.join(fonts_missing)}."]
    lines += [
        "",
        f"**Overall: {all_t.found}/{all_t.total} = {all_t.pct()}** found; "
        f"{sum(len(f) for f in result.false_pos)} false positives; "
        f"{ips:.2f} images/s (`weir.scan` on the encoded bytes, one process, "
        f"{result.scan_seconds:.1f} s in all). Exact value {all_t.pct(all_t.exact)}; "
        f"box covers the value's ink {all_t.pct(all_t.covered)}.",
        "",
        f"Text control: {result.text_control_missed} planted values missed when the same line is "
        "scanned as plain text (0 means every miss below is OCR's).",
    ]
    for dpi in dpis:
        sub = Result(
            [c for c in result.cases if c.dpi == dpi],
            [o for c, o in zip(result.cases, result.outcomes, strict=True) if c.dpi == dpi],
            [f for c, f in zip(result.cases, result.false_pos, strict=True) if c.dpi == dpi],
            [],
            0.0,
            0,
        )
        lines += ["", f"## {dpi} dpi", ""]
        by_ent = group(sub, lambda c, p: p.entity)
        tot = Tally()
        for t in by_ent.values():
            tot.found += t.found
            tot.exact += t.exact
            tot.covered += t.covered
            tot.total += t.total
        lines += ["Per entity:", ""]
        lines += table(TALLY_HEADER, [tally_row(e, by_ent[e]) for e in ENTITIES if e in by_ent])
        lines += table(TALLY_HEADER, [tally_row("**all**", tot)])[2:]
        by_size = group(sub, lambda c, p: (c.pt, p.entity))
        sizes = sorted({c.pt for c in sub.cases})
        lines += ["", "Per size (recall; cards / SSNs / emails / all):", ""]
        rows = []
        for pt in sizes:
            ts = [by_size.get((pt, e), Tally()) for e in ENTITIES]
            allt = Tally(sum(t.found for t in ts), 0, 0, sum(t.total for t in ts))
            rows.append(
                [
                    f"{pt} pt ({round(pt * dpi / 72)} px)",
                    *(t.pct() for t in ts),
                    f"{allt.found}/{allt.total} = {allt.pct()}",
                ]
            )
        lines += table(("size", *ENTITIES, "all"), rows)
        fonts = sorted({c.font for c in sub.cases})
        by_font = group(sub, lambda c, p: (c.font, c.pt))
        lines += ["", "Per font and size (values found / planted):", ""]
        rows = []
        for fname in fonts:
            cells = [by_font.get((fname, pt), Tally()) for pt in sizes]
            allt = Tally(sum(t.found for t in cells), 0, 0, sum(t.total for t in cells))
            rows.append([fname, *(f"{t.found}/{t.total}" if t.total else "-" for t in cells), allt.pct()])
        lines += table(("font", *(f"{pt} pt" for pt in sizes), "recall"), rows)
        lines += ["", "Per layout, image format and card style:", ""]
        rows = []
        for name, key in (
            ("layout", lambda c, p: c.layout),
            ("format", lambda c, p: c.fmt),
        ):
            for k, t in sorted(group(sub, key).items()):
                rows.append(tally_row(f"{name} {k}", t))
        for k, t in sorted(
            group(sub, lambda c, p: c.card_style if p.entity == "CREDIT_CARD" else None).items(), key=str
        ):
            if k is not None:
                rows.append(tally_row(f"card {k}", t))
        lines += table(TALLY_HEADER, rows)
        fps = Counter(f.entity for fs in sub.false_pos for f in fs)
        lines += [
            "",
            f"False positives: {sum(fps.values())}"
            + (" (" + ", ".join(f"{e} {n}" for e, n in fps.most_common()) + ")" if fps else "")
            + f" in {len(sub.cases)} images.",
        ]
    misses = [
        (c, p, text)
        for c, outs, text in zip(result.cases, result.outcomes, result.ocr_text, strict=True)
        for p, o in zip(c.planted, outs, strict=True)
        if not o.found
    ]
    if misses:
        lines += [
            "",
            "## Misses",
            "",
            "What Tesseract read where a planted value was missed (synthetic values; the OCR line is "
            "the one holding most of the value's characters).",
            "",
        ]
        lines += table(
            ("font", "size", "dpi", "fmt", "entity", "planted", "OCR read"),
            [
                (
                    c.font,
                    f"{c.pt} pt",
                    c.dpi,
                    c.fmt,
                    p.entity,
                    f"`{p.value}`",
                    f"`{closest_line(text, p.value)}`",
                )
                for c, p, text in misses[: args.show_misses]
            ],
            numeric=False,
        )
        if len(misses) > args.show_misses:
            lines += ["", f"... and {len(misses) - args.show_misses} more."]
    return "\n".join(lines) + "\n"


def closest_line(text: str, value: str) -> str:
    """The OCR line sharing most characters (as a multiset) with ``value``."""
    want = Counter(value)
    best = max(text.splitlines() or [""], key=lambda ln: sum((Counter(ln) & want).values()))
    return best.replace("`", "'").replace("|", "/")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--out", help="write the markdown report here (else print it)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--per-cell", type=int, default=4, help="images per (dpi, font, size) cell")
    ap.add_argument("--dpi", type=int, nargs="+", default=[96, 72], help="dpi grids to render")
    ap.add_argument("--fonts", nargs="+", help="font names to use (default: all installed)")
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SIZES_PT), help="point sizes")
    ap.add_argument("--show-misses", type=int, default=40, help="misses listed in the report")
    ap.add_argument("--quick", action="store_true", help="three images (96 dpi): a smoke run")
    args = ap.parse_args(argv)
    args.argv = list(argv if argv is not None else sys.argv[1:])

    fonts = available_fonts(args.fonts)
    have = {name for name, _ in fonts}
    missing = [name for name, _ in FONTS if (not args.fonts or name in args.fonts) and name not in have]
    if not fonts:
        print(
            "no TrueType fonts found; install them with: apt-get install fonts-dejavu-core fonts-liberation2",
            file=sys.stderr,
        )
        return 2
    if shutil.which("tesseract") is None:
        print(
            "tesseract not found; install it with: apt-get install tesseract-ocr tesseract-ocr-eng",
            file=sys.stderr,
        )
        return 2
    if args.quick:
        # From the 96 dpi grid, one image each at 12, 18 and 24 pt in three different fonts.
        grid = make_cases(fonts, args.sizes, [96], 1, seed=args.seed)
        picks = [(fonts[k * len(fonts) // 3][0], pt) for k, pt in enumerate((12, 18, 24))]
        cases = [c for c in grid if (c.font, c.pt) in picks]
    else:
        cases = make_cases(fonts, args.sizes, args.dpi, args.per_cell, seed=args.seed)
    result = run(cases)
    text = report(result, args, missing)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        print(f"wrote {out}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
