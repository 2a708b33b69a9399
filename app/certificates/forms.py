"""Certificate forms: shape of the input only; the register formats are checked by the service."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.forms import Form
from course.registers import REGISTERS


def _number_field(register_id: str) -> StringField:
    register = REGISTERS[register_id]
    return StringField(
        _l("Registratienummer %(register)s", register=register.name), validators=[Length(max=30)],
        description=_l("Alleen cijfers, bijvoorbeeld %(example)s. Laat leeg als je niet geregistreerd bent.",
                       example=register.example),
        render_kw={"autocomplete": "off", "inputmode": "numeric"})


class RegisterNumbersForm(Form):
    """One optional field per register of course.registers (field name: the register id in lower case)."""

    skj = _number_field("SKJ")
    big = _number_field("BIG")

    def numbers(self) -> dict[str, str]:
        return {rid: (self[rid.lower()].data or "") for rid in REGISTERS}


class RevokeForm(Form):
    reason = TextAreaField(_l("Reden van intrekken"), validators=[DataRequired(_l("Geef een reden op.")),
                                                                  Length(max=500)],
                           description=_l("Deze reden staat op de openbare verificatiepagina."),
                           render_kw={"autocomplete": "off"})


class FindCertificateForm(Form):
    """Looking a certificate up by its code (a GET form: nothing changes)."""

    class Meta:
        csrf = False

    code = StringField(_l("Verificatiecode"), validators=[DataRequired(), Length(max=64)],
                       render_kw={"autocomplete": "off", "spellcheck": "false"})
