"""Job aid views: the list, one aid as a printable page, and the same aid as PDF."""

from __future__ import annotations

from flask import abort, render_template
from werkzeug.wrappers import Response

from app.acting_user import login_required
from app.content import catalog
from app.jobaids import bp
from app.jobaids.pdf import pdf_of
from course.content.jobaids import JobAid


def _aid_or_404(aid_id: str) -> JobAid:
    aid = catalog().jobaids.get(aid_id)
    if aid is None:
        abort(404)
    return aid


@bp.route("/")
@login_required
def index() -> str:
    aids = sorted(catalog().jobaids.values(), key=lambda a: a.title)
    return render_template("jobaids/index.html", aids=aids)


@bp.route("/<aid_id>")
@login_required
def aid(aid_id: str) -> str:
    job_aid = _aid_or_404(aid_id)
    modules = [m for m in (catalog().module(mid) for mid in job_aid.modules) if m is not None]
    return render_template("jobaids/aid.html", aid=job_aid, modules=modules)


@bp.route("/<aid_id>.pdf")
@login_required
def pdf(aid_id: str) -> Response:
    job_aid = _aid_or_404(aid_id)
    response = Response(pdf_of(job_aid), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{job_aid.id}.pdf"'
    return response
