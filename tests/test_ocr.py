"""The OCR layer on real Tesseract: images are rendered with Pillow at test time, never committed."""

from __future__ import annotations

import base64
import io
import shutil
import struct
import zlib
from pathlib import Path

import msgspec
import pytest

pytesseract = pytest.importorskip("pytesseract")  # the optional "ocr" extra

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

import weir  # noqa: E402
from weir import ocr  # noqa: E402
from weir.results import Finding  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")

CARD = "4111 1111 1111 1111"
FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def scan_text(text: str) -> list[Finding]:
    return weir.scan(text).findings


def font(pt: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A scalable font at ``pt`` points (96 dpi): DejaVu on Debian, else Pillow's own (>= 10.1)."""
    px = round(pt * 96 / 72)
    if FONT_PATH.exists():
        return ImageFont.truetype(str(FONT_PATH), px)
    return ImageFont.load_default(size=px)


def render(
    lines: list[str], pt: int = 16, *, fg: str = "black", bg: str = "white"
) -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """An RGB image with one text line per entry, and each line's drawn bbox (x0, y0, x1, y1)."""
    f = font(pt)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    step = round(pt * 96 / 72 * 1.8)
    width = max(int(probe.textlength(line, font=f)) for line in lines) + 60
    image = Image.new("RGB", (width, 40 + step * len(lines)), bg)
    draw = ImageDraw.Draw(image)
    boxes = []
    for i, line in enumerate(lines):
        xy = (30, 20 + i * step)
        draw.text(xy, line, font=f, fill=fg)
        x0, y0, x1, y1 = draw.textbbox(xy, line, font=f)
        boxes.append((int(x0), int(y0), int(x1), int(y1)))
    return image, boxes


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **options)
    return buf.getvalue()


def contains(outer: tuple[int, int, int, int], inner: tuple[int, int, int, int], slack: int = 3) -> bool:
    """Whether box ``outer`` (left, top, width, height) covers bbox ``inner`` (x0, y0, x1, y1)."""
    left, top, width, height = outer
    x0, y0, x1, y1 = inner
    return (
        left <= x0 + slack and top <= y0 + slack and left + width >= x1 - slack and top + height >= y1 - slack
    )


# ------------------------------------------------------------------------------------ recognition


@pytest.mark.parametrize("pt", [12, 16, 24])
def test_card_found_in_png_with_box(pt: int) -> None:
    label = "Card: "
    image, (bbox,) = render([label + CARD], pt)
    f = font(pt)
    digits = (bbox[0] + int(ImageDraw.Draw(image).textlength(label, font=f)), bbox[1], bbox[2], bbox[3])
    findings = ocr.scan_image(scan_text, encode(image, "PNG"))
    cards = [x for x in findings if x.entity == "CREDIT_CARD"]
    assert len(cards) == 1
    assert cards[0].box is not None
    assert contains(cards[0].box, digits)
    # The box is tight: not the whole image.
    assert cards[0].box[2] < image.width and cards[0].box[3] < image.height / 1.5 + 10


def test_email_and_ssn_in_jpeg() -> None:
    image, boxes = render(["Contact: jane.doe@example.com", "SSN: 536-22-1847"], 14)
    findings = ocr.scan_image(scan_text, encode(image, "JPEG", quality=85))
    by_entity = {x.entity: x for x in findings}
    assert {"EMAIL_ADDRESS", "US_SSN"} <= set(by_entity)
    for entity, bbox in (("EMAIL_ADDRESS", boxes[0]), ("US_SSN", boxes[1])):
        box = by_entity[entity].box
        assert box is not None
        assert box[1] <= bbox[1] + 3 and box[1] + box[3] >= bbox[3] - 3  # on the right line
        assert box[0] + box[2] >= bbox[2] - 3  # reaches the end of the value


def test_light_text_on_dark_background() -> None:
    image, _ = render(["Card: " + CARD], 16, fg="white", bg="#202020")
    assert [x.entity for x in ocr.scan_image(scan_text, image)] == ["CREDIT_CARD"]


@pytest.mark.parametrize(
    ("entity", "value"),
    [("CREDIT_CARD", CARD), ("US_SSN", "536-22-1847"), ("EMAIL_ADDRESS", "jane.doe@example.com")],
)
def test_value_cropped_to_its_ink(entity: str, value: str) -> None:
    """A screenshot of one field: text touching every edge (Tesseract needs the added border)."""
    f = font(16)
    x0, y0, x1, y1 = (int(v) for v in f.getbbox(value))
    image = Image.new("L", (x1 - x0, y1 - y0), 255)
    ImageDraw.Draw(image).text((-x0, -y0), value, font=f, fill=0)
    (finding,) = ocr.scan_image(scan_text, image)
    assert finding.entity == entity and finding.box is not None
    assert contains(finding.box, (0, 0, image.width, image.height), slack=4)


MONO_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")


@pytest.mark.skipif(not MONO_PATH.exists(), reason="DejaVu Sans Mono is not installed (fonts-dejavu-core)")
@pytest.mark.parametrize("pt", [14, 16, 24])
def test_monospaced_values(pt: int) -> None:
    """Monospaced fonts leave wide gaps around '-', '@' and '.', where Tesseract splits words."""
    lines = [
        "Card: 4843-2839-6239-8900",
        "SSN on file: 446-86-9426",
        "Contact: samuel.kowalski@umbrella-health.org",
        "Reply to: james.okafor@icloud.com",
    ]
    f = ImageFont.truetype(str(MONO_PATH), round(pt * 96 / 72))
    step = round(pt * 96 / 72 * 1.5)
    image = Image.new("L", (int(max(f.getlength(line) for line in lines)) + 40, 40 + step * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((20, 20 + i * step), line, font=f, fill=0)
    found = {(x.entity, "".join(x.value.split())) for x in ocr.scan_image(scan_text, encode(image, "PNG"))}
    assert found >= {
        ("CREDIT_CARD", "4843-2839-6239-8900"),
        ("US_SSN", "446-86-9426"),
        ("EMAIL_ADDRESS", "samuel.kowalski@umbrella-health.org"),
        ("EMAIL_ADDRESS", "james.okafor@icloud.com"),
    }


def test_ocr_text_offsets_agree_with_findings() -> None:
    image, _ = render(["Name: Jane", "Card: " + CARD], 16)
    text = ocr.ocr(image)
    assert "\n" in text.text
    for finding in ocr.scan_image(scan_text, image):
        assert text.text[finding.start : finding.end] == finding.value


def test_box_for_split_and_merged_words() -> None:
    split = ocr.OcrText(
        "4111 1111\nx",
        ((0, 4, (10, 10, 40, 20)), (5, 9, (60, 12, 40, 20)), (10, 11, (10, 50, 5, 5))),
    )
    assert split.box_for(0, 9) == (10, 10, 90, 22)
    assert split.box_for(2, 6) == (10, 10, 90, 22)  # partial overlap takes both words
    assert split.box_for(4, 5) is None  # only the space
    assert split.box_for(10, 11) == (10, 50, 5, 5)
    merged = ocr.OcrText("card:41111111", ((0, 13, (5, 5, 130, 20)),))
    assert merged.box_for(5, 13) == (5, 5, 130, 20)
    assert ocr.OcrText("").box_for(0, 1) is None


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        # Tesseract drops or adds spaces between digit groups, and splits next to narrow glyphs.
        ("Card: 41111111 1111 1111\nnext", "CREDIT_CARD", "41111111 1111 1111"),
        ("card 4111 -1111-1111-1111 for", "CREDIT_CARD", "4111 -1111-1111-1111"),
        ("card 3782 - 822463-10005", "CREDIT_CARD", "3782 - 822463-10005"),
        ("SSN: 536-22- 1847.", "US_SSN", "536-22- 1847"),
        ("Contact: jane.doe @example.com", "EMAIL_ADDRESS", "jane.doe @example.com"),
        ("Reply to jane.doe@ example.com", "EMAIL_ADDRESS", "jane.doe@ example.com"),
        ("write to ingrid. baker@globex.net today", "EMAIL_ADDRESS", "ingrid. baker@globex.net"),
        ("mail samuel .kowalski@example.org. Next", "EMAIL_ADDRESS", "samuel .kowalski@example.org"),
        ("Email: olivia. j+billing@fabrikam. eu", "EMAIL_ADDRESS", "olivia. j+billing@fabrikam. eu"),
        ("Reply to: diego@out look.com", "EMAIL_ADDRESS", "diego@out look.com"),
        ("E-mail: k.h@stark- industries.com", "EMAIL_ADDRESS", "k.h@stark- industries.com"),
    ],
)
def test_split_values_are_rejoined_in_place(text: str, entity: str, value: str) -> None:
    (finding,) = [f for f in ocr._rejoined(scan_text, text, scan_text(text)) if f.entity == entity]
    assert text[finding.start : finding.end] == value == finding.value


def test_rejoin_keeps_real_word_breaks() -> None:
    prose = "Hello there. The end - and more, see page 12. Next: A - B"
    assert ocr._rejoin(prose)[0] == prose
    # An address without a top-level domain is not completed by an ordinary next word.
    text = "mail john@work or visit example.com"
    assert ocr._rejoin(text)[0] == text
    assert not [f for f in ocr._rejoined(scan_text, text, scan_text(text)) if f.entity == "EMAIL_ADDRESS"]
    # A value the plain scan found whole is not replaced or duplicated.
    whole = "Card: 4111 1111 1111 1111 and jane@example.com"
    found = scan_text(whole)
    assert ocr._rejoined(scan_text, whole, found) == found


def test_upscaling_maps_boxes_back_to_original_pixels() -> None:
    image, (bbox,) = render([CARD], 10)
    text = ocr.ocr(image)
    box = text.box_for(0, len(text.text))
    assert box is not None and contains(box, bbox)
    assert box[0] + box[2] <= image.width and box[1] + box[3] <= image.height


# ------------------------------------------------------------------------------------------ input


def test_is_image() -> None:
    image, _ = render(["x"], 12)
    assert ocr.is_image(image)
    for fmt in ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP"):
        assert ocr.is_image(encode(image, fmt)), fmt
    assert ocr.is_image(bytearray(encode(image, "PNG")))
    assert ocr.is_image("data:image/png;base64," + base64.b64encode(encode(image, "PNG")).decode())
    for other in (b"", b"hello world", b"%PDF-1.7\n", b"RIFF\x00\x00\x00\x00WAVE", "just text", 42, None):
        assert not ocr.is_image(other)


@pytest.fixture(scope="module")
def sample() -> Image.Image:
    image, _ = render(["Card: " + CARD], 12)
    return image


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [
        ("pil", None),
        ("PNG", "PNG"),
        ("JPEG", "JPEG"),
        ("GIF", "GIF"),
        ("BMP", "BMP"),
        ("TIFF", "TIFF"),
        ("WEBP", "WEBP"),
        ("path", "PNG"),
        ("pathlike", "JPEG"),
        ("base64", "PNG"),
        ("data-uri", "PNG"),
    ],
)
def test_load_image_kinds(kind: str, fmt: str | None, sample: Image.Image, tmp_path: Path) -> None:
    data: object
    if kind == "pil":
        data = sample
    elif kind == "path":
        (tmp_path / "a.png").write_bytes(encode(sample, "PNG"))
        data = str(tmp_path / "a.png")
    elif kind == "pathlike":
        (tmp_path / "a.jpg").write_bytes(encode(sample, "JPEG"))
        data = tmp_path / "a.jpg"
    elif kind == "base64":
        data = base64.b64encode(encode(sample, "PNG")).decode()
    elif kind == "data-uri":
        data = "data:image/png;base64," + base64.b64encode(encode(sample, "PNG")).decode()
    else:
        data = encode(sample, kind)
    image, got = ocr.load_image(data)
    assert got == fmt
    assert image.size == sample.size


def test_load_image_rejects_garbage() -> None:
    for bad in (b"hello", "not base64 and not a file!", "data:image/png,rawdata", 3.5):
        with pytest.raises(ocr.OcrError):
            ocr.load_image(bad)


def test_truncated_png_is_an_error(sample: Image.Image) -> None:
    png = encode(sample, "PNG")
    with pytest.raises(ocr.OcrError, match="truncated or corrupt"):
        ocr.load_image(png[: len(png) // 2])


def _png_with_size(width: int, height: int) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` with a tiny (bogus) body: a bomb's shape."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def test_decompression_bomb_header_is_refused() -> None:
    saved = Image.MAX_IMAGE_PIXELS
    with pytest.raises(ocr.OcrError, match="pixels"):
        ocr.load_image(_png_with_size(100_000, 100_000))
    assert saved == Image.MAX_IMAGE_PIXELS  # the global guard is restored


def test_image_over_max_pixels_is_refused(sample: Image.Image) -> None:
    for data in (encode(sample, "PNG"), sample):
        with pytest.raises(ocr.OcrError, match="max_pixels"):
            ocr.scan_image(scan_text, data, max_pixels=1000)


# --------------------------------------------------------------------------------------- failures


def test_timeout_is_an_error() -> None:
    image, _ = render([f"Card: {CARD}  Email: jane.doe@example.com"] * 20, 16)
    with pytest.raises(ocr.OcrError, match=r"0\.001 s OCR time limit"):
        ocr.ocr(image, timeout=0.001)


def test_tesseract_missing(monkeypatch: pytest.MonkeyPatch, sample: Image.Image) -> None:
    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    with pytest.raises(ocr.TesseractMissing, match="apt-get install tesseract-ocr tesseract-ocr-eng"):
        ocr.scan_image(scan_text, sample)
    assert issubclass(ocr.TesseractMissing, ocr.OcrError)
    assert issubclass(ocr.OcrError, ValueError)


def test_errors_never_carry_image_text() -> None:
    secret = base64.b64encode(b"536-22-1847").decode()
    with pytest.raises(ocr.OcrError) as info:
        ocr.load_image(secret)
    assert secret not in str(info.value) and "536" not in str(info.value)


# -------------------------------------------------------------------------------------- redaction


def _finding(box: tuple[int, int, int, int] | None) -> Finding:
    return Finding(
        entity="CREDIT_CARD", rule="t", category="financial", start=0, end=1, score=1.0, value="x", box=box
    )


BOX = (40, 20, 60, 15)


def _filled(image: Image.Image, box: tuple[int, int, int, int] = BOX, tol: int = 40) -> bool:
    rgb = image.convert("RGB")
    x, y, w, h = box
    return all(
        max(rgb.getpixel((px, py))) <= tol  # type: ignore[arg-type]
        for px in range(x, x + w, 5)
        for py in range(y, y + h, 3)
    )


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "P", "1"])
def test_redact_pil_keeps_size_and_mode(mode: str, sample: Image.Image) -> None:
    source = sample.convert(mode)
    out = ocr.redact_image(source, [_finding(BOX), _finding(None)])
    assert isinstance(out, Image.Image)
    assert out is not source and out.size == source.size and out.mode == mode
    assert _filled(out)
    assert not _filled(source)  # the input is untouched


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP"])
def test_redact_bytes_keeps_format(fmt: str, sample: Image.Image) -> None:
    out = ocr.redact_image(encode(sample, fmt), [_finding(BOX)])
    assert isinstance(out, bytes)
    image, got = ocr.load_image(out)
    assert got == fmt and image.size == sample.size
    assert _filled(image)


def test_redact_path_base64_and_data_uri(sample: Image.Image, tmp_path: Path) -> None:
    png = encode(sample, "PNG")
    path = tmp_path / "s.png"
    path.write_bytes(png)
    out = ocr.redact_image(str(path), [_finding(BOX)])
    assert isinstance(out, bytes) and out[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.read_bytes() == png  # never overwritten

    b64 = ocr.redact_image(base64.b64encode(png).decode(), [_finding(BOX)])
    assert isinstance(b64, str) and _filled(ocr.load_image(b64)[0])

    jpeg_uri = "data:image/jpeg;base64," + base64.b64encode(encode(sample, "JPEG")).decode()
    uri = ocr.redact_image(jpeg_uri, [_finding(BOX)])
    assert isinstance(uri, str) and uri.startswith("data:image/jpeg;base64,")
    image, fmt = ocr.load_image(uri)
    assert fmt == "JPEG" and _filled(image)


def test_redacted_image_no_longer_yields_the_card() -> None:
    image, _ = render(["Name: Jane", "Card: " + CARD], 16)
    png = encode(image, "PNG")
    findings = ocr.scan_image(scan_text, png)
    cards = [x for x in findings if x.entity == "CREDIT_CARD"]
    assert cards and all(x.box for x in cards)
    redacted = ocr.redact_image(png, findings)
    assert isinstance(redacted, bytes)
    assert _filled(ocr.load_image(redacted)[0], cards[0].box)  # type: ignore[arg-type]
    assert not [x for x in ocr.scan_image(scan_text, redacted) if x.entity == "CREDIT_CARD"]


def test_findings_are_msgspec_structs_with_box(sample: Image.Image) -> None:
    (finding,) = ocr.scan_image(scan_text, sample)
    assert finding.box is not None
    assert tuple(msgspec.json.decode(msgspec.json.encode(finding))["box"]) == finding.box
    assert "4111" not in repr(finding)


def test_redact_with_a_policy_redacts_the_image() -> None:
    """Issue 20, item 7: with a policy, image bytes got text replacement (a corrupt file) and a PIL
    image came back as it was, card and all. An image in gives a redacted image out."""
    image, _ = render(["Card: " + CARD], 24)
    png = encode(image, "PNG")
    assert [f.entity for f in weir.scan(png).findings] == ["CREDIT_CARD"]
    for source in (png, image):
        out = weir.redact(source, "default")  # cards are masked: an image can only fill the box
        assert type(out) is type(source)
        again = weir.scan(out).findings
        assert not [f for f in again if f.entity == "CREDIT_CARD"]
        size = Image.open(io.BytesIO(out)).size if isinstance(out, bytes) else out.size
        assert size == image.size
    # A policy that only reports leaves the image as it was.
    assert weir.redact(png, "audit") == png
