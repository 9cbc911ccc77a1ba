"""registry: each contest's retention of contestants' personal details (years after final), and
when a person's details were anonymised

Revision ID: 7c4d2e9a1f35
Revises: 5d1e7a2c9b40
Create Date: 2026-12-04 18:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "7c4d2e9a1f35"
down_revision = "5d1e7a2c9b40"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("contest") as batch:
        batch.add_column(sa.Column("retention_years", sa.Integer(), nullable=True))
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("anonymised_at", sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table("person") as batch:
        batch.drop_column("anonymised_at")
    with op.batch_alter_table("contest") as batch:
        batch.drop_column("retention_years")
