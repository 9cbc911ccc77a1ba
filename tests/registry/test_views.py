"""Registration through the web forms: what an organiser does and sees."""

from datetime import date

import pytest
from sqlalchemy import func, select

from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.registry.models import Contest, ContestTrade, Delegation, Entry, Person
from competitions.units.models import Unit
from tests import factories as f


def _setup():
    org = f.user("org", registrar=True)
    province = f.contest("SD-PROV", tier="province")
    city = f.contest("JN-CITY", tier="city", parent=province)
    f.grant(org, city, "organiser")
    fitter = f.trade()
    ct = f.contest_trade(city, fitter)
    steel = f.unit("济南钢铁")
    team = f.delegation(city, "济钢代表队", steel)
    db.session.commit()
    return org, city, province, ct, steel, team


def _errors_of(page: str) -> str:
    return page


def test_create_contest_with_a_higher_parent(client, login):
    _, city, province, *_ = _setup()
    login("org")
    response = client.post(
        "/contests/new",
        data={
            "code": "JG-2019",
            "name": "济钢技术比武",
            "year": 2019,
            "tier": "enterprise",
            "organising_unit_id": "",
            "starts_on": "2019-03-01",
            "ends_on": "2019-03-02",
            "parent_id": city.id,
        },
    )
    assert response.status_code == 302
    contest = db.session.scalar(select(Contest).filter_by(code="JG-2019"))
    assert contest.parent_id == city.id
    page = client.get(f"/contests/{contest.id}").get_data(as_text=True)
    assert "济钢技术比武" in page and city.name in page and province.name in page  # the chain


def test_parent_of_a_lower_tier_is_refused_beside_the_field(client, login):
    _, city, *_ = _setup()
    login("org")
    page = client.post(
        "/contests/new",
        data={
            "code": "SD-X",
            "name": "省赛",
            "year": 2019,
            "tier": "province",
            "starts_on": "2019-03-01",
            "ends_on": "2019-03-02",
            "parent_id": city.id,
        },
    ).get_data(as_text=True)
    assert 'id="parent_id-error"' in page
    assert db.session.scalar(select(func.count()).select_from(Contest)) == 2


def test_contest_ending_before_it_starts_is_refused(client, login):
    _setup()
    login("org")
    page = client.post(
        "/contests/new",
        data={
            "code": "X",
            "name": "X",
            "year": 2019,
            "tier": "city",
            "starts_on": "2019-03-05",
            "ends_on": "2019-03-01",
        },
    ).get_data(as_text=True)
    assert 'id="ends_on-error"' in page


def _ct_form(trade_id, **over):
    data = {
        "trade_id": trade_id,
        "theory_weight": "30",
        "practical_weight": "70",
        "tie_breaks": ["practical", "time", "theory"],
        "award_mode": "proportion",
        "award_numbers": "10,20,30",
        "award_rounding": "half_up",
        "award_min_total": "60",
        "advancement_mode": "top_n",
        "advancement_quota": "3",
        "advancement_tie": "all",
        "team_mode": "best_n",
        "team_size": "3",
        "team_points": "8,4,2,1",
        "notice_working_days": "5",
        "appeal_window_hours": "2",
        "min_age": "16",
        "max_age": "60",
    }
    data.update(over)
    return data


def test_add_a_trade_with_rule_settings(client, login):
    _, city, *_ = _setup()
    welder = f.trade("6-18-02", "焊工", "Welder")
    db.session.commit()
    login("org")
    response = client.post(
        f"/contests/{city.id}/trades/new",
        data=_ct_form(
            welder.id,
            theory_weight="20",
            practical_weight="80",
            award_mode="fixed",
            award_numbers="1,3,6",
        ),
    )
    assert response.status_code == 302
    ct = db.session.scalar(select(ContestTrade).filter_by(contest_id=city.id, trade_id=welder.id))
    assert (ct.theory_weight, ct.practical_weight, ct.award_numbers) == (20, 80, "1,3,6")


def test_new_trade_form_shows_the_defaults(client, login):
    _, city, *_ = _setup()
    login("org")
    page = client.get(f"/contests/{city.id}/trades/new").get_data(as_text=True)
    assert 'value="30.00"' in page and 'value="70.00"' in page
    for n, key in enumerate(("practical", "time", "theory")):  # the default chain, in order
        place = 'id="tie_breaks"' if n == 0 else f'id="tie_breaks-{n + 1}"'
        select = page[page.index(place) : page.index("</select>", page.index(place))]
        assert f'value="{key}" selected' in select


def test_weights_not_adding_to_100_are_refused(client, login):
    _, city, *_ = _setup()
    welder = f.trade("6-18-02", "焊工", "Welder")
    db.session.commit()
    login("org")
    page = client.post(
        f"/contests/{city.id}/trades/new",
        data=_ct_form(welder.id, theory_weight="40", practical_weight="70"),
    ).get_data(as_text=True)
    assert 'id="practical_weight-error"' in page
    assert db.session.scalar(select(func.count()).select_from(ContestTrade)) == 1


def test_bad_award_numbers_and_tie_breaks_are_refused(client, login):
    _, city, _, ct, *_ = _setup()
    login("org")
    page = client.post(
        f"/contests/{city.id}/trades/{ct.id}/edit",
        data=_ct_form(ct.trade_id, award_numbers="60,30,30", tie_breaks="speed"),
    ).get_data(as_text=True)
    assert 'id="award_numbers-error"' in page and 'id="tie_breaks-error"' in page


@pytest.mark.parametrize(
    ("chain", "saved", "error"),
    [
        (["time", "practical", ""], "time,practical", None),
        (["theory", "", ""], "theory", None),
        (["", "", ""], "", None),
        (["time", "time", ""], None, "a tie-break is repeated"),
        (["practical", "", "theory"], None, "Choose the tie-breaks in order"),
        (["speed", "", ""], None, "Choose from the list."),
    ],
)
def test_the_tie_break_chain_is_chosen_in_order_from_labelled_choices(
    client, login, chain, saved, error
):
    _, city, _, ct, *_ = _setup()
    login("org")
    client.get("/lang/en")
    url = f"/contests/{city.id}/trades/{ct.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Practical score (higher first)" in page and "Place 2" in page
    response = client.post(url, data=_ct_form(ct.trade_id, tie_breaks=chain))
    db.session.expire_all()
    if error:
        assert error in response.get_data(as_text=True)
        assert db.session.get(ContestTrade, ct.id).tie_breaks == "practical,time,theory"
    else:
        assert response.status_code == 302
        assert db.session.get(ContestTrade, ct.id).tie_breaks == saved


def _entry_form(ct, **over):
    data = {
        "contest_trade_id": ct.id,
        "delegation_id": "",
        "name": "王芳",
        "id_type": "resident",
        "id_number": f.resident_id(date(1990, 3, 7), 5, male=False),
        "gender": "",
        "birth_date": "",
        "unit_id": "",
        "skill_level": "3",
        "phone": "13800000000",
        "status": "registered",
    }
    data.update(over)
    return data


def test_register_a_contestant_deriving_birth_and_gender(client, login):
    _, city, _, ct, steel, team = _setup()
    login("org")
    response = client.post(
        f"/contests/{city.id}/entries/new",
        data=_entry_form(ct, unit_id=steel.id, delegation_id=team.id),
    )
    assert response.status_code == 302
    person = db.session.scalar(select(Person))
    assert (person.name, person.gender, person.birth_date) == ("王芳", "F", date(1990, 3, 7))
    page = client.get(f"/contests/{city.id}/entries").get_data(as_text=True)
    assert "王芳" in page and "济钢代表队" in page


def test_a_person_registered_twice_is_found_not_duplicated(client, login):
    _, city, _, ct, *_ = _setup()
    welder = f.trade("6-18-02", "焊工", "Welder")
    ct2 = f.contest_trade(city, welder)
    db.session.commit()
    login("org")
    client.post(f"/contests/{city.id}/entries/new", data=_entry_form(ct))
    response = client.post(
        f"/contests/{city.id}/entries/new", data=_entry_form(ct2), follow_redirects=True
    )
    assert "王芳" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 2


def test_duplicate_entry_is_refused(client, login):
    _, city, _, ct, *_ = _setup()
    login("org")
    client.post(f"/contests/{city.id}/entries/new", data=_entry_form(ct))
    page = client.post(f"/contests/{city.id}/entries/new", data=_entry_form(ct)).get_data(
        as_text=True
    )
    assert 'id="contest_trade_id-error"' in page
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 1


def test_same_id_under_another_name_is_refused(client, login):
    _, city, _, ct, *_ = _setup()
    login("org")
    client.post(f"/contests/{city.id}/entries/new", data=_entry_form(ct))
    page = client.post(
        f"/contests/{city.id}/entries/new", data=_entry_form(ct, name="李强")
    ).get_data(as_text=True)
    assert 'id="id_number-error"' in page and "王芳" in page


def test_wrong_check_digit_and_birth_mismatch_are_shown_beside_their_fields(client, login):
    _, city, _, ct, *_ = _setup()
    login("org")
    good = f.resident_id(date(1990, 3, 7), 5, male=False)
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    page = client.post(
        f"/contests/{city.id}/entries/new", data=_entry_form(ct, id_number=bad)
    ).get_data(as_text=True)
    assert 'id="id_number-error"' in page
    page = client.post(
        f"/contests/{city.id}/entries/new", data=_entry_form(ct, birth_date="1990-03-08")
    ).get_data(as_text=True)
    assert 'id="birth_date-error"' in page
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_ineligible_age_is_refused_with_the_reason(client, login):
    _, city, _, ct, *_ = _setup()
    login("org")
    young = f.resident_id(date(2004, 1, 1), 7)
    page = client.post(
        f"/contests/{city.id}/entries/new", data=_entry_form(ct, id_number=young, name="张小")
    ).get_data(as_text=True)
    assert 'id="birth_date-error"' in page and "16" in page
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_units_form_a_tree_without_loops(client, login):
    _setup()
    login("org")
    client.post("/units/new", data={"name": "济南市总工会", "kind": "union", "parent_id": ""})
    parent = db.session.scalar(select(Unit).filter_by(name="济南市总工会"))
    client.post(
        "/units/new", data={"name": "历城区总工会", "kind": "union", "parent_id": parent.id}
    )
    child = db.session.scalar(select(Unit).filter_by(name="历城区总工会"))
    assert child.parent_id == parent.id
    page = client.post(
        f"/units/{parent.id}/edit",
        data={"name": "济南市总工会", "kind": "union", "parent_id": child.id},
    ).get_data(as_text=True)
    assert 'id="parent_id-error"' in page
    db.session.expire_all()
    assert db.session.get(Unit, parent.id).parent_id is None


def test_trade_codes_are_unique(client, login):
    _setup()
    login("org")
    page = client.post(
        "/trades/new",
        data={"code": "6-20-01", "name_zh": "另一个", "name_en": "Other", "industry": ""},
    ).get_data(as_text=True)
    assert 'id="code-error"' in page


def test_every_registration_change_is_in_the_audit_log(client, login):
    org, city, _, ct, *_ = _setup()
    login("org")
    client.post(f"/contests/{city.id}/entries/new", data=_entry_form(ct))
    entry = db.session.scalar(select(Entry))
    client.post(f"/entries/{entry.id}/edit", data={"status": "withdrawn", "delegation_id": ""})
    rows = db.session.scalars(
        select(AuditLog).filter_by(entity="entry", entity_id=entry.id).order_by(AuditLog.id)
    ).all()
    assert [r.action for r in rows] == ["create", "update"]
    assert rows[1].changes["status"] == ["registered", "withdrawn"]
    assert rows[1].user_id == org.id
    client.get("/lang/en")
    person_page = client.get(f"/persons/{entry.person_id}").get_data(as_text=True)
    history = person_page.split('id="history"', 1)[1]
    assert "王芳" in history and "ID number: " in history  # its history, in people's words
    assert "id_number" not in history and "None" not in history


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("王\u202e芳", "turn the direction of the text"),
        ("王芳\t", "control characters"),
        ("=HYPERLINK(1)", "must not begin with ="),
        ("-王芳", "must not begin with -"),
    ],
)
def test_names_that_would_mislead_or_run_as_formulas_are_refused_beside_the_field(
    client, login, name, says
):
    _, city, _, ct, steel, _team = _setup()
    login("org")
    client.get("/lang/en")
    pages = {
        "entry": client.post(f"/contests/{city.id}/entries/new", data=_entry_form(ct, name=name)),
        "unit": client.post("/units/new", data={"name": name, "kind": "union", "parent_id": ""}),
        "delegation": client.post(
            f"/contests/{city.id}/delegations", data={"name": name, "unit_id": steel.id}
        ),
    }
    for what, response in pages.items():
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and 'id="name-error"' in page, what
        assert says in page, what
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0
    assert db.session.scalar(select(func.count()).select_from(Unit)) == 1
    assert db.session.scalar(select(func.count()).select_from(Delegation)) == 1


def test_an_organiser_sets_no_review_state_by_hand(client, login):
    """Draft, submitted, returned and recommended come from the liaisons' registration and the
    recommendation up the tiers, with their quotas: the entry form neither offers nor takes
    them, and an entry awaiting review keeps its state until it is reviewed there."""
    _org, city, _, ct, *_ = _setup()
    login("org")
    client.post(f"/contests/{city.id}/entries/new", data=_entry_form(ct))
    entry = db.session.scalar(select(Entry))
    page = client.get(f"/entries/{entry.id}/edit").get_data(as_text=True)
    for status in ("draft", "submitted", "returned", "recommended"):
        assert f'value="{status}"' not in page
        client.post(f"/entries/{entry.id}/edit", data={"status": status, "delegation_id": ""})
        db.session.expire_all()
        assert db.session.get(Entry, entry.id).status == "registered"
    new_page = client.get(f"/contests/{city.id}/entries/new").get_data(as_text=True)
    assert 'value="recommended"' not in new_page and 'value="draft"' not in new_page

    entry.status = "recommended"  # sent up from a lower tier, awaiting this organiser
    db.session.commit()
    client.post(f"/entries/{entry.id}/edit", data={"status": "registered", "delegation_id": ""})
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).status == "recommended"  # accepted on its own page
