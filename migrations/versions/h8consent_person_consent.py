"""registry: a person's agreement to the privacy notice (version, where, when)

Revision ID: 8e1f5a3b7c62
Revises: 7c4d2e9a1f35
Create Date: 2026-12-04 18:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "8e1f5a3b7c62"
down_revision = "7c4d2e9a1f35"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "person_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=20), nullable=False),
        sa.Column("context", sa.String(length=20), nullable=False),
        sa.Column("agreed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_person_consent_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_consent")),
    )
    with op.batch_alter_table("person_consent") as batch:
        batch.create_index(batch.f("ix_person_consent_person_id"), ["person_id"], unique=False)


def downgrade():
    with op.batch_alter_table("person_consent") as batch:
        batch.drop_index(batch.f("ix_person_consent_person_id"))
    op.drop_table("person_consent")
