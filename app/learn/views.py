"""Learning views: they look things up in the catalog and ask the progress service; nothing more."""

from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.acting_user import acting_user, login_required
from app.auth import login_brings
from app.certificates.hooks import issue_after_step
from app.content import catalog
from app.db import db_session, statement_transactions
from app.fragments import public_page
from app.learn import bp
from app.learn.forms import InterventionFilterForm, MarkReadForm
from app.quiz.views import know_embedded_checks
from app.skeletons import learner_page
from app.templating import next_step_for, next_step_url, remember_progress
from course.assignments import local_today
from course.content.model import Module, Page
from course.db import utcnow
from course.services import assignments as assignment_service
from course.services import progress as progress_service


def _module_or_404(module_id: str) -> Module:
    module = catalog().module(module_id)
    if module is None:
        abort(404)
    return module


def _page_or_404(module_id: str, page_id: str) -> tuple[Module, Page]:
    module = _module_or_404(module_id)
    page = module.page(page_id)
    if page is None:
        abort(404)
    return module, page


@bp.route("/")
@statement_transactions
@login_brings(progress_service.PROGRESS_ROWS)
def overview() -> str:
    user = acting_user()
    if not user.is_authenticated:
        return public_page("learn/welcome.html")
    # Only an organisation sets work: most learners belong to none, and the login's query already said so.
    # A member's assignments are judged on the progress the page shows (no queries of their own for it).
    assignments = []
    if user.in_organisation is False:
        progress = progress_service.course_progress(db_session, catalog(), user.id, rows=user.login_rows)
    else:
        progress, moments = progress_service.course_progress_with_moments(db_session, catalog(), user.id,
                                                                          rows=user.login_rows)
        assignments = assignment_service.my_assignments(db_session, catalog(), user.id,
                                                        local_today(utcnow()), progress=(progress, moments))
    remember_progress(course=progress)
    if assignments:  # an organisation member's work set: their own, listed as it is
        return render_template("learn/overview.html", progress=progress, my_assignments=assignments)
    return learner_page("learn/overview.html", (), progress=progress, my_assignments=assignments)


@bp.route("/over-deze-cursus")
def content_note() -> str:
    return public_page("learn/content_note.html")


@bp.route("/modules/<module_id>/")
@statement_transactions
@login_brings(progress_service.PROGRESS_ROWS)
@login_required
def module(module_id: str) -> str:
    module = _module_or_404(module_id)
    user = acting_user()
    progress = progress_service.course_progress(db_session, catalog(), user.id, rows=user.login_rows)
    remember_progress(course=progress)
    module_progress = next(m for m in progress.modules if m.module.id == module.id)
    return learner_page("learn/module.html", (module.id,), module=module, progress=module_progress,
                        read=module_progress.pages_read)


@bp.route("/modules/<module_id>/<page_id>")
@statement_transactions
@login_brings(progress_service.PAGE_STATE_ROWS)
@login_required
def page(module_id: str, page_id: str) -> str:
    module, page = _page_or_404(module_id, page_id)
    user = acting_user()
    user_id = user.id
    # The learner's page rows (brought by the login's statement) serve the visit (written only when it
    # changes something), the table of contents, the header and, on the last page, the next step; on a page
    # with practice questions the same rows bring the answers the learner just checked there.
    if page.has_questions or user.login_rows is not None:
        visits, checks = progress_service.page_state(db_session, user_id, rows=user.login_rows)
        if page.has_questions:
            know_embedded_checks(checks)
    else:
        visits = progress_service.page_visits(db_session, user_id)
    progress_service.record_visit(db_session, user_id, page, visits=visits)
    previous, following = module.neighbours(page)
    if following is None:  # the last page's button names the next step, which needs the whole progress
        course = progress_service.course_progress(db_session, catalog(), user_id, visits=visits)
        remember_progress(course=course)
    else:
        remember_progress(read_pages={(v.module_id, v.page_id) for v in visits if v.read_at is not None})
    pages = module.page_ids  # rows of pages no longer in the module count for nothing
    read = {v.page_id for v in visits if v.module_id == module.id and v.read_at is not None and v.page_id in pages}
    # The mark-read form is plain HTML with the CSRF token (building a WTForms object only to print it cost
    # a tenth of the page); mark_read validates the post with the real form.
    return learner_page("learn/page.html", (module.id, page.id), module=module, page=page, read=read,
                        previous=previous, following=following)


@bp.route("/modules/<module_id>/<page_id>/gelezen", methods=["POST"])
@login_required
def mark_read(module_id: str, page_id: str) -> Response:
    module, page = _page_or_404(module_id, page_id)
    form = MarkReadForm()
    if not form.validate_on_submit():
        abort(400)
    progress_service.record_visit(db_session, current_user.id, page, read=True, catalog=catalog())
    if request.accept_mimetypes.best == "application/json":
        return jsonify(read=True)
    _, following = module.neighbours(page)
    if following is not None:
        return redirect(url_for("learn.page", module_id=module.id, page_id=following.id))
    issue_after_step()
    return redirect(next_step_url(next_step_for(module.id)))  # the knowledge check, a casus or the next module


@bp.route("/voortgang")
@statement_transactions
@login_brings(progress_service.PROGRESS_ROWS)
@login_required
def dashboard() -> str:
    user = acting_user()
    progress = progress_service.course_progress(db_session, catalog(), user.id, rows=user.login_rows)
    remember_progress(course=progress)
    return learner_page("learn/dashboard.html", (), progress=progress)


@bp.route("/interventies")
@statement_transactions
@login_required
def interventions() -> str:
    items = catalog().interventions
    if not request.args:
        # Kept whole: its empty filter form (building one was half the page) only when it is rendered.
        return learner_page("learn/interventions.html", (), for_render=lambda: {"form": _filter_form()},
                            interventions=items, shown=tuple(i.id for i in items))
    form = _filter_form()
    if not form.errors:
        if form.type.data:
            items = tuple(i for i in items if i.type == form.type.data)
        if form.age.data is not None:
            items = tuple(i for i in items if i.suits_age(form.age.data))
    # A filtered guide shows the learner's own choice in its form.
    return render_template("learn/interventions.html", form=form, interventions=items,
                           shown=tuple(i.id for i in items))


def _filter_form() -> InterventionFilterForm:
    """The guide's filter from the query string, validated (its errors are shown in the form)."""
    form = InterventionFilterForm(request.args)
    form.validate()
    return form


@bp.route("/media/<module_id>/<path:relative>")
def media(module_id: str, relative: str) -> Response:
    # Only files the content refers to are served (the catalog lists them), so no path can escape.
    path = catalog().media.get((module_id, relative))
    if path is None:
        abort(404)
    return send_file(path, max_age=3600)
