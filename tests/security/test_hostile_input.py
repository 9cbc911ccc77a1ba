"""Hostile input refused: random and adversarial data thrown at the forms of the registers,
the contests, the entries, the certificate design, and the log-in.

Each form gets valid data with some fields replaced by hostile values (or left out). Every
answer must be something else than a 500; a refused submission saves nothing; whatever the
user typed comes back escaped. An accepted one is followed to the page it leads to, which must
show the odd values escaped. The valid data itself is always tried, and must be accepted: so
the hostile variants are refused for what they carry, not for a mistake of the test.
(Marking: test_hostile_marking.py; the public's forms: test_hostile_public.py; spreadsheets and
uploads: test_hostile_files.py; query strings and paths: test_hostile_urls.py.)
"""

import io
from datetime import date
from urllib.parse import urljoin, urlsplit

from hypothesis import example, given
from hypothesis import strategies as st

from tests import factories as f
from tests.security.hostile import (
    FEW,
    PASSWORD,
    Target,
    check_answer,
    form_of,
    hostile,
    logged_in,
    refused,
    world,
)

# --- log-in and the registers --------------------------------------------------------------


def test_login_refuses_hostile_credentials_without_crashing(app):
    client = app.test_client()

    @FEW
    @given(form_of({"username": "nobody", "password": "wrong"}, "next"))
    def run(data):
        response = client.post("/login", data=data, query_string={"next": data.get("next", "")})
        check_answer(response, data)
        assert response.status_code in (200, 400)  # nobody gets in

    run()


TRADE = {"code": "X-01", "name_zh": "新工种", "name_en": "New trade", "industry": "机械"}
UNIT = {"name": "新单位", "kind": "enterprise", "parent_id": ""}


def test_trade_and_unit_forms(app):
    world()
    client = logged_in(app, "org")
    trade, unit = Target("/trades/new", TRADE), Target("/units/new", UNIT)

    @FEW
    @example(trade_data=TRADE, unit_data=UNIT)
    @given(trade_data=form_of(TRADE), unit_data=form_of(UNIT))
    def run(trade_data, unit_data):
        trade.send(client, trade_data)
        unit.send(client, unit_data)

    run()
    assert trade.took_valid and unit.took_valid


def contest_data(code: str) -> dict:
    return {
        "code": code,
        "name": "测试大赛",
        "year": "2020",
        "tier": "city",
        "organising_unit_id": "",
        "starts_on": "2020-05-01",
        "ends_on": "2020-05-02",
        "parent_id": "",
    }


def test_contest_forms(app):
    w = world()
    client = logged_in(app, "org")
    new = Target("/contests/new", contest_data("NEW-1"))
    edit = Target(f"/contests/{w.ct.contest_id}/edit", contest_data("SD-2018"))

    @FEW
    @example(new_data=new.valid, edit_data=edit.valid)
    @given(new_data=form_of(new.valid), edit_data=form_of(edit.valid))
    def run(new_data, edit_data):
        new.send(client, new_data)
        edit.send(client, edit_data)

    run()
    assert new.took_valid and edit.took_valid


CT_SETTINGS = {
    "theory_weight": "30",
    "practical_weight": "70",
    "tie_breaks": "time",
    "award_mode": "proportion",
    "award_numbers": "10,20,30",
    "award_rounding": "half_up",
    "award_min_total": "60",
    "advancement_mode": "top_n",
    "advancement_quota": "3",
    "advancement_per_unit": "",
    "advancement_tie": "all",
    "team_mode": "best_n",
    "team_size": "3",
    "team_points": "",
    "notice_working_days": "5",
    "appeal_window_hours": "2",
    "min_age": "16",
    "max_age": "60",
    "eligibility_date": "",
}


def test_contest_trade_settings_form(app):
    w = world()
    client = logged_in(app, "org")
    settings = Target(
        f"/contests/{w.ct.contest_id}/trades/{w.ct.id}/edit",
        {"trade_id": str(w.ct.trade_id), **CT_SETTINGS},
    )

    @FEW
    @example(data=settings.valid)
    @given(data=form_of(settings.valid))
    def run(data):
        settings.send(client, data)

    run()
    assert settings.took_valid


def person_data(w, id_number: str) -> dict:
    return {
        "name": "王五",
        "id_type": "resident",
        "id_number": id_number,
        "gender": "",
        "birth_date": "",
        "unit_id": str(w.entries[0].person.unit_id),
        "skill_level": "",
        "phone": "13800000000",
    }


def test_entry_and_person_forms(app):
    w = world()
    client = logged_in(app, "org")
    person = w.entries[0].person
    entry = Target(
        f"/contests/{w.ct.contest_id}/entries/new",
        {
            "contest_trade_id": str(w.ct.id),
            "delegation_id": str(w.delegation.id),
            "status": "registered",
            **person_data(w, f.resident_id(date(1991, 2, 3), 77)),
        },
    )
    record = Target(f"/persons/{person.id}", person_data(w, person.id_number))
    entry_edit = Target(
        f"/entries/{w.entries[1].id}/edit",
        {"delegation_id": str(w.delegation.id), "status": "approved"},
    )

    @FEW
    @example(entry_data=entry.valid, record_data=record.valid, edit_data=entry_edit.valid)
    @given(
        entry_data=form_of(entry.valid),
        record_data=form_of(record.valid),
        edit_data=form_of(entry_edit.valid),
    )
    def run(entry_data, record_data, edit_data):
        entry.send(client, entry_data)
        record.send(client, record_data)
        entry_edit.send(client, edit_data)

    run()
    assert entry.took_valid and record.took_valid and entry_edit.took_valid


def test_delegation_and_staff_forms(app):
    w = world()
    client = logged_in(app, "org")
    base = f"/contests/{w.ct.contest_id}"
    delegation = Target(f"{base}/delegations", {"name": "新代表队", "unit_id": ""})
    staff = Target(f"{base}/staff", {"username": "judge2", "role": "clerk"})

    @FEW
    @example(delegation_data=delegation.valid, staff_data=staff.valid)
    @given(delegation_data=form_of(delegation.valid), staff_data=form_of(staff.valid))
    def run(delegation_data, staff_data):
        delegation.send(client, delegation_data)
        staff.send(client, staff_data)

    run()
    assert delegation.took_valid and staff.took_valid


# --- the certificate design ----------------------------------------------------------------

DESIGN = {
    "title": "技能大赛证书",
    "honour_title": "荣誉证书",
    "body": "{name}同志：在{contest}中荣获{award}。",
    "team_body": "{team}：在{contest}中荣获团体{award}。",
    "honour_body": "{name}同志：在{contest}中成绩优异，特发此证。",
    "issuers": "山东省总工会",
    "issued_on": "2019-05-20",
}


def test_certificate_design_form(app):
    w = world()
    client = logged_in(app, "org")
    design = Target(f"/contests/{w.ct.contest_id}/certificates/design", DESIGN)
    client.get(design.path)  # the default design is created on the first visit

    @FEW
    @example(data=DESIGN, picture=None, filename="")
    @given(data=form_of(DESIGN), picture=st.none() | st.binary(max_size=2000), filename=hostile)
    def run(data, picture, filename):
        if picture is not None:  # a "PNG" of random bytes, under a hostile file name
            seal = (io.BytesIO(b"\x89PNG\r\n\x1a\n" + picture), filename or "seal.png")
            data = {**data, "seal_1": seal}
        response = design.send(client, data, content_type="multipart/form-data")
        if not refused(response):
            preview = client.get(design.path.replace("/design", "/preview.pdf"))
            assert preview.status_code in (200, 302)

    run()
    assert design.took_valid


def test_the_login_never_sends_anyone_to_another_site(app):
    world()
    for target in (
        "//evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "https://evil.example",
        "javascript:alert(1)",
        " //evil.example",
    ):
        client = app.test_client()
        response = client.post(
            "/login",
            data={"username": "org", "password": PASSWORD},
            query_string={"next": target},
        )
        assert response.status_code == 302
        # What a browser does with it: backslashes are slashes, tabs and newlines are dropped.
        location = response.headers["Location"].replace("\\", "/")
        location = "".join(c for c in location if c not in "\t\n\r")
        assert urlsplit(urljoin("http://localhost/login", location)).hostname == "localhost", target
