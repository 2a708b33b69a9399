"""Casus views: the list, a casus's overview (start, resume, restart, history), the run page (one step
at a time, with the feedback on the previous decision and the debrief at the end), and a print view.

Views parse the request, call course.services.casuses and render or redirect. The answer endpoint is
protected by the run token (see app/work_tokens.py) rather than the session's CSRF token, so that text posted
after the login session expired is kept as a draft (mirroring the quiz's attempt token).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app import csrf
from app.acting_user import login_required
from app.casus import bp
from app.casus.forms import StartRunForm
from app.certificates.hooks import issue_after_step
from app.content import catalog
from app.db import db_session
from app.i18n import clock_time
from app.work_tokens import logged_out_reply, make_token, read_token, shown_on_this_page, wants_json
from course.casus.framework import AFWEGINGSVRAGEN, MELDCODE_STEPS
from course.casus.kinds import MAX_TEXT_LENGTH, PlanStep, ReflectionStep
from course.casus.kinds.plan import FIELD_PREFIX
from course.casus.kinds.reflection import ANSWER_FIELD
from course.casus.model import Casus, Step
from course.db import RunStatus, User
from course.errors import DomainError, NotFound
from course.services import casuses as service


def _message(error: DomainError) -> str:
    return _(error.message)


def _casus_or_404(casus_id: str) -> Casus:
    casus = catalog().casuses.get(casus_id)
    if casus is None:
        abort(404)
    return casus


def _posted() -> dict[str, list[str]]:
    return {name: request.form.getlist(name) for name in request.form}


def _run_url(run_id: int, anchor: str = "") -> str:
    return url_for("casus.run", run_id=run_id) + (f"#{anchor}" if anchor else "")


@bp.app_template_filter("casus_template")
def casus_template(step: Step) -> str:
    """The template of a step's form (per kind, see course.casus.kinds)."""
    return service.kind_template(step)


# --- the list and a casus's overview -------------------------------------------------------------------

@bp.route("/")
@login_required
def index() -> str:
    summaries = service.casus_summaries(db_session, current_user.id)
    modules = [(m, catalog().casuses_for_module(m.id)) for m in catalog().modules]
    return render_template("casus/index.html", modules=[(m, c) for m, c in modules if c], summaries=summaries,
                           form=StartRunForm())


@bp.route("/<casus_id>/")
@login_required
def overview(casus_id: str) -> str:
    casus = _casus_or_404(casus_id)
    history = service.run_history(db_session, current_user.id, casus.id)
    current = next((r for r in reversed(history) if not (r.completed or r.stopped)), None)
    return render_template("casus/overview.html", casus=casus, module=catalog().module(casus.module),
                           history=history, current=current, form=StartRunForm())


@bp.route("/<casus_id>/starten", methods=["POST"])
@login_required
def start(casus_id: str) -> Response:
    casus = _casus_or_404(casus_id)
    if not StartRunForm().validate_on_submit():
        abort(400)
    run = service.start_or_resume(db_session, current_user.id, casus)
    return redirect(_run_url(run.id))


@bp.route("/<casus_id>/opnieuw", methods=["POST"])
@login_required
def restart(casus_id: str) -> Response:
    casus = _casus_or_404(casus_id)
    if not StartRunForm().validate_on_submit():
        abort(400)
    run = service.restart(db_session, current_user.id, casus)
    flash(_("Je bent opnieuw begonnen. Je eerdere pogingen staan in je geschiedenis."), "info")
    return redirect(_run_url(run.id))


# --- the run -----------------------------------------------------------------------------------------------

def _view(run_id: int) -> service.RunView:
    try:
        return service.view_run(db_session, current_user.id, run_id, casuses=catalog().casuses,
                                versions=catalog().casus_version)
    except NotFound:
        abort(404)


def _values(view: service.RunView, posted: Mapping[str, list[str]] | None) -> Any:
    """What to put in the step's text fields: what was just posted, else the saved draft."""
    step = view.step
    if posted is not None and isinstance(step, ReflectionStep | PlanStep):
        return service.draft_from_form(step, posted)
    if isinstance(step, ReflectionStep | PlanStep):
        return view.drafts.get(step.id)
    return None


def _run_page(view: service.RunView, *, posted: Mapping[str, list[str]] | None = None,
              error: DomainError | None = None, status: int = 200) -> tuple[str, int]:
    user = current_user._get_current_object()
    token = make_token("casus-run", view.run.id, user.id, user.session_version)
    selected = list(service.kept_choice(view.step, view.drafts))  # kept while the learner was logged out
    if posted is not None:
        selected = posted.get("option", []) + posted.get("item", []) + posted.get("criterion", [])
    return render_template(
        "casus/run.html", view=view, casus=view.casus, module=catalog().module(view.casus.module),
        run_token=token, values=_values(view, posted), selected=selected,
        error=_message(error) if error else None, error_field=error.field if error else None,
        max_length=MAX_TEXT_LENGTH, form=StartRunForm()), status


@bp.route("/run/<int:run_id>")
@login_required
def run(run_id: int) -> tuple[str, int]:
    return _run_page(_view(run_id))


@bp.route("/run/<int:run_id>", methods=["POST"])
@csrf.exempt  # the run token protects this endpoint, and keeps working after the session expired
def answer(run_id: int) -> Response | tuple[Any, int]:
    token = read_token("casus-run", request.form.get("run_token"))
    if token is None:
        abort(400, _("Dit formulier is verlopen of onvolledig. Laad de pagina opnieuw; je opgeslagen "
                     "tekst staat er nog."))
    if token.object_id != run_id:
        abort(404)
    form = _posted()
    step_id = request.form.get("step", "")
    if not current_user.is_authenticated or current_user.id != token.user_id:
        # Logged out meanwhile, or another account logged in in this browser: keep what the token's owner
        # posted (the token proves the page was theirs) and say what happened.
        return _keep_for_token_owner(token.user_id, token.session_version, run_id, step_id, form)
    casuses, versions = catalog().casuses, catalog().casus_version
    draft = request.form.get("action") == "draft"
    try:
        if draft:
            saved_at = service.save_draft_form(db_session, current_user.id, run_id, step_id, form, casuses=casuses,
                                               versions=versions)
        else:
            after = service.submit_step(db_session, current_user.id, run_id, step_id, form, casuses=casuses,
                                        versions=versions, catalog=catalog())
    except NotFound:
        abort(404)
    except service.StepNotCurrent as exc:
        if wants_json():
            return jsonify(error=_message(exc)), 409
        abort(409, _("Deze stap is niet (meer) aan de beurt. Ga verder vanaf de pagina van je casus."))
    except service.InputError as exc:
        if wants_json():
            return jsonify(error=_message(exc)), 422
        return _run_page(_view(run_id), posted=form, error=exc, status=422)
    except DomainError as exc:
        if wants_json():
            return jsonify(error=_message(exc)), 400
        abort(400, _message(exc))
    if draft:
        time = clock_time(saved_at)  # the same digits in every language we have
        if wants_json():
            return jsonify(saved_at=time), 200
        flash(_("Concept opgeslagen om %(time)s.", time=time), "success")
        return redirect(_run_url(run_id, "stap"))
    if after.run.status == RunStatus.COMPLETED:  # the run as the step left it (or as it was, on a repeat)
        issue_after_step()
    return redirect(_run_url(run_id, "feedback"))


def _keep_for_token_owner(user_id: int, session_version: int, run_id: int, step_id: str,
                          form: Mapping[str, list[str]]) -> Response | tuple[Any, int] | tuple[str, int]:
    """The page's owner is not the one logged in (the session expired, or someone else logged in in this
    browser): keep their text as a draft, or their choice ticked for when they come back, never apply it,
    and say what happened. Whoever is logged in stays logged in."""
    user = db_session.get(User, user_id)
    if user is None:
        abort(404)
    login_url = url_for("auth.login", next=_run_url(run_id))
    if user.session_version != session_version:
        return _void_page(form, login_url)
    try:
        kept = service.keep_unsent(db_session, user.id, run_id, step_id, form, casuses=catalog().casuses,
                                   versions=catalog().casus_version)
    except NotFound:
        abort(404)
    if current_user.is_authenticated:
        message = (_("Deze pagina hoort bij een ander account dan het account waarmee je nu bent ingelogd. Wat "
                     "er op de pagina was ingevuld, is bewaard bij het account van de pagina (nog niet "
                     "ingestuurd); log met dat account in om verder te gaan.") if kept else
                   _("Deze pagina hoort bij een ander account dan het account waarmee je nu bent ingelogd. Log "
                     "met dat account in om verder te gaan."))
        if wants_json():
            return jsonify(error=message), 409
        flash(message, "info")
        return redirect(url_for("learn.overview"))
    if kept == "text":
        message = _("Je was uitgelogd. Je tekst is bewaard als concept: log opnieuw in om verder te gaan.")
    elif kept == "choice":
        message = _("Je was uitgelogd. Je keuze is onthouden maar nog niet ingestuurd: log opnieuw in en "
                    "bevestig hem.")
    else:
        message = _("Je was uitgelogd. Log opnieuw in om verder te gaan.")
    return logged_out_reply(message, login_url)


def _void_page(form: Mapping[str, list[str]], login_url: str) -> tuple[Any, int] | tuple[str, int]:
    """The password was changed (or every device logged out) since the page was loaded: its token is void,
    so nothing from it is saved. Say so, and give back the text that was posted so it can be copied."""
    message = _("Je wachtwoord is gewijzigd of je bent op alle apparaten uitgelogd sinds deze pagina werd "
                "geladen. Wat je net verstuurde is daarom niet opgeslagen. Log opnieuw in; je eerder opgeslagen "
                "concepten en keuzes staan er nog.")
    if wants_json():  # the script goes to the login page, which shows the message
        return logged_out_reply(message, login_url, category="error")
    shown_on_this_page(message, category="error")
    texts = [v for name, values in form.items() if name == ANSWER_FIELD or name.startswith(FIELD_PREFIX)
             for v in values if v.strip()]
    return render_template("casus/not_saved.html", message=message, texts=texts, login_url=login_url), 401


@bp.route("/run/<int:run_id>/afdrukken")
@login_required
def print_run(run_id: int) -> str:
    view = _view(run_id)
    return render_template("casus/print.html", view=view, casus=view.casus,
                           module=catalog().module(view.casus.module))

# Globals rather than context: the casus macros are imported without context.
bp.add_app_template_global(MELDCODE_STEPS, "meldcode_steps")
bp.add_app_template_global(AFWEGINGSVRAGEN, "afwegingsvragen")
