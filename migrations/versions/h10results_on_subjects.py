"""results, publication, certificates: result sets, results, appeals and certificates point at
the assessment and the subject (any kind), not at the contest-trade and the entry

Revision ID: 3b8e5d2f7a61
Revises: 9a4c2e7b1d53
Create Date: 2026-12-04 21:30:00
"""

from alembic import op

revision = "3b8e5d2f7a61"
down_revision = "9a4c2e7b1d53"
branch_labels = None
depends_on = None

#: table → [(old column, new column, ondelete, indexed)].
COLUMNS = {
    "result_set": [("contest_trade_id", "assessment_id", "CASCADE", False)],
    "result": [
        ("entry_id", "subject_id", "CASCADE", False),
        ("contest_trade_id", "assessment_id", "CASCADE", True),
    ],
    "appeal": [
        ("contest_trade_id", "assessment_id", "CASCADE", True),
        ("entry_id", "subject_id", "CASCADE", True),
    ],
    "certificate": [
        ("contest_trade_id", "assessment_id", "RESTRICT", True),
        ("entry_id", "subject_id", "SET NULL", True),
    ],
}
#: Unique constraints naming a renamed column (the certificate's seq and live subject).
UNIQUES = {"certificate": (["seq"], ["live_subject"])}
TARGET = {
    "contest_trade_id": "contest_trade",
    "entry_id": "entry",
    "assessment_id": "assessment",
    "subject_id": "subject",
}


def _move(forward: bool) -> None:
    for table, columns in COLUMNS.items():
        pairs = [(o, n, d, i) if forward else (n, o, d, i) for o, n, d, i in columns]
        before = {o: n for o, n, _, _ in pairs}
        after_key = before.get("contest_trade_id") or before.get("assessment_id")
        key_before = "contest_trade_id" if forward else "assessment_id"
        with op.batch_alter_table(table) as batch:
            for old, _, _, indexed in pairs:
                batch.drop_constraint(f"fk_{table}_{old}_{TARGET[old]}", type_="foreignkey")
                if indexed:
                    batch.drop_index(f"ix_{table}_{old}")
            for rest in UNIQUES.get(table, ()):
                batch.drop_constraint(f"uq_{table}_{key_before}_{rest[0]}", type_="unique")
        with op.batch_alter_table(table) as batch:
            for old, new, _, _ in pairs:
                batch.alter_column(old, new_column_name=new)
        with op.batch_alter_table(table) as batch:
            for _, new, ondelete, indexed in pairs:
                batch.create_foreign_key(
                    f"fk_{table}_{new}_{TARGET[new]}", TARGET[new], [new], ["id"], ondelete=ondelete
                )
                if indexed:
                    batch.create_index(f"ix_{table}_{new}", [new])
            for rest in UNIQUES.get(table, ()):
                batch.create_unique_constraint(
                    f"uq_{table}_{after_key}_{rest[0]}", [after_key, *rest]
                )


def upgrade():
    _move(forward=True)


def downgrade():
    _move(forward=False)
