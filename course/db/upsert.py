"""INSERT … ON CONFLICT for the two databases we support, which spell it with different imports."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_for(session: Session, table: Any) -> Any:
    """An INSERT construct for ``table`` that offers ``on_conflict_do_update`` on the session's database."""
    return insert_for_dialect(session.get_bind().dialect.name, table)


def insert_for_dialect(dialect: str, table: Any) -> Any:
    """``insert_for`` by the database's dialect name (for a statement built once per database)."""
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no upsert for database '{dialect}'")
