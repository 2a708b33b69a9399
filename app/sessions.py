"""Flask's signed-cookie session, with its signing serializer built once instead of on every request."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CookieSessions(SecureCookieSessionInterface):
    """Flask's own cookie sessions: same cookie, same signature, same keys.

    Flask builds an itsdangerous serializer to open every request's session, even when the request has no
    cookie (building one runs a test serialisation: a few per cent of a simple page). It depends only on
    the secret key and its fallbacks, so it is kept until one of them changes.
    """

    def __init__(self) -> None:
        self._kept: tuple[Any, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._kept
        if kept is None or kept[0] != keys:
            kept = self._kept = (keys, super().get_signing_serializer(app))
        return kept[1]


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()
