"""The migration that gives every API token an end: tokens made before it get a year from the day they were
made, so no integration stops on the day of the upgrade."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import create_engine, text

from app.db import alembic_config
from tests.conftest import own_database


def test_tokens_made_before_expiry_existed_get_a_year(tmp_path):
    made = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    with own_database(tmp_path, "migr") as url:
        engine = create_engine(url)
        try:
            config = alembic_config()
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "0020_module_summaries")
                connection.execute(text("INSERT INTO organisations (id, slug, name, created_at) "
                                        "VALUES (1, 'jeugdzorg', 'Jeugdzorg', :made)"), {"made": made})
                connection.execute(text("INSERT INTO api_tokens (id, organisation_id, name, token_hash, prefix, "
                                        "scopes, created_at) VALUES (1, 1, 'HR', :hash, 'llapi_abc', '[]', :made)"),
                                   {"hash": "0" * 64, "made": made})
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                command.upgrade(config, "heads")
                expires = connection.execute(text("SELECT expires_at FROM api_tokens WHERE id = 1")).scalar_one()
            if isinstance(expires, str):  # SQLite hands the stored text back through a plain text() query
                expires = datetime.fromisoformat(expires)
            if expires.tzinfo is None:  # SQLite keeps UTC without an offset
                expires = expires.replace(tzinfo=UTC)
            assert expires == made + timedelta(days=365)
        finally:
            engine.dispose()
