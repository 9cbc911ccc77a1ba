"""Judges declare their relations with contestants without learning anything from it: the
declaration goes to the organisers, who apply it (the judge recuses) or dismiss it; the judge's
answer is the same whoever they name, and they may declare only a few an hour."""

import redis
from sqlalchemy import func, select

from app import create_app
from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.judging.models import DeclaredRelation, JudgeSubject, RelationDeclaration
from tests import factories as f
from tests.judging.panel_world import login_en, seat, world


def _declare(client, w, name: str, id_number: str, relation: str = "师徒"):
    return client.post(
        f"/contest-trades/{w.ct.id}/relations",
        data={"name": name, "id_number": id_number, "relation": relation},
    )


def _assigned(member) -> set[int]:
    return set(db.session.scalars(select(JudgeSubject.subject_id).filter_by(member_id=member.id)))


def test_a_declaration_goes_to_the_organisers_who_make_the_judge_recuse(client, login):
    w = world()
    member = seat(w.ct, w.users["judge1"])
    target, other = w.entries["quancheng"], w.entries["luzhong"]
    for e in (target, other):
        db.session.add(JudgeSubject(member_id=member.id, subject_id=e.id))
    db.session.commit()
    id_number = target.person.id_number
    login_en(client, login, "judge1")
    typed = id_number[:6] + " " + id_number[6:].lower()  # spaces and case do not matter
    assert _declare(client, w, "钱泉城", typed).status_code == 303
    assert _assigned(member) == {target.id, other.id}  # nothing changes until an organiser acts
    page = client.get(f"/contest-trades/{w.ct.id}/relations").get_data(as_text=True)
    assert "Your declaration has been passed to the organisers." in page
    assert "钱泉城" in page and "师徒" in page
    client.post("/logout")
    login_en(client, login, "organiser")
    panel = client.get(f"/contest-trades/{w.ct.id}/panel").get_data(as_text=True)
    pending = panel.split('id="pending-declarations"')[1].split("</table>")[0]
    assert "Judge1" in pending and "钱泉城" in pending and "师徒" in pending
    declaration = db.session.scalar(select(RelationDeclaration))
    url = f"/contest-trades/{w.ct.id}/declarations/{declaration.id}"
    assert client.post(url, data={"decision": "apply"}).status_code == 303
    db.session.expire_all()
    assert _assigned(member) == {other.id}
    panel = client.get(f"/contest-trades/{w.ct.id}/panel").get_data(as_text=True)
    assert "钱泉城" not in panel.split('id="pending-declarations"')[1].split("</table>")[0]
    assert "the judge declared a relation with this contestant" in panel
    logged = db.session.scalars(select(AuditLog).filter_by(entity="relation_declaration")).all()
    assert [(row.action, row.user_id) for row in logged] == [
        ("create", w.users["judge1"].id),
        ("update", w.users["organiser"].id),
    ]
    # decided once and for all
    client.post(url, data={"decision": "dismiss"})
    db.session.expire_all()
    assert db.session.get(RelationDeclaration, declaration.id).state == "applied"


def test_the_judge_gets_the_same_answer_whoever_they_name(client, login):
    w = world()
    member = seat(w.ct, w.users["judge1"])
    for e in w.entries.values():
        db.session.add(JudgeSubject(member_id=member.id, subject_id=e.id))
    db.session.commit()
    before = _assigned(member)
    real = w.entries["quancheng"].person
    outsider = f.resident_id(real.birth_date, serial=77)
    login_en(client, login, "judge1")
    answers = [
        _declare(client, w, real.name, real.id_number),  # entered
        _declare(client, w, "张三", real.id_number),  # right number, wrong name
        _declare(client, w, "周未报", outsider),  # not entered at all
        _declare(client, w, "乱写", "不是号码"),  # not even an ID number
    ]
    assert {(r.status_code, r.headers["Location"]) for r in answers} == {
        (303, f"/contest-trades/{w.ct.id}/relations")
    }
    page = client.get(f"/contest-trades/{w.ct.id}/relations").get_data(as_text=True)
    assert page.count("Your declaration has been passed to the organisers.") == 4  # all alike
    assert "No contestant" not in page
    assert _assigned(member) == before
    assert db.session.scalar(select(func.count()).select_from(DeclaredRelation)) == 0
    assert db.session.scalar(select(func.count()).select_from(RelationDeclaration)) == 4


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
    assert name in pages[2] and number not in pages[2]  # the list shows the typed name only


def test_the_organiser_dismisses_and_cannot_apply_what_matches_no_one(client, login):
    w = world()
    member = seat(w.ct, w.users["judge1"])
    db.session.add(JudgeSubject(member_id=member.id, subject_id=w.entries["steel"].id))
    db.session.commit()
    login_en(client, login, "judge1")
    _declare(client, w, "周未报", "110101198001010011")
    _declare(client, w, "张炼钢", w.entries["steel"].person.id_number)
    client.post("/logout")
    login_en(client, login, "organiser")
    nobody, steel = db.session.scalars(select(RelationDeclaration).order_by("id")).all()
    base = f"/contest-trades/{w.ct.id}/declarations"
    page = client.post(f"{base}/{nobody.id}", data={"decision": "apply"}, follow_redirects=True)
    assert "No contestant of this trade matches" in page.get_data(as_text=True)
    client.post(f"{base}/{nobody.id}", data={"decision": "dismiss"})
    client.post(f"{base}/{steel.id}", data={"decision": "dismiss"})
    db.session.expire_all()
    assert [d.state for d in (nobody, steel)] == ["dismissed", "dismissed"]
    assert _assigned(member) == {w.entries["steel"].id}
    assert client.post(f"{base}/{steel.id}", data={"decision": "nope"}).status_code == 303
    assert db.session.get(RelationDeclaration, steel.id).state == "dismissed"


def test_declarations_are_limited_per_judge(app, redis_url, login):
    limited = create_app(
        {
            **app.config,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": redis_url,
            "DECLARATION_RATE_LIMIT": "3 per hour",
        }
    )
    with limited.app_context():
        w = world()
        store = redis.Redis.from_url(redis_url)
        for judge in ("judge1", "judge2"):
            seat(w.ct, w.users[judge])
            # counters in Redis outlive a test, and ids repeat across tests: start afresh
            for key in store.keys(f"*/user:{w.users[judge].id}/*"):
                store.delete(key)
        db.session.commit()
        one, two = limited.test_client(), limited.test_client()
        for client, judge in ((one, "judge1"), (two, "judge2")):
            data = {"username": judge, "password": f.PASSWORD}
            assert client.post("/login", data=data).status_code == 302
        assert store.keys(f"*/user:{w.users['judge1'].id}/*") == []
        codes = [_declare(one, w, f"某人{n}", "110101198001010011").status_code for n in range(5)]
        assert codes == [303, 303, 303, 429, 429]
        assert _declare(two, w, "某人", "110101198001010011").status_code == 303
        assert store.keys(f"*/user:{w.users['judge1'].id}/*")  # counted per judge, in Redis
        assert db.session.scalar(select(func.count()).select_from(RelationDeclaration)) == 4


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
