"""The contest day (赛务) in Debian's chromium, on the demo data: the organiser adds two sessions
of a trade, draws sessions and workstations from a seed read out aloud, has the workers make
the admission tickets and makes a clerk check-in staff; the check-in staff, on a phone 390 px
wide, checks in one contestant by the typed ticket number and one by the QR token read from
their ticket (put in the field as a scan does), is told about a ticket of the other session,
and marks the third absent once the session has begun."""

import re
import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, CHROMIUM, confirm, log_in, new_page, running_app
from tests.certificates.pdf_tools import png_of, qr_of

pytestmark = pytest.mark.browser
SEED = "20261205"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A demo site of its own (this journey changes entries' states)."""
    instance = tmp_path_factory.mktemp("contest-day-tiers")
    with running_app(instance, "jingsai-contest-day-tiers") as url:
        yield url, instance / "jingsai.sqlite"


def read(database, sql: str, *args) -> list[tuple]:
    """Rows of the site's own database, as the app committed them."""
    with sqlite3.connect(database) as connection:
        return connection.execute(sql, args).fetchall()


def phone(browser, base: str, username: str):
    """A phone 390 px wide, logged in as ``username``."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    log_in(page, base, username)
    return page


def camera_file(text: str, path) -> str:
    """A video file for chromium's fake camera: the QR code of ``text`` held up, 640 x 480
    (YUV4MPEG2, 4:2:0, a few identical frames that chromium plays in a loop)."""
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    matrix = code.to_image(scale=5, add_quiet_zones=True)
    qr = Image.frombytes("L", (matrix.shape[1], matrix.shape[0]), bytes(matrix))
    frame = Image.new("RGB", (640, 480), "white")
    frame.paste(qr.convert("RGB"), ((640 - qr.width) // 2, (480 - qr.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    planes = y.tobytes() + cb.resize((320, 240)).tobytes() + cr.resize((320, 240)).tobytes()
    with open(path, "wb") as out:
        out.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        for _ in range(10):
            out.write(b"FRAME\n" + planes)
    return str(path)


def phone_with_camera(browser, base: str, username: str, video: str):
    """A phone 390 px wide whose camera films ``video``, logged in as ``username``."""
    camera = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    context = camera.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        permissions=["camera"],
    )
    page = context.new_page()
    page.set_default_timeout(30000)
    log_in(page, base, username)
    return camera, page


def add_session(page, name: str, workstations: int, today: str) -> None:
    page.fill("#name", name)
    page.fill("#day", today)
    page.fill("#starts_at", "00:00")
    page.fill("#ends_at", "23:59")
    page.fill("#place", "济钢技术中心实训车间")
    page.fill("#workstations", str(workstations))
    page.click("main form.form button.primary")
    expect(page.locator(".flash.success")).to_be_visible()


def test_a_session_drawn_ticketed_checked_in_on_a_phone_and_one_absent(site, browser, tmp_path):
    base, database = site
    ((ct_id, contest_id, trade),) = read(
        database,
        "SELECT ct.id, c.id, t.name_zh FROM contest_trade ct "
        "JOIN contest c ON c.id = ct.contest_id JOIN trade t ON t.id = ct.trade_id "
        "WHERE c.code = 'JG-2018' AND t.code = '6-20-03-01'",
    )
    ((marked,),) = read(
        database,
        "SELECT count(*) FROM entry WHERE contest_trade_id = ? "
        "AND status IN ('registered', 'approved')",
        ct_id,
    )
    assert marked >= 6
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()  # the site's time zone

    organiser = new_page(browser, base, "organiser")
    organiser.goto(f"{base}/contests/{contest_id}")
    organiser.locator("tr", has_text=trade).locator("a", has_text="赛务").click()
    assert organiser.url.endswith(f"/contest-trades/{ct_id}/sessions")
    add_session(organiser, "第一场", 3, today)
    add_session(organiser, "第二场", marked, today)
    organiser.click("#go-draw")
    organiser.fill("#seed", SEED)
    organiser.click("#draw")
    expect(organiser.locator("#seed")).to_have_text(SEED)
    expect(organiser.locator("#algorithm")).to_have_text("jingsai-draw-v1")
    organiser.click("#verify")
    expect(organiser.locator("#verified.success")).to_be_visible()
    seats = read(
        database,
        "SELECT s.ticket_number, s.entry_id, x.name, p.name FROM seat s "
        "JOIN exam_session x ON x.id = s.session_id JOIN entry e ON e.id = s.entry_id "
        "JOIN person p ON p.id = e.person_id WHERE x.contest_trade_id = ? "
        "ORDER BY x.name = '第一场' DESC, s.workstation",
        ct_id,
    )
    assert len(seats) == marked
    first = [s for s in seats if s[2] == "第一场"]
    assert len(first) == 3  # as even as the workstations allow: the small session is full

    organiser.goto(f"{base}/contest-trades/{ct_id}/sessions")
    organiser.click("#make-tickets")
    expect(organiser.locator("#tickets-made")).to_contain_text(f"{marked}", timeout=90000)
    organiser.wait_for_load_state()
    expect(organiser.locator("#tickets-zip")).to_be_visible(timeout=90000)
    ((made,),) = read(
        database,
        "SELECT count(*) FROM seat s JOIN exam_session x ON x.id = s.session_id "
        "WHERE x.contest_trade_id = ? AND s.ticket_made_at IS NOT NULL",
        ct_id,
    )
    assert made == marked
    # The second person's ticket as printed: its QR code is what the phone's camera reads.
    ticket = organiser.request.get(f"{base}/entries/{first[1][1]}/ticket.pdf")
    assert ticket.ok and ticket.body().startswith(b"%PDF")
    pdf = tmp_path / "ticket.pdf"
    pdf.write_bytes(ticket.body())
    token = qr_of(png_of(pdf, dpi=200))
    assert token.count(".") == 1 and first[1][0] not in token

    organiser.goto(f"{base}/contests/{contest_id}/staff")
    organiser.fill("#username", "clerk1")
    organiser.select_option("#role", "check_in")
    organiser.click("main form.form button.primary")
    expect(organiser.locator(".flash.success")).to_be_visible()

    desk = phone(browser, base, "clerk1")
    desk.goto(f"{base}/contests/{contest_id}")
    desk.click("#go-desks")
    desk.locator("#desks a", has_text="第一场").click()
    expect(desk.locator("#desk-count")).to_contain_text("0")
    desk.fill("#code", first[0][0])  # typed from the paper ticket
    desk.click("#check-in")
    expect(desk.locator("#desk-result")).to_be_visible()
    expect(desk.locator("#desk-name")).to_have_text(first[0][3])
    expect(desk.locator("#desk-photo")).to_be_visible()  # the photo slot (no photo yet)
    ARTIFACTS.mkdir(exist_ok=True)
    desk.screenshot(path=str(ARTIFACTS / "contest-day-desk-390.png"), full_page=True)
    assert desk.evaluate("document.documentElement.scrollWidth") <= 390

    # A scan: the decoder's text goes into the field and the form is sent, as checkin.js does.
    desk.evaluate(
        "t => { document.querySelector('#code').value = t;"
        " document.querySelector('#check-in-form').requestSubmit(); }",
        token,
    )
    expect(desk.locator("#desk-name")).to_have_text(first[1][3])
    expect(desk.locator("#desk-result")).to_be_visible()

    # The same ticket again: when they were checked in; a ticket of the other session: refused.
    desk.fill("#code", first[0][0])
    desk.click("#check-in")
    expect(desk.locator("#desk-person.is-again")).to_be_visible()
    other = next(s for s in seats if s[2] == "第二场")
    desk.fill("#code", other[0])
    desk.click("#check-in")
    expect(desk.locator(".flash.error")).to_contain_text("场次")
    expect(desk.locator("#desk-person")).to_have_count(0)

    # The phone's camera films the second person's ticket: the page decodes it (this chromium
    # has no BarcodeDetector: jsQR, served by the app) and sends it; they are in already.
    camera, scanner = phone_with_camera(
        browser, base, "clerk1", camera_file(token, tmp_path / "ticket.y4m")
    )
    try:
        scanner.goto(desk.url.split("?")[0])
        scanner.click("#scan")
        expect(scanner.locator("#desk-person.is-again")).to_be_visible()
        expect(scanner.locator("#desk-name")).to_have_text(first[1][3])
    finally:
        camera.close()

    desk.click("#go-absent")
    expect(desk.locator("#confirmation")).to_contain_text(first[2][3])
    expect(desk.locator("#confirmation")).not_to_contain_text(first[0][3])
    desk.screenshot(path=str(ARTIFACTS / "contest-day-absent-390.png"), full_page=True)
    confirm(desk, "#mark-absent")
    expect(desk.locator(".flash.success")).to_be_visible()

    desk.reload()
    expect(desk.locator("#desk-count")).to_contain_text("2")
    checked = read(
        database,
        "SELECT s.ticket_number, c.way FROM check_in c JOIN seat s ON s.id = c.seat_id "
        "ORDER BY c.id",
    )
    assert checked == [(first[0][0], "typed"), (first[1][0], "scan")]
    states = dict(read(database, "SELECT id, status FROM entry WHERE contest_trade_id = ?", ct_id))
    assert states[first[2][1]] == "absent"
    assert states[first[0][1]] != "absent" and states[first[1][1]] != "absent"
    assert all(states[s[1]] != "absent" for s in seats if s[2] == "第二场")
    logged = read(
        database,
        "SELECT entity_id FROM audit_log WHERE entity = 'entry' AND action = 'update' "
        "AND changes LIKE '%absent%'",
    )
    assert {row[0] for row in logged} >= {first[2][1]}
    desk.goto(f"{base}/contest-trades/{ct_id}/draw/record")  # as the team leaders read it
    expect(desk.locator("#seed")).to_have_text(SEED)
    assert desk.evaluate("document.documentElement.scrollWidth") <= 390
    desk.screenshot(path=str(ARTIFACTS / "contest-day-draw-record-390.png"), full_page=True)
    organiser.goto(f"{base}/contest-trades/{ct_id}/sessions")
    organiser.screenshot(path=str(ARTIFACTS / "contest-day-sessions.png"), full_page=True)
    expect(organiser.locator(f"#seats tr[data-entry='{first[2][1]}']")).to_contain_text("缺考")
    assert re.search(r"\d{8}", organiser.locator("#draw-state").inner_text())
