"""The accreditation points an organisation's admin reports to the professional registers (SKJ, BIG/V&VN).

One row per certificate and register the certificate counts for: who (name and their registration number),
for which accredited course (the course's accreditation number at that register), how many points, when it
was completed, and the certificate's code (the register can check it on the public verification page).
Everything comes from the certificate's snapshot, so the export says what was certified; only a
registration number the learner recorded after the certificate was issued is taken from their account.

The columns are fixed (a register's upload reads them by name) and documented in the README.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from course.db import Certificate, CertificateKind, Membership, RegisterNumber
from course.errors import N_, NotFound
from course.registers import REGISTERS
from course.services.org_report import defuse
from course.services.orgs import OrgAccess

COLUMNS = ("register", "registratienummer", "naam", "accreditatienummer", "punten", "datum_afgerond",
           "certificaatcode")


@dataclass(frozen=True)
class PointsRow:
    register: str  # a key of course.registers.REGISTERS
    register_number: str  # the learner's number at that register; '' when they recorded none
    name: str  # as printed on the certificate
    accreditation_number: str  # the course's number at that register, as printed on the certificate
    points: int
    completed_on: date
    code: str  # the certificate's verification code

    def cells(self) -> list[str | int]:
        return [self.register, self.register_number, self.name, self.accreditation_number, self.points,
                self.completed_on.isoformat(), self.code]


def points_to_award(session: Session, access: OrgAccess, register: str | None = None) -> list[PointsRow]:
    """The points to award for the certificates issued in the admin's organisation (two queries).

    Only course certificates that are not revoked, of people who still belong to the organisation (a deactivated
    member's count: they earned them there); expired ones count (the points were earned when completed).
    With ``register``, only that register's rows. Ordered by completion date, then name.
    Raises NotFound for a team lead (the export is the admin's) or an unknown register.
    """
    if not access.is_admin:
        raise NotFound(N_("Deze organisatie bestaat niet."))
    if register is not None and register not in REGISTERS:
        raise NotFound(N_("Dit register bestaat niet."))
    organisation_id = access.organisation.id
    # Course certificates only: an assignment's certificate is for the same course, and a register must not
    # award its points twice.
    certificates = session.scalars(select(Certificate).where(
        Certificate.organisation_id == organisation_id, Certificate.kind == CertificateKind.COURSE,
        Certificate.revoked_at.is_(None),
        select(Membership.id).where(Membership.organisation_id == organisation_id,
                                    Membership.user_id == Certificate.user_id).exists())
        .order_by(Certificate.completed_on, Certificate.learner_name, Certificate.id)).all()
    recorded: dict[tuple[int, str], str] = {}
    if certificates:
        recorded = {(r.user_id, r.register): r.number for r in session.scalars(select(RegisterNumber).where(
            RegisterNumber.user_id.in_(sorted({c.user_id for c in certificates}))))}
    return [PointsRow(a["register"],
                      c.register_numbers.get(a["register"]) or recorded.get((c.user_id, a["register"]), ""),
                      c.learner_name, a["number"], a["points"], c.completed_on, c.code)
            for c in certificates for a in c.accreditation if register in (None, a["register"])]


def to_csv(rows: list[PointsRow]) -> str:
    """The rows as CSV (';', a heading line of COLUMNS), formula-like text cells defused."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([defuse(v) for v in row.cells()] for row in rows)
    return out.getvalue()
