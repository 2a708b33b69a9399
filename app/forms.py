"""The base of every form: Flask-WTF's, with WTForms' own messages translated from a per-process cache.

Flask-WTF reads WTForms' message catalogue from disk on every request that builds a form (a few
milliseconds each, the largest cost of a live answer after the database); the catalogues never change
while the app runs, so each language's is loaded once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel.support import Translations
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path

from app.i18n import ui_language


@lru_cache(maxsize=8)
def _wtforms_messages(locale: str) -> Translations:
    return Translations.load(messages_path(), [locale], domain="wtforms")


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> Translations:
            return _wtforms_messages(ui_language())
