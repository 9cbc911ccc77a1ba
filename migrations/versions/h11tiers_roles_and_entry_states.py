"""accounts, registry: the roles of the tiers and the contest day (unit liaison, team leader,
check-in staff, encryption officer; a liaison's unit and a team leader's delegation); entry
states of registration and recommendation (draft, submitted, returned, recommended), the
reason an entry was returned, and out of competition (不计名次)

Revision ID: 4c9e1a7d3b82
Revises: 3b8e5d2f7a61
Create Date: 2026-12-05 00:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "4c9e1a7d3b82"
down_revision = "3b8e5d2f7a61"
branch_labels = None
depends_on = None

OLD_ROLES = ("organiser", "chief_judge", "judge", "clerk", "arbitrator")
NEW_ROLES = (*OLD_ROLES, "liaison", "team_leader", "check_in", "encryption_officer")
OLD_STATUSES = ("registered", "approved", "withdrawn", "disqualified", "absent")
NEW_STATUSES = ("draft", "submitted", "returned", "recommended", *OLD_STATUSES)


def _in(column, values):
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade():
    with op.batch_alter_table("contest_role") as batch:
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("delegation_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_contest_role_unit_id_unit"), "unit", ["unit_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_foreign_key(
            op.f("fk_contest_role_delegation_id_delegation"),
            "delegation",
            ["delegation_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(op.f("ix_contest_role_unit_id"), ["unit_id"])
        batch.create_index(op.f("ix_contest_role_delegation_id"), ["delegation_id"])
        batch.drop_constraint(op.f("ck_contest_role_role"), type_="check")
        batch.create_check_constraint(op.f("ck_contest_role_role"), _in("role", NEW_ROLES))
        batch.create_check_constraint(
            op.f("ck_contest_role_liaison_unit"), "(role = 'liaison') = (unit_id IS NOT NULL)"
        )
        batch.create_check_constraint(
            op.f("ck_contest_role_leader_delegation"),
            "(role = 'team_leader') = (delegation_id IS NOT NULL)",
        )
    with op.batch_alter_table("entry") as batch:
        batch.add_column(
            sa.Column(
                "out_of_competition", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(
            sa.Column("review_note", sa.String(300), nullable=False, server_default="")
        )
        batch.drop_constraint(op.f("ck_entry_status"), type_="check")
        batch.create_check_constraint(op.f("ck_entry_status"), _in("status", NEW_STATUSES))


def downgrade():
    with op.batch_alter_table("entry") as batch:
        batch.drop_constraint(op.f("ck_entry_status"), type_="check")
        batch.create_check_constraint(op.f("ck_entry_status"), _in("status", OLD_STATUSES))
        batch.drop_column("review_note")
        batch.drop_column("out_of_competition")
    with op.batch_alter_table("contest_role") as batch:
        batch.drop_constraint(op.f("ck_contest_role_leader_delegation"), type_="check")
        batch.drop_constraint(op.f("ck_contest_role_liaison_unit"), type_="check")
        batch.drop_constraint(op.f("ck_contest_role_role"), type_="check")
        batch.create_check_constraint(op.f("ck_contest_role_role"), _in("role", OLD_ROLES))
        batch.drop_index(op.f("ix_contest_role_delegation_id"))
        batch.drop_index(op.f("ix_contest_role_unit_id"))
        batch.drop_constraint(op.f("fk_contest_role_delegation_id_delegation"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_contest_role_unit_id_unit"), type_="foreignkey")
        batch.drop_column("delegation_id")
        batch.drop_column("unit_id")
