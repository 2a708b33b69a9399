"""Certificate views: the learner's certificates and register numbers, the PDF, public verification."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app.acting_user import login_required
from app.certificates import bp
from app.certificates.forms import FindCertificateForm, RegisterNumbersForm
from app.certificates.hooks import flash_issued, issue_certificates
from app.certificates.pdf import LANGUAGES, pdf_of
from app.content import catalog
from app.db import db_session
from app.i18n import domain_message
from app.limits import configured, limiter
from course.db import utcnow
from course.errors import DomainError, NotFound
from course.registers import REGISTERS
from course.services import certificates as service


def _page(form: RegisterNumbersForm | None = None, status: int = 200) -> tuple[str, int]:
    course = catalog().course
    standing = service.standing(db_session, catalog(), current_user.id)
    if form is None:
        numbers = service.register_numbers(db_session, current_user.id)
        form = RegisterNumbersForm(data={rid.lower(): numbers.get(rid, "") for rid in REGISTERS})
    return render_template(
        "certificates/index.html", standing=standing, certificates=service.certificates_of(db_session, current_user.id),
        accreditation=course.accreditation, form=form, registers=REGISTERS, languages=LANGUAGES,
        quizzes=catalog().quizzes, casuses=catalog().casuses, grouped=service.grouped), status


@bp.route("/certificaten/")
@login_required
def index() -> tuple[str, int]:
    # Issued here too, not only after a step: a certificate never waits for the learner's next click.
    flash_issued(*issue_certificates(), where=False)
    return _page()


@bp.route("/certificaten/registernummers", methods=["POST"])
@login_required
def register_numbers() -> Response | tuple[str, int]:
    form = RegisterNumbersForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        service.set_register_numbers(db_session, current_user.id, form.numbers())
    except DomainError as exc:
        db_session.rollback()
        if exc.field and exc.field in form._fields:
            form[exc.field].errors = [*form[exc.field].errors, domain_message(exc)]
        else:
            form.form_errors.append(domain_message(exc))
        return _page(form, 400)
    flash(_("Je registratienummers zijn opgeslagen."), "success")
    return redirect(url_for("certificates.index"))


@bp.route("/certificaten/<int:certificate_id>.pdf")
@login_required
def pdf(certificate_id: int) -> Response:
    try:
        certificate = service.own_certificate(db_session, current_user.id, certificate_id)
    except NotFound:
        abort(404)
    language = request.args.get("taal", "nl")
    if language not in LANGUAGES:
        abort(404)
    response = Response(pdf_of(certificate, language), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="certificaat-{certificate.completed_on}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/verifieren")
@limiter.limit(configured("VERIFY_LIMIT_PER_ADDRESS"))
def find() -> Response | str:
    """A form to type a code from paper; it leads to the code's own page."""
    form = FindCertificateForm(request.args)
    if request.args and form.validate():
        return redirect(url_for("certificates.verify", code=form.code.data.strip()))
    return render_template("certificates/find.html", form=form)


@bp.route("/verifieren/<code>")
@limiter.limit(configured("VERIFY_LIMIT_PER_ADDRESS"))
def verify(code: str) -> tuple[str, int]:
    """Public: name, course, date, validity and accreditation of the certificate with this code, or one
    answer for every code that names none (same status, same page, whatever the code looks like)."""
    result = service.verify(db_session, code[:100], service.local_day(utcnow()))
    return render_template("certificates/verify.html", result=result), 200 if result else 404


@bp.after_request
def _not_indexed(response: Response) -> Response:
    if request.endpoint in ("certificates.verify", "certificates.find"):
        response.headers["X-Robots-Tag"] = "noindex"
        response.headers.setdefault("Cache-Control", "no-store")
    return response

