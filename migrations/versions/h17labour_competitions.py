"""labour: labour competitions (劳动竞赛): the competition held in a contest, participants,
indicators, vetoes, periods (an assessment) and standings (a subject), reports with figures and
evidence, veto incidents, indicator scores

Revision ID: e7830c75cb8b
Revises: 5d2c8e4f1a93
Create Date: 2026-12-05 00:08:38.083499

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e7830c75cb8b"
down_revision = "5d2c8e4f1a93"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "labour_competition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("period_kind", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("commend_top", sa.Integer(), nullable=False),
        sa.Column("commendation", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "commendation IN ('labour_model', 'advanced_collective', 'pioneer')",
            name=op.f("ck_labour_competition_commendation"),
        ),
        sa.CheckConstraint(
            "period_kind IN ('month', 'quarter')", name=op.f("ck_labour_competition_period_kind")
        ),
        sa.CheckConstraint("commend_top >= 0", name=op.f("ck_labour_competition_commend_top")),
        sa.ForeignKeyConstraint(
            ["contest_id"],
            ["contest.id"],
            name=op.f("fk_labour_competition_contest_id_contest"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labour_competition")),
        sa.UniqueConstraint("contest_id", name=op.f("uq_labour_competition_contest_id")),
    )
    op.create_table(
        "labour_indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("measure", sa.String(length=30), nullable=False),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("target", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("weight", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("scoring", sa.String(length=10), nullable=False),
        sa.Column("cap", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("floor", sa.Numeric(precision=14, scale=4), nullable=True),
        sa.CheckConstraint(
            "direction IN ('higher', 'lower')", name=op.f("ck_labour_indicator_direction")
        ),
        sa.CheckConstraint(
            "scoring IN ('ratio', 'linear', 'rank')", name=op.f("ck_labour_indicator_scoring")
        ),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["labour_competition.id"],
            name=op.f("fk_labour_indicator_competition_id_labour_competition"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labour_indicator")),
        sa.UniqueConstraint(
            "competition_id", "name", name=op.f("uq_labour_indicator_competition_id_name")
        ),
    )
    with op.batch_alter_table("labour_indicator", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_labour_indicator_competition_id"), ["competition_id"], unique=False
        )

    op.create_table(
        "labour_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("reporter_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('unit', 'project_team', 'work_team')", name=op.f("ck_labour_participant_kind")
        ),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["labour_competition.id"],
            name=op.f("fk_labour_participant_competition_id_labour_competition"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["user_account.id"],
            name=op.f("fk_labour_participant_reporter_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["unit.id"],
            name=op.f("fk_labour_participant_unit_id_unit"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labour_participant")),
        sa.UniqueConstraint(
            "competition_id", "name", name=op.f("uq_labour_participant_competition_id_name")
        ),
    )
    with op.batch_alter_table("labour_participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_labour_participant_competition_id"), ["competition_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_labour_participant_reporter_id"), ["reporter_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_labour_participant_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "labour_period",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=20), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("notice_working_days", sa.Integer(), nullable=False),
        sa.Column("appeal_window_hours", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["labour_competition.id"],
            name=op.f("fk_labour_period_competition_id_labour_competition"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contest_id"],
            ["contest.id"],
            name=op.f("fk_labour_period_contest_id_contest"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["id", "contest_id"],
            ["assessment.id", "assessment.contest_id"],
            name=op.f("fk_labour_period_id_assessment"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labour_period")),
        sa.UniqueConstraint(
            "competition_id", "position", name=op.f("uq_labour_period_competition_id_position")
        ),
    )
    with op.batch_alter_table("labour_period", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_labour_period_competition_id"), ["competition_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_labour_period_contest_id"), ["contest_id"], unique=False
        )

    op.create_table(
        "labour_veto",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("competition_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("effect", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "effect IN ('zero', 'no_commendation')", name=op.f("ck_labour_veto_effect")
        ),
        sa.ForeignKeyConstraint(
            ["competition_id"],
            ["labour_competition.id"],
            name=op.f("fk_labour_veto_competition_id_labour_competition"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labour_veto")),
        sa.UniqueConstraint(
            "competition_id", "name", name=op.f("uq_labour_veto_competition_id_name")
        ),
    )
    with op.batch_alter_table("labour_veto", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_labour_veto_competition_id"), ["competition_id"], unique=False
        )

    op.create_table(
        "labour_incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("veto_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["labour_participant.id"],
            name=op.f("fk_labour_incident_participant_id_labour_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["labour_period.id"],
            name=op.f("fk_labour_incident_period_id_labour_period"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["veto_id"],
            ["labour_veto.id"],
            name=op.f("fk_labour_incident_veto_id_labour_veto"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labour_incident")),
        sa.UniqueConstraint(
            "period_id",
            "participant_id",
            "veto_id",
            name=op.f("uq_labour_incident_period_id_participant_id_veto_id"),
        ),
    )
    with op.batch_alter_table("labour_incident", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_labour_incident_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_labour_incident_period_id"), ["period_id"], unique=False
        )

    op.create_table(
        "labour_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("return_reason", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("verified_by", sa.Integer(), nullable=True),
        sa.Column("verified_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "state IN ('draft', 'submitted', 'returned', 'accepted')",
            name=op.f("ck_labour_report_state"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["labour_participant.id"],
            name=op.f("fk_labour_report_participant_id_labour_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["labour_period.id"],
            name=op.f("fk_labour_report_period_id_labour_period"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["verified_by"],
            ["user_account.id"],
            name=op.f("fk_labour_report_verified_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labour_report")),
        sa.UniqueConstraint(
            "period_id", "participant_id", name=op.f("uq_labour_report_period_id_participant_id")
        ),
    )
    with op.batch_alter_table("labour_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_labour_report_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_labour_report_period_id"), ["period_id"], unique=False)

    op.create_table(
        "labour_standing",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id", "period_id"],
            ["subject.id", "subject.assessment_id"],
            name=op.f("fk_labour_standing_id_subject"),
            onupdate="CASCADE",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["labour_participant.id"],
            name=op.f("fk_labour_standing_participant_id_labour_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["labour_period.id"],
            name=op.f("fk_labour_standing_period_id_labour_period"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labour_standing")),
        sa.UniqueConstraint(
            "period_id", "participant_id", name=op.f("uq_labour_standing_period_id_participant_id")
        ),
    )
    with op.batch_alter_table("labour_standing", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_labour_standing_participant_id"), ["participant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_labour_standing_period_id"), ["period_id"], unique=False
        )

    op.create_table(
        "labour_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["labour_report.id"],
            name=op.f("fk_labour_evidence_report_id_labour_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labour_evidence")),
    )
    with op.batch_alter_table("labour_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_labour_evidence_report_id"), ["report_id"], unique=False
        )

    op.create_table(
        "labour_figure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("correction_reason", sa.Text(), nullable=False),
        sa.CheckConstraint("value >= 0", name=op.f("ck_labour_figure_value")),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["labour_indicator.id"],
            name=op.f("fk_labour_figure_indicator_id_labour_indicator"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["labour_report.id"],
            name=op.f("fk_labour_figure_report_id_labour_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_labour_figure")),
        sa.UniqueConstraint(
            "report_id", "indicator_id", name=op.f("uq_labour_figure_report_id_indicator_id")
        ),
    )
    with op.batch_alter_table("labour_figure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_labour_figure_indicator_id"), ["indicator_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_labour_figure_report_id"), ["report_id"], unique=False)

    op.create_table(
        "labour_score",
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Numeric(precision=9, scale=4), nullable=False),
        sa.Column("missing", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["labour_indicator.id"],
            name=op.f("fk_labour_score_indicator_id_labour_indicator"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["labour_standing.id"],
            name=op.f("fk_labour_score_subject_id_labour_standing"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subject_id", "indicator_id", name=op.f("pk_labour_score")),
    )


def downgrade():
    op.drop_table("labour_score")
    with op.batch_alter_table("labour_figure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_labour_figure_report_id"))
        batch_op.drop_index(batch_op.f("ix_labour_figure_indicator_id"))

    op.drop_table("labour_figure")
    with op.batch_alter_table("labour_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_labour_evidence_report_id"))

    op.drop_table("labour_evidence")
    with op.batch_alter_table("labour_standing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_labour_standing_period_id"))
        batch_op.drop_index(batch_op.f("ix_labour_standing_participant_id"))

    op.drop_table("labour_standing")
    with op.batch_alter_table("labour_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_labour_report_period_id"))
        batch_op.drop_index(batch_op.f("ix_labour_report_participant_id"))

    op.drop_table("labour_report")
    with op.batch_alter_table("labour_incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_labour_incident_period_id"))
        batch_op.drop_index(batch_op.f("ix_labour_incident_participant_id"))

    op.drop_table("labour_incident")
    with op.batch_alter_table("labour_veto", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_labour_veto_competition_id"))

    op.drop_table("labour_veto")
    with op.batch_alter_table("labour_period", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_labour_period_contest_id"))
        batch_op.drop_index(batch_op.f("ix_labour_period_competition_id"))

    op.drop_table("labour_period")
    with op.batch_alter_table("labour_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_labour_participant_unit_id"))
        batch_op.drop_index(batch_op.f("ix_labour_participant_reporter_id"))
        batch_op.drop_index(batch_op.f("ix_labour_participant_competition_id"))

    op.drop_table("labour_participant")
    with op.batch_alter_table("labour_indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_labour_indicator_competition_id"))

    op.drop_table("labour_indicator")
    op.drop_table("labour_competition")
