"""An outside county contest's list is imported and ranked by the rules; its top places climb
to the city as recommended; the city organiser accepts within the quota or returns with a
reason; a unit recommends directly. On SQLite and PostgreSQL, read back from the database."""

import io
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from competitions.core.crypto import id_number_hash
from competitions.core.db import db
from competitions.judging.models import Mark, MarkingLock, SchemeItem, SchemePart
from competitions.registry.models import Entry, Person
from competitions.results.models import Result, ResultSet
from competitions.results.services import compute
from competitions.tiers.models import DirectRecommendation, OutsideContest, OutsideScore
from tests import factories as f
from tests.factories import log_in
from tests.tiers.world import PEOPLE, build, id_of, list_csv, sheet_rows


def _client(app, username):
    client = app.test_client()
    client.get("/lang/en")
    assert log_in(client, username).status_code == 302
    return client


def _upload(client, ct_id, data, name="county.csv"):
    return client.post(
        f"/contest-trades/{ct_id}/outside-list",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def _import(app, world):
    client = _client(app, "org")
    client.post(f"/contests/{world.county.id}/outside")
    page = _upload(client, world.county_ct.id, list_csv()).get_data(as_text=True)
    return client, page


def _results(ct_id) -> dict[str, tuple]:
    rows = db.session.execute(
        select(Person.name, Result.total, Result.rank, Result.award, Result.advances)
        .join(Entry, Entry.id == Result.subject_id)
        .join(Person, Person.id == Entry.person_id)
        .where(Result.assessment_id == ct_id)
    ).all()
    return {name: tuple(rest) for name, *rest in rows}


def test_an_outside_list_is_ranked_by_the_rules_and_its_differences_listed(app):
    world = build()
    client, page = _import(app, world)
    assert "5 lines imported, ranked and awarded." in page
    db.session.expire_all()
    assert db.session.get(OutsideContest, world.county.id) is not None
    assert _results(world.county_ct.id) == {
        "甲": (Decimal("93.50"), 1, "first", True),
        "丙": (Decimal("79.00"), 2, "second", True),  # more practical than 乙: the tie-break
        "乙": (Decimal("79.00"), 3, "third", False),
        "丁": (Decimal("60.00"), 4, None, False),
        "戊": (Decimal("53.50"), 5, None, False),
    }
    result_set = db.session.get(ResultSet, world.county_ct.id)
    assert result_set.state == "draft" and result_set.ranked == 5
    assert (
        db.session.scalar(select(Entry.time_used_s).join(Person).where(Person.name == "甲")) == 3000
    )
    # The two lines where the county's ranks and awards differ, on the page and in the report.
    assert page.count('id="differences"') == 1 and "2 lines differ" in page
    report = client.get(f"/contest-trades/{world.county_ct.id}/differences.xlsx")
    rows = sheet_rows(report.data)
    assert [r[1:4] for r in rows[1:]] == [("乙", 2, 3), ("丙", 3, 2)]
    assert rows[1][4:] == ("Second prize", "Third prize")
    # The results page reads it like any marked trade's.
    results_page = client.get(f"/contest-trades/{world.county_ct.id}/results")
    assert results_page.status_code == 200 and "93.50" in results_page.get_data(as_text=True)


def test_importing_the_list_again_replaces_it_and_keeps_the_people(app):
    world = build()
    client, _ = _import(app, world)
    fewer = list_csv(PEOPLE[:4])
    page = _upload(client, world.county_ct.id, fewer).get_data(as_text=True)
    assert "4 lines imported" in page
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Person)) == 5
    assert set(_results(world.county_ct.id)) == {"甲", "乙", "丙", "丁"}
    assert db.session.scalar(select(func.count()).select_from(OutsideScore)) == 4


def test_a_bad_list_saves_nothing_and_reports_every_problem(app):
    world = build()
    client = _client(app, "org")
    client.post(f"/contests/{world.county.id}/outside")
    bad = list(PEOPLE)
    bad[1] = ("乙", PEOPLE[1][1], "100", "170", "51:00", "2", "二等奖")  # a score out of range
    bad[3] = ("丁", PEOPLE[3][1], "60", "60", "53:00", "1", "")  # rank 1 with 60.00
    child = f.resident_id(date(2010, 1, 1), serial=9)
    extra = (
        f"\n{id_of(0)},甲,某县机械厂,90,95,50:00,1,一等奖"  # 甲 twice
        f"\n{child},小明,某县机械厂,50,50,50:00,,"  # too young for the city contest
    )
    page = _upload(client, world.county_ct.id, list_csv(bad, extra)).get_data(as_text=True)
    assert "Nothing was saved: the file has problems." in page
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutsideScore)) == 0
    assert db.session.get(MarkingLock, world.county_ct.id) is None
    report = client.get(f"/contest-trades/{world.county_ct.id}/outside-list/errors.xlsx")
    assert report.status_code == 200
    problems = {(r[0], r[1]) for r in sheet_rows(report.data)[1:]}
    # 丁 ranked 1st with 60.00: 丙 (79.00, 3rd) is the line the totals contradict
    assert {(3, "技能操作成绩"), (4, "名次"), (7, "证件号码"), (8, "证件号码")} <= problems


def test_an_outside_list_ranks_as_the_same_totals_marked_here(app):
    world = build()
    _import(app, world)
    # The same people marked here: theory and practical parts of one 100-mark item each.
    marked_contest = f.contest("XM-2019", tier="county")
    marked = f.contest_trade(
        marked_contest,
        world.county_ct.trade,
        award_mode="fixed",
        award_numbers="1,1,1",
        award_min_total=None,
    )
    judge = f.user("judge")
    items = {}
    for kind in ("theory", "practical"):
        part = SchemePart(assessment_id=marked.id, kind=kind, scale_to_100=False)
        db.session.add(part)
        db.session.flush()
        items[kind] = SchemeItem(part_id=part.id, code=kind[0].upper(), max_mark=Decimal(100))
        db.session.add(items[kind])
    db.session.flush()
    for n, (_name, _b, theory, practical, time, _r, _a) in enumerate(PEOPLE):
        person = db.session.scalar(
            select(Person).where(Person.id_number_hash == id_number_hash(id_of(n)))
        )
        entry = Entry(person_id=person.id, contest_trade_id=marked.id, status="approved")
        entry.time_used_s = int(time[:2]) * 60
        db.session.add(entry)
        db.session.flush()
        for kind, value in (("theory", theory), ("practical", practical)):
            db.session.add(
                Mark(
                    subject_id=entry.id,
                    item_id=items[kind].id,
                    judge_id=judge.id,
                    value=Decimal(value),
                )
            )
    db.session.add(MarkingLock(assessment_id=marked.id, locked=True))
    db.session.commit()
    assert compute.recompute([marked.id]) == {}
    db.session.commit()
    outside_results = {k: v[:3] for k, v in _results(world.county_ct.id).items()}
    marked_results = {k: v[:3] for k, v in _results(marked.id).items()}
    assert outside_results == marked_results


def test_the_top_places_climb_as_recommended_and_are_accepted_within_the_quota(app):
    world = build(city_quota=1)
    county, _ = _import(app, world)
    page = county.post(
        f"/contest-trades/{world.county_ct.id}/advance", follow_redirects=True
    ).get_data(as_text=True)
    assert "2 entries created" in page
    db.session.expire_all()
    up = db.session.scalars(select(Entry).filter_by(contest_trade_id=world.city_ct.id)).all()
    assert sorted(e.status for e in up) == ["recommended", "recommended"]
    # Recommended entries are not marked, and not ranked.
    ranked = compute.inputs_mod.load([world.city_ct.id])[world.city_ct.id].entries
    assert ranked == {}

    city = _client(app, "city_org")
    listing = city.get(f"/contests/{world.city.id}/recommendations").get_data(as_text=True)
    assert "XC-2019" in listing and "甲" in listing and "丙" in listing
    by_name = {e.person.name: e for e in up}
    both = [by_name["甲"].id, by_name["丙"].id]
    refused = city.post(
        f"/contests/{world.city.id}/recommendations/decide",
        data={"entry_ids": both, "action": "accept"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "the quota of this source is 1 and 0 are already accepted: at most 1 more" in refused
    db.session.expire_all()
    assert {
        e.status
        for e in db.session.scalars(select(Entry).filter_by(contest_trade_id=world.city_ct.id))
    } == {"recommended"}

    city.post(
        f"/contests/{world.city.id}/recommendations/decide",
        data={"entry_ids": [by_name["甲"].id], "action": "accept"},
    )
    missing = city.post(
        f"/contests/{world.city.id}/recommendations/decide",
        data={"entry_ids": [by_name["丙"].id], "action": "return", "reason": ""},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "a reason is required to return an entry" in missing
    city.post(
        f"/contests/{world.city.id}/recommendations/decide",
        data={"entry_ids": [by_name["丙"].id], "action": "return", "reason": "名额已满"},
    )
    db.session.expire_all()
    assert db.session.get(Entry, by_name["甲"].id).status == "registered"
    returned = db.session.get(Entry, by_name["丙"].id)
    assert (returned.status, returned.review_note) == ("returned", "名额已满")
    counts = city.get(f"/contests/{world.city.id}/recommendations").get_data(as_text=True)
    assert (
        "<td>0</td><td>1</td><td>1</td><td>1</td>" in counts
    )  # recommended/accepted/quota/returned
    # The county's organiser reads the decision and its reason.
    sent = county.get(f"/contests/{world.county.id}/sent-up").get_data(as_text=True)
    assert "名额已满" in sent and "Returned" in sent and "Registered" in sent
    # Someone else's entries cannot be decided from this contest.
    other = city.post(
        f"/contests/{world.city.id}/recommendations/decide",
        data={"entry_ids": [by_name["甲"].source_entry_id], "action": "return", "reason": "x"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "choose recommended entries first" in other


def test_a_unit_recommends_directly_against_its_own_quota(app):
    world = build(city_quota=1)
    county = _client(app, "org")  # the organiser of a contest feeding the city
    url = f"/contests/{world.city.id}/recommend"
    person = {
        "source_unit_id": world.unit.id,
        "contest_trade_id": world.city_ct.id,
        "name": "赵六",
        "id_type": "resident",
        "id_number": id_of(0),
        "unit_id": world.unit.id,
    }
    bad_digit = {**person, "id_number": id_of(0)[:17] + ("0" if id_of(0)[17] != "0" else "1")}
    page = county.post(url, data=bad_digit).get_data(as_text=True)
    assert 'id="id_number-error"' in page
    assert county.post(url, data=person).status_code == 303
    again = county.post(url, data=person).get_data(as_text=True)
    assert "this person is already entered in this trade" in again
    db.session.expire_all()
    entry = db.session.scalar(select(Entry).filter_by(contest_trade_id=world.city_ct.id))
    assert entry.status == "recommended"
    assert db.session.get(DirectRecommendation, entry.id).unit_id == world.unit.id
    # Someone who organises neither the city nor a contest feeding it may not.
    f.user("stranger")
    db.session.commit()
    assert _client(app, "stranger").post(url, data=person).status_code == 403

    city = _client(app, "city_org")
    listing = city.get(f"/contests/{world.city.id}/recommendations").get_data(as_text=True)
    assert world.unit.name in listing and "赵六" in listing
    city.post(
        f"/contests/{world.city.id}/recommendations/decide",
        data={"entry_ids": [entry.id], "action": "accept"},
    )
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).status == "registered"


@pytest.mark.parametrize("leaves", ["out_of_competition", "withdrawn"])
def test_an_accepted_entry_out_of_competition_or_withdrawn_takes_no_place_of_the_quota(app, leaves):
    """不计名次 entries are not counted in slots, withdrawn ones give their place back: the same
    as the registration quotas (enrolment.rules.counts_against_quota)."""
    world = build(city_quota=1)
    county, _ = _import(app, world)
    county.post(f"/contest-trades/{world.county_ct.id}/advance")
    db.session.expire_all()
    up = db.session.scalars(select(Entry).filter_by(contest_trade_id=world.city_ct.id)).all()
    by_name = {e.person.name: e for e in up}
    city = _client(app, "city_org")
    decide = f"/contests/{world.city.id}/recommendations/decide"
    city.post(decide, data={"entry_ids": [by_name["甲"].id], "action": "accept"})
    db.session.expire_all()
    first = db.session.get(Entry, by_name["甲"].id)
    assert first.status == "registered"
    if leaves == "withdrawn":
        first.status = "withdrawn"
    else:
        first.out_of_competition = True
    db.session.commit()

    page = city.post(
        decide, data={"entry_ids": [by_name["丙"].id], "action": "accept"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "the quota of this source is 1" not in page
    db.session.expire_all()
    assert db.session.get(Entry, by_name["丙"].id).status == "registered"
