"""The certificate as PDF, made with WeasyPrint from an HTML template (as the job aids are).

Everything on it comes from the certificate's own snapshot, so the PDF of an old certificate stays what it
was when the course changes. WeasyPrint fetches nothing: the stylesheet is a file and the QR code inline SVG.
"""

from __future__ import annotations

from pathlib import Path

from flask import render_template, url_for
from flask_babel import force_locale

from app.i18n import formatting_locale
from app.qr import qr_svg
from course.certification import hours
from course.db import Certificate
from course.registers import REGISTERS
from course.services.certificates import grouped

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "certificate.css"
LANGUAGES = ("nl", "en")


def _no_fetching(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise ValueError(f"a certificate refers to nothing outside itself: {url}")


def verification_url(certificate: Certificate) -> str:
    return url_for("certificates.verify", code=certificate.code, _external=True)


def pdf_of(certificate: Certificate, language: str) -> bytes:
    """The certificate as a one-page A4 PDF in ``language`` ('nl' or 'en')."""
    from weasyprint import CSS, HTML  # imported late: it loads Pango, which the rest never needs

    with force_locale(formatting_locale(language)):
        url = verification_url(certificate)
        html = render_template("certificates/document.html", certificate=certificate, language=language,
                               hours=hours(certificate.study_minutes), code=grouped(certificate.code), url=url,
                               qr=qr_svg(url, "QR"), registers=REGISTERS)
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
