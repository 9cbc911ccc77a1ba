"""Build import files in memory for the tests."""

import csv
import io

from openpyxl import Workbook, load_workbook

ZH = [
    "姓名",
    "证件类型",
    "证件号码",
    "性别",
    "出生日期",
    "工作单位",
    "技能等级",
    "手机",
    "工种",
    "代表队",
    "状态",
    "不计名次",
]
EN = [
    "name",
    "id_type",
    "id_number",
    "gender",
    "birth_date",
    "unit",
    "skill_level",
    "phone",
    "trade",
    "delegation",
    "status",
    "out_of_competition",
]


def xlsx_bytes(rows: list[list], headers: list[str] = ZH) -> bytes:
    """A workbook whose first sheet has ``headers`` in row 1 and ``rows`` below."""
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows: list[list], headers: list[str] = ZH, encoding: str = "utf-8-sig") -> bytes:
    """A CSV file with ``headers`` and ``rows`` in ``encoding``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_rows(data: bytes, sheet: int = 0) -> list[tuple]:
    """The values of a sheet of a workbook, row by row."""
    book = load_workbook(io.BytesIO(data))
    return list(book.worksheets[sheet].iter_rows(values_only=True))


def person_row(name: str, id_number: str, trade: str, **cells) -> list:
    """A row in the column order of :data:`ZH`, with the other cells given by their English key."""
    values = {"name": name, "id_number": id_number, "trade": trade, **cells}
    return [values.get(key) for key in EN]
