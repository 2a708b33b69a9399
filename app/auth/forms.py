"""Account forms: shape of the input only; uniqueness and policy are checked by the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from app.forms import Form
from course.services.accounts import MIN_PASSWORD_LENGTH


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def _name_field() -> StringField:
    return StringField(_l("Naam"), validators=[DataRequired(_l("Vul je naam in.")), Length(max=120)],
                       filters=[_strip], render_kw={"autocomplete": "name"})


def _new_password_field(label: str) -> PasswordField:
    return PasswordField(
        label,
        validators=[DataRequired(_l("Kies een wachtwoord.")),
                    Length(min=MIN_PASSWORD_LENGTH, max=200,
                           message=_l("Kies een wachtwoord van minstens %(n)s tekens.", n=MIN_PASSWORD_LENGTH))],
        description=_l("Minstens %(n)s tekens; een zin van een paar woorden is sterk en goed te onthouden.",
                       n=MIN_PASSWORD_LENGTH),
        render_kw={"autocomplete": "new-password"})


def _repeat_field() -> PasswordField:
    return PasswordField(
        _l("Herhaal wachtwoord"),
        validators=[DataRequired(_l("Herhaal je wachtwoord.")),
                    EqualTo("password", _l("De wachtwoorden zijn niet gelijk."))],
        render_kw={"autocomplete": "new-password"})


def _email_field(label: str, autocomplete: str = "email") -> EmailField:
    return EmailField(label, validators=[DataRequired(_l("Vul je e-mailadres in.")),
                                         Email(_l("Dit is geen geldig e-mailadres.")), Length(max=254)],
                      filters=[_strip], render_kw={"autocomplete": autocomplete})


class RegisterForm(Form):
    name = _name_field()
    email = _email_field(_l("E-mailadres"))
    password = _new_password_field(_l("Wachtwoord"))
    password_repeat = _repeat_field()


class ForgotPasswordForm(Form):
    email = _email_field(_l("E-mailadres"), autocomplete="username")


class ResetPasswordForm(Form):
    password = _new_password_field(_l("Nieuw wachtwoord"))
    password_repeat = _repeat_field()


class ConfirmForm(Form):
    """The button behind a mailed link: a link scanner that opens the link changes nothing."""


class EmailChangeForm(Form):
    email = _email_field(_l("Nieuw e-mailadres"))
    current_password = PasswordField(_l("Huidig wachtwoord"),
                                     validators=[DataRequired(_l("Vul je huidige wachtwoord in."))],
                                     render_kw={"autocomplete": "current-password"})


class LoginForm(Form):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(_l("Vul je e-mailadres in."))],
                       filters=[_strip], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(_l("Vul je wachtwoord in."))],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Ingelogd blijven op dit apparaat"))
    next = HiddenField()


class TwoFactorCodeForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(_l("Vul de code in.")), Length(max=32)],
                       filters=[_strip], render_kw={"autocomplete": "one-time-code", "spellcheck": "false",
                                                    "autocapitalize": "off"})


class LoginCodeForm(Form):
    code = StringField(_l("Code uit je app, of een herstelcode"),
                       validators=[DataRequired(_l("Vul de code in.")), Length(max=32)], filters=[_strip],
                       description=_l("Zes cijfers uit je authenticator-app. Telefoon kwijt? Gebruik een van je "
                                      "herstelcodes."),
                       render_kw={"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "off"})


class LogoutForm(Form):
    pass


class ProfileForm(Form):
    name = _name_field()


class PasswordChangeForm(Form):
    current_password = PasswordField(_l("Huidig wachtwoord"),
                                     validators=[DataRequired(_l("Vul je huidige wachtwoord in."))],
                                     render_kw={"autocomplete": "current-password"})
    password = _new_password_field(_l("Nieuw wachtwoord"))
    password_repeat = _repeat_field()


class LogoutEverywhereForm(Form):
    pass


class KeepaliveForm(Form):
    next = HiddenField()


class LanguageForm(Form):
    locale = SelectField(_l("Taal"), choices=[("nl", "Nederlands"), ("en", "English")])
    next = HiddenField()
