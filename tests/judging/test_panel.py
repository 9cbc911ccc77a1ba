"""The panel through the web: appointing members, items, entries with recusal, coverage."""

from decimal import Decimal

from sqlalchemy import func, select

from competitions.core.db import db
from competitions.judging.models import DeclaredRelation, JudgeItem, JudgeSubject, Mark, PanelMember
from tests.judging.panel_world import login_en, scheme, seat, world


def _assigned(member) -> set[int]:
    return set(db.session.scalars(select(JudgeSubject.subject_id).filter_by(member_id=member.id)))


def _panel(client, w):
    return client.get(f"/contest-trades/{w.ct.id}/panel").get_data(as_text=True)


def test_organiser_appoints_judges_and_one_chief_judge(client, login):
    w = world()
    login_en(client, login, "organiser")
    url = f"/contest-trades/{w.ct.id}/panel"
    judge = {"username": "judge1", "role": "judge", "delegation_id": w.teams["jinan"].id}
    assert client.post(url, data=judge).status_code == 303
    assert client.post(url, data={"username": "chief", "role": "chief_judge"}).status_code == 303
    page = client.post(url, data={"username": "chief2", "role": "chief_judge"}).get_data(True)
    assert 'id="role-error"' in page and "This trade already has a chief judge." in page
    chiefs = select(func.count()).select_from(PanelMember).filter_by(role="chief_judge")
    assert db.session.scalar(chiefs) == 1
    page = _panel(client, w)
    assert "Judge1" in page and "山钢集团济南钢铁有限公司" in page and "济南代表队" in page
    assert "Chief" in page and "Chief judge" in page


def test_a_user_without_the_contest_role_is_refused_with_the_reason(client, login):
    w = world()
    login_en(client, login, "organiser")
    url = f"/contest-trades/{w.ct.id}/panel"
    page = client.post(url, data={"username": "clerk1", "role": "judge"}).get_data(True)
    assert 'id="role-error"' in page and "Clerk1 does not hold this role in the contest." in page
    page = client.post(url, data={"username": "nobody", "role": "judge"}).get_data(True)
    assert 'id="username-error"' in page and "No user with this username." in page
    seat(w.ct, w.users["judge1"])
    db.session.commit()
    page = client.post(url, data={"username": "judge1", "role": "judge"}).get_data(True)
    assert "This user is already on the panel." in page
    assert db.session.scalar(select(func.count()).select_from(PanelMember)) == 1


def _assign(client, w, member, entry):
    url = f"/contest-trades/{w.ct.id}/panel/{member.id}/entries"
    return client.post(url, data={f"m{member.id}-entry_id": entry.id})


def test_assigning_an_entry_of_the_judges_own_unit_is_refused(client, login):
    w = world()
    member = seat(w.ct, w.users["judge2"])
    db.session.commit()
    login_en(client, login, "organiser")
    page = _assign(client, w, member, w.entries["haiwan"]).get_data(as_text=True)
    assert f'id="m{member.id}-entry_id-error"' in page
    assert "the judge works in the contestant&#39;s unit" in page
    assert _assigned(member) == set()


def test_a_judge_of_an_enterprise_recuses_from_its_sub_unit(client, login):
    w = world()  # judge1 works for 济钢, the contestant for 济钢炼钢厂 under it
    member = seat(w.ct, w.users["judge1"])
    db.session.commit()
    login_en(client, login, "organiser")
    page = _assign(client, w, member, w.entries["steel"]).get_data(as_text=True)
    assert "the judge and the contestant work in the same enterprise" in page
    assert _assigned(member) == set()
    assert _assign(client, w, member, w.entries["quancheng"]).status_code == 303  # a union only
    assert _assigned(member) == {w.entries["quancheng"].id}


def test_a_judge_recuses_from_the_delegation_they_come_with(client, login):
    w = world()
    member = seat(w.ct, w.users["judge3"], team=w.teams["jinan"])
    db.session.commit()
    login_en(client, login, "organiser")
    page = _assign(client, w, member, w.entries["quancheng"]).get_data(as_text=True)
    assert "the judge comes with the contestant&#39;s delegation" in page
    assert _assigned(member) == set()


def test_a_contestant_without_a_unit_counts_as_their_delegations_unit(client, login):
    w = world()  # 赵无单位 comes with 青岛代表队, whose unit is 青岛市总工会 (a union)
    w.teams["qingdao"].unit_id = w.units["haiwan"].id
    member = seat(w.ct, w.users["judge2"])
    db.session.commit()
    login_en(client, login, "organiser")
    page = _assign(client, w, member, w.entries["nounit"]).get_data(as_text=True)
    assert "the judge works in the contestant&#39;s unit" in page


def test_a_declared_relation_refuses_the_assignment(client, login):
    w = world()
    member = seat(w.ct, w.users["judge3"])
    relation = DeclaredRelation(
        user_id=w.users["judge3"].id, person_id=w.entries["haiwan"].person_id, relation="亲属"
    )
    db.session.add(relation)
    db.session.commit()
    login_en(client, login, "organiser")
    page = _assign(client, w, member, w.entries["haiwan"]).get_data(as_text=True)
    assert "the judge declared a relation with this contestant" in page
    assert _assigned(member) == set()


def test_assign_all_skips_exactly_the_conflicting_entries_and_lists_them(client, login):
    w = world()
    member = seat(w.ct, w.users["judge2"], team=w.teams["qingdao"])
    db.session.commit()
    login_en(client, login, "organiser")
    url = f"/contest-trades/{w.ct.id}/panel/{member.id}/entries/all"
    page = client.post(url, follow_redirects=True).get_data(as_text=True)
    e = w.entries
    assert _assigned(member) == {e["steel"].id, e["luzhong"].id, e["quancheng"].id}
    assert "3 entries assigned." in page
    skipped = page.split("Skipped for recusal:")[1].split("</div>")[0]
    assert "李海湾" in skipped and "赵无单位" in skipped
    assert "张炼钢" not in skipped and "孙退赛" not in skipped  # withdrawn: not marked at all
    recusals = page.split(f'id="member-{member.id}"')[1].split("Must recuse from")[1]
    assert "李海湾" in recusals and "赵无单位" in recusals
    # Running it again adds nothing and keeps the assignments.
    client.post(url)
    assert len(_assigned(member)) == 3


def test_items_are_chosen_one_by_one_or_by_part_and_coverage_counts_judges(client, login):
    w = world()
    items = scheme(w.ct)
    one, two = seat(w.ct, w.users["judge1"]), seat(w.ct, w.users["judge2"])
    db.session.commit()
    login_en(client, login, "organiser")
    theory_part = items["T1"].part_id
    client.post(
        f"/contest-trades/{w.ct.id}/panel/{one.id}/items",
        data={f"m{one.id}-parts": theory_part, f"m{one.id}-items": items["P1"].id},
    )
    client.post(
        f"/contest-trades/{w.ct.id}/panel/{two.id}/items", data={f"m{two.id}-items": items["P1"].id}
    )
    mine = set(db.session.scalars(select(JudgeItem.item_id).filter_by(member_id=one.id)))
    assert mine == {items["T1"].id, items["T2"].id, items["P1"].id}
    page = _panel(client, w)
    assert f'name="m{one.id}-items" value="{items["T2"].id}" checked' in page
    coverage = page.split('id="coverage"')[1].split("</table>")[0]
    row = coverage.split("P1")[1].split("</tr>")[0]
    assert "<td>2 <span" in row and "too few" in row and "<td>3</td>" in row
    assert "too few" not in coverage.split("T1")[1].split("</tr>")[0]


def test_marked_items_cannot_be_taken_away_and_markers_cannot_be_removed(client, login):
    w = world()
    items = scheme(w.ct)
    member = seat(w.ct, w.users["judge1"])
    db.session.add(JudgeItem(member_id=member.id, item_id=items["T1"].id))
    db.session.add(
        Mark(
            subject_id=w.entries["quancheng"].id,
            item_id=items["T1"].id,
            judge_id=w.users["judge1"].id,
            value=Decimal(5),
        )
    )
    db.session.commit()
    login_en(client, login, "organiser")
    page = client.post(f"/contest-trades/{w.ct.id}/panel/{member.id}/items", data={})
    assert "Items already marked cannot be taken away: T1" in page.get_data(as_text=True)
    remove = f"/contest-trades/{w.ct.id}/panel/{member.id}/remove"
    page = client.post(remove, follow_redirects=True).get_data(as_text=True)
    assert "A judge who has entered marks cannot be removed." in page
    assert db.session.get(PanelMember, member.id) is not None


def test_a_member_without_marks_is_removed(client, login):
    w = world()
    member = seat(w.ct, w.users["judge3"])
    db.session.commit()
    member_id = member.id
    login_en(client, login, "organiser")
    assert client.post(f"/contest-trades/{w.ct.id}/panel/{member_id}/remove").status_code == 303
    db.session.expire_all()
    assert db.session.get(PanelMember, member_id) is None


def test_the_contest_page_links_organisers_to_the_panel(client, login):
    w = world()
    link = f'href="/contest-trades/{w.ct.id}/panel"'
    login_en(client, login, "organiser")
    assert link in client.get(f"/contests/{w.contest.id}").get_data(as_text=True)
    client.post("/logout")
    login("judge1")
    assert link not in client.get(f"/contests/{w.contest.id}").get_data(as_text=True)


def test_only_the_contests_organisers_reach_the_panel(client, login):
    w = world()
    member = seat(w.ct, w.users["judge1"])
    db.session.commit()
    base = f"/contest-trades/{w.ct.id}/panel"
    for username in ("organiser2", "judge1", "clerk1", "chief"):
        login(username)
        assert client.get(base).status_code == 403, username
        assert client.post(base, data={"username": "judge2", "role": "judge"}).status_code == 403
        for action in ("remove", "items", "entries", "entries/all"):
            assert client.post(f"{base}/{member.id}/{action}").status_code == 403, action
        client.post("/logout")
    assert db.session.scalar(select(func.count()).select_from(PanelMember)) == 1
    assert client.get(base).status_code == 302  # anonymous: to the log-in page
