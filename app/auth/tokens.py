"""Signed links in mails: reset a password, confirm a new account, confirm a new email address.

A token names the account and carries its fingerprint (course.services.accounts.account_fingerprint),
which changes with the password, the email address and its confirmation. So a token works once (using it
changes the password or the address), stops working as soon as either changes another way, and expires
after its ``max_age``. The token is signed, not encrypted: it holds no secret, only an id, a fingerprint
(a hash) and, for an email change, the new address the person typed themselves.
"""

from __future__ import annotations

from typing import Any, Literal

from flask import current_app, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

Purpose = Literal["reset-password", "confirm-account", "confirm-email", "org-invite"]
MAX_AGE: dict[Purpose, int] = {  # seconds
    "reset-password": 3600,
    "confirm-account": 7 * 24 * 3600,
    "confirm-email": 24 * 3600,
    # An organisation's invitation: choose a password for the account made for you (app/org).
    "org-invite": 14 * 24 * 3600,
}


def _serializer(purpose: Purpose) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"leerlijn.mail.{purpose}")


def make_token(purpose: Purpose, user_id: int, fingerprint: str, **extra: str) -> str:
    return _serializer(purpose).dumps({"user": user_id, "fp": fingerprint, **extra})


def read_token(purpose: Purpose, token: str) -> dict[str, Any] | None:
    """The token's content, or None when it is forged, malformed, of another purpose or expired."""
    try:
        data = _serializer(purpose).loads(token, max_age=MAX_AGE[purpose])
    except BadSignature:
        return None
    if not (isinstance(data, dict) and type(data.get("user")) is int and isinstance(data.get("fp"), str)):
        return None
    return data


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for a mail: on LEERLIJN_PUBLIC_URL when set (never trust the Host header then)."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url.rstrip("/")
    return base + url_for(endpoint, **values)
