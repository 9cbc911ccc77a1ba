"""不计名次 (out of competition), end to end: the organiser marks an entry so on its form or in
the import; it is marked and computed like the others, but takes no rank, award, team place or
advancement, and every page, the API and the export show its scores with 不计名次 in place of a
rank."""

import re
from datetime import datetime
from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from competitions.core.db import db
from competitions.imports import services as imports
from competitions.publication import services as publication
from competitions.registry.models import Entry
from competitions.results.models import Result, ResultSet, TeamResult
from competitions.results.services import compute
from tests.imports.sheets import person_row, xlsx_bytes
from tests.imports.world import NEW_MAN, NEW_WOMAN, setup_contest
from tests.publication.test_publish import computed_world

NOW = datetime(2026, 11, 20, 15, 30)


def row_of(page: str, name: str) -> str:
    """The table row that names ``name``."""
    return next(r for r in re.findall(r"<tr.*?</tr>", page, re.S) if name in r)


def results_of(ct_id: int) -> dict[int, tuple]:
    db.session.expire_all()
    rows = db.session.scalars(select(Result).where(Result.assessment_id == ct_id))
    return {r.subject_id: (r.rank, r.award, str(r.total)) for r in rows}


def test_the_organiser_sets_it_on_the_entry_and_the_best_entry_takes_no_place(client, login):
    world = computed_world(team="济钢代表队")  # scored 9, 7, 5: totals 56.00, 46.67, 37.33
    best, second, third = world.entries
    login("org")
    client.get("/lang/en")
    form = client.get(f"/entries/{best.id}/edit").get_data(as_text=True)
    assert "Out of competition (not ranked)" in form
    client.post(
        f"/entries/{best.id}/edit",
        data={"delegation_id": best.delegation_id, "status": "approved", "out_of_competition": "y"},
    )
    db.session.expire_all()
    assert db.session.get(Entry, best.id).out_of_competition is True
    # The entry list says so after a reload.
    listed = client.get(f"/contests/{world.ct.contest_id}/entries").get_data(as_text=True)
    assert "Out of competition" in row_of(listed, best.person.name)

    world.ct.award_mode, world.ct.award_numbers, world.ct.award_min_total = "fixed", "1,1,0", None
    world.ct.team_size = 3
    db.session.commit()
    compute.recompute([world.ct.id])
    db.session.commit()
    results = results_of(world.ct.id)
    # Its total is computed as anyone's; the next two take ranks 1 and 2 and the prizes.
    assert results[best.id] == (None, None, "56.00")
    assert results[second.id][:2] == (1, "first")
    assert results[third.id][:2] == (2, "second")
    team = db.session.scalar(select(TeamResult).filter_by(contest_trade_id=world.ct.id))
    assert sorted(team.members) == sorted([second.id, third.id])
    rs = db.session.get(ResultSet, world.ct.id)
    assert (rs.ranked, rs.unranked) == (2, 1)

    # The organiser's page and the export: 不计名次 where the rank goes, the scores kept.
    page = client.get(f"/contest-trades/{world.ct.id}/results").get_data(as_text=True)
    row = row_of(page, best.person.name)
    assert "Out of competition" in row and "56.00" in row
    book = load_workbook(
        BytesIO(client.get(f"/contest-trades/{world.ct.id}/results.xlsx").data)
    ).worksheets[0]
    rows = [[c.value for c in r] for r in book.iter_rows()][2:]
    mine = next(r for r in rows if best.person.name in (r[1] or ""))
    assert mine[0] == "Out of competition" and 56 in {float(v) for v in mine[6:9] if v}

    # Published: the public page, the API and the contestant's own result say the same.
    publication.publish(world.ct, db.session.get(ResultSet, world.ct.id), NOW)
    db.session.commit()
    client.get("/logout")
    client.get("/lang/zh_Hans_CN")
    public = client.get(f"/results/trades/{world.ct.id}").get_data(as_text=True)
    row = row_of(public, best.person.name)
    assert "不计名次" in row and "56.00" in row
    data = client.get(f"/api/v1/contest-trades/{world.ct.id}/results").json
    by_id = {r["entry_id"]: r for r in data["results"]}
    assert by_id[best.id]["out_of_competition"] is True
    assert (by_id[best.id]["rank"], by_id[best.id]["total"]) == (None, "56.00")
    assert by_id[second.id]["rank"] == 1 and by_id[second.id]["out_of_competition"] is False
    own = client.post(
        "/my-result",
        data={"id_number": best.person.id_number, "name": best.person.name, "agree": "y"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "不计名次" in own and "56.00" in own


def test_the_import_takes_a_column_for_it(app):
    world = setup_contest()
    sheet = [
        person_row("张伟", NEW_MAN, "钳工", out_of_competition="是"),
        person_row("王芳", NEW_WOMAN, "钳工"),
    ]
    outcome = imports.import_file(world["contest"].id, "名单.xlsx", xlsx_bytes(sheet))
    db.session.commit()
    assert outcome.ok, outcome.errors
    flags = {
        e.person.name: e.out_of_competition
        for e in db.session.scalars(
            select(Entry).where(Entry.contest_trade_id == world["fitter"].id)
        )
    }
    assert flags["张伟"] is True and flags["王芳"] is False


def test_the_import_refuses_a_word_it_does_not_know_and_saves_nothing(app):
    world = setup_contest()
    sheet = [person_row("张伟", NEW_MAN, "钳工", out_of_competition="也许")]
    outcome = imports.import_file(world["contest"].id, "名单.xlsx", xlsx_bytes(sheet))
    db.session.commit()
    assert not outcome.ok
    assert [(e["column"], e["msgid"]) for e in outcome.errors] == [
        ("不计名次", "%(value)s is not one of: %(choices)s")
    ]
    assert (
        db.session.scalar(select(Entry.id).where(Entry.contest_trade_id == world["fitter"].id))
        is None
    )
