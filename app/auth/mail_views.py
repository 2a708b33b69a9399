"""The flows that go through a mailed link: a forgotten password, confirming a new account or address.

Every mailed link opens a page with a button; only pressing it changes anything, so a mail scanner that
opens links cannot use them up. Pages that start such a flow answer the same whether or not an account
exists for the address (the mail says the rest).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from app import mail
from app.audit import security_event
from app.auth import bp
from app.auth.forms import ConfirmForm, ForgotPasswordForm, ResetPasswordForm
from app.auth.logins import log_in, mandatory_message
from app.auth.tokens import external_url, make_token, read_token
from app.db import db_session
from app.i18n import domain_message
from app.limits import configured, form_email_key, limiter, log_lockout
from course.db import EventKind, Organisation, User
from course.errors import DomainError
from course.services import accounts, sso


def send_reset_link(user: User) -> None:
    token = make_token("reset-password", user.id, accounts.account_fingerprint(user))
    mail.send_template(user, _l("Een nieuw wachtwoord voor Leerlijn"), "auth/mail/reset_password.txt",
                       link=external_url("auth.reset_password", token=token))


def send_confirmation(user: User) -> None:
    token = make_token("confirm-account", user.id, accounts.account_fingerprint(user))
    mail.send_template(user, _l("Bevestig je e-mailadres voor Leerlijn"), "auth/mail/confirm_account.txt",
                       link=external_url("auth.confirm_account", token=token))


def send_already_registered(user: User) -> None:
    token = make_token("reset-password", user.id, accounts.account_fingerprint(user))
    mail.send_template(user, _l("Je hebt al een account bij Leerlijn"), "auth/mail/already_registered.txt",
                       login_link=external_url("auth.login"),
                       reset_link=external_url("auth.reset_password", token=token))


def send_sso_instead(user: User, organisation: Organisation) -> None:
    mail.send_template(user, _l("Inloggen bij Leerlijn via je organisatie"), "auth/mail/sso_mandatory.txt",
                       organisation=organisation.name, link=external_url("sso.login", slug=organisation.slug))


def sso_refusal(user_id: int) -> tuple[str, int] | None:
    """The page refusing to set a password for this account because its organisation makes SSO mandatory."""
    user = db_session.get(User, user_id)
    organisation = sso.mandatory_organisation(db_session, user) if user is not None else None
    if organisation is None:
        return None
    return render_template("auth/link_invalid.html", message=mandatory_message(organisation),
                           sso_link=url_for("sso.login", slug=organisation.slug)), 403


def _invalid_link() -> tuple[str, int]:
    return render_template("auth/link_invalid.html"), 400


@bp.route("/wachtwoord-vergeten", methods=["GET", "POST"])
@limiter.limit(configured("MAIL_LIMIT_PER_ACCOUNT"), key_func=form_email_key, methods=["POST"],
               on_breach=log_lockout)
@limiter.limit(configured("MAIL_LIMIT_PER_ADDRESS"), methods=["POST"], on_breach=log_lockout)
def forgot_password() -> str | Response:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = accounts.find_user(db_session, form.email.data)
        if user is not None and user.is_active:
            organisation = sso.mandatory_organisation(db_session, user)
            if organisation is not None:
                # The same page as always (it tells nobody whether the address has an account); the mail
                # says how this person logs in instead.
                send_sso_instead(user, organisation)
                security_event(EventKind.PASSWORD_RESET_REQUESTED, user_id=user.id, refused="sso_mandatory")
            else:
                send_reset_link(user)
                security_event(EventKind.PASSWORD_RESET_REQUESTED, user_id=user.id)
        return render_template("auth/check_mail.html", email=form.email.data, reason="reset")
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/wachtwoord-herstellen/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    data = read_token("reset-password", token)
    if data is None:
        return _invalid_link()
    refused = sso_refusal(data["user"])
    if refused is not None:
        return refused
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(db_session, data["user"], data["fp"], form.password.data)
        except DomainError as exc:
            if exc.field is None:
                return _invalid_link()
            getattr(form, exc.field).errors.append(domain_message(exc))
        else:
            security_event(EventKind.PASSWORD_RESET, user_id=user.id)
            flash(_("Je wachtwoord is gewijzigd. Log in met je nieuwe wachtwoord."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/account-bevestigen/<token>", methods=["GET", "POST"])
def confirm_account(token: str) -> str | Response | tuple[str, int]:
    data = read_token("confirm-account", token)
    if data is None:
        return _invalid_link()
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user = accounts.confirm_account(db_session, data["user"], data["fp"])
        except DomainError:
            return _invalid_link()
        security_event(EventKind.EMAIL_CONFIRMED, user_id=user.id)
        log_in(user, remember=False)
        security_event(EventKind.LOGIN, user_id=user.id)
        flash(_("Welkom, %(name)s. Je e-mailadres is bevestigd en je bent ingelogd.", name=user.name), "success")
        return redirect(url_for("learn.overview"))
    return render_template("auth/confirm.html", form=form, title=_("E-mailadres bevestigen"),
                           text=_("Bevestig dat dit e-mailadres van jou is; daarna ben je meteen ingelogd."),
                           button=_("Bevestigen en inloggen"))


@bp.route("/e-mailadres-bevestigen/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> str | Response | tuple[str, int]:
    data = read_token("confirm-email", token)
    if data is None or not isinstance(data.get("email"), str):
        return _invalid_link()
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user, old = accounts.change_email(db_session, data["user"], data["fp"], data["email"])
        except DomainError as exc:
            return render_template("auth/link_invalid.html", message=domain_message(exc)), 400
        security_event(EventKind.EMAIL_CHANGED, user_id=user.id)
        mail.send_template(old, _l("Je e-mailadres bij Leerlijn is veranderd"), "auth/mail/email_changed.txt",
                           locale=user.locale, name=user.name, new_email=user.email)
        flash(_("Je e-mailadres is nu %(email)s.", email=user.email), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/confirm.html", form=form, title=_("Nieuw e-mailadres bevestigen"),
                           text=_("Bevestig dat je %(email)s wilt gebruiken voor je account.", email=data["email"]),
                           button=_("Bevestigen"))
