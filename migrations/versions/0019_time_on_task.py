"""time on task stored per learner: one row per user, kept by the services that close a span

Revision ID: 0019_time_on_task
Revises: 0018_assignment_certificates

No backfill here: the figure is the pure rule's (course.certification), which a migration should not import.
A member without a row is computed by the report itself (course.services.progress_sql), so existing data
stays exact; `flask --app app org refresh-figures` fills the rows so reports stop computing them.
"""
from alembic import op
import sqlalchemy as sa


revision = '0019_time_on_task'
down_revision = '0018_assignment_certificates'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'time_on_task',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('minutes_on_task', sa.Float(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_time_on_task_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_time_on_task')),
        sa.UniqueConstraint('user_id', name=op.f('uq_time_on_task_user_id')),
    )


def downgrade() -> None:
    op.drop_table('time_on_task')
