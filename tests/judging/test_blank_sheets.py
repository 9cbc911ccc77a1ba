"""Blank printable marking sheets: per judge or per panel, codes × items, never a name."""

from competitions.core.db import db
from competitions.registry.models import Person
from tests.judging.marking_world import build


def blank(client, world, **query):
    return client.get(f"/contest-trades/{world.ct.id}/sheets/blank", query_string=query)


def test_the_panels_sheets_list_every_code_and_item_and_no_name(client, login):
    world = build(n_entries=4)
    login("chief")
    page = blank(client, world).get_data(as_text=True)
    assert page.count('class="report blank-sheet"') == len(world.judges)
    for judge in world.judges:
        assert judge.display_name in page
    for code in world.codes:
        assert page.count(f'<th scope="row" class="code">{code}</th>') == len(world.judges)
    for item in world.items:
        assert f"<strong>{item.code}</strong> {item.criterion}" in page
    assert page.count('<td class="blank"></td>') == len(world.judges) * 4 * len(world.items)
    names = [p.name for p in db.session.scalars(db.select(Person))]
    assert names and not [n for n in names if n in page]
    assert "css/print.css" in page


def test_one_judges_sheet(client, login):
    world = build(n_entries=2)
    login("org")
    page = blank(client, world, judge=world.judges[1].id).get_data(as_text=True)
    assert page.count('class="report blank-sheet"') == 1
    assert f'id="sheet-{world.judges[1].id}"' in page


def test_only_the_chief_judge_and_organisers_print_sheets(client, login):
    world = build(n_entries=2)
    login("judge1")
    assert blank(client, world).status_code == 403
