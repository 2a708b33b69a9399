"""Two-step verification: setting it up on the account page, and the second step of logging in.

After a good password, an account with two-step verification is not logged in yet: the cookie session
remembers only which account passed the first step, for a few minutes, and the code page finishes the
login. Site and organisation administrators are sent to the set-up page until they have turned it on.
"""

from __future__ import annotations

import time

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from app.acting_user import login_required
from app.audit import security_event
from app.auth import bp
from app.auth.forms import LoginCodeForm, TwoFactorCodeForm
from app.auth.logins import log_in, renew_login
from app.db import db_session
from app.i18n import domain_message
from app.limits import configured, failed, limiter, log_lockout
from course.db import EventKind, User
from course.errors import DomainError
from course.services import two_factor

PENDING = "leerlijn.second_step"  # the cookie-session key of a login waiting for its code
PENDING_SECONDS = 300


def start_second_step(user: User, *, remember: bool, next_url: str, method: str = "password",
                      through: str | None = None) -> Response:
    """The first step (``method``: the password, or signing in through an organisation, ``through``) was
    right: ask for the code before logging in."""
    session[PENDING] = {"user": user.id, "remember": remember, "next": next_url, "at": int(time.time()),
                        "method": method, "through": through}
    return redirect(url_for("auth.login_code"))


def _pending() -> dict | None:
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    return pending


def _pending_key() -> str:
    pending = session.get(PENDING)
    return f"second-step:{pending.get('user')}" if isinstance(pending, dict) else "second-step:none"


@bp.route("/inloggen/code", methods=["GET", "POST"])
@limiter.limit(configured("CODE_LIMIT_PER_ACCOUNT"), key_func=_pending_key, methods=["POST"], deduct_when=failed,
               on_breach=log_lockout)
def login_code() -> str | Response:
    from app.auth.views import safe_next
    pending = _pending()
    if pending is None:
        session.pop(PENDING, None)
        flash(_("Log opnieuw in; de tijd voor de code was om."), "info")
        return redirect(url_for("auth.login"))
    form = LoginCodeForm()
    if form.validate_on_submit():
        kind = two_factor.verify(db_session, pending["user"], form.code.data)
        user = db_session.get(User, pending["user"])
        if kind is None or user is None or not user.is_active:
            security_event(EventKind.TWO_FACTOR_FAILED, user_id=pending["user"])
            form.code.errors.append(_("Deze code klopt niet. Probeer de nieuwste code uit je app."))
        else:
            # A new session: the pending step is gone.
            log_in(user, remember=bool(pending["remember"]), through=pending.get("through"))
            security_event(EventKind.LOGIN, user_id=user.id, second_step=kind,
                           **({"method": pending["method"]} if pending.get("method") == "sso" else {}))
            if kind == "recovery":
                security_event(EventKind.RECOVERY_CODE_USED, user_id=user.id,
                               left=len(user.recovery_code_hashes))
                flash(_("Je hebt een herstelcode gebruikt; die werkt nu niet meer. Je hebt er nog %(n)d.",
                        n=len(user.recovery_code_hashes)), "info")
            return redirect(safe_next(pending.get("next")))
    return render_template("auth/login_code.html", form=form)


@bp.route("/account/tweestaps", methods=["GET", "POST"])
@login_required
def two_factor_setup() -> str | Response | tuple[str, int]:
    """Set up two-step verification (QR code and a first code), or see its state when it is on."""
    user = current_user._get_current_object()
    if user.two_factor_enabled:
        return render_template("auth/two_factor.html", user=user,
                               codes_form=TwoFactorCodeForm(formdata=None, prefix="codes"),
                               off_form=TwoFactorCodeForm(formdata=None, prefix="off"))
    if request.method == "GET":
        secret = two_factor.start_setup(db_session, user.id)
    elif not user.totp_secret:  # a post without the set-up page before it: nothing to confirm, nothing changed
        return redirect(url_for("auth.two_factor_setup"))
    else:
        secret = user.totp_secret
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.enable(db_session, user.id, form.code.data)
        except DomainError as exc:
            form.code.errors.append(domain_message(exc))
        else:
            security_event(EventKind.TWO_FACTOR_ENABLED)
            renew_login()  # more trust, a new session id
            return render_template("auth/recovery_codes.html", codes=codes, first=True)
    uri = two_factor.provisioning_uri(secret, user.email)
    return render_template("auth/two_factor.html", user=user, form=form, secret=secret,
                           qr=_qr_svg(uri)), 400 if form.errors else 200


@bp.route("/account/tweestaps/herstelcodes", methods=["POST"])
@login_required
def two_factor_recovery_codes() -> str | Response:
    form = TwoFactorCodeForm(prefix="codes")
    if not form.validate_on_submit() or two_factor.verify(db_session, current_user.id, form.code.data) is None:
        flash(_("Deze code klopt niet; er zijn geen nieuwe herstelcodes gemaakt."), "error")
        return redirect(url_for("auth.two_factor_setup"))
    codes = two_factor.new_recovery_codes(db_session, current_user.id)
    security_event(EventKind.TWO_FACTOR_ENABLED, action="new_recovery_codes")
    return render_template("auth/recovery_codes.html", codes=codes, first=False)


@bp.route("/account/tweestaps/uitzetten", methods=["POST"])
@login_required
def two_factor_disable() -> Response:
    form = TwoFactorCodeForm(prefix="off")
    if form.validate_on_submit():
        try:
            two_factor.disable(db_session, current_user.id, form.code.data)
        except DomainError as exc:
            flash(domain_message(exc), "error")
        else:
            security_event(EventKind.TWO_FACTOR_DISABLED)
            flash(_("Tweestapsverificatie staat uit."), "info")
    return redirect(url_for("auth.two_factor_setup"))


def _qr_svg(uri: str) -> Markup:
    """The otpauth link as an inline SVG QR code (segno draws it; no image request, no script)."""
    import segno
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=2, omitsize=False)
    return Markup(svg.replace("<svg ", '<svg role="img" aria-labelledby="qr-title" ', 1))  # noqa: S704 - segno's own markup
