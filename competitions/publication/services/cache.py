"""The cache of published results pages and API answers, and the one place that invalidates it.

Pages are keyed by a *generation* token kept in Redis for each scope they show (one
contest-trade, one contest, or the index of all contests). ``results_changed`` — called by
every event that changes published results: publish, finalise, withdraw, recompute, an
appeal's decision, the automatic final — marks the contest-trades on the database session;
after the commit it gives them new generations, so every page that showed them is found under a
new key and rendered afresh. A render that raced with the change is stored under the old
generation and never served again.

Two levels: each web process keeps the pages it served in memory (checked against the
generation, one Redis round trip), and Redis holds them for every process. Only anonymous
GET requests with nothing personal in the page (no flashed message, no CSRF token) are cached,
so one user's page is never shown to another; drafts are never published, so never cached.
Without Redis (the embedded setup) nothing is cached: pages render on every request.
"""

import gzip
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from contextlib import suppress
from functools import wraps

import redis
from flask import Flask, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.utils import get_content_type

from competitions.core.db import db
from competitions.core.security import SECURITY_HEADERS
from competitions.registry.models import Contest, ContestTrade
from competitions.results import signals as results_signals
from competitions.results.models import PUBLISHED, ResultSet

logger = logging.getLogger(__name__)

#: Cached pages expire anyway after a day (names and units edited in the register show then).
PAGE_TTL_S = 24 * 3600
#: Pages each web process keeps in memory.
MEMORY_PAGES = 512
_PENDING = "jingsai_results_changed"
_EPOCH_PENDING = "jingsai_registry_changed"
#: Bumped by registry edits: every public page is rendered afresh.
EPOCH = "jingsai:gen:epoch"


def scope_all() -> str:
    """The generation key of pages that list every published contest."""
    return "jingsai:gen:all"


def scope_contest(contest_id: int) -> str:
    """The generation key of a contest's pages (its results, its live board)."""
    return f"jingsai:gen:contest:{contest_id}"


def scope_trade(ct_id: int) -> str:
    """The generation key of one contest-trade's pages."""
    return f"jingsai:gen:ct:{ct_id}"


class _Memory:
    """A small per-process LRU of (body, gzipped body, mimetype) by page key (the key holds
    the generation)."""

    def __init__(self, size: int):
        self.size, self.items, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


_memory = _Memory(MEMORY_PAGES)


def _client(app: Flask | None = None) -> redis.Redis | None:
    """The app's Redis client for the cache, or None in the embedded setup."""
    app = app or current_app
    url = app.config.get("CACHE_REDIS_URL")
    if not url:
        return None
    clients = app.extensions.setdefault("jingsai_cache_clients", {})
    if url not in clients:
        clients[url] = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    return clients[url]


@results_signals.results_changed.connect
def results_changed(ct_ids: Iterable[int], **_) -> None:
    """Mark contest-trades whose published results change in this transaction; their pages,
    the pages of every contest in their tier chain (the funnel counts the chain) and the index
    are invalidated when it commits."""
    db.session.info.setdefault(_PENDING, set()).update(ct_ids)


#: Registry rows that published pages show (names, units, delegations, statuses, contests).
_SHOWN = ("Person", "Unit", "Delegation", "Entry", "Contest", "Trade", "ContestTrade")


@event.listens_for(Session, "before_flush")
def _registry_edits(session: Session, flush_context, instances) -> None:
    """An edit of a registry row that public pages show invalidates every public page (such
    edits are rare once results are out: a corrected name, a renamed unit)."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if type(obj).__name__ in _SHOWN and type(obj).__module__.startswith("competitions."):
            session.info[_EPOCH_PENDING] = True
            return


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    changed = session.info.pop(_PENDING, None)
    everything = session.info.pop(_EPOCH_PENDING, False)
    if changed or everything:
        _bump(changed or set(), everything)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_EPOCH_PENDING, None)


def _chain_contests(conn, ct_ids: set[int]) -> set[int]:
    """The contests of these contest-trades and every contest above and below them."""
    parents = dict(conn.execute(select(Contest.id, Contest.parent_id)).all())
    found = set(conn.scalars(select(ContestTrade.contest_id).where(ContestTrade.id.in_(ct_ids))))
    chain = set(found)
    for contest in found:
        while parents.get(contest):  # up
            contest = parents[contest]
            chain.add(contest)
    grew = True
    while grew:  # down
        below = {c for c, parent in parents.items() if parent in chain and c not in chain}
        chain |= below
        grew = bool(below)
    return chain


def _bump(ct_ids: set[int], everything: bool = False) -> None:
    """Give the changed scopes new generations (every page: a new epoch). A changed
    contest-trade's public page is rendered first, under its new generation, so that no
    visitor waits for it and the web processes do not render it all at once (see
    :func:`_warm`)."""
    client = _client()
    if client is None:
        return
    keys = [EPOCH] if everything else []
    published: set[int] = set()
    if ct_ids:
        # A fresh connection: the session that committed may not be usable in its own event.
        with db.engine.connect() as conn:
            contests = _chain_contests(conn, ct_ids)
            published = set(
                conn.scalars(
                    select(ResultSet.assessment_id).where(
                        ResultSet.assessment_id.in_(ct_ids), ResultSet.state.in_(PUBLISHED)
                    )
                )
            )
        keys += [scope_all(), *map(scope_contest, contests)]
    try:
        if everything or not published:
            client.mset({key: _token() for key in [*keys, *map(scope_trade, ct_ids)]})
        else:
            # Only a published trade has a public page to render; the others just move on.
            others = [*keys, *map(scope_trade, set(ct_ids) - published)]
            _warm_then_swap(client, sorted(published), others)
    except redis.RedisError:
        # Pages expire after PAGE_TTL_S anyway; the change itself is committed.
        logger.exception("could not invalidate the results pages of %s", sorted(ct_ids))


#: The pages of one contest-trade rendered when its results change, before they are swapped
#: in (the crowd reads these; the API and the contest's pages render when first asked).
WARMED = ("published.trade",)
#: Compare-and-set: the new generation only if no other change swapped one in meanwhile.
_SWAP = """
if (redis.call('GET', KEYS[1]) or '') == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0
"""


def _warm_then_swap(client: redis.Redis, ct_ids: list[int], others: list[str]) -> None:
    """New generations for the changed contest-trades, each swapped in only after its page in
    the default language is stored under it; then the other scopes, then the other languages.

    The page is rendered after the commit, so it shows the change. If another change swapped
    in a generation while it rendered, this render may predate that change: the scope gets a
    fresh, empty generation instead, and its pages render when next asked.
    """
    client.set(EPOCH, _token(), nx=True)
    epoch = client.get(EPOCH).decode()
    trades = [scope_trade(ct_id) for ct_id in ct_ids]
    olds = [(value or b"").decode() for value in client.mget(trades)]
    news = {ct_id: _token() for ct_id in ct_ids}
    languages = list(current_app.config["LANGUAGES"])
    swap = client.register_script(_SWAP)
    for ct_id in ct_ids:
        _warm(client, ct_id, epoch + news[ct_id], languages[:1])
    swapped = []
    for ct_id, key, old in zip(ct_ids, trades, olds, strict=True):
        if swap(keys=[key], args=[old, news[ct_id]]):
            swapped.append(ct_id)
        else:
            client.set(key, _token())
    if others:
        client.mset({key: _token() for key in others})
    for ct_id in swapped:
        _warm(client, ct_id, epoch + news[ct_id], languages[1:])


def _warm(client: redis.Redis, ct_id: int, generation: str, languages: list[str]) -> None:
    """Render the contest-trade's public pages as an anonymous visitor in each language sees
    them and store them under ``generation``. In an application context of its own, so with a
    database session of its own (the committing one may be unusable in its own event); a page
    that fails to render is left to render when asked."""
    app = current_app._get_current_object()
    adapter = app.url_map.bind("localhost")
    for endpoint in WARMED:
        view = app.view_functions[endpoint].__wrapped__
        kwargs = {"ct_id": ct_id}
        path = adapter.build(endpoint, kwargs)
        for lang in languages:
            try:
                # At the site's address (BASE_URL): its links as a visitor's request has them.
                with app.app_context(), app.test_request_context(path, app.config["BASE_URL"]):
                    session["lang"] = lang
                    response = app.make_response(view(**kwargs))
                    if response.status_code != 200 or "csrf_token" in g:
                        continue
                    key = _page_key(scope_trade(ct_id), generation, endpoint, kwargs)
                    _store(client, key, _entry(response))
            except HTTPException:
                continue  # not published: nothing to show
            except Exception:
                logger.exception("could not render the public page of contest-trade %s", ct_id)
                return


def _token() -> str:
    """A new generation: random, so a Redis that lost its keys never brings an old one back."""
    return uuid.uuid4().hex


def _generation(client: redis.Redis, key: str) -> str:
    """The page's current generation: the epoch and its scope's generation, starting either
    if Redis has none."""
    values = client.mget(EPOCH, key)
    if None in values:
        for name, value in zip((EPOCH, key), values, strict=True):
            if value is None:
                client.set(name, _token(), nx=True)
        values = client.mget(EPOCH, key)
    return values[0].decode() + values[1].decode()


def _cacheable_request() -> bool:
    return (
        request.method == "GET" and not current_user.is_authenticated and "_flashes" not in session
    )


def cached(scope: Callable[..., str]):
    """Serve the view from the cache; ``scope(**view_args)`` names its generation key."""

    def decorate(view):
        @wraps(view)
        def wrapped(**kwargs):
            client = _client()
            if client is None or not _cacheable_request():
                return view(**kwargs)
            gen_key = scope(**kwargs)
            try:
                gen = _generation(client, gen_key)
            except redis.RedisError:
                return view(**kwargs)
            key = _page_key(gen_key, gen, request.endpoint, kwargs)
            hit = _stored_page(client, key)
            if hit is not None:
                return _cached_response(*hit, "hit")
            response = current_app.make_response(view(**kwargs))
            if response.status_code != 200 or "csrf_token" in g:
                return response
            entry = _entry(response)
            _memory.put(key, entry)
            with suppress(redis.RedisError):
                _store(client, key, entry)
            return _cached_response(*entry, "miss")

        wrapped.cache_scope = scope  # for CachedPages
        return wrapped

    return decorate


def _page_key(gen_key: str, gen: str, endpoint: str, kwargs: dict, lang=None) -> str:
    """Where a page is cached: its scope and generation, the language (the request's unless
    given), and the endpoint with its parsed arguments, not the path (/results/trades/05 and
    ?x=… are the same page, not new entries that could fill the cache)."""
    path = endpoint + ":" + ":".join(f"{k}={v}" for k, v in sorted(kwargs.items()))
    return f"jingsai:page:{gen_key}:{gen}:{lang or get_locale()}:{path}"


def _stored_page(client: redis.Redis, key: str) -> tuple[bytes, bytes, str] | None:
    """The page cached under ``key``: from this process's memory, else from Redis (then kept
    in memory); None when neither has it."""
    hit = _memory.get(key)
    if hit is None:
        try:
            stored = client.hmget(key, "body", "gzip", "mimetype")
        except redis.RedisError:
            stored = (None, None, None)
        if stored[0] is not None:
            hit = (stored[0], stored[1], stored[2].decode())
            _memory.put(key, hit)
    return hit


def _entry(response) -> tuple[bytes, bytes, str]:
    """A rendered page as cached: stored plain and compressed once, served compressed to
    clients that accept it."""
    body = response.get_data()
    return (body, gzip.compress(body, 6), response.mimetype)


def _store(client: redis.Redis, key: str, entry: tuple[bytes, bytes, str]) -> None:
    pipe = client.pipeline(transaction=False)
    pipe.hset(key, mapping={"body": entry[0], "gzip": entry[1], "mimetype": entry[2]})
    pipe.expire(key, PAGE_TTL_S)
    pipe.execute()


def _cached_response(body: bytes, compressed: bytes, mimetype: str, state: str):
    """A cached page, gzip-compressed when the client accepts it (browsers do)."""
    zipped = "gzip" in request.headers.get("Accept-Encoding", "")
    response = current_app.response_class(compressed if zipped else body, mimetype=mimetype)
    if zipped:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["X-Cache"] = state
    return response


class CachedPages:
    """WSGI middleware in front of the app: a cached page asked for by a visitor without any
    cookie (no session, so anonymous, in the default language, with nothing flashed) is
    answered from the cache as the app would answer it, without the app's request handling.

    Those steps (the session, log-in, rate limits, the audit actor, the second-factor and
    password checks) find nothing to do for such a request; skipping them halves the web
    process's time per page (bench/results_load.py). Anything else (a cookie, another method,
    a body, a NUL character, a page not in the cache, Redis unreachable) goes to the app,
    which answers as before. ``tests/publication/test_cache.py`` compares the two answers.
    The rate limiter is among the skipped steps: a cached view has no limit (none has one).
    """

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self._lang: str | None = None

    def __call__(self, environ, start_response):
        try:
            answer = self._answer(environ)
        except Exception:  # the app then answers, and reports what is wrong
            answer = None
        if answer is None:
            return self.wsgi_app(environ, start_response)
        start_response("200 OK", answer[0])
        return [answer[1]]

    def _answer(self, environ) -> tuple[list, bytes] | None:
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or environ.get("HTTP_COOKIE")
            or environ.get("CONTENT_LENGTH") not in (None, "", "0")
            or "HTTP_TRANSFER_ENCODING" in environ
            or "\x00" in environ.get("PATH_INFO", "")
            or "%00" in environ.get("QUERY_STRING", "")
            or "\x00" in environ.get("QUERY_STRING", "")
        ):
            return None
        client = _client(self.app)
        if client is None:
            return None
        try:
            endpoint, kwargs = self.app.url_map.bind_to_environ(environ).match()
        except HTTPException:  # not found, a redirect, another method: the app answers
            return None
        scope = getattr(self.app.view_functions.get(endpoint), "cache_scope", None)
        if scope is None:
            return None
        gen_key = scope(**kwargs)
        try:
            gen = _generation(client, gen_key)
        except redis.RedisError:
            return None
        hit = _stored_page(client, _page_key(gen_key, gen, endpoint, kwargs, self._language()))
        if hit is None:
            return None
        body, compressed, mimetype = hit
        zipped = "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "")
        data = compressed if zipped else body
        headers = [
            ("Content-Type", get_content_type(mimetype, "utf-8")),
            ("Content-Length", str(len(data))),
            *([("Content-Encoding", "gzip")] if zipped else []),
            # As the app's answer: it varies with the session cookie (the language, log-in).
            ("Vary", "Accept-Encoding, Cookie"),
            ("X-Cache", "hit"),
            *SECURITY_HEADERS.items(),
        ]
        return headers, data

    def _language(self) -> str:
        """The language of a visitor without a session, as the app chooses it."""
        if self._lang is None:
            with self.app.test_request_context("/"):
                self._lang = str(get_locale())
        return self._lang


def forget_memory() -> None:
    """Empty this process's memory level (tests that switch Redis databases)."""
    _memory.clear()
