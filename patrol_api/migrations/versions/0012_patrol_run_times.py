"""patrol runs, site checks, inspections: device times, clock offsets, time flags; run
duration and area; run members

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 07:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('patrol_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('started_at_device', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('start_clock_offset_ms', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('ended_at_device', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('end_clock_offset_ms', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('time_flags', sa.JSON(), nullable=False,
                                      server_default='[]'))
        batch_op.add_column(sa.Column('duration_s', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('area_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_patrol_run_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patrol_run_started_at'), ['started_at'],
                              unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_patrol_run_area_id_area'), 'area',
                                    ['area_id'], ['id'])
    for table, column in (('site_check', 'checked_at_device'),
                          ('inspection', 'inspected_at_device')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(column, sa.DateTime(timezone=True), nullable=True))
            batch_op.add_column(sa.Column('clock_offset_ms', sa.BigInteger(), nullable=True))
            batch_op.add_column(sa.Column('time_flags', sa.JSON(), nullable=False,
                                          server_default='[]'))
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index('ix_observation_user_id_recorded_at', ['user_id', 'recorded_at'],
                              unique=False)
    op.create_table('patrol_run_member',
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['patrol_run.id'],
                            name=op.f('fk_patrol_run_member_run_id_patrol_run')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'],
                            name=op.f('fk_patrol_run_member_user_id_user_account')),
    sa.PrimaryKeyConstraint('run_id', 'user_id', name=op.f('pk_patrol_run_member'))
    )
    with op.batch_alter_table('patrol_run_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrol_run_member_user_id'), ['user_id'],
                              unique=False)
    _backfill()


def _backfill():
    """Members from the runs' id lists; durations of ended runs (whole seconds)."""
    bind = op.get_bind()
    run = sa.table('patrol_run', sa.column('id', sa.Integer), sa.column('leader_id', sa.Integer),
                   sa.column('participant_user_ids', sa.JSON),
                   sa.column('auditor_user_ids', sa.JSON),
                   sa.column('started_at', sa.DateTime(timezone=True)),
                   sa.column('ended_at', sa.DateTime(timezone=True)),
                   sa.column('duration_s', sa.BigInteger))
    member = sa.table('patrol_run_member', sa.column('run_id', sa.Integer),
                      sa.column('user_id', sa.Integer), sa.column('role', sa.String))
    rows = []
    for row in bind.execute(sa.select(run)).mappings():
        roles = {row['leader_id']: 'leader'}
        for user_id in row['participant_user_ids'] or []:
            roles.setdefault(user_id, 'officer')
        for user_id in row['auditor_user_ids'] or []:
            roles.setdefault(user_id, 'auditor')
        rows += [{'run_id': row['id'], 'user_id': u, 'role': r} for u, r in roles.items()]
        if row['ended_at'] is not None:
            seconds = int((row['ended_at'] - row['started_at']).total_seconds())
            bind.execute(run.update().where(run.c.id == row['id']).values(duration_s=seconds))
    if rows:
        bind.execute(member.insert(), rows)


def downgrade():
    with op.batch_alter_table('patrol_run_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrol_run_member_user_id'))
    op.drop_table('patrol_run_member')
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_index('ix_observation_user_id_recorded_at')
    for table, column in (('inspection', 'inspected_at_device'),
                          ('site_check', 'checked_at_device')):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('time_flags')
            batch_op.drop_column('clock_offset_ms')
            batch_op.drop_column(column)
    with op.batch_alter_table('patrol_run', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_patrol_run_area_id_area'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_patrol_run_started_at'))
        batch_op.drop_index(batch_op.f('ix_patrol_run_area_id'))
        batch_op.drop_column('area_id')
        batch_op.drop_column('duration_s')
        batch_op.drop_column('time_flags')
        batch_op.drop_column('end_clock_offset_ms')
        batch_op.drop_column('ended_at_device')
        batch_op.drop_column('start_clock_offset_ms')
        batch_op.drop_column('started_at_device')
