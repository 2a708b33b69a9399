"""Committing a draft: work the learner's open page still holds, and sends again with every later save."""

from __future__ import annotations

from sqlalchemy import ScalarSelect, TableValuedAlias, bindparam, column, exists, func, select, true, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from course.db.base import status_is
from course.db.prepared import PreparedStatement
from course.db.quiz import AttemptAnswer, AttemptStatus, QuizAttempt
from course.db.users import User


def commit_draft(session: Session) -> None:
    """Commit; on PostgreSQL without waiting for the write-ahead log to reach the disk.

    A quiz autosave's commit on PostgreSQL waited some 2.5 ms for the disk, while the worker could do
    nothing else: without the wait the autosave answers a fifth more saves per second. What the wait
    guards against is the database server or its machine crashing within the next fraction of a second
    (three times ``wal_writer_delay``, 0.6 s by default): such a crash would lose this save, never corrupt
    anything, and never lose a later commit that did wait (the log is written in order). The answers of an
    autosave are all still in the learner's page, which sends the whole form again with each save and with
    the hand-in; SQLite's ``synchronous=NORMAL`` (app/db.py) makes the same trade for every commit. Grades,
    hand-ins and everything else an organisation certifies on keep the waiting commit.
    """
    if session.get_bind().dialect.name == "postgresql":
        # For this transaction only (SET LOCAL): the connection goes back to the pool as it came.
        session.connection().exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
    session.commit()


def posted_answers() -> TableValuedAlias:
    """The answers of a save as rows (``key``: the question's id, ``value``: its answer), from one JSON object
    parameter ``the_answers`` taken apart by the database (``json_each``, on both databases): a parameter per
    question and answer cost the driver a conversion each, and the answers' JSON an encoding each."""
    answers = AttemptAnswer.__table__
    return (func.json_each(bindparam("the_answers", type_=answers.c.raw.type))
            .table_valued(column("key", answers.c.question_id.type), column("value", answers.c.raw.type))
            .alias("posted"))


def _save_counts(*, token_version: bool) -> tuple[ScalarSelect[int], ScalarSelect[int]]:
    """A quiz save in one PostgreSQL statement that is its own transaction, as two columns: (attempts marked
    saved: 0 or 1, answers written). ``SAVE_IN_ONE_STATEMENT`` selects them by themselves; the login of an
    autosave selects them beside its own (``CARRIED_SAVE_COUNTS``, with ``token_version``: see there).

    The save in a transaction took six round trips to the server (BEGIN, the login, marking the attempt
    saved, the answers, the setting of commit_draft, COMMIT), each a few dozen µs of the worker's and the
    server's time: a third of an autosave. Here the login is read before (or in the same statement), and this
    marks the attempt saved (the row lock a save takes, as in the transaction) and upserts the answers,
    committing without waiting for the disk as ``commit_draft`` does (``set_config(…, true)`` lasts as long
    as the statement's own transaction). The answers come as one JSON object (``posted_answers``): two
    parameters per answer had cost some 60 µs of an autosave of eight answers.

    It writes only when the attempt is the learner's (``the_learner``), still open, still the paper whose
    ``the_key`` the caller parsed the form with, and none of these questions has an answer fixed already
    (feedback shown); otherwise it changes nothing. Parameters: ``the_attempt``, ``the_learner``,
    ``the_key``, ``the_moment`` and ``the_answers`` (and ``the_version`` with ``token_version``). A hand-in
    that holds the attempt's lock is waited for, and the attempt is then closed: 0. A fixed answer is never
    overwritten (the upsert's condition, checked on the newest row); only when an answer was fixed in the
    same instant, after the statement's snapshot, are the others written and fewer answers than posted
    come back.
    """
    attempts, answers, users = QuizAttempt.__table__, AttemptAnswer.__table__, User.__table__
    moment = bindparam("the_moment", type_=attempts.c.last_saved_at.type)
    posted = posted_answers()
    touched = (
        update(attempts)
        .where(attempts.c.id == bindparam("the_attempt"), attempts.c.user_id == bindparam("the_learner"),
               status_is(attempts.c.status, AttemptStatus.IN_PROGRESS),
               attempts.c.paper_key == bindparam("the_key"),
               *([exists().where(users.c.id == bindparam("the_learner"),
                                 users.c.session_version == bindparam("the_version"))] if token_version else []),
               ~exists().where(answers.c.attempt_id == bindparam("the_attempt"), answers.c.checked_at.is_not(None),
                               answers.c.question_id.in_(select(posted.c.key))))
        .values(last_saved_at=moment)
        .returning(attempts.c.id, func.set_config("synchronous_commit", "off", True).label("relaxed"))
        .cte("touched"))
    upsert = postgresql.insert(answers).from_select(
        ["attempt_id", "question_id", "raw", "saved_at"],
        select(touched.c.id, posted.c.key, posted.c.value, moment).select_from(touched.join(posted, true())))
    upsert = upsert.on_conflict_do_update(index_elements=["attempt_id", "question_id"],
                                          set_={"raw": upsert.excluded.raw, "saved_at": upsert.excluded.saved_at},
                                          where=answers.c.checked_at.is_(None))
    written = upsert.returning(answers.c.question_id).cte("written")
    return (select(func.count()).select_from(touched).scalar_subquery(),
            select(func.count()).select_from(written).scalar_subquery())


SAVE_IN_ONE_STATEMENT = PreparedStatement(select(*_save_counts(token_version=False)))
# The same save, for the login of an autosave to carry (accounts.resume_login's ``carrying``): the login and
# the save then take one round trip instead of two, a fifth of an autosave's cost over HTTP (the worker's
# and the server's time for a statement, and the switches between them). It runs before the login is
# known, on the strength of the page's attempt token alone, so it asks what the save of a token's owner
# asks when someone else or no one is logged in (app/quiz/views.py): the account still has the session
# version the token was made with (``the_version``). Whoever is logged in, it only ever writes to the
# token owner's own open attempt.
CARRIED_SAVE_COUNTS = _save_counts(token_version=True)
