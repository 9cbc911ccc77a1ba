"""A contest holding an innovation contest, exported with ``flask backup export --contest`` and
restored on the other backend: every innovation row (attachment bytes included), the review as
an assessment, the achievements in it as subjects, their scheme, the members' people."""

from datetime import date
from decimal import Decimal

from competitions.backup.services import scope as backup_scope
from competitions.core.db import db
from competitions.innovation import services as innovation
from tests import factories as f
from tests.core.test_backup import cli, other, rows  # noqa: F401  (``other`` is a fixture)

PDF = b"%PDF-1.4\n%%EOF\n"
TABLES = [name for name in backup_scope.CONTEST_PATH if name.startswith("innovation_")]


def _innovation_contest() -> None:
    contest = f.contest("CX-2026", tier="city", year=2026)
    f.grant(f.user("org"), contest, "organiser")
    comp = innovation.create_innovation(contest.id, "创新成果竞赛", 60, 40, {})
    steel = f.unit("济钢")
    for n, (title, benefit) in enumerate((("快换装置", "120000"), ("防磨结构", None)), start=1):
        submission = innovation.save_submission(
            comp,
            None,
            None,
            {
                "category": "technical_improvement",
                "title": title,
                "abstract": "简介",
                "unit_id": steel.id,
                "benefit_yuan": Decimal(benefit) if benefit else None,
            },
            [innovation.MemberLine(f"成员{n}", f.resident_id(date(1981, 2, n), n))],
        )
        innovation.add_attachment(submission, "报告.pdf", PDF)
        innovation.submit(submission)
        innovation.check_format(submission, True, "")
    innovation.open_review(comp)
    db.session.commit()


def test_an_innovation_contest_is_restored_whole_on_the_other_backend(
    app,
    runner,
    other,  # noqa: F811  (the fixture imported above)
    tmp_path,
):
    _innovation_contest()
    archive = tmp_path / "cx-2026.zip"
    result = runner.invoke(args=["backup", "export", "--contest", "CX-2026", str(archive)])
    assert result.exit_code == 0, result.output
    tables = [*TABLES, "assessment", "subject", "scheme_part", "scheme_item", "person"]
    before = {name: rows(name) for name in tables}
    assert before["innovation_attachment"][0]["data"] == PDF
    assert len(before["innovation_entry"]) == 2 and len(before["scheme_item"]) == 4
    result = cli(other, "backup", "restore", str(archive))
    assert result.exit_code == 0, result.output
    with other.app_context():
        for name, expected in before.items():
            assert rows(name) == expected, name
