"""The migration that copies each attempt's paper key out of its snapshot (the key every save compares), and
on PostgreSQL checks handed-in answers per statement instead of per row: existing attempts keep saving, a
snapshot without a key matches no form, and the way back restores the old trigger."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic import command
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.exc import DBAPIError

from app.db import alembic_config
from tests.conftest import own_database

BEFORE = "0021_api_token_expiry"


@pytest.fixture
def migrated_to(tmp_path) -> Iterator[object]:
    with own_database(tmp_path, "migr") as url:
        engine = create_engine(url)
        config = alembic_config()

        def to(revision: str, work=None):
            with engine.begin() as connection:
                config.attributes["connection"] = connection
                if revision.startswith("-"):
                    command.downgrade(config, revision[1:])
                else:
                    command.upgrade(config, revision)
                return work(connection) if work else None
        try:
            yield to
        finally:
            engine.dispose()


def _attempts(connection: Connection) -> None:
    connection.execute(text("INSERT INTO users (id, email, name, password_hash, role, session_version, created_at, "
                            "recovery_code_hashes) VALUES (1, 'a@example.org', 'A', '!', 'learner', 1, "
                            "CURRENT_TIMESTAMP, '[]')"))
    for attempt_id, snapshot, status in ((1, '{"key": "0123abcd", "questions": []}', "in_progress"),
                                         (2, '{"questions": []}', "in_progress"),
                                         (3, '{"key": "feedface", "questions": []}', "in_progress")):
        connection.execute(text("INSERT INTO quiz_attempts (id, user_id, quiz_id, number, seed, snapshot, counts, "
                                "status, started_at) VALUES (:id, 1, :quiz, 1, 7, :snapshot, 'best', :status, "
                                "CURRENT_TIMESTAMP)"),
                           {"id": attempt_id, "quiz": f"toets{attempt_id}", "snapshot": snapshot, "status": status})
    connection.execute(text("INSERT INTO quiz_attempt_answers (attempt_id, question_id, raw, saved_at) "
                            "VALUES (3, 'v1', '{\"\": [\"a\"]}', CURRENT_TIMESTAMP)"))
    connection.execute(text("UPDATE quiz_attempts SET status = 'submitted' WHERE id = 3"))


def _keys(connection: Connection) -> dict[int, str | None]:
    return dict(connection.execute(text("SELECT id, paper_key FROM quiz_attempts")).all())


def _change_handed_in_answer(connection: Connection) -> None:
    connection.execute(text("UPDATE quiz_attempt_answers SET raw = '{\"\": [\"b\"]}' WHERE attempt_id = 3"))


def test_each_attempt_gets_its_snapshots_key_and_handed_in_answers_stay_final_both_ways(migrated_to):
    migrated_to(BEFORE, _attempts)
    assert migrated_to("heads", _keys) == {1: "0123abcd", 2: None, 3: "feedface"}
    with pytest.raises(DBAPIError, match="answers are final"):
        migrated_to("heads", _change_handed_in_answer)
    migrated_to(f"-{BEFORE}")
    with pytest.raises(DBAPIError, match="answers are final"):
        migrated_to(BEFORE, _change_handed_in_answer)
    assert migrated_to("heads", _keys) == {1: "0123abcd", 2: None, 3: "feedface"}
