"""A live Jingsai in the embedded setup (SQLite, a serverless broker, a real worker) and a browser.

The browser is Debian's chromium driven by Playwright; it must be installed
(``apt-get install chromium``), and the tests fail, not skip, without it.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pyotp
import pytest

from dev import web_command as dev_web_command

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("JINGSAI_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def web_command(host: str, port: int, also_on: tuple[str, ...] = ()) -> list[str]:
    """``dev.py``'s web command, answering also on the hosts ``also_on`` at the same port."""
    command = dev_web_command(host, port)
    at = command.index("--call")
    return [*command[:at], *(f"--listen={h}:{port}" for h in also_on), *command[at:]]


def _wait_for(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the server exited:\n{log.read_text()}", pytrace=False)
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer:\n{log.read_text()}", pytrace=False)


@contextmanager
def running_app(
    instance: Path, queue: str, concurrency: int = 1, also_on: tuple[str, ...] = (), **settings: str
):
    """The app and a worker as ``dev.py start`` runs them, on fresh demo data in ``instance``
    (their own queue, ``settings`` as extra environment; BASE_URL is the app's own address);
    yields the URL. ``also_on``: more loopback hosts it answers on, at the same port (e.g.
    ``"[::1]"``: a browser there reaches the app from another address)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(JINGSAI_INSTANCE=str(instance), JINGSAI_QUEUE=queue, BASE_URL=url, **settings)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    for command in (["db", "upgrade"], ["seed", "--if-empty"]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True, capture_output=True)
    celery = [sys.executable, "-m", "celery", "-A", "workers.worker", "worker"]
    log = instance / "server.log"
    with open(log, "wb") as out:
        procs = [
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
            for command in (
                [*celery, "--concurrency", str(concurrency), "--loglevel", "INFO"],
                web_command("127.0.0.1", port, also_on),
            )
        ]
    try:
        _wait_for(url + "/login", procs[1], log)
        yield url
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The shared demo site of the journeys (the board looks for new results every second)."""
    instance = tmp_path_factory.mktemp("live-instance")
    with running_app(instance, "jingsai-browser", JINGSAI_BOARD_REFRESH="1") as url:
        yield url


def new_page(browser, base: str | None = None, username: str | None = None, lang=None):
    """A page in a browser context of its own (its own cookies), in ``lang`` if given, logged
    in as ``username`` (the demo password) if given."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    if lang:
        page.goto(f"{base}/lang/{lang}")
    if username:
        log_in(page, base, username)
    return page


#: The authenticator app of each demo account the journeys logged in as, per live site:
#: its secret, the last time step whose code was typed, and its unused recovery codes.
APPS: dict[tuple[str, str], dict] = {}


def log_in(page, base: str, username: str) -> None:
    """Log in as a person does: the demo password, then two-step log-in: set up on the
    account's first log-in when it is required (an organiser), else the app's code."""
    page.goto(base + "/login")
    page.fill("#username", username)
    page.fill("#password", "demo1234")
    page.click("main button.primary")
    page.wait_for_load_state()
    app = APPS.get((base, username))
    if "/login/code" in page.url:
        page.fill("#code", _next_code(app))
        page.click("main button.primary")
    elif "/account/second-factor" in page.url:
        secret = page.inner_text("#setup-secret").replace(" ", "")
        app = {"secret": secret, "last": None, "codes": []}
        page.fill("#code", _next_code(app))
        page.click("main button.primary")
        app["codes"] = page.locator("#recovery-codes code").all_inner_texts()
        APPS[(base, username)] = app
        page.goto(base + "/")
    # Logged in: the home page, or an administrator's own page (where the home page sends them).
    page.wait_for_url(lambda url: url.startswith(base) and "/login" not in url)
    assert "/second-factor" not in page.url


def _next_code(app: dict) -> str:
    """A code the site has not seen yet: the app's for now or the next 30 s (the site accepts
    a step either side, each once), else a recovery code."""
    totp, step = pyotp.TOTP(app["secret"]), int(time.time()) // 30
    for candidate in (step, step + 1):
        if app["last"] is None or candidate > app["last"]:
            app["last"] = candidate
            return totp.generate_otp(candidate)
    return app["codes"].pop()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium under Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium", pytrace=False)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser page; a screenshot of it is kept in test-artifacts/ when the test fails."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    if getattr(request.node, "rep_call", None) and request.node.rep_call.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome on the test item (for the failure screenshot)."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, "rep_" + rep.when, rep)


def confirm(page, button: str) -> None:
    """Go through a confirmation step: tick "I confirm" and press the page's ``button``, and
    wait for the page the form brings back (a reload or a click before it has come would
    race the form's own navigation)."""
    page.check("#confirm")
    with page.expect_navigation():
        page.click(button)


def sign_lock(page, password: str = "demo1234") -> None:
    """The chief judge signs the lock on the review page: retypes their password, locks."""
    page.fill("#password", password)
    page.click("#lock")


def end_notice(instance: Path, ct_id: int) -> None:
    """Let the public notice of a contest-trade's results end (its deadline set in the past),
    as the calendar would after five working days."""
    import sqlite3

    with sqlite3.connect(instance / "jingsai.sqlite") as conn:
        conn.execute(
            "UPDATE result_set SET notice_deadline = '2000-01-01 00:00:00.000000'"
            " WHERE assessment_id = ?",
            (ct_id,),
        )


def whole_id_number(page, base: str, contest_id: int, ct_id: int, name: str) -> str:
    """A contestant's whole ID number as an organiser gets it: the register shows it masked, so
    open their page and ask for it with a reason (查看完整身份证号)."""
    page.goto(f"{base}/contests/{contest_id}/entries?ct={ct_id}&q={name}")
    page.locator("#entries tbody tr", has_text=name).first.locator("a").first.click()
    page.click("details.reveal summary")
    page.fill("#reason", "核对选手身份，用于查询成绩")
    page.click("#reveal")
    return page.locator("#id-number").inner_text().strip()


def site_keyring(instance: Path):
    """The keys of a site started by :func:`running_app` (made in its instance folder), to read
    what its database keeps encrypted."""
    from competitions.core.crypto import keyring_of

    keys = {name: (instance / f"{name.lower().replace('_', '-')}").read_text().strip()
            for name in ("DATA_KEY", "INDEX_KEY")}  # fmt: skip
    return keyring_of(keys)
