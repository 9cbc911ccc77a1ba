"""registry, tiers: recommendation up the tiers (a contest-trade's quota per source) and
contests held outside Jingsai (outside_contest, outside_score), direct recommendations by a
unit (direct_recommendation)

Revision ID: 7d2c4e9a1f60
Revises: 6d2f8b4e1c57
Create Date: 2026-12-05 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "7d2c4e9a1f60"
down_revision = "6d2f8b4e1c57"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("contest_trade") as batch:
        batch.add_column(sa.Column("recommend_per_source", sa.Integer(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_contest_trade_recommend_quota"),
            "recommend_per_source IS NULL OR recommend_per_source >= 0",
        )
    op.create_table(
        "outside_contest",
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("registered_by", sa.Integer(), nullable=True),
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contest_id"],
            ["contest.id"],
            name=op.f("fk_outside_contest_contest_id_contest"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registered_by"],
            ["user_account.id"],
            name=op.f("fk_outside_contest_registered_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("contest_id", name=op.f("pk_outside_contest")),
    )
    op.create_table(
        "outside_score",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("contest_trade_id", sa.Integer(), nullable=False),
        sa.Column("theory", sa.Numeric(9, 4), nullable=True),
        sa.Column("practical", sa.Numeric(9, 4), nullable=True),
        sa.Column("given_total", sa.Numeric(7, 2), nullable=True),
        sa.Column("given_rank", sa.Integer(), nullable=True),
        sa.Column("given_award", sa.String(12), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "given_total IS NOT NULL OR theory IS NOT NULL OR practical IS NOT NULL",
            name=op.f("ck_outside_score_some_score"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entry.id"],
            name=op.f("fk_outside_score_entry_id_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contest_trade_id"],
            ["contest_trade.id"],
            name=op.f("fk_outside_score_contest_trade_id_contest_trade"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_outside_score")),
    )
    op.create_index(
        op.f("ix_outside_score_contest_trade_id"), "outside_score", ["contest_trade_id"]
    )
    op.create_table(
        "direct_recommendation",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("recommended_by", sa.Integer(), nullable=True),
        sa.Column("recommended_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entry.id"],
            name=op.f("fk_direct_recommendation_entry_id_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_direct_recommendation_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["recommended_by"],
            ["user_account.id"],
            name=op.f("fk_direct_recommendation_recommended_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_direct_recommendation")),
    )
    op.create_index(op.f("ix_direct_recommendation_unit_id"), "direct_recommendation", ["unit_id"])


def downgrade():
    op.drop_index(op.f("ix_direct_recommendation_unit_id"), table_name="direct_recommendation")
    op.drop_table("direct_recommendation")
    op.drop_index(op.f("ix_outside_score_contest_trade_id"), table_name="outside_score")
    op.drop_table("outside_score")
    op.drop_table("outside_contest")
    with op.batch_alter_table("contest_trade") as batch:
        batch.drop_constraint(op.f("ck_contest_trade_recommend_quota"), type_="check")
        batch.drop_column("recommend_per_source")
