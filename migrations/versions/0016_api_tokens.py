"""api tokens: per-organisation tokens for the JSON API (stored hashed, with scopes) and every use of them

Revision ID: 0016_api_tokens
Revises: 0015_certificates
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_api_tokens'
down_revision = '0015_certificates'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_api_tokens_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_index(op.f('ix_api_tokens_organisation_id'), 'api_tokens', ['organisation_id'], unique=False)
    op.create_table('api_token_uses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_api_token_uses_token_id_api_tokens'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token_uses'))
    )
    op.create_index(op.f('ix_api_token_uses_token_id'), 'api_token_uses', ['token_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_api_token_uses_token_id'), table_name='api_token_uses')
    op.drop_table('api_token_uses')
    op.drop_index(op.f('ix_api_tokens_organisation_id'), table_name='api_tokens')
    op.drop_table('api_tokens')
