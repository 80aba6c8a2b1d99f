"""The Tesseract layer: find sensitive values in images.

An image is read (with Pillow's decompression-bomb guard on), OCR'd into words with boxes, and the
words are joined into one text that the native engine scans like any other string. Each finding
then gets the box of the words under its span, so a caller can show it or black it out.

Nothing here ever puts image text or found values into an exception message.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import os
import threading
import warnings
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
from PIL import Image, ImageDraw, ImageOps, ImageStat, UnidentifiedImageError

from weir.results import Box, Finding

__all__ = [
    "Box",
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
_MIN_BAND = 4  # ink bands thinner than this are rules or noise, not text lines
_MAX_SCALED_PIXELS = 16_000_000  # upscaling never goes past this (time and memory)
# Entities taken from the digit-gap-closed rescan (see _regrouped): checksum-validated ones only.
_REGROUPED_ENTITIES = frozenset({"CREDIT_CARD"})
_PAD = 2  # pixels added around each redacted box

# Image.MAX_IMAGE_PIXELS is process-global; this lock keeps concurrent loads from clobbering it.
_PIXELS_LOCK = threading.Lock()


class OcrError(ValueError):
    """An image weir could not read or OCR. Fail closed: the caller must not pass it on unscanned."""


class TesseractMissing(OcrError):
    """The tesseract binary is not installed (or not on PATH)."""


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


def _source_bytes(data: object) -> bytes:
    """The encoded image bytes behind any non-PIL input kind."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, os.PathLike):
        return _read_path(os.fspath(data))
    if isinstance(data, str):
        if _is_data_uri(data):
            header, sep, payload = data.partition(",")
            if not sep or not header.lower().endswith(";base64"):
                raise OcrError("the data: URI is not base64-encoded; expected data:image/...;base64,...")
            return _decode_base64(payload, "the data: URI payload")
        if len(data) < 4096 and _is_file(data):
            return _read_path(data)
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


def _read_path(path: str | bytes) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise OcrError(f"cannot read the image file ({exc.strerror or type(exc).__name__})") from None


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width * height > max_pixels:
        raise OcrError(
            f"the image is {width}x{height} = {width * height} pixels, over the limit of {max_pixels}; "
            "downscale it or raise max_pixels"
        )


def load_image(data: object, *, max_pixels: int = 40_000_000) -> tuple[Image.Image, str | None]:
    """Decode ``data`` fully, so truncation, corruption and decompression bombs surface here as
    ``OcrError`` rather than later inside Tesseract. Returns the image and its format name."""
    if isinstance(data, Image.Image):
        _check_pixels(data.width, data.height, max_pixels)
        try:
            data.load()
        except Exception as exc:
            raise OcrError(f"cannot load the image ({type(exc).__name__}); re-export it") from None
        return data, data.format
    raw = _source_bytes(data)
    if not _magic_ok(raw[:12]):
        raise OcrError("the data is not a PNG, JPEG, GIF, BMP, TIFF or WebP image")
    with _PIXELS_LOCK, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        saved = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = max_pixels
        try:
            image = Image.open(io.BytesIO(raw))
            _check_pixels(image.width, image.height, max_pixels)
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise OcrError(
                f"the image claims more than {max_pixels} pixels (a possible decompression bomb); "
                "downscale it or raise max_pixels"
            ) from None
        except OcrError:
            raise
        except UnidentifiedImageError:
            raise OcrError("the image format was not recognised, or its header is corrupt") from None
        except Exception as exc:  # Pillow raises OSError, SyntaxError, EOFError, struct.error, ...
            raise OcrError(
                f"the image is truncated or corrupt ({type(exc).__name__}); re-export or re-download it"
            ) from None
        finally:
            Image.MAX_IMAGE_PIXELS = saved
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


def _prepare(image: Image.Image, preprocess: bool) -> tuple[Image.Image, int]:
    """Grayscale, light-on-dark inverted, and small text upscaled: returns the image Tesseract sees
    and the integer scale applied, so boxes can be mapped back."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent pixels often hide black RGB: flatten onto white so text stays readable.
        rgba = image.convert("RGBA")
        flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        flat.alpha_composite(rgba)
        image = flat
    if not preprocess:
        return (image if image.mode in ("RGB", "L") else image.convert("RGB")), 1
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
    return gray, scale


def _run_tesseract(image: Image.Image, timeout: float) -> dict[str, list[Any]]:
    import pytesseract  # type: ignore[import-untyped,unused-ignore]

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
                "downscale or crop it, or raise the timeout"
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
    upscaling small images) is on by default because it raises recall on small text."""
    prepared, scale = _prepare(image, preprocess)
    data = _run_tesseract(prepared, timeout)
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
        box = _unscale(
            int(data["left"][i]), int(data["top"][i]), int(data["width"][i]), int(data["height"][i]), scale
        )
        box = _clip(box, image.width, image.height)
        words.append((pos, pos + len(word), box))
        pos += len(word)
    return OcrText("".join(parts), tuple(words))


def _unscale(left: int, top: int, width: int, height: int, scale: int) -> Box:
    if scale == 1:
        return (left, top, width, height)
    x0, y0 = left // scale, top // scale
    x1, y1 = -(-(left + width) // scale), -(-(top + height) // scale)
    return (x0, y0, x1 - x0, y1 - y0)


def _clip(box: Box, width: int, height: int) -> Box:
    x0, y0 = max(box[0], 0), max(box[1], 0)
    x1, y1 = min(box[0] + box[2], width), min(box[1] + box[3], height)
    return (x0, y0, max(x1 - x0, 0), max(y1 - y0, 0))


def _close_digit_gaps(text: str) -> tuple[str, list[int]]:
    """``text`` without the single spaces that sit between two digits, and for each character kept
    its offset in ``text``."""
    digits = "0123456789"
    keep = [
        i
        for i, ch in enumerate(text)
        if not (ch == " " and 0 < i < len(text) - 1 and text[i - 1] in digits and text[i + 1] in digits)
    ]
    return "".join(text[i] for i in keep), keep


def _regrouped(
    scan_text: Callable[[str], list[Finding]], text: str, found: Sequence[Finding]
) -> list[Finding]:
    """Card numbers Tesseract regrouped ("41111111 1111 1111": it often drops or adds the space
    between groups of narrow digits), found by rescanning with the gaps between digits closed.
    Only Luhn-checked entities are taken from this view, so it adds recall, not noise."""
    compact, origin = _close_digit_gaps(text)
    if len(compact) == len(text):
        return []
    extra: list[Finding] = []
    for f in scan_text(compact):
        if f.entity not in _REGROUPED_ENTITIES or f.end <= f.start:
            continue
        start, end = origin[f.start], origin[f.end - 1] + 1
        if any(g.entity == f.entity and g.start < end and start < g.end for g in found):
            continue
        extra.append(msgspec.structs.replace(f, start=start, end=end, value=text[start:end]))
    return extra


def scan_image(
    scan_text: Callable[[str], list[Finding]],
    data: object,
    *,
    timeout: float = 30.0,
    max_pixels: int = 40_000_000,
) -> list[Finding]:
    """Scan an image: OCR it, scan the text, and attach each finding's box. Offsets stay offsets
    into the OCR text, so findings and ``OcrText.text`` agree."""
    image, _ = load_image(data, max_pixels=max_pixels)
    text = ocr(image, timeout=timeout)
    if not text.text:
        return []
    found = scan_text(text.text)
    found = sorted([*found, *_regrouped(scan_text, text.text, found)], key=lambda f: (f.start, f.end))
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


def _redact_pil(image: Image.Image, findings: Sequence[Finding], fill: tuple[int, int, int]) -> Image.Image:
    out = image.copy()
    boxes = [f.box for f in findings if f.box is not None]
    if not boxes:
        return out
    draw = ImageDraw.Draw(out)
    ink = _ink(out, fill)
    for x, y, w, h in boxes:
        x0, y0 = max(x - _PAD, 0), max(y - _PAD, 0)
        x1, y1 = min(x + w + _PAD, out.width) - 1, min(y + h + _PAD, out.height) - 1
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
    data: object, findings: Sequence[Finding], *, fill: tuple[int, int, int] = (0, 0, 0)
) -> object:
    """Fill each finding's box and return the same kind of thing as given: a PIL image, image
    bytes in the same format, base64 or a data: URI. A path gives bytes; the file is untouched.
    Findings without a box (not from an image) are ignored."""
    image, fmt = load_image(data)
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
