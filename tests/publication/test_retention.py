"""Retention (issue 18, item 5): contestants without an award keep their personal details for
their contests' retention after final, then they are anonymised."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.privacy.rules import Taking, due_for_anonymising, years_after
from competitions.privacy.services import apply_retention
from competitions.privacy.tasks import apply_retention as apply_retention_task
from competitions.publication.models import Appeal
from competitions.registry import services
from competitions.registry.models import Person
from competitions.results.models import Result, ResultSet
from tests.publication.test_publish import computed_world

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
    assert job.state == "succeeded" and job.result == {"anonymised": 0}
