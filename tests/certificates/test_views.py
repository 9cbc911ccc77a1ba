"""The organiser's pages, the public verification page and the contestant's download."""

import io
from pathlib import Path

import pytest
from sqlalchemy import select

from competitions.certificates import rules, services
from competitions.certificates.models import Certificate, CertificateDesign
from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.results.models import Result
from tests.certificates import world as certificate_world
from tests.certificates.pdf_tools import text_of
from tests.conftest import CONFIRM

SEAL = Path(__file__).with_name("seal.png").read_bytes()


def design_form(**changes) -> dict:
    form = {
        "title": "获奖证书",
        "honour_title": "荣誉证书",
        "body": "{name} 同志：\n在{contest}{trade}比赛中荣获{award}，特发此证。",
        "team_body": "{team}：\n荣获团体{award}。",
        "honour_body": "{name} 同志：\n荣获“{award}”称号。",
        "issuers": "山东省总工会\n山东省人力资源和社会保障厅",
        "issued_on": "2019-05-20",
    }
    form.update(changes)
    return form


def post_design(client, contest_id, **changes):
    return client.post(
        f"/contests/{contest_id}/certificates/design",
        data=design_form(**changes),
        content_type="multipart/form-data",
        follow_redirects=True,
    )


@pytest.mark.parametrize("username", ["chief", "judge1"])
def test_only_the_contests_organisers_design_and_issue(client, login, username):
    world = certificate_world.build()
    login(username)
    base = f"/contests/{world.contest.id}/certificates"
    for path in (base, f"{base}/design", f"{base}/preview.pdf", f"{base}/list"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"{base}/issue").status_code == 403
    assert client.post(f"{base}/design", data=design_form()).status_code == 403
    assert db.session.scalar(select(Job)) is None


def test_anonymous_users_are_sent_to_log_in(client):
    world = certificate_world.build()
    response = client.get(f"/contests/{world.contest.id}/certificates")
    assert response.status_code == 302 and "/login" in response.location


def test_design_then_preview(client, login, tmp_path):
    world = certificate_world.build()
    login("org")
    client.get("/lang/en")
    page = post_design(
        client,
        world.contest.id,
        seal_1=(io.BytesIO(SEAL), "seal.png"),
        body="{name}：\n为{unit}争光。",
    )
    assert "The design is saved." in page.get_data(as_text=True)
    design = db.session.scalar(select(CertificateDesign))
    assert design.image("seal_1").format == "png" and design.image("seal_1").width == 300
    response = client.get(f"/contests/{world.contest.id}/certificates/preview.pdf")
    assert response.mimetype == "application/pdf"
    assert b"/SMask" in response.data  # the seal, with its transparent paper
    pdf = tmp_path / "preview.pdf"
    pdf.write_bytes(response.data)
    assert "张伟：为济南第二机床厂争光。" in text_of(pdf)
    team = client.get(f"/contests/{world.contest.id}/certificates/preview.pdf?kind=team")
    pdf.write_bytes(team.data)
    assert "山东代表队：荣获团体二等奖。" in text_of(pdf)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (b"GIF89a not a seal", "the file is not a PNG image"),
        (b"\xff\xd8\xff\xe0 a jpeg", "the file is not a PNG image"),
        (b"\x89PNG\r\n\x1a\n broken", "the file is damaged or not a PNG image"),
        (
            b"\x89PNG\r\n\x1a\n" + b"0" * 3 * 1024 * 1024,
            "The file is too large: the limit is 2 MB.",
        ),
    ],
)
def test_a_seal_that_is_not_a_png_is_refused(client, login, upload, message):
    world = certificate_world.build()
    login("org")
    client.get("/lang/en")
    page = post_design(
        client, world.contest.id, seal_1=(io.BytesIO(upload), "seal.png"), title="改过的标题"
    )
    assert message in page.get_data(as_text=True)
    design = db.session.scalar(select(CertificateDesign))
    assert design.title == "获奖证书" and design.image("seal_1") is None


def test_a_20_mb_seal_is_refused_before_it_is_read(client, login):
    world = certificate_world.build()
    login("org")
    client.get("/lang/en")
    big = io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * (20 * 1024 * 1024))
    page = post_design(client, world.contest.id, seal_1=(big, "seal.png"), title="改过的标题")
    assert "The file is too large: the limit is 8 MB." in page.get_data(as_text=True)
    design = db.session.scalar(select(CertificateDesign))
    assert design is None or design.title == "获奖证书"


def test_too_many_or_too_long_issuers_are_refused(client, login):
    world = certificate_world.build()
    login("org")
    client.get("/lang/en")
    for issuers in ("甲\n乙\n丙\n丁", "单" * 41):
        page = post_design(client, world.contest.id, issuers=issuers).get_data(as_text=True)
        assert "At most three issuing bodies of at most 40 characters." in page
    assert db.session.scalar(select(CertificateDesign)).issuers == ""


def test_a_body_with_an_unknown_field_is_refused(client, login):
    world = certificate_world.build()
    login("org")
    client.get("/lang/en")
    page = post_design(client, world.contest.id, body="{nmae} 同志：荣获{award}").get_data(
        as_text=True
    )
    assert "unknown field {nmae}" in page
    assert db.session.scalar(select(CertificateDesign)).body != "{nmae} 同志：荣获{award}"


def test_issuing_is_refused_until_the_results_are_final(client, login):
    world = certificate_world.build(state="notice")
    login("org")
    client.get("/lang/en")
    for data in (CONFIRM, {"ct": str(world.ct.id), **CONFIRM}):
        page = client.post(
            f"/contests/{world.contest.id}/certificates/issue", data=data, follow_redirects=True
        ).get_data(as_text=True)
        assert "No certificates issued: the results are not final yet." in page
    assert db.session.scalar(select(Job)) is None
    assert db.session.scalar(select(Certificate)) is None


def test_issuing_queues_a_job_and_shows_its_progress(client, login):
    world = certificate_world.build()
    login("org")
    client.get("/lang/en")
    page = client.post(
        f"/contests/{world.contest.id}/certificates/issue",
        data={"ct": str(world.ct.id), **CONFIRM},
        follow_redirects=True,
    ).get_data(as_text=True)
    job = db.session.scalar(select(Job))
    assert job.kind == "certificates" and job.total == 5 and job.state == "pending"
    assert "Issuing 5 certificates on the workers." in page
    assert f'data-job-url="/jobs/{job.id}.json"' in page
    again = client.post(
        f"/contests/{world.contest.id}/certificates/issue", data=CONFIRM, follow_redirects=True
    ).get_data(as_text=True)
    assert "Certificates are being issued already" in again
    assert db.session.query(Job).count() == 1


def test_verify_a_valid_then_a_revoked_certificate(client, app):
    world = certificate_world.build()
    certificate_world.issue_all(world)
    client.get("/lang/en")
    winner = db.session.scalar(
        select(Certificate).filter_by(subject=f"entry:{world.entries[1].id}")
    )
    page = client.get(f"/verify/{winner.number}").get_data(as_text=True)
    assert "This certificate is genuine and valid." in page
    assert "李娜" in page and "3701**********" in page and "Second prize" in page
    assert world.entries[1].person.id_number not in page
    typed = " " + winner.number.lower().replace("-", " - ", 2)
    assert "genuine and valid" in client.get(
        f"/verify?number={typed}", follow_redirects=True
    ).get_data(as_text=True)

    db.session.get(Result, world.entries[1].id).award = "first"
    db.session.commit()
    certificate_world.issue_all(world)
    page = client.get(f"/verify/{winner.number}").get_data(as_text=True)
    assert "was revoked on" in page and "no longer valid" in page
    successor = db.session.scalar(select(Certificate).filter_by(live_subject=winner.subject))
    assert f"It was replaced by {successor.number}." in page


def test_verify_unknown_and_junk_numbers(client, app):
    world = certificate_world.build()
    certificate_world.issue_all(world)
    client.get("/lang/en")
    never_issued = rules.certificate_number(2019, "SD-2019", 602, 999, services.number_key())
    response = client.get(f"/verify/{never_issued}")
    assert response.status_code == 404
    assert "No certificate has this number." in response.get_data(as_text=True)
    forged = never_issued[:-5] + ("A" if never_issued[-5] != "A" else "B") + never_issued[-4:]
    assert "does not match: look for a typing mistake" in client.get(f"/verify/{forged}").get_data(
        as_text=True
    )
    junk = client.get("/verify/<script>alert(1)</script>").get_data(as_text=True)
    assert "is not a certificate number" in junk and "<script>alert" not in junk
    assert client.get("/verify").status_code == 200


def test_a_new_session_key_leaves_certificate_numbers_valid(client, app):
    world = certificate_world.build()
    certificate_world.issue_all(world)
    issued = db.session.scalar(
        select(Certificate).filter_by(subject=f"entry:{world.entries[0].id}")
    )
    unissued = rules.certificate_number(2019, "SD-2019", world.ct.id, 99, services.number_key())
    app.config["SECRET_KEY"] = "a new session key after a rotation"
    client.get("/lang/en")
    assert rules.number_problem(issued.number, services.number_key()) is None
    assert "genuine and valid" in client.get(f"/verify/{issued.number}").get_data(as_text=True)
    # numbers are still checked with the same key: a well-made number is only "not issued"
    assert "No certificate has this number." in client.get(f"/verify/{unissued}").get_data(
        as_text=True
    )


def test_the_verify_page_shows_a_number_of_the_real_shape(client):
    client.get("/lang/en")
    page = client.get("/verify").get_data(as_text=True)
    assert f"it reads like {rules.EXAMPLE_NUMBER}." in page
    assert rules.normalise_number(rules.EXAMPLE_NUMBER) == rules.EXAMPLE_NUMBER
    junk = client.get("/verify/2019-SD-2019").get_data(as_text=True)
    assert f"it reads like {rules.EXAMPLE_NUMBER}" in junk


def test_a_contestant_downloads_only_their_own_certificate(client, app):
    world = certificate_world.build()
    certificate_world.issue_all(world)
    client.get("/lang/en")
    mine = db.session.scalar(select(Certificate).filter_by(subject=f"entry:{world.entries[0].id}"))
    theirs = db.session.scalar(
        select(Certificate).filter_by(subject=f"entry:{world.entries[1].id}")
    )
    assert (
        client.get(f"/my-result/certificates/{mine.number}.pdf").status_code == 302
    )  # look up first
    with client.session_transaction() as session:
        session["lookup_person"] = world.entries[0].person_id
    page = client.get("/my-result/results").get_data(as_text=True)
    assert f"/my-result/certificates/{mine.number}.pdf" in page
    assert "Download my certificate (First prize)" in page and "Technical Expert" in page
    assert theirs.number not in page
    response = client.get(f"/my-result/certificates/{mine.number}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert client.get(f"/my-result/certificates/{theirs.number}.pdf").status_code == 404
    team = db.session.scalar(select(Certificate).filter_by(kind="team"))
    assert "Download the team certificate (First prize)" in page and team.number in page
    assert client.get(f"/my-result/certificates/{team.number}.pdf").status_code == 200
    with client.session_transaction() as session:  # someone of no delegation
        session["lookup_person"] = loner(world).id
    assert client.get(f"/my-result/certificates/{team.number}.pdf").status_code == 404
    assert client.get(f"/my-result/certificates/{mine.number}.pdf").status_code == 404


def test_the_organiser_lists_and_downloads_certificates(client, login):
    world = certificate_world.build()
    certificate_world.issue_all(world)
    login("org")
    page = client.get(f"/contests/{world.contest.id}/certificates/list").get_data(as_text=True)
    numbers = [c.number for c in db.session.scalars(select(Certificate))]
    assert all(n in page for n in numbers)
    assert client.get(f"/certificates/{numbers[0]}.pdf").data.startswith(b"%PDF")
    overview = client.get(f"/contests/{world.contest.id}/certificates").get_data(as_text=True)
    assert "issue-contest" in overview


def loner(world):
    """A contestant of the same trade in no delegation, without an award."""
    from datetime import date

    from competitions.registry.models import Entry, Person
    from tests import factories

    person = Person(
        name="赵六",
        gender="F",
        birth_date=date(1988, 3, 3),
        id_number=factories.resident_id(date(1988, 3, 3), 9, male=False),
    )
    db.session.add(person)
    db.session.flush()
    db.session.add(Entry(person_id=person.id, contest_trade_id=world.ct.id, status="approved"))
    db.session.commit()
    return person


def test_a_seal_is_replaced_then_removed(client, login):
    from PIL import Image

    world = certificate_world.build()
    login("org")
    post_design(client, world.contest.id, seal_1=(io.BytesIO(SEAL), "seal.png"))
    bigger = io.BytesIO()
    Image.new("RGBA", (500, 480), (200, 20, 20, 128)).save(bigger, "PNG")
    post_design(client, world.contest.id, seal_1=(io.BytesIO(bigger.getvalue()), "章.png"))
    db.session.expire_all()
    design = db.session.scalar(select(CertificateDesign))
    assert (design.image("seal_1").width, design.image("seal_1").height) == (500, 480)
    assert len(design.images) == 1
    post_design(client, world.contest.id, remove_seal_1="y")
    db.session.expire_all()
    assert db.session.scalar(select(CertificateDesign)).images == []
    preview = client.get(f"/contests/{world.contest.id}/certificates/preview.pdf")
    assert b"/SMask" not in preview.data and preview.data.startswith(b"%PDF")
