"""sso: an organisation's OpenID Connect provider, and the (issuer, subject) each account is known by there

Revision ID: 0017_sso
Revises: 0016_api_tokens
"""
from alembic import op
import sqlalchemy as sa


revision = '0017_sso'
down_revision = '0016_api_tokens'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sso_configs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('client_id', sa.String(length=255), nullable=False),
    sa.Column('client_secret_encrypted', sa.Text(), nullable=True),
    sa.Column('domains', sa.JSON(), nullable=False),
    sa.Column('mandatory', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_sso_configs_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_configs')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_sso_configs_organisation_id'))
    )
    op.create_table('sso_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sso_identities_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_identities')),
    sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_sso_identities_issuer_subject'))
    )
    op.create_index(op.f('ix_sso_identities_user_id'), 'sso_identities', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_sso_identities_user_id'), table_name='sso_identities')
    op.drop_table('sso_identities')
    op.drop_table('sso_configs')
