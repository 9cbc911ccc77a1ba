"""A liaison or team leader registers their own people; the organiser reviews: what they do and
see, read back from the database and the pages."""

from sqlalchemy import func, select

from competitions.accounts.models import ContestRole
from competitions.core.db import db
from competitions.enrolment import services
from competitions.enrolment.models import EntryAttachment
from competitions.registry.models import Entry, Person
from tests.enrolment.world import CLOSED, EXE, JPEG, PDF, PNG, build, person_form, upload


def _new(client, world, role, data):
    url = f"/registration/{role.id}/trades/{world.ct.id}/new"
    return client.post(url, data=data, content_type="multipart/form-data")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _entry_of(name: str) -> Entry:
    return db.session.scalar(select(Entry).join(Person).where(Person.name == name))


def test_a_liaison_registers_a_draft_with_a_photo(client, login):
    world = build()
    login("liaison")
    form = person_form("张三", 1, world.workshop, photo=upload(JPEG, "张三.jpg"))
    response = _new(client, world, world.liaison, form)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    entry = _entry_of("张三")
    assert entry.status == "draft" and entry.delegation_id is None
    row = db.session.scalar(select(EntryAttachment).filter_by(entry_id=entry.id))
    assert (row.kind, row.content_type, row.size, row.filename) == (
        "photo",
        "image/jpeg",
        len(JPEG),
        "张三.jpg",
    )
    assert services.photo_of(entry.id) == JPEG
    page = client.get("/registration").get_data(as_text=True)
    assert "张三" in page and "1 of" not in page  # no quota set
    assert client.get(f"/registration/entries/{entry.id}/attachments/photo").data == JPEG


def test_the_quota_refuses_the_next_person_and_saves_nothing(client, login):
    world = build(quota_per_unit=2)
    login("liaison")
    for serial, name in ((1, "甲"), (2, "乙")):
        assert (
            _new(client, world, world.liaison, person_form(name, serial, world.steel)).status_code
            == 302
        )
    page = client.get("/registration").get_data(as_text=True)
    assert "2" in page and "0" in page
    persons = _count(Person)
    response = _new(client, world, world.liaison, person_form("丙", 3, world.steel))
    assert response.status_code == 200
    assert "名额" in response.get_data(as_text=True) or "quota" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _count(Person) == persons and _entry_of("丙") is None


def test_an_entry_out_of_competition_takes_no_place_of_the_quota(client, login):
    world = build(quota_per_unit=2)
    login("liaison")
    for serial, name in ((1, "甲"), (2, "乙")):
        _new(client, world, world.liaison, person_form(name, serial, world.steel))
    # The organiser marks 甲 out of competition (不计名次): a place comes free.
    db.session.expire_all()
    _entry_of("甲").out_of_competition = True
    db.session.commit()
    response = _new(client, world, world.liaison, person_form("丙", 3, world.steel))
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert _entry_of("丙").status == "draft"


def test_outside_the_window_nothing_is_saved(client, login):
    world = build(window=CLOSED)
    login("liaison")
    response = _new(client, world, world.liaison, person_form("甲", 1, world.steel))
    assert response.status_code == 200 and 'id="refused"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert _count(Person) == 0 and _count(Entry) == 0


def test_a_liaison_registers_only_their_own_units_people(client, login):
    world = build()
    login("liaison2")  # of the other unit: gets the form, registers one of theirs
    assert (
        _new(client, world, world.other_liaison, person_form("外单位", 5, world.other)).status_code
        == 302
    )
    login("liaison")
    # A new person given another unit: not one of the choices.
    response = _new(client, world, world.liaison, person_form("乙", 6, world.other))
    assert response.status_code == 200 and 'id="unit_id-error"' in response.get_data(as_text=True)
    # A person already known under another unit, by ID number.
    response = _new(client, world, world.liaison, person_form("外单位", 5, world.steel))
    assert 'id="id_number-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert _count(Entry) == 1 and _entry_of("乙") is None


def test_the_registry_checks_apply_the_id_check_digit(client, login):
    world = build()
    login("liaison")
    form = person_form("甲", 1, world.steel)
    form["id_number"] = form["id_number"][:-1] + ("0" if form["id_number"][-1] != "0" else "1")
    response = _new(client, world, world.liaison, form)
    assert 'id="id_number-error"' in response.get_data(as_text=True)
    assert _count(Entry) == 0


def test_a_renamed_program_is_refused_as_a_photo_and_nothing_is_saved(client, login):
    world = build()
    login("liaison")
    form = person_form("甲", 1, world.steel, photo=upload(EXE, "photo.jpg"))
    response = _new(client, world, world.liaison, form)
    page = response.get_data(as_text=True)
    assert 'id="photo-error"' in page
    db.session.expire_all()
    assert _count(Person) == 0 and _count(Entry) == 0 and _count(EntryAttachment) == 0
    # A PDF is proof of employment, but no photo.
    form = person_form(
        "甲", 1, world.steel, photo=upload(PDF, "a.jpg"), employment=upload(PDF, "a.pdf")
    )
    assert 'id="photo-error"' in _new(client, world, world.liaison, form).get_data(as_text=True)
    form = person_form(
        "甲", 1, world.steel, photo=upload(PNG, "a.png"), employment=upload(PDF, "a.pdf")
    )
    assert _new(client, world, world.liaison, form).status_code == 302
    kinds = db.session.scalars(select(EntryAttachment.content_type).order_by(EntryAttachment.kind))
    assert list(kinds) == ["application/pdf", "image/png"]


def test_a_team_leaders_entries_go_into_their_delegation(client, login):
    world = build(quota_per_delegation=1)
    login("leader")
    assert _new(client, world, world.leader, person_form("甲", 1, world.other)).status_code == 302
    db.session.expire_all()
    assert _entry_of("甲").delegation_id == world.delegation.id
    response = _new(client, world, world.leader, person_form("乙", 2, world.other))
    assert 'id="refused"' in response.get_data(as_text=True) and _entry_of("乙") is None


def test_nobody_else_sees_a_units_entries(client, login):
    world = build()
    login("liaison")
    _new(
        client, world, world.liaison, person_form("甲", 1, world.steel, photo=upload(JPEG, "p.jpg"))
    )
    entry = _entry_of("甲")
    login("liaison2")
    for url in (
        f"/registration/entries/{entry.id}",
        f"/registration/entries/{entry.id}/attachments/photo",
        f"/registration/entries/{entry.id}/delete",
    ):
        assert client.get(url).status_code == 403, url
    assert "甲" not in client.get("/registration").get_data(as_text=True)
    response = client.post(
        f"/registration/entries/{entry.id}/attachments",
        data={"kind": "photo", "file": upload(PNG, "x.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    # Another liaison's role in the URL.
    assert client.get(f"/registration/{world.liaison.id}/submit").status_code == 403
    assert (
        client.get(f"/registration/{world.liaison.id}/trades/{world.ct.id}/new").status_code == 403
    )
    login("org")
    assert client.get(f"/registration/entries/{entry.id}").status_code == 200
    assert client.get(f"/registration/entries/{entry.id}/attachments/photo").data == JPEG


def test_submit_return_resubmit_and_approve_with_the_history(client, login):
    world = build(requires_photo=True, min_field_size=3)
    login("liaison")
    for serial, name in ((1, "甲"), (2, "乙")):
        _new(client, world, world.liaison, person_form(name, serial, world.steel))
    # Without the photo the trade asks for, nothing is submitted.
    response = client.post(f"/registration/{world.liaison.id}/submit", data={"confirm": "y"})
    assert response.status_code == 409 and "甲" in response.get_data(as_text=True)
    db.session.expire_all()
    assert {e.status for e in db.session.scalars(select(Entry))} == {"draft"}
    for name in ("甲", "乙"):
        entry = _entry_of(name)
        response = client.post(
            f"/registration/entries/{entry.id}/attachments",
            data={"kind": "photo", "file": upload(JPEG, f"{name}.jpg")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 302
    assert (
        client.post(f"/registration/{world.liaison.id}/submit", data={"confirm": "y"}).status_code
        == 302
    )
    db.session.expire_all()
    assert {e.status for e in db.session.scalars(select(Entry))} == {"submitted"}
    first, second = _entry_of("甲"), _entry_of("乙")

    login("org")
    review = client.get(f"/contests/{world.contest.id}/registration-review").get_data(as_text=True)
    assert "甲" in review and "乙" in review and 'id="short-fields"' in review
    # A return needs a reason.
    assert (
        client.post(f"/registration/entries/{first.id}/return", data={"reason": ""}).status_code
        == 200
    )
    db.session.expire_all()
    assert _entry_of("甲").status == "submitted"
    client.post(f"/registration/entries/{first.id}/return", data={"reason": "照片不清晰"})
    db.session.expire_all()
    assert (_entry_of("甲").status, _entry_of("甲").review_note) == ("returned", "照片不清晰")

    login("liaison")
    assert "照片不清晰" in client.get("/registration").get_data(as_text=True)
    assert "照片不清晰" in client.get(f"/registration/entries/{first.id}").get_data(as_text=True)
    # A submitted entry can no longer be changed by the liaison.
    response = client.post(
        f"/registration/entries/{second.id}/attachments",
        data={"kind": "photo", "file": upload(PNG, "x.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 409
    client.post(
        f"/registration/entries/{first.id}/attachments",
        data={"kind": "photo", "file": upload(PNG, "清晰.png")},
        content_type="multipart/form-data",
    )
    assert (
        client.post(f"/registration/{world.liaison.id}/submit", data={"confirm": "y"}).status_code
        == 302
    )

    login("org")
    response = client.post(
        f"/contests/{world.contest.id}/registration-review/approve",
        data={"entry_ids": [first.id, second.id]},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert {e.status for e in db.session.scalars(select(Entry))} == {"approved"}
    page = client.get(f"/registration/entries/{first.id}").get_data(as_text=True)
    for word in ("照片不清晰", "清晰.png", 'data-status="approved"'):
        assert word in page, word
    # Two of three in the field: still flagged on the contest page, with the count.
    contest_page = client.get(f"/contests/{world.contest.id}").get_data(as_text=True)
    assert 'id="short-fields"' in contest_page and "2" in contest_page


def test_after_the_window_closes_drafts_are_not_in_the_contest(client, login):
    world = build()
    login("liaison")
    _new(client, world, world.liaison, person_form("甲", 1, world.steel))
    world.contest.registration_opens, world.contest.registration_closes = CLOSED
    db.session.commit()
    entry = _entry_of("甲")
    assert (
        client.post(f"/registration/{world.liaison.id}/submit", data={"confirm": "y"}).status_code
        == 409
    )
    assert (
        client.post(f"/registration/entries/{entry.id}/delete", data={"confirm": "y"}).status_code
        == 409
    )
    login("org")
    page = client.get(f"/contests/{world.contest.id}/registration-review").get_data(as_text=True)
    assert 'id="late"' in page and "甲" in page
    db.session.expire_all()
    assert _entry_of("甲").status == "draft"


def test_the_organiser_grants_a_liaison_for_a_unit_only(client, login):
    world = build()
    from tests import factories as f

    f.user("newcomer")
    db.session.commit()
    login("org")
    url = f"/contests/{world.contest.id}/staff"
    page = client.post(url, data={"username": "newcomer", "role": "liaison", "unit_id": ""})
    assert 'id="unit_id-error"' in page.get_data(as_text=True)
    assert (
        client.post(
            url, data={"username": "newcomer", "role": "liaison", "unit_id": world.other.id}
        ).status_code
        == 302
    )
    db.session.expire_all()
    row = db.session.scalar(
        select(ContestRole)
        .where(ContestRole.role == "liaison", ContestRole.unit_id == world.other.id)
        .order_by(ContestRole.id.desc())
    )
    assert row.contest_id == world.contest.id
    assert world.other.name in client.get(url).get_data(as_text=True)


def test_the_organiser_sets_the_window_and_the_quotas(client, login):
    world = build()
    login("org")
    ct_url = f"/contests/{world.contest.id}/trades/{world.ct.id}/edit"
    page = client.get(ct_url).get_data(as_text=True)
    assert 'name="quota_per_unit"' in page and 'name="min_field_size"' in page
    edit = client.get(f"/contests/{world.contest.id}/edit").get_data(as_text=True)
    assert 'name="registration_opens"' in edit and "2000-01-01T09:00" in edit


def test_the_review_filters_by_trade_unit_and_status(client, login):
    world = build()
    login("liaison")
    _new(client, world, world.liaison, person_form("车间甲", 1, world.workshop))
    _new(client, world, world.liaison, person_form("本部乙", 2, world.steel))
    client.post(f"/registration/{world.liaison.id}/submit", data={"confirm": "y"})
    login("liaison2")
    _new(client, world, world.other_liaison, person_form("外单位丙", 3, world.other))
    assert services.photo_of(_entry_of("外单位丙").id) is None

    login("org")
    url = f"/contests/{world.contest.id}/registration-review"

    def names(**query) -> set[str]:
        page = client.get(url, query_string=query).get_data(as_text=True)
        return {n for n in ("车间甲", "本部乙", "外单位丙") if n in page}

    assert names() == {"车间甲", "本部乙"}  # awaiting review by default
    assert names(status="all") == {"车间甲", "本部乙", "外单位丙"}
    assert names(status="draft") == {"外单位丙"}
    assert names(status="all", unit=world.steel.id) == {"车间甲", "本部乙"}  # sub-units too
    assert names(status="all", unit=world.workshop.id) == {"车间甲"}
    assert names(status="all", ct=world.ct.id + 1000) == set()
    assert names(status="all", ct="x" * 50) == {"车间甲", "本部乙", "外单位丙"}  # ignored


def test_an_entry_out_of_competition_does_not_fill_the_minimum_field(app):
    """开赛人数 counts the contestants who compete: one out of competition (不计名次/观摩) is
    marked but does not make a trade big enough to be held."""
    from datetime import date

    from tests import factories as f

    world = build(min_field_size=2)
    for n, out in enumerate((False, True)):
        born = date(1990, 1, n + 1)
        person = Person(name=f"选手{n}", gender="M", birth_date=born, id_number=f.resident_id(born))
        db.session.add(person)
        db.session.flush()
        db.session.add(
            Entry(
                person_id=person.id,
                contest_trade_id=world.ct.id,
                status="approved",
                out_of_competition=out,
            )
        )
    db.session.commit()
    short = services.short_fields(world.contest)
    assert [(s.ct.id, s.in_field, s.minimum) for s in short] == [(world.ct.id, 1, 2)]
