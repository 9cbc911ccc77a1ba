"""registry, enrolment: a contest's registration window; a contest-trade's quotas per unit and
per delegation, minimum field size (开赛人数) and the proof it asks for; an entry's proof
(entry_attachment: a photo, proof of employment, kept encrypted)

Revision ID: 5e7b2c9d4a16
Revises: 7d2c4e9a1f60
Create Date: 2026-12-05 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5e7b2c9d4a16"
down_revision = "7d2c4e9a1f60"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("contest") as batch:
        batch.add_column(sa.Column("registration_opens", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("registration_closes", sa.DateTime(), nullable=True))
        batch.create_check_constraint(
            op.f("ck_contest_registration_window"),
            "registration_closes IS NULL OR registration_opens IS NULL "
            "OR registration_closes > registration_opens",
        )
    with op.batch_alter_table("contest_trade") as batch:
        batch.add_column(sa.Column("quota_per_unit", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("quota_per_delegation", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("min_field_size", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("requires_photo", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column(
                "requires_employment_proof",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
        batch.create_check_constraint(
            op.f("ck_contest_trade_enrolment_limits"),
            "(quota_per_unit IS NULL OR quota_per_unit >= 0) "
            "AND (quota_per_delegation IS NULL OR quota_per_delegation >= 0) "
            "AND (min_field_size IS NULL OR min_field_size >= 1)",
        )
    op.create_table(
        "entry_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('photo', 'employment')", name=op.f("ck_entry_attachment_kind")
        ),
        sa.CheckConstraint("size >= 0", name=op.f("ck_entry_attachment_size")),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["entry.id"],
            name=op.f("fk_entry_attachment_entry_id_entry"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["user_account.id"],
            name=op.f("fk_entry_attachment_uploaded_by_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entry_attachment")),
        sa.UniqueConstraint("entry_id", "kind", name=op.f("uq_entry_attachment_entry_id_kind")),
    )
    with op.batch_alter_table("entry_attachment") as batch:
        batch.create_index(op.f("ix_entry_attachment_entry_id"), ["entry_id"], unique=False)


def downgrade():
    with op.batch_alter_table("entry_attachment") as batch:
        batch.drop_index(op.f("ix_entry_attachment_entry_id"))
    op.drop_table("entry_attachment")
    with op.batch_alter_table("contest_trade") as batch:
        batch.drop_constraint(op.f("ck_contest_trade_enrolment_limits"), type_="check")
        batch.drop_column("requires_employment_proof")
        batch.drop_column("requires_photo")
        batch.drop_column("min_field_size")
        batch.drop_column("quota_per_delegation")
        batch.drop_column("quota_per_unit")
    with op.batch_alter_table("contest") as batch:
        batch.drop_constraint(op.f("ck_contest_registration_window"), type_="check")
        batch.drop_column("registration_closes")
        batch.drop_column("registration_opens")
