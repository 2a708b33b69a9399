"""Flask's signed-cookie session, with its signing serializer built once and a verified cookie opened once."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature, TimestampSigner, URLSafeTimedSerializer

from app.fragments import BoundedStore

# Values that a plain copy of a kept session's dict may share with the next request. Anything else (a list of
# flashed messages that flash() appends to, a pending second step's dict) could be changed in place by one
# request and seen by the next: a session holding such a value is verified and decoded anew every time.
_IMMUTABLE = (str, int, float, bool, type(None))


class CookieSessions(SecureCookieSessionInterface):
    """Flask's own cookie sessions: same cookie, same signature, same keys, same expiry.

    Flask builds an itsdangerous serializer to open every request's session, even when the request has no
    cookie (building one runs a test serialisation: a few per cent of a simple page). It depends only on
    the secret key and its fallbacks, so it is kept until one of them changes.

    A browser sends the same cookie with every request until the session changes, and verifying it (an HMAC,
    base64, JSON) was a tenth of a logged-in page's work in the app. A cookie that verified is remembered,
    by the whole Cookie header that carried it, with what it holds and its signing moment, per worker and
    for the keys it verified with: the same header again is that content, still subject to the session's
    lifetime, checked on every request as itsdangerous does. Only verified cookies are remembered, so a
    forged one is verified (and refused) every time; a changed key forgets them all.
    """

    OPENED_LIMIT = 4096  # Cookie headers remembered per worker

    def __init__(self) -> None:
        self._kept: tuple[Any, URLSafeTimedSerializer | None] | None = None
        self._clock: TimestampSigner | None = None  # the serializer's own clock (its signer's)
        self._opened = BoundedStore(self.OPENED_LIMIT)  # Cookie header -> (signing moment, content)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = self._kept
        if kept is None or kept[0] != keys:
            self._opened = BoundedStore(self.OPENED_LIMIT)
            kept = self._kept = (keys, super().get_signing_serializer(app))
            self._clock = kept[1].make_signer() if kept[1] is not None else None
        return kept[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        # Kept by the whole Cookie header as the browser sent it: the same header holds the same session
        # cookie, so a kept one needs no parsing of the header (werkzeug's, a twentieth of a logged-in page).
        header = request.environ.get("HTTP_COOKIE")
        if not header:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        opened = self._opened.get(header)
        if opened is not None:
            signed_at, data = opened
            # itsdangerous's own rule: expired when older than max_age, or signed in the future.
            if 0 <= self._clock.get_timestamp() - signed_at <= max_age:  # type: ignore[union-attr]
                return self.session_class(data)
            self._opened.pop(header, None)  # another thread may have dropped it already
            return self.session_class()
        cookie = request.cookies.get(self.get_cookie_name(app))
        if not cookie:
            return self.session_class()
        try:
            data, signed = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(isinstance(value, _IMMUTABLE) for value in data.values()):
            self._opened.keep(header, (int(signed.timestamp()), data))
        return self.session_class(data)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # A session that did not change, on a request that need not refresh its cookie, writes nothing;
        # Flask's own path worked out the cookie's seven settings first (a few per cent of a simple page).
        if not session.modified and not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            if session.accessed:  # as Flask does: the page depended on the cookie
                headers = response.headers
                if "Vary" in headers:
                    response.vary.add("Cookie")
                else:  # the usual case, without parsing a Vary header into a set and writing it back
                    headers["Vary"] = "Cookie"
            return
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()
