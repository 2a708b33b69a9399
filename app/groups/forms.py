"""A learner's groups: join with a code, share reflections or not, leave."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from app.forms import Form


class JoinGroupForm(Form):
    code = StringField(_l("Groepscode"), validators=[DataRequired(_l("Vul de code van je trainer in.")),
                                                     Length(max=20)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})


class SharingForm(Form):
    share = HiddenField()


class LeaveForm(Form):
    """Leave a group: only the CSRF token."""
