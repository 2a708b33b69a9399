"""Work tokens, read once per worker: a token remembered must be refused exactly when itsdangerous would.

``app/work_tokens.py`` remembers a token that verified, with its content and signing moment. These tests
hold the remembered path to the rules of the first reading: a changed byte, another kind or another key is
refused every time, and a remembered token still expires (or is refused when signed in the future).
"""

from __future__ import annotations

import time

import pytest
from flask import Flask
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from app.work_tokens import MAX_AGE, WorkToken, make_token, read_token


def _forged(token: str) -> str:
    payload, timestamp, signature = token.rsplit(".", 2)
    # The signature's first character: all six of its bits count (the last one's lowest bits are padding).
    return f"{payload}.{timestamp}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"


def test_a_token_reads_the_same_every_time_and_is_verified_once(app: Flask, monkeypatch):
    verified = []
    loads = URLSafeTimedSerializer.loads
    monkeypatch.setattr(URLSafeTimedSerializer, "loads",
                        lambda self, *args, **kwargs: verified.append(1) or loads(self, *args, **kwargs))
    with app.app_context():
        token = make_token("quiz-attempt", 41, 7, 3)
        assert [read_token("quiz-attempt", token) for _ in range(3)] == [WorkToken(41, 7, 3)] * 3
    assert len(verified) == 1


@pytest.mark.parametrize("change", ["forged", "other kind", "other key", "cut", "empty"])
def test_a_changed_or_foreign_token_is_refused_every_time(app: Flask, change):
    with app.app_context():
        token = make_token("quiz-attempt", 41, 7, 3)
        assert read_token("quiz-attempt", token) == WorkToken(41, 7, 3)  # remembered from here on
        kind = "quiz-attempt"
        if change == "forged":
            token = _forged(token)
        elif change == "other kind":
            kind = "casus-run"
        elif change == "other key":
            token = URLSafeTimedSerializer("another-secret-key-of-enough-length-0000",
                                           salt="leerlijn.quiz-attempt").dumps([41, 7, 3])
        elif change == "cut":
            token = token[:-4]
        else:
            token = ""
        assert [read_token(kind, token) for _ in range(2)] == [None, None]


def test_a_token_whose_content_is_not_three_ids_is_refused(app: Flask):
    with app.app_context():
        serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="leerlijn.quiz-attempt")
        for content in ([41, 7], [41, 7, "3"], [41, 7, True], {"a": 1}):
            assert [read_token("quiz-attempt", serializer.dumps(content)) for _ in range(2)] == [None, None]


def test_a_remembered_token_still_expires(app: Flask, monkeypatch):
    with app.app_context():
        token = make_token("casus-run", 5, 7, 1)
        assert read_token("casus-run", token) == WorkToken(5, 7, 1)
        now = time.time()
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: int(now + MAX_AGE - 5))
        assert read_token("casus-run", token) == WorkToken(5, 7, 1)
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: int(now + MAX_AGE + 5))
        assert read_token("casus-run", token) is None
        monkeypatch.undo()
        assert read_token("casus-run", token) == WorkToken(5, 7, 1)  # verified anew: still valid today


def test_a_remembered_token_signed_in_the_future_is_refused_like_itsdangerous_does(app: Flask, monkeypatch):
    with app.app_context():
        token = make_token("casus-run", 6, 7, 1)
        assert read_token("casus-run", token) == WorkToken(6, 7, 1)
        now = time.time()
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: int(now - 60))
        assert read_token("casus-run", token) is None
