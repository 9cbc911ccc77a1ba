"""certificates: a team member's certificate (an innovation team's achievement) has its own
kind and its own text in the design

Revision ID: 5d7a2c91e4b3
Revises: ee0352da9b0e
Create Date: 2026-12-05 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d7a2c91e4b3'
down_revision = 'ee0352da9b0e'
branch_labels = None
depends_on = None

#: As competitions.certificates.models.DEFAULT_MEMBER_BODY when written (designs keep theirs).
MEMBER_BODY = (
    "{name}同志：\n你参与完成的项目《{team}》（团队成员）在{trade}中荣获{award}。\n特发此证，以资鼓励。"
)


def upgrade():
    with op.batch_alter_table("certificate_design") as batch:
        batch.add_column(
            sa.Column("member_body", sa.Text(), nullable=False, server_default=MEMBER_BODY)
        )
    with op.batch_alter_table("certificate") as batch:
        batch.drop_constraint(op.f("ck_certificate_kind"), type_="check")
        batch.create_check_constraint(
            op.f("ck_certificate_kind"), "kind IN ('individual', 'team', 'honour', 'member')"
        )


def downgrade():
    op.execute("UPDATE certificate SET kind = 'individual' WHERE kind = 'member'")
    with op.batch_alter_table("certificate") as batch:
        batch.drop_constraint(op.f("ck_certificate_kind"), type_="check")
        batch.create_check_constraint(
            op.f("ck_certificate_kind"), "kind IN ('individual', 'team', 'honour')"
        )
    with op.batch_alter_table("certificate_design") as batch:
        batch.drop_column("member_body")
