"""quiz: the answers of a submitted attempt are final, enforced by the database (triggers)

Revision ID: 0008_submitted_answers_final
Revises: 0007_two_factor
"""
from alembic import op


revision = '0008_submitted_answers_final'
down_revision = '0007_two_factor'
branch_labels = None
depends_on = None

MESSAGE = "quiz attempt submitted: its answers are final"

# Grading (score, correct) and deleting (account deletion) stay possible; adding or changing an answer does not.
SQLITE = [
    f"""CREATE TRIGGER quiz_answers_final_insert BEFORE INSERT ON quiz_attempt_answers
        WHEN (SELECT status FROM quiz_attempts WHERE id = NEW.attempt_id) = 'submitted'
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER quiz_answers_final_update BEFORE UPDATE OF attempt_id, question_id, raw, checked_at
        ON quiz_attempt_answers
        WHEN (SELECT status FROM quiz_attempts WHERE id IN (OLD.attempt_id, NEW.attempt_id)
              AND status = 'submitted') IS NOT NULL
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
POSTGRESQL = [
    f"""CREATE FUNCTION quiz_answers_final() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM quiz_attempts WHERE status = 'submitted' AND (id = NEW.attempt_id
                     OR (TG_OP = 'UPDATE' AND id = OLD.attempt_id))) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$""",
    """CREATE TRIGGER quiz_answers_final BEFORE INSERT OR UPDATE OF attempt_id, question_id, raw, checked_at
        ON quiz_attempt_answers FOR EACH ROW EXECUTE FUNCTION quiz_answers_final()""",
]


def upgrade() -> None:
    for statement in POSTGRESQL if op.get_bind().dialect.name == "postgresql" else SQLITE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER quiz_answers_final ON quiz_attempt_answers")
        op.execute("DROP FUNCTION quiz_answers_final()")
    else:
        op.execute("DROP TRIGGER quiz_answers_final_insert")
        op.execute("DROP TRIGGER quiz_answers_final_update")
