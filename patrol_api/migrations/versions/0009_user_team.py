"""users: patrol team and patrolled areas

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 09:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('patrol_area_codes', sa.JSON(), nullable=False,
                                      server_default='[]'))


def downgrade():
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('patrol_area_codes')
        batch_op.drop_column('team')
