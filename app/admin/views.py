"""Administration views; site administrators only."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.acting_user import login_required
from app.admin import bp
from app.admin.forms import AccountStateForm
from app.certificates.forms import FindCertificateForm, RevokeForm
from app.db import db_session
from app.i18n import domain_message
from course.db import Certificate, EventKind, Role
from course.errors import DomainError, NotFound
from course.services import certificates as cert_service
from course.services.accounts import list_users, set_disabled
from course.services.audit import list_events


def site_admin_required(view: Any) -> Any:
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_site_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapped


@bp.route("/gebruikers")
@site_admin_required
def users() -> str:
    return render_template("admin/users.html", users=list_users(db_session), role_labels=role_labels(),
                           form=AccountStateForm())


@bp.route("/gebruikers/<int:user_id>/uitzetten", methods=["POST"])
@site_admin_required
def disable_user(user_id: int) -> Response:
    """Disable an account: it cannot log in any more, and every login it has ends now."""
    return _set_disabled(user_id, disabled=True)


@bp.route("/gebruikers/<int:user_id>/aanzetten", methods=["POST"])
@site_admin_required
def enable_user(user_id: int) -> Response:
    return _set_disabled(user_id, disabled=False)


def _set_disabled(user_id: int, *, disabled: bool) -> Response:
    if not AccountStateForm().validate_on_submit():
        abort(400)
    try:
        user = set_disabled(db_session, current_user.id, user_id, disabled=disabled, ip=request.remote_addr)
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(domain_message(error), "error")
    else:
        flash(_("Het account van %(name)s staat uit: het kan niet meer inloggen.", name=user.name) if disabled
              else _("Het account van %(name)s staat weer aan.", name=user.name), "success")
    return redirect(url_for("admin.users", _anchor=f"gebruiker-{user_id}"))


def role_labels() -> dict[Role, str]:
    return {Role.LEARNER: _("Cursist"), Role.TRAINER: _("Trainer"), Role.ORG_ADMIN: _("Beheerder organisatie"),
            Role.SITE_ADMIN: _("Sitebeheerder")}


@bp.route("/beveiligingslog")
@site_admin_required
def security_log() -> str:
    """The security audit log, newest first, 50 events a page."""
    kind_name = request.args.get("soort", "")
    kind = EventKind(kind_name) if kind_name in EventKind._value2member_map_ else None
    page = request.args.get("pagina", 1, type=int) or 1
    events = list_events(db_session, page=min(max(page, 1), 10**6), kind=kind)
    return render_template("admin/security_log.html", events=events, kind=kind, kinds=list(EventKind),
                           kind_labels=event_labels())


def event_labels() -> dict[EventKind, str]:
    return {
        EventKind.REGISTERED: _("Account aangemaakt"), EventKind.LOGIN: _("Ingelogd"),
        EventKind.LOGIN_FAILED: _("Inloggen mislukt"), EventKind.LOCKOUT: _("Tijdelijk geblokkeerd"),
        EventKind.LOGOUT: _("Uitgelogd"), EventKind.LOGOUT_EVERYWHERE: _("Overal uitgelogd"),
        EventKind.PASSWORD_CHANGED: _("Wachtwoord gewijzigd"),
        EventKind.PASSWORD_RESET_REQUESTED: _("Wachtwoordherstel aangevraagd"),
        EventKind.PASSWORD_RESET: _("Wachtwoord hersteld"),
        EventKind.EMAIL_CHANGE_REQUESTED: _("Wijziging e-mailadres aangevraagd"),
        EventKind.EMAIL_CHANGED: _("E-mailadres gewijzigd"), EventKind.EMAIL_CONFIRMED: _("E-mailadres bevestigd"),
        EventKind.TWO_FACTOR_ENABLED: _("Tweestapsverificatie aangezet"),
        EventKind.TWO_FACTOR_DISABLED: _("Tweestapsverificatie uitgezet"),
        EventKind.TWO_FACTOR_FAILED: _("Verkeerde verificatiecode"),
        EventKind.RECOVERY_CODE_USED: _("Herstelcode gebruikt"), EventKind.ACCESS_DENIED: _("Toegang geweigerd"),
        EventKind.ADMIN_ACTION: _("Actie van beheerder"), EventKind.DATA_EXPORTED: _("Gegevens gedownload"),
        EventKind.ACCOUNT_DELETED: _("Account verwijderd"),
        EventKind.SSO_LINKED: _("Gekoppeld aan inlogdienst van organisatie"),
    }


@bp.route("/certificaten")
@site_admin_required
def certificates() -> str:
    """Look a certificate up by its verification code, to revoke it."""
    form = FindCertificateForm(request.args)
    found = cert_service.find_by_code(db_session, form.code.data or "") if request.args and form.validate() else None
    return render_template("admin/certificates.html", form=form, found=found, searched=bool(request.args),
                           revoke_form=RevokeForm(), grouped=cert_service.grouped)


@bp.route("/certificaten/<int:certificate_id>/intrekken", methods=["POST"])
@site_admin_required
def revoke_certificate(certificate_id: int) -> Response | tuple[str, int]:
    form = RevokeForm()
    certificate = db_session.get(Certificate, certificate_id)
    if certificate is None:
        abort(404)
    if form.validate_on_submit():
        try:
            cert_service.revoke(db_session, current_user.id, certificate_id, form.reason.data or "",
                                ip=request.remote_addr)
        except DomainError as exc:
            db_session.rollback()
            form.reason.errors = [*form.reason.errors, domain_message(exc)]
        else:
            flash(_("Het certificaat is ingetrokken."), "success")
            return redirect(url_for("admin.certificates", code=certificate.code))
    return render_template("admin/certificates.html", form=FindCertificateForm(data={"code": certificate.code}),
                           found=certificate, searched=True, revoke_form=form, grouped=cert_service.grouped), 400
