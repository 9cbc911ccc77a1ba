"""A contest holding a labour competition, exported with ``flask backup export --contest`` and
restored on the other backend: every labour row (evidence bytes included), the periods as
assessments, the standings as subjects, their results and result sets, the same."""

from decimal import Decimal

from competitions.backup.services import scope as backup_scope
from competitions.core.db import db
from competitions.labour import services as labour
from competitions.labour.services import reporting, scoring
from tests import factories as f
from tests.core.test_backup import cli, other, rows  # noqa: F401  (``other`` is a fixture)

PDF = b"%PDF-1.4\n%%EOF\n"
LABOUR_TABLES = [name for name in backup_scope.CONTEST_PATH if name.startswith("labour_")]


def _labour_contest() -> None:
    contest = f.contest("LD-2026", tier="enterprise", year=2026)
    org, reporter = f.user("org"), f.user("reporter")
    f.grant(org, contest, "organiser")
    comp = labour.create_competition(contest.id, "劳动竞赛", "quarter", 2026, 1, "labour_model")
    team = labour.add_participant(comp, "甲班", "work_team", f.unit("济钢").id, "reporter")
    labour.add_participant(comp, "乙班", "work_team", None, "")
    labour.save_scheme(
        comp,
        [
            labour.IndicatorRow(
                "产量", "吨", "higher", Decimal(100), Decimal(60), "ratio", Decimal(120), None
            ),
            labour.IndicatorRow("隐患", "项", "lower", Decimal(0), Decimal(40), "rank", None, None),
        ],
    )
    veto = labour.add_veto(comp, "重大安全事故", "zero")
    period = labour.periods(comp)[0]
    report = reporting.save_figures(
        period,
        team,
        {i.id: Decimal(v) for i, v in zip(comp.indicators, ("95.5", "1"), strict=True)},
    )
    reporting.add_evidence(report, "台账.pdf", PDF)
    reporting.submit(report, [i.id for i in comp.indicators])
    reporting.accept(report, org.id)
    labour.record_incident(labour.periods(comp)[1], team.id, veto.id, "事故")
    labour.close_period(period, org.id)
    scoring.score(comp, [period.id])
    db.session.commit()
    assert reporter.id


def test_a_labour_competition_is_restored_whole_on_the_other_backend(
    app,
    runner,
    other,  # noqa: F811  (the fixture imported above)
    tmp_path,
):
    _labour_contest()
    archive = tmp_path / "ld-2026.zip"
    result = runner.invoke(args=["backup", "export", "--contest", "LD-2026", str(archive)])
    assert result.exit_code == 0, result.output
    tables = [*LABOUR_TABLES, "assessment", "subject", "result", "result_set", "marking_lock"]
    before = {name: rows(name) for name in tables}
    assert before["labour_evidence"][0]["data"] == PDF
    assert len(before["labour_score"]) == 4 and len(before["result"]) == 4  # Q1 and the total
    result = cli(other, "backup", "restore", str(archive))
    assert result.exit_code == 0, result.output
    with other.app_context():
        for name, expected in before.items():
            assert rows(name) == expected, name
