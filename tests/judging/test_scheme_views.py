"""The marking scheme pages, as an organiser uses them (on SQLite and PostgreSQL)."""

import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask_babel import gettext
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import func, select

from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.judging.models import MarkingLock, PanelMember, SchemeItem, SchemePart
from competitions.judging.services import scheme as services
from competitions.judging.services.marks import save_score
from competitions.judging.services.scheme_import import ItemSpec
from competitions.registry.models import Entry, Person
from tests import factories as f

CIS = Path(__file__).resolve().parents[1] / "data"
CIS = CIS / "worldskills-uk-2024-web-development-cis-marking-scheme.xlsx"


def _world():
    """A city contest with a fitter trade, its organiser and judge; another contest's organiser."""
    org, other, judge = f.user("org"), f.user("other"), f.user("judge")
    contest, elsewhere = f.contest("JN-CITY"), f.contest("QD-CITY")
    f.grant(org, contest, "organiser")
    f.grant(other, elsewhere, "organiser")
    f.grant(judge, contest, "judge")
    fitter = f.trade()
    ct = f.contest_trade(contest, fitter)
    db.session.add(PanelMember(assessment_id=ct.id, user_id=judge.id, role="judge"))
    db.session.commit()
    return {"org": org, "other": other, "judge": judge, "contest": contest, "ct": ct}


def _text(app, msgid: str, **params) -> str:
    """A message as the pages show it (in the pages' language, HTML-escaped)."""
    with app.test_request_context():
        return str(escape(gettext(msgid, **params)))


def _item(**changes) -> dict:
    data = {
        "part": "practical",
        "code": "M1",
        "criterion": "尺寸精度",
        "description": "外径 Φ20±0.02",
        "kind": "measurement",
        "max_mark": "5",
        "scale": "marks",
        "step": "",
        "judges": "",
        "aggregation": "mean",
        "tolerance": "",
    }
    return data | changes


def _count(model=SchemeItem) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _specs(ct_id: int) -> list[ItemSpec]:
    db.session.expire_all()
    return [services.spec_of(item) for item in services.scheme_items(ct_id)]


def _upload(client, ct_id: int, data: bytes, **fields):
    return client.post(
        f"/contest-trades/{ct_id}/scheme/import",
        data={"file": (io.BytesIO(data), "scheme.xlsx"), **fields},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("changes", "field", "msgid"),
    [
        ({"max_mark": "0"}, "max_mark", "must be greater than 0"),
        ({"max_mark": "sNaN"}, "max_mark", "not a number"),
        (
            {"kind": "judgement", "judges": "5", "aggregation": "closest_pair"},
            "aggregation",
            "the closest pair needs exactly 3 judges",
        ),
        ({"scale": "ws3"}, "scale", "the 0-3 scale is only for judgement items"),
        (
            {"judges": "2", "aggregation": "trimmed_mean"},
            "aggregation",
            "the trimmed mean needs at least 3 judges",
        ),
    ],
)
def test_a_wrong_item_is_refused_beside_its_field(app, client, login, changes, field, msgid):
    w = _world()
    login("org")
    page = client.post(f"/contest-trades/{w['ct'].id}/scheme/items/new", data=_item(**changes))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.findall(r'id="(\w+)-error"', html) == [field]
    assert _text(app, msgid) in html
    assert _count() == 0


def test_adding_items_creates_the_part_and_refuses_a_repeated_code(app, client, login):
    w = _world()
    ct = w["ct"]
    login("org")
    url = f"/contest-trades/{ct.id}/scheme/items/new"
    assert client.post(url, data=_item()).status_code == 303
    judged = _item(code="J1", kind="judgement", max_mark="3", scale="ws3", tolerance="1")
    assert client.post(url, data=judged).status_code == 303
    assert _specs(ct.id) == [
        ItemSpec("practical", "M1", "尺寸精度", "外径 Φ20±0.02", "measurement", Decimal(5)),
        ItemSpec(
            "practical", "J1", "尺寸精度", "外径 Φ20±0.02", "judgement", Decimal(3), "ws3",
            Decimal(1), 3, "mean", Decimal(1),
        ),
    ]  # fmt: skip
    again = client.post(url, data=_item(max_mark="8")).get_data(as_text=True)
    assert re.findall(r'id="(\w+)-error"', again) == ["code"]
    assert _count() == 2
    # The same code in the other part is another item; the theory part is made on first use.
    assert client.post(url, data=_item(part="theory")).status_code == 303
    assert [p.kind for p in db.session.scalars(select(SchemePart).order_by(SchemePart.id))] == [
        "practical",
        "theory",
    ]
    logged = db.session.scalars(select(AuditLog).filter_by(entity="scheme_item")).all()
    assert [(row.action, row.user_id) for row in logged] == [("create", w["org"].id)] * 3


def test_editing_and_deleting_an_item(client, login):
    w = _world()
    ct = w["ct"]
    keep = services.add_item(ct.id, ItemSpec("practical", "M1", "", "", "measurement", 5), None)
    other = services.add_item(ct.id, ItemSpec("practical", "M2", "", "", "measurement", 5), None)
    db.session.commit()
    login("org")
    base = f"/contest-trades/{ct.id}/scheme/items"
    form = client.get(f"{base}/{keep.id}/edit").get_data(as_text=True)
    shown = re.search(r'<input[^>]*name="max_mark"[^>]*value="([^"]*)"', form).group(1)
    assert shown == "5"  # not 5.0000
    taken = client.post(f"{base}/{keep.id}/edit", data=_item(code="M2")).get_data(as_text=True)
    assert re.findall(r'id="(\w+)-error"', taken) == ["code"]
    moved = _item(part="theory", code="M2", max_mark="7.5", step="0.5", tolerance="1")
    assert client.post(f"{base}/{keep.id}/edit", data=moved).status_code == 303
    assert client.post(f"{base}/{other.id}/delete").status_code == 303
    assert _specs(ct.id) == [
        ItemSpec("theory", "M2", "尺寸精度", "外径 Φ20±0.02", "measurement", Decimal("7.5"),
                 step=Decimal("0.5"), tolerance=Decimal(1)),
    ]  # fmt: skip
    rows = db.session.scalars(select(AuditLog).filter_by(entity="scheme_item")).all()
    update = next(r for r in rows if r.action == "update")
    assert update.user_id == w["org"].id
    assert update.changes["max_mark"] == ["5", "7.5"]
    assert update.changes["part"] == ["practical", "theory"]
    assert [(r.action, r.entity_id) for r in rows if r.action == "delete"] == [("delete", other.id)]


def test_the_scheme_page_shows_parts_items_and_the_missing_part(client, login):
    w = _world()
    ct = w["ct"]
    services.add_item(ct.id, ItemSpec("practical", "M1", "A", "", "measurement", Decimal(70)), None)
    db.session.commit()
    login("org")
    page = client.get(f"/contest-trades/{ct.id}/scheme").get_data(as_text=True)
    practical = re.search(r'<tr id="part-practical">(.*?)</tr>', page, re.S).group(1)
    assert "<td>1</td><td>70</td>" in practical
    assert 'data-missing="theory"' in page  # weights 30/70 need a theory part
    ct.theory_weight, ct.practical_weight = Decimal(0), Decimal(100)
    db.session.commit()
    page = client.get(f"/contest-trades/{ct.id}/scheme").get_data(as_text=True)
    assert "data-missing" not in page  # practical-only trade
    contest_page = client.get(f"/contests/{w['contest'].id}").get_data(as_text=True)
    assert f'href="/contest-trades/{ct.id}/scheme"' in contest_page


def test_importing_the_worldskills_file_shows_its_220_items(client, login):
    w = _world()
    ct = w["ct"]
    login("org")
    response = _upload(client, ct.id, CIS.read_bytes())
    assert response.status_code == 303
    page = client.get(f"/contest-trades/{ct.id}/scheme").get_data(as_text=True)
    assert page.count('data-code="') == 220
    assert 'data-code="B4.M5"' in page
    practical = re.search(r'<tr id="part-practical">(.*?)</tr>', page, re.S).group(1)
    assert "<td>220</td><td>100</td>" in practical
    assert sum(s.max_mark for s in _specs(ct.id)) == Decimal(100)


def test_a_refused_import_lists_the_problems_and_changes_nothing(app, client, login):
    w = _world()
    ct = w["ct"]
    services.add_item(ct.id, ItemSpec("theory", "T1", "", "", "measurement", Decimal(100)), None)
    db.session.commit()
    login("org")
    book = load_workbook(CIS)
    book["CIS Marking Scheme Import"]["K41"] = 0.75
    tampered = io.BytesIO()
    book.save(tampered)
    page = _upload(client, ct.id, tampered.getvalue(), replace="y").get_data(as_text=True)
    row = re.search(r'<table class="grid" id="problems">.*?<tbody>(.*?)</tbody>', page, re.S)
    message = "criterion %(id)s: declared %(declared)s, but its aspects add up to %(found)s"
    expected = _text(app, message, id="A", declared="30", found="30.25")
    assert row.group(1).split() == f"<tr><td>15</td><td>K Mark</td><td>{expected}</td></tr>".split()
    # The same problems as a file to download, as the entries import offers them.
    href = re.search(r'id="error-report" href="([^"]+)"', page).group(1)
    report = client.get(href)
    assert report.headers["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(report.data)).active
    assert [c.value for c in sheet[2]][:2] == [15, "K Mark"]
    assert expected in [c.value for c in sheet[2]]
    assert client.get(href.replace("/errors.xlsx", "x/errors.xlsx")).status_code == 404
    junk = _upload(client, ct.id, b"not a workbook", replace="y").get_data(as_text=True)
    assert _text(app, "this file is not an .xlsx spreadsheet") in junk
    # Replacing a scheme needs a tick: without it, the field says so.
    unticked = _upload(client, ct.id, CIS.read_bytes()).get_data(as_text=True)
    assert re.findall(r'id="(\w+)-error"', unticked) == ["replace"]
    assert [s.code for s in _specs(ct.id)] == ["T1"]


def test_download_then_import_gives_the_same_scheme(client, login):
    w = _world()
    ct = w["ct"]
    login("org")
    url = f"/contest-trades/{ct.id}/scheme/items/new"
    client.post(url, data=_item(part="theory", code="T1", max_mark="30", description="=1+1"))
    client.post(url, data=_item(code="J1", kind="judgement", judges="5", max_mark="10"))
    client.post(url, data=_item(code="J1", part="theory", kind="judgement", scale="ws3"))
    client.post(url, data=_item(code="M2", max_mark="0.125", aggregation="median"))
    before = _specs(ct.id)
    assert [s.code for s in before] == ["T1", "J1", "J1", "M2"]
    download = client.get(f"/contest-trades/{ct.id}/scheme.xlsx")
    assert download.status_code == 200
    assert download.mimetype.endswith("spreadsheetml.sheet")
    target = f.contest_trade(f.contest("JN-2020", year=2020), f.trade("6-18-02", "焊工", "Welder"))
    f.grant(w["org"], target.contest, "organiser")
    db.session.commit()
    assert _upload(client, target.id, download.data).status_code == 303
    assert _specs(target.id) == before


def test_copy_from_another_contest_trade(client, login):
    w = _world()
    ct, org = w["ct"], w["org"]
    welder = f.trade("6-18-02", "焊工", "Welder")
    newer = f.contest_trade(f.contest("JN-2020", year=2020), welder)
    fitter = f.contest_trade(f.contest("JN-2017", year=2017), ct.trade)  # the same trade, older
    theirs = f.contest_trade(f.contest("QD-2018", year=2018), welder)
    for source in (newer, fitter):
        f.grant(org, source.contest, "organiser")
    f.grant(w["other"], theirs.contest, "organiser")
    judged = ItemSpec("practical", "J1", "外观", "0: 差", "judgement", Decimal(7), "ws3", 1, 3)
    for source in (newer, fitter, theirs):
        services.add_item(source.id, ItemSpec("theory", "T1", "", "", "measurement", 30), None)
        services.add_item(source.id, replace(judged, code=f"J{source.id}"), None)
    db.session.commit()
    login("org")
    url = f"/contest-trades/{ct.id}/scheme/copy"
    page = client.get(url).get_data(as_text=True)
    options = re.findall(r'<option (?:selected )?value="(\d+)"', page)
    assert options == [str(fitter.id), str(newer.id)]  # same trade first; not other contests'
    refused = client.post(url, data={"source_id": theirs.id}).get_data(as_text=True)
    assert re.findall(r'id="(\w+)-error"', refused) == ["source_id"]
    assert _specs(ct.id) == []
    assert client.post(url, data={"source_id": newer.id}).status_code == 303
    assert _specs(ct.id) == _specs(newer.id)
    assert [s.code for s in _specs(ct.id)] == ["T1", f"J{newer.id}"]


def _marked_world():
    w = _world()
    ct = w["ct"]
    item = services.add_item(ct.id, ItemSpec("practical", "M1", "", "", "measurement", 5), None)
    person = Person(
        name="张三",
        gender="M",
        birth_date=date(1990, 1, 1),
        id_number=f.resident_id(date(1990, 1, 1)),
    )
    db.session.add(person)
    db.session.flush()
    entry = Entry(person_id=person.id, contest_trade_id=ct.id, status="approved")
    db.session.add(entry)
    db.session.flush()
    save_score(ct.id, entry.id, item.id, w["judge"].id, Decimal(4), changed_by=w["judge"].id)
    db.session.commit()
    return w, item


def test_the_scheme_cannot_change_once_marks_exist(app, client, login):
    w, item = _marked_world()
    ct = w["ct"]
    login("org")
    base = f"/contest-trades/{ct.id}/scheme"
    attempts = [
        client.post(f"{base}/items/{item.id}/edit", data=_item(max_mark="9")),
        client.post(f"{base}/items/{item.id}/delete"),
        client.post(f"{base}/items/new", data=_item(code="M2")),
        _upload(client, ct.id, CIS.read_bytes(), replace="y"),
        client.get(f"{base}/items/{item.id}/edit"),
    ]
    assert [r.status_code for r in attempts] == [303] * 5
    assert [(s.code, s.max_mark) for s in _specs(ct.id)] == [("M1", Decimal(5))]
    page = client.get(base).get_data(as_text=True)
    assert _text(app, "the scheme is in use: marks have been entered") in page
    assert f"/items/{item.id}/edit" not in page


def test_the_scheme_cannot_change_once_the_marks_are_locked(app, client, login):
    w = _world()
    ct = w["ct"]
    db.session.add(MarkingLock(assessment_id=ct.id, locked=True))
    db.session.commit()
    login("org")
    response = client.post(f"/contest-trades/{ct.id}/scheme/items/new", data=_item())
    assert response.status_code == 303
    assert _count() == 0
    page = client.get(response.location).get_data(as_text=True)
    assert _text(app, "the marks are locked by the chief judge") in page


@pytest.mark.parametrize("username", ["other", "judge"])
def test_only_the_contests_organisers_reach_the_scheme(client, login, username):
    w = _world()
    ct = w["ct"]
    item = services.add_item(ct.id, ItemSpec("practical", "M1", "", "", "measurement", 5), None)
    db.session.commit()
    base = f"/contest-trades/{ct.id}/scheme"
    routes = [
        ("GET", base, None),
        ("GET", f"{base}.xlsx", None),
        ("GET", f"{base}/items/new", None),
        ("POST", f"{base}/items/new", _item(code="M2")),
        ("GET", f"{base}/items/{item.id}/edit", None),
        ("POST", f"{base}/items/{item.id}/edit", _item(max_mark="9")),
        ("POST", f"{base}/items/{item.id}/delete", {}),
        ("GET", f"{base}/import", None),
        ("GET", f"{base}/copy", None),
        ("POST", f"{base}/copy", {"source_id": ct.id}),
    ]
    login(username)
    for method, url, data in routes:
        assert client.open(url, method=method, data=data).status_code == 403, (method, url)
    assert _upload(client, ct.id, CIS.read_bytes(), replace="y").status_code == 403
    assert [(s.code, s.max_mark) for s in _specs(ct.id)] == [("M1", Decimal(5))]
