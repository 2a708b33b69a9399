"""An organisation admin's page for signing the organisation's people in through its own identity provider.

The service decides who may (another organisation's slug answers 404, like a missing one) and what: the email
domains are the platform operator's, set on the command line (``flask --app app org sso``).
"""

from __future__ import annotations

import os
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.acting_user import login_required
from app.db import db_session
from app.i18n import domain_message
from app.org import bp
from app.sso.forms import SsoSettingsForm
from app.sso.views import redirect_uri
from course.errors import DomainError
from course.services import sso


@bp.route("/<slug>/inloggen-via-organisatie", methods=["GET", "POST"])
@login_required
def sso_settings(slug: str) -> Any:
    config = current_app.config
    access, settings = sso.admin_settings(db_session, current_user.id, slug, environ=os.environ,
                                          key=config["SSO_KEY"])
    if request.method == "POST":
        form = SsoSettingsForm()
    elif settings is not None:
        form = SsoSettingsForm(formdata=None, issuer=settings.config.issuer, client_id=settings.config.client_id,
                               mandatory=settings.config.mandatory)
    else:
        form = SsoSettingsForm(formdata=None)
    if form.validate_on_submit():
        try:
            settings = sso.configure(db_session, current_user.id, slug, environ=os.environ, key=config["SSO_KEY"],
                                     allow_http=config["SSO_ALLOW_HTTP"], issuer=form.issuer.data or "",
                                     client_id=form.client_id.data or "", client_secret=form.client_secret.data or None,
                                     mandatory=bool(form.mandatory.data), ip=request.remote_addr)
        except DomainError as error:
            db_session.rollback()
            field = getattr(form, error.field or "issuer", form.issuer)
            field.errors = [*field.errors, domain_message(error)]
        else:
            flash(_("De instellingen voor inloggen via de organisatie zijn bewaard."), "success")
            return redirect(url_for("org.sso_settings", slug=slug))
    return render_template("org/sso.html", organisation=access.organisation, form=form, settings=settings,
                           redirect_uri=redirect_uri(slug), secret_variable=sso.secret_variable(slug),
                           can_store_secret=bool(config["SSO_KEY"])), 422 if form.errors else 200
