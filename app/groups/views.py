"""A learner's groups: join with the trainer's code (typed, or from the QR code), share reflections, leave."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.acting_user import login_required
from app.db import db_session
from app.groups import bp
from app.groups.forms import JoinGroupForm, LeaveForm, SharingForm
from course.errors import DomainError
from course.services import groups as service


@bp.route("/")
@login_required
def index() -> str:
    return _index(JoinGroupForm())


def _index(form: JoinGroupForm, status: int = 200) -> Any:
    return render_template("groups/index.html", memberships=service.my_groups(db_session, current_user.id),
                           form=form, sharing_form=SharingForm(), leave_form=LeaveForm()), status


@bp.route("/deelnemen/<code>")
@login_required
def join_link(code: str) -> Any:
    """Where the group's QR code leads: the join form, filled in (joining itself is a POST)."""
    return _index(JoinGroupForm(formdata=None, code=code))


@bp.route("/deelnemen", methods=["POST"])
@login_required
def join() -> Any:
    form = JoinGroupForm()
    if not form.validate_on_submit():
        return _index(form, 422)
    try:
        group = service.join_group(db_session, current_user.id, form.code.data or "")
    except DomainError as error:
        form.code.errors = [*form.code.errors, _(error.message)]
        return _index(form, 422)
    flash(_("Je doet mee met %(name)s. Je trainer ziet je voortgang, niet je eigen teksten.", name=group.name),
          "success")
    return redirect(url_for("groups.index"))


@bp.route("/<int:group_id>/delen", methods=["POST"])
@login_required
def sharing(group_id: int) -> Response:
    form = SharingForm()
    if not form.validate_on_submit():
        abort(400)
    share = form.share.data == "1"
    service.set_sharing(db_session, current_user.id, group_id, share)
    flash(_("Je trainer kan je reflecties nu lezen.") if share else _("Je reflecties zijn weer alleen voor jou."),
          "success")
    return redirect(url_for("groups.index"))


@bp.route("/<int:group_id>/verlaten", methods=["POST"])
@login_required
def leave(group_id: int) -> Response:
    if not LeaveForm().validate_on_submit():
        abort(400)
    service.leave_group(db_session, current_user.id, group_id)
    flash(_("Je hebt de groep verlaten."), "success")
    return redirect(url_for("groups.index"))
