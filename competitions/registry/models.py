"""Registration records: trades, units, delegations, contests, contest-trades, persons, entries."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Numeric,
    Select,
    String,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from competitions.assessment.models import (
    Assessment,
    Subject,
    kept_in_both,
    same_as_supertable,
)
from competitions.core.crypto import Encrypted, id_number_hash
from competitions.core.db import db, utcnow
from competitions.core.i18n import trade_name
from competitions.core.identity_rules import mask_id_number, mask_phone, normalise_id_number
from competitions.registry.rules import TIERS
from competitions.units.models import Unit

GENDERS = ("M", "F")
ID_TYPES = ("resident", "passport", "hkmo", "taiwan", "other")
#: draft: a liaison's or team leader's, not yet submitted; submitted: awaiting the
#: organiser's review; returned: sent back with a reason (``review_note``); recommended: sent
#: up from a lower tier, awaiting the upper organiser. Then registered or approved (marked), or
#: withdrawn, disqualified, absent.
ENTRY_STATUSES = (
    "draft",
    "submitted",
    "returned",
    "recommended",
    "registered",
    "approved",
    "withdrawn",
    "disqualified",
    "absent",
)
#: Entries in these states are marked; withdrawn, disqualified and absent ones are not.
MARKED_STATUSES = ("registered", "approved")
#: 职业技能等级: 5 = 五级/初级工 … 1 = 一级/高级技师.
SKILL_LEVELS = (5, 4, 3, 2, 1)
AWARD_MODES = ("proportion", "fixed", "bands", "medals")
AWARD_ROUNDINGS = ("half_up", "floor", "ceil")
ADVANCEMENT_MODES = ("top_n", "first_only", "per_unit")
ADVANCEMENT_TIES = ("all", "none", "chief_judge")
TEAM_MODES = ("best_n", "points")
TIE_BREAK_KEYS = ("practical", "time", "theory")


def _in(column: str, values: tuple) -> str:
    """A CHECK expression limiting a column to a set of values."""
    quoted = ", ".join(f"'{v}'" if isinstance(v, str) else str(v) for v in values)
    return f"{column} IN ({quoted})"


class Trade(db.Model):
    """A trade (工种), e.g. 钳工 (fitter)."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    #: A short code, unique, used in certificate numbers (e.g. "6-20-01-01").
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(150))
    industry: Mapped[str] = mapped_column(String(100), default="")

    def __repr__(self) -> str:
        return f"<Trade {self.code} {self.name_zh}>"


class Contest(db.Model):
    """A contest at one tier, optionally feeding a contest of a higher tier."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    #: A short code, unique, used in certificate numbers (e.g. "SD-PROV").
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column()
    tier: Mapped[str] = mapped_column(String(20))
    organising_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT"), index=True
    )
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    #: The contest at the next tier this one feeds; its tier must be higher (checked by the form).
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("contest.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Years after its results are final that the personal details of its contestants without
    #: an award are kept (then anonymised, privacy.rules.due_for_anonymising); empty: the
    #: installation's default (JINGSAI_RETENTION_YEARS).
    retention_years: Mapped[int | None] = mapped_column()
    #: The registration window of liaisons and team leaders (报名), in the contest's local time
    #: like the other deadlines; both empty: they cannot register.
    registration_opens: Mapped[datetime | None] = mapped_column()
    registration_closes: Mapped[datetime | None] = mapped_column()

    organising_unit: Mapped[Unit | None] = relationship()
    parent: Mapped["Contest | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Contest"]] = relationship(back_populates="parent")
    contest_trades: Mapped[list["ContestTrade"]] = relationship(
        back_populates="contest", order_by="ContestTrade.id", foreign_keys="ContestTrade.contest_id"
    )
    delegations: Mapped[list["Delegation"]] = relationship(
        back_populates="contest", order_by="Delegation.name"
    )

    __table_args__ = (
        CheckConstraint(_in("tier", TIERS), name="tier"),
        CheckConstraint("ends_on >= starts_on", name="dates"),
        CheckConstraint("year BETWEEN 1950 AND 2200", name="year"),
        CheckConstraint(
            "registration_closes IS NULL OR registration_opens IS NULL "
            "OR registration_closes > registration_opens",
            name="registration_window",
        ),
    )

    def __repr__(self) -> str:
        return f"<Contest {self.code} {self.tier} {self.year}>"


class Delegation(db.Model):
    """A team (代表队) a unit or region sends to one contest; team results are by delegation."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contest.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(150))
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT"), index=True
    )

    contest: Mapped[Contest] = relationship(back_populates="delegations")
    unit: Mapped[Unit | None] = relationship()

    __table_args__ = (UniqueConstraint("contest_id", "name"),)

    def __repr__(self) -> str:
        return f"<Delegation {self.id} {self.name}>"


class ContestTrade(Assessment):
    """A trade as held in one contest, with the rule settings its marking and results follow.

    It is an assessment (judging marks its entries): its id is its ``assessment`` row's, and
    ``contest_id`` is kept in both tables (one attribute), so that a trade is held once per
    contest; a composite foreign key keeps the two equal."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    contest_id: Mapped[int] = kept_in_both(
        "contest_id", "contest.id", Assessment.__table__.c.contest_id
    )
    trade_id: Mapped[int] = mapped_column(ForeignKey("trade.id", ondelete="RESTRICT"), index=True)
    #: Weights of the part scores in the total, in percent; they add up to 100.
    theory_weight: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("30"))
    practical_weight: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("70"))
    #: Ordered tie-break keys after the total, comma-separated (practical, time, theory).
    tie_breaks: Mapped[str] = mapped_column(String(60), default="practical,time,theory")
    #: 排名不并列: force an order for the places that get medals.
    no_shared_medal_ranks: Mapped[bool] = mapped_column(default=False)
    award_mode: Mapped[str] = mapped_column(String(20), default="proportion")
    #: Per mode: percentages "10,20,30", counts "1,2,3", or band ends "5,20".
    award_numbers: Mapped[str] = mapped_column(String(60), default="10,20,30")
    award_rounding: Mapped[str] = mapped_column(String(10), default="half_up")
    #: 优胜奖 for the rest of the field down to half of it.
    honourable_mentions: Mapped[bool] = mapped_column(default=False)
    #: No award below this total; empty for none.
    award_min_total: Mapped[Decimal | None] = mapped_column(Numeric(6, 2), default=Decimal("60"))
    advancement_mode: Mapped[str] = mapped_column(String(20), default="top_n")
    advancement_quota: Mapped[int] = mapped_column(default=3)
    #: With mode per_unit: at most this many from one unit.
    advancement_per_unit: Mapped[int | None] = mapped_column()
    #: 名额 of recommendations (逐级推荐): at most this many accepted from one source (a lower
    #: contest, or a unit recommending directly); empty for no limit.
    recommend_per_source: Mapped[int | None] = mapped_column()
    #: A tie at the cut-off: all tied advance, none of them, or the chief judge decides.
    advancement_tie: Mapped[str] = mapped_column(String(20), default="all")
    team_mode: Mapped[str] = mapped_column(String(10), default="best_n")
    #: Team total = the best N members' totals.
    team_size: Mapped[int] = mapped_column(default=3)
    #: With team mode points: points per award, first prize first.
    team_points: Mapped[str] = mapped_column(String(40), default="8,4,2,1")
    #: 公示 length in working days, and the on-site appeal window in hours.
    notice_working_days: Mapped[int] = mapped_column(default=5)
    appeal_window_hours: Mapped[int] = mapped_column(default=2)
    #: Eligibility: age range on the reference date (the contest's start when empty).
    min_age: Mapped[int] = mapped_column(default=16)
    max_age: Mapped[int] = mapped_column(default=60)
    eligibility_date: Mapped[date | None] = mapped_column(Date)
    #: At most this many entries per unit (a liaison's) and per delegation (a team leader's);
    #: empty: no limit.
    quota_per_unit: Mapped[int | None] = mapped_column()
    quota_per_delegation: Mapped[int | None] = mapped_column()
    #: 开赛人数: fewer entries in the field and the trade is flagged (to cancel or merge).
    min_field_size: Mapped[int | None] = mapped_column()
    #: The proof a registration must carry: a photo, proof of employment.
    requires_photo: Mapped[bool] = mapped_column(default=False)
    requires_employment_proof: Mapped[bool] = mapped_column(default=False)

    contest: Mapped[Contest] = relationship(
        back_populates="contest_trades", foreign_keys="ContestTrade.contest_id"
    )
    trade: Mapped[Trade] = relationship()

    __table_args__ = (
        UniqueConstraint("contest_id", "trade_id"),
        same_as_supertable("contest_id", Assessment.__table__.c.contest_id),
        CheckConstraint(
            "theory_weight >= 0 AND practical_weight >= 0 "
            "AND theory_weight + practical_weight = 100",
            name="weights",
        ),
        CheckConstraint(_in("award_mode", AWARD_MODES), name="award_mode"),
        CheckConstraint(_in("award_rounding", AWARD_ROUNDINGS), name="award_rounding"),
        CheckConstraint(_in("advancement_mode", ADVANCEMENT_MODES), name="advancement_mode"),
        CheckConstraint(_in("advancement_tie", ADVANCEMENT_TIES), name="advancement_tie"),
        CheckConstraint(_in("team_mode", TEAM_MODES), name="team_mode"),
        CheckConstraint("advancement_quota >= 0", name="quota"),
        CheckConstraint(
            "recommend_per_source IS NULL OR recommend_per_source >= 0", name="recommend_quota"
        ),
        CheckConstraint("team_size >= 1", name="team_size"),
        CheckConstraint("notice_working_days >= 0 AND appeal_window_hours >= 0", name="notice"),
        CheckConstraint("min_age >= 0 AND max_age >= min_age", name="ages"),
        CheckConstraint(
            "(quota_per_unit IS NULL OR quota_per_unit >= 0) "
            "AND (quota_per_delegation IS NULL OR quota_per_delegation >= 0) "
            "AND (min_field_size IS NULL OR min_field_size >= 1)",
            name="enrolment_limits",
        ),
    )

    __mapper_args__ = {
        "polymorphic_identity": "contest_trade",
        "inherit_condition": id == Assessment.id,
    }

    def __repr__(self) -> str:
        return f"<ContestTrade {self.id} contest={self.contest_id} trade={self.trade_id}>"

    @property
    def title(self) -> str:
        """The trade's name in the reader's language."""
        return trade_name(self.trade)

    @property
    def printed_title(self) -> str:
        """The trade's Chinese name."""
        return self.trade.name_zh

    @property
    def short_code(self) -> str:
        """The trade's code."""
        return self.trade.code

    @property
    def part_weights(self) -> dict[str, Decimal]:
        """Theory and practical, as the contest-trade weighs them."""
        return {"theory": self.theory_weight, "practical": self.practical_weight}

    def delegation_choices(self) -> list[tuple[int, str]]:
        """The contest's delegations."""
        return delegation_choices(self.contest_id)

    def resembles(self, other: Assessment) -> bool:
        """The same trade (in another contest)."""
        return isinstance(other, ContestTrade) and other.trade_id == self.trade_id

    @property
    def reference_date(self) -> date:
        """The date on which eligibility ages are counted."""
        return self.eligibility_date or self.contest.starts_on


class Person(db.Model):
    """A contestant (选手): one person across all contests, found by their ID number."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[date] = mapped_column(Date)
    id_type: Mapped[str] = mapped_column(String(10), default="resident")
    #: Normalised (no spaces, X upper-case), kept encrypted; found by ``id_number_hash``.
    id_number: Mapped[str] = mapped_column(Encrypted(255, mask=mask_id_number))
    #: The keyed hash of the normalised ID number (set with it): unique per document type,
    #: what look-ups, duplicate checks and imports compare. Not audited (it says nothing).
    id_number_hash: Mapped[str] = mapped_column(
        String(64), info={"audited": False, "hash_of": ("id_number", normalise_id_number)}
    )
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT"), index=True
    )
    skill_level: Mapped[int | None] = mapped_column()
    #: Kept encrypted (at most 30 characters as typed).
    phone: Mapped[str] = mapped_column(Encrypted(255, mask=mask_phone), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the retention of their contests ran out and their details were anonymised.
    anonymised_at: Mapped[datetime | None] = mapped_column()

    unit: Mapped[Unit | None] = relationship()
    entries: Mapped[list["Entry"]] = relationship(back_populates="person")

    __table_args__ = (
        UniqueConstraint("id_type", "id_number_hash"),
        CheckConstraint(_in("gender", GENDERS), name="gender"),
        CheckConstraint(_in("id_type", ID_TYPES), name="id_type"),
        CheckConstraint("skill_level IS NULL OR skill_level BETWEEN 1 AND 5", name="skill_level"),
    )

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.name}>"

    @validates("id_number")
    def _hash_id_number(self, key: str, value: str) -> str:
        """Keep the hash beside the ID number whenever it is set."""
        self.id_number_hash = id_number_hash(value)
        return value


class Entry(Subject):
    """A person's entry (报名) in one contest-trade.

    It is a subject (judging marks it): its id is its ``subject`` row's, and
    ``contest_trade_id`` is the subject's ``assessment_id`` kept in both tables (one
    attribute), so that a person enters a contest-trade once; a composite foreign key keeps
    the two equal."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"), index=True)
    contest_trade_id: Mapped[int] = kept_in_both(
        "contest_trade_id", "contest_trade.id", Subject.__table__.c.assessment_id
    )
    delegation_id: Mapped[int | None] = mapped_column(
        ForeignKey("delegation.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="registered")
    #: 不计名次/观摩: marked and shown, but not ranked, awarded, advanced or counted in a team.
    out_of_competition: Mapped[bool] = mapped_column(default=False)
    #: Why the entry was returned (to the liaison, or to the lower tier that recommended it).
    review_note: Mapped[str] = mapped_column(String(300), default="")
    #: Time used in the practical exam, in seconds (a tie-break: less is better).
    time_used_s: Mapped[int | None] = mapped_column()
    #: The entry in the lower-tier contest this one advanced from.
    source_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("entry.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(back_populates="entries")
    contest_trade: Mapped[ContestTrade] = relationship(foreign_keys="Entry.contest_trade_id")
    delegation: Mapped[Delegation | None] = relationship()
    source_entry: Mapped["Entry | None"] = relationship(
        remote_side=[id], back_populates="next_entries", foreign_keys=[source_entry_id]
    )
    #: The entries in higher-tier contests that advanced from this one.
    next_entries: Mapped[list["Entry"]] = relationship(
        back_populates="source_entry", foreign_keys=[source_entry_id]
    )

    __table_args__ = (
        UniqueConstraint("person_id", "contest_trade_id"),
        CheckConstraint(_in("status", ENTRY_STATUSES), name="status"),
        same_as_supertable("contest_trade_id", Subject.__table__.c.assessment_id),
    )
    __mapper_args__ = {"polymorphic_identity": "entry", "inherit_condition": id == Subject.id}

    def __repr__(self) -> str:
        return f"<Entry {self.id} person={self.person_id} ct={self.contest_trade_id} {self.status}>"

    @classmethod
    def facts(cls) -> Select:
        """The entry's person, their unit, their delegation; marked unless withdrawn,
        disqualified or absent."""
        return (
            select(
                cls.id.label("subject_id"),
                cls.contest_trade_id.label("assessment_id"),
                cls.person_id.label("person_id"),
                Person.id_number_hash.label("id_number_hash"),
                Person.name.label("name"),
                Person.unit_id.label("unit_id"),
                Unit.name.label("unit_name"),
                cls.delegation_id.label("delegation_id"),
                Delegation.name.label("delegation_name"),
                Delegation.unit_id.label("delegation_unit_id"),
                cls.status.in_(MARKED_STATUSES).label("marked"),
            )
            .join(Person, Person.id == cls.person_id)
            .outerjoin(Unit, Unit.id == Person.unit_id)
            .outerjoin(Delegation, Delegation.id == cls.delegation_id)
        )


ContestTrade.subject_class = Entry


def delegation_choices(contest_id: int) -> list[tuple[int, str]]:
    """The contest's delegations as (id, name), by name."""
    rows = db.session.execute(
        select(Delegation.id, Delegation.name)
        .where(Delegation.contest_id == contest_id)
        .order_by(Delegation.name)
    )
    return [tuple(r) for r in rows]


class PersonConsent(db.Model):
    """A person's agreement to the privacy notice (rules.PRIVACY_NOTICE_VERSION), with the
    version they agreed to, when and where (the look-up of their results)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(20))
    context: Mapped[str] = mapped_column(String(20))
    agreed_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<PersonConsent {self.person_id} {self.version} {self.context}>"


ID_REVEAL_KINDS = ("page", "export")


class IdReveal(db.Model):
    """A whole ID number shown to an organiser (on a contestant's page, with a reason), or a
    download of a list that holds whole ID numbers, for the record: who, whose, when, why."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    #: Whose number (a page), or empty for a list (a download).
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), index=True
    )
    #: The contest the look was for (empty: the shared register, by a registrar).
    contest_id: Mapped[int | None] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    #: The contest-trade of a downloaded list.
    contest_trade_id: Mapped[int | None] = mapped_column(
        ForeignKey("contest_trade.id", ondelete="CASCADE")
    )
    #: "page" (one person's number) or "export" (a list).
    what: Mapped[str] = mapped_column(String(10), default="page")
    #: Why, as the organiser typed it (a download says which list).
    reason: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint(_in("what", ID_REVEAL_KINDS), name="what"),)

    def __repr__(self) -> str:
        return f"<IdReveal {self.what} person={self.person_id} by {self.user_id}>"
