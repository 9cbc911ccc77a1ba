"""Published pages come from Redis and are invalidated exactly when their results change."""

import gzip
from datetime import datetime

import pytest
import redis

from app import create_app
from competitions.core.db import db
from competitions.publication import services
from competitions.publication.models import Appeal
from competitions.publication.services import appeals, cache
from competitions.results.models import ResultSet
from competitions.results.services import compute
from tests.factories import log_in
from tests.publication.test_publish import computed_world

NOW = datetime(2026, 11, 20, 15, 30)
AFTER_NOTICE = datetime(2026, 11, 28, 0, 0)  # the notice published at NOW has ended


@pytest.fixture
def cached_app(app, redis_url):
    """The test app with the page cache on the test Redis (emptied)."""
    redis.Redis.from_url(redis_url).flushdb()
    cache.forget_memory()
    app.config["CACHE_REDIS_URL"] = redis_url
    yield app
    cache.forget_memory()


def get(client, url):
    response = client.get(url)
    return response.headers.get("X-Cache"), response.get_data(as_text=True)


def rendered_now(app, client, url):
    """The page as rendered from the database this moment, without the cache."""
    redis_url, app.config["CACHE_REDIS_URL"] = app.config["CACHE_REDIS_URL"], None
    try:
        return get(client, url)[1]
    finally:
        app.config["CACHE_REDIS_URL"] = redis_url


def published_world():
    world = computed_world()
    services.publish(world.ct, db.session.get(ResultSet, world.ct.id), NOW)
    db.session.commit()
    return world


def test_pages_are_served_from_the_cache_until_results_change(cached_app):
    client = cached_app.test_client()
    world = published_world()
    url = f"/results/trades/{world.ct.id}"
    first = get(client, url)
    # Rendered when it was published, before anyone asked.
    assert first == ("hit", rendered_now(cached_app, client, url))
    assert get(client, url) == ("hit", first[1])
    # An appeal being filed changes nothing public: still the cached page …
    appeal = Appeal(
        assessment_id=world.ct.id,
        subject_id=world.entries[1].id,
        real_name=world.entries[1].person.name,
        reason="请复核第二项成绩记录",
    )
    db.session.add(appeal)
    db.session.commit()
    assert get(client, url) == ("hit", first[1])
    # … a recompute changes it, and so do the contest's pages, the index and the API.
    before = redis.Redis.from_url(cached_app.config["CACHE_REDIS_URL"]).keys("jingsai:page:*")
    compute.recompute([world.ct.id])
    db.session.commit()
    state, page = get(client, url)  # rendered again at the commit, under a new generation
    assert state == "hit" and page == rendered_now(cached_app, client, url)
    after = redis.Redis.from_url(cached_app.config["CACHE_REDIS_URL"]).keys("jingsai:page:*")
    assert set(after) - set(before)
    # A corrected name shows at once too (every public page is rendered afresh).
    person = world.entries[0].person
    old_name, person.name = person.name, "改名测试"
    db.session.commit()
    state, page = get(client, url)
    assert state == "miss" and "改名测试" in page and old_name not in page
    for other in (f"/board/{world.ct.contest_id}", "/results", "/api/v1/contests"):
        get(client, other)
        assert get(client, other)[0] == "hit"
    appeal.state = "rejected"
    assert services.withdraw(db.session.get(ResultSet, world.ct.id)) is None
    db.session.commit()
    # Withdrawn: a draft again; the cached page is gone, the public gets nothing.
    assert client.get(url).status_code == 404
    assert get(client, "/results")[0] == "miss"
    assert get(client, f"/board/{world.ct.contest_id}")[1].count("改名测试") == 0


def test_each_language_is_its_own_page(cached_app):
    client = cached_app.test_client()
    world = published_world()
    url = f"/results/trades/{world.ct.id}"
    assert "Total" not in get(client, url)[1]
    client.get("/lang/en")
    state, page = get(client, url)  # each language rendered when published
    assert state == "hit" and "Total" in page and page == rendered_now(cached_app, client, url)


def test_a_logged_in_users_page_is_never_cached(cached_app):
    from tests import factories as f

    world = published_world()
    f.user("bystander")
    db.session.commit()
    client = cached_app.test_client()
    log_in(client, "org", "secret-pass")
    url = f"/results/trades/{world.ct.id}"
    response = client.get(url)
    assert "X-Cache" not in response.headers
    assert "Log out" in response.get_data(as_text=True) or "退出" in response.get_data(as_text=True)
    anonymous = cached_app.test_client()
    state, page = get(anonymous, url)
    assert state == "hit" and 'action="/logout"' not in page and "Log out" not in page
    assert get(anonymous, url)[0] == "hit"


def test_publish_finalise_and_appeals_invalidate(cached_app, redis_url):
    client = cached_app.test_client()
    world = published_world()
    url = f"/results/trades/{world.ct.id}"
    gens = redis.Redis.from_url(redis_url)
    get(client, url)
    assert get(client, url)[0] == "hit"
    appeal = Appeal(
        assessment_id=world.ct.id,
        subject_id=world.entries[1].id,
        real_name=world.entries[1].person.name,
        reason="请复核第二项成绩记录",
    )
    db.session.add(appeal)
    db.session.commit()
    before = gens.get(cache.scope_trade(world.ct.id))
    appeals.decide(appeal, False, "记录无误，维持原成绩。", world.chief.id, NOW)
    db.session.commit()
    assert gens.get(cache.scope_trade(world.ct.id)) != before
    assert get(client, url) == ("hit", rendered_now(cached_app, client, url))
    assert services.finalise(db.session.get(ResultSet, world.ct.id), AFTER_NOTICE) is None
    db.session.commit()
    state, page = get(client, url)
    assert state == "hit" and ("最终" in page or "Final" in page or "final" in page)
    assert page == rendered_now(cached_app, client, url)


def test_a_rolled_back_change_invalidates_nothing(cached_app, redis_url):
    world = published_world()
    key = cache.scope_trade(world.ct.id)
    client = cached_app.test_client()
    get(client, f"/results/trades/{world.ct.id}")
    before = redis.Redis.from_url(redis_url).get(key)
    services.withdraw(db.session.get(ResultSet, world.ct.id))
    db.session.rollback()
    assert redis.Redis.from_url(redis_url).get(key) == before


def test_without_redis_pages_still_serve(app):
    bad = create_app({**app.config, "CACHE_REDIS_URL": "redis://127.0.0.1:1/0"})
    with bad.app_context():
        world = published_world()
        response = bad.test_client().get(f"/results/trades/{world.ct.id}")
        assert response.status_code == 200 and "X-Cache" not in response.headers
        assert world.entries[0].person.name in response.get_data(as_text=True)


def test_browsers_get_the_cached_page_compressed(cached_app):
    import gzip

    client = cached_app.test_client()
    world = published_world()
    url = f"/results/trades/{world.ct.id}"
    plain = client.get(url).get_data()
    for _ in range(2):  # the render (miss) and the cached page (hit) alike
        response = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.get_data()) == plain
    assert world.entries[0].person.name.encode() in plain


def test_a_query_string_or_leading_zeros_make_no_new_cache_entry(cached_app, redis_url):
    client = cached_app.test_client()
    world = published_world()
    url = f"/results/trades/{world.ct.id}"
    client.get(url)
    pages = redis.Redis.from_url(redis_url).keys("jingsai:page:*")
    for n in range(5):
        assert client.get(f"{url}?bust={n}").headers["X-Cache"] == "hit"
        assert client.get(f"/results/trades/{'0' * n}{world.ct.id}").headers["X-Cache"] == "hit"
    assert redis.Redis.from_url(redis_url).keys("jingsai:page:*") == pages


def test_a_change_swapped_in_while_the_page_rendered_leaves_it_to_render_when_asked(
    cached_app, redis_url, monkeypatch
):
    """The page rendered at a commit goes live only if no other change came meanwhile (that
    change's render may be older than its commit): else the page renders when next asked."""
    client = cached_app.test_client()
    world = published_world()
    url = f"/results/trades/{world.ct.id}"
    gens, real_warm = redis.Redis.from_url(redis_url), cache._warm
    other = {}

    def another_change_meanwhile(client_, ct_id, generation, languages):
        real_warm(client_, ct_id, generation, languages)
        if not other:
            other["token"] = b"another-process"
            gens.set(cache.scope_trade(ct_id), other["token"])

    monkeypatch.setattr(cache, "_warm", another_change_meanwhile)
    compute.recompute([world.ct.id])
    db.session.commit()
    assert gens.get(cache.scope_trade(world.ct.id)) not in (None, other["token"])
    state, page = get(client, url)
    assert state == "miss" and page == rendered_now(cached_app, client, url)


def test_a_visitor_without_cookies_gets_the_apps_answer_without_the_app(cached_app):
    """A cached page for a visitor without cookies comes from ``CachedPages`` before the app:
    the same status, headers and body as the app gives; anything else still goes to the app."""
    world = published_world()
    url = f"/results/trades/{world.ct.id}"
    middleware, reached = cached_app.wsgi_app, []
    app_itself = middleware.wsgi_app

    def counting(environ, start_response):
        reached.append(environ["PATH_INFO"])
        return app_itself(environ, start_response)

    middleware.wsgi_app = counting
    for encoding in ("gzip, deflate, br", "identity"):
        headers = {"Accept-Encoding": encoding}
        fast = cached_app.test_client(use_cookies=False).get(url, headers=headers)
        assert reached == []
        with_cookie = cached_app.test_client()
        with_cookie.set_cookie("seen", "1")
        slow = with_cookie.get(url, headers=headers)
        assert reached == [url]
        reached.clear()
        assert fast.status_code == slow.status_code == 200
        assert dict(fast.headers) == dict(slow.headers)
        assert fast.get_data() == slow.get_data()
        assert world.entries[0].person.name.encode() in (
            gzip.decompress(fast.get_data()) if "gzip" in encoding else fast.get_data()
        )
    # A NUL character is refused by the app, as before; unknown pages are the app's 404.
    plain = cached_app.test_client(use_cookies=False)
    assert plain.get(f"{url}?q=%00").status_code == 400
    assert plain.get("/results/trades/999999").status_code == 404
    assert plain.head(url).status_code == 200
    assert reached == [url, "/results/trades/999999", url]
    # Every cached page: the first visitor's request renders it in the app, the next is
    # answered before the app, as the app answers it.
    contest = world.ct.contest_id
    for other in (
        "/results",
        f"/results/contests/{contest}",
        f"/board/{contest}",
        f"/board/{contest}/body",
        "/api/v1/contests",
        f"/api/v1/contests/{contest}",
        f"/api/v1/contest-trades/{world.ct.id}/results",
    ):
        reached.clear()
        plain.get(other)
        assert reached == [other]
        fast = plain.get(other, headers={"Accept-Encoding": "gzip"})
        assert reached == [other] and fast.headers["X-Cache"] == "hit"
        with_cookie = cached_app.test_client()
        with_cookie.set_cookie("seen", "1")
        slow = with_cookie.get(other, headers={"Accept-Encoding": "gzip"})
        assert (fast.status_code, dict(fast.headers), fast.get_data()) == (
            slow.status_code,
            dict(slow.headers),
            slow.get_data(),
        )
