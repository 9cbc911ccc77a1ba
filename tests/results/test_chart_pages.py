"""The charts on the organiser's and the chief judge's pages show what the data says."""

import re
from collections import Counter
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from competitions.core.db import db
from competitions.judging.models import MarkingLock
from competitions.judging.services.marks import save_score
from competitions.registry.models import Entry, Person
from competitions.results.models import Result
from competitions.results.services import advance, compute
from competitions.tiers.services import recommend
from tests import factories as f
from tests.judging.marking_world import build, score_everyone

JUDGED_SCORES = (10, 10, 9, 7, 5, 1)


def computed_world(absent=()):
    """Six entries scored on the judged item; the ``absent`` ones (indexes) are not ranked."""
    world = build(n_entries=len(JUDGED_SCORES))
    score_everyone(world, JUDGED_SCORES)
    for n in absent:
        world.entries[n].status = "absent"
    db.session.merge(MarkingLock(assessment_id=world.ct.id, locked=True))
    db.session.commit()
    compute.recompute([world.ct.id])
    db.session.commit()
    return world


def figure(page: str, figure_id: str) -> str:
    found = re.search(rf'<figure class="chart" id="{figure_id}">(.*?)</figure>', page, re.S)
    assert found, f"no chart {figure_id}"
    return found.group(1)


def english_page(client, login, user, url) -> str:
    login(user)
    client.get("/lang/en")
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_histogram_counts_the_ranked_totals(client, login):
    world = computed_world(absent=(5,))
    page = english_page(client, login, "org", f"/contest-trades/{world.ct.id}/results")
    chart = figure(page, "totals-histogram")
    ranked = db.session.scalars(
        select(Result.total).where(Result.assessment_id == world.ct.id, Result.rank.is_not(None))
    ).all()
    assert len(ranked) == 5  # the absent entry is not ranked, and not counted
    by_ten = Counter(min(int(t // 10), 9) for t in ranked)  # totals spread: tens over 0-100
    labels = re.findall(r'<text class="count"[^>]*>(\d+)</text>', chart)
    assert labels == [str(by_ten[b]) for b in sorted(by_ten)] == ["1", "1", "1", "2"]
    assert "60 to under 70: 2 entries" in chart  # the two totals of 60.67, on hover
    assert 'role="img"' in chart and "Histogram of the totals of 5 ranked entries" in chart
    assert "<td>90 to 100</td><td>0</td>" in chart  # the table for screen readers


def judges_disagree():
    """Judge1 marks the judged item 4, judge2 6, judge3 8 for every entry; all agree on M1."""
    world = build(n_entries=3)
    judged, measured = world.items
    for entry in world.entries:
        for judge, score in zip(world.judges, (4, 6, 8), strict=True):
            save_score(world.ct.id, entry.id, judged.id, judge.id, Decimal(score), judge.id)
            save_score(world.ct.id, entry.id, measured.id, judge.id, Decimal(3), judge.id)
    db.session.commit()
    return world


def judge_rows(chart: str) -> list[tuple[str, str, str]]:
    """(class, judge id, value text) of each judge's row, top to bottom."""
    return re.findall(
        r'<g class="judge (\w+)" data-judge="(\d+)">.*?<text class="value"[^>]*>([^<]*)</text>',
        chart,
        re.S,
    )


def test_the_chief_judge_sees_the_harsh_judge_on_the_harder_side(client, login):
    world = judges_disagree()
    page = english_page(client, login, "chief", f"/contest-trades/{world.ct.id}/review")
    chart = figure(page, "judge-deviations")
    harsh, middle, soft = world.judges
    # J1 (max 10): −2, 0, +2 from the mean of 6 → −20, 0, +20 points; M1: 0 → halved over 6 marks
    assert judge_rows(chart) == [
        ("harder", str(harsh.id), "-10.00 · 6 marks"),
        ("level", str(middle.id), "+0.00 · 6 marks"),
        ("softer", str(soft.id), "+10.00 · 6 marks"),
    ]
    bar = re.search(
        rf'data-judge="{harsh.id}">.*?<rect class="bar" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"',
        chart,
        re.S,
    )
    zero = float(re.search(r'<line class="zero" x1="([\d.]+)"', chart).group(1))
    assert float(bar.group(1)) + float(bar.group(2)) == zero  # the bar ends at zero, on the left
    assert "← Harder (lower marks)" in chart and "Softer (higher marks) →" in chart
    assert ">Judge1</text>" in chart


def test_the_organiser_sees_the_judges_chart_with_the_results(client, login):
    world = judges_disagree()
    page = english_page(client, login, "org", f"/contest-trades/{world.ct.id}/results")
    first = judge_rows(figure(page, "judge-deviations"))[0]
    assert first == ("harder", str(world.judges[0].id), "-10.00 · 6 marks")


def test_judges_never_see_the_judges_chart(client, login):
    world = judges_disagree()
    login("judge1")
    assert client.get(f"/contest-trades/{world.ct.id}/review").status_code == 403
    assert client.get(f"/contest-trades/{world.ct.id}/results").status_code == 403
    login("chief")  # a chief judge sees it on the review page, not with the results
    assert 'id="judge-deviations"' not in client.get(
        f"/contest-trades/{world.ct.id}/results"
    ).get_data(as_text=True)


def add_entries(ct, names, status="approved"):
    for n, name in enumerate(names):
        person = Person(
            name=name,
            gender="F",
            birth_date=date(1992, 3, n + 1),
            id_number=f.resident_id(date(1992, 3, n + 1), 60 + n, male=False),
        )
        db.session.add(person)
        db.session.flush()
        db.session.add(Entry(person_id=person.id, contest_trade_id=ct.id, status=status))
    db.session.flush()


def funnel_rows(page: str) -> list[tuple[str, str]]:
    chart = figure(page, "tier-funnel")
    return re.findall(
        r'<g class="tier" data-tier="(\w+)">.*?<text class="value"[^>]*>([^<]*)</text>', chart, re.S
    )


def test_the_funnel_follows_the_entries_up_the_tiers(client, login):
    world = computed_world(absent=(5,))
    province = world.ct.contest
    national = f.contest("CN-2018", tier="national")
    province.parent_id = national.id
    f.contest("JN-2018", tier="city", parent=province)  # feeds the province, no entries yet
    national_ct = f.contest_trade(national, world.ct.trade)
    add_entries(f.contest_trade(national, f.trade("6-22-01", "焊工", "Welder")), ["甲", "乙"])
    db.session.commit()
    db.session.refresh(world.ct)
    created, _ = advance.confirm_advancement(world.ct)
    db.session.commit()
    assert created == 3  # the top 3 of the province go up, recommended to the national organiser
    accept = select(Entry.id).filter_by(contest_trade_id=national_ct.id, status="recommended")
    assert recommend.accept(national.id, list(db.session.scalars(accept))) == 3
    db.session.commit()

    url = f"/contests/{province.id}/results"
    assert funnel_rows(english_page(client, login, "org", url)) == [
        ("city", "0 entries"),
        ("province", "6 entries · 3 advance (50.0%)"),
        ("national", "5 entries · 0 advance (0.0%)"),
    ]
    one_trade = client.get(f"{url}?trade={world.ct.trade_id}").get_data(as_text=True)
    assert funnel_rows(one_trade)[2] == ("national", "3 entries · 0 advance (0.0%)")
    assert f'<option value="{national_ct.trade_id}" selected>' in one_trade
    unknown = client.get(f"{url}?trade=999999").get_data(as_text=True)
    assert funnel_rows(unknown)[2] == ("national", "5 entries · 0 advance (0.0%)")


def test_the_funnel_counts_no_entry_still_awaiting_an_organiser(client, login):
    """A draft, submitted or returned entry, or one recommended up and not yet accepted, is not
    (yet) an entry of its tier: the funnel counts those in the field only."""
    world = computed_world()
    province = world.ct.contest
    national = f.contest("CN-2019", tier="national")
    province.parent_id = national.id
    f.contest_trade(national, world.ct.trade)
    welder = f.contest_trade(province, f.trade("6-22-01", "焊工", "Welder"))
    add_entries(welder, ["草稿", "待审", "退回"])
    waiting = db.session.scalars(select(Entry).filter_by(contest_trade_id=welder.id))
    for entry, status in zip(waiting, ("draft", "submitted", "returned"), strict=True):
        entry.status = status
    db.session.commit()
    db.session.refresh(world.ct)
    created, _ = advance.confirm_advancement(world.ct)
    db.session.commit()
    assert created == 3  # recommended to the national organiser, not accepted yet

    page = english_page(client, login, "org", f"/contests/{province.id}/results")
    assert funnel_rows(page) == [
        ("province", "6 entries · 3 advance (50.0%)"),
        ("national", "0 entries"),
    ]
