"""registry: ID numbers, phones and uploaded files encrypted at rest; keyed hashes to find them;
whole ID numbers shown to organisers are logged (id_reveal)

ID numbers (person, relation_declaration) and phones (person, an appeal's contact) are
encrypted with the site's data key
(competitions/core/crypto.py), with a keyed hash of the ID number beside it for look-ups; the
files of import jobs (uploads and error reports) are encrypted too. The audit log's copies of
ID numbers and phones are masked; if some of those rows were sealed already, the seals from the
first changed one on are made again with the audit key (the chain then verifies as before).

The keys are the app's (``JINGSAI_DATA_KEY``, ``JINGSAI_INDEX_KEY``, ``JINGSAI_AUDIT_KEY``, or
the instance folder's files in the embedded setup): run it with the environment the site runs
with.

Revision ID: 5e2b7d1c9a40
Revises: 8e1f5a3b7c62
Create Date: 2026-12-04 17:40:00.000000

"""
import json

import sqlalchemy as sa
from alembic import op
from flask import current_app

from competitions.core.audit_chain import link_hash
from competitions.core.crypto import keyring_of
from competitions.core.identity_rules import mask_id_number, mask_phone, normalise_id_number

# revision identifiers, used by Alembic.
revision = '5e2b7d1c9a40'
down_revision = '8e1f5a3b7c62'
branch_labels = None
depends_on = None

BATCH = 1000
#: The audit rows' columns that held plain values, and how they are masked.
_MASKS = {
    "person": {"id_number": mask_id_number, "phone": mask_phone},
    "relation_declaration": {"id_number": mask_id_number},
    "appeal": {"contact": mask_phone},
}


def _keys():
    return keyring_of(current_app.config)


def upgrade():
    op.create_table('id_reveal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('contest_id', sa.Integer(), nullable=True),
    sa.Column('contest_trade_id', sa.Integer(), nullable=True),
    sa.Column('what', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("what IN ('page', 'export')", name=op.f('ck_id_reveal_what')),
    sa.ForeignKeyConstraint(['contest_id'], ['contest.id'], name=op.f('fk_id_reveal_contest_id_contest'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['contest_trade_id'], ['contest_trade.id'], name=op.f('fk_id_reveal_contest_trade_id_contest_trade'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_id_reveal_person_id_person'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_id_reveal_user_id_user_account'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_id_reveal'))
    )
    with op.batch_alter_table('id_reveal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_id_reveal_person_id'), ['person_id'], unique=False)
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_number_hash', sa.String(length=64), nullable=True))
        batch_op.alter_column('id_number', existing_type=sa.String(length=40),
                              type_=sa.String(length=255), existing_nullable=False)
        batch_op.alter_column('phone', existing_type=sa.String(length=30),
                              type_=sa.String(length=255), existing_nullable=False)
        batch_op.drop_constraint('uq_person_id_type_id_number', type_='unique')
    with op.batch_alter_table('relation_declaration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_number_hash', sa.String(length=64), nullable=True))
        batch_op.alter_column('id_number', existing_type=sa.String(length=40),
                              type_=sa.String(length=255), existing_nullable=False)
    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.alter_column('contact', existing_type=sa.String(length=60),
                              type_=sa.String(length=255), existing_nullable=False)

    keys = _keys()
    _rewrite(
        'person', ('id_number', 'phone'),
        lambda r: {
            'id_number': keys.encrypt_text(r.id_number),
            'id_number_hash': keys.lookup_hash(normalise_id_number(r.id_number)),
            'phone': keys.encrypt_text(r.phone or ''),
        },
    )
    _rewrite(
        'relation_declaration', ('id_number',),
        lambda r: {
            'id_number': keys.encrypt_text(r.id_number),
            'id_number_hash': keys.lookup_hash(normalise_id_number(r.id_number)),
        },
    )
    _rewrite('job_file', ('data',), lambda r: {'data': keys.encrypt_bytes(bytes(r.data))})
    _rewrite('appeal', ('contact',), lambda r: {'contact': keys.encrypt_text(r.contact or '')})

    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.alter_column('id_number_hash', existing_type=sa.String(length=64),
                              nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f('uq_person_id_type_id_number_hash'), ['id_type', 'id_number_hash'])
    with op.batch_alter_table('relation_declaration', schema=None) as batch_op:
        batch_op.alter_column('id_number_hash', existing_type=sa.String(length=64),
                              nullable=False)
    _mask_audit_log()


def downgrade():
    keys = _keys()
    _rewrite('person', ('id_number', 'phone'), lambda r: {
        'id_number': keys.decrypt_text(r.id_number), 'phone': keys.decrypt_text(r.phone)})
    _rewrite('relation_declaration', ('id_number',),
             lambda r: {'id_number': keys.decrypt_text(r.id_number)})
    _rewrite('job_file', ('data',), lambda r: {'data': keys.decrypt_bytes(bytes(r.data))})
    _rewrite('appeal', ('contact',), lambda r: {'contact': keys.decrypt_text(r.contact)})
    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.alter_column('contact', existing_type=sa.String(length=255),
                              type_=sa.String(length=60), existing_nullable=False)
    with op.batch_alter_table('relation_declaration', schema=None) as batch_op:
        batch_op.alter_column('id_number', existing_type=sa.String(length=255),
                              type_=sa.String(length=40), existing_nullable=False)
        batch_op.drop_column('id_number_hash')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_constraint('uq_person_id_type_id_number_hash', type_='unique')
        batch_op.alter_column('phone', existing_type=sa.String(length=255),
                              type_=sa.String(length=30), existing_nullable=False)
        batch_op.alter_column('id_number', existing_type=sa.String(length=255),
                              type_=sa.String(length=40), existing_nullable=False)
        batch_op.drop_column('id_number_hash')
        batch_op.create_unique_constraint(
            batch_op.f('uq_person_id_type_id_number'), ['id_type', 'id_number'])
    # The audit log's masked values stay masked: the plain ones are not kept anywhere.
    with op.batch_alter_table('id_reveal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_id_reveal_person_id'))
    op.drop_table('id_reveal')


def _rewrite(table: str, columns: tuple, values) -> None:
    """Set each row's new values (``values(row)``), in batches by id."""
    conn, last = op.get_bind(), 0
    while True:
        rows = conn.execute(
            sa.text(f"SELECT id, {', '.join(columns)} FROM {table} WHERE id > :last "
                    "ORDER BY id LIMIT :n"),
            {"last": last, "n": BATCH},
        ).all()
        if not rows:
            return
        updates = [{"_id": r.id, **values(r)} for r in rows]
        names = [k for k in updates[0] if k != "_id"]
        conn.execute(
            sa.text(f"UPDATE {table} SET {', '.join(f'{n} = :{n}' for n in names)} "
                    "WHERE id = :_id"),
            updates,
        )
        last = rows[-1].id


def _mask_audit_log() -> None:
    """Mask the ID numbers and phones the audit log holds; make the seals from the first
    changed sealed row on again (with the audit key), so the chain verifies as before."""
    conn = op.get_bind()
    audit = sa.table(
        'audit_log', sa.column('id', sa.Integer), sa.column('at', sa.DateTime),
        sa.column('user_id', sa.Integer), sa.column('action', sa.String),
        sa.column('entity', sa.String), sa.column('entity_id', sa.Integer),
        sa.column('changes', sa.JSON), sa.column('contest_id', sa.Integer),
    )
    rows = conn.execute(
        sa.select(audit.c.id, audit.c.entity, audit.c.changes)
        .where(audit.c.entity.in_(list(_MASKS)))
    ).all()
    changed = []
    for row in rows:
        changes = row.changes if isinstance(row.changes, dict) else json.loads(row.changes)
        masked = {
            column: [_mask(_MASKS[row.entity].get(column), v) for v in pair]
            for column, pair in changes.items()
        }
        if masked != changes:
            changed.append({"_id": row.id, "changes": masked})
    if not changed:
        return
    conn.execute(
        audit.update().where(audit.c.id == sa.bindparam("_id"))
        .values(changes=sa.bindparam("changes", type_=sa.JSON)),
        changed,
    )
    _reseal(conn, audit, min(c["_id"] for c in changed))


def _mask(mask, value):
    return mask(value) if mask and isinstance(value, str) else value


def _reseal(conn, audit, first_changed_id: int) -> None:
    """Make the seals again from the link of the first changed audit row on."""
    seal = sa.table('audit_seal', sa.column('seq', sa.Integer),
                    sa.column('audit_id', sa.Integer), sa.column('hash', sa.String))
    start = conn.scalar(sa.select(sa.func.min(seal.c.seq))
                        .where(seal.c.audit_id >= first_changed_id))
    if start is None:
        return  # nothing sealed yet after it: the sealer seals the masked rows
    key = current_app.config["AUDIT_KEY"].encode()
    previous = conn.scalar(sa.select(seal.c.hash).where(seal.c.seq == start - 1)) or "0" * 64
    links = conn.execute(sa.select(seal.c.seq, seal.c.audit_id)
                         .where(seal.c.seq >= start).order_by(seal.c.seq)).all()
    columns = [audit.c.id, audit.c.at, audit.c.user_id, audit.c.action, audit.c.entity,
               audit.c.entity_id, audit.c.changes, audit.c.contest_id]
    for chunk in range(0, len(links), BATCH):
        part = links[chunk:chunk + BATCH]
        found = {r.id: r for r in conn.execute(
            sa.select(*columns).where(audit.c.id.in_([link.audit_id for link in part])))}
        updates = []
        for link in part:
            row = found.get(link.audit_id)
            if row is None:
                return  # a broken chain stays broken where it was: verify names it
            previous = link_hash(key, previous, row)
            updates.append({"_seq": link.seq, "hash": previous})
        conn.execute(seal.update().where(seal.c.seq == sa.bindparam("_seq"))
                     .values(hash=sa.bindparam("hash")), updates)
