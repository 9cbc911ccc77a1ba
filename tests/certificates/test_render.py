"""Certificate PDFs as a person's tools read them: Chinese text, embedded font, a QR code."""

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from competitions.certificates.models import DEFAULT_BODY, DEFAULT_HONOUR_BODY, DEFAULT_TEAM_BODY
from competitions.certificates.rules import Facts
from competitions.certificates.services import render
from tests.certificates.pdf_tools import fonts_of, png_of, qr_of, text_of

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
SEAL = Path(__file__).with_name("seal.png")
NUMBER = "SD19-0602-0001-7KQ2M"
FACTS = Facts(
    "individual",
    "entry:1",
    "张伟",
    "济南第二机床厂",
    "2019年山东省职工职业技能大赛",
    "province",
    "钳工",
    "first",
    1,
    "济南代表队",
)


def renderer(**changes) -> render.Renderer:
    design = render.Design(
        title="获奖证书",
        honour_title="荣誉证书",
        bodies={
            "individual": DEFAULT_BODY,
            "team": DEFAULT_TEAM_BODY,
            "honour": DEFAULT_HONOUR_BODY,
        },
        issuers=("山东省总工会", "山东省人力资源和社会保障厅"),
        seals=(SEAL.read_bytes(),),
        base_url="https://jingsai.example.cn",
    )
    return render.Renderer(replace(design, **changes), render.face(FONT))


def write(tmp_path: Path, data: bytes, name: str = "c.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_certificate_reads_in_chinese_with_its_font_embedded(tmp_path):
    pdf = write(tmp_path, renderer().render(FACTS, NUMBER, date(2019, 5, 20)))
    assert pdf.read_bytes().startswith(b"%PDF-1.4")
    text = text_of(pdf)
    for words in (
        "获奖证书",
        "张伟",
        "一等奖",
        "2019年山东省职工职业技能大赛钳工",
        "山东省总工会",
        "2019年5月20日",
        NUMBER,
    ):
        assert words in text.replace(" ", "").replace("\n", ""), words
    (font,) = fonts_of(pdf)
    assert font[0].endswith("+WenQuanYiMicroHei") and len(font[0].split("+")[0]) == 6
    assert font[1:3] == ["CID", "TrueType"]
    assert font[-5:-2] == ["yes", "yes", "yes"]  # embedded, subset, maps back to Unicode


def test_the_qr_code_leads_to_the_verification_page(tmp_path):
    pdf = write(tmp_path, renderer().render(FACTS, NUMBER, date(2019, 5, 20)))
    assert qr_of(png_of(pdf)) == f"https://jingsai.example.cn/verify/{NUMBER}"


def test_each_certificate_of_a_batch_has_its_own_glyphs(tmp_path):
    """The shared drawing uses the same glyph ids in every file; each file's own text must
    still read right whatever its characters."""
    batch = renderer()
    names = ["欧阳娜娜", "Zhang Wei", "买买提·艾力", "赵钱孙李周吴郑王"]
    for n, name in enumerate(names):
        facts = replace(FACTS, name=name, award=("first", "second", "third", "mention")[n])
        pdf = write(tmp_path, batch.render(facts, NUMBER, date(2019, 5, 20)), f"{n}.pdf")
        text = text_of(pdf).replace("\n", "")
        assert name in text and "获奖证书" in text
        assert ("一等奖", "二等奖", "三等奖", "优胜奖")[n] in text


def test_team_and_honour_certificates(tmp_path):
    batch = renderer()
    team = replace(FACTS, kind="team", subject="team:1", name="济南代表队")
    text = text_of(write(tmp_path, batch.render(team, NUMBER, date(2019, 5, 20)), "t.pdf"))
    text = text.replace("\n", "")
    assert "获奖证书" in text and "济南代表队：" in text and "团体一等奖" in text
    honour = replace(FACTS, kind="honour", award="technical_expert")
    text = text_of(write(tmp_path, batch.render(honour, NUMBER, date(2019, 5, 20)), "h.pdf"))
    assert "荣誉证书" in text and "技术能手" in text.replace("\n", "")


@pytest.mark.parametrize(
    "name",
    [
        "阿卜杜热合曼·买买提艾力·阿卜杜拉·艾合买提江·吐尔逊",  # longer than the line
        "Maximilian Alexander von Hohenzollern-Sigmaringen Jr.",
    ],
)
def test_a_long_name_shrinks_or_wraps_and_never_overflows(tmp_path, name):
    batch = renderer()
    facts = replace(FACTS, name=name)
    layout = batch.layout(facts, NUMBER, date(2019, 5, 20))
    for x, _y, size, line, _ in layout.runs:
        assert (
            x + batch.font.measure(line) * size <= render.BODY_RIGHT + 0.01 or x > render.BODY_RIGHT
        )
    body = [run for run in layout.runs if run[0] == render.BODY_LEFT]
    assert all(run[1] >= render.BODY_BOTTOM for run in body)
    assert "".join(run[3] for run in body).replace(" ", "").startswith(name.replace(" ", ""))
    text = text_of(write(tmp_path, batch.render(facts, NUMBER, date(2019, 5, 20))))
    assert name.replace(" ", "") in text.replace("\n", "").replace(" ", "")


def test_a_background_picture_is_embedded(tmp_path):
    from io import BytesIO

    from PIL import Image

    picture = BytesIO()
    Image.new("RGB", (1200, 850), (250, 240, 220)).save(picture, "JPEG")
    pdf = write(
        tmp_path, renderer(background=picture.getvalue()).render(FACTS, NUMBER, date(2019, 5, 20))
    )
    assert b"/DCTDecode" in pdf.read_bytes() and "张伟" in text_of(pdf)
    assert qr_of(png_of(pdf)).endswith(NUMBER)


def test_a_missing_font_is_a_clear_error(tmp_path):
    with pytest.raises(render.FontMissing, match="cannot read the certificate font"):
        render.Face(str(tmp_path / "nowhere.ttf"))


def test_the_longest_title_and_issuers_the_form_allows_stay_on_the_page():
    batch = renderer(title="中华全国总工会职工职业技能大赛获奖誉证书", issuers=("单" * 40,) * 3)
    for title, text in batch._shared_text.values():
        for x, _y, size, line, spacing in title.runs + text.runs:
            width = batch.font.measure(line) * size + spacing * (len(line) - 1)
            assert x >= 36 and x + width <= render.PAGE_W - 36, line


@pytest.mark.parametrize(
    "text",
    [
        "",
        "获奖证书荣誉证书山东省总工会",
        "张伟同志：在2019年山东省职工职业技能大赛钳工比赛中成绩优异，荣获一等奖。",
        "ABC abc 0123 扫码或登录 https://jingsai.example.cn/verify 查验真伪 证书编号：",
        "欧阳明华\u3000\u3000（）《》、；：！？\U0001f600\ue000",  # no glyph: .notdef
    ],
)
def test_the_fast_subset_is_reportlabs_byte_for_byte(text):
    """The font program embedded in each certificate is what ReportLab's subsetter makes."""
    face = render.face(FONT)
    chars = list(dict.fromkeys(text))
    assert face.subset(chars) == face.file.makeSubset([ord(c) for c in chars])


def test_the_fast_subset_holds_the_parts_of_composite_glyphs():
    """Many CJK glyphs are built of other glyphs: the parts join the subset, renumbered."""
    face = render.face(FONT)
    chars = [chr(code) for code in sorted(face.file.charToGlyph)[2000:2400:3]]
    program = face.subset(chars)
    assert program == face.file.makeSubset([ord(c) for c in chars])
    tables = int.from_bytes(program[4:6], "big")
    directory = {
        program[at : at + 4]: int.from_bytes(program[at + 8 : at + 12], "big")
        for at in range(12, 12 + 16 * tables, 16)
    }
    glyphs = int.from_bytes(program[directory[b"maxp"] + 4 : directory[b"maxp"] + 6], "big")
    assert glyphs > len(chars) + 1  # .notdef, the characters' glyphs, and their parts
