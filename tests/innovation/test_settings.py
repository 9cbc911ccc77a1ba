"""An innovation contest after set-up: the organiser changes the award counts per category and
the weights until the awards are published (bad input refused beside the field, nothing
half-saved, the change in the audit log in people's words); the review's and the defence's
marking schemes change on judging's scheme page until marking starts; the submitter's edit
form shows the team members' ID numbers masked and keeps the stored ones. Read back from the
database."""

import io
from decimal import Decimal

from sqlalchemy import select

from competitions.core.db import db
from competitions.innovation import services
from competitions.innovation.models import InnovationContest
from competitions.innovation.rules import LEVELS
from competitions.judging.models import SchemeItem, SchemePart
from competitions.judging.services.marks import save_score
from competitions.results.models import ResultSet
from tests.innovation.test_innovation import PDF, _as, _entries, _id, _new, _submission, _world


def _settings(weights=("60", "40"), **counts) -> dict:
    """The settings form's fields: every category 1,5,10,30 unless ``counts`` says
    (``categories-0-first="-1"``)."""
    data = {"review_weight": weights[0], "defence_weight": weights[1]}
    for n in range(4):
        for level, value in zip(LEVELS, (1, 5, 10, 30), strict=True):
            data[f"categories-{n}-{level}"] = str(value)
    return data | counts


def _stored(innovation_id):
    db.session.expire_all()
    comp = db.session.get(InnovationContest, innovation_id)
    return (comp.review_weight, comp.defence_weight), [c.counts for c in comp.categories]


def test_award_counts_and_weights_change_until_the_awards_are_published(client):
    contest, steel, _rail, _users = _world()
    comp = services.create_innovation(contest.id, "2026年职工创新成果竞赛", 60, 40, {})
    db.session.commit()
    before = _stored(comp.id)
    url = f"/contests/{contest.id}/innovation/settings"
    _as(client, "org")
    assert b'id="settings-link"' in client.get(f"/contests/{contest.id}/innovation").data

    # Weights not adding up to 100: refused beside the field, nothing saved.
    page = client.post(url, data=_settings(("70", "20"))).get_data(as_text=True)
    assert 'id="review_weight-error"' in page and "must add up to 100" in page
    # A negative count, and a count that is no number: beside their fields; nothing saved,
    # not even the good weights posted with them.
    page = client.post(
        url,
        data=_settings(("70", "30"), **{"categories-1-first": "-1", "categories-2-third": "x"}),
    ).get_data(as_text=True)
    assert 'id="categories-1-first-error"' in page
    assert "an award count cannot be negative" in page
    assert 'id="categories-2-third-error"' in page and "give a whole number" in page
    assert _stored(comp.id) == before

    # Good values: saved, in the audit log in people's words.
    saved = client.post(
        url,
        data=_settings(("70", "30"), **{"categories-0-special": "0", "categories-0-first": "3"}),
    )
    assert saved.status_code == 303
    weights, counts = _stored(comp.id)
    assert weights == (70, 30)
    assert counts[0] == {"special": 0, "first": 3, "second": 10, "third": 30}
    assert counts[1] == {"special": 1, "first": 5, "second": 10, "third": 30}
    audit = client.get(f"/contests/{contest.id}/audit").get_data(as_text=True)
    assert "Weight of the online review (%)" in audit and "First prizes" in audit
    # Reloaded, the form shows what was saved.
    page = client.get(url).get_data(as_text=True)
    assert 'name="review_weight" required type="number" value="70"' in page

    # Once the awards are under public notice: refused, with the reason, nothing changes.
    review = _open_review(client, contest, steel)
    db.session.add(ResultSet(assessment_id=review.id, state="notice", ranked=0))
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "the awards are published" in page
    assert 'id="save-settings"' not in page
    client.post(url, data=_settings(("50", "50")))
    assert _stored(comp.id)[0] == (70, 30)
    home = client.get(f"/contests/{contest.id}/innovation").get_data(as_text=True)
    assert 'id="settings-refused"' in home and 'id="settings-link"' not in home


def _open_review(client, contest, steel):
    """A team's achievement of 济钢, passed, and the review opened on it (as the organiser)."""
    _new(client, contest.id, steel.id, "数控刀具快换装置", f"王建国 {_id(1)}\n李红 {_id(2)}")
    tool = _submission("数控刀具快换装置")
    services.add_attachment(tool, "报告.pdf", PDF)
    services.submit(tool)
    services.check_format(tool, True, "")
    db.session.commit()
    assert client.post(f"/contests/{contest.id}/innovation/review").status_code == 303
    return services.round_of(services.innovation_of(contest.id), "review")


def _item(**changes) -> dict:
    data = {
        "part": "practical",
        "code": "A",
        "criterion": "创新性",
        "description": "",
        "kind": "judgement",
        "max_mark": "30",
        "scale": "marks",
        "step": "0.5",
        "judges": "3",
        "aggregation": "mean",
        "tolerance": "30",
    }
    return data | changes


def test_the_review_scheme_changes_until_marking_starts(client):
    contest, steel, _rail, users = _world()
    services.create_innovation(contest.id, "2026年职工创新成果竞赛", 60, 40, {})
    db.session.commit()
    _as(client, "org")
    review = _open_review(client, contest, steel)
    home = client.get(f"/contests/{contest.id}/innovation").get_data(as_text=True)
    assert 'id="review-scheme-link"' in home and "经济和社会效益" in home

    # The organiser's own scheme: innovation worth 40, a fifth criterion added.
    items = {
        i.code: i
        for i in db.session.scalars(
            select(SchemeItem).join(SchemePart).where(SchemePart.assessment_id == review.id)
        )
    }
    edit = f"/contest-trades/{review.id}/scheme/items/{items['A'].id}/edit"
    assert client.post(edit, data=_item(max_mark="40", tolerance="40")).status_code == 303
    new = f"/contest-trades/{review.id}/scheme/items/new"
    assert client.get(new).status_code == 200
    added = client.post(new, data=_item(code="F", criterion="安全环保", max_mark="10"))
    assert added.status_code == 303, added.get_data(as_text=True)
    db.session.expire_all()
    scheme = {
        i.code: (i.criterion, i.max_mark)
        for i in db.session.scalars(
            select(SchemeItem).join(SchemePart).where(SchemePart.assessment_id == review.id)
        )
    }
    assert scheme["A"] == ("创新性", Decimal(40)) and scheme["F"] == ("安全环保", Decimal(10))
    home = client.get(f"/contests/{contest.id}/innovation").get_data(as_text=True)
    assert "安全环保" in home

    # Once an expert has marked: refused with the reason, on both pages.
    entry = _entries(review.id)[_submission("数控刀具快换装置").id]
    save_score(review.id, entry, items["A"].id, users["exp1"].id, Decimal(20), users["exp1"].id)
    db.session.commit()
    refused = client.post(edit, data=_item(max_mark="50"), follow_redirects=True)
    assert "marks have been entered" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SchemeItem, items["A"].id).max_mark == Decimal(40)
    home = client.get(f"/contests/{contest.id}/innovation").get_data(as_text=True)
    assert 'id="review-scheme-refused"' in home and "marks have been entered" in home


def test_the_edit_form_shows_members_id_numbers_masked_and_keeps_them(client):
    contest, steel, _rail, _users = _world()
    services.create_innovation(contest.id, "2026年职工创新成果竞赛", 60, 40, {})
    db.session.commit()
    _as(client, "liaison")
    _new(client, contest.id, steel.id, "数控刀具快换装置", f"王建国 {_id(1)}\n李红 {_id(2)}")
    tool = _submission("数控刀具快换装置")
    people = [m.person_id for m in tool.members]
    url = f"/contests/{contest.id}/innovation/submissions/{tool.id}"
    page = client.get(url).get_data(as_text=True)
    assert _id(1) not in page and _id(2) not in page
    masked = f"{_id(1)[:4]}**********{_id(1)[-4:]}"
    assert masked in page

    def save(members):
        return client.post(
            url,
            data={
                "category": "technical_improvement",
                "title": "数控刀具快换装置",
                "unit_id": steel.id,
                "members": members,
                "abstract": "将刀具更换时间由15分钟缩短到3分钟。",
                "benefit_yuan": "120000",
            },
        )

    # Saved as shown (masked): the same people, their stored numbers untouched.
    shown = f"王建国 {masked}\n李红 {_id(2)[:4]}**********{_id(2)[-4:]}"
    assert save(shown).status_code == 303
    assert [m.person_id for m in _submission("数控刀具快换装置").members] == people
    # A new member by their whole number beside the masked ones.
    assert save(f"{shown}\n赵强 {_id(3)}").status_code == 303
    members = _submission("数控刀具快换装置").members
    assert [m.person.name for m in members] == ["王建国", "李红", "赵强"]
    assert members[2].person.id_number == _id(3)
    # A masked number under another name is no member's: type the whole number.
    page = save(f"孙立 {masked}").get_data(as_text=True)
    assert 'id="members-error"' in page and "type the whole ID number" in page
    assert len(_submission("数控刀具快换装置").members) == 3
    # Attachments still work on the page (the form round trip above changed nothing else).
    client.post(f"{url}/attachments", data={"file": (io.BytesIO(PDF), "报告.pdf")})
    assert len(_submission("数控刀具快换装置").attachments) == 1
