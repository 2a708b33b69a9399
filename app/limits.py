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
from flask.globals import request_ctx
from flask_babel import ngettext
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from flask_limiter.util import get_qualified_name, get_remote_address
from werkzeug.wrappers import Response

from app.errors import render_error
from app.request_objects import the_request
from course.services.accounts import normalise_email

limiter = Limiter(key_func=get_remote_address, headers_enabled=True, strategy="moving-window")


def init_app(app: Flask) -> None:
    limiter.init_app(app)
    _hooks_only_where_limited(app)

    @app.errorhandler(RateLimitExceeded)
    def too_many(_exc: RateLimitExceeded) -> tuple[str, int]:
        # Retry-After itself is added by Flask-Limiter after this handler.
        current = limiter.current_limit
        wait = max(1, math.ceil((current.reset_at - time.time()) / 60)) if current else 1
        return render_error(429, ngettext("Te veel pogingen achter elkaar. Probeer het over %(num)d minuut opnieuw.",
                                          "Te veel pogingen achter elkaar. Probeer het over %(num)d minuten opnieuw.",
                                          wait))


def _hooks_only_where_limited(app: Flask) -> None:
    """Run Flask-Limiter's three request hooks only on requests that have a limit.

    Its before-request hook works out, on every request, which app-wide, default and blueprint limits
    apply (on a page without any: some 40 µs, a tenth of a simple page); its after-request and teardown
    hooks look at what a limit left. Here there are no app-wide or default limits: the limits sit on views
    (checked by their decorator, inside the view) and on the API blueprint. So the before-request check
    runs for the endpoints where Flask-Limiter's own resolution finds a limit (worked out once per
    endpoint), and the other two only when a limit was checked in this request (it leaves its context on
    the request): a login's failed-attempt count and the limit headers stay as they were.
    A Flask-Limiter that registers its hooks differently stops the start-up here instead of silently
    running unlimited.
    """
    if not limiter.enabled:  # RATELIMIT_ENABLED off (LEERLIJN_RATE_LIMITS=0): Flask-Limiter adds no hooks at all
        return
    inject_headers = getattr(Limiter, "_Limiter__inject_headers", None)
    before, after, teardown = (app.before_request_funcs[None], app.after_request_funcs[None],
                               app.teardown_request_funcs[None])
    check = limiter._check_request_limit
    release = getattr(limiter, "_Limiter__release_context", None)
    found = [check in before, any(getattr(f, "func", None) is inject_headers for f in after), release in teardown]
    if not all(found):
        raise RuntimeError(f"Flask-Limiter's request hooks not found as expected ({found}): check app/limits.py")
    manager = limiter.limit_manager
    needs_check: dict[str | None, bool] = {}

    def limits_before_view(endpoint: str | None) -> bool:
        view = app.view_functions.get(endpoint or "")
        if endpoint is None or view is None:
            return bool(manager.application_limits)  # a 404: only app-wide limits could apply
        name = get_qualified_name(view)
        blueprint = endpoint.rpartition(".")[0] or None
        defaults, decorated = manager.resolve_limits(app, endpoint, blueprint, name, in_middleware=True,
                                                     marked_for_limiting=name in limiter._marked_for_limiting)
        return bool(defaults or decorated or manager.application_limits)

    def check_where_limited() -> None:
        endpoint = the_request().endpoint
        known = needs_check.get(endpoint)
        if known is None:
            known = needs_check[endpoint] = limits_before_view(endpoint)
        if known:
            check()

    def limit_was_checked() -> bool:
        return hasattr(request_ctx._get_current_object(), "_limiter_request_context")  # type: ignore[attr-defined]

    before[before.index(check)] = check_where_limited
    for i, hook in enumerate(after):
        if getattr(hook, "func", None) is inject_headers:
            after[i] = (lambda response, hook=hook: hook(response) if limit_was_checked() else response)
    teardown[teardown.index(release)] = lambda exc=None: release(exc) if limit_was_checked() else None


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
