"""The base of every form: Flask-WTF's, with WTForms' own messages translated from a per-process cache.

Flask-WTF reads WTForms' message catalogue from disk on every request that builds a form (a few
milliseconds each, the largest cost of a live answer after the database); the catalogues never change
while the app runs, so each language's is loaded once. The CSRF token's signer is kept as well.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from typing import Any

from babel.support import Translations
from flask_wtf import FlaskForm
from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_decode, bytes_to_int
from wtforms.i18n import messages_path

from app.fragments import BoundedStore
from app.i18n import ui_language
from app.request_objects import the_app, the_globals, the_session


@lru_cache(maxsize=8)
def _wtforms_messages(locale: str) -> Translations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> Translations:
            return _wtforms_messages(ui_language())


class _CsrfSigner:
    """Flask-WTF's token, made as its ``URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps`` makes
    it (so its checks accept it), in two parts kept apart: the payload (a session's raw token as JSON and
    base64: the same for every page of that session, so worked out once) and the timestamped signature,
    made by a signer kept per secret (the serializer built one per call).

    The signature covers the payload and the second it was made in, nothing else: within one second a
    session's token is the same string however often it is signed. So the last one per session is kept with
    its second, and signed anew once the clock has moved on (a few microseconds a page: a tenth of its CSRF
    hole). The token still changes every second (see app/skeletons.py's csrf hole for why it must)."""

    def __init__(self, secret_key: str | bytes):
        self._serializer = URLSafeTimedSerializer(secret_key, salt="wtf-csrf-token")
        self._signer = self._serializer.make_signer(self._serializer.salt)
        self.payload = lru_cache(maxsize=4096)(self._serializer.dump_payload)
        self._last: BoundedStore = BoundedStore(4096)  # raw token → (second, token); raw tokens are request input

    def sign(self, raw: str) -> str:
        last = self._last.get(raw)
        if last is not None and last[0] == self._signer.get_timestamp():
            return last[1]  # type: ignore[no-any-return]
        token = self._signer.sign(self.payload(raw)).decode("ascii")
        # The second it carries, as the signer wrote it (the clock may have turned since the look-up above).
        second = bytes_to_int(base64_decode(token.rsplit(".", 2)[1]))
        self._last.keep(raw, (second, token))
        return token


@lru_cache(maxsize=4)
def _csrf_signer(secret_key: str | bytes) -> _CsrfSigner:
    return _CsrfSigner(secret_key)


def signed_csrf_token() -> str:
    """This request's CSRF token: Flask-WTF's ``generate_csrf``, the same token from the same session value,
    signed once per request (Flask-WTF keeps it in ``g`` too, so its forms show this one)."""
    app = the_app()
    config = app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    context_globals = the_globals()
    token = context_globals.get(field)
    if token is None:
        this_session = the_session()
        raw = this_session.get(field)
        if not isinstance(raw, str):  # none yet, or a value no token is signed from (Flask-WTF's TypeError)
            raw = this_session[field] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324 - Flask-WTF's own
        token = _csrf_signer(config.get("WTF_CSRF_SECRET_KEY") or app.secret_key).sign(raw)
        setattr(context_globals, field, token)
    return token
