"""selection: selection of 工匠 (craftsman titles): the campaign held in a contest (an
assessment), nominating bodies with quotas, nominees (a subject) with attachments, the public
vote's durable trail and the organiser's voids and resets

Revision ID: c3a9f1d2e5b7
Revises: e7830c75cb8b
Create Date: 2026-12-05 01:22:00.676423

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "c3a9f1d2e5b7"
down_revision = "e7830c75cb8b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "selection_campaign",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("title_name", sa.String(length=100), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("titles", sa.Integer(), nullable=False),
        sa.Column("vote_nominees", sa.Integer(), nullable=False),
        sa.Column("min_years_in_trade", sa.Integer(), nullable=False),
        sa.Column("max_age", sa.Integer(), nullable=True),
        sa.Column("needs_lower_title", sa.Boolean(), nullable=False),
        sa.Column("nominations_close", sa.DateTime(), nullable=False),
        sa.Column("vote_opens", sa.DateTime(), nullable=False),
        sa.Column("vote_closes", sa.DateTime(), nullable=False),
        sa.Column("expert_weight", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("vote_weight", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("daily_votes", sa.Integer(), nullable=False),
        sa.Column("notice_working_days", sa.Integer(), nullable=False),
        sa.Column("appeal_window_hours", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "level IN ('city', 'province', 'chief')", name=op.f("ck_selection_campaign_level")
        ),
        sa.CheckConstraint(
            "expert_weight + vote_weight = 100", name=op.f("ck_selection_campaign_weights")
        ),
        sa.CheckConstraint("titles > 0", name=op.f("ck_selection_campaign_titles")),
        sa.ForeignKeyConstraint(
            ["contest_id"],
            ["contest.id"],
            name=op.f("fk_selection_campaign_contest_id_contest"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["id", "contest_id"],
            ["assessment.id", "assessment.contest_id"],
            name=op.f("fk_selection_campaign_id_assessment"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_campaign")),
        sa.UniqueConstraint("contest_id", name=op.f("uq_selection_campaign_contest_id")),
    )
    with op.batch_alter_table("selection_campaign", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_selection_campaign_contest_id"), ["contest_id"], unique=False
        )

    op.create_table(
        "nominating_body",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("nominator_id", sa.Integer(), nullable=True),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('city_union', 'industry_union', 'enterprise')",
            name=op.f("ck_nominating_body_kind"),
        ),
        sa.CheckConstraint("quota >= 0", name=op.f("ck_nominating_body_quota")),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["selection_campaign.id"],
            name=op.f("fk_nominating_body_campaign_id_selection_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nominator_id"],
            ["user_account.id"],
            name=op.f("fk_nominating_body_nominator_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_nominating_body_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nominating_body")),
        sa.UniqueConstraint(
            "campaign_id", "name", name=op.f("uq_nominating_body_campaign_id_name")
        ),
    )
    with op.batch_alter_table("nominating_body", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nominating_body_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_nominating_body_nominator_id"), ["nominator_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_nominating_body_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "selection_nominee",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.Column("trade", sa.String(length=100), nullable=False),
        sa.Column("deeds", sa.Text(), nullable=False),
        sa.Column("achievements", sa.Text(), nullable=False),
        sa.Column("years_in_trade", sa.Integer(), nullable=False),
        sa.Column("in_service", sa.Boolean(), nullable=False),
        sa.Column("disciplinary_record", sa.Boolean(), nullable=False),
        sa.Column("holds_lower_title", sa.Boolean(), nullable=False),
        sa.Column("award_subject_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("return_reason", sa.Text(), nullable=False),
        sa.Column("nominated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "state IN ('nominated', 'passed', 'returned')", name=op.f("ck_selection_nominee_state")
        ),
        sa.ForeignKeyConstraint(
            ["award_subject_id"],
            ["result.subject_id"],
            name=op.f("fk_selection_nominee_award_subject_id_result"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["body_id"],
            ["nominating_body.id"],
            name=op.f("fk_selection_nominee_body_id_nominating_body"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["selection_campaign.id"],
            name=op.f("fk_selection_nominee_campaign_id_selection_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["id", "campaign_id"],
            ["subject.id", "subject.assessment_id"],
            name=op.f("fk_selection_nominee_id_subject"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_selection_nominee_person_id_person"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_nominee")),
        sa.UniqueConstraint(
            "campaign_id", "person_id", name=op.f("uq_selection_nominee_campaign_id_person_id")
        ),
    )
    with op.batch_alter_table("selection_nominee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_selection_nominee_body_id"), ["body_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_selection_nominee_campaign_id"), ["campaign_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_selection_nominee_person_id"), ["person_id"], unique=False
        )

    op.create_table(
        "nominee_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nominee_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["nominee_id"],
            ["selection_nominee.id"],
            name=op.f("fk_nominee_attachment_nominee_id_selection_nominee"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nominee_attachment")),
    )
    with op.batch_alter_table("nominee_attachment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nominee_attachment_nominee_id"), ["nominee_id"], unique=False
        )

    op.create_table(
        "vote_void",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("nominee_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=True),
        sa.Column("ends_at", sa.DateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("voided", sa.Integer(), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("reason <> ''", name=op.f("ck_vote_void_reason")),
        sa.ForeignKeyConstraint(
            ["by_id"],
            ["user_account.id"],
            name=op.f("fk_vote_void_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["selection_campaign.id"],
            name=op.f("fk_vote_void_campaign_id_selection_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nominee_id"],
            ["selection_nominee.id"],
            name=op.f("fk_vote_void_nominee_id_selection_nominee"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote_void")),
    )
    with op.batch_alter_table("vote_void", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_void_campaign_id"), ["campaign_id"], unique=False)

    op.create_table(
        "vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("nominee_id", sa.Integer(), nullable=False),
        sa.Column("device", sa.String(length=40), nullable=False),
        sa.Column("device_family", sa.String(length=60), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("cast_at", sa.DateTime(), nullable=False),
        sa.Column("void_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('web', 'app', 'wechat', 'media')", name=op.f("ck_vote_channel")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["selection_campaign.id"],
            name=op.f("fk_vote_campaign_id_selection_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["nominee_id"],
            ["selection_nominee.id"],
            name=op.f("fk_vote_nominee_id_selection_nominee"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["void_id"],
            ["vote_void.id"],
            name=op.f("fk_vote_void_id_vote_void"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vote")),
        sa.UniqueConstraint("token", name=op.f("uq_vote_token")),
    )
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vote_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vote_nominee_id"), ["nominee_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_vote_void_id"), ["void_id"], unique=False)


def downgrade():
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_void_id"))
        batch_op.drop_index(batch_op.f("ix_vote_nominee_id"))
        batch_op.drop_index(batch_op.f("ix_vote_campaign_id"))

    op.drop_table("vote")
    with op.batch_alter_table("vote_void", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vote_void_campaign_id"))

    op.drop_table("vote_void")
    with op.batch_alter_table("nominee_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nominee_attachment_nominee_id"))

    op.drop_table("nominee_attachment")
    with op.batch_alter_table("selection_nominee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selection_nominee_person_id"))
        batch_op.drop_index(batch_op.f("ix_selection_nominee_campaign_id"))
        batch_op.drop_index(batch_op.f("ix_selection_nominee_body_id"))

    op.drop_table("selection_nominee")
    with op.batch_alter_table("nominating_body", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nominating_body_unit_id"))
        batch_op.drop_index(batch_op.f("ix_nominating_body_nominator_id"))
        batch_op.drop_index(batch_op.f("ix_nominating_body_campaign_id"))

    op.drop_table("nominating_body")
    with op.batch_alter_table("selection_campaign", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_selection_campaign_contest_id"))

    op.drop_table("selection_campaign")
