"""Account views: registering, logging in and out, the language choice."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.audit import security_event
from app.auth import bp
from app.auth.forms import LanguageForm, LoginForm, LogoutForm, RegisterForm
from app.auth.logins import LOGGING_OUT, SIGNED_IN_THROUGH, log_in, log_out, password_refused
from app.auth.mail_views import send_already_registered, send_confirmation
from app.auth.two_factor_views import start_second_step
from app.db import db_session
from app.i18n import domain_message
from app.limits import configured, failed, form_email_key, limiter, log_lockout
from course.db import EventKind
from course.errors import DomainError
from course.services import accounts


def safe_next(target: str | None, default: str = "learn.overview") -> str:
    """``target`` if it is a path on this site, else the default page (no open redirects).

    A target with a control character (CR/LF: header injection) or a backslash (which browsers read as
    ``/``, so ``/\\evil.example`` leaves the site) counts as no target at all.
    """
    if target and target.isprintable() and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for(default)


@bp.route("/registreren", methods=["GET", "POST"])
@limiter.limit(configured("REGISTER_LIMIT_PER_ADDRESS"), methods=["POST"], on_breach=log_lockout)
@limiter.limit(configured("MAIL_LIMIT_PER_ACCOUNT"), key_func=form_email_key, methods=["POST"],
               on_breach=log_lockout)
def register() -> str | Response:
    """Create an account. The answer is the same whether the address is new or already has an account
    (finding 7): in both cases a mail goes to the address, which says the rest."""
    if current_user.is_authenticated:
        return redirect(url_for("learn.overview"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(db_session, email=form.email.data, name=form.name.data,
                                     password=form.password.data)
        except DomainError as exc:
            getattr(form, exc.field or "password").errors.append(domain_message(exc))
        else:
            if user is None:
                existing = accounts.find_user(db_session, form.email.data)
                if existing is not None and existing.is_active:
                    send_already_registered(existing)
            else:
                security_event(EventKind.REGISTERED, user_id=user.id)
                send_confirmation(user)
            return render_template("auth/check_mail.html", email=form.email.data, reason="register")
    return render_template("auth/register.html", form=form)


@bp.route("/inloggen", methods=["GET", "POST"])
@limiter.limit(configured("LOGIN_LIMIT_PER_ACCOUNT"), key_func=form_email_key, methods=["POST"], deduct_when=failed,
               on_breach=log_lockout)
@limiter.limit(configured("LOGIN_LIMIT_PER_ADDRESS"), methods=["POST"], deduct_when=failed, on_breach=log_lockout)
def login() -> str | Response:
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated:
        return redirect(safe_next(form.next.data))
    if form.validate_on_submit():
        user = accounts.authenticate(db_session, form.email.data, form.password.data)
        if user is None:
            known = accounts.find_user(db_session, form.email.data)
            security_event(EventKind.LOGIN_FAILED, user_id=known.id if known else None)
            form.form_errors.append(_("Deze combinatie van e-mailadres en wachtwoord kennen we niet."))
        elif refused := password_refused(user):
            security_event(EventKind.LOGIN_FAILED, user_id=user.id, reason="sso_mandatory")
            form.form_errors.append(refused)
        elif user.email_confirmed_at is None:
            send_confirmation(user)
            form.form_errors.append(_("Je hebt je e-mailadres nog niet bevestigd. We hebben de link opnieuw "
                                      "gestuurd naar %(email)s.", email=user.email))
        elif user.two_factor_enabled:
            return start_second_step(user, remember=form.remember.data, next_url=safe_next(form.next.data))
        else:
            log_in(user, remember=form.remember.data)
            security_event(EventKind.LOGIN, user_id=user.id)
            return redirect(safe_next(form.next.data))
    return render_template("auth/login.html", form=form)


@bp.route("/uitloggen", methods=["POST"])
def logout() -> Response:
    form = LogoutForm()
    if not form.validate_on_submit():
        return redirect(url_for("auth.login"))
    through = None
    if current_user.is_authenticated:
        security_event(EventKind.LOGOUT)
        through = session.get(SIGNED_IN_THROUGH)
    log_out()
    if through:  # on to the organisation's provider, to log out there too; that page says it
        session[LOGGING_OUT] = through
        return redirect(url_for("sso.logout", slug=through))
    flash(_("Je bent uitgelogd."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/taal", methods=["POST"])
def language() -> Response:
    form = LanguageForm()
    if form.validate_on_submit():
        session["locale"] = form.locale.data
        if current_user.is_authenticated:
            accounts.set_locale(db_session, current_user.id, form.locale.data)
    return redirect(safe_next(form.next.data))


@bp.get("/taal")
def visitor_language() -> Response:
    """The language links in the header of a visitor who is not logged in (base.html).

    A plain link instead of the form, so that a visitor's page carries no CSRF token: making one starts a
    session, and with it a Set-Cookie on every first page (the welcome page, any public page a crawler or
    a first visit opens), plus the cost of signing the token and the cookie. Without a token this is a GET
    that a page of another site can send a browser to (a link, a redirect). What it can do is what the
    visitor could do with one click: switch their own interface language, kept in their own session
    cookie; nothing on the server changes and no account. A logged-in learner's choice is saved on the
    account, a state change that stays behind the POST form and its token (``language`` above): for them
    this link changes nothing. ``next`` leads only to a page of this site (``safe_next``).
    """
    locale = request.args.get("locale")
    if not current_user.is_authenticated and locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
    return redirect(safe_next(request.args.get("next")))
