"""Placeholder: the import pages (being built)."""

from flask import Blueprint

bp = Blueprint("imports", __name__)


@bp.route("/contests/<int:contest_id>/import")
def upload(contest_id: int):
    """The import page."""
    return "todo", 501
