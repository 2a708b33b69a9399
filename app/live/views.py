"""Participant views: join a live session by its code, answer the current question, follow the trainer.

A participant is known by a random token kept in their browser session (anonymous by default) or, when
logged in, by their account; rejoining keeps their answers. Pages work without JavaScript ("Vernieuwen");
with it, live.js polls the session's version (ETag/304) and refreshes the page when the trainer moves on.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Response, abort, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.content import catalog
from app.db import db_session
from app.live import bp
from app.live.forms import AnswerForm, JoinForm, KeepForm, NameForm
from course.db import LiveParticipant, LiveSession
from course.errors import DomainError
from course.live.items import LiveInputError
from course.live.state import Phase
from course.services import live as service

TOKENS_KEY = "live_tokens"


def _message(error: DomainError) -> str:
    return _(error.message)


def _session_or_404(code: str) -> LiveSession:
    try:
        return service.by_code(db_session, code)
    except DomainError:
        abort(404, _("Er is geen sessie met deze code. Controleer de code op het scherm."))


def _token(code: str, create: bool = False) -> str | None:
    tokens = session.get(TOKENS_KEY, {})
    if code not in tokens and create:
        # Only the few most recent sessions are remembered, so the cookie stays small.
        tokens = dict(list(tokens.items())[-4:])
        tokens[code] = secrets.token_urlsafe(24)
        session[TOKENS_KEY] = tokens
    return tokens.get(code)


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _participant(live: LiveSession) -> LiveParticipant | None:
    return service.find_participant(db_session, live, _token(live.code), _user_id())


@bp.route("", methods=["GET", "POST"])
def join() -> Any:
    """The short URL on the projector: type the code."""
    form = JoinForm()
    if form.validate_on_submit():
        code = "".join(ch for ch in (form.code.data or "").upper() if ch.isalnum())
        try:
            live = service.by_code(db_session, code)
        except DomainError as error:
            form.code.errors.append(_message(error))
        else:
            return redirect(url_for("live.session", code=live.code))
    return render_template("live/join.html", form=form), 200 if not form.errors else 422


@bp.route("/<code>", endpoint="session")
def session_page(code: str) -> Any:
    live = _session_or_404(code)
    participant = _participant(live)
    if participant is None:
        return render_template("live/welcome.html", live=live, form=NameForm(), ended=_ended(live))
    return _participant_page(live, participant)



def _ended(live: LiveSession) -> bool:
    return service.state_of(live).phase == Phase.ENDED


def _participant_page(live: LiveSession, participant: LiveParticipant, *, error: str | None = None,
                      status: int = 200) -> tuple[str, int]:
    item = service.current_item(live)
    mine = service.own_answer(db_session, participant, item.key) if item else None
    state = service.state_of(live)
    return render_template("live/participant.html", live=live, participant=participant, item=item, mine=mine,
                           state=state, form=AnswerForm(formdata=None, item=item.key if item else ""),
                           keep_form=KeepForm(), error=error,
                           finished=service.casus_finished(catalog(), live)), status


@bp.route("/<code>/meedoen", methods=["POST"])
def take_part(code: str) -> Response:
    live = _session_or_404(code)
    form = NameForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.join(db_session, live, _token(live.code, create=True) or "", _user_id(), form.name.data)
    except DomainError as error:
        flash(_message(error), "error")
    return redirect(url_for("live.session", code=live.code))


@bp.route("/<code>/antwoord", methods=["POST"])
def answer(code: str) -> Any:
    live = _session_or_404(code)
    participant = _participant(live)
    if participant is None:
        flash(_("Doe eerst mee met de sessie; daarna kun je antwoorden."), "error")
        return redirect(url_for("live.session", code=live.code))
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        service.answer(db_session, live, participant, form.item.data or "", request.form.getlist("answer"))
    except LiveInputError as error:
        return _participant_page(live, participant, error=_message(error), status=422)
    except service.AnswerRefused as error:
        flash(_message(error), "info")
    except DomainError:
        abort(400, _("Dit antwoord hoort niet bij deze vraag."))
    # Success needs no flash: the page itself now says the answer is in, and what it was.
    return redirect(url_for("live.session", code=live.code))


@bp.route("/<code>/stand")
def state(code: str) -> Response:
    """What a participant's phone polls: the session's version, as an ETag (304 while nothing changed)."""
    live = _session_or_404(code)
    tag = str(live.version)
    response = jsonify({"etag": tag, "phase": service.state_of(live).phase.value})
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-cache, private"
    return response.make_conditional(request)


@bp.route("/<code>/bewaren", methods=["POST"])
@login_required
def keep(code: str) -> Response:
    live = _session_or_404(code)
    participant = _participant(live)
    if participant is None or not KeepForm().validate_on_submit():
        abort(403)
    try:
        run = service.keep_casus(db_session, catalog(), live, participant, current_user.id)
    except DomainError as error:
        flash(_message(error), "error")
        return redirect(url_for("live.session", code=live.code))
    flash(_("De casus staat nu bij je eigen voortgang."), "success")
    return redirect(url_for("casus.run", run_id=run.id))
