"""accounts: the three administrators (system, security, audit) on user accounts; a password
given by the system administrator is changed at the next log-in

Revision ID: 5d1e7a2c9b40
Revises: 5e2f7a0c9d14
Create Date: 2026-12-04 18:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5d1e7a2c9b40"
down_revision = "5e2f7a0c9d14"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("admin_role", sa.String(length=20), nullable=True))
        batch.add_column(
            sa.Column(
                "must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.create_check_constraint(
            op.f("ck_user_account_admin_role"), "admin_role IN ('system', 'security', 'audit')")


def downgrade():
    with op.batch_alter_table("user_account") as batch:
        batch.drop_constraint(op.f("ck_user_account_admin_role"), type_="check")
        batch.drop_column("must_change_password")
        batch.drop_column("admin_role")
