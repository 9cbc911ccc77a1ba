"""A 工匠 selection's records: the campaign (an assessment of kind "selection_review", hanging
off a contest for its tier, organising unit, year and organisers), its nominating bodies with
quotas, its nominees (the subjects the experts mark through judging), their attachments, and
the public vote's durable trail with the organiser's voids and resets.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competitions.assessment.models import Assessment, Subject, kept_in_both, same_as_supertable
from competitions.core.db import db, utcnow
from competitions.registry.models import Person
from competitions.selection.rules import (
    BODY_KINDS,
    CHANNELS,
    LEVELS,
    NOMINEE_STATES,
    WEIGHTED_CHANNELS,
)
from competitions.units.models import Unit


def _in(column: str, values: tuple) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class SelectionCampaign(Assessment):
    """A yearly campaign naming 工匠 (e.g. 2026年度齐鲁工匠): its title, eligibility, stages and
    the weights of the combined score. Its expert review is judging's, on this assessment."""

    __tablename__ = "selection_campaign"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    contest_id: Mapped[int] = kept_in_both(
        "contest_id", "contest.id", Assessment.__table__.c.contest_id
    )
    name: Mapped[str] = mapped_column(String(200))
    #: The title granted (齐鲁工匠, 齐鲁大工匠…) and its level (city, province, chief).
    title_name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10), default="province")
    titles: Mapped[int] = mapped_column(default=10)
    #: How many of the experts' best go to the public vote.
    vote_nominees: Mapped[int] = mapped_column(default=30)
    min_years_in_trade: Mapped[int] = mapped_column(default=10)
    max_age: Mapped[int | None] = mapped_column()
    needs_lower_title: Mapped[bool] = mapped_column(default=False)
    nominations_close: Mapped[datetime] = mapped_column()
    vote_opens: Mapped[datetime] = mapped_column()
    vote_closes: Mapped[datetime] = mapped_column()
    expert_weight: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(70))
    vote_weight: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal(30))
    #: Votes per voter per day (one per nominee).
    daily_votes: Mapped[int] = mapped_column(default=10)
    notice_working_days: Mapped[int] = mapped_column(default=7)
    appeal_window_hours: Mapped[int] = mapped_column(default=0)
    #: The vote's channels and their weights among themselves ("web 40, wechat 30, app 20,
    #: offline 10"); empty: every vote counts alike (``rules.parse_channel_weights``).
    channel_weights: Mapped[str] = mapped_column(String(200), default="", server_default="")
    #: Votes from one address in five minutes after which each further vote passes a challenge.
    challenge_after: Mapped[int] = mapped_column(default=20, server_default="20")

    contest = relationship("Contest", foreign_keys=[contest_id], viewonly=True)
    bodies: Mapped[list["NominatingBody"]] = relationship(
        back_populates="campaign", order_by="NominatingBody.name"
    )

    __table_args__ = (
        UniqueConstraint("contest_id"),
        same_as_supertable("contest_id", Assessment.__table__.c.contest_id),
        CheckConstraint(_in("level", LEVELS), name="level"),
        CheckConstraint("expert_weight + vote_weight = 100", name="weights"),
        CheckConstraint("titles > 0", name="titles"),
    )
    __mapper_args__ = {
        "polymorphic_identity": "selection_review",
        "inherit_condition": id == Assessment.id,
    }

    @property
    def title(self) -> str:
        return self.name

    @property
    def printed_title(self) -> str:
        return self.title_name

    @property
    def short_code(self) -> str:
        return "GJ"

    @property
    def part_weights(self) -> dict[str, Decimal]:
        return {"theory": Decimal(0), "practical": Decimal(100)}

    def delegation_choices(self) -> list[tuple[int, str]]:
        """The campaign's nominating bodies: an expert who comes with one recuses from its
        nominees (kept in ``SelectionExpert``, not in the panel's delegation column)."""
        return [(b.id, b.name) for b in self.bodies]

    def seat_group(self, member, group_id: int | None) -> None:
        """Record the nominating body an expert comes with (``SelectionExpert``)."""
        expert = db.session.scalar(
            select(SelectionExpert).filter_by(campaign_id=self.id, user_id=member.user_id)
        )
        if expert is None:
            expert = SelectionExpert(campaign_id=self.id, user_id=member.user_id)
            db.session.add(expert)
        expert.body_id = group_id or None
        db.session.flush()

    def judge_affiliation(self, member) -> tuple[int | None, int | None]:
        """The expert's unit (as set for this campaign, else their account's) and body."""
        expert = db.session.scalar(
            select(SelectionExpert).filter_by(campaign_id=self.id, user_id=member.user_id)
        )
        if expert is None:
            return member.user.unit_id, None
        return expert.unit_id or member.user.unit_id, expert.body_id

    def resembles(self, other: Assessment) -> bool:
        return isinstance(other, SelectionCampaign)

    def __repr__(self) -> str:
        return f"<SelectionCampaign {self.id} {self.name}>"


class NominatingBody(db.Model):
    """A city union, industry union or enterprise that nominates, within its quota, through the
    account named on it (its nominator)."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("selection_campaign.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(150))
    kind: Mapped[str] = mapped_column(String(20), default="city_union")
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT"), index=True
    )
    nominator_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    quota: Mapped[int] = mapped_column(default=1)

    campaign: Mapped[SelectionCampaign] = relationship(back_populates="bodies")
    unit: Mapped[Unit | None] = relationship()
    nominator = relationship("User")

    __table_args__ = (
        UniqueConstraint("campaign_id", "name"),
        CheckConstraint(_in("kind", BODY_KINDS), name="kind"),
        CheckConstraint("quota >= 0", name="quota"),
    )

    def __repr__(self) -> str:
        return f"<NominatingBody {self.id} {self.name}>"


class Nominee(Subject):
    """A person nominated by a body: their trade, deeds and achievements; the qualification
    review's decision; marked by the experts once passed."""

    __tablename__ = "selection_nominee"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    campaign_id: Mapped[int] = kept_in_both(
        "campaign_id", "selection_campaign.id", Subject.__table__.c.assessment_id
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"), index=True)
    body_id: Mapped[int] = mapped_column(
        ForeignKey("nominating_body.id", ondelete="RESTRICT"), index=True
    )
    trade: Mapped[str] = mapped_column(String(100))
    deeds: Mapped[str] = mapped_column(Text, default="")
    achievements: Mapped[str] = mapped_column(Text, default="")
    years_in_trade: Mapped[int] = mapped_column(default=0)
    in_service: Mapped[bool] = mapped_column(default=True)
    disciplinary_record: Mapped[bool] = mapped_column(default=False)
    holds_lower_title: Mapped[bool] = mapped_column(default=False)
    #: The contest result it was proposed from (a provincial first prize), if any.
    award_subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("result.subject_id", ondelete="SET NULL")
    )
    #: nominated → passed, or returned (with a reason).
    state: Mapped[str] = mapped_column(String(10), default="nominated")
    return_reason: Mapped[str] = mapped_column(Text, default="")
    nominated_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship()
    body: Mapped[NominatingBody] = relationship()

    __table_args__ = (
        UniqueConstraint("campaign_id", "person_id"),
        same_as_supertable("campaign_id", Subject.__table__.c.assessment_id),
        CheckConstraint(_in("state", NOMINEE_STATES), name="state"),
    )
    __mapper_args__ = {
        "polymorphic_identity": "selection_nominee",
        "inherit_condition": id == Subject.id,
    }

    @classmethod
    def facts(cls):
        """The person's name and unit; the nominating body as the delegation (recusal); marked
        once the qualification review passed them."""
        t = cls.__table__.c
        return (
            select(
                t.id.label("subject_id"),
                t.campaign_id.label("assessment_id"),
                t.person_id.label("person_id"),
                Person.id_number_hash.label("id_number_hash"),
                Person.name.label("name"),
                Person.unit_id.label("unit_id"),
                Unit.name.label("unit_name"),
                NominatingBody.id.label("delegation_id"),
                NominatingBody.name.label("delegation_name"),
                NominatingBody.unit_id.label("delegation_unit_id"),
                (t.state == "passed").label("marked"),
            )
            .select_from(cls.__table__)
            .join(Person, Person.id == t.person_id)
            .join(NominatingBody, NominatingBody.id == t.body_id)
            .outerjoin(Unit, Unit.id == Person.unit_id)
        )

    def __repr__(self) -> str:
        return f"<Nominee {self.id} p={self.person_id} {self.state}>"


SelectionCampaign.subject_class = Nominee


class NomineeAttachment(db.Model):
    """A nomination's attachment (PDF or image), kept in the database for every worker."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    nominee_id: Mapped[int] = mapped_column(
        ForeignKey("selection_nominee.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column()
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True, info={"audited": False})
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class VoteVoid(db.Model):
    """The organiser's void of a period's or a source's votes, or reset of a nominee to zero,
    with the reason shown in the 公示."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("selection_campaign.id", ondelete="CASCADE"), index=True
    )
    nominee_id: Mapped[int | None] = mapped_column(
        ForeignKey("selection_nominee.id", ondelete="CASCADE")
    )
    #: "address:…" or "device:…"; empty for every source.
    source: Mapped[str] = mapped_column(String(100), default="")
    starts_at: Mapped[datetime | None] = mapped_column()
    ends_at: Mapped[datetime | None] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    voided: Mapped[int] = mapped_column(default=0)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint("reason <> ''", name="reason"),)


class Vote(db.Model):
    """One accepted vote: the durable trail (voided votes stay, marked)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The id Redis gave it when it was acknowledged (unique: a batch written twice adds nothing).
    token: Mapped[str] = mapped_column(String(40), unique=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("selection_campaign.id", ondelete="CASCADE"), index=True
    )
    nominee_id: Mapped[int] = mapped_column(
        ForeignKey("selection_nominee.id", ondelete="CASCADE"), index=True
    )
    device: Mapped[str] = mapped_column(String(40))
    device_family: Mapped[str] = mapped_column(String(60), default="")
    address: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(10), default="web")
    cast_at: Mapped[datetime] = mapped_column()
    void_id: Mapped[int | None] = mapped_column(
        ForeignKey("vote_void.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (CheckConstraint(_in("channel", CHANNELS), name="channel"),)


class SelectionExpert(db.Model):
    """An expert of the campaign's panel as the campaign knows them: the nominating body they
    come with and their unit (both recuse them), and their ID number's keyed hash (a nominee
    with the same ID number is refused)."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("selection_campaign.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    body_id: Mapped[int | None] = mapped_column(
        ForeignKey("nominating_body.id", ondelete="SET NULL")
    )
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    id_number_hash: Mapped[str] = mapped_column(
        String(64), default="", index=True, info={"audited": False}
    )
    #: The ID number's last four characters, to show which one was recorded.
    id_number_tail: Mapped[str] = mapped_column(String(4), default="")

    user = relationship("User")
    body: Mapped[NominatingBody | None] = relationship()
    unit: Mapped[Unit | None] = relationship()

    __table_args__ = (UniqueConstraint("campaign_id", "user_id"),)


class ChannelTally(db.Model):
    """Votes of a channel counted outside Jingsai (paper ballots, a partner's app), entered by
    the organiser per nominee; the latest entry of a nominee and channel stands."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("selection_campaign.id", ondelete="CASCADE"), index=True
    )
    nominee_id: Mapped[int] = mapped_column(
        ForeignKey("selection_nominee.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(10))
    votes: Mapped[int] = mapped_column()
    note: Mapped[str] = mapped_column(Text, default="")
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    nominee: Mapped[Nominee] = relationship()

    __table_args__ = (
        UniqueConstraint("nominee_id", "channel"),
        CheckConstraint(_in("channel", WEIGHTED_CHANNELS), name="channel"),
        CheckConstraint("votes >= 0", name="votes"),
    )


class TieDecision(db.Model):
    """The panel chair's (or organiser's) order among nominees tied at the title line that the
    expert score does not part, with the reason (shown in the 公示)."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("selection_campaign.id", ondelete="CASCADE"), index=True
    )
    nominee_id: Mapped[int] = mapped_column(
        ForeignKey("selection_nominee.id", ondelete="CASCADE"), unique=True
    )
    #: 1 first among the tied.
    chair_order: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    nominee: Mapped[Nominee] = relationship()

    __table_args__ = (
        CheckConstraint("reason <> ''", name="reason"),
        CheckConstraint("chair_order > 0", name="chair_order"),
    )
