"""Pure rules of enrolment by liaisons and team leaders: no Flask, no database, no clock.

Each function states its rule in the docstring; ``tests/enrolment/test_rules.py`` pins it with a
table of cases.
"""

from dataclasses import dataclass
from datetime import datetime

from competitions.core.words import N_, Reason

#: The kinds of proof an entry may carry, and the file types each accepts.
ATTACHMENT_TYPES = {
    "photo": ("image/jpeg", "image/png"),
    "employment": ("application/pdf", "image/jpeg", "image/png"),
}
ATTACHMENT_KINDS = tuple(ATTACHMENT_TYPES)
#: The largest file accepted as proof.
MAX_ATTACHMENT_BYTES = 2 * 1024 * 1024
#: The first bytes of each accepted file type (what the file is, whatever its name says).
MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", "application/pdf"),
)
#: The states in which a liaison or team leader may still change an entry (and must submit it).
EDITABLE = ("draft", "returned")
#: Entries that no longer take a place of the quota.
NOT_COUNTED = ("withdrawn",)


def counts_against_quota(status: str, out_of_competition: bool) -> bool:
    """Whether an entry takes a place of its unit's or delegation's quota.

    Rule: every entry does (drafts too: a liaison cannot draft past the quota), except a
    withdrawn one and one out of competition (不计名次/观摩 uses no slot); services count with
    the same condition in SQL.
    """
    return status not in NOT_COUNTED and not out_of_competition


#: Entries that take part in the contest (the field a minimum field size counts, those out of
#: competition left out).
IN_THE_FIELD = ("registered", "approved")


def window_state(opens: datetime | None, closes: datetime | None, now: datetime) -> str:
    """Where the registration window stands at ``now``.

    Rule: "unset" when neither end is set (liaisons cannot register); "before" until ``opens``;
    "open" from ``opens`` (included; no start: open already) until ``closes`` (excluded; no
    end: open for good); "closed" from ``closes`` on. All three in the same local time.
    """
    if opens is None and closes is None:
        return "unset"
    if opens is not None and now < opens:
        return "before"
    if closes is not None and now >= closes:
        return "closed"
    return "open"


def quota_left(quota: int | None, used: int) -> int | None:
    """How many more entries a quota allows.

    Rule: no quota (None) → None (no limit); else ``quota - used``, never below 0.
    """
    if quota is None:
        return None
    return max(quota - used, 0)


def window_problem(state: str) -> Reason | None:
    """Why nothing may be registered, changed or submitted in a window in ``state`` (None when
    it is open)."""
    return {
        "unset": Reason.of(N_("the registration window is not set yet")),
        "before": Reason.of(N_("the registration window is not open yet")),
        "closed": Reason.of(N_("the registration window is closed")),
    }.get(state)


@dataclass(frozen=True)
class Quota:
    """A quota of one trade for one unit or delegation: its limit (None: none) and the places
    already taken."""

    limit: int | None
    used: int


def registration_problems(
    window: str, unit_quota: Quota | None, team_quota: Quota | None, adding: int = 1
) -> list[Reason]:
    """Why ``adding`` more entries may not be registered now (empty: they may).

    Rule: the window must be open; the unit's quota of the trade (if the entry counts against
    one) and the delegation's (likewise) must each leave at least ``adding`` places.
    """
    problems = []
    if problem := window_problem(window):
        problems.append(problem)
    for quota, msgid in (
        (unit_quota, N_("the unit's quota of this trade is used up (%(used)s of %(limit)s)")),
        (team_quota, N_("the delegation's quota of this trade is used up (%(used)s of %(limit)s)")),
    ):
        left = quota_left(quota.limit, quota.used) if quota else None
        if left is not None and left < adding:
            problems.append(Reason.of(msgid, used=quota.used, limit=quota.limit))
    return problems


def sniff_type(data: bytes) -> str | None:
    """A file's type by its first bytes (JPEG, PNG or PDF), whatever its name says; None when
    it is none of them."""
    for magic, content_type in MAGIC:
        if data.startswith(magic):
            return content_type
    return None


def attachment_problem(kind: str, data: bytes, limit: int = MAX_ATTACHMENT_BYTES) -> Reason | None:
    """Why a file may not be kept as proof of ``kind`` (None: it may).

    Rule: not empty; at most ``limit`` bytes; its content (not its name) is one of the kind's
    types: a photo JPEG or PNG, proof of employment PDF, JPEG or PNG.
    """
    if not data:
        return Reason.of(N_("the file is empty"))
    if len(data) > limit:
        return Reason.of(N_("the file is larger than %(mb)s MB"), mb=limit // (1024 * 1024))
    allowed = ATTACHMENT_TYPES[kind]
    if sniff_type(data) not in allowed:
        if kind == "photo":
            return Reason.of(N_("a photo must be a JPEG or PNG image (this file is not one)"))
        return Reason.of(N_("proof must be a PDF, JPEG or PNG file (this file is none of them)"))
    return None


def missing_proof(needs_photo: bool, needs_employment: bool, has: set[str]) -> list[str]:
    """The kinds of proof an entry still lacks, of those its contest-trade asks for."""
    wanted = [("photo", needs_photo), ("employment", needs_employment)]
    return [kind for kind, needed in wanted if needed and kind not in has]


def below_field_size(minimum: int | None, in_field: int) -> bool:
    """Whether a trade has fewer entries in the field than its minimum field size (开赛人数).

    Rule: no minimum → never; else ``in_field < minimum`` (the trade may be cancelled or
    merged).
    """
    return minimum is not None and in_field < minimum


def in_subtree(unit_id: int | None, root: int, parents: dict[int, int | None]) -> bool:
    """Whether ``unit_id`` is ``root`` or one of its sub-units, up the ``parents`` links
    ({unit: parent}); a loop ends the walk."""
    seen = set()
    while unit_id is not None and unit_id not in seen:
        if unit_id == root:
            return True
        seen.add(unit_id)
        unit_id = parents.get(unit_id)
    return False
