"""The demo data: the same every run, valid by the registration rules, usable through the web."""

import pytest
from sqlalchemy import DateTime, func, select

from app import create_app
from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.registry import rules, services
from competitions.registry.models import Contest, Entry, Person
from competitions.units.models import Unit
from seeds.files import DATA_DIR, read_csv, read_json
from seeds.generate import generate
from seeds.loader import load_demo
from tests.conftest import base_config
from tests.factories import log_in

#: Values that differ between runs by design: timestamps (and every DateTime column) and
#: salted password hashes.
VOLATILE = {
    "created_at",
    "at",
    "password_hash",
    "computed_at",
    # a labour competition's reports and incidents, stamped when the seed writes them
    "submitted_at",
    "verified_at",
    "recorded_at",
    # a union officer's grant to read the figures
    "granted_at",
    # an innovation achievement's attachments, stamped when the seed uploads them
    "uploaded_at",
}
#: Region codes (first 4 ID digits) of the contestants employed under each city union.
CITY_REGIONS = {
    "济南市总工会": "3701",
    "青岛市总工会": "3702",
    "淄博市总工会": "3703",
    "烟台市总工会": "3706",
    "潍坊市总工会": "3707",
}
CHAIN = ["JG-2018", "JN-2018", "SD-2018", "QG-2018"]


@pytest.fixture
def demo(app):
    """The app's database with the demo data loaded and committed."""
    counts = load_demo(db.session)
    db.session.commit()
    return counts


def _plain(value):
    """A value as compared across loads: JSON changes lose their volatile keys."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k not in VOLATILE}
    return value


def dump() -> dict[str, list[tuple]]:
    """Every row of every table by primary key, without the values that differ by design."""
    out = {}
    for table in db.metadata.sorted_tables:
        columns = [
            c for c in table.c if c.name not in VOLATILE and not isinstance(c.type, DateTime)
        ]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns))
        out[table.name] = [tuple(_plain(v) for v in row) for row in rows]
    return out


def contest_ids() -> dict[str, int]:
    """{contest code: id}."""
    return {code: pk for code, pk in db.session.execute(select(Contest.code, Contest.id))}


def test_loading_again_on_an_empty_database_gives_the_same_rows_and_ids(demo):
    first = dump()
    load_demo(db.session, reset=True)
    db.session.commit()
    assert dump() == first
    assert contest_ids() == {"QG-2018": 1, "SD-2018": 2, "JN-2018": 3, "JG-2018": 4}
    ids = db.session.execute(select(Person.id, Person.id_number).order_by(Person.id)).all()
    expected = [row["id_number"] for row in read_csv("contestants.csv")]
    # then the members of the innovation contest's achievements, in the file's order
    expected += [
        first17 + rules.resident_id_check_char(first17)
        for row in read_json("innovation.json")["submissions"]
        for _, first17 in row["members"]
    ]
    assert [number for _, number in ids] == expected
    assert [pk for pk, _ in ids] == list(range(1, len(expected) + 1))
    assert len(first["audit_log"]) > demo["entries"]
    assert set(db.session.scalars(select(AuditLog.user_id).distinct())) == {None}  # the system


def test_a_second_fresh_database_gets_the_same_rows(demo, tmp_path):
    first = dump()
    other = create_app(base_config(tmp_path / "other", f"sqlite:///{tmp_path / 'other.sqlite'}"))
    with other.app_context():
        db.create_all()
        load_demo(db.session)
        db.session.commit()
        second = dump()
        db.session.remove()
        db.engine.dispose()
    assert second == first


def test_about_200_contestants_mostly_approved(demo):
    assert 180 <= demo["persons"] <= 220
    rows = db.session.execute(select(Entry.status, func.count()).group_by(Entry.status))
    statuses = {status: n for status, n in rows}
    assert statuses["approved"] > 0.8 * sum(statuses.values())
    assert {"registered", "withdrawn", "absent"} <= set(statuses)


def test_id_numbers_are_valid_and_match_birth_date_gender_and_city(demo):
    units = {u.id: u for u in db.session.scalars(select(Unit))}
    for person in db.session.scalars(select(Person)):
        assert rules.parse_resident_id(person.id_number) == person.birth_date, person
        assert rules.gender_from_resident_id(person.id_number) == person.gender, person
        unit = units[person.unit_id]
        while unit is not None and unit.name not in CITY_REGIONS:
            unit = units.get(unit.parent_id)
        if unit is not None:
            assert person.id_number.startswith(CITY_REGIONS[unit.name]), person
        for entry in person.entries:
            age = rules.age_on(person.birth_date, entry.contest_trade.contest.starts_on)
            assert 22 <= age <= 50, (person, entry)


def test_every_contest_feeds_a_higher_tier_and_happens_before_it(demo):
    for contest in db.session.scalars(select(Contest).where(Contest.parent_id.is_not(None))):
        assert rules.can_feed(contest.tier, contest.parent.tier), contest
        assert contest.ends_on < contest.parent.starts_on, contest


def test_the_chain_from_enterprise_to_national_exists(demo):
    bottom = db.session.scalar(select(Contest).where(Contest.code == CHAIN[0]))
    chain = services.contest_chain(bottom)
    assert [c.code for c in chain] == CHAIN
    assert [c.tier for c in chain] == ["enterprise", "city", "province", "national"]


def test_advanced_entries_link_to_the_same_person_in_the_contest_below(demo):
    paths = []
    for entry in db.session.scalars(select(Entry).where(Entry.source_entry_id.is_not(None))):
        source = entry.source_entry
        assert source.person_id == entry.person_id
        assert source.contest_trade.trade_id == entry.contest_trade.trade_id
        assert source.contest_trade.contest.parent_id == entry.contest_trade.contest_id
        assert source.status == "approved"
        path = [entry]
        while path[-1].source_entry is not None:
            path.append(path[-1].source_entry)
        paths.append([e.contest_trade.contest.code for e in reversed(path)])
    assert CHAIN in paths


def test_demo_accounts_log_in_with_the_documented_passwords(app, demo):
    for account in read_json("accounts.json"):
        client = app.test_client()
        credentials = {"username": account["username"], "password": account["password"]}
        response = client.post("/login", data=credentials)
        assert response.status_code == 302, account["username"]
        wrong = client.post("/login", data={**credentials, "password": "not-the-password"})
        assert wrong.status_code == 200, account["username"]


def test_only_the_city_contests_organiser_sees_its_entries(app, demo):
    city = contest_ids()["JN-2018"]
    for username, status in (("organiser", 200), ("organiser2", 403)):
        client = app.test_client()
        log_in(client, username, "demo1234")
        assert client.get(f"/contests/{city}/entries").status_code == status, username


def test_seed_if_empty_twice_loads_once(app, runner):
    first = runner.invoke(args=["seed", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "Loaded the demo data" in first.output
    second = runner.invoke(args=["seed", "--if-empty"])
    assert second.exit_code == 0, second.output
    assert "not loaded" in second.output
    members = sum(len(row["members"]) for row in read_json("innovation.json")["submissions"])
    expected = len(read_csv("contestants.csv")) + members
    assert db.session.scalar(select(func.count()).select_from(Person)) == expected


def test_seed_refuses_a_loaded_database_and_reset_replaces_it(app, runner):
    assert runner.invoke(args=["seed"]).exit_code == 0
    refused = runner.invoke(args=["seed"])
    assert refused.exit_code == 1
    assert "--reset" in refused.output
    before = dump()
    reset = runner.invoke(args=["seed", "--reset"])
    assert reset.exit_code == 0, reset.output
    assert dump() == before


def test_the_generator_reproduces_the_committed_files():
    for name, text in generate().items():
        assert (DATA_DIR / name).read_bytes() == text.encode("utf-8"), name
