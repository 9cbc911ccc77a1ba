"""Hostile input refused in the marking: the scheme, the panel, the judges' declarations and
score JSON, the chief judge's review, the clerks' score sheets (see test_hostile_input.py)."""

from decimal import Decimal
from urllib.parse import urlencode

from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import delete, func, select

from competitions.core.db import db
from competitions.judging.models import FlagResolution, JudgeSubject, Mark, ScoreSheet
from competitions.judging.services.marks import save_score
from competitions.registry.models import Entry
from tests import factories as f
from tests.security.hostile import (
    FEW,
    Target,
    check_answer,
    committed_counts,
    exists,
    form_of,
    json_value,
    logged_in,
    refused,
    submit,
    world,
)

# --- the marking scheme, the panel, the judges ----------------------------------------------

SCHEME_ITEM = {
    "part": "practical",
    "code": "Z9",
    "criterion": "安全文明",
    "description": "",
    "kind": "measurement",
    "max_mark": "5",
    "scale": "marks",
    "step": "",
    "judges": "",
    "aggregation": "mean",
    "tolerance": "",
}


def test_scheme_item_forms(app):
    w = world()
    client = logged_in(app, "org")
    item = w.items[0]
    base = f"/contest-trades/{w.ct.id}/scheme/items"
    new = Target(f"{base}/new", SCHEME_ITEM)
    edit = Target(f"{base}/{item.id}/edit", {**SCHEME_ITEM, "code": item.code})

    @FEW
    @example(new_data=new.valid, edit_data=edit.valid)
    @given(new_data=form_of(new.valid), edit_data=form_of(edit.valid))
    def run(new_data, edit_data):
        new.send(client, new_data)
        edit.send(client, edit_data)

    run()
    assert new.took_valid and edit.took_valid


def test_panel_forms(app):
    w = world()
    client = logged_in(app, "org")
    member = w.members["judge1"]
    db.session.execute(
        delete(JudgeSubject).filter_by(member_id=member.id, subject_id=w.entries[0].id)
    )
    db.session.commit()
    base, m = f"/contest-trades/{w.ct.id}/panel", f"m{member.id}-"
    add = Target(base, {"username": "judge4", "role": "judge", "delegation_id": ""})
    items = Target(f"{base}/{member.id}/items", {f"{m}items": str(w.items[0].id)})
    assign = Target(f"{base}/{member.id}/entries", {f"{m}entry_id": str(w.entries[0].id)})

    @FEW
    @example(add_data=add.valid, items_data=items.valid, assign_data=assign.valid)
    @given(
        add_data=form_of(add.valid),
        items_data=form_of(items.valid, f"{m}parts"),
        assign_data=form_of(assign.valid),
    )
    def run(add_data, items_data, assign_data):
        add.send(client, add_data)
        items.send(client, items_data)
        assign.send(client, assign_data)

    run()
    assert add.took_valid and items.took_valid and assign.took_valid


def test_relations_form(app):
    w = world()
    client = logged_in(app, "judge1")
    person = w.entries[0].person
    relation = Target(
        f"/contest-trades/{w.ct.id}/relations",
        {"id_number": person.id_number, "name": person.name, "relation": "亲属"},
    )

    @FEW
    @example(data=relation.valid)
    @given(data=form_of(relation.valid))
    def run(data):
        relation.send(client, data)

    run()
    assert relation.took_valid


def marks() -> int:
    return db.session.scalar(select(func.count()).select_from(Mark))


def probe_json(client, path: str, valid: dict, when_saved=lambda response: None) -> None:
    """Post ``valid`` and hostile JSON (any value, or ``valid`` with hostile values): each answer
    is clean; a 200 is checked by ``when_saved``; a refusal is a 400 with an error that commits
    nothing."""

    @FEW
    @example(body=valid)
    @given(
        body=json_value
        | st.fixed_dictionaries({k: st.just(v) | json_value for k, v in valid.items()})
    )
    def run(body):
        before = committed_counts()
        try:
            response = client.post(path, json=body)
        finally:
            db.session.rollback()
        check_answer(response, body)
        if response.status_code == 200:
            when_saved(response)
        else:
            assert response.status_code == 400 and response.get_json()["error"]
            assert committed_counts() == before

    run()


def test_the_judges_score_json_refuses_anything_but_a_score_in_range(app):
    w = world()
    client = logged_in(app, "judge1")
    path = f"/marking/{w.ct.id}/scores"
    valid = {"code": w.codes[0], "item": w.items[0].id, "value": "5"}

    def in_range(response):  # a score in range, saved
        assert Decimal(0) <= Decimal(response.get_json()["value"]) <= Decimal(10)

    probe_json(client, path, valid, in_range)
    assert marks() > 0  # the valid score was saved
    before = marks()
    raw = client.post(path, data=b"\x00\xff{not json", content_type="application/json")
    assert raw.status_code == 400 and marks() == before


def test_the_time_used_json_refuses_anything_but_a_time_for_a_known_code(app):
    w = world()
    client = logged_in(app, "chief")  # the chief judge keeps time too
    path = f"/contest-trades/{w.ct.id}/times"
    probe_json(client, path, {"code": w.codes[0], "value": "52:30"})
    times = db.session.scalars(select(Entry.time_used_s).where(Entry.time_used_s.is_not(None)))
    assert len(list(times)) == 1  # the valid time was saved (in seconds), for its code only


def test_the_chief_judges_review_forms(app):
    w = world()
    entry, item = w.entries[0], w.items[0]
    for judge, score in zip(w.judges, (2, 5, 9), strict=True):  # a disagreement: a flag
        save_score(w.ct.id, entry.id, item.id, judge.id, Decimal(score), judge.id)
    db.session.commit()
    client = logged_in(app, "chief")
    base = f"/contest-trades/{w.ct.id}"
    resolve = {
        "entry_id": str(entry.id),
        "item_id": str(item.id),
        "action": "confirm",
        "comment": "确认评分有效",
    }
    correct = {
        "code": w.codes[0],
        "item_id": str(item.id),
        "judge_id": str(w.judges[0].id),
        "value": "6",
        "reason": "录入错误更正",
    }
    unlock = {"reason": "申诉复核需要重新评分"}  # not locked: refused with the reason
    many = {"flags": f"{entry.id}-{item.id}", "action": "remark", "comment": "一并请复评"}

    @FEW
    @example(resolve_data=resolve, correct_data=correct, unlock_data=unlock, many_data=many)
    @given(
        resolve_data=form_of(resolve),
        correct_data=form_of(correct),
        unlock_data=form_of(unlock),
        many_data=form_of(many),
    )
    def run(resolve_data, correct_data, unlock_data, many_data):
        submit(client, f"{base}/review/resolve", resolve_data)
        if resolve_data == resolve:
            assert exists(FlagResolution, comment="确认评分有效")
        submit(client, f"{base}/review/resolve-many", many_data)
        if many_data == many:
            assert exists(FlagResolution, comment="一并请复评")
        submit(client, f"{base}/review/correct", correct_data)
        if correct_data == correct:
            assert exists(Mark, subject_id=entry.id, judge_id=w.judges[0].id, value=Decimal(6))
        submit(client, f"{base}/unlock", unlock_data)
        page = client.get(f"{base}/review")
        check_answer(page, [resolve_data, correct_data, unlock_data, many_data])

    run()


def test_the_clerks_score_sheet_forms(app):
    w = world()
    for name in ("clerk1", "clerk2"):
        f.grant(f.user(name), w.ct.contest, "clerk")
    db.session.commit()
    first, second = logged_in(app, "clerk1"), logged_in(app, "clerk2")
    base = f"/contest-trades/{w.ct.id}/sheets"
    start = {"code": w.codes[0], "judge": str(w.judges[0].id)}
    values = {f"item_{w.items[0].id}": "7.5", f"item_{w.items[1].id}": "3.2"}

    @FEW
    @example(start_query=start, first_data=values, second_data=values)
    @given(
        start_query=form_of(start),
        first_data=form_of(values, "version"),
        second_data=form_of(values, "version"),
    )
    def run(start_query, first_data, second_data):
        typed = submit(first, f"{base}/new?{urlencode(start_query)}", first_data)
        if start_query == start and first_data == values and not refused(typed):
            assert exists(ScoreSheet, subject_id=w.entries[0].id, state="typed")
        sheet = db.session.scalar(select(ScoreSheet))
        if sheet is not None:
            data = {"version": str(sheet.version), **second_data}
            submit(second, f"{base}/{sheet.id}/second", data)
            submit(first, f"{base}/{sheet.id}/edit", {"version": str(sheet.version), **first_data})
            check_answer(second.get(f"{base}/{sheet.id}"), [first_data, second_data])

    run()
    assert exists(ScoreSheet, subject_id=w.entries[0].id)  # the valid sheet was typed
