"""The overview's words and links: a stage's name, the next action's button and where it leads,
for the organiser and for the chief judge (templates get ``overview_step`` as a global)."""

from dataclasses import dataclass

from flask import url_for

from competitions.core.i18n import lazy_gettext as _l

STAGE_LABELS = {
    "registration": _l("Registration"),
    "scheme": _l("Marking scheme"),
    "panel": _l("Panel"),
    "codes": _l("Anonymous codes"),
    "marking": _l("Marking"),
    "disagreements": _l("Disagreements"),
    "lock": _l("Ready to lock"),
    "computing": _l("Locked, computing"),
    "computed": _l("Computed (draft)"),
    "notice": _l("Under public notice"),
    "final": _l("Final"),
    "certificates": _l("Certificates issued"),
}

#: The next action: its button's words and the page it opens.
ACTIONS = {
    "register": (_l("Register contestants"), "registry.entries", "contest"),
    "scheme": (_l("Write the marking scheme"), "judging.scheme", "ct"),
    "panel": (_l("Appoint the panel"), "judging.panel", "ct"),
    "codes": (_l("Draw the anonymous codes"), "judging.codes", "ct"),
    "resolve": (_l("Resolve the disagreements"), "review.review_page", "ct"),
    "lock": (_l("Lock the marks"), "review.review_page", "ct"),
    "publish": (_l("Put under public notice"), "results.trade_results", "ct"),
    "appeals": (_l("Follow the appeals"), "publication.appeals", "contest"),
    "finalise": (_l("Make final"), "results.trade_results", "ct"),
    "issue": (_l("Issue certificates"), "certificates.overview", "contest"),
}

#: What the row says when the next step is someone else's.
WAITING = {
    "organiser": _l("Waiting for the organisers"),
    "chief_judge": _l("Waiting for the chief judge"),
    "marking": _l("The judges are marking"),
    "computing": _l("The results are being computed"),
    "notice": _l("Final at the deadline, by itself"),
    "certificates": _l("Done"),
}

#: Which actions each role takes (the others wait).
ROLE_ACTIONS = {
    "organiser": {
        "register",
        "scheme",
        "panel",
        "codes",
        "publish",
        "appeals",
        "finalise",
        "issue",
    },
    "chief_judge": {"resolve", "lock"},
}


@dataclass(frozen=True)
class Step:
    """What a row shows: the stage's name, and a button (label, url) or a waiting note."""

    stage: str
    label: str | None
    url: str | None
    note: str | None


def overview_step(row, role: str) -> Step:
    """The stage's name and the next step of ``row`` as ``role`` sees it."""
    stage = str(STAGE_LABELS[row.standing.stage])
    action = row.standing.action
    if action and action in ROLE_ACTIONS.get(role, set()):
        label, endpoint, arg = ACTIONS[action]
        target = {"ct_id": row.ct.id} if arg == "ct" else {"contest_id": row.ct.contest_id}
        return Step(stage, str(label), url_for(endpoint, **target), None)
    return Step(stage, None, None, str(_waiting(row, action)))


def _waiting(row, action: str | None):
    if action in ROLE_ACTIONS["organiser"]:
        return WAITING["organiser"]
    if action in ROLE_ACTIONS["chief_judge"]:
        return WAITING["chief_judge"]
    return WAITING.get(row.standing.stage, WAITING["organiser"])
