"""contestday: the contest day (赛务): sessions of a contest-trade (exam_session), its recorded
draw of lots (seat_draw), each entry's seat with its admission ticket (seat), check-ins
(check_in)

Revision ID: e295c66f308b
Revises: 5e7b2c9d4a16
Create Date: 2026-12-05 00:03:32
"""

import sqlalchemy as sa
from alembic import op

revision = "e295c66f308b"
down_revision = "5e7b2c9d4a16"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "exam_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_trade_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.Time(), nullable=False),
        sa.Column("ends_at", sa.Time(), nullable=False),
        sa.Column("place", sa.String(length=150), nullable=False),
        sa.Column("workstations", sa.Integer(), nullable=False),
        sa.Column("absent_marked_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_exam_session_times")),
        sa.CheckConstraint(
            "workstations BETWEEN 1 AND 999", name=op.f("ck_exam_session_workstations")
        ),
        sa.ForeignKeyConstraint(
            ["contest_trade_id"],
            ["contest_trade.id"],
            name=op.f("fk_exam_session_contest_trade_id_contest_trade"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exam_session")),
        sa.UniqueConstraint(
            "contest_trade_id", "name", name=op.f("uq_exam_session_contest_trade_id_name")
        ),
    )
    with op.batch_alter_table("exam_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exam_session_contest_trade_id"), ["contest_trade_id"], unique=False
        )

    op.create_table(
        "seat_draw",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_trade_id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.String(length=40), nullable=False),
        sa.Column("algorithm", sa.String(length=40), nullable=False),
        sa.Column("entry_ids", sa.JSON(), nullable=False),
        sa.Column("session_slots", sa.JSON(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(), nullable=False),
        sa.Column("drawn_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contest_trade_id"],
            ["contest_trade.id"],
            name=op.f("fk_seat_draw_contest_trade_id_contest_trade"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["drawn_by_id"],
            ["user_account.id"],
            name=op.f("fk_seat_draw_drawn_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seat_draw")),
        sa.UniqueConstraint("contest_trade_id", name=op.f("uq_seat_draw_contest_trade_id")),
    )
    op.create_table(
        "seat",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("workstation", sa.Integer(), nullable=False),
        sa.Column("ticket_number", sa.String(length=20), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("ticket_made_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("workstation >= 1", name=op.f("ck_seat_workstation")),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entry.id"], name=op.f("fk_seat_entry_id_entry"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["exam_session.id"],
            name=op.f("fk_seat_session_id_exam_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seat")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_seat_entry_id")),
        sa.UniqueConstraint("ticket_number", name=op.f("uq_seat_ticket_number")),
        sa.UniqueConstraint(
            "session_id", "workstation", name=op.f("uq_seat_session_id_workstation")
        ),
    )
    with op.batch_alter_table("seat", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_seat_session_id"), ["session_id"], unique=False)

    op.create_table(
        "check_in",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("way", sa.String(length=10), nullable=False),
        sa.CheckConstraint("way IN ('scan', 'typed')", name=op.f("ck_check_in_way")),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["user_account.id"],
            name=op.f("fk_check_in_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["seat_id"], ["seat.id"], name=op.f("fk_check_in_seat_id_seat"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_in")),
        sa.UniqueConstraint("seat_id", name=op.f("uq_check_in_seat_id")),
    )


def downgrade():
    op.drop_table("check_in")
    with op.batch_alter_table("seat", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_seat_session_id"))

    op.drop_table("seat")
    op.drop_table("seat_draw")
    with op.batch_alter_table("exam_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exam_session_contest_trade_id"))

    op.drop_table("exam_session")
