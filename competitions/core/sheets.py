"""Spreadsheets every area reads and writes: the check before an uploaded workbook is opened, and
the downloadable error report of any import (row, column, value, the problem in both languages)."""

import io
import zipfile

from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook

from competitions.core.i18n import say
from competitions.core.sheet_rules import neutralise_cell as safe_cell
from competitions.core.words import N_, Reason

#: An .xlsx is a zip: one that unpacks to more than this is refused before it is opened (a
#: sheet of MAX_ROWS rows unpacks to about 15 MB; a "zip bomb" of 1 MB to gigabytes).
MAX_UNPACKED_BYTES = 40 * 1024 * 1024


def unpacked_problem(data: bytes, limit: int = MAX_UNPACKED_BYTES) -> Reason | None:
    """Why a zip (an .xlsx) must not be opened: its files unpack to more than ``limit`` bytes.

    The sizes are those the zip declares; Python's reader never unpacks more than that.
    None when it is small enough, or not a zip at all (the spreadsheet reader says so).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, EOFError):
        return None
    if unpacked > limit:
        return Reason.of(
            N_("the spreadsheet unpacks to more than %(mb)s MB; split it"), mb=limit // 2**20
        )
    return None


def translated(error: dict) -> str:
    """An error's message in the current language."""
    return say(Reason(error["msgid"], tuple(sorted(error["params"].items()))))


def both_languages(msgid: str) -> str:
    """A header in Chinese and English ("行 / Row"), once if both read the same."""
    with force_locale("zh_Hans_CN"):
        zh = _(msgid)
    with force_locale("en"):
        en = _(msgid)
    return zh if zh == en else f"{zh} / {en}"


def error_report(errors: list[dict]) -> bytes:
    """The downloadable error report: row, column, value, and the message in Chinese and English."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Errors")
    headers = [both_languages(N_("Row")), both_languages(N_("Column")), both_languages(N_("Value"))]
    with force_locale("zh_Hans_CN"):
        headers.append(_("Problem"))
    with force_locale("en"):
        headers.append(_("Problem"))
    sheet.append(headers)
    for error in errors:
        with force_locale("zh_Hans_CN"):
            zh = translated(error)
        with force_locale("en"):
            en = translated(error)
        row = error["row"] or ""
        sheet.append([safe_cell(v) for v in (row, error["column"], error["value"], zh, en)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
