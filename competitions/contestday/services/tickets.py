"""Admission tickets (准考证): one A5 PDF per seat, made on the workers, with a signed QR code.

The ticket is drawn with ReportLab's canvas in the certificates' font (CERT_FONT_PATH,
embedded as a subset, so it prints the same everywhere); the QR code's matrix comes from
zxing-cpp like the certificates' and is drawn as filled squares. The QR code holds a token
signed with the site's key (rules.ticket_token): a forged or redrawn ticket does not check in.
"""

import functools
import io
import zipfile

import zxingcpp
from flask import current_app
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen import canvas
from sqlalchemy import select
from sqlalchemy.orm import undefer

from competitions.certificates.services.images import inspect_image
from competitions.certificates.services.render import FontMissing
from competitions.contestday import rules
from competitions.contestday.models import ExamSession, Seat
from competitions.contestday.services import seats_of
from competitions.core.db import db, utcnow
from competitions.core.identity_rules import mask_id_number
from competitions.core.words import Reason
from competitions.enrolment import services as enrolment_services

PAGE_W, PAGE_H = A5
FONT = "JingsaiTicket"
PHOTO_W, PHOTO_H = 33 * mm, 45 * mm
QR_SIZE = 42 * mm
INK, RED = (0.1, 0.1, 0.1), (0.70, 0.09, 0.09)
WEEKDAYS = "一二三四五六日"


def photo_of(entry_id: int) -> bytes | None:
    """The entry's photo (PNG or JPEG, checked when the liaison or team leader attached it) for
    its ticket and the check-in desk; None when nobody attached one."""
    return enrolment_services.photo_of(entry_id)


def token_of(seat: Seat) -> str:
    """The text of a seat's QR code: its id, number and session, signed with the site's key."""
    return rules.ticket_token(current_app.secret_key, seat.id, seat.ticket_number, seat.session_id)


@functools.lru_cache(maxsize=2)
def _font(path: str) -> str:
    """Register the certificates' font with ReportLab once per process; its name."""
    try:
        pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))
    except (OSError, TTFError) as err:
        raise FontMissing(f"cannot read the ticket font {path}: {err}") from err
    return FONT


def chinese_day(seat: Seat) -> str:
    """The session's day as printed: 2026年12月5日（星期六）."""
    day = seat.session.day
    return f"{day.year}年{day.month}月{day.day}日（星期{WEEKDAYS[day.weekday()]}）"


def ticket_lines(seat: Seat) -> list[tuple[str, str]]:
    """The ticket's facts as (label, value), in print order."""
    entry, session = seat.entry, seat.session
    ct = session.contest_trade
    return [
        ("姓　　名", entry.person.name),
        ("证件号码", mask_id_number(entry.person.id_number)),
        ("工　　种", ct.trade.name_zh),
        ("场　　次", session.name),
        ("日　　期", chinese_day(seat)),
        ("时　　间", f"{session.starts_at:%H:%M}—{session.ends_at:%H:%M}"),
        ("地　　点", session.place),
        ("工  位  号", f"{seat.workstation:03d}"),
        ("准考证号", seat.ticket_number),
    ]


def _qr(pdf: canvas.Canvas, text: str, x: float, y: float, size: float) -> None:
    """The QR code of ``text`` as filled squares, its lower left corner at (x, y)."""
    image = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M").to_image(
        scale=1, add_quiet_zones=False
    )
    modules = image.shape[0]
    pixels, unit = bytes(image), size / modules
    pdf.setFillColorRGB(0, 0, 0)
    for row in range(modules):
        for col in range(modules):
            if pixels[row * modules + col] < 128:
                pdf.rect(x + col * unit, y + size - (row + 1) * unit, unit, unit, 0, 1)


def _photo(pdf: canvas.Canvas, data: bytes | None, x: float, y: float) -> None:
    """The photo in its frame, or the empty frame with 照片 in it."""
    pdf.setStrokeColorRGB(*INK)
    pdf.rect(x, y, PHOTO_W, PHOTO_H, 1, 0)
    if data and not isinstance(inspect_image(data, ("png", "jpeg")), Reason):
        pdf.drawImage(
            ImageReader(io.BytesIO(data)), x, y, PHOTO_W, PHOTO_H, preserveAspectRatio=True
        )
        return
    pdf.setFont(FONT, 12)
    pdf.drawCentredString(x + PHOTO_W / 2, y + PHOTO_H / 2 - 4, "照　片")


def render_ticket(seat: Seat, photo: bytes | None) -> bytes:
    """The PDF of one admission ticket (A5 portrait, Chinese)."""
    _font(current_app.config["CERT_FONT_PATH"])
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A5, pageCompression=1)
    pdf.setTitle(f"准考证 {seat.ticket_number}")
    contest = seat.session.contest_trade.contest
    pdf.setStrokeColorRGB(*RED)
    pdf.setLineWidth(3)
    pdf.rect(10 * mm, 10 * mm, PAGE_W - 20 * mm, PAGE_H - 20 * mm, 1, 0)
    pdf.setFillColorRGB(*INK)
    pdf.setFont(FONT, 13)
    pdf.drawCentredString(PAGE_W / 2, PAGE_H - 26 * mm, contest.name[:30])
    pdf.setFont(FONT, 26)
    pdf.drawCentredString(PAGE_W / 2, PAGE_H - 40 * mm, "准 考 证")
    _photo(pdf, photo, PAGE_W - 20 * mm - PHOTO_W, PAGE_H - 52 * mm - PHOTO_H)
    y = PAGE_H - 58 * mm
    for label, value in ticket_lines(seat):
        pdf.setFont(FONT, 11)
        pdf.drawString(20 * mm, y, label + "：")
        pdf.setFont(FONT, 14 if label.startswith(("工  位", "准考")) else 12)
        pdf.drawString(43 * mm, y, value[:24])
        y -= 9 * mm
    _qr(pdf, token_of(seat), (PAGE_W - QR_SIZE) / 2, 24 * mm, QR_SIZE)
    pdf.setFont(FONT, 8.5)
    pdf.drawCentredString(
        PAGE_W / 2,
        17 * mm,
        "请携带本证和身份证件，于开考前到检录处扫码检录；开考后未检录者按缺考处理。",
    )
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def make_tickets(ct_id: int, progress) -> int:
    """Render every seat's ticket of the contest-trade and keep it on the seat; ``progress``
    is told (done, total) as it goes. Returns how many were made."""
    seats = seats_of(ct_id)
    with db.session.no_autoflush:  # written at the end: progress goes on its own connection
        for n, seat in enumerate(seats, start=1):
            seat.pdf = render_ticket(seat, photo_of(seat.entry_id))
            seat.ticket_made_at = utcnow()
            progress(n, len(seats))
    db.session.flush()
    return len(seats)


def ticket_pdf(entry_id: int) -> Seat | None:
    """The entry's seat with its ticket loaded, if the ticket has been made."""
    seat = db.session.scalar(select(Seat).options(undefer(Seat.pdf)).filter_by(entry_id=entry_id))
    return seat if seat is not None and seat.pdf else None


def tickets_zip(ct_id: int) -> bytes:
    """The contest-trade's tickets in one ZIP, a PDF per person named by ticket number and
    name, session by session."""
    out = io.BytesIO()
    seats = db.session.scalars(
        select(Seat)
        .options(undefer(Seat.pdf))
        .join(ExamSession, ExamSession.id == Seat.session_id)
        .where(ExamSession.contest_trade_id == ct_id, Seat.pdf.is_not(None))
        .order_by(ExamSession.day, ExamSession.starts_at, Seat.workstation)
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for seat in seats:
            name = f"{seat.session.name}/{seat.ticket_number}-{seat.entry.person.name}.pdf"
            archive.writestr(name, seat.pdf)
    return out.getvalue()
