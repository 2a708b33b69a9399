"""PDF versions of job aids, made with WeasyPrint from the same HTML as the printable page.

A job aid never changes while the app runs (content is loaded once), so each PDF is made once, on first
request, and kept in memory. WeasyPrint reads no URL: the stylesheet is passed as a file and the HTML has
no external references, so making a PDF never calls back into the app or onto the network.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import current_app, render_template

from course.content.jobaids import JobAid

STYLESHEET = Path(__file__).resolve().parent.parent / "static" / "css" / "jobaid.css"
_lock = threading.Lock()


def _no_fetching(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    raise ValueError(f"job aids refer to nothing outside themselves: {url}")


def pdf_of(aid: JobAid) -> bytes:
    """The PDF of ``aid`` (made once per app, then served from memory)."""
    cache: dict[str, bytes] = current_app.extensions.setdefault("leerlijn.jobaid_pdfs", {})
    if aid.id not in cache:
        with _lock:
            if aid.id not in cache:
                from weasyprint import CSS, HTML  # imported late: it loads Pango, which the rest never needs

                html = render_template("jobaids/document.html", aid=aid)
                cache[aid.id] = HTML(string=html, url_fetcher=_no_fetching).write_pdf(
                    stylesheets=[CSS(filename=str(STYLESHEET))])
    return cache[aid.id]
