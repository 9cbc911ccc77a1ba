"""The union's figures on both backends: counted per tree by the workers' service, read by the
page, the workbook and the print view; who reads which tree."""

from io import BytesIO

from openpyxl import load_workbook
from sqlalchemy import select

from competitions.core.db import db
from competitions.registry.models import Entry, Person
from competitions.stats import services
from competitions.stats.models import StatsReader
from tests import factories as f
from tests.stats import world


def test_figures_are_counted_per_tree(app):
    tree = world.build()
    assert services.refresh() == [2025, 2026]
    db.session.commit()
    everything = services.figures(2026, None)
    # Two contests in 2026: one provincial, one city.
    assert everything.by["contests"] == {"": 2, "province": 1, "city": 1}
    # 参赛人次: 2 taking part in the provincial contest (the withdrawn one does not) + 2 in the
    # city's; distinct people: 3 (张伟 is in both).
    assert everything.by["entries"] == {"": 4, "province": 2, "city": 2}
    assert everything.total("people") == 3
    assert everything.by["units"] == {"": 2} and everything.by["enterprises"] == {"": 1}
    assert everything.by["awards"] == {"": 2, "first": 1, "second": 1}  # the draft's count not
    assert everything.by["promotions"] == {"": 1, "4": 1}
    assert everything.by["trades"] == {"机械": 1, "制造": 1}
    # Both contests hold trades; the city's also holds a labour competition.
    assert everything.by["contest_kinds"] == {"skill": 2, "labour": 1}
    assert services.figures(2026, tree.qingdao.id).by.get("contest_kinds") is None
    # The province's tree holds everything organised below it.
    province = services.figures(2026, tree.province.id)
    assert province.by["entries"] == everything.by["entries"]
    assert [(u.name, t["entries"]) for u, t in province.regions] == [("济南市总工会", 2)]
    # Jinan's tree: its own contest only.
    jinan = services.figures(2026, tree.jinan.id)
    assert jinan.by["contests"] == {"": 1, "city": 1}
    assert jinan.total("people") == 2 and jinan.total("awards") == 0
    # Qingdao held its contest in 2025: its trend says so, and 2026 has nothing of it.
    qingdao = services.figures(2026, tree.qingdao.id)
    assert qingdao.by == {} and qingdao.trend["entries"] == [(2025, 1)]
    assert everything.trend["entries"] == [(2025, 1), (2026, 4)]


def test_the_workers_count_a_year_again_only_when_it_changed(app):
    tree = world.build()
    services.refresh()
    db.session.commit()
    assert services.refresh() == []
    entry = db.session.scalar(select(Entry).join(Person).where(Person.name == "赵敏").limit(1))
    entry.status = "withdrawn"
    db.session.commit()
    assert services.refresh() in ([2025], [2026])
    db.session.commit()
    # A unit moved under another is counted again too.
    tree.qingdao.parent_id = tree.jinan.id
    db.session.commit()
    assert services.refresh() == [2025, 2026]


def _registrar_and_officers(tree):
    f.user("registrar", registrar=True)
    jinan_officer = f.user("jinan_officer")
    f.user("nobody")
    db.session.add(StatsReader(user_id=jinan_officer.id, unit_id=tree.jinan.id))
    db.session.commit()


def test_an_officer_reads_their_own_tree_only(client, login, app):
    tree = world.build()
    services.refresh()
    db.session.commit()
    _registrar_and_officers(tree)
    login("jinan_officer")
    client.get("/lang/en")
    page = client.get("/statistics").get_data(as_text=True)
    assert "济南市总工会" in page and 'id="summary"' in page
    # Their tree, and below it: yes. Above, beside, everything: no.
    assert client.get(f"/statistics?year=2026&unit={tree.factory.id}").status_code == 200
    assert client.get(f"/statistics?year=2026&unit={tree.province.id}").status_code == 403
    assert client.get(f"/statistics?year=2026&unit={tree.qingdao.id}").status_code == 403
    assert client.get(f"/statistics.xlsx?year=2026&unit={tree.qingdao.id}").status_code == 403
    assert client.get("/statistics/readers").status_code == 403
    client.get("/logout")
    login("nobody")
    assert client.get("/statistics").status_code == 403


def test_the_registrar_reads_everything_downloads_and_prints(client, login, app):
    tree = world.build()
    services.refresh()
    db.session.commit()
    _registrar_and_officers(tree)
    login("registrar")
    client.get("/lang/en")
    page = client.get("/statistics?year=2026").get_data(as_text=True)
    assert "Contests held" in page and "Participants (person-times)" in page
    assert 'id="regions"' in page and "山东省总工会" in page
    book = load_workbook(BytesIO(client.get("/statistics.xlsx?year=2026").data))
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(min_row=3, values_only=True)}
    assert summary["Contests held"] == 2 and summary["Distinct people"] == 3
    assert summary["Skill levels raised"] == 1
    printed = client.get(f"/statistics/print?year=2026&unit={tree.province.id}").get_data(
        as_text=True
    )
    assert "2026 figures of labour and skill contests · 山东省总工会" in printed
    # The print button works without inline script (the CSP forbids it).
    assert "data-print" in printed and "js/print.js" in printed and "onclick" not in printed


def test_the_registrar_names_and_revokes_a_reader(client, login, app):
    tree = world.build()
    _registrar_and_officers(tree)
    login("registrar")
    client.get("/lang/en")
    page = client.post(
        "/statistics/readers",
        data={"username": "nobody", "unit_id": tree.qingdao.id},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "now reads the figures" in page
    reader = db.session.scalar(
        select(StatsReader).join(StatsReader.unit).where(StatsReader.unit_id == tree.qingdao.id)
    )
    assert reader is not None
    again = client.post(
        "/statistics/readers", data={"username": "nobody", "unit_id": tree.qingdao.id}
    )
    assert "already reads" in again.get_data(as_text=True)
    page = client.post(
        "/statistics/readers", data={"username": "ghost", "unit_id": tree.qingdao.id}
    ).get_data(as_text=True)
    assert "No such account" in page
    client.post(f"/statistics/readers/{reader.id}/revoke")
    db.session.expire_all()
    assert db.session.get(StatsReader, reader.id) is None


def test_a_real_worker_counts_the_figures(worker_app):
    """The task the beat runs every minute, on the session's real worker and PostgreSQL."""
    from competitions.stats import tasks
    from competitions.stats.models import FigureYear

    world.build()
    counted = tasks.refresh.delay(2026).get(timeout=120)
    assert counted == [2025, 2026]
    db.session.expire_all()
    assert db.session.get(FigureYear, 2026) is not None
    assert services.figures(2026, None).by["entries"][""] == 4
    # Nothing changed: a second run counts only the year asked for.
    assert tasks.refresh.delay(2026).get(timeout=120) == [2026]
    assert tasks.refresh.delay().get(timeout=120) == []
