"""TrueType subsets for the certificates' embedded font, byte for byte what ReportLab's
``TTFontFile.makeSubset`` writes, with what every subset of the font shares prepared once.

ReportLab's subsetter copies the whole ``glyf`` table (3.5 MB in WenQuanYi Micro Hei) on every
call, re-reads each glyph's composite components and checksums the finished file again: about
3 ms of a certificate's 6 (bench/certificates.py --profile). Here the copied tables, their
checksums and each glyph's bytes and components are kept per font, so a subset costs only the
glyphs it holds. ``tests/certificates/test_render.py`` compares the two on many character sets.
"""

from contextlib import suppress
from struct import pack, pack_into, unpack, unpack_from

from reportlab.pdfbase.ttfonts import (
    GF_ARG_1_AND_2_ARE_WORDS,
    GF_MORE_COMPONENTS,
    GF_WE_HAVE_A_SCALE,
    GF_WE_HAVE_A_TWO_BY_TWO,
    GF_WE_HAVE_AN_X_AND_Y_SCALE,
    TTFontFile,
)

#: Tables copied from the font unchanged (cvt, fpgm and prep are optional).
_COPIED = ("name", "OS/2", "cvt ", "fpgm", "prep")


def checksum(data: bytes) -> int:
    """The TrueType checksum of a table: the sum of its big-endian 32-bit words (zero-padded)."""
    if len(data) & 3:
        data = bytes(data) + b"\0" * (4 - (len(data) & 3))
    return sum(unpack(f">{len(data) >> 2}L", data)) & 0xFFFFFFFF


def _set_ushort(data: bytes, offset: int, value: int) -> bytes:
    return data[:offset] + pack(">H", value) + data[offset + 2 :]


class Subsetter:
    """Subsets of one parsed font (:meth:`subset` gives what ``makeSubset`` gives)."""

    def __init__(self, font: TTFontFile):
        self.char_to_glyph = font.charToGlyph
        self.glyph_pos = font.glyphPos
        self.hmetrics = font.hmetrics
        start, length = font.get_table_pos("glyf")
        self.glyf = memoryview(font._ttf_data)[start : start + length]
        copied = {}
        for tag in _COPIED:
            with suppress(KeyError):
                copied[tag] = bytes(font.get_table(tag))
        copied["post"] = b"\x00\x03\x00\x00" + bytes(font.get_table("post")[4:16]) + b"\x00" * 16
        self.copied = {tag: (data, checksum(data)) for tag, data in copied.items()}
        self.hhea = bytes(font.get_table("hhea"))
        self.maxp = bytes(font.get_table("maxp"))
        head = bytes(font.get_table("head"))
        self.head = head[:8] + b"\0\0\0\0" + head[12:]  # checkSumAdjustment, set at the end
        #: glyph → (its bytes, the offsets of its components' glyph ids, those glyph ids)
        self._glyphs: dict[int, tuple[bytes, tuple[int, ...], tuple[int, ...]]] = {}

    def _glyph(self, glyph: int) -> tuple[bytes, tuple[int, ...], tuple[int, ...]]:
        found = self._glyphs.get(glyph)
        if found is None:
            position = self.glyph_pos[glyph]
            data = bytes(self.glyf[position : self.glyph_pos[glyph + 1]])
            offsets, parts = [], []
            if len(data) > 2 and unpack_from(">h", data)[0] < 0:  # a composite glyph
                at, flags = 10, GF_MORE_COMPONENTS
                while flags & GF_MORE_COMPONENTS:
                    flags, part = unpack_from(">HH", data, at)
                    offsets.append(at + 2)
                    parts.append(part)
                    at += 8 if flags & GF_ARG_1_AND_2_ARE_WORDS else 6
                    if flags & GF_WE_HAVE_A_SCALE:
                        at += 2
                    elif flags & GF_WE_HAVE_AN_X_AND_Y_SCALE:
                        at += 4
                    elif flags & GF_WE_HAVE_A_TWO_BY_TWO:
                        at += 8
            found = self._glyphs[glyph] = (data, tuple(offsets), tuple(parts))
        return found

    def subset(self, codes: list[int]) -> bytes:
        """A TrueType font program with the glyphs of the characters ``codes`` (and the parts of
        composite ones), numbered in that order after .notdef, as ``makeSubset(codes)``."""
        glyph_map, glyph_set, code_to_glyph = [0], {0: 0}, {}
        to_glyph = self.char_to_glyph
        for code in codes:
            original = to_glyph.get(code, 0)
            if original not in glyph_set:
                glyph_set[original] = len(glyph_map)
                glyph_map.append(original)
            code_to_glyph[code] = glyph_set[original]
        n = 0
        while n < len(glyph_map):  # the parts of composite glyphs join at the end
            for part in self._glyph(glyph_map[n])[2]:
                if part not in glyph_set:
                    glyph_set[part] = len(glyph_map)
                    glyph_map.append(part)
            n += 1
        count = len(glyph_map)
        tables = {tag: entry for tag, entry in self.copied.items()}

        metrics = []
        for glyph in glyph_map:
            advance, lsb = self.hmetrics[glyph]
            metrics += (int(advance), int(lsb))
        n = len(metrics) - 2
        while n and metrics[n] == metrics[n - 2]:
            n -= 2
        n += 2
        full_pairs = n >> 1
        metrics = metrics[:n] + metrics[n + 1 :: 2]
        _add(tables, "hmtx", pack(f">{len(metrics)}H", *metrics))
        _add(tables, "hhea", _set_ushort(self.hhea, 34, full_pairs))
        _add(tables, "maxp", _set_ushort(self.maxp, 4, count))
        cmap = [0, 1, 1, 0, 0, 12, 6, 10 + len(codes) * 2, 0, 0, len(codes)]
        cmap += [code_to_glyph[code] for code in codes]
        _add(tables, "cmap", pack(f">{len(cmap)}H", *cmap))

        glyf, offsets, position = [], [], 0
        for glyph in glyph_map:
            offsets.append(position)
            data, at, parts = self._glyph(glyph)
            if at:
                patched = bytearray(data)
                for offset, part in zip(at, parts, strict=True):
                    pack_into(">H", patched, offset, glyph_set[part])
                data = bytes(patched)
            glyf.append(data)
            position += len(data)
            if position & 3:
                glyf.append(b"\0" * (4 - (position & 3)))
                position += 4 - (position & 3)
        offsets.append(position)
        _add(tables, "glyf", b"".join(glyf))
        if (position + 1) >> 1 > 0xFFFF:
            long_offsets, loca = 1, pack(f">{len(offsets)}L", *offsets)
        else:
            long_offsets = 0
            loca = pack(f">{len(offsets)}H", *[offset >> 1 for offset in offsets])
        _add(tables, "loca", loca)
        _add(tables, "head", _set_ushort(self.head, 50, long_offsets))
        return _font_file(tables)


def _add(tables: dict, tag: str, data: bytes) -> None:
    tables[tag] = (data, checksum(data))


def _font_file(tables: dict[str, tuple[bytes, int]]) -> bytes:
    """The font file of ``tables`` ({tag: (data, checksum)}), as ``TTFontMaker.makeStream``
    writes it: the whole file's checksum is the sum of its header's and its tables' (every
    table starts on a 4-byte boundary, zero-padded)."""
    count = len(tables)
    search, selector = 1, 0
    while search * 2 <= count:
        search *= 2
        selector += 1
    header = [pack(">lHHHH", 0x00010000, count, search * 16, selector, count * 16 - search * 16)]
    body, offset, total, head_at = [], 12 + count * 16, 0, 0
    for tag, (data, sum_) in sorted(tables.items()):
        if tag == "head":
            head_at = len(body)
        header.append(tag.encode("latin1") + pack(">LLL", sum_, offset, len(data)))
        padded = data + b"\0" * (-len(data) & 3)
        body.append(padded)
        offset += len(padded)
        total += sum_
    head_block = b"".join(header)
    total = (total + checksum(head_block)) & 0xFFFFFFFF
    adjustment = (0xB1B0AFBA - total) & 0xFFFFFFFF
    head = body[head_at]
    body[head_at] = head[:8] + pack(">L", adjustment) + head[12:]
    return head_block + b"".join(body)
