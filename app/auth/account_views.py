"""The account page (/account) and what it changes: profile, password, logins on other devices.

Each section of the page posts to a route of its own; a rejected form renders the whole page again with
that form's errors, the other forms empty.
"""

from __future__ import annotations

from typing import Any

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from app import mail
from app.acting_user import login_required
from app.audit import security_event
from app.auth import bp
from app.auth.forms import EmailChangeForm, KeepaliveForm, LogoutEverywhereForm, PasswordChangeForm, ProfileForm
from app.auth.logins import current_secret, log_out
from app.auth.tokens import external_url, make_token
from app.db import db_session
from app.forms import Form
from app.i18n import domain_message
from app.limits import configured, limiter, log_lockout
from course.db import EventKind
from course.errors import DomainError
from course.services import accounts, orgs, sso

# The email form has a "current password" field too: the prefix keeps the ids on the page unique.
EMAIL_FORM_PREFIX = "change-email"


def _page(status: int = 200, **forms: Form) -> tuple[str, int]:
    """The account page; ``forms`` replaces a section's empty form by one with the user's input and errors."""
    context: dict[str, Any] = {
        "profile_form": ProfileForm(formdata=None, name=current_user.name),
        "password_form": PasswordChangeForm(formdata=None),
        "email_form": EmailChangeForm(formdata=None, prefix=EMAIL_FORM_PREFIX),
        "logout_everywhere_form": LogoutEverywhereForm(formdata=None),
        "logins": accounts.list_logins(db_session, current_user.id),
        "current_secret": current_secret(),
        "is_current_login": accounts.is_current_login,
        "organisations": orgs.my_organisations(db_session, current_user.id),
        # Signing in through an organisation: which one, whether the account has a password of its own, and
        # whether an organisation makes its sign-in mandatory (then a password is of no use).
        "sso": sso.account_sign_in(db_session, current_user),
        "has_password": accounts.has_password(current_user),
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
            user = current_user._get_current_object()
            mail.send_template(user, _l("Je wachtwoord bij Leerlijn is veranderd"), "auth/mail/password_changed.txt",
                               reset_link=external_url("auth.forgot_password"))
            flash(_("Je wachtwoord is gewijzigd. Op je andere apparaten ben je uitgelogd."), "success")
            return redirect(url_for("auth.account"))
    return _page(400, password_form=form)


@bp.route("/account/e-mailadres", methods=["POST"])
@login_required
@limiter.limit(configured("MAIL_LIMIT_PER_ACCOUNT"), key_func=lambda: f"user:{current_user.id}", methods=["POST"],
               on_breach=log_lockout)
def change_email() -> tuple[str, int] | Response:
    """Start moving the account to a new address: a link goes there; nothing changes until it is used."""
    form = EmailChangeForm(prefix=EMAIL_FORM_PREFIX)
    if form.validate_on_submit():
        try:
            free = accounts.check_email_change(db_session, current_user.id, password=form.current_password.data,
                                               new_email=form.email.data)
        except DomainError as exc:
            getattr(form, exc.field or "email").errors.append(domain_message(exc))
        else:
            new_email = accounts.normalise_email(form.email.data)
            if free:
                user = current_user._get_current_object()
                token = make_token("confirm-email", user.id, accounts.account_fingerprint(user), email=new_email)
                mail.send_template(new_email, _l("Bevestig je nieuwe e-mailadres voor Leerlijn"),
                                   "auth/mail/confirm_email.txt", locale=user.locale, name=user.name,
                                   link=external_url("auth.confirm_email", token=token))
            else:  # the same answer as for a free address; the owner of the address hears of it
                mail.send_template(new_email, _l("Iemand wilde dit e-mailadres gebruiken bij Leerlijn"),
                                   "auth/mail/email_taken.txt", reset_link=external_url("auth.forgot_password"))
            security_event(EventKind.EMAIL_CHANGE_REQUESTED)
            flash(_("We hebben een link gestuurd naar %(email)s. Je e-mailadres verandert pas als je op die link "
                    "klikt.", email=new_email), "info")
            return redirect(url_for("auth.account"))
    return _page(400, email_form=form)


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
