"""inspections: campaign flags (site not a target, outside the window); site indexes of
inspections and site checks by time, for the coverage view

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.add_column(sa.Column('not_campaign_target', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('outside_campaign_window', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index('ix_inspection_site_id_inspected_at',
                              ['site_id', 'inspected_at'], unique=False)
    with op.batch_alter_table('site_check', schema=None) as batch_op:
        batch_op.create_index('ix_site_check_site_id_checked_at', ['site_id', 'checked_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('site_check', schema=None) as batch_op:
        batch_op.drop_index('ix_site_check_site_id_checked_at')
    with op.batch_alter_table('inspection', schema=None) as batch_op:
        batch_op.drop_index('ix_inspection_site_id_inspected_at')
        batch_op.drop_column('outside_campaign_window')
        batch_op.drop_column('not_campaign_target')
