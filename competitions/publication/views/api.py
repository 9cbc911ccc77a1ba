"""The read-only JSON API of published results (documented in README.md and at /api/v1).

Same data as the public pages, same rules: published results only, ID numbers masked,
answers cached and invalidated with the pages.
"""

from flask import Blueprint, abort, jsonify, url_for

from competitions.core.extensions import csrf
from competitions.publication.services import cache, published

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # read-only: GET only


@bp.route("")
def root():
    """What the API offers."""
    return jsonify(
        {
            "name": "Jingsai results API",
            "version": 1,
            "openapi": url_for("api.openapi"),
            "endpoints": [path for path, _ in ENDPOINTS],
        }
    )


@bp.route("/contests")
@cache.cached(lambda: cache.scope_all())
def contests():
    """Contests with published results, newest year first, each with its published trades."""
    return jsonify({"contests": published.contests_index()})


@bp.route("/contests/<int:contest_id>")
@cache.cached(lambda contest_id: cache.scope_contest(contest_id))
def contest(contest_id: int):
    """One contest and its published contest-trades."""
    found = published.contest(contest_id)
    if found is None:
        abort(404)
    return jsonify(found)


@bp.route("/contest-trades/<int:ct_id>/results")
@cache.cached(lambda ct_id: cache.scope_trade(ct_id))
def trade_results(ct_id: int):
    """A contest-trade's published ranked list, team results and honours."""
    found = published.trade_results(ct_id)
    if found is None:
        abort(404)
    return jsonify(found)


@bp.errorhandler(404)
def _not_found(error):
    return jsonify({"error": "not found"}), 404


_RESULT = {
    "type": "object",
    "properties": {
        "entry_id": {"type": "integer"},
        "rank": {"type": ["integer", "null"], "description": "empty for unranked entries"},
        "status": {"type": "string", "description": "approved, withdrawn, disqualified, absent"},
        "out_of_competition": {
            "type": "boolean",
            "description": "不计名次: marked and shown, but not ranked, awarded or advanced",
        },
        "name": {"type": "string"},
        "id_number": {"type": "string", "description": "masked, e.g. 3701**********1234"},
        "unit": {"type": "string"},
        "delegation": {"type": "string"},
        "theory": {
            "type": ["string", "null"],
            "description": "decimal, 2 places, half up (as on the pages); null when the trade "
            "has no theory part or the entry is withdrawn, disqualified or absent",
        },
        "practical": {"type": ["string", "null"], "description": "as theory"},
        "total": {
            "type": ["string", "null"],
            "description": "decimal, 2 places; null for withdrawn, disqualified and absent "
            "entries (see status)",
        },
        "award": {"type": ["string", "null"], "description": "first/second/third/gold/…"},
        "advances": {
            "type": ["boolean", "null"],
            "description": "null when the contest feeds no higher contest",
        },
    },
}
_TRADE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer", "description": "contest-trade id"},
        "trade_code": {"type": "string"},
        "trade": {"type": "string"},
        "trade_en": {"type": "string"},
        "state": {"type": "string", "enum": ["notice", "final"]},
        "version": {"type": "integer", "description": "bumped by every recompute"},
        "published_at": {"type": ["string", "null"]},
        "notice_deadline": {"type": ["string", "null"]},
        "finalised_at": {"type": ["string", "null"]},
        "ranked": {"type": "integer"},
    },
}
_CONTEST = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "name": {"type": "string"},
        "year": {"type": "integer"},
        "tier": {
            "type": "string",
            "enum": ["enterprise", "county", "city", "province", "industry", "national"],
        },
        "starts_on": {"type": "string", "format": "date"},
        "ends_on": {"type": "string", "format": "date"},
        "parent_id": {"type": ["integer", "null"]},
        "trades": {"type": "array", "items": _TRADE},
    },
}
ENDPOINTS = [
    ("/api/v1/contests", ("Contests with published results", {"contests": _CONTEST})),
    ("/api/v1/contests/{contest_id}", ("One contest and its published trades", _CONTEST)),
    (
        "/api/v1/contest-trades/{ct_id}/results",
        (
            "A contest-trade's published results",
            {
                **_TRADE["properties"],
                "contest": _CONTEST,
                "results": {"type": "array", "items": _RESULT},
                "teams": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"score": {"type": "string", "description": "2 places"}},
                    },
                },
                "honours": {"type": "array"},
            },
        ),
    ),
]


@bp.route("/openapi.json")
def openapi():
    """The API described in OpenAPI 3.1."""
    paths = {}
    for path, (summary, schema) in ENDPOINTS:
        body = schema if "type" in schema else {"type": "object", "properties": schema}
        params = [
            {"name": p, "in": "path", "required": True, "schema": {"type": "integer"}}
            for p in ("contest_id", "ct_id")
            if "{" + p + "}" in path
        ]
        paths[path] = {
            "get": {
                "summary": summary,
                "parameters": params,
                "responses": {
                    "200": {
                        "description": "OK",
                        "content": {"application/json": {"schema": body}},
                    },
                    **({"404": {"description": "unknown or not published"}} if params else {}),
                },
            }
        }
    return jsonify(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "Jingsai results API",
                "version": "1",
                "description": "Published results only (under public notice or final); "
                "ID numbers masked. Read-only.",
            },
            "paths": paths,
        }
    )
