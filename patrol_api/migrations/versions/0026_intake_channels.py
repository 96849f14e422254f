"""findings: the intake channel of every observation and finding (existing rows from the
author's role: citizen auditors' observations are citizen_auditor, all others patrol);
Open311 client applications and their requests

Revision ID: 0026
Revises: 0017
Create Date: 2026-12-06 14:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0017'
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
    op.create_table(
        'open311_client',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key_hash'),
        sa.UniqueConstraint('name'),
    )
    op.create_table(
        'open311_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=36), nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('observation_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=200), nullable=True),
        sa.Column('phone', sa.String(length=40), nullable=True),
        sa.Column('first_name', sa.String(length=100), nullable=True),
        sa.Column('last_name', sa.String(length=100), nullable=True),
        sa.Column('device_id', sa.String(length=200), nullable=True),
        sa.Column('account_id', sa.String(length=200), nullable=True),
        sa.Column('address_string', sa.String(length=300), nullable=True),
        sa.Column('media_url', sa.String(length=1000), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['open311_client.id']),
        sa.ForeignKeyConstraint(['observation_id'], ['observation.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token'),
    )
    op.create_index('ix_open311_request_observation_id', 'open311_request',
                    ['observation_id'], unique=False)


def downgrade():
    op.drop_index('ix_open311_request_observation_id', table_name='open311_request')
    op.drop_table('open311_request')
    op.drop_table('open311_client')
    with op.batch_alter_table('finding', schema=None) as batch_op:
        batch_op.drop_index('ix_finding_channel')
        batch_op.drop_column('channel')
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_column('channel')
