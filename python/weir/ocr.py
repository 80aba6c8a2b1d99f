"""The Tesseract layer: find sensitive values in images.

An image is read (with Pillow's decompression-bomb guard on), OCR'd into words with boxes, and the
words are joined into one text that the native engine scans like any other string. Each finding
then gets the box of the words under its span, so a caller can show it or black it out.

Tesseract splits and merges tokens. A merge ("card:41111111") needs nothing: a finding inside one
word gets that word's box. A split ("mateo87 @outlook.com", "4843 -2839-6239-8900") is undone by a
second scan of the text with such spaces closed (``_rejoin``), from which only card numbers, SSNs
and email addresses are taken. Recall on rendered 12-24 pt text, and what it costs, is measured by
``benchmarks/eval_ocr.py``.

Tesseract runs single-threaded (``OMP_THREAD_LIMIT=1`` unless the environment already sets it):
its OpenMP threads make it slower on images of this size.

Nothing here ever puts image text or found values into an exception message.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import os
import re
import threading
import warnings
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from PIL import Image, ImageDraw, ImageOps, ImageStat, UnidentifiedImageError

from weir.limits import LimitExceeded, Limits
from weir.results import Box, Finding

__all__ = [
    "Box",
    "ImageTooLarge",
    "OcrError",
    "OcrText",
    "TesseractMissing",
    "is_image",
    "load_image",
    "ocr",
    "redact_image",
    "scan_image",
]

_INSTALL_HINT = "install it with: apt-get install tesseract-ocr tesseract-ocr-eng"

# --psm 11 (sparse text) measured better than 6 (one uniform block) on rendered forms with
# labels and two columns (18/18 vs 16/18 values at 10-16 pt), and the same on single lines.
_TESSERACT_CONFIG = "--psm 11"
# Measured on rendered card numbers (DejaVu, 8-36 pt): recall is best when a line of digits is
# ~25-40 px tall, and drops when text is blown up past ~60 px; so scale = round(32 / height), 1..3.
_TARGET_HEIGHT = 32
_MAX_SCALE = 3
_BORDER = 10  # white pixels added on every side (before upscaling)
_MIN_BAND = 4  # ink bands thinner than this are rules or noise, not text lines
_MAX_SCALED_PIXELS = 16_000_000  # upscaling never goes past this (time and memory)
_PAD = 2  # pixels added around each redacted box

# Image.MAX_IMAGE_PIXELS is process-global; this lock keeps concurrent loads from clobbering it.
_PIXELS_LOCK = threading.Lock()


class OcrError(ValueError):
    """An image weir could not read or OCR. Fail closed: the caller must not pass it on unscanned."""


class TesseractMissing(OcrError):
    """The tesseract binary is not installed (or not on PATH)."""


class ImageTooLarge(LimitExceeded, OcrError):
    """An image over ``Limits.max_pixels`` or ``max_image_bytes``, refused before decoding."""


_DEFAULTS = Limits()


# ------------------------------------------------------------------------------------------ input


def _magic_ok(head: bytes) -> bool:
    return (
        head.startswith(b"\x89PNG\r\n\x1a\n")
        or head.startswith(b"\xff\xd8\xff")
        or head.startswith((b"GIF87a", b"GIF89a"))
        or head.startswith(b"BM")
        or head.startswith((b"II*\x00", b"MM\x00*"))
        or (head.startswith(b"RIFF") and head[8:12] == b"WEBP")
    )


def _is_data_uri(text: str) -> bool:
    return text[:11].lower() == "data:image/"


def is_image(data: object) -> bool:
    """Whether ``data`` looks like an image, from magic bytes only, so the scanner can route it
    to OCR without decoding anything."""
    if isinstance(data, Image.Image):
        return True
    if isinstance(data, (bytes, bytearray, memoryview)):
        return _magic_ok(bytes(data[:12]))
    if isinstance(data, str):
        return _is_data_uri(data) and ";base64," in data[:100].lower()
    return False


def _decode_base64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise OcrError(f"{what} is not valid base64; pass image bytes, a path or a data: URI") from None


def _check_bytes(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise ImageTooLarge("max_image_bytes", size, max_bytes, what="the image")


def _source_bytes(data: object, max_bytes: int) -> bytes:
    """The encoded image bytes behind any non-PIL input kind, refused over ``max_bytes`` before
    they are read or decoded."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        _check_bytes(data.nbytes if isinstance(data, memoryview) else len(data), max_bytes)
        return bytes(data)
    if isinstance(data, os.PathLike):
        return _read_path(os.fspath(data), max_bytes)
    if isinstance(data, str):
        if _is_data_uri(data):
            header, sep, payload = data.partition(",")
            if not sep or not header.lower().endswith(";base64"):
                raise OcrError("the data: URI is not base64-encoded; expected data:image/...;base64,...")
            _check_bytes(len(payload) // 4 * 3, max_bytes)
            return _decode_base64(payload, "the data: URI payload")
        if len(data) < 4096 and _is_file(data):
            return _read_path(data, max_bytes)
        _check_bytes(len(data) // 4 * 3, max_bytes)
        return _decode_base64(data, "the string is neither an existing file path nor base64 image data; it")
    raise OcrError(
        f"cannot read an image from {type(data).__name__}; "
        "pass a PIL image, image bytes, a path, base64 or a data: URI"
    )


def _is_file(path: str) -> bool:
    try:
        return os.path.isfile(path)
    except (OSError, ValueError):
        return False


def _read_path(path: str | bytes, max_bytes: int) -> bytes:
    try:
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
            _check_bytes(len(data), max_bytes)
            return data
    except OSError as exc:
        raise OcrError(f"cannot read the image file ({exc.strerror or type(exc).__name__})") from None


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise ImageTooLarge("max_pixels", width * height, max_pixels, what=f"the {width}x{height} image")


def load_image(
    data: object, *, max_pixels: int = _DEFAULTS.max_pixels, max_bytes: int = _DEFAULTS.max_image_bytes
) -> tuple[Image.Image, str | None]:
    """Decode ``data`` fully, so truncation, corruption and decompression bombs surface here as
    ``OcrError`` rather than later inside Tesseract. Returns the image and its format name.

    Sizes are checked before any pixel is decoded: encoded bytes against ``max_bytes``, and the
    dimensions in the header against ``max_pixels`` (``ImageTooLarge``). Pillow's own bomb guard
    (``Image.MAX_IMAGE_PIXELS``, process-global) is set to the same limit while the header is
    read, under a lock, and put back; decoding runs outside the lock."""
    if isinstance(data, Image.Image):
        _check_pixels(data.width, data.height, max_pixels)
        try:
            data.load()
        except Exception as exc:
            raise OcrError(f"cannot load the image ({type(exc).__name__}); re-export it") from None
        return data, data.format
    raw = _source_bytes(data, max_bytes)
    if not _magic_ok(raw[:12]):
        raise OcrError("the data is not a PNG, JPEG, GIF, BMP, TIFF or WebP image")
    try:
        with _PIXELS_LOCK, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            saved = Image.MAX_IMAGE_PIXELS
            Image.MAX_IMAGE_PIXELS = max_pixels
            try:
                image = Image.open(io.BytesIO(raw))  # reads the header only
            finally:
                Image.MAX_IMAGE_PIXELS = saved
        _check_pixels(image.width, image.height, max_pixels)
        image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        # Pillow's guard fired while reading the header; its message holds the pixel count.
        claimed = re.search(r"\((\d+) pixels\)", str(exc))
        raise ImageTooLarge(
            "max_pixels",
            int(claimed.group(1)) if claimed else max_pixels + 1,
            max_pixels,
            what="the image (a possible decompression bomb)",
            at_least=claimed is None,
        ) from None
    except OcrError:
        raise
    except UnidentifiedImageError:
        raise OcrError("the image format was not recognised, or its header is corrupt") from None
    except Exception as exc:  # Pillow raises OSError, SyntaxError, EOFError, struct.error, ...
        raise OcrError(
            f"the image is truncated or corrupt ({type(exc).__name__}); re-export or re-download it"
        ) from None
    return image, image.format


# -------------------------------------------------------------------------------------------- OCR


@dataclass(frozen=True)
class OcrText:
    """OCR output: the words joined into ``text`` (spaces within a line, newlines between lines),
    with each word's span and box kept so findings in the text can be mapped back to pixels."""

    text: str
    words: tuple[tuple[int, int, Box], ...] = field(default=(), repr=False)
    """(start, end, box) of each word in ``text``, in order; boxes in original image pixels."""

    def box_for(self, start: int, end: int) -> Box | None:
        """The union of the boxes of every word overlapping ``text[start:end]``; None if none does.
        Works whether Tesseract split a value into several words or merged it into one."""
        if end <= start or not self.words:
            return None
        # Words are sorted and disjoint: skip those ending at or before ``start``.
        i = bisect_right([w[1] for w in self.words], start)
        left = top = math.inf
        right = bottom = -math.inf
        for w_start, w_end, (x, y, w, h) in self.words[i:]:
            if w_start >= end:
                break
            if w_end <= start:
                continue
            left, top = min(left, x), min(top, y)
            right, bottom = max(right, x + w), max(bottom, y + h)
        if left == math.inf:
            return None
        return (int(left), int(top), int(right - left), int(bottom - top))


def _line_height(gray: Image.Image) -> int | None:
    """Median height of the horizontal bands that hold dark pixels: a cheap estimate of the text
    height, used to pick the upscaling factor. None when the image has no ink at all."""
    ink = gray.point(lambda v: 0 if v < 128 else 255).tobytes()
    width, height = gray.size
    bands: list[int] = []
    run = 0
    for row in range(height):
        if ink.find(b"\x00", row * width, (row + 1) * width) >= 0:
            run += 1
        elif run:
            bands.append(run)
            run = 0
    if run:
        bands.append(run)
    bands = sorted(b for b in bands if b >= _MIN_BAND) or sorted(bands)
    return bands[len(bands) // 2] if bands else None


@dataclass(frozen=True)
class _Prepared:
    """The image Tesseract sees, and how its pixels map back: ``original = (seen - border) / scale``."""

    image: Image.Image
    scale: int = 1
    border: int = 0

    def unmap(self, left: int, top: int, width: int, height: int) -> Box:
        if self.scale == 1 and not self.border:
            return (left, top, width, height)
        x0 = math.floor((left - self.border) / self.scale)
        y0 = math.floor((top - self.border) / self.scale)
        x1 = math.ceil((left + width - self.border) / self.scale)
        y1 = math.ceil((top + height - self.border) / self.scale)
        return (x0, y0, x1 - x0, y1 - y0)


def _prepare(image: Image.Image, preprocess: bool) -> _Prepared:
    """Grayscale, light-on-dark inverted, small text upscaled, a white border added: returns the
    image Tesseract sees and how to map its boxes back."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent pixels often hide black RGB: flatten onto white so text stays readable.
        rgba = image.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat.alpha_composite(rgba)
        image = flat
    if not preprocess:
        return _Prepared(image if image.mode in ("RGB", "L") else image.convert("RGB"))
    gray = image.convert("L")
    if ImageStat.Stat(gray).mean[0] < 128:
        gray = ImageOps.invert(gray)
    scale = 1
    if gray.width * gray.height * 4 <= _MAX_SCALED_PIXELS:
        height = _line_height(gray)
        if height:
            scale = min(_MAX_SCALE, max(1, round(_TARGET_HEIGHT / height)))
        while scale > 1 and gray.width * gray.height * scale * scale > _MAX_SCALED_PIXELS:
            scale -= 1
    if scale > 1:
        gray = gray.resize((gray.width * scale, gray.height * scale), Image.Resampling.LANCZOS)
    # Tesseract misses text that touches the image edge (a value cropped to its ink: 16 of 60
    # found without a border, 59 of 60 with 10 px), so the image gets a white margin.
    border = _BORDER * scale
    gray = ImageOps.expand(gray, border=border, fill=255)
    return _Prepared(gray, scale, border)


def _run_tesseract(image: Image.Image, timeout: float) -> dict[str, list[Any]]:
    import pytesseract  # type: ignore[import-untyped,unused-ignore]

    # Tesseract's OpenMP threads make it slower, not faster, on the page-sized images weir reads:
    # 2.2 images/s by default against 4.0-4.7 with one thread (2 vCPUs, benchmarks/eval_ocr.py
    # images). pytesseract hands the process environment to tesseract, so the limit goes there,
    # once, unless the caller set one. Callers who want more speed scan images in parallel.
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    try:
        result: dict[str, list[Any]] = pytesseract.image_to_data(
            image, config=_TESSERACT_CONFIG, output_type=pytesseract.Output.DICT, timeout=timeout
        )
    except pytesseract.TesseractNotFoundError:
        raise TesseractMissing(f"the tesseract binary was not found; {_INSTALL_HINT}") from None
    except RuntimeError as exc:
        if "timeout" in str(exc).lower():
            raise OcrError(
                f"the image exceeded the {timeout:g} s OCR time limit; "
                "downscale or crop it, or raise the timeout (weir.Limits max_seconds)"
            ) from None
        raise OcrError(f"Tesseract failed ({type(exc).__name__}); check the image") from None
    except pytesseract.TesseractError as exc:
        raise OcrError(
            f"Tesseract failed with status {exc.status}; check the image and that "
            f"tesseract-ocr-eng is installed ({_INSTALL_HINT})"
        ) from None
    return result


def ocr(image: Image.Image, *, timeout: float = 30.0, preprocess: bool = True) -> OcrText:
    """OCR ``image`` into words with boxes in its own pixel coordinates. Preprocessing (grayscale,
    dark backgrounds inverted, small text upscaled, a white border) is on by default because it
    raises recall: on small text, and on text that touches the image edge."""
    prepared = _prepare(image, preprocess)
    data = _run_tesseract(prepared.image, timeout)
    parts: list[str] = []
    words: list[tuple[int, int, Box]] = []
    pos = 0
    line_key: tuple[int, int, int, int] | None = None
    for i, level in enumerate(data.get("level", [])):
        word = str(data["text"][i]).strip()
        if int(level) != 5 or not word:
            continue
        key = (
            int(data["page_num"][i]),
            int(data["block_num"][i]),
            int(data["par_num"][i]),
            int(data["line_num"][i]),
        )
        if line_key is not None:
            sep = " " if key == line_key else "\n"
            parts.append(sep)
            pos += 1
        line_key = key
        parts.append(word)
        box = prepared.unmap(
            int(data["left"][i]), int(data["top"][i]), int(data["width"][i]), int(data["height"][i])
        )
        box = _clip(box, image.width, image.height)
        words.append((pos, pos + len(word), box))
        pos += len(word)
    return OcrText("".join(parts), tuple(words))


def _clip(box: Box, width: int, height: int) -> Box:
    x0, y0 = max(box[0], 0), max(box[1], 0)
    x1, y1 = min(box[0] + box[2], width), min(box[1] + box[3], height)
    return (x0, y0, max(x1 - x0, 0), max(y1 - y0, 0))


# Tesseract puts spaces inside tokens where a narrow glyph leaves a gap: between digit groups
# ("4843 -2839-6239-8900", "41111111 1111 1111"), and around '@', '.', '-', '_' and '+' in email
# addresses ("mateo87 @outlook.com", "ingrid. baker@globex.net", "x@fabrikam. eu"), most often in
# monospaced fonts and small text. Pixel gaps do not separate these from real spaces (measured:
# they overlap in proportional fonts), so the joins below are decided on the characters alone,
# and only findings with a checksum or a strict shape are taken from the joined view.
_REJOINED_ENTITIES = frozenset({"CREDIT_CARD", "US_SSN", "EMAIL_ADDRESS"})
_DIGITISH = frozenset("0123456789-")
_IN_ADDRESS = frozenset(".-_+")
_DOMAIN_DONE = re.compile(r"[A-Za-z0-9]\.[A-Za-z]{2,}")
_DOMAIN_PART = re.compile(r"[A-Za-z0-9.-]+[^A-Za-z0-9@\s]*")
_JOIN_PASSES = 3


def _joins(left: str, right: str) -> bool:
    """Whether the space between two adjacent OCR tokens is more likely an OCR split than a word
    break: both sides digit groups; or an email address broken next to '@', '.', '-', '_' or '+';
    or an address whose domain has no top-level part yet, and the next token completes it."""
    a, b = left[-1], right[0]
    if a in _DIGITISH and b in _DIGITISH and (a != "-" or b != "-"):
        return True
    if "@" in right and (a in _IN_ADDRESS or b in _IN_ADDRESS or b == "@"):
        return True
    if "@" in left and "@" not in right:
        domain = left.rsplit("@", 1)[1]
        return (
            not _DOMAIN_DONE.search(domain)
            and _DOMAIN_PART.fullmatch(right) is not None
            and _DOMAIN_DONE.search(domain + right) is not None
        )
    return False


def _rejoin(text: str) -> tuple[str, list[int]]:
    """``text`` with the spaces that ``_joins`` judges to be OCR splits removed, and for each
    character kept its offset in ``text``. Joins chain ("3419 - 694405-94723")."""
    drop: list[int] = []
    for line_match in re.finditer(r"[^\n]+", text):
        line, base = line_match.group(), line_match.start()
        # (token as in the line, inner spaces kept so offsets hold; the same without them; start)
        groups: list[tuple[str, str, int]] = [
            (m.group(), m.group(), m.start()) for m in re.finditer(r"[^ ]+", line)
        ]
        # A merged group is the context of the next join, so merge until nothing changes:
        # "samuel" ".kowalski" "@x.org" joins right to left, "olivia." "j@x." "eu" left to right.
        for _ in range(_JOIN_PASSES):
            merged = groups[:1]
            for raw, bare, at in groups[1:]:
                p_raw, p_bare, p_at = merged[-1]
                if line[p_at + len(p_raw) : at] == " " and _joins(p_bare, bare):
                    drop.append(base + at - 1)
                    merged[-1] = (p_raw + " " + raw, p_bare + bare, p_at)
                else:
                    merged.append((raw, bare, at))
            if len(merged) == len(groups):
                break
            groups = merged
    if not drop:
        return text, list(range(len(text)))
    dropped = set(drop)
    keep = [i for i in range(len(text)) if i not in dropped]
    return "".join(text[i] for i in keep), keep


def _rejoined(
    scan_text: Callable[[str], list[Finding]], text: str, found: Sequence[Finding]
) -> list[Finding]:
    """``found`` plus what a scan of the rejoined text adds (see ``_joins``), mapped back to
    offsets in ``text``. A joined finding is new, or it replaces findings of its entity that it
    strictly contains (the raw scan saw only part of the value: "kowalski@x.org" of
    "samuel .kowalski@x.org"). Findings that overlap it only partly are kept and it is dropped."""
    compact, origin = _rejoin(text)
    if len(compact) == len(text):
        return list(found)
    out = list(found)
    for f in scan_text(compact):
        if f.entity not in _REJOINED_ENTITIES or f.end <= f.start:
            continue
        start, end = origin[f.start], origin[f.end - 1] + 1
        same = [g for g in out if g.entity == f.entity and g.start < end and start < g.end]
        if any(g.start < start or g.end > end for g in same):
            continue
        if any(g.start == start and g.end == end for g in same):
            continue
        out = [g for g in out if not any(g is h for h in same)]
        out.append(msgspec.structs.replace(f, start=start, end=end, value=text[start:end]))
    return out


def scan_image(
    scan_text: Callable[[str], list[Finding]],
    data: object,
    *,
    timeout: float | None = 30.0,
    max_pixels: int = _DEFAULTS.max_pixels,
    max_bytes: int = _DEFAULTS.max_image_bytes,
) -> list[Finding]:
    """Scan an image: OCR it, scan the text (and its rejoined view), and attach each finding's box.
    Offsets stay offsets into the OCR text, so findings and ``OcrText.text`` agree. ``timeout``
    bounds Tesseract (None: no bound); ``max_pixels`` and ``max_bytes`` the image."""
    image, _ = load_image(data, max_pixels=max_pixels, max_bytes=max_bytes)
    text = ocr(image, timeout=0 if timeout is None else timeout)
    if not text.text:
        return []
    found = sorted(_rejoined(scan_text, text.text, scan_text(text.text)), key=lambda f: (f.start, f.end))
    return [msgspec.structs.replace(f, box=text.box_for(f.start, f.end)) for f in found]


# -------------------------------------------------------------------------------------- redaction


def _ink(image: Image.Image, fill: tuple[int, int, int]) -> Any:
    """``fill`` expressed in ``image``'s mode (Pillow wants a palette index for P, a level for L...)."""
    if image.mode == "P":
        palette = image.getpalette() or []
        colours = [tuple(palette[i : i + 3]) for i in range(0, len(palette) - 2, 3)]
        if fill in colours:
            return colours.index(fill)
        if len(colours) < 256:
            return fill  # ImageDraw allocates a new palette entry
        return min(
            range(len(colours)),
            key=lambda i: sum((a - b) ** 2 for a, b in zip(colours[i], fill, strict=True)),
        )
    return Image.new("RGB", (1, 1), fill).convert(image.mode).getpixel((0, 0))


def redaction_area(box: Box, width: int, height: int) -> tuple[int, int, int, int]:
    """The rectangle (x0, y0, x1, y1, inclusive) filled for a finding's box. Tesseract estimates
    the boxes of words it splits itself and can start a few pixels inside the first glyph, so the
    box grows by about half a glyph sideways (0.3 x its height) and a little up and down."""
    x, y, w, h = box
    pad_x, pad_y = max(_PAD, round(0.3 * h)), max(_PAD, round(0.15 * h))
    return max(x - pad_x, 0), max(y - pad_y, 0), min(x + w + pad_x, width) - 1, min(y + h + pad_y, height) - 1


def _redact_pil(image: Image.Image, findings: Sequence[Finding], fill: tuple[int, int, int]) -> Image.Image:
    out = image.copy()
    boxes = [f.box for f in findings if f.box is not None]
    if not boxes:
        return out
    draw = ImageDraw.Draw(out)
    ink = _ink(out, fill)
    for box in boxes:
        x0, y0, x1, y1 = redaction_area(box, out.width, out.height)
        if x1 >= x0 and y1 >= y0:
            draw.rectangle((x0, y0, x1, y1), fill=ink)
    return out


def _encode(image: Image.Image, fmt: str | None) -> bytes:
    fmt = (fmt or "PNG").upper()
    if fmt == "MPO":
        fmt = "JPEG"
    options: dict[str, Any] = {}
    if fmt == "JPEG":
        options["quality"] = 95
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
    elif fmt == "WEBP":
        options["quality"] = 95
    buf = io.BytesIO()
    try:
        image.save(buf, format=fmt, **options)
    except (OSError, ValueError, KeyError) as exc:
        raise OcrError(f"cannot re-encode the redacted image as {fmt} ({type(exc).__name__})") from None
    return buf.getvalue()


def redact_image(
    data: object,
    findings: Sequence[Finding],
    *,
    fill: tuple[int, int, int] = (0, 0, 0),
    limits: Limits = _DEFAULTS,
) -> object:
    """Fill each finding's box and return the same kind of thing as given: a PIL image, image
    bytes in the same format, base64 or a data: URI. A path gives bytes; the file is untouched.
    Findings without a box (not from an image) are ignored."""
    image, fmt = load_image(data, max_pixels=limits.max_pixels, max_bytes=limits.max_image_bytes)
    redacted = _redact_pil(image, findings, fill)
    if isinstance(data, Image.Image):
        return redacted
    encoded = _encode(redacted, fmt)
    if isinstance(data, str):
        if _is_data_uri(data):
            mime = Image.MIME.get((fmt or "PNG").upper(), "image/png")
            return f"data:{mime};base64,{base64.b64encode(encoded).decode('ascii')}"
        if not (len(data) < 4096 and _is_file(data)):
            return base64.b64encode(encoded).decode("ascii")
    if isinstance(data, bytearray):
        return bytearray(encoded)
    return encoded
