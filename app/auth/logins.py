"""Logging in and out on top of Flask-Login, with one server-side record per login (course.db.LoginSession).

The session cookie and the remember-me cookie carry only that login's random secret. Logging out deletes
the record, so every copy of either cookie stops working at once; so do a password change, "log out on all
devices" and disabling the account. A login without "remember me" also ends after ``IDLE_TIMEOUT`` without
a request (the page warns before, and keeps the login alive while someone is working).
"""

from __future__ import annotations

from flask import current_app, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.db import db_session
from course.db import Organisation, User
from course.services import accounts, sso

# What survives logging in and out in the cookie session: the visitor's language choice, nothing else.
_KEPT_ACROSS_LOGIN = ("locale",)
# The organisation (slug) whose provider signed this login in: logging out then goes there too.
SIGNED_IN_THROUGH = "leerlijn.sso_org"
# Set by logging out of such a login, for the one page that sends the browser on to that provider's logout.
LOGGING_OUT = "leerlijn.sso_logout"


def _fresh_session() -> None:
    """Drop everything in the cookie session but the language: a login starts with a new session."""
    kept = {key: session[key] for key in _KEPT_ACROSS_LOGIN if key in session}
    session.clear()
    session.update(kept)


def log_in(user: User, *, remember: bool, through: str | None = None) -> None:
    """Start a new login of ``user`` on this device, in a new session (no data from before the login);
    ``through``: the organisation whose provider signed them in."""
    config = current_app.config
    lifetime = config["REMEMBER_COOKIE_DURATION"] if remember else config["PERMANENT_SESSION_LIFETIME"]
    accounts.start_login(db_session, user, remember=remember, lifetime=lifetime,
                         user_agent=request.user_agent.string or "")
    _fresh_session()
    if through is not None:
        session[SIGNED_IN_THROUGH] = through
    login_user(user, remember=remember)


def renew_login() -> None:
    """Give the current login a new secret (a new session id), e.g. after a change of privileges."""
    user = current_user._get_current_object()  # Flask-Login's documented way to the real user object
    login = accounts.rotate_login(db_session, user)
    if login is not None:
        _fresh_session()
        login_user(user, remember=login.remember)


def log_out() -> None:
    """End this device's login on the server and drop its cookies (session and remember-me)."""
    if current_user.is_authenticated:
        accounts.end_login(db_session, current_user.login_secret)
    _fresh_session()
    logout_user()  # after clearing: it leaves the instruction to delete the remember-me cookie in the session


def current_secret() -> str | None:
    return current_user.login_secret if current_user.is_authenticated else None


def password_refused(user: User) -> str | None:
    """Why ``user`` may not log in (or get in) with a password: an organisation of theirs makes signing in
    through it mandatory. None when a password is fine."""
    organisation = sso.mandatory_organisation(db_session, user)
    return None if organisation is None else mandatory_message(organisation)


def mandatory_message(organisation: Organisation) -> str:
    return _("%(organisation)s laat je alleen inloggen met het account van je organisatie, niet met een "
             "wachtwoord. Gebruik de knop ‘Inloggen via je organisatie’.", organisation=organisation.name)
