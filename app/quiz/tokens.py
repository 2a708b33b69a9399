"""The attempt token: a signed (attempt, user, session version) put in every attempt form.

It protects the answer endpoints instead of the session's CSRF token, because it must keep working when
the login session has expired: answers posted then are kept, never lost. Only a page we served to this
user for this attempt carries it, so it is as strong as a CSRF token; it stops working when the user's
password (and so their session version) changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "leerlijn.quiz-attempt"
MAX_AGE = 30 * 24 * 3600  # seconds: an attempt tab may stay open for weeks


@dataclass(frozen=True)
class AttemptToken:
    attempt_id: int
    user_id: int
    session_version: int


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(attempt_id: int, user_id: int, session_version: int) -> str:
    return _serializer().dumps([attempt_id, user_id, session_version])


def read_token(token: str | None) -> AttemptToken | None:
    """The token's content, or None when it is missing, forged, malformed or too old."""
    if not token:
        return None
    try:
        data = _serializer().loads(token, max_age=MAX_AGE)
    except BadSignature:
        return None
    if not (isinstance(data, list) and len(data) == 3 and all(type(v) is int for v in data)):
        return None
    return AttemptToken(*data)
