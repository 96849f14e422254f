"""findings intake: observations parked after a failed intake, with the error, for admins

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 14:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'intake_parked',
        sa.Column('observation_id', sa.Integer(), nullable=False),
        sa.Column('error', sa.String(length=1000), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('parked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['observation_id'], ['observation.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('observation_id'),
    )


def downgrade():
    op.drop_table('intake_parked')
