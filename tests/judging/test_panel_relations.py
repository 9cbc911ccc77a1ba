"""Judges declare their relations with contestants without ever seeing who is entered."""

from sqlalchemy import func, select

from competitions.core.db import db
from competitions.judging.models import DeclaredRelation, JudgeEntry
from tests.judging.panel_world import login_en, seat, world


def _declare(client, w, name: str, id_number: str, relation: str = "师徒"):
    return client.post(
        f"/contest-trades/{w.ct.id}/relations",
        data={"name": name, "id_number": id_number, "relation": relation},
    )


def test_a_declaration_removes_the_assignment_and_the_organiser_sees_it(client, login):
    w = world()
    member = seat(w.ct, w.users["judge1"])
    target = w.entries["quancheng"]
    for e in (target, w.entries["luzhong"]):
        db.session.add(JudgeEntry(member_id=member.id, entry_id=e.id))
    db.session.commit()
    id_number = target.person.id_number
    login_en(client, login, "judge1")
    typed = id_number[:6] + " " + id_number[6:].lower()  # spaces and case do not matter
    response = _declare(client, w, "钱泉城", typed)
    assert response.status_code == 303
    remaining = set(db.session.scalars(select(JudgeEntry.entry_id).filter_by(member_id=member.id)))
    assert remaining == {w.entries["luzhong"].id}
    page = client.get(f"/contest-trades/{w.ct.id}/relations").get_data(as_text=True)
    assert "Your declaration is recorded." in page and "钱泉城" in page and "师徒" in page
    client.post("/logout")
    login_en(client, login, "organiser")
    panel = client.get(f"/contest-trades/{w.ct.id}/panel").get_data(as_text=True)
    declared = panel.split('id="declarations"')[1]
    assert "Judge1" in declared and "钱泉城" in declared and "师徒" in declared
    recusals = panel.split(f'id="member-{member.id}"')[1]
    assert "the judge declared a relation with this contestant" in recusals


def test_no_match_says_so_and_records_nothing(client, login):
    w = world()
    seat(w.ct, w.users["judge1"])
    db.session.commit()
    login_en(client, login, "judge1")
    real = w.entries["quancheng"].person.id_number
    page = _declare(client, w, "张三", real).get_data(as_text=True)  # right number, wrong name
    assert 'id="id_number-error"' in page
    assert "No contestant of this trade matches that ID number and name." in page
    unknown_number = _declare(client, w, "钱泉城", "110101199001010011").get_data(True)
    assert "No contestant of this trade matches" in unknown_number
    assert db.session.scalar(select(func.count()).select_from(DeclaredRelation)) == 0


def test_the_judges_page_shows_no_identity_but_what_they_typed(client, login):
    w = world()
    seat(w.ct, w.users["judge2"])
    db.session.commit()
    persons = {key: (e.person.name, e.person.id_number) for key, e in w.entries.items()}
    login_en(client, login, "judge2")
    name, number = persons["haiwan"]
    pages = [
        client.get(f"/contest-trades/{w.ct.id}/relations").get_data(as_text=True),
        _declare(client, w, name, number, "同事").get_data(as_text=True),
        client.get(f"/contest-trades/{w.ct.id}/relations").get_data(as_text=True),
        _declare(client, w, "不存在", "370102199001010000").get_data(as_text=True),
    ]
    for key, (other_name, other_number) in persons.items():
        if key == "haiwan":
            continue
        for page in pages:
            assert other_name not in page and other_number not in page, key
    assert name in pages[2] and number not in pages[2]  # the list shows the name only


def test_only_panel_members_declare_relations(client, login):
    w = world()
    seat(w.ct, w.users["chief"], role="chief_judge")
    db.session.commit()
    url = f"/contest-trades/{w.ct.id}/relations"
    login("chief")
    assert client.get(url).status_code == 200
    client.post("/logout")
    for username in ("judge3", "organiser", "clerk1", "organiser2"):  # judge3 is not seated
        login(username)
        assert client.get(url).status_code == 403, username
        assert _declare(client, w, "李海湾", "x").status_code == 403, username
        client.post("/logout")
