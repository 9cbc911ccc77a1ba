"""Marks from outside: theory by ID number, practical by anonymous code; all or nothing, audited
with the file's name, refused once locked, and ranked by the same rules after the lock."""

import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from competitions.core.audit import AuditLog, acting_as
from competitions.core.db import db
from competitions.imports import rules as import_rules
from competitions.imports.services import jobs as import_jobs
from competitions.imports.services import marks
from competitions.imports.tasks import import_marks
from competitions.judging.models import (
    Mark,
    MarkChange,
    MarkingLock,
    PanelMember,
    SchemeItem,
    SchemePart,
)
from competitions.judging.rules import ItemRule
from competitions.registry.models import Entry
from competitions.results.models import Result
from competitions.results.services import compute
from tests import factories as f
from tests.imports.sheets import xlsx_bytes, xlsx_rows
from tests.judging.marking_world import build, score_everyone


def with_theory(world, codes=("T1",), max_mark=100):
    """Add a theory part (items without judges) to the marking world."""
    part = SchemePart(assessment_id=world.ct.id, kind="theory", name="理论")
    db.session.add(part)
    db.session.flush()
    for position, code in enumerate(codes, start=1):
        db.session.add(
            SchemeItem(
                part_id=part.id,
                position=position,
                code=code,
                criterion="理论考试",
                kind="measurement",
                max_mark=Decimal(max_mark),
                step=Decimal("0.5"),
                judges=1,
                aggregation="mean",
            )
        )
    db.session.commit()


def organiser_id() -> int:
    from competitions.accounts.models import User

    return db.session.scalar(select(User.id).filter_by(username="org"))


def run(world, part, rows, headers, filename="成绩.xlsx"):
    with acting_as(organiser_id(), world.ct.contest_id):
        outcome = marks.import_marks(
            world.ct.id, part, filename, xlsx_bytes(rows, headers), organiser_id()
        )
    db.session.commit()
    return outcome


def lock_and_rank(world) -> dict[int, int]:
    db.session.merge(MarkingLock(assessment_id=world.ct.id, locked=True))
    compute.recompute([world.ct.id])
    db.session.commit()
    ranks = dict(db.session.execute(select(Result.subject_id, Result.rank)).all())
    return [ranks[e.id] for e in world.entries]


def unlock(world):
    db.session.merge(MarkingLock(assessment_id=world.ct.id, locked=False))
    db.session.commit()


def test_a_theory_import_by_id_number_changes_the_rank(app):
    world = build()
    with_theory(world)
    score_everyone(world, ["8", "7", "6"])
    ids = [(e.person.id_number, e.person.name) for e in world.entries]
    run(
        world,
        "theory",
        [[ids[0][0], ids[0][1], 50], [ids[1][0], ids[1][1], 50]],
        ["证件号码", "姓名", "T1"],
    )
    # The third contestant is absent from the file for now: theory 0 for them.
    unlock(world)
    before = lock_and_rank(world)
    unlock(world)
    outcome = run(
        world, "theory", [[ids[2][0], ids[2][1], "100"]], ["身份证号", "姓名", "理论知识成绩"]
    )
    assert outcome.ok and outcome.counts() == {"rows": 1, "marks_saved": 1, "times_saved": 0}
    assert before == [1, 2, 3] and lock_and_rank(world) == [2, 3, 1]
    change = db.session.scalar(
        select(MarkChange).filter_by(subject_id=world.entries[2].id, changed_by=organiser_id())
    )
    assert (change.new_value, change.reason) == (Decimal(100), "导入: 成绩.xlsx")
    mark = db.session.scalar(
        select(Mark).filter_by(subject_id=world.entries[2].id, source="import")
    )
    assert mark.judge_id == organiser_id()  # no judge marks theory: the importer's score
    logged = db.session.scalars(select(AuditLog).filter_by(entity="mark_change")).all()
    assert [a.user_id for a in logged if "导入: 成绩.xlsx" in str(a.changes)] == [
        organiser_id()
    ] * 3


def test_practical_marks_by_code_replace_every_judges_score_and_bring_time_used(app):
    world = build()
    score_everyone(world, ["8", "7", "6"])
    outcome = run(
        world,
        "practical",
        [[world.codes[2], "9.5", "52:30"]],
        ["加密号", "J1", "用时"],
    )
    assert outcome.ok and outcome.counts() == {"rows": 1, "marks_saved": 1, "times_saved": 1}
    values = db.session.scalars(
        select(Mark.value).filter_by(subject_id=world.entries[2].id, item_id=world.items[0].id)
    ).all()
    assert values == [Decimal("9.5")] * 3  # each of the three judges' scores
    assert db.session.get(Entry, world.entries[2].id).time_used_s == 3150
    assert lock_and_rank(world)[2] == 1


def test_once_locked_an_import_is_refused_and_saves_nothing(app):
    world = build()
    with_theory(world)
    db.session.merge(MarkingLock(assessment_id=world.ct.id, locked=True))
    db.session.commit()
    e = world.entries[0].person
    outcome = run(world, "theory", [[e.id_number, e.name, 80]], ["证件号码", "姓名", "T1"])
    assert [x["msgid"] for x in outcome.errors] == ["the marks are locked by the chief judge"]
    assert db.session.scalar(select(func.count()).select_from(Mark)) == 0


def test_a_bad_file_lists_every_problem_by_row_and_column_and_saves_nothing(app):
    world = build()
    with_theory(world, ("T1", "T2"), max_mark=50)
    a, b = world.entries[0].person, world.entries[1].person
    rows = [
        [a.id_number, a.name, 40, 51],  # T2 above its maximum
        ["110101199001010000", "某某", 30, 30],  # not a contestant of this trade
        [b.id_number, "别人", 30, 30],  # the wrong name
        [a.id_number.lower(), a.name, "=1+1", ""],  # a formula, an empty mark, twice a
        [b.id_number, b.name, 30.25, 20],  # not in steps of 0.5
    ]
    outcome = run(world, "theory", rows, ["证件号码", "姓名", "T1", "T2"])
    assert [(e["row"], e["column"], e["msgid"]) for e in outcome.errors] == [
        (2, "T2", "above the maximum of %(max)s"),
        (3, "证件号码", "no contestant of this trade has this ID number"),
        (4, "姓名", "this ID number is registered to %(name)s"),
        (5, "T1", "formulas are not accepted; paste the values instead"),
        (5, "T2", "a mark is required"),
        (6, "T1", "must be in steps of %(step)s"),
    ]
    assert db.session.scalar(select(func.count()).select_from(Mark)) == 0
    twice = run(
        world, "theory", [rows[0][:3], [a.id_number, a.name, 20]], ["证件号码", "姓名", "T1"]
    )
    assert [(e["row"], e["msgid"]) for e in twice.errors] == [
        (3, "this contestant is already in row %(row)s")
    ]
    both = run(world, "theory", [[a.id_number, a.name, 20]], ["证件号码", "姓名", "理论知识成绩"])
    assert both.errors[0]["msgid"].startswith("the theory part has several items")


def practical_job(world):
    """The organiser's job importing one practical mark (8 for the first code's J1)."""
    return import_jobs.create_import_job(
        world.ct.contest_id,
        organiser_id(),
        "实操.xlsx",
        "",
        xlsx_bytes([[world.codes[0], "8"]], ["加密号", "J1"]),
        import_jobs.MARKS_KINDS["practical"],
        world.ct.id,
    )


def test_the_task_runs_a_marks_job_and_the_job_page_shows_the_counts(app, client, login):
    world = build()
    job = practical_job(world)
    db.session.commit()
    import_marks(job.id)
    db.session.expire_all()
    assert job.state == "succeeded" and job.result["marks_saved"] == 1
    login("chief")  # the chief judge may import practical marks and follow the job
    client.get("/lang/en")
    page = client.get(f"/contests/{world.ct.contest_id}/import/{job.id}").get_data(as_text=True)
    assert "<th>Item marks saved</th><td>1</td>" in page
    assert client.get(f"/contest-trades/{world.ct.id}/import/theory").status_code == 403
    upload = client.post(
        f"/contest-trades/{world.ct.id}/import/practical",
        data={
            "file": (io.BytesIO(xlsx_bytes([[world.codes[1], "7"]], ["加密号", "J1"])), "p.xlsx")
        },
    )
    assert upload.status_code == 303


@pytest.mark.parametrize(
    ("cells", "errors"),
    [
        ({"code": "701", "item:J1": "8", "time_used": "52:30"}, []),
        ({"code": "", "item:J1": "8"}, [("code", "an anonymous code is required")]),
        ({"code": "999", "item:J1": "8"}, [("code", "no entry has the code %(code)s")]),
        ({"code": "701", "item:J1": "11"}, [("item:J1", "above the maximum of %(max)s")]),
        (
            {"code": "701", "time_used": "52:99"},
            [("time_used", "write the time as minutes:seconds, e.g. 52:30")],
        ),
    ],
)
def test_practical_row_rule(cells, errors):
    items = [import_rules.MarkTarget(1, "J1", ItemRule(Decimal(10), step=Decimal("0.5")))]
    row, found = import_rules.check_practical_row(2, cells, {"701": 5}, items)
    assert [(e.column, e.reason.msgid) for e in found] == errors
    if not errors:
        assert row == import_rules.MarkRow(2, 5, ((1, Decimal(8)),), 3150)


def test_the_templates_list_the_trades_contestants_or_codes_under_chinese_headers(
    app, client, login
):
    world = build()
    with_theory(world)
    login("org")
    theory = client.get(f"/contest-trades/{world.ct.id}/import/theory/template.xlsx")
    practical = client.get(f"/contest-trades/{world.ct.id}/import/practical/template.xlsx")
    theory_rows = xlsx_rows(theory.get_data())
    assert theory_rows[0] == ("证件号码", "姓名", "T1")
    assert sorted(theory_rows[1:]) == sorted(
        (e.person.id_number, e.person.name, None) for e in world.entries
    )
    practical_rows = xlsx_rows(practical.get_data())
    assert practical_rows[0] == ("加密号", "J1", "M1", "用时")
    assert sorted(r[0] for r in practical_rows[1:]) == sorted(world.codes)
    # A file filled in from the template imports as it is.
    filled = [[r[0], r[1], 80] for r in theory_rows[1:]]
    assert run(world, "theory", filled, list(theory_rows[0])).ok


def test_a_chief_judge_imports_and_follows_only_their_own_trades_marks(app, client, login):
    """A chief judge of another trade of the same contest can neither import practical marks
    into this trade nor open its import (its page holds the trade's codes and marks)."""
    world = build()
    other_ct = f.contest_trade(world.ct.contest, f.trade("6-18-02-04", "焊工"))
    other_chief = f.user("chief2")
    f.grant(other_chief, world.ct.contest, "chief_judge")
    db.session.add(
        PanelMember(assessment_id=other_ct.id, user_id=other_chief.id, role="chief_judge")
    )
    job = practical_job(world)
    db.session.commit()
    login("chief2")
    assert client.get(f"/contest-trades/{world.ct.id}/import/practical").status_code == 403
    upload = client.post(
        f"/contest-trades/{world.ct.id}/import/practical",
        data={
            "file": (io.BytesIO(xlsx_bytes([[world.codes[1], "7"]], ["加密号", "J1"])), "p.xlsx")
        },
    )
    assert upload.status_code == 403
    assert client.get(f"/contests/{world.ct.contest_id}/import/{job.id}").status_code == 403
    assert client.get(f"/contest-trades/{other_ct.id}/import/practical").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Mark)) == 0
