"""Forms of the organisation area: shape of the input only; the service decides what is allowed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import AnyOf, DataRequired, Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from course.db import ApiScope, Role
from course.services.api_tokens import DEFAULT_VALID_DAYS, VALID_DAYS


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def role_choices() -> list[tuple[str, str]]:
    return [(Role.LEARNER.value, _l("Medewerker")), (Role.TEAM_LEAD.value, _l("Teamleider")),
            (Role.ORG_ADMIN.value, _l("Beheerder van de organisatie"))]


class TeamForm(FlaskForm):
    name = StringField(_l("Naam van het team"), validators=[DataRequired(_l("Geef het team een naam.")),
                                                            Length(max=120)],
                       filters=[_strip], render_kw={"autocomplete": "off"})


class InviteForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(_l("Vul het e-mailadres in.")),
                                                      Email(_l("Dit is geen geldig e-mailadres.")), Length(max=254)],
                       filters=[_strip], render_kw={"autocomplete": "off"})
    name = StringField(_l("Naam"), validators=[Optional(), Length(max=120)], filters=[_strip],
                       description=_l("Nodig als de persoon nog geen account heeft."),
                       render_kw={"autocomplete": "off"})
    team = SelectField(_l("Team"), default="", validators=[Optional()])
    role = SelectField(_l("Rol"), default=Role.LEARNER.value)


class MemberForm(FlaskForm):
    team = SelectField(_l("Team"), default="", validators=[Optional()])
    role = SelectField(_l("Rol"))


class ConfirmForm(FlaskForm):
    """A button that changes something (deactivate, activate, leave): only the CSRF token."""


class ImportForm(FlaskForm):
    file = FileField(_l("CSV-bestand"), validators=[FileRequired(_l("Kies een CSV-bestand."))],
                     description=_l("Kolommen: e-mailadres, naam en eventueel team; gescheiden door ; of ,."),
                     render_kw={"accept": ".csv,text/csv"})


class ApplyImportForm(FlaskForm):
    """Applying a previewed file: the file comes back with the form (base64), so nothing waits on the server."""

    content = HiddenField(validators=[DataRequired()])


PERCENT = _l("Een percentage ligt tussen 1 en 100.")


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (works without JavaScript; each box has its own label)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AssignmentForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(_l("Geef de opdracht een titel.")), Length(max=200)],
                        filters=[_strip], render_kw={"autocomplete": "off"})
    scope = RadioField(_l("Wat moet af?"), default="course",
                       choices=[("course", _l("De hele cursus")), ("modules", _l("Alleen de modules hieronder"))])
    modules = MultiCheckboxField(_l("Modules"), validators=[Optional()])
    target = RadioField(_l("Voor wie?"), default="organisation",
                        choices=[("organisation", _l("Iedereen in de organisatie")), ("team", _l("Eén team")),
                                 ("person", _l("Eén persoon"))])
    team = SelectField(_l("Team"), default="", validators=[Optional()])
    email = EmailField(_l("E-mailadres van de persoon"), validators=[Optional(), Length(max=254)], filters=[_strip],
                       render_kw={"autocomplete": "off"})
    due_on = DateField(_l("Deadline"), validators=[InputRequired(_l("Kies een deadline."))],
                       render_kw={"autocomplete": "off"})
    min_quiz_percent = IntegerField(
        _l("Minimale score op elke kennischeck (%)"),
        validators=[Optional(), NumberRange(min=1, max=100, message=PERCENT)],
        description=_l("Leeg laten: de cursusregel geldt (gehaald is gehaald)."), render_kw={"autocomplete": "off"})
    casuses = MultiCheckboxField(_l("Casussen die afgerond moeten zijn"), validators=[Optional()])


class ReminderMailForm(FlaskForm):
    """Reminder mails on ("1") or off ("0")."""

    wanted = HiddenField(validators=[DataRequired()])


def scope_choices() -> list[tuple[str, str]]:
    return [(ApiScope.READ_MEMBERS.value, _l("Leden lezen")),
            (ApiScope.READ_COMPLETIONS.value, _l("Voortgang en afronding lezen")),
            (ApiScope.WRITE_ASSIGNMENTS.value, _l("Opdrachten maken"))]


class ApiTokenForm(FlaskForm):
    name = StringField(_l("Naam van de sleutel"),
                       validators=[DataRequired(_l("Geef de sleutel een naam, zodat je later weet waarvoor hij is.")),
                                   Length(max=120)],
                       description=_l("Bijvoorbeeld het systeem dat hem gebruikt."), filters=[_strip],
                       render_kw={"autocomplete": "off"})
    scopes = MultiCheckboxField(_l("Wat mag de sleutel?"), choices=scope_choices,
                                validators=[DataRequired(_l("Kies wat de sleutel mag."))])
    valid_days = RadioField(_l("Hoe lang is de sleutel geldig?"), coerce=int, default=DEFAULT_VALID_DAYS,
                            choices=[(30, _l("30 dagen")), (90, _l("90 dagen")), (180, _l("180 dagen")),
                                     (365, _l("1 jaar"))],
                            validate_choice=False,  # AnyOf says it in words of this form
                            validators=[InputRequired(_l("Kies hoe lang de sleutel geldig is.")),
                                        AnyOf(VALID_DAYS, message=_l("Kies hoe lang de sleutel geldig is."))])


class RevokeApiTokenForm(FlaskForm):
    token_id = IntegerField(validators=[InputRequired(), NumberRange(min=1, max=2**31 - 1)])
