"""results: the facts of final results, frozen (name, unit, delegation)

Revision ID: fd64880ffa9d
Revises: 6b31576a0fc0
Create Date: 2026-12-04 14:05:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'fd64880ffa9d'
down_revision = "1b14bcaea31e"
branch_labels = None
depends_on = None

#: Results already final keep the facts the register holds now (the best that is known).
_FREEZE = {
    "final_name": "SELECT person.name FROM entry JOIN person ON person.id = entry.person_id "
    "WHERE entry.id = result.entry_id",
    "final_unit": "SELECT COALESCE(unit.name, '') FROM entry JOIN person ON person.id = entry.person_id "
    "LEFT JOIN unit ON unit.id = person.unit_id WHERE entry.id = result.entry_id",
    "final_delegation": "SELECT COALESCE(delegation.name, '') FROM entry "
    "LEFT JOIN delegation ON delegation.id = entry.delegation_id WHERE entry.id = result.entry_id",
}


def upgrade():
    with op.batch_alter_table('result', schema=None) as batch_op:
        batch_op.add_column(sa.Column('final_name', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('final_unit', sa.String(length=150), nullable=True))
        batch_op.add_column(sa.Column('final_delegation', sa.String(length=150), nullable=True))
    final = (
        "result.contest_trade_id IN "
        "(SELECT contest_trade_id FROM result_set WHERE state = 'final')"
    )
    for column, value in _FREEZE.items():
        op.execute(f"UPDATE result SET {column} = ({value}) WHERE {final}")


def downgrade():
    with op.batch_alter_table('result', schema=None) as batch_op:
        batch_op.drop_column('final_delegation')
        batch_op.drop_column('final_unit')
        batch_op.drop_column('final_name')
