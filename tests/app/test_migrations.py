"""The migrations as a whole."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from app.db import alembic_config


def test_the_migrations_form_one_line():
    """One head: two migrations written side by side on one parent would each run, in an order nobody chose."""
    assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1
