"""rankings: department work facts and frozen monthly snapshots

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-22 04:15:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0005'
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        'ranking_fact',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('finding_id', sa.Integer(), nullable=False),
        sa.Column('stint', sa.Integer(), nullable=False),
        sa.Column('department_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=True),
        sa.Column('origin', sa.String(length=20), nullable=False),
        sa.Column('received_at', TS, nullable=False),
        sa.Column('acked_at', TS, nullable=True),
        sa.Column('resolved_at', TS, nullable=True),
        sa.Column('due_at', TS, nullable=True),
        sa.Column('ended_at', TS, nullable=True),
        sa.Column('end_kind', sa.String(length=20), nullable=True),
        sa.Column('verified_at', TS, nullable=True),
        sa.Column('failed_at', TS, nullable=True),
        sa.Column('reopened_at', TS, nullable=True),
        sa.Column('reopen_after_s', sa.Integer(), nullable=True),
        sa.Column('ack_s', sa.Integer(), nullable=True),
        sa.Column('resolve_s', sa.Integer(), nullable=True),
        sa.Column('expected_ack_s', sa.Integer(), nullable=False),
        sa.Column('expected_resolve_s', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['department_id'], ['department.id']),
        sa.ForeignKeyConstraint(['finding_id'], ['finding.id']),
        sa.PrimaryKeyConstraint('id'))
    op.create_index('ix_ranking_fact_finding_id', 'ranking_fact', ['finding_id'])
    op.create_index('ix_ranking_fact_dept_received', 'ranking_fact',
                    ['department_id', 'received_at'])
    op.create_index('ix_ranking_fact_resolved', 'ranking_fact', ['resolved_at'])
    op.create_index('ix_ranking_fact_due', 'ranking_fact', ['due_at'])
    op.create_table(
        'ranking_snapshot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('data_version', sa.BigInteger(), nullable=False),
        sa.Column('formula_version', sa.String(length=20), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('tables', sa.JSON(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', TS, nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('month', 'version'))
    op.create_index('ix_ranking_snapshot_month', 'ranking_snapshot', ['month'])


def downgrade():
    op.drop_index('ix_ranking_snapshot_month', table_name='ranking_snapshot')
    op.drop_table('ranking_snapshot')
    for name in ('ix_ranking_fact_due', 'ix_ranking_fact_resolved',
                 'ix_ranking_fact_dept_received', 'ix_ranking_fact_finding_id'):
        op.drop_index(name, table_name='ranking_fact')
    op.drop_table('ranking_fact')
