"""The account page (/account) and what it changes: profile, password, logins on other devices.

Each section of the page posts to a route of its own; a rejected form renders the whole page again with
that form's errors, the other forms empty.
"""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from app.audit import security_event
from app.auth import bp
from app.auth.forms import KeepaliveForm, LogoutEverywhereForm, PasswordChangeForm, ProfileForm
from app.auth.logins import current_secret, log_out
from app.db import db_session
from app.i18n import domain_message
from course.db import EventKind
from course.errors import DomainError
from course.services import accounts


def _page(status: int = 200, **forms: FlaskForm) -> tuple[str, int]:
    """The account page; ``forms`` replaces a section's empty form by one with the user's input and errors."""
    context: dict[str, Any] = {
        "profile_form": ProfileForm(formdata=None, name=current_user.name),
        "password_form": PasswordChangeForm(formdata=None),
        "logout_everywhere_form": LogoutEverywhereForm(formdata=None),
        "logins": accounts.list_logins(db_session, current_user.id),
        "current_secret": current_secret(),
        "is_current_login": accounts.is_current_login,
    }
    context.update(forms)
    return render_template("auth/account.html", **context), status


@bp.route("/account")
@login_required
def account() -> tuple[str, int]:
    return _page()


@bp.route("/account/profiel", methods=["POST"])
@login_required
def profile() -> tuple[str, int] | Response:
    form = ProfileForm()
    if not form.validate_on_submit():
        return _page(400, profile_form=form)
    accounts.rename(db_session, current_user.id, form.name.data)
    flash(_("Je naam is opgeslagen."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/wachtwoord", methods=["POST"])
@login_required
def change_password() -> tuple[str, int] | Response:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(db_session, current_user.id, current=form.current_password.data,
                                     new=form.password.data, keep_secret=current_secret())
        except DomainError as exc:
            getattr(form, exc.field or "password").errors.append(domain_message(exc))
        else:
            security_event(EventKind.PASSWORD_CHANGED)
            flash(_("Je wachtwoord is gewijzigd. Op je andere apparaten ben je uitgelogd."), "success")
            return redirect(url_for("auth.account"))
    return _page(400, password_form=form)


@bp.route("/account/overal-uitloggen", methods=["POST"])
@login_required
def logout_everywhere() -> Response:
    form = LogoutEverywhereForm()
    if not form.validate_on_submit():
        return redirect(url_for("auth.account"))
    ended = accounts.end_logins(db_session, current_user.id)
    security_event(EventKind.LOGOUT_EVERYWHERE, ended=ended)
    log_out()
    flash(_("Je bent op al je apparaten uitgelogd."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/sessie/verlengen", methods=["POST"])
def keepalive() -> Response | tuple[Response, int]:
    """Keep an idle login alive (the page's warning, or its script while someone works); nothing else."""
    form = KeepaliveForm()
    wants_json = request.accept_mimetypes.best == "application/json"
    if wants_json:
        # The login was already marked as seen when it was loaded for this request.
        return jsonify(active=current_user.is_authenticated), (200 if current_user.is_authenticated else 401)
    from app.auth.views import safe_next
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=safe_next(form.next.data)))
    return redirect(safe_next(form.next.data))
