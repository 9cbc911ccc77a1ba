"""Two-layer encryption (二次加密): the organiser's setting, the encryption officers' draws of
the two layers, what each officer reads of their own layer, and decoding (解密) after the lock,
layer by layer, each look logged with the code list's reveals (``codes.record_reveal``).

The first layer is ``CheckInNumber`` (检录号: person → number, for check-in); the second is
``SubjectCode.code`` (密号: the code on the work piece that judges mark), so marking, review
and results read it as before. Flush, never commit.
"""

import io
import logging

from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import func, select

from competitions.accounts.models import User
from competitions.assessment.models import facts_of
from competitions.core.db import db
from competitions.core.sheet_rules import neutralise_cell as safe_cell
from competitions.core.words import Reason
from competitions.judging import rules
from competitions.judging.models import (
    CheckInNumber,
    CodeReveal,
    EncryptionDraw,
    SubjectCode,
    TwoLayerEncryption,
)
from competitions.judging.services.codes import _fresh_codes, is_two_layer, record_reveal
from competitions.judging.services.marks import is_locked
from competitions.judging.services.panel import marked_entries

logger = logging.getLogger(__name__)


class EncryptionError(Exception):
    """A step of two-layer encryption the rules refuse; ``forbidden`` when it is the officer
    who may not (the other layer is theirs, or this one another's)."""

    def __init__(self, reason: Reason, forbidden: bool = False):
        super().__init__(str(reason))
        self.reason = reason
        self.forbidden = forbidden


def setting_of(ct_id: int, for_update: bool = False) -> TwoLayerEncryption | None:
    """The assessment's two-layer setting row, if it was ever set."""
    query = select(TwoLayerEncryption).filter_by(assessment_id=ct_id)
    if for_update:
        query = query.with_for_update()
    return db.session.scalar(query)


def _count(model, ct_id: int) -> int:
    return db.session.scalar(select(func.count()).where(model.assessment_id == ct_id))


def set_two_layer(ct_id: int, on: bool) -> None:
    """Turn two-layer encryption on or off; refused once codes are drawn or the marks locked."""
    locked = is_locked(ct_id, for_update=True)
    drawn = _count(SubjectCode, ct_id) + _count(CheckInNumber, ct_id)
    problem = rules.switch_problem(drawn, locked)
    if problem is not None:
        raise EncryptionError(problem)
    setting = setting_of(ct_id, for_update=True)
    if setting is None:
        setting = TwoLayerEncryption(assessment_id=ct_id)
        db.session.add(setting)
    setting.enabled = on
    db.session.flush()


def officers(setting: TwoLayerEncryption | None) -> tuple[int | None, int | None]:
    """(the first layer's officer, the second layer's officer), None where not drawn."""
    if setting is None:
        return None, None
    return setting.first_officer_id, setting.second_officer_id


def refusal(ct_id: int, layer: int, officer_id: int) -> Reason | None:
    """Why this officer may not open, draw or read this layer (``rules.may_draw``)."""
    first, second = officers(setting_of(ct_id))
    if layer == rules.FIRST_LAYER:
        return rules.may_draw(layer, officer_id, second, first)
    return rules.may_draw(layer, officer_id, first, second)


def draw_layer(ct_id: int, layer: int, officer_id: int, rng) -> int:
    """Draw this layer's numbers for every marked subject lacking one; the officer becomes the
    layer's holder. Numbers of the two layers never coincide in an assessment, so a 检录号
    never reads as a 密号. Returns how many were drawn."""
    locked = is_locked(ct_id, for_update=True)  # one draw at a time per assessment
    setting = setting_of(ct_id, for_update=True)
    first, second = officers(setting)
    mine, other = (first, second) if layer == rules.FIRST_LAYER else (second, first)
    who = rules.may_draw(layer, officer_id, other, mine)
    if who is not None:
        raise EncryptionError(who, forbidden=True)
    numbers = dict(
        db.session.execute(
            select(CheckInNumber.subject_id, CheckInNumber.number).filter_by(assessment_id=ct_id)
        ).all()
    )
    problem = rules.layer_problem(layer, bool(setting and setting.enabled), locked, len(numbers))
    if problem is not None:
        raise EncryptionError(problem)
    codes = dict(
        db.session.execute(
            select(SubjectCode.subject_id, SubjectCode.code).filter_by(assessment_id=ct_id)
        ).all()
    )
    marked = {e.id for e in marked_entries(ct_id)}
    have, model = (numbers, CheckInNumber) if layer == rules.FIRST_LAYER else (codes, SubjectCode)
    wanting = marked if layer == rules.FIRST_LAYER else marked & numbers.keys()
    missing = sorted(wanting - have.keys())
    if not missing:
        return 0
    fresh = _fresh_codes(len(missing), {*numbers.values(), *codes.values()}, rng)
    for subject_id, value in zip(missing, fresh, strict=True):
        if model is CheckInNumber:
            db.session.add(CheckInNumber(subject_id=subject_id, assessment_id=ct_id, number=value))
        else:
            db.session.add(SubjectCode(subject_id=subject_id, assessment_id=ct_id, code=value))
    if layer == rules.FIRST_LAYER:
        setting.first_officer_id = officer_id
    else:
        setting.second_officer_id = officer_id
    db.session.add(
        EncryptionDraw(assessment_id=ct_id, layer=layer, user_id=officer_id, drawn=len(missing))
    )
    db.session.flush()
    logger.info(
        "user %s drew %s of layer %s of assessment %s", officer_id, len(fresh), layer, ct_id
    )
    return len(missing)


def first_layer_rows(ct_id: int) -> list[tuple]:
    """The first layer as its officer reads it: (检录号, name, unit, delegation), by number."""
    f = facts_of(ct_id).c
    rows = db.session.execute(
        select(CheckInNumber.number, f.name, f.unit_name, f.delegation_name)
        .join(CheckInNumber, CheckInNumber.subject_id == f.subject_id)
        .where(CheckInNumber.assessment_id == ct_id)
        .order_by(CheckInNumber.number)
    )
    return [tuple(row) for row in rows]


def second_layer_rows(ct_id: int) -> list[tuple]:
    """The second layer as its officer reads it: (检录号, 密号), by check-in number; no names."""
    rows = db.session.execute(
        select(CheckInNumber.number, SubjectCode.code)
        .join(SubjectCode, SubjectCode.subject_id == CheckInNumber.subject_id)
        .where(CheckInNumber.assessment_id == ct_id)
        .order_by(CheckInNumber.number)
    )
    return [tuple(row) for row in rows]


def layer_counts(ct_id: int) -> dict[str, int]:
    """How far the layers are: marked subjects, 检录号 drawn, 密号 drawn (numbers only)."""
    return {
        "marked": len(marked_entries(ct_id)),
        "first": _count(CheckInNumber, ct_id),
        "second": _count(SubjectCode, ct_id),
    }


def draws(ct_id: int) -> list[tuple[EncryptionDraw, str]]:
    """Every draw of a layer, oldest first, with the officer's name."""
    rows = db.session.execute(
        select(EncryptionDraw, User.display_name)
        .join(User, User.id == EncryptionDraw.user_id)
        .where(EncryptionDraw.assessment_id == ct_id)
        .order_by(EncryptionDraw.at, EncryptionDraw.id)
    )
    return [tuple(row) for row in rows]


def steps_done(ct_id: int) -> frozenset[str]:
    """The steps of decoding (解密) taken so far (each is logged as a reveal)."""
    rows = db.session.scalars(
        select(CodeReveal.what)
        .where(CodeReveal.assessment_id == ct_id, CodeReveal.what.in_(rules.DECODE_STEPS))
        .distinct()
    )
    return frozenset(rows)


def names_open(ct_id: int) -> bool:
    """Whether the one-step list of codes and people is open now (``rules.names_open``)."""
    return rules.names_open(is_two_layer(ct_id), is_locked(ct_id), steps_done(ct_id))


def decode(ct_id: int, step: str, user_id: int) -> list[tuple]:
    """One step of decoding, logged: "decode1" gives (密号, 检录号) rows by 密号; "decode2"
    gives (检录号, name, unit, delegation) rows by 检录号. Refused before the lock, and the
    second step before the first."""
    problem = rules.decode_problem(step, is_locked(ct_id), steps_done(ct_id))
    if problem is not None:
        raise EncryptionError(problem)
    record_reveal(ct_id, user_id, step)
    if step == "decode2":
        return first_layer_rows(ct_id)
    rows = db.session.execute(
        select(SubjectCode.code, CheckInNumber.number)
        .join(CheckInNumber, CheckInNumber.subject_id == SubjectCode.subject_id)
        .where(SubjectCode.assessment_id == ct_id)
        .order_by(SubjectCode.code)
    )
    return [tuple(row) for row in rows]


def layer_workbook(layer: int, rows: list[tuple]) -> bytes:
    """An officer's layer as .xlsx (to print for check-in, or to label the work pieces)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Check-in numbers") if layer == 1 else _("Secret codes"))
    if layer == rules.FIRST_LAYER:
        sheet.append([_("Check-in number"), _("Full name"), _("Unit"), _("Delegation")])
    else:
        sheet.append([_("Check-in number"), _("Secret code")])
    for row in rows:
        sheet.append([safe_cell(value if value is not None else "") for value in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
