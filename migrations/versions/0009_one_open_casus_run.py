"""casus: at most one run in progress per learner and casus; older open runs become 'stopped'

Revision ID: 0009_one_open_casus_run
Revises: 0008_submitted_answers_final
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_one_open_casus_run'
down_revision = '0008_submitted_answers_final'
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'in_progress'")


def upgrade() -> None:
    # Restarts and double clicks left several runs in progress: the newest stays open, the others stop.
    op.execute("""UPDATE casus_runs SET status = 'stopped'
                  WHERE status = 'in_progress' AND EXISTS (
                      SELECT 1 FROM casus_runs AS newer
                      WHERE newer.user_id = casus_runs.user_id AND newer.casus_id = casus_runs.casus_id
                        AND newer.status = 'in_progress' AND newer.number > casus_runs.number)""")
    with op.batch_alter_table('casus_runs', schema=None) as batch_op:
        batch_op.create_index('uq_casus_runs_open', ['user_id', 'casus_id'], unique=True,
                              sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    with op.batch_alter_table('casus_runs', schema=None) as batch_op:
        batch_op.drop_index('uq_casus_runs_open', sqlite_where=OPEN, postgresql_where=OPEN)
    op.execute("UPDATE casus_runs SET status = 'in_progress' WHERE status = 'stopped'")
