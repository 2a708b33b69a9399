"""Accounts: registration, login, logout, the account page, language choice."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Flask, flash, redirect, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from flask_login.utils import _create_identifier
from sqlalchemy import CompoundSelect, Select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from werkzeug.wrappers import Request, Response

from app.db import View, db_session
from app.fragments import BoundedStore
from app.request_objects import the_app, the_globals, the_request, the_session
from course.db import User
from course.services import accounts

bp = Blueprint("auth", __name__, template_folder="templates")
login_manager = LoginManager()

# Requests that never need the user: no database lookup for them.
_ANONYMOUS_ENDPOINTS = frozenset({"static", "learn.media"})
# Pages that load the learner's progress themselves (the header reuses it: app/templating.py).
_OWN_PROGRESS_PAGES = frozenset({"learn.overview", "learn.module", "learn.page", "learn.dashboard"})
# What an administrator may still do before turning on two-step verification.
_BEFORE_TWO_FACTOR = frozenset({"auth.two_factor_setup", "auth.logout", "auth.keepalive", "auth.language"})


def init_login(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in om verder te gaan.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    # 'basic' compares a hash of the client's address and browser with the one kept at login, but Flask-Login
    # hashes on every request, also when the session is empty and there is nothing to compare it with (a
    # visitor: a tenth of the welcome page). login_user asks after putting the user id in the session, so
    # every login still keeps the real hash.
    login_manager._session_identifier_generator = _session_identifier

    @app.before_request
    def load_login_first() -> Response | None:
        # Resolve the login before the view runs: resume_login may commit (last seen, expiry), which must
        # never happen in the middle of a view's own unit of work.
        this_request = the_request()
        endpoint = this_request.endpoint
        if endpoint in _ANONYMOUS_ENDPOINTS:
            return None
        if this_request.method == "POST":
            # Only this load may carry a page's work (login_carries): the hooks before it passed, and a load
            # started elsewhere (an error page's words, in the language the user chose) never writes.
            the_globals().leerlijn_may_carry = True
        user = current_user._get_current_object()  # the first look: Flask-Login loads the login
        if not user.is_authenticated:
            return None
        if user.needs_two_factor and not user.two_factor_enabled and endpoint not in _BEFORE_TWO_FACTOR:
            flash(_l("Als beheerder gebruik je tweestapsverificatie. Stel die eerst in."), "info")
            return redirect(url_for("auth.two_factor_setup"))
        return None


# The hash of each address and browser seen, from exactly what Flask-Login's _create_identifier reads: a
# sha512 per request otherwise. Bounded: its keys are request input.
_IDENTIFIERS = BoundedStore(10_000)


def _session_identifier() -> str:
    if not the_session():
        return ""
    # What Flask-Login's _create_identifier reads (the X-Forwarded-For header, else the address, and the
    # User-Agent header), straight from the WSGI environment: three looks through request's proxy less.
    environ = the_request().environ
    key = (environ.get("HTTP_X_FORWARDED_FOR", environ.get("REMOTE_ADDR")), environ.get("HTTP_USER_AGENT"))
    return _IDENTIFIERS.made(key, _create_identifier)  # type: ignore[no-any-return]


@login_manager.user_loader
def load_user(secret: str) -> User | None:
    """The user of the live login whose secret the session or remember-me cookie carries."""
    # A page shows the pages read in its header: the login's query brings them, unless the view loads the
    # learner's progress itself.
    # Each object once: every look through a proxy costs a lookup, and the login is on every page.
    session = db_session._get_current_object()  # type: ignore[attr-defined]
    this_request, app = the_request(), the_app()
    endpoint = this_request.endpoint
    reading = this_request.method == "GET"
    read_pages = reading and endpoint not in _OWN_PROGRESS_PAGES
    idle_timeout = app.config["IDLE_TIMEOUT"]
    view = app.view_functions.get(endpoint or "")
    carries = getattr(view, "leerlijn_login_carries", None)
    if carries is not None and the_globals().pop("leerlijn_may_carry", False):
        carried = carries(session, this_request)
        if carried is not None:
            try:
                user = accounts.resume_login(session, secret, idle_timeout=idle_timeout, carrying=carried.carrying)
            except DBAPIError:
                # Whatever failed, the login is read again by itself, and the view does its work as it would
                # have (and answers for what goes wrong there): no error page before the user is known.
                return accounts.resume_login(session, secret, idle_timeout=idle_timeout)
            the_globals().leerlijn_carried = carried
            return user
    brought = getattr(view, "leerlijn_login_rows", None)
    if brought is not None and reading:
        rows, parameters = brought
        return accounts.resume_login(session, secret, idle_timeout=idle_timeout, read_pages=read_pages, rows=rows,
                                     rows_parameters=parameters(this_request.view_args or {}) if parameters else None)
    return accounts.resume_login(session, secret, idle_timeout=idle_timeout, read_pages=read_pages)


def login_brings(rows: Select[Any] | CompoundSelect,
                 parameters: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None) -> Callable[[View], View]:
    """Mark a page (GET) whose query of the learner's rows is ``rows`` (a statement whose parameter is
    ``user_id``; ``parameters`` gives its others from the address's values): the login's statement brings
    them, as ``current_user.login_rows``, and the page needs no round trip of its own
    (``accounts.resume_login``). A page must still work without them (None)."""
    def mark(view: View) -> View:
        view.leerlijn_login_rows = (rows, parameters)  # type: ignore[attr-defined]
        return view
    return mark


def login_carries(prepare: Callable[[Session, Request], Any]) -> Callable[[View], View]:
    """Mark a page (POST) whose work may ride on the login's statement, which then takes one round trip to the
    database instead of two: ``prepare(session, request)`` gives the work (an object whose ``carrying`` is
    what ``accounts.resume_login`` takes), or None when it cannot ride. The work is done whatever the login
    turns out to be, so it must need nothing the login proves (a quiz autosave: the page's attempt token);
    the view finds it with ``carried_work()``, and its result on the user (``carried``). Only a POST's load
    of the login by ``load_login_first`` carries, once: after the hooks before it, never for an error page.
    An administrator who must still turn on two-step verification is sent there, after the work was done
    (as the page's token would have done it for them logged out)."""
    def mark(view: View) -> View:
        view.leerlijn_login_carries = prepare  # type: ignore[attr-defined]
        return view
    return mark


def carried_work() -> Any:
    """The work this request's login carried (``login_carries``), or None."""
    return the_globals().get("leerlijn_carried")


from app.auth import account_views, mail_views, two_factor_views, views  # noqa: E402,F401  (routes register on bp)
