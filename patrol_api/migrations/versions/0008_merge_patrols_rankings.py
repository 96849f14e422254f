"""join the patrols (0006) and rankings (0007) branches

Revision ID: 0008
Revises: 0006, 0007
Create Date: 2026-11-22 04:26:00

"""

revision = '0008'
down_revision = ('0006', '0007')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
