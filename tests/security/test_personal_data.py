"""Personal data where it belongs: judges never receive a contestant's name, unit or ID number
(they mark blind); the public never sees a whole ID number; drafts are never public."""

import pytest

from competitions.core.db import db
from competitions.core.identity_rules import mask_id_number
from competitions.judging.models import MarkingLock
from tests.security.matrix import (
    ANONYMOUS,
    CONTESTANT,
    MATRIX,
    QUERY,
    RECUSED,
    STAFF,
    clients,
    path_of,
    rules_of,
)
from tests.security.world import JUDGES, World, build_world


def _judge_answers(app, world: World, username: str):
    """Every GET answer a judge gets on the staff side (all routes but the public ones, which
    anyone may read: published results name the contestants), then the score JSON and the grid
    of both contest-trades."""
    client = clients(app, world)[username]
    for rule in rules_of(app):
        if "GET" in rule.methods and ANONYMOUS not in MATRIX[rule.endpoint].allowed:
            path = path_of(rule, world)
            query = QUERY.get(rule.endpoint, lambda w: {})(world)
            yield path, client.get(path, query_string=query)
    for ct, code in ((world.ct1, world.codes[0]), (world.ct2, world.codes[0])):
        path = f"/marking/{ct.id}/scores"
        for value in ("5", "x"):
            body = {"code": code, "item": world.items[0].id, "value": value}
            yield path, client.post(path, json=body)
        yield f"/marking/{ct.id}", client.get(f"/marking/{ct.id}")
        yield f"/contest-trades/{ct.id}/relations", client.get(f"/contest-trades/{ct.id}/relations")


@pytest.mark.parametrize("username", JUDGES)
def test_judges_never_receive_a_contestants_name_unit_or_id_number(app, username):
    world = build_world()
    secrets = world.identities()
    declared = {world.declared.name} if username == RECUSED else set()
    leaks = []
    for path, response in _judge_answers(app, world, username):
        if response.status_code >= 500:
            leaks.append(f"{path} crashed ({response.status_code})")
            continue
        # Read as text whatever it is (an expert may download an achievement's PDF).
        body = response.get_data().decode(errors="replace")
        for secret in secrets:
            if secret in body and not (secret in declared and path.endswith("/relations")):
                leaks.append(f"{path} shows {secret}")
    assert not leaks, "\n".join(leaks)


def test_the_recused_judge_cannot_mark_the_contestant_they_know(app):
    world = build_world()
    client = clients(app, world)[RECUSED]
    grid = client.get(f"/marking/{world.ct1.id}").get_data(as_text=True)
    assert world.codes[0] in grid and world.codes[1] not in grid
    lock = db.session.get(MarkingLock, world.ct1.id)
    lock.locked = False
    db.session.commit()
    response = client.post(
        f"/marking/{world.ct1.id}/scores",
        json={"code": world.codes[1], "item": world.items[0].id, "value": "5"},
    )
    assert response.status_code == 400
    assert "error" in response.get_json()
    counted = client.post(
        f"/marking/{world.ct1.id}/scores",
        json={"code": world.codes[0], "item": world.items[0].id, "value": "5"},
    )
    assert counted.status_code == 200


def _public_answers(app, world: World):
    """Every answer the public gets: all routes asked anonymously and as the contestant, the
    API and public pages of both contest-trades."""
    by_role = clients(app, world)
    extra = [
        f"/results/trades/{world.ct2.id}",
        f"/api/v1/contest-trades/{world.ct2.id}/results",
        f"/verify/{world.certificate.number}",
    ]
    for role in (ANONYMOUS, CONTESTANT):
        for rule in rules_of(app):
            if "GET" in rule.methods and rule.endpoint != "static":
                yield by_role[role].get(path_of(rule, world))
        for path in extra:
            yield by_role[role].get(path)


def test_public_pages_and_the_api_never_show_a_whole_id_number(app):
    world = build_world()
    whole = [entry.person.id_number for entry in world.entries]
    bodies = [response.get_data() for response in _public_answers(app, world)]
    for number in whole:
        assert not any(number.encode() in body for body in bodies), number
    # The pages do show the contestants, with their ID numbers masked.
    client = app.test_client()
    page = client.get(f"/results/trades/{world.ct1.id}").get_data(as_text=True)
    api = client.get(f"/api/v1/contest-trades/{world.ct1.id}/results").get_json()
    person = world.contestant
    assert person.name in page and mask_id_number(person.id_number) in page
    assert mask_id_number(person.id_number) in {r["id_number"] for r in api["results"]}


def test_draft_results_are_not_found_on_public_pages_whoever_asks(app):
    world = build_world()
    for role, client in clients(app, world).items():
        for path in (
            f"/results/trades/{world.ct2.id}",
            f"/api/v1/contest-trades/{world.ct2.id}/results",
        ):
            assert client.get(path).status_code == 404, (role, path)


def test_no_page_of_a_logged_in_user_or_a_contestant_may_be_stored(app):
    """Pages that can show a full ID number say ``Cache-Control: no-store``: every answer to a
    logged-in user (a browser's back button on a shared computer, a proxy), and the
    contestant's own pages; static files stay cacheable."""
    world = build_world()
    by_role = clients(app, world)
    stored = []
    for rule in rules_of(app):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        path = path_of(rule, world)
        query = QUERY.get(rule.endpoint, lambda w: {})(world)
        roles = STAFF if not path.startswith("/my-result") else (*STAFF, CONTESTANT, ANONYMOUS)
        for role in roles:
            response = by_role[role].get(path, query_string=query)
            if response.headers.get("Cache-Control") != "no-store":
                stored.append(f"GET {path} as {role}: {response.headers.get('Cache-Control')}")
    assert not stored, "\n".join(stored)
    lookup = by_role[ANONYMOUS].post("/my-result", data={"id_number": "x", "name": "y"})
    assert lookup.headers["Cache-Control"] == "no-store"
    assert "no-store" not in by_role["org"].get("/static/css/app.css").headers.get(
        "Cache-Control", ""
    )
