"""The pure rules of certificates, pinned by tables of cases."""

import re
from datetime import date

import pytest

from competitions.certificates import rules
from competitions.certificates.rules import Facts, Held

KEY = b"test-secret"


def number(seq: int, contest: str = "SD-PROV", ct_id: int = 602) -> str:
    return rules.certificate_number(2019, contest, ct_id, seq, KEY)


@pytest.mark.parametrize(
    ("code", "year", "segment"),
    [
        ("SD-2018", 2018, "SD18"),  # the year is not repeated
        ("SD-PROV", 2019, "SDPROV19"),
        ("sd prov", 2019, "SDPROV19"),
        ("２０１９-ＳＤ", 2019, "SD19"),  # full-width
        ("QG-2018-FINAL", 2018, "QGFINAL18"),
        ("SD-2018", 2019, "SD201819"),  # another year's code keeps its year
        ("NATIONAL-WORKERS-SKILLS", 2020, "NATIONAL20"),  # at most 8 characters
        ("  钳工 A/B ", 2021, "AB21"),
        ("省赛2022", 2022, "X22"),
        ("2005", 2005, "X05"),
    ],
)
def test_contest_segment(code, year, segment):
    assert rules.contest_segment(code, year) == segment


@pytest.mark.parametrize(
    ("year", "contest", "ct_id", "seq", "shape"),
    [
        (2018, "SD-2018", 602, 4, r"SD18-0602-0004-[0-9A-Z]{5}"),
        (2019, "SD-PROV", 7, 12, r"SDPROV19-0007-0012-[0-9A-Z]{5}"),
        (2030, "JN-2030", 123456, 12345, r"JN30-123456-12345-[0-9A-Z]{5}"),
    ],
)
def test_number_shape(year, contest, ct_id, seq, shape):
    made = rules.certificate_number(year, contest, ct_id, seq, KEY)
    assert re.fullmatch(shape, made), made
    assert str(year) not in made  # the year once, in two digits
    assert len(rules.certificate_number(2018, "SD-2018", 602, 4, KEY)) == 20


def test_the_check_part_is_keyed():
    first = number(1)
    check = first.rsplit("-", 1)[1]
    assert len(check) == 5 and set(check) <= set(rules.CHECK_ALPHABET)
    assert not set(check) & set("ILOU")
    # deterministic, but a neighbour's check part cannot be told from this one
    assert number(1) == first
    assert number(2).rsplit("-", 1)[1] != check
    assert rules.certificate_number(2019, "SD-PROV", 602, 1, b"other") != first


def test_checks_spread_over_the_alphabet():
    checks = {number(seq).rsplit("-", 1)[1] for seq in range(1, 301)}
    assert len(checks) == 300
    assert set("".join(checks)) == set(rules.CHECK_ALPHABET)


def test_the_example_has_the_real_shape():
    assert rules.EXAMPLE_NUMBER.startswith("SD18-0602-0004-")
    assert rules.number_problem(rules.EXAMPLE_NUMBER, KEY).msgid.startswith("the check part")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("SD18-0602-0004-ABC12", "SD18-0602-0004-ABC12"),
        ("  sd18 - 0602-0004-abc12 ", "SD18-0602-0004-ABC12"),
        ("ＳＤ１８－０６０２－０００４－ＡＢＣ１２", "SD18-0602-0004-ABC12"),  # full-width
        ("SD18—0602–0004-ABCOI", "SD18-0602-0004-ABC01"),  # dashes; O, I in the check part
        ("SD18_O6O2_OOO4_ABCUL", "SD18-0602-0004-ABCV1"),  # O in the digit parts, U and L
        ("SOLO18-0602-0004-ABC12", "SOLO18-0602-0004-ABC12"),  # letters of a code kept
        ("hello world-lol", "HELLOWORLD-LOL"),  # not a number: no letters read as digits
        ("2018-SD-2018-6-20-01-01-0004-7KQ2MX", "2018-SD-2018-6-20-01-01-0004-7KQ2MX"),  # old
        ("", ""),
    ],
)
def test_normalise_number(typed, expected):
    assert rules.normalise_number(typed) == expected


def test_a_typed_number_with_typos_still_matches():
    genuine = number(7)
    check = genuine.rsplit("-", 1)[1]
    sloppy = genuine[: -len(check)] + check.lower().replace("1", "l").replace("0", "o")
    sloppy = " " + sloppy.replace("0", "O").replace("-", " – ", 1)
    assert rules.normalise_number(sloppy) == genuine
    assert rules.number_problem(rules.normalise_number(sloppy), KEY) is None


NOT_A_NUMBER = "%(number)s is not a certificate number: it reads like %(example)s"


@pytest.mark.parametrize(
    ("typed", "msgid"),
    [
        ("", "type the certificate number"),
        ("hello", NOT_A_NUMBER),
        ("SD18-0001", NOT_A_NUMBER),
        ("<script>alert(1)</script>", NOT_A_NUMBER),
        ("SD18-0602-0004-ABC1", NOT_A_NUMBER),  # check part too short
        ("SD18-0602-0004-ABC123", NOT_A_NUMBER),  # too long
        ("SD18-0602-0004-ABC1!", NOT_A_NUMBER),
        ("SD-0602-0004-ABC12", NOT_A_NUMBER),  # no year
        ("SD18-602-0004-ABC12", NOT_A_NUMBER),  # fewer than 4 digits
        (
            "SD18-0602-0004-AAAAA",
            "the check part of %(number)s does not match: look for a typing mistake",
        ),
    ],
)
def test_number_problems(typed, msgid):
    problem = rules.number_problem(rules.normalise_number(typed), KEY)
    assert problem is not None and problem.msgid == msgid


def test_a_genuine_number_has_no_problem():
    assert rules.number_problem(number(3), KEY) is None
    assert rules.number_problem(number(3), b"another-key") is not None


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{name} 同志：\n荣获{award}。", None),
        ("{team}：团体{award}，第{rank}名，{tier}{contest}{trade}{unit}", None),
        ("价格{{不是字段}}", None),
        ("{nmae} 同志", "unknown field {%(field)s}: use %(fields)s"),
        ("{姓名}同志：\n荣获{奖项}。", None),
        ("{团队}{名次}{级别}{竞赛}{工种}{单位}", None),
        ("{名字}", "unknown field {%(field)s}: use %(fields)s"),
        ("{name.upper}", "unknown field {%(field)s}: use %(fields)s"),
        ("{}", "unknown field {%(field)s}: use %(fields)s"),
        ("{name:>10}", "write the field {%(field)s} without a format"),
        ("{name!r}", "write the field {%(field)s} without a format"),
        ("{name", "a brace { or } is not matched: write {{ or }} for a brace itself"),
        ("name}", "a brace { or } is not matched: write {{ or }} for a brace itself"),
    ],
)
def test_template_problem(template, problem):
    found = rules.template_problem(template)
    assert (found.msgid if found else None) == problem


def test_the_unknown_field_is_named():
    found = rules.template_problem("{name}{nmae}")
    assert dict(found.params)["field"] == "nmae"
    assert "{name}" in dict(found.params)["fields"]


FACTS = Facts(
    kind="individual",
    subject="entry:1",
    name="张伟",
    unit="济南第二机床厂",
    contest="2019年山东省职工职业技能大赛",
    tier="province",
    trade="钳工",
    award="first",
    rank=2,
)


def test_fill_uses_chinese_labels():
    text = rules.fill(
        "{name}（{unit}）{tier}{contest}{trade}{award}第{rank}名{team}{{}}", FACTS.values()
    )
    assert text == "张伟（济南第二机床厂）省级2019年山东省职工职业技能大赛钳工一等奖第2名{}"
    honour = Facts(
        "honour", "honour:1:technical_expert", "张伟", "", "C", "city", "钳工", "technical_expert"
    )
    assert rules.fill("{award}{rank}", honour.values()) == "技术能手"


@pytest.mark.parametrize(
    ("template", "text"),
    [
        ("{姓名}同志", "张伟同志"),
        ("{单位}{级别}{竞赛}{工种}", "济南第二机床厂省级2019年山东省职工职业技能大赛钳工"),
        ("{奖项}第{名次}名{团队}", "一等奖第2名"),
        ("{name}与{姓名}", "张伟与张伟"),
    ],
)
def test_fields_may_be_written_with_chinese_names(template, text):
    assert rules.template_problem(template) is None
    assert rules.fill(template, FACTS.values()) == text


def test_fingerprint_covers_what_is_printed():
    from dataclasses import replace

    same = rules.fingerprint(FACTS)
    assert rules.fingerprint(replace(FACTS)) == same
    for change in (
        {"name": "张伟伟"},
        {"award": "second"},
        {"rank": 3},
        {"unit": "x"},
        {"team": "t"},
    ):
        assert rules.fingerprint(replace(FACTS, **change)) != same
    assert rules.fingerprint(replace(FACTS, id_masked="3701**********1234")) == same


def _facts(subject: str, award: str = "first", rank: int = 1) -> Facts:
    return Facts("individual", subject, subject, "", "C", "city", "T", award, rank)


def _held(id_: int, facts: Facts) -> Held:
    return Held(id_, facts.subject, rules.fingerprint(facts))


A, B, C = _facts("entry:1"), _facts("entry:2", "second", 2), _facts("entry:3", "third", 3)


@pytest.mark.parametrize(
    ("held", "wanted", "keep", "issue", "revoke"),
    [
        ([], [A, B], (), (A, B), ()),  # first run: everything
        ([_held(1, A), _held(2, B)], [A, B], (1, 2), (), ()),  # same job again: nothing new
        ([_held(1, A)], [A, B], (1,), (B,), ()),  # a new winner
        (  # an upheld appeal: B's award changed
            [_held(1, A), _held(2, B)],
            [A, _facts("entry:2", "first", 1)],
            (1,),
            (_facts("entry:2", "first", 1),),
            (2,),
        ),
        ([_held(1, A), _held(3, C)], [A], (1,), (), (3,)),  # C no longer earns one
        ([_held(1, A)], [], (), (), (1,)),
    ],
)
def test_plan_issue(held, wanted, keep, issue, revoke):
    assert rules.plan_issue(held, wanted) == rules.Plan(keep, issue, revoke)


def test_chinese_date():
    assert rules.chinese_date(date(2019, 5, 20)) == "2019年5月20日"


def measure(text: str) -> float:
    """A fake font: CJK characters 1 em wide, everything else half."""
    return sum(1.0 if ord(c) > 0x2E80 else 0.5 for c in text)


@pytest.mark.parametrize(
    ("text", "max_width", "size", "lines"),
    [
        ("一二三四五", 100, 10, ["一二三四五"]),
        ("一二三四五六七八九十", 50, 10, ["一二三四五", "六七八九十"]),
        ("一二三四，五六", 40, 10, ["一二三", "四，五六"]),  # no line starts with "，"
        ("Zhang Weiwei Zhang", 50, 10, ["Zhang", "Weiwei", "Zhang"]),  # breaks at spaces
        ("ABCDEFGHIJKL", 30, 10, ["ABCDEF", "GHIJKL"]),  # a word wider than a line
        ("", 30, 10, [""]),
    ],
)
def test_wrap(text, max_width, size, lines):
    got = rules.wrap(text, measure, max_width, size)
    assert got == lines
    assert all(measure(line) * size <= max_width for line in got)


@pytest.mark.parametrize(
    ("name", "size", "lines"),
    [
        ("张伟", 30, 1),  # fits at the preferred size
        ("欧阳娜娜娜娜娜娜", 25, 1),  # 8 em: shrinks to 200/8 = 25
        ("阿卜杜热合曼·买买提艾力·阿卜杜拉", 16, 2),  # too long even at 16: wrapped
    ],
)
def test_fit_line_shrinks_then_wraps(name, size, lines):
    fitted = rules.fit_line(name, measure, 200, 30, 16)
    assert fitted.size == size and len(fitted.lines) == lines
    assert "".join(fitted.lines) == name
    assert all(measure(line) * fitted.size <= 200 for line in fitted.lines)


def test_fit_block_shrinks_to_the_box_height():
    paragraphs = ["一" * 40, "二" * 20]
    roomy = rules.fit_block(paragraphs, measure, (200, 500), 20, 10)
    assert roomy.size == 20 and len(roomy.lines) == 6
    tight = rules.fit_block(paragraphs, measure, (200, 100), 20, 10, leading=1.5)
    assert tight.size < 20
    assert len(tight.lines) * tight.size * 1.5 <= 100
    assert all(measure(line) * tight.size <= 200 for line in tight.lines)
    indented = rules.fit_block(["一二三"], measure, (200, 100), 20, 10, indent="\u3000\u3000")
    assert indented.lines == ("\u3000\u3000一二三",)


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("张伟", "张伟"),
        ("济南 代表队", "济南_代表队"),
        ("钳工/焊工", "钳工_焊工"),
        ("../../etc/passwd", "etc_passwd"),
        ("..", "_"),
        (".hidden", "hidden"),
        ('a\\b:c*d?e"f<g>h|i', "a_b_c_d_e_f_g_h_i"),
        ("王芳\u202egpj.exe", "王芳_gpj.exe"),  # right-to-left override
        ("王\u2066芳\u2069", "王_芳"),
        ("王\u200b芳", "王_芳"),  # zero-width space
        ("王\x00芳\x1b[0m", "王_芳_[0m"),
        ("王\n\t芳", "王_芳"),
        ("王\u2028芳", "王_芳"),  # line separator
        ("", "_"),
        ("\u202e", "_"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("COM1", "_COM1"),
        ("CONTEST", "CONTEST"),
        ("张" * 100, "张" * 80),
    ],
)
def test_file_name_part(text, part):
    assert rules.file_name_part(text) == part
