"""The panel of a contest-trade (organisers), with the relations declared; anonymous codes."""

import io
import secrets
from dataclasses import replace

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from competitions.assessment.models import Assessment
from competitions.core.audit_words import REVEAL_KINDS
from competitions.core.db import db
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.i18n import say
from competitions.core.labels import PANEL_ROLE_LABELS
from competitions.core.sheet_rules import XLSX_TYPE
from competitions.judging.forms.panel import (
    ActionForm,
    AddMemberForm,
    AssignEntryForm,
    DrawCodesForm,
    MemberItemsForm,
)
from competitions.judging.models import PanelMember
from competitions.judging.services import access, encryption, relations
from competitions.judging.services import codes as entry_codes
from competitions.judging.services import panel as services
from competitions.judging.services.marks import is_locked
from competitions.judging.views import bp

PART_LABELS = {"theory": _l("Theory"), "practical": _l("Practical")}


def _organised(ct_id: int) -> Assessment:
    """The contest-trade, if the current user organises its contest (else 403/404)."""
    ct = access.assessment_or_404(ct_id)
    access.require_organiser(ct)
    return ct


def _seat(ct: Assessment, member_id: int) -> PanelMember:
    """A member of this contest-trade's panel, else 404."""
    member = db.get_or_404(PanelMember, member_id)
    if member.assessment_id != ct.id:
        abort(404)
    return member


def _back(ct: Assessment, member: PanelMember | None = None):
    """Back to the panel page (at the member's section)."""
    anchor = f"member-{member.id}" if member else None
    return redirect(url_for("judging.panel", ct_id=ct.id, _anchor=anchor), code=303)


def _items_form(member, parts, current: set[int] | None = None) -> MemberItemsForm:
    """The member's items form: bound to the request, or showing ``current``."""
    shown = {} if current is None else {"formdata": None, "items": sorted(current)}
    form = MemberItemsForm(prefix=f"m{member.id}-", **shown)
    form.items.choices = [(i.id, i.code) for p in parts for i in p.items]
    form.parts.choices = [(p.id, p.name or PART_LABELS[p.kind]) for p in parts]
    return form


def _entry_form(member, entries, assigned: set[int], bound: bool = False) -> AssignEntryForm:
    """The form that assigns one more entry to the member."""
    form = AssignEntryForm(prefix=f"m{member.id}-", **({} if bound else {"formdata": None}))
    open_entries = sorted((e for e in entries if e.id not in assigned), key=lambda e: e.label)
    form.entry_id.choices = [("", "—"), *((e.id, e.label) for e in open_entries)]
    return form


def _panel_page(ct: Assessment, add_form=None, forms: dict | None = None):
    """Render the panel page; ``forms`` carries a member's submitted form with its errors."""
    forms = forms or {}
    members = services.members_of(ct.id)
    parts = services.scheme_parts(ct.id)
    entries = services.marked_entries(ct.id)
    two_layer = entry_codes.is_two_layer(ct.id)
    if two_layer:  # the organisers never see a 密号 beside a person before the decoding
        entries = sorted((replace(e, code=None) for e in entries), key=lambda e: (e.name, e.id))
    tree = services.load_unit_tree()
    declared = services.declared_persons({m.user_id for m in members})
    entries_of = services.assigned_entries([m.id for m in members])
    items_of = services.assigned_items([m.id for m in members])
    seats = []
    for m in members:
        conflicts = services.recusals(m, entries, tree, declared.get(m.user_id, frozenset()))
        own = forms.get(m.id, {})
        unit_id, group_id = ct.judge_affiliation(m)
        seats.append(
            {
                "member": m,
                "unit": tree.name.get(unit_id),
                "group": group_id,
                "entries": len(entries_of[m.id]),
                "items": items_of[m.id],
                "recusals": [(e.label, say(conflicts[e.id])) for e in entries if e.id in conflicts],
                "items_form": own.get("items") or _items_form(m, parts, items_of[m.id]),
                "entry_form": own.get("entry") or _entry_form(m, entries, entries_of[m.id]),
            }
        )
    coverage = [
        (part, item, sum(item.id in items_of[m.id] for m in members))
        for part in parts
        for item in part.items
    ]
    if add_form is None:
        add_form = AddMemberForm(formdata=None)
        add_form.delegation_id.choices = [("", "—"), *ct.delegation_choices()]
    return render_template(
        "judging/panel.html",
        ct=ct,
        seats=seats,
        parts=parts,
        entry_count=len(entries),
        coverage=coverage,
        declarations=services.declarations(ct.id, {m.user_id for m in members}),
        pending=relations.pending(ct.id),
        delegations=dict(ct.delegation_choices()),
        add_form=add_form,
        action_form=ActionForm(formdata=None),
        roles=PANEL_ROLE_LABELS,
        part_labels=PART_LABELS,
        hide_codes=two_layer,
    )


@bp.route("/contest-trades/<int:ct_id>/panel", methods=["GET", "POST"], endpoint="panel")
@login_required
def panel_page(ct_id: int):
    """The organiser appoints the panel and assigns items and entries (with recusal)."""
    ct = _organised(ct_id)
    form = AddMemberForm()
    form.delegation_id.choices = [("", "—"), *ct.delegation_choices()]
    if form.validate_on_submit():
        try:
            member = services.add_member(
                ct, form.username.data, form.role.data, form.delegation_id.data
            )
        except services.PanelError as err:
            getattr(form, err.field).errors.append(say(err.reason))
        else:
            db.session.commit()
            flash(_("%(name)s joined the panel.", name=member.user.display_name), "success")
            return _back(ct, member)
    return _panel_page(ct, add_form=form)


@bp.post("/contest-trades/<int:ct_id>/panel/<int:member_id>/remove")
@login_required
def panel_remove(ct_id: int, member_id: int):
    """Take a member off the panel (refused once they have entered marks)."""
    ct = _organised(ct_id)
    member = _seat(ct, member_id)
    if ActionForm().validate_on_submit():
        try:
            services.remove_member(member)
        except services.PanelError as err:
            flash(say(err.reason), "error")
        else:
            db.session.commit()
            flash(_("Removed from the panel."), "success")
    return _back(ct)


@bp.post("/contest-trades/<int:ct_id>/panel/<int:member_id>/items")
@login_required
def panel_items(ct_id: int, member_id: int):
    """Choose the items a member scores."""
    ct = _organised(ct_id)
    member = _seat(ct, member_id)
    parts = services.scheme_parts(ct.id)
    form = _items_form(member, parts)
    if form.validate_on_submit():
        try:
            services.set_items(member, form.chosen({p.id: [i.id for i in p.items] for p in parts}))
        except services.PanelError as err:
            form.items.errors.append(say(err.reason))
        else:
            db.session.commit()
            flash(_("Items saved."), "success")
            return _back(ct, member)
    return _panel_page(ct, forms={member.id: {"items": form}})


@bp.post("/contest-trades/<int:ct_id>/panel/<int:member_id>/entries/all")
@login_required
def panel_assign_all(ct_id: int, member_id: int):
    """Assign every entry the member may mark; list those skipped for recusal."""
    ct = _organised(ct_id)
    member = _seat(ct, member_id)
    if ActionForm().validate_on_submit():
        added, skipped = services.assign_all_entries(member)
        db.session.commit()
        flash(ngettext("%(num)s entry assigned.", "%(num)s entries assigned.", added), "success")
        if skipped:
            listed = "; ".join(f"{e.label}: {say(reason)}" for e, reason in skipped)
            flash(_("Skipped for recusal: %(entries)s", entries=listed), "info")
    return _back(ct, member)


@bp.post("/contest-trades/<int:ct_id>/panel/<int:member_id>/entries")
@login_required
def panel_assign(ct_id: int, member_id: int):
    """Assign one entry to a member; refused with the reason when they must recuse."""
    ct = _organised(ct_id)
    member = _seat(ct, member_id)
    assigned = services.assigned_entries([member.id])[member.id]
    form = _entry_form(member, services.marked_entries(ct.id), assigned, bound=True)
    if form.validate_on_submit():
        try:
            services.assign_entry(member, form.entry_id.data)
        except services.PanelError as err:
            form.entry_id.errors.append(say(err.reason))
        else:
            db.session.commit()
            flash(_("Entry assigned."), "success")
            return _back(ct, member)
    return _panel_page(ct, forms={member.id: {"entry": form}})


@bp.route("/contest-trades/<int:ct_id>/codes")
@login_required
def codes(ct_id: int):
    """The anonymous codes: their count before the lock, the logged code-to-person list after."""
    ct = _organised(ct_id)
    locked = is_locked(ct.id)
    rows = None
    if encryption.names_open(ct.id):  # under two-layer encryption: once decoded, both steps
        rows = entry_codes.reveal(ct.id, current_user.id, "page")
        db.session.commit()
    drawn, lacking = entry_codes.code_counts(ct.id)
    return render_template(
        "judging/codes.html",
        ct=ct,
        locked=locked,
        two_layer=entry_codes.is_two_layer(ct.id),
        rows=rows,
        drawn=drawn,
        lacking=lacking,
        reveals=entry_codes.reveals(ct.id),
        reveal_labels=REVEAL_KINDS,
        form=DrawCodesForm(formdata=None),
    )


@bp.post("/contest-trades/<int:ct_id>/codes/draw")
@login_required
def codes_draw(ct_id: int):
    """Draw random codes (and stations) for the entries lacking them; refused after the lock."""
    ct = _organised(ct_id)
    form = DrawCodesForm()
    if form.validate_on_submit():
        try:
            drawn = entry_codes.draw_entry_codes(ct.id, form.stations.data, secrets.SystemRandom())
        except services.PanelError as err:
            db.session.rollback()
            flash(say(err.reason), "error")
        else:
            db.session.commit()
            flash(ngettext("%(num)s code drawn.", "%(num)s codes drawn.", drawn), "success")
    return redirect(url_for("judging.codes", ct_id=ct.id), code=303)


@bp.route("/contest-trades/<int:ct_id>/codes.xlsx")
@login_required
def codes_export(ct_id: int):
    """The code-to-person list as a spreadsheet, after the lock; every download is logged."""
    ct = _organised(ct_id)
    if not encryption.names_open(ct.id):
        flash(_("The list opens after the chief judge locks the marks."), "error")
        return redirect(url_for("judging.codes", ct_id=ct.id), code=303)
    rows = entry_codes.reveal(ct.id, current_user.id, "export")
    db.session.commit()
    response = send_file(
        io.BytesIO(entry_codes.codes_workbook(rows)),
        mimetype=XLSX_TYPE,
        as_attachment=True,
        download_name=f"codes-{ct.contest.code}-{ct.trade.code}.xlsx",
    )
    response.headers["Cache-Control"] = "no-store"
    return response
