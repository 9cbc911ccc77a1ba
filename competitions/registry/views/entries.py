"""Contestants and their entries: the list, registration, status changes, a person's record."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import and_, func, or_, select

from competitions.accounts.models import User
from competitions.accounts.services.permissions import require_contest_role
from competitions.core import audit_words, identity_rules
from competitions.core.audit import AuditLog
from competitions.core.db import db, db_int
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.i18n import say
from competitions.core.labels import GENDER_LABELS, ID_TYPE_LABELS, SKILL_LABELS, STATUS_LABELS
from competitions.registry import person_sections, rules, services
from competitions.registry.forms import EntryEditForm, EntryForm, PersonForm, RevealIdForm
from competitions.registry.models import (
    Contest,
    ContestTrade,
    Entry,
    IdReveal,
    Person,
    delegation_choices,
    id_number_hash,
)
from competitions.registry.views import bp, render_form

PAGE_SIZE = 50
#: Searches are cut to this: longer than any name or ID number (and LIKE patterns have limits).
SEARCH_LENGTH = 100
PERSON_FIELDS = ("unit_id", "skill_level", "phone")
#: "Read the request's form" (a form given None reads nothing: the reveal's page).
_DEFAULT = object()


@bp.route("/contests/<int:contest_id>/entries")
@login_required
def entries(contest_id: int):
    """The contest's entries, filterable by trade, status and a name or ID search."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    query = (
        select(Entry)
        .join(Entry.person)
        .join(Entry.contest_trade)
        .where(ContestTrade.contest_id == contest_id)
    )
    ct_filter = request.args.get("ct", type=db_int)
    status = request.args.get("status")
    search = (request.args.get("q") or "").strip()[:SEARCH_LENGTH]
    if ct_filter:
        query = query.where(Entry.contest_trade_id == ct_filter)
    if status in STATUS_LABELS:
        query = query.where(Entry.status == status)
    if search:
        # A part of a name, or a whole ID number (kept encrypted: found by its keyed hash).
        like = f"%{search}%"
        query = query.where(
            or_(Person.name.like(like), Person.id_number_hash == id_number_hash(search))
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = max(request.args.get("page", 1, type=db_int), 1)
    rows = db.session.scalars(
        query.order_by(Entry.contest_trade_id, Person.name)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "registry/entries.html",
        contest=contest,
        entries=rows,
        total=total,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        statuses=STATUS_LABELS,
        filters={"ct": ct_filter, "status": status, "q": search},
    )


def _entry_form(contest: Contest, **kwargs) -> EntryForm:
    form = EntryForm(**kwargs)
    form.contest_trade_id.choices = services.contest_trade_choices(contest)
    form.delegation_id.choices = [("", "—"), *delegation_choices(contest.id)]
    form.unit_id.choices = [("", "—"), *services.unit_choices()]
    return form


@bp.route("/contests/<int:contest_id>/entries/new", methods=["GET", "POST"])
@login_required
def entry_new(contest_id: int):
    """Register a contestant: found by ID number if already known, else created."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    form = _entry_form(contest)
    if form.validate_on_submit():
        chosen = form.contest_trade_id.data
        ct = db.session.get(ContestTrade, chosen) if chosen is not None else None
        delegations = {d[0] for d in delegation_choices(contest_id)}
        if ct is None or ct.contest_id != contest_id:
            form.contest_trade_id.errors.append(_("Choose a trade from the list."))
        elif form.delegation_id.data and form.delegation_id.data not in delegations:
            form.delegation_id.errors.append(_("Choose a delegation from the list."))
        else:
            try:
                outcome = services.register_entry(
                    ct,
                    form.person_facts(),
                    {f: getattr(form, f).data for f in PERSON_FIELDS},
                    form.delegation_id.data,
                    form.status.data,
                    form.out_of_competition.data,
                )
            except services.RegistrationError as err:
                db.session.rollback()
                getattr(form, err.field).errors.append(say(err.reason))
            else:
                db.session.commit()
                if outcome.found_existing_person:
                    flash(
                        _(
                            "Found %(name)s already registered by ID number; the entry was added "
                            "to that person.",
                            name=outcome.entry.person.name,
                        ),
                        "info",
                    )
                flash(_("Contestant registered."), "success")
                return redirect(url_for("registry.entries", contest_id=contest_id))
    return render_form(
        form, _l("Register a contestant"), url_for("registry.entries", contest_id=contest_id)
    )


@bp.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def entry_edit(entry_id: int):
    """Change an entry's status or delegation."""
    entry = db.get_or_404(Entry, entry_id)
    contest = entry.contest_trade.contest
    require_contest_role(contest.id, "organiser")
    form = EntryEditForm(obj=entry)
    form.status.choices = [(k, STATUS_LABELS[k]) for k in rules.settable_statuses(entry.status)]
    form.delegation_id.choices = [("", "—"), *delegation_choices(contest.id)]
    if form.validate_on_submit():
        form.populate_obj(entry)
        db.session.commit()
        flash(_("Entry saved."), "success")
        return redirect(url_for("registry.entries", contest_id=contest.id))
    return render_form(
        form,
        _l("Entry of %(name)s", name=entry.person.name),
        url_for("registry.entries", contest_id=contest.id),
    )


def _organised(person: Person) -> set[int]:
    """The contests the person is entered in that the current user organises."""
    return services.organised_for(current_user, person)


def _edit_problem(person: Person) -> rules.Reason | None:
    """Why the current user may not change the person's record (None: they may)."""
    entered_in = {e.contest_trade.contest_id: e.contest_trade.contest.name for e in person.entries}
    return rules.person_edit_problem(current_user.is_registrar, _organised(person), entered_in)


@bp.route("/persons/<int:person_id>", methods=["GET", "POST"])
@login_required
def person(person_id: int):
    """A contestant's record: their data, their entries across contests, and its history.
    Registrars and the organisers of any of their contests read it; who changes it: see
    ``rules.person_edit_problem``."""
    person = _readable_person(person_id)
    problem = _edit_problem(person)
    form = _person_form(person)
    refused = request.method == "POST" and problem is not None  # the page says why
    if not refused and form.validate_on_submit():
        facts = form.person_facts()
        other = services.find_person(facts.id_type, facts.id_number)
        if other is not None and other.id != person.id:
            form.id_number.errors.append(_("Another contestant has this ID number."))
        else:
            # Left empty, gender and birth date come from the ID number, else stay as they were
            # (populate_obj would blank them: the columns are NOT NULL).
            complete = rules.complete_person(facts)
            kept = person.gender, person.birth_date
            form.populate_obj(person)
            person.id_number = facts.id_number
            person.gender = complete.gender or kept[0]
            person.birth_date = complete.birth_date or kept[1]
            db.session.commit()
            flash(_("Contestant saved."), "success")
            return redirect(url_for("registry.person", person_id=person.id))
    return _person_page(person, form, RevealIdForm(), problem), (403 if refused else 200)


@bp.route("/persons/<int:person_id>/id-number", methods=["POST"])
@login_required
def reveal_id_number(person_id: int):
    """Show a contestant's whole ID number to whoever may read their record, once, for the
    reason they give; who, whose, when and why go to the audit log."""
    person = _readable_person(person_id)
    reveal = RevealIdForm()
    if not reveal.validate_on_submit():
        page = _person_page(person, _person_form(person, None), reveal, _edit_problem(person))
        return page, 400
    organised = _organised(person)
    number = services.reveal_id_number(
        person, current_user.id, min(organised) if organised else None, reveal.reason.data
    )
    db.session.commit()
    form = _person_form(person, None)
    return _person_page(person, form, RevealIdForm(formdata=None), _edit_problem(person), number)


def _readable_person(person_id: int) -> Person:
    """The person, if the current user may read their record (registrars, and the organisers
    of a contest they are entered in); 404 or 403 otherwise."""
    person = db.get_or_404(Person, person_id)
    if not (current_user.is_registrar or _organised(person)):
        abort(403)
    return person


def _person_form(person: Person, formdata=_DEFAULT) -> PersonForm:
    """The edit form of a person's record, its ID number field empty (shown masked beside)."""
    form = PersonForm(obj=person) if formdata is _DEFAULT else PersonForm(formdata, obj=person)
    form.unit_id.choices = [("", "—"), *services.unit_choices()]
    form.keep_id_number(person.id_number)
    return form


def _person_page(person, form, reveal, problem, revealed: str | None = None) -> str:
    """A contestant's page: their data (the ID number masked unless just revealed), entries,
    the edit form and the history."""
    reveals = select(IdReveal.id).where(IdReveal.person_id == person.id)
    history = db.session.scalars(
        select(AuditLog)
        .where(
            or_(
                and_(AuditLog.entity == "person", AuditLog.entity_id == person.id),
                and_(AuditLog.entity == "id_reveal", AuditLog.entity_id.in_(reveals)),
            )
        )
        .order_by(AuditLog.at.desc())
    ).all()
    users = dict(
        db.session.execute(
            select(User.id, User.display_name).where(User.id.in_({r.user_id for r in history}))
        ).all()
    )
    names = audit_words.referenced_names(history)
    return render_template(
        "registry/person.html",
        users=users,
        person=person,
        form=form,
        reveal=reveal,
        revealed=revealed,
        masked=identity_rules.mask_id_number(person.id_number),
        edit_problem=say(problem) if problem else None,
        history=[(row, audit_words.describe(row, names)) for row in history],
        statuses=STATUS_LABELS,
        genders=GENDER_LABELS,
        id_types=ID_TYPE_LABELS,
        skills=SKILL_LABELS,
        sections=person_sections.of(person),
    )
