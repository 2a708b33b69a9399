"""The professional registers a certificate can count for, and the shape of their registration numbers.

A register is named in the course manifest (``accreditation.registers``) and a learner records their own
number for it on their account. The formats are the registers' public ones; a number is checked for its
shape only (the registers publish no check digit), so a typo of the right length still gets through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Register:
    id: str  # as the manifest and the CSV export name it
    name: str  # the register's own name, not translated
    pattern: re.Pattern[str]
    example: str  # shown next to the field on the account page


REGISTERS: dict[str, Register] = {
    # Stichting Kwaliteitsregister Jeugd: registration numbers of digits only, in practice 6 to 10 of them.
    "SKJ": Register("SKJ", "Kwaliteitsregister Jeugd (SKJ)", re.compile(r"\d{6,10}"), "110012345"),
    # BIG-register (Wet BIG): the BIG number is 11 digits. V&VN's Kwaliteitsregister uses the same number.
    "BIG": Register("BIG", "BIG-register / V&VN Kwaliteitsregister", re.compile(r"\d{11}"), "19012345601"),
}


def normalise_number(raw: str) -> str:
    """A registration number as typed, without spaces, dots or dashes (people copy it as printed)."""
    return re.sub(r"[\s.\-]", "", raw)


def valid_number(register_id: str, number: str) -> bool:
    """Whether ``number`` (normalised) has the shape of a ``register_id`` number; KeyError for an unknown register."""
    return REGISTERS[register_id].pattern.fullmatch(number) is not None
