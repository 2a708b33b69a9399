"""API tokens expire: expires_at on every token

Revision ID: 0021_api_token_expiry
Revises: 0020_module_summaries

Tokens made before this get a year from the day they were made (the longest a new token may have), so no
integration stops without its admin having had the chance to see the date on the organisation's page.
"""
from datetime import timedelta

from alembic import op
import sqlalchemy as sa


revision = '0021_api_token_expiry'
down_revision = '0020_module_summaries'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('api_tokens') as batch:
        batch.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table('api_tokens', sa.column('id', sa.Integer()), sa.column('created_at', sa.DateTime(timezone=True)),
                      sa.column('expires_at', sa.DateTime(timezone=True)))
    connection = op.get_bind()
    rows = connection.execute(sa.select(tokens.c.id, tokens.c.created_at)).all()
    for token_id, created_at in rows:
        connection.execute(tokens.update().where(tokens.c.id == token_id)
                           .values(expires_at=created_at + timedelta(days=365)))
    with op.batch_alter_table('api_tokens') as batch:
        batch.alter_column('expires_at', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_column('expires_at')
