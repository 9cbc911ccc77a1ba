"""The union's figures count innovation contests, their achievements (not drafts) by category
and the benefit they claim, per tree, on both backends; a new achievement counts again."""

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from competitions.core.db import db
from competitions.innovation import services as innovation
from competitions.registry.models import Contest
from competitions.stats import services
from tests import factories as f
from tests.stats import world

PDF = b"%PDF-1.4\n%%EOF\n"


def _achievement(comp, unit_id, title, category, benefit, serial, submit=True):
    submission = innovation.save_submission(
        comp,
        None,
        None,
        {
            "category": category,
            "title": title,
            "abstract": "",
            "unit_id": unit_id,
            "benefit_yuan": benefit,
        },
        [innovation.MemberLine(f"职工{serial}", f.resident_id(date(1970, 6, serial), serial))],
    )
    if submit:
        innovation.add_attachment(submission, "a.pdf", PDF)
        innovation.submit(submission)
    return submission


def test_innovation_contests_achievements_and_benefit_are_counted(app):
    tree = world.build()
    city = db.session.scalar(select(Contest).filter_by(code="JN-2026"))
    comp = innovation.create_innovation(city.id, "职工创新成果竞赛", 60, 40, {})
    _achievement(
        comp, tree.factory.id, "快换装置", "technical_improvement", Decimal("120000.40"), 1
    )
    _achievement(comp, tree.factory.id, "防磨结构", "invention_patent", Decimal("80000"), 2)
    _achievement(comp, tree.factory.id, "未提交", "invention_patent", Decimal("999999"), 3, False)
    _achievement(comp, tree.factory.id, "合理化建议", "rationalisation", None, 4)
    db.session.commit()
    services.refresh()
    db.session.commit()

    everything = services.figures(2026, None)
    # The city's contest holds trades, a labour competition and an innovation contest.
    assert everything.by["contest_kinds"] == {"skill": 2, "labour": 1, "innovation": 1}
    # Three submitted (the draft is not counted), by category; their benefit in whole yuan.
    assert everything.by["innovations"] == {
        "": 3,
        "technical_improvement": 1,
        "invention_patent": 1,
        "rationalisation": 1,
    }
    assert everything.by["innovation_benefit"] == {
        "": 200000,
        "technical_improvement": 120000,
        "invention_patent": 80000,
    }
    # Jinan's tree (the city contest's organiser) holds them; Qingdao's does not.
    assert services.figures(2026, tree.jinan.id).total("innovations") == 3
    assert services.figures(2026, tree.qingdao.id).total("innovations") == 0
    with app.test_request_context("/"):
        rows = dict(services.summary_rows(everything))
        assert rows[_("Innovation contests")] == 1
        assert rows[_("Their claimed benefit (yuan)")] == 200000

    # A new achievement changes what the year counts: the workers count it again.
    _achievement(comp, tree.factory.id, "新成果", "operating_method", Decimal(5000), 5)
    db.session.commit()
    assert 2026 in services.refresh()
    db.session.commit()
    assert services.figures(2026, None).total("innovation_benefit") == 205000
