"""Trades show their English names when the interface is in English, their Chinese otherwise."""

from datetime import datetime

from competitions.core.db import db
from competitions.publication import services
from competitions.results.models import ResultSet
from tests.publication.test_publish import computed_world

NOW = datetime(2026, 11, 20, 15, 30)


def pages(client, world) -> dict[str, str]:
    ct = world.ct
    urls = {
        "public index": "/results",
        "public contest": f"/results/contests/{ct.contest_id}",
        "public trade": f"/results/trades/{ct.id}",
        "board": f"/board/{ct.contest_id}",
        "organiser results": f"/contest-trades/{ct.id}/results",
        "contest results": f"/contests/{ct.contest_id}/results",
        "contest": f"/contests/{ct.contest_id}",
        "entries": f"/contests/{ct.contest_id}/entries",
        "scheme": f"/contest-trades/{ct.id}/scheme",
        "person": f"/persons/{world.entries[0].person_id}",
    }
    out = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, url
        out[name] = response.get_data(as_text=True)
    return out


def test_english_shows_the_english_names_chinese_the_chinese(client, login):
    world = computed_world()  # the trade 钳工, "Fitter" in English
    services.publish(world.ct, db.session.get(ResultSet, world.ct.id), NOW)
    db.session.commit()
    login("org")
    client.get("/lang/en")
    for name, page in pages(client, world).items():
        assert "Fitter" in page and "钳工" not in page, name
    assert client.get("/api/v1/contests").json["contests"][0]["trades"][0]["trade_en"] == "Fitter"
    client.get("/lang/zh_Hans_CN")
    for name, page in pages(client, world).items():
        assert "钳工" in page and "Fitter" not in page, name
