"""Forms of the trainer area: shape of the input only; the services decide what is allowed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.forms import Form
from course.live.items import ItemKind


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class GroupForm(Form):
    name = StringField(_l("Naam van de groep"), validators=[DataRequired(_l("Geef de groep een naam.")),
                                                            Length(max=120)],
                       filters=[_strip], render_kw={"autocomplete": "off"})
    starts_on = DateField(_l("Begindatum"), validators=[Optional()], render_kw={"autocomplete": "off"})
    ends_on = DateField(_l("Einddatum"), validators=[Optional()], render_kw={"autocomplete": "off"})


class ConfirmForm(Form):
    """A button that changes something (close a group, remove a member): only the CSRF token."""


class PromptForm(Form):
    class Meta:
        csrf = False  # part of LiveSessionForm, which carries the token

    kind = SelectField(_l("Soort vraag"), default=ItemKind.OPEN.value, choices=[
        (ItemKind.OPEN.value, _l("Open vraag")), (ItemKind.SINGLE.value, _l("Peiling (één antwoord)")),
        (ItemKind.RATING.value, _l("Schaal van 1 tot 5")), (ItemKind.WORDS.value, _l("Woordenlijst"))])
    text = StringField(_l("Vraag"), validators=[Optional(), Length(max=300)], filters=[_strip],
                       render_kw={"autocomplete": "off"})
    options = TextAreaField(_l("Antwoordmogelijkheden (alleen bij een peiling, één per regel)"),
                            validators=[Optional(), Length(max=1000)], render_kw={"rows": 3})


class LiveSessionForm(Form):
    title = StringField(_l("Titel op het scherm"), validators=[DataRequired(_l("Geef de sessie een titel.")),
                                                               Length(max=200)],
                        filters=[_strip], render_kw={"autocomplete": "off"})
    source = SelectField(_l("Wat wil je met de groep doen?"), validators=[InputRequired()])
    group = SelectField(_l("Groep (niet verplicht)"), validators=[Optional()], default="")
    ask_names = BooleanField(_l("Vraag deelnemers om een naam (anders anoniem)"))
    min_results = IntegerField(_l("Toon uitslagen vanaf zoveel antwoorden"), default=3,
                               validators=[InputRequired(_l("Vul een aantal in.")), NumberRange(min=1, max=50)])
    prompts = FieldList(FormField(PromptForm), min_entries=4, max_entries=12)


class ControlForm(Form):
    """A console button: the action, and the version of the session the console showed."""

    action = HiddenField(validators=[DataRequired()])
    version = IntegerField(validators=[InputRequired()])


class PathForm(Form):
    """The trainer takes a path at a casus fork: the chosen option(s) are read from the request."""

    version = IntegerField(validators=[InputRequired()])


class HideAnswerForm(Form):
    answer_id = IntegerField(validators=[InputRequired()])
    hidden = HiddenField()
