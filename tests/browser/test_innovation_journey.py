"""An innovation-achievement contest (职工创新成果) on the demo data, in Debian's chromium.

First the demo's returned achievement: the submitter reads on a phone (390 px) why it was
returned (形式审查), attaches the missing proof (a file that is no document refused), sends it
again; the organiser's format check passes it.

Then the whole contest: the organiser names a unit's submitter and the experts on the Staff
page; the submitter adds a team's achievement, which the format check returns with reasons; the
submitter reads them, adds a member (the others' ID numbers masked and kept) and sends it
again; it passes. The organiser changes the weights and the award counts of a category (weights
that do not add up and a negative count refused beside their fields), opens the expert online
review, seats the experts and draws the codes; the experts read and mark by code only (never a
submitter's name or unit); the chief judge locks. The best go to the defence session (会评答辩),
scored live on the grid and locked; the workers combine the scores with the set weights and give
the awards by the counts per category; the awards go under public notice (公示, a page for
everyone, at 390 px), are made final, and every member of an awarded team gets a certificate,
verified through its URL. Asserted from the database at each step and after reloads.

It runs on a server of its own (it changes the demo's achievements).
"""

import re
import sqlite3
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from competitions.registry.rules import resident_id_check_char
from tests.browser.conftest import ARTIFACTS, confirm, end_notice, new_page, running_app, sign_lock

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("innovation-instance")
    with running_app(instance, "jingsai-browser-innovation") as url:
        yield url, instance


def _db(instance: Path, sql: str, *args):
    with sqlite3.connect(instance / "jingsai.sqlite") as conn:
        return conn.execute(sql, args).fetchall()


def test_returned_achievement_fixed_resent_and_passed(server, browser, tmp_path):
    base, instance = server
    ((contest_id,),) = _db(instance, "SELECT contest_id FROM innovation_contest")
    ((returned_id,),) = _db(
        instance, "SELECT id FROM innovation_submission WHERE state = 'returned'"
    )
    home = f"{base}/contests/{contest_id}/innovation"

    # The organiser finds the innovation contest from the contest's page.
    organiser = new_page(browser, base, "organiser", lang="en")
    organiser.goto(f"{base}/contests/{contest_id}")
    organiser.click("#innovation-link")
    organiser.wait_for_url(home)
    assert "职工创新成果竞赛" in organiser.inner_text("h1")
    assert "returned" in organiser.inner_text(f"#submission-{returned_id} .state")

    # The submitter, on a phone: the reasons beside the achievement, then its page.
    submitter = new_page(browser, base, "innovator1")
    submitter.set_viewport_size({"width": 390, "height": 844})
    submitter.goto(base + "/")
    submitter.click("#my-innovation a")
    assert "缺少经济效益证明材料" in submitter.inner_text("#my-submissions")
    submitter.click(f"a[href$='/submissions/{returned_id}']")
    assert "缺少经济效益证明材料" in submitter.inner_text("#return-reason")
    scroll = submitter.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 390, scroll
    ARTIFACTS.mkdir(exist_ok=True)
    submitter.screenshot(path=str(ARTIFACTS / "innovation-returned-390.png"), full_page=True)
    # A text file named .pdf is refused; the PDF is kept; sent again for the check.
    fake = tmp_path / "效益证明.pdf"
    fake.write_bytes(b"just text")
    submitter.set_input_files("#file", str(fake))
    with submitter.expect_navigation():
        submitter.click("#attach")
    assert "PDF" in submitter.inner_text(".flash.error")
    proof = tmp_path / "效益证明(盖章).pdf"
    proof.write_bytes(PDF)
    submitter.set_input_files("#file", str(proof))
    with submitter.expect_navigation():
        submitter.click("#attach")
    assert "效益证明(盖章).pdf" in submitter.inner_text("#attachments")
    with submitter.expect_navigation():
        submitter.click("#send")
    submitter.locator(".flash.success").wait_for()
    submitter.reload()
    assert submitter.inner_text("#state") == "待审核"  # submitted, in the phone's Chinese
    assert _db(instance, "SELECT state FROM innovation_submission WHERE id = ?", returned_id) == [
        ("submitted",)
    ]

    # The organiser's format check passes it.
    organiser.goto(home)
    organiser.click(f"#check-{returned_id}")
    organiser.select_option("#decision", "pass")
    with organiser.expect_navigation():
        organiser.click("main form button[type=submit]")
    organiser.wait_for_url(home)
    organiser.reload()
    assert "passed the format check" in organiser.inner_text(f"#submission-{returned_id} .state")
    assert _db(
        instance,
        "SELECT state, return_reason FROM innovation_submission WHERE id = ?",
        returned_id,
    ) == [("passed", "")]


#: Every score cell the judge has not filled yet, by fetch as the grid saves a typed one: the
#: row's share of each item's maximum (95 %, 88 %, 81 %… to the nearest half point), so each
#: achievement scores the same from every judge and differently from the next code's.
ROW_VALUE = """cell => {
  const max = Number(cell.closest('table').querySelectorAll('thead th')[cell.closest('td')
    .cellIndex].querySelector('small').textContent.replace(/[^0-9.]/g, ''));
  return String(Math.floor(max * (95 - 7 * Number(cell.dataset.row)) / 50) / 2);
}"""
FILL_ROWS = (
    """async ([url, csrf]) => {
  const rowValue = """
    + ROW_VALUE
    + """;
  const cells = [...document.querySelectorAll('input.score')].filter(i => i.value === '');
  for (const cell of cells) {
    const value = rowValue(cell);
    const r = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json',
      'X-CSRFToken': csrf}, body: JSON.stringify({code: cell.dataset.code,
      item: cell.dataset.item, value: String(value)})});
    if (!r.ok) { throw new Error(await r.text()); }
  }
  return cells.length;
}"""
)
EXPERTS = {"judge2": "王海峰", "judge3": "陈淑芬", "judge4": "马建国"}
TWO = Decimal("0.01")


def _resident(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def _submit(page, field: str):
    """Press the primary button of the form holding ``field`` and wait for the page it goes
    to."""
    with page.expect_navigation():
        page.click(f"main form:has({field}) button.primary")


def _grant(organiser, base, contest_id, username, role, unit_id=None):
    organiser.goto(f"{base}/contests/{contest_id}/staff")
    organiser.fill("#username", username)
    organiser.select_option("#role", role)
    if unit_id:
        organiser.select_option("#unit_id", str(unit_id))
    with organiser.expect_navigation():
        organiser.click("form:has(#username) button.primary")
    assert "Role granted" in organiser.inner_text(".flash.success")


def _seat_panel(organiser, base, round_id):
    """The organiser seats the three experts (all items, every achievement) and the chief
    judge on the round's panel, and draws the codes."""
    panel = f"{base}/contest-trades/{round_id}/panel"
    organiser.goto(panel)
    for username, role in [*((u, "judge") for u in EXPERTS), ("chief", "chief_judge")]:
        organiser.fill("form[action$='/panel'] input[name=username]", username)
        organiser.select_option("form[action$='/panel'] select[name=role]", role)
        with organiser.expect_navigation():
            organiser.click("form[action$='/panel'] button[type=submit]")
    for name in EXPERTS.values():
        seat = organiser.locator("section.seat", has_text=name)
        seat.locator("form[action$='/items'] input[name$=parts]").check()
        with organiser.expect_navigation():
            seat.locator("form[action$='/items'] button[type=submit]").click()
        seat = organiser.locator("section.seat", has_text=name)
        with organiser.expect_navigation():
            seat.locator("form[action$='/entries/all'] button[type=submit]").click()
    organiser.goto(f"{base}/contest-trades/{round_id}/codes")
    with organiser.expect_navigation():
        organiser.click("form[action$='/codes/draw'] button[type=submit]")


def _mark(expert, base, round_id, secrets: list[str]) -> None:
    """An expert marks the round on the grid: the first score typed (Enter saves it), the rest
    as the grid saves them; the grid shows codes, never a submitter's name or unit."""
    expert.goto(f"{base}/marking/{round_id}")
    text = expert.content()
    assert not [s for s in secrets if s in text], "the grid shows who submitted"
    first = expert.locator("input.score").first
    first.fill(first.evaluate(ROW_VALUE))
    first.press("Enter")
    expert.wait_for_selector("input.score.saved")
    table = expert.locator("#score-grid")
    expert.evaluate(
        FILL_ROWS, [table.get_attribute("data-save-url"), table.get_attribute("data-csrf")]
    )
    expert.reload()
    assert expert.locator("input.score").evaluate_all("cells => cells.every(c => c.value)")


def _lock(chief, base, round_id):
    chief.goto(f"{base}/contest-trades/{round_id}/review")
    with chief.expect_navigation():
        sign_lock(chief)
    chief.locator("#unlock").wait_for()


def _sums(instance, round_id) -> dict[int, Decimal]:
    """{submission: the sum over items of the judges' mean mark} in a round, from the
    database."""
    rows = _db(
        instance,
        "SELECT e.submission_id, m.item_id, m.value FROM mark m "
        "JOIN innovation_entry e ON e.id = m.subject_id WHERE e.round_id = ?",
        round_id,
    )
    by_cell: dict[tuple[int, int], list[Decimal]] = {}
    for submission_id, item_id, value in rows:
        by_cell.setdefault((submission_id, item_id), []).append(Decimal(str(value)))
    sums: dict[int, Decimal] = {}
    for (submission_id, _item), values in by_cell.items():
        sums[submission_id] = sums.get(submission_id, Decimal(0)) + sum(values) / len(values)
    return sums


def test_a_team_achievement_from_submission_to_verified_certificates(server, browser, tmp_path):
    base, instance = server
    ((contest_id,),) = _db(instance, "SELECT contest_id FROM innovation_contest")
    home = f"{base}/contests/{contest_id}/innovation"
    ((unit_id,),) = _db(instance, "SELECT id FROM unit WHERE name = '济钢设备检修中心'")
    organiser = new_page(browser, base, "organiser", lang="en")

    # The organiser names the unit's submitter and the experts (Staff).
    _grant(organiser, base, contest_id, "innovator1", "liaison", unit_id)
    for username in EXPERTS:
        _grant(organiser, base, contest_id, username, "judge")
    _grant(organiser, base, contest_id, "chief", "chief_judge")

    # The submitter adds a team's achievement: two members by name and ID number.
    team = [("周建军", _resident("37011219810312453")), ("吴晓燕", _resident("37011219890921462"))]
    submitter = new_page(browser, base, "innovator1", lang="en")
    submitter.goto(f"{home}/mine")
    submitter.click("#new-submission")
    submitter.select_option("#category", "invention_patent")
    submitter.fill("#title", "一种热风炉燃烧器在线清灰装置")
    submitter.select_option("#unit_id", str(unit_id))
    submitter.fill("#members", "\n".join(f"{n} {i}" for n, i in team))
    submitter.fill("#abstract", "在燃烧器喷口加装脉冲清灰机构，无需停炉清灰，热风温度提高30℃。")
    submitter.fill("#benefit_yuan", "860000")
    _submit(submitter, "#title")
    submitter.wait_for_url(re.compile(r"/submissions/\d+$"))
    submission_id = int(submitter.url.rsplit("/", 1)[1])
    report = tmp_path / "成果报告.pdf"
    report.write_bytes(PDF)
    submitter.set_input_files("#file", str(report))
    with submitter.expect_navigation():
        submitter.click("#attach")
    with submitter.expect_navigation():
        submitter.click("#send")
    assert "Submitted for the format check" in submitter.inner_text(".flash.success")
    submitter.reload()
    assert "周建军、吴晓燕" in submitter.inner_text("#team-members")
    assert _db(
        instance,
        "SELECT s.state, s.unit_id, count(m.id) FROM innovation_submission s "
        "JOIN innovation_member m ON m.submission_id = s.id WHERE s.id = ?",
        submission_id,
    ) == [("submitted", unit_id, 2)]

    # The format check returns it with reasons.
    organiser.goto(home)
    organiser.click(f"#check-{submission_id}")
    organiser.select_option("#decision", "return")
    organiser.fill("#reasons", "缺少专利受理通知书复印件，第三完成人未列入。")
    _submit(organiser, "#decision")
    organiser.wait_for_url(home)
    assert _db(
        instance,
        "SELECT state, return_reason FROM innovation_submission WHERE id = ?",
        submission_id,
    ) == [("returned", "缺少专利受理通知书复印件，第三完成人未列入。")]

    # The submitter reads why, adds the third member (the others' ID numbers shown masked and
    # kept as they are), attaches the notice and sends it again.
    submitter.goto(f"{home}/mine")
    assert "缺少专利受理通知书复印件" in submitter.inner_text("#my-submissions")
    submitter.click(f"a[href$='/submissions/{submission_id}']")
    assert "第三完成人未列入" in submitter.inner_text("#return-reason")
    shown = submitter.input_value("#members")
    assert team[0][1] not in shown and team[1][1] not in shown
    assert f"周建军 {team[0][1][:4]}**********{team[0][1][-4:]}" in shown
    people = _db(
        instance,
        "SELECT person_id FROM innovation_member WHERE submission_id = ? ORDER BY position",
        submission_id,
    )
    third = ("冯涛", _resident("37011219920105473"))
    submitter.fill("#members", f"{shown}\n{third[0]} {third[1]}")
    _submit(submitter, "#members")
    assert "Saved" in submitter.inner_text(".flash.success")
    submitter.reload()
    assert "周建军、吴晓燕、冯涛" in submitter.inner_text("#team-members")
    members = _db(
        instance,
        "SELECT person_id FROM innovation_member WHERE submission_id = ? ORDER BY position",
        submission_id,
    )
    assert members[:2] == people and len(members) == 3
    notice = tmp_path / "专利受理通知书.pdf"
    notice.write_bytes(PDF)
    submitter.set_input_files("#file", str(notice))
    with submitter.expect_navigation():
        submitter.click("#attach")
    with submitter.expect_navigation():
        submitter.click("#send")
    assert "Submitted for the format check" in submitter.inner_text(".flash.success")

    # It passes; so does any other achievement still waiting.
    organiser.goto(home)
    while organiser.locator("a[id^=check-]").count():
        organiser.locator("a[id^=check-]").first.click()
        organiser.select_option("#decision", "pass")
        _submit(organiser, "#decision")
        organiser.wait_for_url(home)
    assert _db(instance, "SELECT state FROM innovation_submission WHERE id = ?", submission_id) == [
        ("passed",)
    ]

    # The weights and a category's award counts: bad input refused beside its field, then
    # 70/30 and, for inventions and patents, no special prize, one first and one second.
    organiser.click("#settings-link")
    organiser.fill("#review_weight", "70")
    organiser.fill("#defence_weight", "20")
    organiser.fill("#categories-1-special", "-1")
    _submit(organiser, "#review_weight")
    assert "must add up to 100" in organiser.inner_text("#review_weight-error")
    assert "cannot be negative" in organiser.inner_text("#categories-1-special-error")
    assert _db(instance, "SELECT review_weight, defence_weight FROM innovation_contest") == [
        (60, 40)
    ]
    organiser.fill("#defence_weight", "30")
    for level, count in (("special", "0"), ("first", "1"), ("second", "1"), ("third", "0")):
        organiser.fill(f"#categories-1-{level}", count)
    _submit(organiser, "#review_weight")
    organiser.wait_for_url(home)
    assert "Award counts and weights saved" in organiser.inner_text(".flash.success")
    organiser.reload()
    assert "70%" in organiser.inner_text(".hint") and "30%" in organiser.inner_text(".hint")
    assert _db(
        instance,
        "SELECT special, first, second, third FROM innovation_category WHERE category = ?",
        "invention_patent",
    ) == [(0, 1, 1, 0)]

    # The expert online review: every passed achievement, on judging's panel and codes.
    with organiser.expect_navigation():
        organiser.click("#open-review")
    ((review_id,),) = _db(instance, "SELECT id FROM innovation_round WHERE stage = 'review'")
    passed = [
        s for (s,) in _db(instance, "SELECT id FROM innovation_submission WHERE state = 'passed'")
    ]
    entered = _db(
        instance, "SELECT submission_id FROM innovation_entry WHERE round_id = ?", review_id
    )
    assert sorted(s for (s,) in entered) == sorted(passed) and submission_id in passed
    _seat_panel(organiser, base, review_id)
    assert _db(
        instance, "SELECT count(*) FROM subject_code WHERE assessment_id = ?", review_id
    ) == [(len(passed),)]
    organiser.goto(home)
    assert "创新性" in organiser.inner_text("#review-scheme")

    # The experts read and mark by code only: no submitter's name or unit on their pages.
    secrets = [
        name
        for (name,) in _db(
            instance, "SELECT name FROM person p JOIN innovation_member m ON m.person_id = p.id"
        )
    ]
    secrets += [
        name
        for (name,) in _db(
            instance,
            "SELECT DISTINCT u.name FROM unit u JOIN innovation_submission s ON s.unit_id = u.id",
        )
    ]
    secrets.append("刘振东")  # the submitter
    assert "周建军" in secrets and "济钢设备检修中心" in secrets
    experts = {}
    for username in EXPERTS:
        experts[username] = new_page(browser, base, username, lang="en")
        expert = experts[username]
        expert.goto(f"{home}/rounds/{review_id}/reading")
        text = expert.content()
        assert "热风炉燃烧器在线清灰装置" in text
        assert not [s for s in secrets if s in text], "the reading shows who submitted"
        _mark(expert, base, review_id, secrets)
    marks = _db(
        instance,
        "SELECT count(*) FROM mark m JOIN innovation_entry e ON "
        "e.id = m.subject_id WHERE e.round_id = ?",
        review_id,
    )
    assert marks == [(len(passed) * 4 * len(EXPERTS),)]
    chief = new_page(browser, base, "chief", lang="en")
    _lock(chief, base, review_id)
    assert _db(instance, "SELECT locked FROM marking_lock WHERE assessment_id = ?", review_id) == [
        (1,)
    ]
    organiser.goto(home)
    assert "locked by the chief judge" in organiser.inner_text("#review-scheme-refused")

    # The defence session for the best two of each category, scored live on the grid.
    organiser.fill("#per_category", "2")
    with organiser.expect_navigation():
        organiser.click("#open-defence")
    ((defence_id,),) = _db(instance, "SELECT id FROM innovation_round WHERE stage = 'defence'")
    review_sums = _sums(instance, review_id)
    categories = dict(_db(instance, "SELECT id, category FROM innovation_submission"))
    expected_defence = set()
    for category in set(categories[s] for s in passed):
        field = sorted(
            (s for s in passed if categories[s] == category), key=lambda s: (-review_sums[s], s)
        )
        expected_defence |= set(field[:2])
    at_defence = _db(
        instance, "SELECT submission_id FROM innovation_entry WHERE round_id = ?", defence_id
    )
    assert {s for (s,) in at_defence} == expected_defence
    _seat_panel(organiser, base, defence_id)
    for username in EXPERTS:
        _mark(experts[username], base, defence_id, secrets)
    _lock(chief, base, defence_id)

    # The workers combine the scores with the set weights and give the awards by the counts.
    organiser.goto(home)
    with organiser.expect_navigation():
        organiser.click("#compute-awards")
    assert "Computing the awards" in organiser.inner_text(".flash.info")
    job = "SELECT state FROM job WHERE kind = 'innovation_awards'"
    for _ in range(120):
        if _db(instance, job) in ([("succeeded",)], [("failed",)]):
            break
        organiser.wait_for_timeout(500)
    assert _db(instance, job) == [("succeeded",)]
    defence_sums = _sums(instance, defence_id)
    results = {
        s: (Decimal(str(total)).quantize(TWO), rank, award)
        for s, total, rank, award in _db(
            instance,
            "SELECT e.submission_id, r.total, r.rank, r.award FROM result r "
            "JOIN innovation_entry e ON e.id = r.subject_id WHERE r.assessment_id = ?",
            review_id,
        )
    }
    assert set(results) == set(passed)
    counts = {
        c: dict(zip(("special", "first", "second", "third"), rest, strict=True))
        for c, *rest in _db(
            instance, "SELECT category, special, first, second, third FROM innovation_category"
        )
    }
    for category in set(categories[s] for s in passed):
        field = [s for s in passed if categories[s] == category]
        combined = {
            s: (review_sums[s] * 70 / 100 + defence_sums.get(s, Decimal(0)) * 30 / 100).quantize(
                TWO, rounding=ROUND_HALF_UP
            )
            for s in field
        }
        order = sorted(field, key=lambda s: (-combined[s], -review_sums[s], s))
        levels = [
            lv
            for lv in ("special", "first", "second", "third")
            for _ in range(counts[category][lv])
        ]
        for n, s in enumerate(order):
            assert results[s] == (combined[s], n + 1, levels[n] if n < len(levels) else None), (
                category,
                s,
            )
    patents = sorted(
        (s for s in passed if categories[s] == "invention_patent"), key=lambda s: results[s][1]
    )
    assert [results[s][2] for s in patents] == ["first", "second"]
    organiser.goto(f"{home}/results")
    total = organiser.inner_text(f"#award-{submission_id} .total")
    assert Decimal(total) == results[submission_id][0]

    # 公示: on the notice page for everyone, then final (the notice let run out).
    organiser.click("#publish")
    confirm(organiser, "#confirm-publish")
    assert "Under public notice" in organiser.inner_text("#result-state")
    assert _db(instance, "SELECT state FROM result_set WHERE assessment_id = ?", review_id) == [
        ("notice",)
    ]
    awarded = [s for s in passed if results[s][2]]
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    public = phone.new_page()
    public.goto(f"{home}/notice")
    public.reload()
    ((name,),) = _db(instance, "SELECT name FROM innovation_contest")
    assert name in public.inner_text("h1")
    ((deadline,),) = _db(
        instance, "SELECT notice_deadline FROM result_set WHERE assessment_id = ?", review_id
    )
    day = f"{int(deadline[5:7])}月{int(deadline[8:10])}日"  # the notice's end, as people read it
    assert day in public.inner_text("#notice-state")
    for s in awarded:
        assert public.locator(f"#notice-{s}").count() == 1
    assert "周建军、吴晓燕、冯涛" in public.inner_text(f"#notice-{submission_id} .members")
    assert not [i for _, i in [*team, third] if i in public.content()]  # names, never ID numbers
    width = public.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the notice scrolls sideways: {width}px"
    # An objection from the phone: too short, refused beside the field and nothing saved; then
    # signed and sent to the arbitrator (granted on the contest's staff page), who reads what
    # it is about and rejects it with reasons; until then the awards cannot become final.
    ((title,),) = _db(
        instance, "SELECT title FROM innovation_submission WHERE id = ?", submission_id
    )
    ((entry_id,),) = _db(
        instance,
        "SELECT id FROM innovation_entry WHERE round_id = ? AND submission_id = ?",
        review_id,
        submission_id,
    )
    public.select_option("#subject_id", str(entry_id))
    public.fill("#real_name", "刘群众")
    public.fill("#contact", "13800000000")
    public.fill("#reason", "重复申报")
    with public.expect_navigation():
        public.click("#file-objection")
    assert public.locator("#reason-error").count() == 1
    assert _db(instance, "SELECT count(*) FROM appeal") == [(0,)]
    public.fill("#reason", "该成果2019年已在市级竞赛获奖，属重复申报。")
    width = public.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the objection form scrolls sideways: {width}px"
    ARTIFACTS.mkdir(exist_ok=True)
    public.screenshot(path=str(ARTIFACTS / "innovation-notice-390.png"), full_page=True)
    with public.expect_navigation():
        public.click("#file-objection")
    assert "提交" in public.inner_text(".flash.success")
    public.reload()
    assert _db(instance, "SELECT subject_id, real_name, state FROM appeal") == [
        (entry_id, "刘群众", "pending")
    ]
    assert _db(instance, "SELECT contact LIKE '%13800000000%' FROM appeal") == [(0,)]  # sealed
    _grant(organiser, base, contest_id, "arbitrator", "arbitrator")
    arbitrator = new_page(browser, base, "arbitrator", lang="en")
    arbitrator.goto(f"{base}/contests/{contest_id}/appeals")
    appeal = arbitrator.locator("section.appeal-pending", has_text="刘群众")
    about = appeal.locator(".appeal-about").inner_text()
    assert title in about and "13800000000" in about  # what it is about, how to reach them
    appeal.locator("select").select_option("rejected")
    appeal.locator("textarea").fill("经核查，该成果此前获奖项目与本成果不同，异议不成立。")
    with arbitrator.expect_navigation():
        appeal.locator("button[type=submit]").click()
    assert arbitrator.locator("section.appeal-rejected", has_text="刘群众").count() == 1
    assert _db(instance, "SELECT state FROM appeal") == [("rejected",)]
    end_notice(instance, review_id)
    organiser.goto(f"{home}/results")
    organiser.click("#finalise")
    confirm(organiser, "#confirm-finalise")
    assert "Final" in organiser.inner_text("#result-state")

    # Certificates on the workers: one for every member of every awarded team.
    organiser.click("#certificates")
    confirm(organiser, "#confirm-issue")
    assert "certificates" in organiser.url
    wanted = {
        (name, title)
        for name, title in _db(
            instance,
            "SELECT p.name, s.title FROM innovation_member m JOIN person p ON p.id = m.person_id "
            "JOIN innovation_submission s ON s.id = m.submission_id "
            f"WHERE s.id IN ({','.join('?' * len(awarded))})",
            *awarded,
        )
    }
    query = "SELECT name, team, number, kind FROM certificate WHERE assessment_id = ?"
    for _ in range(120):
        if len(_db(instance, query, review_id)) >= len(wanted):
            break
        organiser.wait_for_timeout(500)
    issued = _db(instance, query, review_id)
    assert {(name, team) for name, team, _n, _k in issued} == wanted
    ours = {
        name: (number, kind)
        for name, team, number, kind in issued
        if team == "一种热风炉燃烧器在线清灰装置"
    }
    assert set(ours) == {"周建军", "吴晓燕", "冯涛"}

    # Anyone verifies each of the team's certificates through its URL.
    verifier = phone.new_page()
    for name, (number, _kind) in ours.items():
        verifier.goto(f"{base}/verify/{number}")
        verifier.reload()
        assert "真实有效" in verifier.inner_text("#verdict") or "valid" in verifier.inner_text(
            "#verdict"
        )
        facts = verifier.inner_text("#facts")
        assert name in facts and "一种热风炉燃烧器在线清灰装置" in facts
    phone.close()
