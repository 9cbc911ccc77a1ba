"""Anonymous codes: drawn at random, kept on re-drawing, revealed only after the lock, logged."""

import io
import random

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from competitions.core.db import db
from competitions.judging.models import CodeReveal, SubjectCode
from competitions.judging.services.codes import _fresh_codes
from tests import factories as f
from tests.judging.panel_world import entry, lock, login_en, seat, world


def _codes(ct) -> dict[int, SubjectCode]:
    db.session.expire_all()
    return {
        c.subject_id: c
        for c in db.session.scalars(select(SubjectCode).filter_by(assessment_id=ct.id))
    }


def _draw(client, ct, stations: bool = False):
    data = {"stations": "y"} if stations else {}
    return client.post(f"/contest-trades/{ct.id}/codes/draw", data=data, follow_redirects=True)


def _spearman(xs: list[int], ys: list[int]) -> float:
    """Rank correlation of two lists without ties (1 for the same order, −1 for reversed)."""
    rank = lambda v: {x: i for i, x in enumerate(sorted(v))}  # noqa: E731
    rx, ry = rank(xs), rank(ys)
    n = len(xs)
    d2 = sum((rx[x] - ry[y]) ** 2 for x, y in zip(xs, ys, strict=True))
    return 1 - 6 * d2 / (n * (n * n - 1))


def test_codes_are_unique_not_in_entry_order_and_kept_when_drawing_again(client, login):
    w = world()
    for i in range(44):
        entry(w.ct, f"选手{i:02d}", 100 + i)
    db.session.commit()
    login_en(client, login, "organiser")
    page = _draw(client, w.ct, stations=True).get_data(as_text=True)
    assert "49 codes drawn." in page  # 5 + 44 marked entries; the withdrawn one gets none
    first = _codes(w.ct)
    assert w.entries["withdrawn"].id not in first
    in_entry_order = [int(first[e].code) for e in sorted(first)]
    assert len(set(in_entry_order)) == 49
    assert all(len(str(code)) == 3 for code in in_entry_order)
    # A sequential numbering scores 1 here; 49 random codes stay far from it (|ρ| > 0.8: ~1e-8).
    assert abs(_spearman(sorted(first), in_entry_order)) < 0.8
    assert in_entry_order != sorted(in_entry_order)
    assert max(in_entry_order) - min(in_entry_order) > 49  # not a run of consecutive numbers
    assert sorted(c.station for c in first.values()) == list(range(1, 50))
    late = entry(w.ct, "迟到者", 300)
    db.session.commit()
    assert "1 code drawn." in _draw(client, w.ct).get_data(as_text=True)
    second = _codes(w.ct)
    assert {e: c.code for e, c in second.items() if e != late.id} == {
        e: c.code for e, c in first.items()
    }
    assert second[late.id].code not in {c.code for c in first.values()}
    assert second[late.id].station is None  # not asked for this time
    _draw(client, w.ct, stations=True)
    assert sorted(c.station for c in _codes(w.ct).values()) == list(range(1, 51))


@pytest.mark.parametrize(
    ("count", "taken", "width"),
    [
        (5, set(), 3),
        (5, {"100", "101", "102"}, 3),
        (95, {str(n) for n in range(100, 900)}, 4),  # too many for 3 digits beside 800 taken
        (3, {"12345"}, 5),  # as wide as the codes already drawn
    ],
)
def test_fresh_codes_never_reuse_a_taken_code(count, taken, width):
    codes = _fresh_codes(count, taken, random.Random(7))
    assert len(codes) == len(set(codes)) == count
    assert not set(codes) & taken
    assert {len(c) for c in codes} == {width}


def test_the_list_stays_closed_until_the_lock_then_every_view_is_logged(client, login):
    w = world()
    login_en(client, login, "organiser")
    _draw(client, w.ct)
    url = f"/contest-trades/{w.ct.id}/codes"
    page = client.get(url).get_data(as_text=True)
    assert "Codes drawn: 5." in page and "opens after the chief judge locks the marks" in page
    names = [e.person.name for e in w.entries.values()]
    assert not any(name in page for name in names)
    assert not any(f"<td>{c.code}</td>" in page for c in _codes(w.ct).values())
    assert db.session.scalars(select(CodeReveal)).all() == []
    assert client.get(f"{url}.xlsx").status_code == 303  # no export before the lock either
    lock(w.ct)
    for _ in range(2):
        page = client.get(url).get_data(as_text=True)
    codes = _codes(w.ct)
    assert codes[w.entries["steel"].id].code in page and "张炼钢" in page
    assert "济钢炼钢厂" in page and "济南代表队" in page
    log = db.session.scalars(select(CodeReveal)).all()
    assert [(r.user_id, r.what) for r in log] == [(w.users["organiser"].id, "page")] * 2
    assert page.split('id="reveals"')[1].count("Organiser") == 2


def test_the_export_is_logged_and_neutralises_formulas(client, login):
    w = world()
    w.entries["luzhong"].person.name = "=HYPERLINK(1)"
    w.units["quancheng"].name = "-泉城"
    db.session.commit()
    login_en(client, login, "organiser")
    _draw(client, w.ct)
    lock(w.ct)
    response = client.get(f"/contest-trades/{w.ct.id}/codes.xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Code", "Station", "Name", "Unit", "Delegation")
    cells = {cell for row in rows for cell in row}
    assert "'=HYPERLINK(1)" in cells and "'-泉城" in cells and "张炼钢" in cells
    assert len(rows) == 6
    log = db.session.scalars(select(CodeReveal)).all()
    assert [r.what for r in log] == ["export"]


def test_drawing_is_refused_once_the_marks_are_locked(client, login):
    w = world()
    lock(w.ct)
    login_en(client, login, "organiser")
    page = _draw(client, w.ct).get_data(as_text=True)
    assert "the marks are locked by the chief judge" in page
    assert _codes(w.ct) == {}


def test_the_organisers_panel_page_shows_codes_not_names_once_drawn(client, login):
    w = world()
    member = seat(w.ct, w.users["judge1"])
    db.session.commit()
    login_en(client, login, "organiser")
    before = client.get(f"/contest-trades/{w.ct.id}/panel").get_data(as_text=True)
    assert "张炼钢" in before.split(f'id="member-{member.id}"')[1]
    _draw(client, w.ct)
    after = client.get(f"/contest-trades/{w.ct.id}/panel").get_data(as_text=True)
    assert not any(e.person.name in after for e in w.entries.values())
    code = _codes(w.ct)[w.entries["steel"].id].code
    assert f"<strong>{code}</strong>" in after.split(f'id="member-{member.id}"')[1]


def test_codes_are_for_the_contests_organisers_only(client, login):
    w = world()
    seat(w.ct, w.users["chief"], role="chief_judge")
    db.session.commit()
    lock(w.ct)
    base = f"/contest-trades/{w.ct.id}/codes"
    for username in ("organiser2", "judge1", "clerk1", "chief"):
        login(username)
        assert client.get(base).status_code == 403, username
        assert client.get(f"{base}.xlsx").status_code == 403, username
        assert client.post(f"{base}/draw").status_code == 403, username
        client.post("/logout")
    assert db.session.scalars(select(CodeReveal)).all() == []
    assert _codes(w.ct) == {}


def test_a_chief_judge_who_also_organises_the_contest_may_see_the_codes(client, login):
    w = world()
    f.grant(w.users["chief"], w.contest, "organiser")
    db.session.commit()
    login("chief")
    assert client.get(f"/contest-trades/{w.ct.id}/codes").status_code == 200
    assert client.get(f"/contest-trades/{w.ct.id}/panel").status_code == 200
