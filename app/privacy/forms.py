"""Privacy forms: shape of the input only; the password is checked by the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField
from wtforms.validators import DataRequired, Length

from app.forms import Form


class ExportForm(Form):
    """The "download my data" button: a POST, so no link or prefetch can start an export."""


class DeleteAccountForm(Form):
    password = PasswordField(_l("Je wachtwoord"), validators=[DataRequired(_l("Vul je wachtwoord in.")),
                                                              Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    confirm = BooleanField(_l("Ik begrijp dat mijn account en al mijn gegevens definitief worden verwijderd."),
                           validators=[DataRequired(_l("Bevestig dat je je account wilt verwijderen."))])


class DeleteWithoutPasswordForm(Form):
    """Deleting an account that signs in through its organisation (it has no password): a recent sign-in
    stands in for the password."""

    confirm = BooleanField(_l("Ik begrijp dat mijn account en al mijn gegevens definitief worden verwijderd."),
                           validators=[DataRequired(_l("Bevestig dat je je account wilt verwijderen."))])
