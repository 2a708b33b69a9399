"""quiz: the paper's key in a column of its own; on PostgreSQL, handed-in answers kept final per statement

Revision ID: 0022_paper_key_per_statement
Revises: 0021_api_token_expiry

Every autosave compares the key of the paper the form was parsed with to the attempt's. Read from the
snapshot (some 16 kB of JSON text), that meant fetching, decompressing and parsing the whole paper on every
save: a fifth of the database's work for it. The key never changes after the attempt starts, so it is copied
once into ``paper_key``. Attempts whose snapshot has no key keep NULL, which matches no form (as before).

On PostgreSQL the trigger that keeps a handed-in attempt's answers final ran once per answer row, on the
insert and again on the conflict's update: a third of the database's work for an autosave of eight answers.
It becomes two statement-level triggers that check all rows of a statement at once (transition tables). The
rule is unchanged: inserting an answer into a handed-in attempt, or changing an answer's attempt, question,
answer or check moment when either attempt is handed in, is refused; grading (score, correct) and deleting
stay possible. SQLite has no statement-level triggers and keeps its own.
"""
from alembic import op
import sqlalchemy as sa


revision = '0022_paper_key_per_statement'
down_revision = '0021_api_token_expiry'
branch_labels = None
depends_on = None

MESSAGE = "quiz attempt submitted: its answers are final"

PER_STATEMENT = [
    f"""CREATE FUNCTION quiz_answers_final_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM inserted JOIN quiz_attempts ON quiz_attempts.id = inserted.attempt_id
                     WHERE quiz_attempts.status = 'submitted') THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
          END IF;
          RETURN NULL;
        END $$""",
    # json has no equality: the answer is compared as the text it was stored as, which an update that leaves
    # it alone keeps byte for byte. FULL JOIN: a row whose id changed has no partner, and counts as changed.
    f"""CREATE FUNCTION quiz_answers_final_updated() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF EXISTS (SELECT 1 FROM before FULL JOIN after USING (id) JOIN quiz_attempts
                       ON quiz_attempts.id IN (before.attempt_id, after.attempt_id)
                     WHERE quiz_attempts.status = 'submitted'
                       AND (before.attempt_id, before.question_id, before.raw::text, before.checked_at)
                           IS DISTINCT FROM (after.attempt_id, after.question_id, after.raw::text, after.checked_at))
          THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
          END IF;
          RETURN NULL;
        END $$""",
    """CREATE TRIGGER quiz_answers_final_insert AFTER INSERT ON quiz_attempt_answers
        REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION quiz_answers_final_inserted()""",
    """CREATE TRIGGER quiz_answers_final_update AFTER UPDATE ON quiz_attempt_answers
        REFERENCING OLD TABLE AS before NEW TABLE AS after
        FOR EACH STATEMENT EXECUTE FUNCTION quiz_answers_final_updated()""",
]
PER_ROW = [
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
    # Not batch mode: on SQLite that copies the table, which the triggers on its answers refer to.
    op.add_column('quiz_attempts', sa.Column('paper_key', sa.String(length=32), nullable=True))
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.execute("UPDATE quiz_attempts SET paper_key = "
               + ("snapshot ->> 'key'" if postgresql else "json_extract(snapshot, '$.key')"))
    if postgresql:
        op.execute("DROP TRIGGER quiz_answers_final ON quiz_attempt_answers")
        op.execute("DROP FUNCTION quiz_answers_final()")
        for statement in PER_STATEMENT:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER quiz_answers_final_insert ON quiz_attempt_answers")
        op.execute("DROP TRIGGER quiz_answers_final_update ON quiz_attempt_answers")
        op.execute("DROP FUNCTION quiz_answers_final_inserted()")
        op.execute("DROP FUNCTION quiz_answers_final_updated()")
        for statement in PER_ROW:
            op.execute(statement)
    op.execute("ALTER TABLE quiz_attempts DROP COLUMN paper_key")  # SQLite 3.35 and later
