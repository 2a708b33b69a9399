"""casus: runs (with the engine's state and drafts) and the decisions taken in them

Revision ID: 0003_casus
Revises: 0001_foundation

"""
from alembic import op
import sqlalchemy as sa


revision = '0003_casus'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('casus_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('casus_id', sa.String(length=64), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('drafts', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('in_progress', 'completed', name='casus_run_status', native_enum=False, length=20), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_casus_runs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_casus_runs')),
    sa.UniqueConstraint('user_id', 'casus_id', 'number', name=op.f('uq_casus_runs_user_id_casus_id_number'))
    )
    op.create_table('casus_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('casus_id', sa.String(length=64), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('choice', sa.JSON(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['casus_runs.id'], name=op.f('fk_casus_decisions_run_id_casus_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_casus_decisions')),
    sa.UniqueConstraint('run_id', 'position', name=op.f('uq_casus_decisions_run_id_position'))
    )
    with op.batch_alter_table('casus_decisions', schema=None) as batch_op:
        batch_op.create_index('ix_casus_decisions_casus_id_step_id', ['casus_id', 'step_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('casus_decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_casus_decisions_casus_id_step_id')

    op.drop_table('casus_decisions')
    op.drop_table('casus_runs')
