"""Forms of the learning pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField
from wtforms.validators import NumberRange, Optional

from app.forms import Form


class MarkReadForm(Form):
    """The "Gelezen" button at the end of a page (also posted by script when the end comes into view)."""


class InterventionFilterForm(Form):
    class Meta:
        csrf = False  # a GET search form changes nothing

    type = SelectField(_l("Soort"), choices=[("", _l("Alle soorten")), ("preventie", _l("Preventie")),
                                             ("veiligheid", _l("Veiligheid")), ("herstel", _l("Herstel"))],
                       validators=[Optional()])
    age = IntegerField(_l("Leeftijd van het kind (jaren)"), validators=[Optional(), NumberRange(0, 25)],
                       render_kw={"inputmode": "numeric", "autocomplete": "off"})
