"""The one rule behind every learner's private rows: you only ever get your own."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from course.db.users import User
from course.errors import NotFound

Row = TypeVar("Row")


def own(session: Session, model: type[Row], object_id: int, user_id: int, *, missing: str,
        lock: bool = False) -> Row:
    """The ``model`` row ``object_id`` if it belongs to ``user_id`` (locked for update if ``lock``).

    Raises NotFound with ``missing`` otherwise: someone else's row and no row at all look the same.
    """
    table: Any = model
    query = select(model).where(table.id == object_id, table.user_id == user_id)
    if lock:
        # populate_existing: a row already loaded in this session is read again under the lock.
        query = query.with_for_update().execution_options(populate_existing=True)
    row = session.scalars(query).one_or_none()
    if row is None:
        raise NotFound(missing)
    return row


def lock_learner(session: Session, user_id: int) -> None:
    """Take the learner's row lock for the rest of the transaction (PostgreSQL; SQLite's BEGIN IMMEDIATE
    already serialises writers).

    Starting an attempt or a run checks "is one open?" and then inserts one: two double-clicked starts,
    each inserting into two unique indexes, can deadlock. Locking the learner first gives them one order.
    ``FOR NO KEY UPDATE``, so rows that merely refer to the learner can still be written meanwhile.
    """
    session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))
