"""assessment: judging assesses any subject. The supertables ``assessment`` and ``subject``,
which every contest-trade and entry now is (same ids); judging's tables point at them
(``assessment_id``, ``subject_id``; ``entry_code`` and ``judge_entry`` become ``subject_code`` and
``judge_subject``)

Revision ID: 9a4c2e7b1d53
Revises: 5e2b7d1c9a40
Create Date: 2026-12-04 22:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "9a4c2e7b1d53"
down_revision = "5e2b7d1c9a40"
branch_labels = None
depends_on = None

#: Judging's tables whose contest-trade becomes an assessment.
ASSESSED = (
    "scheme_part",
    "panel_member",
    "relation_declaration",
    "marking_lock",
    "lock_event",
    "code_reveal",
)
#: Judging's tables whose entry becomes a subject.
SUBJECTED = ("mark", "mark_change", "score_sheet", "flag_resolution")
#: Unique constraints naming a renamed column: table → [(old columns, new columns)].
UNIQUES = {
    "scheme_part": [(["contest_trade_id", "kind"], ["assessment_id", "kind"])],
    "panel_member": [(["contest_trade_id", "user_id"], ["assessment_id", "user_id"])],
    "mark": [(["entry_id", "item_id", "judge_id"], ["subject_id", "item_id", "judge_id"])],
    "score_sheet": [(["entry_id", "judge_id"], ["subject_id", "judge_id"])],
}
#: Tables with an index on the renamed column.
INDEXED = {
    "scheme_part",
    "panel_member",
    "relation_declaration",
    "lock_event",
    "code_reveal",
    "mark",
    "score_sheet",
    "flag_resolution",
}
NEW = {"contest_trade_id": "assessment_id", "entry_id": "subject_id"}
OLD = {new: old for old, new in NEW.items()}
TARGET = {
    "contest_trade_id": "contest_trade",
    "entry_id": "entry",
    "assessment_id": "assessment",
    "subject_id": "subject",
}


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _supertables():
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contest_id"],
            ["contest.id"],
            name=op.f("fk_assessment_contest_id_contest"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
        sa.UniqueConstraint("id", "contest_id", name=op.f("uq_assessment_id_contest_id")),
    )
    op.create_index(op.f("ix_assessment_contest_id"), "assessment", ["contest_id"])
    op.create_table(
        "subject",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["assessment.id"],
            name=op.f("fk_subject_assessment_id_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subject")),
        sa.UniqueConstraint("id", "assessment_id", name=op.f("uq_subject_id_assessment_id")),
    )
    op.create_index(op.f("ix_subject_assessment_id"), "subject", ["assessment_id"])
    op.execute(
        "INSERT INTO assessment (id, kind, contest_id) "
        "SELECT id, 'contest_trade', contest_id FROM contest_trade"
    )
    op.execute(
        "INSERT INTO subject (id, kind, assessment_id) "
        "SELECT id, 'entry', contest_trade_id FROM entry"
    )
    if _postgres():
        for table in ("assessment", "subject"):
            op.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
        for table in ("contest_trade", "entry"):
            op.execute(f"ALTER TABLE {table} ALTER COLUMN id DROP DEFAULT")
            op.execute(f"DROP SEQUENCE IF EXISTS {table}_id_seq")
    with op.batch_alter_table("contest_trade") as batch:
        batch.create_foreign_key(
            "fk_contest_trade_id_assessment",
            "assessment",
            ["id", "contest_id"],
            ["id", "contest_id"],
            ondelete="CASCADE",
            onupdate="CASCADE",
        )
    with op.batch_alter_table("entry") as batch:
        batch.create_foreign_key(
            "fk_entry_id_subject",
            "subject",
            ["id", "contest_trade_id"],
            ["id", "assessment_id"],
            ondelete="CASCADE",
            onupdate="CASCADE",
        )


def _drop_supertables():
    with op.batch_alter_table("entry") as batch:
        batch.drop_constraint("fk_entry_id_subject", type_="foreignkey")
    with op.batch_alter_table("contest_trade") as batch:
        batch.drop_constraint("fk_contest_trade_id_assessment", type_="foreignkey")
    if _postgres():
        for table in ("contest_trade", "entry"):
            op.execute(f"CREATE SEQUENCE {table}_id_seq OWNED BY {table}.id")
            op.execute(
                f"SELECT setval('{table}_id_seq', "
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )
            op.execute(
                f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')"
            )
    op.drop_index(op.f("ix_subject_assessment_id"), table_name="subject")
    op.drop_table("subject")
    op.drop_index(op.f("ix_assessment_contest_id"), table_name="assessment")
    op.drop_table("assessment")


def _rename(table: str, old: str, new: str) -> None:
    """Rename the column ``old`` of ``table`` to ``new``, its foreign key, index and uniques
    with it, pointing the key at the id of ``new``'s table."""
    forward = new in OLD
    pairs = UNIQUES.get(table, [])
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(f"fk_{table}_{old}_{TARGET[old]}", type_="foreignkey")
        if table in INDEXED:
            batch.drop_index(f"ix_{table}_{old}")
        for old_cols, new_cols in pairs:
            cols = old_cols if forward else new_cols
            batch.drop_constraint(f"uq_{table}_{'_'.join(cols)}", type_="unique")
    with op.batch_alter_table(table) as batch:
        batch.alter_column(old, new_column_name=new)
    with op.batch_alter_table(table) as batch:
        batch.create_foreign_key(
            f"fk_{table}_{new}_{TARGET[new]}", TARGET[new], [new], ["id"], ondelete="CASCADE"
        )
        if table in INDEXED:
            batch.create_index(f"ix_{table}_{new}", [new])
        for old_cols, new_cols in pairs:
            cols = new_cols if forward else old_cols
            batch.create_unique_constraint(f"uq_{table}_{'_'.join(cols)}", cols)


def _chief_index(column: str) -> None:
    op.create_index(
        "uq_panel_member_chief",
        "panel_member",
        [column],
        unique=True,
        postgresql_where=sa.text("role = 'chief_judge'"),
        sqlite_where=sa.text("role = 'chief_judge'"),
    )


def _codes_and_assignments(forward: bool) -> None:
    """entry_code and judge_entry are made anew as subject_code and judge_subject (or back),
    their rows copied."""
    code_old, code_new = ("entry_code", "subject_code") if forward else ("subject_code", "entry_code")
    job_old, job_new = ("judge_entry", "judge_subject") if forward else ("judge_subject", "judge_entry")
    subject, assessment = ("subject_id", "assessment_id") if forward else ("entry_id", "contest_trade_id")
    before = OLD if forward else NEW
    was_subject, was_assessment = before[subject], before[assessment]
    op.create_table(
        code_new,
        sa.Column(subject, sa.Integer(), nullable=False),
        sa.Column(assessment, sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("station", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            [assessment],
            [f"{TARGET[assessment]}.id"],
            name=f"fk_{code_new}_{assessment}_{TARGET[assessment]}",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            [subject],
            [f"{TARGET[subject]}.id"],
            name=f"fk_{code_new}_{subject}_{TARGET[subject]}",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(subject, name=f"pk_{code_new}"),
        sa.UniqueConstraint(assessment, "code", name=f"uq_{code_new}_{assessment}_code"),
        sa.UniqueConstraint(assessment, "station", name=f"uq_{code_new}_{assessment}_station"),
    )
    op.create_index(f"ix_{code_new}_{assessment}", code_new, [assessment])
    op.execute(
        f"INSERT INTO {code_new} ({subject}, {assessment}, code, station) "
        f"SELECT {was_subject}, {was_assessment}, code, station FROM {code_old}"
    )
    op.drop_table(code_old)
    op.create_table(
        job_new,
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(subject, sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            [subject],
            [f"{TARGET[subject]}.id"],
            name=f"fk_{job_new}_{subject}_{TARGET[subject]}",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["panel_member.id"],
            name=f"fk_{job_new}_member_id_panel_member",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("member_id", subject, name=f"pk_{job_new}"),
    )
    op.create_index(f"ix_{job_new}_{subject}", job_new, [subject])
    op.execute(
        f"INSERT INTO {job_new} (member_id, {subject}) "
        f"SELECT member_id, {was_subject} FROM {job_old}"
    )
    op.drop_table(job_old)


def upgrade():
    _supertables()
    op.drop_index("uq_panel_member_chief", table_name="panel_member")
    for table in ASSESSED:
        _rename(table, "contest_trade_id", "assessment_id")
    for table in SUBJECTED:
        if table == "mark_change":
            op.drop_index("ix_mark_change_entry_item", table_name="mark_change")
        _rename(table, "entry_id", "subject_id")
    op.create_index("ix_mark_change_subject_item", "mark_change", ["subject_id", "item_id"])
    _chief_index("assessment_id")
    _codes_and_assignments(forward=True)


def downgrade():
    _codes_and_assignments(forward=False)
    op.drop_index("uq_panel_member_chief", table_name="panel_member")
    op.drop_index("ix_mark_change_subject_item", table_name="mark_change")
    for table in SUBJECTED:
        _rename(table, "subject_id", "entry_id")
    op.create_index("ix_mark_change_entry_item", "mark_change", ["entry_id", "item_id"])
    for table in ASSESSED:
        _rename(table, "assessment_id", "contest_trade_id")
    _chief_index("contest_trade_id")
    _drop_supertables()
