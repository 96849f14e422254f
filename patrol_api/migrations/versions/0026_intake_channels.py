"""findings: the intake channel of every observation and finding (existing rows from the
author's role: citizen auditors' observations are citizen_auditor, all others patrol)

Revision ID: 0026
Revises: 0016
Create Date: 2026-12-06 14:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=20), nullable=False,
                                      server_default='patrol'))
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=20), nullable=False,
                                      server_default='patrol'))
        batch_op.create_index('ix_finding_channel', ['channel'], unique=False)
    op.execute(
        "UPDATE observation SET channel = 'citizen_auditor' WHERE user_id IN "
        "(SELECT id FROM user_account WHERE role = 'citizen_auditor')")
    # a finding's channel is that of its first observation
    op.execute(
        "UPDATE finding SET channel = COALESCE((SELECT o.channel FROM observation o "
        "WHERE o.finding_id = finding.id ORDER BY o.id LIMIT 1), 'patrol')")


def downgrade():
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_channel')
        batch_op.drop_column('channel')
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_column('channel')
