"""An empty database for one benchmark run: a SQLite file, or a schema of its own on a PostgreSQL database."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text


@contextmanager
def throwaway_database(database_url: str | None, directory: str, name: str) -> Iterator[str]:
    """The URL to run on: ``<directory>/<name>.sqlite3``, or with ``database_url`` (PostgreSQL) a new schema
    of that database, dropped with everything in it when the block ends (so runs can share one database)."""
    if not database_url:
        yield f"sqlite:///{directory}/{name}.sqlite3"
        return
    schema = f"{name}_{secrets.token_hex(4)}"
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{database_url}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()
