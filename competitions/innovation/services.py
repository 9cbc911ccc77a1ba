"""An innovation contest's work: setup, submissions with members and attachments, the format
check, the expert online review and the defence session as judging's assessments, the
combined score and the awards by fixed counts (flush, never commit)."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from competitions.accounts.models import ContestRole, User
from competitions.core.db import db, utcnow
from competitions.core.identity_rules import mask_id_number
from competitions.core.words import N_, Reason
from competitions.enrolment import rules as file_rules
from competitions.innovation import rules
from competitions.innovation.models import (
    InnovationAttachment,
    InnovationCategory,
    InnovationContest,
    InnovationDefence,
    InnovationEntry,
    InnovationMember,
    InnovationRound,
    InnovationSubmission,
)
from competitions.judging import rules as judging_rules
from competitions.judging.models import Mark, MarkingLock, SchemeItem, SchemePart
from competitions.registry import rules as registry_rules
from competitions.registry.models import Person
from competitions.registry.services import find_person
from competitions.results.models import Result, ResultSet

#: Attachments: PDF, PNG or JPEG by their first bytes (enrolment's rule), at most 10 MB.
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


class InnovationError(Exception):
    """A change the rules refuse; ``reason`` says why, ``field`` where (for the form)."""

    def __init__(self, reason: Reason, field: str | None = None):
        super().__init__(str(reason))
        self.reason, self.field = reason, field


# --- setup -------------------------------------------------------------------------------------


def innovation_of(contest_id: int) -> InnovationContest | None:
    """The innovation contest held in the contest, if any."""
    return db.session.scalar(select(InnovationContest).filter_by(contest_id=contest_id))


def create_innovation(
    contest_id: int, name: str, review_weight: int, defence_weight: int, counts: dict
) -> InnovationContest:
    """An innovation contest in the contest, with every category and its award counts
    ({category: (特等, 一, 二, 三)}; a category left out gets the defaults)."""
    if innovation_of(contest_id) is not None:
        raise InnovationError(Reason.of(N_("the contest already holds an innovation contest")))
    if problem := rules.weights_problem(review_weight, defence_weight):
        raise InnovationError(problem, "review_weight")
    innovation = InnovationContest(
        contest_id=contest_id,
        name=name.strip(),
        review_weight=review_weight,
        defence_weight=defence_weight,
    )
    db.session.add(innovation)
    db.session.flush()
    for position, category in enumerate(rules.CATEGORIES):
        special, first, second, third = counts.get(category, rules.DEFAULT_COUNTS)
        db.session.add(
            InnovationCategory(
                innovation_id=innovation.id,
                position=position,
                category=category,
                special=special,
                first=first,
                second=second,
                third=third,
            )
        )
    db.session.flush()
    return innovation


def settings_refused(innovation: InnovationContest) -> Reason | None:
    """Why the award counts and weights may no longer change (None: they may)."""
    review = round_of(innovation, "review")
    return rules.settings_problem(result_state(review.id) if review else None)


def change_settings(
    innovation: InnovationContest,
    review_weight: int,
    defence_weight: int,
    counts: dict[str, dict[str, int]],
) -> bool:
    """Change the weights and the award counts per category ({category: {level: count}}),
    until the awards are published; refused whole (nothing half-saved) on a bad value. Returns
    whether awards already computed (a draft) must be computed again."""
    if problem := settings_refused(innovation):
        raise InnovationError(problem)
    if problem := rules.weights_problem(review_weight, defence_weight):
        raise InnovationError(problem, "review_weight")
    for category in innovation.categories:
        for level in rules.LEVELS:
            if problem := rules.count_problem(counts[category.category][level]):
                raise InnovationError(problem)
    innovation.review_weight, innovation.defence_weight = review_weight, defence_weight
    for category in innovation.categories:
        for level in rules.LEVELS:
            setattr(category, level, counts[category.category][level])
    db.session.flush()
    review = round_of(innovation, "review")
    return review is not None and result_state(review.id) == "draft"


def submitting_for(user_id: int) -> list[InnovationContest]:
    """The innovation contests in which the account is named as a submitter, or is a unit's
    liaison of the contest holding one."""
    named = select(InnovationSubmission.innovation_id).where(
        InnovationSubmission.submitter_id == user_id
    )
    liaison = select(ContestRole.contest_id).where(
        ContestRole.user_id == user_id, ContestRole.role == "liaison"
    )
    return list(
        db.session.scalars(
            select(InnovationContest)
            .where(InnovationContest.id.in_(named) | InnovationContest.contest_id.in_(liaison))
            .order_by(InnovationContest.id.desc())
        )
    )


def submitter_units(user_id: int, contest_id: int) -> set[int]:
    """The units whose submissions the account may make: a liaison's role scope in the
    contest (a unit's submitter)."""
    return set(
        db.session.scalars(
            select(ContestRole.unit_id).where(
                ContestRole.user_id == user_id,
                ContestRole.contest_id == contest_id,
                ContestRole.role == "liaison",
                ContestRole.unit_id.is_not(None),
            )
        )
    )


# --- submissions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberLine:
    """A member as the submitter types it: name and resident ID number."""

    name: str
    id_number: str


def parse_members(text: str) -> list[MemberLine]:
    """One member a line, "name ID-number" (a space, comma or tab between)."""
    out = []
    for raw in text.splitlines():
        parts = raw.replace(",", " ").replace("，", " ").split()
        if parts:
            out.append(MemberLine(" ".join(parts[:-1]) or parts[0], parts[-1]))
    return out


def members_shown(submission: InnovationSubmission) -> str:
    """The members as the edit form shows them: one a line, name and ID number masked."""
    return "\n".join(
        f"{m.person.name} {mask_id_number(m.person.id_number)}" for m in submission.members
    )


def unmask_members(submission: InnovationSubmission, lines: list[MemberLine]) -> list[MemberLine]:
    """The typed members with each masked ID number (as :func:`members_shown` printed it) put
    back to the stored one of the member of that name; a whole number typed is taken as typed.
    A masked number that is no member's is refused: the whole number must be typed."""
    shown = {
        (m.person.name, mask_id_number(m.person.id_number)): m.person.id_number
        for m in submission.members
    }
    out = []
    for line in lines:
        if "*" not in line.id_number:
            out.append(line)
            continue
        stored = shown.get((line.name, line.id_number.upper()))
        if stored is None:
            raise InnovationError(
                Reason.of(
                    N_("member %(name)s: type the whole ID number of a new member"),
                    name=line.name,
                ),
                "members",
            )
        out.append(MemberLine(line.name, stored))
    return out


def _person_of(line: MemberLine, unit_id: int) -> Person:
    """The registry's person with this resident ID (registered if new), checked as the
    registry checks a person; the name must match a known person's."""
    facts = registry_rules.PersonFacts(line.name, None, None, "resident", line.id_number)
    problems = registry_rules.person_problems(facts)
    if problems:
        problem = next(iter(problems.values()))
        raise InnovationError(
            Reason.of(N_("member %(name)s: %(problem)s"), name=line.name, problem=str(problem)),
            "members",
        )
    facts = registry_rules.complete_person(facts)
    person = find_person("resident", facts.id_number)
    if person is not None:
        if person.name != facts.name:
            raise InnovationError(
                Reason.of(
                    N_("member %(name)s: the ID number is registered under another name"),
                    name=line.name,
                ),
                "members",
            )
        return person
    person = Person(
        name=facts.name,
        gender=facts.gender,
        birth_date=facts.birth_date,
        id_type="resident",
        id_number=facts.id_number,
        unit_id=unit_id,
    )
    db.session.add(person)
    db.session.flush()
    return person


def save_submission(
    innovation: InnovationContest,
    submission: InnovationSubmission | None,
    submitter_id: int,
    values: dict,
    members: list[MemberLine],
) -> InnovationSubmission:
    """Write a submission (new, or a draft or returned one) with its members; refused when the
    contest is closed, the members are refused, or the same team already submitted it."""
    if not innovation.is_open:
        raise InnovationError(Reason.of(N_("submissions are closed")))
    if submission is not None and submission.state not in rules.EDITABLE:
        raise InnovationError(Reason.of(N_("a submission under check can no longer change")))
    if problem := rules.benefit_problem(values.get("benefit_yuan")):
        raise InnovationError(problem, "benefit_yuan")
    people = [_person_of(line, values["unit_id"]) for line in members]
    if problem := rules.member_problem([p.id for p in people]):
        raise InnovationError(problem, "members")
    team = frozenset(p.id for p in people)
    for other in _submissions_of_people(innovation.id, team):
        if other is submission:
            continue
        if rules.same_innovation(
            values["title"], team, other.title, frozenset(m.person_id for m in other.members)
        ):
            raise InnovationError(
                Reason.of(N_("this team has already submitted this innovation")), "title"
            )
    if submission is None:
        submission = InnovationSubmission(
            innovation_id=innovation.id, submitter_id=submitter_id, state="draft"
        )
        db.session.add(submission)
    for key in ("category", "title", "abstract", "unit_id", "benefit_yuan"):
        setattr(
            submission, key, values[key].strip() if isinstance(values[key], str) else values[key]
        )
    keep = {m.person_id: m for m in submission.members}
    submission.members = [keep.get(p.id) or InnovationMember(person_id=p.id) for p in people]
    for position, member in enumerate(submission.members):
        member.position = position
    db.session.flush()
    return submission


def _submissions_of_people(innovation_id: int, people: frozenset) -> list[InnovationSubmission]:
    return list(
        db.session.scalars(
            select(InnovationSubmission)
            .join(InnovationMember)
            .where(
                InnovationSubmission.innovation_id == innovation_id,
                InnovationMember.person_id.in_(people),
            )
            .distinct()
        )
    )


def add_attachment(submission: InnovationSubmission, filename: str, data: bytes):
    """Attach a file; refused unless a PDF or an image (by its content) within the limit."""
    if submission.state not in rules.EDITABLE:
        raise InnovationError(Reason.of(N_("a submission under check can no longer change")))
    problem = file_rules.attachment_problem("employment", data, ATTACHMENT_MAX_BYTES)
    if problem:
        raise InnovationError(problem, "file")
    attachment = InnovationAttachment(
        filename=filename[-200:] or "attachment",
        content_type=file_rules.sniff_type(data),
        size=len(data),
        data=data,
    )
    submission.attachments.append(attachment)
    db.session.flush()
    return attachment


def submit(submission: InnovationSubmission) -> None:
    """Send a draft or returned submission to the format check; it needs an attachment."""
    if submission.state not in rules.EDITABLE:
        raise InnovationError(Reason.of(N_("already submitted")))
    if not submission.attachments:
        raise InnovationError(Reason.of(N_("attach the achievement's documents first")), "file")
    submission.state, submission.submitted_at = "submitted", utcnow()
    db.session.flush()


def check_format(submission: InnovationSubmission, passed: bool, reasons: str) -> None:
    """The format check (形式审查): pass, or return with reasons the submitter reads."""
    if submission.state != "submitted":
        raise InnovationError(Reason.of(N_("only a submitted achievement is checked")))
    if passed:
        submission.state, submission.return_reason = "passed", ""
    else:
        if problem := rules.return_problem(reasons):
            raise InnovationError(problem, "reasons")
        submission.state, submission.return_reason = "returned", reasons.strip()
    db.session.flush()


def submissions_of(innovation: InnovationContest, state: str | None = None) -> list:
    query = select(InnovationSubmission).filter_by(innovation_id=innovation.id)
    if state:
        query = query.filter_by(state=state)
    return list(db.session.scalars(query.order_by(InnovationSubmission.id)))


# --- the review and the defence ----------------------------------------------------------------

#: The scheme of the expert online review: (code, criterion, maximum).
REVIEW_SCHEME = (
    ("A", "创新性", 30),
    ("B", "经济和社会效益", 30),
    ("C", "推广应用价值", 20),
    ("D", "技术难度", 20),
)
DEFENCE_SCHEME = (("E", "答辩陈述与回答", 100),)


def round_of(innovation: InnovationContest, stage: str) -> InnovationRound | None:
    return db.session.scalar(
        select(InnovationRound).filter_by(innovation_id=innovation.id, stage=stage)
    )


def _round(innovation, stage, submissions, scheme, judges: int) -> InnovationRound:
    kind = InnovationRound if stage == "review" else InnovationDefence
    assessment = kind(contest_id=innovation.contest_id, innovation_id=innovation.id, stage=stage)
    db.session.add(assessment)
    db.session.flush()
    part = SchemePart(assessment_id=assessment.id, kind="practical", name=assessment.title)
    db.session.add(part)
    db.session.flush()
    for n, (code, criterion, top) in enumerate(scheme):
        db.session.add(
            SchemeItem(
                part_id=part.id,
                position=n,
                code=code,
                criterion=criterion,
                kind="judgement",
                max_mark=Decimal(top),
                step=Decimal("0.5"),
                judges=judges,
                aggregation="mean",
                tolerance=Decimal(top),
            )
        )
    for submission in submissions:
        db.session.add(InnovationEntry(round_id=assessment.id, submission_id=submission.id))
    db.session.flush()
    return assessment


def open_review(innovation: InnovationContest, judges: int = 3) -> InnovationRound:
    """The expert online review: every submission that passed the format check, marked on the
    review scheme (innovation, benefit, applicability, difficulty) by judging's panels."""
    if round_of(innovation, "review") is not None:
        raise InnovationError(Reason.of(N_("the online review is already open")))
    passed = submissions_of(innovation, "passed")
    if not passed:
        raise InnovationError(Reason.of(N_("no submission has passed the format check")))
    innovation.is_open = False
    return _round(innovation, "review", passed, REVIEW_SCHEME, judges)


def _locked(assessment_id: int) -> bool:
    lock = db.session.get(MarkingLock, assessment_id)
    return bool(lock and lock.locked)


def scores_of(assessment_id: int) -> dict[int, Decimal]:
    """{submission id: the sum of its item marks (judging's aggregation)} in a round."""
    items = {
        i.id: i
        for i in db.session.scalars(
            select(SchemeItem).join(SchemePart).where(SchemePart.assessment_id == assessment_id)
        )
    }
    marks: dict[tuple[int, int], list] = {}
    for m in db.session.scalars(select(Mark).where(Mark.item_id.in_(items))):
        marks.setdefault((m.subject_id, m.item_id), []).append(m.value)
    entries = dict(
        db.session.execute(
            select(InnovationEntry.id, InnovationEntry.submission_id).where(
                InnovationEntry.round_id == assessment_id
            )
        ).all()
    )
    totals = {entries[e]: Decimal(0) for e in entries}
    for (subject, item_id), values in marks.items():
        totals[entries[subject]] += judging_rules.item_mark(values, items[item_id].rule)
    return totals


def open_defence(innovation: InnovationContest, per_category: int, judges: int = 3):
    """The defence session (会评答辩) once the review is locked: the best ``per_category`` of
    each category by review score go to it, marked live on the defence grid."""
    review = round_of(innovation, "review")
    if review is None or not _locked(review.id):
        raise InnovationError(Reason.of(N_("the online review's marks must be locked first")))
    if round_of(innovation, "defence") is not None:
        raise InnovationError(Reason.of(N_("the defence session is already open")))
    scores = scores_of(review.id)
    chosen = []
    for category in rules.CATEGORIES:
        field = [s for s in submissions_of(innovation, "passed") if s.category == category]
        field.sort(key=lambda s: (-scores.get(s.id, Decimal(0)), s.id))
        chosen += field[:per_category]
    return _round(innovation, "defence", chosen, DEFENCE_SCHEME, judges)


def compute_awards(innovation: InnovationContest) -> ResultSet:
    """The combined score (review and defence by the contest's weights) and the awards by
    fixed counts per category, as the review's result set (a draft, for 公示)."""
    review, defence = round_of(innovation, "review"), round_of(innovation, "defence")
    if review is None or not _locked(review.id) or (defence and not _locked(defence.id)):
        raise InnovationError(Reason.of(N_("lock the marks of the review and the defence first")))
    result_set = db.session.scalar(select(ResultSet).filter_by(assessment_id=review.id))
    if result_set is not None and result_set.state != "draft":
        raise InnovationError(Reason.of(N_("the awards are already published")))
    review_scores = scores_of(review.id)
    defence_scores = scores_of(defence.id) if defence else {}
    entries = dict(
        db.session.execute(
            select(InnovationEntry.submission_id, InnovationEntry.id).where(
                InnovationEntry.round_id == review.id
            )
        ).all()
    )
    db.session.execute(Result.__table__.delete().where(Result.assessment_id == review.id))
    ranked = 0
    for category in innovation.categories:
        scored = [
            rules.Scored(
                key=s.id,
                combined=rules.combined_score(
                    review_scores.get(s.id, Decimal(0)),
                    defence_scores.get(s.id),
                    innovation.review_weight,
                    innovation.defence_weight,
                ),
                review=review_scores.get(s.id, Decimal(0)),
            )
            for s in submissions_of(innovation, "passed")
            if s.category == category.category and s.id in entries
        ]
        combined = {s.key: s.combined for s in scored}
        for placed in rules.rank_and_award(scored, category.counts):
            db.session.add(
                Result(
                    subject_id=entries[placed.key],
                    assessment_id=review.id,
                    total=combined[placed.key],
                    rank=placed.rank,
                    award=placed.level,
                )
            )
            ranked += 1
    if result_set is None:
        result_set = ResultSet(assessment_id=review.id, state="draft", ranked=ranked)
        db.session.add(result_set)
    result_set.ranked = ranked
    db.session.flush()
    return result_set


def result_state(assessment_id: int) -> str | None:
    """The state of the awards (draft, notice, final), or None before they are computed."""
    return db.session.scalar(select(ResultSet.state).filter_by(assessment_id=assessment_id))


def benefit_total(innovation_ids: list[int]) -> tuple[int, Decimal]:
    """(submissions, their claimed benefit in yuan) of the innovation contests, not drafts."""
    count, total = db.session.execute(
        select(func.count(), func.coalesce(func.sum(InnovationSubmission.benefit_yuan), 0)).where(
            InnovationSubmission.innovation_id.in_(innovation_ids),
            InnovationSubmission.state != "draft",
        )
    ).one()
    return count, Decimal(total)


def users_by_name(username: str) -> User | None:
    return db.session.scalar(select(User).filter_by(username=username))
