"""The three administrators (issue 18, 三权分立), in Debian's chromium: the system administrator
types a new account, the security administrator grants it the registrar's duty, the audit
administrator finds both in the whole trail and checks the sealed chain; the new account logs
in with the password it was given. What was typed is read back from the database and after a
reload."""

import sqlite3
import subprocess
import sys

import pytest

from tests.browser.conftest import ARTIFACTS, ROOT, running_app
from tests.browser.conftest import log_in as two_step_log_in

pytestmark = pytest.mark.browser
SHOTS = ARTIFACTS / "admin"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("admin-instance")
    with running_app(instance, "jingsai-browser-admin") as url:
        yield url, instance


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(browser, base: str, username: str, password: str | None = None):
    """A browser of its own, logged in: an administrator with the demo password and two-step
    log-in (set up on the first log-in), anyone else with ``password``."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    if password is None:
        two_step_log_in(page, base, username)
        return page
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("main button.primary")
    page.wait_for_load_state()
    return page


def account(instance, username: str):
    with sqlite3.connect(instance / "jingsai.sqlite") as conn:
        return conn.execute(
            "SELECT display_name, active, is_registrar, admin_role FROM user_account"
            " WHERE username = ?",
            (username,),
        ).fetchone()


def test_three_administrators_each_do_their_own_part(browser, server):
    base, instance = server
    sysadmin = log_in(browser, base, "sysadmin")
    assert sysadmin.url == base + "/admin/users"  # an administrator starts on their own page
    assert sysadmin.locator("nav").inner_text().strip() == "账号管理"  # no contest menus
    sysadmin.click("text=新建账号")
    sysadmin.fill("#username", "judge_new")
    sysadmin.fill("#display_name", "新来的裁判")
    sysadmin.select_option("#unit_id", label="山东省总工会")
    sysadmin.fill("#password", "short")
    sysadmin.click("main button.primary")
    assert "至少" in sysadmin.locator(".error").first.inner_text()  # beside the field
    assert account(instance, "judge_new") is None  # nothing half-saved
    sysadmin.fill("#password", "a-long-first-password")
    sysadmin.click("main button.primary")
    sysadmin.wait_for_url(base + "/admin/users")
    assert account(instance, "judge_new") == ("新来的裁判", 1, 0, None)
    sysadmin.reload()
    assert "新来的裁判" in sysadmin.locator("#accounts").inner_text()
    shot(sysadmin, "users")

    secadmin = log_in(browser, base, "secadmin")
    assert secadmin.url == base + "/admin/duties"
    secadmin.fill("#username", "judge_new")
    secadmin.select_option("#duty", "registrar")
    secadmin.click("main button.primary")
    secadmin.wait_for_url(base + "/admin/duties")
    assert account(instance, "judge_new")[2] == 1
    secadmin.reload()
    assert "新来的裁判" in secadmin.locator("table.grid").inner_text()
    secadmin.fill("#username", "secadmin")
    secadmin.select_option("#duty", "audit")
    secadmin.click("main button.primary")
    assert "任何人不得变更自己的职责" in secadmin.locator(".error").first.inner_text()
    assert account(instance, "secadmin")[3] == "security"
    shot(secadmin, "duties")

    seal = [sys.executable, "-m", "flask", "--app", "app", "audit", "seal"]
    env = {"JINGSAI_INSTANCE": str(instance), "PATH": "/usr/bin:/bin"}
    subprocess.run(seal, cwd=ROOT, env=env, check=True, capture_output=True)
    auditor = log_in(browser, base, "auditor")
    assert auditor.url == base + "/admin/audit"
    trail = auditor.locator("#audit").inner_text()
    assert "用户账号" in trail and "新来的裁判" in trail and "登记员" in trail
    assert "is_registrar" not in trail and "password" not in trail.lower()  # people's words
    auditor.click("text=校验日志链")
    assert "日志链完整" in auditor.locator("#chain-verdict").inner_text()
    shot(auditor, "audit")
    assert auditor.goto(base + "/contests/1/audit").status == 403

    # The new account logs in with the password it was given; as a registrar now, it is first
    # asked to set up two-step log-in.
    newcomer = log_in(browser, base, "judge_new", "a-long-first-password")
    assert newcomer.url == base + "/account/second-factor"
