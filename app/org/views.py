"""Organisation views. Views parse input, call course.services.orgs and render or redirect; the service
decides who may see what (another organisation's slug or ids answer 404, like missing ones)."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import date
from itertools import chain
from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.acting_user import login_required
from app.audit import security_event
from app.auth.forms import ResetPasswordForm
from app.auth.logins import log_in
from app.auth.mail_views import sso_refusal
from app.auth.tokens import read_token
from app.content import catalog
from app.db import db_session
from app.i18n import domain_message
from app.org import bp
from app.org.forms import (
    ApiTokenForm,
    ApplyImportForm,
    AssignmentForm,
    ConfirmForm,
    ImportForm,
    InviteForm,
    MemberForm,
    ReminderMailForm,
    RevokeApiTokenForm,
    TeamForm,
    role_choices,
)
from app.org.labels import STATUS_LABELS
from app.org.mails import send_invitation
from course.assignments import AssignmentStatus, local_today
from course.db import EventKind, Role, utcnow
from course.errors import DomainError, NotFound
from course.services import (
    accounts,
    api_tokens,
    assignment_certificates,
    org_import,
    org_report,
    points_export,
    reminders,
)
from course.services import assignments as assignment_service
from course.services import orgs as service


def _team_choices(access: service.OrgAccess) -> list[tuple[str, str]]:
    return [("", _("Geen team"))] + [(str(t.id), t.name) for t in service.teams(db_session, access)]


PER_PAGE = 200  # rows of a member table per page: an organisation may have thousands


def _paged(items: list[Any]) -> tuple[list[Any], dict[str, Any]]:
    """One page of ``items`` (``?pagina=``) and what the pagination links need."""
    pages = max(1, -(-len(items) // PER_PAGE))
    page = min(max(request.args.get("pagina", 1, type=int) or 1, 1), pages)
    args = {k: v for k, v in request.args.items() if k != "pagina"}
    return items[(page - 1) * PER_PAGE:page * PER_PAGE], {"page": page, "pages": pages, "total": len(items),
                                                          "endpoint": request.endpoint, "args": {
                                                              **(request.view_args or {}), **args}}


def _field_error(form: Any, error: DomainError, default: str) -> None:
    field = getattr(form, error.field or default, None) or getattr(form, default)
    field.errors = [*field.errors, domain_message(error)]


@bp.route("/")
@login_required
def index() -> str:
    return render_template("org/index.html", managed=service.managed_organisations(db_session, current_user.id))


@bp.route("/<slug>/")
@login_required
def members(slug: str) -> tuple[str, int]:
    return _members_page(service.org_access(db_session, current_user.id, slug))


def _members_page(access: service.OrgAccess, team_form: TeamForm | None = None, status: int = 200
                  ) -> tuple[str, int]:
    team_filter = request.args.get("team", type=int)
    rows, paging = _paged(service.members(db_session, access, team_id=team_filter))
    return render_template("org/members.html", access=access, organisation=access.organisation, members=rows,
                           paging=paging,
                           teams=service.teams(db_session, access), team_filter=team_filter,
                           team_form=team_form or TeamForm(formdata=None), roles=dict(role_choices())), status


@bp.route("/<slug>/teams", methods=["POST"])
@login_required
def create_team(slug: str) -> Any:
    access = service.admin_access(db_session, current_user.id, slug)
    form = TeamForm()
    if form.validate_on_submit():
        try:
            team = service.create_team(db_session, current_user.id, slug, form.name.data or "")
        except DomainError as error:
            _field_error(form, error, "name")
        else:
            flash(_("Team %(name)s is gemaakt.", name=team.name), "success")
            return redirect(url_for("org.members", slug=slug))
    return _members_page(access, team_form=form, status=422)


@bp.route("/<slug>/uitnodigen", methods=["GET", "POST"])
@login_required
def invite(slug: str) -> Any:
    access = service.admin_access(db_session, current_user.id, slug)
    form = InviteForm()
    form.team.choices = _team_choices(access)
    form.role.choices = role_choices()
    if form.validate_on_submit():
        try:
            added = service.add_member(db_session, current_user.id, slug, email=form.email.data or "",
                                       name=form.name.data, team_id=int(form.team.data) if form.team.data else None,
                                       role=Role(form.role.data))
        except DomainError as error:
            _field_error(form, error, "email")
        else:
            send_invitation(added.user, access.organisation, new_account=added.new_account)
            flash(_("%(email)s is uitgenodigd.", email=added.user.email) if added.new_account else
                  _("%(name)s is toegevoegd en krijgt daarover een mail.", name=added.user.name), "success")
            return redirect(url_for("org.members", slug=slug))
    return render_template("org/invite.html", organisation=access.organisation, form=form), \
        422 if form.errors else 200


@bp.route("/<slug>/leden/<int:membership_id>", methods=["GET", "POST"])
@login_required
def member(slug: str, membership_id: int) -> Any:
    access = service.admin_access(db_session, current_user.id, slug)
    row = next((m for m in service.members(db_session, access) if m.membership_id == membership_id), None)
    if row is None:
        abort(404)
    form = MemberForm() if request.method == "POST" else MemberForm(formdata=None, team=str(row.team_id or ""),
                                                                    role=row.role.value)
    form.team.choices = _team_choices(access)
    form.role.choices = role_choices()
    if form.validate_on_submit():
        try:
            service.update_member(db_session, current_user.id, slug, membership_id,
                                  team_id=int(form.team.data) if form.team.data else None, role=Role(form.role.data))
        except DomainError as error:
            _field_error(form, error, "role")
        else:
            flash(_("De gegevens van %(name)s zijn opgeslagen.", name=row.name), "success")
            return redirect(url_for("org.members", slug=slug))
    return render_template("org/member.html", organisation=access.organisation, member=row, form=form,
                           confirm_form=ConfirmForm(formdata=None)), 422 if form.errors else 200


def _set_active(slug: str, membership_id: int, active: bool) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        membership = service.set_active(db_session, current_user.id, slug, membership_id, active)
    except NotFound:
        raise
    except DomainError as error:
        flash(domain_message(error), "error")
        return redirect(url_for("org.member", slug=slug, membership_id=membership_id))
    name = membership.user.name
    flash(_("%(name)s is weer actief.", name=name) if active else
          _("%(name)s is gedeactiveerd. De voortgang blijft bewaard.", name=name), "success")
    return redirect(url_for("org.members", slug=slug))


@bp.route("/<slug>/leden/<int:membership_id>/deactiveren", methods=["POST"])
@login_required
def deactivate(slug: str, membership_id: int) -> Response:
    return _set_active(slug, membership_id, active=False)


@bp.route("/<slug>/leden/<int:membership_id>/activeren", methods=["POST"])
@login_required
def activate(slug: str, membership_id: int) -> Response:
    return _set_active(slug, membership_id, active=True)


@bp.route("/<slug>/verlaten", methods=["POST"])
@login_required
def leave(slug: str) -> Response:
    """Leaving from the account page: the member's own choice."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        organisation = service.leave_organisation(db_session, current_user.id, slug)
    except NotFound:
        raise
    except DomainError as error:
        flash(domain_message(error), "error")
    else:
        flash(_("Je hoort niet meer bij %(name)s.", name=organisation.name), "success")
    return redirect(url_for("auth.account", _anchor="organisaties"))


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Any:
    """Where the invitation leads: choose a password for the account made for you, and you are logged in."""
    data = read_token("org-invite", token)
    if data is None:
        return render_template("auth/link_invalid.html"), 400
    refused = sso_refusal(data["user"])
    if refused is not None:
        return refused
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = accounts.reset_password(db_session, data["user"], data["fp"], form.password.data or "")
        except DomainError as error:
            if error.field is None:
                return render_template("auth/link_invalid.html"), 400
            _field_error(form, error, "password")
        else:
            security_event(EventKind.EMAIL_CONFIRMED, user_id=user.id)
            log_in(user, remember=False)
            security_event(EventKind.LOGIN, user_id=user.id)
            flash(_("Welkom, %(name)s. Je account is klaar en je bent ingelogd.", name=user.name), "success")
            return redirect(url_for("learn.overview"))
    return render_template("org/accept.html", form=form), 422 if form.errors else 200


# --- bulk import --------------------------------------------------------------------------------------------

# A CSV of thousands of members is larger than the app's usual limit on what a request may carry.
IMPORT_MAX_BYTES = 4 * 1024 * 1024
IMPORT_ENDPOINTS = frozenset({"org.import_members", "org.apply_import"})


@bp.url_value_preprocessor
def _allow_large_imports(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    # This runs before the CSRF check reads the form, so the larger limit is in place when it does.
    if endpoint in IMPORT_ENDPOINTS:
        request.max_content_length = IMPORT_MAX_BYTES
        request.max_form_memory_size = IMPORT_MAX_BYTES


def _preview(access: service.OrgAccess, form: ImportForm, plan: org_import.ImportPlan | None = None,
             content: str = "", status: int = 200) -> tuple[str, int]:
    apply_form = ApplyImportForm(formdata=None, content=content) if plan and not plan.has_errors else None
    return render_template("org/import.html", organisation=access.organisation, form=form, plan=plan,
                           apply_form=apply_form, Outcome=org_import.Outcome), status


@bp.route("/<slug>/importeren", methods=["GET", "POST"])
@login_required
def import_members(slug: str) -> Any:
    """Upload a CSV: the dry run shows what would happen to every row; nothing changes yet."""
    access = service.admin_access(db_session, current_user.id, slug)
    form = ImportForm()
    if not form.validate_on_submit():
        return _preview(access, form, status=422 if form.errors else 200)
    data = form.file.data.read()
    try:
        plan = org_import.plan_import(db_session, current_user.id, slug, data)
    except DomainError as error:
        _field_error(form, error, "file")
        return _preview(access, form, status=422)
    return _preview(access, form, plan, base64.b64encode(data).decode("ascii"))


@bp.route("/<slug>/importeren/toepassen", methods=["POST"])
@login_required
def apply_import(slug: str) -> Any:
    access = service.admin_access(db_session, current_user.id, slug)
    form = ApplyImportForm()
    try:
        data = base64.b64decode(form.content.data or "", validate=True) if form.validate_on_submit() else b""
    except ValueError:  # not base64 (binascii.Error), or not even ASCII
        data = b""
    if not data:
        abort(400)
    try:
        result = org_import.apply_import(db_session, current_user.id, slug, data)
    except DomainError as error:
        upload = ImportForm(formdata=None)
        upload.file.errors = [domain_message(error)]
        try:
            plan = org_import.plan_import(db_session, current_user.id, slug, data)
        except DomainError:
            plan = None
        return _preview(access, upload, plan, status=422)
    invited = org_import.members_by_id(db_session, result.new_user_ids)
    db_session.commit()  # end the transaction (on SQLite, the write lock) before sending the invitations
    for user in invited:
        send_invitation(user, access.organisation, new_account=True)
    flash(_("De import is verwerkt: %(new)s uitgenodigd, %(linked)s bestaande accounts gekoppeld, %(same)s "
            "ongewijzigd.", new=len(result.new_user_ids), linked=len(result.linked_user_ids),
            same=result.plan.count(org_import.Outcome.UNCHANGED)), "success")
    return redirect(url_for("org.members", slug=slug))


# --- assignments --------------------------------------------------------------------------------------------



def _today() -> date:
    return local_today(utcnow())


@bp.route("/<slug>/opdrachten/")
@login_required
def assignments(slug: str) -> str:
    access = service.org_access(db_session, current_user.id, slug)
    return render_template("org/assignments.html", access=access, organisation=access.organisation,
                           overviews=assignment_service.overviews(db_session, catalog(), access, _today()),
                           Status=AssignmentStatus, labels=STATUS_LABELS, confirm_form=ConfirmForm(formdata=None))


@bp.route("/<slug>/opdrachten/nieuw", methods=["GET", "POST"])
@login_required
def new_assignment(slug: str) -> Any:
    access = service.admin_access(db_session, current_user.id, slug)
    cat = catalog()
    form = AssignmentForm()
    form.modules.choices = [(m.id, m.title) for m in cat.modules]
    form.casuses.choices = [(c.id, c.title) for c in cat.casuses.values()]
    form.team.choices = _team_choices(access)
    if form.validate_on_submit():
        try:
            assignment = assignment_service.create_assignment(
                db_session, cat, current_user.id, slug, title=form.title.data or "",
                module_ids=form.modules.data or [] if form.scope.data == "modules" else [],
                target=form.target.data or "", team_id=int(form.team.data) if form.team.data else None,
                email=form.email.data, due_on=form.due_on.data, min_quiz_percent=form.min_quiz_percent.data,
                casus_ids=form.casuses.data or [], today=_today())
        except DomainError as error:
            _field_error(form, error, "title")
        else:
            flash(_("De opdracht ‘%(title)s’ staat klaar.", title=assignment.title), "success")
            return redirect(url_for("org.assignment", slug=slug, assignment_id=assignment.id))
    return render_template("org/assignment_new.html", organisation=access.organisation, form=form), \
        422 if form.errors else 200


@bp.route("/<slug>/opdrachten/<int:assignment_id>")
@login_required
def assignment(slug: str, assignment_id: int) -> str:
    access = service.org_access(db_session, current_user.id, slug)
    (overview,) = assignment_service.overviews(db_session, catalog(), access, _today(), assignment_id)
    wanted = request.args.get("status")
    rows, paging = _paged([r for r in overview.standings if not wanted or r.standing.status == wanted])
    stricter = assignment_service.requirement(overview.assignment).stricter
    certified = assignment_certificates.certificates_for(db_session, overview.assignment) if stricter else None
    return render_template("org/assignment.html", access=access, organisation=access.organisation, overview=overview,
                           rows=rows, paging=paging, wanted=wanted, Status=AssignmentStatus, labels=STATUS_LABELS,
                           certified=certified,
                           modules={m.id: m.title for m in catalog().modules},
                           casuses={c.id: c.title for c in catalog().casuses.values()},
                           confirm_form=ConfirmForm(formdata=None))


@bp.route("/<slug>/opdrachten/<int:assignment_id>/verwijderen", methods=["POST"])
@login_required
def delete_assignment(slug: str, assignment_id: int) -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    assignment_service.delete_assignment(db_session, current_user.id, slug, assignment_id)
    flash(_("De opdracht is ingetrokken. De voortgang van de leden blijft bewaard."), "success")
    return redirect(url_for("org.assignments", slug=slug))


# --- the completion report ----------------------------------------------------------------------------------

def _report(slug: str) -> tuple[service.OrgAccess, org_report.Report, dict[str, Any]]:
    access = service.org_access(db_session, current_user.id, slug)
    filters = {"team": request.args.get("team", type=int), "opdracht": request.args.get("opdracht", type=int),
               "status": request.args.get("status") or None}
    status = AssignmentStatus(filters["status"]) if filters["status"] in set(AssignmentStatus) else None
    team = filters["team"] if access.team_id is None else None
    result = org_report.completion_report(db_session, catalog(), access, _today(), assignment_id=filters["opdracht"],
                                          team_id=team, status=status)
    return access, result, {k: v for k, v in filters.items() if v}


@bp.route("/<slug>/rapport")
@login_required
def report(slug: str) -> str:
    access, result, filters = _report(slug)
    weeks = result.completed_by_week(_today())
    rows, paging = _paged(list(result.rows))
    return render_template("org/report.html", access=access, organisation=access.organisation, report=result,
                           rows=rows, paging=paging,
                           weeks=weeks, chart_max=max([n for _day, n in weeks] + [1]),
                           filters=filters, teams=service.teams(db_session, access),
                           assignments=assignment_service.assignment_list(db_session, access),
                           Status=AssignmentStatus, labels=STATUS_LABELS,
                           registers=[r.register for r in catalog().course.accreditation.registers])


@bp.route("/<slug>/rapport/meest-gemist")
@login_required
def missed(slug: str) -> str:
    """What the members miss most, on a page of its own: it counts every stored answer and decision of the
    organisation's members (seconds for thousands of them), which the report page should not pay at each
    visit. Kept per organisation and team in this process until their answers change."""
    access = service.org_access(db_session, current_user.id, slug)
    kept = current_app.extensions.setdefault("leerlijn.missed", org_report.MissedCache())
    result = org_report.most_missed(db_session, catalog(), access,
                                    minimum=current_app.config.get("GROUP_MIN_CONTRIBUTORS", 5), cache=kept)
    return render_template("org/missed.html", access=access, organisation=access.organisation, missed=result)


def _export(slug: str, fmt: str) -> Response:
    _access, result, filters = _report(slug)
    security_event(EventKind.ADMIN_ACTION, user_id=None, action="org.export", organisation=slug, format=fmt,
                   rows=len(result.rows), **{f"filter_{k}": v for k, v in filters.items()})
    name = f"voltooiing-{slug}-{_today().isoformat()}.{fmt}"
    if fmt == "csv":
        # Streamed: the first rows leave while the rest are written (the report itself is already complete).
        body: Iterable[str] | bytes = chain(["\ufeff"], org_report.csv_lines(result))
        mimetype = "text/csv"
    else:
        body = org_report.to_xlsx(result)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/<slug>/rapport.csv")
@login_required
def report_csv(slug: str) -> Response:
    return _export(slug, "csv")


@bp.route("/<slug>/rapport.xlsx")
@login_required
def report_xlsx(slug: str) -> Response:
    return _export(slug, "xlsx")


@bp.route("/<slug>/accreditatiepunten.csv")
@login_required
def points_csv(slug: str) -> Response:
    """The accreditation points to award per register (course.services.points_export), for the admin."""
    access = service.admin_access(db_session, current_user.id, slug)
    register = request.args.get("register") or None
    rows = points_export.points_to_award(db_session, access, register)
    security_event(EventKind.ADMIN_ACTION, user_id=None, action="org.points_export", organisation=slug,
                   register=register, rows=len(rows))
    name = f"accreditatiepunten-{slug}{'-' + register.lower() if register else ''}-{_today().isoformat()}.csv"
    return Response("\ufeff" + points_export.to_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/herinneringen", methods=["POST"])
@login_required
def reminder_mail() -> Response:
    """From the account page: turn reminder mails about assignments off (or on again)."""
    form = ReminderMailForm()
    if not form.validate_on_submit() or form.wanted.data not in ("0", "1"):
        abort(400)
    wanted = form.wanted.data == "1"
    reminders.set_reminder_mail(db_session, current_user.id, wanted)
    flash(_("Je krijgt weer herinneringen over opdrachten.") if wanted else
          _("Je krijgt geen herinneringen over opdrachten meer."), "success")
    return redirect(url_for("auth.account", _anchor="organisaties"))


@bp.route("/<slug>/api-sleutels", methods=["GET", "POST"])
@login_required
def api_tokens_page(slug: str) -> Any:
    """The organisation's API tokens; a new one is shown on the page that answers its form, once: never
    through a redirect, which would put it in the (signed, not encrypted) session cookie."""
    access = service.admin_access(db_session, current_user.id, slug)
    form = ApiTokenForm()
    created = None
    if form.validate_on_submit():
        try:
            created = api_tokens.create_token(db_session, current_user.id, slug, name=form.name.data or "",
                                              scopes=form.scopes.data or [], valid_days=form.valid_days.data)
        except DomainError as error:
            _field_error(form, error, "name")
        else:
            form = ApiTokenForm(formdata=None)
    return render_template("org/api_tokens.html", organisation=access.organisation, form=form, created=created,
                           tokens=api_tokens.tokens(db_session, access), scopes=dict(form.scopes.choices or []),
                           now=utcnow(), ending_soon=api_tokens.ending_soon,
                           revoke_form=RevokeApiTokenForm(formdata=None)), 422 if form.errors else 200


@bp.route("/<slug>/api-sleutels/intrekken", methods=["POST"])
@login_required
def revoke_api_token(slug: str) -> Response:
    service.admin_access(db_session, current_user.id, slug)
    form = RevokeApiTokenForm()
    if not form.validate_on_submit():
        abort(400)
    token = api_tokens.revoke_token(db_session, current_user.id, slug, form.token_id.data or 0)
    flash(_("De sleutel %(name)s is ingetrokken. Systemen die hem gebruiken, krijgen geen toegang meer.",
            name=token.name), "success")
    return redirect(url_for("org.api_tokens_page", slug=slug))
