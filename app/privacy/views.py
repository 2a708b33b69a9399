"""Privacy views: the statement, the export download and account deletion; course.services.privacy does
the work."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.acting_user import login_required
from app.audit import security_event
from app.auth.logins import log_out
from app.db import db_session
from app.i18n import domain_message
from app.privacy import bp
from app.privacy.forms import DeleteAccountForm, DeleteWithoutPasswordForm, ExportForm
from course.db import EventKind, utcnow
from course.errors import DomainError
from course.services import accounts, sso
from course.services import privacy as service


@bp.route("/privacy")
def statement() -> str:
    return render_template("privacy/statement.html", retention_days=current_app.config["RETENTION_DAYS"])


@bp.route("/account/gegevens", methods=["POST"])
@login_required
def export() -> Response:
    if not ExportForm().validate_on_submit():
        return redirect(url_for("auth.account"))
    data = service.export_personal_data(db_session, current_user.id)
    security_event(EventKind.DATA_EXPORTED)
    day = data["exported_at"][:10]
    response = current_app.response_class(json.dumps(data, ensure_ascii=False, indent=2),
                                          mimetype="application/json")
    response.headers["Content-Disposition"] = f'attachment; filename="leerlijn-gegevens-{day}.json"'
    response.headers["Cache-Control"] = "no-store"  # private data: never kept by a shared cache
    return response


# How recent a sign-in through the organisation must be to stand in for a password (re-authentication).
FRESH_SIGN_IN = timedelta(minutes=10)


@bp.route("/account/verwijderen", methods=["GET", "POST"])
@login_required
def delete_account() -> str | Response:
    user = current_user._get_current_object()
    with_password = accounts.has_password(user)
    form = DeleteAccountForm() if with_password else DeleteWithoutPasswordForm()
    started = accounts.login_started_at(db_session, current_user.login_secret)
    fresh = started is not None and utcnow() - started < FRESH_SIGN_IN
    if form.validate_on_submit():
        try:
            service.delete_account(db_session, current_user.id, form.password.data if with_password else None,
                                   signed_in_just_now=fresh)
        except DomainError as exc:
            (form.password if with_password else form.confirm).errors.append(domain_message(exc))
        else:
            log_out()
            security_event(EventKind.ACCOUNT_DELETED, with_address=False)  # after erasing: names nobody
            flash(_("Je account en al je gegevens zijn verwijderd."), "success")
            return redirect(url_for("learn.overview"))
    return render_template("privacy/delete.html", form=form, with_password=with_password, fresh=fresh,
                           organisation=None if with_password else sso.sign_in_organisation(db_session, user.id))
