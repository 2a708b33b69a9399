"""casus: the text of each casus version runs started on, so a run is shown with its own version

Revision ID: 0014_casus_versions
Revises: 0013_reminders
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_casus_versions'
down_revision = '0013_reminders'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('casus_versions',
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('casus_id', sa.String(length=64), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('content_hash', name=op.f('pk_casus_versions'))
    )


def downgrade() -> None:
    op.drop_table('casus_versions')
