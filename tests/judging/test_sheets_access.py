"""Who reaches the clerks' sheet pages, and what those pages never show."""

import pytest

from competitions.core.db import db
from tests import factories as f
from tests.judging.test_sheets import (
    DELEGATION,
    FIRST,
    ID_NUMBER,
    NAME,
    UNIT,
    client_of,
    fields,
    get,
    make_world,
    new_url,
    post,
    sheet_marks,
    sheet_url,
    the_sheet,
    type_first,
    type_second,
)


def test_no_clerk_page_shows_who_the_contestant_is(app):
    w = make_world(codes=("4821", "7310"))
    clerk1, clerk2 = client_of(app, "clerk1"), client_of(app, "clerk2")
    base = f"/contest-trades/{w.ct.id}/sheets"
    pages = [get(clerk1, base), get(clerk1, new_url(w)), get(clerk1, new_url(w, code="0000"))]
    sheet = type_first(w, clerk1)
    pages += [get(c, sheet_url(w, sheet, x)) for c in (clerk1, clerk2) for x in ("", "/second")]
    pages += [get(clerk1, sheet_url(w, sheet, "/edit")), get(clerk2, sheet_url(w, sheet, "/edit"))]
    pages.append(post(clerk1, new_url(w), fields(w, FIRST)))  # refused: exists already
    pages.append(type_second(w, clerk2, sheet, {**FIRST, "M1": "9"}))
    pages += [get(c, sheet_url(w, the_sheet())) for c in (clerk1, clerk2)]  # mismatch
    pages.append(type_second(w, clerk2, the_sheet(), {**FIRST, "M1": "9.5"}))
    pages += [
        get(clerk2, sheet_url(w, the_sheet())),
        get(clerk1, base),
        get(clerk1, f"{base}?state=mismatch"),
    ]
    post(clerk1, sheet_url(w, sheet, "/edit"), fields(w, FIRST, the_sheet().version))
    type_second(w, clerk2, the_sheet(), FIRST)
    assert the_sheet().state == "confirmed"
    pages += [get(c, sheet_url(w, sheet)) for c in (clerk1, clerk2)] + [get(clerk1, base)]
    for response in pages:
        text = response.get_data(as_text=True)
        assert response.status_code < 500
        for secret in (NAME, ID_NUMBER, UNIT, DELEGATION):
            assert secret not in text, (response.request.path, secret)


ROUTES = [
    ("get", ""),
    ("get", "/new?code=4821&judge={judge}"),
    ("post", "/new?code=4821&judge={judge}"),
    ("get", "/{sheet}"),
    ("get", "/{sheet}/second"),
    ("post", "/{sheet}/second"),
    ("get", "/{sheet}/edit"),
    ("post", "/{sheet}/edit"),
]


@pytest.mark.parametrize("who", ["judge1", "org", "outsider"])
def test_only_clerks_of_the_contest_reach_the_sheets(app, who):
    w = make_world()
    sheet = type_first(w, client_of(app, "clerk1"))
    stranger = client_of(app, who)
    for method, path in ROUTES:
        url = f"/contest-trades/{w.ct.id}/sheets" + path.format(judge=w.judge1.id, sheet=sheet.id)
        data = fields(w, FIRST, 1)
        response = post(stranger, url, data) if method == "post" else get(stranger, url)
        assert response.status_code == 403, (method, url)
    assert the_sheet().state == "typed" and sheet_marks(w) == {}
    anonymous = get(app.test_client(), f"/contest-trades/{w.ct.id}/sheets")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_a_sheet_of_another_contest_trade_is_not_found(app):
    w = make_world()
    sheet = type_first(w, client_of(app, "clerk1"))
    ct2 = f.contest_trade(w.ct.contest, f.trade(code="6-29-01", name_zh="焊工", name_en="Welder"))
    db.session.commit()
    clerk2 = client_of(app, "clerk2")
    assert get(clerk2, f"/contest-trades/{ct2.id}/sheets/{sheet.id}").status_code == 404
    assert get(clerk2, f"/contest-trades/{ct2.id}/sheets/{sheet.id}/second").status_code == 404
