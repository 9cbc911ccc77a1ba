"""The contest day's rules: the draw of lots, ticket numbers and their QR tokens, check-in.

Pure functions over plain data: no clock (``now`` is an argument), no database, no key of the
site (the signing key is an argument).
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

from competitions.core.words import N_, Reason

#: The draw's name and version, printed with every draw: the same name, seed, entries and
#: sessions give the same seats, today and in ten years.
DRAW_ALGORITHM = "jingsai-draw-v1"
#: Check-in opens this long before a session starts.
CHECK_IN_OPENS_BEFORE = timedelta(minutes=120)
#: Seeds as typed (a number read out in front of the team leaders, or any short word).
SEED_PATTERN = re.compile(r"^[0-9A-Za-z_-]{1,40}$")
#: What a ticket's QR code is signed for (a token of another purpose is refused).
TOKEN_SALT = "jingsai.contestday.ticket"


@dataclass(frozen=True)
class SessionSlots:
    """A session as the draw sees it: its id and how many workstations it has."""

    id: int
    workstations: int


# --- the draw of lots --------------------------------------------------------------------------


class _Stream:
    """Random numbers from a seed, SHA-256 in counter mode: block ``k`` is
    SHA-256("<seed>:<k>") (UTF-8), read as 8-byte big-endian unsigned numbers."""

    def __init__(self, seed: str):
        self.seed, self.block, self.buffer = seed, 0, b""

    def _next64(self) -> int:
        if not self.buffer:
            self.buffer = hashlib.sha256(f"{self.seed}:{self.block}".encode()).digest()
            self.block += 1
        number, self.buffer = int.from_bytes(self.buffer[:8], "big"), self.buffer[8:]
        return number

    def below(self, n: int) -> int:
        """A number in 0 … n-1, every one equally likely (numbers past the last whole multiple
        of n are thrown away and the next is taken)."""
        limit = (2**64 // n) * n
        while True:
            number = self._next64()
            if number < limit:
                return number % n


def _shuffled(items: list, stream: _Stream) -> list:
    """Fisher–Yates from the end: for i = n-1 … 1, swap item i with item ``below(i+1)``."""
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = stream.below(i + 1)
        out[i], out[j] = out[j], out[i]
    return out


def session_counts(n: int, sessions: list[SessionSlots]) -> list[int] | Reason:
    """How many people each session takes: as even as the workstations allow. One at a time
    to the session with the fewest so far that still has a free workstation (the earlier
    session on a tie), so counts differ by at most one unless a small session is full. More
    people than workstations: the reason, and no counts."""
    free = sum(s.workstations for s in sessions)
    if n > free:
        return Reason.of(
            N_(
                "%(n)s entries but only %(free)s workstations in all sessions: add a session or "
                "workstations."
            ),
            n=n,
            free=free,
        )
    counts = [0] * len(sessions)
    for _ in range(n):
        open_ = [i for i, s in enumerate(sessions) if counts[i] < s.workstations]
        counts[min(open_, key=lambda i: (counts[i], i))] += 1
    return counts


def draw_seats(
    entry_ids: Iterable[int], sessions: list[SessionSlots], seed: str
) -> dict[int, tuple[int, int]] | Reason:
    """The draw of lots (``DRAW_ALGORITHM``): each entry's session and workstation, from the
    seed alone, so anyone can re-run it and get the same seats.

    1. The entries are sorted by id and shuffled (Fisher–Yates with SHA-256 numbers from the
       seed, see ``_Stream``); the order they are given in does not matter.
    2. Each session takes ``session_counts`` people, sessions in the order given (by date and
       time).
    3. For each session in turn, its workstations 1 … N are shuffled by the same stream and
       the first ones it needs are used, in rising order.
    4. The shuffled entries take those seats in order: session by session, workstation by
       workstation.

    Every entry is equally likely to get any seat. Too few workstations: the reason, no seats."""
    entries = sorted(set(entry_ids))
    counts = session_counts(len(entries), sessions)
    if isinstance(counts, Reason):
        return counts
    stream = _Stream(seed)
    order = _shuffled(entries, stream)
    seats = []
    for session, count in zip(sessions, counts, strict=True):
        stations = _shuffled(list(range(1, session.workstations + 1)), stream)
        seats += [(session.id, w) for w in sorted(stations[:count])]
    return dict(zip(order, seats, strict=True))


def seed_problem(seed: str) -> Reason | None:
    """A typed seed is 1-40 letters, digits, "-" or "_" (what can be read out and retyped)."""
    if SEED_PATTERN.match(seed):
        return None
    return Reason.of(N_("A seed is 1 to 40 letters, digits, - or _."))


# --- ticket numbers and their QR tokens ----------------------------------------------------------


def luhn_digit(digits: str) -> str:
    """The Luhn check digit of a string of digits (catches one wrong digit and most swaps)."""
    total = 0
    for n, char in enumerate(reversed(digits)):
        d = int(char) * (2 if n % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def ticket_number(ct_id: int, session_position: int, workstation: int) -> str:
    """准考证号: digits only (a phone's number pad types it): the contest-trade (4 digits or
    more), the session's place among the trade's sessions (2), the workstation (3), and a Luhn
    check digit; unique in the site, since a contest-trade is."""
    body = f"{ct_id:04d}{session_position:02d}{workstation:03d}"
    return body + luhn_digit(body)


def typed_ticket_number(text: str) -> str | None:
    """A typed ticket number without spaces or dashes, or None when it cannot be one (not 10
    digits or more, or a wrong check digit)."""
    digits = re.sub(r"[\s-]", "", text)
    if not re.fullmatch(r"\d{10,}", digits) or luhn_digit(digits[:-1]) != digits[-1]:
        return None
    return digits


def ticket_token(key: str, seat_id: int, number: str, session_id: int) -> str:
    """The QR code's text: the seat, its number and its session, signed with the site's key
    (itsdangerous, salt ``TOKEN_SALT``). Forged, altered or redrawn tickets do not verify."""
    return URLSafeSerializer(key, salt=TOKEN_SALT).dumps([seat_id, number, session_id])


def read_token(key: str, token: str) -> tuple[int, str, int] | None:
    """The (seat, number, session) a QR token names, or None when its signature is wrong."""
    try:
        seat_id, number, session_id = URLSafeSerializer(key, salt=TOKEN_SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not (isinstance(seat_id, int) and isinstance(session_id, int) and isinstance(number, str)):
        return None
    return seat_id, number, session_id


# --- check-in and absence ----------------------------------------------------------------------


def session_moments(day: date, starts: time, ends: time) -> tuple[datetime, datetime]:
    """A session's start and end as local date-times."""
    return datetime.combine(day, starts), datetime.combine(day, ends)


def check_in_state(now: datetime, starts: datetime, ends: datetime) -> str:
    """Where check-in stands at local time ``now``: "before" until ``CHECK_IN_OPENS_BEFORE``
    ahead of the start, "open" from then until the session ends, "closed" after."""
    if now < starts - CHECK_IN_OPENS_BEFORE:
        return "before"
    return "open" if now < ends else "closed"


def may_mark_absent(now: datetime, starts: datetime) -> bool:
    """Whoever has not checked in is absent once the session has started, not before."""
    return now >= starts


def absentees(expected: dict[int, str], checked_in: set[int]) -> list[int]:
    """Who is marked absent: the session's entries (id → status) that are still registered or
    approved and have not checked in, by id. Withdrawn, disqualified or already absent
    entries stay as they are."""
    return sorted(
        e
        for e, status in expected.items()
        if status in ("registered", "approved") and e not in checked_in
    )


@dataclass(frozen=True)
class Scan:
    """What check-in knows about a scanned or typed ticket, as plain data."""

    session_id: int
    contest_trade_id: int
    entry_status: str
    checked_in_at: datetime | None


def check_in_refusal(
    scan: Scan, session_id: int, contest_trade_id: int, state: str
) -> Reason | None:
    """Why a ticket is not checked in at this session's desk, or None to check it in: a ticket
    of another trade or session, a desk that is not open, an entry marked absent, withdrawn or
    disqualified. (A ticket already checked in is told apart by the caller: nothing is
    refused, nothing recorded again.)"""
    if scan.contest_trade_id != contest_trade_id:
        return Reason.of(N_("This ticket is for another trade."))
    if scan.session_id != session_id:
        return Reason.of(N_("This ticket is for another session."))
    if scan.checked_in_at is None and state == "before":
        return Reason.of(N_("Check-in has not opened yet."))
    if scan.checked_in_at is None and state == "closed":
        return Reason.of(N_("Check-in has closed: the session is over."))
    if scan.entry_status == "absent" and scan.checked_in_at is None:
        return Reason.of(N_("This contestant has been marked absent."))
    if scan.entry_status in ("withdrawn", "disqualified"):
        return Reason.of(N_("This entry is withdrawn or disqualified."))
    return None
