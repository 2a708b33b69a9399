"""Signing in through an organisation: find it by email domain, go to its provider, come back.

The browser carries nothing of value: the state, nonce and PKCE verifier stay in the (signed) session cookie
of this browser, and a returning browser must bring the state that was sent (so a login cannot be forced on
someone, and a callback works once). Every failure ends on the login page with a message, never an error page.
"""

from __future__ import annotations

import os
import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.audit import security_event
from app.auth.logins import LOGGING_OUT, log_in
from app.auth.tokens import external_url
from app.auth.two_factor_views import start_second_step
from app.auth.views import safe_next
from app.db import db_session
from app.i18n import domain_message
from app.limits import configured, limiter
from app.sso import bp
from app.sso.forms import FindOrganisationForm
from app.sso.providers import provider_cache, provider_of, settings_for
from course import oidc
from course.db import EventKind
from course.errors import N_
from course.oidc import SsoError
from course.services import sso

PENDING = "leerlijn.sso"  # the cookie-session key of a sign-in waiting for the provider's answer
PENDING_SECONDS = 600


def redirect_uri(slug: str) -> str:
    """Where the provider sends the browser back: what the organisation registers at its provider."""
    return external_url("sso.callback", slug=slug)


@bp.route("/inloggen/organisatie", methods=["GET", "POST"])
@limiter.limit(configured("SSO_LIMIT_PER_ADDRESS"), methods=["POST"])
def find() -> str | Response | tuple[str, int]:
    """Which organisation signs this address in (by its domain): a link to go there."""
    form = FindOrganisationForm()
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url)
    organisation = None
    if form.validate_on_submit():
        organisation = sso.organisation_for_email(db_session, form.email.data or "")
        if organisation is None:
            form.email.errors.append(_("Voor dit e-mailadres is geen inloggen via een organisatie ingesteld. "
                                       "Log in met je wachtwoord."))
    # A link, not a redirect: the page's form may only post to Leerlijn itself (CSP form-action), and a
    # redirect after a post to another site counts as posting there.
    return render_template("sso/find.html", form=form, organisation=organisation,
                           next_url=next_url), 422 if form.errors else 200


def _failed(error: SsoError, slug: str) -> Response:
    security_event(EventKind.LOGIN_FAILED, user_id=None, method="sso", organisation=slug[:64], reason=error.reason)
    flash(domain_message(error), "error")
    return redirect(url_for("auth.login"))


@bp.route("/sso/<slug>/login")
@limiter.limit(configured("SSO_LIMIT_PER_ADDRESS"))
def login(slug: str) -> Response:
    """Send the browser to the organisation's provider (authorization code flow with PKCE, state and nonce)."""
    next_url = safe_next(request.args.get("next"))
    again = request.args.get("opnieuw") == "1"  # a fresh sign-in asked for, e.g. before deleting the account
    if current_user.is_authenticated and not again:
        return redirect(next_url)
    try:
        settings = settings_for(slug)
        provider = provider_of(settings)
    except SsoError as error:
        return _failed(error, slug)
    auth = oidc.authorization_request(provider, client_id=settings.config.client_id, redirect_uri=redirect_uri(slug),
                                      reauthenticate=again)
    session[PENDING] = {"org": slug, "state": auth.state, "nonce": auth.nonce, "verifier": auth.code_verifier,
                        "next": next_url, "at": int(time.time())}
    return redirect(auth.url)


def _stale() -> SsoError:
    return SsoError("state", N_("Deze inlogpoging is verlopen of al gebruikt. Log opnieuw in via je organisatie."))


@bp.route("/sso/<slug>/callback")
@limiter.limit(configured("SSO_LIMIT_PER_ADDRESS"))
def callback(slug: str) -> Response:
    """The provider's answer: check it, find or make the account, log in."""
    pending = session.pop(PENDING, None)  # one answer per sign-in: a replayed callback finds nothing
    try:
        if (not isinstance(pending, dict) or pending.get("org") != slug
                or time.time() - pending.get("at", 0) > PENDING_SECONDS
                or not oidc.state_matches(pending.get("state"), request.args.get("state"))):
            raise _stale()
        if request.args.get("error"):
            raise SsoError("provider:" + request.args["error"][:40],
                           N_("Je organisatie heeft het inloggen niet toegestaan of het is afgebroken. "
                              "Probeer het opnieuw, of log in met je wachtwoord."))
        code = request.args.get("code")
        if not code:
            raise oidc.invalid_answer("token")
        settings = settings_for(slug)
        provider = provider_of(settings)
        secret = sso.client_secret(settings.config, slug, environ=os.environ, key=current_app.config["SSO_KEY"])
        claims = oidc.finish(provider, client_id=settings.config.client_id, client_secret=secret or "",
                             redirect_uri=redirect_uri(slug), code=code, code_verifier=pending["verifier"],
                             nonce=pending["nonce"], cache=provider_cache())
        result = sso.sign_in(db_session, settings, claims)
    except SsoError as error:
        return _failed(error, slug)
    user = result.user
    if result.new_account:
        security_event(EventKind.REGISTERED, user_id=user.id, method="sso", organisation=slug)
    elif result.linked:
        security_event(EventKind.SSO_LINKED, user_id=user.id, organisation=slug, issuer=settings.config.issuer)
    next_url = safe_next(pending.get("next"))
    if user.two_factor_enabled:  # the provider replaces the password, not the second step
        return start_second_step(user, remember=False, next_url=next_url, method="sso", through=slug)
    log_in(user, remember=False, through=slug)
    security_event(EventKind.LOGIN, user_id=user.id, method="sso", organisation=slug)
    if result.new_account:
        flash(_("Welkom, %(name)s. Je bent ingelogd via %(organisation)s.", name=user.name,
                organisation=settings.organisation.name), "success")
    return redirect(next_url)


@bp.route("/sso/<slug>/uitloggen")
def logout(slug: str) -> str | Response:
    """Just logged out of Leerlijn after signing in through the organisation: on to its provider to log out
    there as well, else the next person at a shared computer would be signed straight back in.

    The logout form cannot redirect there itself: a redirect after a post counts as posting to that site,
    which the CSP's form-action forbids. So this page sends the browser on (an instant refresh, and a link).
    Only once, right after that logout (a mark in the session); otherwise it is the login page.
    """
    if session.pop(LOGGING_OUT, None) != slug:
        return redirect(url_for("auth.login"))
    try:
        settings = settings_for(slug)
        url = oidc.logout_url(provider_of(settings), client_id=settings.config.client_id,
                              post_logout_redirect_uri=external_url("auth.login"))
    except SsoError:
        url, settings = None, None
    if url is None:
        flash(_("Je bent uitgelogd."), "info")
        flash(_("Gebruik je een gedeelde computer? Log dan ook uit bij je organisatie."), "info")
        return redirect(url_for("auth.login"))
    page = render_template("sso/logout.html", url=url, organisation=settings.organisation)
    flash(_("Je bent uitgelogd."), "info")  # after this page is made: for the login page the provider returns to
    return page
