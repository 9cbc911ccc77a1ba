"""The privacy notice, and a person's data for the organiser to hand over when they ask (PIPL)."""

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user, login_required

from competitions.core.audit import download_logged
from competitions.core.db import db
from competitions.core.http import xlsx_download
from competitions.privacy import services
from competitions.registry.models import Person
from competitions.registry.rules import PRIVACY_NOTICE_VERSION
from competitions.registry.services import may_read_person, organised_for

bp = Blueprint("privacy", __name__)


@bp.route("/persons/<int:person_id>/personal-data.xlsx")
@login_required
@download_logged("personal_data")
def personal_data(person_id: int):
    """What is held about the person (in the requester's contests; everything for a
    registrar), for them to hand to the person (each download logged)."""
    person = db.get_or_404(Person, person_id)
    if not may_read_person(current_user, person):
        abort(403)
    mine = None if current_user.is_registrar else organised_for(current_user, person)
    data = services.personal_data_workbook(person, mine)
    return xlsx_download(data, f"personal-data-{person.id}.xlsx")


@bp.route("/privacy")
def notice():
    """The privacy notice people agree to where they look themselves up (its version shown)."""
    return render_template(
        "privacy/notice.html",
        version=PRIVACY_NOTICE_VERSION,
        default_years=current_app.config["RETENTION_YEARS"],
    )
