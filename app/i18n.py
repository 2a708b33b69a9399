"""The UI language: the user's saved choice, else this browser's choice, else the Accept-Language header."""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import Babel, gettext
from flask_login import current_user

from course.errors import DomainError

babel = Babel()

# Each language named in itself, for the switch in the page header.
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)


def domain_message(exc: DomainError) -> str:
    """A service's message in the UI language (course/ raises Dutch; the catalogue has them via babel.cfg)."""
    return gettext(exc.message)
