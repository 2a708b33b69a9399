"""Quiz views: overview, attempt (save as you go, check, submit), review, and embedded questions.

Views parse the request, call course.services.quizzes and render or redirect. Answer endpoints are
protected by the attempt token (see app/work_tokens.py) rather than the session's CSRF token, so that answers
posted after the login session expired are still kept.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Hashable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy.orm import Session
from werkzeug.wrappers import Request, Response

from app import csrf
from app.acting_user import acting_user, login_required
from app.auth import carried_work, login_brings, login_carries
from app.auth.views import safe_next
from app.certificates.hooks import issue_after_step
from app.content import catalog
from app.db import db_session, lock_at_first_write, statement_transactions
from app.i18n import clock_time
from app.quiz import bp
from app.quiz.forms import EmbeddedQuestionForm, StartAttemptForm
from app.request_objects import the_app, the_globals, the_request
from app.skeletons import SkeletonCache, hole_function, hole_marker, kept, learner_page, recording, state_hole
from app.templating import next_step_for
from app.work_tokens import logged_out_reply, make_token, read_token, wants_json
from course.content.model import Module
from course.db import User
from course.errors import DomainError, NotFound
from course.quiz import AnswerError, MalformedAnswer, OpaqueValues, QuestionType, Quiz, display_order, field_name
from course.quiz.answers import split_form
from course.quiz.types.entry import format_number
from course.services import quizzes as service


def _message(error: DomainError) -> str:
    """The translated text of a domain error (course/ keeps the Dutch source and its parameters)."""
    if isinstance(error, AnswerError):
        return _(error.template, **error.params)  # type: ignore[arg-type]
    return _(error.message)


def _quiz_or_404(quiz_id: str) -> Quiz:
    quiz = catalog().quizzes.get(quiz_id)
    if quiz is None:
        abort(404)
    return quiz


def _answer_form() -> dict[str, list[str]]:
    return request.form.to_dict(flat=False)


@bp.app_context_processor
def quiz_template_helpers() -> dict[str, Any]:
    return {"answer_field": field_name, "in_order": _in_order, "format_number": format_number}


def _in_order(elements: Sequence[Any], order: Sequence[str]) -> list[Any]:
    """Options or items (each with an ``id``) in the order given by ``order``; others keep theirs, last."""
    position = {item_id: n for n, item_id in enumerate(order)}
    return sorted(elements, key=lambda e: position.get(e.id, len(position)))


# --- overview and start -------------------------------------------------------------------------------

@bp.route("/<quiz_id>/")
@statement_transactions
@login_brings(service.ATTEMPT_HISTORY_ROWS, lambda address: {"quiz_id": address["quiz_id"]})
@login_required
def overview(quiz_id: str) -> str:
    quiz = _quiz_or_404(quiz_id)
    user = acting_user()
    history = service.attempt_history(db_session, user.id, quiz.id, rows=user.login_rows)
    submitted = [a for a in history if a.submitted]
    current = next((a for a in history if not a.submitted), None)
    result = service.result_of(history)  # from the attempts just loaded: no query of its own
    # Kept whole, with and without the table of attempts; the learner's result and attempts are holes.
    return learner_page("quiz/overview.html", (quiz.id, bool(history)), quiz=quiz,
                        module=catalog().module(quiz.module), history=history, submitted=submitted,
                        current=current, result=result,
                        left=service.attempts_left(quiz, len(submitted)))  # its forms: plain HTML, checked in start


@state_hole("quiz-status", "quiz/_overview_status.html")
def _quiz_status(values: Mapping[str, Any], quiz_id: str) -> dict[str, Hashable]:
    result, current = values["result"], values["current"]
    passed = bool(result and result.passed)
    return {"quiz_id": quiz_id, "has_result": result is not None, "passed": passed,
            "counted_score": result.counted_score if result else None,
            "best_score": result.best_score if result else None, "current": current.number if current else None,
            "left": values["left"], "submitted": bool(values["submitted"]),
            "step": next_step_for(catalog().quizzes[quiz_id].module) if passed and not current else None}


@hole_function("quiz-history-rows")
def _quiz_history_rows(values: Mapping[str, Any]) -> Markup:
    """The learner's attempts, latest first: each row kept (one learner's, apart) until it changes."""
    return Markup("\n").join(
        Markup(kept("quiz-history-row", "quiz/_history_row.html", {  # noqa: S704 - a row Jinja rendered
            "attempt_id": a.id, "number": a.number, "submitted": a.submitted, "passed": bool(a.passed),
            "score": a.score, "when": a.submitted_at or a.started_at}, values, personal=True))
        for a in reversed(values["history"]))


@bp.route("/<quiz_id>/starten", methods=["POST"])
@login_required
def start(quiz_id: str) -> Response:
    quiz = _quiz_or_404(quiz_id)
    if not StartAttemptForm().validate_on_submit():
        abort(400)
    try:
        attempt = service.start_attempt(db_session, current_user.id, quiz)
    except service.NoAttemptsLeft as exc:
        flash(_message(exc), "error")
        return redirect(url_for("quiz.overview", quiz_id=quiz.id))
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id))


# --- the attempt ----------------------------------------------------------------------------------------

def _attempt_page(view: service.AttemptView, *, posted: Mapping[str, list[str]] | None = None,
                  errors: Mapping[str, str] | None = None, form_errors: list[str] | None = None,
                  status: int = 200) -> tuple[str, int]:
    """Render the attempt with saved answers, overlaid by what was just posted for questions in error."""
    values = {qid: raw for qid, raw in view.answers.items()}
    decoded = split_form(view.paper.decode_form(posted)) if posted else {}
    for qid in errors or {}:
        if qid in decoded:
            values[qid] = decoded[qid]
    paper = view.paper
    position = None
    if paper.feedback == "after_question":
        wanted = request.args.get("vraag", type=int)
        first_open = next((n for n, pq in enumerate(paper.questions, 1) if pq.question.id not in view.checked),
                          len(paper.questions) + 1)
        position = wanted if wanted and 1 <= wanted <= len(paper.questions) else first_open
    user = acting_user()
    token = make_token("quiz-attempt", view.attempt.id, user.id, user.session_version)
    drafts = {qid: _message(e) for qid, e in view.incomplete.items()}
    return render_template("quiz/attempt.html", view=view, paper=paper, values=values, errors=errors or {},
                           drafts=drafts,
                           form_errors=form_errors or [], position=position, attempt_token=token,
                           module=catalog().module(catalog().quizzes[paper.quiz_id].module)
                           if paper.quiz_id in catalog().quizzes else None), status


@bp.route("/poging/<int:attempt_id>")
@login_required
def attempt(attempt_id: int) -> str | Response | tuple[str, int]:
    view = service.view_attempt(db_session, current_user.id, attempt_id)
    if view.attempt.submitted:
        return redirect(url_for("quiz.review", attempt_id=view.attempt.id))
    return _attempt_page(view)


def _carry_autosave(session: Session, this_request: Request) -> service.CarriedSave | None:
    """An autosave for the login's statement to carry (login_carries): on the strength of the page's attempt
    token, as its owner's save when they are no longer the one logged in (below)."""
    posted = this_request.form
    if posted.get("action", "save") != "save":
        return None
    token = read_token("quiz-attempt", posted.get("attempt_token"))
    if token is None or token.object_id != (this_request.view_args or {}).get("attempt_id"):
        return None
    return service.carry_save(session, token.user_id, token.session_version, token.object_id,
                              posted.to_dict(flat=False))


@bp.route("/poging/<int:attempt_id>", methods=["POST"])
@csrf.exempt  # the attempt token protects this endpoint, and keeps working after the session expired
# A save's first write locks the attempt and checks that it is still open (service.save_answers); checking an
# answer or handing in reads the attempt first, so those take the lock from the start.
@lock_at_first_write(lambda: request.form.get("action", "save") == "save")
@login_carries(_carry_autosave)
def answer(attempt_id: int) -> Response | tuple[Any, int] | tuple[str, int]:
    posted = the_request().form
    token = read_token("quiz-attempt", posted.get("attempt_token"))
    if token is None:
        abort(400, _("Dit formulier is verlopen of onvolledig. Laad de pagina opnieuw; je opgeslagen "
                     "antwoorden staan er nog."))
    if token.object_id != attempt_id:
        abort(404)
    form = posted.to_dict(flat=False)
    action = posted.get("action", "save")
    user = acting_user()
    if not user.is_authenticated or user.id != token.user_id:
        # Logged out meanwhile, or another account logged in in this browser: keep what the token's owner
        # typed (the token proves the page was theirs) and say what happened.
        return _keep_answers_for_token_owner(token.user_id, token.session_version, attempt_id, form, action)
    try:
        if action == "submit":
            service.submit_attempt(db_session, user.id, attempt_id, form, catalog=catalog())
            issue_after_step()
            return redirect(url_for("quiz.review", attempt_id=attempt_id))
        carried = carried_work()
        # The session itself, not its proxy: a save asks it a dozen things.
        result = ((carried is not None and service.carried_result(carried, user))
                  or service.save_answers(db_session._get_current_object(), user.id, attempt_id, form))  # type: ignore[attr-defined]
        if action == "check":
            return _check(attempt_id, request.form.get("question", ""), result)
    except MalformedAnswer as exc:
        abort(400, _message(exc))
    except service.AttemptClosed as exc:
        if wants_json():
            return jsonify(error=_message(exc)), 409
        flash(_message(exc), "info")
        return redirect(url_for("quiz.review", attempt_id=attempt_id))
    except service.IncompleteAttempt as exc:
        view = service.view_attempt(db_session, user.id, attempt_id)
        errors = {qid: _("Deze vraag is nog niet beantwoord.") for qid in exc.question_ids}
        errors.update({qid: _message(e) for qid, e in exc.errors.items()})
        return _attempt_page(view, posted=form, errors=errors, status=422, form_errors=[
            _("Je kunt pas inleveren als alle vragen beantwoord zijn. Open vragen: %(n)s.",
              n=len(exc.question_ids) + len(exc.errors))])
    except NotFound:
        abort(404)
    except DomainError as exc:
        abort(409, _message(exc))
    return _after_save(attempt_id, form, result)


def _after_save(attempt_id: int, form: Mapping[str, list[str]], result: service.SaveResult
                ) -> Response | tuple[Any, int] | tuple[str, int]:
    # Hours and minutes read the same in every language we have: no locale to look up for them.
    saved_time = clock_time(result.saved_at) if result.saved_at else None
    if wants_json():
        # A question with a correctable error was kept as a draft: saved, with what is still to do.
        return jsonify(saved=list(result.saved), saved_at=saved_time,
                       incomplete={qid: _message(e) for qid, e in result.errors.items()})
    if result.saved:
        flash(_("Opgeslagen om %(time)s.", time=saved_time), "success")
    return redirect(url_for("quiz.attempt", attempt_id=attempt_id, vraag=request.args.get("vraag")))


def _check(attempt_id: int, question_id: str, result: service.SaveResult) -> Response | tuple[str, int]:
    view = service.view_attempt(db_session, current_user.id, attempt_id)
    number = next((n for n, pq in enumerate(view.paper.questions, 1) if pq.question.id == question_id), None)
    if number is None:
        abort(404)
    if question_id in result.errors:
        return _attempt_page(view, posted=_answer_form(),
                             errors={question_id: _message(result.errors[question_id])}, status=422)
    try:
        service.check_question(db_session, current_user.id, attempt_id, question_id)
    except AnswerError as exc:
        return _attempt_page(view, errors={question_id: _message(exc)}, status=422)
    return redirect(url_for("quiz.attempt", attempt_id=attempt_id, vraag=number) + f"#vraag-{question_id}")


def _keep_answers_for_token_owner(user_id: int, session_version: int, attempt_id: int,
                                  form: Mapping[str, list[str]], action: str) -> Response | tuple[Any, int]:
    """The page's owner is not the one logged in (the session expired, or someone else logged in in this
    browser): save the answers for the owner, never hand in, and say what happened."""
    user = db_session.get(User, user_id)
    login_url = url_for("auth.login", next=url_for("quiz.attempt", attempt_id=attempt_id))
    if user is None:
        abort(404)
    if user.session_version != session_version:
        # The password was changed (or every device logged out) since this page was loaded: the page's
        # token is void, so nothing from it is saved.
        message = _("Je wachtwoord is gewijzigd of je bent op alle apparaten uitgelogd sinds deze pagina werd "
                    "geladen. Dit antwoord is niet opgeslagen: log opnieuw in en laad de pagina opnieuw; je "
                    "eerder opgeslagen antwoorden staan er nog.")
        return logged_out_reply(message, login_url, category="error")
    try:
        service.save_answers(db_session, user.id, attempt_id, form)
    except MalformedAnswer as exc:
        abort(400, _message(exc))
    except service.AttemptClosed:
        pass  # submitted in another tab: nothing to keep
    except NotFound:
        abort(404)
    except DomainError as exc:
        abort(409, _message(exc))
    if current_user.is_authenticated:  # someone else is logged in in this browser: they stay logged in
        message = _("Deze pagina hoort bij een ander account dan het account waarmee je nu bent ingelogd. De "
                    "antwoorden zijn bewaard bij het account van deze pagina; log met dat account in om verder "
                    "te gaan.")
        if wants_json():
            return jsonify(error=message), 409
        flash(message, "info")
        return redirect(url_for("learn.overview"))
    if action == "submit":
        message = _("Je was uitgelogd. Je poging is NIET ingeleverd, maar je antwoorden zijn bewaard. Log "
                    "opnieuw in en lever dan in.")
    else:
        message = _("Je was uitgelogd. Je antwoorden zijn bewaard: log opnieuw in om verder te gaan.")
    return logged_out_reply(message, login_url)


@bp.route("/poging/<int:attempt_id>/resultaat")
@login_required
def review(attempt_id: int) -> str | Response:
    try:
        result = service.review_attempt(db_session, current_user.id, attempt_id)
    except NotFound:
        abort(404)
    except DomainError:
        return redirect(url_for("quiz.attempt", attempt_id=attempt_id))
    quiz = catalog().quizzes.get(result.paper.quiz_id)
    module = catalog().module(quiz.module) if quiz else None
    return render_template("quiz/review.html", review=result, paper=result.paper, quiz=quiz, module=module,
                           onwards=_onwards(module))


def _onwards(module: Module | None) -> tuple[str, str] | None:
    """Where a learner goes after a knowledge check: the module's casus, else the next module."""
    if module is None:
        return None
    casuses = catalog().casuses_for_module(module.id)
    if casuses:
        return _("Verder met de casus: %(title)s", title=casuses[0].title), url_for("casus.overview",
                                                                               casus_id=casuses[0].id)
    modules = list(catalog().modules)
    following = modules[modules.index(module) + 1] if modules.index(module) + 1 < len(modules) else None
    if following is not None:
        return _("Verder met de volgende module: %(title)s", title=following.title), url_for(
            "learn.module", module_id=following.id)
    return _("Naar je voortgang"), url_for("learn.dashboard")


# --- questions embedded in module pages -------------------------------------------------------------------

@bp.route("/vraag/<quiz_id>/<question_id>", methods=["POST"])
@login_required
def check_embedded(quiz_id: str, question_id: str) -> Response:
    question = catalog().practice_question(quiz_id, question_id)
    form = EmbeddedQuestionForm()
    if question is None:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    raw = split_form(_embedded_opaque().decode_form([question], _answer_form())).get(question_id, {})
    try:
        question.parse_answer(raw)
    except MalformedAnswer as exc:
        abort(400, _message(exc))
    except AnswerError:
        pass  # correctable: the page says what is wrong (see _embedded_state)
    # Shown once, on the page the learner returns to (see _embedded_state). In the database, not the
    # session cookie: a long answer made the cookie larger than browsers keep.
    service.keep_embedded_check(db_session, current_user.id, quiz_id, question_id, raw)
    return redirect(safe_next(form.next.data) + f"#vraag-{quiz_id}-{question_id}")


def _embedded_opaque() -> OpaqueValues:
    """The opaque values of the learner's embedded questions: a key per learner, derived from the secret."""
    user = acting_user()
    secret = the_app().config["SECRET_KEY"]
    return OpaqueValues(_embedded_key(secret, user.id if user.is_authenticated else 0))


@lru_cache(maxsize=4096)
def _embedded_key(secret: str, user_id: int) -> str:
    return hmac.new(secret.encode(), f"embedded:{user_id}".encode(), hashlib.sha256).hexdigest()


def know_embedded_checks(checks: dict[tuple[str, str], dict[str, list[str]]]) -> None:
    """The learner's kept checks (``quizzes.embedded_checks``), when the page's view loaded them in its own
    query (``progress.page_state``): the embedded questions then ask for nothing more."""
    the_globals().leerlijn_embedded_checks = checks


@hole_function("embedded-question")
def embedded_question(values: Mapping[str, Any], quiz_id: str, question_id: str) -> str:
    """A practice question in a module page, for this learner.

    Kept whole per display order (the learner's, one of few) and language, its opaque values holes (each
    learner's own); with the feedback of a check just made it is rendered as it is (one page view per check).
    """
    question = catalog().practice_question(quiz_id, question_id)
    if question is None:
        return ""
    state = _embedded_state(quiz_id, question)

    def render() -> str:
        shown = state if recording() is None else {**state, "opaque": _OpaqueHoles()}
        return render_template("quiz/_embedded_question.html", quiz_id=quiz_id, question=question, state=shown)
    if state["raw"] or state["grade"] or state["error"]:
        return render()
    skeletons: SkeletonCache = the_app().extensions["leerlijn.skeletons"]
    this_request = the_request()
    return skeletons.page(("embedded-question", quiz_id, question_id, state["order"], values["current_locale"],
                           this_request.script_root, this_request.path), render, state)


class _OpaqueHoles:
    """Stands in for the learner's OpaqueValues while a question's skeleton is recorded: every value a hole."""

    def field(self, question_id: str, item_id: str = "") -> Markup:
        return hole_marker("opaque-field", question_id, item_id)

    def value(self, question_id: str, plain: str) -> Markup:
        return hole_marker("opaque-value", question_id, plain)


@hole_function("opaque-field")
def _opaque_field(state: Mapping[str, Any], question_id: str, item_id: str) -> str:
    return escape(state["opaque"].field(question_id, item_id))


@hole_function("opaque-value")
def _opaque_value(state: Mapping[str, Any], question_id: str, plain: str) -> str:
    # Sixteen hex digits (course.quiz.opaque): nothing to escape. Escaping each option's value was a
    # twentieth of a module page with a practice question.
    return state["opaque"].value(question_id, plain)


def _embedded_state(quiz_id: str, question: QuestionType) -> dict[str, Any]:
    """The display order, and the feedback of a check just made; worked out once per request and question
    (showing the feedback removes the check, and a page is rendered twice when tests verify its skeleton)."""
    known = the_globals().setdefault("leerlijn_embedded_states", {})
    state = known.get((quiz_id, question.id))
    if state is None:
        state = known[quiz_id, question.id] = _new_embedded_state(quiz_id, question)
    return state


def _new_embedded_state(quiz_id: str, question: QuestionType) -> dict[str, Any]:
    opaque = _embedded_opaque()
    # Shuffled per learner (the same on every visit), so the first option is not always the right one.
    state: dict[str, Any] = {"order": display_order(question, opaque.key, shuffle=True), "raw": {},
                             "grade": None, "error": None, "opaque": opaque}
    checked = None
    user = acting_user()
    if user.is_authenticated:
        # One query for every embedded question of the page (the learner's kept checks, usually none);
        # a check is removed only when its feedback is shown.
        context_globals = the_globals()
        checks = context_globals.get("leerlijn_embedded_checks")
        if checks is None:
            checks = context_globals.leerlijn_embedded_checks = service.embedded_checks(db_session, user.id)
        checked = checks.get((quiz_id, question.id))
        if checked is not None:
            service.discard_embedded_check(db_session, user.id, quiz_id, question.id)
    if checked is not None:
        state["raw"] = checked
        try:
            answer = question.parse_answer(checked)
            if answer is None:
                state["error"] = _("Kies of vul eerst een antwoord in.")
            else:
                state["grade"] = question.grade(answer)
        except MalformedAnswer:  # the quiz changed between the check and this page: just ask again
            state["raw"] = {}
        except AnswerError as exc:
            state["error"] = _message(exc)
    return state
