"""The overview on the organiser's and the chief judge's pages: stage, progress, next step."""

from sqlalchemy import event

from competitions.core.db import db
from competitions.core.i18n import local_now
from competitions.overview import services
from tests.judging import marking_world
from tests.judging.marking_world import score_everyone


def _row(html: str, ct_id: int) -> str:
    start = html.index(f'data-ct="{ct_id}"')
    return html[start : html.index("</tr>", start)]


def test_marking_shows_progress_and_who_acts(app, login):
    world = marking_world.build(n_entries=2, n_judges=3)
    organiser = login("org")
    row = _row(organiser.get("/").get_data(as_text=True), world.ct.id)
    assert 'data-stage="marking"' in row
    assert "0/12" in row  # 2 entries × 2 items × 3 judges
    assert "next-action" not in row  # the judges act, not the organiser

    score_everyone(world, ["8", "6"])
    page = organiser.get(f"/contests/{world.ct.contest_id}").get_data(as_text=True)
    row = _row(page, world.ct.id)
    assert 'data-stage="lock"' in row and "12/12" in row
    assert "next-action" not in row


def test_the_chief_judge_is_sent_to_the_lock(app, login, client):
    world = marking_world.build(n_entries=2, n_judges=3)
    score_everyone(world, ["8", "6"])
    chief = login("chief")
    row = _row(chief.get("/").get_data(as_text=True), world.ct.id)
    assert 'data-stage="lock"' in row
    assert f'href="/contest-trades/{world.ct.id}/review"' in row


def test_new_trade_asks_for_contestants(app, login):
    from tests import factories as f

    contest = f.contest("SD-2019")
    ct = f.contest_trade(contest, f.trade("6-20-02", "焊工", "Welder"))
    organiser = f.user("org2", registrar=True)
    f.grant(organiser, contest, "organiser")
    db.session.commit()
    row = _row(login("org2").get("/").get_data(as_text=True), ct.id)
    assert 'data-stage="registration"' in row
    assert f'href="/contests/{contest.id}/entries"' in row


def test_counts_take_the_same_queries_whatever_the_number_of_trades(app):
    from tests import factories as f

    world = marking_world.build(n_entries=2, n_judges=3)
    others = [
        f.contest_trade(world.ct.contest, f.trade(f"6-20-0{n}", f"工种{n}", f"Trade {n}"))
        for n in range(2, 6)
    ]
    db.session.commit()
    assert all(ct.id for ct in [world.ct, *others])  # loaded before counting

    def statements_for(cts) -> int:
        statements = []
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            rows = services.overview(cts, local_now())
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        assert rows[0].standing.stage == "marking"
        return len(statements)

    assert statements_for([world.ct]) == statements_for([world.ct, *others]) <= 12
