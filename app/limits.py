"""Rate limits against guessing passwords and codes (Flask-Limiter).

Counters live in memory (one process) or, when REDIS_URL is set, in Redis, so that several app servers
share them. Failed attempts count, successful ones do not: a group of trainees behind one office address
can all log in at once, while guessing is cut off per account and per address. Every refusal answers
429 with a message and ``Retry-After``, and is written to the security log as a lockout.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from flask import Flask, current_app, request
from flask_babel import ngettext
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from app.errors import render_error
from course.services.accounts import normalise_email

limiter = Limiter(key_func=get_remote_address, headers_enabled=True, strategy="moving-window")


def init_app(app: Flask) -> None:
    limiter.init_app(app)

    @app.errorhandler(RateLimitExceeded)
    def too_many(_exc: RateLimitExceeded) -> tuple[str, int]:
        # Retry-After itself is added by Flask-Limiter after this handler.
        current = limiter.current_limit
        wait = max(1, math.ceil((current.reset_at - time.time()) / 60)) if current else 1
        return render_error(429, ngettext("Te veel pogingen achter elkaar. Probeer het over %(num)d minuut opnieuw.",
                                          "Te veel pogingen achter elkaar. Probeer het over %(num)d minuten opnieuw.",
                                          wait))


def configured(name: str) -> Callable[[], str]:
    """A limit read from the app's config when the request comes (so tests and deployments can set it)."""
    return lambda: current_app.config[name]


def form_email_key() -> str:
    """The account a form is about (its email field), so guesses at one account count together.

    Empty when the form names no address: Flask-Limiter then skips this limit (the address limit stays).
    """
    email = normalise_email(request.form.get("email", ""))
    return f"account:{email}" if email else ""


def failed(response: Response) -> bool:
    """A form that answered with itself again (wrong password, unknown code), rather than moving on."""
    return response.status_code != 302


def log_lockout(limit: RequestLimit) -> None:
    """Write the refusal to the security log, naming the account when the form named a known one."""
    from app.audit import security_event
    from app.db import db_session
    from course.db import EventKind
    from course.services.accounts import find_user
    email = request.form.get("email", "")
    user = find_user(db_session, email) if email else None
    security_event(EventKind.LOCKOUT, user_id=user.id if user else None, path=request.path,
                   scope="account" if limit.key.startswith("account:") else "address", limit=str(limit.limit))
