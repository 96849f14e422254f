"""join the photo (0003) and findings (0004) branches

Revision ID: 0005
Revises: 0003, 0004
Create Date: 2026-11-22 03:55:00

"""

revision = '0005'
down_revision = ('0003', '0004')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
