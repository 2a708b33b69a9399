"""The request's user, looked up without Flask-Login's proxy, and the check that there is one.

Every attribute read through ``current_user`` goes through werkzeug's proxy and Flask-Login's _get_user,
which looks through ``g``'s proxy twice more: some 2.5 µs, and a learner page asked a dozen times. Flask-Login
keeps the request's user in ``g._login_user`` (set at the first look, replaced by ``login_user`` and
``logout_user``): ``acting_user`` reads it there, and lets Flask-Login load it when it is not there yet (the
first look of a request, or a Flask-Login that keeps it elsewhere: slower, never wrong).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask_login import current_user
from flask_login.config import EXEMPT_METHODS

from app.request_objects import the_app, the_globals, the_request

View = TypeVar("View", bound=Callable[..., Any])


def acting_user() -> Any:
    """``current_user`` itself: the logged-in User, or Flask-Login's anonymous user."""
    user = the_globals().get("_login_user")
    return user if user is not None else current_user._get_current_object()


def login_required(view: View) -> View:
    """Flask-Login's ``login_required`` with its rules (OPTIONS passes, LOGIN_DISABLED turns it off, anyone
    not logged in gets ``login_manager.unauthorized()``), each object looked up once: Flask-Login's looks
    through five proxies and current_user's lookup on every page."""
    @wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if the_request().method not in EXEMPT_METHODS:
            app = the_app()
            if not app.config.get("LOGIN_DISABLED") and not acting_user().is_authenticated:
                return app.login_manager.unauthorized()
        return view(*args, **kwargs)
    return checked  # type: ignore[return-value]
