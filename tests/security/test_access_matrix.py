"""Access control as a matrix: every route of the app, asked by every role, answers as the
table in matrix.py says. A route missing from the table fails the test, so a new route must be
added to it (and so thought about)."""

import sqlalchemy as sa

from competitions.certificates.models import Certificate
from competitions.core.db import db
from tests.security.matrix import (
    CONTESTANT,
    MATRIX,
    OTHER_ORG,
    QUERY,
    ROLES,
    answer,
    clients,
    expected,
    path_of,
    row_counts,
    rules_of,
    url_values,
)
from tests.security.world import build_world


def test_the_matrix_lists_every_route_and_nothing_else(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - MATRIX.keys() == set(), "new routes: add them to MATRIX"
    assert MATRIX.keys() - endpoints == set(), "routes that are gone: remove them from MATRIX"


def test_every_route_answers_every_role_as_the_matrix_says(app):
    world = build_world()
    by_role = clients(app, world)
    wrong = []
    for rule in rules_of(app):
        if "GET" not in rule.methods:
            continue
        access, path = MATRIX[rule.endpoint], path_of(rule, world)
        query = QUERY.get(rule.endpoint, lambda w: {})(world)
        for role in ROLES:
            got = answer(by_role[role].get(path, query_string=query))
            if got != expected(access, role):
                wrong.append(f"GET {path} as {role}: {got}, expected {expected(access, role)}")
    assert not wrong, "\n".join(wrong)


def test_a_post_from_a_role_without_the_right_is_refused_and_changes_nothing(app):
    world = build_world()
    by_role = clients(app, world)
    db.session.commit()
    before = row_counts()
    wrong = []
    for rule in rules_of(app):
        if "POST" not in rule.methods:
            continue
        access, path = MATRIX[rule.endpoint], path_of(rule, world)
        for role in ROLES:
            if role in access.allowed:
                continue
            got = answer(by_role[role].post(path, data={"confirm": "y", "reason": "越权操作测试"}))
            if got != expected(access, role):
                wrong.append(f"POST {path} as {role}: {got}, expected {expected(access, role)}")
    assert not wrong, "\n".join(wrong)
    db.session.expire_all()
    assert row_counts() == before


def test_another_contests_organiser_gets_nothing_of_ours_under_their_own_contest(app):
    """Their contest's id in the URL with our contest's records: never our data (units are a
    register shared by every contest: their names are no secret between organisers)."""
    world = build_world()
    client = clients(app, world)[OTHER_ORG]
    secrets = [s for s in world.identities() if s != world.unit.name]
    secrets.append(world.certificate.number)
    leaks = []
    for rule in rules_of(app):
        if "GET" not in rule.methods or "contest_id" not in rule.arguments:
            continue
        values = {**url_values(world, rule.endpoint), "contest_id": world.other_contest.id}
        _domain, path = rule.build({name: values[name] for name in rule.arguments})
        response = client.get(path)
        if response.status_code not in (200, 302, 303, 404):
            leaks.append(f"{path}: {response.status_code}")
        body = response.get_data()
        leaks += [f"{path} shows {s}" for s in secrets if s.encode() in body]
        if response.status_code == 200 and rule.endpoint in (
            "imports.errors",
            "certificates.job_file",
        ):
            leaks.append(f"{path} sends our file")
    assert not leaks, "\n".join(leaks)


def test_the_contestant_gets_only_their_own_appeal_and_certificates(app):
    world = build_world()
    client = clients(app, world)[CONTESTANT]
    other = world.entries[2]
    response = client.post(
        f"/my-result/appeal/{other.id}",
        data={"real_name": other.person.name, "reason": "别人的成绩有问题，请复核"},
    )
    assert response.status_code == 403
    theirs = db.session.scalar(sa.select(Certificate).filter_by(subject_id=other.id))
    assert client.get(f"/my-result/certificates/{theirs.number}.pdf").status_code == 404
    mine = client.get(f"/my-result/certificates/{world.certificate.number}.pdf")
    assert mine.status_code == 200 and mine.data.startswith(b"%PDF")
