"""sync: each observation's pull entry stored as JSON text (rows without one render on pull)

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-03 17:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pull_json', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_column('pull_json')
