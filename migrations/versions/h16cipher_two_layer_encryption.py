"""judging: two-layer encryption (二次加密): the setting and the officer of each layer, the
record of each draw, and the first layer's check-in numbers (检录号)

Revision ID: 5d2c8e4f1a93
Revises: e295c66f308b
Create Date: 2026-12-05 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5d2c8e4f1a93"
down_revision = "e295c66f308b"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str):
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade():
    op.create_table(
        "two_layer_encryption",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("first_officer_id", sa.Integer(), nullable=True),
        sa.Column("second_officer_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "first_officer_id IS NULL OR second_officer_id IS NULL"
            " OR first_officer_id <> second_officer_id",
            name=op.f("ck_two_layer_encryption_two_officers"),
        ),
        _fk("two_layer_encryption", "assessment_id", "assessment", "CASCADE"),
        _fk("two_layer_encryption", "first_officer_id", "user_account", "RESTRICT"),
        _fk("two_layer_encryption", "second_officer_id", "user_account", "RESTRICT"),
        sa.PrimaryKeyConstraint("assessment_id", name=op.f("pk_two_layer_encryption")),
    )
    op.create_table(
        "encryption_draw",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("layer", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("drawn", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("layer IN (1, 2)", name=op.f("ck_encryption_draw_layer")),
        _fk("encryption_draw", "assessment_id", "assessment", "CASCADE"),
        _fk("encryption_draw", "user_id", "user_account", "RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_encryption_draw")),
    )
    with op.batch_alter_table("encryption_draw") as batch:
        batch.create_index(
            batch.f("ix_encryption_draw_assessment_id"), ["assessment_id"], unique=False
        )
    op.create_table(
        "check_in_number",
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=12), nullable=False),
        _fk("check_in_number", "subject_id", "subject", "CASCADE"),
        _fk("check_in_number", "assessment_id", "assessment", "CASCADE"),
        sa.PrimaryKeyConstraint("subject_id", name=op.f("pk_check_in_number")),
        sa.UniqueConstraint(
            "assessment_id", "number", name=op.f("uq_check_in_number_assessment_id_number")
        ),
    )
    with op.batch_alter_table("check_in_number") as batch:
        batch.create_index(
            batch.f("ix_check_in_number_assessment_id"), ["assessment_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("check_in_number") as batch:
        batch.drop_index(batch.f("ix_check_in_number_assessment_id"))
    op.drop_table("check_in_number")
    with op.batch_alter_table("encryption_draw") as batch:
        batch.drop_index(batch.f("ix_encryption_draw_assessment_id"))
    op.drop_table("encryption_draw")
    op.drop_table("two_layer_encryption")
