"""Demo labour competition (劳动竞赛) in the enterprise contest: three work teams (班组) with their
reporters, a scheme of four indicators with two vetoes, two quarters reported, accepted, closed
and scored (one veto incident), the first quarter's ranking under public notice, the third
quarter being reported. Through the same services the pages use."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from competitions.accounts.models import User
from competitions.labour import services as labour
from competitions.labour.services import reporting, scoring
from competitions.publication import services as publication
from competitions.registry.models import Contest
from competitions.results.models import ResultSet
from competitions.units.models import Unit
from seeds.files import read_json

#: When the demo's first quarter went under public notice (a Monday).
PUBLISHED_AT = datetime(2018, 4, 9, 9, 0)


def load_labour(session: Session, data_dir, password_hash: str) -> dict[str, int]:
    data = read_json("labour.json", data_dir)
    contest = session.scalar(select(Contest).filter_by(code=data["contest"]))
    units = {u.name: u.id for u in session.scalars(select(Unit))}
    organiser = session.scalar(select(User).filter_by(username="organiser"))
    for row in data["reporters"]:
        session.add(
            User(
                username=row["username"],
                display_name=row["display_name"],
                unit_id=units[row["unit"]],
                password_hash=password_hash,
            )
        )
    session.flush()
    comp = labour.create_competition(
        contest.id,
        data["name"],
        data["period_kind"],
        contest.year,
        data["commend_top"],
        data["commendation"],
    )
    participants = {
        row["name"]: labour.add_participant(
            comp, row["name"], row["kind"], units[row["unit"]], row["reporter"]
        )
        for row in data["participants"]
    }
    labour.save_scheme(
        comp,
        [
            labour.IndicatorRow(
                row["name"],
                row["measure"],
                row["direction"],
                Decimal(row["target"]),
                Decimal(row["weight"]),
                row["scoring"],
                Decimal(row["cap"]) if "cap" in row else None,
                Decimal(row["floor"]) if "floor" in row else None,
            )
            for row in data["indicators"]
        ],
    )
    vetoes = {
        row["name"]: labour.add_veto(comp, row["name"], row["effect"]) for row in data["vetoes"]
    }
    indicators = [i.id for i in comp.indicators]
    periods = {p.label: p for p in labour.periods(comp)}
    reports = 0
    for label, by_team in data["figures"].items():
        period = periods[label]
        for team, values in by_team.items():
            figures = dict(zip(indicators, map(Decimal, values), strict=True))
            report = reporting.save_figures(period, participants[team], figures)
            reporting.submit(report, indicators)
            if label in data["closed"]:
                reporting.accept(report, organiser.id)
            reports += 1
    for row in data["incidents"]:
        labour.record_incident(
            periods[row["period"]],
            participants[row["participant"]].id,
            vetoes[row["veto"]].id,
            row["note"],
        )
    for label in data["closed"]:
        labour.close_period(periods[label], organiser.id)
    scoring.score(comp, [periods[label].id for label in data["closed"]])
    for label in data["published"]:
        period = periods[label]
        publication.publish(period, session.get(ResultSet, period.id), PUBLISHED_AT)
    session.flush()
    return {"labour_participants": len(participants), "labour_reports": reports}
