"""Anonymous codes (检录号) and stations: drawing them, and the logged reveal after the lock."""

import io
import logging

from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import func, select

from competitions.accounts.models import User
from competitions.assessment.models import facts_of
from competitions.core.db import db
from competitions.core.sheet_rules import neutralise_cell as safe_cell
from competitions.core.words import N_, Reason
from competitions.judging import rules
from competitions.judging.models import CodeReveal, SubjectCode, TwoLayerEncryption
from competitions.judging.services.marks import is_locked
from competitions.judging.services.panel import PanelError, marked_entries

logger = logging.getLogger(__name__)


def _fresh_codes(count: int, taken: set[str], rng) -> list[str]:
    """``count`` random codes unused among ``taken``, as wide as the codes already drawn."""
    total = count + len(taken)
    width = max([3, len(str(total * 10)), *(len(code) for code in taken)])
    drawn = rules.draw_codes(total, rng, width)
    return [code for code in drawn if code not in taken][:count]


def draw_entry_codes(ct_id: int, with_stations: bool, rng) -> int:
    """Code (and station) every marked entry lacking one, keeping drawn codes; refused if locked."""
    if is_locked(ct_id, for_update=True):
        raise PanelError("stations", Reason.of(N_("the marks are locked by the chief judge")))
    two_layer = rules.one_step_draw_problem(is_two_layer(ct_id))
    if two_layer is not None:
        raise PanelError("stations", two_layer)
    rows = db.session.scalars(select(SubjectCode).filter_by(assessment_id=ct_id)).all()
    coded = {row.subject_id for row in rows}
    marked = {e.id for e in marked_entries(ct_id)}
    missing = sorted(marked - coded)
    codes = _fresh_codes(len(missing), {row.code for row in rows}, rng)
    new = [
        SubjectCode(subject_id=e, assessment_id=ct_id, code=c)
        for e, c in zip(missing, codes, strict=True)
    ]
    db.session.add_all(new)
    if with_stations:
        lacking = [r for r in [*rows, *new] if r.station is None and r.subject_id in marked]
        used = {row.station for row in rows if row.station is not None}
        free = [n for n in range(1, len(used) + len(lacking) + 1) if n not in used]
        for row, position in zip(lacking, rules.draw_stations(len(lacking), rng), strict=True):
            row.station = free[position - 1]
    db.session.flush()
    logger.info("drew %s codes for assessment %s", len(new), ct_id)
    return len(new)


def code_counts(ct_id: int) -> tuple[int, int]:
    """(codes drawn, marked entries still without a code)."""
    drawn = db.session.scalar(select(func.count()).where(SubjectCode.assessment_id == ct_id))
    return drawn, sum(e.code is None for e in marked_entries(ct_id))


def codes_by_entry(ct_id: int) -> dict[int, str]:
    """{subject id: its anonymous code} in the assessment (the panel's way to name subjects)."""
    rows = db.session.execute(
        select(SubjectCode.subject_id, SubjectCode.code).where(SubjectCode.assessment_id == ct_id)
    )
    return dict(rows.all())


def is_two_layer(ct_id: int) -> bool:
    """Whether two-layer encryption (二次加密) is on for the assessment."""
    return bool(
        db.session.scalar(
            select(TwoLayerEncryption.enabled).where(TwoLayerEncryption.assessment_id == ct_id)
        )
    )


def record_reveal(ct_id: int, user_id: int, what: str) -> None:
    """Log a look behind the codes: the list ("page", "export") or a step of decoding."""
    db.session.add(CodeReveal(assessment_id=ct_id, user_id=user_id, what=what))
    db.session.flush()
    logger.info("user %s revealed the codes of assessment %s (%s)", user_id, ct_id, what)


def reveal(ct_id: int, user_id: int, what: str) -> list[tuple]:
    """The code-to-person list (code, station, name, unit, delegation), logged as a reveal."""
    record_reveal(ct_id, user_id, what)
    facts = facts_of(ct_id)
    f = facts.c
    rows = db.session.execute(
        select(SubjectCode.code, SubjectCode.station, f.name, f.unit_name, f.delegation_name)
        .join(facts, f.subject_id == SubjectCode.subject_id)
        .where(SubjectCode.assessment_id == ct_id)
        .order_by(SubjectCode.code)
    )
    return [tuple(row) for row in rows]


def reveals(ct_id: int) -> list[tuple[CodeReveal, str]]:
    """Past reveals of the list, newest first, with who looked."""
    rows = db.session.execute(
        select(CodeReveal, User.display_name)
        .join(User, User.id == CodeReveal.user_id)
        .where(CodeReveal.assessment_id == ct_id)
        .order_by(CodeReveal.at.desc(), CodeReveal.id.desc())
    )
    return [tuple(row) for row in rows]


def codes_workbook(rows: list[tuple]) -> bytes:
    """The code-to-person list as .xlsx; text that could run as a formula is neutralised."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Codes")
    sheet.append([_("Code"), _("Station"), _("Name"), _("Unit"), _("Delegation")])
    for row in rows:
        sheet.append([safe_cell(value if value is not None else "") for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
