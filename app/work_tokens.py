"""Work tokens: a signed (object, user, session version) put in every form of a quiz attempt or casus run.

They protect the answer endpoints instead of the session's CSRF token, because they must keep working
when the login session has expired: what a learner posts then is kept, never lost. Only a page we served
to this user for this object carries one, so it is as strong as a CSRF token; it stops working when the
user's password (and so their session version) changes. ``kind`` keeps an attempt's token from being
accepted for a run with the same id.

A token is signed, not encrypted: anyone holding the page can read the attempt or run id, the user id
and the session version in it. None of these is a secret (the ids are in the page's URL and the user's
own; the version is a counter), and the token grants nothing without the signature, which needs
SECRET_KEY. Never put anything secret in one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from flask import flash, jsonify, redirect, session
from flask.typing import ResponseReturnValue
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.fragments import BoundedStore
from app.request_objects import the_app, the_request

Kind = Literal["quiz-attempt", "casus-run"]
MAX_AGE = 30 * 24 * 3600  # seconds: a tab with an attempt or a run may stay open for weeks


@dataclass(frozen=True)
class WorkToken:
    object_id: int
    user_id: int
    session_version: int


def _reader(kind: Kind) -> _TokenReader:
    return _reader_for(the_app().config["SECRET_KEY"], kind)


@lru_cache(maxsize=16)
def _reader_for(secret: str, kind: Kind) -> _TokenReader:
    # One per key and kind (it holds no state of a request): every save and step reads a token.
    return _TokenReader(URLSafeTimedSerializer(secret, salt=f"leerlijn.{kind}"))


class _TokenReader:
    """Reads one kind of token signed with one key, and remembers the tokens that verified.

    A learner's page posts the same token with every save of an attempt (and every step of a run);
    verifying it (an HMAC, base64, JSON) was a twentieth of a save's work. A token that verified is
    remembered with its content and signing moment, so the same token again is checked for its age only, by
    itsdangerous's own rule and clock. Forged, malformed and expired tokens are never remembered: they are
    verified (and refused) every time, and cannot fill the store.
    """

    REMEMBERED_LIMIT = 4096  # tokens per worker and kind

    def __init__(self, serializer: URLSafeTimedSerializer):
        self.serializer = serializer
        self._clock = serializer.make_signer()
        self._verified = BoundedStore(self.REMEMBERED_LIMIT)  # token -> (signing moment, WorkToken)

    def read(self, token: str) -> WorkToken | None:
        verified = self._verified.get(token)
        if verified is not None:
            signed_at, content = verified
            if 0 <= self._clock.get_timestamp() - signed_at <= MAX_AGE:  # expired, or signed in the future
                return content  # type: ignore[no-any-return]
            self._verified.pop(token, None)  # another thread may have dropped it already
            return None
        try:
            data, signed = self.serializer.loads(token, max_age=MAX_AGE, return_timestamp=True)
        except BadSignature:
            return None
        if not (isinstance(data, list) and len(data) == 3 and all(type(v) is int for v in data)):
            return None
        content = WorkToken(*data)
        self._verified.keep(token, (int(signed.timestamp()), content))
        return content


def make_token(kind: Kind, object_id: int, user_id: int, session_version: int) -> str:
    return _reader(kind).serializer.dumps([object_id, user_id, session_version])


def read_token(kind: Kind, token: str | None) -> WorkToken | None:
    """The token's content, or None when it is missing, forged, malformed, of another kind or too old."""
    if not token:
        return None
    return _reader(kind).read(token)


def wants_json() -> bool:
    """Whether the post came from the page's script (a background save), which reads a JSON answer."""
    this_request = the_request()
    accept = this_request.environ.get("HTTP_ACCEPT", "")
    wanted = _WANTS_JSON.get(accept)
    if wanted is None:  # parsed once per Accept header (browsers send a handful): a fortieth of a save
        wanted = _WANTS_JSON.keep(accept, this_request.accept_mimetypes.best == "application/json")
    return wanted  # type: ignore[no-any-return]


_WANTS_JSON = BoundedStore(1000)  # its keys are request input


def logged_out_reply(message: str, login_url: str, *, category: str = "info") -> ResponseReturnValue:
    """The answer to a post whose page's login has ended: 401 with the message and where to log in for the
    script, a redirect there for a plain form. The message is flashed either way: the script goes to
    ``login_url`` itself, and the login page then says what became of the work. Once: the script may save
    again (or the plain form follow) before the login page is shown."""
    if (category, message) not in session.get("_flashes", ()):
        flash(message, category)
    if wants_json():
        return jsonify(error=message, login_url=login_url), 401
    return redirect(login_url)


def shown_on_this_page(message: str, *, category: str = "info") -> None:
    """``message`` is said by the page being answered: a copy a background save flashed before (see
    ``logged_out_reply``) is dropped, so the page does not say it twice."""
    flashes = session.get("_flashes")
    if flashes and (category, message) in flashes:
        session["_flashes"] = [f for f in flashes if f != (category, message)]
