"""Issuing through the real Celery worker: chunks, progress, the ZIP and the register, re-runs."""

import io
import zipfile
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext
from openpyxl import load_workbook
from sqlalchemy import func, select

from competitions.certificates.models import Certificate
from competitions.core.config import load_config
from competitions.core.db import db
from competitions.results.models import Result
from tests import factories
from tests.certificates import world as certificate_world
from tests.conftest import CONFIRM, wait_for_job

pytestmark = pytest.mark.worker
SURNAMES, GIVEN = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗",
    "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚",
)


def issue(client, contest_id: int):
    response = client.post(f"/contests/{contest_id}/certificates/issue", data=CONFIRM)
    assert response.status_code == 302
    return wait_for_job(_latest_job_id(), timeout=180)


def _latest_job_id() -> str:
    from competitions.core.jobs import Job

    return db.session.scalar(select(Job.id).order_by(Job.created_at.desc()))


def test_a_batch_through_the_worker(worker_app, worker_env):
    # the web app reads the files the worker writes, and numbers with the same key
    worker_app.config["CERT_STORAGE_DIR"] = str(
        Path(worker_env["JINGSAI_INSTANCE"]) / "certificates"
    )
    assert worker_app.config["CERT_KEY"] == load_config(worker_env)["CERT_KEY"]
    names = [s + g + h for s in SURNAMES for g in GIVEN[:4] for h in GIVEN[4:7]][:230]
    awards = ["first"] * 23 + ["second"] * 46 + ["third"] * 69 + ["mention"] * 62 + [None] * 30
    world = certificate_world.build(names=names, awards=awards)
    wanted = 200 + 1 + 1  # individual awards, the team, the honour
    client = worker_app.test_client()
    factories.log_in(client, "org", factories.PASSWORD)
    client.get("/lang/en")

    job = issue(client, world.contest.id)
    assert job.state == "succeeded", job.message
    assert (job.total, job.done, job.percent, job.result["issued"]) == (wanted, wanted, 100, wanted)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == wanted
    page = client.get(f"/contests/{world.contest.id}/certificates").get_data(as_text=True)
    assert f"{wanted} new, 0 unchanged kept, 0 revoked" in page
    archive = client.get(f"/contests/{world.contest.id}/certificates/jobs/{job.id}/zip")
    pdfs = zipfile.ZipFile(io.BytesIO(archive.data)).namelist()
    assert len(pdfs) == wanted and len({p.rsplit("/", 1)[1][:30] for p in pdfs}) == wanted
    register = client.get(f"/contests/{world.contest.id}/certificates/jobs/{job.id}/register")
    rows = list(load_workbook(io.BytesIO(register.data)).active.iter_rows(values_only=True))
    with force_locale("zh_Hans_CN"):  # the register is in Chinese, like the certificates
        assert len(rows) == wanted + 1 and {r[7] for r in rows[1:]} == {gettext("valid")}
    sample = db.session.scalar(select(Certificate).filter_by(name=names[0], kind="individual"))
    verify = client.get(f"/verify/{sample.number}").get_data(as_text=True)
    assert "genuine and valid" in verify
    assert client.get(f"/certificates/{sample.number}.pdf").data.startswith(b"%PDF")

    again = issue(client, world.contest.id)
    assert again.state == "succeeded" and again.total == 0 and again.result["kept"] == wanted
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == wanted

    db.session.get(Result, world.entries[30].id).award = "first"  # an upheld appeal
    db.session.commit()
    changed = issue(client, world.contest.id)
    assert (changed.result["issued"], changed.result["revoked"]) == (1, 1)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).filter(Certificate.state == "valid")) == wanted
