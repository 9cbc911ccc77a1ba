"""Demo innovation-achievement contest (职工创新成果竞赛) in the city contest: five achievements of
four categories (a team of three, a team of two, three of one person), submitted by a unit's
submitter with a PDF each; four passed the format check (形式审查), one returned with its
reasons; the expert online review not opened yet (the organiser opens it once the returned one
is fixed, as the browser journey does). Through the same services the pages use."""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from competitions.accounts.models import User
from competitions.innovation import services as innovation
from competitions.registry.models import Contest
from competitions.registry.rules import resident_id_check_char
from competitions.units.models import Unit
from seeds.files import read_json

#: The achievement's document: a one-page PDF (its content, not its name, is checked).
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def load_innovation(session: Session, data_dir, password_hash: str) -> dict[str, int]:
    data = read_json("innovation.json", data_dir)
    contest = session.scalar(select(Contest).filter_by(code=data["contest"]))
    units = {u.name: u.id for u in session.scalars(select(Unit))}
    row = data["submitter"]
    submitter = User(
        username=row["username"],
        display_name=row["display_name"],
        unit_id=units[row["unit"]],
        password_hash=password_hash,
    )
    session.add(submitter)
    session.flush()
    comp = innovation.create_innovation(contest.id, data["name"], 60, 40, {})
    for row in data["submissions"]:
        submission = innovation.save_submission(
            comp,
            None,
            submitter.id,
            {
                "category": row["category"],
                "title": row["title"],
                "abstract": row["abstract"],
                "unit_id": units[row["unit"]],
                "benefit_yuan": Decimal(row["benefit"]),
            },
            [
                innovation.MemberLine(name, first17 + resident_id_check_char(first17))
                for name, first17 in row["members"]
            ],
        )
        innovation.add_attachment(submission, "成果报告.pdf", PDF)
        innovation.submit(submission)
        innovation.check_format(submission, row["state"] == "passed", row.get("return_reason", ""))
    session.flush()
    return {"innovation_submissions": len(data["submissions"])}
