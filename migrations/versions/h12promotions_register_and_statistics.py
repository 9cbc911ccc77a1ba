"""results: the outside body's decision date on an honour and the register of promotions;
statistics: who reads the union's figures of which unit's tree, and the figures the workers keep

Revision ID: 6d2f8b4e1c57
Revises: 4c9e1a7d3b82
Create Date: 2026-12-05 00:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "6d2f8b4e1c57"
down_revision = "4c9e1a7d3b82"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("honour") as batch:
        batch.add_column(sa.Column("decided_on", sa.Date(), nullable=True))
    op.create_table(
        "promotion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("honour_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("contest_trade_id", sa.Integer(), nullable=False),
        sa.Column("from_level", sa.Integer(), nullable=True),
        sa.Column("to_level", sa.Integer(), nullable=False),
        sa.Column("award", sa.String(20), nullable=True),
        sa.Column("granted_on", sa.Date(), nullable=False),
        sa.CheckConstraint("to_level BETWEEN 1 AND 5", name=op.f("ck_promotion_to_level")),
        sa.CheckConstraint(
            "from_level IS NULL OR (from_level BETWEEN 1 AND 5 AND to_level < from_level)",
            name=op.f("ck_promotion_up"),
        ),
        sa.ForeignKeyConstraint(
            ["honour_id"], ["honour.id"], name=op.f("fk_promotion_honour_id_honour"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_promotion_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contest_trade_id"], ["contest_trade.id"],
            name=op.f("fk_promotion_contest_trade_id_contest_trade"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotion")),
        sa.UniqueConstraint("honour_id", name=op.f("uq_promotion_honour_id")),
    )
    op.create_index(op.f("ix_promotion_person_id"), "promotion", ["person_id"])
    op.create_index(op.f("ix_promotion_contest_trade_id"), "promotion", ["contest_trade_id"])
    op.create_table(
        "stats_reader",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_stats_reader_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_stats_reader_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_reader")),
        sa.UniqueConstraint("user_id", "unit_id", name=op.f("uq_stats_reader_user_id_unit_id")),
    )
    op.create_index(op.f("ix_stats_reader_user_id"), "stats_reader", ["user_id"])
    op.create_index(op.f("ix_stats_reader_unit_id"), "stats_reader", ["unit_id"])
    op.create_table(
        "figure_year",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("fingerprint", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_figure_year")),
    )
    op.create_table(
        "figure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("measure", sa.String(30), nullable=False),
        sa.Column("dimension", sa.String(100), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_figure_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_figure")),
    )
    op.create_index("ix_figure_year_unit", "figure", ["year", "unit_id"])


def downgrade():
    op.drop_index("ix_figure_year_unit", table_name="figure")
    op.drop_table("figure")
    op.drop_table("figure_year")
    op.drop_index(op.f("ix_stats_reader_unit_id"), table_name="stats_reader")
    op.drop_index(op.f("ix_stats_reader_user_id"), table_name="stats_reader")
    op.drop_table("stats_reader")
    op.drop_index(op.f("ix_promotion_contest_trade_id"), table_name="promotion")
    op.drop_index(op.f("ix_promotion_person_id"), table_name="promotion")
    op.drop_table("promotion")
    with op.batch_alter_table("honour") as batch:
        batch.drop_column("decided_on")
