"""Forms of participants in a live session. Answers are read per item kind by course.live."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import Form


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class JoinForm(Form):
    code = StringField(_l("Sessiecode"), validators=[DataRequired(_l("Vul de code van het scherm in.")),
                                                     Length(max=12)],
                       filters=[_strip], render_kw={"autocomplete": "off", "autocapitalize": "characters",
                                                    "spellcheck": "false", "inputmode": "text"})


class NameForm(Form):
    name = StringField(_l("Je naam (zoals de groep je mag zien)"), validators=[Optional(), Length(max=60)],
                       filters=[_strip], render_kw={"autocomplete": "nickname"})


class KeepForm(Form):
    """Keep a finished live casus in one's own progress: only the CSRF token."""
