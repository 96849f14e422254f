"""rankings: who held a finding when it became late, approved holds, snapshot reasons

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-06 14:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ranking_fact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accountable_until', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('hold_count', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('holds_unapproved', sa.Integer(), nullable=False,
                                      server_default='0'))
        batch_op.add_column(sa.Column('paused_since', sa.DateTime(timezone=True),
                                      nullable=True))
    with op.batch_alter_table('ranking_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('ranking_snapshot', schema=None) as batch_op:
        batch_op.drop_column('reason')
    with op.batch_alter_table('ranking_fact', schema=None) as batch_op:
        batch_op.drop_column('paused_since')
        batch_op.drop_column('holds_unapproved')
        batch_op.drop_column('hold_count')
        batch_op.drop_column('accountable_until')
