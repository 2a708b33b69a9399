"""What every template can use: forms in the page header, the catalog, formatting helpers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask import Flask, g, request
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale
from markupsafe import Markup

from app.auth.devices import device_name
from app.auth.forms import KeepaliveForm, LanguageForm, LogoutForm
from app.content import catalog
from app.db import db_session
from app.i18n import LANGUAGE_NAMES
from course.services import progress as progress_service

CONTENT_LANGUAGE = "nl"  # course content stays Dutch (issue 6); only the interface is translated
CONTENT_LANG_ATTRIBUTE = Markup(' lang="nl"')


@dataclass(frozen=True)
class HeaderProgress:
    """What the page header says of the learner's progress: pages read of the whole course."""

    read: int
    total: int


def remember_progress(*, course: Any = None, read_pages: set[tuple[str, str]] | None = None) -> None:
    """Let the header reuse what a view already loaded (a CourseProgress, or every page the learner read)."""
    if course is not None:
        g.leerlijn_header_progress = HeaderProgress(sum(len(m.pages_read) for m in course.modules),
                                                    len(catalog().pages))
    elif read_pages is not None:
        g.leerlijn_header_progress = _count(read_pages)


def _count(read_pages: set[tuple[str, str]]) -> HeaderProgress:
    pages = {(p.module_id, p.id) for p in catalog().pages}
    return HeaderProgress(len(read_pages & pages), len(pages))


def header_progress() -> HeaderProgress | None:
    """The header's progress: what the view already loaded, else one query; None for visitors."""
    from flask_login import current_user
    if not current_user.is_authenticated:
        return None
    if "leerlijn_header_progress" not in g:
        g.leerlijn_header_progress = _count(progress_service.read_pages(db_session, current_user.id))
    return g.leerlijn_header_progress


def whole_percent(value: float | None) -> str:
    """A score (0..1) as a whole percentage, rounded down; "–" for None.

    Rounded down so that a score never reads as the pass mark it misses: 69.5 % shows as 69 %, not 70 %.
    (The rounding to 9 places first absorbs float noise: 0.57 * 100 is 56.99999999999999.)
    """
    if value is None:
        return "–"
    return format_percent(math.floor(round(value * 100, 9)) / 100)


def init_app(app: Flask) -> None:
    @app.context_processor
    def globals_for_templates() -> dict[str, Any]:
        language_form = LanguageForm(formdata=None, locale=str(get_locale()), next=request.full_path.rstrip("?"))
        locale = str(get_locale())
        # The course content is Dutch whatever the UI language: mark it so screen readers read it as Dutch.
        lang_nl = CONTENT_LANG_ATTRIBUTE if locale != CONTENT_LANGUAGE else ""
        keepalive_form = KeepaliveForm(formdata=None, next=request.full_path.rstrip("?"))
        return {"catalog": catalog(), "logout_form": LogoutForm(formdata=None), "language_form": language_form,
                "keepalive_form": keepalive_form,
                "lang_nl": lang_nl, "current_locale": locale,
                "header_progress": header_progress, "language_names": LANGUAGE_NAMES}

    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
    app.jinja_env.filters["device_name"] = device_name
    app.jinja_env.filters["percent"] = whole_percent
    app.jinja_env.filters["decimal"] = format_decimal
    # Measured study load: minutes rounded up to a multiple of 5, hours to one decimal in the locale's way.
    app.jinja_env.filters["study_minutes"] = lambda minutes: -(-minutes // 5) * 5
    app.jinja_env.filters["hours"] = lambda minutes: format_decimal(round(minutes / 60, 1), format="#,##0.#")
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
