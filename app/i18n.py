"""The UI language: the user's saved choice, else this browser's choice, else the Accept-Language header.

The locale Flask-Babel works with is the language's *formatting* locale: English is 'en_GB', so dates read
26 Nov 2026 and 26/11/2026 as our (Dutch and Belgian) learners expect, not the US 11/26/26 of plain 'en'.
The messages still come from the 'en' catalogue (gettext falls back from en_GB to en); the language itself
(the html lang attribute, the switch, the account) is ``ui_language()``.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import lru_cache

import pytz
from babel import Locale
from flask import Flask, current_app, request
from flask_babel import Babel, get_locale, gettext

from app.acting_user import acting_user
from app.fragments import BoundedStore
from app.request_objects import the_app, the_request, the_session
from course.errors import DomainError

babel = Babel()

# Each language named in itself, for the switch in the page header.
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


# How a UI language writes dates, times and numbers, when not the way its bare code would in Babel.
FORMAT_LOCALES = {"en": "en_GB"}


def formatting_locale(language: str) -> str:
    """The Babel locale for a UI language: 'en' → 'en_GB'; any other language is its own."""
    return FORMAT_LOCALES.get(language, language)


def ui_language() -> str:
    """The language of the interface now ('nl', 'en'), whatever locale formats its dates."""
    locale = get_locale()
    return locale.language if locale is not None else current_app.config["BABEL_DEFAULT_LOCALE"]


def clock_time(moment: datetime) -> str:
    """Hours and minutes of ``moment`` in the app's time zone (BABEL_DEFAULT_TIMEZONE), as "14:05": the same
    digits in every language we have, so no locale is needed. Flask-Babel's to_user_timezone looked the zone
    up anew for every save (a thirtieth of one)."""
    zone = _zone(the_app().config["BABEL_DEFAULT_TIMEZONE"])
    return moment.astimezone(zone).strftime("%H:%M")


@lru_cache(maxsize=4)
def _zone(name: str) -> tzinfo:
    return pytz.timezone(name)  # Flask-Babel's own zones


def select_language() -> str:
    config = the_app().config
    languages = config["LANGUAGES"]
    user = acting_user()
    if user.is_authenticated and user.locale in languages:
        return user.locale
    chosen = the_session().get("locale")
    if chosen in languages:
        return chosen
    return browser_language(languages, config["BABEL_DEFAULT_LOCALE"])


# Accept-Language → the language it picks: parsing the header and matching it took longer than the rest of
# choosing the language, and browsers send a handful of distinct headers. Bounded: its keys are request input.
_BROWSER_CHOICES = BoundedStore(1000)


def browser_language(languages: tuple[str, ...], default: str) -> str:
    """The language of ``languages`` this request's Accept-Language header prefers, else ``default``."""
    key = (the_request().environ.get("HTTP_ACCEPT_LANGUAGE", ""), tuple(languages), default)
    return _BROWSER_CHOICES.made(  # type: ignore[no-any-return]
        key, lambda: request.accept_languages.best_match(languages) or default)


# One Babel Locale per language, parsed once: Flask-Babel takes a Locale as it is (a string it parses, every
# request). Locales are read-only, so every request can share them.
_LOCALES: dict[str, Locale] = {}


def select_locale() -> Locale:
    language = select_language()
    locale = _LOCALES.get(language)
    if locale is None:
        locale = _LOCALES[language] = Locale.parse(formatting_locale(language))
    return locale


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)


def domain_message(exc: DomainError) -> str:
    """A service's message in the UI language (course/ raises Dutch; the catalogue has them via babel.cfg)."""
    return gettext(exc.message)
