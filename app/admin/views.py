"""Administration views; site administrators only."""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import abort, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.admin import bp
from app.db import db_session
from course.db import Role
from course.services.accounts import list_users


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
    return render_template("admin/users.html", users=list_users(db_session), role_labels=role_labels())


def role_labels() -> dict[Role, str]:
    return {Role.LEARNER: _("Cursist"), Role.TRAINER: _("Trainer"), Role.ORG_ADMIN: _("Beheerder organisatie"),
            Role.SITE_ADMIN: _("Sitebeheerder")}
