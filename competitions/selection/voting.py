"""The public vote's answer to one vote, shared by the vote page's form (through Flask) and the
page's script (answered before Flask's request handling, :class:`VoteFastPath`).

A phone is known by a signed device cookie (``jingsai_voter``, set by the vote page). A vote
from the page's script carries the same signed value in the ``X-Vote-Device`` header: a page
of another site can neither read the value nor send that header without this site's consent
(a CORS preflight this site never grants), so the header is the script's CSRF token; the
form (no script) posts through Flask with Flask-WTF's token as every form does.
"""

import json
import re
from datetime import datetime
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qs

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from competitions.core.db import db
from competitions.core.i18n import local_now, say
from competitions.core.security import SECURITY_HEADERS
from competitions.selection import services, tasks
from competitions.selection.services import SelectionError

DEVICE_COOKIE = "jingsai_voter"
DEVICE_HEADER = "X-Vote-Device"


def signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="selection-voter")


def new_device_token() -> str:
    """A new phone's signed device token (the cookie's value)."""
    return signer().dumps(services.new_device())


def device_of(token: str) -> str | None:
    """The device a signed token names, or None when it is missing or forged."""
    if not token:
        return None
    try:
        return signer().loads(token)
    except BadSignature:
        return None


def family(agent: str) -> str:
    """A device family: the user agent without its numbers (one phone model and browser)."""
    return re.sub(r"[\d._]+", "", agent)[:60]


#: The channels a vote may come through on this page (``?via=``: the link the channel shares).
ONLINE_CHANNELS = ("wechat", "app", "media")


def channel_of(via: str | None) -> str:
    """The channel a vote came through: the link's ``via`` when it is one we give out."""
    return via if via in ONLINE_CHANNELS else "web"


def answer_vote(
    campaign_id: int,
    nominee_id: int,
    device: str,
    agent: str,
    address: str,
    now: datetime,
    channel: str = "web",
    proof: tuple[str, str] | None = None,
) -> tuple[str | None, str | None, dict | None]:
    """Cast one vote of ``device``; returns (its acknowledged trail id, None, None), or (None,
    why it was refused in the user's words, the check to solve first when a burst comes from
    the voter's place). Raises LookupError when there is no such campaign."""
    try:
        done = services.cast(
            _Campaign(campaign_id), nominee_id, device, family(agent), address, channel, now, proof
        )
    except services.ChallengeNeeded as err:
        db.session.rollback()
        return None, say(err.reason), err.challenge
    except SelectionError as err:
        db.session.rollback()
        return None, say(err.reason), None
    if done.id.startswith("db-"):  # no Redis: the vote is a row of this request
        db.session.commit()
    elif done.ask_workers:
        try:
            tasks.write_trail.apply_async(args=[campaign_id], countdown=1)
        except Exception:  # the votes are safe in the stream; a vote a second later asks again
            current_app.logger.warning("could not ask the workers to write the vote trail")
    return done.id, None, None


class _Campaign:
    """A campaign known by its id only (all the counting script needs)."""

    def __init__(self, campaign_id: int):
        self.id = campaign_id


_VOTE_PATH = re.compile(r"/selection/([1-9]\d{0,8})/vote/([1-9]\d{0,8})")
_LANGUAGES = {"zh_Hans_CN", "en"}


class VoteFastPath:
    """WSGI middleware in front of the app: a vote sent by the vote page's script (a POST to
    ``/selection/<c>/vote/<n>`` asking for JSON, with a valid signed ``X-Vote-Device`` header
    equal to the device cookie) is answered here, by :func:`answer_vote` as the app's own
    route answers it, without the app's request handling (session, log-in, audit actor,
    second-factor and password checks, which find nothing to do for an anonymous voter).
    ``bench/vote_load.py`` measures it. Anything else goes to the app: the form without script,
    a solved check (it has a body), a missing or forged token (the app refuses it in the user's
    words), no Redis (the embedded start counts votes in its database, in the app's
    transaction). A vote asked to solve a check first answers with it, as the app does.
    """

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        answer = self._answer(environ) if environ.get("REQUEST_METHOD") == "POST" else None
        if answer is None:
            return self.wsgi_app(environ, start_response)
        status, payload = answer
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            *SECURITY_HEADERS.items(),
        ]
        start_response(status, headers)
        return [body]

    def _answer(self, environ) -> tuple[str, dict] | None:
        match = _VOTE_PATH.fullmatch(environ.get("PATH_INFO", ""))
        header = environ.get("HTTP_X_VOTE_DEVICE", "")
        if (
            match is None
            or not header
            or "application/json" not in environ.get("HTTP_ACCEPT", "")
            or environ.get("CONTENT_LENGTH") not in (None, "", "0")
            or "HTTP_TRANSFER_ENCODING" in environ
        ):
            return None
        try:
            cookie = SimpleCookie(environ.get("HTTP_COOKIE", "")).get(DEVICE_COOKIE)
        except CookieError:
            return None
        if cookie is None or cookie.value != header:
            return None
        lang = environ.get("HTTP_X_VOTE_LANGUAGE", "")
        with self.app.app_context(), force_locale(lang if lang in _LANGUAGES else "zh_Hans_CN"):
            device = device_of(header)
            if device is None or services._redis() is None:
                return None
            via = parse_qs(environ.get("QUERY_STRING", "")).get("via", [None])[0]
            try:
                acknowledged, problem, challenge = answer_vote(
                    int(match[1]),
                    int(match[2]),
                    device,
                    environ.get("HTTP_USER_AGENT", ""),
                    environ.get("REMOTE_ADDR", ""),
                    local_now(),
                    channel_of(via),
                )
            except LookupError:
                return "404 NOT FOUND", {"ok": False, "vote": None, "message": _("No such vote.")}
            finally:
                db.session.remove()
            if problem:
                answer = {"ok": False, "vote": None, "message": problem}
                if challenge:
                    answer["challenge"] = challenge
                return "409 CONFLICT", answer
            return "200 OK", {
                "ok": True,
                "vote": acknowledged,
                "message": _("Thank you: your vote counts."),
            }
