"""Retention (issue 18, item 5): contestants without an award keep their personal details for
their contests' retention after final, then they are anonymised."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.privacy.rules import Taking, due_for_anonymising, objector_due, years_after
from competitions.privacy.services import apply_retention, clear_objectors
from competitions.privacy.tasks import apply_retention as apply_retention_task
from competitions.publication.models import Appeal
from competitions.registry import services
from competitions.registry.models import Person
from competitions.results.models import Result, ResultSet
from tests import factories as f
from tests.publication.test_publish import computed_world
from tests.selection.test_selection import _through_review_and_experts as through_review_and_experts
from tests.selection.test_selection import _world as selection_world

TODAY = date(2030, 6, 1)
OLD = Taking(date(2026, 12, 1), False, 3)  # final 3.5 years ago, kept 3 years
RECENT = Taking(date(2028, 1, 1), False, 3)


@pytest.mark.parametrize(
    ("takings", "due"),
    [
        ([], False),  # never entered: the registrars' register
        ([OLD], True),
        ([RECENT], False),  # not yet 3 years
        ([Taking(date(2027, 6, 1), False, 3)], True),  # on the day
        ([Taking(date(2027, 6, 2), False, 3)], False),  # the day before
        ([Taking(None, False, 3)], False),  # not final
        ([Taking(date(2026, 12, 1), True, 3)], False),  # an award: kept
        ([OLD, RECENT], False),  # every entry must be due
        ([OLD, Taking(date(2021, 1, 1), False, 10)], False),  # the longer retention wins
        ([OLD, Taking(date(2020, 1, 1), False, 5)], True),
        ([OLD, Taking(date(2020, 1, 1), True, 1)], False),  # an award anywhere: kept
    ],
)
def test_due_for_anonymising(takings, due):
    assert due_for_anonymising(takings, TODAY) is due


@pytest.mark.parametrize(
    ("day", "years", "then"),
    [
        (date(2026, 12, 1), 3, date(2029, 12, 1)),
        (date(2028, 2, 29), 1, date(2029, 2, 28)),
        (date(2028, 2, 29), 4, date(2032, 2, 29)),
    ],
)
def test_years_after(day, years, then):
    assert years_after(day, years) == then


@pytest.mark.parametrize(
    ("decided_on", "due"),
    [
        (None, False),  # undecided: the arbitrator may still need to reach them
        (date(2029, 6, 1), True),  # decided 365 days ago, kept 365
        (date(2029, 6, 2), False),  # the day before
        (date(2025, 1, 1), True),
        (date(2030, 6, 1), False),  # decided today
    ],
)
def test_objector_due(decided_on, due):
    assert objector_due(decided_on, TODAY, 365) is due


def test_the_daily_run_clears_public_objectors_decided_long_ago(app):
    """Three public objections to a 工匠 nominee: decided 400 days ago (its objector's name
    and phone cleared, the objection and decision kept), decided 10 days ago and undecided
    (kept). The audit log says it was done, not what was there; a second run does nothing."""
    campaign, jn, rb, steel, rail, users = selection_world()
    wang, *_ = through_review_and_experts(campaign, jn, rb, steel, rail, users)
    decided = {"old": datetime(2029, 4, 27, 10, 0), "recent": datetime(2030, 5, 22, 10, 0)}
    for name, when in [
        ("旧异议人", decided["old"]),
        ("新异议人", decided["recent"]),
        ("待定", None),
    ]:
        db.session.add(
            Appeal(
                assessment_id=campaign.id,
                subject_id=wang.id,
                real_name=name,
                contact="13800000000",
                reason="该候选人的专利并非本人完成。",
                state="rejected" if when else "pending",
                decision="经核查，异议不成立。" if when else None,
                decided_at=when,
            )
        )
    db.session.commit()
    assert clear_objectors(TODAY, 365) == 1
    db.session.commit()
    db.session.expire_all()
    appeals = {a.decided_at: a for a in db.session.scalars(select(Appeal))}
    old = appeals[decided["old"]]
    assert (old.real_name, old.contact, old.decision) == ("已匿名", "", "经核查，异议不成立。")
    assert (appeals[decided["recent"]].real_name, appeals[None].contact) == (
        "新异议人",
        "13800000000",
    )
    logged = db.session.scalars(select(AuditLog).where(AuditLog.entity == "appeal")).all()
    assert [r.action for r in logged if r.entity_id == old.id][-1:] == ["anonymise"]
    assert not [r for r in logged if "旧异议人" in str(r.changes) and r.action == "anonymise"]
    assert clear_objectors(TODAY, 365) == 0


def test_the_daily_run_anonymises_who_is_due_and_keeps_the_rest(app):
    """Three contestants of a contest whose results became final four years ago (kept 3):
    the first has an award and keeps their details; the two others are anonymised: name, ID
    number, phone, birth date, and the name their final results and appeals hold. The audit log
    says it was done, not what was there; a second run does nothing."""
    world = computed_world()
    result_set = db.session.get(ResultSet, world.ct.id)
    result_set.state, result_set.finalised_at = "final", datetime(2026, 1, 5, 9, 0)
    results = {r.subject_id: r for r in db.session.scalars(select(Result))}
    for entry in world.entries:
        results[entry.id].final_name = entry.person.name
        results[entry.id].award = "first" if entry is world.entries[0] else None
    second = world.entries[1]
    db.session.add(
        Appeal(
            assessment_id=world.ct.id,
            subject_id=second.id,
            real_name=second.person.name,
            contact="13912345678",
            reason="复核",
        )
    )
    db.session.commit()
    kept = world.entries[0].person
    names = {e.person.id: (e.person.name, e.person.id_number) for e in world.entries}
    today = date(2030, 1, 5)
    assert apply_retention(today, 3, datetime(2030, 1, 5, 3, 0)) == 2
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Person, kept.id).name == names[kept.id][0]
    for entry in world.entries[1:]:
        person = db.session.get(Person, entry.person_id)
        assert (person.name, person.phone, person.birth_date) == ("已匿名", "", date(1900, 1, 1))
        assert person.id_number == f"ANON{person.id}" and person.anonymised_at is not None
        assert services.find_person("resident", names[person.id][1]) is None
        assert db.session.get(Result, entry.id).final_name == "已匿名"
    appeal = db.session.scalar(select(Appeal))
    assert (appeal.real_name, appeal.contact) == ("已匿名", "")
    logged = db.session.scalars(select(AuditLog).where(AuditLog.action == "anonymise")).all()
    assert len(logged) == 2 and all(names[r.entity_id][0] not in str(r.changes) for r in logged)
    assert apply_retention(today, 3, datetime(2030, 1, 5, 3, 0)) == 0


def test_the_task_keeps_its_run_as_a_job(app):
    computed_world()
    assert apply_retention_task.run() == 0  # results not final: nobody is due
    job = db.session.scalar(select(Job).where(Job.kind == "retention"))
    assert job.state == "succeeded" and job.result == {"anonymised": 0, "objectors_cleared": 0}
    # The system administrator reads the run on the accounts page (its title only the word).
    admin = f.user("sysadmin")
    admin.admin_role = "system"
    db.session.commit()
    client = app.test_client()
    f.log_in(client, "sysadmin")
    page = client.get("/admin/users").get_data(as_text=True)
    assert "<title>" in page and page.index("</title>") < page.index('id="retention-runs"')
    runs = page[page.index('id="retention-runs"') :]
    assert "清除的异议人" in runs and "365" in page[: page.index('id="retention-runs"')]
    assert runs.count("<td>0</td>") == 2
