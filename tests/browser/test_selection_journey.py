"""Selecting 工匠 (issue 15) on the demo data, in Debian's chromium, with a real worker: the
organiser sets up a campaign in the provincial contest (weights that do not add up refused
beside the field) and two nominating bodies; their nominators nominate (the enterprise goes over
its quota and is refused, nothing saved); the qualification review returns one nomination with a
reason its nominator reads and passes the others; the experts score on judging's panel (a
judge of the nominee's own unit recused), the chief judge locks; the public votes on phones
(390 px, one browser context per device), and a burst of votes from one address (fresh
devices, one nominee) is flagged on the organiser's page and voided with a written reason; the
workers compute the combined ranking; the 公示 shows the ranking and the void with its reason;
the titles are final and their certificates, issued on the workers, verify at the address their
QR code holds. Asserted from the database and after reloading.

The calendar is moved by rewriting the campaign's dates (as :func:`end_notice` does for the
notice): nominations close, the vote opens, the vote closes. It runs on a server of its own,
which also answers on ``[::1]``: the burst comes from there, the honest voters from 127.0.0.1.
"""

import re
import sqlite3
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    ARTIFACTS,
    confirm,
    end_notice,
    new_page,
    running_app,
    sign_lock,
)
from tests.factories import resident_id

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PROVINCE = "2018年山东省职工职业技能大赛暨第六届全国职工职业技能大赛山东省选拔赛"
STEEL = "山钢集团济南钢铁有限公司"
PHONES = {  # an honest voter per phone: (user agent, the nominees they vote for)
    "iphone": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "huawei": "Mozilla/5.0 (Linux; Android 12; NOH-AN00) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/99.0.4844.88 HuaweiBrowser/14.0.0.302 Mobile Safari/537.36",
    "wechat": "Mozilla/5.0 (Linux; Android 13; 2211133C) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/111.0.5563.116 Mobile Safari/537.36 MicroMessenger/8.0.40",
}
RIGGER = (
    "Mozilla/5.0 (Linux; Android 10; V1938T) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/87.0.4280.141 Mobile Safari/537.36 VivoBrowser/10.8.10.0"
)
BURST = 22  # votes from one address within minutes: more than the 20 the rule allows


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("selection-instance")
    with running_app(instance, "jingsai-browser-selection", also_on=("[::1]",)) as url:
        yield url, instance


def _db(instance: Path, sql: str, *args):
    with sqlite3.connect(instance / "jingsai.sqlite") as conn:
        return conn.execute(sql, args).fetchall()


def _days_pass(instance: Path, days: int) -> None:
    """The calendar moves on ``days`` days: the campaign's dates are that much nearer."""
    shift = f"-{days} days"
    with sqlite3.connect(instance / "jingsai.sqlite") as conn:
        conn.execute(
            "UPDATE selection_campaign SET nominations_close = datetime(nominations_close, ?),"
            " vote_opens = datetime(vote_opens, ?), vote_closes = datetime(vote_closes, ?)",
            (shift, shift, shift),
        )


def _go(page, target) -> None:
    """Click what submits a form or follows a link (a selector or a locator), and wait for the
    page it leads to: the next step never acts on, or reads, the page being left."""
    with page.expect_navigation():
        (page.locator(target) if isinstance(target, str) else target).click()


def _local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def _nominate(page, name, born, serial, unit, trade, years, deeds, achievements="", pdf=None):
    page.fill("#name", name)
    page.fill("#id_number", resident_id(born, serial))
    page.select_option("#unit_id", label=unit)
    page.fill("#trade", trade)
    page.fill("#years_in_trade", str(years))
    page.fill("#deeds", deeds)
    page.fill("#achievements", achievements)
    if pdf:
        page.set_input_files("#attachment", str(pdf))
    _go(page, "main form.form button.primary")


def _phone(browser, agent: str):
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        user_agent=agent,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    return context, page


def _vote(page, vote_url: str, nominee_id: int) -> str:
    """Open the vote's page, press the nominee's vote button, return the answer shown in the
    nominee's card: the page's script shows it without leaving the page; when a burst comes
    from the phone's network the page asks its check, solves it and sends the form, and the
    phone lands on the card with the answer."""
    page.goto(vote_url)
    page.click(f"#vote-{nominee_id}")
    answer = page.locator(f"#n{nominee_id} .flash, #said-{nominee_id}:not(:empty)").first
    answer.wait_for()
    assert page.locator(".flash").count() <= 1  # at most once, in the card
    return answer.inner_text()


def test_campaign_to_certified_titles(server, browser, tmp_path):
    base, instance = server
    ((contest_id,),) = _db(instance, "SELECT id FROM contest WHERE code = 'SD-2018'")
    now = datetime.utcnow() + timedelta(hours=8)  # Beijing time, as the forms take it
    closes = now.replace(hour=17, minute=0, second=0, microsecond=0) + timedelta(days=2)

    # --- The organiser sets up the campaign from the provincial contest's page.
    organiser = new_page(browser, base, "organiser", lang="en")
    organiser.goto(f"{base}/contests/{contest_id}")
    organiser.click("#selection-link")
    home = f"{base}/contests/{contest_id}/selection"
    organiser.wait_for_url(home)
    assert organiser.input_value("#name") == "2018年度齐鲁工匠"
    organiser.fill("#name", "2018年度齐鲁工匠评选")
    organiser.fill("#title_name", "齐鲁工匠")
    organiser.select_option("#level", "province")
    organiser.fill("#titles", "2")
    organiser.fill("#vote_nominees", "3")
    organiser.fill("#min_years_in_trade", "10")
    organiser.fill("#max_age", "60")
    organiser.fill("#nominations_close", _local(closes))
    organiser.fill("#vote_opens", _local(closes + timedelta(days=1)))
    organiser.fill("#vote_closes", _local(closes + timedelta(days=11)))
    organiser.fill("#expert_weight", "60")
    organiser.fill("#vote_weight", "30")
    organiser.fill("#daily_votes", "10")
    _go(organiser, "main form.form button.primary")
    assert "the weights must add up to 100" in organiser.inner_text("#vote_weight-error")
    assert _db(instance, "SELECT count(*) FROM selection_campaign") == [(0,)]
    organiser.fill("#expert_weight", "70")
    _go(organiser, "main form.form button.primary")
    organiser.wait_for_url(home)
    assert "Selection campaign set up" in organiser.inner_text(".flash.success")
    ((campaign_id, stored),) = _db(
        instance,
        "SELECT id, json_array(name, title_name, level, titles, vote_nominees, min_years_in_trade,"
        " max_age, expert_weight, vote_weight, daily_votes, nominations_close)"
        " FROM selection_campaign",
    )
    assert stored.startswith('["2018年度齐鲁工匠评选","齐鲁工匠","province",2,3,10,60,70')
    assert closes.strftime("%Y-%m-%d %H:%M") in stored
    organiser.reload()
    assert "2018年度齐鲁工匠评选" in organiser.inner_text("h1")

    # Two nominating bodies, each with its nominator and quota.
    for name, kind, unit, nominator, quota in (
        ("济南市总工会", "city_union", "济南市总工会", "union1", "3"),
        (STEEL, "enterprise", STEEL, "liaison1", "1"),
    ):
        organiser.fill("#body-form #name", name)
        organiser.select_option("#body-form #kind", kind)
        organiser.select_option("#body-form #unit_id", label=unit)
        organiser.fill("#body-form #nominator", nominator)
        organiser.fill("#body-form #quota", quota)
        _go(organiser, "#body-form button[type=submit]")
        assert "Nominating body added" in organiser.inner_text(".flash.success")
    bodies = dict(
        _db(
            instance,
            "SELECT b.name, u.username || ' ' || b.quota FROM nominating_body b"
            " JOIN user_account u ON u.id = b.nominator_id WHERE b.campaign_id = ?",
            campaign_id,
        )
    )
    assert bodies == {"济南市总工会": "union1 3", STEEL: "liaison1 1"}
    organiser.reload()
    assert organiser.locator("#bodies tbody tr").count() == 2

    # --- The city union's nominator finds the nomination page on their home page.
    union = new_page(browser, base, "union1", lang="en")
    union.goto(base + "/")
    _go(union, union.locator("#my-nominations a", has_text="2018年度齐鲁工匠评选"))
    union.wait_for_url(re.compile(r"/selection/bodies/\d+/nominate$"))
    deeds = tmp_path / "事迹材料.pdf"
    deeds.write_bytes(PDF)
    for args in (
        ("刘国栋", date(1975, 3, 12), 11, "济南华泉机床有限公司", "数控车工", 24,
         "扎根一线24年，攻克高精度主轴加工难题，带出徒弟37名。", "国家发明专利2项", deeds),
        ("陈立华", date(1980, 9, 2), 12, "济南泉城重工装备有限公司", "焊工", 18,
         "独创厚板窄间隙焊接操作法，年创效益600余万元。", "省级技术能手"),
    ):  # fmt: skip
        _nominate(union, *args)
        assert "Nominated" in union.inner_text(".flash.success")
    # 赵志强 has 6 years in the trade, fewer than the 10 the campaign asks: refused beside the
    # field, nothing saved; his nominator finds he has 12 (an earlier job counted) and sends it.
    zhao_args = ["赵志强", date(1990, 5, 20), 13, "济南泉城重工装备有限公司", "钳工", 6,
                 "装配精度全厂第一。"]  # fmt: skip
    _nominate(union, *zhao_args)
    assert "fewer than the 10 asked" in union.inner_text("#years_in_trade-error")
    assert _db(
        instance, "SELECT count(*) FROM selection_nominee WHERE campaign_id = ?", campaign_id
    ) == [(2,)]  # 刘国栋 and 陈立华 only
    zhao_args[5] = 12
    _nominate(union, *zhao_args)
    assert "Nominated" in union.inner_text(".flash.success")
    assert "Nominated 3 of 3" in union.inner_text("#quota")

    # The enterprise's nominator nominates one; a second is over the quota: refused, not saved.
    steel = new_page(browser, base, "liaison1", lang="en")
    steel.goto(base + "/")
    _go(steel, steel.locator("#my-nominations li", has_text=STEEL).locator("a"))
    _nominate(steel, "马成林", date(1978, 1, 8), 14, STEEL, "炼钢工", 20,
              "转炉炼钢20年，终点命中率行业领先。", "全国五一劳动奖章")  # fmt: skip
    assert "Nominated" in steel.inner_text(".flash.success")
    _nominate(steel, "孙海涛", date(1985, 7, 16), 15, STEEL, "电工", 15, "维修电工骨干。")
    refused = steel.inner_text(".flash.error")
    assert "the body's quota is used up (1 of 1)" in refused, refused
    assert steel.input_value("#name") == "孙海涛"  # what was typed is kept to show
    nominees = dict(
        _db(
            instance,
            "SELECT p.name, n.id FROM selection_nominee n JOIN person p ON p.id = n.person_id"
            " WHERE n.campaign_id = ?",
            campaign_id,
        )
    )
    assert sorted(nominees) == sorted(["刘国栋", "陈立华", "赵志强", "马成林"])
    assert _db(
        instance,
        "SELECT count(*) FROM nominee_attachment a JOIN selection_nominee n ON n.id = a.nominee_id"
        " WHERE n.id = ? AND a.content_type = 'application/pdf'",
        nominees["刘国栋"],
    ) == [(1,)]
    steel.reload()
    assert "Nominated 1 of 1" in steel.inner_text("#quota")
    assert steel.locator("#mine li").all_inner_texts() == ["马成林 · 炼钢工 · nominated"]
    liu, chen, zhao, ma = (nominees[n] for n in ("刘国栋", "陈立华", "赵志强", "马成林"))

    # --- The qualification review: 赵志强's 12 years need his earlier employer's proof, which
    # is missing: returned with a reason; the others pass.
    organiser.reload()
    organiser.fill(f"#reason-{zhao}", "工龄12年缺原单位证明，请补充后重新推荐")
    _go(organiser, f"#return-{zhao}")
    for nominee in (liu, chen, ma):
        _go(organiser, f"#pass-{nominee}")
        organiser.locator(f"#pass-{nominee}").wait_for(state="detached")
    states = dict(
        _db(
            instance,
            "SELECT id, state || ':' || return_reason FROM selection_nominee WHERE campaign_id = ?",
            campaign_id,
        )
    )
    assert states == {
        liu: "passed:",
        chen: "passed:",
        ma: "passed:",
        zhao: "returned:工龄12年缺原单位证明，请补充后重新推荐",
    }
    organiser.reload()
    assert "returned" in organiser.inner_text(f"#nominee-{zhao} .state")
    # The nominator reads why.
    union.reload()
    mine = union.inner_text("#mine")
    assert "赵志强 · 钳工 · returned: 工龄12年缺原单位证明，请补充后重新推荐" in mine
    assert "刘国栋 · 数控车工 · passed the qualification review" in mine

    # --- The experts: judging's scheme, panel (recusal by unit), codes, grid and lock.
    for code, criterion in (("S1", "技能水平"), ("C1", "创新与贡献")):
        organiser.goto(f"{base}/contest-trades/{campaign_id}/scheme/items/new")
        organiser.fill("#code", code)
        organiser.fill("#criterion", criterion)
        organiser.select_option("#kind", "judgement")
        organiser.fill("#max_mark", "50")
        organiser.fill("#step", "1")
        organiser.fill("#judges", "2")
        organiser.select_option("#aggregation", "mean")
        organiser.fill("#tolerance", "10")
        _go(organiser, "main form.form button.primary")
        assert f"Item {code} added" in organiser.inner_text(".flash.success")
    items = dict(
        _db(
            instance,
            "SELECT i.code, i.id FROM scheme_item i JOIN scheme_part p ON p.id = i.part_id"
            " WHERE p.assessment_id = ?",
            campaign_id,
        )
    )
    assert sorted(items) == ["C1", "S1"]
    organiser.goto(home)
    organiser.click("#panel-link")
    panel = f"{base}/contest-trades/{campaign_id}/panel"
    organiser.wait_for_url(re.compile(rf"{panel}"))
    seats = {}
    for username, role, display in (
        ("judge1", "judge", "李明远"),
        ("judge2", "judge", "王海峰"),
        ("judge3", "judge", "陈淑芬"),
        ("chief", "chief_judge", "高振华"),
    ):
        organiser.goto(panel)
        organiser.fill("#username", username)
        organiser.select_option("#role", role)
        _go(organiser, "main button:text-is('Add to the panel')")
        assert "joined the panel" in organiser.inner_text(".flash.success")
        seats[username] = organiser.locator("section.seat", has_text=display)
        if role == "judge":
            seats[username].locator("legend input[type=checkbox]").check()
            _go(organiser, seats[username].locator("button", has_text="Save items"))
            assert "Items saved" in organiser.inner_text(".flash.success")
            seats[username] = organiser.locator("section.seat", has_text=display)
    # 李明远 works at the steel company: assigning all skips its nominee; 王海峰 marks all;
    # 陈淑芬 takes the steel company's nominee as the second judge.
    for username in ("judge1", "judge2"):
        _go(organiser, seats[username].locator("form[action$='/entries/all'] button"))
    organiser.goto(panel)
    assert "马成林" in organiser.locator("section.seat", has_text="李明远").inner_text()
    seat = organiser.locator("section.seat", has_text="陈淑芬")
    seat.locator("select[name$=entry_id]").select_option(str(ma))
    _go(
        organiser,
        seat.locator("form", has=organiser.locator("select[name$=entry_id]")).locator(
            "button[type=submit]"
        ),
    )
    assert "Entry assigned" in organiser.inner_text(".flash.success")
    assigned = _db(
        instance,
        "SELECT u.username, s.subject_id FROM judge_subject s"
        " JOIN panel_member m ON m.id = s.member_id JOIN user_account u ON u.id = m.user_id"
        " WHERE m.assessment_id = ? ORDER BY 1, 2",
        campaign_id,
    )
    assert assigned == sorted(
        [("judge1", liu), ("judge1", chen), ("judge2", liu), ("judge2", chen), ("judge2", ma),
         ("judge3", ma)]
    )  # fmt: skip
    organiser.goto(f"{base}/contest-trades/{campaign_id}/codes")
    _go(organiser, "main form.form button.primary")
    assert "3 codes drawn" in organiser.inner_text(".flash.success")
    codes = dict(
        _db(
            instance,
            "SELECT subject_id, code FROM subject_code WHERE subject_id IN (?, ?, ?)",
            liu,
            chen,
            ma,
        )
    )
    marks = {liu: ("45", "45"), chen: ("43", "42"), ma: ("35", "35")}  # 90, 85, 70
    for username in ("judge1", "judge2", "judge3"):
        judge = new_page(browser, base, username, lang="en")
        judge.goto(base + "/marking")
        judge.locator("#seats tr", has_text="2018年度齐鲁工匠评选").locator(
            "a", has_text="Enter scores"
        ).click()
        judge.wait_for_url(re.compile(rf"/marking/{campaign_id}$"))
        content = judge.content()
        assert not [n for n in nominees if n in content]  # codes only, never names
        typed = 0
        for nominee, values in marks.items():
            for code, value in zip(("S1", "C1"), values, strict=True):
                cell = judge.locator(
                    f"input.score[data-code='{codes[nominee]}'][data-item='{items[code]}']"
                )
                if cell.count():
                    cell.fill(value)
                    cell.press("Tab")
                    typed += 1
        expect(judge.locator("input.score.saved")).to_have_count(typed)  # each saved
        judge.context.close()
    assert _db(
        instance,
        "SELECT count(*) FROM mark WHERE item_id IN (?, ?)",
        items["S1"],
        items["C1"],
    ) == [(12,)]
    chief = new_page(browser, base, "chief", lang="en")
    chief.goto(base + "/marking")
    _go(
        chief,
        chief.locator("#seats tr", has_text="2018年度齐鲁工匠评选").locator(
            "a", has_text="Review and lock"
        ),
    )
    sign_lock(chief)
    chief.locator("#unlock").wait_for()
    assert _db(
        instance, "SELECT locked FROM marking_lock WHERE assessment_id = ?", campaign_id
    ) == [(1,)]
    chief.context.close()
    organiser.goto(home)
    scores = {n: organiser.locator(f"#nominee-{n} td").nth(4).inner_text() for n in (liu, chen, ma)}
    assert {n: Decimal(s.rstrip(" ✓")) for n, s in scores.items()} == {
        liu: 90,
        chen: 85,
        ma: 70,
    }
    assert all(s.endswith("✓") for s in scores.values())  # all three put to the vote

    # --- The public vote, on phones. Before it opens the buttons are off.
    vote_url = base + organiser.locator("#vote-link").get_attribute("href").removeprefix(base)
    early, early_page = _phone(browser, PHONES["iphone"])
    early_page.goto(vote_url)
    assert early_page.locator(f"#vote-{liu}").is_disabled()
    early.close()
    _days_pass(instance, 4)  # nominations closed, the vote open

    honest = {"iphone": (liu, chen, ma), "huawei": (liu, chen), "wechat": (chen,)}
    phones = {}
    for phone, voted in honest.items():
        context, page = _phone(browser, PHONES[phone])
        phones[phone] = (context, page)
        for nominee in voted:
            answer = _vote(page, vote_url, nominee)
            assert "感谢" in answer or "Thank you" in answer, answer
    # What a voter sees where the page lands after voting (the nominee's card).
    ARTIFACTS.mkdir(exist_ok=True)
    phones["iphone"][1].screenshot(path=str(ARTIFACTS / "selection-voted-390.png"))
    # The same phone back on the page: 陈立华's button is off and says it voted today (one
    # vote per nominee a day), the others' are on; reloaded, it still says so.
    wechat = phones["wechat"][1]
    wechat.goto(vote_url)
    wechat.reload()
    assert wechat.locator(f"#vote-{chen}").is_disabled()
    assert wechat.inner_text(f"#voted-{chen}") == "今日已投"
    assert not wechat.locator(f"#vote-{liu}").is_disabled()
    assert not wechat.locator(f"#voted-{liu}").is_visible()
    page = phones["iphone"][1]
    page.goto(vote_url)
    assert [page.inner_text(f"#count-{n}") for n in (liu, chen, ma)] == ["2", "3", "1"]
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the vote page scrolls sideways: {width}px"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "selection-vote-390.png"), full_page=True)
    for context, _page in phones.values():
        context.close()

    # A burst from one place: fresh devices one after another, all for 马成林, from [::1].
    rig, rigger = _phone(browser, RIGGER)
    rig_url = vote_url.replace("127.0.0.1", "[::1]")
    checked = 0
    for _ in range(BURST):
        rig.clear_cookies()  # a "new device" each time
        answer = _vote(rigger, rig_url, ma)
        assert "感谢" in answer or "Thank you" in answer, answer
        checked += "voted=" in rigger.url  # sent by the form after the page's check
    assert checked == BURST - 20  # past 20 votes in five minutes, each vote proves its work
    rig.close()
    by_address = dict(
        _db(
            instance,
            "SELECT address, count(*) FROM vote WHERE campaign_id = ? GROUP BY address",
            campaign_id,
        )
    )
    assert by_address == {"127.0.0.1": 6, "::1": BURST}

    # --- The organiser's page flags the burst; a void without a reason is refused; with one,
    # the burst's votes are voided and the honest ones kept.
    organiser.reload()
    flagged = organiser.locator("#bursts .source").all_inner_texts()
    assert "address:::1" in flagged, flagged
    assert "address:127.0.0.1" not in flagged
    assert organiser.inner_text(f"#nominee-{ma} td >> nth=5").startswith(str(BURST + 1))
    burst = organiser.locator("#bursts li", has_text="address:::1").locator("a.void-burst")
    _go(organiser, burst)
    assert organiser.input_value("#source") == "address:::1"  # the flagged source, filled in
    _go(organiser, "#void")
    assert "A reason is required" in organiser.inner_text(".flash.error")
    assert _db(instance, "SELECT count(*) FROM vote_void") == [(0,)]
    reason = "同一地址5分钟内为同一候选人集中投票22票，认定为刷票，予以作废"
    _go(organiser, burst)
    organiser.fill("#reason", reason)
    _go(organiser, "#void")
    assert f"{BURST} votes voided" in organiser.inner_text(".flash.success")
    assert _db(
        instance,
        "SELECT v.address, d.reason, count(*) FROM vote v LEFT JOIN vote_void d"
        " ON d.id = v.void_id WHERE v.campaign_id = ? GROUP BY 1, 2 ORDER BY 1",
        campaign_id,
    ) == [("127.0.0.1", None, 6), ("::1", reason, BURST)]
    organiser.reload()
    assert reason in organiser.inner_text("#voids")
    assert "address:::1" not in organiser.locator("#bursts .source").all_inner_texts()
    assert organiser.inner_text(f"#nominee-{ma} td >> nth=5").strip() == "1"
    public, public_page = _phone(browser, PHONES["huawei"])
    public_page.goto(vote_url)
    assert public_page.inner_text(f"#count-{ma}") == "1"

    # --- The vote closes; the workers compute the combined ranking.
    _days_pass(instance, 11)
    public_page.reload()
    assert public_page.locator(f"#vote-{ma}").is_disabled()
    _go(organiser, "#combine")
    assert "being computed on the workers" in organiser.inner_text(".flash.info")
    for _ in range(120):
        organiser.reload()
        if "succeeded" in organiser.inner_text("#combine-job"):
            break
        organiser.wait_for_timeout(500)
    assert "succeeded" in organiser.inner_text("#combine-job")
    ranking = _db(
        instance,
        "SELECT subject_id, rank, total, award FROM result WHERE assessment_id = ? ORDER BY rank",
        campaign_id,
    )
    # 70 × expert / best + 30 × votes / most: 陈立华 66.11 + 30, 刘国栋 70 + 20, 马成林 54.44 + 10
    assert [(s, r, Decimal(str(t)), a) for s, r, t, a in ranking] == [
        (chen, 1, Decimal("96.11"), "first"),
        (liu, 2, Decimal("90.00"), "first"),
        (ma, 3, Decimal("64.44"), None),
    ]
    organiser.screenshot(path=str(ARTIFACTS / "selection-organiser.png"), full_page=True)

    # --- 公示: the public notice shows the ranking and the void with its reason.
    _go(organiser, "#publish")
    confirm(organiser, "#confirm-publish")
    organiser.wait_for_url(home)
    assert _db(instance, "SELECT state FROM result_set WHERE assessment_id = ?", campaign_id) == [
        ("notice",)
    ]
    public_page.goto(f"{base}/selection/{campaign_id}/notice")
    rows = public_page.locator("#ranking tbody tr").all_inner_texts()
    assert [r.split("\t")[1] for r in rows] == ["陈立华", "刘国栋", "马成林"]
    assert "齐鲁工匠" in rows[0] and "齐鲁工匠" in rows[1] and "齐鲁工匠" not in rows[2]
    voids = public_page.inner_text("#voids")
    assert reason in voids and str(BURST) in voids
    width = public_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the public notice scrolls sideways: {width}px"
    public_page.screenshot(path=str(ARTIFACTS / "selection-notice-390.png"), full_page=True)

    # --- The notice ends; the titles are final; their certificates issued on the workers.
    end_notice(instance, campaign_id)
    organiser.reload()
    _go(organiser, "#finalise")
    confirm(organiser, "#confirm-finalise")
    organiser.wait_for_url(home)
    assert _db(instance, "SELECT state FROM result_set WHERE assessment_id = ?", campaign_id) == [
        ("final",)
    ]
    _go(organiser, "#certificates")
    confirm(organiser, "#confirm-issue")
    assert "Issuing 2 certificates on the workers" in organiser.inner_text(".flash.info")
    query = "SELECT number, name, unit FROM certificate WHERE assessment_id = ? ORDER BY name"
    for _ in range(120):  # the workers issue them
        if len(_db(instance, query, campaign_id)) == 2:
            break
        organiser.wait_for_timeout(500)
    issued = _db(instance, query, campaign_id)
    assert [(name, unit) for _n, name, unit in issued] == [
        ("刘国栋", "济南华泉机床有限公司"),
        ("陈立华", "济南泉城重工装备有限公司"),
    ]

    # Anyone verifies each at the address its QR code holds.
    checker = new_page(browser, base, lang="en")
    for number, name, _unit in issued:
        checker.goto(f"{base}/verify/{number}")
        assert "genuine and valid" in checker.inner_text("#verdict")
        facts = checker.inner_text("#facts")
        assert name in facts and "齐鲁工匠" in facts, facts
    public.close()
