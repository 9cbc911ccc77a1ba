"""selection: vote channels and their weights, the burst challenge's limit, experts'
nominating bodies and ID numbers, channel tallies entered by the organiser, the chair's tie
decisions

Revision ID: 4c7e2a91d3f0
Revises: 5d7a2c91e4b3
Create Date: 2026-12-05 03:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "4c7e2a91d3f0"
down_revision = "5d7a2c91e4b3"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("selection_campaign") as batch:
        batch.add_column(
            sa.Column("channel_weights", sa.String(length=200), server_default="", nullable=False)
        )
        batch.add_column(
            sa.Column("challenge_after", sa.Integer(), server_default="20", nullable=False)
        )
    op.create_table(
        "selection_expert",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("id_number_hash", sa.String(length=64), nullable=False),
        sa.Column("id_number_tail", sa.String(length=4), nullable=False),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["nominating_body.id"],
            name=op.f("fk_selection_expert_body_id_nominating_body"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["selection_campaign.id"],
            name=op.f("fk_selection_expert_campaign_id_selection_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_selection_expert_unit_id_unit"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_selection_expert_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_expert")),
        sa.UniqueConstraint(
            "campaign_id", "user_id", name=op.f("uq_selection_expert_campaign_id_user_id")
        ),
    )
    op.create_index(
        op.f("ix_selection_expert_campaign_id"), "selection_expert", ["campaign_id"], unique=False
    )
    op.create_index(
        op.f("ix_selection_expert_id_number_hash"),
        "selection_expert",
        ["id_number_hash"],
        unique=False,
    )
    op.create_table(
        "channel_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("nominee_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('web', 'wechat', 'app', 'media', 'offline')",
            name=op.f("ck_channel_tally_channel"),
        ),
        sa.CheckConstraint("votes >= 0", name=op.f("ck_channel_tally_votes")),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["user_account.id"],
            name=op.f("fk_channel_tally_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["selection_campaign.id"],
            name=op.f("fk_channel_tally_campaign_id_selection_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nominee_id"],
            ["selection_nominee.id"],
            name=op.f("fk_channel_tally_nominee_id_selection_nominee"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_channel_tally")),
        sa.UniqueConstraint(
            "nominee_id", "channel", name=op.f("uq_channel_tally_nominee_id_channel")
        ),
    )
    op.create_index(
        op.f("ix_channel_tally_campaign_id"), "channel_tally", ["campaign_id"], unique=False
    )
    op.create_index(
        op.f("ix_channel_tally_nominee_id"), "channel_tally", ["nominee_id"], unique=False
    )
    op.create_table(
        "tie_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("nominee_id", sa.Integer(), nullable=False),
        sa.Column("chair_order", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("chair_order > 0", name=op.f("ck_tie_decision_chair_order")),
        sa.CheckConstraint("reason <> ''", name=op.f("ck_tie_decision_reason")),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["user_account.id"],
            name=op.f("fk_tie_decision_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["selection_campaign.id"],
            name=op.f("fk_tie_decision_campaign_id_selection_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nominee_id"],
            ["selection_nominee.id"],
            name=op.f("fk_tie_decision_nominee_id_selection_nominee"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tie_decision")),
        sa.UniqueConstraint("nominee_id", name=op.f("uq_tie_decision_nominee_id")),
    )
    op.create_index(
        op.f("ix_tie_decision_campaign_id"), "tie_decision", ["campaign_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_tie_decision_campaign_id"), table_name="tie_decision")
    op.drop_table("tie_decision")
    op.drop_index(op.f("ix_channel_tally_nominee_id"), table_name="channel_tally")
    op.drop_index(op.f("ix_channel_tally_campaign_id"), table_name="channel_tally")
    op.drop_table("channel_tally")
    op.drop_index(op.f("ix_selection_expert_id_number_hash"), table_name="selection_expert")
    op.drop_index(op.f("ix_selection_expert_campaign_id"), table_name="selection_expert")
    op.drop_table("selection_expert")
    with op.batch_alter_table("selection_campaign") as batch:
        batch.drop_column("challenge_after")
        batch.drop_column("channel_weights")
