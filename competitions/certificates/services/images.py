"""Uploaded seal and background images: checked by their content, prepared once per batch."""

import io
import zlib
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from competitions.core.words import N_, Reason

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
#: Larger images are scaled down when a batch starts: a seal is printed about 45 mm wide
#: (600 px ≈ 340 dpi), a background over the whole page (1754 px = 150 dpi on A4).
MAX_SEAL_PX = 600
MAX_BACKGROUND_PX = 1754
#: Refuse images whose pixel count would take the workers' memory (a decompression bomb).
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class ImageInfo:
    """What an uploaded image is."""

    format: str
    width: int
    height: int


def inspect_image(data: bytes, formats: tuple[str, ...]) -> ImageInfo | Reason:
    """The image's format and size, or why it is refused: not one of ``formats`` ("png",
    "jpeg") judged by its first bytes and a full decode (the file name is not trusted), or
    unreasonably large in pixels."""
    kind = "png" if data.startswith(PNG_MAGIC) else "jpeg" if data.startswith(JPEG_MAGIC) else ""
    wanted = " / ".join(f.upper() for f in formats)
    if kind not in formats:
        return Reason.of(N_("the file is not a %(formats)s image"), formats=wanted)
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                return Reason.of(N_("the image is too large: at most 40 million pixels"))
            image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return Reason.of(N_("the file is damaged or not a %(formats)s image"), formats=wanted)
    return ImageInfo(kind, width, height)


@dataclass(frozen=True)
class PdfImage:
    """An image ready to be copied into PDFs: its stream dictionary entries and data, with an
    optional alpha mask (a seal's transparent paper)."""

    width: int
    height: int
    colour: bytes
    filter: str
    data: bytes
    alpha: bytes | None = None


def seal_for_pdf(data: bytes) -> PdfImage:
    """A seal PNG as RGB and alpha, both deflated, scaled to at most MAX_SEAL_PX."""
    with Image.open(io.BytesIO(data)) as image:
        rgba = image.convert("RGBA")
    rgba.thumbnail((MAX_SEAL_PX, MAX_SEAL_PX))
    alpha = rgba.getchannel("A").tobytes()
    return PdfImage(
        rgba.width,
        rgba.height,
        b"/DeviceRGB",
        "/FlateDecode",
        zlib.compress(rgba.convert("RGB").tobytes(), 9),
        zlib.compress(alpha, 9),
    )


def background_for_pdf(data: bytes) -> PdfImage:
    """A background as a JPEG (kept as uploaded when small enough), at most 150 dpi on A4."""
    with Image.open(io.BytesIO(data)) as image:
        small = image.width <= MAX_BACKGROUND_PX and image.height <= MAX_BACKGROUND_PX
        if data.startswith(JPEG_MAGIC) and image.mode == "RGB" and small:
            return PdfImage(image.width, image.height, b"/DeviceRGB", "/DCTDecode", data)
        rgb = image.convert("RGB")
    rgb.thumbnail((MAX_BACKGROUND_PX, MAX_BACKGROUND_PX))
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=85)
    return PdfImage(rgb.width, rgb.height, b"/DeviceRGB", "/DCTDecode", out.getvalue())
