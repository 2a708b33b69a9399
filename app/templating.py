"""What every template can use: forms in the page header, the catalog, formatting helpers."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import Flask, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.acting_user import acting_user
from app.auth.devices import device_name
from app.content import catalog
from app.db import db_session
from app.fragments import BoundedStore
from app.i18n import LANGUAGE_NAMES, ui_language
from app.request_objects import the_globals, the_request
from app.skeletons import csrf_token, hole_function, page_next
from course import progress as progress_rules
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
    context_globals = the_globals()
    if course is not None:
        context_globals.leerlijn_course_progress = course
        context_globals.leerlijn_header_progress = HeaderProgress(sum(len(m.pages_read) for m in course.modules),
                                                    len(catalog().pages))
    elif read_pages is not None:
        context_globals.leerlijn_header_progress = _count(read_pages)


def _count(read_pages: set[tuple[str, str]]) -> HeaderProgress:
    pages = catalog().page_ids
    return HeaderProgress(len(read_pages & pages), len(pages))


def header_progress() -> HeaderProgress | None:
    """The header's progress: what the view already loaded, else one query; None for visitors."""
    context_globals = the_globals()
    known = context_globals.get("leerlijn_header_progress")  # only a logged-in learner's view leaves one
    if known is not None:
        return known  # type: ignore[no-any-return]
    user = acting_user()
    if not user.is_authenticated:
        return None
    keys = user.read_page_keys  # loaded with the login on most pages (app/auth)
    context_globals.leerlijn_header_progress = (_count(progress_service.read_pages(db_session, user.id))
                                                if keys is None else _count_keys(keys))
    return context_globals.leerlijn_header_progress  # type: ignore[no-any-return]


# Texts and links with the learner's figures in them, kept per language and figures (a few hundred for a
# course).
_PAGES_READ = BoundedStore(5000)
_HEADER_LINKS = BoundedStore(5000)


def pages_read_text(read: int, total: int, language: str) -> Markup:
    """"3 van 12 pagina’s gelezen" in the UI language (``language``, the request's: a hole has it in its
    values), as the templates' gettext gives it."""
    return _PAGES_READ.made((language, read, total), lambda: Markup(  # noqa: S704 - our catalogue
        _("%(read)d van %(total)d pagina’s gelezen")) % {"read": read, "total": total})


@hole_function("header-progress")
def _header_progress_link(values: Any, href: str) -> Markup:
    hp = header_progress()
    if hp is None:
        return Markup("")
    language = values["current_locale"]
    return _HEADER_LINKS.made((language, href, hp.read, hp.total), lambda: Markup(
        '<a class="header-progress" href="{}">\n'
        '          <span class="header-progress-text">{}</span>\n'
        '          <progress class="header-progress-bar" max="{}" value="{}" aria-hidden="true"></progress>\n'
        '        </a>').format(href, pages_read_text(hp.read, hp.total, language), hp.total, hp.read))


@hole_function("login-again-url")
def _login_again_url(_values: Any) -> str:
    this_request = the_request()
    return _login_again_link(this_request.script_root, this_request.full_path.rstrip("?"))


# Per address, so least recently used first out: any path (a 404 too) with any query string comes here,
# and a store that only grew could be filled with long junk addresses (kilobytes each) by any account.
@lru_cache(maxsize=512)
def _login_again_link(script_root: str, here: str) -> str:
    return escape(url_for("auth.login", next=here))


def _count_keys(read_page_keys: frozenset[str]) -> HeaderProgress:
    keys = catalog().page_keys
    return HeaderProgress(len(read_page_keys & keys), len(keys))


def next_step_for(module_id: str, reading: str | None = None) -> progress_rules.NextStep:
    """The learner's one next step in ``module_id`` (see course.progress.next_step); ``reading`` is the page
    they are finishing. Loads the course progress once per request unless the view already did."""
    context_globals = the_globals()
    course = context_globals.get("leerlijn_course_progress")
    if course is None:
        course = context_globals.leerlijn_course_progress = progress_service.course_progress(
            db_session, catalog(), acting_user().id)
    return progress_rules.next_step(catalog(), course, module_id, reading)


def next_step_url(step: progress_rules.NextStep) -> str:
    """Where the button for ``step`` leads."""
    if step.kind == "page":
        return url_for("learn.page", module_id=step.module_id, page_id=step.target)
    if step.kind == "quiz":
        return url_for("quiz.overview", quiz_id=step.target)
    if step.kind == "casus":
        return url_for("casus.overview", casus_id=step.target)
    if step.kind == "module":
        return url_for("learn.module", module_id=step.target)
    return url_for("learn.dashboard")


def whole_percent(value: float | None) -> str:
    """A score (0..1) as a whole percentage, rounded down; "–" for None.

    Rounded down so that a score never reads as the pass mark it misses: 69.5 % shows as 69 %, not 70 %.
    (The rounding to 9 places first absorbs float noise: 0.57 * 100 is 56.99999999999999.)
    """
    if value is None:
        return "–"
    whole = math.floor(round(value * 100, 9))
    # Babel's formatting cost a twentieth of a page with a progress bar per module; its result depends on
    # the number and the language only.
    key = (str(get_locale()), whole)
    text = _PERCENTS.get(key)
    if text is None:
        if len(_PERCENTS) > 1000:
            _PERCENTS.clear()
        text = _PERCENTS[key] = format_percent(whole / 100)
    return text


_PERCENTS: dict[tuple[str, int], str] = {}


def init_app(app: Flask) -> None:
    @app.context_processor
    def globals_for_templates() -> dict[str, Any]:
        locale = ui_language()
        # The course content is Dutch whatever the UI language: mark it so screen readers read it as Dutch.
        lang_nl = CONTENT_LANG_ATTRIBUTE if locale != CONTENT_LANGUAGE else ""
        # The header's small forms (language, log out, stay logged in) are plain HTML with the CSRF token:
        # building three WTForms objects for every page only to print two hidden fields cost more than the
        # rest of a simple page. Their views still validate the posts with the real forms.
        return {"catalog": catalog(), "page_next": page_next(),
                "lang_nl": lang_nl, "current_locale": locale, "script_root": request.script_root,
                "header_progress": header_progress, "language_names": LANGUAGE_NAMES,
                "next_step_for": next_step_for, "csrf_token": csrf_token}

    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
    app.jinja_env.filters["device_name"] = device_name
    app.jinja_env.filters["next_step_url"] = next_step_url
    app.jinja_env.filters["percent"] = whole_percent
    app.jinja_env.filters["decimal"] = format_decimal
    # Measured study load: minutes rounded up to a multiple of 5, hours to one decimal in the locale's way.
    app.jinja_env.filters["study_minutes"] = lambda minutes: -(-minutes // 5) * 5
    app.jinja_env.filters["hours"] = lambda minutes: format_decimal(round(minutes / 60, 1), format="#,##0.#")
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
