"""What every template can use: forms in the page header, the catalog, formatting helpers."""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from flask_babel import format_date, format_datetime, format_percent, get_locale

from app.auth.forms import LanguageForm, LogoutForm
from app.content import catalog


def init_app(app: Flask) -> None:
    endpoints: set[str] = set()

    @app.before_request
    def collect_endpoints() -> None:
        if not endpoints:
            endpoints.update(rule.endpoint for rule in app.url_map.iter_rules())

    @app.context_processor
    def globals_for_templates() -> dict[str, Any]:
        language_form = LanguageForm(formdata=None, locale=str(get_locale()), next=request.full_path.rstrip("?"))
        return {"catalog": catalog(), "logout_form": LogoutForm(formdata=None), "language_form": language_form,
                "current_locale": str(get_locale()), "url_endpoints": endpoints}

    app.jinja_env.filters["date"] = lambda value, fmt="medium": format_date(value, fmt) if value else ""
    app.jinja_env.filters["datetime"] = lambda value, fmt="medium": format_datetime(value, fmt) if value else ""
    app.jinja_env.filters["percent"] = lambda value: format_percent(value) if value is not None else "–"
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
