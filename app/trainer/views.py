"""Trainer views: groups and live sessions. Views parse input, call course.services.groups and
course.services.live, and render or redirect; the services decide who may do what."""

from __future__ import annotations

import re
from functools import wraps
from typing import Any

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app.acting_user import login_required
from app.content import catalog
from app.db import db_session
from app.qr import qr_svg
from app.trainer import bp
from app.trainer.forms import ConfirmForm, ControlForm, GroupForm, HideAnswerForm, LiveSessionForm, PathForm
from course.casus.debrief import debrief as make_debrief
from course.db import LiveSource, Role
from course.errors import DomainError, NotFound
from course.live import sources
from course.live.items import ItemKind
from course.live.state import Action
from course.services import groups as group_service
from course.services import live as live_service


def trainer_required(view: Any) -> Any:
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user.role not in (Role.TRAINER, Role.SITE_ADMIN):
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def _message(error: DomainError) -> str:
    return _(error.message)


@bp.app_template_filter("decimal")
def decimal(value: float) -> str:
    """A number with the locale's decimal sign (4,5 in Dutch)."""
    return format_decimal(value)


def strip_html(html: str) -> str:
    return Markup(html).striptags()  # noqa: S704 - only read as text, never rendered


@bp.route("/")
@trainer_required
def index() -> str:
    return render_template("trainer/index.html", groups=group_service.trainer_groups(db_session, current_user),
                           sessions=live_service.trainer_sessions(db_session, current_user))


# --- groups -----------------------------------------------------------------------------------------------

@bp.route("/groepen/nieuw", methods=["GET", "POST"])
@trainer_required
def new_group() -> Any:
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = group_service.create_group(db_session, current_user, form.name.data or "", form.starts_on.data,
                                               form.ends_on.data)
        except DomainError as error:
            getattr(form, error.field or "name").errors.append(_message(error))
        else:
            flash(_("De groep is gemaakt. Geef de deelnemers de code of laat de QR-code zien."), "success")
            return redirect(url_for("trainer.group", group_id=group.id))
    return render_template("trainer/group_new.html", form=form), 200 if not form.errors else 422


@bp.route("/groepen/<int:group_id>")
@trainer_required
def group(group_id: int) -> str:
    found = group_service.trainer_group(db_session, current_user, group_id)
    overview = group_service.group_overview(db_session, catalog(), found,
                                            current_app.config.get("GROUP_MIN_CONTRIBUTORS", 5))
    join_url = url_for("groups.join_link", code=found.join_code, _external=True)
    return render_template("trainer/group.html", overview=overview, group=found, join_url=join_url,
                           qr=qr_svg(join_url, _("QR-code om mee te doen met %(name)s", name=found.name)),
                           confirm_form=ConfirmForm())


@bp.route("/groepen/<int:group_id>/sluiten", methods=["POST"])
@trainer_required
def close_group(group_id: int) -> Response:
    if ConfirmForm().validate_on_submit():
        group_service.close_group(db_session, current_user, group_id)
        flash(_("De groep is gesloten: er kan niemand meer bij. Wie al lid is, blijft lid."), "success")
    return redirect(url_for("trainer.group", group_id=group_id))


@bp.route("/groepen/<int:group_id>/leden/<int:user_id>/verwijderen", methods=["POST"])
@trainer_required
def remove_member(group_id: int, user_id: int) -> Response:
    if ConfirmForm().validate_on_submit():
        group_service.remove_member(db_session, current_user, group_id, user_id)
        flash(_("De deelnemer is uit de groep gehaald."), "success")
    return redirect(url_for("trainer.group", group_id=group_id))


@bp.route("/groepen/<int:group_id>/reflecties")
@trainer_required
def reflections(group_id: int) -> str:
    found = group_service.trainer_group(db_session, current_user, group_id)
    return render_template("trainer/reflections.html", group=found,
                           reflections=group_service.shared_reflections(db_session, catalog(), found))


# --- trainer guides -------------------------------------------------------------------------------------

@bp.route("/gids/")
@trainer_required
def guides() -> str:
    cat = catalog()
    return render_template("trainer/guides.html", modules=[m for m in cat.modules if m.id in cat.trainer_guides],
                           guides=cat.trainer_guides)


@bp.route("/gids/<module_id>")
@trainer_required
def guide(module_id: str) -> str:
    cat = catalog()
    found = cat.trainer_guides.get(module_id)
    module = cat.module(module_id)
    if found is None or module is None:
        abort(404)
    titles = {**{f"quiz:{q.id}": q.title for q in cat.quizzes.values()},
              **{f"casus:{c.id}": c.title for c in cat.casuses.values()}}
    return render_template("trainer/guide.html", guide=found, module=module, titles=titles)


# --- live sessions ----------------------------------------------------------------------------------------

def _source_choices() -> list[tuple[str, str]]:
    cat = catalog()
    choices = [("prompts", _("Eigen vragen voor een gesprek (hieronder)"))]
    choices += [(f"quiz:{q.id}", _("Kennischeck: %(title)s", title=q.title)) for q in cat.quizzes.values()
                if sources.quiz_items(q)]
    choices += [(f"casus:{c.id}", _("Casus samen doorlopen: %(title)s", title=c.title))
                for c in cat.casuses.values() if sources.runs_live(c)]
    return choices


@bp.route("/live/nieuw", methods=["GET", "POST"])
@trainer_required
def new_session() -> Any:
    form = LiveSessionForm()
    form.source.choices = _source_choices()
    groups = group_service.trainer_groups(db_session, current_user)
    form.group.choices = [("", _("Geen groep"))] + [(str(g.group.id), g.group.name) for g in groups]
    if request.method == "GET":
        form.group.data = request.args.get("groep", form.group.data)
        form.source.data = request.args.get("bron", form.source.data)
    if form.validate_on_submit():
        kind, _sep, source_id = (form.source.data or "").partition(":")
        group = None
        if form.group.data:
            group = group_service.trainer_group(db_session, current_user, int(form.group.data))
        prompts = [live_service.Prompt(ItemKind(p.kind.data), p.text.data or "",
                                       tuple((p.options.data or "").splitlines()))
                   for p in form.prompts if (p.text.data or "").strip()] if kind == "prompts" else []
        try:
            live = live_service.create_session(
                db_session, catalog(), current_user, source=LiveSource(kind), source_id=source_id or None,
                title=form.title.data or "", prompts=prompts, group=group, ask_names=form.ask_names.data,
                min_results=form.min_results.data or 3)
        except DomainError as error:
            form.source.errors = [*form.source.errors, _message(error)]
        else:
            return redirect(url_for("trainer.console", live_id=live.id))
    return render_template("trainer/live_new.html", form=form), 200 if not form.errors else 422


def _board(live_id: int) -> live_service.Board:
    return live_service.board(db_session, live_service.trainer_session(db_session, current_user, live_id))


def _live_context(board: live_service.Board) -> dict[str, Any]:
    join_url = url_for("live.session", code=board.live.code, _external=True)
    return {"board": board, "join_url": join_url, "short_url": url_for("live.join", _external=True),
            "qr": qr_svg(join_url, _("QR-code om mee te doen met code %(code)s", code=board.live.code)),
            "control": ControlForm(formdata=None, version=board.live.version),
            "path_form": PathForm(formdata=None, version=board.live.version),
            "hide_form": HideAnswerForm(formdata=None), "finished": live_service.casus_finished(catalog(), board.live),
            "Action": Action}


@bp.route("/live/<int:live_id>")
@trainer_required
def console(live_id: int) -> str:
    return render_template("trainer/console.html", **_live_context(_board(live_id)))


@bp.route("/live/<int:live_id>/scherm")
@trainer_required
def presenter(live_id: int) -> str:
    return render_template("trainer/presenter.html", **_live_context(_board(live_id)))


@bp.route("/live/<int:live_id>/stand")
@trainer_required
def board_state(live_id: int) -> Response:
    """What the presenter and console poll: a tag that changes when anything they show changes."""
    board = _board(live_id)
    response = jsonify({"etag": board.etag})
    response.set_etag(board.etag)
    response.headers["Cache-Control"] = "no-cache, private"
    return response.make_conditional(request)


def _back(live_id: int) -> Response:
    target = "trainer.presenter" if request.form.get("view") == "scherm" else "trainer.console"
    return redirect(url_for(target, live_id=live_id))


@bp.route("/live/<int:live_id>/bediening", methods=["POST"])
@trainer_required
def control(live_id: int) -> Response:
    form = ControlForm()
    if not form.validate_on_submit() or form.action.data not in {a.value for a in Action}:
        abort(400)
    return _console_action(live_id, lambda: live_service.control(
        db_session, catalog(), current_user, live_id, Action(form.action.data), form.version.data or 0))


@bp.route("/live/<int:live_id>/pad", methods=["POST"])
@trainer_required
def take_path(live_id: int) -> Response:
    form = PathForm()
    if not form.validate_on_submit():
        abort(400)
    chosen = [v for v in request.form.getlist("chosen") if v]
    return _console_action(live_id, lambda: live_service.take_path(
        db_session, catalog(), current_user, live_id, chosen, form.version.data or 0))


def _console_action(live_id: int, act: Any) -> Response:
    """Run a console action; a refusal becomes a message on the page the trainer came from."""
    try:
        act()
    except NotFound:
        raise  # someone else's session answers like a missing one: the 404 page
    except live_service.StaleConsole as error:
        flash(_message(error), "info")
    except DomainError as error:
        flash(_message(error), "error")
    return _back(live_id)


@bp.route("/live/<int:live_id>/antwoorden", methods=["POST"])
@trainer_required
def moderate(live_id: int) -> Response:
    form = HideAnswerForm()
    if not form.validate_on_submit():
        abort(400)
    live_service.set_hidden(db_session, current_user, live_id, form.answer_id.data or 0, form.hidden.data == "1")
    return _back(live_id)


@bp.route("/live/<int:live_id>/samenvatting")
@trainer_required
def summary(live_id: int) -> str:
    live = live_service.trainer_session(db_session, current_user, live_id)
    cat = catalog()
    path = live_service.group_path(cat, live)
    debrief = None
    if path is not None and live_service.casus_finished(cat, live):
        debrief = make_debrief(cat.casuses[live.source_id or ""], path)
    return render_template("trainer/summary.html", live=live, rows=live_service.summary(db_session, live),
                           debrief=debrief)


@bp.route("/live/<int:live_id>/uitslagen.csv")
@trainer_required
def export(live_id: int) -> Response:
    live = live_service.trainer_session(db_session, current_user, live_id)
    body = live_service.summary_csv(db_session, live, strip_html)
    filename = re.sub(r"[^A-Za-z0-9-]+", "-", live.title).strip("-")[:40] or "sessie"
    return Response("\ufeff" + body, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="live-{filename}.csv"'})
