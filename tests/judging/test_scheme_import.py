"""Marking scheme spreadsheets: the WorldSkills CIS file, the generic layout, and bad input."""

import io
import zipfile
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from competitions.judging import models
from competitions.judging.services.scheme_import import (
    GENERIC_COLUMNS,
    ITEM_KINDS,
    PART_KINDS,
    SCALES,
    ItemSpec,
    SchemeFileError,
    default_step,
    item_problems,
    parse_scheme,
    scheme_workbook,
)

CIS = Path(__file__).resolve().parents[1] / "data"
CIS = CIS / "worldskills-uk-2024-web-development-cis-marking-scheme.xlsx"
CIS_SHEET = "CIS Marking Scheme Import"


@pytest.fixture(scope="module")
def cis():
    """The real WorldSkills UK 2024 Web Development scheme, parsed."""
    return parse_scheme(CIS.read_bytes())


def problems_of(data: bytes) -> list:
    """The problems a file is refused with (it must be refused)."""
    with pytest.raises(SchemeFileError) as caught:
        parse_scheme(data)
    return caught.value.problems


def msgids(problems) -> list[str]:
    return [p.reason.msgid for p in problems]


def saved(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_cis_file_imports_every_aspect(cis):
    assert cis.layout == "cis"
    assert len(cis.items) == 220
    assert Counter(i.kind for i in cis.items) == {"measurement": 201, "judgement": 19}
    assert sum(i.max_mark for i in cis.items) == Decimal("100.00")
    assert {i.part for i in cis.items} == {"practical"}
    assert len({i.code for i in cis.items}) == 220


def test_cis_criteria_add_up_to_the_declared_marks(cis):
    by_letter = Counter()
    for item in cis.items:
        by_letter[item.code[0]] += item.max_mark
    assert by_letter == {"A": 30, "B": 30, "C": 20, "D": 20}
    declared = {c.id: (c.name, c.declared, c.found) for c in cis.criteria}
    # Blocks E to I are in the file but empty and not in the Criteria table: no total for them.
    assert declared == {
        "A": ("Design Implementation", Decimal(30), Decimal(30)),
        "B": ("Front-end Development", Decimal(30), Decimal(30)),
        "C": ("Back-end Deveopment", Decimal(20), Decimal(20)),
        "D": ("Speed", Decimal(20), Decimal(20)),
    }


def test_cis_aspects_keep_their_settings_and_descriptors(cis):
    items = {i.code: i for i in cis.items}
    # Row 201: the fifth measurement of B4 (CIS itself calls it B4.M5 in its Calculations sheet).
    m5 = items["B4.M5"]
    assert m5.criterion == "B4 Data loading and display"
    assert m5.description.startswith("Data is displayed in a well-formatted, consistent table")
    assert m5.description.endswith("\nDeduct 0.25 per error")
    assert (m5.kind, m5.max_mark, m5.scale, m5.step, m5.judges) == (
        "measurement",
        Decimal("0.5"),
        "marks",
        Decimal("0.01"),
        1,
    )
    j1 = items["A1.J1"]
    assert (j1.kind, j1.max_mark, j1.scale, j1.step, j1.judges, j1.aggregation) == (
        "judgement",
        Decimal("0.25"),
        "ws3",
        Decimal(1),
        3,
        "mean",
    )
    lines = j1.description.split("\n")
    assert lines[0] == "Overall page design is responsive"
    assert [line[:3] for line in lines[1:]] == ["0: ", "1: ", "2: ", "3: "]
    assert lines[1] == "0: All common elements are not responsive at all"
    # Judgements and measurements are numbered separately within a sub-criterion.
    assert [c for c in items if c.startswith("A1.")][:4] == ["A1.J1", "A1.J2", "A1.J3", "A1.M1"]
    assert "C2.M1" in items and "C2.J1" in items
    assert items["D8.M4"].max_mark == Decimal("1.5")


def test_cis_with_a_changed_max_mark_is_refused_naming_the_criterion_and_totals():
    book = load_workbook(CIS)
    sheet = book[CIS_SHEET]
    assert sheet["E41"].value.startswith("Sections are organized logically")
    assert sheet["K41"].value == 0.5
    sheet["K41"] = 0.75
    problems = problems_of(saved(book))
    assert len(problems) == 1
    (problem,) = problems
    assert problem.row == 15  # criterion A's row in the Criteria table
    assert dict(problem.reason.params) == {"id": "A", "declared": "30", "found": "30.25"}
    assert str(problem.reason) == "criterion A: declared 30, but its aspects add up to 30.25"


def with_saved_values(data: bytes, values: dict[str, str]) -> bytes:
    """The file as Excel or WPS saves it: each formula of ``values`` ({formula: value}) with
    its saved value (openpyxl writes formulas without one)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            content = old.read(info)
            if info.filename.startswith("xl/worksheets/"):
                text = content.decode()
                for formula, value in values.items():
                    text = text.replace(f"<f>{formula}</f><v />", f"<f>{formula}</f><v>{value}</v>")
                content = text.encode()
            new.writestr(info, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_cis_formulas_count_as_their_saved_values(cis):
    book = load_workbook(CIS)
    book[CIS_SHEET]["K41"] = "=0.25*2"  # 0.5, as typed before
    book[CIS_SHEET]["K42"] = "=K41"
    data = with_saved_values(saved(book), {"0.25*2": "0.5", "K41": "0.5"})
    assert parse_scheme(data).items == cis.items


def test_cis_with_a_formula_without_a_saved_value_is_refused_saying_so():
    book = load_workbook(CIS)
    book[CIS_SHEET]["K42"] = "=0.25*2"
    problems = problems_of(saved(book))
    assert [(p.row, p.column) for p in problems] == [(42, "K")]
    assert str(problems[0].reason) == (
        "the formula =0.25*2 has no saved value: open the file in Excel or WPS, "
        "save it and import it again"
    )


def test_cis_columns_are_found_by_their_headers_wherever_they_are(cis):
    book = load_workbook(CIS)
    sheet = book[CIS_SHEET]
    sheet.insert_cols(3)  # a column more before "Day of Marking": every column moves right
    sheet.move_range("M1:M400", cols=2)  # "Max Mark" two columns further right
    parsed = parse_scheme(saved(book))
    assert parsed.items == cis.items and parsed.criteria == cis.criteria


def test_cis_aspect_types_may_be_numbered_or_words(cis):
    book = load_workbook(CIS)
    sheet = book[CIS_SHEET]
    assert [sheet[c].value for c in ("D23", "D29", "D41", "D42")] == ["J", "J", "M", "M"]
    sheet["D23"], sheet["D29"], sheet["D41"], sheet["D42"] = "J1", " j2 ", "M1", "Measurement"
    assert parse_scheme(saved(book)).items == cis.items


def test_cis_unknown_aspect_type_is_one_problem_not_one_per_descriptor():
    book = load_workbook(CIS)
    book[CIS_SHEET]["D23"] = "X"  # a judgement aspect with four 0-3 descriptors under it
    problems = problems_of(saved(book))
    assert [(p.row, p.column, p.reason.msgid) for p in problems] == [
        (23, "D", "the aspect type must be M or J")
    ]


def test_cis_with_text_as_a_max_mark_is_refused():
    book = load_workbook(CIS)
    book[CIS_SHEET]["K42"] = "half"
    problems = problems_of(saved(book))
    assert [(p.row, p.column, p.reason.msgid) for p in problems] == [(42, "K", "not a number")]


def test_cis_block_without_its_max_mark_column_is_one_problem_saying_where():
    book = load_workbook(CIS)
    book[CIS_SHEET]["K150"] = "Points"
    problems = problems_of(saved(book))
    assert [(p.row, p.column) for p in problems] == [(150, "A-N")]
    assert str(problems[0].reason) == (
        "no column headed Max Mark: looked for in row 150, columns A-N"
    )


def sample_specs() -> list[ItemSpec]:
    return [
        ItemSpec("theory", "T1", "安全知识", "单选题 20 道", "measurement", Decimal(20)),
        ItemSpec(
            "practical",
            "A1.J1",
            "A1 外观",
            '=HYPERLINK("http://x")\n0: 差\n3: 优',
            "judgement",
            Decimal("2.5"),
            "ws3",
            Decimal(1),
            3,
            "closest_pair",
            Decimal("1.5"),
        ),
        ItemSpec(
            "practical",
            "M1",
            "-尺寸",
            "+0.02 mm",
            "measurement",
            Decimal("7.125"),
            step=Decimal("0.001"),
        ),
        ItemSpec(
            "practical",
            "J2",
            "@工艺",
            "",
            "judgement",
            Decimal(10),
            step=Decimal("0.5"),
            judges=5,
            aggregation="trimmed_mean",
        ),
    ]


def test_generic_layout_round_trips():
    specs = sample_specs()
    parsed = parse_scheme(scheme_workbook(specs))
    assert parsed.layout == "generic"
    assert list(parsed.items) == specs


def test_download_guards_cells_that_would_run_as_formulas():
    sheet = load_workbook(io.BytesIO(scheme_workbook(sample_specs()))).active
    assert [c.value for c in sheet[1]] == [c.zh for c in GENERIC_COLUMNS]
    assert sheet["D3"].value.startswith("'=HYPERLINK")
    assert sheet["D3"].data_type == "s"
    assert sheet["C4"].value == "'-尺寸"
    assert sheet["D4"].value == "'+0.02 mm"
    assert sheet["C5"].value == "'@工艺"


def generic(rows: list[list], header=None) -> bytes:
    book = Workbook()
    book.active.append(header or ["部分", "编号", "评分标准", "评分项", "类型", "分值"])
    for row in rows:
        book.active.append(row)
    return saved(book)


def test_generic_accepts_english_headers_and_fills_defaults():
    header = ["part", "code", "kind", "max_mark", "judges"]
    parsed = parse_scheme(
        generic([["practical", 1, "J", 6, None], ["理论知识", "T", "客观", 0.125, None]], header)
    )
    judged, theory = parsed.items
    assert (judged.code, judged.kind, judged.judges, judged.step) == (
        "1",
        "judgement",
        3,
        Decimal("0.01"),
    )
    assert (theory.part, theory.kind, theory.judges) == ("theory", "measurement", 1)
    assert theory.step == Decimal("0.001")


@pytest.mark.parametrize(
    ("cell", "msgid"),
    [
        (
            "=2+3",
            "the formula %(formula)s has no saved value: open the file in Excel or WPS, "
            "save it and import it again",
        ),
        ("five", "not a number"),
        (0, "must be greater than 0"),
        (None, "required"),
    ],
)
def test_generic_bad_max_mark_is_refused_at_its_cell(cell, msgid):
    problems = problems_of(generic([["技能操作", "M1", "", "", "客观", cell]]))
    assert [(p.row, p.column, p.reason.msgid) for p in problems] == [(2, "F 分值", msgid)]


def test_generic_step_of_zero_is_refused_not_replaced_by_the_default():
    header = ["部分", "编号", "类型", "分值", "步长"]
    problems = problems_of(generic([["技能操作", "M1", "客观", 5, 0]], header))
    assert [(p.row, p.column, p.reason.msgid) for p in problems] == [
        (2, "E 步长", "must be greater than 0")
    ]


def test_generic_missing_column_is_one_problem_saying_where():
    problems = problems_of(generic([["技能操作", "M1", "客观"]], ["部分", "编号", "类型"]))
    assert [(p.row, p.column) for p in problems] == [(1, "A-C")]
    assert problems[0].reason.msgid == (
        "no column headed %(name)s: looked for in row %(row)s, columns %(columns)s"
    )
    assert dict(problems[0].reason.params) == {
        "name": "分值 / max_mark",
        "row": 1,
        "columns": "A-C",
    }


def test_generic_columns_are_found_by_their_headers_below_a_title():
    book = Workbook()
    sheet = book.active
    sheet.append(["2026年焊工竞赛评分方案"])
    sheet.append([])
    sheet.append(["配分", " Item  Code ", "评分内容", "TYPE", "考核部分"])
    sheet.append([10, "M1", "焊缝宽度", "m1", "技能操作"])
    sheet.append(["=2*3", "J1", "外观", "J", "技能操作"])
    data = with_saved_values(saved(book), {"2*3": "6"})
    first, second = parse_scheme(data).items
    assert (first.code, first.max_mark, first.kind, first.description) == (
        "M1",
        Decimal(10),
        "measurement",
        "焊缝宽度",
    )
    assert (second.code, second.max_mark, second.kind) == ("J1", Decimal(6), "judgement")


def test_a_sheet_without_a_header_row_says_what_was_looked_for():
    problems = problems_of(generic([["技能操作", "M1", "客观", 5]], ["甲", "乙", "丙", "丁"]))
    assert [p.row for p in problems] == [None]
    assert str(problems[0].reason) == (
        "no header row: looked for 部分 / part; 编号 / code; 类型 / kind; 分值 / max_mark "
        "in rows 1 to 2"
    )


def test_generic_repeated_code_within_a_part_is_refused():
    rows = [
        ["技能操作", "M1", "", "", "客观", 5],
        ["理论知识", "M1", "", "", "客观", 5],
        ["技能操作", "M1", "", "", "客观", 5],
    ]
    problems = problems_of(generic(rows))
    assert [(p.row, p.reason.msgid) for p in problems] == [
        (4, "the code %(code)s is already used in row %(row)s")
    ]


def test_generic_unknown_words_are_refused():
    problems = problems_of(generic([["实践", "M1", "", "", "客观题", 5]]))
    assert {(p.column, p.reason.msgid) for p in problems} == {
        ("A 部分", "%(v)s is not one of: %(words)s"),
        ("E 类型", "%(v)s is not one of: %(words)s"),
    }


@pytest.mark.parametrize(
    "data",
    [b"", b"PK\x03\x04 not really a zip", "姓名,编号\n张三,1\n".encode(), bytes(range(256))],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused(data):
    problems = problems_of(data)
    assert [p.row for p in problems] == [None]
    assert msgids(problems)[0] in ("this file is not an .xlsx spreadsheet", "the file is empty")


def test_a_sheet_with_headers_only_has_no_items():
    assert msgids(problems_of(generic([]))) == ["the file has no items"]


SOUND = ItemSpec("practical", "M1", "", "", "measurement", Decimal(5))
JUDGED = replace(SOUND, kind="judgement", scale="ws3", step=Decimal(1), judges=3)


@pytest.mark.parametrize(
    ("spec", "field", "msgid"),
    [
        (replace(SOUND, max_mark=Decimal(0)), "max_mark", "must be greater than 0"),
        (replace(SOUND, max_mark=Decimal("NaN")), "max_mark", "not a number"),
        (replace(SOUND, tolerance=Decimal("Infinity")), "tolerance", "not a number"),
        (replace(SOUND, max_mark=Decimal("0.12345")), "max_mark", "at most 4 decimals"),
        (replace(SOUND, max_mark=Decimal(10000)), "max_mark", "must be below 10000"),
        (replace(SOUND, step=Decimal(0)), "step", "must be greater than 0"),
        (
            replace(SOUND, step=Decimal("0.3")),
            "step",
            "%(top)s is not a whole number of steps of %(step)s",
        ),
        (
            replace(SOUND, scale="ws3", step=Decimal(1)),
            "scale",
            "the 0-3 scale is only for judgement items",
        ),
        (
            replace(JUDGED, step=Decimal(2)),
            "step",
            "%(top)s is not a whole number of steps of %(step)s",
        ),
        (replace(SOUND, judges=0), "judges", "from 1 to 20 judges"),
        (
            replace(JUDGED, judges=2, aggregation="trimmed_mean"),
            "aggregation",
            "the trimmed mean needs at least 3 judges",
        ),
        (
            replace(JUDGED, judges=5, aggregation="closest_pair"),
            "aggregation",
            "the closest pair needs exactly 3 judges",
        ),
        (replace(SOUND, aggregation="mode"), "aggregation", "unknown aggregation %(a)s"),
        (replace(SOUND, tolerance=Decimal(-1)), "tolerance", "cannot be negative"),
        (replace(SOUND, code=" "), "code", "a code is required"),
        (replace(SOUND, code="X" * 31), "code", "at most %(n)s characters"),
        (replace(SOUND, part="written"), "part", "must be theory or practical"),
    ],
)
def test_item_problems(spec, field, msgid):
    problems = item_problems(spec)
    assert list(problems) == [field]
    assert problems[field].msgid == msgid


@pytest.mark.parametrize(
    "spec",
    [
        SOUND,
        JUDGED,
        replace(JUDGED, judges=5, aggregation="trimmed_mean", tolerance=Decimal(0)),
        replace(JUDGED, aggregation="closest_pair"),
        replace(JUDGED, scale="marks", max_mark=Decimal(10), step=Decimal("0.5"), judges=1),
        replace(SOUND, max_mark=Decimal("9999.9999"), step=Decimal("0.0001")),
    ],
)
def test_sound_items_have_no_problems(spec):
    assert item_problems(spec) == {}


@pytest.mark.parametrize(
    ("max_mark", "scale", "step"),
    [
        (Decimal("0.25"), "marks", Decimal("0.01")),
        (Decimal(30), "marks", Decimal("0.01")),
        (Decimal("0.125"), "marks", Decimal("0.001")),
        (Decimal("1.00005"), "marks", Decimal("0.0001")),
        (Decimal("0.25"), "ws3", Decimal(1)),
    ],
)
def test_default_step_divides_the_max_mark(max_mark, scale, step):
    assert default_step(max_mark, scale) == step


def test_the_choices_are_those_the_database_allows():
    assert (PART_KINDS, ITEM_KINDS, SCALES) == (
        models.PART_KINDS,
        models.ITEM_KINDS,
        models.SCALES,
    )
