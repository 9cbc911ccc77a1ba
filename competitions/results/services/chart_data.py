"""The data behind the results charts: one query each, handed to the pure rules in ``charts``.

Pages (the organiser's, the chief judge's, the public's) call these and pass the result to the
macros in ``templates/macros/charts.html``. ``published_only`` leaves out results that are still
drafts, for pages the public sees.
"""

from sqlalchemy import and_, case, func, select

from competitions.accounts.models import User
from competitions.core.db import db
from competitions.judging.models import Mark, SchemeItem, SchemePart
from competitions.registry.models import Contest, ContestTrade, Entry
from competitions.results import services
from competitions.results.models import PUBLISHED, Result, ResultSet
from competitions.results.rules import charts
from competitions.results.services.inputs import PENDING_STATUSES


def _published_sets():
    """The ids of contest-trades whose results are under notice or final."""
    return select(ResultSet.assessment_id).where(ResultSet.state.in_(PUBLISHED))


def histogram_for(ct_id: int) -> charts.Histogram:
    """The histogram of a contest-trade's totals, ranked entries only (the public page draws
    it from the published rows it already has)."""
    query = select(Result.total).where(Result.assessment_id == ct_id, Result.rank.is_not(None))
    return charts.histogram(db.session.scalars(query))


def funnel_for(
    contest: Contest, trade_id: int | None = None, published_only: bool = False
) -> charts.Funnel:
    """The funnel of the contest's tier chain (``services.chain_contest_ids``), by tier.

    Counts every entry of the chain's contests in the field (of one trade, or all; not a draft,
    submitted, returned or recommended one still awaiting an organiser), the ranked ones and those
    who advance (none at the top of the chain: it feeds nothing); every contest of the chain
    counts, even one without entries yet. With ``published_only`` only contest-trades whose
    results are published count at all.
    """
    trade_on = ContestTrade.contest_id == Contest.id
    if trade_id is not None:
        trade_on = and_(trade_on, ContestTrade.trade_id == trade_id)
    if published_only:
        trade_on = and_(trade_on, ContestTrade.id.in_(_published_sets()))
    result_on = Result.subject_id == Entry.id
    advancing, feeds = Result.advances.is_(True), Contest.parent_id.is_not(None)
    rows = db.session.execute(
        select(
            Contest.id,
            Contest.tier,
            func.count(Entry.id),
            func.count(Result.rank),
            # Only a contest that feeds a higher one has anyone advancing.
            func.coalesce(func.sum(case((and_(advancing, feeds), 1), else_=0)), 0),
        )
        .select_from(Contest)
        .outerjoin(ContestTrade, trade_on)
        .outerjoin(
            Entry,
            and_(
                Entry.contest_trade_id == ContestTrade.id,
                Entry.status.not_in(PENDING_STATUSES),
            ),
        )
        .outerjoin(Result, result_on)
        .where(Contest.id.in_(services.chain_contest_ids(contest)))
        .group_by(Contest.id, Contest.tier)
    ).all()
    return charts.funnel(charts.ContestCount(*row) for row in rows)


def judge_deviations_for(ct_id: int) -> charts.DeviationChart:
    """Each judge of a contest-trade against the panel mean (for the chief judge and organisers:
    it names the judges)."""
    rows = db.session.execute(
        select(
            Mark.subject_id,
            Mark.item_id,
            Mark.judge_id,
            Mark.value,
            SchemeItem.max_mark,
            SchemeItem.scale,
            User.display_name,
        )
        .join(SchemeItem, SchemeItem.id == Mark.item_id)
        .join(SchemePart, SchemePart.id == SchemeItem.part_id)
        .join(User, User.id == Mark.judge_id)
        .where(SchemePart.assessment_id == ct_id)
    ).all()
    names = {row.judge_id: row.display_name for row in rows}
    return charts.judge_deviations((charts.JudgeMark(*row[:6]) for row in rows), names)
