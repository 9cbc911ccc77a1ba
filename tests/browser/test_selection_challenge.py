"""The public vote's burst challenge in Debian's chromium, at a phone's width (390 px): once
one address has cast the campaign's burst limit, the next vote is sent back with a check the
page's own script solves (no CDN, no SMS) and then counts; the public notice's objection form
on the same phone. Read back from the database; screenshots in test-artifacts/phone/."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, ROOT, running_app

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("JINGSAI_SHOTS", ARTIFACTS / "phone"))

#: Run in the site's instance: a campaign with two nominees passed (the vote open), its burst
#: limit one vote from an address, and a second campaign's ranking under public notice.
SETUP = """
import json
from datetime import datetime, timedelta
from app import create_app
from competitions.core.db import db
from competitions.results.models import ResultSet
from competitions.publication import services as publication
from competitions.selection import services
from competitions.selection.services import Nomination
from tests import factories as f

app = create_app()
with app.app_context():
    out = {}
    for code, name in (("GJV", "challenge"), ("GJN", "notice")):
        contest = f.contest(code, tier="province", year=2026)
        f.user(code.lower() + "nominator")
        campaign = services.create_campaign(
            contest.id, name=f"2026年度齐鲁工匠 {name}", title_name="齐鲁工匠", titles=1,
            nominations_close=datetime(2099, 1, 1), vote_opens=datetime(2000, 1, 1),
            vote_closes=datetime(2099, 1, 1), challenge_after=1)
        body = services.add_body(campaign, "济南市总工会", "city_union", None,
                                 code.lower() + "nominator", 5)
        ids = []
        for serial, person in ((1, "王师傅"), (2, "李师傅")):
            n = services.nominate(body, Nomination(
                person, f.resident_id(datetime(1976, 4, serial).date(), serial), None, "焊工",
                f"{person}带领班组攻克了多项技术难题，获国家专利三项。", "", 18), datetime.now())
            services.pass_nominee(n, datetime.now().date())
            ids.append(n.id)
        out[name] = {"campaign": campaign.id, "nominees": ids}
        if name == "notice":
            result_set = services.combined(campaign)
            publication.publish(campaign, result_set, datetime.now())
        db.session.commit()
    print(json.dumps(out))
"""

COUNT = """
from app import create_app
from competitions.core.db import db
from competitions.publication.models import Appeal
from competitions.selection.models import Vote
from sqlalchemy import select
app = create_app()
with app.app_context():
    votes = db.session.scalars(select(Vote).order_by(Vote.id))
    print([v.token.startswith("db-proof-") for v in votes])
    print([(a.subject_id, a.real_name) for a in db.session.scalars(select(Appeal))])
"""


def _run(instance: Path, script: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["JINGSAI_INSTANCE"] = str(instance)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()


def test_a_burst_is_checked_by_the_phones_own_script_then_counts(browser, tmp_path_factory):
    instance = tmp_path_factory.mktemp("selection-challenge-instance")
    with running_app(instance, "jingsai-browser-selection") as base:
        made = json.loads(_run(instance, SETUP)[-1])
        campaign, (wang, li) = made["challenge"]["campaign"], made["challenge"]["nominees"]
        context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
        phone = context.new_page()
        phone.set_default_timeout(20000)
        phone.goto(f"{base}/lang/en")
        phone.goto(f"{base}/selection/{campaign}/vote")
        phone.click(f"#vote-{wang}")  # the page's script sends it and shows the answer
        expect(phone.locator(f"#said-{wang}")).to_contain_text("your vote counts")
        assert phone.inner_text(f"#count-{wang}") == "1"
        # The second vote from this address: sent back with the check, which the page solves
        # and sends by itself; the vote then counts.
        phone.click(f"#vote-{li}")
        expect(phone.locator(f"#count-{li}")).to_have_text("1", timeout=20000)
        assert "challenge=" not in phone.url
        assert "your vote counts" in phone.inner_text(".flash.success")
        SHOTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(SHOTS / "selection-vote-after-check.png"), full_page=True)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390

        # The notice's objection form on the same phone, sent to the arbitrator.
        notice = made["notice"]["campaign"]
        first = made["notice"]["nominees"][0]
        phone.goto(f"{base}/selection/{notice}/notice")
        phone.select_option("#subject_id", str(first))
        phone.fill("#real_name", "刘群众")
        phone.fill("#contact", "13800000000")
        phone.fill("#reason", "该人选的专利并非本人完成，请核查。")
        phone.screenshot(path=str(SHOTS / "selection-notice-objection.png"), full_page=True)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        phone.click("#file-objection")
        phone.wait_for_selector(".flash.success")
        context.close()
        tokens, appeals = _run(instance, COUNT)
        assert tokens == "[False, True]"  # the second vote came with its solved check
        assert appeals == f"[({first}, '刘群众')]"
