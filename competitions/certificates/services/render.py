"""Certificate PDFs: A4 landscape, Chinese text in an embedded TrueType subset, a QR code.

The PDF is written directly rather than through a drawing library, because a batch of
certificates shares almost everything (bench/certificates.py measures it against ReportLab done
the usual way). A :class:`Renderer` is made once per batch: it turns the design's images, frame,
title, issuers and labels into finished PDF objects. Each certificate then only lays out its own
text, subsets the font (glyphs of the shared text first, so the shared drawing can use the same
glyph ids in every file) and draws its QR code as a single path. The font is parsed once per
process (ReportLab's TrueType reader and subsetter, which refuses fonts with PostScript
outlines such as Noto CJK .otf) and embedded in every file, so the certificate prints the
same everywhere.

The QR code's matrix comes from zxing-cpp's encoder (compiled): with segno, a pure-Python
encoder, choosing the mask took 70% of a certificate's time (bench/certificates.py --profile:
~12 ms of 17 ms per certificate); zxing-cpp makes the matrix in ~0.25 ms.
"""

import functools
import hashlib
import re
import zlib
from dataclasses import dataclass, field
from datetime import date
from itertools import repeat

import zxingcpp
from reportlab.pdfbase.ttfonts import TTFError, TTFontFile

from competitions.certificates.rules import Facts, chinese_date, fill, fit_block, fit_line
from competitions.certificates.services import images
from competitions.certificates.services.subset import Subsetter

#: A4 landscape, in points.
PAGE_W, PAGE_H = 841.89, 595.28
TITLE_Y, TITLE_SIZE, TITLE_SPACING = 468.0, 46.0, 0.35
BODY_LEFT, BODY_RIGHT, BODY_TOP, BODY_BOTTOM = 120.0, 722.0, 412.0, 226.0
ISSUER_X, ISSUER_WIDTH, DATE_Y, ISSUER_SIZE = 612.0, 360.0, 112.0, 18.0
SEAL_SIZE = 128.0
QR_X, QR_Y, QR_SIZE = 58.0, 50.0, 76.0
FRAME_RED, GOLD, INK = "0.70 0.09 0.09", "0.78 0.60 0.22", "0.1 0.1 0.1"
INDENT = "\u3000\u3000"
NUMBER_LABEL = "证书编号："
VERIFY_LABEL = "扫码或登录 {url} 查验真伪"


class FontMissing(RuntimeError):
    """The certificate font cannot be read (set CERT_FONT_PATH to a TrueType font)."""


class Face:
    """A TrueType font parsed once per process: widths for layout, subsets for embedding."""

    def __init__(self, path: str):
        try:
            self.file = TTFontFile(path, subfontIndex=0)
        except (OSError, TTFError) as err:
            raise FontMissing(f"cannot read the certificate font {path}: {err}") from err
        self.name = self.file.name.decode("ascii", "replace").replace(" ", "")
        self.widths = self.file.charWidths  # code point → advance per 1000 em
        self.default_width = self.file.defaultWidth or 1000
        self._subsetter = Subsetter(self.file)

    def measure(self, text: str) -> float:
        """The width of ``text`` at size 1."""
        return sum(map(self.widths.get, map(ord, text), repeat(self.default_width))) / 1000

    def cids(self, chars: list[str]) -> tuple[dict[str, int], list[int]]:
        """Glyph ids in a subset of ``chars`` (as :meth:`subset` numbers them: .notdef first, then
        each new glyph in order) and the original glyph of each new id."""
        glyph_of, order, cid = {0: 0}, [0], {}
        to_glyph = self.file.charToGlyph
        for char in chars:
            glyph = to_glyph.get(ord(char), 0)
            if glyph not in glyph_of:
                glyph_of[glyph] = len(order)
                order.append(glyph)
            cid[char] = glyph_of[glyph]
        return cid, order

    def subset(self, chars: list[str]) -> bytes:
        """A TrueType font program with the glyphs of ``chars`` only."""
        return self._subsetter.subset([ord(c) for c in chars])


@functools.lru_cache(maxsize=4)
def face(path: str) -> Face:
    """The font at ``path``, parsed once per process."""
    return Face(path)


@dataclass(frozen=True)
class Design:
    """What a contest's certificates look like, as plain data."""

    title: str
    honour_title: str
    bodies: dict[str, str]
    issuers: tuple[str, ...]
    seals: tuple[bytes, ...] = ()
    background: bytes | None = None
    base_url: str = "http://127.0.0.1:5000"


@dataclass
class _Text:
    """Text to draw: (x, baseline y, size, text, character spacing) runs in one colour."""

    runs: list[tuple[float, float, float, str, float]] = field(default_factory=list)

    def centred(self, measure, x, y, size, text, spacing=0.0) -> None:
        width = measure(text) * size + spacing * max(0, len(text) - 1)
        self.runs.append((x - width / 2, y, size, text, spacing))

    def chars(self) -> set[str]:
        return {c for run in self.runs for c in run[3]}


def _hex(text: str, cid: dict[str, int]) -> str:
    return "".join(f"{cid[c]:04X}" for c in text)


def _draw_text(text: _Text, cid: dict[str, int], colour: str) -> str:
    parts = [f"q BT {colour} rg 0 Tc"]  # q … Q: the spacing and colour end with the block
    spacing = 0.0
    for x, y, size, line, tc in text.runs:
        if tc != spacing:
            parts.append(f"{tc:.2f} Tc")
            spacing = tc
        parts.append(f"/F1 {size:.2f} Tf 1 0 0 1 {x:.2f} {y:.2f} Tm <{_hex(line, cid)}> Tj")
    parts.append("ET Q")
    return "\n".join(parts)


def _stream(body: bytes, extra: bytes = b"", compress: bool = True) -> bytes:
    if compress:
        body = zlib.compress(body, 6)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(body), extra, body)


#: A run of dark modules in a row of the QR code's matrix (one byte each, dark below 128).
_DARK_RUN = re.compile(rb"[\x00-\x7f]+")


def _qr_path(url: str) -> str:
    """The QR code of ``url`` as one filled path of its dark runs, on a white quiet zone."""
    image = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M").to_image(
        scale=1, add_quiet_zones=False
    )
    modules = image.shape[0]
    pixels = bytes(image)  # one byte per module, row by row: 0 dark, 255 light
    unit = QR_SIZE / modules
    runs = []
    for row in range(modules):
        begin = row * modules
        for run in _DARK_RUN.finditer(pixels, begin, begin + modules):
            runs.append(f"{run.start() - begin} {row} {run.end() - run.start()} 1 re")
    margin = 2 * unit
    return (
        f"q 1 g {QR_X - margin:.2f} {QR_Y - margin:.2f} {QR_SIZE + 2 * margin:.2f} "
        f"{QR_SIZE + 2 * margin:.2f} re f Q\n"
        f"q 0 g {unit:.5f} 0 0 {-unit:.5f} {QR_X:.2f} {QR_Y + QR_SIZE:.2f} cm\n"
        + "\n".join(runs)
        + "\nf Q"
    )


class Renderer:
    """Certificates of one design: the shared parts prepared once, then one PDF per call."""

    def __init__(self, design: Design, font: Face):
        self.design = design
        self.font = font
        self.images = [images.seal_for_pdf(s) for s in design.seals]
        self.background = (
            images.background_for_pdf(design.background) if design.background else None
        )
        self._shared_text = {kind: self._shared(kind) for kind in ("award", "honour")}
        shared_chars = set().union(
            *(t.chars() for pair in self._shared_text.values() for t in pair)
        )
        self.shared_chars = sorted(shared_chars)
        self.shared_cid, _ = font.cids(self.shared_chars)
        self._objects = self._shared_objects()

    # --- the parts every certificate of the batch shares ------------------------------------

    def _shared(self, kind: str) -> tuple[_Text, _Text]:
        """The title, the issuers and the labels of an award or honour certificate."""
        measure, title, text = self.font.measure, _Text(), _Text()
        words = self.design.honour_title if kind == "honour" else self.design.title
        # The title is letter-spaced by a third of its size; the form's 20 characters always fit
        # on one line at the smallest size, as do its three issuers of 40 characters.
        spaced = fit_line(words, lambda t: measure(t) + TITLE_SPACING * len(t), 680, TITLE_SIZE, 20)
        size = spaced.size
        title.centred(measure, PAGE_W / 2, TITLE_Y, size, spaced.lines[0], TITLE_SPACING * size)
        issuers = [i for i in self.design.issuers if i.strip()]
        for n, issuer in enumerate(reversed(issuers)):
            fitted = fit_line(issuer, measure, ISSUER_WIDTH, ISSUER_SIZE, 9)
            text.centred(measure, ISSUER_X, DATE_Y + 28 * (n + 1), fitted.size, fitted.lines[0])
        verify = VERIFY_LABEL.format(url=self.design.base_url.rstrip("/") + "/verify")
        fitted = fit_line(verify, measure, 400, 9, 6)
        text.runs.append((QR_X + QR_SIZE + 14, QR_Y + 6, fitted.size, fitted.lines[0], 0.0))
        text.runs.append((QR_X + QR_SIZE + 14, QR_Y + 24, 10.0, NUMBER_LABEL, 0.0))
        return title, text

    def _frame(self) -> str:
        """The background picture, or a red and gold double frame when there is none."""
        if self.background:
            return f"q {PAGE_W:.2f} 0 0 {PAGE_H:.2f} 0 0 cm /BG Do Q"
        return (
            f"q {FRAME_RED} RG 7 w 24 24 {PAGE_W - 48:.2f} {PAGE_H - 48:.2f} re S "
            f"{GOLD} RG 1.5 w 36 36 {PAGE_W - 72:.2f} {PAGE_H - 72:.2f} re S Q"
        )

    def _seals(self) -> str:
        """The seals over the issuers and the date, side by side, centred on them."""
        out = []
        first = ISSUER_X - (len(self.images) - 1) * (SEAL_SIZE * 0.6)
        for n, image in enumerate(self.images):
            scale = SEAL_SIZE / max(image.width, image.height)
            w, h = image.width * scale, image.height * scale
            x = first + n * SEAL_SIZE * 1.2 - w / 2
            y = DATE_Y + 20 - h / 2
            out.append(f"q {w:.2f} 0 0 {h:.2f} {x:.2f} {y:.2f} cm /S{n} Do Q")
        return "\n".join(out)

    def _shared_objects(self) -> dict:
        """Finished PDF objects, numbered: 1-3 catalog, pages, page; 4 and 5 the shared drawing
        under the text (per kind); 6 the seals; 7 the information; 14 on the images (8-13 are
        each certificate's own: its text and QR code, its font)."""
        objects: dict = {}
        xobjects, number = [], 14
        for n, image in enumerate(self.images):
            objects[number + 1] = _stream(
                image.alpha, self._image_dict(image, b"/DeviceGray"), False
            )
            mask = b" /SMask %d 0 R" % (number + 1)
            objects[number] = _stream(
                image.data, self._image_dict(image, image.colour) + mask, False
            )
            xobjects.append(f"/S{n} {number} 0 R")
            number += 2
        if self.background:
            objects[number] = _stream(
                self.background.data, self._image_dict(self.background, b"/DeviceRGB"), False
            )
            xobjects.append(f"/BG {number} 0 R")
        for obj, kind in ((4, "award"), (5, "honour")):
            title, text = self._shared_text[kind]
            drawing = "\n".join(
                (
                    self._frame(),
                    _draw_text(title, self.shared_cid, FRAME_RED),
                    _draw_text(text, self.shared_cid, INK),
                )
            )
            objects[obj] = _stream(drawing.encode())
        objects[6] = _stream(self._seals().encode())
        objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
        objects[2] = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
        self._page = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W:.2f} {PAGE_H:.2f}] "
            f"/Resources << /Font << /F1 9 0 R >> /XObject << {' '.join(xobjects)} >> >> "
            "/Contents [{shared} 0 R 8 0 R 6 0 R] >>"
        )
        objects[7] = b"<< /Producer (Jingsai) /Creator (Jingsai certificates) >>"
        return objects

    @staticmethod
    def _image_dict(image: images.PdfImage, colour: bytes) -> bytes:
        return (
            b" /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s "
            b"/BitsPerComponent 8 /Filter %s"
            % (image.width, image.height, colour, image.filter.encode())
        )

    # --- one certificate ---------------------------------------------------------------------

    def layout(self, facts: Facts, number: str, issued_on: date) -> _Text:
        """This certificate's own text: the body (fitted to its box), the date, the number."""
        measure, text = self.font.measure, _Text()
        body = fill(self.design.bodies[facts.kind], facts.values())
        paragraphs = [p.strip() for p in body.splitlines() if p.strip()]
        top, width = BODY_TOP, BODY_RIGHT - BODY_LEFT
        if len(paragraphs) > 1:  # the first paragraph is the salutation: the name, larger
            first = fit_line(paragraphs.pop(0), measure, width, 26, 16)
            for line in first.lines:
                top -= first.size * 1.3
                text.runs.append((BODY_LEFT, top, first.size, line, 0.0))
            top -= first.size * 0.5
        rest = fit_block(paragraphs, measure, (width, top - BODY_BOTTOM), 21, 11, 1.7, INDENT)
        for line in rest.lines:
            top -= rest.size * 1.7
            text.runs.append((BODY_LEFT, top + rest.size * 0.45, rest.size, line, 0.0))
        text.centred(measure, ISSUER_X, DATE_Y, ISSUER_SIZE, chinese_date(issued_on))
        label_width = measure(NUMBER_LABEL) * 10
        text.runs.append((QR_X + QR_SIZE + 14 + label_width, QR_Y + 24, 10.0, number, 0.0))
        return text

    def render(self, facts: Facts, number: str, issued_on: date) -> bytes:
        """The PDF of one certificate."""
        own = self.layout(facts, number, issued_on)
        chars = self.shared_chars + sorted(own.chars() - set(self.shared_chars))
        cid, order = self.font.cids(chars)
        url = f"{self.design.base_url.rstrip('/')}/verify/{number}"
        content = _draw_text(own, cid, INK) + "\n" + _qr_path(url)
        objects = dict(self._objects)
        objects[3] = self._page.format(shared=5 if facts.kind == "honour" else 4).encode()
        objects[8] = _stream(content.encode())
        objects.update(self._font_objects(chars, cid, order))
        return _pdf(objects)

    def _font_objects(self, chars: list[str], cid: dict[str, int], order: list[int]) -> dict:
        """The embedded subset: Type 0 font (9), CID font (10), descriptor (11), program (12),
        and the map back to Unicode (13) that lets text be searched and copied."""
        f = self.font.file
        tag = "".join(chr(65 + b % 26) for b in hashlib.md5("".join(chars).encode()).digest()[:6])
        name = f"{tag}+{self.font.name}"
        scale = 1000 / f.unitsPerEm
        widths = " ".join(str(round(f.hmetrics[g][0] * scale)) for g in order[1:])
        program = self.font.subset(chars)
        bbox = " ".join(str(round(v)) for v in f.bbox)
        return {
            9: (
                f"<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H "
                f"/DescendantFonts [10 0 R] /ToUnicode 13 0 R >>"
            ).encode(),
            10: (
                f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} /CIDSystemInfo "
                f"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor "
                f"11 0 R /CIDToGIDMap /Identity /DW 1000 /W [1 [{widths}]] >>"
            ).encode(),
            11: (
                f"<< /Type /FontDescriptor /FontName /{name} /Flags 4 /FontBBox [{bbox}] "
                f"/ItalicAngle 0 /Ascent {round(f.ascent)} /Descent {round(f.descent)} "
                f"/CapHeight {round(f.capHeight)} /StemV {round(f.stemV)} /FontFile2 12 0 R >>"
            ).encode(),
            12: _stream(program, b" /Length1 %d" % len(program)),
            13: _stream(_to_unicode(cid).encode()),
        }


def _to_unicode(cid: dict[str, int]) -> str:
    """A ToUnicode CMap: each glyph id back to its character."""
    seen: dict[int, str] = {}
    for char, glyph in cid.items():
        if glyph and glyph not in seen:
            seen[glyph] = char
    pairs = [f"<{g:04X}> <{c.encode('utf-16-be').hex().upper()}>" for g, c in sorted(seen.items())]
    blocks = [
        f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar"
        for chunk in (pairs[i : i + 100] for i in range(0, len(pairs), 100))
    ]
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    )


def _pdf(objects: dict[int, bytes]) -> bytes:
    """A PDF file of numbered objects: header, bodies, cross-reference table, trailer."""
    size = max(objects) + 1
    out = [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"]
    offsets = [0] * size
    position = len(out[0])
    for number in sorted(objects):
        chunk = b"%d 0 obj\n%s\nendobj\n" % (number, objects[number])
        offsets[number] = position
        position += len(chunk)
        out.append(chunk)
    xref = [b"xref\n0 %d\n0000000000 65535 f \n" % size]
    xref += [
        b"%010d 00000 n \n" % offsets[n] if n in objects else b"0000000000 65535 f \n"
        for n in range(1, size)
    ]
    out += xref
    out.append(
        b"trailer\n<< /Size %d /Root 1 0 R /Info 7 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (size, position)
    )
    return b"".join(out)
