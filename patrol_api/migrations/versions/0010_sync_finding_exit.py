"""sync: finding exits (who held a finding before a change took it out of their view)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sync_finding_exit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('finding_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('area_id', sa.Integer(), nullable=True),
        sa.Column('department_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_sync_finding_exit_seq', 'sync_finding_exit', ['seq'], unique=False)


def downgrade():
    op.drop_index('ix_sync_finding_exit_seq', table_name='sync_finding_exit')
    op.drop_table('sync_finding_exit')
