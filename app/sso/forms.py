"""Forms of single sign-on: shape of the input only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, URLField
from wtforms.validators import DataRequired, Email, Length, Optional


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class FindOrganisationForm(FlaskForm):
    email = EmailField(_l("E-mailadres van je werk"),
                       validators=[DataRequired(_l("Vul je e-mailadres in.")),
                                   Email(_l("Dit is geen geldig e-mailadres.")), Length(max=254)],
                       filters=[_strip], render_kw={"autocomplete": "username"})


class SsoSettingsForm(FlaskForm):
    """What an organisation admin sets; the domains are the platform operator's (command line)."""

    issuer = URLField(_l("Adres van de inlogdienst (issuer)"),
                      validators=[DataRequired(_l("Vul het adres van de inlogdienst in.")), Length(max=255)],
                      description=_l("Bijvoorbeeld https://login.microsoftonline.com/<tenant>/v2.0. "
                                     "Leerlijn zoekt de rest op via /.well-known/openid-configuration."),
                      filters=[_strip], render_kw={"autocomplete": "off", "spellcheck": "false"})
    client_id = StringField(_l("Client-id"), validators=[DataRequired(_l("Vul de client-id in.")), Length(max=255)],
                            filters=[_strip], render_kw={"autocomplete": "off", "spellcheck": "false"})
    client_secret = PasswordField(_l("Nieuw geheim (client secret)"), validators=[Optional(), Length(max=1000)],
                                  description=_l("Leeg laten om het huidige te houden. Wordt versleuteld bewaard."),
                                  render_kw={"autocomplete": "new-password"})
    mandatory = BooleanField(_l("Verplicht: leden loggen alleen via de organisatie in, niet met een wachtwoord"))
