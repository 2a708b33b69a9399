"""Committing a draft: work the learner's open page still holds, and sends again with every later save."""

from __future__ import annotations

from sqlalchemy.orm import Session


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
