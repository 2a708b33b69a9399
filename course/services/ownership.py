"""The one rule behind every learner's private rows: you only ever get your own."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

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
