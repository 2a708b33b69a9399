"""each learner's standing per module, kept by the services that record progress

Revision ID: 0020_module_summaries
Revises: 0019_time_on_task

No backfill here: the figures are the pure rules' (course.progress), which a migration should not import.
A member without valid rows is computed by the report itself from the raw rows (course.services.progress_sql),
so existing data stays exact; `flask --app app org refresh-figures` fills the rows so reports stop computing
them.
"""
from alembic import op
import sqlalchemy as sa


revision = '0020_module_summaries'
down_revision = '0019_time_on_task'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'module_summaries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('module_id', sa.String(length=64), nullable=False),
        sa.Column('shape', sa.String(length=32), nullable=False),
        sa.Column('basis', sa.Integer(), nullable=False),
        sa.Column('complete', sa.Boolean(), nullable=False),
        sa.Column('started', sa.Boolean(), nullable=False),
        sa.Column('best_score', sa.Float(), nullable=True),
        sa.Column('casuses_done', sa.Integer(), nullable=False),
        sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_module_summaries_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_module_summaries')),
        sa.UniqueConstraint('user_id', 'module_id', name=op.f('uq_module_summaries_user_id_module_id')),
    )


def downgrade() -> None:
    op.drop_table('module_summaries')
