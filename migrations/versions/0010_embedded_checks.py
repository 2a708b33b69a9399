"""quiz: the answer just checked on an embedded question, kept in the database instead of the session cookie

Revision ID: 0010_embedded_checks
Revises: 0009_one_open_casus_run
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_embedded_checks'
down_revision = '0009_one_open_casus_run'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('embedded_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.String(length=64), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('raw', sa.JSON(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_embedded_checks_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_embedded_checks')),
    sa.UniqueConstraint('user_id', 'quiz_id', 'question_id', name=op.f('uq_embedded_checks_user_id_quiz_id_question_id'))
    )


def downgrade() -> None:
    op.drop_table('embedded_checks')
