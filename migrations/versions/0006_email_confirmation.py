"""users.email_confirmed_at: new accounts confirm their address before the first login

Revision ID: 0006_email_confirmation
Revises: 0005_trainer
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_email_confirmation'
down_revision = '0005_trainer'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True))
    # Accounts from before this migration registered without a confirmation step: they keep working.
    op.execute("UPDATE users SET email_confirmed_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email_confirmed_at')
