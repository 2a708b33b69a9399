"""Participant views: join a live session by its code, answer the current question, follow the trainer.

A participant is known by a random token kept in their browser session (anonymous by default) or, when
logged in, by their account; rejoining keeps their answers. Pages work without JavaScript ("Vernieuwen");
with it, live.js polls the session's version (ETag/304) and refreshes the page when the trainer moves on.

A whole group does all of this in the same few seconds, so the phone's requests are kept small: a page of
its own without the site's navigation, one query for the session, the participant and their answers, and
with JavaScript only the changing part of the page (the answer posted with fetch gets that part back
instead of a redirect and a second page load).
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import Response, abort, flash, jsonify, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.acting_user import login_required
from app.content import catalog
from app.db import db_session
from app.live import bp
from app.live.forms import JoinForm, KeepForm, NameForm
from course.db import LiveParticipant, LiveSession
from course.errors import DomainError
from course.live.items import LiveInputError
from course.live.state import Phase
from course.services import live as service
from course.services.groups import normalise_code

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


def _fetched() -> bool:
    """A request from live.js, which swaps in the live region itself: it needs only that part."""
    return request.headers.get("X-Requested-With") == "fetch"


def _view(code: str, *, to_answer: bool = False) -> service.ParticipantView:
    token = _token(normalise_code(code)[:service.CODE_LENGTH])
    try:
        return service.participant_view(db_session, code, token, _user_id(), to_answer=to_answer)
    except DomainError:
        abort(404, _("Er is geen sessie met deze code. Controleer de code op het scherm."))


@bp.route("/<code>", endpoint="session")
def session_page(code: str) -> Any:
    view = _view(code)
    if view.participant is None:
        return render_template("live/welcome.html", live=view.live, form=NameForm(), ended=_ended(view.live))
    return _participant_page(view)


def _ended(live: LiveSession) -> bool:
    return service.state_of(live).phase == Phase.ENDED


def _participant_page(view: service.ParticipantView, *, error: str | None = None, notice: str | None = None,
                      status: int = 200) -> Any:
    item, state = view.item, view.state
    # Only a finished live casus can be kept, and only with an account: the casus is not read otherwise.
    finished = (state.phase == Phase.ENDED and current_user.is_authenticated
                and service.casus_finished(catalog(), view.live))
    # The whole page, or (for live.js) only the live region it swaps in.
    template = "live/_region.html" if _fetched() else "live/participant.html"
    response = make_response(render_template(template, live=view.live, participant=view.participant, item=item,
                                             mine=view.mine, state=state, error=error, notice=notice,
                                             finished=finished), status)
    response.vary.add("X-Requested-With")
    return response


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
    # CSRFProtect has checked the token before the view; the item is all the form holds besides the answer.
    # Read before the database: on SQLite the write lock is held from the first query to the commit.
    item_key = request.form.get("item", "").strip()
    view = _view(code, to_answer=True)
    if view.participant is None:
        flash(_("Doe eerst mee met de sessie; daarna kun je antwoorden."), "error")
        return redirect(url_for("live.session", code=view.live.code))
    if not item_key:
        abort(400)
    try:
        stored = service.answer(db_session, view.live, view.participant, item_key, request.form.getlist("answer"),
                                answered=view.answers)
    except LiveInputError as error:
        db_session.commit()  # nothing written: end the transaction (and SQLite's lock) before rendering
        return _participant_page(view, error=_message(error), status=422)
    except service.AnswerRefused as error:
        if not _fetched():
            flash(_message(error), "info")
            return redirect(url_for("live.session", code=view.live.code))
        # The part live.js swaps in says why, and shows the answer that counts (a double tap's first one).
        answers = dict(view.answers)
        item = view.item
        if item is not None and item.key not in answers:
            mine = service.own_answer(db_session, view.participant, item.key)
            if mine is not None:
                answers[item.key] = mine
        db_session.commit()
        return _participant_page(service.ParticipantView(view.live, view.participant, answers),
                                 notice=_message(error), status=409)
    except DomainError:
        abort(400, _("Dit antwoord hoort niet bij deze vraag."))
    if not _fetched():
        # Success needs no flash: the page itself now says the answer is in, and what it was.
        return redirect(url_for("live.session", code=view.live.code))
    # live.js gets the confirmation at once, instead of a redirect and a second page load.
    answers = {**view.answers, stored.item_key: stored.value}
    return _participant_page(service.ParticipantView(view.live, view.participant, answers))


@bp.route("/<code>/stand")
def state(code: str) -> Response:
    """What a participant's phone polls: the session's version, as an ETag (304 while nothing changed)."""
    try:
        version, phase = service.poll_state(db_session, code)
    except DomainError:
        abort(404, _("Er is geen sessie met deze code. Controleer de code op het scherm."))
    tag = str(version)
    response = jsonify({"etag": tag, "phase": phase.value})
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
