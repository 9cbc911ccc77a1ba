"""Hostile spreadsheets built cheaply: the sheet's XML is streamed into the zip by hand."""

import functools
import io
import zipfile
from collections.abc import Iterable

from tests.imports.sheets import ZH, xlsx_bytes

SHEET = "xl/worksheets/sheet1.xml"
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_OPEN = f'<worksheet xmlns="{_NS}"><sheetData>'.encode()
_CLOSE = b"</sheetData></worksheet>"
HEADER_ROW = b"".join(
    [b'<row r="1">']
    + [
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{h}</t></is></c>'.encode()
        for i, h in enumerate(ZH)
    ]
    + [b"</row>"]
)


def _row(n: int, text: str = "张三") -> bytes:
    return f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{text}</t></is></c></row>'.encode()


_SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_PART = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST}"/>'.encode()


def with_sheet(rows_xml: Iterable[bytes], dimension: str = "", shared: str = "") -> bytes:
    """A real workbook (the import template's headers) whose first sheet is replaced by the
    header row and ``rows_xml``, streamed without building it in memory; with a declared
    ``dimension`` ("A1:K9") and one shared string (index 0) if given."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(xlsx_bytes([]))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "[Content_Types].xml" and shared:
                content = content.replace(b"</Types>", _SST_PART + b"</Types>")
            if info.filename != SHEET:
                target.writestr(info.filename, content)
        if shared:
            sst = f'<sst xmlns="{_NS}"><si><t>{shared}</t></si></sst>'
            target.writestr("xl/sharedStrings.xml", sst.encode())
        with target.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(_OPEN.replace(b"<sheetData>", _dimension(dimension) + b"<sheetData>"))
            sheet.write(HEADER_ROW)
            for chunk in rows_xml:
                sheet.write(chunk)
            sheet.write(_CLOSE)
    return out.getvalue()


@functools.cache
def zip_bomb(gib: int = 1) -> bytes:
    """About 1 MB that unpacks to ``gib`` GiB: one cell holding a gigabyte of "A"."""
    chunk = b"A" * (1 << 20)
    row = [b'<row r="2"><c r="A2" t="inlineStr"><is><t>']
    row += [chunk] * (gib * 1024)
    row += [b"</t></is></c></row>"]
    return with_sheet(row)


def million_rows() -> bytes:
    """A million data rows as Excel writes them (the sheet's size declared, each name a shared
    string): 32 MB of XML in a few hundred kB."""
    rows = [b'<row><c t="s"><v>0</v></c></row>' * 10_000] * 100  # rows without numbers: in turn
    return with_sheet(rows, dimension="A1:K1000001", shared="张三")


def last_row_only() -> bytes:
    """Nothing but the header and a cell in the last row Excel has: a million empty rows."""
    return with_sheet([_row(1_048_576)])


def entity_expansion() -> bytes:
    """A sheet whose XML nests entities a billion times ("billion laughs")."""
    lol = b'<!ENTITY l0 "lol">' + b"".join(
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">'.encode() for n in range(1, 10)
    )
    doctype = b"<?xml version='1.0'?><!DOCTYPE worksheet [" + lol + b"]>"
    template = xlsx_bytes([])
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(template)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != SHEET:
                target.writestr(info.filename, source.read(info))
        body = b'<row r="2"><c r="A2" t="inlineStr"><is><t>&l9;</t></is></c></row>'
        target.writestr(SHEET, doctype + _OPEN + HEADER_ROW + body + _CLOSE)
    return out.getvalue()


def _dimension(ref: str) -> bytes:
    return f'<dimension ref="{ref}"/>'.encode() if ref else b""


def _batched(parts: Iterable[bytes], size: int = 10_000) -> Iterable[bytes]:
    batch = []
    for part in parts:
        batch.append(part)
        if len(batch) == size:
            yield b"".join(batch)
            batch = []
    yield b"".join(batch)
