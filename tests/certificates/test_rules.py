"""The pure rules of certificates, pinned by tables of cases."""

from datetime import date

import pytest

from competitions.certificates import rules
from competitions.certificates.rules import Facts, Held

KEY = b"test-secret"


def number(seq: int, contest: str = "SD-PROV", trade: str = "6-20-01") -> str:
    return rules.certificate_number(2019, contest, trade, seq, KEY)


@pytest.mark.parametrize(
    ("code", "segment"),
    [
        ("SD-PROV", "SD-PROV"),
        ("sd prov", "SD-PROV"),
        ("６-20-01", "6-20-01"),  # full-width digit
        ("  钳工 A/B ", "A-B"),
        ("省赛", "X"),
    ],
)
def test_code_segment(code, segment):
    assert rules.code_segment(code) == segment


def test_number_shape_and_check_part():
    first = number(1)
    assert first.startswith("2019-SD-PROV-6-20-01-0001-")
    check = first.rsplit("-", 1)[1]
    assert len(check) == 6 and set(check) <= set(rules.CHECK_ALPHABET)
    assert not set(check) & set("ILOU")
    # deterministic, but a neighbour's check part cannot be told from this one
    assert number(1) == first
    assert number(2).rsplit("-", 1)[1] != check
    assert rules.certificate_number(2019, "SD-PROV", "6-20-01", 1, b"other") != first
    assert number(12345).split("-")[-2] == "12345"


def test_checks_spread_over_the_alphabet():
    checks = {number(seq).rsplit("-", 1)[1] for seq in range(1, 301)}
    assert len(checks) == 300
    assert set("".join(checks)) == set(rules.CHECK_ALPHABET)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2019-SD-PROV-6-20-01-0001-ABC123", "2019-SD-PROV-6-20-01-0001-ABC123"),
        ("  2019 - sd-prov-6-20-01-0001-abc123 ", "2019-SD-PROV-6-20-01-0001-ABC123"),
        (
            "２０１９－ＳＤ－ＰＲＯＶ－６－２０－０１－０００１－ＡＢＣ１２３",
            "2019-SD-PROV-6-20-01-0001-ABC123",
        ),
        (
            "2019—SD–PROV-6-20-01-0001-ABCOIL",
            "2019-SD-PROV-6-20-01-0001-ABC011",
        ),  # O, I, L in check
        ("2019_SD_PROV_6_20_01_0001_ABCU23", "2019-SD-PROV-6-20-01-0001-ABCV23"),
        ("hello world-lol", "HELLOWORLD-LOL"),  # not a number: no letters read as digits
        ("", ""),
    ],
)
def test_normalise_number(typed, expected):
    assert rules.normalise_number(typed) == expected


def test_a_typed_number_with_typos_still_matches():
    genuine = number(7)
    typed = " " + genuine.lower().replace("0", "o", 1).replace("-", " - ", 1)
    # "o" in the year becomes "O": not a digit, so the typo in the year part is NOT forgiven…
    assert rules.number_problem(rules.normalise_number(typed), KEY) is not None
    # …but in the check part it is
    check = genuine.rsplit("-", 1)[1]
    sloppy = genuine[: -len(check)] + check.lower().replace("1", "l").replace("0", "o")
    assert rules.normalise_number(sloppy) == genuine
    assert rules.number_problem(rules.normalise_number(sloppy), KEY) is None


@pytest.mark.parametrize(
    ("typed", "msgid"),
    [
        ("", "type the certificate number"),
        ("hello", "%(number)s is not a certificate number: it reads like %(example)s"),
        ("2019-SD-0001", "%(number)s is not a certificate number: it reads like %(example)s"),
        (
            "<script>alert(1)</script>",
            "%(number)s is not a certificate number: it reads like %(example)s",
        ),
        (
            "2019-SD-PROV-6-20-01-0001-ABC12",
            "%(number)s is not a certificate number: it reads like %(example)s",
        ),
        (
            "2019-SD-PROV-6-20-01-0001-ABC12!",
            "%(number)s is not a certificate number: it reads like %(example)s",
        ),
        (
            "2019-SD-PROV-6-20-01-0001-AAAAAA",
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
