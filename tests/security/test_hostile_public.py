"""Hostile input refused from the public and the arbitrator: the look-up, the appeal, the
decision on an appeal, the verification of a certificate (see test_hostile_input.py)."""

from hypothesis import example, given
from sqlalchemy import select

from competitions.core.db import db
from competitions.publication import services as publication
from competitions.publication.models import Appeal
from competitions.results.models import ResultSet
from tests import factories as f
from tests.publication.test_publish import computed_world
from tests.security.hostile import (
    FEW,
    Target,
    check_answer,
    form_of,
    hostile,
    logged_in,
    refused,
    submit,
)

# --- the public: look-up and appeal; the arbitrator; verification ------------------------------


def notice_world():
    """Results under public notice (appeals open) and an arbitrator."""
    w = computed_world()
    result_set = db.session.get(ResultSet, w.ct.id)
    assert publication.publish(w.ct, result_set, publication.local_now()) is None
    f.grant(f.user("arbitrator"), w.ct.contest, "arbitrator")
    db.session.commit()
    return w


def test_lookup_and_appeal_forms(app):
    w = notice_world()
    person = w.entries[0].person
    lookup = {"id_number": person.id_number, "name": person.name, "agree": "y"}
    appeal = Target(
        f"/my-result/appeal/{w.entries[0].id}",
        {"real_name": person.name, "contact": "", "reason": "请复核我的实操成绩记录"},
    )
    contestant = app.test_client()
    assert contestant.post("/my-result", data=lookup).status_code == 302

    @FEW
    @example(lookup_data=lookup, appeal_data=appeal.valid)
    @given(lookup_data=form_of(lookup), appeal_data=form_of(appeal.valid))
    def run(lookup_data, appeal_data):
        found = submit(app.test_client(), "/my-result", lookup_data)
        # Only the right pair finds results, and only with the privacy notice agreed to (a
        # ticked box sends whatever value it carries; an empty or missing one is not ticked).
        pair = {k: lookup_data.get(k) for k in ("id_number", "name")}
        ticked = lookup_data.get("agree") not in (None, "", "false")
        assert refused(found) or (pair == {k: lookup[k] for k in pair} and ticked)
        appeal.send(contestant, appeal_data)
        check_answer(contestant.get("/my-result/results"), appeal_data)

    run()
    valid = appeal.valid
    assert db.session.scalar(select(Appeal).filter_by(reason=valid["reason"]))  # it was filed


def test_the_arbitrators_decision_form(app):
    w = notice_world()
    client = logged_in(app, "arbitrator")
    valid = {"outcome": "rejected", "reasons": "记录无误，维持原成绩"}
    decided = []

    @FEW
    @example(data=valid)
    @given(data=form_of(valid))
    def run(data):
        appeal = Appeal(
            assessment_id=w.ct.id, subject_id=w.entries[1].id, real_name="x", reason="y" * 10
        )
        db.session.add(appeal)
        db.session.commit()
        submit(client, f"/appeals/{appeal.id}/decide", data)
        db.session.refresh(appeal)
        if data == valid:
            decided.append(appeal.state)

    run()
    assert decided and set(decided) == {"rejected"}


def test_verification_by_hostile_numbers(app):
    client = app.test_client()

    @FEW
    @given(hostile)
    def run(number):
        check_answer(client.get("/verify", query_string={"number": number}), number)
        if number.strip("/"):
            check_answer(client.get(f"/verify/{number}"), number)

    run()
